import AWSCore
package import DynamoStreams
package import Pipeline
package import ProcessKit
package import StreamNormalize
package import Timekeeping
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a record came from: its shard (by its slot in the poller's book) and its place among the
/// records read from that shard.
package struct StreamPosition: Hashable, Sendable {
    package var slot: Int
    package var ordinal: Int

    package init(slot: Int, ordinal: Int) {
        self.slot = slot
        self.ordinal = ordinal
    }
}

/// What the poller's parts share: the shard book, counts, and the error that stops it.
package final class PollerState: Sendable {
    let book = Mutex(ShardBook())
    let counts = Mutex(PollerCounts())
    let fatal = Mutex<PollerError?>(nil)

    package init() {}

    /// Stops the poller with `error` (the first error wins).
    package func fail(_ error: PollerError) {
        fatal.withLock { if $0 == nil { $0 = error } }
    }

    package var error: PollerError? { fatal.withLock { $0 } }

    /// What a checkpoint holds now, and the version it is of.
    func checkpoint(streamArn: String, table: String?, now: EpochMillis) -> (Checkpoint, version: Int) {
        book.withLock { book in
            (
                Checkpoint(
                    streamArn: streamArn, table: table, updatedAt: ISO8601.format(epochMillis: now.rawValue),
                    shards: book.checkpointShards(pruneUnlisted: book.listedOnce), gaps: book.gaps),
                book.version
            )
        }
    }

    /// The shards now: lag, what is open, what is finished.
    package func status(now: EpochMillis) -> PollerStatus {
        let counts = counts.withLock { $0 }
        return book.withLock { book in
            var status = PollerStatus(counts: counts)
            for entry in book.entries {
                if entry.finished {
                    status.finishedShards += 1
                } else if !entry.done {
                    status.openShards += 1
                    let lag = entry.lastAnswerEmpty ? 0 : entry.newestChange.map { max(0, now.rawValue - $0) }
                    status.shards.append(PollerStatus.ShardLag(shardId: entry.id, lagMillis: lag, recordsRead: entry.recordsRead))
                }
            }
            return status
        }
    }
}

/// Counts over a poller's run.
package struct PollerCounts: Sendable, Hashable {
    package var pages = 0
    package var emptyPages = 0
    package var records = 0
    package var throttled = 0
    package var expiredIterators = 0
    package var listings = 0
    package var gaps = 0
    package var streamDisabled = false
}

/// The poller's state for a status line.
package struct PollerStatus: Sendable {
    package struct ShardLag: Sendable {
        package var shardId: String
        /// Now minus the newest ApproximateCreationDateTime read (0 once the shard answered empty).
        package var lagMillis: Int64?
        package var recordsRead: Int
    }
    package var counts: PollerCounts
    package var openShards = 0
    package var finishedShards = 0
    package var shards: [ShardLag] = []

    package var maxLagMillis: Int64? { shards.compactMap(\.lagMillis).max() }
}

/// A DynamoDB stream as the engine's source: each GetRecords page with records is one input (its
/// bytes as they came), each record's position its shard and place, acknowledged as its object
/// becomes durable (which moves the shard's durable mark for the checkpoint).
///
/// Reading: shards parent before child (a child waits until its parent was read to its end;
/// a parent the listing no longer has counts as ended), at most ``PollerSettings/readers`` shards at
/// once and one reader per shard; a shard that answered empty waits
/// ``PollerSettings/pollIntervalMillis``; shards are listed again on a cadence and their children
/// looked up at every shard's end. Waiting for answers never outlasts the engine's age deadline
/// (the engine then seals what is due) nor a stop request.
///
/// Failures: an expired iterator is acquired again after the last record read; throttling backs
/// off (exponential, full jitter) as long as it takes; trimmed records stop the poller with an
/// error naming the shard and what was lost, or, with ``TrimPolicy/continue``, are recorded as a
/// gap under `_gaps/` and reading goes on from the oldest record left; a stream that is gone stops
/// it with ``PollerError/Code/streamUnavailable``; answers that cannot be read are asked for again
/// (the same iterator) a few times, then stop it. Nothing is skipped without an error or a gap.
package struct StreamRecords: RecordSource {
    package typealias Position = StreamPosition

    enum Answer: Sendable {
        case page(slot: Int, RecordsPage)
        case failure(slot: Int, AWSError, operation: String)
    }

    let api: any StreamsAPI
    let settings: PollerSettings
    let clock: EpochClock
    package let state: PollerState
    let stop: StopRequest?
    /// Writes a gap's record (`--on-trim continue`); nil: gaps cannot be recorded.
    let recordGap: (@Sendable (_ shardId: String, _ body: [UInt8]) async throws -> Void)?
    private let mailbox = Mailbox<Answer>()
    private var readers: [Int: Task<Void, Never>] = [:]
    private var nextListAt: Int64 = 0
    private var listFailures = 0
    private var childLookups: [String] = []
    private var current = (slot: -1, base: 0)
    private var random = SystemRandomNumberGenerator()

    /// - Parameters:
    ///   - checkpoint: where the last run got to (already checked to be this stream's); nil: none, or
    ///     not to be used (`--from trim-horizon|latest`).
    package init(
        api: any StreamsAPI, settings: PollerSettings, checkpoint: Checkpoint?, clock: EpochClock, state: PollerState = PollerState(),
        stop: StopRequest? = nil, recordGap: (@Sendable (String, [UInt8]) async throws -> Void)? = nil
    ) {
        self.api = api
        self.settings = settings
        self.clock = clock
        self.state = state
        self.stop = stop
        self.recordGap = recordGap
        if let checkpoint {
            state.book.withLock { book in
                book.gaps = checkpoint.gaps
                for (id, shard) in checkpoint.shards.sorted(by: { $0.key < $1.key }) {
                    let slot = book.add(id: id, parent: shard.parent, start: shard.sequenceNumber.map(IteratorStart.after) ?? .trimHorizon)
                    book[slot].durable = shard.sequenceNumber
                    book[slot].lastRead = shard.sequenceNumber
                    book[slot].finished = shard.finished
                    book[slot].readToEnd = shard.finished
                }
            }
        }
    }

    // MARK: RecordSource

    package mutating func nextInput(wait: ReadDeadline) async throws -> SourceInput<MemorySource>? {
        while true {
            if stop?.isRequested == true || state.error != nil || Task.isCancelled {
                cancelReaders()
                return nil
            }
            while let answer = mailbox.take() {
                if let input = await handle(answer) {
                    // Ask for the next pages (this shard's too) before the engine reads this one:
                    // a GetRecords round trip overlaps the parsing and the writing.
                    if state.error == nil && stop?.isRequested != true { _ = startReaders(now: clock.now().rawValue) }
                    return input
                }
            }
            if state.error != nil { continue }
            var now = clock.now().rawValue
            if now >= nextListAt {
                await list()
                continue
            }
            if let shard = childLookups.popLast() {
                await lookUpChildren(of: shard)
                continue
            }
            if settings.untilCaughtUp && caughtUp() {
                cancelReaders()
                return nil
            }
            if !settings.untilCaughtUp && streamDisabledAndDone() {
                state.fail(
                    PollerError(
                        .streamUnavailable,
                        "the stream \(settings.streamArn) was disabled; every record it held is durable. Enable a stream on the table "
                            + "(it gets a new ARN) and start again with --from trim-horizon"))
                continue
            }
            let nextPoll = startReaders(now: now)
            var until = min(nextPoll ?? .max, nextListAt, now + 250)
            if let deadline = wait.at?.rawValue {
                if deadline <= now { throw SourceIdle() }
                until = min(until, deadline)
            }
            await mailbox.wait(millis: until - now)
            now = clock.now().rawValue
            if let deadline = wait.at?.rawValue, deadline <= now { throw SourceIdle() }
        }
    }

    package func position(of info: RowInfo, index: Int) -> StreamPosition {
        StreamPosition(slot: current.slot, ordinal: current.base + index)
    }

    package func positions(of error: StreamError, index: Int) -> [StreamPosition] {
        (0..<error.recordCount).map { StreamPosition(slot: current.slot, ordinal: current.base + index + $0) }
    }

    package mutating func acknowledge(_ positions: [StreamPosition]) {
        state.book.withLock { book in
            for position in positions { book.acknowledge(slot: position.slot, ordinal: position.ordinal) }
        }
    }

    /// Stops every reader (their answers are dropped: nothing of them was handed to the engine).
    package mutating func cancelReaders() {
        for task in readers.values { task.cancel() }
        readers.removeAll()
        state.book.withLock { book in
            for slot in book.entries.indices where book[slot].inFlight { book[slot].inFlight = false }
        }
    }

    // MARK: Reading

    /// Starts a reader for every shard that is due, up to the limit; returns when the next shard
    /// not started is due.
    private mutating func startReaders(now: Int64) -> Int64? {
        var due: [(at: Int64, slot: Int, id: String, iterator: String?, start: IteratorStart)] = []
        var next: Int64?
        state.book.withLock { book in
            for entry in book.entries where !entry.done && !entry.inFlight && book.parentDone(entry) {
                if settings.untilCaughtUp && isCaughtUp(entry, book) { continue }
                if entry.nextPollAt <= now {
                    due.append((entry.nextPollAt, entry.slot, entry.id, entry.iterator, entry.start))
                } else {
                    next = min(next ?? .max, entry.nextPollAt)
                }
            }
        }
        due.sort { ($0.at, $0.slot) < ($1.at, $1.slot) }
        let room = max(0, settings.readers - readers.count)
        // More due than room: the rest start as readers answer (the wait ends at an answer).
        if due.count > room { due.removeLast(due.count - room) }
        for shard in due {
            state.book.withLock { $0[shard.slot].inFlight = true }
            let (api, mailbox, arn, limit) = (api, mailbox, settings.streamArn, settings.pageLimit)
            readers[shard.slot] = Task {
                var iterator = shard.iterator
                var operation = "GetShardIterator"
                do throws(AWSError) {
                    if iterator == nil {
                        iterator = try await api.shardIterator(streamArn: arn, shardId: shard.id, start: shard.start)
                    }
                    operation = "GetRecords"
                    let page = try await api.records(iterator: iterator ?? "", limit: limit)
                    mailbox.post(.page(slot: shard.slot, page))
                } catch {
                    mailbox.post(.failure(slot: shard.slot, error, operation: operation))
                }
            }
        }
        return next
    }

    /// What an answer means for its shard; a page with records becomes the engine's next input.
    private mutating func handle(_ answer: Answer) async -> SourceInput<MemorySource>? {
        let now = clock.now().rawValue
        switch answer {
        case .page(let slot, let page):
            guard readers.removeValue(forKey: slot) != nil else { return nil }  // cancelled meanwhile
            let ended = page.nextShardIterator == nil
            let (id, base): (String, Int) = state.book.withLock { book in
                book[slot].inFlight = false
                book[slot].failures = 0
                book[slot].throttled = 0
                book[slot].invalidAnswers = 0
                book[slot].iterator = page.nextShardIterator
                book[slot].lastAnswerEmpty = page.records.isEmpty
                var base = 0
                if page.records.isEmpty {
                    book[slot].emptyStreak += 1
                    book[slot].nextPollAt = now + settings.pollIntervalMillis
                } else {
                    book[slot].emptyStreak = 0
                    book[slot].nextPollAt = now
                    if let newest = page.records.compactMap(\.approximateCreationMillis).max() {
                        book[slot].newestChange = max(book[slot].newestChange ?? newest, newest)
                    }
                    base = book.handOver(page.records.map(\.sequenceNumber), slot: slot)
                }
                if ended {
                    book[slot].readToEnd = true
                    book.finishIfDone(slot)
                    book.changed()
                }
                return (book[slot].id, base)
            }
            state.counts.withLock {
                $0.pages += 1
                $0.records += page.records.count
                if page.records.isEmpty { $0.emptyPages += 1 }
            }
            if ended { childLookups.append(id) }
            guard !page.records.isEmpty else { return nil }
            current = (slot, base)
            return SourceInput(name: id, bytes: MemorySource(page.body))
        case .failure(let slot, let error, let operation):
            guard readers.removeValue(forKey: slot) != nil else { return nil }
            let entry = state.book.withLock { book in
                book[slot].inFlight = false
                return book[slot]
            }
            let shard = "shard \(entry.id) of \(settings.streamArn)"
            switch error.serviceCode {
            case StreamsErrorCode.expiredIterator:
                state.counts.withLock { $0.expiredIterators += 1 }
                state.book.withLock { book in
                    book[slot].iterator = nil
                    if let last = book[slot].lastRead { book[slot].start = .after(last) }
                    book[slot].nextPollAt = now
                }
            case StreamsErrorCode.trimmedDataAccess:
                await trimmed(slot: slot, entry: entry, detail: "\(operation) answered \(error.serviceCode ?? "")", shardGone: false)
            case StreamsErrorCode.resourceNotFound:
                // The shard (or the whole stream) is gone: the listing says which.
                nextListAt = now
                state.book.withLock { book in
                    book[slot].iterator = nil
                    book[slot].failures += 1
                    book[slot].nextPollAt = now + settings.pollIntervalMillis
                }
                if entry.failures + 1 >= settings.maxFailedRounds {
                    state.fail(PollerError(.serviceFailed, "\(operation) for \(shard) keeps answering ResourceNotFoundException: \(error)"))
                }
            default:
                if error.code == .invalidResponse {
                    let count = backOff(slot, counting: \.invalidAnswers, now: now)
                    if count >= settings.maxInvalidAnswers {
                        state.fail(PollerError(.serviceFailed, "\(operation) for \(shard) answered what cannot be read, \(count) times in a row: \(error)"))
                    }
                } else if Self.isThrottling(error) {
                    state.counts.withLock { $0.throttled += 1 }
                    backOff(slot, counting: \.throttled, now: now)
                } else if error.isRetryable {
                    let count = backOff(slot, counting: \.failures, now: now)
                    if count >= settings.maxFailedRounds {
                        state.fail(PollerError(.serviceFailed, "\(operation) for \(shard) failed \(count) times in a row: \(error)"))
                    }
                } else {
                    state.fail(PollerError(.serviceFailed, "\(operation) for \(shard) failed: \(error)"))
                }
            }
            return nil
        }
    }

    static func isThrottling(_ error: AWSError) -> Bool {
        guard let code = error.serviceCode else { return error.status == 429 }
        return code == StreamsErrorCode.limitExceeded || code.contains("Throttl") || code == "ProvisionedThroughputExceededException"
            || code == "RequestLimitExceeded" || code == "TooManyRequestsException"
    }

    /// One more failure of `counter`'s kind in a row for the shard in `slot`, which waits the
    /// backoff for that many before it is polled again; returns how many there are now.
    @discardableResult
    private mutating func backOff(_ slot: Int, counting counter: WritableKeyPath<ShardBook.Entry, Int>, now: Int64) -> Int {
        let count = state.book.withLock { $0[slot][keyPath: counter] } + 1
        let delay = backoff(count)
        state.book.withLock { book in
            book[slot][keyPath: counter] = count
            book[slot].nextPollAt = now + delay
        }
        return count
    }

    /// Full jitter over an exponential ceiling from 250 ms.
    private mutating func backoff(_ attempt: Int) -> Int64 {
        let ceiling = min(settings.maxBackoffMillis, 250 << min(max(attempt - 1, 0), 20))
        return Int64.random(in: ceiling / 2...ceiling, using: &random)
    }

    /// Records of `entry` were trimmed before they were read: stop, or record the gap and go on.
    private mutating func trimmed(slot: Int, entry: ShardBook.Entry, detail: String, shardGone: Bool) async {
        let after = entry.lastRead ?? entry.durable
        let lost =
            (after.map { "the records after SequenceNumber \($0)" } ?? "the records from the shard's start")
            + (shardGone ? ", if there were any, left the stream with the shard" : " up to the shard's trim horizon")
        let message = "shard \(entry.id) of \(settings.streamArn): \(lost): trimmed (older than 24 hours) before they were read (\(detail))"
        guard settings.onTrim == .continue, let recordGap else {
            state.fail(
                PollerError(
                    .trimmed,
                    message + "; they are lost. Start again with --on-trim continue to record the gap under _gaps/ and read on, "
                        + "or with --from trim-horizon"))
            return
        }
        let now = clock.now()
        let gap = GapRecord(
            stream: settings.streamArn, shard: entry.id, afterSequenceNumber: after,
            detectedAt: ISO8601.format(epochMillis: now.rawValue), shardGone: shardGone, reason: message)
        do { try await recordGap(entry.id, gap.encoded()) } catch {
            state.fail(PollerError(.trimmed, message + "; and the gap could not be recorded: \(error)"))
            return
        }
        state.counts.withLock { $0.gaps += 1 }
        state.book.withLock { book in
            book.gaps += 1
            book[slot].iterator = nil
            book[slot].start = .trimHorizon
            book[slot].nextPollAt = now.rawValue
            if shardGone {
                book[slot].readToEnd = true
                book.finishIfDone(slot)
            }
            book.changed()
        }
        if shardGone { childLookups.append(entry.id) }
    }

    // MARK: Listing

    /// Lists every shard (DescribeStream page after page until no LastEvaluatedShardId), adds the
    /// new ones, and handles those that left the listing unfinished.
    private mutating func list() async {
        let now = clock.now().rawValue
        let (shards, status): ([Shard], String)
        do throws(AWSError) {
            (shards, status) = try await describeAll(childrenOf: nil)
        } catch {
            listingFailed(error, now: now)
            return
        }
        listFailures = 0
        nextListAt = now + settings.listIntervalMillis
        state.counts.withLock {
            $0.listings += 1
            $0.streamDisabled = status == "DISABLED" || status == "DISABLING"
        }
        var vanished: [ShardBook.Entry] = []
        state.book.withLock { book in
            let firstListing = !book.listedOnce
            for slot in book.entries.indices { book[slot].listed = false }
            merge(shards, into: &book, firstListing: firstListing)
            book.listedOnce = true
            vanished = book.entries.filter { !$0.listed && !$0.done }
            book.changed()  // finished shards that left the listing are pruned from the checkpoint
        }
        for entry in vanished {
            await trimmed(slot: entry.slot, entry: entry, detail: "the shard is no longer in the stream's listing", shardGone: true)
        }
    }

    /// Every page of DescribeStream (of one shard's children, or of the whole stream), until an
    /// answer has no LastEvaluatedShardId; the stream's status as the last page says.
    private func describeAll(childrenOf parent: String?) async throws(AWSError) -> (shards: [Shard], status: String) {
        var shards: [Shard] = []
        var status = "ENABLED"
        var exclusiveStart: String?
        repeat {
            let page = try await api.describeStream(streamArn: settings.streamArn, exclusiveStartShardId: exclusiveStart, childrenOf: parent)
            status = page.status
            shards += page.shards
            if let next = page.lastEvaluatedShardId, next == exclusiveStart {
                throw AWSError(.invalidResponse, "DescribeStream of \(settings.streamArn) answered the same page twice (LastEvaluatedShardId \(next))")
            }
            exclusiveStart = page.lastEvaluatedShardId
        } while exclusiveStart != nil
        return (shards, status)
    }

    private func merge(_ shards: [Shard], into book: inout ShardBook, firstListing: Bool) {
        for shard in shards {
            if let slot = book.slot(of: shard.shardId) {
                book[slot].listed = true
                book[slot].listedClosed = shard.isClosed
                if book[slot].parent == nil { book[slot].parent = shard.parentShardId }
                continue
            }
            var start = IteratorStart.trimHorizon
            var skip = false
            if firstListing && settings.start == .latest {
                // Only what is written from now on: open shards at their end, closed ones not at all.
                if shard.isClosed { skip = true } else { start = .latest }
            }
            let slot = book.add(id: shard.shardId, parent: shard.parentShardId, start: start)
            book[slot].listed = true
            book[slot].listedClosed = shard.isClosed
            if skip {
                book[slot].readToEnd = true
                book[slot].finished = true
            }
        }
    }

    private mutating func listingFailed(_ error: AWSError, now: Int64) {
        if error.serviceCode == StreamsErrorCode.resourceNotFound {
            state.fail(
                PollerError(
                    .streamUnavailable,
                    "the stream \(settings.streamArn) does not exist (any more): its table was deleted, or its stream disabled more "
                        + "than 24 hours ago or re-created with a new ARN (\(error))"))
            return
        }
        listFailures += 1
        if (error.isRetryable || Self.isThrottling(error) || error.code == .invalidResponse) && listFailures < settings.maxFailedRounds {
            nextListAt = now + backoff(listFailures)
        } else {
            state.fail(PollerError(.serviceFailed, "DescribeStream of \(settings.streamArn) failed: \(error)"))
        }
    }

    /// At a shard's end: its children (DescribeStream with a CHILD_SHARDS filter), so they are
    /// read without waiting for the next listing.
    private mutating func lookUpChildren(of shardId: String) async {
        let children: [Shard]
        do throws(AWSError) {
            children = try await describeAll(childrenOf: shardId).shards
        } catch {
            // The next full listing finds them.
            nextListAt = min(nextListAt, clock.now().rawValue + settings.pollIntervalMillis)
            return
        }
        state.book.withLock { book in
            merge(children, into: &book, firstListing: false)
            book.changed()
        }
    }

    // MARK: Caught up

    private func isCaughtUp(_ entry: ShardBook.Entry, _ book: ShardBook) -> Bool {
        if entry.done { return true }
        // A shard with a child is closed, whatever the listing says: it must be read to its end.
        if book.entries.contains(where: { $0.parent == entry.id }) { return false }
        return entry.emptyStreak >= settings.emptyAnswersToCatchUp && !entry.listedClosed
    }

    /// Every shard read to its end or, if open, answering empty; nothing being read or looked up.
    private func caughtUp() -> Bool {
        guard readers.isEmpty, childLookups.isEmpty else { return false }
        return state.book.withLock { book in
            book.listedOnce && book.entries.allSatisfy { isCaughtUp($0, book) }
        }
    }

    private func streamDisabledAndDone() -> Bool {
        guard state.counts.withLock({ $0.streamDisabled }), readers.isEmpty, childLookups.isEmpty else { return false }
        return state.book.withLock { $0.entries.allSatisfy(\.done) }
    }
}

/// What `_gaps/<shard>-<ms>.json` holds: which records of which shard were trimmed before they
/// were read.
struct GapRecord: Encodable {
    var stream: String
    var shard: String
    /// The last SequenceNumber read before the gap (nil: from the shard's start).
    var afterSequenceNumber: String?
    var detectedAt: String
    /// Whether the shard itself left the stream (rather than an iterator finding trimmed data).
    var shardGone: Bool
    var reason: String

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain values cannot fail; nil is written as null, so every key is there.
        return Array((try? encoder.encode(self)) ?? Data()) + [UInt8(ascii: "\n")]
    }

    enum CodingKeys: String, CodingKey { case stream, shard, afterSequenceNumber, detectedAt, shardGone, reason }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stream, forKey: .stream)
        try container.encode(shard, forKey: .shard)
        try container.encode(afterSequenceNumber, forKey: .afterSequenceNumber)
        try container.encode(detectedAt, forKey: .detectedAt)
        try container.encode(shardGone, forKey: .shardGone)
        try container.encode(reason, forKey: .reason)
    }
}
