import NDJSONBuffer
import S3Sink
import StreamNormalize
import Synchronization
import Testing
import Timekeeping

@testable import Pipeline

/// A sink that keeps objects in memory and fails the keys it is told to.
final class ScriptedSink: ObjectSink, Sendable {
    let objects = Mutex<[String: [UInt8]]>([:])
    let failing: @Sendable (String) -> Bool

    init(failing: @escaping @Sendable (String) -> Bool = { _ in false }) { self.failing = failing }

    func put(key: String, body: [UInt8]) async throws(SinkError) {
        if failing(key) { throw SinkError(.writeFailed, key: key, "injected failure") }
        objects.withLock { $0[key] = body }
    }

    var stored: [String: [UInt8]] { objects.withLock { $0 } }
}

/// Rows as they are: the tests read objects back without a decompressor.
struct PlainNDJSON: BatchEncoder {
    var suffix: String { ".ndjson" }
    func encode(rows: [UInt8], count: Int) -> EncodedObject { EncodedObject(bytes: rows) }
}

/// Bytes in chunks, with a pause (``SourceIdle``) after chosen chunks, as a quiet pipe gives them.
struct ChunkedBytes: ByteSource {
    var chunks: [[UInt8]]
    var pauses: Set<Int>
    var next = 0
    var paused = false

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pauses.contains(next), !paused {
            paused = true
            throw SourceIdle()
        }
        paused = false
        guard next < chunks.count else { return 0 }
        let chunk = chunks[next]
        precondition(chunk.count <= buffer.count)
        buffer.copyBytes(from: chunk)
        next += 1
        return chunk.count
    }
}

/// A source of scripted inputs; positions are SequenceNumbers; it records what it is told.
struct ScriptedSource: RecordSource {
    var inputs: [ChunkedBytes]
    var acknowledged: [String] = []

    mutating func nextInput(wait: ReadDeadline) -> SourceInput<ChunkedBytes>? {
        guard !inputs.isEmpty else { return nil }
        return SourceInput(name: "input-\(inputs.count)", bytes: inputs.removeFirst())
    }

    func position(of info: RowInfo, index: Int) -> String { info.sequenceNumberText }
    func positions(of error: StreamError, index: Int) -> [String] { error.sequenceNumbers }
    mutating func acknowledge(_ positions: [String]) { acknowledged += positions }
}

/// Records `{"eventID":…,"dynamodb":{…,"SequenceNumber":"<1000 + n>"}}`, in hour `hour(n)`.
func record(_ n: Int, hour: Int = 0, table: String? = nil, bad: Bool = false) -> String {
    let time = 1_767_225_600 + hour * 3600 + n
    let arn = table.map { #","eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/\#($0)/stream/x""# } ?? ""
    let value = bad ? #"{"N":"not a number"}"# : #"{"N":"\#(n)"}"#
    return #"{"eventID":"e\#(n)","eventName":"INSERT","eventSource":"aws:dynamodb"\#(arn),"dynamodb":{"ApproximateCreationDateTime":\#(time),"Keys":{"pk":{"S":"k\#(n)"}},"NewImage":{"pk":{"S":"k\#(n)"},"v":\#(value)},"SequenceNumber":"\#(1000 + n)"}}"#
}

/// The SequenceNumbers of the rows an NDJSON object holds (from `_seq`, whose sequence part is
/// zero-padded to 40 digits).
func sequences(inRows body: [UInt8]) -> [String] {
    String(decoding: body, as: UTF8.self).split(separator: "\n").map { line in
        let seq = line.split(separator: "\"_seq\":\"")[1].prefix { $0 != "\"" }
        let digits = seq.split(separator: "-")[1].drop { $0 == "0" }
        return String(digits)
    }
}

func settings(maxRecords: Int, maxAgeMillis: Int64 = 0, maxInFlight: Int = 2, stopOnFailure: Bool = false) -> EngineSettings {
    EngineSettings(
        limits: BatchLimits(maxRecords: maxRecords, maxBytes: 1 << 20, maxAgeMillis: maxAgeMillis, maxOpenPartitions: 4), prefix: "p",
        rows: NormalizeOptions(), encoder: PlainNDJSON(), maxInFlight: maxInFlight, stopReadingOnWriteFailure: stopOnFailure)
}

@Suite struct EngineTests {
    /// The engine's promise, over random inputs, batch sizes, concurrency and failure sets: the
    /// positions acknowledged to the source are exactly those of rows in durable objects (and of
    /// records set aside in a durable `_errors` object); every other record is reported unacknowledged.
    @Test func acknowledgedPositionsAreExactlyThoseInDurableObjects() async throws {
        var generator = SplitMix(seed: 20261129)
        for _ in 0..<1000 {
            let count = Int(generator.next() % 40)
            var lines: [String] = []
            var badOnes: Set<String> = []
            for n in 0..<count {
                let bad = generator.next() % 9 == 0
                if bad { badOnes.insert(String(1000 + n)) }
                lines.append(record(n, hour: Int(generator.next() % 3), table: generator.next() % 4 == 0 ? "other" : nil, bad: bad))
            }
            let failSeed = generator.next()
            let sink = ScriptedSink(failing: { key in
                var hasher = SplitMix(seed: failSeed ^ UInt64(truncatingIfNeeded: key.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
                return hasher.next() % 3 == 0
            })
            let engine = Engine(
                settings: settings(maxRecords: 1 + Int(generator.next() % 5), maxInFlight: 1 + Int(generator.next() % 3)), sink: sink)
            let event = Array(#"{"Records":["#.utf8) + Array(lines.joined(separator: ",").utf8) + Array("]}".utf8)
            var source = ScriptedSource(inputs: [ChunkedBytes(chunks: [event], pauses: [])])
            let report = await engine.run(&source)

            var durable: Set<String> = []
            for (key, body) in sink.stored where !key.contains("_errors/") { durable.formUnion(sequences(inRows: body)) }
            let errorsDurable = sink.stored.keys.contains { $0.contains("_errors/") }
            let expected = durable.union(errorsDurable ? badOnes : [])
            let all = Set((0..<count).map { String(1000 + $0) })
            #expect(Set(source.acknowledged) == expected)
            #expect(source.acknowledged.count == expected.count, "each position acknowledged once")
            #expect(Set(report.unacknowledged) == all.subtracting(expected))
            #expect(report.acknowledged == expected.count && report.records == count)
        }
    }

    /// A source that waits (a quiet pipe) gives the engine its turn: batches due by age are
    /// sealed when the source pauses, by the engine's clock, not only when the next row arrives.
    @Test(arguments: [(Set<Int>(), [3]), (Set([1]), [1, 2])])
    func anIdleSourceLetsTheEngineSealByAge(pauses: Set<Int>, sizes: [Int]) async throws {
        // The clock moves 600 ms each time it is read (each row, each pause); the age limit is 1 s.
        let sink = ScriptedSink()
        let clock = AdvancingClock(ManualClock(EpochMillis(seconds: 1_767_225_600)), byMillisPerRead: 600).clock
        let engine = Engine(settings: settings(maxRecords: 100, maxAgeMillis: 1000), sink: sink, clock: clock)
        let first = Array((record(0) + "\n" + record(1) + "\n").utf8)
        let second = Array((record(2) + "\n").utf8)
        var source = ScriptedSource(inputs: [ChunkedBytes(chunks: [first, second], pauses: pauses)])
        let report = await engine.run(&source)
        #expect(report.objects == sizes.count)
        #expect(sink.stored.values.map { sequences(inRows: $0).count }.sorted() == sizes)
    }

    /// A source that waits for its next input (a stream's shards) gets its records acknowledged
    /// by age while it waits: rows in a batch sealed by age, and a record set aside in an
    /// `_errors` object that ages like a batch (else a stream's checkpoint would stall behind it).
    @Test func aSourceWaitingForItsNextInputGetsRowsAndSetAsideRecordsAcknowledgedByAge() async throws {
        struct WaitingSource: RecordSource {
            var page: [UInt8]?
            var idles = 0
            var acknowledged: [String] = []
            var acknowledgedWhileWaiting: [String] = []

            mutating func nextInput(wait: ReadDeadline) async throws -> SourceInput<ChunkedBytes>? {
                if let page {
                    self.page = nil
                    return SourceInput(name: "page", bytes: ChunkedBytes(chunks: [page], pauses: []))
                }
                idles += 1
                if acknowledged.count == 2 || idles > 200 {
                    acknowledgedWhileWaiting = acknowledged
                    return nil
                }
                // Waiting, as a stream's source does: the writes run meanwhile.
                try await Task.sleep(for: .milliseconds(5))
                throw SourceIdle()
            }

            func position(of info: RowInfo, index: Int) -> String { info.sequenceNumberText }
            func positions(of error: StreamError, index: Int) -> [String] { error.sequenceNumbers }
            mutating func acknowledge(_ positions: [String]) { acknowledged += positions }
        }
        let sink = ScriptedSink()
        let clock = AdvancingClock(ManualClock(EpochMillis(seconds: 1_767_225_600)), byMillisPerRead: 600).clock
        let engine = Engine(settings: settings(maxRecords: 100, maxAgeMillis: 1000), sink: sink, clock: clock)
        let page = Array(#"{"Records":["#.utf8) + Array((record(0) + "," + record(1, bad: true)).utf8) + Array("]}".utf8)
        var source = WaitingSource(page: page)
        let report = await engine.run(&source)
        #expect(Set(source.acknowledgedWhileWaiting) == ["1000", "1001"])
        #expect(report.setAside == 1 && report.errorObjects == 1 && report.objects == 1)
        #expect(sink.stored.keys.contains { $0.contains("/_errors/") })
    }

    /// Reading stops at the first object that cannot be written when told to (a run over files):
    /// what was not read is not claimed.
    @Test func readingStopsAtAFailedObjectWhenAsked() async throws {
        let lines = (0..<50).map { record($0) + "\n" }
        let chunks = lines.map { Array($0.utf8) }
        let sink = ScriptedSink(failing: { _ in true })
        let engine = Engine(settings: settings(maxRecords: 2, maxInFlight: 1, stopOnFailure: true), sink: sink)
        var source = ScriptedSource(inputs: [ChunkedBytes(chunks: chunks, pauses: [])])
        let report = await engine.run(&source)
        #expect(!report.notWritten.isEmpty)
        #expect(report.stoppedEarly && report.records < 50)
    }
}

/// Counts the puts running at once.
final class CountingSink: ObjectSink, Sendable {
    let state = Mutex<(now: Int, most: Int, puts: Int)>((0, 0, 0))

    func put(key: String, body: [UInt8]) async throws(SinkError) {
        state.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.puts += 1 }
        try? await Task.sleep(for: .milliseconds(2))
        state.withLock { $0.now -= 1 }
    }
}

@Suite struct EngineBoundsTests {
    /// Memory stays bounded by the batch limits: never more than `maxInFlight` objects at once,
    /// however many batches the input makes.
    @Test(arguments: [1, 3])
    func objectsInFlightNeverPassTheBound(maxInFlight: Int) async throws {
        let sink = CountingSink()
        let engine = Engine(settings: settings(maxRecords: 1, maxInFlight: maxInFlight), sink: sink)
        let chunks = (0..<40).map { Array((record($0) + "\n").utf8) }
        var source = ScriptedSource(inputs: [ChunkedBytes(chunks: chunks, pauses: [])])
        let report = await engine.run(&source)
        let (_, most, puts) = sink.state.withLock { $0 }
        #expect(report.objects == 40 && puts == 40)
        #expect(most <= maxInFlight)
    }
}

/// Races a wall-clock deadline: run on its own by scripts/test.sh (see LambdaDeadlineTests).
@Suite struct EngineDeadlineTests {
    /// Objects not durable by the deadline count as not written; their positions are not acknowledged.
    @Test func theDeadlineBoundsTheWait() async throws {
        let sink = StallingSink()
        let engine = Engine(settings: settings(maxRecords: 1, maxInFlight: 4), sink: sink)
        let event = Array(#"{"Records":["#.utf8) + Array([record(0), record(1, hour: 1)].joined(separator: ",").utf8) + Array("]}".utf8)
        var source = ScriptedSource(inputs: [ChunkedBytes(chunks: [event], pauses: [])])
        let report = await engine.run(&source, deadline: EpochClock.system.now().adding(millis: 300))
        #expect(source.acknowledged == ["1000"])
        #expect(report.unacknowledged == ["1001"])
        #expect(report.notWritten.map(\.message) == ["not durable before the invocation's deadline"])
    }
}

/// Stalls writes to hour 01 until cancelled.
final class StallingSink: ObjectSink, Sendable {
    func put(key: String, body: [UInt8]) async throws(SinkError) {
        if key.contains("HH=01") {
            try? await Task.sleep(for: .seconds(30))
            throw SinkError(.writeFailed, key: key, "cancelled")
        }
    }
}

/// A clock that moves on each time it is read after a pause: stands in for time passing while a
/// pipe is quiet.
struct AdvancingClock {
    let base: ManualClock
    let step: Int64
    init(_ base: ManualClock, byMillisPerRead step: Int64) {
        self.base = base
        self.step = step
    }
    var clock: EpochClock {
        EpochClock { [base, step] in
            base.advance(millis: step)
            return base.now
        }
    }
}

/// A small, fast, seedable generator (SplitMix64), so failures replay.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
