import DDBTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads stream records from bytes in any of the accepted shapes and turns each into a row; with
/// ``NormalizeOptions/exportLines`` set, reads the lines of a DynamoDB export's data files instead.
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

    /// Where reading stands in the current input: kept between ``readMore(_:onRow:onError:)`` calls.
    private struct Place {
        var summary = Summary()
        var buffer: [UInt8]
        var filled = 0
        var origin = 0  // absolute offset of buffer[0]
        var pos = 0
        var eof = false
        var finished = false
        var state = State.top
        /// The input held by its source, read in place of `buffer` (``ByteSource/bytesInPlace()``).
        var inPlace: InPlaceBytes?
        var askedInPlace = false
    }

    private var place: Place?
    /// Where rows are written; out of the reader (nil) while a read writes to it, so that the
    /// writer's storage stays its own and is reused.
    private var out: RowWriter? = RowWriter(capacity: 1 << 16)

    /// When set, ``readMore(_:onRow:onError:)`` returns as soon as a unit leaves reading between
    /// the input's top-level units (events, pages, arrays, records, lines), before it reads more:
    /// ``takeUnread()`` can then hand what is left to another reader.
    public var pausesBetweenUnits = false
    /// Whether the last ``readMore(_:onRow:onError:)`` returned because of ``pausesBetweenUnits``:
    /// a unit was handed on and reading stands between units, nothing more read.
    public private(set) var isPaused = false

    /// Counts of the input being read (or the last one read).
    public var summary: Summary { place?.summary ?? Summary() }

    /// Reads all of `source`, calling `onRow` with each row (one JSON object and a newline) and
    /// `onError` with each record or piece of input set aside.
    /// - Throws: what `source`, `onRow` or `onError` throw, or ``ReadError`` for a record larger than ``maxUnitBytes``.
    public mutating func run<Source: ByteSource>(
        _ source: inout Source,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Summary {
        start()
        while try readMore(&source, onRow: onRow, onError: onError) {}
        return summary
    }

    /// Starts reading a new input: what an unfinished one held is dropped.
    /// - Parameters:
    ///   - recordNamePrefix: for export lines, what their `_eventId` starts with
    ///     (`<ExportId>/<data file>/`); their line number follows.
    ///   - origin: where in the input the bytes to come start (0: at its beginning). A reader
    ///     started later in an input reads from there as a reader of the whole input would if it
    ///     stood between top-level units there (see ``read(piece:origin:isLast:onRow:onError:)``);
    ///     its errors' offsets are the input's, its counts its own.
    public mutating func start(recordNamePrefix: String? = nil, origin: Int = 0) {
        if let recordNamePrefix { transcoder.setRecordNamePrefix(recordNamePrefix) }
        place = Place(buffer: [UInt8](repeating: 0, count: chunkSize), origin: origin)
    }

    /// Reads `piece`, the bytes of an input from `origin` on, as a reader of the whole input would
    /// read them if it stood between top-level units (events, pages, arrays, records, lines) at
    /// `origin`; the input ends with the piece when `isLast`. Counts start again. Reads no source
    /// and copies nothing: for pieces of an input read apart.
    /// - Returns: whether the piece ends between top-level units (always, when `isLast`): when
    ///   not, its last unit runs on past it, and that unit was not handed on.
    /// - Throws: what `onRow` or `onError` throw.
    public mutating func read(
        piece: UnsafeBufferPointer<UInt8>, origin: Int, isLast: Bool,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Bool {
        var place = Place(buffer: [], origin: origin)
        place.summary.bytesIn = piece.count
        place.eof = isLast
        var out = self.out.take()!
        defer {
            self.out = out
            place.finished = true
            self.place = place
        }
        while true {
            let stepStart = place.pos
            switch try step(
                piece, &place.pos, &place.state, eof: isLast, origin: origin, out: &out, summary: &place.summary, onRow: onRow, onError: onError)
            {
            case .advanced: continue
            case .done: return true
            case .needMore:
                guard place.state == .top else { return false }
                return piece[stepStart...].allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            }
        }
    }

    /// When reading stands between the input's top-level units: the bytes read from the source and
    /// not handed on yet (the next units, or part of them), and where they start in the input. A
    /// reader started there (``start(recordNamePrefix:origin:)``) and given them, then the rest of
    /// the source, reads on as this one would; this one is done with the input. `nil` elsewhere
    /// (inside an event or array, or once the input has ended).
    public mutating func takeUnread() -> (origin: Int, bytes: [UInt8])? {
        guard var place, !place.finished, place.state == .top else { return nil }
        let unread =
            if let inPlace = place.inPlace {
                (origin: place.origin + place.pos, bytes: Array(inPlace.bytes[place.pos..<place.filled]))
            } else {
                (origin: place.origin + place.pos, bytes: Array(place.buffer[place.pos..<place.filled]))
            }
        place.finished = true
        self.place = place
        return unread
    }

    /// Turns what the buffer holds into rows, then reads once from `source`; returns `false` once
    /// the input has ended and every record in it was handed on.
    ///
    /// Callers that must do something between reads (write sealed batches, seal batches by age
    /// when the source reports it is waiting) call this in a loop. When `source` throws, the reader
    /// keeps its place: calling again goes on where it stopped.
    ///
    /// A source that holds the input in memory (``ByteSource/bytesInPlace()``, a mapped file) is
    /// read in place: each call turns the units of the next `chunkSize` bytes or so (see
    /// ``init(options:chunkSize:maxUnitBytes:)``) into rows, copying nothing; a unit there is not
    /// limited by ``maxUnitBytes``.
    /// - Throws: what `source`, `onRow` or `onError` throw, or ``ReadError`` for a record larger than ``maxUnitBytes``.
    public mutating func readMore<Source: ByteSource>(
        _ source: inout Source,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Bool {
        if place == nil { start() }
        guard !place!.finished else { return false }
        isPaused = false
        var place = self.place.take()!
        defer { self.place = place }
        if !place.askedInPlace {
            place.askedInPlace = true
            if place.filled == 0 && !place.eof, let inPlace = source.bytesInPlace() {
                place.inPlace = inPlace
                place.filled = inPlace.bytes.count
            }
        }
        if let inPlace = place.inPlace { return try readInPlace(inPlace, &place, onRow: onRow, onError: onError) }
        // Process what the buffer holds.
        var keepFrom = place.pos
        var finished = false
        var out = self.out.take()!  // moved, not copied: the steps write to it
        defer { self.out = out }
        var paused = false
        try place.buffer.withUnsafeBufferPointer { bytes in
            let window = UnsafeBufferPointer(rebasing: bytes[..<place.filled])
            while true {
                let stepStart = place.pos
                let step = try self.step(
                    window, &place.pos, &place.state, eof: place.eof, origin: place.origin, out: &out, summary: &place.summary,
                    onRow: onRow, onError: onError)
                switch step {
                case .advanced:
                    if pausesBetweenUnits && place.state == .top {
                        paused = true
                        return
                    }
                    continue
                case .needMore:
                    place.pos = stepStart
                    keepFrom = stepStart
                case .done:
                    finished = true
                }
                return
            }
        }
        if finished {
            place.finished = true
            return false
        }
        if paused {
            isPaused = true
            return true
        }
        // Keep the unfinished unit, make room, read more.
        if keepFrom > 0 {
            let filled = place.filled
            place.buffer.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress!
                base.copyMemory(from: base + keepFrom, byteCount: filled - keepFrom)
            }
            place.filled -= keepFrom
            place.origin += keepFrom
            place.pos -= keepFrom
        }
        if place.filled == place.buffer.count {
            guard place.buffer.count < maxUnitBytes else {
                throw ReadError(
                    description:
                        "a single record or event at byte \(place.origin) is larger than \(maxUnitBytes >> 20) MiB; DynamoDB records are at most 400 KB and Lambda events 6 MB"
                )
            }
            place.buffer.append(contentsOf: repeatElement(0, count: min(place.buffer.count, maxUnitBytes - place.buffer.count)))
        }
        let filled = place.filled
        let count = try place.buffer.withUnsafeMutableBytes { raw in
            try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
        }
        if count == 0 { place.eof = true }
        place.filled += count
        place.summary.bytesIn += count
        return true
    }

    /// ``readMore(_:onRow:onError:)`` for an input its source holds in memory: the units of the
    /// next `chunkSize` bytes or so are read where they lie, nothing copied, and the bytes
    /// before them released.
    private mutating func readInPlace(
        _ input: InPlaceBytes, _ place: inout Place,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Bool {
        // A stop request ends the input where reading stands, as a source's read returning 0 does.
        if place.filled > place.pos && input.isStopped() { place.filled = place.pos }
        let window = UnsafeBufferPointer(rebasing: input.bytes[..<place.filled])
        let start = place.pos
        var out = self.out.take()!
        defer { self.out = out }
        var finished = false
        reading: while true {
            switch try step(
                window, &place.pos, &place.state, eof: true, origin: place.origin, out: &out, summary: &place.summary,
                onRow: onRow, onError: onError)
            {
            case .advanced:
                if pausesBetweenUnits && place.state == .top {
                    isPaused = true
                    break reading
                }
                if place.pos - start >= chunkSize { break reading }
            case .needMore, .done:
                // The whole input is at hand: a unit never needs more.
                finished = true
                break reading
            }
        }
        place.summary.bytesIn = finished ? window.count : place.pos
        input.release(place.pos)
        if finished { place.finished = true }
        return !finished
    }

    // MARK: Steps

    private mutating func step(
        _ window: UnsafeBufferPointer<UInt8>, _ pos: inout Int, _ state: inout State, eof: Bool, origin: Int,
        out: inout RowWriter, summary: inout Summary,
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
            if transcoder.options.exportLines != nil {
                // Export data files: one object per line, nothing else.
                return try exportLine(window, &pos, at: cursor.pos, eof: eof, origin: origin, out: &out, summary: &summary, onRow: onRow, onError: onError)
            }
            if byte == UInt8(ascii: "[") {
                pos = cursor.pos + 1
                state = .arrayStart(.bare)
                return .advanced
            }
            guard byte == UInt8(ascii: "{") else {
                var error = cursor.malformed("a JSON object or array")
                error.offset += origin
                return try setAside(window, &pos, from: cursor.pos, error: error, eof: eof, origin: origin, state: &state, summary: &summary, onError: onError)
            }
            let objectStart = cursor.pos
            do throws(DDBError) {
                if try cursor.beginObject("an event") {
                    let key = try cursor.readKey()
                    if cursor.text(key, is: "Records"), try cursor.peekAfterWhitespace("Records") == UInt8(ascii: "[") {
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
            switch recordsArray(window, objectStart) {
            case .none: break
            case .at(let records):
                pos = records + 1
                state = .arrayStart(.embedded(end: objectEnd))
                return .advanced
            case .twice(let second):
                let error = DDBError(
                    .duplicateMember, "the event has \"Records\" twice; which one holds its records is unknowable, so the event is set aside whole",
                    path: [.name("Records")], offset: origin + second)
                try setAsidePiece(window, objectStart..<objectEnd, error: error, rawIsJSON: true, summary: &summary, onError: onError)
                pos = objectEnd
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
                var error = cursor.malformed("',' or ']' between records")
                error.offset += origin
                switch Resync.gapEnd(window, from: cursor.pos, eof: eof) {
                case .needMore:
                    return .needMore
                case .end(let end) where end > cursor.pos:
                    // Set aside just what stands between two records; the array goes on.
                    try setAsidePiece(window, cursor.pos..<end, error: error, rawIsJSON: false, summary: &summary, onError: onError)
                    pos = end
                    return .advanced
                default:
                    return try setAside(window, &pos, from: cursor.pos, error: error, eof: eof, origin: origin, state: &state, summary: &summary, onError: onError)
                }
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
            var second: (name: Int, value: Range<Int>)?
            do throws(DDBError) {
                if try cursor.nextMember(close: UInt8(ascii: "}")) {
                    cursor.skipWhitespace()
                    let keyStart = cursor.pos
                    let key = try cursor.readKey()
                    cursor.skipWhitespace()
                    let valueStart = cursor.pos
                    try cursor.skipValue()
                    if cursor.text(key, is: "Records") { second = (keyStart, valueStart..<cursor.pos) }
                } else {
                    state = .top
                }
            } catch {
                if error.code == .truncated && !eof { return .needMore }
                var error = error
                error.offset += origin
                return try setAside(window, &pos, from: cursor.pos, error: error, eof: eof, origin: origin, state: &state, summary: &summary, onError: onError)
            }
            if let second {
                let error = DDBError(
                    .duplicateMember, "the event has \"Records\" twice; the records of the second are set aside, not read",
                    path: [.name("Records")], offset: origin + second.name)
                try setAsidePiece(window, second.value, error: error, rawIsJSON: true, summary: &summary, onError: onError)
            }
            pos = cursor.pos
            return .advanced
        }
    }

    /// Turns the record at `start` into a row, or sets it aside.
    private mutating func record(
        _ window: UnsafeBufferPointer<UInt8>, _ pos: inout Int, at start: Int, eof: Bool, origin: Int, state: inout State,
        out: inout RowWriter, summary: inout Summary,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Step {
        var cursor = JSONCursor(window, at: start)
        out.begin()
        let failure: DDBError
        let number = summary.records + 1
        switch Result(catching: { () throws(DDBError) in try transcoder.transcode(&cursor, into: &out, recordNumber: number) }) {
        case .success(let info):
            summary.records += 1
            summary.rows += 1
            try onRow(out.written, info)
            pos = cursor.pos
            return .advanced
        case .failure(let error):
            failure = error
        }
        if failure.code == .truncated && !eof { return .needMore }
        // Find the record's end to set exactly it aside.
        var skipper = JSONCursor(window, at: start)
        var error = failure
        error.offset += origin
        do throws(DDBError) {
            try skipper.skipValue()
        } catch let syntax {
            if syntax.code == .truncated && !eof { return .needMore }
            // Not JSON. Inside an array of records, find its end by structure alone, so that the
            // records after it are still read; otherwise set aside the line.
            if case .arrayAfter = state, window[start] == UInt8(ascii: "{") {
                switch Resync.recordEnd(window, from: start, eof: eof) {
                case .needMore:
                    return .needMore
                case .end(let end):
                    let identity = identity(window, start..<end)
                    let sequences = identity.sequence.map { [$0] } ?? Array(Resync.sequenceNumbers(in: UnsafeBufferPointer(rebasing: window[start..<end])).prefix(1))
                    summary.records += 1
                    summary.errors += 1
                    try onError(
                        StreamError(
                            recordIndex: summary.records - 1, eventID: identity.eventID, error: error, raw: Array(window[start..<end]),
                            recordCount: 1, sequenceNumbers: sequences))
                    pos = end
                    return .advanced
                case .lost:
                    break
                }
            }
            return try setAside(window, &pos, from: start, error: error, eof: eof, origin: origin, state: &state, summary: &summary, onError: onError, isRecord: true, eventID: identity(window, start..<window.count).eventID)
        }
        let raw = Array(window[start..<skipper.pos])
        let identity = identity(window, start..<skipper.pos)
        summary.records += 1
        summary.errors += 1
        try onError(
            StreamError(
                recordIndex: summary.records - 1, eventID: identity.eventID ?? eventID(in: window, start), error: error, raw: raw,
                rawIsJSON: true, sequenceNumbers: (identity.sequence ?? sequenceNumber(in: window, start)).map { [$0] } ?? []))
        pos = skipper.pos
        return .advanced
    }

    /// Turns the export line at `start` into a row, or sets exactly that line aside: a line is a
    /// record, so damage never reaches into the next one.
    private mutating func exportLine(
        _ window: UnsafeBufferPointer<UInt8>, _ pos: inout Int, at start: Int, eof: Bool, origin: Int,
        out: inout RowWriter, summary: inout Summary,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Step {
        let base = window.baseAddress!
        let end = memchr(base + start, 0x0A, window.count - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? window.count
        if end == window.count && !eof { return .needMore }
        let next = end < window.count ? end + 1 : end
        var cursor = JSONCursor(base: window.baseAddress!, end: end, at: start)
        out.begin()
        let number = summary.records + 1
        summary.records += 1
        var failure: DDBError
        switch Result(catching: { () throws(DDBError) in try transcoder.transcode(&cursor, into: &out, recordNumber: number) }) {
        case .success(let info):
            cursor.skipWhitespace()
            if cursor.pos == end {
                summary.rows += 1
                try onRow(out.written, info)
                pos = next
                return .advanced
            }
            failure = cursor.malformed("the end of the line after the export line's object")
        case .failure(let error):
            failure = error
        }
        failure.offset += origin
        summary.errors += 1
        let raw = Array(window[start..<end])
        var check = JSONCursor(base: window.baseAddress!, end: end, at: start)
        let isJSON = (try? check.skipValue()) != nil && { check.skipWhitespace(); return check.pos == end }()
        var error = StreamError(recordIndex: number - 1, eventID: nil, error: failure, raw: raw, rawIsJSON: isJSON, recordCount: 1)
        error.line = number
        try onError(error)
        pos = next
        return .advanced
    }

    /// The `eventID` and `SequenceNumber` the transcoder read before the record at `range` failed.
    private func identity(_ window: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (eventID: String?, sequence: String?) {
        let cursor = JSONCursor(window)
        let eventID = transcoder.lastEventID.flatMap { range.contains($0.start) ? cursor.decodedString($0) : nil }
        let sequence = transcoder.lastSequenceNumber.flatMap { range.contains($0.start) ? cursor.decodedString($0) : nil }
        return (eventID, sequence)
    }

    /// Sets aside `range`, which holds no record or well-delimited records, and counts the records
    /// in it by their sequence numbers.
    private func setAsidePiece(
        _ window: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, error: DDBError, rawIsJSON: Bool, summary: inout Summary,
        onError: (StreamError) throws -> Void
    ) throws {
        let sequences = Resync.sequenceNumbers(in: UnsafeBufferPointer(rebasing: window[range]))
        summary.errors += 1
        summary.records += sequences.count
        try onError(
            StreamError(
                recordIndex: sequences.isEmpty ? nil : summary.records - sequences.count, eventID: nil, error: error,
                raw: Array(window[range]), rawIsJSON: rawIsJSON, recordCount: sequences.count, sequenceNumbers: sequences))
    }

    /// Sets aside input from `start` to the end of the line the fault is on, and starts afresh after it.
    /// - Parameter isRecord: whether `start` is where a record begins (so the piece holds at least it).
    private func setAside(
        _ window: UnsafeBufferPointer<UInt8>, _ pos: inout Int, from start: Int, error: DDBError, eof: Bool, origin: Int,
        state: inout State, summary: inout Summary, onError: (StreamError) throws -> Void,
        isRecord: Bool = false, eventID: String? = nil
    ) throws -> Step {
        // `error.offset` is absolute in the input (callers add `origin`): a guess here would depend
        // on how the input happened to arrive.
        let faultAt = max(start, min(error.offset - origin, window.count))
        var end = faultAt
        while end < window.count && window[end] != 0x0A { end += 1 }
        if end == window.count && !eof { return .needMore }
        if end < window.count { end += 1 }
        // The piece may hold several records (a broken one and those after it on its line): count
        // each one its sequence numbers show, so that none is claimed as read into a row. A line
        // is a record boundary only outside an array: inside one, the line break is itself the
        // damage, and the record's rest (its SequenceNumber perhaps) is counted with the next piece.
        let sequences = Resync.sequenceNumbers(in: UnsafeBufferPointer(rebasing: window[start..<end]))
        let count = !isRecord || state != .top ? sequences.count : max(1, sequences.count)
        summary.errors += 1
        summary.records += count
        try onError(
            StreamError(
                recordIndex: count > 0 ? summary.records - count : nil, eventID: eventID, error: error,
                raw: Array(window[start..<end]), recordCount: count, sequenceNumbers: sequences))
        pos = end
        state = .top
        return .advanced
    }

    private enum RecordsMember {
        case none
        /// The position of the array's `[`.
        case at(Int)
        /// The position of the second `Records` name.
        case twice(Int)
    }

    /// The top-level `Records` array of the well-formed object at `start`, if it has one.
    private func recordsArray(_ window: UnsafeBufferPointer<UInt8>, _ start: Int) -> RecordsMember {
        var cursor = JSONCursor(window, at: start)
        var found: Int?
        do throws(DDBError) {
            guard try cursor.beginObject("an object") else { return .none }
            repeat {
                cursor.skipWhitespace()
                let keyStart = cursor.pos
                let key = try cursor.readKey()
                if cursor.text(key, is: "Records") {
                    if found != nil { return .twice(keyStart) }
                    if try cursor.peekAfterWhitespace("Records") == UInt8(ascii: "[") { found = cursor.pos }
                }
                try cursor.skipValue()
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        } catch {
            return .none
        }
        return found.map { .at($0) } ?? .none
    }

    /// The `SequenceNumber` of the well-formed record at `start`, if it has one.
    private func sequenceNumber(in window: UnsafeBufferPointer<UInt8>, _ start: Int) -> String? {
        var cursor = JSONCursor(window, at: start)
        do throws(DDBError) {
            guard try cursor.beginObject("a record") else { return nil }
            repeat {
                let key = try cursor.readKey()
                if cursor.text(key, is: "dynamodb"), try cursor.peekAfterWhitespace("dynamodb") == UInt8(ascii: "{") {
                    guard try cursor.beginObject("dynamodb") else { return nil }
                    repeat {
                        let field = try cursor.readKey()
                        if cursor.text(field, is: "SequenceNumber"), try cursor.peekAfterWhitespace("SequenceNumber") == UInt8(ascii: "\"") {
                            cursor.pos += 1
                            return cursor.decodedString(try cursor.scanStringBody())
                        }
                        try cursor.skipValue()
                    } while try cursor.nextMember(close: UInt8(ascii: "}"))
                    return nil
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
                if cursor.text(key, is: "eventID"), try cursor.peekAfterWhitespace("eventID") == UInt8(ascii: "\"") {
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
