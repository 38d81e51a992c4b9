import NDJSONBuffer
import S3Sink

/// What deploys ddbcdc as a Lambda function on one table's stream: a least-privilege IAM policy,
/// the event source mapping (CreateEventSourceMapping's input) and an AWS SAM template tying them
/// together. Inputs are checked when it is made; the documents are then plain functions of them.
///
/// Least privilege, concretely: stream reads on the one stream ARN; `s3:PutObject` and
/// `s3:AbortMultipartUpload` under `bucket/prefix/` only (no reads, no listing, no deletes);
/// `kms:GenerateDataKey` and `kms:Encrypt` on the one key, only through S3 of the function's region;
/// `sqs:SendMessage` on the one failure queue; logs on the function's own log group. No `*`
/// resource anywhere. The template brings its own role because a role SAM generates for a
/// DynamoDB event gets `AWSLambdaDynamoDBExecutionRole` attached, which grants the stream actions
/// on every stream and logs on every log group.
///
/// Around the function the template also holds what going live needs (``Operations``, in
/// LambdaInfrastructure+Operations.swift): the failure queue's policy, alarms, a dashboard made
/// from the metrics the function publishes, and optionally the bucket and an SNS topic.
package struct LambdaInfrastructure: Sendable {
    /// The instruction set the function runs on.
    package enum Architecture: String, CaseIterable, Sendable {
        case x86_64
        case arm64
    }

    /// A DynamoDB stream ARN, taken apart.
    struct StreamARN: Sendable {
        var text: String
        var partition: String
        var region: String
        var account: String
        var table: String
        var label: String
    }

    /// An input that cannot make a working deployment, phrased as what to fix.
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    package var functionName: String
    var stream: StreamARN
    var bucket: String
    /// Without leading, trailing or doubled `/` (as the batcher writes keys).
    var prefix: String
    var kmsKeyARN: String?
    var batchSize: Int
    var batchingWindowSeconds: Int
    var maxRetries: Int
    var maxRecordAgeSeconds: Int
    /// An existing queue; nil: the template creates `<function>-failures`.
    var onFailureQueueARN: String?
    var memoryMB: Int
    /// More of the function's environment (`DDBCDC_FORMAT`, …), after the bucket, prefix and encryption.
    package var environment: [(key: String, value: String)] = []
    var timeoutSeconds: Int
    var architecture: Architecture
    /// CodeUri as written in the template.
    package var codeURI: String
    var logRetentionDays: Int
    /// With `--backfill`: the state machine that backfills an export through the function.
    var backfill: BackfillStateMachine?
    /// The go-live resources around the function (bucket, alarms, dashboard) and the mapping's parallelism.
    var operations: Operations

    /// CloudWatch Logs' accepted retention periods.
    static let retentionDays: Set<Int> = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    /// Checks every input; `functionName` nil gives `ddbcdc-<table>`.
    package init(
        functionName: String?, streamARN: String, bucket: String, prefix: String, kmsKeyARN: String?, batchSize: Int,
        batchingWindowSeconds: Int, maxRetries: Int, maxRecordAgeSeconds: Int, onFailureQueueARN: String?, memoryMB: Int,
        timeoutSeconds: Int, architecture: Architecture, codeURI: String, logRetentionDays: Int,
        backfill: BackfillStateMachine? = nil, operations: Operations = Operations()
    ) throws(Problem) {
        stream = try Self.parseStreamARN(streamARN)
        let name = functionName ?? Self.defaultFunctionName(table: stream.table)
        try Self.checkFunctionName(name)
        self.functionName = name
        try Self.checkBucket(bucket)
        self.bucket = bucket
        self.prefix = try Self.normalizedPrefix(prefix)
        if let kmsKeyARN { try Self.checkKMSKey(kmsKeyARN, stream: stream) }
        self.kmsKeyARN = kmsKeyARN
        if let onFailureQueueARN { try Self.checkQueue(onFailureQueueARN, stream: stream) }
        self.onFailureQueueARN = onFailureQueueARN
        // The limits of CreateEventSourceMapping for a DynamoDB stream, and of a function.
        try Self.check(batchSize, in: 1...10_000, "--batch-size", "records per invocation (DynamoDB streams allow 1 to 10000)")
        try Self.check(batchingWindowSeconds, in: 0...300, "--maximum-batching-window-seconds (--batching-window)", "seconds (0 to 300)")
        guard maxRetries == -1 || (0...10_000).contains(maxRetries) else {
            throw Problem("--max-retries must be -1 (retry until the record expires) or 0 to 10000, not \(maxRetries)")
        }
        guard maxRecordAgeSeconds == -1 || (60...604_800).contains(maxRecordAgeSeconds) else {
            throw Problem("--max-record-age must be -1 (no limit) or 60 to 604800 seconds, not \(maxRecordAgeSeconds)")
        }
        try Self.check(memoryMB, in: 128...10_240, "--memory", "MB (128 to 10240)")
        // The handler stops waiting for uploads a second before the deadline (DDBCDC_DEADLINE_MARGIN_MS).
        try Self.check(timeoutSeconds, in: 3...900, "--timeout", "seconds (3 to 900; the handler keeps 1 s to answer)")
        guard Self.retentionDays.contains(logRetentionDays) else {
            throw Problem(
                "--log-retention-days must be one of CloudWatch Logs' periods (\(Self.retentionDays.sorted().map(String.init).joined(separator: ", "))), not \(logRetentionDays)"
            )
        }
        guard !codeURI.isEmpty else { throw Problem("--code-uri must not be empty") }
        self.batchSize = batchSize
        self.batchingWindowSeconds = batchingWindowSeconds
        self.maxRetries = maxRetries
        self.maxRecordAgeSeconds = maxRecordAgeSeconds
        self.memoryMB = memoryMB
        self.timeoutSeconds = timeoutSeconds
        self.architecture = architecture
        self.codeURI = codeURI
        self.logRetentionDays = logRetentionDays
        self.backfill = backfill
        try operations.check(stream: stream)
        self.operations = operations
    }

    // MARK: the documents

    /// The name of the queue the template creates when no `onFailureQueueARN` is given.
    var failureQueueName: String { functionName + "-failures" }

    /// The failure queue's ARN: the given one, or the one the template creates (same region and
    /// account as the stream, where the function runs).
    var failureQueueARN: String {
        onFailureQueueARN ?? "arn:\(stream.partition):sqs:\(stream.region):\(stream.account):\(failureQueueName)"
    }

    /// `arn:…:s3:::bucket/prefix/*`: every key the function writes (objects and `_errors/`).
    var objectsARN: String {
        "arn:\(stream.partition):s3:::\(bucket)/" + (prefix.isEmpty ? "" : prefix + "/") + "*"
    }

    var logGroupName: String { "/aws/lambda/\(functionName)" }

    /// The execution role's policy, standalone: every resource spelled out.
    package var iamPolicy: InfraDocument {
        policy(
            queue: .string(failureQueueARN),
            logGroup: .string("arn:\(stream.partition):logs:\(stream.region):\(stream.account):log-group:\(logGroupName):*"),
            createLogGroup: true)
    }

    /// The execution role's policy. `createLogGroup` when no template creates the group first.
    private func policy(queue: InfraDocument, logGroup: InfraDocument, createLogGroup: Bool) -> InfraDocument {
        var statements: [InfraDocument] = [
            [
                "Sid": "ReadTheTableStream", "Effect": "Allow",
                "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                "Resource": .string(stream.text),
            ],
            [
                "Sid": "WriteObjectsUnderThePrefix", "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                "Resource": .string(objectsARN),
            ],
        ]
        if let kmsKeyARN {
            let dnsSuffix = stream.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"
            statements.append([
                "Sid": "EncryptObjectsWithTheKey", "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
                "Resource": .string(kmsKeyARN),
                "Condition": ["StringEquals": ["kms:ViaService": .string("s3.\(stream.region).\(dnsSuffix)")]],
            ])
        }
        if let backfill { statements.append(exportReadStatement(backfill)) }
        statements.append([
            "Sid": "ReportFailedBatches", "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": queue,
        ])
        statements.append([
            "Sid": "WriteTheFunctionLogs", "Effect": "Allow",
            "Action": .array((createLogGroup ? ["logs:CreateLogGroup"] : []) + ["logs:CreateLogStream", "logs:PutLogEvents"]),
            "Resource": logGroup,
        ])
        return ["Version": "2012-10-17", "Statement": .array(statements)]
    }

    /// The mapping's settings, shared by the CreateEventSourceMapping input and the SAM event.
    private func mappingSettings(destination: InfraDocument) -> [(key: String, value: InfraDocument)] {
        [
            ("StartingPosition", "TRIM_HORIZON"),
            ("BatchSize", .integer(batchSize)),
            ("MaximumBatchingWindowInSeconds", .integer(batchingWindowSeconds)),
            ("MaximumRetryAttempts", .integer(maxRetries)),
            ("MaximumRecordAgeInSeconds", .integer(maxRecordAgeSeconds)),
            ("BisectBatchOnFunctionError", true),
            ("FunctionResponseTypes", ["ReportBatchItemFailures"]),
            // Concurrent batches per shard; Lambda still keeps each item's changes in order.
            ("ParallelizationFactor", .integer(operations.parallelizationFactor)),
            ("DestinationConfig", ["OnFailure": ["Destination": destination]]),
            ("Enabled", true),
        ]
    }

    /// The input of Lambda's CreateEventSourceMapping
    /// (`aws lambda create-event-source-mapping --cli-input-json file://event-source-mapping.json`).
    package var eventSourceMapping: InfraDocument {
        .object(
            [("FunctionName", .string(functionName)), ("EventSourceArn", .string(stream.text))]
                + mappingSettings(destination: .string(failureQueueARN)))
    }

    /// The AWS SAM template: the function, its role (this policy), its log group, the stream event
    /// with the same mapping settings, and the failure queue unless one was given.
    package var samTemplate: InfraDocument {
        let createsQueue = onFailureQueueARN == nil
        let queue: InfraDocument = createsQueue ? .getAtt("FailureQueue", "Arn") : .string(failureQueueARN)
        var environment: [(key: String, value: InfraDocument)] = [("S3_BUCKET", .string(bucket))]
        if !prefix.isEmpty { environment.append(("S3_PREFIX", .string(prefix))) }
        if let kmsKeyARN {
            environment.append(("DDBCDC_SSE", "aws:kms"))
            environment.append(("DDBCDC_SSE_KMS_KEY_ID", .string(kmsKeyARN)))
        }
        for (key, value) in self.environment { environment.append((key, .string(value))) }
        var resources: [(key: String, value: InfraDocument)] = bucketResources
        if createsQueue {
            resources.append((
                "FailureQueue",
                [
                    "Type": "AWS::SQS::Queue",
                    // Explicit (these are the defaults): named resources, so a kept one would block a redeploy.
                    "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
                    "Properties": [
                        "QueueName": .string(failureQueueName),
                        // 14 days, the most SQS keeps: time to look at a batch that failed for good.
                        "MessageRetentionPeriod": 1_209_600,
                        "SqsManagedSseEnabled": true,
                    ],
                ]
            ))
        }
        resources.append((
            "LogGroup",
            [
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
                "Properties": ["LogGroupName": .string(logGroupName), "RetentionInDays": .integer(logRetentionDays)],
            ]
        ))
        resources.append((
            "FunctionRole",
            [
                "Type": "AWS::IAM::Role",
                "Properties": [
                    "Description": .string("ddbcdc \(functionName): reads one DynamoDB stream, writes to one S3 prefix"),
                    "AssumeRolePolicyDocument": [
                        "Version": "2012-10-17",
                        "Statement": [
                            ["Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"], "Action": "sts:AssumeRole"]
                        ],
                    ],
                    "Policies": [
                        [
                            "PolicyName": "ddbcdc-least-privilege",
                            "PolicyDocument": policy(queue: queue, logGroup: .getAtt("LogGroup", "Arn"), createLogGroup: false),
                        ]
                    ],
                ],
            ]
        ))
        resources.append((
            "Function",
            [
                "Type": "AWS::Serverless::Function",
                "Properties": [
                    "FunctionName": .string(functionName),
                    "Description": .string("DynamoDB Streams of \(stream.table) to gzip NDJSON in S3 (ddbcdc)"),
                    "Runtime": "provided.al2023",
                    "Handler": "bootstrap",
                    "CodeUri": .string(codeURI),
                    "Architectures": [.string(architecture.rawValue)],
                    "MemorySize": .integer(memoryMB),
                    "Timeout": .integer(timeoutSeconds),
                    "Role": .getAtt("FunctionRole", "Arn"),
                    "Environment": ["Variables": .object(environment)],
                    "Events": [
                        "TableStream": [
                            "Type": "DynamoDB",
                            "Properties": .object([("Stream", .string(stream.text))] + mappingSettings(destination: queue)),
                        ]
                    ],
                ],
            ]
        ))
        if createsQueue { resources.append(("FailureQueuePolicy", failureQueuePolicy)) }
        resources += alarmResources + [("Dashboard", dashboardResource)]
        if let backfill {
            resources.append((
                "BackfillRole",
                [
                    "Type": "AWS::IAM::Role",
                    "Properties": [
                        "Description": .string("ddbcdc \(stateMachineName): reads the manifests of exports under s3://\(backfill.bucket)/\(backfill.exportsKeyPrefix), invokes \(functionName)"),
                        "AssumeRolePolicyDocument": [
                            "Version": "2012-10-17",
                            "Statement": [
                                ["Effect": "Allow", "Principal": ["Service": "states.amazonaws.com"], "Action": "sts:AssumeRole"]
                            ],
                        ],
                        "Policies": [
                            [
                                "PolicyName": "ddbcdc-backfill-least-privilege",
                                "PolicyDocument": backfillPolicy(backfill, function: .getAtt("Function", "Arn")),
                            ]
                        ],
                    ],
                ]
            ))
            resources.append((
                "BackfillStateMachine",
                [
                    "Type": "AWS::StepFunctions::StateMachine",
                    "Properties": [
                        "StateMachineName": .string(stateMachineName),
                        "StateMachineType": "STANDARD",
                        "RoleArn": .getAtt("BackfillRole", "Arn"),
                        "Definition": backfillDefinition(backfill, function: "${FunctionArn}"),
                        "DefinitionSubstitutions": ["FunctionArn": .getAtt("Function", "Arn")],
                    ],
                ]
            ))
        }
        var outputs: [(key: String, value: InfraDocument)] = [
            ("FunctionArn", ["Description": "The function's ARN", "Value": .getAtt("Function", "Arn")]),
            ("RoleArn", ["Description": "The execution role's ARN", "Value": .getAtt("FunctionRole", "Arn")]),
        ]
        outputs += operationsOutputs
        if createsQueue {
            outputs.append(("FailureQueueUrl", ["Description": "Where batches that failed for good are reported", "Value": .ref("FailureQueue")]))
        }
        if let backfill {
            outputs.append((
                "BackfillStateMachineArn",
                [
                    "Description": .string(
                        "Backfill an export of s3://\(backfill.bucket)/\(backfill.exportsKeyPrefix)<ExportId>/: aws stepfunctions start-execution --state-machine-arn <this> --input '\(Self.backfillInputExample)' (overlapSeconds optional)"
                    ),
                    "Value": .ref("BackfillStateMachine"),
                ]
            ))
        }
        let backfillText = backfill.map { "; backfill of exports under s3://\($0.bucket)/\($0.exportsKeyPrefix)" } ?? ""
        return [
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31",
            "Description": .string(
                "ddbcdc: DynamoDB Streams of table \(stream.table) to s3://\(bucket)/\(prefix)\(backfillText) (generated by ddbcdc emit-infra)"),
            "Resources": .object(resources),
            "Outputs": .object(outputs),
        ]
    }

    // MARK: checks

    private static func check(_ value: Int, in range: ClosedRange<Int>, _ flag: String, _ unit: String) throws(Problem) {
        guard range.contains(value) else { throw Problem("\(flag) must be \(unit), not \(value)") }
    }

    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
    private static func isLowerAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }

    /// The partitions whose service domains this generator knows (`kms:ViaService`).
    static let partitions: Set<String> = ["aws", "aws-cn", "aws-us-gov"]

    /// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, …
    static func isRegion(_ text: Substring) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy(isDigit) else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }

    /// The fields of `arn:partition:service:region:account:resource`, checked for `service`.
    static func arnFields(_ text: String, service: String, what: String, example: String) throws(Problem) -> [Substring] {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[2] == service else {
            throw Problem("\(what) '\(text)' is not an ARN of the form \(example)")
        }
        guard partitions.contains(String(fields[1])) else {
            throw Problem("\(what) '\(text)': partition '\(fields[1])' is not one of \(partitions.sorted().joined(separator: ", "))")
        }
        guard isRegion(fields[3]) else { throw Problem("\(what) '\(text)': '\(fields[3])' is not a region (e.g. eu-west-1)") }
        guard fields[4].count == 12, fields[4].allSatisfy(isDigit) else {
            throw Problem("\(what) '\(text)': '\(fields[4])' is not a 12-digit account ID")
        }
        guard !text.contains("*"), !text.contains("?") else {
            throw Problem("\(what) '\(text)' contains a wildcard: name one resource")
        }
        return fields
    }

    static func parseStreamARN(_ text: String) throws(Problem) -> StreamARN {
        let example = "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL"
        let fields = try arnFields(text, service: "dynamodb", what: "--stream-arn", example: example)
        let resource = fields[5].split(separator: "/", omittingEmptySubsequences: false)
        guard resource.count == 4, resource[0] == "table", resource[2] == "stream" else {
            throw Problem("--stream-arn '\(text)' is not a stream ARN (\(example)); a table ARN is not enough: enable the stream and use its LatestStreamArn")
        }
        let table = resource[1], label = resource[3]
        guard (3...255).contains(table.count), table.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
            throw Problem("--stream-arn '\(text)': '\(table)' is not a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -)")
        }
        guard !label.isEmpty, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ":._-".contains($0)) }) else {
            throw Problem("--stream-arn '\(text)': '\(label)' is not a stream label (like 2026-01-01T00:00:00.000)")
        }
        return StreamARN(
            text: text, partition: String(fields[1]), region: String(fields[3]), account: String(fields[4]), table: String(table),
            label: String(label))
    }

    /// `ddbcdc-<table>`, with what a function name cannot hold (`.`) made `-`, at most 64 characters.
    static func defaultFunctionName(table: String) -> String {
        String(("ddbcdc-" + table.map { $0 == "." ? "-" : $0 }).prefix(64))
    }

    static func checkFunctionName(_ name: String) throws(Problem) {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw Problem("--function-name '\(name)' must be 1 to 64 of A-Z a-z 0-9 - _")
        }
    }

    /// The naming rules of S3 general purpose buckets.
    static func checkBucket(_ name: String, flag: String = "--bucket") throws(Problem) {
        func bad(_ why: String) -> Problem { Problem("\(flag) '\(name)' is not a valid S3 bucket name: \(why)") }
        guard (3...63).contains(name.count) else { throw bad("it must be 3 to 63 characters long") }
        guard name.allSatisfy({ isLowerAlnum($0) || $0 == "." || $0 == "-" }) else {
            throw bad("only lowercase letters, digits, '.' and '-' are allowed (no s3:// and no path: the prefix goes in \(flag == "--bucket" ? "--prefix" : "--export-prefix"))")
        }
        guard let first = name.first, let last = name.last, isLowerAlnum(first), isLowerAlnum(last) else {
            throw bad("it must begin and end with a letter or a digit")
        }
        guard !name.contains("..") else { throw bad("it must not contain two adjacent periods") }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !(octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(isDigit) }) else {
            throw bad("it must not look like an IP address")
        }
        for reserved in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(reserved) {
            throw bad("the prefix '\(reserved)' is reserved")
        }
        for reserved in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(reserved) {
            throw bad("the suffix '\(reserved)' is reserved")
        }
    }

    /// The prefix as the function writes it (no empty segments). Characters that would widen an
    /// IAM resource (`*`, `?`) or start a policy variable (`$`) are refused, as are control
    /// characters and what IAM policy documents cannot hold (beyond U+00FF).
    static func normalizedPrefix(_ text: String) throws(Problem) -> String {
        if let bad = text.unicodeScalars.first(where: { "*?$".unicodeScalars.contains($0) }) {
            throw Problem("--prefix '\(text)' contains '\(bad)': it would change what the IAM policy's resource matches")
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw Problem("--prefix contains a control character")
        }
        if let bad = text.unicodeScalars.first(where: { $0.value > 0xFF }) {
            throw Problem("--prefix '\(text)' contains '\(bad)': IAM policy documents accept characters up to U+00FF only")
        }
        // The function refuses at init what ObjectPrefix refuses: check the same way here, for the
        // longest object a batch can make (DynamoDB streams hand at most 10,000 records at once).
        do throws(SinkError) {
            return try ObjectPrefix(text, longestKeySuffixBytes: ObjectNames.longestKeySuffixBytes(maxRecords: 10_000)).value
        } catch {
            throw Problem("--prefix: \(error.message)")
        }
    }

    static func checkKMSKey(_ text: String, stream: StreamARN) throws(Problem) {
        let fields = try arnFields(text, service: "kms", what: "--kms-key-arn", example: "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID")
        if fields[5].hasPrefix("alias/") {
            throw Problem("--kms-key-arn '\(text)' names an alias: give the key's ARN (arn:…:key/KEY-ID), since IAM grants on keys, not aliases")
        }
        let id = fields[5].dropFirst(4)
        guard fields[5].hasPrefix("key/"), !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw Problem("--kms-key-arn '\(text)' is not a key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)")
        }
        guard fields[1] == stream.partition, fields[3] == stream.region else {
            throw Problem(
                "--kms-key-arn '\(text)' is in \(fields[3]), the function (and its bucket) in \(stream.region): S3 encrypts only with a key of the bucket's region"
            )
        }
    }

    static func checkQueue(_ text: String, stream: StreamARN) throws(Problem) {
        let fields = try arnFields(text, service: "sqs", what: "--on-failure-queue-arn", example: "arn:aws:sqs:REGION:ACCOUNT:QUEUE")
        let name = fields[5]
        guard (1...80).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
            throw Problem("--on-failure-queue-arn '\(text)': '\(name)' is not an SQS queue name (1 to 80 of A-Z a-z 0-9 - _)")
        }
        guard !name.hasSuffix(".fifo") else {
            throw Problem("--on-failure-queue-arn '\(text)' is a FIFO queue: an event source mapping's on-failure destination must be a standard queue")
        }
        guard !name.contains(".") else {
            throw Problem("--on-failure-queue-arn '\(text)': '\(name)' is not an SQS queue name (1 to 80 of A-Z a-z 0-9 - _)")
        }
        guard fields[1] == stream.partition else {
            throw Problem("--on-failure-queue-arn '\(text)' is in partition \(fields[1]), the stream in \(stream.partition)")
        }
    }
}
