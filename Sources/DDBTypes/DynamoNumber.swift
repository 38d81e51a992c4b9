/// A DynamoDB number: exact decimal text, validated the way DynamoDB validates it.
///
/// At most 38 significant digits (leading and trailing zeros are not significant) and a magnitude
/// of zero or between 1E-130 and 9.9999999999999999999999999999999999999E+125. The text is kept as
/// given; a number never passes through `Double`. Equality and order are numeric: `1`, `1.0` and
/// `1E+0` are equal, as DynamoDB treats them in sets and keys.
public struct DynamoNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The decimal text exactly as it was given.
    public let text: String
    /// The significand scaled to exactly 38 digits (zero for zero), for numeric comparison.
    private let scaled: UInt128
    /// The power of ten of the first significant digit.
    private let adjustedExponent: Int16
    private let isNegative: Bool

    /// The most significant digits DynamoDB keeps.
    public static let maxSignificantDigits = 38
    /// The largest power of ten of a nonzero number's first significant digit.
    public static let maxExponent = 125
    /// The smallest power of ten of a nonzero number's first significant digit.
    public static let minExponent = -130

    /// Validates `text` as a DynamoDB number.
    /// - Throws: ``DDBError`` with code `invalidNumber`, `numberTooPrecise` or `numberOutOfRange`.
    public init(_ text: String) throws(DDBError) {
        var text = text
        let parsed = text.withUTF8 { bytes in Result { () throws(DDBError) in try NumberSyntax.parse(bytes) } }
        self.init(text: text, parsed: try parsed.get())
    }

    init(text: String, parsed: NumberSyntax) {
        self.text = text
        let key = text.utf8.withContiguousStorageIfAvailable { parsed.key(of: $0) } ?? parsed.key(of: Array(text.utf8))
        self.isNegative = key.isNegative
        self.adjustedExponent = key.adjustedExponent
        self.scaled = key.scaled
    }

    private var key: NumericKey { NumericKey(isNegative: isNegative, adjustedExponent: adjustedExponent, scaled: scaled) }

    /// Creates a number from an integer of up to 64 bits (at most 20 digits: always valid).
    public init(_ value: Int) { try! self.init(String(value)) }

    /// Creates a number from any integer.
    /// - Throws: ``DDBError`` `numberTooPrecise` for integers of 39 or more significant digits.
    public init<Integer: BinaryInteger>(exactly value: Integer) throws(DDBError) { try self.init(String(value)) }

    /// Whether the number is zero (`0`, `-0`, `0.000`, `0E+5`).
    public var isZero: Bool { scaled == 0 }

    /// The text as a JSON number: the original text when it already is one (`12.50`, `1E+5`),
    /// otherwise an equal JSON number (`+.5` becomes `5E-1`).
    public var jsonText: String {
        var text = text
        return text.withUTF8 { bytes in
            let parsed = try! NumberSyntax.parse(bytes)
            if parsed.isJSONGrammar { return String(decoding: bytes, as: UTF8.self) }
            var out: [UInt8] = []
            parsed.appendCanonical(of: bytes, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    public var description: String { text }

    public static func == (lhs: DynamoNumber, rhs: DynamoNumber) -> Bool { lhs.key == rhs.key }

    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    public static func < (lhs: DynamoNumber, rhs: DynamoNumber) -> Bool { lhs.key < rhs.key }
}

/// A number's value in a form that compares numerically: sign, power of ten of the first
/// significant digit, and the significand scaled to 38 digits.
struct NumericKey: Hashable, Comparable {
    var isNegative: Bool
    var adjustedExponent: Int16
    var scaled: UInt128

    static func == (lhs: NumericKey, rhs: NumericKey) -> Bool {
        if lhs.scaled == 0 || rhs.scaled == 0 { return lhs.scaled == rhs.scaled }
        return lhs.isNegative == rhs.isNegative && lhs.adjustedExponent == rhs.adjustedExponent && lhs.scaled == rhs.scaled
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(scaled)
        if scaled != 0 {
            hasher.combine(isNegative)
            hasher.combine(adjustedExponent)
        }
    }

    static func < (lhs: NumericKey, rhs: NumericKey) -> Bool {
        let l = lhs.signum, r = rhs.signum
        if l != r { return l < r }
        if l == 0 || lhs == rhs { return false }
        let magnitudeLess =
            lhs.adjustedExponent != rhs.adjustedExponent ? lhs.adjustedExponent < rhs.adjustedExponent : lhs.scaled < rhs.scaled
        return l > 0 ? magnitudeLess : !magnitudeLess
    }

    private var signum: Int { scaled == 0 ? 0 : (isNegative ? -1 : 1) }
}

/// The syntax of DynamoDB number text, read without allocating.
///
/// Accepted: an optional sign, digits with an optional decimal point (at least one digit), and an
/// optional exponent (`e`/`E`, optional sign, digits). No spaces, `NaN`, `Infinity` or hex.
struct NumberSyntax {
    var isNegative = false
    var isJSONGrammar = true
    /// Digits before the decimal point, after it, and where the significant ones lie.
    var integerDigits = 0
    var firstSignificant = -1
    var lastSignificant = -1
    var exponent = 0
    var adjustedExponent = 0

    var significantDigits: Int { firstSignificant < 0 ? 0 : lastSignificant - firstSignificant + 1 }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(DDBError) -> NumberSyntax {
        var result = NumberSyntax()
        let n = bytes.count
        var i = 0
        func invalid() -> DDBError {
            DDBError(.invalidNumber, "\"\(String(decoding: bytes, as: UTF8.self))\" is not a number")
        }
        guard n > 0 else { throw DDBError(.invalidNumber, "empty text is not a number") }
        if bytes[0] == UInt8(ascii: "-") {
            result.isNegative = true
            i = 1
        } else if bytes[0] == UInt8(ascii: "+") {
            result.isJSONGrammar = false
            i = 1
        }
        // Digits, possibly around one decimal point; `digitIndex` counts digits across both parts.
        var digitIndex = 0
        var sawPoint = false
        var fractionDigits = 0
        let intStart = i
        while i < n {
            let byte = bytes[i]
            if byte &- UInt8(ascii: "0") < 10 {
                if byte != UInt8(ascii: "0") {
                    if result.firstSignificant < 0 { result.firstSignificant = digitIndex }
                    result.lastSignificant = digitIndex
                }
                digitIndex += 1
                if sawPoint { fractionDigits += 1 } else { result.integerDigits += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard digitIndex > 0 else { throw invalid() }
        if result.integerDigits == 0 || (sawPoint && fractionDigits == 0) { result.isJSONGrammar = false }
        if result.integerDigits > 1 && bytes[intStart] == UInt8(ascii: "0") { result.isJSONGrammar = false }
        if i < n {
            guard bytes[i] | 0x20 == UInt8(ascii: "e") else { throw invalid() }
            i += 1
            var negativeExponent = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n else { throw invalid() }
            var value = 0
            while i < n {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { throw invalid() }
                // Saturate: anything this large is out of range (or zero) either way.
                if value < 100_000_000 { value = value * 10 + Int(digit) }
                i += 1
            }
            result.exponent = negativeExponent ? -value : value
        }
        guard result.firstSignificant >= 0 else { return result }  // zero: any exponent is fine
        let significant = result.significantDigits
        guard significant <= DynamoNumber.maxSignificantDigits else {
            throw DDBError(
                .numberTooPrecise,
                "number \(String(decoding: bytes, as: UTF8.self)) has \(significant) significant digits; DynamoDB keeps at most 38")
        }
        result.adjustedExponent = result.integerDigits - 1 - result.firstSignificant + result.exponent
        guard result.adjustedExponent <= DynamoNumber.maxExponent, result.adjustedExponent >= DynamoNumber.minExponent else {
            throw DDBError(
                .numberOutOfRange,
                "number \(String(decoding: bytes, as: UTF8.self)) is out of DynamoDB's range (1E-130 to 9.9999999999999999999999999999999999999E+125)"
            )
        }
        return result
    }

    /// The numeric key of the text this syntax was parsed from.
    func key<Bytes: Collection<UInt8>>(of bytes: Bytes) -> NumericKey {
        var value: UInt128 = 0
        if firstSignificant >= 0 {
            var index = 0
            for byte in bytes where byte &- UInt8(ascii: "0") < 10 {
                if index >= firstSignificant { value = value &* 10 &+ UInt128(byte &- UInt8(ascii: "0")) }
                index += 1
                if index > lastSignificant { break }
            }
            for _ in significantDigits..<DynamoNumber.maxSignificantDigits { value = value &* 10 }
        }
        return NumericKey(isNegative: isNegative, adjustedExponent: Int16(adjustedExponent), scaled: value)
    }

    /// Appends an equal JSON number: `[-]<significant digits>E<exponent>`, or `0`.
    func appendCanonical(of bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        if isNegative { out.append(UInt8(ascii: "-")) }
        guard firstSignificant >= 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var index = 0
        for byte in bytes where byte &- UInt8(ascii: "0") < 10 {
            if index >= firstSignificant && index <= lastSignificant { out.append(byte) }
            index += 1
            if index > lastSignificant { break }
        }
        let exponentOfLastDigit = adjustedExponent - (significantDigits - 1)
        if exponentOfLastDigit != 0 {
            out.append(UInt8(ascii: "E"))
            out.append(contentsOf: String(exponentOfLastDigit).utf8)
        }
    }
}
