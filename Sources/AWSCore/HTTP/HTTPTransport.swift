/// One HTTP exchange, as the AWS clients and the credential providers need it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The most the whole exchange may take, in milliseconds.
    public var timeoutMillis: Int64

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeoutMillis: Int64) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMillis = timeoutMillis
    }
}

/// A response, its body read whole (S3 answers to writes and DynamoDB Streams pages are small).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends requests; a protocol so tests can put faults in front of a real server, or use a fake.
///
/// A transport never follows a redirect: a 3xx is the response it returns.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and reads the whole response.
    /// - Throws: ``AWSError`` with code ``AWSError/Code/connectionFailed`` or
    ///   ``AWSError/Code/timeout`` when no response came back.
    func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse

    /// The largest response body this transport reads; a larger answer fails. Clients that choose
    /// how much they ask for (S3's ranged reads) keep their requests within it.
    var maxResponseBytes: Int { get }
}

extension HTTPTransport {
    /// No limit of its own (fakes, transports that read any size).
    public var maxResponseBytes: Int { Int.max }
}
