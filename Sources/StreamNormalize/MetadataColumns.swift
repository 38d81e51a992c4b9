import DDBTypes

/// The metadata columns of a row for one set of options: their JSON, written once per row, and
/// the check that keeps item attributes from taking their names.
///
/// A class, held by the transcoder: its methods run once or twice per row, and a method of the
/// transcoder itself (a large struct, called from its mutating reading code) made Swift copy the
/// whole transcoder (784 bytes, a `memcpy`) for each call. The fragments are pointers into one
/// allocation rather than arrays: appending an array held by the transcoder costs a retain and a
/// release, seven times a row.
final class MetadataColumns {
    /// `"_eventName":"`, `","_eventId":"`, `","_seq":"`, `","_approxStreamTs":`, `,"_ingestTs":`,
    /// `,"is_deleted":`, `,"_ttlDelete":` (with the names of `MetadataNames`).
    let eventName, eventId, seq, approxStreamTs, ingestTs, isDeleted, ttlDelete: UnsafeBufferPointer<UInt8>
    private let fragments: UnsafeMutableBufferPointer<UInt8>
    /// The columns' names as UTF-8, and which bytes one of them can begin with, for the clash check.
    private let nameBytes: [[UInt8]]
    private let firstBytes: [Bool]
    /// `_ingestTs`'s value (epoch milliseconds), or nil for no such column.
    private let ingestTime: Int64?
    /// What a flat row without `updated_at` gets.
    let updatedAtFallback: UpdatedAtFallback

    init(_ options: NormalizeOptions) {
        let names = options.metadataNames
        // The names hold no quote, backslash or control character (MetadataNames.problem), so
        // they go into the JSON as they are.
        let texts = [
            "\"\(names.eventName)\":\"", "\",\"\(names.eventId)\":\"", "\",\"\(names.seq)\":\"",
            "\",\"\(names.approxStreamTs)\":", ",\"\(names.ingestTs)\":", ",\"\(names.isDeleted)\":", ",\"\(names.ttlDelete)\":",
        ].map { Array($0.utf8) }
        let all = texts.flatMap { $0 }
        fragments = .allocate(capacity: all.count)
        _ = fragments.initialize(from: all)
        var parts: [UnsafeBufferPointer<UInt8>] = []
        var offset = 0
        for text in texts {
            parts.append(UnsafeBufferPointer(rebasing: fragments[offset..<offset + text.count]))
            offset += text.count
        }
        (eventName, eventId, seq, approxStreamTs) = (parts[0], parts[1], parts[2], parts[3])
        (ingestTs, isDeleted, ttlDelete) = (parts[4], parts[5], parts[6])
        nameBytes = names.all.map { Array($0.utf8) }
        var first = [Bool](repeating: false, count: 256)
        for name in nameBytes { if let byte = name.first { first[Int(byte)] = true } }
        firstBytes = first
        ingestTime = options.ingestTime
        updatedAtFallback = options.updatedAtFallback
    }

    deinit { fragments.deallocate() }

    /// The columns after `_eventId` (`_seq`, `_approxStreamTs`, `_ingestTs`, `is_deleted`,
    /// `_ttlDelete`) and the row's end: the same for stream records and export lines.
    /// - Parameter digits: the sequence number's text (digits only), when the record has it
    ///   (see `OrderKey.append(to:sequenceDigits:)`).
    func appendTail(
        after kind: ChangeKind, changeTime: Int64, sequence: SequenceNumber, digits: UnsafeBufferPointer<UInt8>? = nil, isTTL: Bool,
        to out: inout RowWriter
    ) {
        out.append(seq)
        let timeStart = out.count
        OrderKey(changeTime: changeTime, sequenceNumber: sequence).append(to: &out, sequenceDigits: digits)
        out.append(approxStreamTs)
        if changeTime >= 1_000_000_000_000 {
            // Thirteen digits, as `_seq` starts with them.
            out.appendWritten(from: timeStart, count: 13)
        } else {
            out.appendDecimal(changeTime)
        }
        if let ingestTime {
            out.append(ingestTs)
            out.appendDecimal(ingestTime)
        }
        out.append(isDeleted)
        out.append(kind == .remove ? "true" : "false")
        out.append(ttlDelete)
        out.append(isTTL ? "true}\n" : "false}\n")
    }

    /// Appends `"updated_at":<millis>,` in the fallback's form (nothing for `.off`).
    func appendUpdatedAt(_ millis: Int64, to out: inout RowWriter) {
        out.append("\"updated_at\":")
        switch updatedAtFallback {
        case .off: return
        case .epochMillis:
            out.appendDecimal(millis)
        case .epochSeconds:
            out.appendDecimal(millis / 1000)
            if millis % 1000 != 0 {
                out.append(UInt8(ascii: "."))
                out.appendDecimal(UInt64(millis % 1000), width: 3)
            }
        case .iso8601:
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: Array(ISO8601.format(epochMillis: millis).utf8))
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: ","))
    }

    /// Rejects the attributes of the item just transcoded with `scratch` that are named like a
    /// metadata column (an item attribute of the same name would be ambiguous); reports whether
    /// `updated_at` is present.
    ///
    /// An item whose names all have ids (``KnownNames``; nearly all) is checked by them: each name
    /// is classified once, when its id first comes, into `marks`. Any other item, and one with a
    /// metadata column's name, goes the general way, which names the clash.
    /// - Parameter marks: what this check found of `scratch`'s ids so far; kept beside `scratch`.
    @inline(__always)
    func checkNames(
        of scratch: borrowing TranscodeScratch, marks: inout NameMarks, in cursor: JSONCursor, image: StaticString
    ) throws(DDBError) -> Bool {
        if scratch.itemNamesKnown, let hasUpdatedAt = marks.hasUpdatedAt(scratch.itemIDs, scratch.knownNames, self) {
            return hasUpdatedAt
        }
        return try checkNames(scratch.itemNames, in: cursor, image: image)
    }

    /// Rejects item attributes named like a metadata column; reports whether `updated_at` is
    /// present. The general way, name by name.
    func checkNames(_ names: ScratchList<StringSpan>, in cursor: JSONCursor, image: StaticString) throws(DDBError) -> Bool {
        var hasUpdatedAt = false
        for name in names.buffer {
            if name.hasEscapes {
                let decoded = cursor.decodedBytes(name)
                if let column = nameBytes.first(where: { $0 == decoded }) { throw clash(column, name, image) }
                if decoded.elementsEqual("updated_at".utf8) { hasUpdatedAt = true }
                continue
            }
            let first = cursor.base[name.start]
            if first == UInt8(ascii: "u") && cursor.text(name, is: "updated_at") { hasUpdatedAt = true }
            guard firstBytes[Int(first)] else { continue }
            for column in nameBytes where column.count == name.count {
                if column.withUnsafeBufferPointer({ memcmpEqual($0.baseAddress!, cursor.base + name.start, name.count) }) {
                    throw clash(column, name, image)
                }
            }
        }
        return hasUpdatedAt
    }

    /// What ``checkNames(_:in:image:)`` finds of one name without escapes: whether it is a
    /// metadata column's, and whether it is `updated_at`.
    fileprivate func classify(_ name: UnsafeBufferPointer<UInt8>) -> (isColumn: Bool, isUpdatedAt: Bool) {
        let isColumn = nameBytes.contains { column in column.count == name.count && column.elementsEqual(name) }
        return (isColumn, name.elementsEqual("updated_at".utf8))
    }

    private func clash(_ column: [UInt8], _ name: StringSpan, _ image: StaticString) -> DDBError {
        let text = String(decoding: column, as: UTF8.self)
        return DDBError(
            .nameClash,
            "the item has an attribute named \"\(text)\", which is a metadata column of flat rows; rename the metadata columns "
                + "as a set with --metadata-prefix (DDBCDC_METADATA_PREFIX for the Lambda; the same prefix for emit-notebook), "
                + "or use --layout envelope",
            path: [.name(image.description), .name(text)], offset: name.start)
    }
}

/// What ``MetadataColumns`` found of the attribute names with ids (``KnownNames``) of one
/// scratch, one bit per id: whether each is a metadata column's name, and whether it is
/// `updated_at`. Kept beside the scratch whose ids they are (a copy of a transcoder copies both),
/// not in the columns, which copies share.
struct NameMarks {
    private var classified: UInt64 = 0, columns: UInt64 = 0, updatedAt: UInt64 = 0

    /// Whether the names `ids` include `updated_at`, or nil when one of them is a metadata
    /// column's (the general check names it). Classifies the ids not seen before.
    @inline(__always)
    fileprivate mutating func hasUpdatedAt(_ ids: UInt64, _ names: borrowing KnownNames, _ metadata: MetadataColumns) -> Bool? {
        var fresh = ids & ~classified
        while fresh != 0 {
            let id = fresh.trailingZeroBitCount
            fresh &= fresh &- 1
            let found = metadata.classify(names.name(id))
            if found.isColumn { columns |= 1 &<< UInt64(id) }
            if found.isUpdatedAt { updatedAt |= 1 &<< UInt64(id) }
            classified |= 1 &<< UInt64(id)
        }
        return ids & columns == 0 ? ids & updatedAt != 0 : nil
    }
}
