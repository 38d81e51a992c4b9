import Testing

@testable import Parquet

/// The RLE / bit-packing hybrid against parquet-format's Encodings.md examples and hand-derived
/// bytes, and a round trip through a decoder written here from the spec.
@Suite struct RLEHybridTests {
    static func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        values.withUnsafeBufferPointer { RLEHybrid.encode($0, bitWidth: bitWidth, into: &out) }
        return out
    }

    @Test func bitPackedSpecExample() {
        // Encodings.md: 0...7 with bit width 3 pack to 10001000 11000110 11111010; one group: header 1 << 1 | 1.
        #expect(Self.encode([0, 1, 2, 3, 4, 5, 6, 7], bitWidth: 3) == [0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010])
    }

    @Test func repeatedRunIsRLE() {
        // 100 zeros: varint(100 << 1) = C8 01, then the value in one byte.
        #expect(Self.encode(Array(repeating: 0, count: 100), bitWidth: 1) == [0xC8, 0x01, 0x00])
        // Width 32: the value in four little-endian bytes.
        #expect(Self.encode(Array(repeating: 0xDEAD_BEEF, count: 8), bitWidth: 32) == [0x10, 0xEF, 0xBE, 0xAD, 0xDE])
        // Width 9: two bytes.
        #expect(Self.encode(Array(repeating: 300, count: 9), bitWidth: 9) == [0x12, 0x2C, 0x01])
    }

    @Test func literalsBorrowFromTheFollowingRunToFillAGroup() {
        // 1 0 1 0 1 then ten 1s: the literal group takes three of the run (LSB first 1,0,1,0,1,1,1,1 = F5),
        // the other seven are an RLE run (varint 14, value 1).
        #expect(Self.encode([1, 0, 1, 0, 1] + Array(repeating: 1, count: 10), bitWidth: 1) == [0x03, 0xF5, 0x0E, 0x01])
    }

    @Test func lastGroupIsPaddedWithZeros() {
        // 1, 2, 3 at width 2: 01 10 11 00 | 00 00 00 00.
        #expect(Self.encode([1, 2, 3], bitWidth: 2) == [0x03, 0b0011_1001, 0x00])
        // Short runs stay literal: 2 2 2 then 5 5 (width 3) → one group.
        #expect(Self.encode([2, 2, 2, 5, 5], bitWidth: 3) == [0x03, 0b1001_0010, 0b0101_1010, 0x00])
    }

    @Test func levelsCarryTheirLength() {
        var out: [UInt8] = []
        let levels: [UInt8] = Array(repeating: 1, count: 8)
        levels.withUnsafeBufferPointer { RLEHybrid.encodeWithLength($0, bitWidth: 1, into: &out) }
        #expect(out == [2, 0, 0, 0, 0x10, 0x01])
    }

    @Test(arguments: [1, 2, 3, 7, 8, 13, 20, 32])
    func roundTripsRandomRuns(bitWidth: Int) {
        var random = SplitMix64(seed: UInt64(bitWidth))
        for _ in 0..<50 {
            var values: [UInt32] = []
            let mask = bitWidth == 32 ? UInt32.max : (1 << UInt32(bitWidth)) - 1
            for _ in 0..<Int(random.next() % 12) {
                let value = UInt32(truncatingIfNeeded: random.next()) & mask
                values += Array(repeating: value, count: Int(random.next() % 20) + 1)
            }
            let encoded = Self.encode(values, bitWidth: bitWidth)
            #expect(Self.decode(encoded, count: values.count, bitWidth: bitWidth) == values)
        }
    }

    /// A decoder from the spec's grammar, for the round trip.
    static func decode(_ bytes: [UInt8], count: Int, bitWidth: Int) -> [UInt32] {
        var values: [UInt32] = []
        var i = 0
        func varint() -> Int {
            var result = 0, shift = 0
            while true {
                let byte = bytes[i]
                i += 1
                result |= Int(byte & 0x7F) << shift
                shift += 7
                if byte < 0x80 { return result }
            }
        }
        while values.count < count && i < bytes.count {
            let header = varint()
            if header & 1 == 0 {
                var value: UInt32 = 0
                for k in 0..<((bitWidth + 7) / 8) {
                    value |= UInt32(bytes[i]) << (8 * k)
                    i += 1
                }
                values += Array(repeating: value, count: header >> 1)
            } else {
                let total = (header >> 1) * 8
                var bit = 0
                for _ in 0..<total {
                    var value: UInt32 = 0
                    for b in 0..<bitWidth where bytes[i + (bit + b) / 8] & (1 << ((bit + b) % 8)) != 0 { value |= 1 << b }
                    bit += bitWidth
                    values.append(value)
                }
                i += total * bitWidth / 8
            }
        }
        return Array(values.prefix(count))
    }
}

/// A seeded generator (SplitMix64) so that every run of the random tests is the same.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
