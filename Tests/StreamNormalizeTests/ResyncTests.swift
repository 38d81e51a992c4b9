import DDBTypes
import Foundation
import Testing

@testable import StreamNormalize

/// One broken record in a one-line event is set aside alone; every other record is read.
@Suite struct ResyncTests {
    static func record(_ n: Int) -> String {
        #"{"eventID":"e\#(n)","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"k\#(n)"}},"NewImage":{"pk":{"S":"k\#(n)"},"note":{"S":"plain \#(n)"},"m":{"M":{"x":{"N":"\#(n)"}}}},"SequenceNumber":"\#(sequence(n))"},"eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/t/stream/x"}"#
    }

    static func sequence(_ n: Int) -> String { "1000000000000000\(10000 + n)" }

    /// Ways a record can be broken so that it is no longer JSON.
    static let breakages: [(name: String, apply: @Sendable (String) -> [UInt8])] = [
        ("invalid UTF-8", { Array($0.replacingOccurrences(of: "plain", with: "pl#in").utf8).map { $0 == UInt8(ascii: "#") ? 0xFF : $0 } }),
        ("raw tab", { Array($0.replacingOccurrences(of: "plain", with: "pl\tin").utf8) }),
        ("bad escape", { Array($0.replacingOccurrences(of: "plain", with: #"pl\qin"#).utf8) }),
        ("missing final }", { Array($0.dropLast().utf8) }),
        ("missing } of NewImage", { Array($0.replacingOccurrences(of: #"}}}},"SequenceNumber""#, with: #"}}},"SequenceNumber""#).utf8) }),
        ("missing } of a nested map", { Array($0.replacingOccurrences(of: #"{"x":{"N":"#, with: #"{"x":{"N":"1","y":{"S":"#).utf8) }),
    ]

    static func event(count: Int, broken: Int, at breakage: (String) -> [UInt8]) -> [UInt8] {
        var out = Array(#"{"Records":["#.utf8)
        for n in 0..<count {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += n == broken ? breakage(record(n)) : Array(record(n).utf8)
        }
        return out + Array("]}".utf8)
    }

    @Test(arguments: breakages.indices, [9, 99])
    func oneBrokenRecordIsSetAsideAloneAndTheRestAreRead(_ breakage: Int, _ broken: Int) throws {
        let input = Self.event(count: 100, broken: broken, at: Self.breakages[breakage].apply)
        for (chunk, readerChunk) in [(Int.max, 1 << 20), (7, 64)] {
            let result = try Fixtures.read(input, chunk: chunk, readerChunk: readerChunk)
            let label = "\(Self.breakages[breakage].name), record \(broken), chunk \(chunk)"
            #expect(result.rows.count == 99, "\(label)")
            #expect(result.summary.records == 100 && result.summary.errors == 1, "\(label): \(result.summary)")
            try #require(result.errors.count == 1, "\(label)")
            let error = result.errors[0]
            #expect(error.recordIndex == broken, "\(label)")
            #expect(error.recordCount == 1 && error.sequenceNumbers == [Self.sequence(broken)], "\(label)")
            #expect(error.isIdentified)
            // Exactly the broken record's bytes are kept, nothing of its neighbours.
            let raw = String(decoding: error.raw, as: UTF8.self)
            #expect(raw.hasPrefix(#"{"eventID":"e\#(broken)""#) && !raw.contains("\"e\(broken + 1)\""), "\(label): \(raw.prefix(80))")
            let read = Set(result.rows.compactMap { row in row.firstRange(of: #""_eventId":"e"#).map { row[$0.upperBound...].prefix { $0 != "\"" } } })
            #expect(read == Set((0..<100).filter { $0 != broken }.map { Substring(String($0)) }), "\(label)")
        }
    }

    @Test func junkBetweenRecordsIsSetAsideWithoutLosingARecord() throws {
        // A stray `}` after record 3 closes nothing; it is set aside alone.
        var input = Array(#"{"Records":["#.utf8)
        for n in 0..<6 {
            if n > 0 { input.append(UInt8(ascii: ",")) }
            input += Array(Self.record(n).utf8)
            if n == 3 { input += Array("}".utf8) }
        }
        input += Array("]}".utf8)
        let result = try Fixtures.read(input)
        #expect(result.rows.count == 6)
        try #require(result.errors.count == 1)
        #expect(result.errors[0].raw == Array("}".utf8) && result.errors[0].recordCount == 0 && result.errors[0].recordIndex == nil)
        #expect(result.summary.records == 6)
    }

    @Test func unsplittableInputCountsEveryRecordItHolds() throws {
        // A raw line break inside a string leaves no boundary to trust: the rest of the input goes
        // aside as one piece, but each record in it is counted and named.
        var input = Array(#"{"Records":["#.utf8)
        for n in 0..<5 {
            if n > 0 { input.append(UInt8(ascii: ",")) }
            input += Array((n == 2 ? Self.record(n).replacingOccurrences(of: "plain", with: "pl\nin") : Self.record(n)).utf8)
        }
        input += Array("]}".utf8)
        let result = try Fixtures.read(input)
        #expect(result.rows.count == 2)
        #expect(result.summary.records == 5, "\(result.summary)")
        let named = result.errors.flatMap(\.sequenceNumbers)
        #expect(named == (2..<5).map(Self.sequence))
        #expect(result.errors.allSatisfy { $0.isIdentified })
    }

    @Test(arguments: [
        (#"{"eventID":"x","eventName":"INSERT","eventName":"REMOVE","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"NewImage":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#, "eventName"),
        (#"{"eventID":"x","eventID":"y","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#, "eventID"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"k":{"S":"a"}},"SequenceNumber":"1","SequenceNumber":"2"}}"#, "dynamodb.SequenceNumber"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"ApproximateCreationDateTime":2,"NewImage":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#, "dynamodb.ApproximateCreationDateTime"),
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"k":{"S":"a"}},"SequenceNumber":"1"},"dynamodb":{"SizeBytes":3}}"#, "dynamodb"),
        (#"{"eventID":"x","eventName":"INSERT","eventSource":"aws:dynamodb","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#, "eventSource"),
        // Image paths read as DynamoDB documents write them (`Keys`, `NewImage.a`), without `dynamodb.`.
        (#"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"a"}},"Keys":{"k":{"S":"a"}},"NewImage":{"k":{"S":"a"}},"SequenceNumber":"1"}}"#, "Keys"),
    ])
    func duplicateRecordMembersAreRefused(_ record: String, _ path: String) throws {
        let result = try Fixtures.read(record + "\n" + Fixtures.insert)
        #expect(result.rows.count == 1)
        try #require(result.errors.count == 1)
        #expect(result.errors[0].error.code == .duplicateMember)
        #expect(result.errors[0].error.path.description == path)
        #expect(result.errors[0].sequenceNumbers.count == 1)
    }

    @Test func recordsTwiceInAnEventIsRefusedAndItsRecordsCounted() throws {
        // `Records` first: the second array is set aside whole, its records counted and named.
        let first = #"{"Records":[\#(Self.record(0))],"Records":[\#(Self.record(1)),\#(Self.record(2))]}"#
        let result = try Fixtures.read(first)
        #expect(result.rows.count == 1)
        try #require(result.errors.count == 1)
        #expect(result.errors[0].error.code == .duplicateMember && result.errors[0].error.path.description == "Records")
        #expect(result.errors[0].sequenceNumbers == [Self.sequence(1), Self.sequence(2)])
        #expect(result.summary.records == 3)
        // `Records` later in the object (a GetRecords page): the whole event is set aside.
        let later = #"{"NextShardIterator":"i","Records":[\#(Self.record(0))],"Records":[\#(Self.record(1))]}"#
        let page = try Fixtures.read(later)
        #expect(page.rows.isEmpty)
        try #require(page.errors.count == 1)
        #expect(page.errors[0].error.code == .duplicateMember)
        #expect(page.errors[0].sequenceNumbers == [Self.sequence(0), Self.sequence(1)])
        #expect(page.summary.records == 2)
    }

    @Test(arguments: [
        (#""Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"b"}}"#, "NewImage.pk"),
        (#""Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"a"}}"#, "NewImage.sk"),
        (#""NewImage":{"pk":{"S":"a"},"sk":{"N":"2"}},"Keys":{"pk":{"S":"a"},"sk":{"N":"1"}}"#, "NewImage.sk"),
        (#""Keys":{"pk":{"N":"1"}},"NewImage":{"pk":{"S":"1"}}"#, "NewImage.pk"),
    ])
    func newImageThatContradictsKeysIsSetAside(_ images: String, _ path: String) throws {
        for eventFirst in [true, false] {
            let name = #""eventName":"MODIFY""#
            let body = #""dynamodb":{"ApproximateCreationDateTime":1,\#(images),"SequenceNumber":"7"}"#
            let record = "{\"eventID\":\"x\"," + (eventFirst ? name + "," + body : body + "," + name) + "}"
            let result = try Fixtures.read(record)
            #expect(result.rows.isEmpty, "\(record)")
            try #require(result.errors.count == 1)
            #expect(result.errors[0].error.code == .keyMismatch)
            #expect(result.errors[0].error.path.description == path)
            #expect(result.errors[0].sequenceNumbers == ["7"])
        }
    }

    /// NewImage's value is found after its name, past the colon and any whitespace, and agrees
    /// when its text is the key's followed by what ends a value; any other text is compared as a
    /// value.
    @Test(arguments: [
        (#"{"pk" : {"S":"a"} ,"sk":{"N":"1"}}"#, true),
        (#"{"pk":{"S":"a"}, "sk"\#n:\#t{"N":"1"}\#r\#n}"#, true),
        (#"{"pk":{ "S" : "a" },"sk":{"N":"1.00"}}"#, true),
        (#"{"pk":{"S":"ab"},"sk":{"N":"1"}}"#, false),
        (#"{"pk":{"S":"a"},"sk":{"N":"10"}}"#, false),
        (#"{"sk":{"N":"1"},"pk":{"S":"a"},"pkk":{"S":"a"}}"#, true),
        (#"{"pkk":{"S":"a"},"sk":{"N":"1"}}"#, false),
        (#"{"p\u006b":{"S":"a"},"sk":{"N":"1"}}"#, true),
        (#"{"p\u006b" : {"S":"b"},"sk":{"N":"1"}}"#, false),
    ])
    func newImageIsCheckedWhereItsValueLies(_ newImage: String, _ agrees: Bool) throws {
        for keysFirst in [true, false] {
            let keys = #""Keys":{"pk":{"S":"a"},"sk":{"N":"1"}}"#, image = #""NewImage":"# + newImage
            let images = keysFirst ? keys + "," + image : image + "," + keys
            let record = #"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"# + images + #","SequenceNumber":"7"}}"#
            let result = try Fixtures.read(record)
            #expect(result.rows.count == (agrees ? 1 : 0), "\(record)")
            #expect(result.errors.map(\.error.code) == (agrees ? [] : [.keyMismatch]), "\(record)")
        }
    }

    @Test func keysEqualInValueButNotInTextAgree() throws {
        let record = #"{"eventID":"x","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"pk":{"S":"\u0061"},"sk":{"N":"1.0"}},"NewImage":{"sk":{"N":"1"},"pk":{"S":"a"}},"SequenceNumber":"7"}}"#
        let result = try Fixtures.read(record)
        #expect(result.errors.isEmpty)
        #expect(result.rows.count == 1)
    }

    /// A flat INSERT or MODIFY does not write `Keys`: its members are read once, as it is read
    /// past, and NewImage is checked against them. A `Keys` object must fare as it does when
    /// `Keys` is read the other way (the event name after it: `Keys` is then written while it is
    /// read, as it may be the row's); a `Keys` that is not valid JSON must fail as `skipValue`
    /// fails on it, at the same place; valid JSON that is not an object is not checked.
    @Test(arguments: [
        #"{"pk":{"S":"a"},"sk":{"N":"1"}}"#,
        #" { "pk" : {"S":"a"} , "sk" : { "N" : "1.0" } } "#,
        #"{"sk":{"N":"1"},"pk":{"S":"a"}}"#,
        #"{"pk":{"S":"b"}}"#,
        #"{"pk":{"S":"a"},"zz":{"S":"a"}}"#,
        #"{"p\u006b":{"S":"a"}}"#,
        #"{"pk":{"S":"\u0061"}}"#,
        #"{}"#,
        #"[]"#,
        #""pk""#,
        #"{"pk":{"S":"a"},}"#,
        #"{"pk":{"S":"a\x"}}"#,
        #"{"pk" {"S":"a"}}"#,
        #"{pk:{"S":"a"}}"#,
        #"{"pk":{"S":"a"}]"#,
        #"{"pk":{"S":"a"}"pk":1}"#,
    ])
    func keysReadPastAreCheckedAsKeysWritten(_ keys: String) throws {
        let head = #"{"eventID":"x","eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1,"Keys":"#
        let rest = #","NewImage":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"x"}},"SequenceNumber":"7"}}"#
        let readPast = try Fixtures.read(head + keys + rest)
        let text = Array((head + keys + rest).utf8)
        let skipFault = text.withUnsafeBufferPointer { buffer -> DDBError? in
            var cursor = JSONCursor(buffer, at: head.utf8.count)
            do throws(DDBError) {
                try cursor.skipValue()
                return nil
            } catch {
                return error
            }
        }
        if let skipFault {
            try #require(readPast.errors.count == 1, "\(keys)")
            let error = readPast.errors[0].error
            #expect(readPast.rows.isEmpty)
            #expect(error.code == skipFault.code, "\(keys)")
            #expect(error.offset == skipFault.offset, "\(keys)")
            #expect(error.message == skipFault.message, "\(keys)")
        } else if keys.trimmingPrefix(" ").hasPrefix("{") {
            let body = #""dynamodb":{"ApproximateCreationDateTime":1,"Keys":\#(keys)"# + rest.dropLast()
            let written = try Fixtures.read(#"{"eventID":"x","# + body + #","eventName":"MODIFY"}"#)
            #expect(readPast.rows.count == written.rows.count, "\(keys)")
            #expect(readPast.errors.map(\.error.code) == written.errors.map(\.error.code), "\(keys)")
            #expect(readPast.errors.map(\.error.path.description) == written.errors.map(\.error.path.description), "\(keys)")
        } else {
            #expect(readPast.errors.isEmpty && readPast.rows.count == 1, "\(keys)")
        }
    }

    @Test func theTableComesFromTheEventSourceARN() throws {
        let result = try Fixtures.read(Fixtures.lambdaEvent([Fixtures.insert, Fixtures.modify]))
        #expect(result.infos.map(\.table) == ["t", nil])
        #expect(RecordTranscoder.tableName(arn: Array("arn:aws-cn:dynamodb:cn-north-1:123:table/my.Table-1_x/stream/2026".utf8)) == "my.Table-1_x")
        for bad in ["arn:aws:kinesis:us-east-1:1:stream/x", "arn:aws:dynamodb:us-east-1:1:table/t", "arn:aws:dynamodb:us-east-1:1:table/a b/stream/x", "table/t/stream/x"] {
            #expect(RecordTranscoder.tableName(arn: Array(bad.utf8)) == nil, "\(bad)")
        }
        let foreign = Fixtures.insert.replacingOccurrences(of: "arn:aws:dynamodb:us-east-1:1:table/t/stream/x", with: "arn:aws:sqs:us-east-1:1:q")
        let refused = try Fixtures.read(foreign)
        #expect(refused.rows.isEmpty && refused.errors.first?.error.code == .unsupportedRecord)
        #expect(refused.errors.first?.error.path.description == "eventSourceARN")
    }

    @Test func theSequenceNumberTextIsKeptAsWritten() throws {
        let record = Fixtures.insert.replacingOccurrences(of: "100000000000000000001", with: "000123")
        let result = try Fixtures.read(record)
        #expect(result.infos.first?.sequenceNumberText == "000123")
        #expect(result.infos.first?.sequenceNumber.decimal == "123")
        let long = String(repeating: "0", count: 45) + "42"
        let padded = try Fixtures.read(Fixtures.insert.replacingOccurrences(of: "100000000000000000001", with: long))
        #expect(padded.infos.first?.sequenceNumberText == long)
    }

    /// Found by fuzzing (Fuzz/Regressions/reader): offsets must not depend on how input arrives.
    @Test func errorOffsetsDoNotDependOnChunking() throws {
        let input = "e\ng\ne\n"
        let whole = try Fixtures.read(input).errors.map(\.error.offset)
        #expect(whole == [0, 2, 4])
        for (chunk, readerChunk) in [(3, 16), (1, 16), (2, 16)] {
            #expect(try Fixtures.read(input, chunk: chunk, readerChunk: readerChunk).errors.map(\.error.offset) == whole)
        }
    }

    /// Found by fuzzing: a piece that holds no record names no record index, and indexes stay
    /// distinct: a value in an array of records is a (bad) record, stray bytes are not.
    @Test(arguments: [("[x", 1), ("[x]", 1), ("[1,x", 2), (#"{"Records":[x"#, 1)])
    func aPieceWithoutARecordTakesNoIndex(_ prefix: String, _ records: Int) throws {
        let result = try Fixtures.read(prefix + "\n" + Fixtures.insert + "\n")
        #expect(result.rows.count == 1)
        #expect(result.errors.allSatisfy { ($0.recordIndex == nil) == ($0.recordCount == 0) }, "\(result.errors)")
        let indexes = result.errors.compactMap(\.recordIndex)
        #expect(Set(indexes).count == indexes.count && indexes.allSatisfy { $0 < records })
        #expect(result.summary.records == records)
    }
}
