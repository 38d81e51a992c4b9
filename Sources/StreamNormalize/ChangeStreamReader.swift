import DDBTypes

/// Reads stream records from bytes in any of the accepted shapes and turns each into a row.
///
/// Shapes, detected as they come and freely concatenated: a Lambda event `{"Records":[…]}`, a
/// `GetRecords` response page (`Records` anywhere among its members), a bare array of records, and
/// one event or one record per line (NDJSON). Input is read in chunks and memory stays bounded by
/// the largest single record (or event, when `Records` is not its first member), whatever the
/// input's size.
///
/// A record that cannot become a row is handed to `onError` with its raw bytes, and reading goes
/// on with the next record; input that is not JSON at all is set aside up to the next line.
public struct ChangeStreamReader {
    /// Counts of one run.
    public struct Summary: Sendable, Hashable {
        /// Records seen, good and bad.
        public var records = 0
        /// Rows written.
        public var rows = 0
        /// Pieces of input set aside (bad records and unreadable input).
        public var errors = 0
        /// Bytes read.
        public var bytesIn = 0

        /// All counts zero.
        public init() {}
    }

    private var transcoder: RecordTranscoder
    private let chunkSize: Int
    /// The largest record or event accepted.
    public let maxUnitBytes: Int

    /// Creates a reader.
    /// - Parameters:
    ///   - options: how records become rows.
    ///   - chunkSize: bytes read at a time.
    ///   - maxUnitBytes: the largest record (or event that must be held whole) accepted; a Lambda
    ///     event is at most 6 MB and a DynamoDB item 400 KB.
    public init(options: NormalizeOptions, chunkSize: Int = 1 << 20, maxUnitBytes: Int = 64 << 20) {
        self.transcoder = RecordTranscoder(options: options)
        self.chunkSize = max(chunkSize, 16)
        self.maxUnitBytes = maxUnitBytes
    }

    private enum ArrayKind: Equatable {
        case bare
        case records
        /// `Records` inside an object already held whole, which ends at this position.
        case embedded(end: Int)
    }

    private enum State: Equatable {
        case top
        case arrayStart(ArrayKind)
        case arrayElement(ArrayKind)
        case arrayAfter(ArrayKind)
        case afterRecords
    }

    private enum Step {
        case advanced
        case needMore
        case done
    }

    /// An error raised when reading cannot go on at all.
    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads all of `source`, calling `onRow` with each row (one JSON object and a newline) and
    /// `onError` with each record or piece of input set aside.
    /// - Throws: what `source`, `onRow` or `onError` throw, or ``ReadError`` for a record larger than ``maxUnitBytes``.
    public mutating func run<Source: ByteSource>(
        _ source: inout Source,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Summary {
        var summary = Summary()
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var filled = 0
        var origin = 0  // absolute offset of buffer[0]
        var pos = 0
        var eof = false
        var state = State.top
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)

        while true {
            // Process what the buffer holds.
            var keepFrom = pos
            var finished = false
            try buffer.withUnsafeBufferPointer { bytes in
                let window = UnsafeBufferPointer(rebasing: bytes[..<filled])
                while true {
                    let stepStart = pos
                    let step = try self.step(
                        window, &pos, &state, eof: eof, origin: origin, out: &out, summary: &summary, onRow: onRow,
                        onError: onError)
                    switch step {
                    case .advanced: continue
                    case .needMore:
                        pos = stepStart
                        keepFrom = stepStart
                    case .done:
                        finished = true
                    }
                    return
                }
            }
            if finished { break }
            // Keep the unfinished unit, make room, read more.
            if keepFrom > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!
                    base.copyMemory(from: base + keepFrom, byteCount: filled - keepFrom)
                }
                filled -= keepFrom
                origin += keepFrom
                pos -= keepFrom
            }
            if filled == buffer.count {
                guard buffer.count < maxUnitBytes else {
                    throw ReadError(
                        description:
                            "a single record or event at byte \(origin) is larger than \(maxUnitBytes >> 20) MiB; DynamoDB records are at most 400 KB and Lambda events 6 MB"
                    )
                }
                buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, maxUnitBytes - buffer.count)))
            }
            let count = try buffer.withUnsafeMutableBytes { raw in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
            }
            if count == 0 { eof = true }
            filled += count
            summary.bytesIn += count
        }
        return summary
    }

    // MARK: Steps

    private mutating func step(
        _ window: UnsafeBufferPointer<UInt8>, _ pos: inout Int, _ state: inout State, eof: Bool, origin: Int,
        out: inout [UInt8], summary: inout Summary,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Step {
        var cursor = JSONCursor(window, at: pos)
        cursor.skipWhitespace()
        if origin + cursor.pos == 0, window.count >= 3, window[0] == 0xEF, window[1] == 0xBB, window[2] == 0xBF {
            cursor.pos = 3  // a UTF-8 byte order mark
            cursor.skipWhitespace()
        }
        guard cursor.pos < window.count else {
            if !eof { return .needMore }
            if state != .top {
                try onError(
                    StreamError(
                        recordIndex: nil, eventID: nil,
                        error: DDBError(.truncated, "input ends inside an array of records", offset: origin + cursor.pos), raw: []))
                summary.errors += 1
            }
            pos = cursor.pos
            return .done
        }
        let byte = window[cursor.pos]

        switch state {
        case .top:
            if byte == UInt8(ascii: "[") {
                pos = cursor.pos + 1
                state = .arrayStart(.bare)
                return .advanced
            }
            guard byte == UInt8(ascii: "{") else {
                return try setAside(window, &pos, from: cursor.pos, error: cursor.malformed("a JSON object or array"), eof: eof, origin: origin, state: &state, summary: &summary, onError: onError)
            }
            let objectStart = cursor.pos
            do throws(DDBError) {
                if try cursor.beginObject("an event") {
                    let key = try cursor.readKey()
                    if cursor.bytes(key, equal: "Records"), try cursor.peekAfterWhitespace("Records") == UInt8(ascii: "[") {
                        cursor.pos += 1
                        pos = cursor.pos
                        state = .arrayStart(.records)
                        return .advanced
                    }
                }
                // Not a Lambda event: hold the object whole and see whether it has `Records`.
                cursor.pos = objectStart
                try cursor.skipValue()
            } catch {
                if error.code == .truncated && !eof { return .needMore }
                // Unreadable: let the record path report it, with its raw bytes.
                return try record(window, &pos, at: objectStart, eof: eof, origin: origin, state: &state, out: &out, summary: &summary, onRow: onRow, onError: onError)
            }
            let objectEnd = cursor.pos
            if let records = recordsArray(window, objectStart) {
                pos = records + 1
                state = .arrayStart(.embedded(end: objectEnd))
                return .advanced
            }
            return try record(window, &pos, at: objectStart, eof: eof, origin: origin, state: &state, out: &out, summary: &summary, onRow: onRow, onError: onError)

        case .arrayStart(let kind), .arrayAfter(let kind):
            let isStart: Bool
            if case .arrayStart = state { isStart = true } else { isStart = false }
            if byte == UInt8(ascii: "]") {
                switch kind {
                case .bare: state = .top; pos = cursor.pos + 1
                case .records: state = .afterRecords; pos = cursor.pos + 1
                case .embedded(let end): state = .top; pos = end
                }
                return .advanced
            }
            if isStart {
                state = .arrayElement(kind)
                pos = cursor.pos
                return .advanced
            }
            guard byte == UInt8(ascii: ",") else {
                return try setAside(window, &pos, from: cursor.pos, error: cursor.malformed("',' or ']' between records"), eof: eof, origin: origin, state: &state, summary: &summary, onError: onError)
            }
            pos = cursor.pos + 1
            state = .arrayElement(kind)
            return .advanced

        case .arrayElement(let kind):
            state = .arrayAfter(kind)
            let step = try record(window, &pos, at: cursor.pos, eof: eof, origin: origin, state: &state, out: &out, summary: &summary, onRow: onRow, onError: onError)
            if case .needMore = step { state = .arrayElement(kind) }
            return step

        case .afterRecords:
            // The rest of an event after its `Records` (`NextShardIterator`, …), up to its `}`.
            do throws(DDBError) {
                if try cursor.nextMember(close: UInt8(ascii: "}")) {
                    _ = try cursor.readKey()
                    try cursor.skipValue()
                } else {
                    state = .top
                }
                pos = cursor.pos
                return .advanced
            } catch {
                if error.code == .truncated && !eof { return .needMore }
                return try setAside(window, &pos, from: cursor.pos, error: error, eof: eof, origin: origin, state: &state, summary: &summary, onError: onError)
            }
        }
    }

    /// Turns the record at `start` into a row, or sets it aside.
    private mutating func record(
        _ window: UnsafeBufferPointer<UInt8>, _ pos: inout Int, at start: Int, eof: Bool, origin: Int, state: inout State,
        out: inout [UInt8], summary: inout Summary,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Step {
        var cursor = JSONCursor(window, at: start)
        out.removeAll(keepingCapacity: true)
        let failure: DDBError
        switch Result(catching: { () throws(DDBError) in try transcoder.transcode(&cursor, into: &out) }) {
        case .success(let info):
            summary.records += 1
            summary.rows += 1
            try out.withUnsafeBufferPointer { try onRow($0, info) }
            pos = cursor.pos
            return .advanced
        case .failure(let error):
            failure = error
        }
        if failure.code == .truncated && !eof { return .needMore }
        // Find the record's end to set exactly it aside; if it is not even JSON, set aside the line.
        var skipper = JSONCursor(window, at: start)
        do throws(DDBError) {
            try skipper.skipValue()
        } catch {
            if error.code == .truncated && !eof { return .needMore }
            var failure = failure
            failure.offset += origin
            return try setAside(window, &pos, from: start, error: failure, eof: eof, origin: origin, state: &state, summary: &summary, onError: onError, recordIndex: summary.records, eventID: transcoder.lastEventID.map { JSONCursor(window).decodedString($0) })
        }
        var error = failure
        error.offset += origin
        let raw = Array(window[start..<skipper.pos])
        summary.records += 1
        summary.errors += 1
        try onError(StreamError(recordIndex: summary.records - 1, eventID: transcoder.lastEventID.map { JSONCursor(window).decodedString($0) } ?? eventID(in: window, start), error: error, raw: raw, rawIsJSON: true))
        pos = skipper.pos
        return .advanced
    }

    /// Sets aside input from `start` to the end of the line the fault is on, and starts afresh after it.
    private func setAside(
        _ window: UnsafeBufferPointer<UInt8>, _ pos: inout Int, from start: Int, error: DDBError, eof: Bool, origin: Int,
        state: inout State, summary: inout Summary, onError: (StreamError) throws -> Void,
        recordIndex: Int? = nil, eventID: String? = nil
    ) throws -> Step {
        var error = error
        if error.offset < origin { error.offset += origin }
        let faultAt = max(start, min(error.offset - origin, window.count))
        var end = faultAt
        while end < window.count && window[end] != 0x0A { end += 1 }
        if end == window.count && !eof { return .needMore }
        if end < window.count { end += 1 }
        summary.errors += 1
        if recordIndex != nil { summary.records += 1 }
        try onError(StreamError(recordIndex: recordIndex, eventID: eventID, error: error, raw: Array(window[start..<end])))
        pos = end
        state = .top
        return .advanced
    }

    /// The position of the `[` of a top-level `Records` member of the object at `start`.
    private func recordsArray(_ window: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var cursor = JSONCursor(window, at: start)
        do throws(DDBError) {
            guard try cursor.beginObject("an object") else { return nil }
            repeat {
                let key = try cursor.readKey()
                if cursor.bytes(key, equal: "Records"), try cursor.peekAfterWhitespace("Records") == UInt8(ascii: "[") {
                    return cursor.pos
                }
                try cursor.skipValue()
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        } catch {
            return nil
        }
        return nil
    }

    /// The `eventID` of the well-formed record at `start`, if it has one.
    private func eventID(in window: UnsafeBufferPointer<UInt8>, _ start: Int) -> String? {
        var cursor = JSONCursor(window, at: start)
        do throws(DDBError) {
            guard try cursor.beginObject("a record") else { return nil }
            repeat {
                let key = try cursor.readKey()
                if cursor.bytes(key, equal: "eventID"), try cursor.peekAfterWhitespace("eventID") == UInt8(ascii: "\"") {
                    cursor.pos += 1
                    return cursor.decodedString(try cursor.scanStringBody())
                }
                try cursor.skipValue()
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        } catch {
            return nil
        }
        return nil
    }
}
