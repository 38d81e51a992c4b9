import Foundation
import S3Sink
import StreamNormalize
import Synchronization
import Testing
import Timekeeping

@testable import LambdaRuntime
@testable import Pipeline

/// A Runtime API in memory: hands out queued invocations, records answers.
final class FakeRuntime: LambdaRuntimeClient, Sendable {
    let queue: Mutex<[Invocation]>
    let answers = Mutex<[(String, String, [UInt8])]>([])

    init(_ invocations: [Invocation]) { queue = Mutex(invocations) }

    struct Drained: Error {}

    func next() async throws -> Invocation {
        try queue.withLock { queue in
            guard !queue.isEmpty else { throw Drained() }
            return queue.removeFirst()
        }
    }
    func respond(requestID: String, body: [UInt8]) async throws { answers.withLock { $0.append(("response", requestID, body)) } }
    func fail(requestID: String, error: LambdaError) async throws { answers.withLock { $0.append(("error", requestID, error.json)) } }
    func initFailed(_ error: LambdaError) async throws { answers.withLock { $0.append(("init", "", error.json)) } }
}

/// A sink that keeps objects in memory and fails or stalls on chosen keys.
final class MemorySink: ObjectSink, Sendable {
    let objects = Mutex<[String: [UInt8]]>([:])
    let failing: @Sendable (String) -> Bool
    let stalling: @Sendable (String) -> Bool

    init(failing: @escaping @Sendable (String) -> Bool = { _ in false }, stalling: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.failing = failing
        self.stalling = stalling
    }

    func put(key: String, body: [UInt8]) async throws(SinkError) {
        if stalling(key) { try? await Task.sleep(for: .seconds(30)) }
        if failing(key) || Task.isCancelled { throw SinkError(.writeFailed, key: key, "injected failure") }
        objects.withLock { $0[key] = body }
    }

    var keys: [String] { objects.withLock { $0.keys.sorted() } }
}

@Suite struct LambdaTests {
    static func record(_ n: Int, hour: Int = 0, source: String = "aws:dynamodb", image: String? = nil) -> String {
        let time = 1_767_225_600 + hour * 3600 + n
        let newImage = image ?? #"{"pk":{"S":"k\#(n)"},"v":{"N":"\#(n)"}}"#
        return #"{"eventID":"e\#(n)","eventName":"INSERT","eventSource":"\#(source)","dynamodb":{"ApproximateCreationDateTime":\#(time),"Keys":{"pk":{"S":"k\#(n)"}},"NewImage":\#(newImage),"SequenceNumber":"\#(1000 + n)"}}"#
    }

    static func invocation(_ records: [String], id: String = "r1", deadlineIn: Int64 = 60_000, trace: String? = nil) -> Invocation {
        Invocation(
            requestID: id, deadline: EpochClock.system.now().adding(millis: deadlineIn), functionARN: "arn:aws:lambda:us-east-1:1:function:f", traceID: trace,
            body: Array(#"{"Records":["#.utf8) + Array(records.joined(separator: ",").utf8) + Array("]}".utf8))
    }

    static func handler(_ sink: MemorySink, environment: [String: String] = [:], margin: String = "200") throws -> StreamsHandler {
        let base = ["S3_BUCKET": "b", "AWS_REGION": "us-east-1", "MAX_RECORDS": "3", "DDBCDC_DEADLINE_MARGIN_MS": margin]
        return try LambdaRuntime.makeHandler(environment: base.merging(environment) { $1 }, sink: sink)
    }

    static func failures(_ outcome: StreamsHandler.Outcome) throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(outcome.response)) as! [String: [[String: String]]]
        return json["batchItemFailures"]!.map { $0["itemIdentifier"]! }
    }

    @Test func everythingDurableMeansNoFailures() async throws {
        let sink = MemorySink()
        let outcome = try await Self.handler(sink).handle(Self.invocation((0..<7).map { Self.record($0) }))
        #expect(try Self.failures(outcome).isEmpty)
        #expect(outcome.records == 7 && outcome.rows == 7 && outcome.objects == 3)
        #expect(sink.keys.count == 3 && sink.keys.allSatisfy { $0.hasPrefix("dt=2026-01-01/HH=00/") })
    }

    @Test func aFailedObjectReportsExactlyItsRecords() async throws {
        // Rows 0-2 make the first object, 3-5 the second, 6 the third; the second fails.
        let sink = MemorySink(failing: { $0.contains("_3_") && $0.contains("1767225603000") })
        let outcome = try await Self.handler(sink).handle(Self.invocation((0..<7).map { Self.record($0) }))
        #expect(try Self.failures(outcome) == ["1003", "1004", "1005"])
        #expect(outcome.objects == 2 && outcome.notWritten.count == 1)
    }

    @Test func undecodableAndForeignRecordsGoToErrorsWithoutBlocking() async throws {
        let sink = MemorySink()
        let bad = Self.record(1, image: #"{"pk":{"S":"x"},"n":{"N":"not a number"}}"#)
        let foreign = Self.record(2, source: "aws:kinesis")
        let outcome = try await Self.handler(sink).handle(Self.invocation([Self.record(0), bad, foreign, Self.record(3)]))
        #expect(try Self.failures(outcome).isEmpty)
        #expect(outcome.setAside == 2 && outcome.rows == 2)
        let errorKeys = sink.keys.filter { $0.hasPrefix("_errors/") }
        try #require(errorKeys.count == 1)
        let lines = String(decoding: sink.objects.withLock { $0[errorKeys[0]]! }, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("invalid-number") && lines[1].contains("unsupported-record"))
    }

    @Test func unwritableErrorsObjectReportsTheBadRecords() async throws {
        let sink = MemorySink(failing: { $0.hasPrefix("_errors/") })
        let bad = Self.record(1, image: #"{"n":{"SS":[]}}"#)
        let outcome = try await Self.handler(sink).handle(Self.invocation([Self.record(0), bad]))
        #expect(try Self.failures(outcome) == ["1001"])
    }

    @Test func aBrokenRecordInAOneLineEventDoesNotSwallowTheRest() async throws {
        // Record 9 of 100 has a raw tab inside a string: it goes to _errors alone, the 99 others become rows.
        let sink = MemorySink()
        let records = (0..<100).map { n in n == 9 ? Self.record(n).replacingOccurrences(of: #""S":"k9""#, with: "\"S\":\"k\t9\"") : Self.record(n) }
        let outcome = try await Self.handler(sink, environment: ["MAX_RECORDS": "1000"]).handle(Self.invocation(records))
        #expect(outcome.records == 100 && outcome.rows == 99 && outcome.setAside == 1)
        #expect(try Self.failures(outcome).isEmpty, "the broken record is durable in _errors; nothing else was skipped")
        let errorKeys = sink.keys.filter { $0.hasPrefix("_errors/") }
        try #require(errorKeys.count == 1)
        let line = String(decoding: sink.objects.withLock { $0[errorKeys[0]]! }, as: UTF8.self)
        #expect(line.contains(#""sequenceNumber":"1009""#) && line.contains(#""recordIndex":9"#))
    }

    @Test func recordsHeldInUnreadableInputAreReportedNotAcknowledged() async throws {
        // A raw line break inside a string: no boundary after it can be trusted, so records 2-4 are
        // not rows; each is named in the answer, so Lambda retries from them.
        let sink = MemorySink()
        let records = (0..<5).map { n in n == 2 ? Self.record(n).replacingOccurrences(of: #""S":"k2""#, with: "\"S\":\"k\n2\"") : Self.record(n) }
        let outcome = try await Self.handler(sink).handle(Self.invocation(records))
        #expect(outcome.rows == 2)
        #expect(try Self.failures(outcome) == ["1002", "1003", "1004"])
        #expect(outcome.invocationError == nil)
    }

    @Test func inputThatNamesNoRecordFailsTheInvocationWhenItCannotBeKept() async throws {
        let sink = MemorySink(failing: { $0.hasPrefix("_errors/") })
        let garbage = Invocation(requestID: "g", deadline: EpochClock.system.now().adding(millis: 60_000), functionARN: "f", traceID: nil, body: Array("not json at all".utf8))
        let outcome = try await Self.handler(sink).handle(garbage)
        #expect(outcome.invocationError != nil, "nothing can be named in a partial batch response: the invocation must fail")
        // The same input, kept in _errors, is accounted for: the invocation succeeds.
        let kept = try await Self.handler(MemorySink()).handle(garbage)
        #expect(kept.invocationError == nil && kept.setAside == 1)
        // Through the loop, a failed invocation is an invocation error, not an empty answer.
        let runtime = FakeRuntime([garbage])
        let handler = try Self.handler(sink)
        try? await LambdaLoop(client: runtime).run { invocation in try await handler.handle(invocation).answer() }
        let answers = runtime.answers.withLock { $0 }
        #expect(answers.map(\.0) == ["error"])
        let errorDocument = String(decoding: answers.first.map { $0.2 } ?? [], as: UTF8.self)
        #expect(errorDocument.contains(#""errorType":"ddbcdc.UnidentifiedRecords""#))
        #expect(throws: LambdaError.self) { try outcome.answer() }
        #expect(try kept.answer() == kept.response)
    }

    @Test func itemIdentifiersAreTheRecordsOwnSequenceNumberText() async throws {
        let sink = MemorySink(failing: { !$0.hasPrefix("_errors/") })
        let record = Self.record(1).replacingOccurrences(of: #""SequenceNumber":"1001""#, with: #""SequenceNumber":"0001001""#)
        let outcome = try await Self.handler(sink).handle(Self.invocation([record]))
        #expect(try Self.failures(outcome) == ["0001001"])
    }

    @Test func rowsOfTwoTablesNeverShareAnObject() async throws {
        let sink = MemorySink()
        func from(_ table: String, _ n: Int) -> String {
            String(Self.record(n).dropLast()) + #","eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/\#(table)/stream/x"}"#
        }
        let records = [from("orders", 0), from("other", 1), from("orders", 2), from("other", 3)]
        let outcome = try await Self.handler(sink, environment: ["MAX_RECORDS": "10"]).handle(Self.invocation(records))
        #expect(try Self.failures(outcome).isEmpty)
        let keys = sink.keys.filter { $0.hasSuffix(".ndjson.gz") }
        #expect(keys.count == 2)
        #expect(keys.filter { $0.hasSuffix("_orders.ndjson.gz") }.count == 1 && keys.filter { $0.hasSuffix("_other.ndjson.gz") }.count == 1)
    }

    @Test func emptyEventIsAnEmptyAnswer() async throws {
        let outcome = await try Self.handler(MemorySink()).handle(Self.invocation([]))
        #expect(String(decoding: outcome.response, as: UTF8.self) == #"{"batchItemFailures":[]}"#)
    }

    @Test func loopAnswersEachInvocationAndSurvivesAHandlerError() async throws {
        let runtime = FakeRuntime([Self.invocation([], id: "a", trace: "Root=1-abc"), Self.invocation([], id: "b"), Self.invocation([], id: "c")])
        struct Boom: Error {}
        var seenTrace: String?
        try? await LambdaLoop(client: runtime).run { invocation in
            if invocation.requestID == "a" { seenTrace = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) } }
            if invocation.requestID == "b" { throw Boom() }
            return Array("ok".utf8)
        }
        let answers = runtime.answers.withLock { $0 }
        #expect(answers.map(\.0) == ["response", "error", "response"])
        #expect(answers.map(\.1) == ["a", "b", "c"])
        #expect(String(decoding: answers[1].2, as: UTF8.self).contains(#""errorType":"Runtime.HandlerError""#))
        #expect(seenTrace == "Root=1-abc")
    }

    @Test(arguments: [
        ([String: String](), "S3_BUCKET is not set"),
        (["S3_BUCKET": "b"], "AWS_REGION is not set"),
        (["S3_BUCKET": "b", "AWS_REGION": "r", "MAX_RECORDS": "many"], "MAX_RECORDS=many"),
        (["S3_BUCKET": "b", "AWS_REGION": "r", "DDBCDC_LAYOUT": "wide"], "DDBCDC_LAYOUT=wide"),
        (["S3_BUCKET": "b", "AWS_REGION": "r", "DDBCDC_METADATA_PREFIX": "a\"b"], "DDBCDC_METADATA_PREFIX"),
        (["S3_BUCKET": "b", "AWS_REGION": "r", "DDBCDC_CONCURRENCY": "0"], "DDBCDC_CONCURRENCY=0 is not a whole number in 1…64"),
        (["S3_BUCKET": "b", "AWS_REGION": "r", "DDBCDC_PARQUET_GZIP_LEVEL": "13"], "DDBCDC_PARQUET_GZIP_LEVEL=13 is not a whole number in 0…12"),
        (["S3_BUCKET": "b", "AWS_REGION": "r", "DDBCDC_PARQUET_ZSTD_LEVEL": "0"], "DDBCDC_PARQUET_ZSTD_LEVEL=0 is not a whole number in 1…22"),
    ])
    func configurationProblemsSayWhatToFix(_ environment: [String: String], _ expected: String) {
        #expect {
            _ = try LambdaConfiguration(environment: environment)
        } throws: { "\($0)".contains(expected) }
    }

    @Test func parquetsGzipLevelIsItsOwnSettingNotNDJSONs() throws {
        let base = ["S3_BUCKET": "b", "AWS_REGION": "r", "DDBCDC_FORMAT": "parquet", "DDBCDC_PARQUET_COMPRESSION": "gzip"]
        let set = try LambdaConfiguration(environment: base.merging(["GZIP_LEVEL": "1", "DDBCDC_PARQUET_GZIP_LEVEL": "9"]) { $1 })
        #expect(set.encoding.gzipLevel == 1 && set.encoding.parquetGzipLevel == 9)
        let ndjsonOnly = try LambdaConfiguration(environment: base.merging(["GZIP_LEVEL": "9"]) { $1 })
        #expect(ndjsonOnly.encoding.parquetGzipLevel == nil && ndjsonOnly.encoding.effectiveParquetGzipLevel == 3)
        // The typed layout's default is its own (a schema given): the fastest level still no bigger than gzip-6 NDJSON.
        let typed = try LambdaConfiguration(environment: base.merging(["GZIP_LEVEL": "9", "DDBCDC_SCHEMA": #"{"type":"struct","fields":[{"name":"a","type":"string","nullable":true,"metadata":{}}]}"#]) { $1 })
        #expect(typed.encoding.effectiveParquetGzipLevel == 1)
    }

    @Test func parquetsZstdLevelIsReadAndDefaultsToTheDocumentedOne() throws {
        let base = ["S3_BUCKET": "b", "AWS_REGION": "r", "DDBCDC_FORMAT": "parquet", "DDBCDC_PARQUET_COMPRESSION": "zstd"]
        #expect(try LambdaConfiguration(environment: base.merging(["DDBCDC_PARQUET_ZSTD_LEVEL": "19"]) { $1 }).encoding.effectiveParquetZstdLevel == 19)
        #expect(try LambdaConfiguration(environment: base).encoding.effectiveParquetZstdLevel == 1)
    }

    @Test func metadataPrefixRenamesTheRowsMetadataColumns() throws {
        let base = ["S3_BUCKET": "b", "AWS_REGION": "r"]
        #expect(try LambdaConfiguration(environment: base).rows.metadataNames == .seed)
        let renamed = try LambdaConfiguration(environment: base.merging(["DDBCDC_METADATA_PREFIX": "_cdc_"]) { $1 })
        #expect(renamed.rows.metadataNames.seq == "_cdc_seq" && renamed.rows.metadataNames.isDeleted == "_cdc_is_deleted")
    }

    @Test func metricsLineIsEmbeddedMetricFormat() throws {
        var outcome = StreamsHandler.Outcome()
        outcome.records = 5
        outcome.rows = 4
        outcome.oldestChange = 1000
        let line = EmbeddedMetrics.line(outcome, functionName: "fn", now: EpochMillis(rawValue: 61_000))
        let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let aws = json["_aws"] as! [String: Any]
        let directive = (aws["CloudWatchMetrics"] as! [[String: Any]])[0]
        #expect(directive["Namespace"] as? String == "ddbcdc")
        let names = (directive["Metrics"] as! [[String: String]]).map { $0["Name"]! }
        for name in names { #expect(json[name] != nil, "\(name) has a value") }
        #expect(json["IteratorAge"] as? Int == 60_000 && json["Records"] as? Int == 5 && json["FunctionName"] as? String == "fn")
    }
}

/// Tests that race a wall-clock deadline. scripts/test.sh runs them on their own (`--filter
/// DeadlineTests`), after the other suites, whose waits on child processes would otherwise hold
/// the test process's few threads and starve them.
@Suite struct LambdaDeadlineTests {
    @Test func uploadsNotDoneByTheDeadlineAreFailures() async throws {
        let sink = MemorySink(stalling: { $0.contains("HH=01") })
        let records = [LambdaTests.record(0), LambdaTests.record(1, hour: 1), LambdaTests.record(2)]
        let outcome = await try LambdaTests.handler(sink, margin: "100").handle(LambdaTests.invocation(records, deadlineIn: 400))
        #expect(try LambdaTests.failures(outcome) == ["1001"])
        #expect(sink.keys.count == 1)
    }
}
