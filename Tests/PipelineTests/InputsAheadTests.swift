import NDJSONBuffer
import StreamNormalize
import Testing

@testable import Pipeline

/// The engine opens files ahead and reads them on several threads (``InputsAhead``): what it
/// writes, acknowledges and reports is what it does reading one input after another.
@Suite struct InputsAheadTests {
    /// One input of a scripted directory.
    enum Input {
        case bytes(String)
        /// Cannot be opened.
        case unopenable
        /// Its bytes up to a point, then a read failure.
        case failing(String, at: Int)
    }

    /// Bytes, or a failure after them (once: a later read finds the end).
    struct InputBytes: ByteSource {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "the disk is gone" }
        }
        var bytes: MemorySource
        var fails: Bool

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let count = try bytes.read(into: buffer)
            if count == 0 && fails {
                fails = false
                throw Failure()
            }
            return count
        }
    }

    /// A source of scripted inputs that lets the engine open them ahead, as files do; positions
    /// are (input, record); it records how far ahead it was asked for inputs.
    struct DirectorySource: RecordSource {
        var inputs: [Input]
        var next = 0
        var opened: [Int] = []
        var reading = -1
        var acknowledged: [FilePosition] = []
        /// The most inputs given out and not read yet when the engine asked for another.
        var mostAhead = 0

        var opensInputsAhead: Bool { true }

        mutating func nextInput(wait: ReadDeadline) throws -> SourceInput<InputBytes>? {
            guard next < inputs.count else { return nil }
            mostAhead = max(mostAhead, opened.count)
            next += 1
            let bytes: InputBytes
            switch inputs[next - 1] {
            case .unopenable: throw InputError(name: "input-\(next - 1)", message: "no such file")
            case .bytes(let text): bytes = InputBytes(bytes: MemorySource(text.utf8), fails: false)
            case .failing(let text, let at): bytes = InputBytes(bytes: MemorySource(text.utf8.prefix(at)), fails: true)
            }
            opened.append(next - 1)
            return SourceInput(name: "input-\(next - 1)", bytes: bytes, readsAhead: true)
        }

        mutating func readingNextInput() { reading = opened.removeFirst() }
        func position(of info: RowInfo, index: Int) -> FilePosition { FilePosition(input: reading, record: index) }
        func positions(of error: StreamError, index: Int) -> [FilePosition] {
            (0..<error.recordCount).map { FilePosition(input: reading, record: index + $0) }
        }
        mutating func acknowledge(_ positions: [FilePosition]) { acknowledged += positions }
    }

    /// Lines of records, some at fault.
    static func lines(_ count: Int, from first: Int) -> String {
        (first..<first + count).map { record($0, hour: $0 % 2, bad: $0 % 11 == 5) + "\n" }.joined()
    }

    /// A directory of small inputs, besides a few that cannot be opened, fail part-way, are empty,
    /// hold a pretty-printed event or end inside an event, and one of several segments.
    static func directory(seed: UInt64) -> [Input] {
        var generator = SplitMix(seed: seed)
        var inputs: [Input] = []
        var first = 0
        for n in 0..<40 {
            let count = Int(generator.next() % 30)
            let text = lines(count, from: first)
            first += count
            // Every kind in every directory, in an order of the seed's; a read failure and then
            // an input that cannot be opened (reported in that order).
            switch n == 17 ? -1 : n == 30 ? 1 : n == 31 ? 0 : (n &* 7 &+ Int(seed)) % 10 {
            case -1: inputs.append(.bytes(lines(4_000, from: 100_000)))
            case 0: inputs.append(.unopenable)
            case 1: inputs.append(.failing(text, at: Int(generator.next() % UInt64(text.utf8.count + 1))))
            case 2: inputs.append(.bytes(""))
            case 3: inputs.append(.bytes(#"{"Records": [\#n"# + (0..<3).map { record(first + $0) }.joined(separator: ",\n") + "\n]}\n"))
            case 4: inputs.append(.bytes(String(text.dropLast(min(text.count, 30)))))
            default: inputs.append(.bytes(text))
            }
            first += 3
        }
        return inputs
    }

    struct Outcome: Equatable {
        var objects: [String: [UInt8]]
        var acknowledged: [FilePosition]
        var unacknowledged: [FilePosition]
        var failures: [String]
        var counts: [Int]
    }

    static func run(_ inputs: [Input], threads: Int) async -> (Outcome, mostAhead: Int) {
        let sink = ScriptedSink()
        var settings = settings(maxRecords: 50)
        settings.parseThreads = threads
        let engine = Engine(settings: settings, sink: sink)
        var source = DirectorySource(inputs: inputs)
        let report = await engine.run(&source)
        let order: (FilePosition, FilePosition) -> Bool = { ($0.input, $0.record) < ($1.input, $1.record) }
        let outcome = Outcome(
            objects: sink.stored, acknowledged: source.acknowledged.sorted(by: order), unacknowledged: report.unacknowledged.sorted(by: order),
            failures: report.inputFailures.map { "\($0.name ?? "-"): \($0.message)" },
            counts: [report.records, report.rows, report.setAside, report.bytesRead, report.objects, report.errorObjects, report.acknowledged])
        return (outcome, source.mostAhead)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func theEngineWritesReportsAndAcknowledgesTheSameWithInputsOpenedAhead(seed: UInt64) async {
        let inputs = Self.directory(seed: seed)
        let (expected, notAhead) = await Self.run(inputs, threads: 1)
        #expect(notAhead == 0, "one thread: an input is asked for once the one before is read")
        #expect(expected.failures.contains { $0.contains("no such file") } && expected.failures.contains { $0.contains("the disk is gone") })
        #expect(expected.counts[2] > 0 && expected.objects.count > 10)
        for threads in [2, 3] {
            let (outcome, ahead) = await Self.run(inputs, threads: threads)
            #expect(outcome == expected, "\(threads) threads")
            #expect(ahead >= 2, "\(threads) threads: inputs were opened ahead (at most \(ahead) at once)")
        }
    }
}
