package import SparkPlan
import StreamNormalize

/// What `emit-notebook` is told: every setting optional, as the options and a `--config` file
/// give them; ``planConfig()`` checks them and fills in the rest.
package struct NotebookSettings: Sendable {
    /// A JSON file of settings (the options' names, with underscores); a setting given here wins.
    package var config: String?
    package var source: String?
    package var table: String?
    /// Comma-separated key columns.
    package var keys: String?
    /// A DynamoDB DescribeTable response.
    package var keySchema: String?
    package var checkpoint: String?
    package var schemaLocation: String?
    /// Spark StructType JSON.
    package var schema: String?
    /// Rows or objects to infer the schema from.
    package var inferFrom: String?
    package var numbers: SchemaInferrer.NumberMode?
    package var deleteMode: DeleteMode?
    package var tombstoneRetentionDays: Int?
    package var processingTime: String?
    package var format: InputFormat?
    package var scdType: Int?
    package var metadataPrefix: String?
    package var view: String?
    package var quarantineTable: String?
    package var onMisfit: MisfitAction?
    package var grantSelect: [String] = []
    package var appId: String?
    package var jobName: String?
    package var schedule: String?
    package var clusterId: String?
    package var notebookPath: String?
    /// Email addresses told when a run of the job fails.
    package var notifyEmail: [String] = []
    /// Notification destination ids told when a run of the job fails.
    package var notifyWebhookId: [String] = []

    /// Nothing set.
    package init() {}

    /// The configuration: the --config file's settings, then these over them; files named are read
    /// (a key schema, a schema, rows to infer one from).
    /// - Throws: `SparkPlanError` naming the setting or file at fault; `IOError`.
    package func planConfig() throws -> PlanConfig {
        var file = ConfigFile(values: [])
        if let config { file = try ConfigFile(path: config) }
        guard let sourcePath = source ?? file.string("source") else { throw SparkPlanError(.invalidConfig, "no --source (where the objects land)") }
        guard let tableText = table ?? file.string("table") else { throw SparkPlanError(.invalidConfig, "no --table catalog.schema.table") }
        let target = try TableName(parsing: tableText)

        var keyTypes: [String: SparkType] = [:]
        var keyNames: [String]
        if let keySchema = keySchema ?? file.string("key_schema") {
            let described = try KeySchema(describeTable: try JSONValue.parse(RowFiles.readFile(keySchema)))
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
            config.schema = try SparkSchema(json: try JSONValue.parse(RowFiles.readFile(path)))
        } else if let path = inferFrom ?? file.string("infer_from") {
            config.schema = try RowFiles.inferSchema(from: path, numbers: numberMode, metadataPrefix: prefix).schema
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
        config.notifyEmails = notifyEmail.isEmpty ? try file.strictStrings("notify_email") ?? [] : notifyEmail
        config.notifyWebhookIDs = notifyWebhookId.isEmpty ? try file.strictStrings("notify_webhook_id") ?? [] : notifyWebhookId
        try file.checkAllUsed()
        try config.validate()
        return config
    }
}
