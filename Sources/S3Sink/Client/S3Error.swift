internal import AWSCore

/// A failed S3 request: S3's error code and message when it answered, what happened when it did not.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// S3's code (`NoSuchBucket`, `SignatureDoesNotMatch`, `SlowDown`, …), or ours:
    /// `ConnectionFailed`, `Timeout`, `NoCredentials`, `InvalidResponse`. Reads also give
    /// `NoSuchKey` (for HEAD's bodiless 404 too), `PreconditionFailed` (the object changed while
    /// it was being read), `InvalidRange`, and `IncompleteBody` (answers kept ending early).
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
        "AccessDenied": "the credentials may not do this here: check the IAM policy (s3:PutObject to write; s3:GetObject and s3:ListBucket to read) on this bucket and prefix",
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
        value(tag, in: Substring(String(decoding: body, as: UTF8.self)))
    }

    /// The text of the first `<tag>…</tag>` in `text`, entities decoded; `""` for `<tag/>`.
    static func value(_ tag: String, in text: Substring) -> String? {
        elements(tag, in: text, limit: 1).first.map { unescape($0) }
    }

    /// The raw (still escaped) contents of each `<tag>…</tag>` (or `<tag/>`) in `text`, in order:
    /// the repeated elements of a listing (`Contents`, `CommonPrefixes`). Elements of one name do
    /// not nest in S3's documents, so each ends at the next closing tag.
    static func elements(_ tag: String, in text: Substring, limit: Int = .max) -> [Substring] {
        let open = "<\(tag)>", empty = "<\(tag)/>", close = "</\(tag)>"
        var found: [Substring] = []
        var rest = text
        while found.count < limit {
            let openRange = rest.firstRange(of: open)
            let emptyRange = rest.firstRange(of: empty)
            if let emptyRange, openRange.map({ emptyRange.lowerBound < $0.lowerBound }) ?? true {
                found.append(rest[emptyRange.upperBound..<emptyRange.upperBound])
                rest = rest[emptyRange.upperBound...]
                continue
            }
            guard let openRange, let closeRange = rest[openRange.upperBound...].firstRange(of: close) else { break }
            found.append(rest[openRange.upperBound..<closeRange.lowerBound])
            rest = rest[closeRange.upperBound...]
        }
        return found
    }

    /// XML text with its entities resolved: the five named ones and numeric references (`&#13;`,
    /// `&#x1F;`, which S3 uses for control characters in keys). Anything else is kept as it is.
    static func unescape(_ text: some StringProtocol) -> String {
        guard text.contains("&") else { return String(text) }
        let named: [Substring: String] = ["lt": "<", "gt": ">", "quot": "\"", "apos": "'", "amp": "&"]
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            guard let semicolon = rest[afterAmpersand...].prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = rest[afterAmpersand...]
                continue
            }
            let name = rest[afterAmpersand..<semicolon]
            var replacement = named[name]
            if replacement == nil, name.first == "#" {
                let digits = name.dropFirst()
                let scalar = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                replacement = scalar.flatMap { Unicode.Scalar($0) }.map { String(Character($0)) }
            }
            if let replacement {
                result += replacement
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest[afterAmpersand...]
            }
        }
        return result + rest
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
