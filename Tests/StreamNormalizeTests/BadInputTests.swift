import DDBTypes
import Testing

@testable import StreamNormalize

@Suite struct BadInputTests {
    @Test func badRecordIsSetAsideWithItsPathAndTheRestGoesOn() throws {
        let bad = #"""
            {"eventID":"bad1","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"pk":{"S":"a"},"lines":{"L":[{"M":{}},{"M":{}},{"M":{}},{"M":{"price":{"N":"1E+999"}}}]}},"SequenceNumber":"5"}}
            """#
        let result = try Fixtures.read(Fixtures.lambdaEvent([Fixtures.insert, bad, Fixtures.modify]))
        #expect(result.rows.count == 2)
        try #require(result.errors.count == 1)
        let error = result.errors[0]
        #expect(error.recordIndex == 1)
        #expect(error.eventID == "bad1")
        #expect(error.error.code == .numberOutOfRange)
        #expect(error.error.path.description == "NewImage.lines[3].price")
        #expect(String(decoding: error.raw, as: UTF8.self) == bad)
        #expect(error.rawIsJSON)
        #expect(error.description.hasPrefix("record 1 (eventID bad1) at byte "))
        #expect(result.summary.records == 3 && result.summary.errors == 1)
        // The offset is absolute and points into the bad number's text.
        let input = Array(Fixtures.lambdaEvent([Fixtures.insert, bad, Fixtures.modify]).utf8)
        #expect(String(decoding: input[error.error.offset..<(error.error.offset + 6)], as: UTF8.self) == "1E+999")
    }

    @Test func eventIDIsFoundEvenWhenItComesAfterTheFault() throws {
        let bad = #"{"eventName":"INSERT","dynamodb":{"NewImage":{"a":{"B":"***"}}},"eventID":"late"}"#
        let result = try Fixtures.read(bad)
        #expect(result.errors.first?.eventID == "late")
        #expect(result.errors.first?.error.code == .badBase64)
        #expect(result.errors.first?.error.path.description == "NewImage.a")
    }

    @Test(arguments: [
        (#"{"eventID":"x","eventName":"INSERT","eventSource":"aws:kinesis","dynamodb":{}}"#, DDBError.Code.unsupportedRecord, "eventSource"),
        (#"{"eventID":"x","eventName":"UPSERT","dynamodb":{}}"#, .unsupportedRecord, "eventName"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#, .missingField, "dynamodb.NewImage"),
        (#"{"eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{},"SequenceNumber":"1"}}"#, .missingField, "eventID"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"NewImage":{},"SequenceNumber":"1"}}"#, .missingField, "dynamodb.ApproximateCreationDateTime"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{}}}"#, .missingField, "dynamodb.SequenceNumber"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{},"SequenceNumber":"12x"}}"#, .invalidNumber, "dynamodb.SequenceNumber"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":"soon","NewImage":{},"SequenceNumber":"1"}}"#, .wrongJSONType, "dynamodb.ApproximateCreationDateTime"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":-5,"NewImage":{},"SequenceNumber":"1"}}"#, .invalidNumber, "dynamodb.ApproximateCreationDateTime"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"_seq":{"S":"mine"}},"SequenceNumber":"1"}}"#, .nameClash, "NewImage._seq"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"is_deleted":{"BOOL":true}},"SequenceNumber":"1"}}"#, .nameClash, "NewImage.is_deleted"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"a":{"SS":[]}},"SequenceNumber":"1"}}"#, .emptySet, "NewImage.a"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"a":{"S":"x","N":"1"}},"SequenceNumber":"1"}}"#, .multipleTypeTags, "NewImage.a"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"a":{"X":"x"}},"SequenceNumber":"1"}}"#, .unknownTypeTag, "NewImage.a"),
        (#"["not a record"]"#, .wrongJSONType, ""),
    ])
    func recordFaultsAreNamed(_ record: String, _ code: DDBError.Code, _ path: String) throws {
        let result = try Fixtures.read(record + "\n" + Fixtures.insert)
        #expect(result.rows.count == 1, "the good record after the bad one still becomes a row")
        try #require(result.errors.count == 1)
        #expect(result.errors[0].error.code == code)
        #expect(result.errors[0].error.path.description == path)
    }

    @Test func envelopeAcceptsMetadataNames() throws {
        let record = #"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"is_deleted":{"BOOL":true}},"SequenceNumber":"1"}}"#
        let result = try Fixtures.read(record, options: NormalizeOptions(layout: .envelope))
        #expect(result.errors.isEmpty && result.rows.count == 1)
    }

    @Test func garbageLineIsSetAsideAndTheNextLinesAreRead() throws {
        let input = Fixtures.insert + "\nthis is not json\n{\"Records\":[" + Fixtures.modify + "]}\n"
        let result = try Fixtures.read(input, chunk: 5, readerChunk: 32)
        #expect(result.rows.count == 2)
        try #require(result.errors.count == 1)
        #expect(String(decoding: result.errors[0].raw, as: UTF8.self) == "this is not json\n")
        #expect(result.errors[0].recordIndex == nil)
        #expect(!result.errors[0].rawIsJSON)
        #expect(result.errors[0].error.code == .malformedJSON)
    }

    @Test func malformedRecordInsideAnEventIsSetAsideAlone() throws {
        let broken = #"{"eventID":"b","eventName":"INSERT","dynamodb":{"NewImage":{"a":{"S":"x"}},,"SequenceNumber":"9"}}"#
        let input = Fixtures.lambdaEvent([Fixtures.insert, broken, Fixtures.modify]) + "\n" + Fixtures.ttlRemove + "\n"
        let result = try Fixtures.read(input)
        #expect(result.rows.count == 3, "the records before and after it, and the line after, survive")
        try #require(result.errors.count == 1)
        #expect(result.errors[0].error.code == .malformedJSON)
        #expect(result.errors[0].eventID == "b")
        #expect(result.errors[0].recordIndex == 1 && result.errors[0].sequenceNumbers == ["9"])
        // Exactly the broken record is kept, byte for byte.
        #expect(String(decoding: result.errors[0].raw, as: UTF8.self) == broken)
        #expect(result.summary.records == 4)
    }

    @Test func truncatedInputIsReported() throws {
        let input = Fixtures.lambdaEvent([Fixtures.insert, Fixtures.modify])
        let cut = String(input.dropLast(40))
        let result = try Fixtures.read(cut, chunk: 3, readerChunk: 16)
        #expect(result.rows.count == 1)
        try #require(result.errors.count == 1)
        #expect(result.errors[0].error.code == .truncated)
        #expect(String(decoding: result.errors[0].raw, as: UTF8.self) == String(Fixtures.modify.dropLast(38)))
    }

    @Test func invalidUTF8IsReportedAndKeptAsBytes() throws {
        var input = Array(Fixtures.insert.utf8)
        let at = input.firstIndex(of: UInt8(ascii: "e"))!  // inside "eventID"
        input[at] = 0xFF
        let result = try Fixtures.read(input)
        try #require(result.errors.count == 1)
        #expect(result.errors[0].error.code == .invalidUTF8)
        #expect(result.errors[0].raw == input)
        let line = String(decoding: result.errors[0].jsonLine, as: UTF8.self)
        #expect(line.contains(#""rawBase64":""#) && line.hasSuffix("}\n"))
    }

    @Test func errorLineEmbedsAWellFormedRecordOnOneLine() throws {
        let bad = "{\"eventID\":\"q\",\n \"eventName\":\"INSERT\",\n \"dynamodb\":{\"NewImage\":{\"a\":{\"N\":\"x\"}}}}"
        let result = try Fixtures.read(bad)
        let line = String(decoding: try #require(result.errors.first).jsonLine, as: UTF8.self)
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"))
        #expect(line.contains(#""code":"invalid-number","path":"NewImage.a""#))
        #expect(line.contains(#""record":{"eventID":"q",  "eventName""#))
    }

    @Test func oversizedUnitIsAnErrorNotACrash() {
        var source = MemorySource(Array(("[" + String(repeating: " ", count: 5000) + "\"x").utf8))
        var reader = ChangeStreamReader(options: NormalizeOptions(), chunkSize: 64, maxUnitBytes: 1024)
        #expect(throws: ChangeStreamReader.ReadError.self) {
            _ = try reader.run(&source, onRow: { _, _ in }, onError: { _ in })
        }
    }
}
