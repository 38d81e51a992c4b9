import DDBTypes
import Testing

@testable import StreamNormalize

@Suite struct ChangeStreamReaderTests {
    static let expectedRows = [
        #"{"pk":"a","sk":1,"price":12345678901234567890123456789012345678,"tags":["a","b"],"blob":"AAEC","_eventName":"INSERT","_eventId":"e1","_seq":"1767225600123-0000000000000000000100000000000000000001","_approxStreamTs":1767225600123,"_ingestTs":7,"is_deleted":false,"_ttlDelete":false}"#
            + "\n",
        #"{"pk":"a","sk":1,"updated_at":5,"_eventName":"MODIFY","_eventId":"e2","_seq":"1767225601000-0000000000000000000100000000000000000002","_approxStreamTs":1767225601000,"_ingestTs":7,"is_deleted":false,"_ttlDelete":false}"#
            + "\n",
        #"{"pk":"a","sk":1,"_eventName":"REMOVE","_eventId":"e3","_seq":"1767225602000-0000000000000000000100000000000000000003","_approxStreamTs":1767225602000,"_ingestTs":7,"is_deleted":true,"_ttlDelete":true}"#
            + "\n",
    ]

    static var shapes: [(String, String)] {
        let records = Fixtures.all
        let pretty = Fixtures.lambdaEvent(records).replacingCommas()
        return [
            ("lambda event", Fixtures.lambdaEvent(records)),
            ("bare array", "[" + records.joined(separator: ",") + "]"),
            ("NDJSON records", records.joined(separator: "\n") + "\n"),
            ("NDJSON events", Fixtures.lambdaEvent(Array(records[..<1])) + "\n" + Fixtures.lambdaEvent(Array(records[1...]))),
            ("GetRecords page", #"{"Records":["# + records.joined(separator: ",") + #"],"NextShardIterator":"arn:x/iter"}"#),
            ("GetRecords page, Records last", #"{"NextShardIterator":"it","Records":["# + records.joined(separator: ",") + "]}"),
            ("pretty-printed", pretty),
            ("byte order mark", "\u{FEFF}" + Fixtures.lambdaEvent(records)),
            ("empty event then records", #"{"Records":[]}"# + "\n" + records.joined(separator: "\n")),
        ]
    }

    @Test(arguments: shapes.map(\.0))
    func everyShapeGivesTheSameRows(_ shape: String) throws {
        let input = Self.shapes.first { $0.0 == shape }!.1
        for (chunk, readerChunk) in [(Int.max, 1 << 20), (7, 16), (1, 16), (64, 64)] {
            let result = try Fixtures.read(input, chunk: chunk, readerChunk: readerChunk)
            #expect(result.errors.isEmpty, "\(shape) chunk \(chunk): \(result.errors)")
            #expect(result.rows == Self.expectedRows, "\(shape) chunk \(chunk)")
            #expect(result.summary.records == 3 && result.summary.rows == 3)
            #expect(result.summary.bytesIn == input.utf8.count)
        }
    }

    @Test func rowInfoDescribesTheChange() throws {
        let result = try Fixtures.read(Fixtures.lambdaEvent(Fixtures.all))
        #expect(result.infos.map(\.kind) == [.insert, .modify, .remove])
        #expect(result.infos.map(\.isTTLDelete) == [false, false, true])
        #expect(result.infos[0].changeTime == 1_767_225_600_123)
        #expect(result.infos[0].orderKey.description == "1767225600123-0000000000000000000100000000000000000001")
        let row = Array(result.rows[1].utf8)
        #expect(String(decoding: row[result.infos[1].eventIDRange], as: UTF8.self) == "e2")
    }

    @Test func emptyRecordsListGivesNothing() throws {
        let result = try Fixtures.read(#"{"Records":[]}"#)
        #expect(result.rows.isEmpty && result.errors.isEmpty && result.summary.records == 0)
    }

    @Test func tombstoneCanCarryTheOldImage() throws {
        var options = NormalizeOptions(ingestTime: nil)
        options.tombstoneImage = .old
        let result = try Fixtures.read(Fixtures.ttlRemove, options: options)
        #expect(
            result.rows == [
                #"{"pk":"a","sk":1,"note":"old","_eventName":"REMOVE","_eventId":"e3","_seq":"1767225602000-0000000000000000000100000000000000000003","_approxStreamTs":1767225602000,"is_deleted":true,"_ttlDelete":true}"#
                    + "\n"
            ])
    }

    @Test func envelopeLayout() throws {
        let options = NormalizeOptions(layout: .envelope, numbers: .string, ingestTime: nil)
        let result = try Fixtures.read(Fixtures.lambdaEvent([Fixtures.modify, Fixtures.ttlRemove]), options: options)
        #expect(
            result.rows[0]
                == #"{"op":"u","keys":{"pk":"a","sk":"1"},"before":{"pk":"a","sk":"1","price":"1"},"after":{"pk":"a","sk":"1","updated_at":"5"},"_eventName":"MODIFY","_eventId":"e2","_seq":"1767225601000-0000000000000000000100000000000000000002","_approxStreamTs":1767225601000,"is_deleted":false,"_ttlDelete":false}"#
                + "\n")
        #expect(result.rows[1].hasPrefix(#"{"op":"d","keys":{"pk":"a","sk":"1"},"before":{"pk":"a","sk":"1","note":"old"},"after":null,"#))
    }

    @Test(arguments: [
        (UpdatedAtFallback.epochMillis, #""updated_at":1767225600123,"#),
        (.epochSeconds, #""updated_at":1767225600.123,"#),
        (.iso8601, #""updated_at":"2026-01-01T00:00:00.123Z","#),
    ])
    func updatedAtFallback(_ fallback: UpdatedAtFallback, _ expected: String) throws {
        var options = NormalizeOptions(ingestTime: nil)
        options.updatedAtFallback = fallback
        let result = try Fixtures.read(Fixtures.lambdaEvent([Fixtures.insert, Fixtures.modify]), options: options)
        #expect(result.rows[0].contains(expected))
        // An item that has updated_at keeps its own.
        #expect(result.rows[1].components(separatedBy: "updated_at").count == 2)
        #expect(result.rows[1].contains(#""updated_at":5,"#))
    }

    @Test func updatedAtIsLeftAloneByDefault() throws {
        let result = try Fixtures.read(Fixtures.insert)
        #expect(!result.rows[0].contains("updated_at"))
    }

    // MARK: Order key

    @Test(arguments: [
        ("1767225600", 1_767_225_600_000), ("1767225600.123", 1_767_225_600_123), ("1767225600.1239", 1_767_225_600_123),
        ("1.7672256001E9", 1_767_225_600_100), ("1767225600123E-3", 1_767_225_600_123), ("0", 0), ("0.0005", 0),
    ])
    func approximateCreationDateTimeIsReadExactly(_ text: String, _ millis: Int64) throws {
        let record = Fixtures.insert.replacingOccurrences("1767225600.123", with: text)
        let result = try Fixtures.read(record)
        #expect(result.infos.first?.changeTime == millis)
    }

    @Test func orderKeySortsLikeTheSequenceNumber() throws {
        let numbers = ["9", "10", "99999999999999999999", "100000000000000000000", "4421584500000000017450439091", "1" + String(repeating: "0", count: 39)]
        let keys = numbers.map { OrderKey(changeTime: 5, sequenceNumber: SequenceNumber($0)!).description }
        #expect(keys == keys.sorted())
        #expect(keys.allSatisfy { $0.utf8.count == 54 })
        #expect(SequenceNumber("1" + String(repeating: "0", count: 40)) == nil)
        #expect(SequenceNumber("12a") == nil)
        #expect(OrderKey(changeTime: 1, sequenceNumber: SequenceNumber("99")!) < OrderKey(changeTime: 2, sequenceNumber: SequenceNumber("1")!))
    }

    @Test func iso8601() {
        #expect(ISO8601.format(epochMillis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(ISO8601.format(epochMillis: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(ISO8601.format(epochMillis: 1_767_225_599_999) == "2025-12-31T23:59:59.999Z")
        #expect(ISO8601.format(epochMillis: 4_102_444_800_000) == "2100-01-01T00:00:00.000Z")
    }
}

extension String {
    /// Spreads a compact JSON text over lines with indentation (commas outside strings are safe
    /// to break after in these fixtures, which hold none inside strings).
    func replacingCommas() -> String {
        replacingOccurrences(",\"", with: ",\n   \"").replacingOccurrences("\":", with: "\" :\t")
    }

    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    func components(separatedBy separator: String) -> [Substring] { split(separator: separator, omittingEmptySubsequences: false) }
}
