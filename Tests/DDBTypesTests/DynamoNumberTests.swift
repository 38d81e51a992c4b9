import Testing

@testable import DDBTypes

@Suite struct DynamoNumberTests {
    @Test(arguments: [
        "0", "-0", "0.000", "0E+999", "1", "-1", "12.50", "1E+5", "2.5e-3", "1e-7",
        "12345678901234567890123456789012345678",
        "-0.12345678901234567890123456789012345678",
        "1.2345678901234567890123456789012345678E+125",
        "9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125",
        "1E-130", "-1E-130", "10E-131", "100000000000000000000000000000000000000000",
        "0000123.4500000", "+7", ".5", "5.",
    ])
    func acceptsWhatDynamoDBAccepts(_ text: String) throws {
        let number = try DynamoNumber(text)
        #expect(number.text == text)
    }

    @Test(arguments: [
        ("123456789012345678901234567890123456789", DDBError.Code.numberTooPrecise),
        ("1.00000000000000000000000000000000000001", .numberTooPrecise),
        ("1E+126", .numberOutOfRange),
        ("10E+125", .numberOutOfRange),
        ("1E-131", .numberOutOfRange),
        ("0.1E-130", .numberOutOfRange),
        ("1E+99999999999999999999999", .numberOutOfRange),
        ("", .invalidNumber), ("abc", .invalidNumber), ("NaN", .invalidNumber), ("Infinity", .invalidNumber),
        (" 1", .invalidNumber), ("1 ", .invalidNumber), ("1e", .invalidNumber), ("1e+", .invalidNumber),
        ("--1", .invalidNumber), ("1..2", .invalidNumber), ("0x10", .invalidNumber), ("1_000", .invalidNumber),
        (".", .invalidNumber), ("-", .invalidNumber), ("1.2.3", .invalidNumber),
    ])
    func rejectsWhatDynamoDBRejects(_ text: String, _ code: DDBError.Code) {
        #expect {
            _ = try DynamoNumber(text)
        } throws: { error in
            (error as? DDBError)?.code == code
        }
    }

    @Test func equalityIsNumeric() throws {
        #expect(try DynamoNumber("1") == DynamoNumber("1.0"))
        #expect(try DynamoNumber("1") == DynamoNumber("1E+0"))
        #expect(try DynamoNumber("100") == DynamoNumber("1E+2"))
        #expect(try DynamoNumber("0") == DynamoNumber("-0.00"))
        #expect(try DynamoNumber("0.5") == DynamoNumber(".5"))
        #expect(try DynamoNumber("1") != DynamoNumber("-1"))
        #expect(try DynamoNumber("1") != DynamoNumber("10"))
        #expect(try Set([DynamoNumber("2.50"), DynamoNumber("2.5")]).count == 1)
    }

    @Test func orderIsNumeric() throws {
        let texts = ["10", "-1.5", "9", "0", "-100", "1E-130", "9.9999999999999999999999999999999999999E+125", "-2E+3", "0.09", "1E+1"]
        let sorted = try texts.map { try DynamoNumber($0) }.sorted().map(\.text)
        #expect(sorted == ["-2E+3", "-100", "-1.5", "0", "1E-130", "0.09", "9", "10", "1E+1", "9.9999999999999999999999999999999999999E+125"]
            || sorted == ["-2E+3", "-100", "-1.5", "0", "1E-130", "0.09", "9", "1E+1", "10", "9.9999999999999999999999999999999999999E+125"])
        #expect(try DynamoNumber("-1") < DynamoNumber("-0.5"))
        #expect(try !(DynamoNumber("0") < DynamoNumber("-0")))
    }

    @Test(arguments: [
        ("12.50", "12.50"), ("1E+5", "1E+5"), ("-0", "-0"), ("+7", "7"), (".5", "5E-1"), ("5.", "5"),
        ("007", "7"), ("-00.0100", "-1E-2"), ("+0", "0"), ("00", "0"), ("1200.", "12E2"),
    ])
    func jsonTextIsAJSONNumberOfEqualValue(_ text: String, _ json: String) throws {
        let number = try DynamoNumber(text)
        #expect(number.jsonText == json)
        #expect(try DynamoNumber(json) == number)
    }
}

/// `NumberSyntax.parse` finds the digits' parts by scanning runs and `key(of:)` gathers digits 19
/// at a time; both against the digit-at-a-time reading they replaced, kept here as the reference.
@Suite struct NumberSyntaxReferenceTests {
    struct Reference: Equatable {
        var isNegative = false, isJSONGrammar = true
        var integerDigits = 0, firstSignificant = -1, lastSignificant = -1, exponent = 0
        var scaled: UInt128 = 0

        /// nil when the text is not number syntax (range and precision are checked elsewhere alike).
        init?(_ text: [UInt8]) {
            let n = text.count
            var i = 0
            if n > 0 && text[0] == UInt8(ascii: "-") {
                isNegative = true
                i = 1
            } else if n > 0 && text[0] == UInt8(ascii: "+") {
                isJSONGrammar = false
                i = 1
            }
            var digitIndex = 0, sawPoint = false, fractionDigits = 0
            let intStart = i
            var digits: [UInt8] = []
            while i < n {
                let byte = text[i]
                if byte &- UInt8(ascii: "0") < 10 {
                    if byte != UInt8(ascii: "0") {
                        if firstSignificant < 0 { firstSignificant = digitIndex }
                        lastSignificant = digitIndex
                    }
                    digits.append(byte &- UInt8(ascii: "0"))
                    digitIndex += 1
                    if sawPoint { fractionDigits += 1 } else { integerDigits += 1 }
                } else if byte == UInt8(ascii: "."), !sawPoint {
                    sawPoint = true
                } else {
                    break
                }
                i += 1
            }
            guard digitIndex > 0 else { return nil }
            if integerDigits == 0 || (sawPoint && fractionDigits == 0) { isJSONGrammar = false }
            if integerDigits > 1 && text[intStart] == UInt8(ascii: "0") { isJSONGrammar = false }
            if i < n {
                guard text[i] | 0x20 == UInt8(ascii: "e") else { return nil }
                i += 1
                var negative = false
                if i < n, text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
                    negative = text[i] == UInt8(ascii: "-")
                    i += 1
                }
                guard i < n else { return nil }
                var value = 0
                while i < n {
                    let digit = text[i] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    if value < 100_000_000 { value = value * 10 + Int(digit) }
                    i += 1
                }
                exponent = negative ? -value : value
            }
            if firstSignificant >= 0 && lastSignificant - firstSignificant + 1 <= 38 {
                for digit in digits[firstSignificant...lastSignificant] { scaled = scaled * 10 + UInt128(digit) }
                for _ in (lastSignificant - firstSignificant + 1)..<38 { scaled *= 10 }
            }
        }
    }

    static func parsed(_ text: [UInt8]) -> Reference? {
        let syntax = text.withUnsafeBufferPointer { bytes in try? NumberSyntax.parse(bytes) }
        guard let syntax else { return nil }
        var mirror = Reference([UInt8(ascii: "0")])!
        mirror.isNegative = syntax.isNegative
        mirror.isJSONGrammar = syntax.isJSONGrammar
        mirror.integerDigits = syntax.integerDigits
        // `parse` keeps where the significant digits are as bytes of the text and as the first
        // one's exponent; their indexes among the digits follow from those.
        if !syntax.isZero {
            mirror.firstSignificant = syntax.integerDigits - 1 + syntax.exponent - syntax.adjustedExponent
            mirror.lastSignificant = mirror.firstSignificant + syntax.significantDigits - 1
        }
        mirror.exponent = syntax.exponent
        mirror.scaled = text.withUnsafeBufferPointer { syntax.key(of: $0).scaled }
        return mirror
    }

    /// The reference for texts `parse` accepts (it also refuses out-of-range and too precise ones).
    static func check(_ text: [UInt8]) -> Bool {
        guard let mine = parsed(text) else { return true }
        return Reference(text) == mine
    }

    @Test func shortTextsOfNumberBytesAgree() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.-+eE0001".utf8)
        var failures: [String] = []
        var accepted = 0
        for _ in 0..<200_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            if Self.parsed(text) != nil { accepted += 1 }
            if !Self.check(text), failures.count < 5 { failures.append(String(decoding: text, as: UTF8.self)) }
        }
        #expect(failures.isEmpty)
        #expect(accepted > 10_000)
    }

    @Test func longSignificandsAgree() {
        var generator = SystemRandomNumberGenerator()
        var failures: [String] = []
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...60, using: &generator)
            var text = (0..<count).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator) }
            // Runs of zeros at either end and a point anywhere.
            if Bool.random(using: &generator) { text.insert(contentsOf: Array(repeating: UInt8(ascii: "0"), count: Int.random(in: 1...20)), at: 0) }
            if Bool.random(using: &generator) { text.append(contentsOf: Array(repeating: UInt8(ascii: "0"), count: Int.random(in: 1...20))) }
            if Bool.random(using: &generator) { text.insert(UInt8(ascii: "."), at: Int.random(in: 0...text.count, using: &generator)) }
            if Bool.random(using: &generator) { text.insert(UInt8(ascii: "-"), at: 0) }
            if !Self.check(text), failures.count < 5 { failures.append(String(decoding: text, as: UTF8.self)) }
        }
        #expect(failures.isEmpty)
    }

    @Test(arguments: ["1", "19", "1234567890123456789", "12345678901234567890", "99999999999999999999999999999999999999", "0.00100", "100.", ".001"])
    func keysOfEdgeLengthsAgree(_ text: String) {
        #expect(Self.parsed(Array(text.utf8)) != nil)
        #expect(Self.check(Array(text.utf8)))
    }
}
