import AWSCore
import Testing
import Timekeeping

@testable import DynamoStreams

/// The factory: region, endpoints and CA bundle as the AWS SDKs find them, and what it refuses.
@Suite struct DynamoStreamsClientMakeTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_REGION": "eu-west-1"]

    func make(endpoint: String? = nil, region: String? = nil, _ environment: [String: String]) throws(AWSError) -> DynamoStreamsClient {
        try DynamoStreamsClient.make(
            region: region, endpoint: endpoint, environment: environment, clock: .fixed(signingTime), transport: ScriptedTransport("{}"))
    }

    func origins(_ client: DynamoStreamsClient) -> [String] { [client.streamsEndpoint.origin, client.dynamoDBEndpoint.origin] }

    @Test func anExplicitEndpointServesBothServices() throws {
        let environment = Self.credentials.merging(["AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://s", "AWS_ENDPOINT_URL_DYNAMODB": "http://d"]) { $1 }
        #expect(origins(try make(endpoint: "http://127.0.0.1:5000/", environment)) == ["http://127.0.0.1:5000", "http://127.0.0.1:5000"])
        let client = try make(endpoint: "http://127.0.0.1:5000/", environment)
        #expect(client.streamsEndpoint.basePath == "" && client.dynamoDBEndpoint.basePath == "", "a trailing slash is not a base path")
    }

    @Test func eachServiceHasItsOwnVariableThenTheGlobalOne() throws {
        let environment = Self.credentials.merging(
            ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://streams:1", "AWS_ENDPOINT_URL_DYNAMODB": "http://ddb:2", "AWS_ENDPOINT_URL": "http://all:3"]) { $1 }
        #expect(origins(try make(environment)) == ["http://streams:1", "http://ddb:2"])
        #expect(origins(try make(environment.filter { $0.key != "AWS_ENDPOINT_URL_DYNAMODB" })) == ["http://streams:1", "http://all:3"])
        #expect(origins(try make(environment.filter { $0.key != "AWS_ENDPOINT_URL_DYNAMODB_STREAMS" })) == ["http://all:3", "http://ddb:2"])
        var ignoring = environment
        ignoring["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(origins(try make(ignoring)) == ["https://streams.dynamodb.eu-west-1.amazonaws.com", "https://dynamodb.eu-west-1.amazonaws.com"])
    }

    @Test func theRegionComesFromTheSettingThenTheEnvironment() throws {
        #expect(try make(region: "ap-south-1", Self.credentials).region == "ap-south-1")
        #expect(try make(Self.credentials).region == "eu-west-1")
        #expect(origins(try make(region: "us-west-2", Self.credentials)) == [
            "https://streams.dynamodb.us-west-2.amazonaws.com", "https://dynamodb.us-west-2.amazonaws.com",
        ])
    }

    @Test func noRegionIsAConfigurationError() {
        let environment = ["HOME": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent/config"]
        let error = #expect(throws: AWSError.self) { try make(environment) }
        #expect(error?.code == .invalidConfiguration && error?.message.contains("AWS_REGION") == true)
    }

    @Test(arguments: [
        (nil, ["AWS_ENDPOINT_URL_DYNAMODB": "127.0.0.1:5000"], "AWS_ENDPOINT_URL_DYNAMODB \"127.0.0.1:5000\""),
        (nil, ["AWS_ENDPOINT_URL": "localhost"], "AWS_ENDPOINT_URL \"localhost\""),
        ("ftp://x", [:], "the endpoint \"ftp://x\""),
        ("http:///path", [:], "the endpoint \"http:///path\""),
        (nil, ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "https://"], "AWS_ENDPOINT_URL_DYNAMODB_STREAMS \"https://\""),
    ] as [(String?, [String: String], String)])
    func anEndpointThatIsNotAURLIsRefusedNamingWhereItCameFrom(endpoint: String?, environment: [String: String], named: String) {
        let error = #expect(throws: AWSError.self) { try make(endpoint: endpoint, Self.credentials.merging(environment) { $1 }) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message == "\(named) is not an http:// or https:// URL with a host")
    }

    @Test func anUnreadableCABundleFromTheEnvironmentIsNamedSo() {
        let environment = Self.credentials.merging(["AWS_CA_BUNDLE": "/nonexistent/ca.pem"]) { $1 }
        let error = #expect(throws: AWSError.self) { try DynamoStreamsClient.make(environment: environment, clock: .fixed(signingTime)) }
        #expect(error?.code == .invalidConfiguration && error?.message.hasPrefix("AWS_CA_BUNDLE: ") == true)
        #expect(error?.message.contains("/nonexistent/ca.pem") == true)
    }

    @Test func theSettingsAndTheCredentialChainReachTheRequests() async throws {
        let transport = ScriptedTransport(#"{"ShardIterator":"i"}"#)
        let client = try DynamoStreamsClient.make(
            region: "ca-central-1", endpoint: "http://127.0.0.1:5000", retry: RetryPolicy(maxAttempts: 1), requestTimeoutMillis: 999,
            environment: ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SESSION_TOKEN": "TOK"], clock: .fixed(signingTime),
            transport: transport)
        #expect(try await client.resolveCredentials().accessKeyID == "ENVKEY")
        _ = try await client.shardIterator(streamArn: "a", shardId: "s", start: .trimHorizon)
        let request = try #require(transport.sent.first)
        #expect(request.timeoutMillis == 999 && request.url == "http://127.0.0.1:5000/")
        #expect(request.header("X-Amz-Security-Token") == "TOK")
        #expect(request.header("Authorization")?.contains("Credential=ENVKEY/20260101/ca-central-1/dynamodb/aws4_request") == true)
    }

    @Test func missingCredentialsShowBeforeAnythingIsSent() async throws {
        let transport = ScriptedTransport("{}")
        let environment = ["AWS_REGION": "eu-west-1", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]
        let client = try DynamoStreamsClient.make(environment: environment, clock: .fixed(signingTime), transport: transport)
        let error = try await #require(throws: AWSError.self) { try await client.resolveCredentials() }
        #expect(error.code == .noCredentials)
        #expect(transport.sent.isEmpty)
    }
}
