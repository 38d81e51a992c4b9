/// The kind of change a stream record describes.
public enum ChangeKind: String, Sendable {
    case insert = "INSERT"
    case modify = "MODIFY"
    case remove = "REMOVE"
}

/// What the pipeline needs to know about a row besides its bytes.
public struct RowInfo: Sendable, Hashable {
    /// INSERT, MODIFY or REMOVE.
    public var kind: ChangeKind
    /// The change's time, epoch milliseconds (`ApproximateCreationDateTime`).
    public var changeTime: Int64
    /// The order key, `_seq`: 13-digit epoch ms, `-`, 40-digit sequence number.
    public var orderKey: String
    /// The stream record's `eventID`.
    public var eventID: String
    /// Whether DynamoDB's TTL process made this delete.
    public var isTTLDelete: Bool
}

/// Builds and parses the order key `_seq`.
public enum OrderKey {
    /// Width of the time part.
    public static let timeDigits = 13
    /// Width of the sequence-number part.
    public static let sequenceDigits = 40

    /// `_seq` for a change at `epochMillis` with stream sequence number `sequenceNumber` (decimal digits).
    public static func make(epochMillis: Int64, sequenceNumber: some StringProtocol) -> String {
        let time = String(epochMillis)
        let digits = sequenceNumber.drop(while: { $0 == "0" })
        return String(repeating: "0", count: max(0, timeDigits - time.utf8.count)) + time + "-"
            + String(repeating: "0", count: max(0, sequenceDigits - digits.utf8.count)) + digits
    }
}
