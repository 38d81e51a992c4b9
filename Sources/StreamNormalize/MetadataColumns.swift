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
    /// What follows `_approxStreamTs`'s digits to the row's end, for each of `is_deleted` and
    /// `_ttlDelete` (index: 2 × is_deleted + _ttlDelete): `_ingestTs` with its value (the same
    /// in every row), the two flags, `}` and the newline. In `fragments`, each padded to whole
    /// chunks of ``chunk`` bytes.
    private let endings: [UnsafeBufferPointer<UInt8>]
    /// How many bytes the tail of a stream record's row can take (``appendTail(after:changeTime:sequence:digits:isTTL:to:)``),
    /// with the chunks' padding.
    private let tailCapacity: Int
    private static let chunk = 16
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
        let ingest = options.ingestTime.map { texts[4] + Array(String($0).utf8) } ?? []
        let endingTexts = [(false, false), (false, true), (true, false), (true, true)].map { deleted, ttl in
            ingest + texts[5] + Array((deleted ? "true" : "false").utf8) + texts[6] + Array((ttl ? "true}\n" : "false}\n").utf8)
        }
        // Each text padded to whole chunks: the tail copies them a chunk at a time.
        let chunk = Self.chunk
        let padded = (texts + endingTexts).map { $0 + [UInt8](repeating: 0, count: (chunk - $0.count % chunk) % chunk) }
        let all = padded.flatMap { $0 }
        fragments = .allocate(capacity: all.count)
        _ = fragments.initialize(from: all)
        var parts: [UnsafeBufferPointer<UInt8>] = []
        var offset = 0
        for (text, room) in zip(texts + endingTexts, padded) {
            parts.append(UnsafeBufferPointer(rebasing: fragments[offset..<offset + text.count]))
            offset += room.count
        }
        (eventName, eventId, seq, approxStreamTs) = (parts[0], parts[1], parts[2], parts[3])
        (ingestTs, isDeleted, ttlDelete) = (parts[4], parts[5], parts[6])
        endings = Array(parts[7...])
        // Fragments rounded up to chunks, 13 + 1 + 40 digits of `_seq` and 13 of `_approxStreamTs`.
        tailCapacity = padded[2].count + 54 + padded[3].count + 13 + padded[7...].map(\.count).max()!
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
        if let digits, digits.count <= 40, changeTime >= 1_000_000_000_000 && changeTime < 10_000_000_000_000 {
            // A stream record's row (nearly all rows): written at once, `_seq`'s digits where they go.
            let ending = endings[(kind == .remove ? 2 : 0) + (isTTL ? 1 : 0)]
            out.write(atMost: tailCapacity) { start in
                var p = start
                Self.copyChunks(seq, to: &p)
                let time = p
                RowWriter.putDigits(UInt64(changeTime), count: 13, at: p)
                p[13] = UInt8(ascii: "-")
                // Forty zeros, then the digits over their end.
                let zeros = SIMD16<UInt8>(repeating: UInt8(ascii: "0"))
                let raw = UnsafeMutableRawPointer(p + 14)
                raw.storeBytes(of: zeros, as: SIMD16<UInt8>.self)
                raw.storeBytes(of: zeros, toByteOffset: 16, as: SIMD16<UInt8>.self)
                raw.storeBytes(of: zeros, toByteOffset: 24, as: SIMD16<UInt8>.self)
                RowWriter.copy(digits.baseAddress!, to: p + 54 - digits.count, count: digits.count)
                p += 54
                Self.copyChunks(approxStreamTs, to: &p)
                // Thirteen digits, as `_seq` starts with them.
                RowWriter.copy(time, to: p, count: 13)
                p += 13
                Self.copyChunks(ending, to: &p)
                return start.distance(to: p)
            }
            return
        }
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

    /// Copies a fragment a chunk at a time (its padding is written too, and written over next)
    /// and moves `p` past its text.
    @inline(__always)
    private static func copyChunks(_ fragment: UnsafeBufferPointer<UInt8>, to p: inout UnsafeMutablePointer<UInt8>) {
        let from = UnsafeRawPointer(fragment.baseAddress!), to = UnsafeMutableRawPointer(p)
        var offset = 0
        repeat {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self), toByteOffset: offset, as: SIMD16<UInt8>.self)
            offset &+= chunk
        } while offset < fragment.count
        p += fragment.count
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
