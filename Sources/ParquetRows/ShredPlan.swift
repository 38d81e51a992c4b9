import DDBTypes
import Parquet
import SparkTypes

/// How rows are shredded into a layout's columns, flat: nodes addressed by index in one array
/// (no class or indirect-enum tree, so walking it once per value costs no reference counting),
/// names back to back in one byte buffer, and the top-level names in an open-addressing hash table.
///
/// The nodes mirror the Parquet schema, with leaf indices numbered depth-first.
struct ShredPlan: Sendable {
    /// What a node holds.
    enum Kind: UInt8, Sendable {
        /// A STRING leaf: a string as itself, any other value as its exact row-JSON text.
        case string
        case boolean
        /// An INT64 leaf (a long or a timestamp).
        case int64
        case decimal
        /// A 3-level LIST: `child` is the element's node.
        case list
        /// A MAP with STRING keys: `leaf` is the key's leaf, `child` the value's node.
        case map
        /// A group: its fields are `fields[child..<child + fieldCount]`.
        case structure
    }

    /// How a DECIMAL is stored.
    enum DecimalStorage: UInt8, Sendable { case int32, int64, fixed16 }

    /// One column or nested field.
    struct Node: Sendable {
        var kind: Kind
        var storage: DecimalStorage = .fixed16
        /// A top-level value of this node can have appended values and still turn out not to fit
        /// (a struct, or a list or map of anything but strings): the shredder stages its appends and
        /// drops them on a misfit. Every other node decides before its first append.
        var staged = false
        /// A scalar's leaf; a map's key leaf.
        var leaf: Int32 = 0
        var precision: Int32 = 0
        var scale: Int32 = 0
        /// A list's or map's repeated group's repetition level.
        var level: Int32 = 0
        /// A list's element or a map's value node; a struct's first field in ``ShredPlan/fields``.
        var child: Int32 = 0
        var fieldCount: Int32 = 0
        /// The leaves under this node, in schema order.
        var leafStart: Int32 = 0
        var leafEnd: Int32 = 0
    }

    /// A named node: a struct's field or a top-level column. The name is `names[nameStart..<nameEnd]`,
    /// as rows spell it (UTF-8, compared as bytes).
    struct Field: Sendable {
        var nameStart: Int32
        var nameEnd: Int32
        var node: Int32
    }

    var nodes: [Node] = []
    /// Every struct's fields, each struct's contiguous.
    var fields: [Field] = []
    /// The top-level columns: the metadata columns first, then (typed) the schema's.
    var top: [Field] = []
    var names: [UInt8] = []
    /// How many of `top` are metadata columns.
    var metadataCount = 0
    /// The `_item` or `_rescued_data` leaf.
    var textLeaf = 0
    /// Hash slot → index in `top`, -1 when empty; a power of two long, at most half full. A name
    /// given twice keeps its first column (as a search from the start would).
    var slots: [Int32] = []
    /// A filter in front of `slots`: bit n of `lengths` is set when a top-level name is n bytes
    /// long (bit 63: 63 or more), bit b of `firstBytes` when one begins with byte b. A member
    /// name that misses either is no column, known without hashing it: most of a packed row's
    /// names (the item's attributes) are turned away here. Every bit set when a name is empty.
    var lengths: UInt64 = 0
    var firstBytes = SIMD4<UInt64>(repeating: 0)

    /// A fast hash of a name's bytes, 8 at a time.
    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        let raw = UnsafeRawPointer(bytes)
        var i = 0
        while i &+ 8 <= count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h &>> 32
            i &+= 8
        }
        if i < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < count {
                tail |= UInt64(bytes[i]) &<< shift
                shift &+= 8
                i &+= 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h &>> 29
        return Int(truncatingIfNeeded: h)
    }

    /// Fills `slots` from `top`.
    mutating func buildSlots() {
        var size = 16
        while size < top.count * 2 { size *= 2 }
        slots = Array(repeating: -1, count: size)
        let mask = size - 1
        lengths = 0
        firstBytes = SIMD4(repeating: 0)
        names.withUnsafeBufferPointer { names in
            for (index, field) in top.enumerated() {
                let start = names.baseAddress! + Int(field.nameStart)
                let count = Int(field.nameEnd - field.nameStart)
                if count == 0 {
                    lengths = ~0
                    firstBytes = SIMD4(repeating: ~0)
                } else {
                    lengths |= 1 &<< UInt64(min(count, 63))
                    firstBytes[Int(start[0] &>> 6)] |= 1 &<< UInt64(start[0] & 63)
                }
                var slot = Self.hash(start, count) & mask
                var duplicate = false
                while slots[slot] >= 0 {
                    let other = top[Int(slots[slot])]
                    if Int(other.nameEnd - other.nameStart) == count && (count == 0 || memcmpEqual(names.baseAddress! + Int(other.nameStart), start, count)) {
                        duplicate = true
                        break
                    }
                    slot = (slot + 1) & mask
                }
                if !duplicate { slots[slot] = Int32(index) }
            }
        }
    }
}

/// Builds the Parquet schema nodes and the flat shredding plan together, numbering leaves
/// depth-first and counting repetition levels as the Parquet schema will.
struct PlanBuilder {
    var nodes: [SchemaNode] = []
    var plan = ShredPlan()
    private var nextLeaf = 0
    private var repetition = 0

    private mutating func leaf() -> Int32 {
        defer { nextLeaf += 1 }
        return Int32(nextLeaf)
    }

    private mutating func name(_ name: String) -> (Int32, Int32) {
        let start = Int32(plan.names.count)
        plan.names.append(contentsOf: name.utf8)
        return (start, Int32(plan.names.count))
    }

    /// Plans a top-level column (a metadata column first of all) and appends its schema node.
    mutating func column(_ name: String, _ type: SparkType, path: String, metadata: Bool) throws(ParquetRowsError) {
        let (node, index) = try make(name, type, path: path)
        nodes.append(node)
        let (start, end) = self.name(name)
        plan.top.append(ShredPlan.Field(nameStart: start, nameEnd: end, node: index))
        if metadata { plan.metadataCount += 1 }
        let planned = plan.nodes[Int(index)]
        switch planned.kind {
        case .structure: plan.nodes[Int(index)].staged = true
        case .list, .map: plan.nodes[Int(index)].staged = plan.nodes[Int(planned.child)].kind != .string
        case .string, .boolean, .int64, .decimal: break
        }
    }

    /// The last column: `_item` or `_rescued_data`, a STRING leaf the shredder fills itself.
    mutating func textLeaf(_ name: String) {
        plan.textLeaf = Int(leaf())
        nodes.append(.leaf(name: name, repetition: .optional, type: .byteArray, logical: .string))
        plan.buildSlots()
    }

    /// The schema node of `type` and the index of its plan node.
    private mutating func make(_ name: String, _ type: SparkType, path: String) throws(ParquetRowsError) -> (SchemaNode, Int32) {
        let first = Int32(nextLeaf)
        let schemaNode: SchemaNode
        var node: ShredPlan.Node
        switch type {
        case .string:
            node = .init(kind: .string, leaf: leaf())
            schemaNode = .leaf(name: name, repetition: .optional, type: .byteArray, logical: .string)
        case .boolean:
            node = .init(kind: .boolean, leaf: leaf())
            schemaNode = .leaf(name: name, repetition: .optional, type: .boolean, logical: nil)
        case .bigint:
            node = .init(kind: .int64, leaf: leaf())
            schemaNode = .leaf(name: name, repetition: .optional, type: .int64, logical: nil)
        case .timestamp:
            node = .init(kind: .int64, leaf: leaf())
            schemaNode = .leaf(name: name, repetition: .optional, type: .int64, logical: .timestampMillis(utc: true))
        case .decimal(let precision, let scale):
            guard (1...38).contains(precision), (0...precision).contains(scale) else {
                throw ParquetRowsError(.invalidSchema, "column '\(path)': DECIMAL(\(precision),\(scale)) is outside DECIMAL(1…38, 0…precision)")
            }
            let storage: ShredPlan.DecimalStorage = precision <= 9 ? .int32 : precision <= 18 ? .int64 : .fixed16
            let physical: PhysicalType = storage == .int32 ? .int32 : storage == .int64 ? .int64 : .fixedLenByteArray(16)
            node = .init(kind: .decimal, storage: storage, leaf: leaf(), precision: Int32(precision), scale: Int32(scale))
            schemaNode = .leaf(name: name, repetition: .optional, type: physical, logical: .decimal(precision: precision, scale: scale))
        case .array(let element):
            repetition += 1
            let level = Int32(repetition)
            let (elementNode, elementIndex) = try make("element", element, path: path + "[]")
            repetition -= 1
            node = .init(kind: .list, level: level, child: elementIndex)
            schemaNode = .group(
                name: name, repetition: .optional, logical: .list,
                children: [.group(name: "list", repetition: .repeated, logical: nil, children: [elementNode])])
        case .map(let value):
            repetition += 1
            let level = Int32(repetition)
            let keyLeaf = leaf()
            let (valueNode, valueIndex) = try make("value", value, path: path + "{}")
            repetition -= 1
            node = .init(kind: .map, leaf: keyLeaf, level: level, child: valueIndex)
            schemaNode = .group(
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
            var planned: [ShredPlan.Field] = []
            var seen = Set<[UInt8]>()
            for field in fields {
                guard seen.insert(Array(field.name.utf8)).inserted else {
                    throw ParquetRowsError(.invalidSchema, "column '\(path)': the struct names the field '\(field.name)' twice")
                }
                let (child, index) = try make(field.name, field.type, path: path + "." + field.name)
                children.append(child)
                let (start, end) = self.name(field.name)
                planned.append(ShredPlan.Field(nameStart: start, nameEnd: end, node: index))
            }
            // The fields go in after the recursion, so that each struct's are contiguous.
            node = .init(kind: .structure, child: Int32(plan.fields.count), fieldCount: Int32(planned.count))
            plan.fields.append(contentsOf: planned)
            schemaNode = .group(name: name, repetition: .optional, logical: nil, children: children)
        }
        node.leafStart = first
        node.leafEnd = Int32(nextLeaf)
        plan.nodes.append(node)
        return (schemaNode, Int32(plan.nodes.count - 1))
    }
}
