import Testing

@testable import Parquet

/// The writer's files read back by the reader to the rows given, over random schemas (structs,
/// 3-level lists and maps nested to depth 4, every leaf type, optional and required fields) and
/// random rows (nulls at every level, empty lists), with every codec, small pages and row groups,
/// and dictionaries that overflow into PLAIN.
@Suite struct WriterReaderRoundTripTests {
    struct Random {
        var generator: SplitMix64
        mutating func below(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    static func leaf(_ name: String, _ repetition: Repetition, _ random: inout Random) -> SchemaNode {
        switch random.below(7) {
        case 0: .leaf(name: name, repetition: repetition, type: .boolean, logical: nil)
        case 1: .leaf(name: name, repetition: repetition, type: .int32, logical: nil)
        case 2: .leaf(name: name, repetition: repetition, type: .int64, logical: nil)
        case 3: .leaf(name: name, repetition: repetition, type: .byteArray, logical: .string)
        case 4: .leaf(name: name, repetition: repetition, type: .byteArray, logical: nil)
        case 5: .leaf(name: name, repetition: repetition, type: .fixedLenByteArray(16), logical: .decimal(precision: 38, scale: random.below(10)))
        default: .leaf(name: name, repetition: repetition, type: .int64, logical: .decimal(precision: 18, scale: 2))
        }
    }

    static func node(_ name: String, depth: Int, _ random: inout Random, repetition: Repetition? = nil) -> SchemaNode {
        let repetition = repetition ?? (random.chance(75) ? .optional : .required)
        guard depth < 4, random.chance(45) else { return leaf(name, repetition, &random) }
        switch random.below(3) {
        case 0:
            let children = (0..<1 + random.below(3)).map { node("f\($0)", depth: depth + 1, &random) }
            return .group(name: name, repetition: repetition, logical: nil, children: children)
        case 1:
            let element = node("element", depth: depth + 1, &random)
            return .group(name: name, repetition: repetition, logical: .list, children: [.group(name: "list", repetition: .repeated, logical: nil, children: [element])])
        default:
            let key = SchemaNode.leaf(name: "key", repetition: .required, type: .byteArray, logical: .string)
            let value = node("value", depth: depth + 1, &random)
            return .group(name: name, repetition: repetition, logical: .map, children: [.group(name: "key_value", repetition: .repeated, logical: nil, children: [key, value])])
        }
    }

    static func value(_ node: SchemaNode, _ random: inout Random) -> ParquetValue? {
        if node.repetition == .optional && random.chance(20) { return nil }
        switch node {
        case .leaf(_, _, let type, _):
            switch type {
            case .boolean: return .bool(random.chance(50))
            case .int32: return .int32(Int32(truncatingIfNeeded: random.generator.next()))
            case .int64: return .int64(random.chance(50) ? Int64(random.below(5)) : Int64(bitPattern: random.generator.next()))
            case .byteArray: return .bytes(Array(["", "a", "bb", "Zoë", "渡辺🚀"][random.below(5)].utf8) + (random.chance(30) ? [UInt8(random.below(256))] : []))
            case .fixedLenByteArray(let width): return .bytes((0..<width).map { _ in UInt8(random.below(256)) })
            }
        case .group(_, _, .list?, let children):
            guard case .group(_, _, _, let inner) = children[0] else { return nil }
            return .list((0..<random.below(4)).map { _ in value(inner[0], &random) })
        case .group(_, _, .map?, let children):
            return .list((0..<random.below(3)).map { _ in value(children[0], &random) })
        case .group(_, _, _, let children):
            return .group(children.map { value($0, &random) })
        }
    }

    /// Dremel striping, written here apart from the reader's assembly: each leaf's entries for a value.
    struct Shredder {
        var writer: ParquetWriter
        var leafIndex: [String: Int] = [:]

        func leaves(_ node: SchemaNode, _ path: [String]) -> [Int] {
            switch node {
            case .leaf: return [leafIndex[(path + [node.name]).joined(separator: ".")]!]
            case .group(_, _, _, let children): return children.flatMap { leaves($0, path + [node.name]) }
            }
        }

        mutating func nulls(_ node: SchemaNode, _ path: [String], repetition: Int, definition: Int) {
            for leaf in leaves(node, path) { writer.appendNull(leaf: leaf, definition: definition, repetition: repetition) }
        }

        /// A field (not repeated itself) of a present parent at `definition`.
        mutating func field(_ node: SchemaNode, _ value: ParquetValue?, _ path: [String], repetition: Int, definition: Int, depth: Int) {
            guard let value else { return nulls(node, path, repetition: repetition, definition: definition) }
            present(node, value, path, repetition: repetition, definition: definition + (node.repetition == .optional ? 1 : 0), depth: depth)
        }

        mutating func present(_ node: SchemaNode, _ value: ParquetValue, _ path: [String], repetition: Int, definition: Int, depth: Int) {
            let here = path + [node.name]
            switch (node, value) {
            case (.leaf(let name, _, _, _), _):
                let leaf = leafIndex[here.joined(separator: ".")]!
                _ = name
                switch value {
                case .bool(let flag): writer.append(leaf: leaf, bool: flag, repetition: repetition)
                case .int32(let number): writer.append(leaf: leaf, int32: number, repetition: repetition)
                case .int64(let number): writer.append(leaf: leaf, int64: number, repetition: repetition)
                case .bytes(let raw): raw.withUnsafeBytes { writer.append(leaf: leaf, bytes: $0, repetition: repetition) }
                default: Issue.record("a \(value) for leaf \(here)")
                }
            case (.group(_, _, let logical, let children), .list(let items)) where logical == .list || logical == .map:
                let repeated = children[0]
                guard !items.isEmpty else { return nulls(repeated, here, repetition: repetition, definition: definition) }
                for (index, item) in items.enumerated() {
                    let level = index == 0 ? repetition : depth + 1
                    if logical == .list, case .group(_, _, _, let inner) = repeated {
                        field(inner[0], item, here + [repeated.name], repetition: level, definition: definition + 1, depth: depth + 1)
                    } else if let item {
                        present(repeated, item, here, repetition: level, definition: definition + 1, depth: depth + 1)
                    }
                }
            case (.group(_, _, _, let children), .group(let fields)):
                for (child, item) in zip(children, fields) {
                    field(child, item, here, repetition: repetition, definition: definition, depth: depth)
                }
            default:
                Issue.record("a \(value) for group \(here)")
            }
        }
    }

    @Test(arguments: 0..<60)
    func randomSchemasAndRowsReadBack(seed: Int) throws {
        var random = Random(generator: SplitMix64(seed: UInt64(seed) &* 7919 &+ 1))
        let columns = (0..<1 + random.below(4)).map { Self.node("c\($0)", depth: 0, &random) }
        let schema = try ParquetSchema(columns: columns)
        var options = WriterOptions()
        options.codec = [Codec.none, .snappy, .gzip(level: 6), .zstd(level: 3)][seed % 4]
        options.pageBytes = [64, 1 << 10, 1 << 20][random.below(3)]
        options.rowGroupBytes = [256, 1 << 20][random.below(2)]
        options.dictionaryPageBytes = [0, 40, 1 << 20][random.below(3)]
        options.keyValueMetadata = [("ddbcdc.layout", "typed"), ("seed", "\(seed)")]
        var shredder = Shredder(writer: ParquetWriter(schema: schema, options: options))
        for (index, leaf) in schema.leaves.enumerated() { shredder.leafIndex[leaf.path.joined(separator: ".")] = index }
        let rows = (0..<random.below(120)).map { _ in columns.map { Self.value($0, &random) } }
        for row in rows {
            for (column, value) in zip(columns, row) {
                if column.repetition == .required, value == nil { Issue.record("generated a null for a required column") }
                shredder.field(column, value, [], repetition: 0, definition: 0, depth: 0)
            }
            try shredder.writer.endRow()
        }
        let bytes = try shredder.writer.finish()
        let file = try ParquetFile(bytes: bytes)
        #expect(file.schema == schema)
        #expect(file.rows == rows.count)
        #expect(file.keyValueMetadata.map(\.key) == ["ddbcdc.layout", "seed"])
        let read = try file.readRows()
        #expect(read.count == rows.count)
        for (index, (got, want)) in zip(read, rows).enumerated() where got != want {
            Issue.record("seed \(seed), row \(index):\n got  \(got)\n want \(want)\n schema \(columns)")
            break
        }
    }
}
