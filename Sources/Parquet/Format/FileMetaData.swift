extension ParquetFormat {
    /// `struct KeyValue`.
    struct KeyValue: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required string key
        var key: String
        /// 2: optional string value
        var value: String?

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, string: key)
            if let value { writer.writeField(2, string: value) }
        }
    }

    /// `struct PageEncodingStats`: how many pages of a type used an encoding.
    struct PageEncodingStats: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required PageType page_type
        var pageType: PageType
        /// 2: required Encoding encoding
        var encoding: Encoding
        /// 3: required i32 count
        var count: Int32

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: pageType.rawValue)
            writer.writeField(2, i32: encoding.rawValue)
            writer.writeField(3, i32: count)
        }
    }

    /// `struct ColumnMetaData`.
    struct ColumnMetaData: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required Type type
        var type: PhysicalType
        /// 2: required list<Encoding> encodings
        var encodings: [Encoding]
        /// 3: required list<string> path_in_schema
        var pathInSchema: [String]
        /// 4: required CompressionCodec codec
        var codec: CompressionCodec
        /// 5: required i64 num_values
        var numValues: Int64
        /// 6: required i64 total_uncompressed_size (page headers included)
        var totalUncompressedSize: Int64
        /// 7: required i64 total_compressed_size (page headers included)
        var totalCompressedSize: Int64
        /// 8: optional list<KeyValue> key_value_metadata
        var keyValueMetadata: [KeyValue]?
        /// 9: required i64 data_page_offset
        var dataPageOffset: Int64
        /// 10: optional i64 index_page_offset
        var indexPageOffset: Int64?
        /// 11: optional i64 dictionary_page_offset
        var dictionaryPageOffset: Int64?
        /// 12: optional Statistics statistics
        var statistics: Statistics?
        /// 13: optional list<PageEncodingStats> encoding_stats
        var encodingStats: [PageEncodingStats]?

        init(
            type: PhysicalType, encodings: [Encoding], pathInSchema: [String], codec: CompressionCodec, numValues: Int64,
            totalUncompressedSize: Int64, totalCompressedSize: Int64, keyValueMetadata: [KeyValue]? = nil,
            dataPageOffset: Int64, indexPageOffset: Int64? = nil, dictionaryPageOffset: Int64? = nil,
            statistics: Statistics? = nil, encodingStats: [PageEncodingStats]? = nil
        ) {
            self.type = type
            self.encodings = encodings
            self.pathInSchema = pathInSchema
            self.codec = codec
            self.numValues = numValues
            self.totalUncompressedSize = totalUncompressedSize
            self.totalCompressedSize = totalCompressedSize
            self.keyValueMetadata = keyValueMetadata
            self.dataPageOffset = dataPageOffset
            self.indexPageOffset = indexPageOffset
            self.dictionaryPageOffset = dictionaryPageOffset
            self.statistics = statistics
            self.encodingStats = encodingStats
        }

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: type.rawValue)
            writer.writeField(2, i32s: encodings.map(\.rawValue))
            writer.writeField(3, strings: pathInSchema)
            writer.writeField(4, i32: codec.rawValue)
            writer.writeField(5, i64: numValues)
            writer.writeField(6, i64: totalUncompressedSize)
            writer.writeField(7, i64: totalCompressedSize)
            if let keyValueMetadata { writer.writeField(8, structs: keyValueMetadata) }
            writer.writeField(9, i64: dataPageOffset)
            if let indexPageOffset { writer.writeField(10, i64: indexPageOffset) }
            if let dictionaryPageOffset { writer.writeField(11, i64: dictionaryPageOffset) }
            if let statistics { writer.writeField(12, struct: statistics) }
            if let encodingStats { writer.writeField(13, structs: encodingStats) }
        }
    }

    /// `struct ColumnChunk`: where a column's chunk of one row group is and its metadata.
    struct ColumnChunk: Hashable, Sendable, ThriftCompactWritable {
        /// 1: optional string file_path (never set: the data is in this file)
        var filePath: String?
        /// 2: required i64 file_offset (deprecated; 0 when no metadata is written outside the footer)
        var fileOffset: Int64
        /// 3: optional ColumnMetaData meta_data (always set in practice)
        var metaData: ColumnMetaData?

        init(filePath: String? = nil, fileOffset: Int64 = 0, metaData: ColumnMetaData?) {
            self.filePath = filePath
            self.fileOffset = fileOffset
            self.metaData = metaData
        }

        func write(to writer: inout ThriftCompactWriter) {
            if let filePath { writer.writeField(1, string: filePath) }
            writer.writeField(2, i64: fileOffset)
            if let metaData { writer.writeField(3, struct: metaData) }
        }
    }

    /// `struct RowGroup`.
    struct RowGroup: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required list<ColumnChunk> columns (schema leaf order)
        var columns: [ColumnChunk]
        /// 2: required i64 total_byte_size (uncompressed)
        var totalByteSize: Int64
        /// 3: required i64 num_rows
        var numRows: Int64
        /// 5: optional i64 file_offset (the first page of the row group)
        var fileOffset: Int64?
        /// 6: optional i64 total_compressed_size
        var totalCompressedSize: Int64?
        /// 7: optional i16 ordinal
        var ordinal: Int16?

        init(
            columns: [ColumnChunk], totalByteSize: Int64, numRows: Int64, fileOffset: Int64? = nil,
            totalCompressedSize: Int64? = nil, ordinal: Int16? = nil
        ) {
            self.columns = columns
            self.totalByteSize = totalByteSize
            self.numRows = numRows
            self.fileOffset = fileOffset
            self.totalCompressedSize = totalCompressedSize
            self.ordinal = ordinal
        }

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, structs: columns)
            writer.writeField(2, i64: totalByteSize)
            writer.writeField(3, i64: numRows)
            if let fileOffset { writer.writeField(5, i64: fileOffset) }
            if let totalCompressedSize { writer.writeField(6, i64: totalCompressedSize) }
            if let ordinal { writer.writeField(7, i16: ordinal) }
        }
    }

    /// `struct FileMetaData`: the footer.
    struct FileMetaData: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required i32 version (1: what the spec asks writers to put)
        var version: Int32
        /// 2: required list<SchemaElement> schema (the root first, then depth-first)
        var schema: [SchemaElement]
        /// 3: required i64 num_rows
        var numRows: Int64
        /// 4: required list<RowGroup> row_groups
        var rowGroups: [RowGroup]
        /// 5: optional list<KeyValue> key_value_metadata
        var keyValueMetadata: [KeyValue]?
        /// 6: optional string created_by
        var createdBy: String?
        /// 7: optional list<ColumnOrder> column_orders (one per leaf)
        var columnOrders: [ColumnOrder]?

        init(
            version: Int32 = 1, schema: [SchemaElement], numRows: Int64, rowGroups: [RowGroup],
            keyValueMetadata: [KeyValue]? = nil, createdBy: String? = nil, columnOrders: [ColumnOrder]? = nil
        ) {
            self.version = version
            self.schema = schema
            self.numRows = numRows
            self.rowGroups = rowGroups
            self.keyValueMetadata = keyValueMetadata
            self.createdBy = createdBy
            self.columnOrders = columnOrders
        }

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: version)
            writer.writeField(2, structs: schema)
            writer.writeField(3, i64: numRows)
            writer.writeField(4, structs: rowGroups)
            if let keyValueMetadata { writer.writeField(5, structs: keyValueMetadata) }
            if let createdBy { writer.writeField(6, string: createdBy) }
            if let columnOrders { writer.writeField(7, structs: columnOrders) }
        }
    }
}
