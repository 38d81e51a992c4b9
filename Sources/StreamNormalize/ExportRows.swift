import DDBTypes

/// How the lines of a DynamoDB export's data files become rows (a backfill), and the order key
/// they get so that they never tie with a stream record and lose to every change the stream
/// carries from `exportTime − overlap` on.
///
/// Stream records carry `ApproximateCreationDateTime` rounded down to the second, so their
/// `_seq` time ends in `000` ms. Export rows get a time that ends in `999` ms:
/// - a full export: `floor_to_second(exportTime − overlap) − 1 ms`, sequence 40 zeros;
/// - an incremental export: `floor_to_second(WriteTimestampMicros − overlap) − 1 ms`, sequence
///   `WriteTimestampMicros` zero-padded to 40 digits (a later incremental write beats a full
///   export taken in the same second).
///
/// Rows are upserts (`_eventName` `INSERT`, `is_deleted` false); an incremental export's delete
/// (a line without `NewImage`) is a tombstone (`REMOVE`). Each row's `_eventId` is
/// `<ExportId>/<data file>/<line>`: the line it came from.
public struct ExportRows: Sendable, Hashable {
    /// What the lines are.
    public enum Kind: Sendable, Hashable {
        /// `{"Item":{…}}` lines: the table as it was at `exportTime` (epoch milliseconds).
        case full(exportTime: Int64)
        /// `{"Metadata":{"WriteTimestampMicros":…},"Keys":…,"NewImage":…,"OldImage":…}` lines:
        /// each write with its own time.
        case incremental
    }

    /// Full or incremental.
    public var kind: Kind
    /// How far before the export's time its rows are placed (default 5 minutes), so that a stream
    /// record of any write inside that window wins: `ApproximateCreationDateTime` is approximate.
    public var overlapMillis: Int64
    /// The table the rows belong to (from the export's `tableArn`): object names carry it, as they
    /// carry a stream's.
    public var table: String?

    /// The default overlap: 5 minutes.
    public static let defaultOverlapMillis: Int64 = 300_000

    /// Creates export row settings.
    public init(kind: Kind, overlapMillis: Int64 = ExportRows.defaultOverlapMillis, table: String? = nil) {
        self.kind = kind
        self.overlapMillis = overlapMillis
        self.table = table
    }

    /// The `_seq` time of a row written at `millis`: `floor_to_second(millis − overlap) − 1 ms`,
    /// or `nil` when that is before 1970 or past the 13 digits of `_seq`.
    public func orderTime(writtenAt millis: Int64) -> Int64? {
        let shifted = millis - overlapMillis
        guard shifted >= 1000 else { return nil }
        let time = shifted / 1000 * 1000 - 1
        return time <= EpochTime.maxMillis ? time : nil
    }
}

extension RecordTranscoder {
    /// Reads the export line at the cursor (``ExportRows``) and appends its row and a newline.
    /// - Parameters:
    ///   - rows: the export's kind and overlap.
    ///   - lineNumber: the line's number in its data file, from 1 (part of `_eventId`).
    mutating func transcodeExportLine(
        _ cursor: inout JSONCursor, into out: inout RowWriter, rowStart: Int, rows: ExportRows, lineNumber: Int
    ) throws(DDBError) -> RowInfo {
        lastEventID = nil
        out.append(UInt8(ascii: "{"))
        guard try cursor.peekAfterWhitespace("an export line") == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "an export line must be a JSON object", offset: cursor.pos)
        }
        var line = ExportLine()
        if try cursor.beginObject("an export line") {
            repeat {
                let key = try cursor.readKey()
                do throws(DDBError) {
                    try readExportMember(key, &cursor, &line, &out, rows: rows)
                } catch {
                    if case .name(let first)? = error.path.components.first, ["Item", "Keys", "NewImage", "OldImage"].contains(first) {
                        throw error
                    }
                    throw cursor.prefixing(error, name: key)
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        }
        let end = cursor.pos
        func missing(_ field: AttributePath, _ what: String) -> DDBError {
            DDBError(.missingField, "the export line has no \(what)", path: field, offset: end)
        }

        let kind: ChangeKind, changeTime: Int64, sequence: SequenceNumber
        let image: UnsafeBufferPointer<UInt8>, count: Int, check: Result<Bool, DDBError>, direct: Bool
        switch rows.kind {
        case .full(let exportTime):
            guard line.hasItem else {
                throw missing([.name("Item")], #"Item: a full export's lines are {"Item":{…}} (is this an incremental export?)"#)
            }
            guard let time = rows.orderTime(writtenAt: exportTime) else {
                throw DDBError(.numberOutOfRange, "the export time less the overlap is before 1970 or after 2286", offset: end)
            }
            (kind, changeTime, sequence) = (.insert, time, .zero)
            (image, count, check, direct) = (newImage.written, line.newCount, line.newCheck, line.direct)
        case .incremental:
            guard let micros = line.writeMicros else {
                throw missing(
                    [.name("Metadata"), .name("WriteTimestampMicros")],
                    #"Metadata.WriteTimestampMicros: an incremental export's lines carry it (is this a full export?)"#)
            }
            guard line.hasKeys else { throw missing([.name("Keys")], "Keys") }
            guard let time = rows.orderTime(writtenAt: micros.millis) else {
                throw DDBError(
                    .numberOutOfRange, "WriteTimestampMicros \(micros.sequence.decimal) less the overlap is before 1970 or after 2286",
                    path: [.name("Metadata"), .name("WriteTimestampMicros")], offset: end)
            }
            (changeTime, sequence) = (time, micros.sequence)
            if line.hasNew {
                if let keysRange = line.keysRange { try Self.checkKeys(keysRange, recorded: false, keyNames, keyValues, names: newNames, cursor) }
                kind = .insert
                (image, count, check, direct) = (newImage.written, line.newCount, line.newCheck, false)
            } else {
                kind = .remove
                if options.tombstoneImage == .old && line.hasOld {
                    (image, count, check, direct) = (oldImage.written, line.oldCount, line.oldCheck, false)
                } else {
                    (image, count, check, direct) = (keys.written, line.keyCount, line.keysCheck, false)
                }
            }
        }

        switch options.layout {
        case .flat:
            let hasUpdatedAt = try check.get()
            if !direct { out.append(image) }
            if count > 0 { out.append(UInt8(ascii: ",")) }
            if !hasUpdatedAt && options.updatedAtFallback != .off { metadata.appendUpdatedAt(changeTime, to: &out) }
        case .envelope:
            guard case .incremental = rows.kind else {
                throw DDBError(
                    .unsupportedRecord,
                    "envelope rows need the item's key attributes, which a full export's lines do not name; use the flat layout",
                    offset: end)
            }
            out.append(kind == .remove ? "\"op\":\"d\",\"keys\":" : line.hasOld ? "\"op\":\"u\",\"keys\":" : "\"op\":\"c\",\"keys\":")
            appendImage(true, keys.written, &out)
            out.append(",\"before\":")
            appendImage(line.hasOld, oldImage.written, &out)
            out.append(",\"after\":")
            appendImage(line.hasNew, newImage.written, &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(metadata.eventName)
        out.append(kind == .remove ? "REMOVE" : "INSERT")
        out.append(metadata.eventId)
        let eventIDStart = out.count - rowStart
        out.append(contentsOf: recordNamePrefix)
        out.appendDecimal(Int64(lineNumber))
        let eventIDEnd = out.count - rowStart
        metadata.appendTail(after: kind, changeTime: changeTime, sequence: sequence, isTTL: false, to: &out)
        return RowInfo(
            kind: kind, changeTime: changeTime, sequenceNumber: sequence, isTTLDelete: false, eventIDRange: eventIDStart..<eventIDEnd,
            table: rows.table)
    }

    private mutating func readExportMember(
        _ key: StringSpan, _ cursor: inout JSONCursor, _ line: inout ExportLine, _ out: inout RowWriter, rows: ExportRows
    ) throws(DDBError) {
        let isFull: Bool
        if case .full = rows.kind { isFull = true } else { isFull = false }
        if cursor.text(key, is: "Item") {
            guard !line.hasItem else { throw Self.duplicate(key, cursor) }
            guard isFull else {
                throw DDBError(.unsupportedRecord, #"an incremental export's line has no "Item" (is this a full export?)"#, offset: key.start)
            }
            line.hasItem = true
            // The row is this image and metadata (the line's other members are not read): written in place.
            line.direct = options.layout == .flat
            if line.direct {
                line.newCount = try cursor.transcodeItem(into: &out, numbers: options.numbers, scratch: &scratch)
            } else {
                newImage.begin()
                line.newCount = try cursor.transcodeItem(into: &newImage, numbers: options.numbers, scratch: &scratch)
            }
            line.newCheck = Result { () throws(DDBError) in try metadata.checkNames(of: scratch, marks: &nameMarks, in: cursor, image: "Item") }
        } else if isFull {
            try cursor.skipValue()
        } else if cursor.text(key, is: "NewImage") {
            guard !line.hasNew else { throw Self.duplicate(key, cursor) }
            line.hasNew = true
            newImage.begin()
            line.newCount = try cursor.transcodeItem(into: &newImage, numbers: options.numbers, scratch: &scratch)
            line.newCheck = Result { () throws(DDBError) in try metadata.checkNames(of: scratch, marks: &nameMarks, in: cursor, image: "NewImage") }
            keepNewImageNames()
        } else if cursor.text(key, is: "Keys") {
            guard !line.hasKeys else { throw Self.duplicate(key, cursor) }
            line.hasKeys = true
            _ = try cursor.peekAfterWhitespace("Keys")
            let start = cursor.pos
            keys.begin()
            line.keyCount = try cursor.transcodeItem(into: &keys, numbers: options.numbers, scratch: &scratch)
            line.keysRange = start..<cursor.pos
            line.keysCheck = Result { () throws(DDBError) in try metadata.checkNames(of: scratch, marks: &nameMarks, in: cursor, image: "Keys") }
        } else if cursor.text(key, is: "OldImage") {
            guard !line.hasOld else { throw Self.duplicate(key, cursor) }
            line.hasOld = true
            oldImage.begin()
            line.oldCount = try cursor.transcodeItem(into: &oldImage, numbers: options.numbers, scratch: &scratch)
            line.oldCheck = Result { () throws(DDBError) in try metadata.checkNames(of: scratch, marks: &nameMarks, in: cursor, image: "OldImage") }
        } else if cursor.text(key, is: "Metadata") {
            guard line.writeMicros == nil else { throw Self.duplicate(key, cursor) }
            guard try cursor.peekAfterWhitespace("Metadata") == UInt8(ascii: "{"), try cursor.beginObject("Metadata") else {
                throw DDBError(.wrongJSONType, "Metadata must be an object with WriteTimestampMicros", offset: cursor.pos)
            }
            repeat {
                let field = try cursor.readKey()
                if cursor.text(field, is: "WriteTimestampMicros") {
                    guard line.writeMicros == nil else { throw Self.duplicate(field, cursor) }
                    do throws(DDBError) {
                        line.writeMicros = try readMicros(&cursor)
                    } catch {
                        throw cursor.prefixing(error, name: field)
                    }
                } else {
                    try cursor.skipValue()
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        } else {
            try cursor.skipValue()
        }
    }

    /// `WriteTimestampMicros`, written `{"N":"1680109764000000"}` or as a bare JSON number.
    private func readMicros(_ cursor: inout JSONCursor) throws(DDBError) -> (millis: Int64, sequence: SequenceNumber) {
        let start = cursor.pos
        var digits: Range<Int>
        let first = try cursor.peekAfterWhitespace("WriteTimestampMicros")
        if first == UInt8(ascii: "{") {
            guard try cursor.beginObject("WriteTimestampMicros") else {
                throw DDBError(.missingTypeTag, #"WriteTimestampMicros is {} (expected {"N":"…"})"#, offset: start)
            }
            let tag = try cursor.readKey()
            guard cursor.text(tag, is: "N") else {
                throw DDBError(.wrongJSONType, #"WriteTimestampMicros must be {"N":"…"} or a number"#, offset: tag.start)
            }
            let span = try readString(&cursor, "WriteTimestampMicros.N")
            digits = span.start..<span.end
            guard try !cursor.nextMember(close: UInt8(ascii: "}")) else {
                throw DDBError(.multipleTypeTags, #"WriteTimestampMicros has more than "N""#, offset: cursor.pos)
            }
        } else {
            digits = try cursor.scanNumberToken()
        }
        let text = UnsafeBufferPointer(start: cursor.base + digits.lowerBound, count: digits.count)
        guard (1...19).contains(text.count), text.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }), let sequence = SequenceNumber(digits: text),
            let micros = Int64(String(decoding: text, as: UTF8.self))
        else {
            throw DDBError(
                .invalidNumber, "WriteTimestampMicros \"\(String(decoding: text, as: UTF8.self))\" is not a whole number of microseconds",
                offset: digits.lowerBound)
        }
        return (micros / 1000, sequence)
    }
}

/// What one export line held, as it is read.
private struct ExportLine {
    var hasItem = false, hasKeys = false, hasNew = false, hasOld = false
    /// Whether the item was written straight into the row.
    var direct = false
    var keyCount = 0, newCount = 0, oldCount = 0
    var keysCheck: Result<Bool, DDBError> = .success(false)
    var newCheck: Result<Bool, DDBError> = .success(false)
    var oldCheck: Result<Bool, DDBError> = .success(false)
    var keysRange: Range<Int>?
    var writeMicros: (millis: Int64, sequence: SequenceNumber)?
}
