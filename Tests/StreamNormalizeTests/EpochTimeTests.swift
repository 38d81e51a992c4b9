import DDBTypes
import Testing

@testable import StreamNormalize

/// `ApproximateCreationDateTime` (epoch seconds as a JSON number) to epoch milliseconds, exactly and
/// rounded down: the usual `seconds.fraction` by the short path, exponents and leading zeros by the
/// general one; both must agree with the arithmetic done by hand here.
@Suite struct EpochTimeTests {
    @Test(arguments: [
        ("1767225600", 1_767_225_600_000),
        ("1767225600.014", 1_767_225_600_014),
        ("1767225600.0149", 1_767_225_600_014),
        ("1767225600.5", 1_767_225_600_500),
        ("0", 0),
        ("0.001", 1),
        ("0.0009", 0),
        ("1.7672256e9", 1_767_225_600_000),
        ("17672256001E-1", 1_767_225_600_100),
        ("1767225600014e-3", 1_767_225_600_014),
        ("0000001767225600.014", 1_767_225_600_014),
        ("9999999999.999", 9_999_999_999_999),
        ("9999999999.9999", 9_999_999_999_999),
    ] as [(String, Int64)])
    func secondsBecomeMillisecondsRoundedDown(_ text: String, _ millis: Int64) throws {
        let bytes = Array(text.utf8)
        let result = try bytes.withUnsafeBufferPointer { buffer throws(DDBError) in try EpochTime.millis(fromSeconds: buffer, offset: 0) }
        #expect(result == millis, "\(text)")
    }

    @Test(arguments: [("10000000000", "after the year 2286"), ("1e11", "after the year 2286"), ("-1", "before 1970")])
    func timesOutsideTheOrderKeyAreRefused(_ text: String, _ says: String) {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(DDBError) in try EpochTime.millis(fromSeconds: buffer, offset: 0) }
        }
        guard case .failure(let error) = result else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.code == .invalidNumber && error.message.contains(says), "\(error)")
    }

    /// Sequence numbers of 1 to 40 digits (and with leading zeros) read back as their text: the
    /// 64-bit fast path and the 128-bit rest meet at 19 digits.
    @Test func sequenceNumbersReadBackAsTheirDigits() throws {
        var state: UInt64 = 42
        func nextDigit() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407  // Knuth's MMIX LCG
            return Int((state >> 33) % 10)
        }
        for length in 1...40 {
            for _ in 0..<20 {
                let digits = (0..<length).map { index in Character(String(index == 0 ? 1 + nextDigit() % 9 : nextDigit())) }
                let text = String(digits)
                let number = try #require(SequenceNumber(text), "\(text)")
                #expect(number.decimal == text)
                #expect(number.description == String(repeating: "0", count: 40 - length) + text)
                #expect(SequenceNumber("000" + text)?.decimal == text)
            }
        }
        #expect(SequenceNumber("0")?.decimal == "0")
        #expect(SequenceNumber("00000")?.description == String(repeating: "0", count: 40))
        #expect(SequenceNumber("12x4") == nil && SequenceNumber("") == nil && SequenceNumber("9" + String(repeating: "0", count: 40)) == nil)
    }

    /// The short path for the usual `1767225600.014` (`plainMillis`, read in place) gives what
    /// the general reading of the number token gives, or leaves the number to it: every prefix of
    /// these texts, followed by each byte that may end a number or make it longer.
    @Test func thePlainPathAgreesWithTheGeneralOneOrStepsAside() throws {
        let texts = [
            "1767225600.014", "1767225600", "1767225600.5", "1767225600.0149", "9999999999.999", "99999999999", "1.2e9",
            "17672256001", "0.5", "0", "01767225600", "1767225600.", "1767225600..1", "1767225600.0.1", "-1767225600",
        ]
        var plainCount = 0
        for text in texts {
            let bytes = Array(text.utf8)
            for length in 1...bytes.count {
                for after in [",", "}", " ", "e", "E", ".", "0", "+", "-"] {
                    let input = Array(bytes[..<length]) + Array(after.utf8)
                    let agrees = try input.withUnsafeBufferPointer { buffer throws(DDBError) -> Bool? in
                        var position = 0
                        guard let plain = EpochTime.plainMillis(buffer.baseAddress!, buffer.count, &position) else {
                            return position == 0 ? nil : false
                        }
                        // What it read is a whole JSON number, as the general path reads it.
                        var cursor = JSONCursor(base: buffer.baseAddress!, end: buffer.count, at: 0)
                        let token = try cursor.scanNumberToken()
                        let general = try EpochTime.millis(fromSeconds: UnsafeBufferPointer(rebasing: buffer[token]), offset: 0)
                        return token == 0..<position && plain == general
                    }
                    guard let agrees else { continue }
                    plainCount += 1
                    #expect(agrees, "\(String(decoding: input, as: UTF8.self))")
                }
            }
        }
        // The usual forms take the short path.
        #expect(plainCount > 100)
        var position = 0
        let usual = Array("1767225600.014,".utf8).withUnsafeBufferPointer { EpochTime.plainMillis($0.baseAddress!, $0.count, &position) }
        #expect(usual == 1_767_225_600_014 && position == 14)
    }
}
