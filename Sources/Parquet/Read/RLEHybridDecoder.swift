/// Parquet's RLE / bit-packing hybrid encoding (parquet-format Encodings.md, "Run Length
/// Encoding / Bit-Packing Hybrid"), decoding: repetition and definition levels, dictionary indices,
/// booleans.
///
/// A run header is a varint: low bit 0 → an RLE run of `header >> 1` copies of one value stored in
/// `ceil(bitWidth / 8)` little-endian bytes; low bit 1 → `header >> 1` groups of 8 values
/// bit-packed LSB first, `bitWidth` bytes per group. The last bit-packed run may be padded past the
/// values wanted; only the bytes of wanted values need to be present.
enum RLEHybridDecoder {
    /// Decodes `count` values of `bitWidth` (0...32) bits from `bytes[range]`.
    /// - Throws: ``ParquetError/Code/malformedPage`` naming `place` when the runs end before
    ///   `count` values or a header is malformed.
    static func decode(_ bytes: [UInt8], range: Range<Int>, bitWidth: Int, count: Int, place: String) throws(ParquetError) -> [UInt32] {
        guard (0...32).contains(bitWidth) else {
            throw ParquetError(.malformedPage, "\(place): bit width \(bitWidth) is outside 0...32")
        }
        guard count >= 0 else { throw ParquetError(.malformedPage, "\(place): negative value count \(count)") }
        var values: [UInt32] = []
        values.reserveCapacity(Swift.min(count, 1 << 20))
        if bitWidth == 0 {
            // Every value is 0; the runs carry no bits (some writers write none at all).
            return [UInt32](repeating: 0, count: count)
        }
        let mask = bitWidth == 32 ? UInt64(UInt32.max) : (UInt64(1) << UInt64(bitWidth)) - 1
        let valueBytes = (bitWidth + 7) / 8
        var position = range.lowerBound
        let end = range.upperBound
        func fail(_ message: String) -> ParquetError {
            ParquetError(.malformedPage, "\(place): \(message) (\(values.count) of \(count) values decoded, byte \(position - range.lowerBound) of \(range.count))")
        }
        while values.count < count {
            // The run header.
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < end else { throw fail("the runs end before the values do") }
                let byte = bytes[position]
                position += 1
                guard shift < 63 || byte <= 1 else { throw fail("run header longer than 64 bits") }
                header |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            let wanted = count - values.count
            if header & 1 == 0 {
                let runLength = header >> 1
                guard end - position >= valueBytes else { throw fail("RLE run value cut off") }
                var value: UInt64 = 0
                for k in 0..<valueBytes { value |= UInt64(bytes[position + k]) << UInt64(8 * k) }
                position += valueBytes
                guard value <= mask else { throw fail("RLE run value \(value) wider than \(bitWidth) bits") }
                let take = Int(Swift.min(runLength, UInt64(wanted)))
                values.append(contentsOf: repeatElement(UInt32(value), count: take))
            } else {
                let groups = header >> 1
                guard groups <= UInt64(Int32.max) else { throw fail("bit-packed run of \(groups) groups") }
                let runValues = Int(groups) * 8
                let runBytes = Int(groups) * bitWidth
                let take = Swift.min(runValues, wanted)
                let needed = (take * bitWidth + 7) / 8
                guard end - position >= needed else { throw fail("bit-packed run of \(runValues) values cut off") }
                let start = position
                var bit = 0
                for _ in 0..<take {
                    let index = start + bit >> 3
                    let offset = bit & 7
                    let spanned = (offset + bitWidth + 7) / 8
                    var word: UInt64 = 0
                    for k in 0..<spanned { word |= UInt64(bytes[index + k]) << UInt64(8 * k) }
                    values.append(UInt32(truncatingIfNeeded: (word >> UInt64(offset)) & mask))
                    bit += bitWidth
                }
                position = start + Swift.min(runBytes, end - start)
            }
        }
        return values
    }

    /// The bit width of levels up to `maxLevel`: the bits of its binary form.
    static func bitWidth(of maxLevel: Int) -> Int {
        maxLevel <= 0 ? 0 : Int.bitWidth - maxLevel.leadingZeroBitCount
    }
}
