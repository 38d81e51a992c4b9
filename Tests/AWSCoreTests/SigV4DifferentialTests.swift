import Foundation
import AWSCore
import Testing

/// The S3 signer against botocore's, on randomized requests: keys with spaces, `=`, `+`, `%`, `:`,
/// unicode; query strings; session tokens; empty and binary bodies; unsigned payloads; presigning.
@Suite struct SigV4DifferentialTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// botocore's answers for `cases`, from `Tests/sigv4/botocore_signer.py` run by the project's Python.
    static func botocore(_ cases: [[String: Any]]) throws -> [[String: Any]] {
        let python = ProcessInfo.processInfo.environment["DDBCDC_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no Python at \(python): run scripts/setup.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("Tests/sigv4/botocore_signer.py").path]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in"), output = dir.appendingPathComponent("out")
        try Data(try cases.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n").utf8)
            .write(to: input)
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "botocore_signer.py failed (is botocore installed in .venv?)")
        return try Data(contentsOf: output).split(separator: 0x0A).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
    }

    struct Case {
        var method: String
        var host: String
        var path: String
        var query: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var token: String?
        var unsigned: Bool
        var timestamp: String
        var region: String
    }

    static func randomCases(count: Int) -> [Case] {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "dt=2026-01-01", "HH=07", "key with spaces", "plus+sign", "100%", "colon:here", "Zoë", "渡辺", "🚀", "~tilde", "x.y_z-1",
            "(parens)", "comma,semi;", "quote'", "star*", "at@", "amp&", "eq=", "hash#"]
        let headerValues = ["text/plain", "  padded   value  ", "a,b", "UTF8 ok", "x=1; y=2"]
        return (0..<count).map { k in
            let segments = (0..<Int.random(in: 1...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
            let key = segments.joined(separator: "/")
            let path = "/bucket-\(k % 3)/" + URIEncoding.encode(key, keepSlash: true)
            var query = ""
            switch k % 4 {
            case 1: query = "uploads="
            case 2: query = "partNumber=\(k)&uploadId=" + URIEncoding.encode("id/\(k)+=x")
            case 3: query = "x-id=PutObject&list-type=2&prefix=" + URIEncoding.encode(pieces.randomElement(using: &rng)!)
            default: break
            }
            var headers: [(name: String, value: String)] = [("Content-Type", headerValues.randomElement(using: &rng)!)]
            if k % 2 == 0 { headers.append(("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==")) }
            if k % 5 == 0 { headers.append(("x-amz-server-side-encryption", "aws:kms")) }
            if k % 7 == 0 { headers.append(("X-Amz-Meta-Note", "  two  spaces ")) }
            let bodySize = [0, 1, 17, 1000, 70000][k % 5]
            let body = (0..<bodySize).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let day = 1 + k % 28
            return Case(
                method: ["PUT", "POST", "GET", "DELETE"][k % 4], host: k % 3 == 0 ? "127.0.0.1:\(8000 + k)" : "s3.example.com", path: path,
                query: query, headers: headers, body: body, token: k % 3 == 1 ? "FwoGZXIvYXdzE//token+\(k)=" : nil, unsigned: k % 6 == 5,
                timestamp: "202601\(day < 10 ? "0" : "")\(day)T0\(k % 10)1500Z", region: ["us-east-1", "eu-west-1", "ap-southeast-2"][k % 3])
        }
    }

    @Test func s3SignaturesMatchBotocore() throws {
        let cases = Self.randomCases(count: 300)
        let answers = try Self.botocore(
            cases.map { c in
                var json: [String: Any] = [
                    "method": c.method, "url": "http://\(c.host)\(c.path)\(c.query.isEmpty ? "" : "?" + c.query)",
                    "headers": c.headers.map { [$0.name, $0.value] }, "body_b64": Data(c.body).base64EncodedString(),
                    "timestamp": c.timestamp, "region": c.region, "service": "s3", "access_key": "AKIAEXAMPLE",
                    "secret_key": "secret/with+chars=", "mode": c.unsigned ? "s3-unsigned" : "s3",
                ]
                if let token = c.token { json["session_token"] = token }
                return json
            })
        try #require(answers.count == cases.count)
        for (c, answer) in zip(cases, answers) {
            let signer = SigV4Signer(service: "s3", region: c.region, variant: .s3)
            let request = SigningRequest(
                method: c.method, path: c.path, query: c.query, headers: [("Host", c.host)] + c.headers,
                payloadHash: c.unsigned ? SigningRequest.unsignedPayload : SigningRequest.payloadHash(of: c.body))
            let signed = signer.sign(
                request, credentials: AWSCredentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "secret/with+chars=", sessionToken: c.token),
                date: AmzDate(timestamp: c.timestamp)!)
            #expect(signed.canonicalRequest == answer["canonical_request"] as? String, "\(c.method) \(c.path)?\(c.query)")
            #expect(signed.stringToSign == answer["string_to_sign"] as? String)
            #expect(signed.authorization == answer["authorization"] as? String)
        }
    }

    @Test func presignedURLsMatchBotocore() throws {
        let cases = Self.randomCases(count: 40).map { c -> Case in
            var c = c
            c.headers = []
            c.query = ""
            return c
        }
        let answers = try Self.botocore(
            cases.map { c in
                var json: [String: Any] = [
                    "method": "GET", "url": "http://\(c.host)\(c.path)", "timestamp": c.timestamp, "region": c.region, "service": "s3",
                    "access_key": "AKIAEXAMPLE", "secret_key": "secret", "mode": "s3-presign", "expires": 900,
                ]
                if let token = c.token { json["session_token"] = token }
                return json
            })
        for (c, answer) in zip(cases, answers) {
            let signer = SigV4Signer(service: "s3", region: c.region, variant: .s3)
            let (query, _) = signer.presign(
                SigningRequest(method: "GET", path: c.path, headers: [("Host", c.host)], payloadHash: SigningRequest.unsignedPayload),
                credentials: AWSCredentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "secret", sessionToken: c.token),
                date: AmzDate(timestamp: c.timestamp)!, expires: 900)
            let url = try #require(answer["url"] as? String)
            // botocore orders the query differently; the parameters and the signature must agree.
            let ours = Set(query.split(separator: "&").map(String.init))
            let theirs = Set(url.split(separator: "?", maxSplits: 1)[1].split(separator: "&").map(String.init))
            #expect(ours == theirs, "\(c.path)")
        }
    }
}
