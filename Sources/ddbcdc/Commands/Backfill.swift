import AWSCore
import ArgumentParser
import DynamoExport
import NDJSONBuffer
import Pipeline
import ProcessKit
import ProcessLifecycle
import S3Sink
import StreamNormalize
import Timekeeping

#if canImport(Glibc)
import Glibc
#endif

/// `ddbcdc backfill`: a table's existing items, from a DynamoDB export, into the same objects the stream makes.
struct Backfill: AsyncParsableCommand, StopsOnSignal, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Load a table's items from a DynamoDB export (Export to S3) into the same partitioned objects the stream makes.",
        discussion: """
            Reads the export in --export (its folder, s3://bucket/prefix/AWSDynamoDB/<ExportId>/, or the \
            same layout on disk; a folder above it holding one export will do) and writes its items as \
            rows under the sink, partitioned and named as `run` does, so that the same Auto Loader \
            stream and MERGE take them with the stream's changes (one table, one _seq).

            Order: enable the table's stream and its Lambda mapping (or `ddbcdc stream`) first, then \
            export, then backfill. A full export's rows are upserts placed just before the export's \
            time less --overlap (_seq time floor_to_second(exportTime − overlap) − 1 ms, sequence 40 \
            zeros), so every change the stream carries from then on wins over them; an incremental \
            export's lines carry their own write time, and its deletes become tombstones.

            Every data file is checked before any of its rows is read: its MD5 against the manifest, \
            its gzip stream (CRC) and its number of lines against the manifest's itemCount. A file \
            that fails is reported by name, none of its rows is written, and the others go on. Data \
            files in S3 are downloaded to --work-dir first (one ahead of the one being read).

            A resume file records each data file whose every row is durable; run the same command again \
            after an interruption (a signal, a crash, SIGKILL) and only unfinished files are read. \
            --part i/N takes every N-th data file (its place in the manifest mod N is i−1), for N \
            workers side by side, each with its own resume file.

            Exit status: 0 every item became a row and every object was written; 65 some lines were \
            set aside in _errors; 74 the export cannot be read (a manifest that is not AWS's, an ION \
            export), a data file failed its check or could not be read, or an object was not written; \
            130/143 interrupted; 66 no export there; 64 usage.
            """
    )

    @Option(help: ArgumentHelp("The export: its folder on disk or s3://bucket/prefix/AWSDynamoDB/<ExportId>/.", valueName: "dir|s3-url"))
    var export: String

    @Option(
        help: ArgumentHelp(
            "Where objects go: a directory, or s3://bucket[/prefix] (default: s3://$S3_BUCKET when S3_BUCKET is set).",
            valueName: "dir|s3-url"))
    var sink: String?

    @Option(
        help: ArgumentHelp(
            "How far before the export's time its rows are placed, so that stream records of writes in that window win: 5m, 300s, 0s (default 5m).",
            valueName: "duration"))
    var overlap: String = "5m"

    @Option(help: ArgumentHelp("Worker i of N: read only every N-th data file, starting with the i-th (1-based).", valueName: "i/N"))
    var part: String?

    @Option(
        help: ArgumentHelp(
            "The file that records finished data files (default ./ddbcdc-backfill-<ExportId>[-part-i-of-N].resume.json).",
            valueName: "path"))
    var resumeFile: String?

    @Flag(help: "Start afresh: ignore the resume file, and overwrite it.")
    var noResume = false

    @Option(help: ArgumentHelp("Where data files in S3 are downloaded before they are read (default $TMPDIR, else /tmp).", valueName: "dir"))
    var workDir: String?

    @Flag(help: "No progress line, even on a terminal.")
    var quiet = false

    @OptionGroup(title: "Objects") var objects: ObjectOptionGroup
    @OptionGroup(title: "S3") var s3: S3Options
    @OptionGroup var rows: NormalizeOptionGroup

    func validate() throws {
        guard Self.overlapMillis(overlap) != nil else {
            throw ValidationError("--overlap must be a duration such as 5m, 300s, 1h or 0s, not '\(overlap)'")
        }
        if let part, Self.part(part) == nil {
            throw ValidationError("--part must be i/N with 1 ≤ i ≤ N, such as 1/4, not '\(part)'")
        }
    }

    /// Milliseconds of a duration: a number and a unit (ms, s, m, h); a bare number is seconds.
    static func overlapMillis(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            if unit == "s" && number.hasSuffix("m") { continue }  // "ms"
            guard let value = Int64(number), value >= 0, value <= 366 * 86_400_000 / scale else { return nil }
            return value * scale
        }
        guard let seconds = Int64(text), seconds >= 0, seconds <= 366 * 86_400 else { return nil }
        return seconds * 1000
    }

    /// `i/N` as (i, N).
    static func part(_ text: String) -> (index: Int, count: Int)? {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, let index = Int(pieces[0]), let count = Int(pieces[1]), count >= 1, (1...count).contains(index) else { return nil }
        return (index, count)
    }

    func run() async throws {
        try await Lifecycle.runStoppable(
            message: { name in "ddbcdc: \(name): no more data files are started; writing what was read (a second signal exits at once)" }
        ) { stop in
            try await self.run(stop: stop)
        }
    }

    func run(stop: StopRequest) async throws {
        let environment = processEnvironment()
        let settings = try objects.settings(agesBatches: false, environment: { environment[$0] })
        guard let sinkText = sink ?? environment["S3_BUCKET"].map({ "s3://" + $0 }) else {
            throw ValidationError("give --sink DIR or --sink s3://bucket/prefix (or set S3_BUCKET)")
        }
        let clock = EpochClock.system
        let started = clock.now()

        // The export first: nothing is written for an export that cannot be read.
        let export: Export
        do {
            export = try await Export.open(try await exportStore(environment: environment))
        } catch let error as ExportError {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(error.code == .notFound ? 66 : 74)
        }
        let summary = export.summary
        let split = part.flatMap(Self.part)
        var files = Array(export.entries.indices)
        if let split { files = files.filter { $0 % split.count == split.index - 1 } }
        let partText = split.map { "\($0.index)/\($0.count)" }
        let resumePath =
            resumeFile ?? "ddbcdc-backfill-\(summary.exportID)" + (split.map { "-part-\($0.index)-of-\($0.count)" } ?? "") + ".resume.json"
        var resume = BackfillResume(exportId: summary.exportID, part: partText)
        if !noResume {
            do {
                if let saved = try BackfillResume.load(resumePath, exportId: summary.exportID, part: partText) { resume = saved }
            } catch {
                printError("ddbcdc: error: \(error)")
                throw ExitCode(64)
            }
        }
        let alreadyFinished = Set(resume.finished)
        let skipped = files.filter { alreadyFinished.contains(export.entries[$0].dataFileS3Key) }.count
        files.removeAll { alreadyFinished.contains(export.entries[$0].dataFileS3Key) }
        do { try resume.save(resumePath) } catch {
            printError("ddbcdc: error: cannot write the resume file: \(error)")
            throw ExitCode(74)
        }

        let target: (sink: any ObjectSink, prefix: String)
        do {
            target = try await s3.makeSink(
                sinkText, prefix: settings.prefix, maxRecords: settings.limits.maxRecords, environment: environment,
                sourceInS3: self.export.hasPrefix("s3://"))
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(74)
        }

        var options = rows.normalizeOptions(defaultIngest: "none", clock: clock)
        let overlapMillis = Self.overlapMillis(overlap) ?? ExportRows.defaultOverlapMillis
        switch summary.exportType {
        case .full: options.exportLines = ExportRows(kind: .full(exportTime: summary.exportTime ?? 0), overlapMillis: overlapMillis, table: summary.table)
        case .incremental: options.exportLines = ExportRows(kind: .incremental, overlapMillis: overlapMillis, table: summary.table)
        }
        if options.layout == .envelope, summary.exportType == .full {
            throw ValidationError("--layout envelope needs the items' key attributes, which a full export's lines do not name; use the flat layout")
        }
        let engine = Engine(
            settings: EngineSettings(
                limits: settings.limits, prefix: target.prefix, partitionBy: .eventTime, rows: options,
                encoder: try settings.encoder(rows: options), maxInFlight: objects.concurrency),
            sink: target.sink, clock: clock)

        var saveFailure: String?
        let resumeState = ResumeState(resume)
        var source = ExportRecords(
            export: export, files: files, workDirectory: workDir ?? environment["TMPDIR"] ?? "/tmp", stop: stop,
            onFinished: { file in
                do { try resumeState.finished(export.entries[file].dataFileS3Key, path: resumePath) } catch {
                    saveFailure = "\(error)"
                }
            })
        let tally = source.tally
        var progress = !quiet && isatty(2) != 0 ? Progress(clock: clock) : nil
        let report = await engine.run(&source, stop: stop, progress: progress == nil ? nil : { progress?.show($0, tally.snapshot, started: started) })
        await source.discardPrefetched()
        progress?.clear()

        let counts = tally.snapshot
        // Each failed data file once, with its check's error; then inputs that failed while read.
        for failure in source.failures { printError("ddbcdc: error: \(failure.error)") }
        let failedFiles = Set(source.failures.map(\.error.file))
        for failure in report.inputFailures where !failedFiles.contains(failure.name ?? "") {
            printError("ddbcdc: error: \(failure.name ?? "input"): \(failure.message)")
        }
        for failure in report.notWritten { printError("ddbcdc: error: not written: \(failure)") }
        if let saveFailure { printError("ddbcdc: error: the resume file was not updated: \(saveFailure)") }
        var line = "ddbcdc backfill: export \(summary.exportID) (\(summary.exportType.rawValue)"
        if let time = summary.exportTime { line += " at \(ISO8601.format(epochMillis: time))" }
        line += "): \(counts.filesDone) of \(files.count) data file(s) finished"
        if skipped > 0 { line += " (\(skipped) finished before, skipped)" }
        if !source.failures.isEmpty { line += ", \(source.failures.count) FAILED their check" }
        line += "; \(report.records) items read, \(report.rowsWritten) rows written in \(report.objects) objects"
        line += ", \(report.setAside) set aside"
        if report.rescuedValues > 0 { line += ", \(report.rescuedValues) value(s) that did not fit the schema kept in _rescued_data" }
        if !report.notWritten.isEmpty { line += ", \(report.notWritten.count) object(s) NOT written" }
        if let signal = stop.reason { line += ", interrupted by \(SignalWatch.name(signal))" }
        let seconds = (Double(clock.now().millis(since: started)) / 10).rounded() / 100
        line += ", \(seconds) s; resume file \(resumePath)"
        printError(line)
        if !report.notWritten.isEmpty || !report.inputFailures.isEmpty || saveFailure != nil { throw ExitCode(74) }
        if let signal = stop.reason { throw ExitCode(128 + signal) }
        if report.setAside > 0 { throw ExitCode(65) }
    }

    /// Where `--export` points: a folder on disk, or one in S3 (signed with the S3 options).
    func exportStore(environment: [String: String]) async throws -> any ExportStore {
        guard export.hasPrefix("s3://") else { return DirectoryExportStore(root: export) }
        let rest = export.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        var key = String(rest.dropFirst(bucket.count + 1))
        if !key.isEmpty && !key.hasSuffix("/") { key += "/" }
        guard !bucket.isEmpty else { throw ValidationError("--export \(export) names no bucket") }
        let client: S3Client
        do { client = try S3Client.make(s3.settings(bucket: bucket), environment: environment, clock: .system) } catch {
            throw ValidationError(error.message)
        }
        return S3ExportStore(client: client, folder: key)
    }
}

/// The resume file's content, updated as files finish.
private final class ResumeState: @unchecked Sendable {
    private var resume: BackfillResume

    init(_ resume: BackfillResume) { self.resume = resume }

    func finished(_ key: String, path: String) throws {
        resume.finished.append(key)
        try resume.save(path)
    }
}

extension Progress {
    /// A backfill's line: files, items, speed, time left.
    mutating func show(_ report: EngineReport<ExportLinePosition>, _ counts: ExportTally.Counts, started: EpochMillis) {
        let clock = clock  // read here: the text is made while show changes self
        show(
            {
                let seconds = max(0.001, Double(clock.now().millis(since: started)) / 1000)
                let rate = Double(report.records) / seconds
                let megabytes = Double(report.bytesRead) / 1_000_000 / seconds
                var text = "\(counts.filesDone)/\(counts.filesTotal) files · \(report.records)/\(counts.itemsTotal) items"
                text += " · \(Int(megabytes)) MB/s · \(report.objects) objects"
                if rate > 0, counts.itemsTotal > report.records {
                    let left = Int(Double(counts.itemsTotal - report.records) / rate)
                    text += " · \(left / 60)m\(left % 60)s left"
                }
                return text
            }())
    }
}
