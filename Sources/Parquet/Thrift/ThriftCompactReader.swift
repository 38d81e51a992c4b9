/// The Thrift compact protocol, reading: what Parquet's footer and page headers are made of.
///
/// The mirror of ``ThriftCompactWriter`` over untrusted bytes: every length and count is checked
/// against the bytes left before anything is allocated, varints stop at 10 bytes, nesting stops at
/// ``maxDepth``, and every failure is a ``ParquetError`` naming the byte offset (in the buffer
/// given, which is the whole file when the reader reads a file). Fields this package does not know
/// are skipped whatever their type, so newer writers' additions are read past.
struct ThriftCompactReader {
    /// A field header: its id (the delta applied) and its wire type.
    struct Field {
        var id: Int16
        var type: ThriftCompactType
        /// Where the header starts, for errors.
        var offset: Int
    }

    /// Deeper nesting than this is refused: parquet.thrift nests a handful of levels, and
    /// skipping an unknown field recurses once per level.
    static let maxDepth = 64

    private let bytes: [UInt8]
    /// The next byte to read.
    private(set) var position: Int
    /// One past the last byte this reader may read.
    let end: Int
    /// What the structure being read is, for errors (`PageHeader`, `FileMetaData`).
    private let context: String
    private var lastFieldID: Int16 = 0
    private var enclosing: [Int16] = []

    /// A reader of `bytes[range]`; `context` names what is read in errors.
    init(_ bytes: [UInt8], range: Range<Int>, context: String) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
        self.context = context
    }

    /// An error at `offset` (the current position by default).
    func error(_ message: String, at offset: Int? = nil) -> ParquetError {
        ParquetError(.malformedMetadata, "\(context): \(message) at byte \(offset ?? position)")
    }

    // MARK: Values

    /// The bytes left.
    var remaining: Int { end - position }

    mutating func readByte() throws(ParquetError) -> UInt8 {
        guard position < end else { throw error("unexpected end of data") }
        defer { position += 1 }
        return bytes[position]
    }

    /// An unsigned LEB128 varint of at most 10 bytes (64 bits).
    mutating func readVarint() throws(ParquetError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw error("varint longer than 64 bits", at: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A zigzag varint (`(n >>> 1) ^ -(n & 1)`).
    mutating func readZigzag() throws(ParquetError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func readI16() throws(ParquetError) -> Int16 {
        let start = position
        let value = try readZigzag()
        guard let narrow = Int16(exactly: value) else { throw error("i16 out of range (\(value))", at: start) }
        return narrow
    }

    mutating func readI32() throws(ParquetError) -> Int32 {
        let start = position
        let value = try readZigzag()
        guard let narrow = Int32(exactly: value) else { throw error("i32 out of range (\(value))", at: start) }
        return narrow
    }

    mutating func readI64() throws(ParquetError) -> Int64 { try readZigzag() }

    /// A binary: a varint length no larger than the bytes left, then the bytes.
    mutating func readBinary() throws(ParquetError) -> [UInt8] {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw error("binary of \(length) bytes with only \(remaining) left", at: start)
        }
        defer { position += Int(length) }
        return Array(bytes[position..<position + Int(length)])
    }

    /// A string: a binary that must be UTF-8.
    mutating func readString() throws(ParquetError) -> String {
        let start = position
        let raw = try readBinary()
        guard let string = String(validating: raw, as: UTF8.self) else { throw error("string is not UTF-8", at: start) }
        return string
    }

    /// A list (or set) header: the element type and a count no larger than the bytes left (every
    /// element takes at least one byte).
    mutating func readListHeader() throws(ParquetError) -> (type: ThriftCompactType, count: Int) {
        let start = position
        let header = try readByte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        guard count <= UInt64(remaining) else { throw error("list of \(count) elements with only \(remaining) bytes left", at: start) }
        return (ThriftCompactType(rawValue: header & 0x0F), Int(count))
    }

    // MARK: Structures

    /// The next field header of the structure being read, or nil at its stop byte.
    mutating func readFieldHeader() throws(ParquetError) -> Field? {
        let start = position
        let header = try readByte()
        if header == 0 { return nil }
        let type = ThriftCompactType(rawValue: header & 0x0F)
        let delta = Int16(header >> 4)
        let id: Int16
        if delta == 0 {
            id = try readI16()
        } else {
            let (sum, overflow) = lastFieldID.addingReportingOverflow(delta)
            guard !overflow else { throw error("field id overflows", at: start) }
            id = sum
        }
        lastFieldID = id
        return Field(id: id, type: type, offset: start)
    }

    /// Reads a structure: calls `body` for each field until the stop byte; `body` reads the
    /// field's value (with the typed readers below) or skips it.
    mutating func readStruct(_ body: (inout ThriftCompactReader, Field) throws(ParquetError) -> Void) throws(ParquetError) {
        guard enclosing.count < Self.maxDepth else { throw error("structures nested deeper than \(Self.maxDepth)") }
        enclosing.append(lastFieldID)
        lastFieldID = 0
        while let field = try readFieldHeader() {
            try body(&self, field)
        }
        lastFieldID = enclosing.removeLast()
    }

    /// Skips a value of `type` (a field's or an element's), nested values included.
    mutating func skip(_ type: ThriftCompactType) throws(ParquetError) {
        switch type {
        case .booleanTrue, .booleanFalse: break  // in a field header the type is the value
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double:
            guard remaining >= 8 else { throw error("double with only \(remaining) bytes left") }
            position += 8
        case .binary:
            _ = try readBinary()
        case .list, .set:
            let (elementType, count) = try readListHeader()
            try nested { (reader) throws(ParquetError) in
                for _ in 0..<count { try reader.skipElement(elementType) }
            }
        case .map:
            let start = position
            let count = try readVarint()
            guard count > 0 else { return }
            let types = try readByte()
            guard count <= UInt64(remaining) else { throw error("map of \(count) entries with only \(remaining) bytes left", at: start) }
            try nested { (reader) throws(ParquetError) in
                for _ in 0..<count {
                    try reader.skipElement(ThriftCompactType(rawValue: types >> 4))
                    try reader.skipElement(ThriftCompactType(rawValue: types & 0x0F))
                }
            }
        case .struct:
            try readStruct { (reader, field) throws(ParquetError) in try reader.skip(field.type) }
        default:
            throw error("unknown compact type \(type.rawValue)")
        }
    }

    /// Skips a list element or map key/value: like a field's value, except that a boolean is a byte.
    private mutating func skipElement(_ type: ThriftCompactType) throws(ParquetError) {
        if type == .booleanTrue || type == .booleanFalse {
            _ = try readByte()
        } else {
            try skip(type)
        }
    }

    /// Runs `body` one nesting level down (lists and maps count like structures against ``maxDepth``).
    private mutating func nested(_ body: (inout ThriftCompactReader) throws(ParquetError) -> Void) throws(ParquetError) {
        guard enclosing.count < Self.maxDepth else { throw error("values nested deeper than \(Self.maxDepth)") }
        enclosing.append(lastFieldID)
        try body(&self)
        lastFieldID = enclosing.removeLast()
    }

    // MARK: Typed field values

    /// Checks that `field` has wire type `type`.
    func expect(_ field: Field, _ type: ThriftCompactType, _ name: String) throws(ParquetError) {
        guard field.type == type else {
            throw error("field \(field.id) (\(name)) has compact type \(field.type.rawValue), not \(type.rawValue)", at: field.offset)
        }
    }

    mutating func readBool(_ field: Field, _ name: String) throws(ParquetError) -> Bool {
        switch field.type {
        case .booleanTrue: return true
        case .booleanFalse: return false
        default: throw error("field \(field.id) (\(name)) has compact type \(field.type.rawValue), not a boolean", at: field.offset)
        }
    }

    mutating func readI8(_ field: Field, _ name: String) throws(ParquetError) -> Int8 {
        try expect(field, .byte, name)
        return Int8(bitPattern: try readByte())
    }

    mutating func readI16(_ field: Field, _ name: String) throws(ParquetError) -> Int16 {
        try expect(field, .i16, name)
        return try readI16()
    }

    mutating func readI32(_ field: Field, _ name: String) throws(ParquetError) -> Int32 {
        try expect(field, .i32, name)
        return try readI32()
    }

    mutating func readI64(_ field: Field, _ name: String) throws(ParquetError) -> Int64 {
        try expect(field, .i64, name)
        return try readI64()
    }

    mutating func readBinary(_ field: Field, _ name: String) throws(ParquetError) -> [UInt8] {
        try expect(field, .binary, name)
        return try readBinary()
    }

    mutating func readString(_ field: Field, _ name: String) throws(ParquetError) -> String {
        try expect(field, .binary, name)
        return try readString()
    }

    /// A list field whose elements are read by `element`.
    mutating func readList<T>(
        _ field: Field, _ name: String, of elementType: ThriftCompactType,
        _ element: (inout ThriftCompactReader) throws(ParquetError) -> T
    ) throws(ParquetError) -> [T] {
        try expect(field, .list, name)
        let start = position
        let (type, count) = try readListHeader()
        guard type == elementType || count == 0 else {
            throw error("\(name): list of compact type \(type.rawValue), not \(elementType.rawValue)", at: start)
        }
        var values: [T] = []
        values.reserveCapacity(count)
        try nested { (reader) throws(ParquetError) in
            for _ in 0..<count { values.append(try element(&reader)) }
        }
        return values
    }

    /// A required field that was absent.
    func missing(_ name: String, in structure: String, at offset: Int) -> ParquetError {
        error("\(structure) has no \(name)", at: offset)
    }
}
