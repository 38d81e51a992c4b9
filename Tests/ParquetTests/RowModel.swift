import Parquet
import Testing

/// A row's value in the shape of the Parquet schema (the test's own model, independent of the
/// writer): a group's value lists its children's, a repeated node's value lists its occurrences.
indirect enum Value: Sendable {
    case null
    case bool(Bool)
    /// INT32 / INT64, a decimal's unscaled value on them, or epoch milliseconds.
    case int(Int64)
    /// A FIXED_LEN_BYTE_ARRAY decimal's unscaled value.
    case decimal(Int128)
    case bytes([UInt8])
    case string(String)
    case group([Value])
    case list([Value])
}

/// Dremel shredding of ``Value`` rows into a ``ParquetWriter``'s leaf appends, and the rows as the
/// canonical JSON the peers compare with: written from the Dremel paper's rules, not from the writer.
struct RowModel {
    let schema: ParquetSchema

    /// Appends one row (one value per top-level column) and ends it.
    func write(_ row: [Value], to writer: inout ParquetWriter) throws {
        var leaf = 0
        for (node, value) in zip(schema.columns, row) {
            emit(node, value, repetition: 0, definition: 0, depth: 0, leaf: &leaf, writer: &writer)
        }
        try writer.endRow()
    }

    /// Writes `rows` with `options` and returns the file.
    func file(_ rows: [[Value]], options: WriterOptions = WriterOptions()) throws -> [UInt8] {
        var writer = ParquetWriter(schema: schema, options: options)
        for row in rows { try write(row, to: &writer) }
        return try writer.finish()
    }

    private func emit(_ node: SchemaNode, _ value: Value, repetition: Int, definition: Int, depth: Int, leaf: inout Int, writer: inout ParquetWriter) {
        switch node.repetition {
        case .required:
            content(node, value, repetition: repetition, definition: definition, depth: depth, leaf: &leaf, writer: &writer)
        case .optional:
            if case .null = value {
                nulls(node, definition: definition, repetition: repetition, leaf: &leaf, writer: &writer)
            } else {
                content(node, value, repetition: repetition, definition: definition + 1, depth: depth, leaf: &leaf, writer: &writer)
            }
        case .repeated:
            guard case .list(let items) = value, !items.isEmpty else {
                return nulls(node, definition: definition, repetition: repetition, leaf: &leaf, writer: &writer)
            }
            let start = leaf
            for (index, item) in items.enumerated() {
                leaf = start
                content(node, item, repetition: index == 0 ? repetition : depth + 1, definition: definition + 1, depth: depth + 1, leaf: &leaf, writer: &writer)
            }
        }
    }

    private func content(_ node: SchemaNode, _ value: Value, repetition: Int, definition: Int, depth: Int, leaf: inout Int, writer: inout ParquetWriter) {
        switch node {
        case .leaf(_, _, let type, _):
            switch (type, value) {
            case (.boolean, .bool(let v)): writer.append(leaf: leaf, bool: v, repetition: repetition)
            case (.int32, .int(let v)): writer.append(leaf: leaf, int32: Int32(v), repetition: repetition)
            case (.int64, .int(let v)): writer.append(leaf: leaf, int64: v, repetition: repetition)
            case (.fixedLenByteArray(let width), .decimal(let v)):
                let bytes = (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * (width - 1 - $0))) }
                bytes.withUnsafeBytes { writer.append(leaf: leaf, bytes: $0, repetition: repetition) }
            case (_, .bytes(let v)): v.withUnsafeBytes { writer.append(leaf: leaf, bytes: $0, repetition: repetition) }
            case (_, .string(let v)): writer.append(leaf: leaf, string: v, repetition: repetition)
            default: Issue.record("the model has \(value) for a \(type) leaf")
            }
            leaf += 1
        case .group(_, _, _, let children):
            guard case .group(let values) = value else {
                Issue.record("the model has \(value) for a group")
                return
            }
            for (child, childValue) in zip(children, values) {
                emit(child, childValue, repetition: repetition, definition: definition, depth: depth, leaf: &leaf, writer: &writer)
            }
        }
    }

    private func nulls(_ node: SchemaNode, definition: Int, repetition: Int, leaf: inout Int, writer: inout ParquetWriter) {
        for _ in 0..<Self.leafCount(node) {
            writer.appendNull(leaf: leaf, definition: definition, repetition: repetition)
            leaf += 1
        }
    }

    static func leafCount(_ node: SchemaNode) -> Int {
        switch node {
        case .leaf: 1
        case .group(_, _, _, let children): children.map(leafCount).reduce(0, +)
        }
    }

    // MARK: Canonical JSON

    /// The rows as pyarrow shows them, canonicalized: an object per row keyed by column name.
    func json(_ rows: [[Value]]) -> [JSON] {
        rows.map { row in .object(zip(schema.columns, row).map { ($0.name, Self.json($0, $1)) }) }
    }

    static func json(_ node: SchemaNode, _ value: Value) -> JSON {
        if case .null = value { return .null }
        switch node {
        case .leaf(_, _, let type, let logical):
            switch (value, logical) {
            case (.bool(let v), _): return .bool(v)
            case (.int(let v), .decimal(_, let scale)?): return .string(decimalText(Int128(v), scale: scale))
            case (.decimal(let v), .decimal(_, let scale)?): return .string(decimalText(v, scale: scale))
            case (.int(let v), _): return .int(v)
            case (.string(let v), .string?), (.string(let v), .json?): return .string(v)
            case (.string(let v), _): return .string(hex(Array(v.utf8)))
            case (.bytes(let v), .string?), (.bytes(let v), .json?): return .string(String(decoding: v, as: UTF8.self))
            case (.bytes(let v), _): return .string(hex(v))
            default: return .string("unexpected \(value) for \(type)")
            }
        case .group(_, _, let logical, let children):
            guard case .group(let values) = value else { return .string("unexpected \(value) for a group") }
            switch logical {
            case .list?, .map?:
                // The one repeated child: its occurrences are the list's elements (or the map's pairs).
                guard case .group(_, _, _, let inner) = children[0] else {
                    guard case .list(let items) = values[0] else { return .array([]) }
                    return .array(items.map { json(unrepeated(children[0]), $0) })
                }
                guard case .list(let items) = values[0] else { return .array([]) }
                return .array(
                    items.map { item in
                        guard case .group(let fields) = item else { return .null }
                        if logical == .map { return .array(zip(inner, fields).map { json($0, $1) }) }
                        return json(inner[0], fields[0])
                    })
            default:
                return .object(zip(children, values).map { ($0.name, json($0, $1)) })
            }
        }
    }

    /// A repeated leaf as one of its occurrences.
    static func unrepeated(_ node: SchemaNode) -> SchemaNode {
        guard case .leaf(let name, _, let type, let logical) = node else { return node }
        return .leaf(name: name, repetition: .required, type: type, logical: logical)
    }

    static func decimalText(_ unscaled: Int128, scale: Int) -> String {
        let negative = unscaled < 0
        var digits = String(unscaled.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return (negative ? "-" : "") + digits
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
