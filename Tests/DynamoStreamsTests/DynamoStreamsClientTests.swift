import AWSCore
import Foundation
import Testing
import Timekeeping

@testable import DynamoStreams

/// The operations on the wire: targets, endpoints, input documents, and what the answers become.
@Suite struct DynamoStreamsClientTests {
    static let arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"

    // MARK: DescribeStream

    static let describeAnswer = """
        {"StreamDescription":{"StreamArn":"\(arn)","StreamStatus":"ENABLED","StreamViewType":"NEW_AND_OLD_IMAGES",
        "TableName":"orders","CreationRequestDateTime":1.767225600E9,"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
        "Shards":[{"ShardId":"shardId-1","SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"199"}},
        {"ShardId":"shardId-2","ParentShardId":"shardId-1","SequenceNumberRange":{"StartingSequenceNumber":"200"}},
        {"ShardId":"shardId-3"}],"LastEvaluatedShardId":"shardId-3"}}
        """

    @Test func describeStreamSendsOnlyTheStreamOnTheFirstPage() async throws {
        let transport = ScriptedTransport(Self.describeAnswer)
        _ = try await client(transport).describeStream(streamArn: Self.arn, exclusiveStartShardId: nil, childrenOf: nil)
        let request = try #require(transport.sent.first)
        #expect(request.method == "POST" && request.url == "http://127.0.0.1:5000/")
        #expect(request.header("X-Amz-Target") == "DynamoDBStreams_20120810.DescribeStream")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(request.timeoutMillis == 4321)
        #expect(request.header("Authorization")?.contains("Credential=AK/20260101/eu-west-1/dynamodb/aws4_request") == true)
        let document = try request.document
        #expect(Set(document.keys) == ["StreamArn"])
        #expect(document["StreamArn"] as? String == Self.arn)
    }

    @Test func describeStreamSendsThePageStartAndTheChildShardFilter() async throws {
        let transport = ScriptedTransport(Self.describeAnswer)
        _ = try await client(transport).describeStream(streamArn: Self.arn, exclusiveStartShardId: "shardId-3", childrenOf: "shardId-1")
        _ = try await client(transport).describeStream(streamArn: Self.arn, exclusiveStartShardId: "shardId-9", childrenOf: nil)
        let both = try transport.sent[0].document
        #expect(Set(both.keys) == ["StreamArn", "ExclusiveStartShardId", "ShardFilter"])
        #expect(both["ExclusiveStartShardId"] as? String == "shardId-3")
        #expect(both["ShardFilter"] as? [String: String] == ["Type": "CHILD_SHARDS", "ShardId": "shardId-1"])
        let pageOnly = try transport.sent[1].document
        #expect(Set(pageOnly.keys) == ["StreamArn", "ExclusiveStartShardId"])
        #expect(pageOnly["ExclusiveStartShardId"] as? String == "shardId-9")
    }

    @Test func describeStreamReadsTheShardsAndWhereTheNextPageStarts() async throws {
        let page = try await client(ScriptedTransport(Self.describeAnswer)).describeStream(
            streamArn: Self.arn, exclusiveStartShardId: nil, childrenOf: nil)
        #expect(page.streamArn == Self.arn && page.status == "ENABLED" && page.viewType == "NEW_AND_OLD_IMAGES" && page.tableName == "orders")
        #expect(
            page.shards == [
                Shard(shardId: "shardId-1", startingSequenceNumber: "100", endingSequenceNumber: "199"),
                Shard(shardId: "shardId-2", parentShardId: "shardId-1", startingSequenceNumber: "200"),
                Shard(shardId: "shardId-3"),
            ])
        #expect(page.shards.map(\.isClosed) == [true, false, false])
        #expect(page.lastEvaluatedShardId == "shardId-3")
    }

    @Test func theLastPageHasNoLastEvaluatedShardId() async throws {
        let answer = #"{"StreamDescription":{"StreamArn":"a","StreamStatus":"DISABLED","Shards":[]}}"#
        let page = try await client(ScriptedTransport(answer)).describeStream(streamArn: "a", exclusiveStartShardId: nil, childrenOf: nil)
        #expect(page.lastEvaluatedShardId == nil && page.shards.isEmpty && page.status == "DISABLED" && page.viewType == nil)
    }

    @Test(arguments: [
        (#"{"StreamDescription":{"StreamArn":"a","StreamStatus":"ENABLED"}}"#, "has no StreamDescription.Shards"),
        (#"{"StreamDescription":{"StreamArn":"a","StreamStatus":"ENABLED","Shards":[{"ShardId":"s"},{}]}}"#, "has no StreamDescription.Shards[1].ShardId"),
        (#"{"StreamDescription":{"StreamArn":"a","StreamStatus":7,"Shards":[]}}"#, "has StreamDescription.StreamStatus of the wrong type"),
        (#"{}"#, "has no StreamDescription"),
        ("<html>busy</html>", "is not JSON"),
    ])
    func anUnreadableDescriptionIsAnInvalidResponseNamingTheMember(body: String, expected: String) async throws {
        let transport = ScriptedTransport(body)
        let error = try await #require(throws: AWSError.self) {
            try await client(transport).describeStream(streamArn: "a", exclusiveStartShardId: nil, childrenOf: nil)
        }
        #expect(error.code == .invalidResponse)
        #expect(error.message.hasPrefix("DescribeStream for a: the answer \(expected)"), "\(error.message)")
        #expect(error.status == 200 && error.requestID == "R1")
        #expect(transport.sent.count == 1, "an answer that cannot be read is not asked again")
    }

    // MARK: GetShardIterator

    @Test(arguments: [
        (IteratorStart.trimHorizon, "TRIM_HORIZON", nil),
        (IteratorStart.latest, "LATEST", nil),
        (IteratorStart.at("1234"), "AT_SEQUENCE_NUMBER", "1234"),
        (IteratorStart.after("5678"), "AFTER_SEQUENCE_NUMBER", "5678"),
    ] as [(IteratorStart, String, String?)])
    func getShardIteratorNamesTheStart(start: IteratorStart, type: String, sequenceNumber: String?) async throws {
        let transport = ScriptedTransport(#"{"ShardIterator":"arn:x|1|AAA\/BBB+CCC="}"#)
        let iterator = try await client(transport).shardIterator(streamArn: Self.arn, shardId: "shardId-1", start: start)
        #expect(iterator == "arn:x|1|AAA/BBB+CCC=")
        let request = try #require(transport.sent.first)
        #expect(request.header("X-Amz-Target") == "DynamoDBStreams_20120810.GetShardIterator")
        let document = try request.document
        #expect(document["StreamArn"] as? String == Self.arn && document["ShardId"] as? String == "shardId-1")
        #expect(document["ShardIteratorType"] as? String == type)
        #expect(document["SequenceNumber"] as? String == sequenceNumber)
        #expect(document.keys.contains("SequenceNumber") == (sequenceNumber != nil), "no SequenceNumber member unless the start names one")
    }

    @Test func anAnswerWithoutAnIteratorIsAnInvalidResponse() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await client(ScriptedTransport("{}")).shardIterator(streamArn: "a", shardId: "shardId-7", start: .latest)
        }
        #expect(error.code == .invalidResponse)
        #expect(error.message == "GetShardIterator for shard shardId-7 (LATEST): the answer has no ShardIterator")
    }

    // MARK: GetRecords

    @Test func getRecordsSendsTheIteratorAndTheLimitAndScansThePage() async throws {
        let body = #"{"NextShardIterator":"next-1","Records":[{"eventID":"e0","dynamodb":{"SequenceNumber":"300","ApproximateCreationDateTime":1.764E9}}]}"#
        let transport = ScriptedTransport(body)
        let page = try await client(transport).records(iterator: "it-0", limit: 1000)
        let request = try #require(transport.sent.first)
        #expect(request.header("X-Amz-Target") == "DynamoDBStreams_20120810.GetRecords")
        let document = try request.document
        #expect(Set(document.keys) == ["ShardIterator", "Limit"])
        #expect(document["ShardIterator"] as? String == "it-0" && document["Limit"] as? Int == 1000)
        #expect(page.body == Array(body.utf8))
        #expect(page.records == [PageRecord(sequenceNumber: "300", approximateCreationMillis: 1_764_000_000_000)])
        #expect(page.nextShardIterator == "next-1")
    }

    @Test func aServerErrorIsRetriedAndThenTheAnswerIsRead() async throws {
        let transport = ScriptedTransport { index, _ in
            index == 0 ? serviceError(500, "InternalServerError") : answer(#"{"Records":[],"NextShardIterator":"n"}"#)
        }
        let page = try await client(transport).records(iterator: "it", limit: 10)
        #expect(transport.sent.count == 2)
        #expect(page.records.isEmpty && page.nextShardIterator == "n")
    }

    @Test func throttlingIsRetriedUntilTheAttemptsAreSpent() async throws {
        let transport = ScriptedTransport { _, _ in serviceError(400, "LimitExceededException", "Rate exceeded") }
        let error = try await #require(throws: AWSError.self) { try await client(transport, maxAttempts: 3).records(iterator: "it", limit: 10) }
        #expect(transport.sent.count == 3)
        #expect(error.serviceCode == StreamsErrorCode.limitExceeded && error.attempts == 3 && error.message == "Rate exceeded")
    }

    @Test(arguments: [StreamsErrorCode.expiredIterator, StreamsErrorCode.trimmedDataAccess, StreamsErrorCode.resourceNotFound])
    func theServicesCodeSurfacesAtOnce(code: String) async throws {
        let transport = ScriptedTransport { _, _ in serviceError(400, code, "Iterator expired") }
        let error = try await #require(throws: AWSError.self) { try await client(transport).records(iterator: "it", limit: 10) }
        #expect(error.code == .serviceError && error.serviceCode == code && error.status == 400 && error.requestID == "R1")
        #expect(transport.sent.count == 1, "asking again with the same iterator cannot help")
    }

    @Test func aTruncatedPageIsAnInvalidResponseNotRetried() async throws {
        let body = #"{"NextShardIterator":"n","Records":[{"eventID":"e0","dynamodb":{"SequenceNumber":"300"}},{"eventID":"e1","dynamodb":{"Sequ"#
        let transport = ScriptedTransport(body)
        let error = try await #require(throws: AWSError.self) { try await client(transport).records(iterator: "it", limit: 10) }
        #expect(error.code == .invalidResponse && error.status == 200 && error.requestID == "R1")
        #expect(error.message.hasPrefix("GetRecords: the answer is cut short in record 1 (eventID e1): "), "\(error.message)")
        #expect(error.message.hasSuffix("of \(body.utf8.count))"), "\(error.message)")
        #expect(transport.sent.count == 1)
    }

    // MARK: DescribeTable

    @Test func describeTableGoesToDynamoDBAndGivesTheEnabledStreamsArn() async throws {
        let transport = ScriptedTransport(
            #"{"Table":{"TableName":"orders","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"},"LatestStreamArn":"\#(Self.arn)","LatestStreamLabel":"2026"}}"#
        )
        let arn = try await client(transport, streams: "http://127.0.0.1:1111", dynamodb: "http://127.0.0.1:2222").latestStreamArn(table: "orders")
        #expect(arn == Self.arn)
        let request = try #require(transport.sent.first)
        #expect(request.url == "http://127.0.0.1:2222/")
        #expect(request.header("X-Amz-Target") == "DynamoDB_20120810.DescribeTable")
        #expect(request.header("Authorization")?.contains("/eu-west-1/dynamodb/aws4_request") == true)
        #expect(try request.document as? [String: String] == ["TableName": "orders"])
    }

    @Test(arguments: [
        #"{"Table":{"TableName":"t","StreamSpecification":{"StreamEnabled":false},"LatestStreamArn":"arn:old"}}"#,
        #"{"Table":{"TableName":"t","LatestStreamArn":"arn:old"}}"#,
        #"{"Table":{"TableName":"t"}}"#,
    ])
    func aTableWithoutAnEnabledStreamHasNone(body: String) async throws {
        #expect(try await client(ScriptedTransport(body)).latestStreamArn(table: "t") == nil)
    }

    @Test func anEnabledStreamWithoutAnArnIsAnInvalidResponse() async throws {
        let error = try await #require(throws: AWSError.self) {
            try await client(ScriptedTransport(#"{"Table":{"StreamSpecification":{"StreamEnabled":true}}}"#)).latestStreamArn(table: "t")
        }
        #expect(error.code == .invalidResponse && error.message == "DescribeTable: table t has a stream enabled but no LatestStreamArn")
    }

    @Test func aMissingTableIsTheServicesResourceNotFound() async throws {
        let transport = ScriptedTransport { _, _ in serviceError(400, "ResourceNotFoundException", "Requested resource not found: Table: t not found") }
        let error = try await #require(throws: AWSError.self) { try await client(transport).latestStreamArn(table: "t") }
        #expect(error.serviceCode == StreamsErrorCode.resourceNotFound && error.message.contains("Table: t not found"))
        #expect(transport.sent.count == 1)
    }

    @Test func onAWSEachServiceHasItsOwnHost() async throws {
        let transport = ScriptedTransport(#"{"Table":{"TableName":"t"},"ShardIterator":"i"}"#)
        let aws = client(transport, streams: nil, dynamodb: nil)
        _ = try await aws.latestStreamArn(table: "t")
        _ = try await aws.shardIterator(streamArn: "a", shardId: "s", start: .latest)
        #expect(transport.sent.map(\.url) == ["https://dynamodb.eu-west-1.amazonaws.com/", "https://streams.dynamodb.eu-west-1.amazonaws.com/"])
        #expect(transport.sent.map { $0.header("Host") } == ["dynamodb.eu-west-1.amazonaws.com", "streams.dynamodb.eu-west-1.amazonaws.com"])
    }
}
