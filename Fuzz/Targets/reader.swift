// libFuzzer target: ChangeStreamReader over any bytes, in every input shape it detects.
//
// The input is read several times through MemorySource, with reader buffers and source chunks
// of sizes derived from the input (a hash, so seeds stay readable JSON), and the invariants that
// must hold whatever the input are checked:
// - no crash, no sanitizer report, no error other than the documented ones;
// - the counts add up: rows == onRow calls, errors == onError calls, records == rows + the records
//   the set-aside pieces hold (recordCount), bytesIn == the input's size; a piece's recordIndex is
//   the number of records before it (rows and set-aside records, in input order), and a piece that
//   holds no record has none;
// - every set-aside piece and every row's eventID are bytes of the input, in input order, without
//   overlapping (nothing invented, nothing reported twice);
// - rows and set-aside pieces are identical whatever the chunk sizes;
// - Pipeline's ParallelReader (segments of whole lines read on worker threads, one reader reading
//   on where a unit runs across a segment's end) hands on exactly what one reader does, with
//   segments of sizes derived from the input.
// A broken invariant traps, which libFuzzer reports as a crash and saves the input.
import DDBTypes
import Pipeline
import StreamNormalize

/// What one read produced, in order.
private enum Event: Equatable {
    case row([UInt8], RowInfo)
    case setAside(
        recordIndex: Int?, eventID: String?, error: DDBError, raw: [UInt8], rawIsJSON: Bool, recordCount: Int,
        sequenceNumbers: [String])
}

extension Event: CustomStringConvertible {
    var description: String {
        switch self {
        case .row(let row, let info): "row \(String(decoding: row, as: UTF8.self).debugDescription) \(info)"
        case .setAside(let index, let eventID, let error, let raw, let rawIsJSON, let count, let sequences):
            "set aside record \(index.map(String.init) ?? "-") (\(count) records, sequence numbers \(sequences)) eventID \(eventID ?? "-") \(error.code) at \(error.offset) path \(error.path) \"\(error.message)\" raw\(rawIsJSON ? " JSON" : "") \(String(decoding: raw, as: UTF8.self).debugDescription)"
        }
    }
}

private struct Outcome: Equatable {
    var events: [Event] = []
    var summary = ChangeStreamReader.Summary()
    var failure: String?
}

private func fail(_ message: String, _ input: UnsafeBufferPointer<UInt8>) -> Never {
    print("reader invariant broken: \(message)")
    print("input (\(input.count) bytes): \(String(decoding: input.prefix(2000), as: UTF8.self).debugDescription)")
    fatalError(message)
}

/// FNV-1a: chunk sizes follow the input without taking bytes from it.
private func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return h
}

private func read(
    _ input: UnsafeBufferPointer<UInt8>, options: NormalizeOptions, readerChunk: Int, sourceChunk: Int
) -> Outcome {
    var outcome = Outcome()
    var source = MemorySource(input)
    source.maxChunk = sourceChunk
    var reader = ChangeStreamReader(options: options, chunkSize: readerChunk)
    var rows = 0
    var setAsideRecords = 0
    do {
        outcome.summary = try reader.run(
            &source,
            onRow: { row, info in
                guard row.last == 0x0A, info.eventIDRange.upperBound <= row.count else {
                    fail("row not ending in a newline or eventIDRange outside it", input)
                }
                outcome.events.append(.row(Array(row), info))
                rows += 1
            },
            onError: { error in
                guard error.recordCount >= 0, error.sequenceNumbers.count <= error.recordCount,
                    error.recordIndex == (error.recordCount > 0 ? rows + setAsideRecords : nil)
                else {
                    fail(
                        "set-aside piece with record index \(error.recordIndex.map(String.init) ?? "none"), \(error.recordCount) records, \(error.sequenceNumbers.count) sequence numbers after \(rows + setAsideRecords) records",
                        input)
                }
                setAsideRecords += error.recordCount
                // The forms the error takes in the run summary and the _errors object must not trap.
                _ = error.description
                _ = error.jsonLine(input: "fuzz")
                outcome.events.append(
                    .setAside(
                        recordIndex: error.recordIndex, eventID: error.eventID, error: error.error, raw: error.raw,
                        rawIsJSON: error.rawIsJSON, recordCount: error.recordCount, sequenceNumbers: error.sequenceNumbers))
            })
    } catch let error as ChangeStreamReader.ReadError {
        outcome.failure = error.description
    } catch {
        fail("unexpected error \(error)", input)
    }
    if outcome.failure == nil {
        let summary = outcome.summary
        let errors = outcome.events.count - rows
        guard summary.rows == rows, summary.errors == errors, summary.records == rows + setAsideRecords,
            summary.bytesIn == input.count
        else {
            fail(
                "summary \(summary) disagrees with \(rows) rows, \(errors) set aside (\(setAsideRecords) records), \(input.count) bytes",
                input)
        }
    }
    return outcome
}

/// What ParallelReader hands on, as ``read(_:options:readerChunk:sourceChunk:)`` records it.
private func readInSegments(
    _ input: UnsafeBufferPointer<UInt8>, options: NormalizeOptions, threads: Int, segmentBytes: Int, sourceChunk: Int
) -> Outcome {
    var outcome = Outcome()
    var source = MemorySource(input)
    source.maxChunk = sourceChunk
    var reader = ParallelReader(options: options, threads: threads, segmentBytes: segmentBytes, maxSegmentBytes: 4 * segmentBytes)
    reader.start()
    do {
        while try reader.readMore(
            &source,
            onRow: { row, info in outcome.events.append(.row(Array(row), info)) },
            onError: { error in
                outcome.events.append(
                    .setAside(
                        recordIndex: error.recordIndex, eventID: error.eventID, error: error.error, raw: error.raw,
                        rawIsJSON: error.rawIsJSON, recordCount: error.recordCount, sequenceNumbers: error.sequenceNumbers))
            })
        {}
        outcome.summary = reader.summary
    } catch let error as ChangeStreamReader.ReadError {
        outcome.failure = error.description
    } catch {
        fail("unexpected error \(error)", input)
    }
    return outcome
}

/// Whether `pieces` occur in `input` one after another, without overlapping.
private func inOrder(_ pieces: [ArraySlice<UInt8>], in input: UnsafeBufferPointer<UInt8>) -> Bool {
    var from = 0
    for piece in pieces where !piece.isEmpty {
        var found = false
        var start = from
        while start + piece.count <= input.count {
            if input[start] == piece.first!, input[start..<start + piece.count].elementsEqual(piece) {
                found = true
                break
            }
            start += 1
        }
        guard found else { return false }
        from = start + piece.count
    }
    return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: size == 0 ? nil : data, count: size)
    let h = hash(input)
    let options = NormalizeOptions(
        layout: h & 1 == 0 ? .flat : .envelope, numbers: h & 2 == 0 ? .exact : .string,
        tombstoneImage: h & 4 == 0 ? .keys : .old, ingestTime: 1_767_225_600_000)

    // Reference: the whole input in one read.
    let whole = read(input, options: options, readerChunk: max(size, 16), sourceChunk: .max)
    if whole.failure == nil {
        var pieces: [ArraySlice<UInt8>] = []
        for event in whole.events {
            switch event {
            case .row(let row, let info): pieces.append(row[info.eventIDRange])
            case .setAside(_, _, let error, let raw, _, _, _):
                guard error.offset >= 0, error.offset <= size else { fail("error offset \(error.offset) outside the input", input) }
                pieces.append(raw[...])
            }
        }
        guard inOrder(pieces, in: input) else { fail("rows and set-aside pieces are not input bytes in input order", input) }
    }

    // Small and odd chunkings: the reader's buffer starts at 16 bytes and grows; the source hands
    // out a few bytes at a time, so units straddle every kind of boundary. The reader parses an
    // unfinished unit again after each read, so the smallest reads grow with the input to keep one
    // run in milliseconds.
    let small = 1 + size / 64
    let chunkings = [
        (16, small + Int((h >> 8) % 7)),
        (16 + Int((h >> 16) % 61), small + Int((h >> 24) % 97)),
        (16, .max),
    ]
    for (readerChunk, sourceChunk) in chunkings {
        let outcome = read(input, options: options, readerChunk: readerChunk, sourceChunk: sourceChunk)
        guard outcome == whole else {
            let first = zip(outcome.events, whole.events).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(outcome.events.count, whole.events.count)
            fail(
                "chunking (reader \(readerChunk), source \(sourceChunk)) gives \(outcome.events.count) events, \(outcome.summary), \(outcome.failure ?? "no failure"); one read gives \(whole.events.count), \(whole.summary), \(whole.failure ?? "no failure"); first difference at event \(first): \(first < outcome.events.count ? "\(outcome.events[first])" : "none") vs \(first < whole.events.count ? "\(whole.events[first])" : "none")",
                input)
        }
    }

    // In segments on worker threads: cut small, so that most inputs have several.
    if whole.failure == nil {
        let segmentBytes = 1 + Int((h >> 32) % 257)
        let outcome = readInSegments(input, options: options, threads: 2 + Int((h >> 40) % 2), segmentBytes: segmentBytes, sourceChunk: small + Int((h >> 48) % 89))
        guard outcome == whole else {
            let first = zip(outcome.events, whole.events).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(outcome.events.count, whole.events.count)
            fail(
                "segments of \(segmentBytes) bytes give \(outcome.events.count) events, \(outcome.summary), \(outcome.failure ?? "no failure"); one reader gives \(whole.events.count), \(whole.summary); first difference at event \(first): \(first < outcome.events.count ? "\(outcome.events[first])" : "none") vs \(first < whole.events.count ? "\(whole.events[first])" : "none")",
                input)
        }
    }
    return 0
}
