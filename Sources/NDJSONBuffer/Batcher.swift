public import StreamNormalize
public import Timekeeping
public import Digest

/// A batch of rows ready to become an object.
public struct SealedBatch<Position: Sendable>: Sendable {
    /// The hour its rows belong to.
    public var partition: Partition
    /// The table all its rows belong to, when their records named it (`eventSourceARN`).
    public var table: String?
    /// The object's key: `<prefix>/dt=…/HH=…/<first _seq>_<last _seq>_<rows>_<digest>[_<table>].ndjson.gz`.
    public var key: String
    /// The rows, NDJSON, uncompressed.
    public var rows: [UInt8]
    /// How many rows.
    public var count: Int
    /// The order keys of its first and last rows.
    public var firstOrderKey: OrderKey, lastOrderKey: OrderKey
    /// Why it was sealed.
    public var reason: FlushReason
    /// Where each row's record came from, in row order: what becomes durable with the object.
    public var positions: [Position]
}

/// Groups rows into batches, one open batch per partition and table, and seals them by the flush
/// policy. Rows of two tables never share an object: each object's name ends with its table.
///
/// A pure state machine: the time comes in as a parameter and sealed batches go out through a
/// closure, so tests drive it with a fake clock. Object names follow from the rows alone (the
/// first and last order keys, the count and a digest of the event IDs): the same input in the
/// same order gives the same names on every run.
///
/// Each row comes with the *position* of its record in its source (a SequenceNumber, a file and
/// line, or nothing at all: `Batcher<Void>`); a sealed batch carries its rows' positions, so whoever
/// makes the object durable can tell the source exactly which records are safe.
public struct Batcher<Position: Sendable> {
    /// The flush decisions.
    @usableFromInline package let policy: FlushPolicy
    /// Key prefix, without leading or trailing `/`.
    public let prefix: String

    // `add` is inlinable, so that a caller's Batcher<ItsPosition> is specialized there (rows are
    // added in the hottest loop of every run); what it touches is @usableFromInline.
    @usableFromInline struct OpenBatch {
        @usableFromInline var partition: Partition
        @usableFromInline var table: String?
        @usableFromInline var rows: [UInt8]
        @usableFromInline var positions: [Position] = []
        @usableFromInline var count = 0
        @usableFromInline var first: OrderKey
        @usableFromInline var last: OrderKey
        @usableFromInline var openedAt: EpochMillis
        @usableFromInline var lastWrite: UInt64
        @usableFromInline let digest = SHA256()

        @inlinable init(partition: Partition, table: String?, first: OrderKey, openedAt: EpochMillis, lastWrite: UInt64) {
            self.partition = partition
            self.table = table
            self.rows = []
            self.first = first
            self.last = first
            self.openedAt = openedAt
            self.lastWrite = lastWrite
        }
    }

    @usableFromInline var open: [OpenBatch] = []
    @usableFromInline var writes: UInt64 = 0
    @usableFromInline var earliestDeadline: EpochMillis?
    /// The bytes of the batch sealed last: a new batch reserves a little more, so that its rows
    /// are not copied as it grows (about 1% of `run` for batches just over 1 MiB).
    @usableFromInline var lastSealedBytes = 0
    /// What object names end with: the encoder's suffix.
    public let suffix: String

    /// Creates a batcher.
    /// - Parameters:
    ///   - limits: when a batch is sealed.
    ///   - prefix: the key prefix, without leading or trailing `/`.
    ///   - suffix: what object names end with (`.ndjson.gz`, `.parquet`).
    ///   - positions: the type of the rows' positions.
    public init(limits: BatchLimits, prefix: String = "", suffix: String = ".ndjson.gz", positions: Position.Type) {
        policy = FlushPolicy(limits)
        self.prefix = String(prefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/"))
        self.suffix = suffix
    }

    /// Partitions with an open batch.
    public var openPartitions: [Partition] { open.map(\.partition) }
    /// Rows waiting in open batches.
    public var bufferedRows: Int { open.reduce(0) { $0 + $1.count } }
    /// Bytes waiting in open batches.
    public var bufferedBytes: Int { open.reduce(0) { $0 + $1.rows.count } }
    /// When the next batch falls due by age, if any.
    public var nextDeadline: EpochMillis? { earliestDeadline }

    /// Adds one row (its bytes end with a newline) to the batch of `partition`.
    /// - Parameters:
    ///   - row: the row's bytes, copied into the batch before this call returns.
    ///   - info: the row's facts (from the reader): its order key, event ID and table.
    ///   - partition: the hour the row belongs to, usually `Partition(epochMillis: info.changeTime)`.
    ///   - position: where the row's record came from.
    ///   - now: the time, for the age limit.
    ///   - seal: receives each batch this call seals.
    @inlinable
    public mutating func add(
        row: UnsafeBufferPointer<UInt8>, info: RowInfo, position: Position, partition: Partition, now: EpochMillis,
        seal: (SealedBatch<Position>) throws -> Void
    ) rethrows {
        var index = open.firstIndex { $0.partition == partition && $0.table == info.table }
        if let found = index, let reason = policy.mustSealBefore(adding: row.count, records: open[found].count, bytes: open[found].rows.count) {
            try seal(take(found, reason))
            index = nil
        }
        if index == nil {
            if open.count >= policy.limits.maxOpenPartitions, let oldest = open.indices.min(by: { open[$0].lastWrite < open[$1].lastWrite }) {
                try seal(take(oldest, .openPartitions))
            }
            open.append(OpenBatch(partition: partition, table: info.table, first: info.orderKey, openedAt: now, lastWrite: writes))
            open[open.count - 1].rows.reserveCapacity(min(policy.limits.maxBytes, max(1 << 20, lastSealedBytes + lastSealedBytes / 8)))
            if let deadline = policy.deadline(openedAt: now) { earliestDeadline = min(earliestDeadline ?? deadline, deadline) }
            index = open.count - 1
        }
        let at = index!
        writes += 1
        open[at].rows.append(contentsOf: row)
        open[at].positions.append(position)
        open[at].count += 1
        open[at].last = info.orderKey
        open[at].lastWrite = writes
        open[at].digest.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(row)[info.eventIDRange]))
        withUnsafeBytes(of: UInt8(0x0A)) { open[at].digest.update($0) }
        if let reason = policy.mustSealAfterAdding(records: open[at].count) {
            try seal(take(at, reason))
        }
        if let deadline = earliestDeadline, now >= deadline { try sealDue(now: now, seal: seal) }
    }

    /// Seals every batch that is due by age at `now`.
    @inlinable
    public mutating func sealDue(now: EpochMillis, seal: (SealedBatch<Position>) throws -> Void) rethrows {
        while let index = open.firstIndex(where: { policy.isDue(openedAt: $0.openedAt, now: now) }) {
            try seal(take(index, .age))
        }
    }

    /// Seals every open batch, oldest partition first.
    public mutating func sealAll(reason: FlushReason = .end, seal: (SealedBatch<Position>) throws -> Void) rethrows {
        open.sort { ($0.partition, $0.table ?? "") < ($1.partition, $1.table ?? "") }
        while !open.isEmpty { try seal(take(0, reason)) }
    }

    @usableFromInline mutating func take(_ index: Int, _ reason: FlushReason) -> SealedBatch<Position> {
        let batch = open.remove(at: index)
        lastSealedBytes = batch.rows.count
        earliestDeadline = open.compactMap { policy.deadline(openedAt: $0.openedAt) }.min()
        let digest = Digest.hex(batch.digest.finish().prefix(8))
        let table = batch.table.map { "_" + ObjectNames.tableTag($0) } ?? ""
        let name = "\(batch.first)_\(batch.last)_\(batch.count)_\(digest)\(table)\(suffix)"
        let key = (prefix.isEmpty ? "" : prefix + "/") + "\(batch.partition)/" + name
        return SealedBatch(
            partition: batch.partition, table: batch.table, key: key, rows: batch.rows, count: batch.count, firstOrderKey: batch.first,
            lastOrderKey: batch.last, reason: reason, positions: batch.positions)
    }

    /// The key of an errors object holding `content`: `<prefix>/_errors/<digest>.ndjson`.
    public func errorsKey(for content: [UInt8]) -> String {
        (prefix.isEmpty ? "" : prefix + "/") + "_errors/" + String(Digest.hex(Digest.sha256(content)).prefix(32)) + ".ndjson"
    }
}

extension Batcher where Position == Void {
    /// Creates a batcher for rows whose positions nobody needs.
    /// - Parameters:
    ///   - limits: when a batch is sealed.
    ///   - prefix: the key prefix, without leading or trailing `/`.
    ///   - suffix: what object names end with.
    public init(limits: BatchLimits, prefix: String = "", suffix: String = ".ndjson.gz") {
        self.init(limits: limits, prefix: prefix, suffix: suffix, positions: Void.self)
    }

    /// Adds one row whose record's position nobody needs.
    @inlinable
    /// - Parameters:
    ///   - row: the row's bytes, copied into the batch before this call returns.
    ///   - info: the row's facts (from the reader).
    ///   - partition: the hour the row belongs to.
    ///   - now: the time, for the age limit.
    ///   - seal: receives each batch this call seals.
    public mutating func add(
        row: UnsafeBufferPointer<UInt8>, info: RowInfo, partition: Partition, now: EpochMillis, seal: (SealedBatch<Void>) throws -> Void
    ) rethrows {
        try add(row: row, info: info, position: (), partition: partition, now: now, seal: seal)
    }
}
