extension ThriftEmptyStruct: ThriftCompactReadable {
    /// Reads past the structure, whatever fields a newer writer put in it.
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        try reader.readStruct { (reader, field) throws(ParquetError) in try reader.skip(field.type) }
    }
}
