import DDBTypes
import Foundation
import Testing

@testable import StreamNormalize

/// The transcoder expects a record's members in the order of the record before (`MemberOrder`)
/// and compares their quoted names in place; any other order or spelling is read by name. The
/// rows, facts and errors must not depend on which way a member was read.
@Suite struct MemberOrderTests {
    /// The members of the compact JSON object `text` (`"name":value`), as written.
    private static func members(_ text: Substring) -> [Substring] {
        var members: [Substring] = []
        var depth = 0, inString = false, escaped = false
        var start = text.index(after: text.startIndex)
        for index in text.indices {
            let character = text[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"": inString = true
            case "{", "[": depth += 1
            case "}", "]":
                depth -= 1
                if depth == 0 { members.append(text[start..<index]) }
            case "," where depth == 1:
                members.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        return members
    }

    /// `record` with its members, and its `dynamodb` object's, in a random order; values as written.
    private static func reordered(_ record: String, _ generator: inout some RandomNumberGenerator) -> String {
        let prefix = "\"dynamodb\":"
        let members = Self.members(record[...]).map { member -> String in
            guard member.hasPrefix(prefix) else { return String(member) }
            let inner = Self.members(member.dropFirst(prefix.count)).shuffled(using: &generator)
            return prefix + "{" + inner.joined(separator: ",") + "}"
        }
        return "{" + members.shuffled(using: &generator).joined(separator: ",") + "}"
    }

    /// The same records in any member order give the same rows.
    @Test func anyMemberOrderGivesTheSameRowsAsTheUsualOne() throws {
        var generator = MutationTests.SplitMix(state: 7)
        var usual: [String] = [], shuffled: [String] = []
        for _ in 0..<12 {
            for record in Fixtures.all {
                let compact = record.trimmingCharacters(in: .whitespacesAndNewlines)
                usual.append(compact)
                shuffled.append(Self.reordered(compact, &generator))
            }
        }
        for options in [NormalizeOptions(ingestTime: 7), NormalizeOptions(layout: .envelope, ingestTime: 7)] {
            let expected = try Fixtures.read(Fixtures.lambdaEvent(usual), options: options)
            // Orders change from record to record, and runs of one order are learned and then left.
            let mixed = zip(usual, shuffled).enumerated().map { index, pair in index % 5 < 2 ? pair.0 : pair.1 }
            for records in [shuffled, mixed] {
                let result = try Fixtures.read(Fixtures.lambdaEvent(records), options: options)
                #expect(result.errors.isEmpty, "\(result.errors)")
                #expect(result.rows == expected.rows)
                #expect(result.infos.map(\.table) == expected.infos.map(\.table))
                #expect(result.infos.map(\.orderKey) == expected.infos.map(\.orderKey))
            }
        }
    }

    /// Spellings of an expected member that are not its compact name (whitespace, escapes) and
    /// values spelled otherwise than DynamoDB spells them are read by the general path, with
    /// the same result; a member twice is refused whichever way each was read.
    @Test(arguments: [
        (#""eventName":"INSERT""#, #""eventName" : "INSERT""#, nil),
        (#""eventName":"INSERT""#, #""event\u004eame":"INSERT""#, nil),
        (#""dynamodb":{"#, #""dyn\u0061modb":{"#, nil),
        (#""NewImage":{"#, #""N\u0065wImage":{"#, nil),
        (#""eventName":"INSERT""#, #""eventName":"INS\u0045RT""#, nil),
        (#""eventSource":"aws:dynamodb""#, #""eventSource":"aws:dyn\u0061modb""#, nil),
        (#""ApproximateCreationDateTime":1767225600.123"#, #""ApproximateCreationDateTime":1.767225600123e9"#, nil),
        (#""ApproximateCreationDateTime":1767225600.123"#, #""ApproximateCreationDateTime": 1767225600.123"#, nil),
        (#""SizeBytes":10"#, #""SizeBytes":10.0"#, nil),
        (#""SizeBytes":10"#, #""SizeBytes":1e1 "#, nil),
        (#""eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/t/stream/x""#, #""eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table\/t/stream/x""#, nil),
        (#""eventName":"INSERT""#, #""eventName":"INSERT","eventName":"INSERT""#, "duplicate-member"),
        (#""eventName":"INSERT""#, #""eventName":"INSERT","event\u004eame":"MODIFY""#, "duplicate-member"),
        (#""eventName":"INSERT""#, #""eventName":"INS\u0045RT","eventName":"INSERT""#, "duplicate-member"),
        (#""eventSource":"aws:dynamodb""#, #""eventSource":"aws:dynamodb","eventSource":"aws:dynamodb""#, "duplicate-member"),
        (#""eventSource":"aws:dynamodb""#, #""eventSource":"aws:dyn\u0061modb","eventSource":"aws:dynamodb""#, "duplicate-member"),
        (#""eventSource":"aws:dynamodb""#, #""eventSource":"aws:dynamodbx""#, "unsupported-record"),
        (#""ApproximateCreationDateTime":1767225600.123"#, #""ApproximateCreationDateTime":17672256001.23"#, "invalid-number"),
        (#""ApproximateCreationDateTime":1767225600.123"#, #""ApproximateCreationDateTime":1767225600."#, "malformed-json"),
        (#""SizeBytes":10"#, #""SizeBytes":10x"#, "malformed-json"),
    ] as [(String, String, String?)])
    func otherSpellingsAreReadByTheGeneralPath(_ usual: String, _ other: String, _ code: String?) throws {
        let insert = Fixtures.insert.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(insert.contains(usual))
        let changed = insert.replacingOccurrences(of: usual, with: other)
        // The usual record first and last, so the expected order is learned around the other one.
        let result = try Fixtures.read(Fixtures.lambdaEvent([insert, changed, insert]))
        let expected = try Fixtures.read(Fixtures.lambdaEvent([insert, insert, insert]))
        if let code {
            #expect(result.errors.map(\.error.code.description) == [code], "\(result.errors)")
            #expect(result.rows == [expected.rows[0], expected.rows[2]])
        } else {
            #expect(result.errors.isEmpty, "\(result.errors)")
            #expect(result.rows == expected.rows)
        }
    }

    /// A TTL delete named with escapes is still one.
    @Test func escapedUserIdentityStillMarksATTLDelete() throws {
        let usual = Fixtures.ttlRemove.trimmingCharacters(in: .whitespacesAndNewlines)
        let escaped = usual.replacingOccurrences(of: #""type":"Service""#, with: #""t\u0079pe":"Serv\u0069ce""#)
            .replacingOccurrences(of: #""principalId":"dynamodb.amazonaws.com""#, with: #""principalId":"dynamodb\u002eamazonaws.com""#)
        try #require(escaped != usual)
        let result = try Fixtures.read(Fixtures.lambdaEvent([escaped]))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.infos.map(\.isTTLDelete) == [true])
        #expect(result.rows == (try Fixtures.read(Fixtures.lambdaEvent([usual]))).rows)
    }

    /// An event's `Records` spelled with an escape is its `Records` (it was read as a record
    /// without `eventName`).
    @Test func anEventsEscapedRecordsIsItsRecords() throws {
        let records = Fixtures.all.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let usual = try Fixtures.read(Fixtures.lambdaEvent(records))
        let escaped = try Fixtures.read(Fixtures.lambdaEvent(records).replacingOccurrences(of: #""Records""#, with: #""Rec\u006frds""#))
        #expect(escaped.errors.isEmpty, "\(escaped.errors)")
        #expect(escaped.rows == usual.rows && usual.rows.count == 3)
    }

    @Test func theOrderOfTheLastObjectIsExpected() {
        var order = MemberOrder(RecordMember.lambdaOrder)
        #expect(order.expected(after: MemberOrder<RecordMember>.start) == .eventID)
        #expect(order.expected(after: RecordMember.eventID.rawValue) == .eventName)
        // A GetRecords order, learned once.
        let getRecords: [RecordMember] = [.awsRegion, .dynamodb, .eventID, .eventName, .eventSource, .eventVersion]
        var previous = MemberOrder<RecordMember>.start
        for member in getRecords {
            order.learn(member, after: previous)
            previous = member.rawValue
        }
        previous = MemberOrder<RecordMember>.start
        for member in getRecords {
            #expect(order.expected(after: previous) == member)
            previous = member.rawValue
        }
    }

    @Test func membersByRawValueAreTheSynthesizedOnes() {
        for raw in UInt8.min...UInt8.max {
            #expect(RecordMember.member(raw) == RecordMember(rawValue: raw), "\(raw)")
            #expect(StreamMember.member(raw) == StreamMember(rawValue: raw), "\(raw)")
        }
        #expect(RecordMember.allCases.allSatisfy { RecordMember.member($0.rawValue) == $0 })
        #expect(StreamMember.allCases.allSatisfy { StreamMember.member($0.rawValue) == $0 })
    }
}
