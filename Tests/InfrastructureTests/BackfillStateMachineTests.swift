import Foundation
import Testing

@testable import Infrastructure

/// `emit-infra --backfill`'s state machine and IAM, read back as JSON the way Step Functions and
/// IAM will read them (cfn-lint checks the same documents in Tests/lambda/test_emit_infra.py).
@Suite struct BackfillStateMachineTests {
    static func make(prefix: String = "exports/fleet", concurrency: Int = 10) throws -> LambdaInfrastructure {
        try LambdaInfrastructure(
            functionName: nil, streamARN: LambdaInfrastructureTests.stream, bucket: "lake-raw", prefix: "cdc", kmsKeyARN: nil,
            batchSize: 100, batchingWindowSeconds: 5, maxRetries: 10, maxRecordAgeSeconds: 86_400, onFailureQueueARN: nil,
            memoryMB: 512, timeoutSeconds: 900, architecture: .arm64, codeURI: "x.zip", logRetentionDays: 30,
            backfill: BackfillStateMachine(bucket: "lake-exports", prefix: prefix, concurrency: concurrency))
    }

    /// A document's JSON text parsed back (so what is checked is what a reader of the file gets).
    static func parsed(_ document: InfraDocument?) throws -> [String: Any] {
        let text = try #require(document).json
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func statements(_ policy: [String: Any]) throws -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for statement in try #require(policy["Statement"] as? [[String: Any]]) { result[statement["Sid"] as! String] = statement }
        return result
    }

    @Test func theMapReadsTheManifestAsJSONLinesAndInvokesTheFunctionPerDataFile() throws {
        let definition = try Self.parsed(try Self.make().backfillStateMachineDefinition)
        let states = try #require(definition["States"] as? [String: [String: Any]])
        let map = try #require(states["BackfillTheDataFiles"])
        #expect(map["Type"] as? String == "Map")
        let reader = try #require(map["ItemReader"] as? [String: Any])
        #expect(reader["Resource"] as? String == "arn:aws-cn:states:::s3:getObject", "the stream's partition")
        #expect((reader["ReaderConfig"] as? [String: String]) == ["InputType": "JSONL"])
        #expect((reader["Parameters"] as? [String: String]) == ["Bucket": "lake-exports", "Key.$": "$.manifestFiles"])
        // The task's event is the contract: {"backfill":{"export","dataFile","overlapSeconds"}}.
        let selector = try #require(map["ItemSelector"] as? [String: [String: String]])
        #expect(selector == ["backfill": ["export.$": "$.export", "dataFile.$": "$$.Map.Item.Value", "overlapSeconds.$": "$.overlapSeconds"]])
        let processor = try #require(map["ItemProcessor"] as? [String: Any])
        #expect((processor["ProcessorConfig"] as? [String: String]) == ["Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"])
        #expect(map["MaxConcurrency"] as? Int == 10)
        #expect(map["ToleratedFailurePercentage"] as? Int == 0)
        let writer = try #require(map["ResultWriter"] as? [String: Any])
        #expect((writer["Parameters"] as? [String: String]) == ["Bucket": "lake-exports", "Prefix": "exports/fleet/ddbcdc-backfill"])

        let task = try #require((processor["States"] as? [String: [String: Any]])?[processor["StartAt"] as! String])
        #expect(task["Resource"] as? String == "arn:aws-cn:states:::lambda:invoke")
        #expect(
            (task["Parameters"] as? [String: String])
                == ["FunctionName": "arn:aws-cn:lambda:cn-north-1:210987654321:function:ddbcdc-fleet-devices", "Payload.$": "$"])
        let retries = try #require(task["Retry"] as? [[String: Any]])
        let retried = retries.flatMap { $0["ErrorEquals"] as! [String] }
        #expect(retried.contains("ddbcdc.BackfillFailed"))
        #expect(retried.contains("Lambda.TooManyRequestsException") && retried.contains("Lambda.ServiceException"))
        #expect(!retried.contains("States.ALL"), "a bad file is not retried forever, and BadInput is not retried at all")
        for retry in retries {
            #expect((2...6).contains((retry["MaxAttempts"] as? NSNumber)?.intValue ?? 0), "a few attempts")
            #expect(((retry["BackoffRate"] as? NSNumber)?.doubleValue ?? 0) > 1, "with backoff")
        }
    }

    @Test func theInputNamesTheExportAndThePathsAreBuiltUnderTheExportPrefix() throws {
        let definition = try Self.parsed(try Self.make().backfillStateMachineDefinition)
        let states = try #require(definition["States"] as? [String: [String: Any]])
        #expect(definition["StartAt"] as? String == "CheckInput")
        let locate = try #require(states["AddTheExportsLocation"]?["Parameters"] as? [String: String])
        #expect(locate["bucket"] == "lake-exports" && locate["exports"] == "exports/fleet/AWSDynamoDB/")
        let paths = try #require(states["NameTheExportsObjects"]?["Parameters"] as? [String: String])
        #expect(paths["export.$"] == "States.Format('s3://{}/{}{}/', $.bucket, $.exports, $.exportId)")
        #expect(paths["manifestFiles.$"] == "States.Format('{}{}/manifest-files.json', $.exports, $.exportId)")
        #expect(states["DefaultOverlap"]?["Result"] as? Int == 300)
        #expect(states["BadInput"]?["Type"] as? String == "Fail")
        #expect(states["BadInput"]?["Error"] as? String == "ddbcdc.BadInput")
        // Every Next names a state (a typo here would be a deploy-time error).
        func nexts(_ node: Any) -> [String] {
            if let object = node as? [String: Any] {
                return ((object["Next"] as? String).map { [$0] } ?? []) + object.values.flatMap(nexts)
            }
            return (node as? [Any])?.flatMap(nexts) ?? []
        }
        let choices = try #require(states["CheckInput"]?["Choices"] as? [[String: Any]])
        for name in nexts(states) {
            #expect(states[name] != nil, "\(name)")
        }
        #expect(Set(choices.compactMap { $0["Next"] as? String }) == ["BadInput", "DefaultOverlap", "AddTheExportsLocation"])
    }

    @Test func withoutAnExportPrefixTheExportsAreAtTheBucketsTop() throws {
        let infra = try Self.make(prefix: "/")
        #expect(infra.backfill?.exportsKeyPrefix == "AWSDynamoDB/")
        let policy = try Self.statements(try Self.parsed(infra.backfillIAMPolicy))
        #expect(
            policy["ReadTheExportsManifestOfDataFiles"]?["Resource"] as? String == "arn:aws-cn:s3:::lake-exports/AWSDynamoDB/*/manifest-files.json")
        #expect(policy["WriteTheMapRunResults"]?["Resource"] as? String == "arn:aws-cn:s3:::lake-exports/ddbcdc-backfill/*")
    }

    @Test func theStateMachineRoleMayDoWhatTheMachineDoesAndNothingMore() throws {
        let infra = try Self.make()
        let statements = try Self.statements(try Self.parsed(infra.backfillIAMPolicy))
        #expect(statements["InvokeTheFunction"]?["Resource"] as? String == "arn:aws-cn:lambda:cn-north-1:210987654321:function:ddbcdc-fleet-devices")
        #expect(statements["InvokeTheFunction"]?["Action"] as? [String] == ["lambda:InvokeFunction"])
        #expect(
            statements["ReadTheExportsManifestOfDataFiles"]?["Resource"] as? String
                == "arn:aws-cn:s3:::lake-exports/exports/fleet/AWSDynamoDB/*/manifest-files.json")
        #expect(statements["ReadTheExportsManifestOfDataFiles"]?["Action"] as? [String] == ["s3:GetObject"])
        #expect(
            statements["WriteTheMapRunResults"]?["Resource"] as? String
                == "arn:aws-cn:s3:::lake-exports/exports/fleet/ddbcdc-backfill/*")
        #expect(
            statements["StartTheMapsChildExecutions"]?["Resource"] as? String
                == "arn:aws-cn:states:cn-north-1:210987654321:stateMachine:ddbcdc-fleet-devices-backfill")
        #expect(
            statements["ManageTheMapsChildExecutions"]?["Resource"] as? String
                == "arn:aws-cn:states:cn-north-1:210987654321:execution:ddbcdc-fleet-devices-backfill/*")
        let all = Array(statements.values)
        #expect(all.count == 5)
        for statement in all {
            let actions = try #require(statement["Action"] as? [String])
            let resource = try #require(statement["Resource"] as? String)
            #expect(!actions.contains { $0.contains("*") }, "no action wildcard")
            #expect(resource != "*")
            // The ExportId is the only unknown segment of an S3 key; a child execution's name the only unknown of its ARN.
            let wildcardSegments = resource.split(separator: "/", omittingEmptySubsequences: false).filter { $0.contains("*") }
            #expect(wildcardSegments.allSatisfy { $0 == "*" }, "\(resource)")
            #expect(!actions.contains { $0.hasPrefix("s3:Delete") || $0.hasPrefix("s3:List") && $0 != "s3:ListMultipartUploadParts" })
        }
        // No write into the sink: only the function writes what Auto Loader reads.
        #expect(!all.contains { ($0["Resource"] as! String).contains("lake-raw") })
    }

    @Test func theFunctionReadsTheExportOnlyWithBackfill() throws {
        let with = try Self.statements(try Self.parsed(try Self.make().iamPolicy))
        #expect(with["ReadTheExport"]?["Resource"] as? String == "arn:aws-cn:s3:::lake-exports/exports/fleet/AWSDynamoDB/*")
        #expect(with["ReadTheExport"]?["Action"] as? [String] == ["s3:GetObject"])
        let without = try Self.statements(try Self.parsed(try LambdaInfrastructureTests.make().iamPolicy))
        #expect(without["ReadTheExport"] == nil)
        #expect(!without.values.contains { ($0["Action"] as! [String]).contains("s3:GetObject") })
        #expect(try LambdaInfrastructureTests.make().backfillStateMachineDefinition == nil)
    }

    @Test func theTemplateHoldsTheMachineItsRoleAndHowToStartIt() throws {
        let template = try Self.make().samTemplate
        let machine = try #require(template["Resources"]?["BackfillStateMachine"])
        #expect(machine["Type"].flatMap(\.text) == "AWS::StepFunctions::StateMachine")
        let properties = try #require(machine["Properties"])
        #expect(properties["StateMachineType"].flatMap(\.text) == "STANDARD")
        #expect(properties["StateMachineName"].flatMap(\.text) == "ddbcdc-fleet-devices-backfill")
        // The definition in the template is the standalone one, but for the function's ARN (a substitution).
        let definition = try #require(properties["Definition"]).json
        let standalone = try #require(try Self.make().backfillStateMachineDefinition).json
        #expect(definition.contains(#""FunctionName": "${FunctionArn}""#))
        #expect(
            definition.replacingOccurrences(of: "${FunctionArn}", with: "arn:aws-cn:lambda:cn-north-1:210987654321:function:ddbcdc-fleet-devices")
                == standalone)
        #expect(properties["DefinitionSubstitutions"]?["FunctionArn"]?.json == InfraDocument.getAtt("Function", "Arn").json)
        let role = try #require(template["Resources"]?["BackfillRole"]?["Properties"])
        #expect(role["AssumeRolePolicyDocument"]?.json.contains("states.amazonaws.com") == true)
        let output = try #require(template["Outputs"]?["BackfillStateMachineArn"]?["Description"].flatMap(\.text))
        #expect(output.contains("start-execution") && output.contains("exportId"))
        let files = try Self.make().files.map(\.name)
        #expect(files == ["iam-policy.json", "event-source-mapping.json", "template.yaml", "dashboard.json", "backfill-state-machine.asl.json", "backfill-iam-policy.json"])
    }

    @Test(arguments: [
        ("Exports", "", 10, "--export-bucket 'Exports'"),
        ("lake-exports", "e/*", 10, "'*'"),
        ("lake-exports", "e/${aws:username}", 10, "'$'"),
        ("lake-exports", "e//f", 10, "empty segment"),
        ("lake-exports", "", 0, "--backfill-concurrency"),
        ("lake-exports", "", 10_001, "--backfill-concurrency"),
    ])
    func badBackfillInputSaysWhich(_ bucket: String, _ prefix: String, _ concurrency: Int, _ says: String) {
        do {
            _ = try BackfillStateMachine(bucket: bucket, prefix: prefix, concurrency: concurrency)
            Issue.record("accepted \(bucket) \(prefix) \(concurrency)")
        } catch {
            #expect(error.description.contains(says), "\(error)")
        }
    }
}

extension InfraDocument {
    /// The text of a string value.
    fileprivate var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
