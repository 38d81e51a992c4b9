import AWSCore
import Testing

@testable import DynamoStreams

/// GetRecords answers, scanned: what the poller needs from each record, and a clear error for
/// every answer that cannot be read.
@Suite struct RecordsPageScanTests {
    /// A record as DynamoDB Streams writes it, `dynamodb`'s members given as JSON text.
    static func record(_ eventID: String, _ dynamodb: String) -> String {
        #"{"eventID":"\#(eventID)","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-west-1","dynamodb":{\#(dynamodb)},"eventSourceARN":"arn:x"}"#
    }

    static func scan(_ body: String) throws(AWSError) -> RecordsPage { try RecordsPage(scanning: Array(body.utf8)) }

    static func failure(_ body: String) throws -> AWSError {
        let error = try #require(throws: AWSError.self) { try scan(body) }
        #expect(error.code == .invalidResponse)
        return error
    }

    @Test(arguments: [
        ("1.764E9", 1_764_000_000_000),
        ("1764480000.123", 1_764_480_000_123),
        ("1764480000", 1_764_480_000_000),
        ("1.7644800001239E+9", 1_764_480_000_123),  // milliseconds rounded down, never up
        ("17644800001239e-4", 1_764_480_000_123),
        ("1764480000.999999", 1_764_480_000_999),
        ("1764480000.1239999999999", 1_764_480_000_123),  // Double(…) * 1000 gives …124
        ("0", 0),
    ] as [(String, Int64)])
    func approximateCreationTimeIsExactMilliseconds(seconds: String, millis: Int64) throws {
        let page = try Self.scan(#"{"Records":[\#(Self.record("e", #""Keys":{"pk":{"S":"a"}},"ApproximateCreationDateTime":\#(seconds),"SequenceNumber":"1""#))]}"#)
        #expect(page.records == [PageRecord(sequenceNumber: "1", approximateCreationMillis: millis)])
    }

    @Test func recordsComeInOrderWithTheirSequenceNumbers() throws {
        let body = #"""
            {"Records":[
              \#(Self.record("e0", #""ApproximateCreationDateTime":1764480000.5,"SequenceNumber":"111000000000000000001","SizeBytes":26"#)),
              \#(Self.record("e1", #""SequenceNumber":"111000000000000000002","StreamViewType":"KEYS_ONLY""#)),
              \#(Self.record("e2", #""SequenceNumber":"111000000000000000010","ApproximateCreationDateTime":null"#))
            ],
            "NextShardIterator":"arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026|1|AAAA"}
            """#
        let page = try Self.scan(body)
        #expect(
            page.records == [
                PageRecord(sequenceNumber: "111000000000000000001", approximateCreationMillis: 1_764_480_000_500),
                PageRecord(sequenceNumber: "111000000000000000002", approximateCreationMillis: nil),
                PageRecord(sequenceNumber: "111000000000000000010", approximateCreationMillis: nil),
            ])
        #expect(page.nextShardIterator == "arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026|1|AAAA")
        #expect(page.body == Array(body.utf8), "the body is handed on as it came")
    }

    @Test func anEmptyPageKeepsItsIterator() throws {
        let page = try Self.scan(#"{"Records":[],"NextShardIterator":"it-2"}"#)
        #expect(page.records.isEmpty && page.nextShardIterator == "it-2")
    }

    @Test(arguments: [#"{"Records":[],"NextShardIterator":null}"#, #"{"Records":[]}"#, #" { "NextShardIterator" : null , "Records" : [ ] } "#])
    func aNullOrAbsentIteratorMeansTheShardIsReadToItsEnd(body: String) throws {
        let page = try Self.scan(body)
        #expect(page.nextShardIterator == nil && page.records.isEmpty)
    }

    @Test func theIteratorsEscapesAreDecoded() throws {
        #expect(try Self.scan(#"{"Records":[],"NextShardIterator":"a\/b\"c\u0041"}"#).nextShardIterator == #"a/b"cA"#)
    }

    @Test func stringsAndNamesInsideImagesDoNotConfuseTheScan() throws {
        // Images whose strings hold quotes, braces, brackets and the members the scan looks for,
        // and attributes named like them: only the record's own dynamodb members count.
        let image = #"""
            "NewImage":{"SequenceNumber":{"S":"999"},"dynamodb":{"M":{"SequenceNumber":{"S":"998"}}},
            "note":{"S":"a \"quoted\" } ] {\"SequenceNumber\":\"997\"} \\"},"ApproximateCreationDateTime":{"N":"1"},
            "list":{"L":[{"S":"]}"},{"M":{"NextShardIterator":{"S":"x"}}}]}},
            "OldImage":{"Records":{"L":[]}}
            """#
        let body = #"""
            {"Records":[\#(Self.record(#"e\"0"#, image + #","SequenceNumber":"42","ApproximateCreationDateTime":1764480000"#)),\#(Self.record("e1", #""SequenceNumber":"43""# + "," + image))],"NextShardIterator":"n"}
            """#
        let page = try Self.scan(body)
        #expect(
            page.records == [
                PageRecord(sequenceNumber: "42", approximateCreationMillis: 1_764_480_000_000), PageRecord(sequenceNumber: "43", approximateCreationMillis: nil),
            ])
        #expect(page.nextShardIterator == "n")
    }

    @Test func aFullPageOfLargeRecordsIsScannedWhole() throws {
        let filler = String(repeating: "x{\\\"}", count: 200)
        var records: [String] = []
        for index in 0..<1000 {
            records.append(
                Self.record(
                    "e\(index)",
                    #""NewImage":{"pk":{"S":"k\#(index)"},"blob":{"S":"\#(filler)"},"n":{"N":"\#(index)"}},"SequenceNumber":"\#(500_000 + index)","ApproximateCreationDateTime":\#(1_764_480_000 + index).25"#
                ))
        }
        let body = #"{"Records":["# + records.joined(separator: ",") + #"],"NextShardIterator":"last"}"#
        #expect(body.utf8.count > 1_000_000)
        let page = try Self.scan(body)
        #expect(page.records.count == 1000)
        #expect(page.records.map(\.sequenceNumber) == (0..<1000).map { String(500_000 + $0) })
        let expectedMillis: [Int64?] = (0..<1000).map { (index: Int) -> Int64? in Int64(1_764_480_000 + index) * 1000 + 250 }
        #expect(page.records.map(\.approximateCreationMillis) == expectedMillis)
        #expect(page.nextShardIterator == "last")
    }

    // MARK: Answers that cannot be read

    @Test func aRecordWithoutSequenceNumberIsNamedByIndexAndEventID() throws {
        let body = #"{"Records":[\#(Self.record("e0", #""SequenceNumber":"1""#)),\#(Self.record("e1", #""Keys":{"SequenceNumber":{"S":"2"}}"#))]}"#
        let error = try Self.failure(body)
        #expect(error.message.hasPrefix("GetRecords: record 1 (eventID e1) has no dynamodb.SequenceNumber (byte "), "\(error.message)")
    }

    @Test(arguments: [
        (#"{"Records":[{"eventID":"e0"}]}"#, "GetRecords: record 0 (eventID e0) has no dynamodb.SequenceNumber (byte 12)"),
        (#"{"Records":[{"dynamodb":{}}]}"#, "GetRecords: record 0 has no dynamodb.SequenceNumber (byte 12)"),
        (#"{"Records":{}}"#, "GetRecords: the answer's Records is not an array (byte 11)"),
        (#"{"Records":null}"#, "GetRecords: the answer's Records is not an array (byte 11)"),
        (#"{"NextShardIterator":"n"}"#, "GetRecords: the answer has no Records (byte 0)"),
        (#"[]"#, "GetRecords: the answer is not a JSON object (byte 0)"),
        (#"<html><body>Bad Gateway</body></html>"#, "GetRecords: the answer is not a JSON object (byte 0)"),
        ("", "GetRecords: the answer is empty"),
        (#"{"Records":[7]}"#, "GetRecords: record 0 is not a JSON object (byte 12)"),
        (#"{"Records":[{"dynamodb":"x"}]}"#, "GetRecords: record 0's dynamodb is not a JSON object (byte 24)"),
        (#"{"Records":[{"dynamodb":{"SequenceNumber":12}}]}"#, "GetRecords: record 0's dynamodb.SequenceNumber is not a string (byte 42)"),
        (#"{"Records":[{"dynamodb":{"SequenceNumber":""}}]}"#, "GetRecords: record 0's dynamodb.SequenceNumber is empty (byte 42)"),
        (#"{"Records":[],"NextShardIterator":5}"#, "GetRecords: the answer's NextShardIterator is neither a string nor null (byte 34)"),
        (#"{"Records":[],"NextShardIterator":true}"#, "GetRecords: the answer's NextShardIterator is neither a string nor null (byte 34)"),
        (#"{"Records":[],"Records":[]}"#, "GetRecords: the answer has Records twice (byte 14)"),
        (
            #"{"Records":[{"dynamodb":{"SequenceNumber":"1","ApproximateCreationDateTime":"2026-01-01T00:00:00Z"}}]}"#,
            "GetRecords: record 0's dynamodb.ApproximateCreationDateTime is not epoch seconds as a JSON number (byte 76)"
        ),
        (
            #"{"Records":[{"dynamodb":{"SequenceNumber":"1","ApproximateCreationDateTime":-5}}]}"#,
            "GetRecords: record 0's dynamodb.ApproximateCreationDateTime -5 is before 1970 (byte 76)"
        ),
        (#"{"Records":[]} {}"#, "GetRecords: the answer is not valid JSON: expected the end of the answer after its object but found '{' (byte 15)"),
        (#"{"Records":[{"eventID":"e0",}]}"#, "GetRecords: the answer is not valid JSON in record 0 (eventID e0): expected a member name in quotes but found '}' (byte 28)"),
    ])
    func aBadAnswerIsAClearError(body: String, message: String) throws {
        #expect(try Self.failure(body).message == message)
    }

    @Test func everyCutOfAPageIsAnErrorSayingSo() throws {
        let body = #"{"Records":[\#(Self.record("e0", #""NewImage":{"s":{"S":"a\"}"}},"SequenceNumber":"1","ApproximateCreationDateTime":1764480000.25"#))],"NextShardIterator":"n"}"#
        let bytes = Array(body.utf8)
        _ = try RecordsPage(scanning: bytes)
        for cut in 1..<bytes.count {
            let error = try #require(throws: AWSError.self, "cut at \(cut)") { try RecordsPage(scanning: Array(bytes[..<cut])) }
            #expect(error.code == .invalidResponse)
            #expect(error.message.hasPrefix("GetRecords: the answer is cut short"), "cut at \(cut): \(error.message)")
            #expect(error.message.hasSuffix(" of \(cut))"), "cut at \(cut): \(error.message)")
        }
    }
}
