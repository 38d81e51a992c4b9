import Parquet
import Testing

/// Appends that do not fit the schema, rows of the wrong shape and bad options: each refused
/// with an error naming the row and the leaf, never written.
@Suite struct WriterErrorTests {
    /// a: required int32; b: optional FIXED_LEN_BYTE_ARRAY(4); l: optional list of optional strings.
    static let schema = try! ParquetSchema(columns: [
        .leaf(name: "a", repetition: .required, type: .int32, logical: nil),
        .leaf(name: "b", repetition: .optional, type: .fixedLenByteArray(4), logical: nil),
        WriterTests.list("l", .leaf(name: "element", repetition: .optional, type: .byteArray, logical: .string)),
    ])

    static func expectError(_ message: String, code: ParquetError.Code = .invalidAppend, _ body: (inout ParquetWriter) throws -> Void) {
        var writer = ParquetWriter(schema: schema, options: WriterOptions())
        #expect {
            try body(&writer)
        } throws: { error in
            guard let error = error as? ParquetError else { return false }
            return error.code == code && error.message.contains(message)
        }
        // The failure stays: the writer never produces a file after it.
        #expect(throws: ParquetError.self) { _ = try writer.finish() }
    }

    /// A well-formed row for leaves 1 and 2.
    static func rest(_ writer: inout ParquetWriter) {
        writer.appendNull(leaf: 1, definition: 0, repetition: 0)
        writer.appendNull(leaf: 2, definition: 0, repetition: 0)
    }

    @Test func leafOutOfRange() {
        Self.expectError("row 0: leaf 7 is not in the schema's 3 leaves") { writer in
            writer.append(leaf: 7, int32: 1, repetition: 0)
            try writer.endRow()
        }
    }

    @Test func wrongType() {
        Self.expectError("row 0, leaf 0 (a): a int64 value for a int32 column") { writer in
            writer.append(leaf: 0, int64: 1, repetition: 0)
            Self.rest(&writer)
            try writer.endRow()
        }
    }

    @Test func fixedLengthChecked() {
        Self.expectError("leaf 1 (b): a value of 3 bytes for FIXED_LEN_BYTE_ARRAY(4)") { writer in
            writer.append(leaf: 0, int32: 1, repetition: 0)
            [UInt8]([1, 2, 3]).withUnsafeBytes { writer.append(leaf: 1, bytes: $0, repetition: 0) }
            writer.appendNull(leaf: 2, definition: 0, repetition: 0)
            try writer.endRow()
        }
    }

    @Test func nullOnARequiredLeafOrAtTheValueLevel() {
        Self.expectError("leaf 0 (a): definition level 0 of a null is not in 0..<0") { writer in
            writer.appendNull(leaf: 0, definition: 0, repetition: 0)
            try writer.endRow()
        }
        Self.expectError("leaf 2 (l.list.element): definition level 3 of a null is not in 0..<3") { writer in
            writer.append(leaf: 0, int32: 1, repetition: 0)
            writer.appendNull(leaf: 1, definition: 0, repetition: 0)
            writer.appendNull(leaf: 2, definition: 3, repetition: 0)
            try writer.endRow()
        }
    }

    @Test func rowShape() {
        Self.expectError("row 0, leaf 1 (b): no value or null in the row") { writer in
            writer.append(leaf: 0, int32: 1, repetition: 0)
            writer.appendNull(leaf: 2, definition: 0, repetition: 0)
            try writer.endRow()
        }
        Self.expectError("leaf 0 (a): a second repetition level 0 (a new row) before endRow()") { writer in
            writer.append(leaf: 0, int32: 1, repetition: 0)
            writer.append(leaf: 0, int32: 2, repetition: 0)
            try writer.endRow()
        }
        Self.expectError("leaf 2 (l.list.element): repetition level 1 before the row's first value") { writer in
            writer.append(leaf: 0, int32: 1, repetition: 0)
            writer.appendNull(leaf: 1, definition: 0, repetition: 0)
            writer.append(leaf: 2, string: "x", repetition: 1)
            try writer.endRow()
        }
        Self.expectError("leaf 0 (a): repetition level 1 is not in 0...0") { writer in
            writer.append(leaf: 0, int32: 1, repetition: 1)
            try writer.endRow()
        }
        Self.expectError("row 1, leaf 0 (a): appended but the row was not ended with endRow()") { writer in
            writer.append(leaf: 0, int32: 1, repetition: 0)
            Self.rest(&writer)
            try writer.endRow()
            writer.append(leaf: 0, int32: 1, repetition: 0)
            _ = try writer.finish()
        }
    }

    static let badOptions: [(WriterOptions, String)] = {
        var gzip = WriterOptions(), zstd = WriterOptions(), page = WriterOptions(), dictionary = WriterOptions()
        gzip.codec = .gzip(level: 13)
        zstd.codec = .zstd(level: 1000)
        page.pageBytes = 0
        dictionary.dictionaryPageBytes = 1 << 31
        return [(gzip, "gzip level 13"), (zstd, "zstd level 1000"), (page, "pageBytes (0)"), (dictionary, "dictionaryPageBytes (2147483648)")]
    }()

    @Test(arguments: badOptions)
    func optionsOutOfRange(options: WriterOptions, message: String) {
        var writer = ParquetWriter(schema: Self.schema, options: options)
        #expect {
            _ = try writer.finish()
        } throws: { error in
            (error as? ParquetError)?.code == .invalidOptions && (error as? ParquetError)?.message.contains(message) == true
        }
    }

    @Test func sameRowsSameBytes() throws {
        let model = RowModel(schema: WriterTests.kitchenSink)
        let rows = WriterTests.kitchenSinkRows(50)
        var options = WriterOptions()
        options.pageBytes = 300
        let first = try model.file(rows, options: options)
        #expect(try model.file(rows, options: options) == first)
        #expect(try model.file(Array(rows.dropLast()), options: options) != first)
        #expect(Array(first.prefix(4)) == Array("PAR1".utf8) && Array(first.suffix(4)) == Array("PAR1".utf8))
    }
}
