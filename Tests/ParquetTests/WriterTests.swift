import Foundation
import Parquet
import Testing

/// Files written here and read by pyarrow (and DuckDB): every codec, physical and logical type,
/// nesting, page and row-group cut, the dictionary fallback and the footer's statistics.
@Suite struct WriterTests {
    /// optional group <name> (LIST) { repeated group list { <element> } }
    static func list(_ name: String, _ element: SchemaNode, repetition: Repetition = .optional) -> SchemaNode {
        .group(name: name, repetition: repetition, logical: .list, children: [.group(name: "list", repetition: .repeated, logical: nil, children: [element])])
    }

    /// optional group <name> (MAP) { repeated group key_value { required key; value } }
    static func map(_ name: String, key: SchemaNode, value: SchemaNode) -> SchemaNode {
        .group(name: name, repetition: .optional, logical: .map, children: [.group(name: "key_value", repetition: .repeated, logical: nil, children: [key, value])])
    }

    static func listValue(_ items: [Value]) -> Value { .group([.list(items.map { .group([$0]) })]) }

    /// Every type of the layout contract, nested lists of structs of lists, a map, nulls at every level.
    static let kitchenSink = try! ParquetSchema(columns: [
        .leaf(name: "s", repetition: .optional, type: .byteArray, logical: .string),
        .leaf(name: "j", repetition: .optional, type: .byteArray, logical: .json),
        .leaf(name: "b", repetition: .optional, type: .boolean, logical: nil),
        .leaf(name: "i32", repetition: .required, type: .int32, logical: nil),
        .leaf(name: "i64", repetition: .optional, type: .int64, logical: nil),
        .leaf(name: "ts", repetition: .optional, type: .int64, logical: .timestampMillis(utc: true)),
        .leaf(name: "d9", repetition: .optional, type: .int32, logical: .decimal(precision: 9, scale: 2)),
        .leaf(name: "d18", repetition: .optional, type: .int64, logical: .decimal(precision: 18, scale: 6)),
        .leaf(name: "d38", repetition: .optional, type: .fixedLenByteArray(16), logical: .decimal(precision: 38, scale: 10)),
        .leaf(name: "bin", repetition: .optional, type: .byteArray, logical: nil),
        .leaf(name: "fixed", repetition: .optional, type: .fixedLenByteArray(3), logical: nil),
        list(
            "items",
            .group(
                name: "element", repetition: .optional, logical: nil,
                children: [
                    .leaf(name: "name", repetition: .required, type: .byteArray, logical: .string),
                    list("tags", .leaf(name: "element", repetition: .optional, type: .byteArray, logical: .string)),
                ])),
        map("attrs", key: .leaf(name: "key", repetition: .required, type: .byteArray, logical: .string),
            value: .leaf(name: "value", repetition: .optional, type: .int64, logical: nil)),
    ])

    static let maxDecimal38 = Int128("99999999999999999999999999999999999999")!

    static func kitchenSinkRows(_ count: Int) -> [[Value]] {
        (0..<count).map { n in
            let i = Int64(n)
            let tags: Value =
                switch n % 4 {
                case 0: .null  // a null list
                case 1: listValue([])  // an empty list
                case 2: listValue([.string("t\(n)"), .null, .string("ünï \u{1F600} \(n % 3)")])  // a null element
                default: listValue([.string("x")])
                }
            let items: Value =
                switch n % 5 {
                case 0: .null
                case 1: listValue([])
                case 2: listValue([.null, .group([.string("n\(n)"), tags])])  // a null struct in the list
                default: listValue([.group([.string("a"), tags]), .group([.string(""), listValue([.null])])])
                }
            let attrs: Value =
                n % 3 == 0 ? .null : .group([.list([.group([.string("k"), .int(i)]), .group([.string("k2"), .null])])])
            return [
                n % 7 == 0 ? .null : .string(["plain", "ünïcödé ✓", "", "日本語", "emoji \u{1F680}"][n % 5]),
                n % 6 == 0 ? .null : .string("{\"a\":\(n)}"),
                n % 3 == 0 ? .null : .bool(n % 2 == 0),
                .int(n % 2 == 0 ? Int64(Int32.min) + i : Int64(Int32.max) - i),
                n % 4 == 0 ? .null : .int(n % 2 == 0 ? Int64.min + i : Int64.max - i),
                n % 5 == 0 ? .null : .int(1_700_000_000_000 + i * 1_000 - 86_400_000 * Int64(n % 3)),
                n % 4 == 1 ? .null : .int([0, -999_999_999, 999_999_999, -1, 12345][n % 5]),
                n % 4 == 2 ? .null : .int([0, -999_999_999_999_999_999, 999_999_999_999_999_999, -1, 1][n % 5]),
                n % 4 == 3 ? .null : .decimal([0, -maxDecimal38, maxDecimal38, -1, 1, Int128(i) * 1_000_000_000_007][n % 6]),
                n % 5 == 4 ? .null : .bytes(n % 2 == 0 ? [] : [0, 0xFF, UInt8(n & 0xFF), 0x80]),
                n % 5 == 3 ? .null : .bytes([UInt8(n & 0xFF), 0, 0xFF]),
                items,
                attrs,
            ]
        }
    }

    static let codecs: [Codec] = [.none, .snappy, .gzip(level: 6), .gzip(level: 0), .zstd(level: 3), .zstd(level: -5)]

    @Test func everyCodecAndTypeReadsBackIdentically() throws {
        let model = RowModel(schema: Self.kitchenSink)
        let rows = Self.kitchenSinkRows(61)
        var jobs: [PyArrowPeer.Job] = []
        for codec in Self.codecs {
            var options = WriterOptions()
            options.codec = codec
            jobs.append(PyArrowPeer.Job(bytes: try model.file(rows, options: options), expectedRows: model.json(rows), metadata: true))
        }
        let answers = try PyArrowPeer.expectIdentical(jobs)
        for (answer, codec) in zip(answers, Self.codecs) {
            let metadata = try #require(answer["metadata"] as? [String: Any])
            let groups = try #require(metadata["row_groups"] as? [[String: Any]])
            let columns = try #require(groups.first?["columns"] as? [[String: Any]])
            let expected = ["UNCOMPRESSED", "SNAPPY", "GZIP", "GZIP", "ZSTD", "ZSTD"][Self.codecs.firstIndex(of: codec)!]
            #expect(columns.allSatisfy { $0["compression"] as? String == expected }, "\(codec)")
            #expect(metadata["num_rows"] as? Int == 61)
        }
    }

    @Test func duckDBReadsANestedFileIdentically() throws {
        let model = RowModel(schema: Self.kitchenSink)
        let rows = Self.kitchenSinkRows(40)
        try PyArrowPeer.expectIdentical([PyArrowPeer.Job(bytes: try model.file(rows), expectedRows: model.json(rows), duckdb: true)])
    }

    /// Chunk `c` of row group `g` from pyarrow's description of the footer.
    static func column(_ answer: [String: Any], _ g: Int, _ c: Int) throws -> [String: Any] {
        let metadata = try #require(answer["metadata"] as? [String: Any])
        let groups = try #require(metadata["row_groups"] as? [[String: Any]])
        let columns = try #require(groups[g]["columns"] as? [[String: Any]])
        return columns[c]
    }

    /// Per row group, the bounds pyarrow reports against the bounds of the rows computed here.
    @Test func statisticsByTypeOrder() throws {
        let schema = try ParquetSchema(columns: [
            .leaf(name: "i32", repetition: .optional, type: .int32, logical: nil),
            .leaf(name: "i64", repetition: .optional, type: .int64, logical: nil),
            .leaf(name: "d", repetition: .optional, type: .fixedLenByteArray(16), logical: .decimal(precision: 38, scale: 3)),
            .leaf(name: "s", repetition: .optional, type: .byteArray, logical: .string),
            .leaf(name: "bin", repetition: .optional, type: .byteArray, logical: nil),
            .leaf(name: "b", repetition: .optional, type: .boolean, logical: nil),
            .leaf(name: "ts", repetition: .optional, type: .int64, logical: .timestampMillis(utc: true)),
            .leaf(name: "long", repetition: .optional, type: .byteArray, logical: .string),
            .leaf(name: "nulls", repetition: .optional, type: .int64, logical: nil),
        ])
        var random = SplitMix64(seed: 7)
        let words = ["b", "a", "ab", "é", "z", "Z", "日", "", "zz"]
        let rows: [[Value]] = (0..<400).map { n in
            let maybe = { (value: Value) -> Value in random.next() % 5 == 0 ? .null : value }
            return [
                maybe(.int(Int64(Int32(truncatingIfNeeded: random.next())))),
                maybe(.int(Int64(bitPattern: random.next()))),
                maybe(.decimal(Int128(Int64(bitPattern: random.next())) * Int128(Int64(bitPattern: random.next() >> 8)))),
                maybe(.string(words[Int(random.next() % UInt64(words.count))])),
                maybe(.bytes([UInt8(truncatingIfNeeded: random.next()), 0x80, UInt8(n % 3)])),
                maybe(.bool(n % 7 == 0)),
                maybe(.int(Int64(random.next() % 4_000_000_000_000))),
                // A bound longer than 64 bytes in the chunk: its min/max are left out.
                .string(n == 3 ? String(repeating: "x", count: 65) : "short"),
                .null,
            ]
        }
        var options = WriterOptions()
        options.rowGroupBytes = 4000
        let model = RowModel(schema: schema)
        let answer = try #require(
            try PyArrowPeer.expectIdentical([PyArrowPeer.Job(bytes: try model.file(rows, options: options), expectedRows: model.json(rows), metadata: true)]).first)
        let metadata = try #require(answer["metadata"] as? [String: Any])
        let groups = try #require(metadata["row_groups"] as? [[String: Any]])
        #expect(groups.count > 1, "the 4,000-byte row groups should have cut the 400 rows")
        var first = 0
        for (g, group) in groups.enumerated() {
            let count = try #require(group["num_rows"] as? Int)
            let slice = rows[first..<(first + count)]
            first += count
            for (c, node) in schema.columns.enumerated() {
                let values = slice.map { $0[c] }.filter { if case .null = $0 { return false } else { return true } }
                let stats = try #require(try Self.column(answer, g, c)["statistics"] as? [String: Any])
                #expect(stats["null_count"] as? Int == count - values.count, "\(node.name) row group \(g)")
                let expectedBounds: (JSON, JSON)?
                switch node.name {
                case "i32", "i64", "ts":
                    let ints = values.compactMap { if case .int(let v) = $0 { v } else { nil } }
                    expectedBounds = ints.isEmpty ? nil : (.int(ints.min()!), .int(ints.max()!))
                case "d":
                    let decimals = values.compactMap { if case .decimal(let v) = $0 { v } else { nil } }
                    expectedBounds = (.string(RowModel.decimalText(decimals.min()!, scale: 3)), .string(RowModel.decimalText(decimals.max()!, scale: 3)))
                case "s", "bin":
                    // Unsigned byte-wise: compare the UTF-8 (or raw) bytes, not Swift's string order.
                    let bytes = values.map { v -> [UInt8] in if case .string(let s) = v { Array(s.utf8) } else if case .bytes(let b) = v { b } else { [] } }
                    let lo = bytes.min { $0.lexicographicallyPrecedes($1) }!, hi = bytes.max { $0.lexicographicallyPrecedes($1) }!
                    expectedBounds = node.name == "s"
                        ? (.string(String(decoding: lo, as: UTF8.self)), .string(String(decoding: hi, as: UTF8.self)))
                        : (.string(RowModel.hex(lo)), .string(RowModel.hex(hi)))
                case "b":
                    let bools = values.compactMap { if case .bool(let v) = $0 { v } else { nil } }
                    expectedBounds = (.bool(bools.contains(false) ? false : true), .bool(bools.contains(true)))
                case "long":
                    expectedBounds = g == 0 ? nil : (.string("short"), .string("short"))
                default:
                    expectedBounds = nil
                }
                #expect(stats["has_min_max"] as? Bool == (expectedBounds != nil), "\(node.name) row group \(g)")
                if let (lo, hi) = expectedBounds {
                    #expect(stats["min_json"] as? String == lo.text, "\(node.name) row group \(g) min")
                    #expect(stats["max_json"] as? String == hi.text, "\(node.name) row group \(g) max")
                }
            }
        }
        #expect(first == rows.count)
    }

    /// Small pages and row groups, uncompressed so that the pages can be inspected: every page
    /// starts a row, page sizes add up to the chunk's sizes and offsets, levels to num_values.
    @Test func pagesHoldWholeRowsAndSizesAddUp() throws {
        let model = RowModel(schema: Self.kitchenSink)
        let rows = Self.kitchenSinkRows(300)
        var jobs: [PyArrowPeer.Job] = []
        for codec in [Codec.none, .snappy] {
            var options = WriterOptions()
            options.codec = codec
            options.pageBytes = 64
            options.rowGroupBytes = 12_000
            jobs.append(PyArrowPeer.Job(bytes: try model.file(rows, options: options), expectedRows: model.json(rows), metadata: true, pages: true))
        }
        let answers = try PyArrowPeer.expectIdentical(jobs)
        for (job, answer) in answers.enumerated() {
            let chunks = try #require(answer["pages"] as? [[String: Any]])
            let metadata = try #require(answer["metadata"] as? [String: Any])
            #expect((metadata["num_row_groups"] as? Int ?? 0) > 1, "several row groups")
            var multiPage = 0, rowStarts = 0
            for chunk in chunks {
                let g = chunk["row_group"] as! Int, c = chunk["column"] as! Int
                let column = try Self.column(answer, g, c)
                let pages = try #require(chunk["pages"] as? [[String: Any]])
                #expect(chunk["ends_at_chunk_end"] as? Bool == true, "total_compressed_size of \(g)/\(c)")
                #expect(chunk["levels"] as? Int == column["num_values"] as? Int, "num_values of \(g)/\(c)")
                #expect(chunk["first_data_page"] as? Int == column["data_page_offset"] as? Int, "data_page_offset of \(g)/\(c)")
                let uncompressed = pages.reduce(0) { $0 + ($1["header"] as! Int) + ($1["uncompressed"] as! Int) }
                #expect(uncompressed == column["total_uncompressed_size"] as? Int, "total_uncompressed_size of \(g)/\(c)")
                if column["has_dictionary_page"] as? Bool == true {
                    #expect(pages.first?["type"] as? Int == 2 && pages.first?["offset"] as? Int == column["dictionary_page_offset"] as? Int)
                }
                #expect(pages.filter { $0["type"] as? Int == 2 }.count <= 1)
                let data = pages.filter { $0["type"] as? Int == 0 }
                if data.count > 1 { multiPage += 1 }
                if job == 0 {
                    for page in data where page["first_repetition"] != nil {
                        #expect(page["first_repetition"] as? Int == 0, "a page of \(g)/\(c) starts inside a row")
                        rowStarts += 1
                    }
                }
            }
            #expect(multiPage > 10, "the 64-byte pages should have cut most chunks")
            if job == 0 { #expect(rowStarts > 20, "pages of repeated leaves whose first level was checked") }
        }
    }

    /// A dictionary that outgrows dictionaryPageBytes: the chunk's first pages keep their
    /// indices, the page being filled and the rest go PLAIN; the next chunk starts a new dictionary.
    @Test func dictionaryFallsBackToPlain() throws {
        let schema = try ParquetSchema(columns: [
            .leaf(name: "s", repetition: .optional, type: .byteArray, logical: .string),
            .leaf(name: "few", repetition: .required, type: .int64, logical: nil),
            .leaf(name: "b", repetition: .required, type: .boolean, logical: nil),
            .leaf(name: "d", repetition: .optional, type: .fixedLenByteArray(16), logical: .decimal(precision: 38, scale: 0)),
        ])
        let rows: [[Value]] = (0..<600).map { (n: Int) -> [Value] in
            let s: Value = n % 9 == 0 ? .null : .string("value \(n / 2)")
            let d = Int128(n) * Int128(-1_000_000_000_000_000_000)
            return [s, .int(Int64(n % 3)), .bool(n % 2 == 1), .decimal(d)]
        }
        var options = WriterOptions()
        options.codec = .none
        // ~70 distinct strings fill the dictionary by row 140; a page holds ~40 of them.
        options.dictionaryPageBytes = 1000
        options.pageBytes = 40
        options.rowGroupBytes = 20_000
        let model = RowModel(schema: schema)
        let answer = try #require(
            try PyArrowPeer.expectIdentical([PyArrowPeer.Job(bytes: try model.file(rows, options: options), expectedRows: model.json(rows), metadata: true, pages: true)]).first)
        let chunks = try #require(answer["pages"] as? [[String: Any]])
        let strings = try #require(chunks.first { $0["row_group"] as? Int == 0 && $0["column"] as? Int == 0 }?["pages"] as? [[String: Any]])
        let kinds = strings.map { ($0["type"] as! Int, $0["encoding"] as! Int) }
        // Dictionary page (PLAIN), RLE_DICTIONARY data pages, then PLAIN data pages only.
        #expect(kinds.first! == (2, 0))
        let data = kinds.dropFirst().map(\.1)
        let firstPlain = try #require(data.firstIndex(of: 0), "no PLAIN page after the dictionary filled: \(data)")
        #expect(firstPlain > 0 && data[..<firstPlain].allSatisfy { $0 == 8 } && data[firstPlain...].allSatisfy { $0 == 0 }, "\(data)")
        let column = try Self.column(answer, 0, 0)
        #expect(Set(column["encodings"] as? [String] ?? []) == ["PLAIN", "RLE", "RLE_DICTIONARY"])
        // The dictionary page stays within its limit: 1,000 bytes PLAIN.
        #expect(try #require(strings.first?["uncompressed"] as? Int) <= 1000)
        // Three distinct int64s: dictionary all the way; booleans: PLAIN, no dictionary.
        let few = try #require(chunks.first { $0["row_group"] as? Int == 0 && $0["column"] as? Int == 1 }?["pages"] as? [[String: Any]])
        #expect(few.dropFirst().allSatisfy { $0["encoding"] as? Int == 8 } && few.first?["type"] as? Int == 2)
        let bools = try Self.column(answer, 0, 2)
        #expect(bools["has_dictionary_page"] as? Bool == false)
        #expect(Set(bools["encodings"] as? [String] ?? []) == ["PLAIN"])
    }

    /// Pages are cut at the end of exactly the row that brings their encoded size to `pageBytes`,
    /// though the writer measures its columns only when they could have got there: PLAIN values
    /// of 14 bytes (a 4-byte length and 10 bytes) against 100-byte pages are 8 per page; and a
    /// dictionary that fills at the 6th value turns the page's indices (a byte) into 84 PLAIN
    /// bytes at once, which must cut that page at its 6th row against 80-byte pages.
    @Test func pagesAreCutAtTheRowThatFillsThem() throws {
        let schema = try ParquetSchema(columns: [.leaf(name: "s", repetition: .required, type: .byteArray, logical: .string)])
        let rows: [[Value]] = (0..<50).map { (n: Int) -> [Value] in [.string("value \(1000 + n)")] }
        let model = RowModel(schema: schema)
        func dataPageValues(pageBytes: Int, dictionaryPageBytes: Int) throws -> [Int] {
            var options = WriterOptions()
            options.codec = .none
            options.pageBytes = pageBytes
            options.dictionaryPageBytes = dictionaryPageBytes
            let answer = try #require(
                try PyArrowPeer.expectIdentical([PyArrowPeer.Job(bytes: try model.file(rows, options: options), expectedRows: model.json(rows), pages: true)]).first)
            let chunks = try #require(answer["pages"] as? [[String: Any]])
            let pages = try #require(chunks.first?["pages"] as? [[String: Any]])
            return pages.filter { $0["type"] as? Int == 0 }.compactMap { $0["num_values"] as? Int }
        }
        #expect(try dataPageValues(pageBytes: 100, dictionaryPageBytes: 0) == [8, 8, 8, 8, 8, 8, 2])
        let withDictionary = try dataPageValues(pageBytes: 80, dictionaryPageBytes: 70)
        #expect(withDictionary.first == 6, "\(withDictionary)")
        #expect(withDictionary.reduce(0, +) == 50)
    }

    /// A chunk whose first values are all distinct is written PLAIN, without a dictionary page (a
    /// dictionary would save nothing and cost a hash and a copy per value); one whose values repeat
    /// keeps its dictionary. Decided after the chunk's first 256 values, by size.
    @Test func distinctValuesAreNotDictionaryEncoded() throws {
        let schema = try ParquetSchema(columns: [
            .leaf(name: "unique", repetition: .required, type: .byteArray, logical: .string),
            .leaf(name: "repeats", repetition: .required, type: .byteArray, logical: .string),
            .leaf(name: "mostlyDistinct", repetition: .required, type: .int64, logical: nil),
        ])
        let rows: [[Value]] = (0..<300).map { (n: Int) -> [Value] in
            [.string("1767225600000-0000000000000000000400000031338\(827_855_146 + n)"), .string("status \(n % 5)"), .int(Int64(n % 200))]
        }
        var options = WriterOptions()
        options.codec = .none
        let model = RowModel(schema: schema)
        let answer = try #require(
            try PyArrowPeer.expectIdentical([PyArrowPeer.Job(bytes: try model.file(rows, options: options), expectedRows: model.json(rows), metadata: true, pages: true)]).first)
        let unique = try Self.column(answer, 0, 0)
        #expect(unique["has_dictionary_page"] as? Bool == false)
        #expect(Set(unique["encodings"] as? [String] ?? []) == ["PLAIN"])
        let repeats = try Self.column(answer, 0, 1)
        #expect(repeats["has_dictionary_page"] as? Bool == true)
        #expect(Set(repeats["encodings"] as? [String] ?? []) == ["PLAIN", "RLE_DICTIONARY"])
        // 200 distinct int64s among the first 256: the dictionary (1,600 bytes, and 256 of 8-bit
        // indices) is still smaller than PLAIN (2,048 bytes): kept. The rule is size, not a count.
        let short = try Self.column(answer, 0, 2)
        #expect(short["has_dictionary_page"] as? Bool == true)
    }

    /// Footer fields: created_by, key-value metadata in order, the schema as pyarrow prints it.
    @Test func footerMetadata() throws {
        let model = RowModel(schema: Self.kitchenSink)
        var options = WriterOptions()
        options.createdBy = "ddbcdc test"
        options.keyValueMetadata = [(key: "ddbcdc.layout", value: "typed"), (key: "ünï", value: "✓")]
        let rows = Self.kitchenSinkRows(3)
        let answer = try #require(
            try PyArrowPeer.expectIdentical([PyArrowPeer.Job(bytes: try model.file(rows, options: options), expectedRows: model.json(rows), metadata: true)]).first)
        let metadata = try #require(answer["metadata"] as? [String: Any])
        #expect(metadata["created_by"] as? String == "ddbcdc test")
        #expect(metadata["key_value"] as? [String: String] == ["ddbcdc.layout": "typed", "ünï": "✓"])
        let schema = try #require(metadata["schema"] as? String)
        for line in [
            "optional binary field_id=-1 s (String);", "optional binary field_id=-1 j (JSON);",
            "optional int64 field_id=-1 ts (Timestamp(isAdjustedToUTC=true, timeUnit=milliseconds, is_from_converted_type=false, force_set_converted_type=false));",
            "optional fixed_len_byte_array(16) field_id=-1 d38 (Decimal(precision=38, scale=10));",
            "optional group field_id=-1 items (List) {", "optional group field_id=-1 attrs (Map) {",
        ] {
            #expect(schema.contains(line), "\(line) in \(schema)")
        }
    }

    @Test func emptyFileHasTheSchemaAndNoRowGroups() throws {
        let model = RowModel(schema: Self.kitchenSink)
        let answer = try #require(try PyArrowPeer.expectIdentical([PyArrowPeer.Job(bytes: try model.file([]), expectedRows: [], metadata: true)]).first)
        let metadata = try #require(answer["metadata"] as? [String: Any])
        #expect(metadata["num_row_groups"] as? Int == 0)
        #expect(metadata["num_rows"] as? Int == 0)
    }
}
