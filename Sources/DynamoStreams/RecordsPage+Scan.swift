public import AWSCore
internal import DDBTypes
internal import StreamNormalize

extension RecordsPage {
    /// A GetRecords answer, scanned: each record's `dynamodb.SequenceNumber` and
    /// `dynamodb.ApproximateCreationDateTime` (epoch seconds, converted exactly to milliseconds),
    /// and `NextShardIterator` (absent or null: the shard is closed and read to its end). The body
    /// is kept as it came.
    ///
    /// Pages are up to 1 MB and 1,000 records, one after another: the scan checks the whole
    /// body's JSON syntax but decodes only those members, skipping the images.
    /// - Parameter body: the answer's body.
    /// - Throws: `AWSError` `AWSError/Code/invalidResponse` naming what is wrong and where (the
    ///   record by its index in `Records`, from 0, and the byte): not a JSON object, cut short,
    ///   `Records` missing or not an array, a record without a SequenceNumber,
    ///   `NextShardIterator` neither a string nor null.
    public init(scanning body: [UInt8]) throws(AWSError) {
        let (records, next) = try body.withUnsafeBufferPointer { buffer throws(AWSError) in
            var scanner = RecordsPageScanner(cursor: JSONCursor(buffer))
            do throws(DDBError) {
                return try scanner.scan()
            } catch {
                throw scanner.failure(error, bodySize: buffer.count)
            }
        }
        self.init(body: body, records: records, nextShardIterator: next)
    }
}

/// One pass over a GetRecords answer with a `JSONCursor`.
struct RecordsPageScanner {
    var cursor: JSONCursor
    /// The record being read, for messages; nil outside `Records`.
    var recordIndex: Int?
    /// That record's `eventID`, once read.
    var eventID: StringSpan?

    /// Faults of the answer's content (its JSON is fine), told apart from JSON syntax errors by
    /// their codes: their messages are complete sentences.
    static let contentCodes: Set<DDBError.Code> = [.missingField, .wrongJSONType, .duplicateMember, .invalidNumber]

    mutating func scan() throws(DDBError) -> ([PageRecord], String?) {
        var records: [PageRecord]?
        var next: String?
        var sawNext = false
        guard try cursor.peekAfterWhitespace("the answer") == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "the answer is not a JSON object", offset: cursor.pos)
        }
        let objectStart = cursor.pos
        if try cursor.beginObject("the answer") {
            repeat {
                let key = try cursor.readKey()
                if cursor.text(key, is: "Records") {
                    guard records == nil else { throw DDBError(.duplicateMember, "the answer has Records twice", offset: key.start - 1) }
                    records = try scanRecords()
                } else if cursor.text(key, is: "NextShardIterator") {
                    guard !sawNext else { throw DDBError(.duplicateMember, "the answer has NextShardIterator twice", offset: key.start - 1) }
                    sawNext = true
                    switch try cursor.peekAfterWhitespace("NextShardIterator") {
                    case UInt8(ascii: "\""):
                        cursor.pos += 1
                        next = cursor.decodedString(try cursor.scanStringBody())
                    case UInt8(ascii: "n"):
                        _ = try cursor.readLiteral()
                    default:
                        throw DDBError(.wrongJSONType, "the answer's NextShardIterator is neither a string nor null", offset: cursor.pos)
                    }
                } else {
                    try cursor.skipValue()
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        }
        cursor.skipWhitespace()
        guard cursor.pos == cursor.end else { throw cursor.malformed("the end of the answer after its object") }
        guard let records else { throw DDBError(.missingField, "the answer has no Records", offset: objectStart) }
        return (records, next)
    }

    /// `Records`: an array of records, each an object.
    mutating func scanRecords() throws(DDBError) -> [PageRecord] {
        guard try cursor.peekAfterWhitespace("Records") == UInt8(ascii: "[") else {
            throw DDBError(.wrongJSONType, "the answer's Records is not an array", offset: cursor.pos)
        }
        var records: [PageRecord] = []
        guard try cursor.beginArray("Records") else { return records }
        repeat {
            recordIndex = records.count
            eventID = nil
            records.append(try scanRecord())
        } while try cursor.nextMember(close: UInt8(ascii: "]"))
        recordIndex = nil
        return records
    }

    /// One record: its `dynamodb` member's SequenceNumber and ApproximateCreationDateTime, and its
    /// `eventID` for messages.
    mutating func scanRecord() throws(DDBError) -> PageRecord {
        let first = try cursor.peekAfterWhitespace("a record")
        let start = cursor.pos
        guard first == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "\(subject) is not a JSON object", offset: cursor.pos)
        }
        var sequenceNumber: String?
        var creationMillis: Int64?
        var sawDynamoDB = false
        if try cursor.beginObject("a record") {
            repeat {
                let key = try cursor.readKey()
                if cursor.text(key, is: "dynamodb") {
                    guard !sawDynamoDB else { throw DDBError(.duplicateMember, "\(subject) has dynamodb twice", offset: key.start - 1) }
                    sawDynamoDB = true
                    (sequenceNumber, creationMillis) = try scanStreamRecord()
                } else if cursor.text(key, is: "eventID"), try cursor.peekAfterWhitespace("eventID") == UInt8(ascii: "\"") {
                    cursor.pos += 1
                    eventID = try cursor.scanStringBody()
                } else {
                    try cursor.skipValue()
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        }
        guard let sequenceNumber else {
            throw DDBError(.missingField, "\(subject) has no dynamodb.SequenceNumber", offset: start)
        }
        return PageRecord(sequenceNumber: sequenceNumber, approximateCreationMillis: creationMillis)
    }

    /// The record's `dynamodb` member (a StreamRecord).
    mutating func scanStreamRecord() throws(DDBError) -> (String?, Int64?) {
        guard try cursor.peekAfterWhitespace("dynamodb") == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "\(subject)'s dynamodb is not a JSON object", offset: cursor.pos)
        }
        var sequenceNumber: String?
        var creationMillis: Int64?
        var sawCreation = false
        guard try cursor.beginObject("dynamodb") else { return (nil, nil) }
        repeat {
            let key = try cursor.readKey()
            if cursor.text(key, is: "SequenceNumber") {
                guard sequenceNumber == nil else {
                    throw DDBError(.duplicateMember, "\(subject) has dynamodb.SequenceNumber twice", offset: key.start - 1)
                }
                guard try cursor.peekAfterWhitespace("SequenceNumber") == UInt8(ascii: "\"") else {
                    throw DDBError(.wrongJSONType, "\(subject)'s dynamodb.SequenceNumber is not a string", offset: cursor.pos)
                }
                let at = cursor.pos
                cursor.pos += 1
                let text = cursor.decodedString(try cursor.scanStringBody())
                guard !text.isEmpty else { throw DDBError(.missingField, "\(subject)'s dynamodb.SequenceNumber is empty", offset: at) }
                sequenceNumber = text
            } else if cursor.text(key, is: "ApproximateCreationDateTime") {
                guard !sawCreation else {
                    throw DDBError(.duplicateMember, "\(subject) has dynamodb.ApproximateCreationDateTime twice", offset: key.start - 1)
                }
                sawCreation = true
                let first = try cursor.peekAfterWhitespace("ApproximateCreationDateTime")
                if first == UInt8(ascii: "n") {
                    _ = try cursor.readLiteral()  // null: as if absent (the member is optional)
                    continue
                }
                guard first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 else {
                    throw DDBError(
                        .wrongJSONType, "\(subject)'s dynamodb.ApproximateCreationDateTime is not epoch seconds as a JSON number",
                        offset: cursor.pos)
                }
                let range = try cursor.scanNumberToken()
                do {
                    creationMillis = try EpochTime.millis(
                        fromSeconds: UnsafeBufferPointer(start: cursor.base + range.lowerBound, count: range.count), offset: range.lowerBound)
                } catch {
                    throw DDBError(.invalidNumber, "\(subject)'s dynamodb.\(error.message)", offset: range.lowerBound)
                }
            } else {
                try cursor.skipValue()
            }
        } while try cursor.nextMember(close: UInt8(ascii: "}"))
        return (sequenceNumber, creationMillis)
    }

    /// `record 3` or `record 3 (eventID 4b…)`.
    var subject: String {
        guard let recordIndex else { return "the answer" }
        guard let eventID else { return "record \(recordIndex)" }
        return "record \(recordIndex) (eventID \(AWSClient.printable(cursor.decodedString(eventID))))"
    }

    /// The error for the caller: the operation, what is wrong and where.
    func failure(_ error: DDBError, bodySize: Int) -> AWSError {
        let message: String
        let inRecord = recordIndex == nil ? "" : " in \(subject)"
        if Self.contentCodes.contains(error.code) {
            message = "GetRecords: \(error.message) (byte \(error.offset))"
        } else if bodySize == 0 {
            message = "GetRecords: the answer is empty"
        } else if error.code == .truncated {
            message = "GetRecords: the answer is cut short\(inRecord): \(error.message) (byte \(error.offset) of \(bodySize))"
        } else {
            message = "GetRecords: the answer is not valid JSON\(inRecord): \(error.message) (byte \(error.offset))"
        }
        return AWSError(.invalidResponse, message, underlying: error)
    }
}
