#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif
#if canImport(Glibc)
internal import Glibc
#endif

/// The JSON both the container endpoint and IMDS answer with.
struct CredentialDocument: Decodable {
    var AccessKeyId: String
    var SecretAccessKey: String
    var Token: String?
    var Expiration: String?

    func credentials(source: String) throws(CredentialError) -> AWSCredentials {
        var expiration: Int64?
        if let text = Expiration {
            guard let seconds = epochSeconds(iso8601: text) else {
                throw CredentialError("\(source) answered an Expiration that is not ISO 8601: \(text)")
            }
            expiration = seconds
        }
        return AWSCredentials(accessKeyID: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: Token, expiration: expiration)
    }

    static func parse(_ body: [UInt8], source: String) throws(CredentialError) -> AWSCredentials {
        let document: CredentialDocument
        do {
            document = try JSONDecoder().decode(CredentialDocument.self, from: Data(body))
        } catch {
            throw CredentialError("\(source) answered something other than credentials: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return try document.credentials(source: source)
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

    public func credentials() async throws(CredentialError) -> AWSCredentials? {
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
            guard let token = readFile(path) else { throw CredentialError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path)") }
            headers.append(("Authorization", token.trimmingWhitespace()))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", token))
        }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: "GET", url: url, headers: headers, timeoutMillis: 5000))
        } catch {
            throw CredentialError("container credentials endpoint \(url) did not answer: \(error)")
        }
        guard response.status == 200 else {
            throw CredentialError("container credentials endpoint \(url) answered HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
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

    public func credentials() async throws(CredentialError) -> AWSCredentials? {
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
            throw CredentialError("IMDSv2 refused a session token (HTTP \(tokenResponse.status))")
        }
        let token = String(decoding: tokenResponse.body, as: UTF8.self)
        let base = endpoint + "/latest/meta-data/iam/security-credentials/"
        let headers = [(name: "X-aws-ec2-metadata-token", value: token)]
        let role: String
        do {
            let response = try await http.send(HTTPRequest(method: "GET", url: base, headers: headers, timeoutMillis: 2000))
            guard response.status == 200 else {
                throw CredentialError("IMDSv2: the instance has no IAM role (HTTP \(response.status))")
            }
            role = String(decoding: response.body, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError("IMDSv2 did not answer: \(error)")
        }
        guard !role.isEmpty else { throw CredentialError("IMDSv2 named no IAM role") }
        do {
            let response = try await http.send(HTTPRequest(method: "GET", url: base + role, headers: headers, timeoutMillis: 2000))
            guard response.status == 200 else { throw CredentialError("IMDSv2 credentials for role \(role): HTTP \(response.status)") }
            return try CredentialDocument.parse(response.body, source: "IMDSv2")
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError("IMDSv2 did not answer: \(error)")
        }
    }
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

/// The region: the flag, `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
public enum RegionResolver {
    public static func region(flag: String?, environment: [String: String], profile: String?) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let region = environment["AWS_REGION"], !region.isEmpty { return region }
        if let region = environment["AWS_DEFAULT_REGION"], !region.isEmpty { return region }
        return ProfileCredentialProvider(environment: environment, profile: profile).region()
    }
}
