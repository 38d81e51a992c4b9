/// The SQL dialects a plan renders its conditions in.
package enum SQLDialect: String, Sendable, CaseIterable {
    /// Spark SQL / Databricks (backtick identifiers). delta-rs reads this form too.
    case spark
    /// ANSI quoting (double-quoted identifiers): DuckDB.
    case ansi

    /// An identifier in this dialect.
    package func identifier(_ name: String) -> String {
        switch self {
        case .spark: return Quote.sqlIdentifier(name)
        case .ansi: return Quote.ansiIdentifier(name)
        }
    }

    /// `alias.column`
    package func column(_ alias: String, _ name: String) -> String { alias + "." + identifier(name) }
}

/// The one MERGE that applies a deduplicated micro-batch: its join, and its clauses in order.
///
/// Conditions compare the order column as text: `_seq` is fixed-width, so text order is change
/// order. A change whose `_seq` is not greater than the row's is older or the same change
/// again (a duplicate or replay): no clause matches it, so applying a batch twice changes
/// nothing.
package struct MergePlan: Sendable {
    /// What a clause does.
    package enum Action: String, Sendable {
        /// `UPDATE SET *`: the row becomes the change (a tombstone too, in soft mode).
        case updateAll = "update_all"
        /// `DELETE`
        case delete
        /// `INSERT *`
        case insertAll = "insert_all"
    }

    /// `WHEN MATCHED` or `WHEN NOT MATCHED` (by target).
    package enum Match: String, Sendable {
        case matched
        case notMatched = "not_matched"
    }

    /// One `WHEN … THEN …` clause.
    package struct Clause: Sendable {
        package var match: Match
        /// The extra condition, by dialect; nil for none.
        package var condition: [SQLDialect: String]?
        package var action: Action
        /// Why the clause is there, for the generated comments.
        package var purpose: String
    }

    package var keys: [String]
    /// The table's columns, when a schema is known: engines other than Spark/Delta match
    /// `UPDATE SET *` / `INSERT *` by position (DuckDB), so `explicitSQL` names every one.
    package var columns: [String]?
    package var orderColumn: String
    package var deletedColumn: String
    package var deleteMode: DeleteMode
    /// The target's alias.
    package let targetAlias = "t"
    /// The source's alias.
    package let sourceAlias = "s"

    /// The plan for a configuration.
    package init(_ config: PlanConfig, columns: [String]? = nil) {
        keys = config.keys
        self.columns = columns
        orderColumn = config.orderColumn
        deletedColumn = config.deletedColumn
        deleteMode = config.deleteMode
    }

    /// The join condition: every key equal.
    package func on(_ dialect: SQLDialect) -> String {
        keys.map { dialect.column(targetAlias, $0) + " = " + dialect.column(sourceAlias, $0) }.joined(separator: " AND ")
    }

    /// The source row's change is newer than the target row's.
    package func newer(_ dialect: SQLDialect) -> String {
        dialect.column(sourceAlias, orderColumn) + " > " + dialect.column(targetAlias, orderColumn)
    }

    /// The source row is a tombstone.
    package func tombstone(_ dialect: SQLDialect) -> String { dialect.column(sourceAlias, deletedColumn) }

    /// The clauses, in the order the MERGE lists them (the first whose condition holds wins).
    package var clauses: [Clause] {
        func both(_ make: (SQLDialect) -> String) -> [SQLDialect: String] {
            Dictionary(uniqueKeysWithValues: SQLDialect.allCases.map { ($0, make($0)) })
        }
        switch deleteMode {
        case .soft:
            return [
                Clause(
                    match: .matched, condition: both { newer($0) }, action: .updateAll,
                    purpose: "a newer change replaces the row; a tombstone replaces it with is_deleted = true (a soft delete)"),
                Clause(
                    match: .notMatched, condition: nil, action: .insertAll,
                    purpose: "an unseen key is inserted; an unseen key's tombstone is kept as a deleted row, so a late older upsert cannot resurrect it"),
            ]
        case .hard:
            return [
                Clause(
                    match: .matched, condition: both { newer($0) + " AND " + tombstone($0) }, action: .delete,
                    purpose: "a newer tombstone deletes the row"),
                Clause(match: .matched, condition: both { newer($0) }, action: .updateAll, purpose: "a newer upsert replaces the row"),
                Clause(
                    match: .notMatched, condition: both { "NOT " + tombstone($0) }, action: .insertAll,
                    purpose: "an unseen key is inserted unless the change is a tombstone"),
            ]
        }
    }

    /// `UPDATE SET` with every column named: `t.a = s.a, …`.
    package func updateList(_ dialect: SQLDialect, _ columns: [String]) -> String {
        // DuckDB takes the target's columns unqualified; so does Spark.
        columns.map { dialect.identifier($0) + " = " + dialect.column(sourceAlias, $0) }.joined(separator: ", ")
    }

    /// `INSERT (a, …) VALUES (s.a, …)` with every column named.
    package func insertList(_ dialect: SQLDialect, _ columns: [String]) -> String {
        "(" + columns.map(dialect.identifier).joined(separator: ", ") + ") VALUES ("
            + columns.map { dialect.column(sourceAlias, $0) }.joined(separator: ", ") + ")"
    }

    /// The whole MERGE statement in `dialect`, `target` and `source` already quoted.
    /// - Parameters:
    ///   - schemaEvolution: Spark only: `MERGE WITH SCHEMA EVOLUTION`, so new attributes become
    ///     new columns.
    ///   - explicitColumns: name every column (`columns`) instead of `*`, for engines that match
    ///     `*` by position; a source column the table lacks is then not added.
    package func sql(
        _ dialect: SQLDialect, target: String, source: String, schemaEvolution: Bool = true, explicitColumns: Bool = false
    ) -> String {
        let named = explicitColumns ? columns : nil
        var lines: [String] = []
        let into = dialect == .spark && schemaEvolution ? "MERGE WITH SCHEMA EVOLUTION INTO" : "MERGE INTO"
        lines.append("\(into) \(target) AS \(targetAlias)")
        lines.append("USING \(source) AS \(sourceAlias)")
        lines.append("ON \(on(dialect))")
        for clause in clauses {
            var line = clause.match == .matched ? "WHEN MATCHED" : "WHEN NOT MATCHED"
            if let condition = clause.condition?[dialect] { line += " AND " + condition }
            switch clause.action {
            case .updateAll: line += named.map { " THEN UPDATE SET " + updateList(dialect, $0) } ?? " THEN UPDATE SET *"
            case .delete: line += " THEN DELETE"
            case .insertAll: line += named.map { " THEN INSERT " + insertList(dialect, $0) } ?? " THEN INSERT *"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The query keeping, per key, the row with the highest order column (ties: one of the
    /// identical copies), over `source` (quoted).
    package func dedupeSQL(_ dialect: SQLDialect, source: String) -> String {
        let rank = dialect.identifier("__ddbcdc_rank")
        let partition = keys.map(dialect.identifier).joined(separator: ", ")
        let order = dialect.identifier(orderColumn) + " DESC"
        let star = dialect == .spark ? "* EXCEPT (\(rank))" : "* EXCLUDE (\(rank))"
        return """
            SELECT \(star) FROM (
              SELECT *, row_number() OVER (PARTITION BY \(partition) ORDER BY \(order)) AS \(rank)
              FROM \(source)
            ) WHERE \(rank) = 1
            """
    }

    /// The plan as data, for tools and tests that run it on other engines.
    package var json: JSONValue {
        .object([
            ("keys", .array(keys.map(JSONValue.string))),
            ("columns", columns.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("order_column", .string(orderColumn)),
            ("deleted_column", .string(deletedColumn)),
            ("delete_mode", .string(deleteMode.rawValue)),
            ("target_alias", .string(targetAlias)),
            ("source_alias", .string(sourceAlias)),
            ("on", .object(SQLDialect.allCases.map { ($0.rawValue, .string(on($0))) })),
            (
                "clauses",
                .array(
                    clauses.map { clause in
                        .object([
                            ("when", .string(clause.match.rawValue)),
                            (
                                "condition",
                                clause.condition.map { c in .object(SQLDialect.allCases.map { ($0.rawValue, .string(c[$0]!)) }) } ?? .null
                            ),
                            ("then", .string(clause.action.rawValue)),
                            ("purpose", .string(clause.purpose)),
                        ])
                    })
            ),
        ])
    }
}
