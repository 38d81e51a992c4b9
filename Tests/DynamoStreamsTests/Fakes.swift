import AWSCore
import Foundation
import Synchronization
import Testing
import Timekeeping

@testable import DynamoStreams

/// A scripted transport: answers each request with what `respond` says, and records them.
final class ScriptedTransport: HTTPTransport, Sendable {
    let requests = Mutex<[HTTPRequest]>([])
    let respond: @Sendable (Int, HTTPRequest) -> Result<HTTPResponse, AWSError>

    init(_ respond: @escaping @Sendable (Int, HTTPRequest) -> Result<HTTPResponse, AWSError>) { self.respond = respond }

    /// Answers every request with `status` and `body`.
    convenience init(status: Int = 200, _ body: String) {
        self.init { _, _ in .success(HTTPResponse(status: status, headers: [("x-amzn-RequestId", "R1")], body: Array(body.utf8))) }
    }

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

/// A JSON answer.
func answer(_ body: String, status: Int = 200) -> Result<HTTPResponse, AWSError> {
    .success(HTTPResponse(status: status, headers: [("x-amzn-RequestId", "R1")], body: Array(body.utf8)))
}

/// An `awsJson1_0` error answer, as DynamoDB Streams writes one.
func serviceError(_ status: Int, _ code: String, _ message: String = "the message") -> Result<HTTPResponse, AWSError> {
    answer(#"{"__type":"com.amazonaws.dynamodb.v20120810#\#(code)","message":"\#(message)"}"#, status: status)
}

let signingTime = EpochMillis(seconds: 1_767_225_600)

/// A client of moto-like endpoints (or AWS's when nil) with fast retries and no waiting.
func client(
    _ transport: ScriptedTransport, streams: String? = "http://127.0.0.1:5000", dynamodb: String? = "http://127.0.0.1:5000", maxAttempts: Int = 3
) -> DynamoStreamsClient {
    DynamoStreamsClient(
        region: "eu-west-1", streamsEndpoint: streams, dynamoDBEndpoint: dynamodb,
        credentials: StaticCredentials(value: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK")), transport: transport,
        clock: .fixed(signingTime), retry: RetryPolicy(maxAttempts: maxAttempts, baseDelayMillis: 1, maxDelayMillis: 2), requestTimeoutMillis: 4321,
        sleep: { _ in })
}

extension HTTPRequest {
    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// The body as a JSON object, members as Foundation values.
    var document: [String: Any] {
        get throws { try #require(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) }
    }
}
