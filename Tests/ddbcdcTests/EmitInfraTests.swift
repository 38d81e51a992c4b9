import Foundation
import Testing

/// `ddbcdc emit-infra` end to end: the three files it writes, read back as JSON (and the YAML
/// template's essentials), and the inputs it refuses. cfn-lint checks the template in
/// Tests/lambda/test_emit_infra.py.
@Suite struct EmitInfraTests {
    static let stream = "arn:aws:dynamodb:eu-west-1:210987654321:table/fleet-devices/stream/2026-01-01T00:00:00.000"
    static let key = "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    static let queue = "arn:aws:sqs:eu-west-1:210987654321:cdc-dlq"

    struct Emitted {
        var policy: [String: Any]
        var mapping: [String: Any]
        var template: String
        var outcome: CommandRunner.Outcome

        /// The policy's statements by Sid.
        var statements: [String: [String: Any]] {
            var result: [String: [String: Any]] = [:]
            for statement in policy["Statement"] as! [[String: Any]] { result[statement["Sid"] as! String] = statement }
            return result
        }

        /// Every Resource of every statement.
        var resources: [String] {
            (policy["Statement"] as! [[String: Any]]).flatMap { statement -> [String] in
                if let one = statement["Resource"] as? String { return [one] }
                return statement["Resource"] as! [String]
            }
        }

        var actions: [String] {
            (policy["Statement"] as! [[String: Any]]).flatMap { statement -> [String] in
                if let one = statement["Action"] as? String { return [one] }
                return statement["Action"] as! [String]
            }
        }
    }

    static func emit(_ extra: [String]) throws -> Emitted {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("infra")
        let outcome = try CommandRunner.run(["emit-infra", "--stream-arn", stream, "--bucket", "lake-raw", "--out", out.path] + extra)
        try #require(outcome.status == 0, "\(outcome.stderr)")
        func json(_ name: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(name))) as! [String: Any]
        }
        return Emitted(
            policy: try json("iam-policy.json"), mapping: try json("event-source-mapping.json"),
            template: try String(contentsOf: out.appendingPathComponent("template.yaml"), encoding: .utf8), outcome: outcome)
    }

    @Test func thePolicyNamesTheStreamThePrefixAndNothingElse() throws {
        let emitted = try Self.emit(["--prefix", "/cdc/fleet/", "--function-name", "fleet-cdc"])
        let statements = emitted.statements
        let stream = try #require(statements["ReadTheTableStream"])
        #expect(stream["Resource"] as? String == Self.stream)
        #expect(
            Set(stream["Action"] as! [String])
                == ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"])
        let objects = try #require(statements["WriteObjectsUnderThePrefix"])
        #expect(objects["Resource"] as? String == "arn:aws:s3:::lake-raw/cdc/fleet/*", "the prefix normalized as the function writes it")
        #expect(Set(objects["Action"] as! [String]) == ["s3:PutObject", "s3:AbortMultipartUpload"])
        #expect(statements["ReportFailedBatches"]?["Resource"] as? String == "arn:aws:sqs:eu-west-1:210987654321:fleet-cdc-failures")
        #expect(
            statements["WriteTheFunctionLogs"]?["Resource"] as? String
                == "arn:aws:logs:eu-west-1:210987654321:log-group:/aws/lambda/fleet-cdc:*")
        #expect(statements["EncryptObjectsWithTheKey"] == nil, "no KMS grant without --kms-key-arn")
        #expect(!emitted.resources.contains { $0.contains("*") && !$0.hasSuffix("/*") && !$0.hasSuffix(":*") })
        #expect(!emitted.resources.contains("*"))
        #expect(!emitted.actions.contains { $0.hasSuffix("*") }, "no action wildcards")
        #expect(!emitted.actions.contains { $0.hasPrefix("s3:Get") || $0.hasPrefix("s3:List") || $0.hasPrefix("s3:Delete") })
        #expect(statements.values.allSatisfy { $0["Effect"] as? String == "Allow" })
        #expect(emitted.policy["Version"] as? String == "2012-10-17")
    }

    @Test func kmsIsGrantedOnTheKeyOnlyWhenGiven() throws {
        let emitted = try Self.emit(["--kms-key-arn", Self.key])
        let kms = try #require(emitted.statements["EncryptObjectsWithTheKey"])
        #expect(kms["Resource"] as? String == Self.key)
        #expect(Set(kms["Action"] as! [String]) == ["kms:GenerateDataKey", "kms:Encrypt"])
        let condition = kms["Condition"] as? [String: [String: String]]
        #expect(condition?["StringEquals"]?["kms:ViaService"] == "s3.eu-west-1.amazonaws.com")
        #expect(emitted.template.contains(#"DDBCDC_SSE: "aws:kms""#))
        #expect(emitted.template.contains(#"DDBCDC_SSE_KMS_KEY_ID: "\#(Self.key)""#))
        // Without a prefix the grant covers the bucket's keys (what the function writes), still no bucket-level actions.
        #expect(emitted.statements["WriteObjectsUnderThePrefix"]?["Resource"] as? String == "arn:aws:s3:::lake-raw/*")
    }

    @Test func theMappingCarriesTheRetrySettings() throws {
        let defaults = try Self.emit([]).mapping
        #expect(defaults["FunctionName"] as? String == "ddbcdc-fleet-devices")
        #expect(defaults["EventSourceArn"] as? String == Self.stream)
        #expect(defaults["FunctionResponseTypes"] as? [String] == ["ReportBatchItemFailures"])
        #expect(defaults["BisectBatchOnFunctionError"] as? Bool == true)
        #expect(defaults["StartingPosition"] as? String == "TRIM_HORIZON")
        #expect(defaults["BatchSize"] as? Int == 100)
        #expect(defaults["MaximumBatchingWindowInSeconds"] as? Int == 5)
        #expect(defaults["MaximumRetryAttempts"] as? Int == 10)
        #expect(defaults["MaximumRecordAgeInSeconds"] as? Int == 86400)
        let destination = (defaults["DestinationConfig"] as? [String: [String: String]])?["OnFailure"]?["Destination"]
        #expect(destination == "arn:aws:sqs:eu-west-1:210987654321:ddbcdc-fleet-devices-failures")

        let given = try Self.emit([
            "--batch-size", "500", "--batching-window", "0", "--max-retries", "-1", "--max-record-age", "3600",
            "--on-failure-queue-arn", Self.queue,
        ])
        #expect(given.mapping["BatchSize"] as? Int == 500)
        #expect(given.mapping["MaximumBatchingWindowInSeconds"] as? Int == 0)
        #expect(given.mapping["MaximumRetryAttempts"] as? Int == -1)
        #expect(given.mapping["MaximumRecordAgeInSeconds"] as? Int == 3600)
        #expect((given.mapping["DestinationConfig"] as? [String: [String: String]])?["OnFailure"]?["Destination"] == Self.queue)
        #expect(given.statements["ReportFailedBatches"]?["Resource"] as? String == Self.queue)
        #expect(!given.template.contains("AWS::SQS::Queue"), "an existing queue is used, none created")
    }

    @Test func theTemplateIsAServerlessFunctionWithItsOwnRole() throws {
        let template = try Self.emit(["--memory", "1024", "--timeout", "120", "--architecture", "arm64"]).template
        for line in [
            #"Transform: "AWS::Serverless-2016-10-31""#, #"Type: "AWS::Serverless::Function""#, #"Runtime: "provided.al2023""#,
            #"Handler: "bootstrap""#, "MemorySize: 1024", "Timeout: 120", #"- "arm64""#, #"S3_BUCKET: "lake-raw""#,
            #"Type: "DynamoDB""#, #"StartingPosition: "TRIM_HORIZON""#, "BisectBatchOnFunctionError: true",
            #"- "ReportBatchItemFailures""#, #"Type: "AWS::SQS::Queue""#, #"Type: "AWS::IAM::Role""#,
            #"Stream: "\#(Self.stream)""#, "ddbcdc-lambda-arm64.zip",
        ] {
            #expect(template.contains(line), "template.yaml lacks \(line)")
        }
        // Its own role: a role SAM generated would get AWSLambdaDynamoDBExecutionRole (streams and logs on "*").
        #expect(template.contains("Role:"))
        #expect(!template.contains("Policies:\n        - AWSLambda"))
        // No wildcard resource or action; a "*" principal only in the failure queue's Deny (checked in Tests/lambda/test_operations.py).
        #expect(!template.contains(#"Resource: "*""#) && !template.contains(#"Action: "*""#) && !template.contains(#"- "*""#))
        #expect(template.components(separatedBy: #"Principal: "*""#).count == 2)
    }

    @Test func parquetsSettingsBecomeTheFunctionsEnvironment() throws {
        let template = try Self.emit(["--format", "parquet", "--parquet-compression", "gzip", "--parquet-gzip-level", "7"]).template
        for expected in [#"DDBCDC_FORMAT: "parquet""#, #"DDBCDC_PARQUET_COMPRESSION: "gzip""#, #"DDBCDC_PARQUET_GZIP_LEVEL: "7""#] {
            #expect(template.contains(expected), "\(expected)")
        }
        #expect(try !Self.emit(["--format", "parquet", "--parquet-compression", "gzip"]).template.contains("DDBCDC_PARQUET_GZIP_LEVEL"))
        let zstd = try Self.emit(["--format", "parquet", "--parquet-compression", "zstd", "--parquet-zstd-level", "9"]).template
        #expect(zstd.contains(#"DDBCDC_PARQUET_ZSTD_LEVEL: "9""#) && !zstd.contains("DDBCDC_PARQUET_GZIP_LEVEL"))
    }

    @Test func valuesAreQuotedAndEscaped() throws {
        let emitted = try Self.emit(["--prefix", #"a "quoted" \ prefix/ünï #: {x}"#])
        #expect(emitted.statements["WriteObjectsUnderThePrefix"]?["Resource"] as? String == #"arn:aws:s3:::lake-raw/a "quoted" \ prefix/ünï #: {x}/*"#)
        #expect(emitted.template.contains(#"S3_PREFIX: "a \"quoted\" \\ prefix/ünï #: {x}""#))
    }

    @Test(arguments: [
        (["--stream-arn", "arn:aws:dynamodb:eu-west-1:210987654321:table/fleet-devices"], "stream"),
        (["--stream-arn", "arn:aws:dynamodb:eu-west-1:210987654321:table/*/stream/*"], "wildcard"),
        (["--stream-arn", "arn:aws:dynamodb:eu-west-1:2109876543:table/t1x/stream/2026"], "12-digit account"),
        (["--stream-arn", "arn:aws:kinesis:eu-west-1:210987654321:stream/x"], "not an ARN of the form"),
        (["--bucket", "Lake_Raw"], "lowercase"),
        (["--bucket", "s3://lake-raw/cdc"], "prefix goes in --prefix"),
        (["--bucket", "192.168.5.4"], "IP address"),
        (["--bucket", "ab"], "3 to 63"),
        (["--prefix", "cdc/*"], "'*'"),
        (["--prefix", "cdc/${aws:username}"], "'$'"),
        // What the function itself would refuse at init (S3Sink's ObjectPrefix).
        (["--prefix", "cdc/../other"], "'..'"),
        (["--prefix", "cdc//orders"], "empty segment"),
        (["--prefix", String(repeating: "p/", count: 450)], "1024"),
        (["--kms-key-arn", "arn:aws:kms:eu-west-1:210987654321:alias/cdc"], "alias"),
        (["--kms-key-arn", "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"], "region"),
        (["--on-failure-queue-arn", "arn:aws:sqs:eu-west-1:210987654321:dlq.fifo"], "FIFO"),
        (["--on-failure-queue-arn", "arn:aws:sns:eu-west-1:210987654321:topic"], "not an ARN of the form"),
        (["--batch-size", "0"], "--batch-size"),
        (["--batching-window", "301"], "--batching-window"),
        (["--max-retries", "-2"], "--max-retries"),
        (["--max-record-age", "59"], "--max-record-age"),
        (["--memory", "64"], "--memory"),
        (["--timeout", "901"], "--timeout"),
        (["--architecture", "ppc64le"], "architecture"),
        (["--function-name", "fleet.cdc"], "--function-name"),
        (["--log-retention-days", "2"], "--log-retention-days"),
        (["--maximum-batching-window-seconds", "301"], "--maximum-batching-window-seconds (--batching-window) must be seconds (0 to 300)"),
        (["--parallelization-factor", "11"], "--parallelization-factor must be 1 to 10"),
        (["--errors-expire-days", "30"], "--errors-expire-days needs --create-bucket"),
        (["--iterator-age-alarm-minutes", "0"], "--iterator-age-alarm-minutes must be 1 to 1440"),
        (["--alarm-email", "oncall"], "--alarm-email 'oncall' is not an email address"),
        (["--alarm-topic-arn", "arn:aws:sns:us-east-1:210987654321:ops"], "their own region only"),
        (["--parquet-gzip-level", "3"], "--parquet-compression, --parquet-gzip-level and --parquet-zstd-level need --format parquet"),
        (["--parquet-zstd-level", "3"], "--parquet-compression, --parquet-gzip-level and --parquet-zstd-level need --format parquet"),
        (["--format", "parquet", "--parquet-compression", "gzip", "--parquet-zstd-level", "3"], "--parquet-zstd-level needs --parquet-compression zstd"),
        (["--format", "parquet", "--parquet-compression", "zstd", "--parquet-zstd-level", "0"], "--parquet-zstd-level must be 1 to 22, not 0"),
        (["--format", "parquet", "--parquet-gzip-level", "3"], "--parquet-gzip-level needs --parquet-compression gzip"),
        (["--format", "parquet", "--parquet-compression", "gzip", "--parquet-gzip-level", "13"], "--parquet-gzip-level must be 0 to 12, not 13"),
    ])
    func badInputIsAUsageErrorThatSaysWhy(arguments: [String], says: String) throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var base = ["--stream-arn": Self.stream, "--bucket": "lake-raw"]
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            if base[arguments[index]] != nil { base[arguments[index]] = arguments[index + 1] } else { rest += [arguments[index], arguments[index + 1]] }
            index += 2
        }
        let outcome = try CommandRunner.run(
            ["emit-infra", "--stream-arn", base["--stream-arn"]!, "--bucket", base["--bucket"]!, "--out", dir.appendingPathComponent("o").path] + rest)
        #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains(says), "\(arguments): \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path), "nothing written")
    }
}

/// `emit-infra --backfill` on the command line: its settings, and the two files it adds.
@Suite struct EmitInfraBackfillTests {
    @Test(arguments: [
        (["--export-bucket", "lake-exports"], "--export-bucket is a setting of --backfill"),
        (["--backfill-concurrency", "5"], "--backfill-concurrency is a setting of --backfill"),
        (["--backfill"], "--backfill needs --export-bucket"),
        (["--backfill", "--export-bucket", "lake-exports", "--backfill-concurrency", "0"], "--backfill-concurrency must be"),
        (["--backfill", "--export-bucket", "s3://lake-exports/x"], "the prefix goes in --export-prefix"),
        (["--backfill", "--export-bucket", "lake-exports", "--export-prefix", "e/*"], "--export-prefix 'e/*' contains '*'"),
    ])
    func backfillSettingsAreUsageErrors(arguments: [String], says: String) throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o")
        let outcome = try CommandRunner.run(
            ["emit-infra", "--stream-arn", EmitInfraTests.stream, "--bucket", "lake-raw", "--out", out.path] + arguments)
        #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains(says), "\(arguments): \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing written")
    }

    @Test func backfillAddsTheDefinitionAndTheRolesPolicy() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o")
        let outcome = try CommandRunner.run(
            ["emit-infra", "--stream-arn", EmitInfraTests.stream, "--bucket", "lake-raw", "--out", out.path, "--backfill", "--export-bucket",
             "lake-exports", "--backfill-concurrency", "25"])
        try #require(outcome.status == 0, "\(outcome.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["backfill-iam-policy.json", "backfill-state-machine.asl.json", "dashboard.json", "event-source-mapping.json", "iam-policy.json", "template.yaml"])
        let definition = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("backfill-state-machine.asl.json")))
        let map = ((definition as? [String: Any])?["States"] as? [String: Any])?["BackfillTheDataFiles"] as? [String: Any]
        #expect(map?["MaxConcurrency"] as? Int == 25)
    }
}
