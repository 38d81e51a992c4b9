/// What `emit-infra --backfill` adds to the deployment: a Step Functions state machine whose
/// Distributed Map reads an export's `manifest-files.json` (JSON Lines, one data file a line) and
/// invokes the ddbcdc function once per data file with the backfill task
/// (`{"backfill":{"export":…,"dataFile":…,"overlapSeconds":…}}`), and the IAM that takes.
///
/// The export is fixed at deploy time up to its ID: the bucket and the prefix the table is exported
/// under (ExportTableToPointInTime's `S3Bucket` and `S3Prefix`), so every grant names
/// `bucket/prefix/AWSDynamoDB/…` and an execution only says which export: `{"exportId": "…"}`.
///
/// Choices made, and why:
/// - JSONPath, not JSONata: the definition is checked by cfn-lint's state machine schema, which
///   knows JSONPath's fields; the input check is a Choice state and the paths `States.Format`.
/// - `ItemReader` with `InputType` `JSONL`: manifest-files.json is JSON Lines; each item is one
///   line's object (`dataFileS3Key`, `itemCount`, `md5Checksum`, `etag`), passed on whole.
/// - Child workflows are STANDARD: a data file can take the function's whole timeout, and a
///   failed Map Run can be redriven (only the failed files run again).
/// - `ToleratedFailurePercentage` 0: a data file that fails after its retries fails the
///   execution; the function publishes no row of a file it could not verify, so a redrive is safe.
/// - A `ResultWriter` into the export bucket, `prefix/ddbcdc-backfill/` (Step Functions adds a
///   folder per Map Run): without one, every child's result is gathered into the state's output,
///   which fails past 256 KiB (a few thousand data files); with it the output stays small and each
///   file's counts (items, rows, objects, set aside) are kept. A fixed prefix, not one computed
///   from the input, so nothing is evaluated after the work is done. Not under the sink's prefix,
///   so the function stays the only writer of what Auto Loader reads.
package struct BackfillStateMachine: Sendable {
    /// The export bucket (S3Bucket of the export).
    var bucket: String
    /// The export's S3Prefix, without leading, trailing or doubled `/`; empty: none.
    var prefix: String
    /// Data files in flight at once (the Map's MaxConcurrency).
    var concurrency: Int

    /// The overlap the task uses when the execution input gives none: DESIGN's default, 5 minutes
    /// (the same as `ddbcdc backfill --overlap`'s), written into the definition so an execution's
    /// input shows what it ran with.
    static let defaultOverlapSeconds = 300

    /// The Map state's label: part of its child executions' ARNs (`execution:<machine>/<label>:…`).
    static let mapLabel = "DataFiles"

    /// The folder, beside `AWSDynamoDB/`, where the Map Runs write their results.
    static let resultsFolder = "ddbcdc-backfill"

    /// Checks the inputs; the flags are named as `emit-infra` spells them.
    package init(bucket: String, prefix: String, concurrency: Int) throws(LambdaInfrastructure.Problem) {
        try LambdaInfrastructure.checkBucket(bucket, flag: "--export-bucket")
        self.bucket = bucket
        self.prefix = try Self.normalizedExportPrefix(prefix)
        guard (1...10_000).contains(concurrency) else {
            throw LambdaInfrastructure.Problem(
                "--backfill-concurrency must be 1 to 10000 data files at once (a Distributed Map's MaxConcurrency), not \(concurrency)")
        }
        self.concurrency = concurrency
    }

    /// `prefix/AWSDynamoDB/`, or `AWSDynamoDB/` without a prefix: where DynamoDB puts each export's folder.
    var exportsKeyPrefix: String { (prefix.isEmpty ? "" : prefix + "/") + "AWSDynamoDB/" }

    /// `prefix/ddbcdc-backfill`, or `ddbcdc-backfill` without a prefix: the ResultWriter's Prefix.
    var resultsKeyPrefix: String { (prefix.isEmpty ? "" : prefix + "/") + Self.resultsFolder }

    /// The export's S3Prefix as DynamoDB uses it. Characters that would widen an IAM resource
    /// (`*`, `?`) or start a policy variable or a definition substitution (`$`) are refused, as
    /// are control characters, what IAM documents cannot hold (beyond U+00FF) and empty segments.
    static func normalizedExportPrefix(_ text: String) throws(LambdaInfrastructure.Problem) -> String {
        typealias Problem = LambdaInfrastructure.Problem
        if let bad = text.unicodeScalars.first(where: { "*?$".unicodeScalars.contains($0) }) {
            throw Problem("--export-prefix '\(text)' contains '\(bad)': it would change what the IAM policy's resource matches")
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw Problem("--export-prefix contains a control character")
        }
        if let bad = text.unicodeScalars.first(where: { $0.value > 0xFF }) {
            throw Problem("--export-prefix '\(text)' contains '\(bad)': IAM policy documents accept characters up to U+00FF only")
        }
        var trimmed = Substring(text)
        while trimmed.first == "/" { trimmed = trimmed.dropFirst() }
        while trimmed.last == "/" { trimmed = trimmed.dropLast() }
        if trimmed.contains("//") {
            throw Problem("--export-prefix '\(text)' has an empty segment ('//'): give the S3Prefix the table was exported with")
        }
        guard trimmed.utf8.count <= 1024 else {
            throw Problem("--export-prefix is longer than the 1024 bytes an export's S3Prefix may have")
        }
        return String(trimmed)
    }
}

extension LambdaInfrastructure {
    /// The state machine's name: the function's, with `-backfill` (at most 73 of the 80 characters allowed).
    var stateMachineName: String { functionName + "-backfill" }

    /// The function's ARN, spelled out (the template names the function; it runs in the stream's region).
    var functionARN: String { "arn:\(stream.partition):lambda:\(stream.region):\(stream.account):function:\(functionName)" }

    var stateMachineARN: String { "arn:\(stream.partition):states:\(stream.region):\(stream.account):stateMachine:\(stateMachineName)" }

    /// `arn:…:s3:::bucket/prefix/AWSDynamoDB/` followed by `rest`.
    func exportObjectsARN(_ backfill: BackfillStateMachine, _ rest: String) -> String {
        "arn:\(stream.partition):s3:::\(backfill.bucket)/\(backfill.exportsKeyPrefix)\(rest)"
    }

    /// `arn:…:s3:::bucket/prefix/ddbcdc-backfill/*`: the Map Runs' results.
    func resultsARN(_ backfill: BackfillStateMachine) -> String {
        "arn:\(stream.partition):s3:::\(backfill.bucket)/\(backfill.resultsKeyPrefix)/*"
    }

    /// The function's extra statement with `--backfill`: it downloads the export's data files and
    /// reads its manifest-summary.json, so reads under `prefix/AWSDynamoDB/`, nothing else.
    func exportReadStatement(_ backfill: BackfillStateMachine) -> InfraDocument {
        [
            "Sid": "ReadTheExport", "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": .string(exportObjectsARN(backfill, "*")),
        ]
    }

    /// The state machine role's policy. `function` is the function's ARN (a string, or `Fn::GetAtt`
    /// in the template). The ExportId is the one segment not known at deploy time, hence the `*`
    /// segment in the manifest's resource.
    func backfillPolicy(_ backfill: BackfillStateMachine, function: InfraDocument) -> InfraDocument {
        let executions = "arn:\(stream.partition):states:\(stream.region):\(stream.account):execution:\(stateMachineName)/*"
        let statements: [InfraDocument] = [
            [
                "Sid": "InvokeTheFunction", "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": function,
            ],
            [
                // The Map's ItemReader reads this one object of each export.
                "Sid": "ReadTheExportsManifestOfDataFiles", "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": .string(exportObjectsARN(backfill, "*/manifest-files.json")),
            ],
            [
                // The ResultWriter's multipart upload of the Map Run's results.
                "Sid": "WriteTheMapRunResults", "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
                "Resource": .string(resultsARN(backfill)),
            ],
            [
                // A Distributed Map runs each data file as a child execution of this state machine.
                "Sid": "StartTheMapsChildExecutions", "Effect": "Allow",
                "Action": ["states:StartExecution"],
                "Resource": .string(stateMachineARN),
            ],
            [
                "Sid": "ManageTheMapsChildExecutions", "Effect": "Allow",
                "Action": ["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"],
                "Resource": .string(executions),
            ],
        ]
        return ["Version": "2012-10-17", "Statement": .array(statements)]
    }

    /// The state machine role's policy, standalone: every resource spelled out.
    package var backfillIAMPolicy: InfraDocument? {
        backfill.map { backfillPolicy($0, function: .string(functionARN)) }
    }

    /// The input an execution is started with, as the definition's comment and the docs show it.
    static let backfillInputExample = #"{"exportId": "<ExportId, the last part of the ExportArn>", "overlapSeconds": 300}"#

    /// The Amazon States Language definition; `function` is the function's ARN as written in it
    /// (the template writes `${FunctionArn}`, a DefinitionSubstitutions entry).
    func backfillDefinition(_ backfill: BackfillStateMachine, function: String) -> InfraDocument {
        let partition = stream.partition
        let lambdaErrors: [InfraDocument] = [
            "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException",
        ]
        let task: InfraDocument = [
            "Type": "Task",
            "Resource": .string("arn:\(partition):states:::lambda:invoke"),
            "Parameters": ["FunctionName": .string(function), "Payload.$": "$"],
            "OutputPath": "$.Payload",
            "Retry": [
                // Lambda's own transient errors (throttling, service faults): soon and often.
                ["ErrorEquals": .array(lambdaErrors), "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2, "JitterStrategy": "FULL"],
                // A data file that failed verification or whose objects were not all written: a few
                // more times, later (a read or a write that failed may pass; a bad file will not).
                ["ErrorEquals": ["ddbcdc.BackfillFailed"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 3, "JitterStrategy": "FULL"],
            ],
            "End": true,
        ]
        let map: InfraDocument = [
            "Type": "Map",
            "Label": .string(BackfillStateMachine.mapLabel),
            "ItemReader": [
                "Resource": .string("arn:\(partition):states:::s3:getObject"),
                "ReaderConfig": ["InputType": "JSONL"],
                "Parameters": ["Bucket": .string(backfill.bucket), "Key.$": "$.manifestFiles"],
            ],
            // The task's event: the contract of the function's backfill task.
            "ItemSelector": [
                "backfill": ["export.$": "$.export", "dataFile.$": "$$.Map.Item.Value", "overlapSeconds.$": "$.overlapSeconds"]
            ],
            "ItemProcessor": [
                "ProcessorConfig": ["Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"],
                "StartAt": "BackfillOneDataFile",
                "States": ["BackfillOneDataFile": task],
            ],
            "MaxConcurrency": .integer(backfill.concurrency),
            "ToleratedFailurePercentage": 0,
            "ResultWriter": [
                "Resource": .string("arn:\(partition):states:::s3:putObject"),
                "Parameters": ["Bucket": .string(backfill.bucket), "Prefix": .string(backfill.resultsKeyPrefix)],
            ],
            "End": true,
        ]
        let cause =
            "Start the execution with \(Self.backfillInputExample): exportId is the export's ID (a non-empty text without '/'), "
            + "the export being under s3://\(backfill.bucket)/\(backfill.exportsKeyPrefix)<ExportId>/; overlapSeconds, if given, "
            + "a number of seconds >= 0 (default \(BackfillStateMachine.defaultOverlapSeconds))."
        return [
            "Comment": .string(
                "ddbcdc backfill: invokes \(functionName) once per data file of a DynamoDB export under s3://\(backfill.bucket)/\(backfill.exportsKeyPrefix). Input: \(Self.backfillInputExample) (overlapSeconds optional)."
            ),
            "StartAt": "CheckInput",
            "States": [
                "CheckInput": [
                    "Type": "Choice",
                    // In order: a later rule may read what an earlier one proved present.
                    "Choices": [
                        ["Variable": "$.exportId", "IsPresent": false, "Next": "BadInput"],
                        ["Not": ["Variable": "$.exportId", "IsString": true], "Next": "BadInput"],
                        [
                            "Or": [["Variable": "$.exportId", "StringEquals": ""], ["Variable": "$.exportId", "StringMatches": "*/*"]],
                            "Next": "BadInput",
                        ],
                        ["Variable": "$.overlapSeconds", "IsPresent": false, "Next": "DefaultOverlap"],
                        [
                            "And": [
                                ["Variable": "$.overlapSeconds", "IsNumeric": true],
                                ["Variable": "$.overlapSeconds", "NumericGreaterThanEquals": 0],
                            ],
                            "Next": "AddTheExportsLocation",
                        ],
                    ],
                    "Default": "BadInput",
                ],
                "BadInput": ["Type": "Fail", "Error": "ddbcdc.BadInput", "Cause": .string(cause)],
                "DefaultOverlap": [
                    "Type": "Pass", "Result": .integer(BackfillStateMachine.defaultOverlapSeconds), "ResultPath": "$.overlapSeconds",
                    "Next": "AddTheExportsLocation",
                ],
                // The bucket and prefix as data, so States.Format needs no escaping of their characters.
                "AddTheExportsLocation": [
                    "Type": "Pass",
                    "Parameters": [
                        "exportId.$": "$.exportId", "overlapSeconds.$": "$.overlapSeconds",
                        "bucket": .string(backfill.bucket), "exports": .string(backfill.exportsKeyPrefix),
                    ],
                    "Next": "NameTheExportsObjects",
                ],
                "NameTheExportsObjects": [
                    "Type": "Pass",
                    "Parameters": [
                        "export.$": "States.Format('s3://{}/{}{}/', $.bucket, $.exports, $.exportId)",
                        "manifestFiles.$": "States.Format('{}{}/manifest-files.json', $.exports, $.exportId)",
                        "overlapSeconds.$": "$.overlapSeconds",
                    ],
                    "Next": "BackfillTheDataFiles",
                ],
                "BackfillTheDataFiles": map,
            ],
        ]
    }

    /// The definition standalone (`aws stepfunctions create-state-machine --definition file://…`).
    package var backfillStateMachineDefinition: InfraDocument? {
        backfill.map { backfillDefinition($0, function: functionARN) }
    }
}
