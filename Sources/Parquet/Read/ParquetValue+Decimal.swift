extension ParquetValue {
    /// The exact text of a DECIMAL value with `scale` decimal places: `123.45` for unscaled 12345
    /// and scale 2, `-0.05`, `7` for scale 0; nil unless the value is an INT32, an INT64 or
    /// two's complement big-endian bytes (FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY), or for a negative scale.
    public func decimalText(scale: Int) -> String? {
        guard scale >= 0 else { return nil }
        var negative = false
        var digits: [UInt8]  // most significant first, ASCII
        switch self {
        case .int32(let value):
            negative = value < 0
            digits = Array(String(value.magnitude).utf8)
        case .int64(let value):
            negative = value < 0
            digits = Array(String(value.magnitude).utf8)
        case .bytes(let raw):
            guard !raw.isEmpty else { return nil }
            var magnitude = raw
            negative = raw[0] & 0x80 != 0
            if negative {
                // Two's complement: invert and add one.
                var carry = 1
                for index in magnitude.indices.reversed() {
                    let sum = Int(~magnitude[index]) + carry
                    magnitude[index] = UInt8(truncatingIfNeeded: sum)
                    carry = sum >> 8
                }
            }
            // Base 256 to base 10 by repeated division.
            digits = []
            var start = magnitude.firstIndex { $0 != 0 } ?? magnitude.endIndex
            while start < magnitude.endIndex {
                var remainder = 0
                for index in start..<magnitude.endIndex {
                    let current = remainder << 8 | Int(magnitude[index])
                    magnitude[index] = UInt8(current / 10)
                    remainder = current % 10
                }
                digits.append(UInt8(ascii: "0") + UInt8(remainder))
                while start < magnitude.endIndex && magnitude[start] == 0 { start += 1 }
            }
            if digits.isEmpty { digits = [UInt8(ascii: "0")] }
            digits.reverse()
        default:
            return nil
        }
        if digits.count <= scale {
            digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale + 1 - digits.count), at: 0)
        }
        if scale > 0 { digits.insert(UInt8(ascii: "."), at: digits.count - scale) }
        let isZero = !digits.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
        if negative && !isZero { digits.insert(UInt8(ascii: "-"), at: 0) }
        return String(decoding: digits, as: UTF8.self)
    }
}
