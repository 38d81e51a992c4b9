/// Bounded attempts with exponential backoff and full jitter
/// (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The backoff's first ceiling, in milliseconds; it doubles each attempt.
    public var baseDelayMillis: Int64
    /// The largest ceiling.
    public var maxDelayMillis: Int64

    public init(maxAttempts: Int = 5, baseDelayMillis: Int64 = 200, maxDelayMillis: Int64 = 10_000) {
        self.maxAttempts = maxAttempts
        self.baseDelayMillis = baseDelayMillis
        self.maxDelayMillis = maxDelayMillis
    }

    /// The wait before attempt `attempt + 1` (after `attempt` failures, from 1): a uniform draw in
    /// `0...min(max, base × 2^(attempt-1))`.
    public func delayMillis(afterAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelayMillis, baseDelayMillis << exponent)
        return ceiling > 0 ? Int64.random(in: 0...ceiling, using: &random) : 0
    }
}
