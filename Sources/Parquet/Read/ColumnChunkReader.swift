/// One column chunk's levels and values, decoded page by page.
struct ColumnData {
    /// Repetition levels, one per entry; empty when the column's maximum is 0.
    var repetition: [UInt8] = []
    /// Definition levels, one per entry; empty when the column's maximum is 0.
    var definition: [UInt8] = []
    /// The non-null values, in entry order.
    var values: [ParquetValue] = []
    /// Entries (levels) read: nulls and empty lists included.
    var entries = 0
}

/// Reads a column chunk's pages: an optional dictionary page, then data pages v1 (PLAIN or
/// dictionary-encoded values, RLE levels), each decompressed by the chunk's codec.
struct ColumnChunkReader {
    let bytes: [UInt8]
    /// Where the footer starts: no column chunk reaches it.
    let dataEnd: Int
    let leaf: LeafColumn
    let metadata: ParquetFormat.ColumnMetaData
    /// `row group G, column a.b`, for errors.
    let place: String

    /// The most values (levels) of one column chunk this reader holds.
    static let maxValues: Int64 = 1 << 27

    func read() throws(ParquetError) -> ColumnData {
        // An empty row group's chunks hold no pages (pyarrow writes offset 0 and size 0 for them).
        if metadata.numValues == 0 { return ColumnData() }
        let firstPage: Int64
        if let dictionaryOffset = metadata.dictionaryPageOffset, dictionaryOffset > 0, dictionaryOffset < metadata.dataPageOffset {
            firstPage = dictionaryOffset
        } else {
            firstPage = metadata.dataPageOffset
        }
        guard firstPage >= 4, metadata.totalCompressedSize >= 0, firstPage <= Int64(dataEnd),
            metadata.totalCompressedSize <= Int64(dataEnd) - firstPage
        else {
            throw ParquetError(
                .malformedMetadata,
                "\(place): chunk at byte \(firstPage) of \(metadata.totalCompressedSize) bytes is outside the file's data (bytes 4..<\(dataEnd))")
        }
        guard metadata.numValues >= 0 else { throw ParquetError(.malformedMetadata, "\(place): negative num_values \(metadata.numValues)") }
        // Values are held in memory as they are assembled into rows; a chunk claiming more is
        // refused before its levels are expanded.
        guard metadata.numValues <= Self.maxValues else {
            throw ParquetError(.unsupported, "\(place): \(metadata.numValues) values in one column chunk (this reader holds at most \(Self.maxValues))")
        }
        let end = Int(firstPage + metadata.totalCompressedSize)
        var position = Int(firstPage)
        var column = ColumnData()
        var dictionary: [ParquetValue]?
        var page = 0
        while column.entries < metadata.numValues {
            guard position < end else {
                throw ParquetError(.malformedPage, "\(place): the chunk's pages end after \(column.entries) of \(metadata.numValues) values")
            }
            let pagePlace = "\(place), page \(page) (byte \(position))"
            var reader = ThriftCompactReader(bytes, range: position..<end, context: "\(pagePlace): page header")
            let header = try ParquetFormat.PageHeader(reading: &reader)
            let bodyStart = reader.position
            guard header.compressedPageSize >= 0, Int(header.compressedPageSize) <= end - bodyStart else {
                throw ParquetError(
                    .malformedPage, "\(pagePlace): page of \(header.compressedPageSize) bytes with \(end - bodyStart) left in the chunk")
            }
            let body = bodyStart..<bodyStart + Int(header.compressedPageSize)
            switch header.type {
            case .dictionaryPage:
                guard let dictionaryHeader = header.dictionaryPageHeader else {
                    throw ParquetError(.malformedMetadata, "\(pagePlace): dictionary page without a dictionary_page_header")
                }
                guard dictionary == nil, column.entries == 0 else {
                    throw ParquetError(.malformedPage, "\(pagePlace): a second dictionary page, or one after data pages")
                }
                guard dictionaryHeader.encoding == .plain || dictionaryHeader.encoding == .plainDictionary else {
                    throw ParquetError(.unsupported, "\(pagePlace): dictionary page encoding \(dictionaryHeader.encoding.rawValue) (only PLAIN)")
                }
                let content = try PageDecompressor.decompress(
                    bytes, range: body, codec: metadata.codec, size: Int(header.uncompressedPageSize), place: pagePlace)
                guard dictionaryHeader.numValues >= 0 else {
                    throw ParquetError(.malformedMetadata, "\(pagePlace): negative dictionary size \(dictionaryHeader.numValues)")
                }
                dictionary = try PlainDecoder.decode(
                    content, range: 0..<content.count, type: leaf.type, count: Int(dictionaryHeader.numValues), place: "\(pagePlace): dictionary"
                ).values
            case .dataPage:
                guard let dataHeader = header.dataPageHeader else {
                    throw ParquetError(.malformedMetadata, "\(pagePlace): data page without a data_page_header")
                }
                let content = try PageDecompressor.decompress(
                    bytes, range: body, codec: metadata.codec, size: Int(header.uncompressedPageSize), place: pagePlace)
                try readDataPage(content, header: dataHeader, dictionary: dictionary, into: &column, place: pagePlace)
            case .dataPageV2:
                throw ParquetError(.unsupported, "\(pagePlace): data page v2 is not read (ddbcdc writes v1)")
            default:
                break  // index pages and types newer than this reader carry no values
            }
            position = body.upperBound
            page += 1
        }
        guard column.entries == metadata.numValues else {
            throw ParquetError(.malformedPage, "\(place): pages hold \(column.entries) values, the chunk says \(metadata.numValues)")
        }
        return column
    }

    private func readDataPage(
        _ page: [UInt8], header: ParquetFormat.DataPageHeader, dictionary: [ParquetValue]?, into column: inout ColumnData, place: String
    ) throws(ParquetError) {
        guard header.numValues >= 0 else { throw ParquetError(.malformedMetadata, "\(place): negative num_values \(header.numValues)") }
        let count = Int(header.numValues)
        guard Int64(column.entries + count) <= metadata.numValues else {
            throw ParquetError(
                .malformedPage, "\(place): \(count) values after \(column.entries) pass the chunk's \(metadata.numValues)")
        }
        var position = 0
        func levels(_ maxLevel: Int, _ encoding: ParquetFormat.Encoding, _ name: String) throws(ParquetError) -> [UInt8] {
            guard encoding == .rle else {
                throw ParquetError(.unsupported, "\(place): \(name) levels in encoding \(encoding.rawValue) (only RLE)")
            }
            guard page.count - position >= 4 else { throw ParquetError(.malformedPage, "\(place): \(name) levels' length cut off") }
            let length = Int(page[position]) | Int(page[position + 1]) << 8 | Int(page[position + 2]) << 16 | Int(page[position + 3]) << 24
            position += 4
            guard length <= page.count - position else {
                throw ParquetError(.malformedPage, "\(place): \(name) levels of \(length) bytes with \(page.count - position) left in the page")
            }
            let decoded = try RLEHybridDecoder.decode(
                page, range: position..<position + length, bitWidth: RLEHybridDecoder.bitWidth(of: maxLevel), count: count,
                place: "\(place): \(name) levels")
            position += length
            var result = [UInt8](repeating: 0, count: count)
            for (index, level) in decoded.enumerated() {
                guard level <= UInt32(maxLevel) else {
                    throw ParquetError(.malformedPage, "\(place): \(name) level \(level) at value \(index) is above the column's maximum \(maxLevel)")
                }
                result[index] = UInt8(level)
            }
            return result
        }
        var present = count
        if leaf.maxRepetitionLevel > 0 {
            let repetition = try levels(leaf.maxRepetitionLevel, header.repetitionLevelEncoding, "repetition")
            if column.entries == 0, let first = repetition.first, first != 0 {
                throw ParquetError(.malformedPage, "\(place): the chunk's first repetition level is \(first), not 0")
            }
            column.repetition += repetition
        }
        if leaf.maxDefinitionLevel > 0 {
            let definition = try levels(leaf.maxDefinitionLevel, header.definitionLevelEncoding, "definition")
            let top = UInt8(leaf.maxDefinitionLevel)
            present = definition.reduce(0) { $0 + ($1 == top ? 1 : 0) }
            column.definition += definition
        }
        let valueRange = position..<page.count
        switch header.encoding {
        case .plain:
            column.values += try PlainDecoder.decode(page, range: valueRange, type: leaf.type, count: present, place: "\(place): values").values
        case .plainDictionary, .rleDictionary:
            guard let dictionary else {
                throw ParquetError(.malformedPage, "\(place): dictionary-encoded values without a dictionary page")
            }
            if present > 0 {
                guard position < page.count else { throw ParquetError(.malformedPage, "\(place): dictionary indices' bit width missing") }
                let indices = try RLEHybridDecoder.decode(
                    page, range: position + 1..<page.count, bitWidth: Int(page[position]), count: present, place: "\(place): dictionary indices")
                column.values.reserveCapacity(column.values.count + present)
                for (index, entry) in indices.enumerated() {
                    guard entry < UInt32(dictionary.count) else {
                        throw ParquetError(.malformedPage, "\(place): dictionary index \(entry) at value \(index) is past the dictionary's \(dictionary.count) entries")
                    }
                    column.values.append(dictionary[Int(entry)])
                }
            }
        default:
            throw ParquetError(.unsupported, "\(place): value encoding \(header.encoding.rawValue) (only PLAIN and dictionary)")
        }
        column.entries += count
    }
}
