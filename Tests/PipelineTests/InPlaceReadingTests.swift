import Foundation
import StreamNormalize
import Testing

@testable import Pipeline

#if canImport(Glibc)
import Glibc
#endif

/// Reading an input its source holds in memory (`ByteSource.bytesInPlace()`, a mapped file) hands
/// on exactly what reading it by copies does: the same rows, errors and counts, in the same order,
/// whatever the reader's chunk; nothing is read with `read(into:)`, and the bytes are released
/// only behind where reading stands.
@Suite struct InPlaceReadingTests {
    /// Bytes offered in place; counts reads (there must be none once they are taken) and keeps
    /// what was released.
    final class Log {
        var reads = 0
        var released: [Int] = []
        var stopAfterReleases = Int.max
    }

    /// The input in memory of its own, which the offered bytes keep alive.
    final class Storage {
        let bytes: UnsafeMutableBufferPointer<UInt8>
        init(_ input: [UInt8]) {
            bytes = .allocate(capacity: input.count)
            _ = bytes.initialize(from: input)
        }
        deinit { bytes.deallocate() }
    }

    struct PlaceSource: ByteSource {
        let log: Log
        let storage: Storage
        /// Read in copies of 13 bytes where it is not read in place.
        var copies: MemorySource
        var position = 0

        init(bytes: [UInt8], log: Log) {
            (self.log, storage, copies) = (log, Storage(bytes), MemorySource(bytes))
            copies.maxChunk = 13
        }

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            log.reads += 1
            let count = try copies.read(into: buffer)
            position += count
            return count
        }

        mutating func bytesInPlace() -> InPlaceBytes? {
            let (log, storage) = (self.log, self.storage)
            return InPlaceBytes(
                bytes: UnsafeBufferPointer(rebasing: storage.bytes[position...]), release: { _ = storage; log.released.append($0) },
                isStopped: { log.released.count >= log.stopAfterReleases })
        }
    }

    static func handed(
        _ source: inout some ByteSource, chunk: Int, threads: Int? = nil, segmentBytes: Int = 97
    ) throws -> ParallelReaderTests.Handed {
        var handed = ParallelReaderTests.Handed()
        let onRow: (UnsafeBufferPointer<UInt8>, RowInfo) -> Void = { row, info in
            handed.items.append("row " + String(decoding: row, as: UTF8.self))
            handed.infos.append(info)
        }
        let onError: (StreamError) -> Void = { handed.items.append("error \($0.description) " + String(decoding: $0.jsonLine, as: UTF8.self)) }
        if let threads {
            var reader = ParallelReader(
                options: NormalizeOptions(ingestTime: 7), threads: threads, segmentBytes: segmentBytes, maxSegmentBytes: max(2_048, segmentBytes))
            reader.start()
            while try reader.readMore(&source, onRow: onRow, onError: onError) {}
            handed.summary = reader.summary
        } else {
            var reader = ChangeStreamReader(options: NormalizeOptions(ingestTime: 7), chunkSize: chunk)
            handed.summary = try reader.run(&source, onRow: onRow, onError: onError)
        }
        return handed
    }

    @Test(arguments: ParallelReaderTests.inputs.map(\.0))
    func readingInPlaceHandsOnWhatReadingCopiesDoes(_ name: String) throws {
        let input = Array(ParallelReaderTests.inputs.first { $0.0 == name }!.1.utf8)
        let expected = try ParallelReaderTests.sequential(input)
        for chunk in [16, 97, 1 << 20] {
            let log = Log()
            var source = PlaceSource(bytes: input, log: log)
            let handed = try Self.handed(&source, chunk: chunk)
            #expect(handed == expected, "chunks of \(chunk) bytes")
            #expect(log.reads == 0, "bytes offered in place are not read again")
            #expect(log.released == log.released.sorted() && (log.released.last ?? 0) <= input.count, "released behind reading only")
            if chunk == 16 { #expect(log.released.count > 1, "reading in place returns to its caller between chunks") }
        }
    }

    /// Segments are cut from the bytes in place; a reader reading on over a unit that ran across
    /// a segment's end, and the segments cut after it, read them too (copies), never the source.
    @Test(arguments: ParallelReaderTests.inputs.map(\.0))
    func aParallelReaderCutsSegmentsInPlaceAndHandsOnTheSame(_ name: String) throws {
        let input = Array(ParallelReaderTests.inputs.first { $0.0 == name }!.1.utf8)
        let expected = try ParallelReaderTests.sequential(input)
        for threads in [1, 2, 3] {
            for segmentBytes in [1, 97, 700, 1 << 20] {
                let log = Log()
                var source = PlaceSource(bytes: input, log: log)
                let handed = try Self.handed(&source, chunk: 0, threads: threads, segmentBytes: segmentBytes)
                #expect(handed == expected, "\(threads) threads, segments of \(segmentBytes) bytes")
                #expect(log.reads == 0, "the input is read from where it lies, not from the source")
                #expect(log.released == log.released.sorted() && (log.released.last ?? 0) <= input.count, "released behind reading only")
            }
        }
    }

    @Test func aStopEndsTheInputWhereReadingStands() throws {
        let input = Array(ParallelReaderTests.eventLines(40, seed: 3).utf8)
        let all = try ParallelReaderTests.sequential(input)
        let log = Log()
        log.stopAfterReleases = 2
        var source = PlaceSource(bytes: input, log: log)
        let stopped = try Self.handed(&source, chunk: 64)
        // Stopped inside an event's records, the event's rest is missing, as when a file ends there.
        var items = stopped.items
        if let last = items.last, last.contains("input ends inside an array of records") { items.removeLast() }
        let rows = items.filter { $0.hasPrefix("row ") }
        #expect(!rows.isEmpty && rows.count < all.items.filter { $0.hasPrefix("row ") }.count, "some rows, not all")
        #expect(Array(all.items.prefix(items.count)) == items, "what was handed on before the stop, as without it")
        #expect(stopped.summary.bytesIn < input.count)
    }

    // MARK: Files

    static func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "ddbcdc-inplace-\(UUID().uuidString).jsonl"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFileIsMappedFromWhereReadingStandsAndReadAsItsCopiesAre() throws {
        let text = ParallelReaderTests.eventLines(30, seed: 21)
        let path = try Self.file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = try ParallelReaderTests.sequential(Array(text.utf8))

        var file = try FileSource(path: path)
        defer { file.close() }
        var reads = file
        let handed = try Self.handed(&reads, chunk: 1_000)
        #expect(handed == expected)

        // After some bytes were read, the mapping holds the rest.
        var partly = try FileSource(path: path)
        defer { partly.close() }
        var first = [UInt8](repeating: 0, count: 100)
        let count = try first.withUnsafeMutableBytes { try partly.read(into: $0) }
        let offered = partly.bytesInPlace()
        let rest = try #require(offered)
        #expect(count == 100)
        #expect(Array(rest.bytes) == Array(text.utf8.dropFirst(100)))
    }

    @Test func whatCannotBeMappedIsRead() throws {
        let empty = try Self.file("")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        var source = try FileSource(path: empty)
        defer { source.close() }
        #expect(source.bytesInPlace() == nil, "an empty file")

        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        #expect(MappedFile(fd: ends[0]) == nil, "a pipe")
        // A compressed file's bytes are not the input's: they are read through the decompressor.
        let file = try FileSource(path: empty)
        let gunzip = GunzipSource(file, path: empty)
        defer {
            gunzip.close()
            file.close()
        }
        var bytes = FileBytes.gzip(gunzip)
        #expect(bytes.bytesInPlace() == nil)
    }

    /// The resident kilobytes of the mapping that holds `address` (`/proc/self/smaps`).
    static func residentKilobytes(of address: UnsafeRawPointer) throws -> Int {
        // Read as a stream: /proc files have no size to read up to.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps") else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let target = UInt(bitPattern: address)
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
                let low = UInt(line[..<dash], radix: 16), let high = UInt(line[line.index(after: dash)..<space], radix: 16)
            {
                inside = low <= target && target < high
            } else if inside, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])!
            }
        }
        throw CocoaError(.fileReadUnknown)
    }

    @Test func releasedPagesLeaveTheProcessAndReadBackAsTheFile() throws {
        let line = String(repeating: "x", count: 1_023) + "\n"
        let path = try Self.file(String(repeating: line, count: 12 << 10))  // 12 MiB
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let mapped = try #require(MappedFile(fd: fd))
        #expect(mapped.bytes.count == 12 << 20)
        var newlines = 0
        for byte in mapped.bytes where byte == 0x0A { newlines += 1 }
        #expect(newlines == 12 << 10)
        let address = UnsafeRawPointer(mapped.bytes.baseAddress!)
        #expect(try Self.residentKilobytes(of: address) >= 12 << 10 - 64, "read: resident")
        mapped.release(before: 3 << 20)
        #expect(try Self.residentKilobytes(of: address) >= 12 << 10 - 64, "less than a release step: kept")
        mapped.release(before: (12 << 20) - 100)
        #expect(try Self.residentKilobytes(of: address) <= 64, "released up to the last page: gone")
        // Released bytes read back from the file.
        #expect(mapped.bytes[0] == UInt8(ascii: "x") && mapped.bytes[(6 << 20) - 1] == 0x0A)
    }
}
