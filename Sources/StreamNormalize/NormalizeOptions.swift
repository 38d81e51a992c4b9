public import DDBTypes

/// The shape of a row.
public enum RowLayout: String, Sendable, CaseIterable {
    /// The item's attributes at the top level, plus the metadata columns (the default).
    case flat
    /// Debezium's shape: `op`, `keys`, `before`, `after`, plus the metadata columns.
    case envelope
}

/// What a tombstone (the row of a REMOVE) carries in the flat layout.
public enum TombstoneImage: String, Sendable, CaseIterable {
    /// The item's key attributes only.
    case keys
    /// The item as it was before the delete (`OldImage`), or its keys when the stream has no old image.
    case old
}

/// How `updated_at` is filled in where an item lacks it.
public enum UpdatedAtFallback: String, Sendable, CaseIterable {
    /// Leave items without `updated_at` as they are (the default).
    case off
    /// Epoch milliseconds of the change, as a number.
    case epochMillis = "epoch-ms"
    /// Epoch seconds of the change, as a number (fractions kept to the millisecond).
    case epochSeconds = "epoch-s"
    /// ISO 8601 text in UTC with milliseconds: `2026-01-01T00:00:00.123Z`.
    case iso8601
}

/// How stream records become rows.
public struct NormalizeOptions: Sendable {
    /// Flat (default) or envelope rows.
    public var layout: RowLayout = .flat
    /// Numbers as exact JSON numbers (default) or strings.
    public var numbers: NumberOutput = .exact
    /// What a tombstone carries in the flat layout.
    public var tombstoneImage: TombstoneImage = .keys
    /// Whether and how to fill in a missing `updated_at`.
    public var updatedAtFallback: UpdatedAtFallback = .off
    /// `_ingestTs`, epoch milliseconds; `nil` leaves the column out.
    public var ingestTime: Int64?

    /// Creates options; every property has a default.
    public init(
        layout: RowLayout = .flat, numbers: NumberOutput = .exact, tombstoneImage: TombstoneImage = .keys,
        updatedAtFallback: UpdatedAtFallback = .off, ingestTime: Int64? = nil
    ) {
        self.layout = layout
        self.numbers = numbers
        self.tombstoneImage = tombstoneImage
        self.updatedAtFallback = updatedAtFallback
        self.ingestTime = ingestTime
    }
}
