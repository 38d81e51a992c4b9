import StreamNormalize

/// One hour of changes: the folder `dt=YYYY-MM-dd/HH=HH` (UTC) its objects go to.
public struct Partition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Hours since 1970-01-01T00:00Z.
    public let hour: Int64

    /// The partition of a time in epoch milliseconds.
    public init(epochMillis: Int64) {
        hour = epochMillis >= 0 ? epochMillis / 3_600_000 : (epochMillis - 3_599_999) / 3_600_000
    }

    /// `dt=2026-01-01/HH=07`.
    public var description: String {
        let days = hour >= 0 ? hour / 24 : (hour - 23) / 24
        let (year, month, day) = ISO8601.civil(fromDays: Int(days))
        let hourOfDay = Int(hour - days * 24)
        return "dt=\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))/HH=\(pad(hourOfDay, 2))"
    }

    public static func < (lhs: Partition, rhs: Partition) -> Bool { lhs.hour < rhs.hour }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// Which time puts a row in its partition.
package enum PartitionTime: String, Sendable, CaseIterable {
    /// The change's time (`ApproximateCreationDateTime`): a replay lands where the original did.
    case eventTime = "event-time"
    /// The time the row was batched.
    case ingestTime = "ingest-time"
}
