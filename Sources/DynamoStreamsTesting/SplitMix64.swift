/// A small, fast, seedable random number generator (Steele, Lea and Flood's SplitMix64): the same
/// seed gives the same sequence on every machine, so a failing property test replays from the
/// seed it prints.
///
/// The fake draws everything random from one of these (lineage, record counts, sequence number
/// gaps, fault schedules), and tests can use it with the standard library's
/// `Int.random(in:using:)` and `Array.shuffled(using:)`.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The generator's whole state: the next value is `mix(state + γ)`.
    public var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's output function alone. It is a bijection of `UInt64` (distinct inputs give
    /// distinct outputs), so it makes unique values from a counter (the fake's eventIDs) and
    /// random choices from an index without keeping state (a fault per call number).
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly drawn integer of `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// True with probability `probability` (0 never, 1 always).
    public mutating func chance(_ probability: Double) -> Bool {
        // 53 random bits as a fraction in [0, 1): exact in a Double.
        Double(next() >> 11) / Double(1 << 53) < probability
    }
}
