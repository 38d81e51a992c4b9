import Digest
public import Timekeeping

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// AWS credentials: an access key pair, maybe a session token, maybe an expiry.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// The moment after which the credentials are no longer valid; `nil` for long-term keys.
    public var expiration: EpochMillis?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: EpochMillis? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Names the key, never the secret.
    public var description: String { "AWSCredentials(\(accessKeyID), secret hidden\(sessionToken == nil ? "" : ", session token"))" }
}

/// A request as SigV4 sees it: method, the path and query exactly as sent, headers, payload hash.
public struct SigningRequest: Sendable, Hashable {
    public var method: String
    /// The path as it goes on the wire (percent-encoded as sent), starting with `/`.
    public var path: String
    /// The query string as it goes on the wire (`a=1&b=x%20y`), without `?`; empty for none.
    public var query: String
    /// Header names and values, in any order and case; repeated names are allowed.
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], payloadHash: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    public static func == (lhs: SigningRequest, rhs: SigningRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.payloadHash == rhs.payloadHash
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
        hasher.combine(query)
    }

    /// The payload hash of a body.
    public static func payloadHash(of body: [UInt8]) -> String { Digest.hex(Digest.sha256(body)) }
    /// The payload hash that signs no body.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
}

/// Signature Version 4, named after the stages of the AWS document: canonical request, string to
/// sign, signing key, signature.
///
/// Two variants: `s3` uses the path as sent (encoded once) and signs `x-amz-content-sha256`;
/// `generic` (DynamoDB Streams and the other JSON APIs) normalises the path and encodes it again.
public struct SigV4Signer: Sendable {
    public enum Variant: Sendable { case s3, generic }

    public var service: String
    public var region: String
    public var variant: Variant

    public init(service: String, region: String, variant: Variant) {
        self.service = service
        self.region = region
        self.variant = variant
    }

    /// Headers SigV4 never signs (botocore's list): proxies and clients may change them.
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    // MARK: Stages

    /// Task 1: the canonical request, and the signed header names (`host;x-amz-date`).
    public func canonicalRequest(_ request: SigningRequest) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in request.headers {
            let lower = name.lowercased()
            if Self.unsignedHeaders.contains(lower) { continue }
            grouped[lower, default: []].append(Self.trimmed(value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let query = variant == .s3 ? request.query : Self.reencodedQuery(request.query)
        let text = [
            request.method, canonicalURI(request.path), Self.canonicalQuery(query), canonicalHeaders, signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// The credential scope: `20150830/us-east-1/iam/aws4_request`.
    public func scope(date: AmzDate) -> String { "\(date.day)/\(region)/\(service)/aws4_request" }

    /// Task 2: the string to sign.
    public func stringToSign(canonicalRequest: String, date: AmzDate) -> String {
        "AWS4-HMAC-SHA256\n\(date.timestamp)\n\(scope(date: date))\n\(Digest.hex(Digest.sha256(Array(canonicalRequest.utf8))))"
    }

    /// Task 3: the signing key for a day.
    public func signingKey(secretAccessKey: String, date: AmzDate) -> [UInt8] {
        let day = Digest.hmacSHA256(key: Array(("AWS4" + secretAccessKey).utf8), message: Array(date.day.utf8))
        let region = Digest.hmacSHA256(key: day, message: Array(self.region.utf8))
        let service = Digest.hmacSHA256(key: region, message: Array(self.service.utf8))
        return Digest.hmacSHA256(key: service, message: Array("aws4_request".utf8))
    }

    /// Task 4: the signature.
    public func signature(signingKey: [UInt8], stringToSign: String) -> String {
        Digest.hex(Digest.hmacSHA256(key: signingKey, message: Array(stringToSign.utf8)))
    }

    // MARK: Signing

    /// The result of signing: each stage, and the headers to send.
    public struct Signed: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
        /// The request's headers plus those signing added (`X-Amz-Date`, `X-Amz-Security-Token`,
        /// `X-Amz-Content-SHA256` for S3) and `Authorization`.
        public var headers: [(name: String, value: String)]
    }

    /// Signs a request with an `Authorization` header.
    ///
    /// Adds `X-Amz-Date` (unless present), `X-Amz-Security-Token` for session credentials and, for
    /// S3, `X-Amz-Content-SHA256`; all of them are signed.
    public func sign(_ request: SigningRequest, credentials: AWSCredentials, date: AmzDate) -> Signed {
        var request = request
        func has(_ name: String) -> Bool { request.headers.contains { $0.name.lowercased() == name } }
        if !has("x-amz-date") { request.headers.append(("X-Amz-Date", date.timestamp)) }
        if let token = credentials.sessionToken, !has("x-amz-security-token") {
            request.headers.append(("X-Amz-Security-Token", token))
        }
        if variant == .s3 && !has("x-amz-content-sha256") {
            request.headers.append(("X-Amz-Content-SHA256", request.payloadHash))
        }
        let (canonical, signedHeaders) = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical, date: date)
        let signature = signature(signingKey: signingKey(secretAccessKey: credentials.secretAccessKey, date: date), stringToSign: toSign)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(date: date)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        request.headers.append(("Authorization", authorization))
        return Signed(canonicalRequest: canonical, stringToSign: toSign, signature: signature, authorization: authorization, headers: request.headers)
    }

    /// Signs a request in its query string (a presigned URL), valid for `expires` seconds.
    /// - Returns: the query string to send (the original parameters and the `X-Amz-*` ones), and the stages.
    public func presign(
        _ request: SigningRequest, credentials: AWSCredentials, date: AmzDate, expires: Int
    ) -> (query: String, signed: Signed) {
        var request = request
        var names = Set(request.headers.map { $0.name.lowercased() })
        if !names.contains("host") { names.insert("host") }
        var parameters = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(date: date))"),
            ("X-Amz-Date", date.timestamp),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", names.subtracting(Self.unsignedHeaders).sorted().joined(separator: ";")),
        ]
        if let token = credentials.sessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        let added = parameters.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        request.query = request.query.isEmpty ? added : request.query + "&" + added
        let (canonical, _) = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical, date: date)
        let signature = signature(signingKey: signingKey(secretAccessKey: credentials.secretAccessKey, date: date), stringToSign: toSign)
        let query = request.query + "&X-Amz-Signature=" + signature
        return (query, Signed(canonicalRequest: canonical, stringToSign: toSign, signature: signature, authorization: "", headers: request.headers))
    }

    // MARK: Canonical parts

    func canonicalURI(_ path: String) -> String {
        switch variant {
        case .s3: return path.isEmpty ? "/" : path
        case .generic: return URIEncoding.encode(Self.normalized(path), keepSlash: true)
        }
    }

    /// Removes `.` and `..` segments and repeated slashes, keeping a trailing slash (RFC 3986 §5.2.4).
    static func normalized(_ path: String) -> String {
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
                continue
            }
            output.append(segment)
        }
        var result = "/" + output.joined(separator: "/")
        if path.hasSuffix("/") && result != "/" { result += "/" }
        return result
    }

    /// Parameters sorted by name, then value, as sent (already encoded); `a` becomes `a=`.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            if let equals = pair.firstIndex(of: "=") {
                return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
            }
            return (String(pair), "")
        }
        return pairs.sorted { ($0.0.utf8.lexicographicallyPrecedes($1.0.utf8)) || ($0.0 == $1.0 && $0.1.utf8.lexicographicallyPrecedes($1.1.utf8)) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// A query with every name and value decoded and encoded again the SigV4 way (`ሴ` → `%E1%88%B4`).
    static func reencodedQuery(_ query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = URIEncoding.encode(URIEncoding.decode(parts[0]))
            return parts.count > 1 ? name + "=" + URIEncoding.encode(URIEncoding.decode(parts[1])) : name
        }.joined(separator: "&")
    }

    /// Trims the value and collapses runs of spaces to one.
    static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
}

/// A SigV4 time: `20150830T123600Z` and its day `20150830`.
public struct AmzDate: Sendable, Hashable {
    /// `YYYYMMDD'T'HHMMSS'Z'`.
    public let timestamp: String
    /// `YYYYMMDD`.
    public var day: String { String(timestamp.prefix(8)) }

    /// The second `moment` falls in (UTC): what a request signed at `moment` carries.
    public init(_ moment: EpochMillis) { self.init(epochSeconds: moment.seconds) }

    /// The time `epochSeconds` (UTC).
    public init(epochSeconds: Int64) {
        let style = Date.ISO8601FormatStyle(dateSeparator: .omitted, timeSeparator: .omitted)
        timestamp = Date(timeIntervalSince1970: Double(epochSeconds)).formatted(style)
    }

    /// A timestamp in `YYYYMMDD'T'HHMMSS'Z'` form, taken as is.
    public init?(timestamp: String) {
        guard timestamp.utf8.count == 16, timestamp.hasSuffix("Z") else { return nil }
        self.timestamp = timestamp
    }
}

/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters stay, everything else is
/// `%XX` with upper-case hex, over the UTF-8 bytes.
public enum URIEncoding {
    /// Resolves `%XX` escapes (invalid ones are kept as they are).
    public static func decode(_ text: some StringProtocol) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
