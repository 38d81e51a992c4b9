/// Writes one Parquet file in memory from values in Dremel form (a value or a null per leaf, with
/// its repetition and definition levels), as a row shredder produces them.
///
/// The file has data pages v1 whose levels are RLE/bit-packed with a 4-byte length (repetition
/// levels only when the leaf is repeated, definition levels only when it can be null);
/// values are dictionary-encoded (a PLAIN dictionary page, RLE_DICTIONARY data pages) until the
/// chunk's dictionary would pass ``WriterOptions/dictionaryPageBytes``, then PLAIN; a chunk whose
/// first 256 values the dictionary does not make smaller (its PLAIN page and the indices against
/// the values' PLAIN bytes, parquet-mr's test) is PLAIN from there on; booleans are always PLAIN. Pages are cut between rows only. Every column chunk has statistics (null
/// count, and bounds by the column's type order when they are 64 bytes or less) and the footer
/// says `TypeDefinedOrder` for every leaf. The same appends with the same options always give the
/// same bytes.
///
/// Appends do not throw, to stay cheap; the first append that does not fit the schema is kept and
/// thrown by the next ``endRow()`` or ``finish()``. After a throw, discard the writer.
///
/// ```
/// // optional group tags (LIST) { repeated group list { optional binary element (STRING) } }
/// writer.append(leaf: 0, string: "a", repetition: 0)       // tags = ["a", null]
/// writer.appendNull(leaf: 0, definition: 2, repetition: 1)
/// try writer.endRow()
/// ```
public struct ParquetWriter: Sendable {
    /// The schema the file is written with.
    public let schema: ParquetSchema
    /// The options the file is written with.
    public let options: WriterOptions
    /// The rows ended so far.
    public private(set) var rows = 0

    private var columns: [ColumnWriter]
    private var file: [UInt8] = Array("PAR1".utf8)
    private var rowGroups: [ParquetFormat.RowGroup] = []
    private var rowGroupStart = 0
    private var failure: ParquetError?
    private var finished = false
    /// A page's encoded body and its compressed form, reused from page to page.
    private var body: [UInt8] = []
    private var scratch: [UInt8] = []

    // What `endRow` needs to decide without looking at every column each row. Between two
    // measurements no column's page estimate grows by more than `grown`, and the columns' buffered
    // bytes together neither (each append adds its ``ColumnWriter/growthBound(_:)``; an append whose
    // estimate can jump more sets `mustMeasure`): so while `largestPage + grown` and `buffered +
    // grown` stay under their limits, measuring could not cut a page or a row group, and pages and
    // row groups are cut at exactly the rows they would be if every row measured.
    /// Leaves that have begun the row being written (a value or null at repetition level 0).
    private var leavesBegun = 0
    private var grown = 0
    private var mustMeasure = false
    /// The largest page estimate of a column, and all columns' buffered bytes, when last measured.
    private var largestPage = 0
    private var buffered = 0

    /// Creates a writer. Options out of range are reported by the first ``endRow()`` or ``finish()``.
    public init(schema: ParquetSchema, options: WriterOptions = WriterOptions()) {
        self.schema = schema
        self.options = options
        columns = schema.leaves.map { ColumnWriter(leaf: $0, options: options) }
        if let problem = options.codec.problem {
            failure = ParquetError(.invalidOptions, problem)
        } else if options.pageBytes < 1 || options.rowGroupBytes < 1 || !(0...Int(Int32.max)).contains(options.dictionaryPageBytes) {
            failure = ParquetError(
                .invalidOptions,
                "pageBytes (\(options.pageBytes)) and rowGroupBytes (\(options.rowGroupBytes)) must be positive, dictionaryPageBytes (\(options.dictionaryPageBytes)) in 0...\(Int32.max) (one page)"
            )
        }
    }

    // MARK: Appending

    /// Appends a null (or an empty list, or an absent parent) to a leaf: `definition` is below the
    /// leaf's ``LeafColumn/maxDefinitionLevel`` (how many of its optional or repeated ancestors are present).
    public mutating func appendNull(leaf: Int, definition: Int, repetition: Int) {
        guard begin(leaf: leaf, repetition: repetition) else { return }
        guard definition >= 0 && definition < columns[leaf].maxDefinition else {
            return fail(leaf, "definition level \(definition) of a null is not in 0..<\(columns[leaf].maxDefinition)")
        }
        columns[leaf].appendNull(definition: definition, repetition: repetition)
        grown &+= ColumnWriter.growthBound(0)
    }

    /// Appends a value to a BOOLEAN leaf.
    public mutating func append(leaf: Int, bool value: Bool, repetition: Int) {
        guard begin(leaf: leaf, repetition: repetition), expect(leaf, .boolean) else { return }
        columns[leaf].append(bool: value, repetition: repetition)
        grown &+= ColumnWriter.growthBound(1)
    }

    /// Appends a value to an INT32 leaf (for a decimal, the unscaled value).
    public mutating func append(leaf: Int, int32 value: Int32, repetition: Int) {
        guard begin(leaf: leaf, repetition: repetition), expect(leaf, .int32) else { return }
        if withUnsafeBytes(of: value.littleEndian, { columns[leaf].append(integer: Int64(value), bytes: $0, repetition: repetition) }) { mustMeasure = true }
        grown &+= ColumnWriter.growthBound(4)
    }

    /// Appends a value to an INT64 leaf (for a decimal, the unscaled value; for a timestamp, milliseconds).
    public mutating func append(leaf: Int, int64 value: Int64, repetition: Int) {
        guard begin(leaf: leaf, repetition: repetition), expect(leaf, .int64) else { return }
        if withUnsafeBytes(of: value.littleEndian, { columns[leaf].append(integer: value, bytes: $0, repetition: repetition) }) { mustMeasure = true }
        grown &+= ColumnWriter.growthBound(8)
    }

    /// Appends a value to a BYTE_ARRAY leaf, or to a FIXED_LEN_BYTE_ARRAY leaf when `bytes` has its
    /// width (a decimal's two's complement, big-endian). The bytes are copied.
    public mutating func append(leaf: Int, bytes: UnsafeRawBufferPointer, repetition: Int) {
        guard begin(leaf: leaf, repetition: repetition) else { return }
        switch columns[leaf].leaf.type {
        case .byteArray:
            guard bytes.count <= Int(Int32.max) else { return fail(leaf, "a value of \(bytes.count) bytes (Parquet lengths are 32-bit)") }
        case .fixedLenByteArray(let width):
            guard bytes.count == width else { return fail(leaf, "a value of \(bytes.count) bytes for FIXED_LEN_BYTE_ARRAY(\(width))") }
        case let other:
            return fail(leaf, "a byte string for a \(other) column")
        }
        if columns[leaf].append(bytes: bytes, repetition: repetition) { mustMeasure = true }
        grown &+= ColumnWriter.growthBound(bytes.count)
    }

    /// Appends a string's UTF-8 bytes to a BYTE_ARRAY leaf (see ``append(leaf:bytes:repetition:)``).
    public mutating func append(leaf: Int, string: String, repetition: Int) {
        var string = string
        string.withUTF8 { append(leaf: leaf, bytes: UnsafeRawBufferPointer($0), repetition: repetition) }
    }

    /// Checks the leaf and the repetition level, and the row's shape: level 0 begins the row for
    /// this leaf (once per row), a higher level continues it.
    @inline(__always)
    private mutating func begin(leaf: Int, repetition: Int) -> Bool {
        guard leaf >= 0 && leaf < columns.count else {
            if failure == nil { failure = ParquetError(.invalidAppend, "row \(rows): leaf \(leaf) is not in the schema's \(columns.count) leaves") }
            return false
        }
        guard repetition >= 0 && repetition <= columns[leaf].maxRepetition else {
            fail(leaf, "repetition level \(repetition) is not in 0...\(columns[leaf].maxRepetition)")
            return false
        }
        if repetition == 0 {
            guard columns[leaf].rowsStarted == rows else {
                fail(leaf, "a second repetition level 0 (a new row) before endRow()")
                return false
            }
            // The column counts the row itself when the value or null is appended (one access to
            // `columns[leaf]` that mutates per append, not two).
            leavesBegun += 1
        } else if columns[leaf].rowsStarted != rows + 1 {
            fail(leaf, "repetition level \(repetition) before the row's first value (level 0)")
            return false
        }
        return true
    }

    @inline(__always)
    private mutating func expect(_ leaf: Int, _ type: PhysicalType) -> Bool {
        guard columns[leaf].leaf.type == type else {
            fail(leaf, "a \(type) value for a \(columns[leaf].leaf.type) column")
            return false
        }
        return true
    }

    private mutating func fail(_ leaf: Int, _ message: String) {
        guard failure == nil else { return }
        failure = ParquetError(.invalidAppend, "row \(rows), leaf \(leaf) (\(columns[leaf].leaf.path.joined(separator: "."))): \(message)")
    }

    // MARK: Rows and the file

    /// Ends a row: every leaf must have had at least one value or null in it. Cuts the pages that
    /// reached ``WriterOptions/pageBytes`` and the row group when it reached ``WriterOptions/rowGroupBytes``.
    ///
    /// - Throws: the first append error since the last call, a row a leaf has no level in, or a
    ///   codec's failure.
    public mutating func endRow() throws(ParquetError) {
        do throws(ParquetError) {
            try check()
            // `begin` counts a leaf once per row (a second level 0 fails it), so all began when the count is full.
            if leavesBegun != columns.count {
                for index in columns.indices where columns[index].rowsStarted != rows + 1 {
                    throw ParquetError(
                        .invalidAppend, "row \(rows), leaf \(index) (\(columns[index].leaf.path.joined(separator: "."))): no value or null in the row")
                }
            }
            rows += 1
            leavesBegun = 0
            guard mustMeasure || largestPage &+ grown >= options.pageBytes || buffered &+ grown >= options.rowGroupBytes else { return }
            var total = 0
            var largest = 0
            var compressor = PageCompressor(options.codec)  // a context is made only if a page is cut
            for index in columns.indices {
                if columns[index].pageEstimate >= options.pageBytes {
                    try columns[index].cutPage(compressor: &compressor, body: &body, scratch: &scratch)
                }
                total += columns[index].bufferedBytes
                largest = max(largest, columns[index].pageEstimate)
            }
            buffered = total
            largestPage = largest
            grown = 0
            mustMeasure = false
            if total >= options.rowGroupBytes {
                try flushRowGroup()
                buffered = 0
                largestPage = 0
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// Ends the file: the last row group, the footer (schema, row groups, key-value metadata,
    /// `created_by`, column orders), its length and `PAR1`. The writer cannot be used after.
    ///
    /// - Throws: the first append error, a row begun and not ended, or a codec's failure.
    public mutating func finish() throws(ParquetError) -> [UInt8] {
        do throws(ParquetError) {
            try check()
            for index in columns.indices where columns[index].rowsStarted != rows {
                throw ParquetError(
                    .invalidAppend, "row \(rows), leaf \(index) (\(columns[index].leaf.path.joined(separator: "."))): appended but the row was not ended with endRow()")
            }
            try flushRowGroup()
            let footer = ParquetFormat.FileMetaData(
                schema: schema.elements, numRows: Int64(rows), rowGroups: rowGroups,
                keyValueMetadata: options.keyValueMetadata.isEmpty ? nil : options.keyValueMetadata.map { .init(key: $0.key, value: $0.value) },
                createdBy: options.createdBy, columnOrders: schema.leaves.map { _ in .typeDefinedOrder })
            var writer = ThriftCompactWriter(capacity: 4096)
            writer.writeStruct(footer)
            guard writer.bytes.count <= Int(UInt32.max) else { throw ParquetError(.tooLarge, "a footer of \(writer.bytes.count) bytes") }
            file.append(contentsOf: writer.bytes)
            withUnsafeBytes(of: UInt32(writer.bytes.count).littleEndian) { file.append(contentsOf: $0) }
            file.append(contentsOf: "PAR1".utf8)
            finished = true
            let bytes = file
            file = []
            return bytes
        } catch {
            failure = error
            throw error
        }
    }

    private func check() throws(ParquetError) {
        if let failure { throw failure }
        if finished { throw ParquetError(.invalidAppend, "the file was already finished") }
    }

    /// Writes the buffered rows as a row group (nothing when there are none).
    private mutating func flushRowGroup() throws(ParquetError) {
        let count = rows - rowGroupStart
        guard count > 0 else { return }
        let start = Int64(file.count)
        var chunks: [ParquetFormat.ColumnChunk] = []
        chunks.reserveCapacity(columns.count)
        var uncompressed: Int64 = 0
        var compressed: Int64 = 0
        var compressor = PageCompressor(options.codec)  // one context for all the chunks' pages
        for index in columns.indices {
            let (chunk, chunkUncompressed, chunkCompressed) = try columns[index].finishChunk(
                into: &file, compressor: &compressor, body: &body, scratch: &scratch)
            chunks.append(chunk)
            uncompressed += chunkUncompressed
            compressed += chunkCompressed
        }
        let ordinal = rowGroups.count <= Int(Int16.max) ? Int16(rowGroups.count) : nil
        rowGroups.append(
            ParquetFormat.RowGroup(
                columns: chunks, totalByteSize: uncompressed, numRows: Int64(count), fileOffset: start, totalCompressedSize: compressed,
                ordinal: ordinal))
        rowGroupStart = rows
    }
}
