/// A JSON number's exact text as an unscaled integer at a given scale, or nil when it does not fit
/// exactly: more decimal places than the scale (that would round) or more digits than the precision.
///
/// The row writer keeps DynamoDB numbers as their exact decimal text (`1234.50`, `1E+3`,
/// `-0.000001`); nothing here goes through `Double`.
enum ExactDecimal {
    /// The value of the number token `text` times 10^`scale`, when that is an integer of at most
    /// `precision` digits (precision ≤ 38, so it fits an `Int128`).
    @inline(__always)
    static func unscaled(_ text: UnsafeBufferPointer<UInt8>, precision: Int, scale: Int) -> Int128? {
        var index = 0
        let count = text.count
        var negative = false
        if index < count && text[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        // The digits of the integer and fraction parts, without the point.
        let digitsStart = index
        var fractionDigits = 0
        var sawPoint = false
        var digitsEnd = index
        while index < count {
            let byte = text[index]
            if byte &- UInt8(ascii: "0") < 10 {
                if sawPoint { fractionDigits += 1 }
                index += 1
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
                index += 1
            } else {
                break
            }
        }
        digitsEnd = index
        guard digitsEnd > digitsStart else { return nil }
        var exponent = 0
        if index < count && text[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count && (text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-")) {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < count else { return nil }
            while index < count {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                // DynamoDB's exponents stay within ±130; anything far beyond cannot fit 38 digits.
                if exponent < 100_000 { exponent = exponent * 10 + Int(digit) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return nil }
        // value = digits × 10^(exponent − fractionDigits); unscaled = value × 10^scale.
        let shift = exponent - fractionDigits + scale
        // Significant digits, leading zeros dropped.
        var first = digitsStart
        while first < digitsEnd && (text[first] == UInt8(ascii: "0") || text[first] == UInt8(ascii: ".")) { first += 1 }
        var last = digitsEnd  // one past the last digit kept
        if shift < 0 {
            // The last −shift digits must be zeros, or the value has more places than the scale.
            var drop = -shift
            while drop > 0 && last > first {
                let byte = text[last - 1]
                if byte == UInt8(ascii: ".") {
                    last -= 1
                    continue
                }
                guard byte == UInt8(ascii: "0") else { return nil }
                last -= 1
                drop -= 1
            }
            if last <= first { return 0 }  // every digit was a dropped zero: the value is zero
        }
        // At most `precision` ≤ 38 digits are accumulated (checked before each), and 10^38 < 2^127:
        // the wrapping operations cannot wrap, and skip Int128's overflow checks per digit.
        var value: Int128 = 0
        var digits = 0
        var position = first
        while position < last {
            let byte = text[position]
            position += 1
            if byte == UInt8(ascii: ".") { continue }
            digits += 1
            guard digits <= precision else { return nil }
            value = value &* 10 &+ Int128(byte &- UInt8(ascii: "0"))
        }
        if shift > 0 && digits > 0 {
            guard digits + shift <= precision else { return nil }
            for _ in 0..<shift { value = value &* 10 }
        }
        return negative ? -value : value
    }
}
