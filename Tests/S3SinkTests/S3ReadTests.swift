import AWSCore
import Synchronization
import Testing
import Timekeeping

@testable import S3Sink

/// A small in-memory S3 for reads: HEAD and GET of objects with `Range` and `If-Match` as S3
/// answers them (206 + Content-Range, 412, 416 for any range of an empty object, 404 NoSuchKey).
/// `tamper` may change an answer (cut its body, drop a header) or the objects before an answer.
final class ObjectStore: Sendable {
    struct Object: Sendable {
        var body: [UInt8]
        var etag: String
    }

    let objects: Mutex<[String: Object]>
    let honoursIfMatch: Bool

    init(_ objects: [String: Object], honoursIfMatch: Bool = true) {
        self.objects = Mutex(objects)
        self.honoursIfMatch = honoursIfMatch
    }

    static let prefix = "http://127.0.0.1:9000/bkt/"

    func answer(_ request: HTTPRequest) -> HTTPResponse {
        let key = URIEncoding.decode(request.url.dropFirst(Self.prefix.count))
        let header = { (name: String) in request.headers.first { $0.name.lowercased() == name }?.value }
        guard let object = objects.withLock({ $0[key] }) else {
            return request.method == "HEAD" ? HTTPResponse(status: 404) : s3Error(404, "NoSuchKey", "The specified key does not exist.")
        }
        let etag = "\"\(object.etag)\""
        if honoursIfMatch, let ifMatch = header("if-match"), ifMatch != etag {
            return request.method == "HEAD" ? HTTPResponse(status: 412) : s3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
        }
        if request.method == "HEAD" {
            return HTTPResponse(status: 200, headers: [("ETag", etag), ("Content-Length", "\(object.body.count)")])
        }
        guard let range = header("range") else {
            return HTTPResponse(status: 200, headers: [("ETag", etag), ("Content-Length", "\(object.body.count)")], body: object.body)
        }
        let bounds = range.dropFirst("bytes=".count).split(separator: "-").map { Int($0)! }
        guard bounds[0] < object.body.count else { return s3Error(416, "InvalidRange", "The requested range is not satisfiable") }
        let last = min(bounds[1], object.body.count - 1)
        return HTTPResponse(
            status: 206, headers: [("ETag", etag), ("Content-Range", "bytes \(bounds[0])-\(last)/\(object.body.count)")],
            body: Array(object.body[bounds[0]...last]))
    }
}

func s3Error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
    HTTPResponse(status: status, body: Array("<?xml version=\"1.0\"?><Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>R7</RequestId></Error>".utf8))
}

/// A transport answering from `store`, each answer passed through `tamper` (request index, request, answer).
func storeTransport(
    _ store: ObjectStore, tamper: @escaping @Sendable (Int, HTTPRequest, HTTPResponse) -> Result<HTTPResponse, AWSError> = { .success($2) }
) -> ScriptedTransport {
    ScriptedTransport { index, request in tamper(index, request, store.answer(request)) }
}

/// A transport that reads at most `limit` bytes of an answer, as AsyncHTTPClientTransport does.
struct LimitedTransport: HTTPTransport {
    let inner: ScriptedTransport
    let maxResponseBytes: Int
    func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse {
        let response = try await inner.send(request)
        guard response.body.count <= maxResponseBytes else { throw AWSError(.connectionFailed, "body larger than \(maxResponseBytes)") }
        return response
    }
}

func readClient(_ transport: any HTTPTransport, maxAttempts: Int = 4) -> S3Client {
    S3Client(
        configuration: S3Configuration(
            bucket: "bkt", region: "eu-west-1", endpoint: "http://127.0.0.1:9000",
            retry: RetryPolicy(maxAttempts: maxAttempts, baseDelayMillis: 1, maxDelayMillis: 4)),
        credentials: StaticCredentials(value: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK")),
        transport: transport, clock: .fixed(EpochMillis(seconds: 1_767_225_600)), sleep: { _ in })
}

extension HTTPRequest {
    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
}

/// Bytes 0, 1, 2, … (mod 251), so any misplaced range shows.
func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

/// Collects what a download hands over.
final class Chunks: @unchecked Sendable {
    var received: [[UInt8]] = []
    var bytes: [UInt8] { received.flatMap { $0 } }
}

@Suite struct S3ReadTests {
    @Test func headObjectGivesTheSizeAndTheETagWithoutQuotes() async throws {
        let transport = storeTransport(ObjectStore(["d/a.json.gz": .init(body: pattern(42), etag: "abc-2")]))
        let info = try await readClient(transport).headObject(key: "d/a.json.gz")
        #expect(info == S3ObjectInfo(key: "d/a.json.gz", size: 42, etag: "abc-2"))
        #expect(transport.sent[0].method == "HEAD" && transport.sent[0].url == "http://127.0.0.1:9000/bkt/d/a.json.gz")
    }

    @Test func getObjectReadsARangeAndTheObjectsSize() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(100), etag: "e1")]))
        let data = try await readClient(transport).getObject(key: "k", range: 10..<20, ifMatch: "e1")
        #expect(data.body == Array(pattern(100)[10..<20]) && data.size == 100 && data.offset == 10 && data.etag == "e1")
        #expect(transport.sent[0].header("Range") == "bytes=10-19" && transport.sent[0].header("If-Match") == "\"e1\"")
        let whole = try await readClient(transport).getObject(key: "k")
        #expect(whole.body == pattern(100) && whole.size == 100 && transport.sent[1].header("Range") == nil)
    }

    @Test func aRangePastTheEndReadsToTheEnd() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(30), etag: "e1")]))
        let data = try await readClient(transport).getObject(key: "k", range: 20..<1000)
        #expect(data.body == Array(pattern(30)[20...]) && data.size == 30)
    }

    @Test(arguments: ["GET", "HEAD"])
    func aMissingObjectIsNoSuchKeyNamingItsURL(_ method: String) async throws {
        let transport = storeTransport(ObjectStore([:]))
        let s3 = readClient(transport)
        let error = try await #require(throws: S3Error.self) {
            if method == "GET" { _ = try await s3.getObject(key: "exp/data/missing.json.gz") } else { _ = try await s3.headObject(key: "exp/data/missing.json.gz") }
        }
        #expect(error.code == "NoSuchKey" && error.status == 404 && error.attempts == 1, "\(error)")
        #expect(error.description.contains("s3://bkt/exp/data/missing.json.gz"), "\(error)")
        #expect(transport.sent.count == 1, "not retried")
    }

    @Test func downloadReadsInRangesPinnedToTheFirstETag() async throws {
        let body = pattern(25)
        let transport = storeTransport(ObjectStore(["k": .init(body: body, etag: "e1")]))
        let chunks = Chunks()
        let info = try await readClient(transport).download(key: "k", chunkSize: 10) { chunks.received.append($0) }
        #expect(info == S3ObjectInfo(key: "k", size: 25, etag: "e1"))
        #expect(chunks.received.map(\.count) == [10, 10, 5] && chunks.bytes == body)
        #expect(transport.sent.map { $0.header("Range") } == ["bytes=0-9", "bytes=10-19", "bytes=20-29"])
        #expect(transport.sent.map { $0.header("If-Match") } == [nil, "\"e1\"", "\"e1\""])
    }

    @Test func anExpectedETagIsSentFromTheFirstRange() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(15), etag: "m-3")]))
        let chunks = Chunks()
        try await readClient(transport).download(key: "k", chunkSize: 10, expectedETag: "m-3") { chunks.received.append($0) }
        #expect(transport.sent.map { $0.header("If-Match") } == ["\"m-3\"", "\"m-3\""] && chunks.bytes == pattern(15))

        let other = storeTransport(ObjectStore(["k": .init(body: pattern(15), etag: "new")]))
        let error = try await #require(throws: S3Error.self) {
            try await readClient(other).download(key: "k", chunkSize: 10, expectedETag: "\"m-3\"") { _ in Issue.record("no byte of another object") }
        }
        #expect(error.code == "PreconditionFailed" && error.description.contains("changed while it was being read") && error.description.contains("s3://bkt/k"))
    }

    @Test func anAnswerCutShortIsContinuedForTheRestOfItsRange() async throws {
        let body = pattern(25)
        // The second range's first answer stops after 3 of its 10 bytes (a connection that ended
        // early, read to its close), then the rest of it stops after 2 more.
        let transport = storeTransport(ObjectStore(["k": .init(body: body, etag: "e1")])) { index, _, response in
            var cut = response
            if index == 1 { cut.body = Array(cut.body.prefix(3)) }
            if index == 2 { cut.body = Array(cut.body.prefix(2)) }
            return .success(cut)
        }
        let chunks = Chunks()
        let info = try await readClient(transport).download(key: "k", chunkSize: 10) { chunks.received.append($0) }
        #expect(info.size == 25 && chunks.bytes == body)
        #expect(transport.sent.map { $0.header("Range") } == ["bytes=0-9", "bytes=10-19", "bytes=13-19", "bytes=15-19", "bytes=20-29"])
        #expect(transport.sent.dropFirst().allSatisfy { $0.header("If-Match") == "\"e1\"" })
    }

    @Test func getObjectCompletesAWholeReadCutShort() async throws {
        let body = pattern(40)
        let transport = storeTransport(ObjectStore(["k": .init(body: body, etag: "e1")])) { index, _, response in
            var cut = response
            if index == 0 { cut.body = Array(cut.body.prefix(17)) }
            return .success(cut)
        }
        let data = try await readClient(transport).getObject(key: "k")
        #expect(data.body == body && data.size == 40)
        #expect(transport.sent.map { $0.header("Range") } == [nil, "bytes=17-39"] && transport.sent[1].header("If-Match") == "\"e1\"")
    }

    @Test func answersThatStayShortAreAnErrorAfterTheRetryBudget() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(25), etag: "e1")])) { index, _, response in
            var cut = response
            if index > 0 { cut.body = [] }
            return .success(cut)
        }
        let error = try await #require(throws: S3Error.self) {
            try await readClient(transport, maxAttempts: 3).download(key: "k", chunkSize: 10) { _ in }
        }
        #expect(error.code == "IncompleteBody" && error.attempts == 3 && error.description.contains("s3://bkt/k"), "\(error)")
        #expect(transport.sent.count == 4, "one full range, then three short answers")
    }

    @Test func aRangeThatFailsIsRetriedAloneNotTheObject() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(25), etag: "e1")])) { index, _, response in
            index == 1 || index == 2 ? .failure(AWSError(.connectionFailed, "connection reset by peer")) : .success(response)
        }
        let chunks = Chunks()
        try await readClient(transport).download(key: "k", chunkSize: 10) { chunks.received.append($0) }
        #expect(chunks.bytes == pattern(25))
        #expect(transport.sent.map { $0.header("Range") } == ["bytes=0-9", "bytes=10-19", "bytes=10-19", "bytes=10-19", "bytes=20-29"])
    }

    @Test(arguments: [true, false])
    func anObjectReplacedMidReadIsAnErrorNeverAMix(_ honoursIfMatch: Bool) async throws {
        let store = ObjectStore(["k": .init(body: pattern(25), etag: "e1")], honoursIfMatch: honoursIfMatch)
        let transport = storeTransport(store) { index, _, response in
            // Replaced once the first range has been answered.
            if index == 0 { store.objects.withLock { $0["k"] = .init(body: [UInt8](repeating: 9, count: 25), etag: "e2") } }
            return .success(response)
        }
        let chunks = Chunks()
        let error = try await #require(throws: S3Error.self) {
            try await readClient(transport).download(key: "k", chunkSize: 10) { chunks.received.append($0) }
        }
        #expect(error.code == "PreconditionFailed", "\(error)")
        #expect(error.description.contains("the object changed while it was being read") && error.description.contains("s3://bkt/k"), "\(error)")
        #expect(chunks.bytes == Array(pattern(25)[0..<10]), "only bytes of the first object were handed over")
        #expect(transport.sent.count == 2, "412 is not retried")
    }

    @Test func anEmptyObjectDownloadsAsEmpty() async throws {
        let transport = storeTransport(ObjectStore(["empty.json.gz": .init(body: [], etag: "d41d8cd98f00b204e9800998ecf8427e")]))
        let chunks = Chunks()
        let info = try await readClient(transport).download(key: "empty.json.gz") { chunks.received.append($0) }
        #expect(info == S3ObjectInfo(key: "empty.json.gz", size: 0, etag: "d41d8cd98f00b204e9800998ecf8427e"))
        #expect(chunks.received.isEmpty)
        #expect(transport.sent.map(\.method) == ["GET", "HEAD"], "S3 answers 416 to a range of an empty object; HEAD says it is empty")
        let data = try await readClient(transport).getObject(key: "empty.json.gz", range: 0..<100)
        #expect(data.body.isEmpty && data.size == 0)
    }

    @Test func aRangeStartingPastTheEndIsInvalidRange() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(5), etag: "e1")]))
        let error = try await #require(throws: S3Error.self) { try await readClient(transport).getObject(key: "k", range: 10..<20) }
        #expect(error.code == "InvalidRange" && error.status == 416)
    }

    @Test func theChunkSizeKeepsWithinWhatTheTransportReads() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(10), etag: "e1")]))
        let chunks = Chunks()
        try await readClient(LimitedTransport(inner: transport, maxResponseBytes: 4)).download(key: "k") { chunks.received.append($0) }
        #expect(chunks.bytes == pattern(10))
        #expect(transport.sent.map { $0.header("Range") } == ["bytes=0-3", "bytes=4-7", "bytes=8-11"])
    }

    @Test func getObjectReadsMoreThanTheTransportTakesInRanges() async throws {
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(10), etag: "e1")]))
        let s3 = readClient(LimitedTransport(inner: transport, maxResponseBytes: 4))
        let whole = try await s3.getObject(key: "k")
        #expect(whole.body == pattern(10) && whole.size == 10 && whole.etag == "e1")
        #expect(transport.sent.map { $0.header("Range") } == ["bytes=0-3", "bytes=4-7", "bytes=8-11"])
        #expect(transport.sent.map { $0.header("If-Match") } == [nil, "\"e1\"", "\"e1\""])
        let part = try await s3.getObject(key: "k", range: 2..<9)
        #expect(part.body == Array(pattern(10)[2..<9]) && part.offset == 2 && part.size == 10)
        #expect(transport.sent.dropFirst(3).map { $0.header("Range") } == ["bytes=2-5", "bytes=6-8"])
    }

    @Test func aConsumersErrorEndsTheDownload() async throws {
        struct Full: Error {}
        let transport = storeTransport(ObjectStore(["k": .init(body: pattern(25), etag: "e1")]))
        await #expect(throws: Full.self) {
            try await readClient(transport).download(key: "k", chunkSize: 10) { _ in throw Full() }
        }
        #expect(transport.sent.count == 1)
    }

    /// The headers sent are the headers signed: Range and If-Match are in SignedHeaders, and the
    /// signature recomputed by the signer from the request as sent is the one it carries.
    @Test func aRangedConditionalGetIsSignedWithItsHeaders() async throws {
        let transport = storeTransport(ObjectStore(["dt=2026-01-01/a b+c.json.gz": .init(body: pattern(25), etag: "e1")]))
        let s3 = S3Client(
            configuration: S3Configuration(bucket: "bkt", region: "eu-west-1", endpoint: "http://127.0.0.1:9000"),
            credentials: StaticCredentials(value: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK", sessionToken: "TOKEN")),
            transport: transport, clock: .fixed(EpochMillis(seconds: 1_767_225_600)), sleep: { _ in })
        _ = try await s3.getObject(key: "dt=2026-01-01/a b+c.json.gz", range: 5..<15, ifMatch: "e1")
        let sent = try #require(transport.sent.first)
        #expect(sent.url == "http://127.0.0.1:9000/bkt/dt%3D2026-01-01/a%20b%2Bc.json.gz")
        let authorization = try #require(sent.header("Authorization"))
        #expect(authorization.contains("SignedHeaders=host;if-match;range;x-amz-content-sha256;x-amz-date;x-amz-security-token,"), "\(authorization)")
        #expect(sent.header("x-amz-content-sha256") == SigningRequest.payloadHash(of: []))
        let signer = SigV4Signer(service: "s3", region: "eu-west-1", variant: .s3)
        let resigned = signer.sign(
            SigningRequest(
                method: "GET", path: "/bkt/dt%3D2026-01-01/a%20b%2Bc.json.gz",
                headers: [("Host", "127.0.0.1:9000"), ("Range", "bytes=5-14"), ("If-Match", "\"e1\"")],
                payloadHash: SigningRequest.payloadHash(of: [])),
            credentials: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK", sessionToken: "TOKEN"),
            date: AmzDate(EpochMillis(seconds: 1_767_225_600)))
        #expect(resigned.authorization == authorization)
    }

    @Test func contentRangesAreParsedStrictly() {
        func parsed(_ value: String) -> [Int]? { S3Client.parseContentRange(value).map { [$0.start, $0.size] } }
        #expect(parsed("bytes 0-99/1234") == [0, 1234])
        #expect(parsed("bytes 5-5/6") == [5, 6])
        for bad in ["bytes */0", "bytes 0-99/*", "bytes 10-5/20", "bytes 0-20/20", "items 0-1/2", "bytes 0-1"] {
            #expect(parsed(bad) == nil, "\(bad)")
        }
    }
}

/// ListObjectsV2 pages as S3 writes them with `encoding-type=url`.
enum ListingXML {
    /// A key as S3 encodes it for `encoding-type=url`: percent-encoded, `/` kept, a space as `+`
    /// (botocore decodes these with `unquote_plus`).
    static func encode(_ key: String) -> String {
        URIEncoding.encode(key, keepSlash: true).replacingAll("%20", "+")
    }

    static func page(keys: [String], prefixes: [String] = [], truncated: Bool, token: String?, encoded: Bool = true) -> HTTPResponse {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        xml += "<Name>bkt</Name><Prefix>exp%2F</Prefix><KeyCount>\(keys.count)</KeyCount><MaxKeys>2</MaxKeys>"
        if encoded { xml += "<EncodingType>url</EncodingType>" }
        xml += "<IsTruncated>\(truncated)</IsTruncated>"
        if let token { xml += "<NextContinuationToken>\(XMLFields.escape(token))</NextContinuationToken>" }
        for (index, key) in keys.enumerated() {
            let name = encoded ? encode(key) : XMLFields.escape(key)
            xml += "<Contents><Key>\(name)</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>"
            xml += "<ETag>&quot;etag\(index)&quot;</ETag><Size>\(100 + index)</Size><StorageClass>STANDARD</StorageClass></Contents>"
        }
        for prefix in prefixes { xml += "<CommonPrefixes><Prefix>\(encoded ? encode(prefix) : XMLFields.escape(prefix))</Prefix></CommonPrefixes>" }
        xml += "</ListBucketResult>"
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/xml")], body: Array(xml.utf8))
    }
}

@Suite struct S3ListTests {
    static let awkwardKeys = [
        "exp/AWSDynamoDB/0123-ab/data/a&b <c>.json.gz", "exp/Zoë/渡辺 🚀.json.gz", "exp/dt=2026-01-01/x+y z.json.gz", "exp/100%/25%2B.gz",
        "exp/quote\"'apos", "exp/tab\there", "exp/IsTruncated",
    ]

    @Test func allObjectsFollowsContinuationTokensAcrossPages() async throws {
        let keys = Self.awkwardKeys
        let transport = ScriptedTransport { index, request in
            switch index {
            case 0: .success(ListingXML.page(keys: Array(keys[0..<3]), truncated: true, token: "t1/+=&"))
            case 1: .success(ListingXML.page(keys: Array(keys[3..<6]), truncated: true, token: "t2"))
            default: .success(ListingXML.page(keys: [keys[6]], truncated: false, token: nil))
            }
        }
        let objects = try await readClient(transport).listAllObjects(prefix: "exp/")
        #expect(objects.map(\.key) == keys, "every key decoded as written")
        #expect(objects.map(\.size) == [100, 101, 102, 100, 101, 102, 100] && objects[1].etag == "etag1")
        let sent = transport.sent
        #expect(sent.count == 3)
        #expect(sent[0].url == "http://127.0.0.1:9000/bkt?encoding-type=url&list-type=2&prefix=exp%2F")
        #expect(sent[1].url == "http://127.0.0.1:9000/bkt?continuation-token=t1%2F%2B%3D%26&encoding-type=url&list-type=2&prefix=exp%2F")
        #expect(sent[2].url.contains("continuation-token=t2&"))
        #expect(sent.allSatisfy { $0.method == "GET" })
    }

    @Test func aPageGivesItsCommonPrefixesAndItsToken() async throws {
        let transport = ScriptedTransport { _, _ in
            .success(ListingXML.page(keys: ["exp/manifest-summary.json"], prefixes: ["exp/data/", "exp/a b+c&d/"], truncated: true, token: "tok"))
        }
        let page = try await readClient(transport).listObjects(prefix: "exp/", delimiter: "/", maxKeys: 2)
        #expect(page.objects == [S3ObjectInfo(key: "exp/manifest-summary.json", size: 100, etag: "etag0")])
        #expect(page.commonPrefixes == ["exp/data/", "exp/a b+c&d/"] && page.nextContinuationToken == "tok")
        #expect(transport.sent[0].url == "http://127.0.0.1:9000/bkt?delimiter=%2F&encoding-type=url&list-type=2&max-keys=2&prefix=exp%2F")
    }

    @Test func keysAreNotDecodedWhenTheStoreDidNotEncodeThem() async throws {
        let transport = ScriptedTransport { _, _ in .success(ListingXML.page(keys: Self.awkwardKeys, truncated: false, token: nil, encoded: false)) }
        let page = try await readClient(transport).listObjects(prefix: "exp/")
        #expect(page.objects.map(\.key) == Self.awkwardKeys && page.nextContinuationToken == nil)
    }

    @Test func aTruncatedPageWithoutATokenIsAnErrorNotAnEndlessLoop() async throws {
        let transport = ScriptedTransport { _, _ in .success(ListingXML.page(keys: ["exp/a"], truncated: true, token: nil)) }
        let error = try await #require(throws: S3Error.self) { try await readClient(transport).listAllObjects(prefix: "exp/") }
        #expect(error.code == "InvalidResponse" && error.description.contains("NextContinuationToken") && error.description.contains("s3://bkt/exp/"))
        #expect(transport.sent.count == 1)
    }

    @Test func aTokenHandedBackTwiceIsAnError() async throws {
        let transport = ScriptedTransport { _, _ in .success(ListingXML.page(keys: ["exp/a"], truncated: true, token: "same")) }
        let error = try await #require(throws: S3Error.self) { try await readClient(transport).listAllObjects(prefix: "exp/") }
        #expect(error.code == "InvalidResponse" && error.description.contains("a second time"))
        #expect(transport.sent.count == 2)
    }

    @Test func aListingErrorIsS3sCode() async throws {
        let transport = ScriptedTransport { _, _ in .success(s3Error(404, "NoSuchBucket", "The specified bucket does not exist")) }
        let error = try await #require(throws: S3Error.self) { try await readClient(transport).listObjects(prefix: "exp/") }
        #expect(error.code == "NoSuchBucket" && error.status == 404)
    }

    @Test func awsListsOnTheBucketsHost() async throws {
        let transport = ScriptedTransport { _, _ in .success(ListingXML.page(keys: [], truncated: false, token: nil)) }
        let s3 = S3Client(
            configuration: S3Configuration(bucket: "bkt", region: "eu-west-1"),
            credentials: StaticCredentials(value: AWSCredentials(accessKeyID: "AK", secretAccessKey: "SK")), transport: transport,
            clock: .fixed(EpochMillis(seconds: 1_767_225_600)), sleep: { _ in })
        let page = try await s3.listObjects()
        #expect(page.objects.isEmpty && transport.sent[0].url == "https://bkt.s3.eu-west-1.amazonaws.com/?encoding-type=url&list-type=2&prefix=")
    }

    @Test func xmlEntitiesAreResolved() {
        #expect(XMLFields.unescape("a&amp;b&lt;c&gt;&quot;d&apos;&#13;&#x1F;&#xe9;") == "a&b<c>\"d'\r\u{1F}é")
        #expect(XMLFields.unescape("&unknown; & &#xZZ; &#99999999;") == "&unknown; & &#xZZ; &#99999999;")
        #expect(XMLFields.elements("K", in: "<K>1</K><K/><K>3</K>") == ["1", "", "3"])
    }
}
