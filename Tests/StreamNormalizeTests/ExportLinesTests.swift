import DDBTypes
import Testing

@testable import StreamNormalize

/// Export data files' lines become rows with the order key DESIGN's "Backfill and the stream" gives.
@Suite struct ExportLinesTests {
    /// 2026-01-01T00:10:00.500Z.
    static let exportTime: Int64 = 1_767_226_200_500
    static let zeros40 = String(repeating: "0", count: 40)

    struct Read {
        var rows: [String] = []
        var infos: [RowInfo] = []
        var errors: [StreamError] = []
    }

    static func read(
        _ input: String, _ rows: ExportRows, options: NormalizeOptions = NormalizeOptions(), chunk: Int = .max, readerChunk: Int = 1 << 20
    ) throws -> Read {
        var options = options
        options.exportLines = rows
        var source = MemorySource(Array(input.utf8))
        source.maxChunk = chunk
        var reader = ChangeStreamReader(options: options, chunkSize: readerChunk)
        reader.start(recordNamePrefix: "01234567890123-abcdefgh/part-0.json.gz/")
        var read = Read()
        while try reader.readMore(
            &source, onRow: { row, info in
                read.rows.append(String(decoding: row, as: UTF8.self))
                read.infos.append(info)
            }, onError: { read.errors.append($0) })
        {}
        return read
    }

    @Test func fullExportLinesAreUpsertsJustBeforeTheExportLessTheOverlap() throws {
        let input = """
            {"Item":{"pk":{"S":"a"},"n":{"N":"12345678901234567890123456789012345678"},"tags":{"SS":["y","x"]}}}
            {"Item":{"pk":{"S":"b"},"m":{"M":{"b":{"B":"AAE="}}}}}

            """
        // Every chunking: lines split anywhere still give the same rows.
        for (chunk, readerChunk) in [(Int.max, 1 << 20), (1, 16), (7, 32)] {
            let read = try Self.read(input, ExportRows(kind: .full(exportTime: Self.exportTime), table: "Orders"), chunk: chunk, readerChunk: readerChunk)
            #expect(read.errors.isEmpty)
            // 1767226200500 − 300000 = 1767225900500 → floor to the second 1767225900000 → − 1 ms.
            let seq = "1767225899999-" + Self.zeros40
            #expect(
                read.rows == [
                    #"{"pk":"a","n":12345678901234567890123456789012345678,"tags":["x","y"],"_eventName":"INSERT","_eventId":"01234567890123-abcdefgh/part-0.json.gz/1","_seq":""#
                        + seq + #"","_approxStreamTs":1767225899999,"is_deleted":false,"_ttlDelete":false}"# + "\n",
                    #"{"pk":"b","m":{"b":"AAE="},"_eventName":"INSERT","_eventId":"01234567890123-abcdefgh/part-0.json.gz/2","_seq":""#
                        + seq + #"","_approxStreamTs":1767225899999,"is_deleted":false,"_ttlDelete":false}"# + "\n",
                ], "chunk \(chunk)")
            #expect(read.infos.map(\.table) == ["Orders", "Orders"])
            #expect(read.infos.allSatisfy { $0.changeTime % 1000 == 999 && $0.sequenceNumber == .zero })
        }
    }

    @Test func theOverlapMovesTheOrderTime() throws {
        let line = #"{"Item":{"pk":{"S":"a"}}}"# + "\n"
        let none = try Self.read(line, ExportRows(kind: .full(exportTime: Self.exportTime), overlapMillis: 0))
        #expect(none.infos.map(\.changeTime) == [1_767_226_199_999])
        let tenMinutes = try Self.read(line, ExportRows(kind: .full(exportTime: Self.exportTime), overlapMillis: 600_000))
        #expect(tenMinutes.infos.map(\.changeTime) == [1_767_225_599_999])
        // A stream record of a write in the overlap (its time rounded down to the second) wins;
        // one from before it loses.
        let export = tenMinutes.infos[0].orderKey
        #expect(OrderKey(changeTime: 1_767_225_600_000, sequenceNumber: SequenceNumber("1")!) > export)
        #expect(OrderKey(changeTime: 1_767_225_599_000, sequenceNumber: SequenceNumber("99999999999999999999")!) < export)
    }

    @Test(arguments: [#"{"N":"1767225600123456"}"#, "1767225600123456"])
    func incrementalLinesCarryTheirWriteTime(_ stamp: String) throws {
        let input = """
            {"Metadata":{"WriteTimestampMicros":\(stamp)},"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"},"v":{"N":"1.50"}},"OldImage":{"pk":{"S":"a"},"v":{"N":"1"}}}
            {"Metadata":{"WriteTimestampMicros":\(stamp)},"Keys":{"pk":{"S":"b"}},"OldImage":{"pk":{"S":"b"},"v":{"N":"2"}}}

            """
        let read = try Self.read(input, ExportRows(kind: .incremental))
        #expect(read.errors.isEmpty, "\(read.errors)")
        // 1767225600123456 µs → 1767225600123 ms − 300000 → 1767225300123 → 1767225300000 − 1.
        let seq = "1767225299999-0000000000000000000000001767225600123456"
        #expect(
            read.rows == [
                #"{"pk":"a","v":1.50,"_eventName":"INSERT","_eventId":"01234567890123-abcdefgh/part-0.json.gz/1","_seq":""# + seq
                    + #"","_approxStreamTs":1767225299999,"is_deleted":false,"_ttlDelete":false}"# + "\n",
                #"{"pk":"b","_eventName":"REMOVE","_eventId":"01234567890123-abcdefgh/part-0.json.gz/2","_seq":""# + seq
                    + #"","_approxStreamTs":1767225299999,"is_deleted":true,"_ttlDelete":false}"# + "\n",
            ])
        #expect(read.infos.map(\.kind) == [.insert, .remove])
        // The old image as the tombstone, when asked.
        let old = try Self.read(input, ExportRows(kind: .incremental), options: NormalizeOptions(tombstoneImage: .old))
        #expect(old.rows[1].hasPrefix(#"{"pk":"b","v":2,"_eventName":"REMOVE""#))
        // Envelope rows: keys, before, after.
        let envelope = try Self.read(input, ExportRows(kind: .incremental), options: NormalizeOptions(layout: .envelope))
        #expect(envelope.rows[0].hasPrefix(#"{"op":"u","keys":{"pk":"a"},"before":{"pk":"a","v":1},"after":{"pk":"a","v":1.50},"#))
        #expect(envelope.rows[1].hasPrefix(#"{"op":"d","keys":{"pk":"b"},"before":{"pk":"b","v":2},"after":null,"#))
    }

    @Test func aLaterIncrementalWriteBeatsAFullExportOfTheSameSecond() throws {
        let full = try Self.read(#"{"Item":{"pk":{"S":"a"}}}"# + "\n", ExportRows(kind: .full(exportTime: 1_767_225_600_000)))
        let incremental = try Self.read(
            #"{"Metadata":{"WriteTimestampMicros":{"N":"1767225600000001"}},"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"}}}"# + "\n",
            ExportRows(kind: .incremental))
        #expect(incremental.infos[0].changeTime == full.infos[0].changeTime)
        #expect(incremental.infos[0].orderKey > full.infos[0].orderKey)
    }

    @Test func badLinesAreSetAsideOneLineEachAndTheRestIsRead() throws {
        let rows = ExportRows(kind: .full(exportTime: Self.exportTime))
        let input = """
            {"Item":{"pk":{"S":"a"}}}
            {"Item":{"pk":{"S":"b"}
            {"Item":{"pk":{"Q":"c"}}}
            {"Metadata":{"WriteTimestampMicros":1},"Keys":{"pk":{"S":"d"}}}
            {"Item":{"pk":{"S":"e"}}} trailing
            not json at all
            {"Item":{"pk":{"S":"f"},"is_deleted":{"BOOL":true}}}
            {"Item":{"pk":{"S":"g"}}}
            """
        for chunk in [Int.max, 3] {
            let read = try Self.read(input, rows, chunk: chunk, readerChunk: 32)
            #expect(read.rows.count == 2, "chunk \(chunk)")
            #expect(read.rows[0].contains(#""_eventId":"01234567890123-abcdefgh/part-0.json.gz/1""#))
            #expect(read.rows[1].contains(#""_eventId":"01234567890123-abcdefgh/part-0.json.gz/8""#))
            #expect(read.errors.map { $0.recordIndex } == [1, 2, 3, 4, 5, 6])
            #expect(read.errors.allSatisfy { $0.recordCount == 1 })
            #expect(read.errors.map(\.line) == [2, 3, 4, 5, 6, 7])
            #expect(read.errors[0].description.hasPrefix("line 2 at byte "))
            #expect(String(decoding: read.errors[0].jsonLine(input: "d.json.gz"), as: UTF8.self).hasPrefix(#"{"input":"d.json.gz","line":2,"recordIndex":1,"#))
            #expect(read.errors.map(\.error.code) == [.truncated, .unknownTypeTag, .missingField, .malformedJSON, .wrongJSONType, .nameClash])
            // Each keeps exactly its own line.
            #expect(read.errors[0].raw == Array(#"{"Item":{"pk":{"S":"b"}"#.utf8))
            #expect(read.errors[4].raw == Array("not json at all".utf8))
            #expect(read.errors[2].error.message.contains("is this an incremental export?"))
        }
    }

    @Test func incrementalLinesAreChecked() throws {
        let rows = ExportRows(kind: .incremental)
        let input = """
            {"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"}}}
            {"Metadata":{"WriteTimestampMicros":{"N":"12.5"}},"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"}}}
            {"Metadata":{"WriteTimestampMicros":{"N":"1767225600000000"}},"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"z"}}}
            {"Metadata":{"WriteTimestampMicros":{"N":"1767225600000000"}},"NewImage":{"pk":{"S":"a"}}}
            {"Item":{"pk":{"S":"a"}}}

            """
        let read = try Self.read(input, rows)
        #expect(read.rows.isEmpty)
        #expect(read.errors.map(\.error.code) == [.missingField, .invalidNumber, .keyMismatch, .missingField, .unsupportedRecord])
    }

    @Test func envelopeRowsOfAFullExportAreRefused() throws {
        let read = try Self.read(
            #"{"Item":{"pk":{"S":"a"}}}"# + "\n", ExportRows(kind: .full(exportTime: Self.exportTime)),
            options: NormalizeOptions(layout: .envelope))
        #expect(read.rows.isEmpty)
        #expect(read.errors.first?.error.message.contains("use the flat layout") == true)
    }
}
