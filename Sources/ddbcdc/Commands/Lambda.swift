import ArgumentParser
import LambdaRuntime
import ProcessKit

/// `ddbcdc lambda`: the Lambda custom runtime loop (what `bootstrap` runs).
struct LambdaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda",
        abstract: "Serve Lambda invocations from the Runtime API (AWS_LAMBDA_RUNTIME_API): DynamoDB Streams events to S3.",
        discussion: """
            Started as a Lambda function's `bootstrap` with no arguments, ddbcdc does the same. Settings come \
            from the environment: S3_BUCKET (required), S3_PREFIX, MAX_RECORDS, MAX_PAYLOAD_BYTES, GZIP_LEVEL, \
            DDBCDC_FORMAT (json or parquet), DDBCDC_SCHEMA (Parquet's typed layout: a schema file in the package or its JSON), \
            DDBCDC_PARQUET_COMPRESSION, DDBCDC_PARQUET_GZIP_LEVEL, DDBCDC_PARQUET_ZSTD_LEVEL, \
            DDBCDC_LAYOUT, DDBCDC_NUMBERS, DDBCDC_TOMBSTONE, DDBCDC_UPDATED_AT, DDBCDC_METADATA_PREFIX, DDBCDC_SSE, DDBCDC_SSE_KMS_KEY_ID, \
            DDBCDC_MAX_ATTEMPTS, DDBCDC_DEADLINE_MARGIN_MS; credentials, region and AWS_CA_BUNDLE as the AWS SDKs read them. \
            Each invocation answers {"batchItemFailures":[…]} naming the records not durable in S3 (use \
            FunctionResponseTypes ReportBatchItemFailures on the event source mapping).
            """
    )

    func run() async throws {
        let environment = processEnvironment()
        guard let api = environment["AWS_LAMBDA_RUNTIME_API"] else {
            throw ValidationError("AWS_LAMBDA_RUNTIME_API is not set: this command runs inside Lambda (or the Runtime Interface Emulator)")
        }
        let status = await LambdaRuntime.serve(api: api, environment: environment)
        if status != 0 { throw ExitCode(status) }
    }
}
