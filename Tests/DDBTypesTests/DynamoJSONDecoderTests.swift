import Testing

@testable import DDBTypes

@Suite struct DynamoJSONDecoderTests {
    @Test func decodesAllTenTypes() throws {
        let item = try DynamoJSONDecoder.decodeItem(
            #"""
            {"s":{"S":"héllo \u00e9 \ud83d\ude80"},"n":{"N":"-12.50"},"b":{"B":"AAEC/w=="},"t":{"BOOL":true},
             "z":{"NULL":true},"ss":{"SS":["b","a","é"]},"ns":{"NS":["10","9","-1.5"]},"bs":{"BS":["Ag==","AQ=="]},
             "m":{"M":{"inner":{"L":[{"S":"x"},{"M":{}},{"L":[]}]}}},"l":{"L":[{"N":"1"},{"BOOL":false}]}}
            """#)
        #expect(item["s"] == .string("héllo é 🚀"))
        #expect(item["n"] == .number(try DynamoNumber("-12.5")))
        #expect(item["b"] == .binary([0, 1, 2, 255]))
        #expect(item["t"] == .bool(true))
        #expect(item["z"] == .null)
        #expect(item["ss"] == .stringSet(["a", "b", "é"]))
        #expect(item["ns"] == .numberSet([try DynamoNumber("-1.5"), try DynamoNumber("9"), try DynamoNumber("10")]))
        #expect(item["bs"] == .binarySet([[1], [2]]))
        #expect(item["m"] == .map(["inner": .list([.string("x"), .map([:]), .list([])])]))
        #expect(item["l"] == .list([.number(DynamoNumber(1)), .bool(false)]))
    }

    @Test func keepsTheExactNumberText() throws {
        let value = try DynamoJSONDecoder.decodeValue(#"{"N":"12345678901234567890123456789012345678"}"#)
        guard case .number(let number) = value else { Issue.record("not a number"); return }
        #expect(number.text == "12345678901234567890123456789012345678")
    }

    /// One case per class of bad input docs/design.md lists, each with the error code and path it must give.
    @Test(arguments: [
        (#"{"a":{"S":"x"}"#, DDBError.Code.truncated, ""),
        (#"{"a":{"S":"x"},}"#, .malformedJSON, ""),
        (#"{"a":{"S" "x"}}"#, .malformedJSON, "a"),
        (#"{"a":{"Q":"x"}}"#, .unknownTypeTag, "a"),
        (#"{"a":{"S":"x","N":"1"}}"#, .multipleTypeTags, "a"),
        (#"{"a":{}}"#, .missingTypeTag, "a"),
        (#"{"a":{"B":"AAE"}}"#, .badBase64, "a"),
        (#"{"a":{"B":"A*E="}}"#, .badBase64, "a"),
        (#"{"a":{"B":"A=AA"}}"#, .badBase64, "a"),
        (#"{"a":{"M":{"b":{"N":"1E+126"}}}}"#, .numberOutOfRange, "a.b"),
        (#"{"a":{"L":[{"N":"1"},{"N":"123456789012345678901234567890123456789"}]}}"#, .numberTooPrecise, "a[1]"),
        (#"{"a":{"N":"twelve"}}"#, .invalidNumber, "a"),
        (#"{"a":{"SS":[]}}"#, .emptySet, "a"),
        (#"{"a":{"SS":["x","y","x"]}}"#, .duplicateSetMember, "a"),
        (#"{"a":{"NS":["1","1.0"]}}"#, .duplicateSetMember, "a"),
        (#"{"a":{"BS":["AQ==","AQ=="]}}"#, .duplicateSetMember, "a"),
        (#"{"a":{"S":5}}"#, .wrongJSONType, "a"),
        (#"{"a":{"N":5}}"#, .wrongJSONType, "a"),
        (#"{"a":{"BOOL":"true"}}"#, .wrongJSONType, "a"),
        (#"{"a":{"NULL":false}}"#, .wrongJSONType, "a"),
        (#"{"a":{"M":[]}}"#, .wrongJSONType, "a"),
        (#"{"a":{"L":{}}}"#, .wrongJSONType, "a"),
        (#"{"a":{"SS":[1]}}"#, .wrongJSONType, "a[0]"),
        (#"{"a":"x"}"#, .wrongJSONType, "a"),
        (#"{"a":{"S":"x"},"a":{"S":"y"}}"#, .duplicateAttribute, "a"),
        (#"{"a":{"S":"\ud800"}}"#, .invalidString, "a"),
        (#"{"a":{"S":"\udc00x"}}"#, .invalidString, "a"),
        (#"{"a":{"S":"\q"}}"#, .malformedJSON, "a"),
        ("{\"a\":{\"S\":\"tab\there\"}}", .malformedJSON, "a"),
        (#"{"lines":{"L":[{"M":{}},{"M":{}},{"M":{}},{"M":{"price":{"N":"1e999"}}}]}}"#, .numberOutOfRange, "lines[3].price"),
    ])
    func badInputGivesItsError(_ json: String, _ code: DDBError.Code, _ path: String) {
        #expect {
            _ = try DynamoJSONDecoder.decodeItem(json)
        } throws: { error in
            let error = error as! DDBError
            return error.code == code && error.path.description == path
        }
    }

    @Test func rejectsBytesThatAreNotUTF8() {
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]] {
            let json = Array(#"{"a":{"S":"x"#.utf8) + bad + Array(#"y"}}"#.utf8)
            #expect {
                _ = try DynamoJSONDecoder.decodeItem(from: json)
            } throws: { error in
                (error as! DDBError).code == .invalidUTF8
            }
        }
    }

    @Test func boundsNesting() {
        let depth = 200
        let json = #"{"a":"# + String(repeating: #"{"L":["#, count: depth) + String(repeating: "]}", count: depth) + "}"
        #expect {
            _ = try DynamoJSONDecoder.decodeItem(json)
        } throws: { error in
            (error as! DDBError).code == .nestingTooDeep
        }
    }

    @Test func errorOffsetPointsAtTheFault() {
        let json = #"{"a":{"S":"x"},"b":{"B":"!!!!"}}"#
        #expect {
            _ = try DynamoJSONDecoder.decodeItem(json)
        } throws: { error in
            let offset = (error as! DDBError).offset
            return Array(json.utf8)[offset] == UInt8(ascii: "!")
        }
    }
}
