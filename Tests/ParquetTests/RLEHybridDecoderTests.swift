import Testing

@testable import Parquet

/// The RLE / bit-packing hybrid decoder against parquet-format's examples (Encodings.md) and
/// against runs packed here, LSB first, for every bit width.
@Suite struct RLEHybridDecoderTests {
    static func decode(_ bytes: [UInt8], width: Int, count: Int) throws(ParquetError) -> [UInt32] {
        try RLEHybridDecoder.decode(bytes, range: 0..<bytes.count, bitWidth: width, count: count, place: "test")
    }

    /// Encodings.md: the values 0…7 with bit width 3, bit-packed: header (1 group << 1) | 1 = 0x03,
    /// then `10001000 11000110 11111010`.
    @Test func specBitPackedExample() throws {
        #expect(try Self.decode([0x03, 0x88, 0xC6, 0xFA], width: 3, count: 8) == Array(0...7))
    }

    /// An RLE run (header 8 << 1 = 0x10, value 5 in one byte), then a bit-packed group of which only
    /// the first 3 values are wanted (the rest is padding), then nothing.
    @Test func rleThenPaddedBitPacked() throws {
        #expect(try Self.decode([0x10, 0x05, 0x03, 0x88, 0xC6, 0xFA], width: 3, count: 11) == [5, 5, 5, 5, 5, 5, 5, 5, 0, 1, 2])
        // Only the bytes of the wanted values need to be there.
        #expect(try Self.decode([0x10, 0x05, 0x03, 0x88], width: 3, count: 10) == [5, 5, 5, 5, 5, 5, 5, 5, 0, 1])
        // An RLE run longer than wanted is cut; a 2-byte run value for width 9.
        #expect(try Self.decode([0xC8, 0x01, 0x2C, 0x01], width: 9, count: 3) == [300, 300, 300])
    }

    /// LSB-first bit packing, written independently of the decoder.
    static func pack(_ values: [UInt32], width: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (values.count * width + 7) / 8)
        for (index, value) in values.enumerated() {
            for bit in 0..<width where (UInt64(value) >> UInt64(bit)) & 1 == 1 {
                let position = index * width + bit
                bytes[position / 8] |= 1 << UInt8(position % 8)
            }
        }
        return bytes
    }

    @Test(arguments: 1...32)
    func bitPackedRunsOfEveryWidth(width: Int) throws {
        var rng = SplitMix64(seed: UInt64(width))
        let limit = width == 32 ? UInt64(UInt32.max) : (UInt64(1) << UInt64(width)) - 1
        // Extremes first, then random values: 3 groups of 8.
        var values: [UInt32] = [0, UInt32(limit), 1, UInt32(limit / 2)]
        while values.count < 24 { values.append(UInt32(rng.next() % (limit + 1))) }
        let encoded: [UInt8] = [UInt8(3 << 1 | 1)] + Self.pack(values, width: width)
        #expect(try Self.decode(encoded, width: width, count: 24) == values)
        // The same values as RLE runs of one value each, in ceil(width / 8) bytes.
        var runs: [UInt8] = []
        for value in values {
            runs.append(1 << 1)
            for k in 0..<(width + 7) / 8 { runs.append(UInt8(truncatingIfNeeded: value >> UInt32(8 * k))) }
        }
        #expect(try Self.decode(runs, width: width, count: 24) == values)
    }

    @Test func widthZeroIsAllZeros() throws {
        #expect(try Self.decode([], width: 0, count: 5) == [0, 0, 0, 0, 0])
    }

    @Test(arguments: [
        ("runs end early", [UInt8]([0x04, 0x01]), 3, 5),
        ("bit-packed run cut off", [0x03, 0x88], 3, 8),
        ("RLE value cut off", [0x10], 3, 1),
        ("RLE value wider than the bit width", [0x10, 0x09], 3, 1),
        ("header varint never ends", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], 3, 1),
        ("bit width above 32", [0x02, 0x01], 33, 1),
    ])
    func malformedRunsAreErrors(_ name: String, _ bytes: [UInt8], _ width: Int, _ count: Int) {
        #expect(throws: ParquetError.self, "\(name)") { try Self.decode(bytes, width: width, count: count) }
    }
}
