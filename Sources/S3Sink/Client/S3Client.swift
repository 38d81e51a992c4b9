public import AWSCore
internal import Digest
public import Timekeeping

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// Where and how objects are written.
public struct S3Configuration: Sendable {
    /// The bucket objects go to.
    public var bucket: String
    /// The bucket's region (`eu-west-1`), which signatures name.
    public var region: String
    /// An endpoint override (`http://127.0.0.1:8090`): path-style addressing. `nil`: AWS, virtual-hosted.
    public var endpoint: String?
    /// How S3 encrypts written objects; `nil` leaves it to the bucket's default.
    public var serverSideEncryption: ServerSideEncryption?
    /// Bodies larger than this go up in parts.
    public var multipartThreshold: Int
    /// The size of each part but the last (at least 5 MiB; grown so a body needs at most 10,000 parts).
    public var partSize: Int
    /// Attempts and backoff; the default is the project's one set (see `RetryPolicy`).
    public var retry: RetryPolicy
    /// The most one request may take, in milliseconds.
    public var requestTimeoutMillis: Int64

    /// Creates a configuration; only the bucket and the region have no default.
    public init(
        bucket: String, region: String, endpoint: String? = nil, serverSideEncryption: ServerSideEncryption? = nil,
        multipartThreshold: Int = 16 << 20, partSize: Int = 8 << 20, retry: RetryPolicy = RetryPolicy(),
        requestTimeoutMillis: Int64 = 60_000
    ) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.serverSideEncryption = serverSideEncryption
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.retry = retry
        self.requestTimeoutMillis = requestTimeoutMillis
    }

    /// S3's smallest part (all but the last).
    public static let minimumPartSize = 5 << 20
    /// S3's most parts in one upload.
    public static let maximumParts = 10_000
}

/// Server-side encryption of written objects.
public enum ServerSideEncryption: Sendable, Hashable {
    /// SSE-S3 (`AES256`).
    case aes256
    /// SSE-KMS with the bucket's default key or the given key ID/ARN.
    case kms(keyID: String?)
}

/// A small S3 client: PutObject and multipart uploads to write; HeadObject, GetObject, chunked
/// downloads of any size (``download(key:chunkSize:expectedETag:consume:)``) and ListObjectsV2
/// to read. Requests are signed, sent and retried by AWSCore's `AWSClient`, with S3's
/// addressing, XML errors and error hints.
public struct S3Client: Sendable {
    /// Where and how it writes.
    public let configuration: S3Configuration
    /// Signing, sending and retrying.
    let core: AWSClient
    /// Waits the given milliseconds between attempts that the core does not make itself (the rest
    /// of a read cut short).
    let sleep: @Sendable (Int64) async -> Void

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: the bucket, region and limits.
    ///   - credentials: where keys come from (the standard chain, or fixed keys).
    ///   - transport: sends the signed requests.
    ///   - clock: the time signatures carry.
    ///   - sleep: waits the given milliseconds (a fake in tests).
    public init(
        configuration: S3Configuration, credentials: any CredentialProvider, transport: any HTTPTransport, clock: EpochClock,
        sleep: @escaping @Sendable (Int64) async -> Void = { try? await Task.sleep(for: .milliseconds($0)) }
    ) {
        self.configuration = configuration
        self.sleep = sleep
        // With an endpoint, path-style addressing under it; on AWS, the bucket's own host.
        let endpoint =
            configuration.endpoint.map { AWSEndpoint(url: $0) }
            ?? AWSEndpoint(url: "https://\(configuration.bucket).s3.\(configuration.region).amazonaws.com")
        self.core = AWSClient(
            service: "s3", region: configuration.region, variant: .s3, endpoint: endpoint, credentials: credentials, transport: transport,
            clock: clock, retry: configuration.retry, requestTimeoutMillis: configuration.requestTimeoutMillis, sleep: sleep)
    }

    /// The credentials the next request will be signed with: a missing or broken configuration
    /// shows here, before any object is sent.
    /// - Throws: `AWSError` `AWSError/Code/noCredentials` or the failing source's error.
    public func resolveCredentials() async throws(AWSError) -> AWSCredentials {
        try await core.resolveCredentials()
    }

    // MARK: Objects

    /// Writes an object, in one request or in parts by size; an `ETag` comes back.
    @discardableResult
    public func put(key: String, body: [UInt8], contentType: String = "application/octet-stream") async throws(S3Error) -> String {
        if body.count > configuration.multipartThreshold {
            return try await multipartPut(key: key, body: body, contentType: contentType)
        }
        let response = try await send(
            "PUT", key: key, headers: [("Content-Type", contentType), ("Content-MD5", Self.md5Base64(body))] + encryptionHeaders,
            body: body)
        return response.header("ETag") ?? ""
    }

    /// Writes an object in parts; on any failure the upload is aborted so no parts are left behind.
    package func multipartPut(key: String, body: [UInt8], contentType: String) async throws(S3Error) -> String {
        let created = try await send("POST", key: key, query: "uploads=", headers: [("Content-Type", contentType)] + encryptionHeaders)
        guard let uploadID = XMLFields.value("UploadId", in: created.body) else {
            throw S3Error(code: "InvalidResponse", message: "CreateMultipartUpload answered no UploadId", status: created.status, key: key)
        }
        let uploadQuery = "uploadId=" + URIEncoding.encode(uploadID)
        do throws(S3Error) {
            let size = partSize(for: body.count)
            var parts: [(number: Int, etag: String)] = []
            var offset = 0
            while offset < body.count {
                let part = Array(body[offset..<min(offset + size, body.count)])
                let number = parts.count + 1
                let response = try await send(
                    "PUT", key: key, query: "partNumber=\(number)&" + uploadQuery, headers: [("Content-MD5", Self.md5Base64(part))],
                    body: part)
                guard let etag = response.header("ETag") else {
                    throw S3Error(code: "InvalidResponse", message: "UploadPart \(number) answered no ETag", status: response.status, key: key)
                }
                parts.append((number, etag))
                offset += part.count
            }
            var document = "<CompleteMultipartUpload>"
            for part in parts {
                document += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(XMLFields.escape(part.etag))</ETag></Part>"
            }
            document += "</CompleteMultipartUpload>"
            let completeBody = Array(document.utf8)
            // S3 answers 200 as soon as it starts to combine the parts and may put an error in the
            // body after it (an InternalError is worth another try, as a 500 would be).
            let completed = try await send(
                "POST", key: key, query: uploadQuery,
                headers: [("Content-Type", "application/xml"), ("Content-MD5", Self.md5Base64(completeBody))], body: completeBody,
                errorMayFollow200: true)
            return XMLFields.value("ETag", in: completed.body) ?? ""
        } catch {
            try? await abortMultipartUpload(key: key, uploadID: uploadID)
            throw error
        }
    }

    /// Aborts a multipart upload (its parts are deleted).
    package func abortMultipartUpload(key: String, uploadID: String) async throws(S3Error) {
        _ = try await send("DELETE", key: key, query: "uploadId=" + URIEncoding.encode(uploadID))
    }

    func partSize(for total: Int) -> Int {
        let smallest = (total + S3Configuration.maximumParts - 1) / S3Configuration.maximumParts
        return max(configuration.partSize, S3Configuration.minimumPartSize, smallest)
    }

    package var encryptionHeaders: [(name: String, value: String)] {
        switch configuration.serverSideEncryption {
        case nil: return []
        case .aes256: return [("x-amz-server-side-encryption", "AES256")]
        case .kms(let keyID):
            var headers = [(name: "x-amz-server-side-encryption", value: "aws:kms")]
            if let keyID { headers.append(("x-amz-server-side-encryption-aws-kms-key-id", keyID)) }
            return headers
        }
    }

    /// `Content-MD5`: the base64 of the body's MD5.
    package static func md5Base64(_ body: [UInt8]) -> String {
        Data(Digest.md5(body)).base64EncodedString()
    }

    // MARK: Requests

    /// The path of `key` under the endpoint: `/bucket/key` path-style, `/key` on the bucket's host.
    func keyPath(_ key: String) -> String {
        let encodedKey = URIEncoding.encode(key, keepSlash: true)
        return configuration.endpoint == nil ? "/" + encodedKey : "/" + URIEncoding.encode(configuration.bucket) + "/" + encodedKey
    }

    /// The path of the bucket under the endpoint, for bucket operations (ListObjectsV2): `/bucket`
    /// path-style, `/` on the bucket's host.
    var bucketPath: String {
        configuration.endpoint == nil ? "/" : "/" + URIEncoding.encode(configuration.bucket)
    }

    /// The URL, path (as sent and signed) and host of `key`.
    func location(_ key: String) -> (url: String, path: String, host: String) {
        let path = core.endpoint.basePath + keyPath(key)
        return (core.endpoint.origin + path, path, core.endpoint.host)
    }

    /// Signs and sends one request, retrying what can succeed on another attempt.
    /// - Parameter errorMayFollow200: the request is one S3 may answer 200 with an `<Error>`
    ///   document (CompleteMultipartUpload): such an answer is that error, retried by its code.
    /// - Parameter path: the path to send to instead of `key`'s (the bucket's, for a listing);
    ///   `key` then only names what errors concern.
    package func send(
        _ method: String, key: String, path: String? = nil, query: String = "", headers: [(name: String, value: String)] = [],
        body: [UInt8] = [], errorMayFollow200: Bool = false
    ) async throws(S3Error) -> HTTPResponse {
        let request = AWSRequest(method: method, path: path ?? keyPath(key), query: query, headers: headers, body: body)
        do {
            return try await core.send(request) { response in
                if (200..<300).contains(response.status) && !(errorMayFollow200 && XMLFields.isErrorDocument(response.body)) {
                    return nil
                }
                let error = Self.error(from: response, key: key)
                return AWSError(.serviceError, error.message, status: error.status, serviceCode: error.code, requestID: error.requestID)
            }
        } catch {
            throw S3Error(error, key: key)
        }
    }

    static func error(from response: HTTPResponse, key: String) -> S3Error {
        if (300..<400).contains(response.status) { return redirectError(from: response, key: key) }
        let code = XMLFields.value("Code", in: response.body) ?? Self.statusCodes[response.status] ?? "HTTP\(response.status)"
        let message = XMLFields.value("Message", in: response.body) ?? String(decoding: response.body.prefix(300), as: UTF8.self)
        return S3Error(
            code: code, message: message, status: response.status, key: key,
            requestID: XMLFields.value("RequestId", in: response.body) ?? response.header("x-amz-request-id"))
    }

    /// A 3xx: never followed (the body, the signature and the session token would go wherever
    /// the answer points, and that host's 200 would be taken for S3's), so an error that says
    /// where it pointed and, for S3's PermanentRedirect, which region the bucket is in.
    static func redirectError(from response: HTTPResponse, key: String) -> S3Error {
        let code = XMLFields.value("Code", in: response.body) ?? "Redirect"
        let message = [
            XMLFields.value("Message", in: response.body),
            response.header("Location").map { "redirected to \(printable($0))" } ?? "a redirect without a Location",
            XMLFields.value("Endpoint", in: response.body).map { "S3 names the endpoint \(printable($0))" },
            response.header("x-amz-bucket-region").map { "the bucket is in region \(printable($0))" },
        ].compactMap { $0 }.joined(separator: "; ")
        return S3Error(
            code: code, message: message, status: response.status, key: key,
            requestID: XMLFields.value("RequestId", in: response.body) ?? response.header("x-amz-request-id"))
    }

    /// `text` as a line of a log can show it: control characters as `?`, at most 512 characters.
    static func printable(_ text: String) -> String { AWSClient.printable(text) }

    /// Codes for answers without an XML body (HEAD, some proxies).
    static let statusCodes: [Int: String] = [
        400: "BadRequest", 403: "AccessDenied", 404: "NotFound", 412: "PreconditionFailed", 416: "InvalidRange", 429: "SlowDown",
        500: "InternalError", 503: "ServiceUnavailable",
    ]
}

/// An ``ObjectSink`` writing to S3 under a bucket.
public struct S3ObjectSink: ObjectSink {
    /// The client that writes.
    public let client: S3Client

    /// A sink writing through `client` to its bucket.
    public init(client: S3Client) { self.client = client }

    /// Writes the object with PutObject (in parts when large), retried by the client's policy;
    /// the content type follows the key's suffix (`.gz`, `.ndjson`).
    /// - Throws: ``SinkError`` (`writeFailed`) naming `s3://bucket/key` once the retries are spent.
    public func put(key: String, body: [UInt8]) async throws(SinkError) {
        let contentType = key.hasSuffix(".gz") ? "application/gzip" : key.hasSuffix(".ndjson") ? "application/x-ndjson" : "application/octet-stream"
        do {
            try await client.put(key: key, body: body, contentType: contentType)
        } catch {
            throw SinkError(.writeFailed, key: "s3://\(client.configuration.bucket)/\(key)", error.reason)
        }
    }
}
