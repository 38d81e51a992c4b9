public import Timekeeping

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// Where a client sends its requests: `scheme://host[:port]` and a base path every request's path
/// goes under.
public struct AWSEndpoint: Sendable, Hashable {
    /// `scheme://host[:port]`.
    public let origin: String
    /// The host as the `Host` header carries it: `host[:port]`.
    public let host: String
    /// The path in front of every request's path: `""`, or `/base` for an endpoint behind a path.
    public let basePath: String

    /// The endpoint `url` (`https://dynamodb.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000/s3`),
    /// taken as written: a trailing slash is part of the base path.
    public init(url: String) {
        let afterScheme = url.firstRange(of: "://").map { url[$0.upperBound...] } ?? Substring(url)
        host = String(afterScheme.prefix { $0 != "/" })
        basePath = String(afterScheme.drop { $0 != "/" })
        origin = String(url.prefix(url.count - basePath.count))
    }

    /// The AWS endpoint `https://<hostPrefix>.<region>.amazonaws.com` (`streams.dynamodb`, `s3`).
    public static func aws(hostPrefix: String, region: String) -> AWSEndpoint {
        AWSEndpoint(url: "https://\(hostPrefix).\(region).amazonaws.com")
    }
}

/// One request to a service, before signing.
public struct AWSRequest: Sendable {
    /// `GET`, `PUT`, `POST`, …
    public var method: String
    /// The path as it goes on the wire (percent-encoded once), starting with `/`; it goes under
    /// the endpoint's base path.
    public var path: String
    /// The query string as it goes on the wire, without `?`; empty for none.
    public var query: String
    /// Headers besides `Host` and those signing adds.
    public var headers: [(name: String, value: String)]
    /// The body, sent and signed as it is.
    public var body: [UInt8]

    /// A request; by default a `/` with no query, headers or body.
    public init(method: String, path: String = "/", query: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// Signed requests to one AWS service in one region, retried by a ``RetryPolicy``: what the S3
/// client and the DynamoDB Streams client have in common.
///
/// Each attempt takes the credentials anew (a ``RefreshingCredentialProvider`` replaces them
/// before they expire) and signs with the time `clock` says then; what counts as a failure is the
/// caller's to say (S3 puts errors in XML, sometimes after a 200; JSON services in `__type`).
public struct AWSClient: Sendable {
    /// The service, region and signing rules.
    public let signer: SigV4Signer
    /// Where requests go.
    public let endpoint: AWSEndpoint
    /// Where each attempt's credentials come from.
    public let credentials: any CredentialProvider
    /// What carries the requests.
    public let transport: any HTTPTransport
    /// The time signatures carry.
    public let clock: EpochClock
    /// How many attempts, and the waits between them.
    public let retry: RetryPolicy
    /// The most one attempt may take, in milliseconds.
    public let requestTimeoutMillis: Int64
    let sleep: @Sendable (Int64) async -> Void

    /// A client of `service` (the signing name: `s3`, `dynamodb`) in `region`.
    /// - Parameters:
    ///   - service: the signing name of the service.
    ///   - region: the region requests are signed for.
    ///   - variant: `.s3` for S3's signing rules, `.generic` for every other service.
    ///   - endpoint: where requests go.
    ///   - credentials: where keys come from.
    ///   - transport: sends the signed requests.
    ///   - clock: the time signatures carry.
    ///   - retry: how often and how long a failed request is tried again.
    ///   - requestTimeoutMillis: the most one attempt may take.
    ///   - sleep: waits the given milliseconds between attempts (a fake in tests).
    public init(
        service: String, region: String, variant: SigV4Signer.Variant = .generic, endpoint: AWSEndpoint,
        credentials: any CredentialProvider, transport: any HTTPTransport, clock: EpochClock, retry: RetryPolicy = RetryPolicy(),
        requestTimeoutMillis: Int64 = 60_000,
        sleep: @escaping @Sendable (Int64) async -> Void = { try? await Task.sleep(for: .milliseconds($0)) }
    ) {
        self.signer = SigV4Signer(service: service, region: region, variant: variant)
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = transport
        self.clock = clock
        self.retry = retry
        self.requestTimeoutMillis = requestTimeoutMillis
        self.sleep = sleep
    }

    /// The credentials the next request will be signed with.
    /// - Throws: ``AWSError`` ``AWSError/Code/noCredentials`` when no source is configured, or the
    ///   error of the source that failed.
    public func resolveCredentials() async throws(AWSError) -> AWSCredentials {
        guard let found = try await credentials.credentials() else { throw AWSError.noCredentialsFound }
        return found
    }

    /// Signs and sends `request`, again after a retryable failure (``AWSError/isRetryable``) until
    /// the policy's attempts are spent.
    /// - Parameters:
    ///   - request: what to send.
    ///   - payloadHash: the body's SHA-256 (computed when nil), or ``SigningRequest/unsignedPayload``.
    ///   - failure: the error a response carries, nil when it is a success.
    /// - Returns: the successful response.
    /// - Throws: ``AWSError`` of the last attempt, its ``AWSError/attempts`` set.
    public func send(
        _ request: AWSRequest, payloadHash: String? = nil, failure: (HTTPResponse) -> AWSError? = AWSClient.statusFailure
    ) async throws(AWSError) -> HTTPResponse {
        let payloadHash = payloadHash ?? SigningRequest.payloadHash(of: request.body)
        let signedPath = endpoint.basePath + request.path
        let url = endpoint.origin + signedPath + (request.query.isEmpty ? "" : "?" + request.query)
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            var lastError: AWSError
            do throws(AWSError) {
                let credentials = try await resolveCredentials()
                let signing = SigningRequest(
                    method: request.method, path: signedPath, query: request.query, headers: [("Host", endpoint.host)] + request.headers,
                    payloadHash: payloadHash)
                let signed = signer.sign(signing, credentials: credentials, date: AmzDate(clock.now()))
                let response = try await transport.send(
                    HTTPRequest(method: request.method, url: url, headers: signed.headers, body: request.body, timeoutMillis: requestTimeoutMillis))
                if let failed = failure(response) { throw failed }
                return response
            } catch {
                lastError = error
            }
            lastError.attempts = attempt
            guard lastError.isRetryable, attempt < retry.maxAttempts else { throw lastError }
            await sleep(retry.delayMillis(afterAttempt: attempt, using: &random))
        }
    }

    /// Any status outside 2xx is a service error with that status (and no service code).
    public static func statusFailure(_ response: HTTPResponse) -> AWSError? {
        guard !(200..<300).contains(response.status) else { return nil }
        return AWSError(
            .serviceError, "HTTP \(response.status): " + printable(String(decoding: response.body.prefix(300), as: UTF8.self)),
            status: response.status, requestID: response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id"))
    }

    /// `text` as a log line can show it: control characters as `?`, at most 512 characters.
    public static func printable(_ text: String) -> String {
        var out = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        if out.count > 512 { out = String(out.prefix(512)) + "…" }
        return out
    }
}

// MARK: - JSON protocol

extension AWSClient {
    /// Calls an operation of an `awsJson1_0` service (DynamoDB, DynamoDB Streams): `POST /` with
    /// `X-Amz-Target: <target>` and the input document; the output document is the response's body.
    /// - Parameters:
    ///   - target: the operation, such as `DynamoDBStreams_20120810.GetRecords`.
    ///   - body: the input document.
    ///   - contentType: the protocol's content type.
    public func sendJSON(target: String, body: [UInt8], contentType: String = "application/x-amz-json-1.0") async throws(AWSError) -> HTTPResponse {
        try await send(
            AWSRequest(method: "POST", path: "/", headers: [("Content-Type", contentType), ("X-Amz-Target", target)], body: body),
            failure: AWSClient.jsonFailure)
    }

    /// An `awsJson` error: `{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"…"}`
    /// (or the `X-Amzn-ErrorType` header), the code being the part after `#` and before `:`.
    public static func jsonFailure(_ response: HTTPResponse) -> AWSError? {
        guard !(200..<300).contains(response.status) else { return nil }
        struct Document: Decodable {
            var type: String?
            var message: String?
            var capitalMessage: String?
            enum CodingKeys: String, CodingKey {
                case type = "__type", message, capitalMessage = "Message"
            }
        }
        let document = try? JSONDecoder().decode(Document.self, from: Data(response.body))
        let code = (response.header("X-Amzn-ErrorType") ?? document?.type).map(shapeName)
        let message = document?.message ?? document?.capitalMessage ?? String(decoding: response.body.prefix(300), as: UTF8.self)
        return AWSError(
            .serviceError, printable(message), status: response.status, serviceCode: code.flatMap { $0.isEmpty ? nil : printable($0) },
            requestID: response.header("x-amzn-RequestId"))
    }

    /// `aws.protocols#Name:http://…` → `Name`.
    static func shapeName(_ text: String) -> String {
        let afterHash = text.lastIndex(of: "#").map { text[text.index(after: $0)...] } ?? Substring(text)
        return String(afterHash.prefix { $0 != ":" })
    }
}
