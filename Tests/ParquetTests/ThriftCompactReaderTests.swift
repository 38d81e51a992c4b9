import Testing

@testable import Parquet

/// The compact protocol reader against bytes derived by hand from thrift's compact protocol spec
/// (thrift/doc/specs/thrift-compact-protocol.md), and the footer structures read back after the
/// writer wrote them.
@Suite struct ThriftCompactReaderTests {
    /// Reads one structure from `bytes`, recording each field as `id:type` and i32/string/bool values.
    static func fields(_ bytes: [UInt8]) throws(ParquetError) -> [String] {
        var reader = ThriftCompactReader(bytes, range: 0..<bytes.count, context: "test")
        var seen: [String] = []
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.type {
            case .i32: seen.append("\(field.id)=\(try reader.readI32(field, "x"))")
            case .binary: seen.append("\(field.id)=\(try reader.readString(field, "x"))")
            case .booleanTrue, .booleanFalse: seen.append("\(field.id)=\(try reader.readBool(field, "x"))")
            default:
                try reader.skip(field.type)
                seen.append("\(field.id)~\(field.type.rawValue)")
            }
        }
        #expect(reader.position == bytes.count, "the stop byte ends the structure")
        return seen
    }

    @Test func fieldHeadersWithDeltasAndLongForm() throws {
        // 1: i32 5 (delta 1, type 5 → 0x15; zigzag 5 → 0x0A); 3: "ab" (delta 2, type 8 → 0x28);
        // 20: i32 -1 (delta 17 > 15: 0x05 then zigzag i16 20 → 0x28; zigzag -1 → 0x01);
        // 21: true (delta 1, type 1 → 0x11); 22: false (0x12); stop.
        let bytes: [UInt8] = [0x15, 0x0A, 0x28, 0x02, 0x61, 0x62, 0x05, 0x28, 0x01, 0x11, 0x12, 0x00]
        #expect(try Self.fields(bytes) == ["1=5", "3=ab", "20=-1", "21=true", "22=false"])
    }

    @Test func varintsAndZigzag() throws {
        var reader = ThriftCompactReader([0xAC, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F], range: 0..<12, context: "t")
        #expect(try reader.readVarint() == 300)
        #expect(try reader.readI32() == Int32.min)
        #expect(try reader.readI32() == Int32.max)
        let max: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        var wide = ThriftCompactReader(max, range: 0..<max.count, context: "t")
        #expect(try wide.readI64() == Int64.min)
        // An 11th byte, or a 10th above 1, is longer than 64 bits.
        let long: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]
        var tooLong = ThriftCompactReader(long, range: 0..<long.count, context: "t")
        #expect(throws: ParquetError.self) { try tooLong.readVarint() }
        // An i32 field holding a value outside Int32.
        var outOfRange = ThriftCompactReader([0x80, 0x80, 0x80, 0x80, 0x10], range: 0..<5, context: "t")
        #expect(throws: ParquetError.self) { try outOfRange.readI32() }
    }

    @Test func listsShortAndLong() throws {
        // Field 1 list (0x19), 3 i32 elements (0x35): 1, 2, 3; field 2 list (0x19), 20 i32s (0xF5, 20).
        var bytes: [UInt8] = [0x19, 0x35, 0x02, 0x04, 0x06, 0x19, 0xF5, 0x14]
        bytes += (1...20).map { UInt8($0 * 2) }
        bytes.append(0x00)
        var reader = ThriftCompactReader(bytes, range: 0..<bytes.count, context: "t")
        var lists: [[Int32]] = []
        try reader.readStruct { (reader, field) throws(ParquetError) in
            lists.append(try reader.readList(field, "l", of: .i32) { (reader) throws(ParquetError) in try reader.readI32() })
        }
        #expect(lists == [[1, 2, 3], Array(1...20)])
    }

    /// Every compact type as an unknown field is read past; the known field after them is read.
    @Test func unknownFieldsOfEveryTypeAreSkipped() throws {
        let bytes: [UInt8] = [
            0x13, 0x7F,  // 1: byte
            0x14, 0x03,  // 2: i16 -2
            0x16, 0x80, 0x01,  // 3: i64 64
            0x17, 1, 2, 3, 4, 5, 6, 7, 8,  // 4: double
            0x18, 0x03, 0x78, 0x79, 0x7A,  // 5: binary "xyz"
            0x19, 0x2C, 0x15, 0x02, 0x00, 0x00,  // 6: list of 2 structs ({1: i32 1}, {})
            0x1A, 0x21, 0x01, 0x02,  // 7: set of 2 bools (elements are bytes)
            0x1B, 0x02, 0x55, 0x02, 0x04, 0x06, 0x08,  // 8: map of 2 entries, i32 → i32
            0x1C, 0x1C, 0x11, 0x00, 0x00,  // 9: struct { 1: struct { 1: true } }
            0x1B, 0x00,  // 10: empty map
            0x12,  // 11: false
            0x15, 0x54,  // 12: i32 42
            0x00,
        ]
        let seen = try Self.fields(bytes)
        #expect(seen == ["1~3", "2~4", "3~6", "4~7", "5=xyz", "6~9", "7~10", "8~11", "9~12", "10~11", "11=false", "12=42"])
    }

    @Test func nestedStructsRestoreTheEnclosingDelta() throws {
        // 1: struct { 5: i32 1 }, then 2: i32 7: the delta after the nested struct is from 1.
        let bytes: [UInt8] = [0x1C, 0x55, 0x02, 0x00, 0x15, 0x0E, 0x00]
        var reader = ThriftCompactReader(bytes, range: 0..<bytes.count, context: "t")
        var outer: [Int16] = []
        try reader.readStruct { (reader, field) throws(ParquetError) in
            outer.append(field.id)
            if field.type == .struct {
                try reader.readStruct { (reader, inner) throws(ParquetError) in
                    #expect(inner.id == 5)
                    #expect(try reader.readI32(inner, "x") == 1)
                }
            } else {
                #expect(try reader.readI32(field, "x") == 7)
            }
        }
        #expect(outer == [1, 2])
    }

    @Test(arguments: [
        ("truncated varint", [UInt8]([0x15, 0x80])),
        ("binary longer than the data", [0x18, 0x10, 0x61]),
        ("list count beyond the data", [0x19, 0xF5, 0xFF, 0x7F]),
        ("no stop byte", [0x15, 0x02]),
        ("unknown compact type", [0x1D, 0x00]),
        ("map count beyond the data", [0x1B, 0x7F, 0x55]),
        ("string not UTF-8", [0x18, 0x01, 0xFF, 0x00]),
        ("nesting deeper than the limit", [UInt8](repeating: 0x1C, count: 100) + [UInt8](repeating: 0, count: 101)),
        ("bool field read as i32", [0x11, 0x00]),
    ])
    func malformedInputsAreErrorsWithAnOffset(_ name: String, _ bytes: [UInt8]) {
        do {
            var reader = ThriftCompactReader(bytes, range: 0..<bytes.count, context: "test")
            try reader.readStruct { (reader, field) throws(ParquetError) in
                if field.id == 1 && field.type == .booleanTrue {
                    _ = try reader.readI32(field, "x")
                } else if field.type == .binary {
                    _ = try reader.readString(field, "x")
                } else {
                    try reader.skip(field.type)
                }
            }
            Issue.record("\(name): no error")
        } catch {
            #expect(error.code == .malformedMetadata, "\(name)")
            #expect(error.message.contains("at byte"), "\(name): \(error.message)")
        }
    }

    /// The footer structures as the writer writes them read back equal, every optional field set.
    @Test func footerStructuresRoundTripThroughTheWriter() throws {
        typealias F = ParquetFormat
        let statistics = F.Statistics(
            max: [1], min: [0], nullCount: 3, distinctCount: 2, maxValue: [9, 9], minValue: [], isMaxValueExact: true, isMinValueExact: false)
        let column = F.ColumnMetaData(
            type: .fixedLenByteArray, encodings: [.plain, .rle, .rleDictionary], pathInSchema: ["a", "list", "element"], codec: .zstd,
            numValues: 1 << 40, totalUncompressedSize: 123_456, totalCompressedSize: 654, keyValueMetadata: [F.KeyValue(key: "k", value: nil)],
            dataPageOffset: 4, indexPageOffset: 77, dictionaryPageOffset: 3, statistics: statistics,
            encodingStats: [F.PageEncodingStats(pageType: .dataPage, encoding: .plain, count: 2)])
        let schema = [
            F.SchemaElement(name: "schema", numChildren: 2),
            F.SchemaElement(
                type: .fixedLenByteArray, typeLength: 16, repetitionType: .optional, name: "d", convertedType: .decimal, scale: 3, precision: 38,
                fieldID: 7, logicalType: .decimal(F.DecimalType(scale: 3, precision: 38))),
            F.SchemaElement(
                type: .int64, repetitionType: .required, name: "ts",
                logicalType: .timestamp(F.TimestampType(isAdjustedToUTC: true, unit: .millis))),
        ]
        let metadata = F.FileMetaData(
            version: 1, schema: schema, numRows: 99,
            rowGroups: [F.RowGroup(columns: [F.ColumnChunk(metaData: column)], totalByteSize: 5, numRows: 99, fileOffset: 4, totalCompressedSize: 6, ordinal: 0)],
            keyValueMetadata: [F.KeyValue(key: "ddbcdc.layout", value: "packed")], createdBy: "test", columnOrders: [.typeDefinedOrder])
        var writer = ThriftCompactWriter()
        writer.writeStruct(metadata)
        var reader = ThriftCompactReader(writer.bytes, range: 0..<writer.bytes.count, context: "t")
        #expect(try F.FileMetaData(reading: &reader) == metadata)
        #expect(reader.position == writer.bytes.count)

        let header = F.PageHeader(
            type: .dataPage, uncompressedPageSize: 100, compressedPageSize: 50, crc: -5,
            dataPageHeader: F.DataPageHeader(numValues: 10, encoding: .rleDictionary, statistics: statistics))
        let dictionary = F.PageHeader(
            type: .dictionaryPage, uncompressedPageSize: 1, compressedPageSize: 1,
            dictionaryPageHeader: F.DictionaryPageHeader(numValues: 3, isSorted: false))
        for page in [header, dictionary] {
            var writer = ThriftCompactWriter()
            writer.writeStruct(page)
            var reader = ThriftCompactReader(writer.bytes, range: 0..<writer.bytes.count, context: "t")
            #expect(try F.PageHeader(reading: &reader) == page)
        }
    }
}
