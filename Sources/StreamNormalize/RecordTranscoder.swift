package import DDBTypes

/// Turns one stream record (Lambda or `GetRecords` shape) into one row, straight from the input
/// bytes to the output bytes, validating as it goes.
package struct RecordTranscoder {
    package let options: NormalizeOptions
    var scratch: TranscodeScratch
    var keys = RowWriter(capacity: 4096)
    var newImage = RowWriter(capacity: 64 * 1024)
    var oldImage = RowWriter(capacity: 64 * 1024)
    /// Where the `eventID` of the record last read lies, for error messages when the record fails.
    package internal(set) var lastEventID: StringSpan?
    /// Where the `SequenceNumber` of the record last read lies, once it was read, so that a record
    /// that fails still names its position in the stream.
    package private(set) var lastSequenceNumber: StringSpan?
    /// NewImage's top-level names (each value follows its name), kept for the check against
    /// `Keys` when `Keys` comes after it (DynamoDB writes `Keys` first: then the check needs no
    /// copy), or comes on an incremental export's line (``keepNewImageNames()``).
    private(set) var newNames = ScratchList<StringSpan>(capacity: 4)
    /// `Keys`' top-level names and value ranges, when `Keys` was read past without being written
    /// (a flat INSERT or MODIFY): the check against NewImage then reads them from here rather
    /// than reading `Keys` a second time.
    private(set) var keyNames = ScratchList<StringSpan>(capacity: 8)
    private(set) var keyValues = ScratchList<Range<Int>>(capacity: 8)
    /// The order of the members of the last record and of its `dynamodb` object, to expect in the next.
    private var recordOrder = MemberOrder(RecordMember.lambdaOrder)
    private var streamOrder = MemberOrder(StreamMember.lambdaOrder)
    /// The last `eventSourceARN` read and its table's name: consecutive records of one stream
    /// share one `String` instead of allocating one each.
    private var lastARN: [UInt8] = []
    private var lastTable: String?
    /// The last `eventSourceARN` with its quotes, when it was plain text (no escapes): whenever it
    /// is not empty, `lastTable` is its table.
    private var lastQuotedARN: [UInt8] = []
    /// What a check of this record found that counts only if the image becomes the row.
    private var faults = Faults()
    /// What an export row's `_eventId` starts with, its line number after it: `<ExportId>/<data
    /// file>/`, JSON-escaped (see ``setRecordNamePrefix(_:)``).
    private(set) var recordNamePrefix: [UInt8] = []
    /// The metadata columns' JSON and the check of item names against them.
    let metadata: MetadataColumns
    /// What ``MetadataColumns/checkNames(of:marks:in:image:)`` found of `scratch`'s name ids.
    var nameMarks = NameMarks()

    /// - Parameter learningNames: whether attribute names are learned (``KnownNames``); only
    ///   tests turn it off, to compare.
    package init(options: NormalizeOptions, learningNames: Bool = true) {
        self.options = options
        metadata = MetadataColumns(options)
        scratch = TranscodeScratch(learningNames: learningNames)
    }

    /// Sets what export rows' `_eventId`s start with (their line number follows).
    package mutating func setRecordNamePrefix(_ prefix: String) {
        var quoted: [UInt8] = []
        appendJSONString(prefix.utf8, to: &quoted)
        recordNamePrefix = Array(quoted.dropFirst().dropLast())
    }

    private struct Fields {
        var eventID: StringSpan?
        var kind: ChangeKind?
        var changeTime: Int64?
        var sequence: SequenceNumber?
        var hasKeys = false, hasNew = false, hasOld = false
        var keyCount = 0, newCount = 0, oldCount = 0
        /// The images that have `updated_at`, and those with a name clash that keeps them out of a
        /// flat row (the clash is in the transcoder's `faults`). Plain values, as the rest of
        /// `Fields`, so that a record's fields need no copying or destroying beyond their bytes.
        var withUpdatedAt: Images = [], withClash: Images = []
        var userType: StringSpan?, principal: StringSpan?
        /// The image already written straight into the row, when the event name came first.
        var direct: ImageName?
        /// Whether `eventSourceARN` was read (its table is the transcoder's `lastTable`).
        var hasTable = false
        /// Where `Keys` lies in the input.
        var keysRange: Range<Int>?
        /// Whether `keyNames` and `keyValues` hold this record's `Keys`.
        var keysRecorded = false
        /// The length of `SequenceNumber`'s text.
        var sequenceTextLength = 0
        /// Where `SequenceNumber`'s digits lie.
        var sequenceText: StringSpan?
        /// The members read so far, for the duplicate check.
        var seen: Member = []
        /// Whether NewImage still waits for its check against `Keys`.
        var keysCheckPending = false
        /// Whether the check against `Keys` failed (its error, in `faults`, is thrown once the record
        /// is read: its path is the record's).
        var keysMismatch = false

        /// Notes that `member` was read, refusing a second one: which of two a reader keeps is not defined.
        @inline(__always)
        mutating func read(_ member: Member, _ key: StringSpan, _ cursor: JSONCursor) throws(DDBError) {
            guard !seen.contains(member) else { throw RecordTranscoder.duplicate(key, cursor) }
            seen.insert(member)
        }
    }

    /// The record members a row is made from (a member not read cannot change the row, so only
    /// these are checked for duplicates).
    private struct Member: OptionSet {
        let rawValue: UInt16
        static let eventID = Member(rawValue: 1 << 0)
        static let eventName = Member(rawValue: 1 << 1)
        static let eventSource = Member(rawValue: 1 << 2)
        static let eventSourceARN = Member(rawValue: 1 << 3)
        static let userIdentity = Member(rawValue: 1 << 4)
        static let dynamodb = Member(rawValue: 1 << 5)
        static let sequenceNumber = Member(rawValue: 1 << 6)
        static let creationTime = Member(rawValue: 1 << 7)
    }

    /// Reads the record at the cursor and appends its row and a newline to `out`.
    /// On error `out` is left as it was.
    ///
    /// `out` is a ``RowWriter`` rather than an `[UInt8]`: a row is written a few bytes at a time
    /// (names, metadata fragments, digits), and each append to an array pays a uniqueness check,
    /// a generic copy and, for an array held by the transcoder, a retain and a release.
    /// - Parameter recordNumber: the record's number in its input, from 1: an export line's number
    ///   (its `_eventId` ends with it); stream records name themselves.
    package mutating func transcode(_ cursor: inout JSONCursor, into out: inout RowWriter, recordNumber: Int) throws(DDBError) -> RowInfo {
        let rowStart = out.count
        do throws(DDBError) {
            if let export = options.exportLines {
                return try transcodeExportLine(&cursor, into: &out, rowStart: rowStart, rows: export, lineNumber: recordNumber)
            }
            return try transcodeRow(&cursor, into: &out, rowStart: rowStart)
        } catch {
            out.removeLast(from: rowStart)
            throw error
        }
    }

    private mutating func transcodeRow(_ cursor: inout JSONCursor, into out: inout RowWriter, rowStart: Int) throws(DDBError) -> RowInfo {
        lastEventID = nil
        lastSequenceNumber = nil
        out.append(UInt8(ascii: "{"))
        // The image writers are emptied where an image is written to them (in flat rows of
        // INSERT and MODIFY records, none is): `Fields` says which hold this record's.
        var fields = Fields()
        let first = try cursor.peekAfterWhitespace("a stream record")
        guard first == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "a stream record must be a JSON object", offset: cursor.pos)
        }
        if try cursor.beginObject("a stream record") {
            var previous = MemberOrder<RecordMember>.start
            repeat {
                let key: StringSpan, member: RecordMember
                if let expected = recordOrder.expected(after: previous), let name = expected.consumeName(&cursor) {
                    (key, member) = (name, expected)
                } else {
                    key = try cursor.readKey()
                    member = RecordMember(key, in: cursor)
                    recordOrder.learn(member, after: previous)
                }
                previous = member.rawValue
                // Most members not read are plain strings (`eventVersion`, `awsRegion`): passed
                // over here, without a call (the others, and a value that is not plain, below).
                if member.isPassedOver, cursor.plainString() != nil { continue }
                // So are the values DynamoDB always spells alike (`readRecordField` reads any other).
                if member == .eventSource, !fields.seen.contains(.eventSource), cursor.consume("\"aws:dynamodb\"") {
                    fields.seen.insert(.eventSource)
                    continue
                }
                if member == .eventName, !fields.seen.contains(.eventName), let kind = Self.consumeEventName(&cursor) {
                    fields.seen.insert(.eventName)
                    fields.kind = kind
                    continue
                }
                do throws(DDBError) {
                    try readRecordField(member, key, &cursor, &fields, &out)
                } catch {
                    // Image paths read as DynamoDB documents write them: `NewImage.lines[3].price`.
                    if case .name(let first)? = error.path.components.first, ["Keys", "NewImage", "OldImage"].contains(first) {
                        throw error
                    }
                    throw cursor.prefixing(error, name: key)
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        }
        let end = cursor.pos
        func missing(_ field: AttributePath, _ what: String) -> DDBError {
            DDBError(.missingField, "the record has no \(what)", path: field, offset: end)
        }
        guard let kind = fields.kind else { throw missing([.name("eventName")], "eventName") }
        guard let eventIDSpan = fields.eventID else { throw missing([.name("eventID")], "eventID") }
        guard let changeTime = fields.changeTime else {
            throw missing([.name("dynamodb"), .name("ApproximateCreationDateTime")], "dynamodb.ApproximateCreationDateTime")
        }
        guard let sequence = fields.sequence else {
            throw missing([.name("dynamodb"), .name("SequenceNumber")], "dynamodb.SequenceNumber")
        }
        if kind != .remove {
            if fields.keysMismatch, let mismatch = faults.keysMismatch { throw mismatch }
            if fields.keysCheckPending, let keysRange = fields.keysRange {
                try Self.checkKeys(keysRange, recorded: fields.keysRecorded, keyNames, keyValues, names: newNames, cursor)
            }
        }
        let isTTL =
            kind == .remove && fields.userType.map { cursor.text($0, is: "Service") } == true
            && fields.principal.map { cursor.text($0, is: "dynamodb.amazonaws.com") } == true

        switch options.layout {
        case .flat:
            let image: UnsafeBufferPointer<UInt8>, count: Int, name: ImageName
            switch kind {
            case .insert, .modify:
                guard fields.hasNew else {
                    throw missing(
                        [.name("dynamodb"), .name("NewImage")],
                        "NewImage; the stream's view type must be NEW_IMAGE or NEW_AND_OLD_IMAGES")
                }
                (image, count, name) = (newImage.written, fields.newCount, .new)
            case .remove:
                if options.tombstoneImage == .old && fields.hasOld {
                    (image, count, name) = (oldImage.written, fields.oldCount, .old)
                } else {
                    guard fields.hasKeys else { throw missing([.name("dynamodb"), .name("Keys")], "Keys") }
                    (image, count, name) = (keys.written, fields.keyCount, .keys)
                }
            }
            if fields.withClash.contains(name.set), let clash = faults.clash[name] { throw clash }
            let hasUpdatedAt = fields.withUpdatedAt.contains(name.set)
            if fields.direct != name { out.append(image) }
            if count > 0 { out.append(UInt8(ascii: ",")) }
            if !hasUpdatedAt && options.updatedAtFallback != .off {
                metadata.appendUpdatedAt(changeTime, to: &out)
            }
        case .envelope:
            let op: StaticString = kind == .insert ? "c" : kind == .modify ? "u" : "d"
            out.append("\"op\":\"")
            out.append(op)
            out.append("\",\"keys\":")
            appendImage(fields.hasKeys, keys.written, &out)
            out.append(",\"before\":")
            appendImage(fields.hasOld, oldImage.written, &out)
            out.append(",\"after\":")
            appendImage(fields.hasNew && kind != .remove, newImage.written, &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(metadata.eventName)
        out.append(kind == .insert ? "INSERT" : kind == .modify ? "MODIFY" : "REMOVE")
        out.append(metadata.eventId)
        let eventIDStart = out.count - rowStart
        cursor.appendRaw(from: eventIDSpan.start, to: eventIDSpan.end, into: &out)
        let eventIDEnd = out.count - rowStart
        let sequenceDigits = fields.sequenceText.map { UnsafeBufferPointer(start: cursor.base + $0.start, count: $0.count) }
        metadata.appendTail(after: kind, changeTime: changeTime, sequence: sequence, digits: sequenceDigits, isTTL: isTTL, to: &out)
        return RowInfo(
            kind: kind, changeTime: changeTime, sequenceNumber: sequence, isTTLDelete: isTTL,
            eventIDRange: eventIDStart..<eventIDEnd, table: fields.hasTable ? lastTable : nil, sequenceTextLength: fields.sequenceTextLength)
    }

    // MARK: Fields

    private func wants(_ kind: ChangeKind?, image: ImageName) -> Bool {
        guard let kind, options.layout == .flat else { return true }
        switch image {
        case .new: return kind != .remove
        case .keys: return kind == .remove
        case .old: return kind == .remove && options.tombstoneImage == .old
        }
    }

    private enum ImageName {
        case keys, new, old

        var set: Images { self == .keys ? .keys : self == .new ? .new : .old }
        var memberName: StaticString { self == .keys ? "Keys" : self == .new ? "NewImage" : "OldImage" }
    }

    private struct Images: OptionSet {
        let rawValue: UInt8
        static let keys = Images(rawValue: 1), new = Images(rawValue: 2), old = Images(rawValue: 4)
    }

    /// Faults of the record being read that count only if the image they are in becomes the row
    /// (flags in `Fields` say which hold for this record; the others are stale).
    private struct Faults {
        var clash: [ImageName: DDBError] = [:]
        var keysMismatch: DDBError?
    }

    /// Checks the names of the image just transcoded against the metadata columns
    /// (``MetadataColumns/checkNames(of:marks:in:image:)``) and notes what it found in `fields`.
    private mutating func checkNames(of image: ImageName, _ fields: inout Fields, _ cursor: JSONCursor) {
        do throws(DDBError) {
            if try metadata.checkNames(of: scratch, marks: &nameMarks, in: cursor, image: image.memberName) {
                fields.withUpdatedAt.insert(image.set)
            }
        } catch {
            fields.withClash.insert(image.set)
            faults.clash[image] = error
        }
    }

    /// Whether `image` is certain to be the whole item part of a flat row.
    private func isOnlyImage(_ image: ImageName, _ fields: Fields) -> Bool {
        guard options.layout == .flat, fields.direct == nil, let kind = fields.kind else { return false }
        switch image {
        case .new: return kind != .remove
        case .keys: return kind == .remove && options.tombstoneImage == .keys
        case .old: return false
        }
    }

    private mutating func readRecordField(
        _ member: RecordMember, _ key: StringSpan, _ cursor: inout JSONCursor, _ fields: inout Fields, _ out: inout RowWriter
    ) throws(DDBError) {
        switch member {
        case .dynamodb:
            try fields.read(.dynamodb, key, cursor)
            guard try cursor.beginObject("the dynamodb object") else { return }
            // The record's steps above, for its dynamodb object: one generic function for both
            // was left a call by the optimizer, 1.9% more instructions for `transform`.
            var previous = MemberOrder<StreamMember>.start
            repeat {
                let field: StringSpan, member: StreamMember
                if let expected = streamOrder.expected(after: previous), let name = expected.consumeName(&cursor) {
                    (field, member) = (name, expected)
                } else {
                    field = try cursor.readKey()
                    member = StreamMember(field, in: cursor)
                    streamOrder.learn(member, after: previous)
                }
                previous = member.rawValue
                // As in the record (`StreamViewType`).
                if member.isPassedOver, cursor.plainString() != nil { continue }
                do throws(DDBError) {
                    try readStreamField(member, field, &cursor, &fields, &out)
                } catch {
                    throw cursor.prefixing(error, name: field)
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        case .eventID:
            try fields.read(.eventID, key, cursor)
            let span = try readString(&cursor, "eventID")
            fields.eventID = span
            lastEventID = span
        case .eventName:
            // Spelled otherwise than DynamoDB spells it (the member loop reads that spelling).
            try fields.read(.eventName, key, cursor)
            let span = try readString(&cursor, "eventName")
            if cursor.text(span, is: "INSERT") {
                fields.kind = .insert
            } else if cursor.text(span, is: "MODIFY") {
                fields.kind = .modify
            } else if cursor.text(span, is: "REMOVE") {
                fields.kind = .remove
            } else {
                throw DDBError(
                    .unsupportedRecord, "eventName \"\(cursor.decodedString(span))\" is not INSERT, MODIFY or REMOVE", offset: span.start)
            }
        case .eventSource:
            // Spelled otherwise than DynamoDB spells it (the member loop reads that spelling).
            try fields.read(.eventSource, key, cursor)
            let span = try readString(&cursor, "eventSource")
            guard cursor.text(span, is: "aws:dynamodb") else {
                throw DDBError(
                    .unsupportedRecord, "eventSource \"\(cursor.decodedString(span))\" is not aws:dynamodb: not a DynamoDB Streams record",
                    offset: span.start)
            }
        case .eventSourceARN:
            try fields.read(.eventSourceARN, key, cursor)
            // Records of one stream name one ARN: the same bytes as the last one read need no reading.
            if !lastQuotedARN.isEmpty,
                lastQuotedARN.withUnsafeBufferPointer({ quoted in
                    quoted.count <= cursor.end &- cursor.pos && memcmpEqual(quoted.baseAddress!, cursor.base + cursor.pos, quoted.count)
                })
            {
                cursor.pos &+= lastQuotedARN.count
                fields.hasTable = true
                return
            }
            _ = try tableName(try readString(&cursor, "eventSourceARN"), cursor)
            fields.hasTable = true
        case .userIdentity:
            try fields.read(.userIdentity, key, cursor)
            let first = try cursor.peekAfterWhitespace("userIdentity")
            guard first != UInt8(ascii: "n") else { return try cursor.skipValue() }
            guard try cursor.beginObject("userIdentity") else { return }
            repeat {
                let field = try cursor.readKey()
                if cursor.text(field, is: "type") {
                    guard fields.userType == nil else { throw Self.duplicate(field, cursor) }
                    fields.userType = try readString(&cursor, "userIdentity.type")
                } else if cursor.text(field, is: "principalId") {
                    guard fields.principal == nil else { throw Self.duplicate(field, cursor) }
                    fields.principal = try readString(&cursor, "userIdentity.principalId")
                } else {
                    try cursor.skipValue()
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        case .eventVersion, .awsRegion, .other:
            // Not a plain string (the member loop passes those over): any JSON value.
            try cursor.skipValue()
        }
    }

    /// The change kind of an event name spelled as DynamoDB spells it, read past; nil (the cursor
    /// unmoved) for any other spelling. One of three words, each eight bytes with its quotes:
    /// compared as they stand.
    @inline(__always)
    private static func consumeEventName(_ cursor: inout JSONCursor) -> ChangeKind? {
        if cursor.consume("\"INSERT\"") { return .insert }
        if cursor.consume("\"MODIFY\"") { return .modify }
        if cursor.consume("\"REMOVE\"") { return .remove }
        return nil
    }

    private mutating func readStreamField(
        _ member: StreamMember, _ key: StringSpan, _ cursor: inout JSONCursor, _ fields: inout Fields, _ out: inout RowWriter
    ) throws(DDBError) {
        switch member {
        case .newImage:
            guard !fields.hasNew else { throw Self.duplicate(key, cursor) }
            guard wants(fields.kind, image: .new) else { return try cursor.skipItem() }
            fields.hasNew = true
            if isOnlyImage(.new, fields) {
                // The row is this image and metadata: write it in place rather than copy it later.
                fields.direct = .new
                fields.newCount = try cursor.transcodeItem(into: &out, numbers: options.numbers, scratch: &scratch)
            } else {
                newImage.begin()
                fields.newCount = try cursor.transcodeItem(into: &newImage, numbers: options.numbers, scratch: &scratch)
            }
            checkNames(of: .new, &fields, cursor)
            if let keysRange = fields.keysRange {
                do throws(DDBError) {
                    try Self.checkKeys(keysRange, recorded: fields.keysRecorded, keyNames, keyValues, names: scratch.itemNames, cursor)
                } catch {
                    fields.keysMismatch = true
                    faults.keysMismatch = error
                }
            } else {
                // `Keys` has not come yet (or the event name, to say whether the check applies).
                keepNewImageNames()
                fields.keysCheckPending = true
            }
        case .keys:
            guard !fields.hasKeys, fields.keysRange == nil else { throw Self.duplicate(key, cursor) }
            _ = try cursor.peekAfterWhitespace("Keys")
            let keysStart = cursor.pos
            defer { fields.keysRange = keysStart..<cursor.pos }
            guard wants(fields.kind, image: .keys) else {
                fields.keysRecorded = try readKeyMembers(&cursor)
                return
            }
            fields.hasKeys = true
            if isOnlyImage(.keys, fields) {
                fields.direct = .keys
                fields.keyCount = try cursor.transcodeItem(into: &out, numbers: options.numbers, scratch: &scratch)
            } else {
                keys.begin()
                fields.keyCount = try cursor.transcodeItem(into: &keys, numbers: options.numbers, scratch: &scratch)
            }
            checkNames(of: .keys, &fields, cursor)
        case .oldImage:
            guard !fields.hasOld else { throw Self.duplicate(key, cursor) }
            guard wants(fields.kind, image: .old) else { return try cursor.skipItem() }
            fields.hasOld = true
            oldImage.begin()
            fields.oldCount = try cursor.transcodeItem(into: &oldImage, numbers: options.numbers, scratch: &scratch)
            checkNames(of: .old, &fields, cursor)
        case .sequenceNumber:
            try fields.read(.sequenceNumber, key, cursor)
            let span = try readString(&cursor, "SequenceNumber")
            guard !span.hasEscapes,
                let sequence = SequenceNumber(digits: UnsafeBufferPointer(start: cursor.base + span.start, count: span.count))
            else {
                throw DDBError(
                    .invalidNumber, "SequenceNumber \"\(cursor.decodedString(span))\" is not a decimal of at most 40 digits",
                    offset: span.start)
            }
            fields.sequence = sequence
            fields.sequenceTextLength = span.count
            fields.sequenceText = span
            lastSequenceNumber = span
        case .approximateCreationDateTime:
            try fields.read(.creationTime, key, cursor)
            if let millis = EpochTime.plainMillis(cursor.base, cursor.end, &cursor.pos) {
                fields.changeTime = millis
                return
            }
            let first = try cursor.peekAfterWhitespace("ApproximateCreationDateTime")
            guard first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 else {
                throw DDBError(
                    .wrongJSONType, "ApproximateCreationDateTime must be epoch seconds as a JSON number", offset: cursor.pos)
            }
            let range = try cursor.scanNumberToken()
            fields.changeTime = try EpochTime.millis(fromSeconds: UnsafeBufferPointer(start: cursor.base + range.lowerBound, count: range.count), offset: range.lowerBound)
        case .sizeBytes:
            // A count of bytes: digits, the first not zero, then what ends a number.
            var p = cursor.pos
            if p < cursor.end, cursor.base[p] &- UInt8(ascii: "1") < 9 {
                p &+= 1
                while p < cursor.end, cursor.base[p] &- UInt8(ascii: "0") < 10 { p &+= 1 }
                if p < cursor.end, cursor.base[p] == UInt8(ascii: ",") || cursor.base[p] == UInt8(ascii: "}") {
                    cursor.pos = p
                    return
                }
            }
            try cursor.skipValue()
        case .streamViewType, .other:
            // Not a plain string (the member loop passes those over): any JSON value.
            try cursor.skipValue()
        }
    }

    /// Copies the names of the item just transcoded (NewImage) into ``newNames``, for a check
    /// against a `Keys` read later.
    mutating func keepNewImageNames() {
        newNames.removeAll()
        newNames.append(contentsOf: scratch.itemNames)
    }

    @inline(never)
    static func duplicate(_ key: StringSpan, _ cursor: JSONCursor) -> DDBError {
        DDBError(.duplicateMember, "the record has \(cursor.decodedString(key)) twice", offset: key.start)
    }

    /// Reads past `Keys` (at the cursor, not written to the row), keeping its members' names and
    /// value ranges in `keyNames` and `keyValues` for
    /// ``checkKeys(_:recorded:_:_:names:_:)``.
    /// - Returns: whether it kept them: not when `Keys` is not an object, or is not valid JSON
    ///   (then it is read past, or fails, exactly as `skipValue` reads or fails on it).
    private mutating func readKeyMembers(_ cursor: inout JSONCursor) throws(DDBError) -> Bool {
        let start = cursor.pos
        keyNames.removeAll()
        keyValues.removeAll()
        if cursor.readCompactMembers(names: &keyNames, values: &keyValues) { return true }
        keyNames.removeAll()
        keyValues.removeAll()
        if cursor.base[start] == UInt8(ascii: "{") {
            do throws(DDBError) {
                if try cursor.beginObject("Keys") {
                    repeat {
                        let name = try cursor.readKey()
                        cursor.skipWhitespace()
                        let valueStart = cursor.pos
                        try cursor.skipAttributeValue()
                        keyNames.append(name)
                        keyValues.append(valueStart..<cursor.pos)
                    } while try cursor.nextMember(close: UInt8(ascii: "}"))
                }
                return true
            } catch {
                // Fall through: `skipValue` names the fault as it would have without this.
            }
        }
        cursor.pos = start
        try cursor.skipValue()
        return false
    }

    /// Checks that `NewImage` holds every key attribute of `Keys` (at `keysRange`, or in
    /// `keyNames`/`keyValues` when `recorded`), with the same value.
    ///
    /// Static, as the other checks are not: a method of the transcoder, called from its mutating
    /// reading code, made Swift copy the whole transcoder for each call.
    static func checkKeys(
        _ keysRange: Range<Int>, recorded: Bool, _ keyNames: ScratchList<StringSpan>, _ keyValues: ScratchList<Range<Int>>,
        names: ScratchList<StringSpan>, _ cursor: JSONCursor
    ) throws(DDBError) {
        if recorded {
            for index in keyNames.indices {
                try checkKey(keyNames[index], keyValues[index], names: names, cursor)
            }
            return
        }
        var keys = JSONCursor(base: cursor.base, end: keysRange.upperBound, at: keysRange.lowerBound)
        guard try keys.peekAfterWhitespace("Keys") == UInt8(ascii: "{"), try keys.beginObject("Keys") else { return }
        repeat {
            let name = try keys.readKey()
            keys.skipWhitespace()
            let valueStart = keys.pos
            try keys.skipValue()
            try checkKey(name, valueStart..<keys.pos, names: names, cursor)
        } while try keys.nextMember(close: UInt8(ascii: "}"))
    }

    /// Checks one member of `Keys` (its name, and where its value lies) against NewImage's
    /// `names` (each value follows its name).
    @inline(__always)
    private static func checkKey(
        _ name: StringSpan, _ keyValue: Range<Int>, names: ScratchList<StringSpan>, _ cursor: JSONCursor
    ) throws(DDBError) {
        var text: String { cursor.decodedString(name) }  // for errors only: no allocation per record
        var found: Int?
        for index in names.indices {
            let candidate = names[index]
            if candidate.count == name.count && !candidate.hasEscapes && !name.hasEscapes {
                if memcmpEqual(cursor.base + candidate.start, cursor.base + name.start, name.count) { found = index; break }
            } else if (candidate.hasEscapes || name.hasEscapes) && cursor.spansEqual(candidate, name) {
                found = index
                break
            }
        }
        guard let index = found else {
            throw DDBError(
                .keyMismatch, "NewImage lacks the key attribute \"\(text)\" that Keys names", path: [.name("NewImage"), .name(text)],
                offset: name.start)
        }
        // NewImage's value: after the name's closing quote, the colon and any whitespace (NewImage
        // was read whole, so they are there).
        var image = JSONCursor(base: cursor.base, end: cursor.end, at: names[index].end &+ 1)
        image.skipWhitespace()
        image.pos &+= 1
        image.skipWhitespace()
        let imageStart = image.pos
        // The key's text, then a byte that ends a value: the same value, as the key's text is one
        // whole JSON value.
        if keyValue.count < cursor.end &- imageStart,
            memcmpEqual(cursor.base + imageStart, cursor.base + keyValue.lowerBound, keyValue.count)
        {
            switch cursor.base[imageStart &+ keyValue.count] {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return
            default: break
            }
        }
        // Different text may still be the same value (`1.0` and `1`, escapes): compare values.
        var left = JSONCursor(base: cursor.base, end: keyValue.upperBound, at: keyValue.lowerBound)
        let keyAttribute: AttributeValue
        do throws(DDBError) {
            keyAttribute = try left.decodeAttributeValue(depth: 1)
        } catch {
            var error = cursor.prefixing(error, name: name)
            error.path.components.insert(.name("Keys"), at: 0)
            throw error
        }
        let imageAttribute = try image.decodeAttributeValue(depth: 1)
        guard keyAttribute == imageAttribute else {
            throw DDBError(
                .keyMismatch, "NewImage has \(excerpt(imageAttribute)) for the key attribute \"\(text)\" but Keys has \(excerpt(keyAttribute))",
                path: [.name("NewImage"), .name(text)], offset: imageStart)
        }
    }

    private static func excerpt(_ value: AttributeValue) -> String {
        let text = "\(value)"
        return text.count <= 80 ? text : text.prefix(77) + "…"
    }

    /// The table of an `eventSourceARN`, `arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL`.
    private mutating func tableName(_ span: StringSpan, _ cursor: JSONCursor) throws(DDBError) -> String {
        if !span.hasEscapes, span.count == lastARN.count, let lastTable,
            lastARN.withUnsafeBufferPointer({ memcmpEqual($0.baseAddress!, cursor.base + span.start, span.count) })
        {
            return lastTable
        }
        let arn = span.hasEscapes ? cursor.decodedBytes(span) : Array(UnsafeBufferPointer(start: cursor.base + span.start, count: span.count))
        if arn == lastARN, let lastTable { return lastTable }
        guard let name = Self.tableName(arn: arn) else {
            throw DDBError(
                .unsupportedRecord,
                "eventSourceARN \"\(cursor.decodedString(span))\" is not a DynamoDB stream ARN (arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL)",
                offset: span.start)
        }
        lastARN = arn
        lastTable = name
        // Plain text has no quote, backslash or control character: the quoted bytes are the JSON.
        lastQuotedARN = span.hasEscapes ? [] : [UInt8(ascii: "\"")] + arn + [UInt8(ascii: "\"")]
        return name
    }

    /// The table name in a DynamoDB stream ARN, if it is one.
    package static func tableName(arn: [UInt8]) -> String? {
        let parts = arn.split(separator: UInt8(ascii: ":"), maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].elementsEqual("arn".utf8), parts[2].elementsEqual("dynamodb".utf8) else { return nil }
        let resource = parts[5].split(separator: UInt8(ascii: "/"), maxSplits: 3, omittingEmptySubsequences: false)
        guard resource.count == 4, resource[0].elementsEqual("table".utf8), resource[2].elementsEqual("stream".utf8),
            (1...255).contains(resource[1].count),
            resource[1].allSatisfy({ byte in
                byte &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "A") < 26 || byte &- UInt8(ascii: "0") < 10
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            })
        else { return nil }
        return String(decoding: resource[1], as: UTF8.self)
    }

    func readString(_ cursor: inout JSONCursor, _ what: String) throws(DDBError) -> StringSpan {
        if let plain = cursor.plainString() { return plain }
        let first = try cursor.peekAfterWhitespace(what)
        guard first == UInt8(ascii: "\"") else {
            throw DDBError(.wrongJSONType, "\(what) must be a string", offset: cursor.pos)
        }
        cursor.pos += 1
        return try cursor.scanStringBody()
    }

    func appendImage(_ present: Bool, _ members: UnsafeBufferPointer<UInt8>, _ out: inout RowWriter) {
        if present {
            out.append(UInt8(ascii: "{"))
            out.append(members)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append("null")
        }
    }
}
