/// A Parquet file read from its bytes: the footer parsed on creation, the rows on demand.
///
/// Reads what ddbcdc writes and plain files of other writers with the same features: data pages
/// v1, PLAIN and dictionary encodings, RLE levels, BOOLEAN/INT32/INT64/BYTE_ARRAY/
/// FIXED_LEN_BYTE_ARRAY columns, any nesting of groups, lists and maps, codecs UNCOMPRESSED,
/// SNAPPY, GZIP and ZSTD. Every length, count, level and index is checked: a malformed file is a
/// ``ParquetError`` naming the byte offset, row group, column or page, never a crash.
public struct ParquetFile: Sendable {
    private let bytes: [UInt8]
    private let metadata: ParquetFormat.FileMetaData
    private let nodes: [RecordAssembler.Node]
    /// Where the footer starts (the end of the column chunks).
    private let footerStart: Int

    /// The file's schema.
    public let schema: ParquetSchema

    /// The number of rows the footer declares (the sum of its row groups').
    public var rows: Int { Int(metadata.numRows) }

    /// The footer's key-value metadata in file order (a key without a value has the empty string).
    public var keyValueMetadata: [(key: String, value: String)] {
        (metadata.keyValueMetadata ?? []).map { ($0.key, $0.value ?? "") }
    }

    /// The footer's `created_by`, if any.
    public var createdBy: String? { metadata.createdBy }

    /// Reads the footer of the file in `bytes`.
    /// - Throws: ``ParquetError/Code/notParquet`` without the `PAR1` magic at both ends or with a
    ///   footer length that does not fit; ``ParquetError/Code/malformedMetadata`` for a footer that
    ///   does not parse or disagrees with itself; ``ParquetError/Code/unsupported`` for encrypted
    ///   footers, external column chunks and physical types this reader does not read.
    public init(bytes: [UInt8]) throws(ParquetError) {
        let magic: [UInt8] = Array("PAR1".utf8)
        let count = bytes.count
        guard count >= 12, bytes[0..<4].elementsEqual(magic) else {
            throw ParquetError(.notParquet, "no PAR1 magic at the start (\(count) bytes)")
        }
        guard bytes[(count - 4)...].elementsEqual(magic) else {
            if bytes[(count - 4)...].elementsEqual(Array("PARE".utf8)) {
                throw ParquetError(.unsupported, "the footer is encrypted (PARE)")
            }
            throw ParquetError(.notParquet, "no PAR1 magic at the end (\(count) bytes; a file cut short?)")
        }
        let length = Int(bytes[count - 8]) | Int(bytes[count - 7]) << 8 | Int(bytes[count - 6]) << 16 | Int(bytes[count - 5]) << 24
        guard length <= count - 12 else {
            throw ParquetError(.notParquet, "footer length \(length) does not fit a file of \(count) bytes")
        }
        footerStart = count - 8 - length
        var reader = ThriftCompactReader(bytes, range: footerStart..<count - 8, context: "footer (FileMetaData)")
        let metadata = try ParquetFormat.FileMetaData(reading: &reader)
        guard reader.position == count - 8 else {
            throw ParquetError(.malformedMetadata, "footer (FileMetaData): \(count - 8 - reader.position) bytes after its end at byte \(reader.position)")
        }
        schema = try ParquetSchema(elements: metadata.schema)
        guard metadata.numRows >= 0 else { throw ParquetError(.malformedMetadata, "footer: negative num_rows \(metadata.numRows)") }
        var total: Int64 = 0
        for (index, group) in metadata.rowGroups.enumerated() {
            let place = "row group \(index)"
            guard group.numRows >= 0 else { throw ParquetError(.malformedMetadata, "\(place): negative num_rows \(group.numRows)") }
            total += group.numRows
            guard group.columns.count == schema.leaves.count else {
                throw ParquetError(.malformedMetadata, "\(place): \(group.columns.count) column chunks for \(schema.leaves.count) leaf columns")
            }
            for (chunk, leaf) in zip(group.columns, schema.leaves) {
                let column = "\(place), column \(leaf.path.joined(separator: "."))"
                guard chunk.filePath == nil else {
                    throw ParquetError(.unsupported, "\(column): the chunk is in another file (\(chunk.filePath!))")
                }
                guard let meta = chunk.metaData else { throw ParquetError(.malformedMetadata, "\(column): no meta_data") }
                guard meta.pathInSchema == leaf.path else {
                    throw ParquetError(
                        .malformedMetadata, "\(column): the chunk's path_in_schema is \(meta.pathInSchema.joined(separator: "."))")
                }
                guard meta.type == leaf.type.format else {
                    throw ParquetError(.malformedMetadata, "\(column): the chunk's type \(meta.type.rawValue) is not the schema's")
                }
            }
        }
        guard total == metadata.numRows else {
            throw ParquetError(.malformedMetadata, "footer: num_rows \(metadata.numRows) but the row groups hold \(total)")
        }
        self.bytes = bytes
        self.metadata = metadata
        nodes = RecordAssembler.nodes(schema)
    }

    /// Every row of the file, in order: one value per top-level column (nil for null), shaped as
    /// ``ParquetValue`` describes.
    /// - Throws: ``ParquetError`` naming the row group, column and page of data that does not
    ///   decode or columns that disagree.
    public func readRows() throws(ParquetError) -> [[ParquetValue?]] {
        var rows: [[ParquetValue?]] = []
        rows.reserveCapacity(Swift.min(self.rows, 1 << 20))
        for (index, group) in metadata.rowGroups.enumerated() {
            let place = "row group \(index)"
            var cursors: [RecordAssembler.Cursor] = []
            for (chunk, leaf) in zip(group.columns, schema.leaves) {
                let path = leaf.path.joined(separator: ".")
                let reader = ColumnChunkReader(bytes: bytes, dataEnd: footerStart, leaf: leaf, metadata: chunk.metaData!, place: "\(place), column \(path)")
                let data = try reader.read()
                let entryRows = leaf.maxRepetitionLevel == 0 ? data.entries : data.repetition.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
                guard entryRows == group.numRows else {
                    throw ParquetError(.malformedPage, "\(place), column \(path): \(entryRows) rows, the row group says \(group.numRows)")
                }
                cursors.append(RecordAssembler.Cursor(data: data, maxDefinition: leaf.maxDefinitionLevel, path: path))
            }
            var assembler = RecordAssembler(cursors: cursors, place: place)
            for _ in 0..<group.numRows { rows.append(try assembler.readRow(nodes)) }
            try assembler.finish()
        }
        return rows
    }
}
