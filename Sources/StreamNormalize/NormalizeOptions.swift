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

/// The names of the metadata columns a row carries, renamed as a set for tables whose items
/// already use one of them (`is_deleted` is a common attribute).
///
/// Without a prefix they are the seed's names (`_eventName`, `_eventId`, `_seq`,
/// `_approxStreamTs`, `_ingestTs`, `is_deleted`, `_ttlDelete`), so its notebook still reads the
/// rows. With a prefix `P` every one is `P` + its base name: `PeventName`, `PeventId`, `Pseq`,
/// `PapproxStreamTs`, `PingestTs`, `Pis_deleted`, `PttlDelete` (`--metadata-prefix _cdc_` gives
/// `_cdc_seq`, `_cdc_is_deleted`, …). `emit-notebook --metadata-prefix` uses the same rule.
public struct MetadataNames: Sendable, Hashable {
    /// The change kind's column: `INSERT`, `MODIFY` or `REMOVE` (`_eventName`).
    public var eventName: String
    /// The stream record's `eventID` (`_eventId`).
    public var eventId: String
    /// The order key (`_seq`): see ``OrderKey``.
    public var seq: String
    /// The change's time, epoch milliseconds (`_approxStreamTs`).
    public var approxStreamTs: String
    /// When the row was made, epoch milliseconds (`_ingestTs`), if ``NormalizeOptions/ingestTime`` is set.
    public var ingestTs: String
    /// Whether the row is a tombstone (`is_deleted`).
    public var isDeleted: String
    /// Whether DynamoDB's TTL made the delete (`_ttlDelete`).
    public var ttlDelete: String
    /// The prefix given, or nil for the seed's names.
    public let prefix: String?

    /// The seed's names.
    public static let seed = MetadataNames(eventName: "_eventName", eventId: "_eventId", seq: "_seq", approxStreamTs: "_approxStreamTs",
        ingestTs: "_ingestTs", isDeleted: "is_deleted", ttlDelete: "_ttlDelete", prefix: nil)

    private init(eventName: String, eventId: String, seq: String, approxStreamTs: String, ingestTs: String, isDeleted: String, ttlDelete: String, prefix: String?) {
        (self.eventName, self.eventId, self.seq, self.approxStreamTs) = (eventName, eventId, seq, approxStreamTs)
        (self.ingestTs, self.isDeleted, self.ttlDelete, self.prefix) = (ingestTs, isDeleted, ttlDelete, prefix)
    }

    /// What is wrong with `prefix` as a metadata prefix, or nil: it must be 1 to 64 bytes without
    /// control characters, quotes or backslashes (the names go into JSON and SQL as they are).
    public static func problem(withPrefix prefix: String) -> String? {
        if prefix.isEmpty || prefix.utf8.count > 64
            || prefix.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\"" || $0 == "\\" })
        {
            return "the metadata prefix '\(prefix)' must be 1 to 64 bytes without control characters, quotes or backslashes"
        }
        return nil
    }

    /// The names with `prefix` before every base name; nil gives the seed's names. Check the
    /// prefix with `problem(withPrefix:)` first.
    public init(prefix: String?) {
        guard let prefix else {
            self = .seed
            return
        }
        self.init(
            eventName: prefix + "eventName", eventId: prefix + "eventId", seq: prefix + "seq", approxStreamTs: prefix + "approxStreamTs",
            ingestTs: prefix + "ingestTs", isDeleted: prefix + "is_deleted", ttlDelete: prefix + "ttlDelete", prefix: prefix)
    }

    /// Every name, in the order rows carry them.
    public var all: [String] { [eventName, eventId, seq, approxStreamTs, ingestTs, isDeleted, ttlDelete] }
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
    /// The metadata columns' names (the seed's by default).
    public var metadataNames: MetadataNames = .seed
    /// What the input holds: `nil` for stream records in any shape (the default); set, the lines
    /// of a DynamoDB export's data files, which become rows as ``ExportRows`` says.
    public var exportLines: ExportRows?

    /// Creates options; every property has a default.
    public init(
        layout: RowLayout = .flat, numbers: NumberOutput = .exact, tombstoneImage: TombstoneImage = .keys,
        updatedAtFallback: UpdatedAtFallback = .off, ingestTime: Int64? = nil, metadataNames: MetadataNames = .seed,
        exportLines: ExportRows? = nil
    ) {
        self.metadataNames = metadataNames
        self.exportLines = exportLines
        self.layout = layout
        self.numbers = numbers
        self.tombstoneImage = tombstoneImage
        self.updatedAtFallback = updatedAtFallback
        self.ingestTime = ingestTime
    }
}
