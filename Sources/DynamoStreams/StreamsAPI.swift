public import AWSCore

/// The DynamoDB Streams operations the poller uses (and DescribeTable, to find a table's stream):
/// what the HTTP client ``DynamoStreamsClient`` does against AWS (or moto), and what an in-process
/// fake does in tests.
///
/// Errors are `AWSError`s; the service's own codes are in `AWSError/serviceCode`
/// (``StreamsErrorCode``), so a fake throws what the service would. An answer that cannot be read
/// (not JSON, a required member missing) is `AWSError/Code/invalidResponse`, naming what is wrong.
public protocol StreamsAPI: Sendable {
    /// One page of a stream's description: DescribeStream with `ExclusiveStartShardId` (nil: the
    /// first page) and, for the children of one shard, a `CHILD_SHARDS` filter.
    /// - Parameters:
    ///   - streamArn: the stream.
    ///   - exclusiveStartShardId: the `lastEvaluatedShardId` of the page before.
    ///   - childrenOf: only the shards whose parent is this shard (`ShardFilter` `CHILD_SHARDS`).
    func describeStream(streamArn: String, exclusiveStartShardId: String?, childrenOf: String?) async throws(AWSError) -> StreamDescription

    /// A shard iterator: GetShardIterator.
    func shardIterator(streamArn: String, shardId: String, start: IteratorStart) async throws(AWSError) -> String

    /// One GetRecords answer: at most `limit` records (and 1 MB); an empty page is normal, even
    /// before data.
    func records(iterator: String, limit: Int) async throws(AWSError) -> RecordsPage

    /// The table's `LatestStreamArn` (DescribeTable), nil when the table has no stream enabled.
    func latestStreamArn(table: String) async throws(AWSError) -> String?
}

/// The service error codes the poller acts on (`AWSError/serviceCode`).
public enum StreamsErrorCode {
    /// The iterator is older than 15 minutes: ask for a new one.
    public static let expiredIterator = "ExpiredIteratorException"
    /// The iterator points at records already trimmed (older than 24 hours).
    public static let trimmedDataAccess = "TrimmedDataAccessException"
    /// The stream (or the shard) does not exist.
    public static let resourceNotFound = "ResourceNotFoundException"
    /// Too many requests: back off.
    public static let limitExceeded = "LimitExceededException"
    /// A server-side failure.
    public static let internalServerError = "InternalServerError"
}

/// One page of DescribeStream.
public struct StreamDescription: Sendable, Hashable {
    /// The stream's ARN.
    public var streamArn: String
    /// `ENABLING`, `ENABLED`, `DISABLING` or `DISABLED`.
    public var status: String
    /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`.
    public var viewType: String?
    /// The table the stream belongs to.
    public var tableName: String?
    /// The shards on this page.
    public var shards: [Shard]
    /// Where the next page starts; nil: this was the last page (the only way to know).
    public var lastEvaluatedShardId: String?

    public init(
        streamArn: String, status: String, viewType: String? = nil, tableName: String? = nil, shards: [Shard],
        lastEvaluatedShardId: String? = nil
    ) {
        self.streamArn = streamArn
        self.status = status
        self.viewType = viewType
        self.tableName = tableName
        self.shards = shards
        self.lastEvaluatedShardId = lastEvaluatedShardId
    }
}

/// A shard as DescribeStream lists it.
public struct Shard: Sendable, Hashable {
    /// The shard's ID.
    public var shardId: String
    /// The shard it was split from, if any (it may no longer be listed).
    public var parentShardId: String?
    /// The first SequenceNumber in the shard.
    public var startingSequenceNumber: String?
    /// The last SequenceNumber, once the shard is closed (no more records will be added).
    public var endingSequenceNumber: String?

    public init(shardId: String, parentShardId: String? = nil, startingSequenceNumber: String? = nil, endingSequenceNumber: String? = nil) {
        self.shardId = shardId
        self.parentShardId = parentShardId
        self.startingSequenceNumber = startingSequenceNumber
        self.endingSequenceNumber = endingSequenceNumber
    }

    /// Whether the shard is closed (it may still hold records not read yet).
    public var isClosed: Bool { endingSequenceNumber != nil }
}

/// Where a shard iterator starts.
public enum IteratorStart: Sendable, Hashable, CustomStringConvertible {
    /// The oldest record still in the shard.
    case trimHorizon
    /// Just after the newest record: only records written from now on.
    case latest
    /// At this SequenceNumber.
    case at(String)
    /// Just after this SequenceNumber (a checkpoint's resume).
    case after(String)

    /// `TRIM_HORIZON`, `LATEST`, `AT_SEQUENCE_NUMBER` or `AFTER_SEQUENCE_NUMBER`.
    public var iteratorType: String {
        switch self {
        case .trimHorizon: "TRIM_HORIZON"
        case .latest: "LATEST"
        case .at: "AT_SEQUENCE_NUMBER"
        case .after: "AFTER_SEQUENCE_NUMBER"
        }
    }

    /// The SequenceNumber it names, if any.
    public var sequenceNumber: String? {
        switch self {
        case .at(let number), .after(let number): number
        case .trimHorizon, .latest: nil
        }
    }

    public var description: String { sequenceNumber.map { "\(iteratorType) \($0)" } ?? iteratorType }
}

/// One GetRecords answer: its bytes as they came (what the engine reads: a GetRecords page is one
/// of the shapes `StreamNormalize` reads), and what the poller needs from it.
public struct RecordsPage: Sendable {
    /// The answer's body.
    public var body: [UInt8]
    /// Its records, in order.
    public var records: [PageRecord]
    /// The iterator for the next page; nil when the shard is closed and read to its end.
    public var nextShardIterator: String?

    public init(body: [UInt8], records: [PageRecord], nextShardIterator: String?) {
        self.body = body
        self.records = records
        self.nextShardIterator = nextShardIterator
    }
}

/// What the poller needs of one record in a page.
public struct PageRecord: Sendable, Hashable {
    /// `dynamodb.SequenceNumber`.
    public var sequenceNumber: String
    /// `dynamodb.ApproximateCreationDateTime`, epoch milliseconds, when present.
    public var approximateCreationMillis: Int64?

    public init(sequenceNumber: String, approximateCreationMillis: Int64?) {
        self.sequenceNumber = sequenceNumber
        self.approximateCreationMillis = approximateCreationMillis
    }
}
