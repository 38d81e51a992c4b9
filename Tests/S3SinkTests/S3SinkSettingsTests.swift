import AWSCore
import Foundation
import Testing
import Timekeeping

@testable import S3Sink

/// The one S3 factory: what it finds in the environment, and what it refuses.
@Suite struct S3SinkSettingsTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"]
    static let clock = EpochClock.fixed(EpochMillis(seconds: 1_767_225_600))

    func make(_ settings: S3SinkSettings, _ environment: [String: String]) throws(AWSError) -> S3Client {
        try S3Client.make(settings, environment: environment, clock: Self.clock, transport: ScriptedTransport { _, _ in ok })
    }

    @Test func theDefaultsAreTheOneRetryPolicyAndTheDocumentedSizes() {
        let settings = S3SinkSettings(bucket: "b")
        #expect(settings.retry == RetryPolicy())
        #expect(settings.retry == RetryPolicy(maxAttempts: 5, baseDelayMillis: 200, maxDelayMillis: 10_000))
        #expect(settings.multipartThreshold == 16 << 20 && settings.partSize == 8 << 20 && settings.requestTimeoutMillis == 60_000)
    }

    @Test func theEndpointComesFromTheSettingThenTheS3VariableThenTheGlobalOne() throws {
        let environment = Self.credentials.merging(["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_S3": "http://s3var", "AWS_ENDPOINT_URL": "http://all"]) { $1 }
        #expect(try make(S3SinkSettings(bucket: "b", endpoint: "http://flag"), environment).configuration.endpoint == "http://flag")
        #expect(try make(S3SinkSettings(bucket: "b"), environment).configuration.endpoint == "http://s3var")
        #expect(try make(S3SinkSettings(bucket: "b"), environment.filter { $0.key != "AWS_ENDPOINT_URL_S3" }).configuration.endpoint == "http://all")
        let onAWS = try make(S3SinkSettings(bucket: "b"), Self.credentials.merging(["AWS_REGION": "eu-west-1"]) { $1 })
        #expect(onAWS.configuration.endpoint == nil && onAWS.location("k").url == "https://b.s3.eu-west-1.amazonaws.com/k")
    }

    @Test func theRegionComesFromTheSettingThenTheEnvironment() throws {
        let environment = Self.credentials.merging(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"]) { $1 }
        #expect(try make(S3SinkSettings(bucket: "b", region: "ap-south-1"), environment).configuration.region == "ap-south-1")
        #expect(try make(S3SinkSettings(bucket: "b"), environment).configuration.region == "eu-west-1")
        #expect(try make(S3SinkSettings(bucket: "b"), environment.filter { $0.key != "AWS_REGION" }).configuration.region == "us-west-2")
    }

    @Test func noRegionAnywhereIsAConfigurationError() {
        let environment = Self.credentials.merging(["HOME": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent/config"]) { $1 }
        #expect {
            try make(S3SinkSettings(bucket: "b"), environment)
        } throws: { error in
            let error = error as! AWSError
            return error.code == .invalidConfiguration && error.message.contains("s3://b") && error.message.contains("AWS_REGION")
        }
    }

    @Test func anUnreadableCABundleFromTheEnvironmentIsNamedSo() {
        let environment = Self.credentials.merging(["AWS_REGION": "eu-west-1", "AWS_CA_BUNDLE": "/nonexistent/ca.pem"]) { $1 }
        #expect {
            try S3Client.make(S3SinkSettings(bucket: "b"), environment: environment, clock: Self.clock)
        } throws: { error in
            let error = error as! AWSError
            return error.code == .invalidConfiguration && error.message.hasPrefix("AWS_CA_BUNDLE: ") && error.message.contains("/nonexistent/ca.pem")
        }
    }

    @Test func theSettingsReachTheClient() async throws {
        let transport = ScriptedTransport { _, _ in ok }
        let settings = S3SinkSettings(
            bucket: "bkt", region: "eu-west-1", endpoint: "http://127.0.0.1:9000", serverSideEncryption: .aes256,
            retry: RetryPolicy(maxAttempts: 2, baseDelayMillis: 1, maxDelayMillis: 1), requestTimeoutMillis: 1234)
        let client = try S3Client.make(settings, environment: Self.credentials, clock: Self.clock, transport: transport)
        #expect(try await client.resolveCredentials().accessKeyID == "AK")
        try await client.put(key: "k", body: [1])
        let request = try #require(transport.sent.first)
        #expect(request.url == "http://127.0.0.1:9000/bkt/k" && request.timeoutMillis == 1234)
        #expect(request.headers.contains { $0 == ("X-Amz-Date", "20260101T000000Z") }, "signed at the clock's time")
        #expect(request.headers.contains { $0 == ("x-amz-server-side-encryption", "AES256") })
    }

    @Test func missingCredentialsShowBeforeAnythingIsSent() async throws {
        let transport = ScriptedTransport { _, _ in ok }
        let environment = ["AWS_REGION": "eu-west-1", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]
        let client = try S3Client.make(S3SinkSettings(bucket: "b"), environment: environment, clock: Self.clock, transport: transport)
        let error = try await #require(throws: AWSError.self) { try await client.resolveCredentials() }
        #expect(error.code == .noCredentials && error.message.contains("AWS_ACCESS_KEY_ID"))
        #expect(transport.sent.isEmpty)
    }
}
