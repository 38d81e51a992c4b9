/// Parquet's RLE / bit-packing hybrid (Encodings.md, "Run Length Encoding / Bit-Packing Hybrid"):
/// levels and dictionary indices.
///
/// A run of 8 or more equal values becomes an RLE run (`varint(count << 1)`, then the value in
/// `ceil(bitWidth / 8)` little-endian bytes); everything else is bit-packed in groups of 8
/// (`varint(groups << 1 | 1)`, then the values LSB first). When a repeated run follows literals,
/// the literals are completed to a multiple of 8 with the run's first values so that no padding
/// sits in the middle of the data; only the last group is padded (with zeros, which readers drop
/// since the page says how many values there are).
enum RLEHybrid {
    /// The bits needed for values up to `maxValue` (0 for 0).
    @inline(__always)
    static func bitWidth(_ maxValue: Int) -> Int {
        maxValue == 0 ? 0 : Int.bitWidth - maxValue.leadingZeroBitCount
    }

    /// Appends `values` encoded with `bitWidth` (1...32) to `out`, without a length prefix.
    static func encode<T: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: inout [UInt8]) {
        let count = values.count
        var i = 0
        var literalStart = 0
        while i < count {
            let value = values[i]
            var end = i + 1
            while end < count && values[end] == value { end += 1 }
            var run = end - i
            if run >= 8 {
                let literals = i - literalStart
                if literals > 0 {
                    let pad = (8 - literals % 8) % 8
                    bitPack(values, from: literalStart, count: literals + pad, bitWidth: bitWidth, into: &out)
                    run -= pad
                }
                if run > 0 { rleRun(UInt64(value), count: run, bitWidth: bitWidth, into: &out) }
                literalStart = end
            }
            i = end
        }
        if literalStart < count {
            bitPack(values, from: literalStart, count: count - literalStart, bitWidth: bitWidth, into: &out)
        }
    }

    /// Appends the hybrid encoding with the 4-byte little-endian length prefix of data page v1's levels.
    static func encodeWithLength(_ values: UnsafeBufferPointer<UInt8>, bitWidth: Int, into out: inout [UInt8]) {
        let lengthAt = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        encode(values, bitWidth: bitWidth, into: &out)
        let length = UInt32(out.count - lengthAt - 4)
        out[lengthAt] = UInt8(truncatingIfNeeded: length)
        out[lengthAt + 1] = UInt8(truncatingIfNeeded: length >> 8)
        out[lengthAt + 2] = UInt8(truncatingIfNeeded: length >> 16)
        out[lengthAt + 3] = UInt8(truncatingIfNeeded: length >> 24)
    }

    @inline(__always)
    static func appendVarint(_ value: Int, into out: inout [UInt8]) {
        var v = UInt64(value)
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func rleRun(_ value: UInt64, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        appendVarint(count << 1, into: &out)
        var v = value
        for _ in 0..<((bitWidth + 7) / 8) {
            out.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// One bit-packed run of `count` values from `start`, padded with zeros to a multiple of 8.
    static func bitPack<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, from start: Int, count: Int, bitWidth: Int, into out: inout [UInt8]
    ) {
        let groups = (count + 7) / 8
        appendVarint(groups << 1 | 1, into: &out)
        out.reserveCapacity(out.count + groups * bitWidth)
        var accumulator: UInt64 = 0
        var bits = 0
        let end = start + count
        for index in start..<(start + groups * 8) {
            let value: UInt64 = index < end ? UInt64(values[index]) : 0
            accumulator |= value << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends raw bytes with one copy: as typed bytes, `append(contentsOf:)` takes its contiguous
    /// fast path (a raw buffer goes element by element).
    @inline(__always)
    mutating func append(raw bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }
}
