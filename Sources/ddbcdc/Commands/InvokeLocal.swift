import ArgumentParser
import LambdaRuntime
import Pipeline
import ProcessKit
import S3Sink
import Timekeeping

/// `ddbcdc invoke-local`: the Lambda handler, once, on an event file.
struct InvokeLocal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke-local",
        abstract: "Run the Lambda handler once on an event and print its response.",
        discussion: "Configured by the same environment as the function (S3_BUCKET, …); --sink writes to a directory instead of S3."
    )

    @Option(help: ArgumentHelp("A DynamoDB Streams Lambda event (JSON).", valueName: "file"))
    var event: String

    @Option(help: ArgumentHelp("Write objects under this directory instead of S3_BUCKET.", valueName: "dir"))
    var sink: String?

    @Option(help: "Milliseconds the invocation may take, as Lambda's deadline would allow (default 60000).")
    var timeout: Int64 = 60_000

    func run() async throws {
        var environment = processEnvironment()
        if sink != nil {
            environment["S3_BUCKET"] = environment["S3_BUCKET"] ?? "local"
            environment["AWS_REGION"] = environment["AWS_REGION"] ?? "local"
        }
        let body: [UInt8]
        do { body = try readWholeFile(event) } catch {
            printError("ddbcdc: \(error)")
            throw ExitCode(66)
        }
        let handler: StreamsHandler
        do {
            handler = try LambdaRuntime.makeHandler(environment: environment, sink: sink.map { LocalDirectorySink(root: $0) })
        } catch {
            printError("ddbcdc: configuration: \(error)")
            throw ExitCode(78)  // EX_CONFIG
        }
        let invocation = Invocation(
            requestID: "local", deadline: EpochClock.system.now().adding(millis: Int64(timeout)), functionARN: "local", traceID: nil, body: body)
        let outcome = await handler.handle(invocation)
        for reason in outcome.notWritten { printError("ddbcdc: not written: \(reason)") }
        printError("ddbcdc invoke-local: \(outcome.records) records, \(outcome.rows) rows in \(outcome.objects) objects, \(outcome.setAside) set aside, \(outcome.failures.count) reported failed")
        if let failure = outcome.invocationError {
            // What Lambda would see: an invocation error, the whole batch retried.
            printError("ddbcdc: invocation failed: \(failure)")
            throw ExitCode(70)  // EX_SOFTWARE
        }
        var out = FileSink.standardOutput
        try out.write(outcome.response + [0x0A])
        try out.flush()
    }
}
