package import NDJSONBuffer
package import ProcessKit
package import StreamNormalize

/// One run: inputs are read in turn into one batcher, whose sealed batches go to the writer.
package final class RunPipeline: DeadlineWatch {
    private var batcher: Batcher
    private let writer: ObjectWriter
    private let partitionBy: PartitionTime
    private let maxErrorBytes: Int
    private var errors: [UInt8] = []
    private var progress: Progress?
    private(set) var records = 0
    private(set) var rows = 0
    package private(set) var setAside = 0
    private(set) var bytesRead = 0
    /// Whether reading stopped at an object that could not be written, before the input's end.
    private(set) var stoppedEarly = false
    /// Ends reading early when requested (SIGINT, SIGTERM): what was read is still written.
    private let stop: StopRequest?
    /// The input being read when stop was requested, and how many of its bytes were read.
    private(set) var interruptedAt: (path: String, bytes: Int)?

    package init(
        batcher: Batcher, writer: ObjectWriter, partitionBy: PartitionTime, maxErrorBytes: Int, progress: Bool,
        stop: StopRequest? = nil
    ) {
        self.stop = stop
        self.batcher = batcher
        self.writer = writer
        self.partitionBy = partitionBy
        self.maxErrorBytes = maxErrorBytes
        self.progress = progress ? Progress() : nil
    }

    /// Reads every record of one input (a path, or `-` for standard input).
    package func read(_ path: String, options: NormalizeOptions) throws {
        var file = path == "-" ? FileSource.standardInput : try FileSource(path: path)
        defer { file.close() }
        file.watch = self
        file.stop = stop
        let name = path == "-" ? nil : path
        var reader = ChangeStreamReader(options: options)
        // Counted outside the reader, so that an input that fails part-way still counts what was read.
        var counted = 0
        defer { bytesRead += counted }
        if InputFiles.isGzip(path) {
            var source = Counting(GunzipSource(file, path: path, stop: stop))
            defer { source.base.close() }
            defer { counted = source.count }
            _ = try reader.run(&source, onRow: add, onError: { self.setAside($0, input: name) })
        } else {
            var source = Counting(file)
            defer { counted = source.count }
            _ = try reader.run(&source, onRow: add, onError: { self.setAside($0, input: name) })
        }
        if let stop, stop.isRequested, interruptedAt == nil {
            interruptedAt = (path == "-" ? "<stdin>" : path, counted)
        }
    }

    /// Thrown to stop reading once an object could not be written: going on would only pile up
    /// more objects that cannot be written either.
    package struct WriteFailed: Error {}

    private func add(_ row: UnsafeBufferPointer<UInt8>, _ info: RowInfo) throws {
        let now = epochMillisNow()
        let partition = Partition(epochMillis: partitionBy == .eventTime ? info.changeTime : now)
        var sealed = false
        batcher.add(row: row, info: info, partition: partition, now: now) { batch in
            writer.submit(batch)
            sealed = true
        }
        records += 1
        if sealed && writer.hasFailed {
            stoppedEarly = true
            throw WriteFailed()
        }
        rows += 1
        if rows & 1023 == 0 { progress?.show(self, now: now) }
    }

    private func setAside(_ error: StreamError, input: String?) {
        setAside += 1
        records += error.recordCount
        errors.append(contentsOf: error.jsonLine(input: input))
        if errors.count >= maxErrorBytes { flushErrors() }
    }

    private func flushErrors() {
        guard !errors.isEmpty else { return }
        writer.submitPlain(key: batcher.errorsKey(for: errors), body: errors)
        errors.removeAll()
    }

    package var nextDeadline: Int64? { batcher.nextDeadline }

    /// Objects durable so far.
    package var objectsWritten: Int { writer.stats.objects }

    package func deadlinePassed(now: Int64) throws {
        batcher.sealDue(now: now, seal: writer.submit)
    }

    /// Seals what is left and waits until every object is written.
    package func finish() -> ObjectWriter.Stats {
        batcher.sealAll(seal: writer.submit)
        flushErrors()
        let stats = writer.finish()
        progress?.clear()
        return stats
    }

    /// The run's one-line summary: what was read, written, set aside, passed over and not written.
    /// - Parameter listing: what walking the input found (files passed over are counted here).
    package func summary(_ stats: ObjectWriter.Stats, elapsed: Double, listing: InputFiles.Listing? = nil) -> String {
        func megabytes(_ bytes: Int) -> String {
            if bytes < 100_000 { return "\(bytes) B" }
            let tenths = (bytes + 50_000) / 100_000
            return "\(tenths / 10).\(tenths % 10) MB"
        }
        let seconds = (elapsed * 100).rounded() / 100
        var text = "ddbcdc run: \(records) records read, \(stats.rows) rows written in \(stats.objects) objects"
        text += " (\(megabytes(stats.bytesIn)) NDJSON → \(megabytes(stats.bytesOut)) gzip)"
        text += stoppedEarly ? ", reading stopped early" : ", \(megabytes(bytesRead)) read"
        text += ", \(setAside) set aside"
        if setAside > 0 { text += " in \(stats.errorObjects) _errors object(s)" }
        if !stats.failures.isEmpty { text += ", \(stats.failures.count) object(s) NOT written" }
        if let listing {
            if listing.hiddenFiles > 0 || listing.hiddenFolders > 0 {
                text += ", \(listing.hiddenFiles) file(s) and \(listing.hiddenFolders) folder(s) skipped (hidden or _-prefixed)"
            }
            if listing.duplicates > 0 { text += ", \(listing.duplicates) second name(s) of a file or folder read once" }
            if !listing.problems.isEmpty { text += ", \(listing.problems.count) entries not read (links to nothing, loops, FIFOs, unreadable)" }
        }
        if let signal = stop?.reason {
            text += ", interrupted by \(SignalWatch.name(signal))"
            if let at = interruptedAt { text += " after \(at.bytes) bytes of \(at.path)" }
        }
        text += ", \(seconds) s"
        return text
    }
}

/// A source that counts the bytes it hands out.
private struct Counting<Base: ByteSource>: ByteSource {
    var base: Base
    var count = 0

    init(_ base: Base) { self.base = base }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let read = try base.read(into: buffer)
        count += read
        return read
    }
}

/// A one-line progress report on a terminal's standard error.
package struct Progress {
    private var last: Int64 = 0

    package mutating func show(_ pipeline: RunPipeline, now: Int64) {
        guard now - last >= 200 else { return }
        last = now
        let written = pipeline.objectsWritten
        printError("\r\u{1B}[K  \(pipeline.rows) rows · \(written) objects written · \(pipeline.setAside) set aside", newline: false)
    }

    package func clear() { printError("\r\u{1B}[K", newline: false) }
}
