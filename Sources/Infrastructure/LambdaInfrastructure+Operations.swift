import Pipeline
import SparkPlan

extension LambdaInfrastructure {
    /// The go-live resources `emit-infra` adds around the function: the bucket (when it creates
    /// it), the failure queue's policy, the alarms and their topic, the dashboard; and how many
    /// batches of a shard Lambda runs at once.
    package struct Operations: Sendable {
        /// `--create-bucket`: the template creates `--bucket` (encrypted, private, TLS-only, with lifecycle rules).
        package var createBucket = false
        /// `--bucket-versioning`: keep old versions of objects (off by default: objects are immutable).
        package var bucketVersioning = false
        /// `--errors-expire-days`: records set aside under `<prefix>/_errors/` expire after this many days.
        package var errorsExpireDays: Int?
        /// `--iterator-age-alarm-minutes`: the stream's age alarm's threshold.
        package var iteratorAgeAlarmMinutes = 15
        /// `--alarm-email`: the template creates an SNS topic with this address subscribed.
        package var alarmEmail: String?
        /// `--alarm-topic-arn`: an existing SNS topic the alarms notify.
        package var alarmTopicARN: String?
        /// `--parallelization-factor`: concurrent batches per shard (ParallelizationFactor, 1–10).
        package var parallelizationFactor = 1

        /// Nothing beyond the function, its queue, the alarms (without a topic) and the dashboard.
        package init() {}

        /// Checks each setting and the ones that go together; the stream tells the region and partition.
        func check(stream: StreamARN) throws(Problem) {
            if let errorsExpireDays {
                guard createBucket else {
                    throw Problem("--errors-expire-days needs --create-bucket: ddbcdc sets lifecycle rules only on a bucket its template creates")
                }
                guard (1...36_500).contains(errorsExpireDays) else {
                    throw Problem("--errors-expire-days must be a whole number of days from 1 to 36500, not \(errorsExpireDays)")
                }
            }
            if bucketVersioning, !createBucket {
                throw Problem("--bucket-versioning needs --create-bucket: ddbcdc sets versioning only on a bucket its template creates")
            }
            // A stream keeps a record 24 hours: an age above that never happens, the record is gone.
            guard (1...1_440).contains(iteratorAgeAlarmMinutes) else {
                throw Problem(
                    "--iterator-age-alarm-minutes must be 1 to 1440 (a stream keeps records 24 hours), not \(iteratorAgeAlarmMinutes)")
            }
            guard (1...10).contains(parallelizationFactor) else {
                throw Problem("--parallelization-factor must be 1 to 10 concurrent batches per shard, not \(parallelizationFactor)")
            }
            if alarmEmail != nil, alarmTopicARN != nil {
                throw Problem("--alarm-email and --alarm-topic-arn exclude each other: the first creates a topic, the second names one")
            }
            if let alarmEmail { try Self.checkEmail(alarmEmail) }
            if let alarmTopicARN { try Self.checkTopic(alarmTopicARN, stream: stream) }
        }

        /// An address SNS's email protocol can take (the shape the job's notification addresses are checked for too).
        static func checkEmail(_ text: String) throws(Problem) {
            guard PlanConfig.isEmailAddress(text) else { throw Problem("--alarm-email '\(text)' is not an email address (name@example.com)") }
        }

        /// An SNS topic of the stream's region: CloudWatch alarms notify topics of their own region only.
        static func checkTopic(_ text: String, stream: StreamARN) throws(Problem) {
            let fields = try LambdaInfrastructure.arnFields(text, service: "sns", what: "--alarm-topic-arn", example: "arn:aws:sns:REGION:ACCOUNT:TOPIC")
            let name = fields[5]
            guard (1...256).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                !name.contains(":")
            else {
                throw Problem("--alarm-topic-arn '\(text)': '\(name)' is not an SNS topic name (1 to 256 of A-Z a-z 0-9 - _)")
            }
            guard fields[1] == stream.partition, fields[3] == stream.region else {
                throw Problem("--alarm-topic-arn '\(text)' is in \(fields[3]), the alarms in \(stream.region): CloudWatch alarms notify topics of their own region only")
            }
        }
    }

    // MARK: the bucket

    /// Why versioning is off unless asked for: said in the template (the bucket's Metadata) and in docs/operations.md.
    static let versioningReason =
        "Off by default: every object is written once under a deterministic name and never changed, and a replayed batch rewrites the same key with identical bytes, so old versions would only be paid-for copies. --bucket-versioning turns it on (old versions then expire after 30 days)."

    /// The bucket's ARN, from the stack (only with `--create-bucket`).
    private var bucketARN: InfraDocument { .getAtt("Bucket", "Arn") }

    /// With `--create-bucket`: the bucket and its TLS-only policy.
    var bucketResources: [(key: String, value: InfraDocument)] {
        guard operations.createBucket else { return [] }
        let encryption: InfraDocument =
            if let kmsKeyARN {
                // The S3 Bucket Key cuts KMS requests (and their cost) to about one per object batch.
                ["ServerSideEncryptionByDefault": ["SSEAlgorithm": "aws:kms", "KMSMasterKeyID": .string(kmsKeyARN)], "BucketKeyEnabled": true]
            } else {
                ["ServerSideEncryptionByDefault": ["SSEAlgorithm": "AES256"]]
            }
        var rules: [InfraDocument] = [
            // ddbcdc's uploads are single PUTs unless MAX_PAYLOAD_BYTES is raised past 16 MiB; a
            // multipart upload cut off by a timeout would otherwise be stored (and billed) forever.
            ["Id": "AbortIncompleteMultipartUploads", "Status": "Enabled", "AbortIncompleteMultipartUpload": ["DaysAfterInitiation": 1]]
        ]
        if let days = operations.errorsExpireDays {
            rules.append(["Id": "ExpireSetAsideRecords", "Status": "Enabled", "Prefix": .string(errorsPrefix), "ExpirationInDays": .integer(days)])
        }
        if operations.bucketVersioning {
            rules.append(["Id": "ExpireOldVersions", "Status": "Enabled", "NoncurrentVersionExpiration": ["NoncurrentDays": 30]])
        }
        var properties: [(key: String, value: InfraDocument)] = [
            ("BucketName", .string(bucket)),
            ("BucketEncryption", ["ServerSideEncryptionConfiguration": [encryption]]),
            (
                "PublicAccessBlockConfiguration",
                ["BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true]
            ),
            ("OwnershipControls", ["Rules": [["ObjectOwnership": "BucketOwnerEnforced"]]]),
            ("LifecycleConfiguration", ["Rules": .array(rules)]),
        ]
        if operations.bucketVersioning { properties.append(("VersioningConfiguration", ["Status": "Enabled"])) }
        return [
            (
                "Bucket",
                [
                    "Type": "AWS::S3::Bucket",
                    // The data outlives the stack: deleting the stack leaves the bucket and its objects.
                    "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                    "Metadata": ["Versioning": .string(Self.versioningReason)],
                    "Properties": .object(properties),
                ]
            ),
            ("BucketPolicy", ["Type": "AWS::S3::BucketPolicy", "Properties": ["Bucket": .ref("Bucket"), "PolicyDocument": bucketPolicy]]),
        ]
    }

    /// `<prefix>/_errors/`: where the function sets aside records that cannot become rows.
    var errorsPrefix: String { (prefix.isEmpty ? "" : prefix + "/") + "_errors/" }

    /// Refuses every request that is not over TLS. A Deny on all of S3's actions with a condition:
    /// it grants nothing, and a list of actions would leave the ones not listed open to plain HTTP.
    var bucketPolicy: InfraDocument {
        [
            "Version": "2012-10-17",
            "Statement": [
                [
                    "Sid": "DenyRequestsWithoutTLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": [bucketARN, .sub("${Bucket.Arn}/*")],
                    "Condition": ["Bool": ["aws:SecureTransport": "false"]],
                ]
            ],
        ]
    }

    // MARK: the failure queue

    /// The failure queue's name: the one created, or the last part of `--on-failure-queue-arn`.
    var failureQueueNameInUse: String { String(failureQueueARN.split(separator: ":").last ?? "") }

    /// Only the function's role may send to the queue the template creates. Lambda sends a failed
    /// batch's description with the function's execution role (not as a service principal), so
    /// the request's principal is that role and it carries no `aws:SourceArn`: the condition is on
    /// `aws:PrincipalArn`.
    var failureQueuePolicy: InfraDocument {
        [
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": [
                "Queues": [.ref("FailureQueue")],
                "PolicyDocument": [
                    "Version": "2012-10-17",
                    "Statement": [
                        [
                            "Sid": "TheFunctionReportsFailedBatches", "Effect": "Allow",
                            "Principal": ["AWS": .getAtt("FunctionRole", "Arn")],
                            "Action": "sqs:SendMessage", "Resource": .getAtt("FailureQueue", "Arn"),
                        ],
                        [
                            "Sid": "NoOneElseSends", "Effect": "Deny", "Principal": "*",
                            "Action": "sqs:SendMessage", "Resource": .getAtt("FailureQueue", "Arn"),
                            "Condition": ["ArnNotEquals": ["aws:PrincipalArn": .getAtt("FunctionRole", "Arn")]],
                        ],
                    ],
                ],
            ],
        ]
    }

    // MARK: alarms

    /// The alarms' actions: the created topic, the given one, or none.
    private var alarmActions: InfraDocument? {
        if operations.alarmEmail != nil { return [.ref("AlarmTopic")] }
        if let arn = operations.alarmTopicARN { return [.string(arn)] }
        return nil
    }

    /// One alarm's resource: `metric > threshold` over one 5-minute period.
    private func alarm(
        name: String, description: String, namespace: String, metric: String, dimension: (String, String), statistic: String,
        threshold: Int
    ) -> InfraDocument {
        var properties: [(key: String, value: InfraDocument)] = [
            ("AlarmName", .string(functionName + "-" + name)),
            ("AlarmDescription", .string(description)),
            ("Namespace", .string(namespace)),
            ("MetricName", .string(metric)),
            ("Dimensions", [["Name": .string(dimension.0), "Value": .string(dimension.1)]]),
            ("Statistic", .string(statistic)),
            ("Period", 300),
            ("EvaluationPeriods", 1),
            ("Threshold", .integer(threshold)),
            ("ComparisonOperator", "GreaterThanThreshold"),
            // No data is no traffic (an idle table): not a reason to wake anyone.
            ("TreatMissingData", "notBreaching"),
        ]
        if let alarmActions {
            properties.append(("AlarmActions", alarmActions))
            properties.append(("OKActions", alarmActions))
        }
        return ["Type": "AWS::CloudWatch::Alarm", "Properties": .object(properties)]
    }

    /// The alarms, and the topic when `--alarm-email` asks for one.
    var alarmResources: [(key: String, value: InfraDocument)] {
        let function = (FunctionMetric.dimension, functionName)
        var resources: [(key: String, value: InfraDocument)] = []
        if let email = operations.alarmEmail {
            resources.append((
                "AlarmTopic",
                [
                    "Type": "AWS::SNS::Topic",
                    "Properties": [
                        "TopicName": .string(functionName + "-alarms"),
                        "DisplayName": .string("ddbcdc \(functionName) alarms"),
                        // The address gets a confirmation mail first; alarms reach it once confirmed.
                        "Subscription": [["Protocol": "email", "Endpoint": .string(email)]],
                    ],
                ]
            ))
        }
        resources += [
            (
                "FailureQueueDepthAlarm",
                alarm(
                    name: "failed-batches",
                    description: "Batches failed for good are waiting in \(failureQueueNameInUse): their records were not written; replay them from the stream (docs/operations.md).",
                    namespace: "AWS/SQS", metric: "ApproximateNumberOfMessagesVisible", dimension: ("QueueName", failureQueueNameInUse),
                    statistic: "Maximum", threshold: 0)
            ),
            (
                "IteratorAgeAlarm",
                alarm(
                    name: "iterator-age",
                    description: "The oldest change Lambda handed \(functionName) is over \(operations.iteratorAgeAlarmMinutes) minutes old: the function falls behind the stream (records expire after 24 hours).",
                    namespace: "AWS/Lambda", metric: "IteratorAge", dimension: function, statistic: "Maximum",
                    threshold: operations.iteratorAgeAlarmMinutes * 60_000)
            ),
            (
                "FunctionErrorsAlarm",
                alarm(
                    name: "errors", description: "\(functionName) failed invocations (Lambda retries the batch).",
                    namespace: "AWS/Lambda", metric: "Errors", dimension: function, statistic: "Sum", threshold: 0)
            ),
            (
                "FunctionThrottlesAlarm",
                alarm(
                    name: "throttles", description: "\(functionName) was throttled: raise its concurrency or the account's limit.",
                    namespace: "AWS/Lambda", metric: "Throttles", dimension: function, statistic: "Sum", threshold: 0)
            ),
            (
                "SetAsideAlarm",
                alarm(
                    name: "set-aside",
                    description: "\(functionName) set records aside under s3://\(bucket)/\(errorsPrefix): they are not in the table (the function's own metric \(FunctionMetric.namespace)/\(FunctionMetric.setAside.rawValue)).",
                    namespace: FunctionMetric.namespace, metric: FunctionMetric.setAside.rawValue, dimension: function, statistic: "Sum",
                    threshold: 0)
            ),
        ]
        return resources
    }

    // MARK: the dashboard

    /// The dashboard's name: the function's (both allow A-Z a-z 0-9 - _).
    var dashboardName: String { functionName }

    /// The body of CloudWatch's PutDashboard: the function's own metrics (`FunctionMetric`) and
    /// Lambda's and SQS's about it, in the stream's region.
    package var dashboardBody: InfraDocument {
        func own(_ metric: FunctionMetric, _ label: String, stat: String = "Sum") -> InfraDocument {
            [.string(FunctionMetric.namespace), .string(metric.rawValue), .string(FunctionMetric.dimension), .string(functionName),
             ["label": .string(label), "stat": .string(stat)]]
        }
        func lambda(_ metric: String, _ label: String, stat: String = "Sum") -> InfraDocument {
            ["AWS/Lambda", .string(metric), "FunctionName", .string(functionName), ["label": .string(label), "stat": .string(stat)]]
        }
        var widgets: [InfraDocument] = []
        func widget(_ title: String, _ metrics: [InfraDocument], annotation: (String, Int)? = nil) {
            let index = widgets.count
            var properties: [(key: String, value: InfraDocument)] = [
                ("title", .string(title)), ("region", .string(stream.region)), ("view", "timeSeries"), ("stacked", false),
                ("period", 300), ("metrics", .array(metrics)),
            ]
            if let annotation {
                properties.append(("annotations", ["horizontal": [["label": .string(annotation.0), "value": .integer(annotation.1)]]]))
            }
            widgets.append([
                "type": "metric", "x": .integer(index % 2 * 12), "y": .integer(index / 2 * 6), "width": 12, "height": 6,
                "properties": .object(properties),
            ])
        }
        widget("Records in, rows out", [own(.records, "records in"), own(.rows, "rows out")])
        widget("Objects written", [own(.objects, "objects")])
        widget("Bytes in, bytes out", [own(.bytesIn, "event bytes in"), own(.bytesOut, "object bytes out")])
        widget(
            "Records set aside and failed",
            [own(.setAside, "set aside (_errors/)"), own(.failedRecords, "failed (retried)"),
             ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", .string(failureQueueNameInUse), ["label": "failed batches in the queue", "stat": "Maximum"]]])
        widget(
            "Flush latency and duration (ms)",
            [own(.flushLatency, "flush latency, max", stat: "Maximum"), lambda("Duration", "duration, max", stat: "Maximum"),
             lambda("Duration", "duration, average", stat: "Average")])
        widget(
            "Iterator age (ms)",
            [lambda("IteratorAge", "Lambda's iterator age, max", stat: "Maximum"), own(.iteratorAge, "oldest change written, max", stat: "Maximum")],
            annotation: ("alarm", operations.iteratorAgeAlarmMinutes * 60_000))
        widget(
            "Invocations, errors, throttles",
            [lambda("Invocations", "invocations"), lambda("Errors", "errors"), lambda("Throttles", "throttles")])
        return ["widgets": .array(widgets)]
    }

    /// The dashboard as a template resource (its body as JSON text, as CloudFormation takes it).
    var dashboardResource: InfraDocument {
        ["Type": "AWS::CloudWatch::Dashboard", "Properties": ["DashboardName": .string(dashboardName), "DashboardBody": .string(dashboardBody.json)]]
    }

    /// The template's outputs for what these resources add.
    var operationsOutputs: [(key: String, value: InfraDocument)] {
        var outputs: [(key: String, value: InfraDocument)] = []
        if operations.createBucket {
            outputs.append(("BucketName", ["Description": "The bucket objects go to (kept when the stack is deleted)", "Value": .ref("Bucket")]))
        }
        if operations.alarmEmail != nil {
            outputs.append(("AlarmTopicArn", ["Description": "The alarms' SNS topic (confirm the subscription mail)", "Value": .ref("AlarmTopic")]))
        }
        let console = stream.partition == "aws-cn" ? "console.amazonaws.cn" : stream.partition == "aws-us-gov" ? "console.amazonaws-us-gov.com" : "console.aws.amazon.com"
        outputs.append((
            "DashboardUrl",
            [
                "Description": "The function's CloudWatch dashboard",
                "Value": .string("https://\(stream.region).\(console)/cloudwatch/home?region=\(stream.region)#dashboards/dashboard/\(dashboardName)"),
            ]
        ))
        return outputs
    }
}
