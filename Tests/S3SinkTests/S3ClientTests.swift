import AWSCore
import Synchronization
import Testing
import Timekeeping

@testable import S3Sink

/// A scripted transport: answers each request with what `respond` says, and records them.
final class ScriptedTransport: HTTPTransport, Sendable {
    let requests = Mutex<[HTTPRequest]>([])
    let respond: @Sendable (Int, HTTPRequest) -> Result<HTTPResponse, AWSError>

    init(_ respond: @escaping @Sendable (Int, HTTPRequest) -> Result<HTTPResponse, AWSError>) { self.respond = respond }

    func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse {
        let index = requests.withLock { $0.append(request); return $0.count - 1 }
        return try respond(index, request).get()
    }

    var sent: [HTTPRequest] { requests.withLock { $0 } }
}

struct StaticCredentials: CredentialProvider {
    var value: AWSCredentials?
    var name: String { "static" }
    func credentials() async throws(AWSError) -> AWSCredentials? { value }
}

func error(_ status: Int, _ code: String) -> Result<HTTPResponse, AWSError> {
    .success(HTTPResponse(status: status, body: Array("<?xml version=\"1.0\"?><Error><Code>\(code)</Code><Message>the \(code) message</Message><RequestId>R1</RequestId></Error>".utf8)))
}

let ok = Result<HTTPResponse, AWSError>.success(HTTPResponse(status: 200, headers: [("ETag", "\"e\"")]))

func client(_ transport: ScriptedTransport, endpoint: String? = "http://127.0.0.1:9000", maxAttempts: Int = 4, threshold: Int = 16 << 20, sse: ServerSideEncryption? = nil)
    -> S3Client
{
    S3Client(
        configuration: S3Configuration(
            bucket: "bkt", region: "eu-west-1", endpoint: endpoint, serverSideEncryption: sse, multipartThreshold: threshold,
            partSize: 5 << 20, retry: RetryPolicy(maxAttempts: maxAttempts, baseDelayMillis: 1, maxDelayMillis: 4)),
        credentials: StaticCredentials(value: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK", sessionToken: "TOKEN")),
        transport: transport, clock: .fixed(EpochMillis(seconds: 1_767_225_600)), sleep: { _ in })
}

@Suite struct S3ClientTests {
    @Test func contentMD5IsTheBase64OfTheBodysMD5() {
        // Python: base64.b64encode(hashlib.md5(body).digest())
        #expect(S3Client.md5Base64([]) == "1B2M2Y8AsgTpgAmY7PhCfg==")
        #expect(S3Client.md5Base64(Array("hello world".utf8)) == "XrY7u+Ae7tCTyyK7j1rNww==")
    }

    @Test func amzDatesFromEpochSeconds() {
        #expect(AmzDate(epochSeconds: 1_440_938_160).timestamp == "20150830T123600Z")
        #expect(AmzDate(epochSeconds: 1_772_323_199).timestamp == "20260228T235959Z")
        #expect(AmzDate(epochSeconds: 0).day == "19700101")
    }

    @Test func putIsSignedPathStyleWithAChecksum() async throws {
        let transport = ScriptedTransport { _, _ in ok }
        try await client(transport).put(key: "p/dt=2026-01-01/HH=00/a b+c.ndjson.gz", body: Array("hello".utf8), contentType: "application/gzip")
        let request = try #require(transport.sent.first)
        #expect(request.method == "PUT")
        #expect(request.url == "http://127.0.0.1:9000/bkt/p/dt%3D2026-01-01/HH%3D00/a%20b%2Bc.ndjson.gz")
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["host"] == "127.0.0.1:9000")
        #expect(headers["content-md5"] == "XUFAKrxLKna5cZ2REBfFkg==")
        #expect(headers["x-amz-content-sha256"] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(headers["x-amz-security-token"] == "TOKEN")
        #expect(headers["x-amz-date"] == "20260101T000000Z")
        #expect(headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AK/20260101/eu-west-1/s3/aws4_request, SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=") == true)
        #expect(request.body == Array("hello".utf8))
    }

    @Test func awsUsesVirtualHostedAddressing() {
        let location = client(ScriptedTransport { _, _ in ok }, endpoint: nil).location("dt=1/a.gz")
        #expect(location.url == "https://bkt.s3.eu-west-1.amazonaws.com/dt%3D1/a.gz")
        #expect(location.host == "bkt.s3.eu-west-1.amazonaws.com" && location.path == "/dt%3D1/a.gz")
    }

    @Test(arguments: [
        (ServerSideEncryption.aes256, ["x-amz-server-side-encryption: AES256"]),
        (.kms(keyID: "arn:aws:kms:eu-west-1:1:key/k"), ["x-amz-server-side-encryption: aws:kms", "x-amz-server-side-encryption-aws-kms-key-id: arn:aws:kms:eu-west-1:1:key/k"]),
        (.kms(keyID: nil), ["x-amz-server-side-encryption: aws:kms"]),
    ])
    func encryptionHeaders(_ sse: ServerSideEncryption, _ expected: [String]) async throws {
        let transport = ScriptedTransport { _, _ in ok }
        try await client(transport, sse: sse).put(key: "k", body: [1])
        let sent = transport.sent[0].headers.filter { $0.name.hasPrefix("x-amz-server-side") }.map { "\($0.name): \($0.value)" }
        #expect(sent == expected)
    }

    @Test func retriesWhatCanSucceed() async throws {
        let transport = ScriptedTransport { index, _ in
            switch index {
            case 0: error(500, "InternalError")
            case 1: error(503, "SlowDown")
            case 2: .failure(AWSError(.connectionFailed, "connection reset by peer"))
            case 3: .failure(AWSError(.timeout, "timed out"))
            default: ok
            }
        }
        try await client(transport, maxAttempts: 5).put(key: "k", body: [1, 2])
        #expect(transport.sent.count == 5)
        #expect(Set(transport.sent.map { $0.headers.first { $0.name == "Authorization" }!.value }).count == 1, "same time, same signature")
    }

    @Test(arguments: [
        (403, "SignatureDoesNotMatch"), (403, "InvalidAccessKeyId"), (404, "NoSuchBucket"), (400, "ExpiredToken"), (403, "AccessDenied"),
        (400, "InvalidArgument"),
    ])
    func failsFastOnWhatCannotSucceed(_ status: Int, _ code: String) async throws {
        let transport = ScriptedTransport { _, _ in error(status, code) }
        await #expect {
            try await client(transport).put(key: "k", body: [1])
        } throws: { thrown in
            let thrown = thrown as! S3Error
            return thrown.code == code && thrown.status == status && thrown.attempts == 1 && thrown.description.contains("the \(code) message")
                && thrown.requestID == "R1"
        }
        #expect(transport.sent.count == 1)
    }

    @Test func givesUpAfterTheRetryBudgetNamingTheError() async throws {
        let transport = ScriptedTransport { _, _ in error(503, "SlowDown") }
        await #expect {
            try await client(transport, maxAttempts: 3).put(key: "p/k", body: [1])
        } throws: { thrown in
            let thrown = thrown as! S3Error
            return thrown.code == "SlowDown" && thrown.attempts == 3 && thrown.description.contains("after 3 attempts")
        }
        #expect(transport.sent.count == 3)
    }

    @Test func multipartUploadsInPartsAndCompletes() async throws {
        let transport = ScriptedTransport { _, request in
            if request.method == "POST" && request.url.hasSuffix("?uploads=") {
                return .success(HTTPResponse(status: 200, body: Array("<InitiateMultipartUploadResult><UploadId>up/1+</UploadId></InitiateMultipartUploadResult>".utf8)))
            }
            if request.method == "PUT" { return .success(HTTPResponse(status: 200, headers: [("ETag", "\"p\(request.body.count)\"")])) }
            return .success(HTTPResponse(status: 200, body: Array("<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>".utf8)))
        }
        let body = [UInt8](repeating: 7, count: (5 << 20) * 2 + 10)
        let etag = try await client(transport, threshold: 5 << 20).put(key: "big.gz", body: body)
        #expect(etag == "\"x-3\"")
        let sent = transport.sent
        #expect(sent.map(\.method) == ["POST", "PUT", "PUT", "PUT", "POST"])
        #expect(sent[1].url.hasSuffix("?partNumber=1&uploadId=up%2F1%2B") && sent[1].body.count == 5 << 20)
        #expect(sent[3].body.count == 10)
        let complete = String(decoding: sent[4].body, as: UTF8.self)
        #expect(complete.contains("<Part><PartNumber>3</PartNumber><ETag>&quot;p10&quot;</ETag></Part>"))
    }

    @Test func failedMultipartUploadIsAborted() async throws {
        let transport = ScriptedTransport { _, request in
            if request.method == "POST" { return .success(HTTPResponse(status: 200, body: Array("<UploadId>u1</UploadId>".utf8))) }
            if request.method == "PUT" { return error(403, "AccessDenied") }
            return .success(HTTPResponse(status: 204))
        }
        await #expect(throws: S3Error.self) {
            try await client(transport, threshold: 5 << 20).put(key: "big.gz", body: [UInt8](repeating: 1, count: 6 << 20))
        }
        #expect(transport.sent.last?.method == "DELETE" && transport.sent.last?.url.hasSuffix("?uploadId=u1") == true)
    }

    @Test func completeAnswering200WithAnErrorIsAnError() async throws {
        let transport = ScriptedTransport { _, request in
            if request.method == "POST" && request.url.hasSuffix("uploads=") { return .success(HTTPResponse(status: 200, body: Array("<UploadId>u1</UploadId>".utf8))) }
            if request.method == "PUT" { return ok }
            if request.method == "DELETE" { return .success(HTTPResponse(status: 204)) }
            return .success(HTTPResponse(status: 200, body: Array("<Error><Code>InvalidPart</Code><Message>bad part</Message></Error>".utf8)))
        }
        await #expect {
            try await client(transport, threshold: 5 << 20).put(key: "big.gz", body: [UInt8](repeating: 1, count: 6 << 20))
        } throws: { ($0 as! S3Error).code == "InvalidPart" }
        #expect(transport.sent.last?.method == "DELETE")
    }

    /// A scripted multipart upload whose CompleteMultipartUpload is answered by `complete` (its
    /// attempt number from 1); every other request succeeds.
    func multipartTransport(complete: @escaping @Sendable (Int) -> Result<HTTPResponse, AWSError>) -> ScriptedTransport {
        let completes = Mutex(0)
        return ScriptedTransport { _, request in
            if request.method == "POST" && request.url.hasSuffix("uploads=") { return .success(HTTPResponse(status: 200, body: Array("<UploadId>u1</UploadId>".utf8))) }
            if request.method == "PUT" { return ok }
            if request.method == "DELETE" { return .success(HTTPResponse(status: 204)) }
            return complete(completes.withLock { $0 += 1; return $0 })
        }
    }

    static let completed = HTTPResponse(status: 200, body: Array("<CompleteMultipartUploadResult><ETag>\"m-1\"</ETag></CompleteMultipartUploadResult>".utf8))

    @Test(arguments: [
        "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>",
        // As S3 sends it: whitespace while it works, then the document.
        "\n \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>try again</Message><RequestId>R9</RequestId></Error>",
        "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
    ])
    func completeAnswering200WithARetryableErrorIsRetried(_ body: String) async throws {
        let transport = multipartTransport { attempt in
            attempt == 1 ? .success(HTTPResponse(status: 200, body: Array(body.utf8))) : .success(Self.completed)
        }
        let etag = try await client(transport, threshold: 5 << 20).put(key: "big.gz", body: [UInt8](repeating: 1, count: 6 << 20))
        #expect(etag == "\"m-1\"")
        #expect(transport.sent.map(\.method) == ["POST", "PUT", "PUT", "POST", "POST"], "the complete is retried, nothing aborted")
        #expect(transport.sent[3].body == transport.sent[4].body)
    }

    @Test func completeAnswering200WithAnInternalErrorEveryTimeGivesUpThenAborts() async throws {
        let transport = multipartTransport { _ in
            .success(HTTPResponse(status: 200, body: Array("<Error><Code>InternalError</Code><Message>nope</Message></Error>".utf8)))
        }
        await #expect {
            try await client(transport, maxAttempts: 3, threshold: 5 << 20).put(key: "big.gz", body: [UInt8](repeating: 1, count: 6 << 20))
        } throws: { thrown in
            let thrown = thrown as! S3Error
            return thrown.code == "InternalError" && thrown.status == 200 && thrown.attempts == 3
        }
        #expect(transport.sent.map(\.method) == ["POST", "PUT", "PUT", "POST", "POST", "POST", "DELETE"])
    }

    @Test(arguments: [301, 302, 303, 307, 308])
    func aRedirectIsAnErrorNamingTheLocationAndIsNotRetried(_ status: Int) async throws {
        let transport = ScriptedTransport { _, _ in
            .success(HTTPResponse(status: status, headers: [("Location", "http://elsewhere.example:8080/bkt/k?x=1")]))
        }
        await #expect {
            try await client(transport).put(key: "k", body: [1])
        } throws: { thrown in
            let thrown = thrown as! S3Error
            return thrown.status == status && thrown.attempts == 1 && thrown.description.contains("http://elsewhere.example:8080/bkt/k?x=1")
                && thrown.description.contains("redirect")
        }
        #expect(transport.sent.count == 1)
    }

    @Test func aLocationIsShownWithoutControlCharacters() async throws {
        let transport = ScriptedTransport { _, _ in
            .success(HTTPResponse(status: 307, headers: [("Location", "http://x/\u{1B}[2J\r\nFake: line")]))
        }
        await #expect {
            try await client(transport).put(key: "k", body: [1])
        } throws: { thrown in
            let text = "\(thrown)"
            return !text.unicodeScalars.contains { $0.properties.generalCategory == .control } && text.contains("http://x/")
        }
    }

    @Test func s3sPermanentRedirectNamesTheBucketsRegion() async throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>bkt.s3.eu-central-1.amazonaws.com</Endpoint><Bucket>bkt</Bucket><RequestId>R2</RequestId></Error>
            """
        let transport = ScriptedTransport { _, _ in
            .success(HTTPResponse(status: 301, headers: [("x-amz-bucket-region", "eu-central-1")], body: Array(body.utf8)))
        }
        await #expect {
            try await client(transport, endpoint: nil).put(key: "k", body: [1])
        } throws: { thrown in
            let thrown = thrown as! S3Error
            return thrown.code == "PermanentRedirect" && thrown.status == 301 && thrown.attempts == 1
                && thrown.description.contains("eu-central-1") && thrown.description.contains("--region")
                && thrown.description.contains("bkt.s3.eu-central-1.amazonaws.com")
        }
    }

    @Test func partSizeKeepsWithinTenThousandParts() {
        let c = client(ScriptedTransport { _, _ in ok })
        #expect(c.partSize(for: 100) == 5 << 20)
        let size = c.partSize(for: 200_000 << 20)
        #expect(size > 5 << 20 && size * 10_000 >= 200_000 << 20 && (size - 1) * 10_000 < 200_000 << 20)
    }

    @Test func missingCredentialsAreAClearErrorWithoutARequest() async {
        let transport = ScriptedTransport { _, _ in ok }
        let c = S3Client(
            configuration: S3Configuration(bucket: "b", region: "us-east-1"), credentials: StaticCredentials(value: nil),
            transport: transport, clock: .fixed(EpochMillis(rawValue: 0)), sleep: { _ in })
        await #expect {
            try await c.put(key: "k", body: [1])
        } throws: { ($0 as! S3Error).code == "NoCredentials" && "\($0)".contains("AWS_ACCESS_KEY_ID") }
        #expect(transport.sent.isEmpty)
    }

    @Test func retryDelaysGrowAndStayWithinTheirCeiling() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelayMillis: 100, maxDelayMillis: 1000)
        var rng = SystemRandomNumberGenerator()
        for attempt in 1...8 {
            let ceiling = min(1000, Int64(100) << (attempt - 1))
            for _ in 0..<50 { #expect((0...ceiling).contains(policy.delayMillis(afterAttempt: attempt, using: &rng))) }
        }
    }
}

/// A credentials endpoint whose answer holds the secret and fails: S3Client's error names the
/// field, and repeats nothing of the answer (AWSCoreTests' CredentialLeakTests go through every
/// way the answer can fail; this follows a few of them on into ``S3Error``).
@Suite struct S3CredentialLeakTests {
    static let secret = "LEAKCANARYsecret/wJalrXUtnFEMI+K7MDENG"

    @Test(arguments: [
        (200, #"{"AccessKeyId":"ASIALEAKCANARY","SecretAccessKey":12345,"Token":"LEAKCANARYtoken"}"#, "SecretAccessKey"),
        (200, #"{"AccessKeyId":"ASIALEAKCANARY","SecretAccessKey":"LEAKCANARYsecret/wJalrXUtnFEMI+K7MDENG","Token":"LEAKCANARYtoken""#, "JSON object"),
        (403, "denied for LEAKCANARYsecret/wJalrXUtnFEMI+K7MDENG", "HTTP 403"),
    ])
    func aFailingContainerEndpointReachesS3ErrorWithoutItsAnswer(_ status: Int, _ body: String, _ named: String) async throws {
        let transport = ScriptedTransport { _, _ in .success(HTTPResponse(status: status, body: Array(body.utf8))) }
        let environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9911/creds"]
        let credentials = RefreshingCredentialProvider(
            CredentialChain.standard(environment: environment, http: transport), clock: .fixed(EpochMillis(rawValue: 0)))
        let s3 = S3Client(
            configuration: S3Configuration(bucket: "b", region: "us-east-1"), credentials: credentials, transport: transport,
            clock: .fixed(EpochMillis(rawValue: 0)), sleep: { _ in })
        let error = try await #require(throws: S3Error.self) { try await s3.put(key: "k", body: [1]) }
        #expect(!error.description.contains("LEAKCANARY"), "\(error)")
        #expect(error.code == "NoCredentials" && error.description.contains(named) && error.description.contains("container credentials"), "\(error)")
        #expect(transport.sent.count == 1, "S3 was not asked")
    }
}
