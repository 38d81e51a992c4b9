import ArgumentParser
import Pipeline
import ProcessKit
import StreamNormalize
import Timekeeping

/// `ddbcdc transform`: stream records in, one row per line out.
struct Transform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn DynamoDB Streams records into NDJSON rows on standard output.",
        discussion: """
            Reads a Lambda event {"Records":[…]}, a GetRecords response page, a bare array of records, \
            or one event or record per line, from standard input or --input, and writes one row per \
            line. A record that cannot become a row stops the command with exit status 65, unless \
            --skip-invalid is given: then it goes, raw and with its error, to the --errors file, the \
            command goes on, and it exits with status 65 at the end (0: every record became a row). \
            Other statuses: 64 usage (also: --errors or standard output is the input file), 66 the \
            input cannot be opened, 74 an I/O error.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Read records from FILE instead of standard input.", valueName: "file"))
    var input: String?

    @OptionGroup var rows: NormalizeOptionGroup

    @Flag(help: "Set bad records aside in the --errors file and go on, instead of stopping at the first.")
    var skipInvalid = false

    @Option(help: ArgumentHelp("Where --skip-invalid writes bad records, one JSON line each with its error.", valueName: "file"))
    var errors: String?

    @Option(
        help: ArgumentHelp(
            "Threads that turn records into rows (default: the machine's cores, at most 8). Output is the same for any number.",
            valueName: "n"))
    var parseThreads: Int = ParallelReader.defaultThreads

    func validate() throws {
        guard parseThreads >= 1 else { throw ValidationError("--parse-threads must be at least 1") }
        if skipInvalid && errors == nil {
            throw ValidationError("--skip-invalid needs --errors FILE, so that bad records are kept, not dropped")
        }
        if errors != nil && !skipInvalid {
            throw ValidationError("--errors is only used with --skip-invalid")
        }
    }

    /// Raised to stop at the first bad record.
    private struct Stop: Error { var error: StreamError }

    func run() async throws {
        // An output that is the input would be truncated (--errors) or grow while it is read
        // (standard output appended to it): refuse before anything is opened for writing.
        let inputPath = input == "-" ? nil : input
        let inputID = inputPath.map { InputFiles.regularFileID(path: $0) } ?? InputFiles.regularFileID(descriptor: 0)
        if let inputID {
            let inputName = inputPath ?? "standard input"
            if let errors, InputFiles.regularFileID(path: errors) == inputID {
                printError("ddbcdc: error: --errors \(errors) is the input (\(inputName)), by another name or the same: writing it would destroy the records before they are read")
                throw ExitCode(64)  // EX_USAGE
            }
            if InputFiles.regularFileID(descriptor: 1) == inputID {
                printError("ddbcdc: error: standard output is the input (\(inputName)): the rows would be written into the records being read")
                throw ExitCode(64)
            }
        }
        var source: FileSource
        if let input, input != "-" {
            do { source = try FileSource(path: input) } catch {
                printError("ddbcdc: \(error)")
                throw ExitCode(66)  // EX_NOINPUT
            }
        } else {
            source = .standardInput
        }
        defer { source.close() }
        var output = FileSink.standardOutput
        var errorSink = try errors.map { try FileSink(creating: $0) }
        var reader = ParallelReader(options: rows.normalizeOptions(defaultIngest: "now", clock: .system), threads: parseThreads)
        reader.start()
        let summary: ChangeStreamReader.Summary
        do {
            while try reader.readMore(
                &source,
                onRow: { row, _ in try output.write(row) },
                onError: { error in
                    guard errorSink != nil else { throw Stop(error: error) }
                    try errorSink!.write(error.jsonLine)
                })
            {}
            summary = reader.summary
        } catch let stop as Stop {
            try output.flush()
            printError("ddbcdc: error: \(stop.error)")
            printError("ddbcdc: stopped; --skip-invalid --errors FILE sets bad records aside and goes on")
            throw ExitCode(65)  // EX_DATAERR
        } catch {
            try? output.flush()
            printError("ddbcdc: error: \(error)")
            throw ExitCode(74)  // EX_IOERR
        }
        try output.flush()
        try errorSink?.close()
        if let errors, summary.errors > 0 {
            printError("ddbcdc: \(summary.errors) invalid record(s) set aside in \(errors); \(summary.rows) rows written from \(summary.records) records")
            // As without --skip-invalid: some records did not become rows (here they are kept).
            throw ExitCode(65)  // EX_DATAERR
        }
    }
}
