#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif
#if canImport(Glibc)
internal import Glibc
#endif
internal import Timekeeping

/// The JSON both the container endpoint and IMDS answer with:
/// `{"Code":"Success","AccessKeyId":…,"SecretAccessKey":…,"Token":…,"Expiration":"2026-01-01T06:00:00Z"}`.
///
/// Its errors name the field that is wrong and never show a value from the body: the body holds
/// the secret and the session token, and these messages end up in logs (stderr is the log on
/// ECS, EKS and Lambda).
enum CredentialDocument {
    /// What a field held.
    enum Field {
        case absent
        case string(String)
        /// Present but not a string (`null` counts as absent).
        case other
    }

    /// The fields read, without failing on any of them.
    struct Fields: Decodable {
        var values: [String: Field] = [:]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        static let names = ["Code", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for name in Self.names {
                let key = Key(stringValue: name)
                if !container.contains(key) || (try? container.decodeNil(forKey: key)) == true {
                    values[name] = .absent
                } else if let text = try? container.decode(String.self, forKey: key) {
                    values[name] = .string(text)
                } else {
                    values[name] = .other
                }
            }
        }

        subscript(name: String) -> Field { values[name] ?? .absent }
    }

    static func parse(_ body: [UInt8], source: String) throws(AWSError) -> AWSCredentials {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(body))
        } catch {
            throw AWSError.credentials("\(source) answered HTTP 200 with a body of \(body.count) bytes that is not a JSON object (not shown: it may hold credentials)")
        }
        // IMDS says why it has no credentials in `Code`; show it only when it is a plain word.
        if case .string(let code) = fields["Code"], code != "Success", !code.isEmpty, code.count <= 64,
            code.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("A"..."Z").contains($0) || ("a"..."z").contains($0) })
        {
            throw AWSError.credentials("\(source) answered HTTP 200 with Code \(code) instead of credentials")
        }
        func required(_ name: String) throws(AWSError) -> String {
            switch fields[name] {
            case .string(let text) where !text.isEmpty: return text
            case .string: throw AWSError.credentials("\(source) answered HTTP 200 with credentials whose \(name) is empty")
            case .other: throw AWSError.credentials("\(source) answered HTTP 200 with credentials whose \(name) is not a string")
            case .absent: throw AWSError.credentials("\(source) answered HTTP 200 with credentials without \(name)")
            }
        }
        func optional(_ name: String) throws(AWSError) -> String? {
            switch fields[name] {
            case .string(let text): return text.isEmpty ? nil : text
            case .other: throw AWSError.credentials("\(source) answered HTTP 200 with credentials whose \(name) is not a string")
            case .absent: return nil
            }
        }
        let accessKeyID = try required("AccessKeyId")
        let secret = try required("SecretAccessKey")
        let token = try optional("Token")
        var expiration: EpochMillis?
        if let text = try optional("Expiration") {
            guard let seconds = epochSeconds(iso8601: text) else {
                throw AWSError.credentials("\(source) answered HTTP 200 with credentials whose Expiration is not an ISO 8601 time")
            }
            expiration = EpochMillis(seconds: seconds)
        }
        return AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}

/// Epoch seconds of `2026-01-01T00:00:00Z` (fractions and offsets `±HH:MM` allowed).
func epochSeconds(iso8601 text: String) -> Int64? {
    let whole = Date.ISO8601FormatStyle()
    let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    guard let date = (try? whole.parse(text)) ?? (try? fractional.parse(text)) else { return nil }
    return Int64(date.timeIntervalSince1970.rounded(.down))
}

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`.
public struct ContainerCredentialProvider: CredentialProvider {
    public let environment: [String: String]
    public let http: any HTTPTransport
    public var name: String { "container" }

    public init(environment: [String: String], http: any HTTPTransport) {
        self.environment = environment
        self.http = http
    }

    public func credentials() async throws(AWSError) -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            url = full
        } else {
            return nil
        }
        var headers: [(name: String, value: String)] = []
        if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !path.isEmpty {
            guard let token = readFile(path) else { throw AWSError.credentials("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path)") }
            headers.append(("Authorization", token.trimmingWhitespace()))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", token))
        }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: "GET", url: url, headers: headers, timeoutMillis: 5000))
        } catch {
            throw AWSError.credentials("container credentials endpoint \(url) did not answer: \(error.message)", underlying: error)
        }
        guard response.status == 200 else {
            let redirect = (300..<400).contains(response.status) ? ", a redirect (not followed)" : ""
            throw AWSError.credentials("container credentials endpoint \(url) answered HTTP \(response.status)\(redirect)\(notShown(response.body))")
        }
        return try CredentialDocument.parse(response.body, source: "container credentials endpoint")
    }
}

/// EC2 instance credentials through IMDSv2 (a session token first, then the role's credentials).
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves the endpoint (tests); no answer means "not on EC2".
public struct IMDSCredentialProvider: CredentialProvider {
    public let endpoint: String
    public let http: any HTTPTransport
    public var name: String { "IMDSv2" }

    public init(environment: [String: String], http: any HTTPTransport) {
        var endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.http = http
    }

    public func credentials() async throws(AWSError) -> AWSCredentials? {
        let tokenResponse: HTTPResponse
        do {
            tokenResponse = try await http.send(
                HTTPRequest(
                    method: "PUT", url: endpoint + "/latest/api/token",
                    headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")], timeoutMillis: 1000))
        } catch {
            return nil  // no metadata service: not on EC2
        }
        guard tokenResponse.status == 200 else {
            throw AWSError.credentials("IMDSv2 refused a session token (HTTP \(tokenResponse.status))\(notShown(tokenResponse.body))")
        }
        // The token goes back in a header: visible ASCII only (no line break to smuggle a header in).
        let token = String(decoding: tokenResponse.body, as: UTF8.self)
        guard !token.isEmpty, token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw AWSError.credentials("IMDSv2 answered a session token of \(tokenResponse.body.count) bytes that is not a token (not shown)")
        }
        let base = endpoint + "/latest/meta-data/iam/security-credentials/"
        let headers = [(name: "X-aws-ec2-metadata-token", value: token)]
        let role: String
        let listing: HTTPResponse
        do {
            listing = try await http.send(HTTPRequest(method: "GET", url: base, headers: headers, timeoutMillis: 2000))
        } catch {
            throw AWSError.credentials("IMDSv2 did not answer: \(error.message)", underlying: error)
        }
        guard listing.status == 200 else {
            throw AWSError.credentials("IMDSv2: the instance has no IAM role (HTTP \(listing.status))\(notShown(listing.body))")
        }
        role = String(decoding: listing.body, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard !role.isEmpty else { throw AWSError.credentials("IMDSv2 named no IAM role") }
        // The role goes into the next URL (and so into messages): an IAM role name, or nothing.
        guard Self.isRoleName(role) else {
            throw AWSError.credentials("IMDSv2 answered a role listing of \(role.utf8.count) bytes that is not an IAM role name (not shown)")
        }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: "GET", url: base + role, headers: headers, timeoutMillis: 2000))
        } catch {
            throw AWSError.credentials("IMDSv2 did not answer: \(error.message)", underlying: error)
        }
        guard response.status == 200 else {
            throw AWSError.credentials("IMDSv2 credentials for role \(role): HTTP \(response.status)\(notShown(response.body))")
        }
        return try CredentialDocument.parse(response.body, source: "IMDSv2 credentials for role \(role)")
    }

    /// IAM's rule for role names: 1 to 64 of letters, digits and `+=,.@_-`.
    static func isRoleName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || "+=,.@_-".utf8.contains(byte)
            }
    }
}

/// What an error says of a body it does not show: only its size, since credential endpoints'
/// bodies may hold the secret and the token even when the status says something failed.
private func notShown(_ body: [UInt8]) -> String {
    body.isEmpty ? "" : " (a body of \(body.count) bytes, not shown: it may hold credentials)"
}

func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
