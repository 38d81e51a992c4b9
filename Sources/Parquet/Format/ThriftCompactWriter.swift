/// The Thrift compact protocol's wire types, as they appear in a field header's low nibble and in
/// a list header (thrift's `TCompactProtocol`: `BOOLEAN_TRUE` = 1 … `STRUCT` = 12).
struct ThriftCompactType: RawRepresentable, Hashable, Sendable {
    var rawValue: UInt8
    static let booleanTrue = ThriftCompactType(rawValue: 1)
    static let booleanFalse = ThriftCompactType(rawValue: 2)
    static let byte = ThriftCompactType(rawValue: 3)
    static let i16 = ThriftCompactType(rawValue: 4)
    static let i32 = ThriftCompactType(rawValue: 5)
    static let i64 = ThriftCompactType(rawValue: 6)
    static let double = ThriftCompactType(rawValue: 7)
    static let binary = ThriftCompactType(rawValue: 8)
    static let list = ThriftCompactType(rawValue: 9)
    static let set = ThriftCompactType(rawValue: 10)
    static let map = ThriftCompactType(rawValue: 11)
    static let `struct` = ThriftCompactType(rawValue: 12)
}

/// A Thrift structure that can be written with the compact protocol.
protocol ThriftCompactWritable {
    /// Writes the structure's set fields in ascending id order (not the stop byte: the caller's
    /// ``ThriftCompactWriter/writeStruct(_:)`` adds it).
    func write(to writer: inout ThriftCompactWriter)
}

/// The Thrift compact protocol, writing only: what Parquet's footer and page headers are made of.
///
/// Field headers carry the id as a delta from the previous field of the same structure when it is
/// 1...15 (one byte, `delta << 4 | type`), else the type byte and the id as a zigzag varint; a
/// boolean field's value is its header's type (1 true, 2 false). Integers are zigzag varints,
/// binaries a varint length and the bytes, lists a header (`size << 4 | type` below 15 elements,
/// else `0xF0 | type` and a varint size) and the elements.
struct ThriftCompactWriter {
    /// The bytes written so far.
    var bytes: [UInt8]
    /// The id of the last field written in the structure being written (the delta's base).
    private var lastFieldID: Int16 = 0
    /// The enclosing structures' last field ids.
    private var enclosing: [Int16] = []

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Values

    /// An unsigned LEB128 varint.
    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A zigzag varint of a 16-, 32- or 64-bit integer (`(n << 1) ^ (n >> 63)`).
    mutating func writeZigzag(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func writeI32(_ value: Int32) { writeZigzag(Int64(value)) }
    mutating func writeI64(_ value: Int64) { writeZigzag(value) }

    /// A binary (or string): varint length, then the bytes.
    mutating func writeBinary(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A boolean outside a field header (a list element): one byte, 1 true, 2 false.
    mutating func writeBoolElement(_ value: Bool) {
        bytes.append(value ? 1 : 2)
    }

    /// A list header: the element type and the count.
    mutating func writeListHeader(_ elementType: ThriftCompactType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// A structure: its fields, then the stop byte; field deltas restart from 0 inside it.
    mutating func writeStruct(_ value: some ThriftCompactWritable) {
        enclosing.append(lastFieldID)
        lastFieldID = 0
        value.write(to: &self)
        bytes.append(0)  // STOP
        lastFieldID = enclosing.removeLast()
    }

    // MARK: Fields

    /// A field header: short form (delta 1...15 in the high nibble) when it can, else long form.
    mutating func writeFieldHeader(id: Int16, type: ThriftCompactType) {
        let delta = Int(id) - Int(lastFieldID)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeZigzag(Int64(id))
        }
        lastFieldID = id
    }

    mutating func writeField(_ id: Int16, bool value: Bool) {
        writeFieldHeader(id: id, type: value ? .booleanTrue : .booleanFalse)
    }

    mutating func writeField(_ id: Int16, i8 value: Int8) {
        writeFieldHeader(id: id, type: .byte)
        bytes.append(UInt8(bitPattern: value))
    }

    mutating func writeField(_ id: Int16, i16 value: Int16) {
        writeFieldHeader(id: id, type: .i16)
        writeZigzag(Int64(value))
    }

    mutating func writeField(_ id: Int16, i32 value: Int32) {
        writeFieldHeader(id: id, type: .i32)
        writeI32(value)
    }

    mutating func writeField(_ id: Int16, i64 value: Int64) {
        writeFieldHeader(id: id, type: .i64)
        writeI64(value)
    }

    mutating func writeField(_ id: Int16, binary value: [UInt8]) {
        writeFieldHeader(id: id, type: .binary)
        writeBinary(value)
    }

    mutating func writeField(_ id: Int16, string value: String) {
        writeFieldHeader(id: id, type: .binary)
        writeString(value)
    }

    mutating func writeField(_ id: Int16, struct value: some ThriftCompactWritable) {
        writeFieldHeader(id: id, type: .struct)
        writeStruct(value)
    }

    mutating func writeField(_ id: Int16, structs values: [some ThriftCompactWritable]) {
        writeFieldHeader(id: id, type: .list)
        writeListHeader(.struct, count: values.count)
        for value in values { writeStruct(value) }
    }

    mutating func writeField(_ id: Int16, i32s values: [Int32]) {
        writeFieldHeader(id: id, type: .list)
        writeListHeader(.i32, count: values.count)
        for value in values { writeI32(value) }
    }

    mutating func writeField(_ id: Int16, i64s values: [Int64]) {
        writeFieldHeader(id: id, type: .list)
        writeListHeader(.i64, count: values.count)
        for value in values { writeI64(value) }
    }

    mutating func writeField(_ id: Int16, strings values: [String]) {
        writeFieldHeader(id: id, type: .list)
        writeListHeader(.binary, count: values.count)
        for value in values { writeString(value) }
    }
}

/// An empty Thrift structure (`StringType`, `TypeDefinedOrder`, …): only its stop byte.
struct ThriftEmptyStruct: ThriftCompactWritable, Hashable, Sendable {
    func write(to writer: inout ThriftCompactWriter) {}
}
