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
