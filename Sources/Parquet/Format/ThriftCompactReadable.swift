/// A Thrift structure that can be read with the compact protocol.
protocol ThriftCompactReadable {
    /// Reads the structure's fields up to and including its stop byte.
    init(reading reader: inout ThriftCompactReader) throws(ParquetError)
}

extension ThriftCompactReader {
    /// A structure field's value.
    mutating func readStruct<T: ThriftCompactReadable>(_ field: Field, _ name: String, as: T.Type = T.self) throws(ParquetError) -> T {
        try expect(field, .struct, name)
        return try T(reading: &self)
    }

    /// A list of structures.
    mutating func readStructs<T: ThriftCompactReadable>(_ field: Field, _ name: String, as: T.Type = T.self) throws(ParquetError) -> [T] {
        try readList(field, name, of: .struct) { (reader) throws(ParquetError) in try T(reading: &reader) }
    }

    /// A required field's value, or an error naming it.
    func required<T>(_ value: T?, _ name: String, in structure: String, at offset: Int) throws(ParquetError) -> T {
        guard let value else { throw missing(name, in: structure, at: offset) }
        return value
    }
}
