import Synchronization
import Testing
import Timekeeping

@testable import AWSCore

/// The generic client every service client sends with: signing by the injected clock, credentials
/// refreshed by it, retries by the policy, JSON-protocol errors.
@Suite struct AWSClientTests {
    static func client(
        _ transport: ScriptedTransport, credentials: any CredentialProvider = StaticCredentials(value: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK")),
        clock: EpochClock = .fixed(EpochMillis(seconds: 1_767_225_600)), maxAttempts: Int = 4
    ) -> AWSClient {
        AWSClient(
            service: "dynamodb", region: "eu-west-1", endpoint: AWSEndpoint(url: "http://127.0.0.1:8000"), credentials: credentials,
            transport: transport, clock: clock, retry: RetryPolicy(maxAttempts: maxAttempts, baseDelayMillis: 1, maxDelayMillis: 4),
            sleep: { _ in })
    }

    static func header(_ name: String, _ request: HTTPRequest) -> String? {
        request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func theSigningDateIsTheClocks() async throws {
        let clock = ManualClock(EpochMillis(rawValue: 1_767_225_600_999))
        let transport = ScriptedTransport { _, _ in .success(HTTPResponse(status: 200)) }
        let client = Self.client(transport, clock: clock.clock)
        _ = try await client.send(AWSRequest(method: "GET"))
        clock.advance(millis: 86_400_000 + 61_000)
        _ = try await client.send(AWSRequest(method: "GET"))
        let dates = transport.sent.map { Self.header("X-Amz-Date", $0) }
        #expect(dates == ["20260101T000000Z", "20260102T000101Z"])
        #expect(Self.header("Authorization", transport.sent[1])?.contains("Credential=AK/20260102/eu-west-1/dynamodb/aws4_request") == true)
    }

    @Test func aClockMovedPastTheCredentialsExpiryRefreshesThem() async throws {
        let start = EpochMillis(seconds: 1_767_225_600)
        let clock = ManualClock(start)
        let fetches = Mutex(0)
        /// Session credentials that expire an hour after they are fetched.
        struct Expiring: CredentialProvider {
            let clock: ManualClock
            let fetch: @Sendable () -> Int
            var name: String { "expiring" }
            func credentials() async throws(AWSError) -> AWSCredentials? {
                let n = fetch()
                return AWSCredentials(accessKeyID: "ASIA\(n)", secretAccessKey: "S\(n)", sessionToken: "T\(n)", expiration: clock.now.adding(millis: 3_600_000))
            }
        }
        let provider = RefreshingCredentialProvider(Expiring(clock: clock, fetch: { fetches.withLock { $0 += 1; return $0 } }), clock: clock.clock)
        let transport = ScriptedTransport { _, _ in .success(HTTPResponse(status: 200)) }
        let client = Self.client(transport, credentials: provider, clock: clock.clock)
        _ = try await client.send(AWSRequest(method: "GET"))
        clock.advance(millis: 30 * 60_000)
        _ = try await client.send(AWSRequest(method: "GET"))
        clock.advance(millis: 31 * 60_000)  // past the expiry: an hour and a minute after the fetch
        _ = try await client.send(AWSRequest(method: "GET"))
        let tokens = transport.sent.map { Self.header("X-Amz-Security-Token", $0) }
        #expect(tokens == ["T1", "T1", "T2"])
        #expect(fetches.withLock { $0 } == 2)
        #expect(Self.header("Authorization", transport.sent[2])?.hasPrefix("AWS4-HMAC-SHA256 Credential=ASIA2/") == true)
    }

    @Test func aJSONCallIsAPostWithTheTargetSignedTheGenericWay() async throws {
        let transport = ScriptedTransport { _, _ in .success(HTTPResponse(status: 200, body: Array(#"{"StreamDescription":{}}"#.utf8))) }
        let response = try await Self.client(transport).sendJSON(
            target: "DynamoDBStreams_20120810.DescribeStream", body: Array(#"{"StreamArn":"arn"}"#.utf8))
        #expect(response.body == Array(#"{"StreamDescription":{}}"#.utf8))
        let request = try #require(transport.sent.first)
        #expect(request.method == "POST" && request.url == "http://127.0.0.1:8000/")
        #expect(Self.header("X-Amz-Target", request) == "DynamoDBStreams_20120810.DescribeStream")
        #expect(Self.header("Content-Type", request) == "application/x-amz-json-1.0")
        #expect(Self.header("X-Amz-Content-SHA256", request) == nil, "only S3 signs the payload hash as a header")
        #expect(
            Self.header("Authorization", request)?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,") == true,
            "\(Self.header("Authorization", request) ?? "")")
    }

    @Test func throttlingIsRetriedAndTheLastErrorCountsTheAttempts() async throws {
        let throttled = HTTPResponse(
            status: 400, headers: [("x-amzn-RequestId", "RID")],
            body: Array(#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}"#.utf8))
        let transport = ScriptedTransport { _, _ in .success(throttled) }
        let error = try await #require(throws: AWSError.self) {
            try await Self.client(transport, maxAttempts: 3).sendJSON(target: "DynamoDBStreams_20120810.GetRecords", body: Array("{}".utf8))
        }
        #expect(transport.sent.count == 3)
        #expect(error.code == .serviceError && error.serviceCode == "ThrottlingException" && error.status == 400)
        #expect(error.message == "Rate exceeded" && error.requestID == "RID" && error.attempts == 3)
        #expect(error.description == "ThrottlingException (HTTP 400): Rate exceeded [after 3 attempts] [request RID]")
    }

    @Test func whatCannotSucceedIsNotRetried() async throws {
        let transport = ScriptedTransport { _, _ in
            .success(HTTPResponse(status: 400, body: Array(#"{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"Iterator expired"}"#.utf8)))
        }
        let error = try await #require(throws: AWSError.self) {
            try await Self.client(transport).sendJSON(target: "DynamoDBStreams_20120810.GetRecords", body: Array("{}".utf8))
        }
        #expect(transport.sent.count == 1 && error.attempts == 1 && error.serviceCode == "ExpiredIteratorException")
    }

    @Test func brokenConnectionsAndServerErrorsAreRetriedUntilOneSucceeds() async throws {
        let transport = ScriptedTransport { index, _ in
            switch index {
            case 0: .failure(AWSError(.connectionFailed, "connection reset by peer"))
            case 1: .failure(AWSError(.timeout, "timed out"))
            case 2: .success(HTTPResponse(status: 500, body: Array(#"{"__type":"InternalServerError"}"#.utf8)))
            default: .success(HTTPResponse(status: 200))
            }
        }
        _ = try await Self.client(transport).sendJSON(target: "T.Op", body: [])
        #expect(transport.sent.count == 4)
    }

    @Test func noCredentialsIsAnErrorBeforeAnyRequest() async throws {
        let transport = ScriptedTransport { _, _ in .success(HTTPResponse(status: 200)) }
        let error = try await #require(throws: AWSError.self) {
            try await Self.client(transport, credentials: StaticCredentials(value: nil)).send(AWSRequest(method: "GET"))
        }
        #expect(error.code == .noCredentials && error.attempts == 1 && error.message.contains("AWS_ACCESS_KEY_ID"))
        #expect(transport.sent.isEmpty)
    }

    @Test(arguments: [
        ("aws.protocoltests#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/", "FooError"),
        ("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "ResourceNotFoundException"),
        ("TrimmedDataAccessException", "TrimmedDataAccessException"),
    ])
    func jsonErrorTypesAreTheirShapeName(_ type: String, _ name: String) {
        #expect(AWSClient.shapeName(type) == name)
    }

    @Test func endpointsKeepTheirBasePath() {
        let endpoint = AWSEndpoint(url: "http://127.0.0.1:9000/base")
        #expect(endpoint.origin == "http://127.0.0.1:9000" && endpoint.host == "127.0.0.1:9000" && endpoint.basePath == "/base")
        #expect(AWSEndpoint.aws(hostPrefix: "streams.dynamodb", region: "eu-west-1").host == "streams.dynamodb.eu-west-1.amazonaws.com")
    }
}
