import ArgumentParser
import Infrastructure
import NDJSONBuffer
import Pipeline
import ProcessKit

#if canImport(Glibc)
import Glibc
#endif

extension LambdaInfrastructure.Architecture: ExpressibleByArgument {}

/// `ddbcdc emit-infra`: the IAM policy, event source mapping and SAM template for the Lambda function.
struct EmitInfra: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit-infra",
        abstract: "Write the least-privilege IAM policy, the event source mapping and a SAM template that deploy ddbcdc on a table's stream, with its alarms and dashboard.",
        discussion: """
            Writes four files to --out: iam-policy.json (the execution role's policy: stream reads on the one \
            stream ARN, s3:PutObject and s3:AbortMultipartUpload under bucket/prefix/ only, KMS on the one key \
            when --kms-key-arn is given, sqs:SendMessage on the failure queue, logs on the function's log group; \
            no '*' resource), event-source-mapping.json (the input of `aws lambda create-event-source-mapping \
            --cli-input-json file://…`: ReportBatchItemFailures, bisection on error, retries, record age, \
            batching, ParallelizationFactor, TRIM_HORIZON, the on-failure queue) and template.yaml (an AWS SAM template: the function \
            on provided.al2023 with Handler bootstrap, its own role with that policy, its log group, the \
            DynamoDB event with the same settings, and an SQS queue for failed batches unless \
            --on-failure-queue-arn names one), and dashboard.json. Deploy with `sam deploy --template-file DIR/template.yaml \
            --stack-name NAME --capabilities CAPABILITY_IAM --resolve-s3`. \
            The bucket must be in the stream's region: the function signs for its own region (AWS_REGION). \
            ListStreams is an IAM action without resource-level permissions, so naming the stream for it grants \
            nothing; Lambda reads a stream it is given with DescribeStream, GetShardIterator and GetRecords. \
            With SSE-KMS and objects larger than 16 MiB (uploaded in parts, only if MAX_PAYLOAD_BYTES is raised), \
            S3 also needs kms:Decrypt, which this policy does not grant.

            Operations (docs/operations.md): the template also holds alarms on the failure queue's depth \
            (ApproximateNumberOfMessagesVisible > 0), Lambda's IteratorAge (above --iterator-age-alarm-minutes), \
            the function's Errors and Throttles, and the records it set aside (its own metric ddbcdc/Errors, \
            dimension FunctionName, > 0), notifying an SNS topic with --alarm-email or --alarm-topic-arn; a \
            CloudWatch dashboard of the function's metrics (also written as dashboard.json, the body of \
            `aws cloudwatch put-dashboard`); and a policy on the failure queue it creates that lets only the \
            function's role send. With --create-bucket it creates the bucket too (see that flag). Tumbling \
            windows are not offered: the handler keeps no state between invocations, so they would only cut \
            batches at window edges.

            With --backfill (and --export-bucket, the bucket the table is exported to, and --export-prefix, \
            the S3Prefix it is exported under), the template also holds a Step Functions state machine \
            <function>-backfill: a Distributed Map over the export's manifest-files.json (JSON Lines) that \
            invokes the function once per data file with the backfill task, at most --backfill-concurrency \
            at once, retrying Lambda's transient errors and ddbcdc.BackfillFailed, tolerating no failed file, \
            writing the Map Runs' results under <export-prefix>/ddbcdc-backfill/ in the export bucket; and its role \
            (lambda:InvokeFunction on the function, s3:GetObject on the exports' manifest-files.json, the \
            results under ddbcdc-backfill/, states:StartExecution on itself and Describe/Stop/RedriveExecution \
            on its child executions). The function's policy gains s3:GetObject under \
            <export-prefix>/AWSDynamoDB/. Two more files are written: backfill-state-machine.asl.json and \
            backfill-iam-policy.json. Start a backfill with `aws stepfunctions start-execution \
            --state-machine-arn ARN --input '{"exportId": "<ExportId>"}'` (optionally "overlapSeconds": N, \
            default 300), the ExportId being the last part of the ExportArn. Order: enable the stream and \
            deploy the mapping first, then export, then backfill.
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

    @Option(
        name: [.customLong("maximum-batching-window-seconds"), .customLong("batching-window")],
        help: ArgumentHelp("Seconds Lambda may wait to fill a batch (MaximumBatchingWindowInSeconds; 0–300; --batching-window is the older name).", valueName: "seconds"))
    var batchingWindow: Int = 5

    @Option(help: ArgumentHelp("Batches of one shard the function handles at once (ParallelizationFactor; 1–10; each item's changes stay in order).", valueName: "n"))
    var parallelizationFactor: Int = 1

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

    @Option(help: "What the function's objects hold: json (gzip NDJSON) or parquet (DDBCDC_FORMAT; the packed layout: for the typed one add a schema file to the zip and set DDBCDC_SCHEMA).")
    var format: ObjectFormat = .json

    @Option(help: "Parquet: the pages' codec, snappy, zstd, gzip or none (DDBCDC_PARQUET_COMPRESSION).")
    var parquetCompression: ParquetCompression?

    @Option(help: ArgumentHelp("Parquet: the gzip codec's level, 0 to 12 (DDBCDC_PARQUET_GZIP_LEVEL; default: the layout's, see `ddbcdc run --help`).", valueName: "level"))
    var parquetGzipLevel: Int?

    @Option(help: ArgumentHelp("Parquet: the zstd codec's level, 1 to 22 (DDBCDC_PARQUET_ZSTD_LEVEL; default \(ObjectEncoding.defaultParquetZstdLevel)).", valueName: "level"))
    var parquetZstdLevel: Int?

    @Option(help: "Days the function's log group keeps its logs (one of CloudWatch Logs' periods).")
    var logRetentionDays: Int = 30

    @Flag(help: "The template also creates --bucket: SSE-S3 (SSE-KMS with --kms-key-arn), public access blocked, TLS-only policy, incomplete multipart uploads aborted after 1 day, kept when the stack is deleted.")
    var createBucket = false

    @Option(help: ArgumentHelp("With --create-bucket: records set aside under <prefix>/_errors/ expire after this many days (default: kept).", valueName: "days"))
    var errorsExpireDays: Int?

    @Flag(help: "With --create-bucket: turn versioning on (off by default: objects are written once under deterministic names; old versions expire after 30 days).")
    var bucketVersioning = false

    @Option(help: ArgumentHelp("Alarm when Lambda's IteratorAge (the oldest change handed to the function) is above this many minutes (1–1440).", valueName: "minutes"))
    var iteratorAgeAlarmMinutes: Int = 15

    @Option(help: ArgumentHelp("Create an SNS topic for the alarms with this address subscribed (it must confirm the subscription mail).", valueName: "address"))
    var alarmEmail: String?

    @Option(help: ArgumentHelp("An existing SNS topic (in the stream's region) the alarms notify.", valueName: "arn"))
    var alarmTopicArn: String?

    @Flag(help: "Also write a Step Functions state machine that backfills a DynamoDB export through the function (needs --export-bucket).")
    var backfill = false

    @Option(help: ArgumentHelp("With --backfill: the bucket the table is exported to (ExportTableToPointInTime's S3Bucket).", valueName: "name"))
    var exportBucket: String?

    @Option(help: ArgumentHelp("With --backfill: the S3Prefix the table is exported under (default: none); grants are limited to <prefix>/AWSDynamoDB/.", valueName: "prefix"))
    var exportPrefix: String?

    @Option(help: ArgumentHelp("With --backfill: data files backfilled at once, at most (the Map's MaxConcurrency, 1–10000; each is one invocation).", valueName: "n"))
    var backfillConcurrency: Int?

    @Option(help: ArgumentHelp("The folder the files are written to (created if missing).", valueName: "dir"))
    var out: String = "infra"

    /// The deployment zip as given (or the packaging script's default).
    var zip: String { codeUri ?? LambdaInfrastructure.defaultZip(architecture: architecture) }

    /// The go-live settings as given (checked by LambdaInfrastructure).
    var operations: LambdaInfrastructure.Operations {
        var operations = LambdaInfrastructure.Operations()
        operations.createBucket = createBucket
        operations.bucketVersioning = bucketVersioning
        operations.errorsExpireDays = errorsExpireDays
        operations.iteratorAgeAlarmMinutes = iteratorAgeAlarmMinutes
        operations.alarmEmail = alarmEmail
        operations.alarmTopicARN = alarmTopicArn
        operations.parallelizationFactor = parallelizationFactor
        return operations
    }

    /// The checked inputs (usage errors name the flag and what to fix).
    func infrastructure() throws -> LambdaInfrastructure {
        do {
            var backfillMachine: BackfillStateMachine?
            if backfill {
                guard let exportBucket else { throw ValidationError("--backfill needs --export-bucket: the bucket the table is exported to") }
                backfillMachine = try BackfillStateMachine(bucket: exportBucket, prefix: exportPrefix ?? "", concurrency: backfillConcurrency ?? 10)
            } else if let flag = [("--export-bucket", exportBucket != nil), ("--export-prefix", exportPrefix != nil), ("--backfill-concurrency", backfillConcurrency != nil)].first(where: \.1)?.0 {
                throw ValidationError("\(flag) is a setting of --backfill: add --backfill, or leave it out")
            }
            var infrastructure = try LambdaInfrastructure(
                functionName: functionName, streamARN: streamArn, bucket: bucket, prefix: prefix, kmsKeyARN: kmsKeyArn,
                batchSize: batchSize, batchingWindowSeconds: batchingWindow, maxRetries: maxRetries,
                maxRecordAgeSeconds: maxRecordAge, onFailureQueueARN: onFailureQueueArn, memoryMB: memory, timeoutSeconds: timeout,
                architecture: architecture,
                codeURI: LambdaInfrastructure.templateCodeURI(zip: zip, out: out, workingDirectory: currentDirectory()),
                logRetentionDays: logRetentionDays, backfill: backfillMachine, operations: operations)
            if format == .parquet {
                infrastructure.environment.append((key: "DDBCDC_FORMAT", value: format.rawValue))
                if let parquetCompression { infrastructure.environment.append((key: "DDBCDC_PARQUET_COMPRESSION", value: parquetCompression.rawValue)) }
                if let problem = ObjectEncoding.parquetLevelProblem(compression: parquetCompression, gzipLevel: parquetGzipLevel, zstdLevel: parquetZstdLevel) {
                    throw ValidationError(problem)
                }
                if let parquetGzipLevel { infrastructure.environment.append((key: "DDBCDC_PARQUET_GZIP_LEVEL", value: String(parquetGzipLevel))) }
                if let parquetZstdLevel { infrastructure.environment.append((key: "DDBCDC_PARQUET_ZSTD_LEVEL", value: String(parquetZstdLevel))) }
            } else if parquetCompression != nil || parquetGzipLevel != nil || parquetZstdLevel != nil {
                throw ValidationError("--parquet-compression, --parquet-gzip-level and --parquet-zstd-level need --format parquet")
            }
            return infrastructure
        } catch let error as LambdaInfrastructure.Problem {
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
