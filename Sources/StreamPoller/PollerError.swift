/// Why the poller stopped before its end, or could not start: the one error type of StreamPoller.
///
/// ``code`` is stable (for programs and the command's exit status); ``message`` says what
/// happened and what to do, naming the stream, the shard, the checkpoint or the lock.
package struct PollerError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    package enum Code: String, Sendable, Hashable {
        /// The stream does not exist (any more), is disabled, or the table's stream was re-created.
        case streamUnavailable = "stream-unavailable"
        /// Records were trimmed (older than 24 hours) before they were read.
        case trimmed = "trimmed"
        /// Another poller holds the stream's lock, or this one lost it.
        case locked = "locked"
        /// The checkpoint cannot be read, is not one, or belongs to another stream.
        case badCheckpoint = "bad-checkpoint"
        /// The checkpoint could not be written.
        case checkpointFailed = "checkpoint-failed"
        /// DynamoDB Streams failed after every retry, or answered what cannot be read.
        case serviceFailed = "service-failed"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
