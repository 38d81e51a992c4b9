import Synchronization
import Testing

@testable import AWSCore
import Timekeeping

/// Container-credentials and IMDS answers hold secrets: every way they can go wrong gives an error
/// that names the field or the status, and never repeats what was sent (stderr is the log on
/// ECS, EKS and Lambda). Every value served carries the marker `LEAKCANARY`.
@Suite struct CredentialLeakTests {
    static let mark = "LEAKCANARY"
    static let accessKey = "ASIA\(mark)KEY1"
    static let secret = "\(mark)secret/wJalrXUtnFEMI+K7MDENG"
    static let token = "\(mark)token//IQoJb3JpZ2luX2VjEJr"
    static let imdsToken = "\(mark)imdsSession=="
    /// Pieces of the values, so that a truncated echo is caught too.
    static let pieces = [mark, String(secret.dropFirst(mark.count).prefix(12)), String(token.dropFirst(mark.count).prefix(12)), String(imdsToken.dropFirst(mark.count).prefix(8))]

    /// A credentials document: the good fields, with `changes` (JSON text of a value, or nil to remove one).
    static func document(_ changes: [String: String?] = [:]) -> String {
        var fields: [(String, String?)] = [
            ("Code", #""Success""#), ("AccessKeyId", "\"\(accessKey)\""), ("SecretAccessKey", "\"\(secret)\""), ("Token", "\"\(token)\""),
            ("Expiration", #""2099-01-01T00:00:00Z""#),
        ]
        for index in fields.indices where changes.keys.contains(fields[index].0) { fields[index].1 = changes[fields[index].0]! }
        return "{" + fields.compactMap { name, value in value.map { "\"\(name)\":\($0)" } }.joined(separator: ",") + "}"
    }

    static func leaked(_ text: String) -> String? { pieces.first { text.contains($0) } }

    /// (what, status, body, words the error must hold)
    static let containerFailures: [(String, Int, String, [String])] = [
        ("truncated in the secret", 200, String(document().prefix { $0 != "/" }), ["JSON object"]),
        ("truncated after a field", 200, String(document().dropLast(40)), ["JSON object"]),
        ("an array", 200, "[\(document())]", ["JSON object"]),
        ("not JSON", 200, "AccessKeyId=\(accessKey)&SecretAccessKey=\(secret)", ["JSON object"]),
        ("no AccessKeyId", 200, document(["AccessKeyId": nil]), ["AccessKeyId"]),
        ("AccessKeyId a number", 200, document(["AccessKeyId": "12345"]), ["AccessKeyId"]),
        ("AccessKeyId empty", 200, document(["AccessKeyId": #""""#]), ["AccessKeyId"]),
        ("no SecretAccessKey", 200, document(["SecretAccessKey": nil]), ["SecretAccessKey"]),
        ("SecretAccessKey null", 200, document(["SecretAccessKey": "null"]), ["SecretAccessKey"]),
        ("SecretAccessKey a number", 200, document(["SecretAccessKey": "12345"]), ["SecretAccessKey"]),
        ("SecretAccessKey an object", 200, document(["SecretAccessKey": "{\"v\":\"\(secret)\"}"]), ["SecretAccessKey"]),
        ("Token a number", 200, document(["Token": "7"]), ["Token"]),
        ("Token an array", 200, document(["Token": "[\"\(token)\"]"]), ["Token"]),
        ("Expiration not a time", 200, document(["Expiration": "\"\(mark)-tomorrow\""]), ["Expiration"]),
        ("Expiration a number", 200, document(["Expiration": "4102444800"]), ["Expiration"]),
        ("a failure Code", 200, "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"no \(secret)\"}", ["AssumeRoleUnauthorizedAccess"]),
        ("a Code that is not a word", 200, "{\"Code\":\"\(secret)\"}", ["AccessKeyId"]),
        ("HTTP 500 with the document", 500, document(), ["HTTP 500"]),
        ("HTTP 403 with the secret", 403, "denied for \(secret)", ["HTTP 403"]),
        ("HTTP 307 with the document", 307, document(), ["HTTP 307"]),
    ]

    @Test(arguments: containerFailures)
    func containerFailuresNameTheFieldNotTheBody(_ what: String, _ status: Int, _ body: String, _ named: [String]) async throws {
        let transport = ScriptedTransport { _, _ in .success(HTTPResponse(status: status, body: Array(body.utf8))) }
        let environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9911/creds"]
        let error = try await #require(throws: AWSError.self) {
            try await ContainerCredentialProvider(environment: environment, http: transport).credentials()
        }
        #expect(Self.leaked(error.message) == nil, "\(what): \(error.message)")
        for word in named { #expect(error.message.contains(word), "\(what): \(error.message)") }
        #expect(error.message.contains("container credentials"), "\(error.message)")
        // And as ddbcdc reports it: through the chain, the refreshing cache and the client every
        // service client sends with (S3Sink's tests follow it on into S3Error).
        let credentials = RefreshingCredentialProvider(CredentialChain.standard(environment: environment, http: transport), clock: .fixed(EpochMillis(rawValue: 0)))
        let client = AWSClient(
            service: "s3", region: "us-east-1", variant: .s3, endpoint: AWSEndpoint(url: "http://127.0.0.1:9"), credentials: credentials,
            transport: transport, clock: .fixed(EpochMillis(rawValue: 0)), sleep: { _ in })
        let clientError = try await #require(throws: AWSError.self) { try await client.send(AWSRequest(method: "PUT", path: "/b/k", body: [1])) }
        #expect(Self.leaked(clientError.description) == nil, "\(what): \(clientError)")
        #expect(clientError.code == .credentialsFailed && clientError.attempts == 1, "\(clientError)")
    }

    @Test func aContainerDocumentWithoutTokenOrExpirationIsLongTermCredentials() async throws {
        let transport = ScriptedTransport { _, _ in
            .success(HTTPResponse(status: 200, body: Array(Self.document(["Token": nil, "Expiration": nil]).utf8)))
        }
        let found = try await ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/c"], http: transport)
            .credentials()
        #expect(found == AWSCredentials(accessKeyID: Self.accessKey, secretAccessKey: Self.secret, sessionToken: nil))
    }

    static let listing = "/latest/meta-data/iam/security-credentials/"

    /// (what, answers by method and path, words the error must hold); unlisted requests answer 404.
    static let imdsFailures: [(String, [String: [Int: String]], [String])] = [
        ("token refused", ["PUT /latest/api/token": [403: document()]], ["HTTP 403"]),
        ("empty token", ["PUT /latest/api/token": [200: ""]], ["session token"]),
        ("token with a line break", ["PUT /latest/api/token": [200: "\(imdsToken)\r\nX-Injected: 1"]], ["session token"]),
        ("role listing refused", ["GET \(listing)": [401: document()]], ["HTTP 401"]),
        ("role listing holds credentials", ["GET \(listing)": [200: document()]], ["role"]),
        ("role listing empty", ["GET \(listing)": [200: ""]], ["role"]),
        ("credentials HTTP 500", ["GET \(listing)ddbcdc-role": [500: document()]], ["HTTP 500"]),
        ("credentials truncated", ["GET \(listing)ddbcdc-role": [200: String(document().dropLast(30))]], ["JSON object"]),
        ("credentials without SecretAccessKey", ["GET \(listing)ddbcdc-role": [200: document(["SecretAccessKey": nil])]], ["SecretAccessKey"]),
        ("credentials Token a number", ["GET \(listing)ddbcdc-role": [200: document(["Token": "7"])]], ["Token"]),
        ("credentials Expiration bad", ["GET \(listing)ddbcdc-role": [200: document(["Expiration": "\"\(secret)\""])]], ["Expiration"]),
    ]

    @Test(arguments: imdsFailures)
    func imdsFailuresNameTheStepNotTheBody(_ what: String, _ overrides: [String: [Int: String]], _ named: [String]) async throws {
        var answers: [String: (Int, String)] = [
            "PUT /latest/api/token": (200, Self.imdsToken), "GET \(Self.listing)": (200, "ddbcdc-role\n"),
            "GET \(Self.listing)ddbcdc-role": (200, Self.document()),
        ]
        for (request, answer) in overrides { answers[request] = (answer.keys.first!, answer.values.first!) }
        let table = answers
        let transport = ScriptedTransport { _, request in
            let path = String(request.url.dropFirst("http://127.0.0.1:1338".count))
            let (status, body) = table["\(request.method) \(path)"] ?? (404, "")
            return .success(HTTPResponse(status: status, body: Array(body.utf8)))
        }
        let error = try await #require(throws: AWSError.self) {
            try await IMDSCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338"], http: transport).credentials()
        }
        #expect(Self.leaked(error.message) == nil, "\(what): \(error.message)")
        for word in named + ["IMDSv2"] { #expect(error.message.contains(word), "\(what): \(error.message)") }
        for request in transport.sent {
            #expect(Self.leaked(request.url) == nil, "\(what): a request went to \(request.url)")
        }
    }
}
