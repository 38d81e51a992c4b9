import Testing

@testable import ParquetRows

/// `ExactDecimal.unscaled`: a number's exact text at a scale, or nil when it would round or has
/// too many digits. Every expectation is worked out by hand (value × 10^scale, then its digits)
/// and agrees with Python's `decimal.Decimal(text).scaleb(scale)`; none comes from the code.
@Suite struct ExactDecimalTests {
    private static func unscaled(_ text: String, _ precision: Int, _ scale: Int) -> Int128? {
        Array(text.utf8).withUnsafeBufferPointer { ExactDecimal.unscaled($0, precision: precision, scale: scale) }
    }

    /// 10^n as an Int128, for the 38-digit limits.
    private static func power(_ n: Int) -> Int128 { (0..<n).reduce(1) { value, _ in value * 10 } }

    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let precision: Int
        let scale: Int
        let unscaled: Int128?
        var testDescription: String { "\(text) at DECIMAL(\(precision),\(scale))" }
        init(_ text: String, _ precision: Int, _ scale: Int, _ unscaled: Int128?) {
            (self.text, self.precision, self.scale, self.unscaled) = (text, precision, scale, unscaled)
        }
    }

    @Test(arguments: [
        // plain decimals; the scale pads with zeros (1234.50 at scale 6 is 1234.500000)
        Case("1234.50", 38, 6, 1_234_500_000),
        Case("1234.5", 38, 1, 12345),
        Case("0.5", 1, 1, 5),
        Case("-12345.678", 38, 3, -12_345_678),
        Case("7", 38, 0, 7),
        // trailing zeros beyond the scale are not places: 1.20 at scale 1 is 12, 100.000 at 0 is 100
        Case("1.20", 38, 1, 12),
        Case("100.000", 3, 0, 100),
        Case("00012.300", 3, 1, 123),
        // exponents, either case, either sign
        Case("1E+3", 38, 0, 1000),
        Case("1e3", 4, 0, 1000),
        Case("2.5e-3", 38, 4, 25),
        Case("1.250E+1", 38, 1, 125),
        Case("125E-1", 38, 1, 125),
        Case("0.001E+3", 38, 0, 1),
        Case("1.0E-1", 38, 1, 1),
        Case("-1.5E+2", 38, 2, -15000),
        // zeros: negative zero is zero; a zero with any exponent fits any scale
        Case("0", 1, 0, 0),
        Case("-0", 38, 2, 0),
        Case("-0.0", 1, 0, 0),
        Case("0.000", 1, 0, 0),
        Case("-0E-5", 38, 0, 0),
        Case("0E+200", 38, 10, 0),
        Case("0.000E-200", 38, 0, 0),
        // DynamoDB's smallest magnitude at a scale that holds it
        Case("0.000000000000000001", 38, 18, 1),
    ])
    func fits(_ c: Case) {
        #expect(Self.unscaled(c.text, c.precision, c.scale) == c.unscaled)
    }

    @Test(arguments: [
        // more places than the scale: rounding would be needed
        Case("1.25", 38, 1, nil),
        Case("125E-2", 38, 1, nil),
        Case("5E-1", 38, 0, nil),
        Case("0.0000000000000000001", 38, 18, nil),
        Case("1E-130", 38, 38, nil),
        Case("1E-99999999", 38, 0, nil),
        Case("-1.001", 38, 2, nil),
        // more digits than the precision at the scale
        Case("123", 2, 0, nil),
        Case("1E+3", 3, 0, nil),
        Case("99.5", 3, 2, nil),
        Case("1", 38, 38, nil),
        Case("1E+38", 38, 0, nil),
        Case("1E+100000000", 38, 0, nil),
        Case("9.9999999999999999999999999999999999999E+125", 38, 0, nil),
        // not a number token
        Case("", 38, 0, nil),
        Case("-", 38, 0, nil),
        Case("1e", 38, 0, nil),
        Case("1e+", 38, 0, nil),
        Case("1x", 38, 0, nil),
        Case("1.2.3", 38, 2, nil),
    ])
    func refusesWhatWouldRoundOrOverflow(_ c: Case) {
        #expect(Self.unscaled(c.text, c.precision, c.scale) == nil)
    }

    @Test func thirtyEightDigitsAreTheLimit() {
        let nines = String(repeating: "9", count: 38)
        #expect(Self.unscaled(nines, 38, 0) == Self.power(38) - 1)
        #expect(Self.unscaled("-" + nines, 38, 0) == -(Self.power(38) - 1))
        #expect(Self.unscaled(nines, 38, 1) == nil)  // 39 digits at scale 1
        #expect(Self.unscaled(nines, 37, 0) == nil)
        #expect(Self.unscaled("1E+37", 38, 0) == Self.power(37))
        // DECIMAL(38,18)'s extremes: 20 digits before the point, 18 after
        let extreme = String(repeating: "9", count: 20) + "." + String(repeating: "9", count: 18)
        #expect(Self.unscaled("-" + extreme, 38, 18) == -(Self.power(38) - 1))
        #expect(Self.unscaled("1" + extreme, 38, 18) == nil)
        // the 38-digit generator values at scale 0 and their own scale
        // 19 zeros after the point, then 38 digits: 57 places, more than any DECIMAL(38,s) has
        #expect(Self.unscaled("3.2301224857555727602815312974821473795e-20", 38, 38) == nil)
        #expect(Self.unscaled("3.2301224857555727602815312974821473795e-20", 38, 0) == nil)
        #expect(Self.unscaled("3.2301224857555727602815312974821473795e+37", 38, 0) == 32_301_224_857_555_727_602_815_312_974_821_473_795)
    }

    @Test func int32AndInt64PrecisionsHoldTheirLimits() {
        #expect(Self.unscaled("999999999", 9, 0) == 999_999_999)
        #expect(Self.unscaled("9999999999", 9, 0) == nil)
        #expect(Self.unscaled("-99999999.9", 9, 1) == -999_999_999)
        #expect(Self.unscaled("999999999999999999", 18, 0) == 999_999_999_999_999_999)
        #expect(Self.unscaled("9999999999999999999", 18, 0) == nil)
        // a long (precision 19, scale 0) column: Int64's own limits are the RowShredder's check
        #expect(Self.unscaled("9223372036854775808", 19, 0) == 9_223_372_036_854_775_808)
    }
}
