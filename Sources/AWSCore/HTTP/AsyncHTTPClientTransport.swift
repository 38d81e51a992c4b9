internal import AsyncHTTPClient
internal import NIOCore
internal import NIOHTTP1
internal import NIOSSL
internal import Synchronization

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// ``HTTPTransport`` over AsyncHTTPClient (HTTP/1.1 and HTTP/2, TLS, pooling): a process-wide
/// client that trusts the system's certificate authorities, or one that trusts a CA bundle instead.
/// Neither follows redirects: a 3xx is returned as the response.
///
/// Both give up on a connection after ``connectTimeoutSeconds``, and a connection that fails
/// (refused, a refused TLS certificate) fails its request at once, without AsyncHTTPClient's own
/// retries: the client's ``RetryPolicy`` takes over, so an unreachable endpoint is reported within
/// seconds, not at the end of the request timeout.
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// The largest response body read (S3 write responses and errors are a few KB).
    public var maxResponseBytes: Int
    private let client: HTTPClient

    /// How long connecting (TCP and TLS, with AsyncHTTPClient's own retries) may take.
    public static let connectTimeoutSeconds: Int64 = 10

    /// A transport over the process-wide client.
    public init(maxResponseBytes: Int = 4 << 20) {
        self.init(maxResponseBytes: maxResponseBytes, client: systemTrustClient)
    }

    private init(maxResponseBytes: Int, client: HTTPClient) {
        self.maxResponseBytes = maxResponseBytes
        self.client = client
    }

    /// A transport whose TLS connections trust only the certificates in the PEM file `caBundle`,
    /// as the AWS CLI's `--ca-bundle` and `AWS_CA_BUNDLE` do (a private CA in front of S3, an
    /// S3-compatible store with its own certificate); with `caBundle` nil, the process-wide client.
    /// - Throws: ``AWSError`` with code ``AWSError/Code/invalidConfiguration`` when the file cannot
    ///   be read or holds no certificate.
    public init(maxResponseBytes: Int = 4 << 20, caBundle path: String?) throws(AWSError) {
        guard let path else {
            self.init(maxResponseBytes: maxResponseBytes)
            return
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw AWSError(.invalidConfiguration, "cannot read the CA bundle \(path): no such readable file")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw AWSError(.invalidConfiguration, "the CA bundle \(path) is not a PEM file of certificates (\(error))", underlying: error)
        }
        guard !certificates.isEmpty else { throw AWSError(.invalidConfiguration, "the CA bundle \(path) holds no PEM certificates") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(certificates)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration(tls: tls))
        // Like the process-wide client, it lives as long as the process (a client must be shut
        // down before it is released, and these are few: one per sink or function).
        retainedClients.withLock { $0.append(client) }
        self.init(maxResponseBytes: maxResponseBytes, client: client)
    }

    public func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            outgoing.body = .bytes(request.body)
        }
        do {
            let response = try await client.execute(outgoing, deadline: .now() + .milliseconds(request.timeoutMillis))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return HTTPResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Array(body.readableBytesView))
        } catch let error as HTTPClientError {
            let timeout = error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout
            throw AWSError(timeout ? .timeout : .connectionFailed, "\(request.method) \(request.url): \(error)", underlying: error)
        } catch {
            throw AWSError(.connectionFailed, "\(request.method) \(request.url): \(error)", underlying: error)
        }
    }
}

/// AsyncHTTPClient's shared configuration, with a connect timeout of
/// ``AsyncHTTPClientTransport/connectTimeoutSeconds`` and no redirect following.
///
/// A followed redirect would re-send the request (its body, its signature, `X-Amz-Security-Token`)
/// to wherever the answer points, `http://` included, and hand back that host's answer as if it
/// were S3's, a 200 counted as durable. A 3xx comes back as it is; the client reports it.
private func clientConfiguration(tls: TLSConfiguration?) -> HTTPClient.Configuration {
    var configuration = HTTPClient.Configuration.singletonConfiguration
    if let tls { configuration.tlsConfiguration = tls }
    configuration.timeout.connect = .seconds(AsyncHTTPClientTransport.connectTimeoutSeconds)
    // A connection that cannot be made fails its request at once; the client's RetryPolicy (the
    // one set of attempts and waits) decides what happens next. AsyncHTTPClient's own retrying
    // until the connect timeout made each attempt at a refused port take the whole 10 s (five
    // attempts: 52 s before a mistyped --endpoint-url was reported).
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.redirectConfiguration = .disallow
    return configuration
}

private let systemTrustClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration(tls: nil))

private let retainedClients = Mutex<[HTTPClient]>([])
