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
/// as a JSON object of their exact row-JSON values.
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

    /// How one value is shredded: the plan mirrors the Parquet schema, with leaf indices.
    let metadata: [ColumnPlan]
    /// The typed layout's data columns (schema order), or empty.
    let columns: [ColumnPlan]
    /// The `_item` or `_rescued_data` leaf.
    let textLeaf: Int

    /// The packed layout.
    /// - Parameter metadataNames: the metadata columns' names, as the rows were written.
    public init(packed metadataNames: MetadataNames) throws(ParquetRowsError) {
        var builder = PlanBuilder()
        metadata = Self.metadataPlans(metadataNames, &builder)
        columns = []
        textLeaf = builder.leaf()
        builder.nodes.append(.leaf(name: Self.itemColumn, repetition: .optional, type: .byteArray, logical: .string))
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
        metadata = Self.metadataPlans(metadataNames, &builder)
        let reserved = Set(metadataNames.all)
        var plans: [ColumnPlan] = []
        // Names are told apart by their bytes, as Spark and Parquet do: Swift's String equality would
        // take "café" (NFC) and "café" (NFD), two distinct attributes, for one name.
        var seen = Set<[UInt8]>()
        for field in sparkSchema.fields {
            guard !reserved.contains(field.name) else { continue }
            guard field.name != Self.rescuedColumn else {
                throw ParquetRowsError(.invalidSchema, "the schema has a column '\(Self.rescuedColumn)': that name holds the values that do not fit")
            }
            guard seen.insert(Array(field.name.utf8)).inserted else {
                throw ParquetRowsError(.invalidSchema, "the schema names the column '\(field.name)' twice")
            }
            plans.append(try builder.plan(field.name, field.type, path: field.name))
        }
        columns = plans
        textLeaf = builder.leaf()
        builder.nodes.append(.leaf(name: Self.rescuedColumn, repetition: .optional, type: .byteArray, logical: .string))
        kind = .typed
        schemaHash = Digest.hex(Digest.sha256(Array(sparkSchema.json.jsonText.utf8)))
        schema = try Self.parquetSchema(builder.nodes)
    }

    private static func parquetSchema(_ nodes: [SchemaNode]) throws(ParquetRowsError) -> ParquetSchema {
        do { return try ParquetSchema(columns: nodes) } catch {
            throw ParquetRowsError(.invalidSchema, "the Parquet schema is not valid: \(error)")
        }
    }

    private static func metadataPlans(_ names: MetadataNames, _ builder: inout PlanBuilder) -> [ColumnPlan] {
        let types: [(String, SparkType)] = [
            (names.eventName, .string), (names.eventId, .string), (names.seq, .string), (names.approxStreamTs, .bigint),
            (names.ingestTs, .bigint), (names.isDeleted, .boolean), (names.ttlDelete, .boolean),
        ]
        // Scalar types cannot fail to plan.
        return types.map { name, type in try! builder.plan(name, type, path: name) }
    }
}

/// One column's (or nested field's) shredding plan.
struct ColumnPlan: Sendable {
    indirect enum Shape: Sendable {
        case string(leaf: Int)
        case boolean(leaf: Int)
        case int64(leaf: Int)
        case decimal(leaf: Int, precision: Int, scale: Int, storage: DecimalStorage)
        /// A 3-level LIST: `repetition` is the level of its repeated group.
        case list(element: ColumnPlan, repetition: Int)
        /// A MAP with STRING keys: the key's leaf, the value's plan, the repeated group's level.
        case map(keyLeaf: Int, value: ColumnPlan, repetition: Int)
        case structure(fields: [(name: [UInt8], plan: ColumnPlan)])
    }

    /// How a DECIMAL is stored.
    enum DecimalStorage: Sendable { case int32, int64, fixed16 }

    /// The name as rows spell it.
    let name: [UInt8]
    let shape: Shape
    /// The leaves under this node, in schema order.
    let leaves: Range<Int>
}

/// Builds the Parquet schema nodes and the shredding plans together, numbering leaves depth-first
/// and counting repetition levels as the Parquet schema will.
struct PlanBuilder {
    var nodes: [SchemaNode] = []
    private var nextLeaf = 0
    private var repetition = 0

    mutating func leaf() -> Int {
        defer { nextLeaf += 1 }
        return nextLeaf
    }

    /// Plans a top-level column and appends its schema node.
    mutating func plan(_ name: String, _ type: SparkType, path: String) throws(ParquetRowsError) -> ColumnPlan {
        let (node, plan) = try make(name, type, path: path)
        nodes.append(node)
        return plan
    }

    private mutating func make(_ name: String, _ type: SparkType, path: String) throws(ParquetRowsError) -> (SchemaNode, ColumnPlan) {
        let first = nextLeaf
        let node: SchemaNode
        let shape: ColumnPlan.Shape
        switch type {
        case .string:
            shape = .string(leaf: leaf())
            node = .leaf(name: name, repetition: .optional, type: .byteArray, logical: .string)
        case .boolean:
            shape = .boolean(leaf: leaf())
            node = .leaf(name: name, repetition: .optional, type: .boolean, logical: nil)
        case .bigint:
            shape = .int64(leaf: leaf())
            node = .leaf(name: name, repetition: .optional, type: .int64, logical: nil)
        case .timestamp:
            shape = .int64(leaf: leaf())
            node = .leaf(name: name, repetition: .optional, type: .int64, logical: .timestampMillis(utc: true))
        case .decimal(let precision, let scale):
            guard (1...38).contains(precision), (0...precision).contains(scale) else {
                throw ParquetRowsError(.invalidSchema, "column '\(path)': DECIMAL(\(precision),\(scale)) is outside DECIMAL(1…38, 0…precision)")
            }
            let storage: ColumnPlan.DecimalStorage = precision <= 9 ? .int32 : precision <= 18 ? .int64 : .fixed16
            let physical: PhysicalType = storage == .int32 ? .int32 : storage == .int64 ? .int64 : .fixedLenByteArray(16)
            shape = .decimal(leaf: leaf(), precision: precision, scale: scale, storage: storage)
            node = .leaf(name: name, repetition: .optional, type: physical, logical: .decimal(precision: precision, scale: scale))
        case .array(let element):
            repetition += 1
            let level = repetition
            let (elementNode, elementPlan) = try make("element", element, path: path + "[]")
            repetition -= 1
            shape = .list(element: elementPlan, repetition: level)
            node = .group(
                name: name, repetition: .optional, logical: .list,
                children: [.group(name: "list", repetition: .repeated, logical: nil, children: [elementNode])])
        case .map(let value):
            repetition += 1
            let level = repetition
            let keyLeaf = leaf()
            let (valueNode, valuePlan) = try make("value", value, path: path + "{}")
            repetition -= 1
            shape = .map(keyLeaf: keyLeaf, value: valuePlan, repetition: level)
            node = .group(
                name: name, repetition: .optional, logical: .map,
                children: [
                    .group(
                        name: "key_value", repetition: .repeated, logical: nil,
                        children: [.leaf(name: "key", repetition: .required, type: .byteArray, logical: .string), valueNode])
                ])
        case .struct(let fields):
            guard !fields.isEmpty else {
                throw ParquetRowsError(.invalidSchema, "column '\(path)': a STRUCT without fields cannot be a Parquet group")
            }
            var children: [SchemaNode] = []
            var plans: [(name: [UInt8], plan: ColumnPlan)] = []
            var seen = Set<[UInt8]>()  // by bytes, as above
            for field in fields {
                guard seen.insert(Array(field.name.utf8)).inserted else {
                    throw ParquetRowsError(.invalidSchema, "column '\(path)': the struct names the field '\(field.name)' twice")
                }
                let (child, plan) = try make(field.name, field.type, path: path + "." + field.name)
                children.append(child)
                plans.append((Array(field.name.utf8), plan))
            }
            shape = .structure(fields: plans)
            node = .group(name: name, repetition: .optional, logical: nil, children: children)
        }
        return (node, ColumnPlan(name: Array(name.utf8), shape: shape, leaves: first..<nextLeaf))
    }
}
