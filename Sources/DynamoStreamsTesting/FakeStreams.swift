public import AWSCore
public import DynamoStreams
import Synchronization

/// An in-process DynamoDB Streams for the poller's tests and benchmark: one table, its stream,
/// shards in lineages several levels deep, and the service's awkward behaviours on demand.
///
/// ## What it models
/// - **The stream**: an ARN labelled with the fake clock
///   (`arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-11-30T00:00:00.000`), the
///   table's `LatestStreamArn` while enabled, ``disable()`` (every call on the stream then answers
///   ResourceNotFoundException, and DescribeTable no `LatestStreamArn`) and ``recreate(roots:)``
///   (a new ARN; the old one is not found).
/// - **Shards**: IDs in the service's shape that sort in creation order, a parent, a
///   `StartingSequenceNumber`, and once closed an `EndingSequenceNumber` above the last record's.
///   ``split(_:into:)`` closes a shard and opens its children; ``close(_:)`` closes one without
///   children. SequenceNumbers are 22-digit decimal strings (by default), strictly increasing
///   within a shard and from a parent to its children, with gaps.
/// - **Records**: whole GetRecords records (`eventID`, `eventName`, `eventVersion`,
///   `eventSource`, `awsRegion`, `dynamodb` with `ApproximateCreationDateTime` in epoch seconds,
///   `Keys`, the images the view type keeps, `SequenceNumber`, `SizeBytes`, `StreamViewType`).
/// - **DescribeStream**: pages of ``Configuration/describePageSize`` shards with
///   `LastEvaluatedShardId` on every page but the last (optionally also on an exactly full last
///   page), `ExclusiveStartShardId`, the `CHILD_SHARDS` filter, and optionally a parent listed
///   without its `EndingSequenceNumber` for a while after its children appear.
/// - **GetShardIterator**: TRIM_HORIZON, LATEST, AT_ and AFTER_SEQUENCE_NUMBER (a number outside
///   the shard's range is a ValidationException); opaque iterators that expire after
///   ``Configuration/iteratorLifetimeMillis`` of the fake clock.
/// - **GetRecords**: at most `limit` records (1…1000, else ValidationException) and
///   ``Configuration/maxPageBytes``; empty pages before a shard's first data; empty pages at an
///   open shard's end; no `NextShardIterator` only when a closed shard is read to its end; the
///   body a real `{"Records":[…],"NextShardIterator":"…"}` document.
/// - **Trimming**: ``trim(before:)`` removes older records; an iterator at or after a trimmed
///   record, or reading into one, answers TrimmedDataAccessException; a closed shard wholly older
///   than the point leaves the listing.
/// - **Faults** by schedule (``FaultPolicy``): throttling (LimitExceededException, 400),
///   InternalServerError (500), ExpiredIteratorException (400) and unreadable answers
///   (`AWSError` `invalidResponse`), all `AWSError`s with the status and `serviceCode` the service
///   sends.
/// - **Observation**: a call log (``calls``), per-shard counters with the most concurrent
///   GetRecords on one shard, and ``lineageViolations``: GetRecords on a child while its parent,
///   still in the stream, was not yet read to its end.
///
/// ## What it does not model
/// - Time-based trimming and shard retention: trimming happens when a test calls
///   ``trim(before:)``, not after 24 hours; a closed shard leaves the listing only when trimmed.
/// - Splits the service decides on, and its timing: shards split when a test says so.
/// - A disabled stream that stays readable for 24 hours, as the service's does: here it is gone
///   at once.
/// - Authentication, request signing, HTTP, the 5-reads-per-second shard limit, the 1 MB/s and
///   2 MB/s throughput limits (throttling comes only from the fault policy), and `ENABLING` /
///   `DISABLING` states.
/// - Records whose items do not follow the table's history across lineages: generated changes of
///   one key stay in one lineage, but ``append(_:to:)`` writes whatever it is given.
/// - `eventSourceARN` and `userIdentity` in records: GetRecords does not send the first (Lambda
///   events do), and TTL deletions are not modelled.
public final class FakeStreams: StreamsAPI, Sendable {
    private let state: Mutex<FakeState>

    /// A stream with `roots` open shards and no records.
    public init(configuration: Configuration = Configuration(), roots: Int = 1) {
        var state = FakeState(config: configuration)
        for _ in 0..<roots { _ = state.newRoot() }
        self.state = Mutex(state)
    }

    // MARK: Shaping the stream

    /// The stream's ARN (the current one after ``recreate(roots:)``).
    public var streamArn: String { state.withLock { $0.streamArn } }

    /// The table's name.
    public var tableName: String { state.withLock { $0.config.tableName } }

    /// The fake clock, epoch milliseconds.
    public var now: Int64 { state.withLock { $0.now } }

    /// Moves the fake clock on: iterators age, and records written after carry the later time.
    public func advanceClock(millis: Int64) {
        precondition(millis >= 0, "the fake clock does not go back")
        state.withLock { $0.now += millis }
    }

    /// Opens a new shard without a parent.
    /// - Returns: its ID.
    @discardableResult
    public func addRoot() -> String { state.withLock { $0.newRoot() } }

    /// Writes records to an open shard, in order.
    /// - Returns: the records as the fake answers them.
    @discardableResult
    public func append(_ changes: [FakeChange], to shardId: String) -> [FakeRecord] {
        state.withLock { $0.append(changes, to: shardId) }
    }

    /// Writes `count` generated records to an open shard: INSERT, MODIFY and REMOVE of a few
    /// keys of the shard's lineage, with images that follow each item's history.
    /// - Returns: the records as the fake answers them.
    @discardableResult
    public func append(count: Int, to shardId: String) -> [FakeRecord] {
        state.withLock { state in
            let changes = (0..<count).map { _ in state.generatedChange(in: shardId) }
            return state.append(changes, to: shardId)
        }
    }

    /// Closes an open shard and opens `count` children of it.
    /// - Returns: the children's IDs.
    @discardableResult
    public func split(_ shardId: String, into count: Int = 1) -> [String] {
        state.withLock { $0.split(shardId, into: count) }
    }

    /// Closes an open shard without children (as disabling a stream does to all of them).
    public func close(_ shardId: String) { state.withLock { $0.close(shardId) } }

    /// Trims the stream: every record whose SequenceNumber is below `sequenceNumber` is gone, and
    /// closed shards that end below it leave the listing.
    public func trim(before sequenceNumber: String) {
        guard let point = UInt128(sequenceNumber) else { preconditionFailure("trim(before:): \(sequenceNumber) is not a SequenceNumber") }
        state.withLock { $0.trim(before: point) }
    }

    /// Disables the stream: the table has no `LatestStreamArn` and every call on the stream answers
    /// ResourceNotFoundException.
    public func disable() { state.withLock { $0.enabled = false } }

    /// Gives the table a new stream (a new ARN, `roots` new shards, no records); the old stream is
    /// not found any more.
    /// - Returns: the new ARN.
    @discardableResult
    public func recreate(roots: Int = 1) -> String { state.withLock { $0.recreate(roots: roots) } }

    /// Replaces the fault policy from now on.
    public func setFaults(_ policy: FaultPolicy) { state.withLock { $0.config.faults = policy } }

    /// Sets how many empty GetRecords answers a shard gives before its next records.
    public func setEmptyPages(_ count: Int, shard shardId: String) {
        state.withLock { $0.shards[shardId]?.emptyPagesLeft = count }
    }

    /// Calls `hook` at the start of every call, outside the fake's lock: it may shape the stream
    /// (split a shard, trim, disable) at a chosen call number. nil removes it.
    public func setCallHook(_ hook: (@Sendable (FakeCall) -> Void)?) { state.withLock { $0.hook = hook } }

    // MARK: Observing

    /// The current stream's shards in creation order, trimmed and unlisted ones included.
    public var shards: [FakeShard] { state.withLock { state in state.order.map { state.shards[$0]!.snapshot } } }

    /// One shard of the current stream.
    public func shard(_ shardId: String) -> FakeShard? { state.withLock { $0.shards[shardId]?.snapshot } }

    /// Every record written, in the order written, trimmed ones and those of earlier streams
    /// included.
    public var allRecords: [FakeRecord] { state.withLock { $0.allRecords } }

    /// The records still in the current stream (not trimmed), shard by shard in creation order.
    public var liveRecords: [FakeRecord] {
        state.withLock { state in state.order.flatMap { state.shards[$0]!.records[state.shards[$0]!.trimmed...] } }
    }

    /// Every call so far, in order (empty when ``Configuration/logCalls`` is off).
    public var calls: [FakeCallLogEntry] { state.withLock { $0.log } }

    /// How many calls the fake has received.
    public var callCount: Int { state.withLock { $0.callCount } }

    /// GetRecords calls on a child shard made while its parent was still in the stream and not
    /// yet read to its end (a GetRecords answer without `NextShardIterator`); empty when the
    /// reader kept lineage order.
    public var lineageViolations: [String] { state.withLock { $0.violations } }

    /// The most GetRecords calls in progress at one moment on any one shard.
    public var maxConcurrentReadsPerShard: Int {
        state.withLock { $0.shards.values.map(\.counters.maxConcurrentReads).max() ?? 0 }
    }

    // MARK: StreamsAPI

    /// DescribeStream: one page of the shards, in creation order.
    public func describeStream(streamArn: String, exclusiveStartShardId: String?, childrenOf: String?) async throws(AWSError) -> StreamDescription {
        let call = begin(.describeStream, shardId: childrenOf)
        return try state.withLock { (state) throws(AWSError) in
            try state.describe(call, streamArn: streamArn, after: exclusiveStartShardId, childrenOf: childrenOf)
        }
    }

    /// GetShardIterator.
    public func shardIterator(streamArn: String, shardId: String, start: IteratorStart) async throws(AWSError) -> String {
        let call = begin(.shardIterator, shardId: shardId)
        return try state.withLock { (state) throws(AWSError) in try state.iterator(call, streamArn: streamArn, shardId: shardId, start: start) }
    }

    /// GetRecords. The call pauses between taking the iterator and reading the shard (for
    /// ``Configuration/readLatency``, or one yield), so that readers of one shard that overlap
    /// are counted.
    public func records(iterator: String, limit: Int) async throws(AWSError) -> RecordsPage {
        let parsed = IteratorToken(iterator)
        let call = begin(.records, shardId: parsed?.shardId)
        let token = try state.withLock { (state) throws(AWSError) in try state.startRead(call, parsed, iterator: iterator, limit: limit) }
        if let latency = state.withLock({ $0.config.readLatency }) {
            try? await Task.sleep(for: latency)
        } else {
            await Task.yield()
        }
        return try state.withLock { (state) throws(AWSError) in try state.finishRead(call, token, limit: limit) }
    }

    /// DescribeTable's `LatestStreamArn`: the stream's ARN while enabled, else nil.
    public func latestStreamArn(table: String) async throws(AWSError) -> String? {
        let call = begin(.describeTable, shardId: nil)
        return try state.withLock { (state) throws(AWSError) in try state.latestStreamArn(call, table: table) }
    }

    /// Numbers the call, moves the clock, and runs the call hook outside the lock.
    private func begin(_ operation: FakeOperation, shardId: String?) -> FakeCall {
        let (call, hook) = state.withLock { $0.begin(operation, shardId: shardId) }
        hook?(call)
        return call
    }
}
