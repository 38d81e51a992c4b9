extension ParquetFormat {
    /// `struct DataPageHeader` (data page v1).
    struct DataPageHeader: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required i32 num_values (levels, nulls included)
        var numValues: Int32
        /// 2: required Encoding encoding
        var encoding: Encoding
        /// 3: required Encoding definition_level_encoding
        var definitionLevelEncoding: Encoding
        /// 4: required Encoding repetition_level_encoding
        var repetitionLevelEncoding: Encoding
        /// 5: optional Statistics statistics
        var statistics: Statistics?

        init(
            numValues: Int32, encoding: Encoding, definitionLevelEncoding: Encoding = .rle,
            repetitionLevelEncoding: Encoding = .rle, statistics: Statistics? = nil
        ) {
            self.numValues = numValues
            self.encoding = encoding
            self.definitionLevelEncoding = definitionLevelEncoding
            self.repetitionLevelEncoding = repetitionLevelEncoding
            self.statistics = statistics
        }

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: numValues)
            writer.writeField(2, i32: encoding.rawValue)
            writer.writeField(3, i32: definitionLevelEncoding.rawValue)
            writer.writeField(4, i32: repetitionLevelEncoding.rawValue)
            if let statistics { writer.writeField(5, struct: statistics) }
        }
    }

    /// `struct DictionaryPageHeader`.
    struct DictionaryPageHeader: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required i32 num_values
        var numValues: Int32
        /// 2: required Encoding encoding (PLAIN)
        var encoding: Encoding
        /// 3: optional bool is_sorted
        var isSorted: Bool?

        init(numValues: Int32, encoding: Encoding = .plain, isSorted: Bool? = nil) {
            self.numValues = numValues
            self.encoding = encoding
            self.isSorted = isSorted
        }

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: numValues)
            writer.writeField(2, i32: encoding.rawValue)
            if let isSorted { writer.writeField(3, bool: isSorted) }
        }
    }

    /// `struct DataPageHeaderV2` (never written here; for readers of other writers' files).
    struct DataPageHeaderV2: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required i32 num_values
        var numValues: Int32
        /// 2: required i32 num_nulls
        var numNulls: Int32
        /// 3: required i32 num_rows
        var numRows: Int32
        /// 4: required Encoding encoding
        var encoding: Encoding
        /// 5: required i32 definition_levels_byte_length
        var definitionLevelsByteLength: Int32
        /// 6: required i32 repetition_levels_byte_length
        var repetitionLevelsByteLength: Int32
        /// 7: optional bool is_compressed = true
        var isCompressed: Bool?
        /// 8: optional Statistics statistics
        var statistics: Statistics?

        init(
            numValues: Int32, numNulls: Int32, numRows: Int32, encoding: Encoding, definitionLevelsByteLength: Int32,
            repetitionLevelsByteLength: Int32, isCompressed: Bool? = nil, statistics: Statistics? = nil
        ) {
            self.numValues = numValues
            self.numNulls = numNulls
            self.numRows = numRows
            self.encoding = encoding
            self.definitionLevelsByteLength = definitionLevelsByteLength
            self.repetitionLevelsByteLength = repetitionLevelsByteLength
            self.isCompressed = isCompressed
            self.statistics = statistics
        }

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: numValues)
            writer.writeField(2, i32: numNulls)
            writer.writeField(3, i32: numRows)
            writer.writeField(4, i32: encoding.rawValue)
            writer.writeField(5, i32: definitionLevelsByteLength)
            writer.writeField(6, i32: repetitionLevelsByteLength)
            if let isCompressed { writer.writeField(7, bool: isCompressed) }
            if let statistics { writer.writeField(8, struct: statistics) }
        }
    }

    /// `struct PageHeader`: precedes every page; one of the `*_header` fields is set by `type`.
    struct PageHeader: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required PageType type
        var type: PageType
        /// 2: required i32 uncompressed_page_size (not including this header)
        var uncompressedPageSize: Int32
        /// 3: required i32 compressed_page_size (not including this header)
        var compressedPageSize: Int32
        /// 4: optional i32 crc
        var crc: Int32?
        /// 5: optional DataPageHeader data_page_header
        var dataPageHeader: DataPageHeader?
        /// 7: optional DictionaryPageHeader dictionary_page_header
        var dictionaryPageHeader: DictionaryPageHeader?
        /// 8: optional DataPageHeaderV2 data_page_header_v2
        var dataPageHeaderV2: DataPageHeaderV2?

        init(
            type: PageType, uncompressedPageSize: Int32, compressedPageSize: Int32, crc: Int32? = nil,
            dataPageHeader: DataPageHeader? = nil, dictionaryPageHeader: DictionaryPageHeader? = nil,
            dataPageHeaderV2: DataPageHeaderV2? = nil
        ) {
            self.type = type
            self.uncompressedPageSize = uncompressedPageSize
            self.compressedPageSize = compressedPageSize
            self.crc = crc
            self.dataPageHeader = dataPageHeader
            self.dictionaryPageHeader = dictionaryPageHeader
            self.dataPageHeaderV2 = dataPageHeaderV2
        }

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: type.rawValue)
            writer.writeField(2, i32: uncompressedPageSize)
            writer.writeField(3, i32: compressedPageSize)
            if let crc { writer.writeField(4, i32: crc) }
            if let dataPageHeader { writer.writeField(5, struct: dataPageHeader) }
            if let dictionaryPageHeader { writer.writeField(7, struct: dictionaryPageHeader) }
            if let dataPageHeaderV2 { writer.writeField(8, struct: dataPageHeaderV2) }
        }
    }
}
