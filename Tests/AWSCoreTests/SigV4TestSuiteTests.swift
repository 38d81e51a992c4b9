import Foundation
import AWSCore
import Testing

/// The AWS SigV4 test suite (from the botocore sdist; `scripts/test.sh` fetches it and sets
/// `AWS4_TESTSUITE_DIR`), run against the generic signer: every canonical request, string to sign
/// and Authorization header must match.
@Suite struct SigV4TestSuiteTests {
    static let directory = ProcessInfo.processInfo.environment["AWS4_TESTSUITE_DIR"]

    static func cases() -> [String] {
        guard let directory else { return ["<AWS4_TESTSUITE_DIR is not set>"] }
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".req") { found.append(String(path.dropLast(4))) }
        }
        return found.sorted()
    }

    /// A raw request: method, target (path and query as sent), headers (continuation lines joined), body.
    struct RawRequest {
        var method: String
        var path: String
        var query: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        init(_ text: String) {
            let (head, body) = text.firstRange(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
            var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let requestLine = lines.removeFirst()
            let firstSpace = requestLine.firstIndex(of: " ")!, lastSpace = requestLine.lastIndex(of: " ")!
            method = String(requestLine[..<firstSpace])
            let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
            if let question = target.firstIndex(of: "?") {
                path = String(target[..<question])
                query = String(target[target.index(after: question)...])
            } else {
                path = target
                query = ""
            }
            headers = []
            for line in lines where !line.isEmpty {
                if line.first == " " || line.first == "\t" {
                    headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                } else if let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
                }
            }
            self.body = Array(body.utf8)
        }
    }

    @Test(arguments: cases())
    func matchesTheSuite(_ name: String) throws {
        let directory = try #require(Self.directory, "run scripts/test.sh, which fetches the suite and sets AWS4_TESTSUITE_DIR")
        let base = URL(fileURLWithPath: directory).appendingPathComponent(name)
        func read(_ suffix: String) throws -> String {
            try String(contentsOf: base.appendingPathExtension(suffix), encoding: .utf8).replacingOccurrences(of: "\r", with: "")
        }
        let raw = RawRequest(try read("req"))
        let expectedCanonical = try read("creq"), expectedStringToSign = try read("sts"), expectedAuthorization = try read("authz")
        // The token, when the suite signs with one, is in its canonical request (as botocore's harness reads it).
        let token = expectedCanonical.split(separator: "\n").first { $0.hasPrefix("x-amz-security-token:") }
            .map { String($0.dropFirst("x-amz-security-token:".count)) }
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: token)
        let signer = SigV4Signer(service: "service", region: "us-east-1", variant: .generic)
        let request = SigningRequest(
            method: raw.method, path: raw.path, query: raw.query, headers: raw.headers,
            payloadHash: SigningRequest.payloadHash(of: raw.body))
        let signed = signer.sign(request, credentials: credentials, date: AmzDate(timestamp: "20150830T123600Z")!)
        #expect(signed.canonicalRequest == expectedCanonical)
        #expect(signed.stringToSign == expectedStringToSign)
        #expect(signed.authorization == expectedAuthorization)
    }
}
