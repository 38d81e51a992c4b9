import ArgumentParser
import Pipeline
import ProcessKit
import ProcessLifecycle
public import NDJSONBuffer
import S3Sink
import StreamNormalize
import Timekeeping

#if canImport(Glibc)
import Glibc
#endif

extension PartitionTime: ExpressibleByArgument {}

/// `ddbcdc run`: stream records in, durable partitioned `.ndjson.gz` objects out.
struct Run: AsyncParsableCommand, StopsOnSignal, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Turn DynamoDB Streams records into partitioned .ndjson.gz objects in a directory.",
        discussion: """
            Reads records (any shape `transform` reads; plain or .gz) from a file, every .json, .jsonl \
            and .ndjson file (and .gz) under a directory, or standard input, and writes them as \
            objects <sink>/<prefix>/dt=YYYY-MM-dd/HH=HH/<first _seq>_<last _seq>_<rows>_<digest>.ndjson.gz. \
            A batch becomes an object at --max-records rows, before it would pass --max-bytes, once its \
            first row is --max-seconds old, or at the end of the input. Records that cannot become rows \
            go, raw and with their error, to <sink>/<prefix>/_errors/, and the run goes on. The same \
            input gives the same object names and bytes on every run, unless --max-seconds seals a \
            batch early (then the rows are the same, the boundaries may not be).
            Environment: MAX_RECORDS, MAX_PAYLOAD_BYTES, MAX_SECONDS, S3_PREFIX and GZIP_LEVEL stand in \
            for the options of the same meaning; an option given wins.

            Under a directory: only regular files are read, each once (a hard link or a symbolic \
            link to a file or folder already read adds nothing); names starting with . or _ (hidden \
            files, temporary files, _errors, _delta_log, …) are not read, and the summary counts them \
            (name such a file as --input to read it). Symbolic links to nothing, link loops, FIFOs and \
            other special files are reported on standard error, counted and passed over. An input \
            file inside a directory sink is refused (64).

            SIGINT or SIGTERM: no more input is read; the records read so far are written (a record \
            cut off by the signal goes to _errors), the summary is printed, and the status is 130 or \
            143. A second signal exits at once. In a directory sink, temporary files left by a killed \
            run are removed by a later run that writes into the same folder (once their writer is \
            gone and they are 10 minutes old, or after 24 hours).

            Exit status: 0 every record became a row and every object was written; 65 some records \
            were set aside in _errors (everything read is durable, as rows or in _errors); 130/143 \
            interrupted (see above); 74 an object was not written or an input could not be read; 66 \
            the input does not exist; 64 usage. The first that applies in the order 74, 130/143, 65 wins.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Records to read: a file, a directory, or - for standard input.", valueName: "path"))
    var input: String

    @Option(
        help: ArgumentHelp(
            "Where objects go: a directory, or s3://bucket[/prefix] (default: s3://$S3_BUCKET when S3_BUCKET is set).",
            valueName: "dir|s3-url"))
    var sink: String?

    @OptionGroup(title: "S3") var s3: S3Options

    @OptionGroup(title: "Objects") var objects: ObjectOptionGroup

    @Option(help: "Seconds a batch stays open after its first row (MAX_SECONDS; default 15; 0: no limit).")
    var maxSeconds: Double?

    @Option(help: "What puts a row in its dt=/HH= partition: event-time (the change's time; a replay lands in the same place) or ingest-time.")
    var partitionBy: PartitionTime = .eventTime

    @Flag(help: "No progress line, even on a terminal.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Threads that turn the records of files into rows, the next files of a directory opened ahead (default: the cores --concurrency leaves, at least 1, at most 8; a pipe is read by one). Objects are the same for any number.",
            valueName: "n"))
    var parseThreads: Int?

    @OptionGroup var rows: NormalizeOptionGroup

    func validate() throws {
        if let parseThreads, parseThreads < 1 { throw ValidationError("--parse-threads must be at least 1") }
    }

    func run() async throws {
        // SIGINT and SIGTERM were blocked in DDBCDC.main before any thread started, so one that
        // comes before this point waits; from here the first stops the reading (a graceful
        // shutdown) instead of ending the process with the open batches unwritten.
        try await Lifecycle.runStoppable(
            message: { name in "ddbcdc: \(name): reading stops here; writing what was read (a second signal exits at once)" }
        ) { stop in
            try await self.run(stop: stop)
        }
    }

    /// The run, until the input ends or `stop` is requested.
    func run(stop: StopRequest) async throws {
        let environment = processEnvironment()
        let settings = try objects.settings(maxSeconds: maxSeconds, environment: { environment[$0] })
        guard let sinkText = sink ?? environment["S3_BUCKET"].map({ "s3://" + $0 }) else {
            throw ValidationError("give --sink DIR or --sink s3://bucket/prefix (or set S3_BUCKET)")
        }
        let target: (sink: any ObjectSink, prefix: String)
        do {
            target = try await s3.makeSink(sinkText, prefix: settings.prefix, maxRecords: settings.limits.maxRecords, environment: environment)
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(74)
        }
        let clock = EpochClock.system
        let started = clock.now()
        let listing: InputFiles.Listing
        do { listing = try InputFiles.listing(input) } catch {
            printError("ddbcdc: \(error)")
            throw ExitCode(66)
        }
        if let directory = target.sink as? LocalDirectorySink,
            let inside = InputFiles.firstInside(directory.root, of: listing.files)
        {
            printError("ddbcdc: error: input \(inside) is inside the sink directory \(directory.root): ddbcdc would read its own objects as records")
            throw ExitCode(64)
        }
        for problem in listing.problems { printError("ddbcdc: warning: \(problem)") }
        let rowOptions = rows.normalizeOptions(defaultIngest: "none", clock: clock)
        let engine = Engine(
            settings: EngineSettings(
                limits: settings.limits, prefix: target.prefix, partitionBy: partitionBy,
                rows: rowOptions, encoder: try settings.encoder(rows: rowOptions),
                maxInFlight: objects.concurrency,
                parseThreads: parseThreads ?? ParallelReader.threadsBeside(compressing: objects.concurrency)),
            sink: target.sink, clock: clock)
        var source = FileRecords(paths: listing.files, stop: stop)
        var progress = !quiet && isatty(2) != 0 ? Progress(clock: clock) : nil
        let report = await engine.run(&source, stop: stop, progress: progress == nil ? nil : { progress?.show($0) })
        progress?.clear()
        for failure in report.inputFailures {
            // Said once, naming the input once (I/O errors name their path already).
            let path = failure.name ?? "<stdin>"
            printError("ddbcdc: error: " + (failure.message.hasPrefix(path + ":") ? failure.message : "\(path): \(failure.message)"))
        }
        printError(report.runSummary(elapsedMillis: clock.now().millis(since: started), listing: listing, signal: stop.reason, format: settings.encoding.format))
        for failure in report.notWritten { printError("ddbcdc: error: not written: \(failure)") }
        if let directory = target.sink as? LocalDirectorySink, directory.staleTemporariesRemoved > 0 {
            printError("ddbcdc: removed \(directory.staleTemporariesRemoved) stale temporary file(s) of interrupted runs")
        }
        // The most serious outcome decides: something not written or not read, then a signal,
        // then records set aside (durable in _errors, but not rows).
        if !report.notWritten.isEmpty || !report.inputFailures.isEmpty || listing.problems.contains(where: \.isReadFailure) {
            throw ExitCode(74)  // EX_IOERR
        }
        if let signal = stop.reason { throw ExitCode(128 + signal) }
        if report.setAside > 0 { throw ExitCode(65) }  // EX_DATAERR
    }
}
