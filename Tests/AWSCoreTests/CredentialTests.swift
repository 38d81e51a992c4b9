import Foundation
import Synchronization
import Testing

@testable import AWSCore
import Timekeeping

@Suite struct CredentialTests {
    func temporaryFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID().uuidString)")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    let noHTTP = ScriptedTransport { _, _ in .failure(AWSError(.connectionFailed, "no network in this test")) }

    @Test func environmentComesFirst() async throws {
        let environment = ["AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "SKENV", "AWS_SESSION_TOKEN": "T", "AWS_SHARED_CREDENTIALS_FILE": try temporaryFile("[default]\naws_access_key_id = AKFILE\naws_secret_access_key = SKFILE\n")]
        let found = try await CredentialChain.standard(environment: environment, http: noHTTP).credentials()
        #expect(found == AWSCredentials(accessKeyID: "AKENV", secretAccessKey: "SKENV", sessionToken: "T"))
    }

    @Test func halfAnEnvironmentPairIsAnError() async {
        await #expect(throws: AWSError.self) {
            try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AK"]).credentials()
        }
    }

    @Test func profilesFromTheSharedFiles() async throws {
        let credentials = try temporaryFile(
            """
            # comment
            [default]
            aws_access_key_id = AKDEF
            aws_secret_access_key = SKDEF

            [ci]
            aws_access_key_id=AKCI
            aws_secret_access_key=SKCI
            aws_session_token = TOKCI
            """)
        let config = try temporaryFile(
            """
            [default]
            region = eu-central-1
            [profile ci]
            region = ap-south-1
            s3 =
              addressing_style = path
            [profile cfgonly]
            aws_access_key_id = AKCFG
            aws_secret_access_key = SKCFG
            """)
        var environment = ["AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config]
        let chain = { (env: [String: String], profile: String?) in CredentialChain.standard(environment: env, profile: profile, http: self.noHTTP) }
        #expect(try await chain(environment, nil).credentials()?.accessKeyID == "AKDEF")
        #expect(try await chain(environment, "ci").credentials() == AWSCredentials(accessKeyID: "AKCI", secretAccessKey: "SKCI", sessionToken: "TOKCI"))
        #expect(try await chain(environment, "cfgonly").credentials()?.accessKeyID == "AKCFG")
        environment["AWS_PROFILE"] = "ci"
        #expect(try await chain(environment, nil).credentials()?.accessKeyID == "AKCI")
        #expect(RegionResolver.region(flag: nil, environment: environment, profile: nil) == "ap-south-1")
        #expect(RegionResolver.region(flag: "us-west-2", environment: environment, profile: nil) == "us-west-2")
        #expect(RegionResolver.region(flag: nil, environment: environment.merging(["AWS_REGION": "sa-east-1"]) { $1 }, profile: nil) == "sa-east-1")
        await #expect {
            try await chain(environment, "nope").credentials()
        } throws: { "\($0)".contains("profile \"nope\"") }
    }

    @Test func containerCredentialsWithAnAuthorizationTokenFile() async throws {
        let tokenFile = try temporaryFile("secret-token\n")
        let transport = ScriptedTransport { _, request in
            guard request.url == "http://127.0.0.1:9911/creds", request.headers.contains(where: { $0 == ("Authorization", "secret-token") }) else {
                return .success(HTTPResponse(status: 401))
            }
            return .success(HTTPResponse(status: 200, body: Array(#"{"AccessKeyId":"AKC","SecretAccessKey":"SKC","Token":"TC","Expiration":"2026-01-01T01:00:00Z"}"#.utf8)))
        }
        let environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9911/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile]
        let found = try await CredentialChain.standard(environment: environment, http: transport).credentials()
        #expect(found == AWSCredentials(accessKeyID: "AKC", secretAccessKey: "SKC", sessionToken: "TC", expiration: EpochMillis(seconds: 1_767_229_200)))
    }

    @Test func relativeContainerURIGoesToTheECSAgent() async throws {
        let transport = ScriptedTransport { _, request in
            #expect(request.url == "http://169.254.170.2/v2/credentials/abc")
            return .success(HTTPResponse(status: 200, body: Array(#"{"AccessKeyId":"A","SecretAccessKey":"S"}"#.utf8)))
        }
        let found = try await ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], http: transport).credentials()
        #expect(found?.accessKeyID == "A")
    }

    @Test func imdsV2TokenThenRoleThenCredentials() async throws {
        let transport = ScriptedTransport { _, request in
            switch (request.method, request.url) {
            case ("PUT", "http://127.0.0.1:1338/latest/api/token"):
                #expect(request.headers.contains { $0.name == "X-aws-ec2-metadata-token-ttl-seconds" })
                return .success(HTTPResponse(status: 200, body: Array("TOKEN-1".utf8)))
            case ("GET", "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/"):
                #expect(request.headers.contains { $0 == ("X-aws-ec2-metadata-token", "TOKEN-1") })
                return .success(HTTPResponse(status: 200, body: Array("my-role\n".utf8)))
            case ("GET", "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/my-role"):
                return .success(HTTPResponse(status: 200, body: Array(#"{"Code":"Success","AccessKeyId":"AKI","SecretAccessKey":"SKI","Token":"TI","Expiration":"2026-01-01T06:00:00Z"}"#.utf8)))
            default:
                return .success(HTTPResponse(status: 404))
            }
        }
        let found = try await CredentialChain.standard(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338/"], http: transport).credentials()
        #expect(found == AWSCredentials(accessKeyID: "AKI", secretAccessKey: "SKI", sessionToken: "TI", expiration: EpochMillis(seconds: 1_767_247_200)))
    }

    @Test func noSourceAtAllIsNil() async throws {
        let found = try await CredentialChain.standard(environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"], http: noHTTP).credentials()
        #expect(found == nil)
    }

    @Test func expiringCredentialsAreRefreshedBeforeTheyExpire() async throws {
        let clock = ManualClock(EpochMillis(seconds: 1000))
        let fetches = Mutex(0)
        let provider = RefreshingCredentialProvider(
            Counting(fetches: { fetches.withLock { $0 += 1; return $0 } }), marginMillis: 300_000, clock: clock.clock)
        #expect(try await provider.credentials()?.accessKeyID == "AK1")
        clock.set(EpochMillis(seconds: 1000 + 3600 - 301))
        #expect(try await provider.credentials()?.accessKeyID == "AK1", "still fresh")
        clock.set(EpochMillis(seconds: 1000 + 3600 - 300))
        #expect(try await provider.credentials()?.accessKeyID == "AK2", "refreshed within the margin, before expiry")
    }

    @Test func iso8601Expirations() {
        #expect(epochSeconds(iso8601: "1970-01-01T00:00:00Z") == 0)
        #expect(epochSeconds(iso8601: "2026-01-01T00:00:00.123Z") == 1_767_225_600)
        #expect(epochSeconds(iso8601: "2026-01-01T02:00:00+02:00") == 1_767_225_600)
        #expect(epochSeconds(iso8601: "2026-02-28T18:29:59-05:30") == 1_772_323_199)
        #expect(epochSeconds(iso8601: "yesterday") == nil)
        #expect(epochSeconds(iso8601: "2026-01-01") == nil)
    }
}

/// Credentials numbered by fetch, the n-th expiring at 1000 + 3600 × n seconds.
struct Counting: CredentialProvider {
    let fetches: @Sendable () -> Int
    var name: String { "counting" }
    func credentials() async throws(AWSError) -> AWSCredentials? {
        let n = fetches()
        return AWSCredentials(accessKeyID: "AK\(n)", secretAccessKey: "S", sessionToken: "T", expiration: EpochMillis(seconds: 1000 + 3600 * Int64(n)))
    }
}
