/// Generates the Databricks side of ddbcdc from a `PlanConfig`: the Auto Loader notebook, the
/// Unity Catalog setup SQL, the Lakeflow/DLT variant, a Jobs API 2.1 job and an Asset Bundle.
///
/// Every name and path enters the output only through `Quote`, so the artifacts read back the
/// names they were given, whatever characters those hold.
public struct SparkPlan: Sendable {
    /// One generated file.
    public struct Artifact: Sendable, Hashable {
        /// The file name (`notebook.py`).
        public var name: String
        /// The file's text.
        public var contents: String
    }

    /// The configuration the artifacts come from.
    public let config: PlanConfig
    /// The MERGE the notebook runs.
    package private(set) var merge: MergePlan

    /// The rescued-data column Auto Loader fills with what did not fit the schema.
    public static let rescuedColumn = "_rescued_data"
    /// The temporary view a micro-batch is registered as.
    public static let batchView = "ddbcdc_batch"
    /// The temporary view the deduplicated batch is registered as, the MERGE's source.
    public static let changesView = "ddbcdc_changes"

    /// A plan for a configuration.
    /// - Throws: `SparkPlanError` if the configuration does not validate.
    public init(_ config: PlanConfig) throws(SparkPlanError) {
        try config.validate()
        self.config = config
        merge = MergePlan(config)
        if config.schema != nil { merge.columns = tableColumns.map(\.name) }
    }

    /// Every artifact, in a fixed order.
    public var artifacts: [Artifact] {
        [
            Artifact(name: "notebook.py", contents: notebook),
            Artifact(name: "setup.sql", contents: setupSQL),
            Artifact(name: "dlt_pipeline.py", contents: dltPipeline),
            Artifact(name: "job.json", contents: jobJSON),
            Artifact(name: "databricks.yml", contents: bundleYAML),
            Artifact(name: "merge_plan.json", contents: mergePlanJSON),
        ]
    }

    // MARK: Columns

    /// The metadata columns the table carries (`_ingestTs` only when the schema has it).
    var metadataColumns: [StructField] {
        SchemaInferrer.metadataColumns(prefix: config.metadataPrefix).enumerated().filter { index, field in
            index != 4 || config.schema?[field.name] != nil  // the ingest time only when the rows carry it
        }.map(\.element)
    }

    /// The key columns with their types (STRING unless the schema says otherwise).
    var keyColumns: [StructField] {
        config.keys.map { key in StructField(key, config.schema?[key]?.type ?? .string, nullable: false) }
    }

    /// The table's columns: keys, observed attributes, metadata, the rescued-data column.
    var tableColumns: [StructField] {
        let fixed = Set((config.keys + metadataColumns.map(\.name) + [Self.rescuedColumn]).map(ExactName.init))
        let attributes = (config.schema?.fields ?? []).filter { !fixed.contains(ExactName($0.name)) }
        return keyColumns + attributes + metadataColumns + [StructField(Self.rescuedColumn, .string)]
    }

    /// The columns as the stream reads them: a column whose type holds a DECIMAL anywhere is read
    /// as STRING, its exact text (a JSON number's digits as written, a struct or array as its JSON),
    /// because Spark's JSON reader rounds a number to the declared scale without a word. The
    /// micro-batch converts the text to the table's type only where every value fits exactly.
    var sourceColumns: [StructField] {
        tableColumns.map { field in
            field.type.containsDecimal ? StructField(field.name, .string, nullable: field.nullable) : field
        }
    }

    /// Types Auto Loader must not guess: keys, metadata, and every observed column (numbers as
    /// their exact text, converted in the micro-batch; never DOUBLE).
    public var schemaHints: String {
        let columns = sourceColumns.filter { $0.name != Self.rescuedColumn }
        return columns.map { StructField($0.name, $0.type).ddl }.joined(separator: ", ")
    }

    /// The table's declared columns in Spark's JSON form: what a micro-batch converts to before
    /// the table exists (afterwards, the table's own types, which a user may have widened).
    public var tableSchemaJSON: String { SparkSchema(tableColumns.map { StructField($0.name, $0.type) }).json.jsonText }

    /// The quarantine table's columns: one row per value that did not fit its column.
    static let quarantineColumns: [StructField] = [
        StructField("batch_id", .bigint), StructField("quarantined_at", .timestamp), StructField("column", .string),
        StructField("declared_type", .string), StructField("reason", .string), StructField("value", .string),
        StructField("keys", .string), StructField("order_key", .string), StructField("row_json", .string),
    ]

    // MARK: SQL

    /// The statements that create the schema, the table and (soft mode) the current-rows view;
    /// all idempotent.
    public var setupStatements: [String] {
        var statements = ["CREATE SCHEMA IF NOT EXISTS \(config.target.quotedSchema)"]
        let columns = tableColumns.map { "  " + $0.ddl }.joined(separator: ",\n")
        let properties = [
            // Downstream consumers read the changes the MERGE makes.
            ("delta.enableChangeDataFeed", "true"),
            // DynamoDB attribute names may hold spaces, commas, unicode: column mapping allows them.
            ("delta.columnMapping.mode", "name"),
            ("delta.minReaderVersion", "2"),
            ("delta.minWriterVersion", "5"),
        ].map { "  \(Quote.sqlString($0.0)) = \(Quote.sqlString($0.1))" }.joined(separator: ",\n")
        statements.append(
            """
            CREATE TABLE IF NOT EXISTS \(config.target.quoted) (
            \(columns)
            )
            USING DELTA
            CLUSTER BY (\(config.keys.map(Quote.sqlIdentifier).joined(separator: ", ")))
            TBLPROPERTIES (
            \(properties)
            )
            """)
        statements.append(
            """
            CREATE TABLE IF NOT EXISTS \(config.quarantineTable.quoted) (
            \(Self.quarantineColumns.map { "  " + $0.ddl }.joined(separator: ",\n"))
            )
            USING DELTA
            COMMENT \(Quote.sqlString("Values that did not fit their column's type in " + config.target.parts.joined(separator: ".") + ": the row as read, the column, the reason"))
            """)
        if config.deleteMode == .soft {
            statements.append(
                """
                CREATE OR REPLACE VIEW \(config.currentView.quoted)
                COMMENT \(Quote.sqlString("Current rows of " + config.target.parts.joined(separator: ".") + ": soft-deleted rows left out"))
                WITH SCHEMA EVOLUTION
                AS SELECT * FROM \(config.target.quoted) WHERE NOT \(Quote.sqlIdentifier(config.deletedColumn))
                """)
        }
        return statements
    }

    /// Deletes soft-deleted rows whose change is older than the retention (soft mode).
    public var cleanupSQL: String {
        let millis = config.tombstoneRetentionDays * 86_400_000
        return """
            DELETE FROM \(config.target.quoted)
            WHERE \(Quote.sqlIdentifier(config.deletedColumn))
              AND \(Quote.sqlIdentifier(config.changeTimeColumn)) < unix_millis(current_timestamp()) - \(millis)
            """
    }

    /// The grants, one statement each, on the table and (soft mode) the view.
    public var grantStatements: [String] {
        config.grants.flatMap { grant in
            var objects = ["TABLE " + config.target.quoted]
            if config.deleteMode == .soft { objects.append("TABLE " + config.currentView.quoted) }
            return objects.map { "GRANT \(grant.privilege.rawValue) ON \($0) TO \(Quote.sqlIdentifier(grant.principal))" }
        }
    }

    /// The MERGE the notebook runs, in Spark SQL.
    public var mergeSQL: String {
        merge.sql(.spark, target: config.target.quoted, source: Quote.sqlIdentifier(Self.changesView))
    }

    /// The per-key dedupe the notebook runs, in Spark SQL.
    public var dedupeSQL: String { merge.dedupeSQL(.spark, source: Quote.sqlIdentifier(Self.batchView)) }

    /// `setup.sql`: every statement ends with `;` on its own line's end.
    public var setupSQL: String {
        var out = "-- Unity Catalog setup for \(Quote.commentText(config.target.quoted)), generated by ddbcdc emit-notebook.\n"
        out += "-- Safe to run again: every statement is idempotent.\n\n"
        for statement in setupStatements { out += statement + ";\n\n" }
        if config.deleteMode == .soft {
            out += "-- Tombstone clean-up: run on a schedule (the job runs it after each merge). A soft-deleted row\n"
            out += "-- older than \(config.tombstoneRetentionDays) day(s) is removed; a change of its key arriving later than that\n"
            out += "-- could insert it again, so keep the retention above the longest delay a change can have.\n"
            out += cleanupSQL + ";\n"
        } else {
            out += "-- Hard deletes: tombstones delete rows, nothing is kept. Cost: a late upsert older than a\n"
            out += "-- delete already applied inserts its key again (soft mode prevents this).\n"
        }
        if !grantStatements.isEmpty {
            out += "\n-- Grants.\n"
            for statement in grantStatements { out += statement + ";\n" }
        }
        return out
    }

    // MARK: JSON artifacts

    /// `merge_plan.json`: the MERGE as data, in both dialects, for tools and tests. With a schema,
    /// its statements name every column (`UPDATE SET t.a = s.a`, `INSERT (a) VALUES (s.a)`): DuckDB
    /// and others match `*` by position, and a batch whose columns come in another order would
    /// write one column's value into another. Without one they keep `*`, which only by-name
    /// engines (Spark, Delta) apply safely; `columns` is then null.
    public var mergePlanJSON: String {
        var plan = merge.json
        if case .object(var members) = plan {
            members.insert(("target", .array(config.target.parts.map(JSONValue.string))), at: 0)
            members.append(
                ("dedupe_sql", .object(SQLDialect.allCases.map { ($0.rawValue, .string(merge.dedupeSQL($0, source: $0.identifier(Self.batchView)))) })))
            members.append(
                (
                    "merge_sql",
                    .object([
                        (
                            "spark",
                            .string(
                                merge.sql(
                                    .spark, target: config.target.quoted, source: Quote.sqlIdentifier(Self.changesView),
                                    schemaEvolution: false, explicitColumns: true))
                        ),
                        (
                            "ansi",
                            .string(
                                merge.sql(
                                    .ansi, target: config.target.parts.map(Quote.ansiIdentifier).joined(separator: "."),
                                    source: Quote.ansiIdentifier(Self.changesView), explicitColumns: true))
                        ),
                    ])
                ))
            plan = .object(members)
        }
        return plan.prettyText
    }
}
