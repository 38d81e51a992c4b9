import DDBTypes
import Testing

@testable import StreamNormalize

/// `SequenceNumber(digits:)` reads up to 19 digits eight at a time (`DecimalDigits.checkedValue`): its values and
/// refusals must be those of reading one digit at a time, whatever the length and wherever a
/// byte that is not a digit stands.
@Suite struct SequenceNumberTests {
    /// The value of `text` digit by digit as a `UInt128` pair (high digits, last 19), or nil.
    private static func reference(_ text: [UInt8]) -> (high: UInt128, low: UInt64)? {
        guard !text.isEmpty, text.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return nil }
        let significant = text.drop(while: { $0 == UInt8(ascii: "0") })
        guard significant.count <= 40 else { return nil }
        var high: UInt128 = 0, low: UInt64 = 0
        for (index, byte) in significant.enumerated() {
            if index < significant.count - 19 {
                high = high * 10 + UInt128(byte - UInt8(ascii: "0"))
            } else {
                low = low * 10 + UInt64(byte - UInt8(ascii: "0"))
            }
        }
        return (high, low)
    }

    @Test func everyLengthAndEveryMisplacedByteAgreeWithDigitByDigit() {
        var generator = SystemRandomNumberGenerator()
        // Bytes around the digits in ASCII (`/` and `:`), and ones whose high nibble is 3 or whose
        // low nibble is a digit's, which a word-at-a-time check could take for digits.
        let strangers: [UInt8] = [0x2F, 0x3A, 0x3F, 0x20, 0x00, 0x40, 0x70, 0xB5, 0xF9, 0x13, 0x35 ^ 0x80]
        for length in 1...44 {
            for _ in 0..<40 {
                var text = (0..<length).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator) }
                if Bool.random(using: &generator) { text[0] = UInt8(ascii: "0") }
                let parsed = text.withUnsafeBufferPointer { SequenceNumber(digits: $0) }
                let expected = Self.reference(text)
                #expect(parsed.map { "\($0)" } == expected.map { Self.padded($0) }, "\(String(decoding: text, as: UTF8.self))")
                for position in 0..<length {
                    var bad = text
                    bad[position] = strangers.randomElement(using: &generator)!
                    #expect(bad.withUnsafeBufferPointer { SequenceNumber(digits: $0) } == nil, "a stranger at \(position) of \(length)")
                }
            }
        }
    }

    @Test func eightDigitsAtATime() {
        for text in ["00000000", "99999999", "12345678", "10000001", "09876543"] {
            let word = Array(text.utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            #expect(DecimalDigits.areDigits(word), "\(text)")
            #expect(DecimalDigits.eight(word) == UInt64(text), "\(text)")
        }
    }

    /// `SequenceNumber`'s description: 40 digits, zero-padded.
    private static func padded(_ value: (high: UInt128, low: UInt64)) -> String {
        let low = String(value.low)
        let lowPadded = String(repeating: "0", count: 19 - low.count) + low
        let high = String(value.high)
        let digits = value.high == 0 ? String(value.low) : high + lowPadded
        return String(repeating: "0", count: 40 - digits.count) + digits
    }
}
