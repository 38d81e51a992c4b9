internal import AWSCore

/// A failed S3 request: S3's error code and message when it answered, what happened when it did not.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// S3's code (`NoSuchBucket`, `SignatureDoesNotMatch`, `SlowDown`, …), or ours:
    /// `ConnectionFailed`, `Timeout`, `NoCredentials`, `InvalidResponse`.
    public var code: String
    public var message: String
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The object key concerned.
    public var key: String
    /// S3's request ID, for AWS support.
    public var requestID: String?
    /// Attempts made before giving up.
    public var attempts: Int = 1

    public init(code: String, message: String, status: Int? = nil, key: String, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.key = key
        self.requestID = requestID
    }

    /// The S3 error an `AWSError` from the core is: S3's code when S3 answered, ours
    /// (`Timeout`, `ConnectionFailed`, `NoCredentials`, `InvalidResponse`) when it did not.
    init(_ error: AWSError, key: String) {
        let code = error.serviceCode ?? Self.ourCodes[error.code] ?? "\(error.code)"
        self.init(code: code, message: error.message, status: error.status, key: key, requestID: error.requestID)
        attempts = error.attempts
    }

    /// Our codes for failures without an answer from S3.
    static let ourCodes: [AWSError.Code: String] = [
        .timeout: "Timeout", .connectionFailed: "ConnectionFailed", .noCredentials: "NoCredentials", .credentialsFailed: "NoCredentials",
        .invalidResponse: "InvalidResponse",
    ]

    /// Whether another attempt could succeed: 5xx, 429, throttling, timeouts, broken connections.
    public var isRetryable: Bool {
        if Self.retryableCodes.contains(code) { return true }
        guard let status else { return code != "NoCredentials" }
        return status >= 500 || status == 429
    }

    static let retryableCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
        "RequestLimitExceeded", "ConnectionFailed", "Timeout",
    ]

    public var description: String { "\(key): \(reason)" }

    /// The error without the key: code, status, message, a hint, attempts and request ID.
    public var reason: String {
        var text = code
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        if let hint = Self.hints[code] { text += " — \(hint)" }
        if attempts > 1 { text += " [after \(attempts) attempts]" }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }

    static let hints: [String: String] = [
        "SignatureDoesNotMatch": "the secret access key is wrong for this access key (or the region/endpoint is)",
        "InvalidAccessKeyId": "the access key does not exist: check AWS_ACCESS_KEY_ID or the profile",
        "ExpiredToken": "the session token has expired: refresh the credentials",
        "TokenRefreshRequired": "the session token has expired: refresh the credentials",
        "NoSuchBucket": "create the bucket, or check the bucket name and --endpoint-url",
        "AccessDenied": "the credentials may not write here: check the IAM policy for s3:PutObject on this prefix",
        "AuthorizationHeaderMalformed": "check --region: it must be the bucket's region",
        "PermanentRedirect": "the bucket is in another region: give its region with --region (AWS_REGION), or the right --endpoint-url",
        "TemporaryRedirect": "ddbcdc follows no redirect: check --region and --endpoint-url",
        "Redirect": "ddbcdc follows no redirect (the object and the credentials would go to another host): check --endpoint-url",
    ]
}

/// The few fields of S3's XML documents we read.
enum XMLFields {
    /// Whether `body` is an `<Error>` document (after any whitespace and XML declaration).
    static func isErrorDocument(_ body: [UInt8]) -> Bool {
        var rest = body[...].drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if rest.starts(with: Array("<?xml".utf8)), let end = rest.firstRange(of: Array("?>".utf8)) {
            rest = rest[end.upperBound...].drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        }
        return rest.starts(with: Array("<Error>".utf8)) || rest.starts(with: Array("<Error ".utf8))
    }

    /// The text of the first `<tag>…</tag>`, entities decoded.
    static func value(_ tag: String, in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.firstRange(of: "<\(tag)>"), let close = text[open.upperBound...].firstRange(of: "</\(tag)>") else {
            return nil
        }
        return unescape(String(text[open.upperBound..<close.lowerBound]))
    }

    static func unescape(_ text: String) -> String {
        text.replacingAll("&lt;", "<").replacingAll("&gt;", ">").replacingAll("&quot;", "\"").replacingAll("&apos;", "'")
            .replacingAll("&amp;", "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;").replacingAll("\"", "&quot;")
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
