/// A Spark SQL data type, as far as DynamoDB rows need: the types the row JSON can hold.
public indirect enum SparkType: Sendable, Hashable {
    /// `STRING`: DynamoDB strings, binaries (base64) and numbers kept as text.
    case string
    /// `BOOLEAN`.
    case boolean
    /// `BIGINT`: 64-bit integers.
    case bigint
    /// `TIMESTAMP` (the quarantine table's time column; rows hold none).
    case timestamp
    /// `DECIMAL(precision, scale)`; exact.
    case decimal(precision: Int, scale: Int)
    /// `ARRAY<element>`: lists and sets.
    case array(SparkType)
    /// `MAP<STRING, value>`: a DynamoDB map whose member names are data, not a fixed set.
    case map(SparkType)
    /// `STRUCT<…>`: a DynamoDB map with a fixed set of member names.
    case `struct`([StructField])

    /// The type in Spark's DDL (`DECIMAL(38,2)`, STRUCT<\`a b\`: STRING>).
    public var ddl: String {
        switch self {
        case .string: return "STRING"
        case .boolean: return "BOOLEAN"
        case .bigint: return "BIGINT"
        case .timestamp: return "TIMESTAMP"
        case .decimal(let p, let s): return "DECIMAL(\(p),\(s))"
        case .array(let element): return "ARRAY<\(element.ddl)>"
        case .map(let value): return "MAP<STRING, \(value.ddl)>"
        case .struct(let fields):
            return "STRUCT<" + fields.map { Quote.sqlIdentifier($0.name) + ": " + $0.type.ddl }.joined(separator: ", ") + ">"
        }
    }

    /// Whether a DECIMAL is in this type, at any depth: such a column is read as its exact text.
    package var containsDecimal: Bool {
        switch self {
        case .decimal: return true
        case .array(let element): return element.containsDecimal
        case .map(let value): return value.containsDecimal
        case .struct(let fields): return fields.contains { $0.type.containsDecimal }
        case .string, .boolean, .bigint, .timestamp: return false
        }
    }

    /// The type as Spark's JSON schema form (`DataType.fromJson`, `StructType.fromJson`).
    public var json: JSONValue {
        switch self {
        case .string: return .string("string")
        case .boolean: return .string("boolean")
        case .bigint: return .string("long")
        case .timestamp: return .string("timestamp")
        case .decimal(let p, let s): return .string("decimal(\(p),\(s))")
        case .array(let element):
            return .object([("type", .string("array")), ("elementType", element.json), ("containsNull", .bool(true))])
        case .map(let value):
            return .object([
                ("type", .string("map")), ("keyType", .string("string")), ("valueType", value.json),
                ("valueContainsNull", .bool(true)),
            ])
        case .struct(let fields):
            return .object([("type", .string("struct")), ("fields", .array(fields.map(\.json)))])
        }
    }

    /// Reads Spark's JSON schema form back.
    /// - Throws: `SparkPlanError` (`invalidSchema`) for a type this module does not model.
    public init(json: JSONValue) throws(SparkPlanError) {
        switch json {
        case .string(let name):
            switch name {
            case "string", "binary": self = .string
            case "boolean": self = .boolean
            case "long", "integer", "short", "byte": self = .bigint
            case "timestamp": self = .timestamp
            default:
                if name.hasPrefix("decimal("), name.hasSuffix(")") {
                    let inner = name.dropFirst("decimal(".count).dropLast().split(separator: ",")
                    if inner.count == 2, let p = Int(inner[0].filter { $0 != " " }), let s = Int(inner[1].filter { $0 != " " }),
                        (1...38).contains(p), (0...p).contains(s)
                    {
                        self = .decimal(precision: p, scale: s)
                        return
                    }
                }
                throw SparkPlanError(.invalidSchema, "unsupported Spark type '\(name)' (use string, boolean, long, decimal(p,s), array, map, struct)")
            }
        case .object:
            switch json["type"]?.stringValue {
            case "array":
                guard let element = json["elementType"] else { throw SparkPlanError(.invalidSchema, "array type without elementType") }
                self = .array(try SparkType(json: element))
            case "map":
                guard let value = json["valueType"] else { throw SparkPlanError(.invalidSchema, "map type without valueType") }
                guard json["keyType"]?.stringValue == "string" else { throw SparkPlanError(.invalidSchema, "only maps with string keys are supported") }
                self = .map(try SparkType(json: value))
            case "struct":
                guard case .array(let items)? = json["fields"] else { throw SparkPlanError(.invalidSchema, "struct type without fields") }
                var fields: [StructField] = []
                for item in items { fields.append(try StructField(json: item)) }
                self = .struct(fields)
            default:
                throw SparkPlanError(.invalidSchema, "unknown complex type \(json["type"]?.jsonText ?? "(no type)")")
            }
        default:
            throw SparkPlanError(.invalidSchema, "a Spark type is a string or an object, not \(json.jsonText)")
        }
    }
}

/// A named field of a struct or of a table.
public struct StructField: Sendable, Hashable {
    /// The field's (column's) name, unquoted.
    public var name: String
    /// The field's type.
    public var type: SparkType
    /// Whether the field may be null.
    public var nullable: Bool

    /// Creates a field.
    public init(_ name: String, _ type: SparkType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }

    /// The column in DDL: \`name\` TYPE (with `NOT NULL` when not nullable).
    public var ddl: String { Quote.sqlIdentifier(name) + " " + type.ddl + (nullable ? "" : " NOT NULL") }

    var json: JSONValue {
        .object([("name", .string(name)), ("type", type.json), ("nullable", .bool(nullable)), ("metadata", .object([]))])
    }

    init(json: JSONValue) throws(SparkPlanError) {
        guard let name = json["name"]?.stringValue, let type = json["type"] else {
            throw SparkPlanError(.invalidSchema, "a struct field needs a name and a type: \(json.jsonText)")
        }
        self.name = name
        self.type = try SparkType(json: type)
        if case .bool(let nullable)? = json["nullable"] { self.nullable = nullable } else { self.nullable = true }
    }
}

/// The columns of a table: the schema of the rows ddbcdc writes.
public struct SparkSchema: Sendable, Hashable {
    /// The columns, in order.
    public var fields: [StructField]

    /// Creates a schema.
    public init(_ fields: [StructField]) { self.fields = fields }

    /// The field named `name`, if any.
    public subscript(name: String) -> StructField? { fields.first { $0.name.utf8.elementsEqual(name.utf8) } }

    /// The column list in DDL (\`a\` STRING, \`b\` DECIMAL(38,2)): a `CREATE TABLE` body, a
    /// `DataStreamReader.schema` string and Auto Loader's `cloudFiles.schemaHints` all take it.
    public var ddl: String { fields.map(\.ddl).joined(separator: ", ") }

    /// Spark's JSON form (`StructType.fromJson`).
    public var json: JSONValue { SparkType.struct(fields).json }

    /// Reads Spark's JSON form (what `ddbcdc schema --format json` writes).
    public init(json: JSONValue) throws(SparkPlanError) {
        guard case .struct(let fields) = try SparkType(json: json) else {
            throw SparkPlanError(.invalidSchema, "a schema document is a struct type: {\"type\":\"struct\",\"fields\":[…]}")
        }
        self.fields = fields
    }
}
