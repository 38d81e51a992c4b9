internal import AWSCore

/// An object as S3 describes it: its key, size and ETag.
public struct S3ObjectInfo: Sendable, Hashable {
    /// The object's key (decoded: as it was written, not as a URL carries it).
    public var key: String
    /// The object's size in bytes.
    public var size: Int
    /// The object's ETag **without** the surrounding quotes S3 sends (`9b2cf535f27731c974343645a3985328`,
    /// `…-3` for a multipart upload): the form DynamoDB's `manifest-files.json` uses.
    public var etag: String

    /// An object description.
    public init(key: String, size: Int, etag: String) {
        self.key = key
        self.size = size
        self.etag = etag
    }
}

/// What a GetObject read: the bytes of a range (or the whole object), and which object they are of.
public struct S3ObjectData: Sendable {
    /// The bytes read: all of the range asked for (as far as the object reaches), never fewer.
    public var body: [UInt8]
    /// The object's ETag, without quotes (see ``S3ObjectInfo/etag``).
    public var etag: String
    /// The size of the whole object, from `Content-Range` (or `Content-Length` for a whole read).
    public var size: Int
    /// Where in the object ``body`` starts.
    public var offset: Int

    /// A read's result.
    public init(body: [UInt8], etag: String, size: Int, offset: Int = 0) {
        self.body = body
        self.etag = etag
        self.size = size
        self.offset = offset
    }
}

/// One page of a ListObjectsV2 listing.
public struct S3ListPage: Sendable {
    /// The objects on this page, in key order, keys decoded.
    public var objects: [S3ObjectInfo]
    /// The "folders" under the prefix up to the delimiter (`exp/data/`), decoded; empty without a delimiter.
    public var commonPrefixes: [String]
    /// The token of the next page; `nil` on the last page.
    public var nextContinuationToken: String?

    /// A page.
    public init(objects: [S3ObjectInfo], commonPrefixes: [String] = [], nextContinuationToken: String? = nil) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.nextContinuationToken = nextContinuationToken
    }
}

// MARK: - Reading objects

extension S3Client {
    /// The chunk ``download(key:chunkSize:expectedETag:consume:)`` asks for by default: 8 MiB.
    /// ``make(_:environment:clock:transport:)`` gives its transport room for a chunk this size.
    public static let defaultChunkSize = 8 << 20

    /// An object's size and ETag (HeadObject).
    /// - Parameters:
    ///   - key: the object's key.
    ///   - ifMatch: an ETag (quoted or not) the object must still have.
    /// - Throws: ``S3Error``: `NoSuchKey` naming `s3://bucket/key` when there is no such object;
    ///   `PreconditionFailed` when `ifMatch` no longer matches; S3's code otherwise.
    public func headObject(key: String, ifMatch: String? = nil) async throws(S3Error) -> S3ObjectInfo {
        let response: HTTPResponse
        do throws(S3Error) {
            response = try await send("HEAD", key: key, headers: ifMatch.map { [("If-Match", Self.quotedETag($0))] } ?? [])
        } catch {
            throw readError(error, key: key, etag: ifMatch)
        }
        guard let length = response.header("Content-Length").flatMap({ Int($0) }) else {
            throw S3Error(
                code: "InvalidResponse", message: "HeadObject of \(url(key)) answered no Content-Length", status: response.status, key: key)
        }
        return S3ObjectInfo(key: key, size: length, etag: Self.unquotedETag(response.header("ETag") ?? ""))
    }

    /// Reads an object, or a range of it, whole (GetObject): an answer cut short is completed by
    /// asking for the rest, pinned to the first answer's ETag.
    ///
    /// Meant for objects that fit in memory (manifests); read data files with
    /// ``download(key:chunkSize:expectedETag:consume:)``. More than the transport's
    /// `maxResponseBytes` is read in ranges of that size, pinned to one ETag as a download is.
    /// - Parameters:
    ///   - key: the object's key.
    ///   - range: the bytes to read (`0..<100`); nil: all. A range reaching past the end reads to
    ///     the end; one that starts at 0 reads an empty object as empty.
    ///   - ifMatch: an ETag (quoted or not) the object must have.
    /// - Throws: ``S3Error``: `NoSuchKey` naming `s3://bucket/key`; `PreconditionFailed` when the
    ///   object does not (or no longer) match the ETag; `InvalidRange` for a range that starts past
    ///   the end; `IncompleteBody` when answers stay short; S3's code otherwise.
    public func getObject(key: String, range: Range<Int>? = nil, ifMatch: String? = nil) async throws(S3Error) -> S3ObjectData {
        var body: [UInt8] = []
        do throws(ReadFailure<Never>) {
            let read = try await readChunks(key: key, range: range, chunk: core.transport.maxResponseBytes, etag: ifMatch) {
                (piece: S3ObjectData) throws(ReadFailure<Never>) in
                if body.isEmpty { body = piece.body } else { body += piece.body }
            }
            return S3ObjectData(body: body, etag: read.etag, size: read.size, offset: read.offset)
        } catch {
            switch error {
            case .s3(let error): throw error
            case .consumer(let never): switch never {}
            }
        }
    }

    /// Reads an object of any size with bounded memory: ranged GetObjects of `chunkSize` bytes in
    /// order, each handed to `consume` before the next is asked for.
    ///
    /// Every range after the first is sent `If-Match` with the first answer's ETag (or
    /// `expectedETag` from the first range on), so an object replaced while it is being read is an
    /// error, never a mix of two objects. Each range is retried by the client's `RetryPolicy`;
    /// an answer shorter than its range (a cut connection) is continued from where it stopped,
    /// not restarted.
    ///
    /// `chunkSize` is lowered to the transport's `maxResponseBytes` when that is smaller (the
    /// transport of ``make(_:environment:clock:transport:)`` reads ``defaultChunkSize``), so memory
    /// stays at about one chunk whatever the object's size.
    /// - Parameters:
    ///   - key: the object's key.
    ///   - chunkSize: the bytes each GetObject asks for (at least 1).
    ///   - expectedETag: the ETag (quoted or not) the object must have, such as a manifest's.
    ///   - consume: takes the object's bytes, chunk by chunk, in order; its error ends the download.
    /// - Returns: the object's key, size and ETag.
    /// - Throws: ``S3Error`` (`NoSuchKey`, `PreconditionFailed`, `IncompleteBody`, S3's codes), or
    ///   what `consume` threw.
    @discardableResult
    public func download(
        key: String, chunkSize: Int = S3Client.defaultChunkSize, expectedETag: String? = nil,
        consume: ([UInt8]) async throws -> Void
    ) async throws -> S3ObjectInfo {
        let chunk = max(1, min(chunkSize, core.transport.maxResponseBytes))
        do throws(Failure) {
            let read = try await readChunks(key: key, range: nil, chunk: chunk, etag: expectedETag) { piece throws(Failure) in
                do { try await consume(piece.body) } catch { throw Failure.consumer(error) }
            }
            return S3ObjectInfo(key: key, size: read.size, etag: read.etag)
        } catch {
            switch error {
            case .s3(let error): throw error
            case .consumer(let error): throw error
            }
        }
    }

    /// Reads `range` (nil: the whole object) in ranged requests of at most `chunk` bytes, in order,
    /// pinned to one ETag (`etag`, or the first answer's) from the second request on. With no
    /// range and no limit (`chunk` is `Int.max`), one plain GetObject.
    func readChunks<E: Error>(
        key: String, range: Range<Int>?, chunk: Int, etag: String?, deliver: (S3ObjectData) async throws(ReadFailure<E>) -> Void
    ) async throws(ReadFailure<E>) -> (etag: String, size: Int, offset: Int) {
        if range == nil && chunk == .max { return try await read(key: key, range: nil, etag: etag, deliver: deliver) }
        let start = range?.lowerBound ?? 0
        let end = range?.upperBound ?? .max
        var offset = start
        var etag = etag
        while true {
            let pieceEnd = chunk < end - offset ? offset + chunk : end  // min(offset + chunk, end), without overflow
            let read = try await self.read(key: key, range: offset..<pieceEnd, etag: etag, deliver: deliver)
            etag = read.etag
            offset = min(pieceEnd, read.size)
            if offset >= min(end, read.size) { return (read.etag, read.size, start) }
        }
    }

    /// What stopped a read: S3, or the reader's consumer.
    enum ReadFailure<Consumer: Error>: Error {
        case s3(S3Error)
        case consumer(Consumer)
    }

    typealias Failure = ReadFailure<any Error>

    /// Reads `range` (nil: the whole object) of `key`, handing the bytes to `deliver` in order as
    /// they arrive: in one piece, or in several when answers are cut short, the rest asked for
    /// with `If-Match` the ETag of the first answer (or `etag`, from the first request).
    /// - Returns: the object's ETag and size, and the offset the range starts at.
    func read<E: Error>(
        key: String, range: Range<Int>?, etag: String?, deliver: (S3ObjectData) async throws(ReadFailure<E>) -> Void
    ) async throws(ReadFailure<E>) -> (etag: String, size: Int, offset: Int) {
        if let range, range.isEmpty || range.lowerBound < 0 {
            throw .s3(S3Error(code: "InvalidRange", message: "cannot read the empty range \(range) of \(url(key))", key: key))
        }
        let start = range?.lowerBound ?? 0
        var offset = start
        var end = range?.upperBound  // exclusive; nil: to the object's end, known from the first answer
        var etag = etag.map(Self.unquotedETag)
        var size: Int?
        var shortAnswers = 0
        var random = SystemRandomNumberGenerator()
        while true {
            // The first request asks for what the caller asked; the rest of a short answer, for a range.
            let asking: Range<Int>? = (range == nil && size == nil) ? nil : offset..<end!
            let piece: S3ObjectData
            do throws(S3Error) {
                piece = try await getOnce(key: key, range: asking, ifMatch: etag)
            } catch {
                throw .s3(error)
            }
            if let etag, piece.etag != etag {
                // An S3-compatible store that ignores If-Match: the check is ours then.
                throw .s3(changedError(key: key, etag: etag, status: nil, detail: "it now has ETag \"\(piece.etag)\""))
            }
            if let size, piece.size != size {
                throw .s3(changedError(key: key, etag: piece.etag, status: nil, detail: "its size went from \(size) to \(piece.size) bytes"))
            }
            etag = piece.etag
            size = piece.size
            end = min(end ?? piece.size, piece.size)
            // A store that ignored Range answers from 0: the part asked for is cut out of it.
            let pieceEnd = piece.offset + piece.body.count
            guard piece.offset <= offset else {
                throw .s3(S3Error(
                    code: "InvalidResponse",
                    message: "GetObject of \(url(key)) asked for bytes from \(offset) and answered bytes \(piece.offset)..<\(pieceEnd)",
                    status: 206, key: key))
            }
            let usable = max(0, min(pieceEnd, end!) - offset)
            if usable > 0 {
                let bytes =
                    piece.offset == offset && usable == piece.body.count
                    ? piece.body : Array(piece.body[(offset - piece.offset)..<(offset - piece.offset + usable)])
                try await deliver(S3ObjectData(body: bytes, etag: piece.etag, size: piece.size, offset: offset))
                offset += usable
            }
            if offset >= end! { return (piece.etag, piece.size, start) }
            // Short: the connection ended before the range did. Ask for the rest (counted against
            // the retry policy's attempts, so a store that always stops short is an error).
            shortAnswers += 1
            guard shortAnswers < configuration.retry.maxAttempts else {
                var error = S3Error(
                    code: "IncompleteBody",
                    message: "GetObject of \(url(key)) kept ending early: stopped at byte \(offset) of \(end!) (object size \(piece.size))",
                    status: 206, key: key)
                error.attempts = shortAnswers
                throw .s3(error)
            }
            await sleep(configuration.retry.delayMillis(afterAttempt: shortAnswers, using: &random))
        }
    }

    /// One GetObject (retried by the core as any request is): the body as it came, maybe shorter
    /// than asked. A range from 0 of an empty object (416) reads as empty.
    func getOnce(key: String, range: Range<Int>?, ifMatch: String?) async throws(S3Error) -> S3ObjectData {
        var headers: [(name: String, value: String)] = []
        if let range { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        if let ifMatch { headers.append(("If-Match", Self.quotedETag(ifMatch))) }
        let response: HTTPResponse
        do throws(S3Error) {
            response = try await send("GET", key: key, headers: headers)
        } catch {
            if error.status == 416, let range, range.lowerBound == 0 {
                // S3 refuses any range of an empty object; which object this is, HEAD says.
                let info = try await headObject(key: key, ifMatch: ifMatch)
                guard info.size == 0 else {
                    throw changedError(key: key, etag: ifMatch, status: 416, detail: "it answered 416 yet has \(info.size) bytes")
                }
                return S3ObjectData(body: [], etag: info.etag, size: 0)
            }
            throw readError(error, key: key, etag: ifMatch)
        }
        let etag = Self.unquotedETag(response.header("ETag") ?? "")
        if response.status == 206 {
            guard let contentRange = response.header("Content-Range").flatMap(Self.parseContentRange) else {
                throw S3Error(
                    code: "InvalidResponse",
                    message: "GetObject of \(url(key)) answered 206 with Content-Range \(response.header("Content-Range").map { "\"\(Self.printable($0))\"" } ?? "missing")",
                    status: 206, key: key)
            }
            return S3ObjectData(body: response.body, etag: etag, size: contentRange.size, offset: contentRange.start)
        }
        // 200: the whole object (no range asked, or a store that ignores Range).
        let size = response.header("Content-Length").flatMap { Int($0) } ?? response.body.count
        return S3ObjectData(body: response.body, etag: etag, size: max(size, response.body.count))
    }

    /// `bytes 0-99/1234` → start 0, size 1234.
    static func parseContentRange(_ value: String) -> (start: Int, size: Int)? {
        guard value.hasPrefix("bytes ") else { return nil }
        let spec = value.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-"), let slash = spec.firstIndex(of: "/"), dash < slash,
            let start = Int(spec[..<dash]), let last = Int(spec[spec.index(after: dash)..<slash]),
            let size = Int(spec[spec.index(after: slash)...]), start <= last, last < size
        else { return nil }
        return (start, size)
    }

    /// A read's error as a reader needs it: what is missing or changed named by its URL.
    func readError(_ error: S3Error, key: String, etag: String?) -> S3Error {
        var error = error
        switch error.status {
        case 404 where error.code == "NoSuchKey" || error.code == "NotFound":
            // HEAD's 404 has no body, hence no code of S3's: it is the same missing object.
            let original = error.code == "NoSuchKey" ? " (\(error.message))" : ""
            error.code = "NoSuchKey"
            error.message = "no object at \(url(key))" + original
        case 412:
            let attempts = error.attempts
            error = changedError(key: key, etag: etag, status: 412, detail: "it no longer matches", requestID: error.requestID)
            error.attempts = attempts
        default:
            break
        }
        return error
    }

    /// `PreconditionFailed`: the object is not (or no longer) the one being read.
    func changedError(key: String, etag: String?, status: Int?, detail: String, requestID: String? = nil) -> S3Error {
        let which = etag.map { " (ETag \"\(Self.unquotedETag($0))\")" } ?? ""
        return S3Error(
            code: "PreconditionFailed",
            message: "the object changed while it was being read: \(url(key))\(which): \(detail)", status: status, key: key,
            requestID: requestID)
    }

    /// `s3://bucket/key`.
    func url(_ key: String) -> String { "s3://\(configuration.bucket)/\(key)" }

    /// An ETag without the quotes S3 puts around it (and without a weak `W/`, which S3 never sends).
    static func unquotedETag(_ etag: String) -> String {
        var text = Substring(etag)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        return String(text)
    }

    /// An ETag as `If-Match` carries it: in quotes.
    package static func quotedETag(_ etag: String) -> String { "\"\(unquotedETag(etag))\"" }
}

// MARK: - Listing

extension S3Client {
    /// One page of the objects under `prefix` (ListObjectsV2, `encoding-type=url`: keys are
    /// decoded here, so any key round-trips).
    /// - Parameters:
    ///   - prefix: only keys that start with it.
    ///   - delimiter: group keys up to it (`/`) into ``S3ListPage/commonPrefixes``; nil: none.
    ///   - continuationToken: the previous page's ``S3ListPage/nextContinuationToken``.
    ///   - maxKeys: the most keys and prefixes on the page; nil: S3's (1,000).
    /// - Throws: ``S3Error``: S3's code (`NoSuchBucket`, `AccessDenied`, …); `InvalidResponse`
    ///   for a page that cannot be read, or that says there is more without a token.
    public func listObjects(
        prefix: String = "", delimiter: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil
    ) async throws(S3Error) -> S3ListPage {
        var parameters = [("encoding-type", "url"), ("list-type", "2"), ("prefix", prefix)]
        if let continuationToken { parameters.append(("continuation-token", continuationToken)) }
        if let delimiter { parameters.append(("delimiter", delimiter)) }
        if let maxKeys { parameters.append(("max-keys", String(maxKeys))) }
        let query = parameters.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let response = try await send("GET", key: prefix, path: bucketPath, query: query)
        return try Self.parseListPage(response.body, listing: "s3://\(configuration.bucket)/\(prefix)", prefix: prefix)
    }

    /// Every object under `prefix`, following continuation tokens to the last page.
    /// - Throws: ``S3Error`` as ``listObjects(prefix:delimiter:continuationToken:maxKeys:)`` does,
    ///   and `InvalidResponse` when S3 hands back a token it gave before (which would never end).
    public func listAllObjects(prefix: String = "") async throws(S3Error) -> [S3ObjectInfo] {
        var objects: [S3ObjectInfo] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            let page = try await listObjects(prefix: prefix, continuationToken: token)
            objects += page.objects
            token = page.nextContinuationToken
            if let token, !seen.insert(token).inserted {
                throw S3Error(
                    code: "InvalidResponse",
                    message: "listing s3://\(configuration.bucket)/\(prefix) handed back the continuation token \"\(Self.printable(token))\" a second time",
                    key: prefix)
            }
        } while token != nil
        return objects
    }

    /// A ListObjectsV2 answer (`<ListBucketResult>`), keys and prefixes decoded when it says
    /// `<EncodingType>url</EncodingType>` (a store that ignored the parameter sent them as they are).
    static func parseListPage(_ body: [UInt8], listing: String, prefix: String) throws(S3Error) -> S3ListPage {
        let text = Substring(String(decoding: body, as: UTF8.self))
        func invalid(_ what: String) -> S3Error {
            S3Error(code: "InvalidResponse", message: "listing \(listing): \(what)", status: 200, key: prefix)
        }
        guard text.contains("<ListBucketResult") else {
            throw invalid("the answer is not a ListBucketResult: \(printable(String(text.prefix(200))))")
        }
        // Values of the result itself, outside its repeated elements (a key may be "IsTruncated").
        let outside = Substring(removing(["Contents", "CommonPrefixes"], from: text))
        let urlEncoded = XMLFields.value("EncodingType", in: outside) == "url"
        func name(_ raw: Substring) -> String {
            let text = XMLFields.unescape(raw)
            // S3 encodes a space as `+` (and `+` as `%2B`), as a form does.
            return urlEncoded ? URIEncoding.decode(text.replacingAll("+", " ")) : text
        }
        var objects: [S3ObjectInfo] = []
        for element in XMLFields.elements("Contents", in: text) {
            guard let key = XMLFields.elements("Key", in: element, limit: 1).first.map(name) else {
                throw invalid("an object (<Contents>) without a <Key>")
            }
            guard let size = XMLFields.value("Size", in: element).flatMap({ Int($0) }) else {
                throw invalid("the object \(printable(key)) has no <Size> that is a number")
            }
            objects.append(S3ObjectInfo(key: key, size: size, etag: unquotedETag(XMLFields.value("ETag", in: element) ?? "")))
        }
        let prefixes = XMLFields.elements("CommonPrefixes", in: text).compactMap { XMLFields.elements("Prefix", in: $0, limit: 1).first.map(name) }
        let truncated = XMLFields.value("IsTruncated", in: outside) == "true"
        let token = XMLFields.value("NextContinuationToken", in: outside).flatMap { $0.isEmpty ? nil : $0 }
        if truncated && token == nil { throw invalid("the page says it is truncated but gives no NextContinuationToken") }
        return S3ListPage(objects: objects, commonPrefixes: prefixes, nextContinuationToken: truncated ? token : nil)
    }

    /// `text` without the elements named `tags` (their contents included).
    static func removing(_ tags: [String], from text: Substring) -> String {
        var result = String(text)
        for tag in tags {
            var out = ""
            var rest = Substring(result)
            while let open = rest.firstRange(of: "<\(tag)>") {
                out += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstRange(of: "</\(tag)>") else {
                    rest = rest[rest.endIndex...]
                    break
                }
                rest = rest[close.upperBound...]
            }
            result = out + rest
        }
        return result
    }
}
