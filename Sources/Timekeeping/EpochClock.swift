#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A moment as whole milliseconds since 1970-01-01T00:00:00Z: the one unit of time that passes
/// between modules (flush ages, deadlines, signing dates, credential expiry).
public struct EpochMillis: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the epoch.
    public var rawValue: Int64

    /// The moment `rawValue` milliseconds after the epoch.
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The moment `seconds` whole seconds after the epoch.
    public init(seconds: Int64) { self.rawValue = seconds * 1000 }

    /// Whole seconds since the epoch, rounded down.
    public var seconds: Int64 { rawValue >= 0 ? rawValue / 1000 : (rawValue - 999) / 1000 }

    /// The moment `millis` milliseconds later (earlier when negative).
    public func adding(millis: Int64) -> EpochMillis { EpochMillis(rawValue: rawValue + millis) }

    /// Milliseconds from `other` to this moment.
    public func millis(since other: EpochMillis) -> Int64 { rawValue - other.rawValue }

    public static func < (lhs: EpochMillis, rhs: EpochMillis) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "\(rawValue) ms" }
}

/// Where the time comes from: the system's real-time clock in programs, a clock a test sets by
/// hand in tests. Every module that needs the time takes one of these; none reads the system
/// clock itself.
public struct EpochClock: Sendable {
    private let read: @Sendable () -> EpochMillis

    /// A clock that reads the time from `read`.
    public init(_ read: @escaping @Sendable () -> EpochMillis) { self.read = read }

    /// The time now.
    public func now() -> EpochMillis { read() }

    /// The system's real-time clock (`CLOCK_REALTIME`).
    public static let system = EpochClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return EpochMillis(rawValue: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// A clock that always says `moment`.
    public static func fixed(_ moment: EpochMillis) -> EpochClock { EpochClock { moment } }
}

/// A clock that moves only when told to: for tests of ages, deadlines and expiry.
public final class ManualClock: Sendable {
    private let current: Mutex<EpochMillis>

    /// A clock that starts at `start`.
    public init(_ start: EpochMillis = EpochMillis(rawValue: 0)) { current = Mutex(start) }

    /// The time it says now.
    public var now: EpochMillis { current.withLock { $0 } }

    /// Moves the time on by `millis`.
    public func advance(millis: Int64) { current.withLock { $0 = $0.adding(millis: millis) } }

    /// Sets the time.
    public func set(_ moment: EpochMillis) { current.withLock { $0 = moment } }

    /// An ``EpochClock`` that reads this clock.
    public var clock: EpochClock { EpochClock { [self] in now } }
}
