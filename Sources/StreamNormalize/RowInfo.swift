import DDBTypes

/// The kind of change a stream record describes.
public enum ChangeKind: String, Sendable {
    /// A new item (`INSERT`): the row holds its new image.
    case insert = "INSERT"
    /// A changed item (`MODIFY`): the row holds its new image.
    case modify = "MODIFY"
    /// A deleted item (`REMOVE`): the row is a tombstone.
    case remove = "REMOVE"
}

/// What the pipeline needs to know about a row besides its bytes. Holds no heap memory of its
/// own: the table name is shared by the rows of one stream.
public struct RowInfo: Sendable, Hashable {
    /// INSERT, MODIFY or REMOVE.
    public var kind: ChangeKind
    /// The change's time, epoch milliseconds (`ApproximateCreationDateTime`).
    public var changeTime: Int64
    /// The stream record's `SequenceNumber`.
    public var sequenceNumber: SequenceNumber
    /// Whether DynamoDB's TTL process made this delete.
    public var isTTLDelete: Bool
    /// Where the `eventID`'s JSON text (quotes excluded) lies in the row's bytes.
    public var eventIDRange: Range<Int>
    /// The table the change belongs to (from `eventSourceARN`); `nil` when the record does not say
    /// (`GetRecords` pages carry no ARN).
    public var table: String?
    /// How many characters the record's `SequenceNumber` text has (leading zeros included).
    package var sequenceTextLength: Int

    /// Creates row facts.
    public init(
        kind: ChangeKind, changeTime: Int64, sequenceNumber: SequenceNumber, isTTLDelete: Bool, eventIDRange: Range<Int>,
        table: String? = nil, sequenceTextLength: Int = 0
    ) {
        self.kind = kind
        self.changeTime = changeTime
        self.sequenceNumber = sequenceNumber
        self.isTTLDelete = isTTLDelete
        self.eventIDRange = eventIDRange
        self.table = table
        self.sequenceTextLength = sequenceTextLength
    }

    /// The record's own `SequenceNumber` text (`"000123"` stays `"000123"`): what a Lambda partial
    /// batch response must name.
    public var sequenceNumberText: String {
        let padded = sequenceNumber.description
        guard sequenceTextLength > 0 else { return sequenceNumber.decimal }
        if sequenceTextLength <= padded.utf8.count { return String(padded.suffix(sequenceTextLength)) }
        return String(repeating: "0", count: sequenceTextLength - padded.utf8.count) + padded
    }

    /// The order key, `_seq`.
    public var orderKey: OrderKey { OrderKey(changeTime: changeTime, sequenceNumber: sequenceNumber) }
}

/// A stream sequence number: up to 40 decimal digits, compared as an integer.
public struct SequenceNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The digits before the last 19 (at most 21 of them), and the last 19.
    private let high: UInt128, low: UInt64

    /// Parses decimal digits; `nil` if `text` is empty, has a non-digit or more than 40 significant digits.
    public init?<Text: StringProtocol>(_ text: Text) {
        let digits = Array(text.utf8)
        guard let parsed = digits.withUnsafeBufferPointer({ SequenceNumber(digits: $0) }) else { return nil }
        self = parsed
    }

    init?(digits: UnsafeBufferPointer<UInt8>) {
        let count = digits.count
        guard count > 0 else { return nil }
        var start = 0
        while start < count &- 1 && digits[start] == UInt8(ascii: "0") { start &+= 1 }
        guard count &- start <= 40 else { return nil }
        // The last 19 digits go into `low`; those before (at most 21) into `high`, 64 bits at a
        // time while they fit (19 digits), so that a stream's usual 21 digits need no 128-bit
        // multiplication.
        let split = max(start, count &- 19)
        let headEnd = min(split, start &+ 19)
        guard let base = digits.baseAddress, let head = DecimalDigits.checkedValue(base + start, count: headEnd &- start),
            let low = DecimalDigits.checkedValue(base + split, count: count &- split)
        else { return nil }
        var high = UInt128(head)
        var index = headEnd
        while index < split {
            let digit = digits[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            high = high &* 10 &+ UInt128(digit)
            index &+= 1
        }
        // Leading zeros were skipped without being checked as digits: they are zeros.
        self.high = high
        self.low = low
    }

    /// Zero: the sequence number of backfilled rows, before any stream change.
    public static let zero = SequenceNumber("0")!

    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The number without leading zeros, as DynamoDB writes it (`4421584500000000017450439091`).
    public var decimal: String {
        let padded = description
        let digits = padded.drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }

    /// The 40 zero-padded digits.
    public var description: String {
        var out = RowWriter(capacity: 40)
        append(to: &out)
        return String(decoding: out.written, as: UTF8.self)
    }

    /// Appends the 40 zero-padded digits.
    @inline(__always)
    func append(to out: inout RowWriter) {
        // `high` has at most 21 digits. Stream sequence numbers have about 21, so `high` is
        // small: split it with 64-bit arithmetic (a multiplication by a constant), and keep the
        // 128-bit division, a library call, for the rest.
        if let small = UInt64(exactly: high) {
            out.appendDecimal(small / 10_000_000_000_000_000_000, width: 2)
            out.appendDecimal(small % 10_000_000_000_000_000_000, width: 19)
        } else {
            let (top, rest) = high.quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
            out.appendDecimal(UInt64(top), width: 2)
            out.appendDecimal(UInt64(rest), width: 19)
        }
        out.appendDecimal(low, width: 19)
    }
}

/// The order key `_seq`: 13-digit epoch ms, `-`, the 40-digit sequence number. Its text sorts
/// in the change order of an item.
public struct OrderKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The change's time, epoch milliseconds (at most 13 digits).
    public var changeTime: Int64
    /// The stream sequence number (zero for backfilled rows).
    public var sequenceNumber: SequenceNumber

    /// Creates an order key.
    public init(changeTime: Int64, sequenceNumber: SequenceNumber) {
        self.changeTime = changeTime
        self.sequenceNumber = sequenceNumber
    }

    public static func < (lhs: OrderKey, rhs: OrderKey) -> Bool {
        (lhs.changeTime, lhs.sequenceNumber) < (rhs.changeTime, rhs.sequenceNumber)
    }

    /// `1767225600123-0000000000004421584500000000017450439091`.
    public var description: String {
        var out = RowWriter(capacity: 54)
        append(to: &out)
        return String(decoding: out.written, as: UTF8.self)
    }

    /// Appends the key's 54 characters.
    /// - Parameter digits: the sequence number's own digits (no sign, none but digits), when at
    ///   hand: up to 40 of them are written zero-padded rather than formatted from the number.
    @inline(__always)
    func append(to out: inout RowWriter, sequenceDigits digits: UnsafeBufferPointer<UInt8>? = nil) {
        out.appendDecimal(UInt64(changeTime), width: 13)
        out.append(UInt8(ascii: "-"))
        if let digits, digits.count <= 40 {
            out.append(UInt8(ascii: "0"), count: 40 &- digits.count)
            out.append(digits)
        } else {
            sequenceNumber.append(to: &out)
        }
    }
}
