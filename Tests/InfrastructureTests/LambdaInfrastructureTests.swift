import Testing

@testable import Infrastructure

/// The Lambda deployment's inputs and documents, without running `emit-infra` (its end-to-end
/// tests are Tests/ddbcdcTests/EmitInfraTests.swift; cfn-lint runs in Tests/lambda).
@Suite struct LambdaInfrastructureTests {
    static let stream = "arn:aws-cn:dynamodb:cn-north-1:210987654321:table/fleet.devices/stream/2026-01-01T00:00:00.000"

    static func make(
        functionName: String? = nil, stream: String = stream, bucket: String = "lake-raw", prefix: String = "",
        kmsKeyARN: String? = nil, onFailureQueueARN: String? = nil, codeURI: String = "x.zip"
    ) throws(LambdaInfrastructure.Problem) -> LambdaInfrastructure {
        try LambdaInfrastructure(
            functionName: functionName, streamARN: stream, bucket: bucket, prefix: prefix, kmsKeyARN: kmsKeyARN, batchSize: 100,
            batchingWindowSeconds: 5, maxRetries: 10, maxRecordAgeSeconds: 86_400, onFailureQueueARN: onFailureQueueARN,
            memoryMB: 512, timeoutSeconds: 60, architecture: .arm64, codeURI: codeURI, logRetentionDays: 30)
    }

    @Test func aStreamARNIsTakenApart() throws {
        let arn = try LambdaInfrastructure.parseStreamARN(Self.stream)
        #expect(arn.partition == "aws-cn")
        #expect(arn.region == "cn-north-1")
        #expect(arn.account == "210987654321")
        #expect(arn.table == "fleet.devices")
        #expect(arn.label == "2026-01-01T00:00:00.000")
    }

    @Test(arguments: [
        ("arn:aws:dynamodb:eu-west-1:210987654321:table/t1x", "a table ARN is not enough"),
        ("arn:aws:dynamodb:eu-west-1:210987654321:table/t1x/index/i", "not a stream ARN"),
        ("arn:aws:dynamodb:mars-1:210987654321:table/t1x/stream/l", "not a region"),
        ("arn:aws-xx:dynamodb:eu-west-1:210987654321:table/t1x/stream/l", "partition 'aws-xx'"),
        ("arn:aws:dynamodb:eu-west-1:210987654321:table/t!/stream/l", "not a DynamoDB table name"),
        ("arn:aws:dynamodb:eu-west-1:210987654321:table/t1x/stream/", "not a stream label"),
    ])
    func aBadStreamARNSaysWhy(_ text: String, _ says: String) {
        #expect(throws: LambdaInfrastructure.Problem.self) { try LambdaInfrastructure.parseStreamARN(text) }
        do {
            _ = try LambdaInfrastructure.parseStreamARN(text)
        } catch {
            #expect(error.description.contains(says), "\(error)")
        }
    }

    @Test func theDefaultFunctionNameComesFromTheTableWithoutDots() throws {
        let infra = try Self.make()
        #expect(infra.functionName == "ddbcdc-fleet-devices")
        #expect(LambdaInfrastructure.defaultFunctionName(table: String(repeating: "t", count: 100)).count == 64)
    }

    @Test(arguments: [("", ""), ("/cdc//", "cdc"), ("cdc/fleet/", "cdc/fleet")])
    func thePrefixIsNormalizedAsTheFunctionWritesIt(_ given: String, _ normalized: String) throws {
        #expect(try Self.make(prefix: given).prefix == normalized)
    }

    @Test func theObjectsResourceIsUnderThePrefixInTheStreamsPartition() throws {
        #expect(try Self.make(prefix: "cdc").objectsARN == "arn:aws-cn:s3:::lake-raw/cdc/*")
        #expect(try Self.make().objectsARN == "arn:aws-cn:s3:::lake-raw/*")
    }

    @Test func aKeyInAnotherRegionIsRefused() {
        #expect(throws: LambdaInfrastructure.Problem.self) {
            try Self.make(kmsKeyARN: "arn:aws-cn:kms:cn-northwest-1:210987654321:key/1234abcd-12ab")
        }
    }

    @Test func theFailureQueueIsTheGivenOneOrTheTemplates() throws {
        #expect(try Self.make().failureQueueARN == "arn:aws-cn:sqs:cn-north-1:210987654321:ddbcdc-fleet-devices-failures")
        let given = "arn:aws-cn:sqs:cn-north-1:210987654321:dlq"
        #expect(try Self.make(onFailureQueueARN: given).failureQueueARN == given)
    }

    @Test func theFilesAreThePolicyTheMappingAndTheTemplate() throws {
        let infra = try Self.make()
        let files = infra.files
        #expect(files.map(\.name) == ["iam-policy.json", "event-source-mapping.json", "template.yaml", "dashboard.json"])
        #expect(files[0].contents == infra.iamPolicy.json)
        #expect(files[1].contents == infra.eventSourceMapping.json)
        #expect(files[2].contents == infra.samTemplate.yaml)
    }

    @Test func theTemplatesCodeURIIsRelativeToTheFolderItIsWrittenTo() {
        #expect(
            LambdaInfrastructure.templateCodeURI(zip: "build/lambda/f.zip", out: "infra", workingDirectory: "/work/p")
                == "../build/lambda/f.zip")
        #expect(LambdaInfrastructure.templateCodeURI(zip: "/srv/f.zip", out: "/srv/infra/x/..", workingDirectory: "/w") == "../f.zip")
        #expect(LambdaInfrastructure.templateCodeURI(zip: "s3://b/f.zip", out: "infra", workingDirectory: "/w") == "s3://b/f.zip")
        #expect(LambdaInfrastructure.defaultZip(architecture: .arm64) == "build/lambda/ddbcdc-lambda-arm64.zip")
    }

    @Test(arguments: [
        ("a/./b/../c", "/w", "/w/a/c"), ("/x/y", "/w", "/x/y"), ("../../..", "/w/v", "/"), (".", "/", "/"),
    ])
    func absolutePathsAreResolvedOnText(_ path: String, _ base: String, _ expected: String) {
        #expect(Paths.absolute(path, workingDirectory: base) == expected)
    }

    @Test func relativePathsClimbToTheCommonFolder() {
        #expect(Paths.relative(from: "/a/b/c", to: "/a/d/f.zip") == "../../d/f.zip")
        #expect(Paths.relative(from: "/a", to: "/a") == ".")
        #expect(Paths.relative(from: "/", to: "/a/f") == "a/f")
    }

    @Test func yamlStringsAreAlwaysQuotedAndEscaped() {
        let document: InfraDocument = ["Version": "2010-09-09", "Account": "012345678901", "Text": .string("a\"b\\c\u{7}")]
        #expect(document.yaml.contains(#"Version: "2010-09-09""#))
        #expect(document.yaml.contains(#"Account: "012345678901""#))
        #expect(document.yaml.contains(#"Text: "a\"b\\c\u0007""#), "\(document.yaml)")
    }
}
