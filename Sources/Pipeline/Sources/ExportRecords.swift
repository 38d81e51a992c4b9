import Digest
package import DynamoExport
package import ProcessKit
package import StreamNormalize
package import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where an export line came from: its data file (by its place in the export's manifest) and line.
package struct ExportLinePosition: Hashable, Sendable, CustomStringConvertible {
    /// The data file's place in `manifest-files.json`, from 0.
    package var file: Int
    /// The line, from 1.
    package var line: Int

    package init(file: Int, line: Int) {
        self.file = file
        self.line = line
    }

    package var description: String { "data file \(file) line \(line)" }
}

/// The data files of a DynamoDB export: `ddbcdc backfill`'s source, and the Lambda's backfill task's.
///
/// **Verify, then publish.** No row of a data file reaches the engine before the whole file was
/// checked: its MD5 against the manifest's `md5Checksum`, its gzip stream whole (zlib checks the
/// CRC-32 and length of every member), and its lines against the manifest's `itemCount`. A file
/// in S3 is downloaded to a local file first; a file on disk is read where it is. The check is a
/// first pass that inflates the file and keeps its lines in a temporary file, which the engine
/// then reads (so the file is inflated once); it runs for the next file while the engine reads the
/// current one. A file that fails is an input failure naming it, and none of its rows is read.
///
/// A file is *finished* once every one of its lines is durable (as a row in an object or in
/// `_errors`): the engine acknowledges lines as their objects are written, and `onFinished` is
/// told then (a resume file records it; an interrupted backfill reads only unfinished files again).
package struct ExportRecords: RecordSource {
    package typealias Position = ExportLinePosition

    package let export: Export
    /// The data files to read (places in the manifest), in order.
    package let files: [Int]
    private let workDirectory: String
    private let stop: StopRequest?
    private let onFinished: (Int) -> Void
    private var cursor = 0
    private var current: Int?
    private var prefetch: (file: Int, task: Task<Result<LocalFile, ExportError>, Never>)?
    private var acknowledged: [Int: Int] = [:]
    /// What was done so far, for progress lines (read while the engine runs).
    package let tally = ExportTally()
    /// Data files that failed their check or could not be read, and why.
    package private(set) var failures: [(file: Int, error: ExportError)] = []

    /// - Parameters:
    ///   - export: the export.
    ///   - files: the data files to read, by their place in the manifest.
    ///   - workDirectory: where data files in S3 are downloaded to (one or two at a time).
    ///   - stop: when requested, no further file is started and the current one ends there.
    ///   - onFinished: told each file whose every line is durable.
    package init(export: Export, files: [Int], workDirectory: String, stop: StopRequest? = nil, onFinished: @escaping (Int) -> Void = { _ in }) {
        self.export = export
        self.files = files
        self.workDirectory = workDirectory
        self.stop = stop
        self.onFinished = onFinished
        tally.counts.withLock {
            $0.filesTotal = files.count
            $0.itemsTotal = files.reduce(0) { $0 + export.entries[$1].itemCount }
        }
    }

    package mutating func nextInput(wait: ReadDeadline) async throws -> SourceInput<FileSource>? {
        current = nil
        while cursor < files.count {
            if stop?.isRequested == true { return nil }
            let file = files[cursor]
            let task = prefetch.map { $0.task } ?? fetch(file)
            cursor += 1
            prefetch = cursor < files.count ? (files[cursor], fetch(files[cursor])) : nil
            let entry = export.entries[file]
            switch await task.value {
            case .failure(let error):
                failures.append((file, error))
                throw InputError(name: error.file, message: error.description)
            case .success(let local):
                if entry.itemCount == 0 {
                    local.discard()
                    finish(file)
                    continue
                }
                var source: FileSource
                do { source = try FileSource(path: local.path) } catch {
                    local.discard()
                    let failure = ExportError(.readFailed, file: url(of: file), "\(error)")
                    failures.append((file, failure))
                    throw InputError(name: failure.file, message: failure.description)
                }
                source.stop = stop
                current = file
                return SourceInput(name: url(of: file), bytes: source, recordNamePrefix: "\(export.summary.exportID)/\(entry.fileName)/") {
                    source.close()
                    local.discard()
                }
            }
        }
        return nil
    }

    package func position(of info: RowInfo, index: Int) -> ExportLinePosition {
        ExportLinePosition(file: current ?? -1, line: index + 1)
    }

    package func positions(of error: StreamError, index: Int) -> [ExportLinePosition] {
        (0..<error.recordCount).map { ExportLinePosition(file: current ?? -1, line: index + 1 + $0) }
    }

    package mutating func acknowledge(_ positions: [ExportLinePosition]) {
        for position in positions where export.entries.indices.contains(position.file) {
            let count = acknowledged[position.file, default: 0] + 1
            acknowledged[position.file] = count
            if count == export.entries[position.file].itemCount { finish(position.file) }
        }
    }

    /// Waits for a download started ahead and removes it (after a stop, or when the engine stopped early).
    package mutating func discardPrefetched() async {
        guard let prefetch else { return }
        self.prefetch = nil
        if case .success(let local) = await prefetch.task.value { local.discard() }
    }

    private mutating func finish(_ file: Int) {
        acknowledged[file] = nil
        tally.counts.withLock { $0.filesDone += 1 }
        onFinished(file)
    }

    private func url(of file: Int) -> String {
        (try? export.relativePath(of: export.entries[file])).map { export.store.url(of: $0) } ?? export.entries[file].dataFileS3Key
    }

    /// Brings `file` to local disk and checks it, in a task of its own (while the engine reads the one before).
    private func fetch(_ file: Int) -> Task<Result<LocalFile, ExportError>, Never> {
        let export = self.export, workDirectory = self.workDirectory
        return Task {
            let entry = export.entries[file]
            let path: String
            do throws(ExportError) { path = try export.relativePath(of: entry) } catch { return .failure(error) }
            let local: LocalFile
            do throws(ExportError) {
                local = try await export.store.localCopy(of: path, in: workDirectory)
            } catch {
                return .failure(error)
            }
            // The check inflates the file anyway: its lines are kept, so the engine reads them
            // without inflating the file a second time (a temporary file beside the download).
            let plain = "\(workDirectory)/ddbcdc-backfill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(entry.fileName).jsonl"
            defer { local.discard() }
            do throws(ExportError) {
                try DataFileCheck.verify(local.path, entry: entry, name: export.store.url(of: path), keepingLinesIn: plain)
                return .success(LocalFile(path: plain, isTemporary: true))
            } catch {
                unlink(plain)
                return .failure(error)
            }
        }
    }
}

/// Counts of a backfill so far, shared with whoever shows progress.
package final class ExportTally: Sendable {
    package struct Counts: Sendable {
        package var filesTotal = 0
        package var filesDone = 0
        package var itemsTotal = 0
    }

    package let counts = Mutex(Counts())

    /// The counts now.
    package var snapshot: Counts { counts.withLock { $0 } }
}

/// The check of one data file before any of its rows is read.
package enum DataFileCheck {
    /// Checks the gzip file at `path` against `entry`: its MD5, its gzip stream (CRC-32 and length
    /// of every member, no truncation), and its number of lines.
    /// - Parameter linesPath: where the decompressed lines are written, if anywhere (removed by the
    ///   caller when the check fails).
    /// - Throws: ``ExportError`` `checksumMismatch`, `badGzip`, `countMismatch` or `readFailed`, naming `name`.
    package static func verify(_ path: String, entry: ManifestEntry, name: String, keepingLinesIn linesPath: String? = nil) throws(ExportError) {
        let file: FileSource
        do { file = try FileSource(path: path) } catch { throw ExportError(.readFailed, file: name, "\(error)") }
        defer { file.close() }
        var lines: FileSink?
        if let linesPath {
            do { lines = try FileSink(creating: linesPath) } catch {
                throw ExportError(.readFailed, file: name, "cannot write its lines to \(linesPath): \(error)")
            }
        }
        var linesFailure: String?
        // Closed once on every way out (a failed check included); a copy is closed, never twice.
        defer { if var open = lines { try? open.close() } }
        let hashing = HashingSource(base: file)
        let gunzip = GunzipSource(hashing, path: name)
        var gzipProblem: String?
        var lineCount = 0
        do {
            var inflate = gunzip
            defer { inflate.close() }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            // Lines with something on them (the reader passes over blank ones): found by memchr,
            // one call per line, rather than a test per byte.
            var inLine = false
            while true {
                let count = try inflate.read(into: buffer)
                if count == 0 { break }
                if linesFailure == nil {
                    do { try lines?.write(UnsafeRawBufferPointer(rebasing: buffer[..<count])) } catch { linesFailure = "\(error)" }
                }
                let base = buffer.baseAddress!
                var start = 0
                while start < count {
                    let end = memchr(base + start, 0x0A, count - start).map { $0 - base } ?? count
                    if !inLine { inLine = Self.hasContent(base + start, end - start) }
                    if end == count { break }
                    if inLine { lineCount += 1 }
                    inLine = false
                    start = end + 1
                }
            }
            if inLine { lineCount += 1 }
        } catch {
            gzipProblem = "\(error)"
        }
        // The rest of the file, whatever the gzip stream said: the checksum covers every byte.
        do { try hashing.drain() } catch { throw ExportError(.readFailed, file: name, "\(error)") }
        let md5 = Data(hashing.md5.finish()).base64EncodedString()
        guard md5 == entry.md5Checksum else {
            throw ExportError(
                .checksumMismatch, file: name,
                "its MD5 is \(md5) but the manifest says \(entry.md5Checksum): the file is not the one the export wrote; none of its rows was read"
                    + (gzipProblem.map { " (and its gzip stream is damaged: \($0))" } ?? ""))
        }
        if let gzipProblem {
            throw ExportError(.badGzip, file: name, "not a whole gzip stream: \(gzipProblem); none of its rows was read")
        }
        guard lineCount == entry.itemCount else {
            throw ExportError(
                .countMismatch, file: name,
                "it holds \(lineCount) line(s) but the manifest says itemCount \(entry.itemCount); none of its rows was read")
        }
        if linesFailure == nil {
            do { try lines?.close() } catch { linesFailure = "\(error)" }
            lines = nil
        }
        if let linesFailure, let linesPath {
            throw ExportError(.readFailed, file: name, "cannot write its lines to \(linesPath): \(linesFailure)")
        }
    }
}

extension DataFileCheck {
    /// Whether `count` bytes at `start` hold anything but blanks (a line of an export file starts
    /// with `{` unless it is blank, so this is one comparison for almost every line).
    static func hasContent(_ start: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        let bytes = UnsafeRawBufferPointer(start: start, count: count)
        return bytes.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }
    }
}

/// Bytes of a file, hashed (MD5) as they are read: a reference, so that the rest of the file can
/// still be hashed after the decompressor reading it stopped.
final class HashingSource: ByteSource {
    var base: FileSource
    let md5 = MD5()

    init(base: FileSource) { self.base = base }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try base.read(into: buffer)
        md5.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        return count
    }

    /// Reads to the end.
    func drain() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
    }
}
