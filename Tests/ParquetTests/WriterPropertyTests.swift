import Parquet
import Testing

/// Random nested schemas with random rows (seeded), each file read back identically by pyarrow,
/// all in one Python process; random codecs, page, row-group and dictionary sizes.
@Suite struct WriterPropertyTests {
    struct Generator {
        var random: SplitMix64
        var names = 0

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

        mutating func name() -> String {
            names += 1
            return ["c", "ü", "x_y", "日本", "A b"][names % 5] + String(names)
        }

        mutating func repetition() -> Repetition { chance(70) ? .optional : .required }

        mutating func node(depth: Int) -> SchemaNode {
            let kind = depth >= 3 ? 0 : int(0...9)
            switch kind {
            case 7:  // a struct
                let children = (0..<int(1...3)).map { _ in node(depth: depth + 1) }
                return .group(name: name(), repetition: repetition(), logical: nil, children: children)
            case 8:  // a list
                let element = relabel(node(depth: depth + 1), "element")
                return .group(
                    name: name(), repetition: repetition(), logical: .list,
                    children: [.group(name: "list", repetition: .repeated, logical: nil, children: [element])])
            case 9:  // a map
                let key: SchemaNode =
                    chance(50)
                    ? .leaf(name: "key", repetition: .required, type: .byteArray, logical: .string)
                    : .leaf(name: "key", repetition: .required, type: .int64, logical: nil)
                return .group(
                    name: name(), repetition: repetition(), logical: .map,
                    children: [.group(name: "key_value", repetition: .repeated, logical: nil, children: [key, relabel(node(depth: depth + 1), "value")])])
            default:
                let types: [(PhysicalType, LogicalType?)] = [
                    (.boolean, nil), (.int32, nil), (.int64, nil), (.byteArray, .string), (.byteArray, .json), (.byteArray, nil),
                    (.int64, .timestampMillis(utc: true)), (.int64, .timestampMillis(utc: false)), (.int32, .decimal(precision: 9, scale: 3)), (.int64, .decimal(precision: 18, scale: 0)),
                    (.fixedLenByteArray(16), .decimal(precision: 38, scale: 9)), (.fixedLenByteArray(5), .decimal(precision: 11, scale: 11)),
                    (.fixedLenByteArray(3), nil),
                ]
                let (type, logical) = types[int(0...(types.count - 1))]
                return .leaf(name: name(), repetition: repetition(), type: type, logical: logical)
            }
        }

        func relabel(_ node: SchemaNode, _ name: String) -> SchemaNode {
            switch node {
            case .leaf(_, let repetition, let type, let logical): .leaf(name: name, repetition: repetition, type: type, logical: logical)
            case .group(_, let repetition, let logical, let children): .group(name: name, repetition: repetition, logical: logical, children: children)
            }
        }

        mutating func value(_ node: SchemaNode) -> Value {
            if node.repetition == .optional && chance(20) { return .null }
            switch node {
            case .leaf(_, _, let type, let logical):
                return leaf(type, logical)
            case .group(_, _, let logical, let children):
                if logical == .list || logical == .map, case .group(_, _, _, let inner) = children[0] {
                    let items = (0..<int(0...3)).map { _ in Value.group(inner.map { value($0) }) }
                    return .group([.list(items)])
                }
                return .group(children.map { value($0) })
            }
        }

        mutating func leaf(_ type: PhysicalType, _ logical: LogicalType?) -> Value {
            // Few distinct values half the time, so that dictionaries repeat.
            let narrow = chance(50)
            switch (type, logical) {
            case (.boolean, _): return .bool(chance(50))
            case (.int32, .decimal?): return .int(Int64(int(-999_999_999...999_999_999)))
            case (.int32, _): return .int(narrow ? Int64(int(-2...2)) : Int64(Int32.random(in: .min ... .max, using: &random)))
            case (.int64, .timestampMillis?): return .int(Int64.random(in: -30_000_000_000_000...200_000_000_000_000, using: &random))
            case (.int64, .decimal?): return .int(Int64.random(in: -999_999_999_999_999_999...999_999_999_999_999_999, using: &random))
            case (.int64, _): return .int(narrow ? Int64(int(0...3)) : Int64(bitPattern: random.next()))
            case (.fixedLenByteArray(16), _):
                let most = Int128("99999999999999999999999999999999999999")!
                return .decimal(chance(10) ? [most, -most, 0][int(0...2)] : Int128.random(in: -most...most, using: &random))
            case (.fixedLenByteArray(5), _):
                return .decimal(Int128(Int64.random(in: -99_999_999_999...99_999_999_999, using: &random)))
            case (.fixedLenByteArray(let width), _):
                return .bytes((0..<width).map { _ in UInt8.random(in: 0...255, using: &random) })
            case (.byteArray, .string?):
                let pieces = ["a", "ü", "日本", "\u{1F600}", " ", "\"", "\\", "\n", "z"]
                return .string(narrow ? pieces[int(0...2)] : (0..<int(0...12)).map { _ in pieces[int(0...(pieces.count - 1))] }.joined())
            case (.byteArray, .json?): return .string("{\"k\":\(int(0...1000))}")
            default: return .bytes((0..<int(0...10)).map { _ in UInt8.random(in: 0...255, using: &random) })
            }
        }
    }

    @Test func randomSchemasReadBackIdentically() throws {
        var generator = Generator(random: SplitMix64(seed: 2026))
        var jobs: [PyArrowPeer.Job] = []
        for _ in 0..<250 {
            let columns = (0..<generator.int(1...4)).map { _ in generator.node(depth: 0) }
            let schema = try ParquetSchema(columns: columns)
            let rows = (0..<generator.int(0...25)).map { _ in columns.map { generator.value($0) } }
            var options = WriterOptions()
            options.codec = [.none, .snappy, .gzip(level: 1), .zstd(level: 1)][generator.int(0...3)]
            options.pageBytes = [16, 200, 1 << 20][generator.int(0...2)]
            options.rowGroupBytes = [300, 3000, 1 << 20][generator.int(0...2)]
            options.dictionaryPageBytes = [0, 40, 1 << 20][generator.int(0...2)]
            let model = RowModel(schema: schema)
            let bytes = try model.file(rows, options: options)
            #expect(try model.file(rows, options: options) == bytes, "the same rows gave other bytes")
            jobs.append(PyArrowPeer.Job(bytes: bytes, expectedRows: model.json(rows)))
        }
        try PyArrowPeer.expectIdentical(jobs)
    }
}
