internal import AsyncHTTPClient
internal import NIOCore
internal import NIOHTTP1

/// ``HTTPTransport`` over AsyncHTTPClient's shared client (HTTP/1.1 and HTTP/2, TLS, pooling).
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// The largest response body read (S3 write responses and errors are a few KB).
    public var maxResponseBytes: Int

    public init(maxResponseBytes: Int = 4 << 20) { self.maxResponseBytes = maxResponseBytes }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            outgoing.body = .bytes(request.body)
        }
        do {
            let response = try await HTTPClient.shared.execute(outgoing, deadline: .now() + .milliseconds(request.timeoutMillis))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return HTTPResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Array(body.readableBytesView))
        } catch let error as HTTPClientError {
            let timeout = error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout
            throw TransportError("\(request.method) \(request.url): \(error)", isTimeout: timeout)
        } catch {
            throw TransportError("\(request.method) \(request.url): \(error)")
        }
    }
}
