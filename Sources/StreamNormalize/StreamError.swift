public import DDBTypes

/// A stream record (or a piece of input) that could not become a row.
///
/// It names the record (its position in the input and its `eventID` when one could be read),
/// the byte offset, the attribute path and what was wrong, and keeps the raw bytes so nothing is lost.
public struct StreamError: Error, Sendable, CustomStringConvertible {
    /// The record's position among all records of the input, from zero; `nil` when the bytes
    /// could not be read as a record at all.
    public var recordIndex: Int?
    /// The record's `eventID`, when it could be read.
    public var eventID: String?
    /// The underlying error; its `path` starts at the record (`NewImage.lines[3].price`) and its
    /// `offset` is absolute in the input.
    public var error: DDBError
    /// The bytes that were set aside: the record, or the unreadable input up to the next line.
    public var raw: [UInt8]
    /// Whether ``raw`` is well-formed JSON (a record whose content, not syntax, was at fault).
    public var rawIsJSON: Bool
    /// How many stream records ``raw`` holds: 1 for a record, 0 for input that is no record, more
    /// when unreadable input could not be split at record boundaries.
    public var recordCount: Int
    /// The `SequenceNumber` texts of those records, as far as they could be read: a record's
    /// position in its stream, which a Lambda partial batch response names.
    public var sequenceNumbers: [String]
    /// The line of an export data file the record is (from 1); `nil` for stream records.
    public var line: Int?

    /// Creates an error (the reader makes them).
    package init(
        recordIndex: Int?, eventID: String?, error: DDBError, raw: [UInt8], rawIsJSON: Bool = false, recordCount: Int? = nil,
        sequenceNumbers: [String] = []
    ) {
        self.recordIndex = recordIndex
        self.eventID = eventID
        self.error = error
        self.raw = raw
        self.rawIsJSON = rawIsJSON
        self.recordCount = recordCount ?? (recordIndex == nil ? 0 : 1)
        self.sequenceNumbers = sequenceNumbers
    }

    /// Whether every record in ``raw`` is named by its sequence number, so that setting the piece
    /// aside accounts for each of them.
    public var isIdentified: Bool { recordCount == sequenceNumbers.count }

    /// One line of an errors file: the error's facts and the raw input, as JSON (when the raw
    /// bytes are JSON) or base64 (when they are not), so that nothing is lost.
    ///
    /// `{"recordIndex":17,"eventID":"…","offset":123,"code":"bad-base64","path":"NewImage.b","message":"…","record":{…}}`
    public var jsonLine: [UInt8] { jsonLine(input: nil) }

    /// ``jsonLine`` with the name of the input the record came from first: `{"input":"events.json",…}`.
    public func jsonLine(input: String?) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        if let input {
            out.append(contentsOf: "\"input\":".utf8)
            appendJSONString(input.utf8, to: &out)
            out.append(UInt8(ascii: ","))
        }
        if let line { out.append(contentsOf: "\"line\":\(line),".utf8) }
        out.append(contentsOf: "\"recordIndex\":".utf8)
        out.append(contentsOf: (recordIndex.map { String($0) } ?? "null").utf8)
        out.append(contentsOf: ",\"eventID\":".utf8)
        if let eventID { appendJSONString(eventID.utf8, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: ",\"sequenceNumber\":".utf8)
        if recordCount <= 1, let sequence = sequenceNumbers.first {
            appendJSONString(sequence.utf8, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        if recordCount > 1 {
            out.append(contentsOf: ",\"records\":\(recordCount),\"sequenceNumbers\":[".utf8)
            for (index, sequence) in sequenceNumbers.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(sequence.utf8, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: ",\"offset\":\(error.offset),\"code\":".utf8)
        appendJSONString(error.code.description.utf8, to: &out)
        out.append(contentsOf: ",\"path\":".utf8)
        appendJSONString(error.path.description.utf8, to: &out)
        out.append(contentsOf: ",\"message\":".utf8)
        appendJSONString(error.message.utf8, to: &out)
        if rawIsJSON {
            out.append(contentsOf: ",\"record\":".utf8)
            // Well-formed JSON has line breaks only as whitespace between tokens: keep it on one line.
            out.append(contentsOf: raw.lazy.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
        } else {
            out.append(contentsOf: ",\"rawBase64\":\"".utf8)
            Base64.encode(raw, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// `record 17 (eventID 3f2a…) at byte 12345: NewImage.total: number … [number-too-precise]`.
    public var description: String {
        var text = line.map { "line \($0)" } ?? recordIndex.map { "record \($0)" } ?? "input"
        if recordCount > 1 { text += " (and \(recordCount - 1) record(s) after it, unreadable)" }
        if let eventID { text += " (eventID \(eventID))" }
        text += " at byte \(error.offset): \(error) [\(error.code)]"
        return text
    }
}
