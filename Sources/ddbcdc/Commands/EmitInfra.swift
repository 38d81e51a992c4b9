import ArgumentParser
import Infrastructure
import ProcessKit

#if canImport(Glibc)
import Glibc
#endif

extension LambdaInfrastructure.Architecture: ExpressibleByArgument {}

/// `ddbcdc emit-infra`: the IAM policy, event source mapping and SAM template for the Lambda function.
struct EmitInfra: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit-infra",
        abstract: "Write the least-privilege IAM policy, the event source mapping and a SAM template that deploy ddbcdc on a table's stream.",
        discussion: """
            Writes three files to --out: iam-policy.json (the execution role's policy: stream reads on the one \
            stream ARN, s3:PutObject and s3:AbortMultipartUpload under bucket/prefix/ only, KMS on the one key \
            when --kms-key-arn is given, sqs:SendMessage on the failure queue, logs on the function's log group; \
            no '*' resource), event-source-mapping.json (the input of `aws lambda create-event-source-mapping \
            --cli-input-json file://…`: ReportBatchItemFailures, bisection on error, retries, record age, \
            batching, TRIM_HORIZON, the on-failure queue) and template.yaml (an AWS SAM template: the function \
            on provided.al2023 with Handler bootstrap, its own role with that policy, its log group, the \
            DynamoDB event with the same settings, and an SQS queue for failed batches unless \
            --on-failure-queue-arn names one). Deploy with `sam deploy --template-file DIR/template.yaml \
            --stack-name NAME --capabilities CAPABILITY_IAM --resolve-s3`. \
            The bucket must be in the stream's region: the function signs for its own region (AWS_REGION). \
            ListStreams is an IAM action without resource-level permissions, so naming the stream for it grants \
            nothing; Lambda reads a stream it is given with DescribeStream, GetShardIterator and GetRecords. \
            With SSE-KMS and objects larger than 16 MiB (uploaded in parts, only if MAX_PAYLOAD_BYTES is raised), \
            S3 also needs kms:Decrypt, which this policy does not grant.
            """
    )

    @Option(help: ArgumentHelp("The Lambda function's name (default: ddbcdc-<table>).", valueName: "name"))
    var functionName: String?

    @Option(help: ArgumentHelp("The table's stream ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL).", valueName: "arn"))
    var streamArn: String

    @Option(help: ArgumentHelp("The bucket objects go to (its name only; in the stream's region).", valueName: "name"))
    var bucket: String

    @Option(help: ArgumentHelp("Key prefix in the bucket (S3_PREFIX); the policy allows writes under it only.", valueName: "prefix"))
    var prefix: String = ""

    @Option(help: ArgumentHelp("Encrypt objects with this KMS key (SSE-KMS); its key ARN, not an alias.", valueName: "arn"))
    var kmsKeyArn: String?

    @Option(help: "Records per invocation, at most (BatchSize; 1–10000).")
    var batchSize: Int = 100

    @Option(help: ArgumentHelp("Seconds Lambda may wait to fill a batch (MaximumBatchingWindowInSeconds; 0–300).", valueName: "seconds"))
    var batchingWindow: Int = 5

    // .unconditional: "-1" is a value here, not an option.
    @Option(parsing: .unconditional, help: "Retries of a failing batch before it goes to the failure queue (MaximumRetryAttempts; -1 until it expires).")
    var maxRetries: Int = 10

    @Option(parsing: .unconditional, help: ArgumentHelp("Records older than this are not sent to the function (MaximumRecordAgeInSeconds; -1 or 60–604800).", valueName: "seconds"))
    var maxRecordAge: Int = 86_400

    @Option(help: ArgumentHelp("An existing standard SQS queue for batches that failed for good (default: the template creates <function>-failures).", valueName: "arn"))
    var onFailureQueueArn: String?

    @Option(help: ArgumentHelp("The function's memory, MB (128–10240; CPU grows with it).", valueName: "MB"))
    var memory: Int = 512

    @Option(help: ArgumentHelp("The function's timeout, seconds (3–900).", valueName: "seconds"))
    var timeout: Int = 60

    @Option(help: "The function's instruction set: x86_64 or arm64 (the zip must be built for it).")
    var architecture: LambdaInfrastructure.Architecture = .x86_64

    @Option(
        help: ArgumentHelp(
            "The deployment zip, relative to the current directory or absolute, or an s3:// URI (default: build/lambda/ddbcdc-lambda-<architecture>.zip, as scripts/package-lambda.sh writes it); the template refers to it relative to --out.",
            valueName: "path"))
    var codeUri: String?

    @Option(help: "Days the function's log group keeps its logs (one of CloudWatch Logs' periods).")
    var logRetentionDays: Int = 30

    @Option(help: ArgumentHelp("The folder the three files are written to (created if missing).", valueName: "dir"))
    var out: String = "infra"

    /// The deployment zip as given (or the packaging script's default).
    var zip: String { codeUri ?? LambdaInfrastructure.defaultZip(architecture: architecture) }

    /// The checked inputs (usage errors name the flag and what to fix).
    func infrastructure() throws -> LambdaInfrastructure {
        do {
            return try LambdaInfrastructure(
                functionName: functionName, streamARN: streamArn, bucket: bucket, prefix: prefix, kmsKeyARN: kmsKeyArn,
                batchSize: batchSize, batchingWindowSeconds: batchingWindow, maxRetries: maxRetries,
                maxRecordAgeSeconds: maxRecordAge, onFailureQueueARN: onFailureQueueArn, memoryMB: memory, timeoutSeconds: timeout,
                architecture: architecture,
                codeURI: LambdaInfrastructure.templateCodeURI(zip: zip, out: out, workingDirectory: currentDirectory()),
                logRetentionDays: logRetentionDays)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out must name a folder") }
        _ = try infrastructure()
    }

    func run() async throws {
        let infra = try infrastructure()
        do {
            try makeDirectories(out)
            for (name, text) in infra.files {
                let path = (out.hasSuffix("/") ? out : out + "/") + name
                var file = try FileSink(creating: path)
                try file.write(text)
                try file.close()
                printError("ddbcdc emit-infra: wrote \(path)")
            }
        } catch {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(73)  // EX_CANTCREAT
        }
        if !zip.hasPrefix("s3://"), access(Paths.absolute(zip, workingDirectory: currentDirectory()), F_OK) != 0 {
            printError("ddbcdc emit-infra: note: the template's CodeUri \(infra.codeURI) does not exist yet: build it with scripts/package-lambda.sh")
        }
    }
}
