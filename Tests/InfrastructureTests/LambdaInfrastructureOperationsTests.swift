import Pipeline
import Testing

@testable import Infrastructure

/// `emit-infra`'s go-live settings (bucket, alarms, dashboard, parallelism): their checks and the
/// documents' shape. cfn-lint, the emulator's EMF line and moto judge the same documents in
/// Tests/lambda/test_operations.py.
@Suite struct LambdaInfrastructureOperationsTests {
    static let stream = "arn:aws:dynamodb:eu-west-1:210987654321:table/fleet-devices/stream/2026-01-01T00:00:00.000"
    static let key = "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    static func make(
        prefix: String = "", kmsKeyARN: String? = nil, onFailureQueueARN: String? = nil, _ change: (inout LambdaInfrastructure.Operations) -> Void = { _ in }
    ) throws(LambdaInfrastructure.Problem) -> LambdaInfrastructure {
        var operations = LambdaInfrastructure.Operations()
        change(&operations)
        return try LambdaInfrastructure(
            functionName: "fleet-cdc", streamARN: stream, bucket: "lake-raw", prefix: prefix, kmsKeyARN: kmsKeyARN, batchSize: 100,
            batchingWindowSeconds: 5, maxRetries: 10, maxRecordAgeSeconds: 86_400, onFailureQueueARN: onFailureQueueARN, memoryMB: 512,
            timeoutSeconds: 60, architecture: .arm64, codeURI: "x.zip", logRetentionDays: 30, operations: operations)
    }

    static func problem(_ change: @escaping (inout LambdaInfrastructure.Operations) -> Void) -> String? {
        do {
            _ = try make(change)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        ("errors-expire-days without a bucket", "--errors-expire-days needs --create-bucket"),
        ("errors-expire-days 0", "--errors-expire-days must be"),
        ("versioning without a bucket", "--bucket-versioning needs --create-bucket"),
        ("iterator age 0", "--iterator-age-alarm-minutes must be 1 to 1440"),
        ("iterator age 1441", "--iterator-age-alarm-minutes must be 1 to 1440"),
        ("parallelization 0", "--parallelization-factor must be 1 to 10"),
        ("parallelization 11", "--parallelization-factor must be 1 to 10"),
        ("email and topic", "--alarm-email and --alarm-topic-arn exclude each other"),
        ("email without @", "--alarm-email 'oncall.example.com' is not an email address"),
        ("email with two @", "--alarm-email 'a@b@example.com' is not an email address"),
        ("two addresses", "--alarm-email 'a@example.com,b@example.com' is not an email address"),
        ("topic of another region", "CloudWatch alarms notify topics of their own region only"),
        ("a queue for a topic", "--alarm-topic-arn 'arn:aws:sqs:eu-west-1:210987654321:q' is not an ARN of the form"),
    ])
    func aBadSettingIsAProblemNamingTheOption(_ what: String, _ says: String) {
        let change: (inout LambdaInfrastructure.Operations) -> Void =
            switch what {
            case "errors-expire-days without a bucket": { $0.errorsExpireDays = 7 }
            case "errors-expire-days 0": { $0.createBucket = true; $0.errorsExpireDays = 0 }
            case "versioning without a bucket": { $0.bucketVersioning = true }
            case "iterator age 0": { $0.iteratorAgeAlarmMinutes = 0 }
            case "iterator age 1441": { $0.iteratorAgeAlarmMinutes = 1441 }
            case "parallelization 0": { $0.parallelizationFactor = 0 }
            case "parallelization 11": { $0.parallelizationFactor = 11 }
            case "email and topic": { $0.alarmEmail = "oncall@example.com"; $0.alarmTopicARN = "arn:aws:sns:eu-west-1:210987654321:t" }
            case "email without @": { $0.alarmEmail = "oncall.example.com" }
            case "email with two @": { $0.alarmEmail = "a@b@example.com" }
            case "two addresses": { $0.alarmEmail = "a@example.com,b@example.com" }
            case "topic of another region": { $0.alarmTopicARN = "arn:aws:sns:us-east-1:210987654321:t" }
            default: { $0.alarmTopicARN = "arn:aws:sqs:eu-west-1:210987654321:q" }
            }
        let description = Self.problem(change)
        #expect(description?.contains(says) == true, "\(what): \(description ?? "accepted")")
    }

    @Test(arguments: [1, 10])
    func theParallelizationFactorsEdgesAreAcceptedAndReachTheMapping(_ factor: Int) throws {
        let infra = try Self.make { $0.parallelizationFactor = factor }
        #expect(infra.eventSourceMapping["ParallelizationFactor"].flatMap(Self.integer) == factor)
        let event = infra.samTemplate["Resources"]?["Function"]?["Properties"]?["Events"]?["TableStream"]?["Properties"]
        #expect(event?["ParallelizationFactor"].flatMap(Self.integer) == factor)
    }

    @Test func theIteratorAgeAlarmsThresholdIsTheMinutesInMilliseconds() throws {
        #expect(Self.problem { $0.iteratorAgeAlarmMinutes = 1440 } == nil)
        let alarm = try Self.make { $0.iteratorAgeAlarmMinutes = 20 }.samTemplate["Resources"]?["IteratorAgeAlarm"]?["Properties"]
        #expect(alarm?["Threshold"].flatMap(Self.integer) == 1_200_000)
        #expect(alarm?["MetricName"].flatMap(Self.string) == "IteratorAge")
        #expect(alarm?["Namespace"].flatMap(Self.string) == "AWS/Lambda")
    }

    @Test func withoutCreateBucketThereIsNoBucket() throws {
        let resources = try Self.make().samTemplate["Resources"]
        #expect(resources?["Bucket"] == nil && resources?["BucketPolicy"] == nil)
    }

    @Test func theBucketIsEncryptedWithTheKeyOrSSES3() throws {
        func algorithm(_ infra: LambdaInfrastructure) -> (String?, String?) {
            let rule = Self.items(infra.samTemplate["Resources"]?["Bucket"]?["Properties"]?["BucketEncryption"]?["ServerSideEncryptionConfiguration"]).first
            let defaults = rule?["ServerSideEncryptionByDefault"]
            return (defaults?["SSEAlgorithm"].flatMap(Self.string), defaults?["KMSMasterKeyID"].flatMap(Self.string))
        }
        let s3 = algorithm(try Self.make { $0.createBucket = true })
        #expect(s3.0 == "AES256" && s3.1 == nil)
        let kms = algorithm(try Self.make(kmsKeyARN: Self.key) { $0.createBucket = true })
        #expect(kms.0 == "aws:kms" && kms.1 == Self.key)
    }

    @Test func theLifecycleAbortsUploadsAndExpiresSetAsideRecordsUnderThePrefix() throws {
        func rules(_ infra: LambdaInfrastructure) -> [String: InfraDocument] {
            let list = Self.items(infra.samTemplate["Resources"]?["Bucket"]?["Properties"]?["LifecycleConfiguration"]?["Rules"])
            return Dictionary(uniqueKeysWithValues: list.map { ($0["Id"].flatMap(Self.string) ?? "", $0) })
        }
        let kept = rules(try Self.make(prefix: "cdc/fleet/") { $0.createBucket = true })
        #expect(Set(kept.keys) == ["AbortIncompleteMultipartUploads"])
        #expect(kept["AbortIncompleteMultipartUploads"]?["AbortIncompleteMultipartUpload"]?["DaysAfterInitiation"].flatMap(Self.integer) == 1)
        let expiring = rules(try Self.make(prefix: "cdc/fleet/") { $0.createBucket = true; $0.errorsExpireDays = 30 })
        #expect(expiring["ExpireSetAsideRecords"]?["Prefix"].flatMap(Self.string) == "cdc/fleet/_errors/")
        #expect(expiring["ExpireSetAsideRecords"]?["ExpirationInDays"].flatMap(Self.integer) == 30)
        #expect(rules(try Self.make { $0.createBucket = true; $0.errorsExpireDays = 1 })["ExpireSetAsideRecords"]?["Prefix"].flatMap(Self.string) == "_errors/")
    }

    @Test func versioningIsOffUnlessAskedAndTheTemplateSaysWhy() throws {
        let off = try Self.make { $0.createBucket = true }.samTemplate["Resources"]?["Bucket"]
        #expect(off?["Properties"]?["VersioningConfiguration"] == nil)
        #expect(off?["Metadata"]?["Versioning"].flatMap(Self.string)?.contains("identical bytes") == true)
        let on = try Self.make { $0.createBucket = true; $0.bucketVersioning = true }.samTemplate["Resources"]?["Bucket"]
        #expect(on?["Properties"]?["VersioningConfiguration"]?["Status"].flatMap(Self.string) == "Enabled")
    }

    @Test func theQueuePolicyComesWithTheQueueItCreates() throws {
        #expect(try Self.make().samTemplate["Resources"]?["FailureQueuePolicy"] != nil)
        let given = try Self.make(onFailureQueueARN: "arn:aws:sqs:eu-west-1:210987654321:cdc-dlq").samTemplate["Resources"]
        #expect(given?["FailureQueuePolicy"] == nil)
        let dimension = Self.items(given?["FailureQueueDepthAlarm"]?["Properties"]?["Dimensions"]).first
        #expect(dimension?["Value"].flatMap(Self.string) == "cdc-dlq", "the depth alarm watches the given queue")
    }

    @Test func theSetAsideAlarmWatchesTheFunctionsOwnMetric() throws {
        let alarm = try Self.make().samTemplate["Resources"]?["SetAsideAlarm"]?["Properties"]
        #expect(alarm?["Namespace"].flatMap(Self.string) == FunctionMetric.namespace)
        #expect(alarm?["MetricName"].flatMap(Self.string) == FunctionMetric.setAside.rawValue)
        let dimension = Self.items(alarm?["Dimensions"]).first
        #expect(dimension?["Name"].flatMap(Self.string) == FunctionMetric.dimension && dimension?["Value"].flatMap(Self.string) == "fleet-cdc")
    }

    @Test(arguments: [
        ("none", nil as String?), ("email", "AlarmTopic"), ("topic", "arn:aws:sns:eu-west-1:210987654321:ops"),
    ])
    func theAlarmsNotifyTheTopicAsked(_ kind: String, _ target: String?) throws {
        let infra = try Self.make {
            if kind == "email" { $0.alarmEmail = "oncall@example.com" }
            if kind == "topic" { $0.alarmTopicARN = "arn:aws:sns:eu-west-1:210987654321:ops" }
        }
        let resources = infra.samTemplate["Resources"]
        #expect((resources?["AlarmTopic"] != nil) == (kind == "email"))
        for name in ["FailureQueueDepthAlarm", "IteratorAgeAlarm", "FunctionErrorsAlarm", "FunctionThrottlesAlarm", "SetAsideAlarm"] {
            let action = Self.items(resources?[name]?["Properties"]?["AlarmActions"]).first
            let named = action.flatMap { $0["Ref"].flatMap(Self.string) ?? Self.string($0) }
            #expect(named == target, "\(name)")
        }
    }

    @Test func theDashboardShowsEveryMetricTheFunctionPublishes() throws {
        let infra = try Self.make()
        var shown: Set<String> = []
        for widget in Self.items(infra.dashboardBody["widgets"]) {
            #expect(widget["properties"]?["region"].flatMap(Self.string) == "eu-west-1")
            for row in Self.items(widget["properties"]?["metrics"]) {
                let parts = Self.items(row).compactMap(Self.string)
                if parts.first == FunctionMetric.namespace {
                    #expect(parts[2] == FunctionMetric.dimension && parts[3] == "fleet-cdc")
                    shown.insert(parts[1])
                }
            }
        }
        #expect(shown == Set(FunctionMetric.allCases.map(\.rawValue)))
        let resource = infra.samTemplate["Resources"]?["Dashboard"]?["Properties"]
        #expect(resource?["DashboardBody"].flatMap(Self.string) == infra.dashboardBody.json)
    }

    // MARK: reading documents

    static func string(_ document: InfraDocument) -> String? {
        if case .string(let text) = document { return text }
        return nil
    }

    static func integer(_ document: InfraDocument) -> Int? {
        if case .integer(let value) = document { return value }
        return nil
    }

    static func items(_ document: InfraDocument?) -> [InfraDocument] {
        if case .array(let items)? = document { return items }
        return []
    }
}
