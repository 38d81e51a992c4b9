extension ParquetFormat.KeyValue: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var key: String?, value: String?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: key = try reader.readString(field, "key")
            case 2: value = try reader.readString(field, "value")
            default: try reader.skip(field.type)
            }
        }
        self.init(key: try reader.required(key, "key", in: "KeyValue", at: start), value: value)
    }
}

extension ParquetFormat.PageEncodingStats: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var pageType: Int32?, encoding: Int32?, count: Int32?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: pageType = try reader.readI32(field, "page_type")
            case 2: encoding = try reader.readI32(field, "encoding")
            case 3: count = try reader.readI32(field, "count")
            default: try reader.skip(field.type)
            }
        }
        let name = "PageEncodingStats"
        self.init(
            pageType: .init(rawValue: try reader.required(pageType, "page_type", in: name, at: start)),
            encoding: .init(rawValue: try reader.required(encoding, "encoding", in: name, at: start)),
            count: try reader.required(count, "count", in: name, at: start))
    }
}

extension ParquetFormat.ColumnOrder {
    /// Reads the union; nil for an order newer than this package (after reading past it).
    static func read(from reader: inout ThriftCompactReader) throws(ParquetError) -> Self? {
        var value: Self?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1:
                _ = try reader.readStruct(field, "TYPE_ORDER", as: ThriftEmptyStruct.self)
                value = .typeDefinedOrder
            default: try reader.skip(field.type)
            }
        }
        return value
    }
}

extension ParquetFormat.ColumnMetaData: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var type: Int32?, encodings: [Int32]?, path: [String]?, codec: Int32?, numValues: Int64?
        var uncompressed: Int64?, compressed: Int64?, dataPageOffset: Int64?
        var keyValues: [ParquetFormat.KeyValue]?, indexPageOffset: Int64?, dictionaryPageOffset: Int64?
        var statistics: ParquetFormat.Statistics?, encodingStats: [ParquetFormat.PageEncodingStats]?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: type = try reader.readI32(field, "type")
            case 2: encodings = try reader.readList(field, "encodings", of: .i32) { (reader) throws(ParquetError) in try reader.readI32() }
            case 3: path = try reader.readList(field, "path_in_schema", of: .binary) { (reader) throws(ParquetError) in try reader.readString() }
            case 4: codec = try reader.readI32(field, "codec")
            case 5: numValues = try reader.readI64(field, "num_values")
            case 6: uncompressed = try reader.readI64(field, "total_uncompressed_size")
            case 7: compressed = try reader.readI64(field, "total_compressed_size")
            case 8: keyValues = try reader.readStructs(field, "key_value_metadata")
            case 9: dataPageOffset = try reader.readI64(field, "data_page_offset")
            case 10: indexPageOffset = try reader.readI64(field, "index_page_offset")
            case 11: dictionaryPageOffset = try reader.readI64(field, "dictionary_page_offset")
            case 12: statistics = try reader.readStruct(field, "statistics")
            case 13: encodingStats = try reader.readStructs(field, "encoding_stats")
            // Newer fields (bloom filters, size statistics): not needed to read values.
            default: try reader.skip(field.type)
            }
        }
        let name = "ColumnMetaData"
        self.init(
            type: .init(rawValue: try reader.required(type, "type", in: name, at: start)),
            encodings: try reader.required(encodings, "encodings", in: name, at: start).map { .init(rawValue: $0) },
            pathInSchema: try reader.required(path, "path_in_schema", in: name, at: start),
            codec: .init(rawValue: try reader.required(codec, "codec", in: name, at: start)),
            numValues: try reader.required(numValues, "num_values", in: name, at: start),
            totalUncompressedSize: try reader.required(uncompressed, "total_uncompressed_size", in: name, at: start),
            totalCompressedSize: try reader.required(compressed, "total_compressed_size", in: name, at: start),
            keyValueMetadata: keyValues,
            dataPageOffset: try reader.required(dataPageOffset, "data_page_offset", in: name, at: start),
            indexPageOffset: indexPageOffset, dictionaryPageOffset: dictionaryPageOffset, statistics: statistics,
            encodingStats: encodingStats)
    }
}

extension ParquetFormat.ColumnChunk: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        var filePath: String?, fileOffset: Int64 = 0, metaData: ParquetFormat.ColumnMetaData?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: filePath = try reader.readString(field, "file_path")
            case 2: fileOffset = try reader.readI64(field, "file_offset")
            case 3: metaData = try reader.readStruct(field, "meta_data")
            default: try reader.skip(field.type)
            }
        }
        self.init(filePath: filePath, fileOffset: fileOffset, metaData: metaData)
    }
}

extension ParquetFormat.RowGroup: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var columns: [ParquetFormat.ColumnChunk]?, totalByteSize: Int64?, numRows: Int64?
        var fileOffset: Int64?, totalCompressedSize: Int64?, ordinal: Int16?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: columns = try reader.readStructs(field, "columns")
            case 2: totalByteSize = try reader.readI64(field, "total_byte_size")
            case 3: numRows = try reader.readI64(field, "num_rows")
            case 5: fileOffset = try reader.readI64(field, "file_offset")
            case 6: totalCompressedSize = try reader.readI64(field, "total_compressed_size")
            case 7: ordinal = try reader.readI16(field, "ordinal")
            default: try reader.skip(field.type)
            }
        }
        let name = "RowGroup"
        self.init(
            columns: try reader.required(columns, "columns", in: name, at: start),
            totalByteSize: try reader.required(totalByteSize, "total_byte_size", in: name, at: start),
            numRows: try reader.required(numRows, "num_rows", in: name, at: start),
            fileOffset: fileOffset, totalCompressedSize: totalCompressedSize, ordinal: ordinal)
    }
}

extension ParquetFormat.FileMetaData: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var version: Int32?, schema: [ParquetFormat.SchemaElement]?, numRows: Int64?
        var rowGroups: [ParquetFormat.RowGroup]?, keyValues: [ParquetFormat.KeyValue]?, createdBy: String?
        var columnOrders: [ParquetFormat.ColumnOrder]?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: version = try reader.readI32(field, "version")
            case 2: schema = try reader.readStructs(field, "schema")
            case 3: numRows = try reader.readI64(field, "num_rows")
            case 4: rowGroups = try reader.readStructs(field, "row_groups")
            case 5: keyValues = try reader.readStructs(field, "key_value_metadata")
            case 6: createdBy = try reader.readString(field, "created_by")
            case 7:
                columnOrders = try reader.readList(field, "column_orders", of: .struct) { (reader) throws(ParquetError) in
                    try ParquetFormat.ColumnOrder.read(from: &reader)
                }.compactMap { $0 }
            // Encryption fields are not read (an encrypted footer is refused before this).
            default: try reader.skip(field.type)
            }
        }
        let name = "FileMetaData"
        self.init(
            version: try reader.required(version, "version", in: name, at: start),
            schema: try reader.required(schema, "schema", in: name, at: start),
            numRows: try reader.required(numRows, "num_rows", in: name, at: start),
            rowGroups: try reader.required(rowGroups, "row_groups", in: name, at: start),
            keyValueMetadata: keyValues, createdBy: createdBy, columnOrders: columnOrders)
    }
}
