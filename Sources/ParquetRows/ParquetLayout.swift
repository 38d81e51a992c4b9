public import Parquet
public import SparkTypes
public import StreamNormalize
import Digest

/// Which Parquet columns rows become, and how each column's values are shredded into them.
///
/// Both layouts start with the metadata columns, typed (`_eventName`, `_eventId`, `_seq` STRING,
/// `_approxStreamTs`, `_ingestTs` INT64, `is_deleted`, `_ttlDelete` BOOLEAN, named as
/// ``MetadataNames`` says). The **packed** layout (no schema) adds `_item`: the row's other
/// members as one JSON object, exactly the row JSON's text. The **typed** layout (a schema file,
/// Spark's StructType JSON as `ddbcdc schema --format json` writes it) adds the schema's columns in
/// its order and `_rescued_data`: the attributes of a row that did not fit their declared type,
/// as a JSON object of their exact row-JSON values. A STRING column takes any value, a non-string
/// as its exact row-JSON text (a number's digits as written, an object or array as its JSON): what
/// Spark's JSON reader gives a STRING column, and what `ddbcdc schema` means by "STRING (exact text)".
public struct ParquetLayout: Sendable {
    /// The layout's kind, as the file's `ddbcdc.layout` metadata names it.
    public enum Kind: String, Sendable {
        /// Metadata columns and `_item`.
        case packed
        /// Metadata columns, the schema's columns and `_rescued_data`.
        case typed
    }

    /// Packed or typed.
    public let kind: Kind
    /// The Parquet schema the files have.
    public let schema: ParquetSchema
    /// The hex SHA-256 of the schema file's canonical JSON (typed layout only).
    public let schemaHash: String?
    /// The name of the packed item column.
    public static let itemColumn = "_item"
    /// The name of the rescued-data column.
    public static let rescuedColumn = "_rescued_data"

    /// How rows are shredded into the columns: the metadata columns, then (typed) the schema's.
    let plan: ShredPlan
    /// The `_item` or `_rescued_data` leaf.
    var textLeaf: Int { plan.textLeaf }

    /// The packed layout.
    /// - Parameter metadataNames: the metadata columns' names, as the rows were written.
    public init(packed metadataNames: MetadataNames) throws(ParquetRowsError) {
        var builder = PlanBuilder()
        Self.metadataPlans(metadataNames, &builder)
        builder.textLeaf(Self.itemColumn)
        plan = builder.plan
        kind = .packed
        schemaHash = nil
        schema = try Self.parquetSchema(builder.nodes)
    }

    /// The typed layout of `sparkSchema`.
    /// - Parameters:
    ///   - sparkSchema: the columns; its metadata columns (by name) are ignored in favour of the fixed ones.
    ///   - metadataNames: the metadata columns' names, as the rows were written.
    /// - Throws: ``ParquetRowsError/Code/invalidSchema`` for a column named `_rescued_data`, or a
    ///   metadata column declared with another type than ddbcdc writes.
    public init(typed sparkSchema: SparkSchema, metadataNames: MetadataNames) throws(ParquetRowsError) {
        var builder = PlanBuilder()
        Self.metadataPlans(metadataNames, &builder)
        // Names compare as bytes, as rows spell them: Swift's String equality would take the NFC and
        // NFD spellings of one word (both valid, distinct DynamoDB attribute names) as one.
        let reserved = Set(metadataNames.all.map { Array($0.utf8) })
        var seen = Set<[UInt8]>()
        for field in sparkSchema.fields {
            guard !reserved.contains(Array(field.name.utf8)) else { continue }
            guard !field.name.utf8.elementsEqual(Self.rescuedColumn.utf8) else {
                throw ParquetRowsError(.invalidSchema, "the schema has a column '\(Self.rescuedColumn)': that name holds the values that do not fit")
            }
            guard seen.insert(Array(field.name.utf8)).inserted else {
                throw ParquetRowsError(.invalidSchema, "the schema names the column '\(field.name)' twice")
            }
            try builder.column(field.name, field.type, path: field.name, metadata: false)
        }
        builder.textLeaf(Self.rescuedColumn)
        plan = builder.plan
        kind = .typed
        schemaHash = Digest.hex(Digest.sha256(Array(sparkSchema.json.jsonText.utf8)))
        schema = try Self.parquetSchema(builder.nodes)
    }

    private static func parquetSchema(_ nodes: [SchemaNode]) throws(ParquetRowsError) -> ParquetSchema {
        do { return try ParquetSchema(columns: nodes) } catch {
            throw ParquetRowsError(.invalidSchema, "the Parquet schema is not valid: \(error)")
        }
    }

    private static func metadataPlans(_ names: MetadataNames, _ builder: inout PlanBuilder) {
        let types: [(String, SparkType)] = [
            (names.eventName, .string), (names.eventId, .string), (names.seq, .string), (names.approxStreamTs, .bigint),
            (names.ingestTs, .bigint), (names.isDeleted, .boolean), (names.ttlDelete, .boolean),
        ]
        // Scalar types cannot fail to plan.
        for (name, type) in types { try! builder.column(name, type, path: name, metadata: true) }
    }
}

