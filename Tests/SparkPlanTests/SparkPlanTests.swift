import Foundation
import Testing

@testable import SparkPlan

@Suite struct SparkPlanTests {
    static let rows = [
        #"{"pk":"DEV#1","sk":"S#1","name":"Zoë","temp_c":21.50,"cfg":{"net":{"ssid":"x"},"dims":[1.5,2]},"tags":["a","b"],"_eventName":"INSERT","_eventId":"e1","_seq":"1767225600000-0000000000000000000000000000000000000001","_approxStreamTs":1767225600000,"is_deleted":false,"_ttlDelete":false}"#,
        #"{"pk":"DEV#1","sk":"S#1","_eventName":"REMOVE","_eventId":"e2","_seq":"1767225600001-0000000000000000000000000000000000000002","_approxStreamTs":1767225600001,"is_deleted":true,"_ttlDelete":true}"#,
    ]

    static func config(_ mode: DeleteMode) throws -> PlanConfig {
        var inferrer = SchemaInferrer()
        for row in rows { try inferrer.observe(line: Array(row.utf8)) }
        var config = try PlanConfig(sourcePath: "s3://landing/ddb/fleet", target: TableName(parsing: "main.cdc.fleet_devices"), keys: ["pk", "sk"])
        config.schema = inferrer.schema
        config.deleteMode = mode
        config.grants = [Grant(.select, to: "data readers")]
        if mode == .hard {
            config.trigger = .processingTime("30 seconds")
            config.scdType = 2
            config.clusterId = "0101-000000-abcdefgh"
        }
        return config
    }

    static var expectedDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Expected")
    }

    /// Generated artifacts equal the checked-in ones. Set DDBCDC_UPDATE_EXPECTED=1 to rewrite them
    /// after an intended change (and read the diff). The Python tests in Tests/spark run them.
    @Test(arguments: [DeleteMode.soft, .hard])
    func artifactsMatchExpectedFiles(mode: DeleteMode) throws {
        try Self.compareWithExpected(SparkPlan(Self.config(mode)), directory: mode.rawValue)
    }

    /// The artifacts for Parquet objects (`--format parquet`), soft mode, in `Expected/parquet`.
    @Test func parquetArtifactsMatchExpectedFiles() throws {
        var config = try Self.config(.soft)
        config.inputFormat = .parquet
        try Self.compareWithExpected(SparkPlan(config), directory: "parquet")
    }

    static func compareWithExpected(_ plan: SparkPlan, directory: String) throws {
        let bundled = try #require(Bundle.module.url(forResource: "Expected", withExtension: nil))
        for artifact in plan.artifacts {
            let name = "\(directory)/\(artifact.name)"
            if ProcessInfo.processInfo.environment["DDBCDC_UPDATE_EXPECTED"] == "1" {
                let url = Self.expectedDirectory.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try artifact.contents.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: bundled.appendingPathComponent(name), encoding: .utf8)
            #expect(artifact.contents == expected, "\(name) differs from Tests/SparkPlanTests/Expected/\(name)")
        }
    }

    @Test func softMergeKeepsTombstonesAndGuardsBySeq() throws {
        let plan = try SparkPlan(Self.config(.soft))
        #expect(
            plan.mergeSQL == """
                MERGE WITH SCHEMA EVOLUTION INTO `main`.`cdc`.`fleet_devices` AS t
                USING `ddbcdc_changes` AS s
                ON t.`pk` = s.`pk` AND t.`sk` = s.`sk`
                WHEN MATCHED AND s.`_seq` > t.`_seq` THEN UPDATE SET *
                WHEN NOT MATCHED THEN INSERT *
                """)
        #expect(plan.setupStatements.count == 4)
        #expect(plan.setupSQL.contains("CREATE OR REPLACE VIEW `main`.`cdc`.`fleet_devices_current`"))
        #expect(plan.setupSQL.contains("'delta.enableChangeDataFeed' = 'true'"))
        #expect(plan.cleanupSQL.contains("- 2592000000"))
    }

    @Test func numbersAreReadAsTextAndTypedOnlyInTheTable() throws {
        let plan = try SparkPlan(Self.config(.soft))
        // Spark's JSON reader rounds into a DECIMAL without a word: columns holding numbers are read as
        // text (nested ones too), and the table keeps the declared types.
        #expect(plan.schemaHints.contains("`temp_c` STRING"))
        #expect(plan.schemaHints.contains("`cfg` STRING"))
        #expect(!plan.schemaHints.contains("DECIMAL"))
        #expect(plan.setupSQL.contains("`temp_c` DECIMAL(38,6)"))
        #expect(plan.tableSchemaJSON.contains(#""decimal(38,6)""#))
        #expect(plan.setupSQL.contains("CREATE TABLE IF NOT EXISTS `main`.`cdc`.`fleet_devices_quarantine`"))
        #expect(plan.notebook.contains(#""cloudFiles.inferColumnTypes", "false""#))
    }

    @Test func parquetObjectsAreReadWithTheirOwnTypesInEitherLayout() throws {
        var config = try Self.config(.soft)
        config.inputFormat = .parquet
        let plan = try SparkPlan(config)
        for text in [plan.notebook, plan.dltPipeline] {
            #expect(text.contains(#"FILE_GLOB = "*.parquet""#))
            #expect(text.contains(#""file_format": "parquet""#))
            // Parquet carries its types: a STRING hint on a DECIMAL column would rescue all its values.
            #expect(!text.contains(#".option("cloudFiles.schemaHints""#) && !text.contains(#".option("cloudFiles.inferColumnTypes""#))
            // Auto Loader's own rescued data apart from the _rescued_data column typed objects carry.
            #expect(text.contains(#".option("rescuedDataColumn", READER_RESCUED_COLUMN)"#))
            #expect(text.contains(#"READER_RESCUED_COLUMN = "_ddbcdc_reader_rescued""#))
            #expect(text.contains("def expand_packed(") && text.contains("def checked_layout("))
        }
        #expect(plan.notebook.contains("checked_layout(batch_df, schema, new_members=True)"))
        #expect(plan.dltPipeline.contains("return checked_layout(spark.readStream.table(RAW_VIEW), TABLE_SCHEMA)"))
        // The packed item's members: numbers as their exact text, no metadata column among them.
        guard case .array(let fields) = try JSONValue.parse(Array(plan.itemSchemaJSON.utf8))["fields"] else {
            Issue.record("no fields in \(plan.itemSchemaJSON)")
            return
        }
        let types = Dictionary(uniqueKeysWithValues: fields.compactMap { field in
            field["name"]?.stringValue.map { ($0, field["type"]?.jsonText ?? "") }
        })
        #expect(types["temp_c"] == #""string""# && types["cfg"] == #""string""# && types["pk"] == #""string""#)
        #expect(types["_seq"] == nil && types["is_deleted"] == nil && types["_rescued_data"] == nil)
        // The NDJSON notebook has none of it.
        let json = try SparkPlan(Self.config(.soft))
        #expect(!json.notebook.contains("ITEM_COLUMN") && json.notebook.contains("cloudFiles.schemaHints"))
    }

    @Test func mergePlanJSONNamesEveryColumn() throws {
        let plan = try SparkPlan(Self.config(.hard))
        let json = try JSONValue.parse(Array(plan.mergePlanJSON.utf8))
        let ansi = try #require(json["merge_sql"]?["ansi"]?.stringValue)
        let spark = try #require(json["merge_sql"]?["spark"]?.stringValue)
        #expect(!ansi.contains("*") && !spark.contains("*"))
        #expect(ansi.contains(#"WHEN MATCHED AND s."_seq" > t."_seq" THEN UPDATE SET "pk" = s."pk", "sk" = s."sk", "name" = s."name""#))
        #expect(ansi.contains(#"WHEN NOT MATCHED AND NOT s."is_deleted" THEN INSERT ("pk", "sk", "name""#))
        #expect(json["columns"]?.jsonText.hasPrefix(#"["pk","sk","name""#) == true)
        // The notebook's own MERGE matches by name (Spark/Delta) and evolves the schema.
        #expect(plan.mergeSQL.contains("UPDATE SET *"))
    }

    @Test func metadataPrefixRenamesTheColumnsAsASet() throws {
        var config = try PlanConfig(sourcePath: "s3://landing/ddb/fleet", target: TableName(parsing: "main.cdc.fleet_devices"), keys: ["pk"])
        var inferrer = SchemaInferrer(metadataPrefix: "_cdc_")
        try inferrer.observe(
            line: Array(#"{"pk":"a","is_deleted":true,"_seq":"mine","_cdc_seq":"1-1","_cdc_approxStreamTs":1,"_cdc_is_deleted":false}"#.utf8))
        config.schema = inferrer.schema
        config.metadataPrefix = "_cdc_"
        let plan = try SparkPlan(config)
        #expect((config.orderColumn, config.deletedColumn, config.changeTimeColumn) == ("_cdc_seq", "_cdc_is_deleted", "_cdc_approxStreamTs"))
        #expect(inferrer.schema["_cdc_approxStreamTs"]?.type == .bigint)
        #expect(plan.mergeSQL.contains("s.`_cdc_seq` > t.`_cdc_seq`"))
        // The items' own is_deleted and _seq are attributes, kept as data.
        #expect(plan.setupSQL.contains("`is_deleted` BOOLEAN,\n  `_seq` STRING"))
        #expect(plan.setupSQL.contains("`_cdc_is_deleted` BOOLEAN"))
        #expect(plan.notebook.contains("(the highest `_cdc_seq`)") && plan.dltPipeline.contains("tombstones (`_cdc_is_deleted`)"))
    }

    @Test func hardMergeDeletesAndNeverInsertsATombstone() throws {
        let plan = try SparkPlan(Self.config(.hard))
        #expect(
            plan.merge.sql(.ansi, target: #""t""#, source: #""s""#) == """
                MERGE INTO "t" AS t
                USING "s" AS s
                ON t."pk" = s."pk" AND t."sk" = s."sk"
                WHEN MATCHED AND s."_seq" > t."_seq" AND s."is_deleted" THEN DELETE
                WHEN MATCHED AND s."_seq" > t."_seq" THEN UPDATE SET *
                WHEN NOT MATCHED AND NOT s."is_deleted" THEN INSERT *
                """)
        #expect(plan.setupStatements.count == 3)
        #expect(plan.jobJSON.contains("\"continuous\""))
        #expect(!plan.jobJSON.contains("cleanup_tombstones"))
    }

    @Test func hostileNamesAreQuotedEverywhere() throws {
        let target = try TableName(catalog: #"we"ird"#, schema: "s`c; DROP", table: "t'); --\u{202E}")
        var config = try PlanConfig(sourcePath: #"s3://b/p'x"y\z"#, target: target, keys: ["p`k", #"s"k'"#])
        config.grants = [Grant(.select, to: "a`b")]
        let plan = try SparkPlan(config)
        #expect(plan.mergeSQL.contains("INTO `we\"ird`.`s``c; DROP`.`t'); --\u{202E}` AS t"))
        #expect(plan.mergeSQL.contains("ON t.`p``k` = s.`p``k` AND t.`s\"k'` = s.`s\"k'`"))
        #expect(plan.notebook.contains(#""source_path": "s3://b/p'x\"y\\z","#))
        #expect(plan.notebook.contains(#"KEY_COLUMNS = ["p`k", "s\"k'"]"#))
        #expect(plan.notebook.contains(#""target_table": "`we\"ird`.`s``c; DROP`.`t'); --\u202e`","#))
        #expect(plan.grantStatements.first == "GRANT SELECT ON TABLE `we\"ird`.`s``c; DROP`.`t'); --\u{202E}` TO `a``b`")
        // No raw control or bidi character anywhere in the Python or JSON artifacts.
        for text in [plan.notebook, plan.dltPipeline, plan.jobJSON, plan.bundleYAML] {
            #expect(!text.unicodeScalars.contains { $0 == "\u{202E}" })
        }
        let job = try JSONValue.parse(plan.jobJSON)
        #expect(job["tags"]?["target"]?.stringValue == "we\"ird.s`c; DROP.t'); --\u{202E}")
    }

    @Test func configurationIsChecked() throws {
        let target = try TableName(parsing: "a.b.c")
        #expect(throws: SparkPlanError.self) { try PlanConfig(sourcePath: "s3://b/p", target: target, keys: []) }
        #expect(throws: SparkPlanError.self) { try PlanConfig(sourcePath: "s3://b/p", target: target, keys: ["pk", "pk"]) }
        #expect(throws: SparkPlanError.self) { try PlanConfig(sourcePath: "s3://b/p", target: target, keys: ["_seq"]) }
        var config = try PlanConfig(sourcePath: "s3://b/p", target: target, keys: ["pk"])
        #expect(config.checkpointLocation == "s3://b/_ddbcdc/p/c/checkpoint")
        config.checkpointLocation = "s3://b/p/_checkpoint"
        #expect(throws: SparkPlanError.self) { try config.validate() }
    }
}
