public import ArgumentParser
import Infrastructure
import ProcessKit
public import SparkPlan

extension DeleteMode: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
extension MisfitAction: ExpressibleByArgument {}

/// `ddbcdc emit-notebook`: the Databricks side, generated.
struct EmitNotebook: AsyncParsableCommand {
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
            (--key-schema, `aws dynamodb describe-table` output). \
            For a table with items from before its stream, the order is: enable the stream and deploy the \
            event source mapping, then export the table (point-in-time export), then backfill the export \
            (`ddbcdc backfill`, or the state machine of `ddbcdc emit-infra --backfill`) into the same source \
            prefix: the same stream and MERGE take the export's rows and the stream's (one table, one _seq).
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

    @Option(help: "The objects' format: json (.ndjson.gz, default) or parquet (.parquet, packed or typed: told apart by their columns).")
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

    @Option(help: ArgumentHelp("Email this address when a run of the job fails, and when the DLT pipeline fails (repeatable).", valueName: "address"))
    var notifyEmail: [String] = []

    @Option(
        help: ArgumentHelp(
            "Tell this notification destination (Slack, Teams, PagerDuty, webhook: its id, a UUID, from the workspace's settings) when a run of the job fails (repeatable, at most 3).",
            valueName: "id"))
    var notifyWebhookId: [String] = []

    func validate() throws {
        if schema != nil && inferFrom != nil { throw ValidationError("give --schema or --infer-from, not both") }
        if keys != nil && keySchema != nil { throw ValidationError("give --keys or --key-schema, not both") }
    }

    func run() async throws {
        let plan: SparkPlan
        do {
            plan = try SparkPlan(settings.planConfig())
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

    /// The options as settings (the --config file is read by ``NotebookSettings/planConfig()``).
    var settings: NotebookSettings {
        var settings = NotebookSettings()
        settings.config = config
        settings.source = source
        settings.table = table
        settings.keys = keys
        settings.keySchema = keySchema
        settings.checkpoint = checkpoint
        settings.schemaLocation = schemaLocation
        settings.schema = schema
        settings.inferFrom = inferFrom
        settings.numbers = numbers
        settings.deleteMode = deleteMode
        settings.tombstoneRetentionDays = tombstoneRetentionDays
        settings.processingTime = processingTime
        settings.format = format
        settings.scdType = scdType
        settings.metadataPrefix = metadataPrefix
        settings.view = view
        settings.quarantineTable = quarantineTable
        settings.onMisfit = onMisfit
        settings.grantSelect = grantSelect
        settings.appId = appId
        settings.jobName = jobName
        settings.schedule = schedule
        settings.clusterId = clusterId
        settings.notebookPath = notebookPath
        settings.notifyEmail = notifyEmail
        settings.notifyWebhookId = notifyWebhookId
        return settings
    }
}
