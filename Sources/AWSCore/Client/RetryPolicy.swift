/// Bounded attempts with exponential backoff and full jitter
/// (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
///
/// The defaults — 5 attempts, ceilings from 200 ms doubling to at most 10 s — are the one set every
/// client here uses, `ddbcdc run` and the Lambda function alike (`--max-attempts` and
/// `DDBCDC_MAX_ATTEMPTS` change only the attempts). Why these:
/// - Giving up is expensive everywhere: `run` exits 74 and is rerun; the Lambda function reports
///   the records and Lambda invokes it again from the first of them, re-reading and rewriting
///   every object after it. A few seconds of waiting cost less than either.
/// - Waiting is bounded: the four waits of five attempts draw from ceilings of 0.2, 0.4, 0.8 and
///   1.6 s, at most 3 s in all (1.5 s expected), on top of the attempts themselves; in Lambda the
///   invocation's deadline bounds it anyway, since uploads still pending then are reported.
/// - S3 answers a burst with 503 SlowDown and asks clients to back off; five attempts spread
///   over up to 3 s give a burst or a restarting endpoint time to pass, where the function's old
///   policy (3 attempts, 100 ms – 2 s: at most 0.3 s of waiting) gave it almost none.
/// - The 10 s cap matters only when more attempts are asked for, so that a long budget keeps
///   trying at a steady pace instead of waiting minutes.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The backoff's first ceiling, in milliseconds; it doubles each attempt.
    public var baseDelayMillis: Int64
    /// The largest ceiling.
    public var maxDelayMillis: Int64

    /// A policy; the defaults are the project's one set (see the type's documentation).
    public init(maxAttempts: Int = RetryPolicy.defaultMaxAttempts, baseDelayMillis: Int64 = 200, maxDelayMillis: Int64 = 10_000) {
        self.maxAttempts = maxAttempts
        self.baseDelayMillis = baseDelayMillis
        self.maxDelayMillis = maxDelayMillis
    }

    /// The attempts a request gets unless told otherwise: 5.
    public static let defaultMaxAttempts = 5

    /// The wait before attempt `attempt + 1` (after `attempt` failures, from 1): a uniform draw in
    /// `0...min(max, base × 2^(attempt-1))`.
    public func delayMillis(afterAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelayMillis, baseDelayMillis << exponent)
        return ceiling > 0 ? Int64.random(in: 0...ceiling, using: &random) : 0
    }
}
