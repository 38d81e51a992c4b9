/// How often a field occurs in its parent: Parquet's repetition type.
public enum Repetition: Sendable, Hashable {
    /// Exactly once.
    case required
    /// Zero or one time (nullable).
    case optional
    /// Zero or more times (a list's elements).
    case repeated
}

/// The physical (storage) type of a leaf column.
public enum PhysicalType: Sendable, Hashable {
    /// One bit per value.
    case boolean
    /// A 32-bit signed integer.
    case int32
    /// A 64-bit signed integer.
    case int64
    /// A byte string of any length.
    case byteArray
    /// A byte string of the given length (at least 1).
    case fixedLenByteArray(Int)
}

/// The logical type annotating a column: how a reader interprets its physical values.
public enum LogicalType: Sendable, Hashable {
    /// UTF-8 text, on ``PhysicalType/byteArray``.
    case string
    /// A JSON document as UTF-8 text, on ``PhysicalType/byteArray``.
    case json
    /// An exact decimal: the unscaled value times 10^-scale, on ``PhysicalType/int32`` (precision
    /// up to 9), ``PhysicalType/int64`` (up to 18) or ``PhysicalType/fixedLenByteArray(_:)`` (two's
    /// complement big-endian, as many digits as its width holds).
    case decimal(precision: Int, scale: Int)
    /// Milliseconds since the Unix epoch, on ``PhysicalType/int64``; `utc` says the instant is
    /// UTC-normalized (Spark's `timestamp`).
    case timestampMillis(utc: Bool)
    /// A 3-level list group: `<list> (LIST) { repeated group list { <element> } }`.
    case list
    /// A map group: `<map> (MAP) { repeated group key_value { required key; value } }`.
    case map
}

/// A node of a Parquet schema: a leaf column or a group of nodes.
public indirect enum SchemaNode: Sendable, Hashable {
    /// A column holding values.
    case leaf(name: String, repetition: Repetition, type: PhysicalType, logical: LogicalType?)
    /// A group of fields (a struct, or with ``LogicalType/list`` / ``LogicalType/map`` a list or a map).
    case group(name: String, repetition: Repetition, logical: LogicalType?, children: [SchemaNode])

    /// The node's field name.
    public var name: String {
        switch self {
        case .leaf(let name, _, _, _), .group(let name, _, _, _): name
        }
    }

    /// The node's repetition.
    public var repetition: Repetition {
        switch self {
        case .leaf(_, let repetition, _, _), .group(_, let repetition, _, _): repetition
        }
    }
}

/// A leaf column of a schema as the writer sees it: its path and the levels of its Dremel encoding.
public struct LeafColumn: Sendable, Hashable {
    /// The names from the top-level field down to the leaf.
    public let path: [String]
    /// The leaf's physical type.
    public let type: PhysicalType
    /// The leaf's logical type, if any.
    public let logical: LogicalType?
    /// The definition level of a present value: the number of optional or repeated nodes on the path.
    public let maxDefinitionLevel: Int
    /// The highest repetition level: the number of repeated nodes on the path.
    public let maxRepetitionLevel: Int
}

/// A checked Parquet schema: its top-level columns and its leaves in depth-first order.
public struct ParquetSchema: Sendable, Hashable {
    /// The top-level fields, in file order.
    public let columns: [SchemaNode]
    /// The leaf columns, depth-first: the index an append's `leaf` refers to.
    public let leaves: [LeafColumn]

    /// Checks a schema: non-empty unique names among siblings, groups with children, logical types on
    /// the physical types that can carry them, decimals whose precision fits, lists and maps in their
    /// standard shapes.
    ///
    /// - Throws: ``ParquetError/Code/invalidSchema`` naming the node's path and what is wrong.
    public init(columns: [SchemaNode]) throws(ParquetError) {
        guard !columns.isEmpty else { throw ParquetError(.invalidSchema, "a schema needs at least one column") }
        var leaves: [LeafColumn] = []
        try Self.check(columns, parent: [], definition: 0, repetition: 0, into: &leaves)
        self.columns = columns
        self.leaves = leaves
    }

    private static func check(
        _ nodes: [SchemaNode], parent: [String], definition: Int, repetition: Int, into leaves: inout [LeafColumn]
    ) throws(ParquetError) {
        // By bytes: String equality would take "café" (NFC) and "café" (NFD), two names, for one.
        var seen = Set<[UInt8]>()
        for node in nodes {
            let path = parent + [node.name]
            let place = path.joined(separator: ".")
            guard !node.name.isEmpty else { throw ParquetError(.invalidSchema, "\(place): a field needs a name") }
            guard seen.insert(Array(node.name.utf8)).inserted else {
                throw ParquetError(.invalidSchema, "\(place): two fields of one group have this name")
            }
            let definition = definition + (node.repetition == .required ? 0 : 1)
            let repetition = repetition + (node.repetition == .repeated ? 1 : 0)
            // Levels are kept one byte each; no real schema nests 255 deep.
            guard definition <= 255 else { throw ParquetError(.invalidSchema, "\(place): nested deeper than 255 levels") }
            switch node {
            case .leaf(_, _, let type, let logical):
                try checkLeaf(type: type, logical: logical, place: place)
                leaves.append(
                    LeafColumn(path: path, type: type, logical: logical, maxDefinitionLevel: definition, maxRepetitionLevel: repetition))
            case .group(_, _, let logical, let children):
                guard !children.isEmpty else { throw ParquetError(.invalidSchema, "\(place): a group needs at least one field") }
                try checkGroup(logical: logical, children: children, place: place)
                try check(children, parent: path, definition: definition, repetition: repetition, into: &leaves)
            }
        }
    }

    private static func checkLeaf(type: PhysicalType, logical: LogicalType?, place: String) throws(ParquetError) {
        if case .fixedLenByteArray(let width) = type, width < 1 {
            throw ParquetError(.invalidSchema, "\(place): FIXED_LEN_BYTE_ARRAY(\(width)) needs a width of at least 1")
        }
        guard let logical else { return }
        switch (logical, type) {
        case (.string, .byteArray), (.json, .byteArray), (.timestampMillis, .int64): return
        case (.decimal(let precision, let scale), _):
            guard precision >= 1, scale >= 0, scale <= precision else {
                throw ParquetError(.invalidSchema, "\(place): DECIMAL(\(precision), \(scale)) needs 1 <= precision and 0 <= scale <= precision")
            }
            let most: Int
            switch type {
            case .int32: most = 9
            case .int64: most = 18
            case .fixedLenByteArray(let width): most = maxDecimalDigits(width: width)
            default: throw ParquetError(.invalidSchema, "\(place): DECIMAL is written on INT32, INT64 or FIXED_LEN_BYTE_ARRAY, not \(type)")
            }
            guard precision <= most else {
                throw ParquetError(.invalidSchema, "\(place): DECIMAL(\(precision), \(scale)) does not fit \(type) (at most \(most) digits)")
            }
        case (.list, _), (.map, _):
            throw ParquetError(.invalidSchema, "\(place): \(logical) annotates a group, not a leaf")
        default:
            throw ParquetError(.invalidSchema, "\(place): \(logical) cannot annotate \(type)")
        }
    }

    /// The most decimal digits a two's complement number of `width` bytes always holds.
    static func maxDecimalDigits(width: Int) -> Int {
        // floor(log10(2^(8w-1) - 1)); log10(2) to 17 digits is exact enough for any width below 2^40.
        Int((Double(8 * width - 1) * 0.301_029_995_663_981_2).rounded(.down))
    }

    private static func checkGroup(logical: LogicalType?, children: [SchemaNode], place: String) throws(ParquetError) {
        switch logical {
        case nil: return
        case .list:
            guard children.count == 1, children[0].repetition == .repeated else {
                throw ParquetError(.invalidSchema, "\(place): a LIST group holds exactly one repeated field")
            }
        case .map:
            guard children.count == 1, case .group(_, .repeated, _, let pair) = children[0], pair.count == 2,
                pair[0].repetition == .required
            else {
                throw ParquetError(.invalidSchema, "\(place): a MAP group holds one repeated group of a required key and a value")
            }
        case .some(let other):
            throw ParquetError(.invalidSchema, "\(place): \(other) annotates a leaf, not a group")
        }
    }
}
