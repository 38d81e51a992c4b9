package import ProcessKit
package import NDJSONBuffer
package import S3Sink
package import StreamNormalize
package import Timekeeping
import Synchronization

/// What the engine is told once for a run.
package struct EngineSettings: Sendable {
    /// When a batch becomes an object.
    package var limits: BatchLimits
    /// Key prefix, checked (``ObjectPrefix``).
    package var prefix: String
    /// What puts a row in its `dt=`/`HH=` partition.
    package var partitionBy: PartitionTime
    /// How rows become records.
    package var rows: NormalizeOptions
    /// How a batch becomes an object's bytes.
    package var encoder: any BatchEncoder
    /// Objects being encoded and written at once; one more waits for one of them to finish.
    package var maxInFlight: Int
    /// Bytes of `_errors` lines held before they are written as an object.
    package var maxErrorBytes: Int
    /// Whether reading stops once an object could not be written (a run over files: going on
    /// would only pile up more objects that cannot be written); a Lambda event is read to its end,
    /// so that every record's position is known.
    package var stopReadingOnWriteFailure: Bool
    /// Threads that turn records into rows, for inputs that may be read ahead (``SourceInput/readsAhead``).
    package var parseThreads: Int

    package init(
        limits: BatchLimits, prefix: String, partitionBy: PartitionTime = .eventTime, rows: NormalizeOptions,
        encoder: any BatchEncoder, maxInFlight: Int = 2, maxErrorBytes: Int? = nil, stopReadingOnWriteFailure: Bool = true,
        parseThreads: Int = 1
    ) {
        self.limits = limits
        self.prefix = prefix
        self.partitionBy = partitionBy
        self.rows = rows
        self.encoder = encoder
        self.maxInFlight = max(1, maxInFlight)
        self.maxErrorBytes = maxErrorBytes ?? limits.maxBytes
        self.stopReadingOnWriteFailure = stopReadingOnWriteFailure
        self.parseThreads = max(1, parseThreads)
    }
}

/// The engine: records from a source become rows, rows become batches, batches become objects in
/// a sink, and durable objects hand their records' positions back to the source.
///
/// One path for every source: files and standard input (`ddbcdc run`), a Lambda event, and the
/// coming stream and export sources. Reading happens in the calling task; each sealed batch is
/// encoded and written by a child task of one task group, at most ``EngineSettings/maxInFlight``
/// at a time (reading waits for a slot), so memory stays bounded by the batch limits. The engine
/// owns time: its clock stamps batches, and the age deadline of the open batches bounds how long a
/// source's read may wait (``ReadDeadline``) — a quiet pipe, a slow shard or an invocation's
/// deadline all flush the same way.
package struct Engine: Sendable {
    package let settings: EngineSettings
    package let sink: any ObjectSink
    package let clock: EpochClock

    package init(settings: EngineSettings, sink: any ObjectSink, clock: EpochClock = .system) {
        self.settings = settings
        self.sink = sink
        self.clock = clock
    }

    /// Reads every input of `source` and writes its objects.
    /// - Parameters:
    ///   - deadline: when the caller must answer (a Lambda invocation's deadline less a margin):
    ///     objects not durable by then count as not written, and their positions as not acknowledged.
    ///   - stop: when requested, reading ends as if the input ended; what was read is still written.
    ///   - progress: told the counts now and then while reading (about every 1,024 rows).
    /// - Returns: what was read, written, set aside and acknowledged.
    package func run<Source: RecordSource>(
        _ source: inout Source, deadline: EpochMillis? = nil, stop: StopRequest? = nil,
        progress: ((EngineReport<Source.Position>) -> Void)? = nil
    ) async -> EngineReport<Source.Position> {
        await read(&source, deadline: deadline, stop: stop, progress: progress)
    }

    /// ``run(_:deadline:stop:progress:)`` for files and standard input, specialized in this module
    /// (the generic one, called from another module, would add a generic-metadata lookup to every row).
    package func run(
        _ source: inout FileRecords, deadline: EpochMillis? = nil, stop: StopRequest? = nil,
        progress: ((EngineReport<FilePosition>) -> Void)? = nil
    ) async -> EngineReport<FilePosition> {
        await read(&source, deadline: deadline, stop: stop, progress: progress)
    }

    /// ``run(_:deadline:stop:progress:)`` for a Lambda event, specialized in this module.
    package func run(
        _ source: inout LambdaEventSource, deadline: EpochMillis? = nil, stop: StopRequest? = nil,
        progress: ((EngineReport<String>) -> Void)? = nil
    ) async -> EngineReport<String> {
        await read(&source, deadline: deadline, stop: stop, progress: progress)
    }

    /// ``run(_:deadline:stop:progress:)`` for an export's data files, specialized in this module.
    package func run(
        _ source: inout ExportRecords, deadline: EpochMillis? = nil, stop: StopRequest? = nil,
        progress: ((EngineReport<ExportLinePosition>) -> Void)? = nil
    ) async -> EngineReport<ExportLinePosition> {
        await read(&source, deadline: deadline, stop: stop, progress: progress)
    }

    /// How soon a source waiting for its next input is asked again while objects are being written.
    static let acknowledgmentPollMillis: Int64 = 50

    /// Why an object that was not durable by the deadline counts as not written.
    static let lateMessage = "not durable before the invocation's deadline"

    private func read<Source: RecordSource>(
        _ source: inout Source, deadline: EpochMillis?, stop: StopRequest?, progress: ((EngineReport<Source.Position>) -> Void)?
    ) async -> EngineReport<Source.Position> {
        var state = RunState<Source.Position>(settings: settings)
        let wait = ReadDeadline(clock: clock)
        return await withTaskGroup(of: Completion<Source.Position>.self) { group in
            var outstanding: [Int: PendingObject<Source.Position>] = [:]
            var nextID = 0
            var deadlinePassed = false
            // Which objects' puts have returned, as soon as they return: read at the deadline.
            let durable = DurableObjects()
            if let deadline {
                group.addTask { [clock] in
                    // In steps of at most an hour: a deadline far away (none given) is not a Duration overflow.
                    while !Task.isCancelled, case let millis = deadline.millis(since: clock.now()), millis > 0 {
                        try? await Task.sleep(for: .milliseconds(min(millis, 3_600_000)))
                    }
                    return .deadline
                }
            }

            func collect(_ completion: Completion<Source.Position>) {
                switch completion {
                case .deadline:
                    guard !Task.isCancelled || deadline.map({ clock.now() >= $0 }) == true else { return }
                    deadlinePassed = true
                    group.cancelAll()
                    // Objects whose put returned but whose result is not collected yet are durable:
                    // they count as written. The rest count as not written, whatever comes later.
                    let finished = durable.ids.withLock { $0 }
                    for (id, object) in outstanding.sorted(by: { $0.key < $1.key }) {
                        if let encoded = finished[id] {
                            state.written(object, encoded)
                            source.acknowledge(object.positions)
                        } else {
                            state.failed(object, SinkError(.writeFailed, key: object.key, Self.lateMessage))
                        }
                    }
                    outstanding.removeAll()
                case .written(let id, let encoded):
                    durable.ids.withLock { _ = $0.removeValue(forKey: id) }
                    guard let object = outstanding.removeValue(forKey: id) else { return }
                    state.written(object, encoded)
                    source.acknowledge(object.positions)
                case .failed(let id, let error):
                    guard let object = outstanding.removeValue(forKey: id) else { return }
                    state.failed(object, error)
                }
            }

            func submit(_ object: PendingObject<Source.Position>) async {
                while outstanding.count >= settings.maxInFlight, let completion = await group.next() { collect(completion) }
                if deadlinePassed {
                    state.failed(object, SinkError(.writeFailed, key: object.key, Self.lateMessage))
                    return
                }
                let id = nextID
                nextID += 1
                outstanding[id] = object
                group.addTask { [sink, encoder = settings.encoder, durable, clock] in
                    if Task.isCancelled {
                        let why = deadline.map { clock.now() >= $0 } == true ? Self.lateMessage : "cancelled before it was written"
                        return .failed(id, SinkError(.writeFailed, key: object.key, why))
                    }
                    let encoded: EncodedObject
                    if object.isErrors {
                        encoded = EncodedObject(bytes: object.body)
                    } else {
                        do { encoded = try encoder.encode(rows: object.body, count: object.rows) } catch {
                            return .failed(id, SinkError(.writeFailed, key: object.key, "cannot encode: \(error)"))
                        }
                    }
                    do throws(SinkError) {
                        try await sink.put(key: object.key, body: encoded.bytes)
                        let written = WrittenObject(bytes: encoded.bytes.count, rescuedValues: encoded.rescuedValues)
                        durable.ids.withLock { $0[id] = written }
                        return .written(id, written)
                    } catch {
                        return .failed(id, error)
                    }
                }
            }

            /// Objects whose put has returned count as written now, without waiting for their
            /// task's result: a source that waits for its next input (a stream) learns at once
            /// which of its records are durable.
            func collectDurable() {
                let finished = durable.ids.withLock { ids in
                    let found = ids.filter { outstanding[$0.key] != nil }
                    for id in found.keys { ids.removeValue(forKey: id) }
                    return found
                }
                for (id, written) in finished.sorted(by: { $0.key < $1.key }) {
                    guard let object = outstanding.removeValue(forKey: id) else { continue }
                    state.written(object, written)
                    source.acknowledge(object.positions)
                }
            }

            func submitReady() async {
                for object in state.ready { await submit(object) }
                state.ready.removeAll()
            }

            // Read: input after input, chunk after chunk; between chunks, write what was sealed.
            var reader = ParallelReader(options: settings.rows, threads: settings.parseThreads)
            // Inputs opened after the one being read, their first segments being read on other threads.
            var ahead = InputsAhead<Source.Bytes>(options: settings.rows, threads: settings.parseThreads)
            defer { ahead.discard() }
            inputs: while !(stop?.isRequested ?? false) && !Task.isCancelled {
                if settings.stopReadingOnWriteFailure && !state.report.notWritten.isEmpty {
                    state.report.stoppedEarly = true
                    break
                }
                var opened: SourceInput<Source.Bytes>?
                if let next = ahead.next(replacing: &reader) {
                    switch next {
                    case .input(let input): opened = input
                    case .failed(let failure):
                        state.report.inputFailures.append(failure)
                        continue
                    }
                } else {
                    collectDurable()
                    wait.at = state.nextDeadline
                    if !outstanding.isEmpty {
                        // Objects still being written: a source that waits for its next input (a quiet
                        // stream) comes back soon, so their acknowledgments are not held until more input.
                        let soon = clock.now().adding(millis: Self.acknowledgmentPollMillis)
                        wait.at = min(wait.at ?? soon, soon)
                    }
                    do { opened = try await source.nextInput(wait: wait) } catch is SourceIdle {
                        // A source that waits for its next input (a stream's shards) gave up at the
                        // open batches' age deadline: seal what is due, write it, and ask again.
                        state.sealDue(now: clock.now())
                        await submitReady()
                        continue
                    } catch {
                        state.report.inputFailures.append(InputFailure(opening: error))
                        continue
                    }
                    if let opened { reader.start(recordNamePrefix: opened.recordNamePrefix, readAhead: opened.readsAhead) }
                }
                guard var input = opened else { break }
                defer { input.close() }
                source.readingNextInput()
                var index = 0
                defer { state.report.bytesRead += reader.summary.bytesIn }
                while true {
                    wait.at = state.nextDeadline
                    do {
                        let more = try reader.readMore(
                            &input.bytes,
                            onRow: { row, info in
                                state.add(row, info, position: source.position(of: info, index: index), now: clock.now())
                                index += 1
                                // Rows parsed before the source's next read may have opened a batch.
                                wait.at = state.nextDeadline
                            },
                            onError: { error in
                                state.setAside(error, input: input.name, positions: source.positions(of: error, index: index), now: clock.now())
                                index += error.recordCount
                            })
                        if !more { break }
                    } catch is SourceIdle {
                        state.sealDue(now: clock.now())
                    } catch {
                        state.report.inputFailures.append(InputFailure(name: input.name, message: "\(error)"))
                        break
                    }
                    await submitReady()
                    // Once every byte of this input is in segments, open the next inputs and give
                    // the workers their first segments (files: their opening never waits).
                    if source.opensInputsAhead && input.readsAhead {
                        while ahead.readAhead(after: reader), !(stop?.isRequested ?? false) {
                            do { ahead.add(try await source.nextInput(wait: wait)) } catch {
                                ahead.add(failure: InputFailure(opening: error))
                            }
                        }
                    }
                    if let progress, state.report.rows >= state.nextProgress {
                        state.nextProgress = state.report.rows + 1024
                        progress(state.report)
                    }
                    if settings.stopReadingOnWriteFailure && !state.report.notWritten.isEmpty {
                        state.report.stoppedEarly = true
                        break inputs
                    }
                    // Cancelled: read no more. The writes of what was read run as cancelled child
                    // tasks, so they fail and are reported as not written.
                    if Task.isCancelled {
                        state.report.stoppedEarly = true
                        break inputs
                    }
                }
                if let stop, stop.isRequested, state.report.interruptedAt == nil {
                    state.report.interruptedAt = Interruption(input: input.name ?? "<stdin>", bytesRead: reader.summary.bytesIn)
                }
            }
            // The end: seal what is open, write the errors, wait for every object.
            state.sealAll()
            state.flushErrors()
            await submitReady()
            while !outstanding.isEmpty, let completion = await group.next() { collect(completion) }
            group.cancelAll()  // the deadline timer, if any
            return state.report
        }
    }
}

/// What the engine did in one run.
package struct EngineReport<Position: Sendable>: Sendable {
    package init() {}
    /// Records read, good and bad.
    package var records = 0
    /// Rows made.
    package var rows = 0
    /// Pieces of input set aside in `_errors`.
    package var setAside = 0
    /// Bytes read (after decompression).
    package var bytesRead = 0
    /// Objects of rows made durable, and the rows in them.
    package var objects = 0
    package var rowsWritten = 0
    /// Bytes before and after encoding, of every durable object (`_errors` objects included).
    package var bytesIn = 0
    package var bytesOut = 0
    /// `_errors` objects made durable.
    package var errorObjects = 0
    /// Values of durable rows that did not fit their declared column and were kept in the rows'
    /// rescued-data column instead (Parquet's typed layout).
    package var rescuedValues = 0
    /// Positions acknowledged to the source (durable as rows or in `_errors`).
    package var acknowledged = 0
    /// Objects not made durable, and why.
    package var notWritten: [SinkError] = []
    /// Positions of records that are not durable: in objects not written, or in pieces of input
    /// that held several records together (set aside, but never read as records).
    package var unacknowledged: [Position] = []
    /// Why input that names no record was lost: set aside, but its `_errors` object was not written.
    package var lostUnnamedInput: String?
    /// Inputs that could not be opened or read to their end.
    package var inputFailures: [InputFailure] = []
    /// Whether reading stopped at an object that could not be written, before the inputs' end.
    package var stoppedEarly = false
    /// The input being read when stop was requested, and how many of its bytes were read.
    package var interruptedAt: Interruption?
    /// The earliest change time of any row, epoch ms.
    package var oldestChange: Int64?
}

/// An input that could not be read, by name, and why.
package struct InputFailure: Sendable {
    package var name: String?
    package var message: String
}

extension InputFailure {
    /// What a source threw when asked for its next input.
    init(opening error: any Error) {
        self.init(name: (error as? InputError)?.name, message: "\(error)")
    }
}

/// Where reading was when a stop was requested.
package struct Interruption: Sendable {
    package var input: String
    package var bytesRead: Int
}

/// A batch (or `_errors` lines) on its way to the sink, with its records' positions.
struct PendingObject<Position: Sendable>: Sendable {
    var key: String
    var body: [UInt8]
    var rows: Int
    var positions: [Position]
    var isErrors: Bool
    /// Whether it holds input that names no record (lost for good if not written).
    var holdsUnnamedInput = false
}

/// The objects whose put has returned (by id, with what encoding them gave), written by the writing
/// tasks the moment they return.
final class DurableObjects: Sendable {
    let ids = Mutex<[Int: WrittenObject]>([:])
}

/// What a durable object adds to the report besides its rows.
struct WrittenObject: Sendable {
    /// Its size.
    var bytes: Int
    /// Values set aside in its rows' rescued-data column.
    var rescuedValues: Int
}

enum Completion<Position: Sendable>: Sendable {
    case written(Int, WrittenObject)
    case failed(Int, SinkError)
    case deadline
}

/// The reading side's state: the batcher, the `_errors` lines, the counts.
struct RunState<Position: Sendable> {
    let settings: EngineSettings
    var batcher: Batcher<Position>
    var report = EngineReport<Position>()
    var ready: [PendingObject<Position>] = []
    var errors: [UInt8] = []
    var errorPositions: [Position] = []
    var errorsHoldUnnamedInput = false
    /// When the first of the `_errors` lines held was set aside.
    var errorsSince: EpochMillis?
    var nextProgress = 1024

    init(settings: EngineSettings) {
        self.settings = settings
        batcher = Batcher(limits: settings.limits, prefix: settings.prefix, suffix: settings.encoder.suffix, positions: Position.self)
    }

    mutating func add(_ row: UnsafeBufferPointer<UInt8>, _ info: RowInfo, position: Position, now: EpochMillis) {
        let partition = Partition(epochMillis: settings.partitionBy == .eventTime ? info.changeTime : now.rawValue)
        report.records += 1
        report.rows += 1
        report.oldestChange = min(report.oldestChange ?? info.changeTime, info.changeTime)
        var ready: [PendingObject<Position>] = []
        swap(&ready, &self.ready)  // moved out and back: the closure may not touch self while the batcher changes
        batcher.add(row: row, info: info, position: position, partition: partition, now: now) { ready.append(Self.pending($0)) }
        swap(&ready, &self.ready)
    }

    mutating func sealDue(now: EpochMillis) {
        var ready: [PendingObject<Position>] = []
        swap(&ready, &self.ready)
        batcher.sealDue(now: now) { ready.append(Self.pending($0)) }
        swap(&ready, &self.ready)
        if let due = errorsDeadline, now >= due { flushErrors() }
    }

    /// When the first `_errors` line held is as old as a batch may be: `_errors` lines age like
    /// rows, so that a set-aside record of a stream that never ends is acknowledged (and its
    /// shard's checkpoint moves past it) within the same time.
    var errorsDeadline: EpochMillis? {
        guard let since = errorsSince, settings.limits.maxAgeMillis > 0 else { return nil }
        return since.adding(millis: settings.limits.maxAgeMillis)
    }

    /// The next moment something must be sealed: a batch's or the `_errors` lines' age deadline.
    var nextDeadline: EpochMillis? {
        switch (batcher.nextDeadline, errorsDeadline) {
        case (let batch?, let errors?): min(batch, errors)
        case (let batch, let errors): batch ?? errors
        }
    }

    mutating func sealAll() {
        var ready: [PendingObject<Position>] = []
        swap(&ready, &self.ready)
        batcher.sealAll { ready.append(Self.pending($0)) }
        swap(&ready, &self.ready)
    }

    static func pending(_ batch: SealedBatch<Position>) -> PendingObject<Position> {
        PendingObject(key: batch.key, body: batch.rows, rows: batch.count, positions: batch.positions, isErrors: false)
    }

    mutating func setAside(_ error: StreamError, input: String?, positions: [Position], now: EpochMillis) {
        if errors.isEmpty { errorsSince = now }
        report.setAside += 1
        report.records += error.recordCount
        errors.append(contentsOf: error.jsonLine(input: input))
        if error.recordCount > 1 {
            // Several records held together by unreadable input: kept in _errors, but never read
            // as records, so never acknowledged (a Lambda invocation reports them as failures).
            report.unacknowledged += positions
        } else {
            errorPositions += positions
        }
        if !error.isIdentified || error.recordCount == 0 { errorsHoldUnnamedInput = true }
        if errors.count >= settings.maxErrorBytes { flushErrors() }
    }

    mutating func flushErrors() {
        guard !errors.isEmpty else { return }
        ready.append(
            PendingObject(
                key: batcher.errorsKey(for: errors), body: errors, rows: 0, positions: errorPositions, isErrors: true,
                holdsUnnamedInput: errorsHoldUnnamedInput))
        errors.removeAll()
        errorsSince = nil
        errorPositions.removeAll()
        errorsHoldUnnamedInput = false
    }

    mutating func written(_ object: PendingObject<Position>, _ written: WrittenObject) {
        if object.isErrors { report.errorObjects += 1 } else { report.objects += 1 }
        report.rowsWritten += object.rows
        report.bytesIn += object.body.count
        report.bytesOut += written.bytes
        report.rescuedValues += written.rescuedValues
        report.acknowledged += object.positions.count
    }

    mutating func failed(_ object: PendingObject<Position>, _ error: SinkError) {
        report.notWritten.append(error)
        report.unacknowledged += object.positions
        if object.holdsUnnamedInput { report.lostUnnamedInput = "\(error)" }
    }
}
