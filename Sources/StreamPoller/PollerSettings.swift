/// Where reading starts when a shard has no checkpoint to resume from.
package enum StartFrom: String, Sendable, CaseIterable {
    /// Every shard from its oldest record (the last 24 hours); the checkpoint is not read.
    case trimHorizon = "trim-horizon"
    /// Open shards from now on, closed ones not at all; the checkpoint is not read.
    case latest
    /// Each shard after its checkpointed SequenceNumber; shards the checkpoint does not have (or
    /// no checkpoint at all) from their oldest record.
    case checkpoint
}

/// What to do when records were trimmed before they were read.
package enum TrimPolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming the shard and what was lost.
    case stop
    /// Record the gap as an object under `_gaps/`, count it, and read on from the oldest record left.
    case `continue`
}

/// How the poller reads a stream.
package struct PollerSettings: Sendable {
    /// The stream.
    package var streamArn: String
    /// The table, for the checkpoint and messages.
    package var table: String?
    /// Where shards without a checkpoint start.
    package var start: StartFrom = .checkpoint
    /// Drain what the stream holds now, then end.
    package var untilCaughtUp = false
    /// Empty answers in a row after which an open shard counts as caught up (DynamoDB Streams has
    /// no "behind latest" measure; a shard may answer empty pages before its data).
    package var emptyAnswersToCatchUp = 3
    /// How long a shard that answered empty waits before it is polled again.
    package var pollIntervalMillis: Int64 = 1000
    /// How often the shards are listed again (they are also looked up at every shard's end).
    package var listIntervalMillis: Int64 = 10_000
    /// Shards read at once (one reader per shard, always).
    package var readers = 8
    /// Records asked for per GetRecords (at most 1000).
    package var pageLimit = 1000
    /// Trimmed records: stop, or record the gap and go on.
    package var onTrim: TrimPolicy = .stop
    /// How often the checkpoint is written while it changes.
    package var checkpointIntervalMillis: Int64 = 5000
    /// Unreadable answers in a row from one shard before the poller stops.
    package var maxInvalidAnswers = 3
    /// Failed rounds in a row (each the client's own retries) before the poller stops; throttling
    /// is not a failure: a throttled shard backs off for as long as it takes.
    package var maxFailedRounds = 5
    /// The longest backoff after throttling or a failure.
    package var maxBackoffMillis: Int64 = 10_000

    package init(streamArn: String, table: String? = nil) {
        self.streamArn = streamArn
        self.table = table ?? Self.tableName(streamArn: streamArn)
    }

    /// `T` of `arn:aws:dynamodb:region:account:table/T/stream/label`.
    package static func tableName(streamArn: String) -> String? {
        guard let range = streamArn.firstRange(of: ":table/") else { return nil }
        let rest = streamArn[range.upperBound...]
        let name = rest.prefix { $0 != "/" }
        return name.isEmpty ? nil : String(name)
    }
}
