import AWSCore
import Logging
import Pipeline
import ProcessKit
package import S3Sink
import Timekeeping

/// `ddbcdc` as a Lambda custom runtime: configuration from the environment, then the loop.
package enum LambdaRuntime {
    /// Whether this process was started by Lambda as its `bootstrap` (the Runtime API is set and
    /// no subcommand was given).
    package static func isBootstrap(environment: [String: String], arguments: [String]) -> Bool {
        environment["AWS_LAMBDA_RUNTIME_API"] != nil && arguments.count == 1
    }

    /// The `ddbcdc-lambda` program: with no arguments and the Runtime API set, serves invocations
    /// and returns the exit status; `--help` prints what it reads; anything else is a usage error.
    package static func bootstrapMain(arguments: [String], environment: [String: String]) async -> Int32 {
        let name = arguments.first.map { String($0.split(separator: "/").last ?? "bootstrap") } ?? "bootstrap"
        let usage = """
            usage: \(name)
              The ddbcdc Lambda function's bootstrap: serves invocations from the Lambda Runtime API
              (AWS_LAMBDA_RUNTIME_API), writing each DynamoDB Streams batch to S3 and answering with the
              partial batch response; a {"backfill":…} task (emit-infra --backfill's Step Functions map) backfills
              one data file of a DynamoDB export the same way. Settings come from the environment: S3_BUCKET (required), S3_PREFIX,
              MAX_RECORDS, MAX_PAYLOAD_BYTES, GZIP_LEVEL, DDBCDC_LAYOUT, DDBCDC_NUMBERS, DDBCDC_TOMBSTONE,
              DDBCDC_UPDATED_AT, DDBCDC_METADATA_PREFIX, DDBCDC_SSE, DDBCDC_SSE_KMS_KEY_ID, DDBCDC_MAX_ATTEMPTS,
              DDBCDC_DEADLINE_MARGIN_MS, DDBCDC_CONCURRENCY; credentials, region and AWS_CA_BUNDLE as the AWS SDKs read them.
              To run the handler on a file, use `ddbcdc invoke-local --event FILE`.
            """
        if arguments.count > 1 {
            if arguments[1] == "--help" || arguments[1] == "-h" {
                var out = FileSink.standardOutputLine
                try? out.write(usage + "\n")
                return 0
            }
            printError("\(name): unexpected argument '\(arguments[1])'\n" + usage)
            return 64
        }
        guard let api = environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty else {
            printError(
                "\(name): AWS_LAMBDA_RUNTIME_API is not set: this program runs inside Lambda or the Runtime Interface Emulator\n"
                    + usage)
            return 64
        }
        return await serve(api: api, environment: environment)
    }

    /// Builds the handler from `environment`, with `sink` overriding the S3 bucket (tests, invoke-local).
    package static func makeHandler(environment: [String: String], sink: (any ObjectSink)? = nil) throws -> StreamsHandler {
        let configuration = try LambdaConfiguration(environment: environment)
        if let sink { return StreamsHandler(configuration: configuration, sink: sink, clock: .system) }
        let client: S3Client
        do {
            client = try S3Client.make(configuration.s3Settings, environment: environment, clock: .system)
        } catch {
            throw LambdaConfiguration.Problem(description: error.message)
        }
        return StreamsHandler(configuration: configuration, sink: S3ObjectSink(client: client), clock: .system)
    }

    /// The backfill task (``BackfillTask``) with the handler's configuration and sink; the export's
    /// bucket is read with the same credentials, region and endpoint.
    package static func makeBackfillTask(environment: [String: String], handler: StreamsHandler) -> BackfillTask {
        let settings = handler.configuration.s3Settings
        return BackfillTask(configuration: handler.configuration, sink: handler.sink, clock: handler.clock) { bucket in
            var exportSettings = settings
            exportSettings.bucket = bucket
            do { return try S3Client.make(exportSettings, environment: environment, clock: .system) } catch let error as AWSError {
                throw LambdaConfiguration.Problem(description: error.message)
            }
        }
    }

    /// Serves invocations until the Runtime API goes away.
    package static func serve(api: String, environment: [String: String]) async -> Int32 {
        let logger = Logger(label: "ddbcdc") { JSONLogHandler(label: $0) }
        let client = HTTPRuntimeClient(api: api, transport: AsyncHTTPClientTransport(maxResponseBytes: 16 << 20))
        let handler: StreamsHandler
        let backfill: BackfillTask
        do {
            handler = try makeHandler(environment: environment)
            backfill = makeBackfillTask(environment: environment, handler: handler)
        } catch {
            logger.error("init failed", metadata: ["error": "\(error)"])
            try? await client.initFailed(LambdaError(type: "Runtime.InvalidConfiguration", message: "\(error)"))
            return 1
        }
        let functionName = environment["AWS_LAMBDA_FUNCTION_NAME"] ?? "ddbcdc"
        do {
            try await LambdaLoop(client: client).run { invocation in
                var log = logger
                log[metadataKey: "requestId"] = "\(invocation.requestID)"
                if BackfillTask.isTask(invocation.body) {
                    do {
                        let answer = try await backfill.handle(invocation)
                        log.info("backfill task done", metadata: ["result": "\(String(decoding: answer, as: UTF8.self))"])
                        return answer
                    } catch let error as LambdaError {
                        log.error("backfill task failed", metadata: ["reason": "\(error.message)"])
                        throw error
                    }
                }
                let outcome = await handler.handle(invocation)
                for reason in outcome.notWritten { log.error("object not written", metadata: ["reason": "\(reason)"]) }
                log.info(
                    "invocation done",
                    metadata: [
                        "records": "\(outcome.records)", "rows": "\(outcome.rows)", "objects": "\(outcome.objects)",
                        "setAside": "\(outcome.setAside)", "failedRecords": "\(outcome.failures.count)",
                    ])
                var out = FileSink.standardOutputLine
                try? out.write(EmbeddedMetrics.line(outcome, functionName: functionName, now: EpochClock.system.now()) + "\n")
                if let failure = outcome.invocationError { log.error("invocation failed", metadata: ["reason": "\(failure)"]) }
                return try outcome.answer()
            }
        } catch {
            logger.error("runtime API failed; exiting", metadata: ["error": "\(error)"])
            return 1
        }
        return 0
    }
}
