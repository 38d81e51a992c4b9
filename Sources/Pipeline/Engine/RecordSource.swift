package import StreamNormalize
package import Timekeeping

/// Where the engine reads records from: files or standard input, a Lambda event, an export's
/// data files, and (coming) a stream's shards.
///
/// A source hands out *inputs* (a file, an event) one after another; the engine reads each into
/// rows. Every record has a *position* the source understands (a file and record number, a
/// SequenceNumber, a shard and SequenceNumber, an export file and line). Rows carry their
/// positions into batches, and when a batch's object is durable the engine hands its positions
/// back through ``acknowledge(_:)``: that is how a source learns what it may forget (a Lambda
/// invocation's partial batch response, a stream checkpoint, a backfill's resume file). Nothing
/// else keeps track of what is in a batch.
package protocol RecordSource {
    /// Where a record came from, as this source names it.
    associatedtype Position: Sendable
    /// The bytes of one input.
    associatedtype Bytes: ByteSource

    /// The next input, or `nil` when there are no more.
    /// - Parameter wait: how long a read may wait for bytes (the engine's age deadline); a source
    ///   whose reads can wait (a pipe, a socket) throws ``SourceIdle`` from `read` once it passes,
    ///   and a source that waits for its next input (a stream's shards) from here.
    /// - Throws: when the input cannot be opened; the engine reports it and asks for the next.
    mutating func nextInput(wait: ReadDeadline) async throws -> SourceInput<Bytes>?

    /// The position of a record read from the current input.
    /// - Parameters:
    ///   - info: the record's row.
    ///   - index: the record's number in the current input, from 0.
    func position(of info: RowInfo, index: Int) -> Position

    /// The positions of the records a piece of input set aside holds (none when it names none).
    func positions(of error: StreamError, index: Int) -> [Position]

    /// These records are durable now (as rows in objects, or raw in `_errors`).
    mutating func acknowledge(_ positions: [Position])

    /// Whether the engine may ask for the next input before it has handed on every record of the
    /// inputs before (to read it on other threads meanwhile): `false` unless a source says so.
    /// Such a source learns from ``readingNextInput()`` whose records come next.
    var opensInputsAhead: Bool { get }

    /// The engine starts handing on the records of the next input it was given: the input
    /// ``position(of:index:)`` and ``positions(of:index:)`` speak of from now on.
    mutating func readingNextInput()
}

extension RecordSource {
    package mutating func acknowledge(_ positions: [Position]) {}
    package var opensInputsAhead: Bool { false }
    package mutating func readingNextInput() {}
}

/// One input of a source: its bytes and the name `_errors` lines give it.
package struct SourceInput<Bytes: ByteSource> {
    /// The input's name (a path), or `nil` where records name themselves.
    package var name: String?
    /// Its bytes.
    package var bytes: Bytes
    /// Called once the engine is done with the input.
    package var close: () -> Void
    /// For records that do not name themselves (export lines), what their `_eventId` starts
    /// with; their number in the input follows.
    package var recordNamePrefix: String?
    /// Whether its bytes may be read ahead of its rows, on several threads (a regular file: its
    /// reads never wait for input, so no batch waits for its age deadline on them).
    package var readsAhead: Bool

    package init(name: String?, bytes: Bytes, recordNamePrefix: String? = nil, readsAhead: Bool = false, close: @escaping () -> Void = {}) {
        self.name = name
        self.bytes = bytes
        self.recordNamePrefix = recordNamePrefix
        self.readsAhead = readsAhead
        self.close = close
    }
}

/// Thrown by a byte source whose read waited until ``ReadDeadline/at`` without any input: the
/// engine seals the batches that are due and reads on. The reader keeps its place.
package struct SourceIdle: Error {
    package init() {}
}

/// How long a source's read may wait: set by the engine before each read (the next age deadline
/// of its open batches), read by sources that can wait. The engine's timer without a callback:
/// the source returns, the engine acts.
package final class ReadDeadline {
    /// The moment a waiting read gives up with ``SourceIdle``; `nil`: wait as long as it takes.
    package var at: EpochMillis?
    /// The clock `at` is on.
    package let clock: EpochClock

    package init(clock: EpochClock) { self.clock = clock }

    /// Milliseconds left before `at` (0 once passed), or `nil` without a deadline.
    package var millisLeft: Int64? { at.map { max(0, $0.millis(since: clock.now())) } }
}
