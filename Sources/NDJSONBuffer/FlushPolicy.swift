public import Timekeeping

/// When a batch of rows becomes an object: the seed's `MAX_RECORDS`, `MAX_PAYLOAD_BYTES` and
/// `MAX_SECONDS`, and how many partitions may be open at once.
public struct BatchLimits: Sendable, Hashable {
    /// Rows in one object (`MAX_RECORDS`).
    public var maxRecords: Int
    /// Uncompressed bytes in one object (`MAX_PAYLOAD_BYTES`); a single larger row still makes an object of its own.
    public var maxBytes: Int
    /// Milliseconds a batch may stay open after its first row (`MAX_SECONDS` × 1000); 0 means no limit.
    public var maxAgeMillis: Int64
    /// Partitions with an open batch; opening one more seals the least recently written.
    public var maxOpenPartitions: Int

    /// The seed's defaults: 2000 rows, 8,000,000 bytes, 15 s; 16 open partitions.
    public init(maxRecords: Int = 2000, maxBytes: Int = 8_000_000, maxAgeMillis: Int64 = 15_000, maxOpenPartitions: Int = 16) {
        self.maxRecords = maxRecords
        self.maxBytes = maxBytes
        self.maxAgeMillis = maxAgeMillis
        self.maxOpenPartitions = maxOpenPartitions
    }
}

/// Why a batch was sealed.
public enum FlushReason: String, Sendable, Hashable {
    /// It reached `maxRecords`.
    case records
    /// One more row would have passed `maxBytes`.
    case bytes
    /// Its first row is `maxAgeMillis` old.
    case age
    /// Another partition needed its place.
    case openPartitions = "open-partitions"
    /// The input ended (or the caller flushed everything).
    case end
}

/// The flush decisions, as pure functions of a batch's counts and the time.
@usableFromInline package struct FlushPolicy: Sendable, Hashable {
    /// The limits decided on.
    @usableFromInline package var limits: BatchLimits

    /// A policy for `limits`.
    package init(_ limits: BatchLimits) { self.limits = limits }

    /// Whether a batch holding `records` rows and `bytes` bytes must be sealed before a row of
    /// `rowBytes` bytes joins it.
    @inlinable package func mustSealBefore(adding rowBytes: Int, records: Int, bytes: Int) -> FlushReason? {
        guard records > 0 else { return nil }
        return bytes + rowBytes > limits.maxBytes ? .bytes : nil
    }

    /// Whether a batch must be sealed now that it holds `records` rows.
    @inlinable package func mustSealAfterAdding(records: Int) -> FlushReason? {
        records >= limits.maxRecords ? .records : nil
    }

    /// When a batch opened at `openedAt` must be sealed by age; `nil` without an age limit.
    @inlinable package func deadline(openedAt: EpochMillis) -> EpochMillis? {
        limits.maxAgeMillis > 0 ? openedAt.adding(millis: limits.maxAgeMillis) : nil
    }

    /// Whether a batch opened at `openedAt` is due at `now`.
    @inlinable package func isDue(openedAt: EpochMillis, now: EpochMillis) -> Bool {
        deadline(openedAt: openedAt).map { now >= $0 } ?? false
    }
}
