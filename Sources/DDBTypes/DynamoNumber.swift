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
        let key = text.utf8.withContiguousStorageIfAvailable { parsed.key(of: $0) } ?? Array(text.utf8).withUnsafeBufferPointer { parsed.key(of: $0) }
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
    /// Digits before the decimal point.
    var integerDigits = 0
    var exponent = 0
    /// The exponent of the first significant digit (0 for zero).
    var adjustedExponent = 0
    /// Where the significant digits lie in the text (a decimal point may lie among them); empty
    /// for zero. ``key(of:)`` and ``appendCanonical(of:to:)`` read only these bytes.
    var significantBytes = 0..<0
    /// Where the decimal point lies in the text, or -1.
    var point = -1

    var isZero: Bool { significantBytes.isEmpty }
    /// Whether the decimal point lies among the significant digits.
    private var pointIsAmongDigits: Bool { point > significantBytes.lowerBound && point < significantBytes.upperBound }
    var significantDigits: Int { significantBytes.count &- (pointIsAmongDigits ? 1 : 0) }

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
        // Digits, then a decimal point and digits, or not. The significant ones are found from
        // either end of the digits, past zeros.
        let intStart = i
        let base = bytes.baseAddress!
        JSONCursor.skipDigits(base, n, &i)
        result.integerDigits = i &- intStart
        var point = -1
        var fractionDigits = 0
        if i < n && bytes[i] == UInt8(ascii: ".") {
            point = i
            i &+= 1
            let fractionStart = i
            JSONCursor.skipDigits(base, n, &i)
            fractionDigits = i &- fractionStart
        }
        guard result.integerDigits + fractionDigits > 0 else { throw invalid() }
        var first = intStart
        while first < i && (bytes[first] == UInt8(ascii: "0") || first == point) { first &+= 1 }
        if first < i {
            // A nonzero digit exists, so the scan back from the end stops at it at the latest.
            var last = i &- 1
            while bytes[last] == UInt8(ascii: "0") || last == point { last &-= 1 }
            result.significantBytes = first..<(last &+ 1)
            result.point = point
        }
        // The first significant digit's index among all the digits (across the point).
        let firstSignificant = first &- intStart &- (point >= 0 && first > point ? 1 : 0)
        if result.integerDigits == 0 || (point >= 0 && fractionDigits == 0) { result.isJSONGrammar = false }
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
        guard !result.isZero else { return result }  // zero: any exponent is fine
        let significant = result.significantDigits
        guard significant <= DynamoNumber.maxSignificantDigits else {
            throw DDBError(
                .numberTooPrecise,
                "number \(String(decoding: bytes, as: UTF8.self)) has \(significant) significant digits; DynamoDB keeps at most 38")
        }
        result.adjustedExponent = result.integerDigits - 1 - firstSignificant + result.exponent
        guard result.adjustedExponent <= DynamoNumber.maxExponent, result.adjustedExponent >= DynamoNumber.minExponent else {
            throw DDBError(
                .numberOutOfRange,
                "number \(String(decoding: bytes, as: UTF8.self)) is out of DynamoDB's range (1E-130 to 9.9999999999999999999999999999999999999E+125)"
            )
        }
        return result
    }

    /// The numeric key of the text this syntax was parsed from.
    ///
    /// Only the significant digits are read, on either side of a decimal point among them, up to
    /// 19 at a time eight bytes a step (``DecimalDigits``); the significand is then scaled to 38
    /// digits by powers of ten rather than one digit at a time.
    func key(of bytes: UnsafeBufferPointer<UInt8>) -> NumericKey {
        var value: UInt128 = 0
        if !isZero, let base = bytes.baseAddress {
            let lower = significantBytes.lowerBound, upper = significantBytes.upperBound
            if pointIsAmongDigits {
                Self.appendDigits(base + lower, count: point &- lower, to: &value)
                Self.appendDigits(base + (point &+ 1), count: upper &- point &- 1, to: &value)
            } else {
                Self.appendDigits(base + lower, count: upper &- lower, to: &value)
            }
            // At most 38 significant digits: at most 38 to scale by, in two factors below 10^20.
            let scale = DynamoNumber.maxSignificantDigits &- significantDigits
            value = value &* UInt128(Self.powerOfTen(min(scale, 19))) &* UInt128(Self.powerOfTen(max(scale &- 19, 0)))
        }
        return NumericKey(isNegative: isNegative, adjustedExponent: Int16(adjustedExponent), scaled: value)
    }

    /// Appends `count` ASCII digits at `digits` to the decimal `value` (whose digits and these
    /// number at most 38, so it does not overflow).
    @inline(__always)
    private static func appendDigits(_ digits: UnsafePointer<UInt8>, count: Int, to value: inout UInt128) {
        var index = 0
        while index < count {
            let step = min(count &- index, 19)
            value = value &* UInt128(powerOfTen(step)) &+ UInt128(DecimalDigits.value(digits + index, count: step))
            index &+= step
        }
    }

    /// 10^`exponent`, for 0 through 19.
    @inline(__always)
    private static func powerOfTen(_ exponent: Int) -> UInt64 {
        switch exponent {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// Appends an equal JSON number: `[-]<significant digits>E<exponent>`, or `0`.
    func appendCanonical(of bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        if isNegative { out.append(UInt8(ascii: "-")) }
        guard !isZero else {
            out.append(UInt8(ascii: "0"))
            return
        }
        for index in significantBytes where index != point { out.append(bytes[index]) }
        let exponentOfLastDigit = adjustedExponent - (significantDigits - 1)
        if exponentOfLastDigit != 0 {
            out.append(UInt8(ascii: "E"))
            out.append(contentsOf: String(exponentOfLastDigit).utf8)
        }
    }
}
