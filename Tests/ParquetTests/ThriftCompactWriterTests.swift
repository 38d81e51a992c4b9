import Testing

@testable import Parquet

/// The compact protocol against bytes derived by hand from thrift's compact protocol spec
/// (thrift/doc/specs/thrift-compact-protocol.md).
@Suite struct ThriftCompactWriterTests {
    /// A structure made of a closure, for writing arbitrary field sequences.
    struct Fields: ThriftCompactWritable {
        var body: (inout ThriftCompactWriter) -> Void
        func write(to writer: inout ThriftCompactWriter) { body(&writer) }
    }

    static func bytes(_ body: @escaping (inout ThriftCompactWriter) -> Void) -> [UInt8] {
        var writer = ThriftCompactWriter()
        writer.writeStruct(Fields(body: body))
        return writer.bytes
    }

    static let varints: [(UInt64, [UInt8])] = [
        (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
        (16384, [0x80, 0x80, 0x01]), (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: varints)
    func varint(value: UInt64, expected: [UInt8]) {
        var writer = ThriftCompactWriter()
        writer.writeVarint(value)
        #expect(writer.bytes == expected)
    }

    /// Zigzag: 0 → 0, -1 → 1, 1 → 2, -2 → 3, then varint.
    static let zigzags: [(Int64, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]),
        (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int64(Int32.min), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: zigzags)
    func zigzag(value: Int64, expected: [UInt8]) {
        var writer = ThriftCompactWriter()
        writer.writeZigzag(value)
        #expect(writer.bytes == expected)
    }

    @Test func fieldDeltasShortAndLong() {
        // Field 1 i32 5: delta 1, type 5 → 0x15, zigzag 5 = 10. Field 3 i64 -1: delta 2, type 6 → 0x26, 0x01.
        // Field 20 binary "ab": delta 17 > 15 → long form: type 8, zigzag(20) = 40 = 0x28; length 2.
        // Field 4 i32 0 (id goes down): long form 0x05, zigzag(4) = 8. Then STOP.
        let bytes = Self.bytes { w in
            w.writeField(1, i32: 5)
            w.writeField(3, i64: -1)
            w.writeField(20, string: "ab")
            w.writeField(4, i32: 0)
        }
        #expect(bytes == [0x15, 0x0A, 0x26, 0x01, 0x08, 0x28, 0x02, 0x61, 0x62, 0x05, 0x08, 0x00, 0x00])
    }

    @Test func booleansLiveInTheFieldHeader() {
        // true is type 1, false type 2, no value byte; both at delta 1.
        let bytes = Self.bytes { w in
            w.writeField(1, bool: true)
            w.writeField(2, bool: false)
        }
        #expect(bytes == [0x11, 0x12, 0x00])
    }

    @Test func nestedStructsRestartTheDelta() {
        // Field 2 struct {field 1 i32 1}, then field 3 i32 1: the delta after the inner struct is
        // from the outer's last id (2), not the inner's.
        let inner = Fields { $0.writeField(1, i32: 1) }
        let bytes = Self.bytes { w in
            w.writeField(2, struct: inner)
            w.writeField(3, i32: 1)
        }
        #expect(bytes == [0x2C, 0x15, 0x02, 0x00, 0x15, 0x02, 0x00])
    }

    @Test func listHeaders() {
        // 3 i32 elements: size 3 in the high nibble, type 5. 15 strings: 0xF0 | 8, varint 15.
        let short = Self.bytes { $0.writeField(1, i32s: [1, -1, 2]) }
        #expect(short == [0x19, 0x35, 0x02, 0x01, 0x04, 0x00])
        let long = Self.bytes { $0.writeField(1, strings: Array(repeating: "", count: 15)) }
        #expect(long == [0x19, 0xF8, 0x0F] + Array(repeating: 0, count: 15) + [0x00])
        var empty = ThriftCompactWriter()
        empty.writeListHeader(.struct, count: 0)
        #expect(empty.bytes == [0x0C])
        var bools = ThriftCompactWriter()
        bools.writeBoolElement(true)
        bools.writeBoolElement(false)
        #expect(bools.bytes == [0x01, 0x02])
    }

    @Test func keyValueAndEmptyUnionMember() {
        var writer = ThriftCompactWriter()
        writer.writeStruct(ParquetFormat.KeyValue(key: "k", value: "é"))
        #expect(writer.bytes == [0x18, 0x01, 0x6B, 0x18, 0x02, 0xC3, 0xA9, 0x00])
        var order = ThriftCompactWriter()
        order.writeStruct(ParquetFormat.ColumnOrder.typeDefinedOrder)
        #expect(order.bytes == [0x1C, 0x00, 0x00])
    }
}
