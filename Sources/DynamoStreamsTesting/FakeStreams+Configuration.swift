extension FakeStreams {
    /// How the fake behaves: its names, its clock, its sequence numbers and the service's
    /// behaviours a poller must cope with (pagination, a parent listed open after its child, empty
    /// pages, iterator expiry, page limits, faults). The defaults are the service's (a 100-shard
    /// DescribeStream page, a 15-minute iterator, 1 MB pages) without any of the awkward cases.
    public struct Configuration: Sendable {
        /// The table whose stream this is.
        public var tableName = "T"
        /// The region in ARNs and in each record's `awsRegion`.
        public var region = "us-east-1"
        /// The account in ARNs.
        public var accountId = "123456789012"
        /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`: which images records carry.
        public var viewType = "NEW_AND_OLD_IMAGES"

        /// The fake's clock at creation, epoch milliseconds (2026-11-30T00:00:00Z): the stream's
        /// label, records' `ApproximateCreationDateTime` and iterators' age all read this clock.
        public var startMillis: Int64 = 1_795_996_800_000
        /// How far the clock moves at each API call, so that iterators age while a poller works
        /// (0: the clock moves only by ``FakeStreams/advanceClock(millis:)``).
        public var millisPerCall: Int64 = 0
        /// How `ApproximateCreationDateTime` is written in records.
        public var creationTimeStyle: CreationTimeStyle = .seconds

        /// The stream's first SequenceNumber. The default has 22 digits, more than a `UInt64`
        /// holds, as the service's do; a value just below a power of ten makes later numbers one
        /// digit longer, which a poller comparing them as text gets wrong.
        public var firstSequenceNumber: UInt128 = 4_000_000_000_000_000_000_000
        /// The gap between one SequenceNumber and the next, drawn from this range: the service's
        /// numbers increase, but not by one.
        public var sequenceGap: ClosedRange<UInt64> = 1...997

        /// Shards per DescribeStream page (the service's limit is 100).
        public var describePageSize = 100
        /// When the last page is exactly full, still name a `LastEvaluatedShardId` (the next page
        /// is then empty, without one): a client must stop only on a page without it.
        public var lastEvaluatedOnFullLastPage = false
        /// After a split, how many DescribeStream answers still list the parent without its
        /// `EndingSequenceNumber` although reading it already ends ("a parent still open after
        /// its child"); 0: closed at once.
        public var parentOpenListings = 0

        /// Empty GetRecords answers each new shard gives before its first records (the service
        /// answers empty pages while it locates data, sometimes several in a row).
        public var emptyPagesBeforeData = 0
        /// How a closed shard's last page looks.
        public var finalPage: FinalPage = .withLastRecords
        /// An iterator's life: older iterators answer ExpiredIteratorException (15 minutes).
        public var iteratorLifetimeMillis: Int64 = 15 * 60 * 1000
        /// A GetRecords page's most bytes (records beyond it wait for the next page; a page holds
        /// at least one record). The service's limit is 1 MB.
        public var maxPageBytes = 1 << 20
        /// How long a GetRecords call takes inside the fake; nil: it only yields once. Calls that
        /// overlap in this window count as concurrent readers of their shard.
        public var readLatency: Duration? = nil

        /// Which calls fail, and how.
        public var faults: FaultPolicy = .none
        /// Keep a log of every call (``FakeStreams/calls``); turn off for long benchmarks.
        public var logCalls = true
        /// The seed of the fake's own choices: sequence number gaps and generated items.
        public var seed: UInt64 = 0
        /// Keys per lineage that ``FakeStreams/append(count:to:)`` draws from: few keys, many
        /// MODIFY and REMOVE records.
        public var keysPerLineage = 16

        /// The defaults.
        public init() {}
    }

    /// How a closed shard's end shows in GetRecords.
    public enum FinalPage: Sendable, Hashable, CaseIterable {
        /// The page with the shard's last records has no `NextShardIterator`.
        case withLastRecords
        /// The page with the last records still has one; the page after it is empty and has none.
        case emptyAfterLastRecords
    }

    /// How `ApproximateCreationDateTime` is written (the JSON protocol's epoch-seconds number).
    public enum CreationTimeStyle: Sendable, Hashable, CaseIterable {
        /// Whole seconds: `1795996800`.
        case seconds
        /// Seconds in exponent notation, as the AWS JSON protocol may send them: `1.7959968E9`.
        case exponent
    }
}

/// The operations of ``FakeStreams``, by the service's names.
public enum FakeOperation: String, Sendable, Hashable, CaseIterable {
    /// DynamoDB Streams DescribeStream.
    case describeStream = "DescribeStream"
    /// DynamoDB Streams GetShardIterator.
    case shardIterator = "GetShardIterator"
    /// DynamoDB Streams GetRecords.
    case records = "GetRecords"
    /// DynamoDB DescribeTable (for `LatestStreamArn`).
    case describeTable = "DescribeTable"
}

/// One call the fake received, as a fault policy and a call hook see it.
public struct FakeCall: Sendable, Hashable {
    /// The call's number, from 1, in the order calls reached the fake.
    public var index: Int
    /// Which operation.
    public var operation: FakeOperation
    /// The shard it concerns (GetShardIterator; GetRecords when the iterator can be read).
    public var shardId: String?
    /// The fake's clock when the call arrived, epoch milliseconds.
    public var millis: Int64

    /// A call.
    public init(index: Int, operation: FakeOperation, shardId: String?, millis: Int64) {
        self.index = index
        self.operation = operation
        self.shardId = shardId
        self.millis = millis
    }
}

/// A failure the fake answers instead of doing what was asked.
public enum FakeFault: Sendable, Hashable, CaseIterable {
    /// LimitExceededException, HTTP 400: too many requests (throttling; retry after a pause).
    case throttling
    /// InternalServerError, HTTP 500: a server-side failure (retryable).
    case internalServerError
    /// ExpiredIteratorException, HTTP 400, whatever the iterator's age (GetRecords only; other
    /// operations answer normally).
    case expiredIterator
    /// An answer the client cannot read: `AWSError` with code `invalidResponse`, HTTP 200.
    case malformedAnswer
}

/// Which calls fail and how: asked once per call, before the fake does anything else.
public struct FaultPolicy: Sendable {
    private let decide: @Sendable (FakeCall) -> FakeFault?

    /// A policy that asks `decide` for each call (nil: no fault).
    public init(_ decide: @escaping @Sendable (FakeCall) -> FakeFault?) { self.decide = decide }

    /// The fault for `call`, if any.
    public func fault(for call: FakeCall) -> FakeFault? { decide(call) }

    /// No call fails.
    public static let none = FaultPolicy { _ in nil }

    /// Each call of `operations` fails with probability `rate`, with a fault drawn from `faults`;
    /// the choice depends only on the seed and the call's number, so a schedule replays.
    public static func random(
        seed: UInt64, rate: Double, faults: [FakeFault] = FakeFault.allCases,
        operations: Set<FakeOperation> = Set(FakeOperation.allCases)
    ) -> FaultPolicy {
        precondition(!faults.isEmpty, "a random fault policy needs faults to choose from")
        return FaultPolicy { call in
            guard operations.contains(call.operation) else { return nil }
            var random = SplitMix64(seed: seed ^ SplitMix64.mix(UInt64(call.index)))
            guard random.chance(rate) else { return nil }
            return faults[random.int(in: 0...faults.count - 1)]
        }
    }
}

/// One entry of the fake's call log.
public struct FakeCallLogEntry: Sendable, Hashable {
    /// The call.
    public var call: FakeCall
    /// The failure answered: the service's error code (`LimitExceededException`, …) or
    /// `invalid-response` for a malformed answer; nil on success.
    public var error: String?
    /// GetRecords: the SequenceNumbers of the records returned, in order.
    public var sequenceNumbers: [String] = []
    /// GetRecords: the answer had no `NextShardIterator` (the page was the shard's last).
    public var endOfShard = false
    /// DescribeStream: the shards on the page.
    public var shardIds: [String] = []
    /// DescribeStream: the page's `LastEvaluatedShardId`.
    public var lastEvaluatedShardId: String?
    /// DescribeStream: the `CHILD_SHARDS` filter's shard.
    public var childrenOf: String?

    /// A log entry.
    public init(call: FakeCall, error: String? = nil) {
        self.call = call
        self.error = error
    }
}

/// What one shard was asked, for load checks.
public struct FakeShardCounters: Sendable, Hashable {
    /// GetShardIterator calls for the shard.
    public var shardIterators = 0
    /// GetRecords calls with an iterator of the shard.
    public var getRecords = 0
    /// Records returned from the shard, repeats included.
    public var recordsReturned = 0
    /// The most GetRecords calls on the shard in progress at one moment.
    public var maxConcurrentReads = 0

    /// All zero.
    public init() {}
}

/// A change to write to the stream: what DynamoDB would record for one item write. The texts are
/// DynamoDB JSON objects (`{"pk":{"S":"a"}}`), put into the record as they are.
public struct FakeChange: Sendable, Hashable {
    /// A record's `eventName`.
    public enum EventName: String, Sendable, Hashable, CaseIterable {
        /// A new item.
        case insert = "INSERT"
        /// An item changed.
        case modify = "MODIFY"
        /// An item deleted.
        case remove = "REMOVE"
    }

    /// The kind of change.
    public var eventName: EventName
    /// The item's key attributes.
    public var keys: String
    /// The item after the change (INSERT, MODIFY); kept when the stream's view type has it.
    public var newImage: String?
    /// The item before the change (MODIFY, REMOVE); kept when the stream's view type has it.
    public var oldImage: String?

    /// A change.
    public init(_ eventName: EventName, keys: String, newImage: String? = nil, oldImage: String? = nil) {
        self.eventName = eventName
        self.keys = keys
        self.newImage = newImage
        self.oldImage = oldImage
    }
}

/// A record the fake holds: the JSON it answers and the facts a test checks against.
public struct FakeRecord: Sendable, Hashable {
    /// The stream it was written to.
    public var streamArn: String
    /// The shard it is in.
    public var shardId: String
    /// `dynamodb.SequenceNumber`.
    public var sequenceNumber: String
    /// `eventID`: unique in the fake.
    public var eventID: String
    /// `eventName`.
    public var eventName: FakeChange.EventName
    /// `dynamodb.ApproximateCreationDateTime` in epoch milliseconds (whole seconds).
    public var approximateCreationMillis: Int64
    /// `dynamodb.Keys`, as written.
    public var keys: String
    /// The whole record, as GetRecords answers it.
    public var json: String
}

/// A shard as the fake holds it (not as DescribeStream lists it).
public struct FakeShard: Sendable, Hashable {
    /// The shard's ID; IDs sort in creation order.
    public var shardId: String
    /// The shard it was split from.
    public var parentShardId: String?
    /// Its `StartingSequenceNumber`.
    public var startingSequenceNumber: String
    /// Its `EndingSequenceNumber`, once closed (above its last record's SequenceNumber).
    public var endingSequenceNumber: String?
    /// Every record written to it, trimmed ones included.
    public var records: [FakeRecord]
    /// How many of the first `records` are trimmed (gone from the stream).
    public var trimmedCount: Int
    /// Whether DescribeStream still lists it (false once closed and wholly trimmed).
    public var isListed: Bool
    /// Whether a GetRecords answer without `NextShardIterator` was given for it.
    public var endReturned: Bool
    /// What it was asked.
    public var counters: FakeShardCounters

    /// Whether it is closed.
    public var isClosed: Bool { endingSequenceNumber != nil }
    /// The records still in the stream.
    public var liveRecords: ArraySlice<FakeRecord> { records[trimmedCount...] }
}
