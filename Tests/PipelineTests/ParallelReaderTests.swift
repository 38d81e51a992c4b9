import StreamNormalize
import Testing

@testable import Pipeline

/// `ParallelReader` against `ChangeStreamReader`: the same rows, errors (numbered from the input's
/// start) and counts, in the same order, whatever the segment size, thread count and read size.
@Suite struct ParallelReaderTests {
    static func insert(_ id: String) -> String {
        #"""
        {"eventID":"\#(id)","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225600.123,"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"},"price":{"N":"12345678901234567890123456789012345678"},"tags":{"SS":["b","a"]},"blob":{"B":"AAEC"}},"SequenceNumber":"100000000000000000001"},"eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/t/stream/x"}
        """#
    }
    static func modify(_ id: String) -> String {
        #"""
        {"eventID":"\#(id)","eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225601,"Keys":{"pk":{"S":"b"}},"NewImage":{"pk":{"S":"b"},"n":{"N":"5"}},"OldImage":{"pk":{"S":"b"},"n":{"N":"1"}},"SequenceNumber":"100000000000000000002"}}
        """#
    }
    static let remove = #"""
        {"eventID":"e3","eventName":"REMOVE","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225602,"Keys":{"pk":{"S":"c"}},"OldImage":{"pk":{"S":"c"}},"SequenceNumber":"100000000000000000003"}}
        """#
    /// A record whose content is at fault (set aside whole, as JSON).
    static let badNumber = #"""
        {"eventID":"bad","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"pk":{"S":"x"},"n":{"N":"1E+999"}},"SequenceNumber":"9"}}
        """#
    /// A record that is not JSON (set aside by structure).
    static let broken = #"{"eventID":"broken","eventName":"INSERT","dynamodb":{"NewImage":{"pk":{"S":"x}}},"SequenceNumber":"8"}}"#

    static func event(_ records: [String]) -> String { #"{"Records":["# + records.joined(separator: ",") + "]}" }

    /// Generated records: good ones, some at fault, in a fixed pseudo-random order.
    static func records(_ count: Int, seed: UInt64) -> [String] {
        var state = seed
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            switch (state >> 33) % 9 {
            case 0: return badNumber
            case 1: return broken
            case 2, 3: return modify("m\(index)")
            case 4: return remove
            default: return insert("i\(index)")
            }
        }
    }

    static func eventLines(_ events: Int, seed: UInt64) -> String {
        (0..<events).map { event(records(1 + $0 % 4, seed: seed &+ UInt64($0))) + "\n" }.joined()
    }

    static let inputs: [(String, String)] = [
        ("events, one per line", eventLines(30, seed: 1)),
        ("records, one per line, CRLF and blank lines", records(60, seed: 2).map { $0 + "\r\n" }.joined() + "\n\n"),
        ("a line that is not JSON", eventLines(5, seed: 3) + "not json at all\n" + eventLines(5, seed: 4)),
        ("a pretty-printed event among lines", eventLines(6, seed: 5) + "{\n  \"Records\": [\n    " + records(5, seed: 6).joined(separator: ",\n    ") + "\n  ]\n}\n" + eventLines(6, seed: 7)),
        ("a bare array over lines", "[\n" + records(12, seed: 8).joined(separator: ",\n") + "\n]\n" + eventLines(4, seed: 9)),
        ("a byte order mark", "\u{FEFF}" + eventLines(8, seed: 10)),
        ("no line break at the end", String(eventLines(8, seed: 11).dropLast())),
        ("cut inside the last event", String(eventLines(8, seed: 12).dropLast(40))),
        ("GetRecords pages", (0..<10).map { #"{"NextShardIterator":"it\#($0)","Records":["# + records(3, seed: UInt64(20 + $0)).joined(separator: ",") + "]}\n" }.joined()),
        ("a line longer than any segment", eventLines(4, seed: 13) + event(records(40, seed: 14)) + "\n" + eventLines(4, seed: 15)),
        ("pretty-printed events only", (0..<8).map { "{\n \"Records\": [\n" + records(3, seed: UInt64(30 + $0)).joined(separator: ",\n") + "\n ]\n}\n" }.joined()),
        ("an event left open", eventLines(3, seed: 16) + #"{"Records":["# + insert("open") + "\n"),
    ]

    /// What a reader handed on, comparable.
    struct Handed: Equatable {
        var items: [String] = []
        var infos: [RowInfo] = []
        var summary = ChangeStreamReader.Summary()
    }

    static func sequential(_ input: [UInt8]) throws -> Handed {
        var source = MemorySource(input)
        var reader = ChangeStreamReader(options: NormalizeOptions(ingestTime: 7))
        var handed = Handed()
        handed.summary = try reader.run(
            &source,
            onRow: { row, info in
                handed.items.append("row " + String(decoding: row, as: UTF8.self))
                handed.infos.append(info)
            },
            onError: { handed.items.append("error \($0.description) " + String(decoding: $0.jsonLine, as: UTF8.self)) })
        return handed
    }

    static func parallel(_ input: [UInt8], threads: Int, segmentBytes: Int, readSize: Int) throws -> (Handed, ParallelReader) {
        var source = MemorySource(input)
        source.maxChunk = readSize
        var reader = ParallelReader(options: NormalizeOptions(ingestTime: 7), threads: threads, segmentBytes: segmentBytes, maxSegmentBytes: 2_048)
        reader.start()
        var handed = Handed()
        while try reader.readMore(
            &source,
            onRow: { row, info in
                handed.items.append("row " + String(decoding: row, as: UTF8.self))
                handed.infos.append(info)
            },
            onError: { handed.items.append("error \($0.description) " + String(decoding: $0.jsonLine, as: UTF8.self)) })
        {}
        handed.summary = reader.summary
        return (handed, reader)
    }

    @Test(arguments: inputs.map(\.0))
    func handsOnWhatTheSequentialReaderDoes(_ name: String) throws {
        let input = Array(Self.inputs.first { $0.0 == name }!.1.utf8)
        let expected = try Self.sequential(input)
        #expect(expected.summary.records > 0)
        for threads in [1, 2, 3] {
            for segmentBytes in [1, 97, 700, 1 << 20] {
                for readSize in [Int.max, 13] {
                    let (handed, _) = try Self.parallel(input, threads: threads, segmentBytes: segmentBytes, readSize: readSize)
                    #expect(handed == expected, "threads \(threads), segments of \(segmentBytes) bytes, reads of \(readSize)")
                }
            }
        }
    }

    @Test func linesAreReadInSegmentsOnWorkerThreads() throws {
        let input = Array(Self.eventLines(30, seed: 1).utf8)
        let expected = try Self.sequential(input)
        #expect(expected.summary.errors > 0, "errors are numbered across segments")
        let (handed, reader) = try Self.parallel(input, threads: 2, segmentBytes: 500, readSize: .max)
        #expect(handed == expected)
        #expect(reader.isParallel)
        #expect(reader.segmentsHandedOn > 5)
    }

    @Test func anEventOverSeveralLinesIsReadOnFromItsSegmentsStartThenSegmentsAgain() throws {
        let before = Self.eventLines(6, seed: 5)
        let pretty = "{\n  \"Records\": [\n    " + Self.records(5, seed: 6).joined(separator: ",\n    ") + "\n  ]\n}\n"
        let input = Array((before + pretty + Self.eventLines(30, seed: 7)).utf8)
        let (handed, reader) = try Self.parallel(input, threads: 2, segmentBytes: 97, readSize: .max)
        #expect(handed == (try Self.sequential(input)))
        #expect(reader.isParallel, "segments are cut again once the event is read")
        let (_, withoutTheEvent) = try Self.parallel(Array(before.utf8), threads: 2, segmentBytes: 97, readSize: .max)
        #expect(reader.segmentsHandedOn > withoutTheEvent.segmentsHandedOn + 10, "the lines after the event were read in segments")
    }

    @Test func aLongUnitReadAFewBytesAtATimeIsTakenOverOnce() throws {
        // A page (not a Lambda event: held whole at the top level) on one line far longer than a
        // segment, read 13 bytes at a time: one reader takes over once and reads it whole, rather
        // than handing back to segments after every read (found by the reader fuzz target).
        let page = #"{"NextShardIterator":"it","Records":["# + Self.records(20, seed: 40).joined(separator: ",") + "]}"
        let input = Array((page + "\n" + Self.eventLines(3, seed: 41)).utf8)
        let (handed, reader) = try Self.parallel(input, threads: 3, segmentBytes: 1, readSize: 13)
        #expect(handed == (try Self.sequential(input)))
        #expect(reader.takeovers <= 2, "\(reader.takeovers) takeovers")
    }

    /// Bytes of an input up to `failAt`, then a failure (a file that cannot be read on, a gzip
    /// stream that is corrupt there), once: a later read finds the end (so a reader that did not
    /// keep the failure would take the input as ended).
    struct FailingSource: ByteSource {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "cannot read on" }
        }
        var bytes: MemorySource
        var failed = false

        init(_ input: [UInt8], failAt: Int, readSize: Int) {
            bytes = MemorySource(input[..<failAt])
            bytes.maxChunk = readSize
        }

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let count = try bytes.read(into: buffer)
            if count == 0 && !failed {
                failed = true
                throw Failure()
            }
            return count
        }
    }

    /// What a reader hands on before the source fails, and what it throws then.
    static func untilFailure(_ read: (_ onRow: (UnsafeBufferPointer<UInt8>, RowInfo) -> Void, _ onError: (StreamError) -> Void) throws -> Bool) -> ([String], String) {
        var items: [String] = []
        do {
            while try read({ row, _ in items.append("row " + String(decoding: row, as: UTF8.self)) }, { items.append("error \($0.description)") }) {}
            return (items, "no failure")
        } catch {
            return (items, "\(error)")
        }
    }

    /// A source that fails part-way (which segments read ahead meet first): everything before the
    /// failure is handed on as one reader hands it on, then the failure is thrown, at every point.
    @Test(arguments: ["events, one per line", "a pretty-printed event among lines", "a line longer than any segment"])
    func aFailingSourceHandsOnWhatOneReaderReadBeforeTheFailure(_ name: String) throws {
        let input = Array(Self.inputs.first { $0.0 == name }!.1.utf8)
        for failAt in stride(from: 0, to: input.count, by: max(1, input.count / 23)) {
            for readSize in [Int.max, 13] {
                var one = ChangeStreamReader(options: NormalizeOptions(ingestTime: 7))
                var oneSource = FailingSource(input, failAt: failAt, readSize: readSize)
                let expected = Self.untilFailure { try one.readMore(&oneSource, onRow: $0, onError: $1) }
                #expect(expected.1 == "cannot read on")
                for (threads, segmentBytes) in [(2, 97), (3, 700), (2, 1)] {
                    var reader = ParallelReader(options: NormalizeOptions(ingestTime: 7), threads: threads, segmentBytes: segmentBytes, maxSegmentBytes: 2_048)
                    reader.start()
                    var source = FailingSource(input, failAt: failAt, readSize: readSize)
                    let handed = Self.untilFailure { try reader.readMore(&source, onRow: $0, onError: $1) }
                    #expect(handed == expected, "failing at \(failAt), reads of \(readSize), \(threads) threads, segments of \(segmentBytes)")
                }
            }
        }
    }

    @Test func oneThreadReadsSequentially() throws {
        var reader = ParallelReader(options: NormalizeOptions(ingestTime: 7), threads: 1)
        reader.start()
        #expect(!reader.isParallel)
        var parallel = ParallelReader(options: NormalizeOptions(ingestTime: 7), threads: 2)
        parallel.start(readAhead: false)
        #expect(!parallel.isParallel, "an input that may not be read ahead (a pipe, a stream) is read sequentially")
    }
}
