extension ParquetFormat.DataPageHeader: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var numValues: Int32?, encoding: Int32?, definition: Int32?, repetition: Int32?
        var statistics: ParquetFormat.Statistics?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: numValues = try reader.readI32(field, "num_values")
            case 2: encoding = try reader.readI32(field, "encoding")
            case 3: definition = try reader.readI32(field, "definition_level_encoding")
            case 4: repetition = try reader.readI32(field, "repetition_level_encoding")
            case 5: statistics = try reader.readStruct(field, "statistics")
            default: try reader.skip(field.type)
            }
        }
        let name = "DataPageHeader"
        self.init(
            numValues: try reader.required(numValues, "num_values", in: name, at: start),
            encoding: .init(rawValue: try reader.required(encoding, "encoding", in: name, at: start)),
            definitionLevelEncoding: .init(rawValue: try reader.required(definition, "definition_level_encoding", in: name, at: start)),
            repetitionLevelEncoding: .init(rawValue: try reader.required(repetition, "repetition_level_encoding", in: name, at: start)),
            statistics: statistics)
    }
}

extension ParquetFormat.DictionaryPageHeader: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var numValues: Int32?, encoding: Int32?, sorted: Bool?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: numValues = try reader.readI32(field, "num_values")
            case 2: encoding = try reader.readI32(field, "encoding")
            case 3: sorted = try reader.readBool(field, "is_sorted")
            default: try reader.skip(field.type)
            }
        }
        let name = "DictionaryPageHeader"
        self.init(
            numValues: try reader.required(numValues, "num_values", in: name, at: start),
            encoding: .init(rawValue: try reader.required(encoding, "encoding", in: name, at: start)),
            isSorted: sorted)
    }
}

extension ParquetFormat.PageHeader: ThriftCompactReadable {
    /// Reads the header; a data page v2 or index page header is read past (its page is refused or
    /// skipped by the caller, which knows the page's type).
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var type: Int32?, uncompressed: Int32?, compressed: Int32?, crc: Int32?
        var data: ParquetFormat.DataPageHeader?, dictionary: ParquetFormat.DictionaryPageHeader?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: type = try reader.readI32(field, "type")
            case 2: uncompressed = try reader.readI32(field, "uncompressed_page_size")
            case 3: compressed = try reader.readI32(field, "compressed_page_size")
            case 4: crc = try reader.readI32(field, "crc")
            case 5: data = try reader.readStruct(field, "data_page_header")
            case 7: dictionary = try reader.readStruct(field, "dictionary_page_header")
            default: try reader.skip(field.type)
            }
        }
        let name = "PageHeader"
        self.init(
            type: .init(rawValue: try reader.required(type, "type", in: name, at: start)),
            uncompressedPageSize: try reader.required(uncompressed, "uncompressed_page_size", in: name, at: start),
            compressedPageSize: try reader.required(compressed, "compressed_page_size", in: name, at: start),
            crc: crc, dataPageHeader: data, dictionaryPageHeader: dictionary)
    }
}
