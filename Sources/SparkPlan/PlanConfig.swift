/// A three-part Unity Catalog name: `catalog.schema.table`.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    /// The catalog, unquoted.
    public var catalog: String
    /// The schema in the catalog, unquoted.
    public var schema: String
    /// The table (or view) in the schema, unquoted.
    public var table: String

    /// Creates a name from its parts, unquoted.
    /// - Throws: `SparkPlanError` (`invalidName`) for an empty part, a control character, or
    ///   more than 255 characters (Unity Catalog's rules).
    public init(catalog: String, schema: String, table: String) throws(SparkPlanError) {
        for (what, part) in [("catalog", catalog), ("schema", schema), ("table", table)] {
            try Self.check(part, what: what)
        }
        self.catalog = catalog
        self.schema = schema
        self.table = table
    }

    /// Parses `catalog.schema.table`, where a part may be in backticks (\`my.cat\`.s.t, a
    /// backtick inside doubled).
    public init(parsing text: String) throws(SparkPlanError) {
        var parts: [String] = []
        var current = ""
        var quoted = false, wasQuoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if quoted {
                if scalar == "`" {
                    if scalars.first == "`" {
                        scalars.removeFirst()
                        current.unicodeScalars.append("`")
                    } else {
                        quoted = false
                    }
                } else {
                    current.unicodeScalars.append(scalar)
                }
            } else if scalar == "`" && current.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
            } else if scalar == "." {
                parts.append(current)
                current = ""
                wasQuoted = false
            } else if wasQuoted {
                throw SparkPlanError(.invalidName, "'\(Quote.commentText(text))': text after a closing backtick")
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        guard !quoted else { throw SparkPlanError(.invalidName, "'\(Quote.commentText(text))': a backtick is not closed") }
        parts.append(current)
        guard parts.count == 3 else {
            throw SparkPlanError(
                .invalidName,
                "'\(Quote.commentText(text))' is not catalog.schema.table (\(parts.count) part(s); quote a part with a dot in backticks)")
        }
        try self.init(catalog: parts[0], schema: parts[1], table: parts[2])
    }

    static func check(_ part: String, what: String) throws(SparkPlanError) {
        guard !part.isEmpty else { throw SparkPlanError(.invalidName, "the \(what) name is empty") }
        guard part.unicodeScalars.count <= 255 else { throw SparkPlanError(.invalidName, "the \(what) name is longer than 255 characters") }
        if part.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw SparkPlanError(.invalidName, "the \(what) name '\(Quote.commentText(part))' contains a control character")
        }
    }

    /// The parts, unquoted.
    public var parts: [String] { [catalog, schema, table] }
    /// The name as Spark SQL reads it, each part in backticks: \`catalog\`.\`schema\`.\`table\`.
    public var quoted: String { Quote.sqlName(parts) }
    /// The schema's name as Spark SQL reads it: \`catalog\`.\`schema\`.
    var quotedSchema: String { Quote.sqlName([catalog, schema]) }
    /// The same name with another last part.
    public func sibling(_ table: String) throws(SparkPlanError) -> TableName {
        try TableName(catalog: catalog, schema: schema, table: table)
    }

    public var description: String { quoted }
}

/// What a tombstone does to its row.
public enum DeleteMode: String, Sendable, CaseIterable {
    /// The row stays, marked `is_deleted = true`, so a late older upsert is recognised as older
    /// and cannot bring it back; a view shows the current rows and a clean-up statement removes
    /// tombstones older than the retention.
    case soft
    /// The row is deleted. Cheaper, but once it is gone a late older upsert of the key inserts
    /// it again: nothing is left to compare its `_seq` with.
    case hard
}

/// When the stream runs.
public enum StreamTrigger: Sendable, Hashable {
    /// Process what has arrived, then stop (a scheduled job).
    case availableNow
    /// Run continuously, a micro-batch every interval (`"30 seconds"`).
    case processingTime(String)
}

/// The objects' file format.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Gzip NDJSON objects (`*.ndjson.gz`), what `ddbcdc run` and the Lambda write.
    case json
    /// Parquet objects (`*.parquet`).
    case parquet

    /// The object names the stream reads (`ddbcdc run` writes `*.ndjson.gz`; its `_errors/`
    /// objects end in `.ndjson` and are left out).
    var fileGlob: String {
        switch self {
        case .json: return "*.ndjson.gz"
        case .parquet: return "*.parquet"
        }
    }
}

/// What a micro-batch does with a value that does not fit its column's declared type (a number
/// with more decimal places or digits than the DECIMAL has, a string where a number was).
public enum MisfitAction: String, Sendable, CaseIterable {
    /// The row goes to the quarantine table (raw row, column, reason) and is counted; the rest of
    /// the batch is merged.
    case quarantine
    /// As `quarantine`, then the batch fails before its MERGE: the job stops until the column's
    /// type is changed.
    case fail
}

/// A privilege granted on the target table and its view.
public struct Grant: Sendable, Hashable {
    /// What a grant allows, in Unity Catalog's words.
    public enum Privilege: String, Sendable, CaseIterable {
        /// Read the table and its view.
        case select = "SELECT"
        /// Change the table's rows.
        case modify = "MODIFY"
    }
    /// What is granted.
    public var privilege: Privilege
    /// A user, group or service principal, unquoted.
    public var principal: String

    /// Creates a grant.
    public init(_ privilege: Privilege, to principal: String) {
        self.privilege = privilege
        self.principal = principal
    }
}

/// Everything the generated artifacts depend on.
public struct PlanConfig: Sendable {
    /// Where the objects land: `s3://bucket/prefix` (the folder holding `dt=…/HH=…/`).
    public var sourcePath: String
    /// The stream's checkpoint. Defaults outside the landing prefix, so the stream never lists it.
    public var checkpointLocation: String
    /// Auto Loader's schema location.
    public var schemaLocation: String
    /// The target Delta table.
    public var target: TableName
    /// The item's key columns (partition key, then sort key).
    public var keys: [String]
    /// The metadata columns' prefix (`--metadata-prefix`, as the row writer was given), or nil
    /// for the seed's names. Setting it renames the order, tombstone and change-time columns.
    public var metadataPrefix: String? {
        didSet {
            let columns = SchemaInferrer.metadataColumns(prefix: metadataPrefix)
            (orderColumn, deletedColumn, changeTimeColumn) = (columns[2].name, columns[5].name, columns[3].name)
        }
    }
    /// The order column: the highest value is the newest change of a key.
    public var orderColumn = "_seq"
    /// The tombstone flag.
    public var deletedColumn = "is_deleted"
    /// The change-time column (epoch ms), used for tombstone retention.
    public var changeTimeColumn = "_approxStreamTs"
    /// Soft (default) or hard deletes.
    public var deleteMode = DeleteMode.soft
    /// Days a soft-deleted row is kept; a change arriving later than this may resurrect it.
    public var tombstoneRetentionDays = 30
    /// When the stream runs.
    public var trigger = StreamTrigger.availableNow
    /// The objects' format.
    public var inputFormat = InputFormat.json
    /// The observed schema (`ddbcdc schema`), if any: schema hints and table columns.
    public var schema: SparkSchema?
    /// The view of current (not deleted) rows; soft mode only.
    public var currentView: TableName
    /// Where rows whose values do not fit their columns go, with the column and the reason.
    public var quarantineTable: TableName
    /// Whether a batch with a misfit fails (after quarantining it) or goes on without the row.
    public var onMisfit = MisfitAction.quarantine
    /// The DLT/Lakeflow variant's SCD type (1 or 2).
    public var scdType = 1
    /// The DLT/Lakeflow variant's target table.
    public var pipelineTarget: TableName
    /// Grants added to the setup SQL.
    public var grants: [Grant] = []
    /// The idempotent-write application id (`txnAppId`): one per stream, stable across runs.
    public var appId: String
    /// The job's and bundle's name.
    public var jobName: String
    /// The job's schedule (Quartz cron) for an `availableNow` trigger.
    public var schedule = "0 0/15 * * * ?"
    /// The schedule's time zone.
    public var timezone = "UTC"
    /// An existing cluster for the job; serverless when nil.
    public var clusterId: String?
    /// Where the notebook lives in the workspace (the job's `notebook_path`).
    public var notebookPath: String
    /// Most files one micro-batch takes (Auto Loader's `cloudFiles.maxFilesPerTrigger`).
    public var maxFilesPerTrigger = 1000
    /// Email addresses told when a run of the job fails (the job's `email_notifications.on_failure`,
    /// and the DLT pipeline's failure alerts in the bundle).
    public var notifyEmails: [String] = []
    /// Notification destination ids told when a run of the job fails (the job's
    /// `webhook_notifications.on_failure`): Slack, Teams, PagerDuty or webhook destinations a
    /// workspace admin created; at most ``maxWebhookDestinations``.
    public var notifyWebhookIDs: [String] = []

    /// The most system destinations a job may name for one event (Databricks' limit).
    public static let maxWebhookDestinations = 3

    /// A configuration with the defaults for everything else.
    /// - Throws: `SparkPlanError` for empty or unusable keys, paths or names.
    public init(sourcePath: String, target: TableName, keys: [String]) throws(SparkPlanError) {
        self.sourcePath = sourcePath
        self.target = target
        self.keys = keys
        let state = Self.stateRoot(for: sourcePath, table: target.table)
        checkpointLocation = state + "/checkpoint"
        schemaLocation = state + "/schema"
        currentView = try target.sibling(target.table + "_current")
        quarantineTable = try target.sibling(target.table + "_quarantine")
        pipelineTarget = try target.sibling(target.table + "_dlt")
        appId = "ddbcdc:" + target.parts.joined(separator: ".")
        jobName = "ddbcdc " + target.parts.joined(separator: ".")
        notebookPath = "/Workspace/Shared/ddbcdc/" + target.table
        try validate()
    }

    /// `s3://bucket/a/b` → `s3://bucket/_ddbcdc/a/b/<table>`: beside the landing prefix, not in it.
    static func stateRoot(for source: String, table: String) -> String {
        var trimmed = Substring(source)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if let scheme = trimmed.firstRange(of: "://") {
            let rest = trimmed[scheme.upperBound...]
            let bucketEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            let bucket = trimmed[..<bucketEnd]
            let path = rest[bucketEnd...]
            return bucket + "/_ddbcdc" + path + "/" + table
        }
        return trimmed + "_ddbcdc/" + table
    }

    /// Checks the configuration as a whole.
    public func validate() throws(SparkPlanError) {
        guard !sourcePath.isEmpty else { throw SparkPlanError(.invalidConfig, "the source path is empty") }
        guard !keys.isEmpty else { throw SparkPlanError(.invalidConfig, "no key columns: give the table's partition key (and sort key)") }
        guard Set(keys.map(ExactName.init)).count == keys.count else { throw SparkPlanError(.invalidConfig, "a key column is named twice") }
        for name in keys + [orderColumn, deletedColumn, changeTimeColumn] {
            guard !name.isEmpty else { throw SparkPlanError(.invalidName, "a column name is empty") }
        }
        let metadata = [orderColumn, deletedColumn, changeTimeColumn]
        for key in keys where metadata.contains(where: { $0.utf8.elementsEqual(key.utf8) }) {
            throw SparkPlanError(.invalidConfig, "the key column '\(Quote.commentText(key))' is a metadata column")
        }
        for (what, path) in [("checkpoint", checkpointLocation), ("schema location", schemaLocation)] {
            guard !path.isEmpty else { throw SparkPlanError(.invalidConfig, "the \(what) is empty") }
            if path == sourcePath || path.hasPrefix(sourcePath.hasSuffix("/") ? sourcePath : sourcePath + "/") {
                throw SparkPlanError(.invalidConfig, "the \(what) must not be inside the source path, or the stream would read it")
            }
        }
        guard scdType == 1 || scdType == 2 else { throw SparkPlanError(.invalidConfig, "the SCD type is 1 or 2, not \(scdType)") }
        guard tombstoneRetentionDays >= 1 else { throw SparkPlanError(.invalidConfig, "tombstone retention is at least 1 day") }
        guard maxFilesPerTrigger >= 1 else { throw SparkPlanError(.invalidConfig, "max files per trigger is at least 1") }
        if case .processingTime(let interval) = trigger, interval.isEmpty {
            throw SparkPlanError(.invalidConfig, "the processing-time interval is empty")
        }
        if let schema {
            for key in keys where schema[key] == nil {
                throw SparkPlanError(.invalidConfig, "the key column '\(Quote.commentText(key))' is not in the schema")
            }
        }
        try validateNotifications()
    }

    /// Each address looks like one (name@domain, no spaces), each destination id is a UUID (what
    /// Databricks gives a notification destination; a webhook's URL is refused here, not by the
    /// Jobs API at deploy time), none is named twice, and at most three destinations.
    func validateNotifications() throws(SparkPlanError) {
        for address in notifyEmails where !Self.isEmailAddress(address) {
            throw SparkPlanError(.invalidConfig, "the notification address '\(Quote.commentText(address))' is not an email address (name@domain)")
        }
        for id in notifyWebhookIDs where !Self.isUUID(id) {
            throw SparkPlanError(
                .invalidConfig,
                "the notification destination '\(Quote.commentText(id))' is not a destination id (a UUID such as "
                    + "0481e838-0a59-4eff-9541-a4ca6f149574: create the destination in the workspace's settings, "
                    + "Notifications, and give its id, not its URL)")
        }
        for (what, values) in [("notification address", notifyEmails.map { $0.lowercased() }), ("notification destination", notifyWebhookIDs.map { $0.lowercased() })] {
            var seen = Set<String>()
            for value in values where !seen.insert(value).inserted {
                throw SparkPlanError(.invalidConfig, "the \(what) '\(Quote.commentText(value))' is named twice")
            }
        }
        guard notifyWebhookIDs.count <= Self.maxWebhookDestinations else {
            throw SparkPlanError(
                .invalidConfig,
                "\(notifyWebhookIDs.count) notification destinations: a job takes at most \(Self.maxWebhookDestinations) for one event")
        }
    }

    /// Whether `text` looks like an address a mail system takes (the job's notifications, `emit-infra
    /// --alarm-email`'s SNS subscription): one `@` after a non-empty name, a dotted domain, at most 254
    /// characters, no whitespace, control characters or `<>,;"` (which would make it a list or a display name).
    package static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let plain = !text.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F || "<>,;\"".unicodeScalars.contains($0)
        }
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && text.count <= 254 && plain
    }

    /// 8-4-4-4-12 hexadecimal digits.
    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }
}
