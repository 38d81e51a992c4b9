/// PLAIN-encoded values (parquet-format Encodings.md, "Plain"): BOOLEAN bit-packed LSB first,
/// INT32/INT64 little-endian, BYTE_ARRAY a 4-byte little-endian length and the bytes,
/// FIXED_LEN_BYTE_ARRAY the bytes.
enum PlainDecoder {
    /// Decodes `count` values of `type` from `bytes[range]`; returns them and the offset after the last.
    /// - Throws: ``ParquetError/Code/malformedPage`` naming `place` when the bytes end early.
    static func decode(
        _ bytes: [UInt8], range: Range<Int>, type: PhysicalType, count: Int, place: String
    ) throws(ParquetError) -> (values: [ParquetValue], end: Int) {
        var position = range.lowerBound
        let end = range.upperBound
        var values: [ParquetValue] = []
        func fail(_ what: String) -> ParquetError {
            ParquetError(.malformedPage, "\(place): \(what) (value \(values.count) of \(count), byte \(position - range.lowerBound) of \(range.count))")
        }
        // Every value takes at least a bit; a count larger than that is corrupt, caught before allocating.
        guard count >= 0, count <= (end - position) * 8 || type == .fixedLenByteArray(0) else {
            throw fail("\(count) values cannot fit \(end - position) bytes")
        }
        values.reserveCapacity(count)
        func littleEndian(_ width: Int) throws(ParquetError) -> UInt64 {
            guard end - position >= width else { throw fail("value cut off") }
            var value: UInt64 = 0
            for k in 0..<width { value |= UInt64(bytes[position + k]) << UInt64(8 * k) }
            position += width
            return value
        }
        switch type {
        case .boolean:
            guard (count + 7) / 8 <= end - position else { throw fail("booleans cut off") }
            for index in 0..<count {
                values.append(.bool(bytes[position + index >> 3] >> UInt8(index & 7) & 1 == 1))
            }
            position += (count + 7) / 8
        case .int32:
            for _ in 0..<count { values.append(.int32(Int32(truncatingIfNeeded: try littleEndian(4)))) }
        case .int64:
            for _ in 0..<count { values.append(.int64(Int64(bitPattern: try littleEndian(8)))) }
        case .byteArray:
            for _ in 0..<count {
                let length = Int(try littleEndian(4))
                guard end - position >= length else { throw fail("byte array of \(length) bytes cut off") }
                values.append(.bytes(Array(bytes[position..<position + length])))
                position += length
            }
        case .fixedLenByteArray(let width):
            guard width > 0 else { throw fail("FIXED_LEN_BYTE_ARRAY of width \(width)") }
            guard count <= (end - position) / width else { throw fail("\(count) values of \(width) bytes cut off") }
            for _ in 0..<count {
                values.append(.bytes(Array(bytes[position..<position + width])))
                position += width
            }
        }
        return (values, position)
    }
}
