/// Why an AWS request, a credential source or a transport failed: the one error type of AWSCore.
///
/// ``code`` says what kind of failure it is (stable across releases, for programs); ``message``
/// says what to do about it (for people). When a service answered, ``status``, ``serviceCode``
/// (`SlowDown`, `ThrottlingException`, `ExpiredIteratorException`, …) and ``requestID`` say what it
/// answered. Messages never hold a secret: credential sources' answers are named by field and
/// size, not shown.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case noCredentials = "no-credentials"
            case credentialsFailed = "credentials-failed"
            case connectionFailed = "connection-failed"
            case timeout = "timeout"
            case serviceError = "service-error"
            case invalidResponse = "invalid-response"
            case invalidConfiguration = "invalid-configuration"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No credential source is configured.
        public static let noCredentials = Code(.noCredentials)
        /// A credential source is configured but failed (the chain stops there, as the AWS SDKs do).
        public static let credentialsFailed = Code(.credentialsFailed)
        /// No HTTP response: refused, reset, closed, a TLS failure.
        public static let connectionFailed = Code(.connectionFailed)
        /// No HTTP response in time.
        public static let timeout = Code(.timeout)
        /// The service answered with an error (see ``AWSError/serviceCode`` and ``AWSError/status``).
        public static let serviceError = Code(.serviceError)
        /// The service answered success with something that cannot be read.
        public static let invalidResponse = Code(.invalidResponse)
        /// A setting cannot be used: no region, an unreadable CA bundle, a malformed endpoint.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { value.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The service's own error code (`SlowDown`, `ThrottlingException`), when it named one.
    public var serviceCode: String?
    /// The service's request ID, for AWS support.
    public var requestID: String?
    /// Attempts made before giving up.
    public var attempts: Int = 1
    /// The error underneath, when there is one (a transport's, a parser's).
    public var underlying: (any Error)?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, status: Int? = nil, serviceCode: String? = nil, requestID: String? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.serviceCode = serviceCode
        self.requestID = requestID
        self.underlying = underlying
    }

    /// Whether another attempt could succeed: no response or no response in time, 5xx, 429, and the
    /// throttling and transient codes AWS services answer with. Never a credential failure: asking
    /// again would not change the configuration.
    public var isRetryable: Bool {
        switch code {
        case .connectionFailed, .timeout: return true
        case .serviceError:
            if let serviceCode, Self.retryableServiceCodes.contains(serviceCode) { return true }
            guard let status else { return false }
            return status >= 500 || status == 429
        default: return false
        }
    }

    /// Service codes worth another attempt whatever the status (the AWS SDKs' transient and
    /// throttling lists, as far as S3 and DynamoDB Streams send them).
    public static let retryableServiceCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalServerError", "ServiceUnavailable",
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
        "RequestLimitExceeded", "ProvisionedThroughputExceededException", "LimitExceededException", "TooManyRequestsException",
        "BandwidthLimitExceeded", "TransactionInProgressException", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// The service code (or the kind), status, message, attempts and request ID, on one line.
    public var description: String {
        var text = serviceCode ?? code.description
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        if attempts > 1 { text += " [after \(attempts) attempts]" }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }
}
