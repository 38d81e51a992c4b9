public import ArgumentParser
import Pipeline
import StreamNormalize
public import SparkPlan

#if canImport(Glibc)
import Glibc
#endif

extension DeleteMode: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
extension MisfitAction: ExpressibleByArgument {}

/// `ddbcdc emit-notebook`: the Databricks side, generated.
struct EmitNotebook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit-notebook",
        abstract: "Generate the Databricks notebook, setup SQL, DLT pipeline, job and bundle that merge ddbcdc's objects.",
        discussion: """
            Writes into --out: notebook.py (Auto Loader + foreachBatch: per-key dedupe by _seq, one MERGE \
            guarded by _seq, idempotent writes), setup.sql (schema, table with Change Data Feed, the \
            current-rows view, tombstone clean-up, grants), dlt_pipeline.py (AUTO CDC / APPLY CHANGES), \
            job.json (Jobs API 2.1), databricks.yml (Asset Bundle) and merge_plan.json (the MERGE as data). \
            Settings come from options, a JSON --config file (the options' names with underscores: \
            {"source": "s3://…", "table": "c.s.t", "keys": ["pk","sk"], "delete_mode": "hard", …}) or \
            both; an option given wins. Keys come from --keys or from a DynamoDB DescribeTable response \
            (--key-schema, `aws dynamodb describe-table` output).
            """
    )

    @Option(help: ArgumentHelp("A JSON file of settings (the options' names, with underscores).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Where the objects land: s3://bucket/prefix.", valueName: "url"))
    var source: String?

    @Option(help: ArgumentHelp("The target table: catalog.schema.table (a part with a dot in backticks).", valueName: "name"))
    var table: String?

    @Option(help: ArgumentHelp("Key columns, comma-separated: partition key, then sort key.", valueName: "names"))
    var keys: String?

    @Option(help: ArgumentHelp("A DynamoDB DescribeTable response: keys (and their types) from its KeySchema.", valueName: "file"))
    var keySchema: String?

    @Option(help: ArgumentHelp("The directory to write into (created if missing).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("The stream's checkpoint (default: beside the source, under _ddbcdc/).", valueName: "url"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Auto Loader's schema location (default: beside the source, under _ddbcdc/).", valueName: "url"))
    var schemaLocation: String?

    @Option(help: ArgumentHelp("The observed schema: Spark StructType JSON, as `ddbcdc schema --format json` writes.", valueName: "file"))
    var schema: String?

    @Option(help: ArgumentHelp("Infer the schema from these rows or objects (as `ddbcdc schema --input`).", valueName: "path"))
    var inferFrom: String?

    @Option(help: "How inferred numbers are typed: decimal or string.")
    var numbers: SchemaInferrer.NumberMode?

    @Option(help: "soft (default: tombstones kept, a view without them) or hard (rows deleted; a late older upsert re-inserts).")
    var deleteMode: DeleteMode?

    @Option(help: "Days soft-deleted rows are kept before clean-up (default 30).")
    var tombstoneRetentionDays: Int?

    @Option(help: ArgumentHelp("Run continuously, a micro-batch every INTERVAL (\"30 seconds\"); default: availableNow on a schedule.", valueName: "interval"))
    var processingTime: String?

    @Option(help: "The objects' format: json (.ndjson.gz, default) or parquet.")
    var format: InputFormat?

    @Option(help: "The DLT variant's SCD type: 1 (default) or 2.")
    var scdType: Int?

    @Option(help: ArgumentHelp("The metadata columns' prefix the rows were written with (--metadata-prefix of transform/run, DDBCDC_METADATA_PREFIX of the Lambda); default: the seed's names.", valueName: "prefix"))
    var metadataPrefix: String?

    @Option(help: ArgumentHelp("The current-rows view (default: <table>_current).", valueName: "name"))
    var view: String?

    @Option(help: ArgumentHelp("Where rows whose values do not fit their columns go (default: <table>_quarantine).", valueName: "name"))
    var quarantineTable: String?

    @Option(help: "A value that does not fit its column (more decimal places or digits, another type): quarantine (default: the row is kept in the quarantine table and counted, the rest merged) or fail (quarantine, then fail the batch).")
    var onMisfit: MisfitAction?

    @Option(help: ArgumentHelp("Grant SELECT on the table and view to a principal (repeatable).", valueName: "principal"))
    var grantSelect: [String] = []

    @Option(help: ArgumentHelp("The idempotent-write application id, txnAppId (default: ddbcdc:<table>).", valueName: "id"))
    var appId: String?

    @Option(help: ArgumentHelp("The job's name.", valueName: "name"))
    var jobName: String?

    @Option(help: ArgumentHelp("The job's Quartz cron schedule (default every 15 minutes).", valueName: "cron"))
    var schedule: String?

    @Option(help: ArgumentHelp("An existing cluster for the job (default: serverless).", valueName: "id"))
    var clusterId: String?

    @Option(help: ArgumentHelp("The notebook's workspace path in job.json.", valueName: "path"))
    var notebookPath: String?

    func validate() throws {
        if schema != nil && inferFrom != nil { throw ValidationError("give --schema or --infer-from, not both") }
        if keys != nil && keySchema != nil { throw ValidationError("give --keys or --key-schema, not both") }
    }

    func run() throws {
        let plan: SparkPlan
        do {
            plan = try SparkPlan(makeConfig())
        } catch let error as SparkPlanError {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(64)  // EX_USAGE
        }
        do {
            try makeDirectories(out)
            for artifact in plan.artifacts {
                var sink = try FileSink(creating: out + "/" + artifact.name)
                try sink.write(artifact.contents)
                try sink.close()
            }
        } catch {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(73)  // EX_CANTCREAT
        }
        printError("ddbcdc: wrote \(plan.artifacts.map(\.name).joined(separator: ", ")) to \(out)")
    }

    /// The configuration: the --config file's settings, then the options over them.
    func makeConfig() throws -> PlanConfig {
        var file = ConfigFile(values: [])
        if let config { file = try ConfigFile(path: config) }
        guard let sourcePath = source ?? file.string("source") else { throw SparkPlanError(.invalidConfig, "no --source (where the objects land)") }
        guard let tableText = table ?? file.string("table") else { throw SparkPlanError(.invalidConfig, "no --table catalog.schema.table") }
        let target = try TableName(parsing: tableText)

        var keyTypes: [String: SparkType] = [:]
        var keyNames: [String]
        if let keySchema = keySchema ?? file.string("key_schema") {
            let described = try KeySchema(describeTable: try JSONValue.parse(readFile(keySchema)))
            keyNames = described.names
            keyTypes = described.types
        } else if let keys {
            keyNames = keys.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        } else if let listed = file.strings("keys") {
            keyNames = listed
        } else {
            throw SparkPlanError(.invalidConfig, "no --keys (or --key-schema): the item's key columns")
        }

        var config = try PlanConfig(sourcePath: sourcePath, target: target, keys: keyNames)
        let prefix = metadataPrefix ?? file.string("metadata_prefix")
        if let prefix {
            // The row writer's rule, checked the same way.
            if let problem = MetadataNames.problem(withPrefix: prefix) { throw SparkPlanError(.invalidConfig, problem) }
            config.metadataPrefix = prefix
        }
        if let value = checkpoint ?? file.string("checkpoint") { config.checkpointLocation = value }
        if let value = schemaLocation ?? file.string("schema_location") { config.schemaLocation = value }
        let numberMode = try numbers ?? file.string("numbers").map { text in
            guard let mode = SchemaInferrer.NumberMode(rawValue: text) else { throw SparkPlanError(.invalidConfig, "numbers is decimal or string, not '\(text)'") }
            return mode
        } ?? .decimal
        if let path = schema ?? file.string("schema") {
            config.schema = try SparkSchema(json: try JSONValue.parse(readFile(path)))
        } else if let path = inferFrom ?? file.string("infer_from") {
            config.schema = try Schema.infer(from: path, numbers: numberMode, metadataPrefix: prefix).schema
        }
        if !keyTypes.isEmpty {
            // The table's key types fill in keys the observed schema lacks.
            var fields = config.schema?.fields ?? []
            for name in keyNames where !fields.contains(where: { $0.name == name }) {
                fields.insert(StructField(name, keyTypes[name] ?? .string), at: 0)
            }
            if config.schema != nil { config.schema = SparkSchema(fields) }
        }
        if let text = deleteMode?.rawValue ?? file.string("delete_mode") {
            guard let mode = DeleteMode(rawValue: text) else { throw SparkPlanError(.invalidConfig, "delete_mode is soft or hard, not '\(text)'") }
            config.deleteMode = mode
        }
        if let days = try tombstoneRetentionDays ?? file.int("tombstone_retention_days") { config.tombstoneRetentionDays = days }
        if let interval = processingTime ?? file.string("processing_time") { config.trigger = .processingTime(interval) }
        if let text = format?.rawValue ?? file.string("format") {
            guard let value = InputFormat(rawValue: text) else { throw SparkPlanError(.invalidConfig, "format is json or parquet, not '\(text)'") }
            config.inputFormat = value
        }
        if let value = try scdType ?? file.int("scd_type") { config.scdType = value }
        if let value = view ?? file.string("view") {
            config.currentView = value.contains(".") || value.hasPrefix("`") ? try TableName(parsing: value) : try target.sibling(value)
        }
        if let value = quarantineTable ?? file.string("quarantine_table") {
            config.quarantineTable = value.contains(".") || value.hasPrefix("`") ? try TableName(parsing: value) : try target.sibling(value)
        }
        if let text = onMisfit?.rawValue ?? file.string("on_misfit") {
            guard let action = MisfitAction(rawValue: text) else { throw SparkPlanError(.invalidConfig, "on_misfit is quarantine or fail, not '\(text)'") }
            config.onMisfit = action
        }
        let principals = grantSelect.isEmpty ? file.strings("grant_select") ?? [] : grantSelect
        config.grants = principals.map { Grant(.select, to: $0) }
        if let value = appId ?? file.string("app_id") { config.appId = value }
        if let value = jobName ?? file.string("job_name") { config.jobName = value }
        if let value = schedule ?? file.string("schedule") { config.schedule = value }
        if let value = clusterId ?? file.string("cluster_id") { config.clusterId = value }
        if let value = notebookPath ?? file.string("notebook_path") { config.notebookPath = value }
        try file.checkAllUsed()
        try config.validate()
        return config
    }
}

/// The keys of a DynamoDB table, from its DescribeTable response.
struct KeySchema {
    var names: [String]
    var types: [String: SparkType]

    init(describeTable json: JSONValue) throws {
        let table = json["Table"] ?? json
        guard case .array(let elements)? = table["KeySchema"] else {
            throw SparkPlanError(.invalidConfig, "the key schema file has no Table.KeySchema (use `aws dynamodb describe-table` output)")
        }
        var hash: String?, range: String?
        for element in elements {
            guard let name = element["AttributeName"]?.stringValue else { continue }
            switch element["KeyType"]?.stringValue {
            case "HASH": hash = name
            case "RANGE": range = name
            default: break
            }
        }
        guard let hash else { throw SparkPlanError(.invalidConfig, "the key schema has no HASH key") }
        names = [hash] + (range.map { [$0] } ?? [])
        types = [:]
        if case .array(let definitions)? = table["AttributeDefinitions"] {
            for definition in definitions {
                guard let name = definition["AttributeName"]?.stringValue, names.contains(name) else { continue }
                // S and B (base64) are text; N as its exact text too, unless an observed schema says more.
                types[name] = .string
            }
        }
    }
}

/// The settings of a --config file; every setting must be used, so a misspelt one is an error.
struct ConfigFile {
    var values: [(String, JSONValue)]
    private var used: Set<String> = []

    init(values: [(String, JSONValue)]) { self.values = values }

    init(path: String) throws {
        guard case .object(let members) = try JSONValue.parse(readFile(path)) else {
            throw SparkPlanError(.invalidConfig, "\(path): a config file is a JSON object")
        }
        values = members
    }

    private func value(_ name: String) -> JSONValue? { values.last(where: { $0.0 == name })?.1 }

    func string(_ name: String) -> String? { value(name)?.stringValue }

    func strings(_ name: String) -> [String]? {
        switch value(name) {
        case .array(let items)?: return items.compactMap(\.stringValue)
        case .string(let text)?: return text.split(separator: ",").map { String($0).trimmingSpaces() }
        default: return nil
        }
    }

    func int(_ name: String) throws -> Int? {
        guard let value = value(name) else { return nil }
        guard case .number(let text) = value, let number = Int(text) else {
            throw SparkPlanError(.invalidConfig, "\(name) is a whole number, not \(value.jsonText)")
        }
        return number
    }

    static let known: Set<String> = [
        "source", "table", "keys", "key_schema", "checkpoint", "schema_location", "schema", "infer_from", "numbers",
        "delete_mode", "tombstone_retention_days", "processing_time", "format", "scd_type", "view", "grant_select", "app_id",
        "quarantine_table", "on_misfit", "metadata_prefix",
        "job_name", "schedule", "cluster_id", "notebook_path",
    ]

    func checkAllUsed() throws {
        for (name, _) in values where !Self.known.contains(name) {
            throw SparkPlanError(.invalidConfig, "unknown setting '\(name)' in the config file")
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// The whole content of a file.
func readFile(_ path: String) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try Schema.forEachLine(of: path) { line in
        bytes.append(contentsOf: line)
        bytes.append(0x0A)
    }
    return bytes
}

/// `mkdir -p`.
func makeDirectories(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
        prefix += part + "/"
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw IOError("cannot create", path: prefix) }
    }
}
