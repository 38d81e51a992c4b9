import Dispatch
package import StreamNormalize
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an input as ``ChangeStreamReader`` does (the same rows, errors and counts, handed on in
/// the same order) with its records turned into rows on several threads.
///
/// The input is cut into segments of whole lines, about ``segmentBytes`` each, and every segment is
/// read by a reader of its own on a worker thread, as if the input began there. That guess holds
/// when the segment before it ends between top-level units
/// (``ChangeStreamReader/read(piece:origin:isLast:onRow:onError:)`` says whether it does): one
/// event, page, array or record per line, as Lambda events and `GetRecords` pages are kept in
/// files. Segments are handed on in order; where a unit runs across a segment's end (a
/// pretty-printed event), or a line is longer than ``maxSegmentBytes``, the segments read ahead
/// are dropped (their readers stop) and one reader reads on from that segment's start, as
/// ``ChangeStreamReader`` reads it, until it stands between units again; then segments are cut
/// from there. Error record numbers count from the input's start.
///
/// Memory: at most ``lookahead`` segments are held with their rows, besides the line being cut and
/// two spare buffers. On the 200,000-record benchmark input (lines of about 1.2 MB) `transform`
/// with 2 threads peaks at about 32 MB, against 21 MB reading sequentially.
package struct ParallelReader {
    package typealias Summary = ChangeStreamReader.Summary

    /// The bytes a segment is cut at (at the first line break past them).
    package let segmentBytes: Int
    /// Segments read ahead at most (being read or waiting to be handed on): one more than threads.
    package let lookahead: Int
    /// Buffers kept for the segments to come (more cost memory and gain nothing measurable).
    private static let maxSpare = 2
    /// A line longer than this is not cut into a segment: reading goes on one unit after another.
    package let maxSegmentBytes: Int

    private let options: NormalizeOptions
    private let threads: Int

    /// Per input.
    private var pending: [Segment] = []
    /// Bytes read and not cut into a segment yet: `carry[..<carryFilled]` (buffers are used whole,
    /// what lies past their filled part is not read).
    private var carry: [UInt8] = []
    private var carryFilled = 0
    /// Where `carry` starts in the input.
    private var carryOrigin = 0
    /// Buffers of segments handed on, for the next segments' bytes and rows.
    private var spare: [[UInt8]] = []
    private var spareRows: [[UInt8]] = []
    private var inputEnded = false
    /// A line longer than ``maxSegmentBytes`` was met: no more segments are cut.
    private var uncuttable = false
    /// The counts of the segments handed on.
    private var handedOn = Summary()
    /// Reading one unit after another, from a point on.
    private var sequential: Sequential?
    /// What the source threw while segments were cut ahead: thrown where one reader would have
    /// met it, after the segments cut before it and the lines read before it.
    private var failure: (any Error)?
    private var recordNamePrefix: String?
    /// The input when its source holds it in place (a mapped file, ``ByteSource/bytesInPlace()``):
    /// once taken, segments are cut from it without copying, and whatever is read by copy (a reader
    /// reading on over a unit, segments cut after it) is read from it, not from the source.
    private var mapped: MappedInput?
    private var askedInPlace = false

    private struct Sequential {
        var reader: ChangeStreamReader
        /// Bytes already taken from the source, from the reader's origin on.
        var held: [UInt8]
        var heldPosition = 0
        /// Records handed on before the reader's origin.
        var recordBase: Int
        /// Bytes the reader reads before segments are cut again, once it stands between units;
        /// `nil`: it reads to the input's end.
        var resumeAfter: Int?
    }

    /// Times in a row reading fell back to one reader with few segments handed on in between: each
    /// doubles the bytes read so before segments are cut again (a file of pretty-printed events
    /// does not cut and drop segments over and over).
    private var fallbacks = 0
    /// ``segmentsHandedOn`` when segments were last cut again.
    private var segmentsAtResume = 0

    /// Worker threads by default: the machine's online cores, at most 8.
    package static var defaultThreads: Int { min(onlineCores, 8) }

    /// Worker threads beside `compressing` threads that encode objects: the cores they leave, at
    /// least 1, at most 8. (With gzip level 6 on 2 cores, compression keeps both busy: a second
    /// parsing thread made `run` slower, not faster.)
    package static func threadsBeside(compressing: Int) -> Int { min(max(onlineCores - compressing, 1), 8) }

    private static var onlineCores: Int { max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1) }

    /// Creates a reader.
    /// - Parameters:
    ///   - options: how records become rows.
    ///   - threads: segments read at once (one more is cut ahead; Dispatch's workers, as many as
    ///     the cores, read them); 1 reads one unit after another on the calling thread.
    ///   - segmentBytes: the size segments are cut at.
    ///   - maxSegmentBytes: the longest line cut into a segment (at least `segmentBytes`); a Lambda
    ///     event is at most 6 MB.
    package init(options: NormalizeOptions, threads: Int, segmentBytes: Int = 512 << 10, maxSegmentBytes: Int = 16 << 20) {
        self.options = options
        self.threads = max(1, threads)
        self.segmentBytes = max(segmentBytes, 1)
        self.maxSegmentBytes = max(maxSegmentBytes, self.segmentBytes)
        self.lookahead = max(1, threads) + 1
    }

    /// Starts reading a new input: what an unfinished one held is dropped.
    /// - Parameters:
    ///   - recordNamePrefix: for export lines (read one after another: their row names count lines).
    ///   - readAhead: whether the input may be read ahead of its rows (a regular file; not a
    ///     stream whose reads wait for input); when not, or with one thread, reading is sequential.
    package mutating func start(recordNamePrefix: String? = nil, readAhead: Bool = true) {
        cancel()
        carryFilled = 0
        carryOrigin = 0
        inputEnded = false
        uncuttable = false
        handedOn = Summary()
        segmentsHandedOn = 0
        takeovers = 0
        fallbacks = 0
        segmentsAtResume = 0
        failure = nil
        mapped = nil
        askedInPlace = false
        self.recordNamePrefix = recordNamePrefix
        if threads == 1 || !readAhead || options.exportLines != nil || recordNamePrefix != nil {
            readSequentially(from: 0, held: [], resuming: false)
        }
    }

    /// Whether segments are read on worker threads now (not one reader reading on over a unit
    /// that ran across a segment's end).
    package var isParallel: Bool { sequential == nil }
    /// Segments of the input read on worker threads and handed on.
    package private(set) var segmentsHandedOn = 0
    /// Times one reader took over in this input (a unit across a segment's end, a line too long).
    package private(set) var takeovers = 0

    /// Segments of the input cut and given to the workers, not handed on yet.
    package var segmentsAhead: Int { pending.count }

    /// Whether every byte of the input is in segments (read ahead or handed on): the workers have
    /// room for the next input's segments (``readAhead(_:segments:)``).
    package var hasCutAll: Bool { sequential == nil && inputEnded && carryFilled == 0 && !uncuttable && failure == nil }

    /// Cuts up to `segments` segments of the input and gives them to the workers, handing nothing
    /// on: an input's first segments are read while the rows of the input before it are handed
    /// on. What the source throws is thrown by ``readMore(_:onRow:onError:)`` where one reader
    /// would have met it.
    package mutating func readAhead<Source: ByteSource>(_ source: inout Source, segments: Int) {
        guard sequential == nil else { return }
        takeInPlace(&source)
        if var input = mapped {
            fill(&input, upTo: pending.count + segments)
        } else {
            fill(&source, upTo: pending.count + segments)
        }
    }

    /// Takes the input in place if its source holds it so (asked once, before anything is read).
    private mutating func takeInPlace<Source: ByteSource>(_ source: inout Source) {
        guard !askedInPlace else { return }
        askedInPlace = true
        mapped = source.bytesInPlace().map(MappedInput.init)
    }

    /// Stops reading the input: the readers of its segments stop, its buffers are kept.
    package mutating func cancel() {
        for segment in pending { segment.cancelled.store(true, ordering: .relaxed) }
        pending = []
        sequential = nil
    }

    /// Counts of the input being read: what was handed on so far.
    package var summary: Summary {
        guard let sequential else { return handedOn }
        var summary = handedOn
        summary.add(sequential.reader.summary)
        return summary
    }

    /// Hands on the rows and errors of the next segment (or, reading sequentially, of the next
    /// chunk); returns `false` once the input has ended and everything in it was handed on.
    ///
    /// When `source` throws, the reader keeps its place; what it throws while segments are cut
    /// ahead is thrown once everything before it was handed on (the segments, and the lines read
    /// before it, by one reader), as one reader would meet it, and again at every later call.
    /// When `onRow` or `onError` throw, the input cannot be read further.
    package mutating func readMore<Source: ByteSource>(
        _ source: inout Source,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Bool {
        takeInPlace(&source)
        if var input = mapped { return try readMore(from: &input, onRow: onRow, onError: onError) }
        return try readMore(from: &source, onRow: onRow, onError: onError)
    }

    private mutating func readMore<Source: ByteSource>(
        from source: inout Source,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws -> Bool {
        if sequential == nil {
            fill(&source, upTo: lookahead)
            if pending.isEmpty {
                guard uncuttable || failure != nil else { return false }
                // Every segment so far ended between units: go on from the line that could not be
                // cut, or read the lines before the source's failure and then meet it.
                readSequentially(from: carryOrigin, held: Array(carry[..<carryFilled]), resuming: failure == nil)
                carryFilled = 0
            } else {
                let segment = pending.removeFirst()
                segment.done.wait()
                var result = segment.result.take()!
                if result.endsBetweenUnits {
                    try handOn(result, onRow: onRow, onError: onError)
                    segmentsHandedOn += 1
                    recycle(segment, &result)
                    return true
                }
                // A unit runs across the segment's end: read on from the segment's start. The
                // segments after it were cut inside that unit: their readers stop.
                for later in pending { later.cancelled.store(true, ordering: .relaxed) }
                var held = Array(segment.piece)
                for later in pending { held += later.piece }
                held += carry[..<carryFilled]
                readSequentially(from: segment.origin, held: held, resuming: true)
                pending = []
                carryFilled = 0
            }
        }
        var state = sequential.take()!
        var chained = HeldBytes(
            held: state.held, position: state.heldPosition, rest: source, failure: failure, readsInPlace: state.resumeAfter == nil)
        var resumed = false
        defer {
            source = chained.rest
            state.heldPosition = chained.position
            if chained.position == state.held.count && !state.held.isEmpty {
                state.held = []
                state.heldPosition = 0
            }
            sequential = resumed ? nil : state
        }
        let base = state.recordBase
        state.reader.pausesBetweenUnits = state.resumeAfter.map { state.reader.summary.bytesIn >= $0 } ?? false
        let more = try state.reader.readMore(
            &chained, onRow: onRow,
            onError: { try onError($0.numbered(after: base)) })
        if more, state.reader.isPaused, let unread = state.reader.takeUnread() {
            // Between units again: cut segments from here.
            handedOn.add(state.reader.summary)
            handedOn.bytesIn -= unread.bytes.count  // read again as segments
            carry = unread.bytes + chained.held[chained.position...]
            carryFilled = carry.count
            carryOrigin = unread.origin
            uncuttable = false
            resumed = true
            segmentsAtResume = segmentsHandedOn
        }
        return more
    }

    /// Reads on with one reader from `origin`, given the bytes from there that were read already;
    /// `resuming`: cuts segments again once the reader stands between units.
    private mutating func readSequentially(from origin: Int, held: [UInt8], resuming: Bool) {
        var reader = ChangeStreamReader(options: options)
        reader.start(recordNamePrefix: recordNamePrefix, origin: origin)
        if segmentsHandedOn - segmentsAtResume >= 2 * lookahead { fallbacks = 0 }
        let resumeAfter = resuming ? segmentBytes << min(fallbacks, 10) : nil
        if resuming {
            fallbacks += 1
            takeovers += 1
        }
        sequential = Sequential(reader: reader, held: held, recordBase: handedOn.records, resumeAfter: resumeAfter)
    }

    private mutating func handOn(
        _ result: SegmentResult,
        onRow: (UnsafeBufferPointer<UInt8>, RowInfo) throws -> Void,
        onError: (StreamError) throws -> Void
    ) throws {
        let base = handedOn.records
        try result.rows.withUnsafeBufferPointer { rows in
            var start = 0
            for entry in result.entries {
                switch entry {
                case .row(let end, let info):
                    try onRow(UnsafeBufferPointer(rebasing: rows[start..<end]), info)
                    start = end
                case .error(let error):
                    try onError(error.numbered(after: base))
                }
            }
        }
        handedOn.add(result.summary)
        // Nothing before the end of a segment handed on is read again. `bytesIn` counts from the
        // input's start, which is the mapping's start: `takeInPlace` maps the input once, after
        // `start`, before anything of it is read.
        if let mapped, result.endsBetweenUnits { mapped.input.release(handedOn.bytesIn) }
    }

    // MARK: Segments

    /// Cuts segments and gives them to the workers until `limit` are out or the input ended; keeps
    /// what the source throws in `failure` (then cuts no more).
    private mutating func fill<Source: ByteSource>(_ source: inout Source, upTo limit: Int) {
        while pending.count < limit && !uncuttable && failure == nil {
            let segment: Segment
            if let mapped, carryFilled == 0 {
                guard let (view, isLast) = cutInPlace(mapped) else { return }
                segment = Segment(origin: carryOrigin - view.count, view: view, of: mapped, isLast: isLast, rowBuffer: spareRows.popLast() ?? [])
            } else {
                let next: (bytes: [UInt8], count: Int, isLast: Bool)?
                do { next = try cut(&source) } catch {
                    failure = error
                    return
                }
                guard let (bytes, count, isLast) = next else { return }
                segment = Segment(origin: carryOrigin - count, bytes: bytes, count: count, isLast: isLast, rowBuffer: spareRows.popLast() ?? [])
            }
            pending.append(segment)
            DispatchQueue.global().async { [options] in
                segment.result = Self.read(segment, options: options)
                segment.done.signal()
            }
            if segment.isLast { return }
        }
    }

    /// ``cut(_:)`` for an input held in place: the next segment's bytes where they lie (the lines
    /// up to the first that ends past ``segmentBytes``, or the input's rest), nothing copied; `nil`
    /// when the input has ended (or a stop was requested) or its next line is longer than
    /// ``maxSegmentBytes`` (`uncuttable`).
    private mutating func cutInPlace(_ input: MappedInput) -> (view: UnsafeBufferPointer<UInt8>, isLast: Bool)? {
        let bytes = input.input.bytes
        let start = input.position
        guard start < bytes.count, !input.input.isStopped() else {
            inputEnded = true
            return nil
        }
        let searchStart = start + segmentBytes - 1
        let searchEnd = min(bytes.count, start + maxSegmentBytes)
        let lineBreak =
            searchStart < searchEnd
            ? memchr(bytes.baseAddress! + searchStart, 0x0A, searchEnd - searchStart) : nil
        let end: Int
        if let lineBreak {
            end = UnsafeRawPointer(bytes.baseAddress!).distance(to: UnsafeRawPointer(lineBreak)) + 1
        } else if bytes.count - start <= maxSegmentBytes {
            end = bytes.count
            inputEnded = true
        } else {
            uncuttable = true
            return nil
        }
        let isLast = lineBreak == nil
        input.position = end
        carryOrigin += end - start
        return (UnsafeBufferPointer(rebasing: bytes[start..<end]), isLast)
    }

    /// The next segment (`bytes[..<count]`): the lines up to the first that ends past
    /// ``segmentBytes``, or the input's rest; `nil` when the input has ended or its next line is
    /// longer than ``maxSegmentBytes`` (`uncuttable`).
    private mutating func cut<Source: ByteSource>(_ source: inout Source) throws -> (bytes: [UInt8], count: Int, isLast: Bool)? {
        while true {
            if carryFilled >= segmentBytes, let lineBreak = Self.lineBreak(in: carry, from: segmentBytes - 1, to: carryFilled) {
                // The segment takes the buffer; the bytes after its line break start the next one.
                let count = lineBreak + 1
                let bytes = replaceCarry(keepingFrom: count, atLeast: 2 * segmentBytes + carryFilled - count)
                carryOrigin += count
                return (bytes, count, false)
            }
            if inputEnded {
                guard carryFilled > 0 else { return nil }
                let count = carryFilled
                var last: [UInt8] = []
                swap(&last, &carry)
                carryFilled = 0
                carryOrigin += count
                return (last, count, true)
            }
            if carryFilled >= maxSegmentBytes {
                uncuttable = true
                return nil
            }
            if carry.count - carryFilled < segmentBytes {
                let smaller = replaceCarry(keepingFrom: 0, atLeast: max(2 * segmentBytes, carryFilled + segmentBytes))
                if spare.count < Self.maxSpare, !smaller.isEmpty { spare.append(smaller) }
            }
            let filled = carryFilled
            let count = try carry.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if count == 0 { inputEnded = true }
            carryFilled += count
        }
    }

    /// Moves `carry[start..<carryFilled]` to the start of a buffer of at least `size` bytes, which
    /// becomes `carry`; returns the buffer it replaces.
    private mutating func replaceCarry(keepingFrom start: Int, atLeast size: Int) -> [UInt8] {
        var old = buffer(atLeast: size)
        let kept = carryFilled - start
        if kept > 0 {
            old.withUnsafeMutableBytes { to in
                carry.withUnsafeBytes { from in to.baseAddress!.copyMemory(from: from.baseAddress! + start, byteCount: kept) }
            }
        }
        swap(&old, &carry)
        carryFilled = kept
        return old
    }

    /// A buffer of at least `size` bytes: a spare one, or a new one (its bytes not set).
    private mutating func buffer(atLeast size: Int) -> [UInt8] {
        if let index = spare.lastIndex(where: { $0.count >= size }) { return spare.remove(at: index) }
        return [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size }
    }

    /// The first line break in `bytes[start..<end]`.
    private static func lineBreak(in bytes: [UInt8], from start: Int, to end: Int) -> Int? {
        bytes.withUnsafeBytes { raw -> Int? in
            guard start < end, let base = raw.baseAddress else { return nil }
            guard let hit = memchr(base + start, 0x0A, end - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    /// Keeps a handed-on segment's buffers for the segments to come.
    private mutating func recycle(_ segment: Segment, _ result: inout SegmentResult) {
        guard spare.count < Self.maxSpare else { return }
        // A segment cut in place has no buffer of its own; its rows' buffer is still kept.
        let bytes = segment.takeBytes()
        if !bytes.isEmpty { spare.append(bytes) }
        result.rows.removeAll(keepingCapacity: true)
        spareRows.append(result.rows)
        result.rows = []
    }

    /// Reads one segment with a reader of its own (on a worker thread).
    private static func read(_ segment: Segment, options: NormalizeOptions) -> SegmentResult {
        var reader = ChangeStreamReader(options: options, chunkSize: 16)
        var result = SegmentResult(rows: segment.takeRowBuffer())
        result.rows.reserveCapacity(segment.count / 2)
        result.endsBetweenUnits = segment.withPiece { piece in
            // The callbacks throw only when the segment is cancelled: its result is not used.
            (try? reader.read(
                piece: piece, origin: segment.origin, isLast: segment.isLast,
                onRow: { row, info in
                    if segment.cancelled.load(ordering: .relaxed) { throw Cancelled() }
                    result.rows.append(contentsOf: row)
                    result.entries.append(.row(end: result.rows.count, info))
                },
                onError: {
                    if segment.cancelled.load(ordering: .relaxed) { throw Cancelled() }
                    result.entries.append(.error($0))
                })) ?? false
        }
        result.summary = reader.summary
        return result
    }
}

/// A segment of the input, read on a worker thread: `result` is written once, before `done` is signalled.
/// A buffer it is given (`rowBuffer`) is for its rows.
private final class Segment: @unchecked Sendable {
    let origin: Int
    /// Its bytes are `bytes[..<count]`.
    private(set) var bytes: [UInt8]
    let count: Int
    let isLast: Bool
    let done = DispatchSemaphore(value: 0)
    var result: SegmentResult?
    /// Set when its result will not be used: its reader stops at its next row or error.
    let cancelled = Atomic<Bool>(false)
    private var rowBuffer: [UInt8]

    /// Its bytes where they lie in an input held in place (then `bytes` is empty), and that input.
    private let view: UnsafeBufferPointer<UInt8>?
    private let input: MappedInput?

    init(origin: Int, bytes: [UInt8], count: Int, isLast: Bool, rowBuffer: [UInt8]) {
        self.origin = origin
        self.bytes = bytes
        self.count = count
        self.isLast = isLast
        self.rowBuffer = rowBuffer
        (view, input) = (nil, nil)
    }

    init(origin: Int, view: UnsafeBufferPointer<UInt8>, of input: MappedInput, isLast: Bool, rowBuffer: [UInt8]) {
        self.origin = origin
        self.bytes = []
        self.count = view.count
        self.isLast = isLast
        self.rowBuffer = rowBuffer
        (self.view, self.input) = (view, input)
    }

    /// A copy of its bytes (for a reader reading on from here).
    var piece: ArraySlice<UInt8> { view.map { ArraySlice($0) } ?? bytes[..<count] }

    func withPiece<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let view { return withExtendedLifetime(input) { body(view) } }
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[..<count])) }
    }

    func takeBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    func takeRowBuffer() -> [UInt8] {
        defer { rowBuffer = [] }
        return rowBuffer
    }
}

private struct Cancelled: Error {}

extension StreamError {
    /// The error of a reader that started after `records` records of the input, numbered from the input's start.
    fileprivate func numbered(after records: Int) -> StreamError {
        var error = self
        if let index = recordIndex { error.recordIndex = index + records }
        return error
    }
}

extension ChangeStreamReader.Summary {
    /// Adds the counts of a later part of the input.
    fileprivate mutating func add(_ later: Self) {
        records += later.records
        rows += later.rows
        errors += later.errors
        bytesIn += later.bytesIn
    }
}

/// A segment's rows (one after another in `rows`) and errors, in input order, and its counts.
private struct SegmentResult {
    enum Entry {
        case row(end: Int, RowInfo)
        case error(StreamError)
    }

    var rows: [UInt8] = []
    var entries: [Entry] = []
    var summary = ChangeStreamReader.Summary()
    /// Whether every unit of the segment ended in it (or it is the input's last).
    var endsBetweenUnits = false
}

/// Bytes already taken from a source, then the source (or what it threw when they were taken).
private struct HeldBytes<Rest: ByteSource>: ByteSource {
    let held: [UInt8]
    var position: Int
    var rest: Rest
    let failure: (any Error)?
    /// Whether the rest may be read in place (``ByteSource/bytesInPlace()``): not when the reader
    /// hands what it has not read back to be cut into segments.
    let readsInPlace: Bool

    mutating func bytesInPlace() -> InPlaceBytes? {
        guard readsInPlace, position == held.count, failure == nil else { return nil }
        return rest.bytesInPlace()
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, held.count - position)
        guard count > 0 else {
            if let failure { throw failure }
            return try rest.read(into: buffer)
        }
        held.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: count) }
        position += count
        return count
    }
}

/// An input its source holds in place (``ParallelReader``'s `mapped`), and where reading of it
/// stands: segments are cut from it where it lies; read as a source, it copies from there.
private final class MappedInput: ByteSource {
    let input: InPlaceBytes
    /// Bytes before this were cut into segments or read.
    var position = 0

    init(_ input: InPlaceBytes) { self.input = input }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        // A stop request ends the input here, as a file source's read does.
        guard !input.isStopped() else { return 0 }
        let count = min(buffer.count, input.bytes.count - position)
        guard count > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: input.bytes.baseAddress! + position, byteCount: count)
        position += count
        return count
    }

    /// The rest, for a reader that reads it to the end (it reads nothing more by copy).
    func bytesInPlace() -> InPlaceBytes? {
        let start = position
        guard start < input.bytes.count else { return nil }
        position = input.bytes.count
        let input = self.input
        return InPlaceBytes(
            bytes: UnsafeBufferPointer(rebasing: input.bytes[start...]), release: { input.release(start + $0) }, isStopped: input.isStopped)
    }
}
