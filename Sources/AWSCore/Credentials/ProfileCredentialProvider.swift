/// The shared files: `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`) and `~/.aws/config`
/// (`AWS_CONFIG_FILE`), profile `AWS_PROFILE` or `default`.
public struct ProfileCredentialProvider: CredentialProvider {
    public let environment: [String: String]
    public let profile: String

    public var name: String { "profile \(profile)" }

    public init(environment: [String: String], profile: String? = nil) {
        self.environment = environment
        self.profile = profile ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
    }

    var home: String { environment["HOME"] ?? "/root" }
    var credentialsPath: String { environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials" }
    var configPath: String { environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config" }

    /// Whether the profile was named explicitly: then its absence is an error, not a reason to move on.
    var isExplicit: Bool { environment["AWS_PROFILE"] != nil || profile != "default" }

    public func credentials() async throws(AWSError) -> AWSCredentials? {
        let credentialsFile = IniFile.read(credentialsPath)
        let configFile = IniFile.read(configPath)
        let fromCredentials = credentialsFile?.sections[profile]
        let fromConfig = configFile?.sections[profile == "default" ? "default" : "profile \(profile)"]
        let merged = (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { $1 }
        guard fromCredentials != nil || fromConfig != nil else {
            if isExplicit {
                throw AWSError.credentials("profile \"\(profile)\" is in neither \(credentialsPath) nor \(configPath)")
            }
            return nil
        }
        guard let key = merged["aws_access_key_id"], let secret = merged["aws_secret_access_key"] else {
            if merged["role_arn"] != nil || merged["sso_session"] != nil || merged["credential_process"] != nil {
                throw AWSError.credentials(
                    "profile \"\(profile)\" uses role_arn, SSO or credential_process, which ddbcdc does not resolve; export keys (e.g. `aws configure export-credentials --format env`)"
                )
            }
            if isExplicit { throw AWSError.credentials("profile \"\(profile)\" has no aws_access_key_id and aws_secret_access_key") }
            return nil
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: merged["aws_session_token"])
    }

    /// The profile's `region`, from the config file (or the credentials file).
    public func region() -> String? {
        let fromConfig = IniFile.read(configPath)?.sections[profile == "default" ? "default" : "profile \(profile)"]?["region"]
        return fromConfig ?? IniFile.read(credentialsPath)?.sections[profile]?["region"]
    }
}

/// The AWS INI dialect: `[section]`, `key = value`, `#` and `;` comments, indented continuation lines.
struct IniFile {
    var sections: [String: [String: String]] = [:]

    static func read(_ path: String) -> IniFile? { readFile(path).map(parse) }

    static func parse(_ text: String) -> IniFile {
        var file = IniFile()
        var section: String?
        var lastKey: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = String(line.dropFirst().dropLast()).trimmingWhitespace()
                section = name
                file.sections[name, default: [:]] = file.sections[name] ?? [:]
                lastKey = nil
                continue
            }
            guard let section else { continue }
            if rawLine.first == " " || rawLine.first == "\t", let lastKey {
                // A nested sub-property (`s3 =` then indented lines): kept as text.
                file.sections[section]![lastKey, default: ""] += "\n" + line
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingWhitespace().lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            file.sections[section]![key] = value
            lastKey = key
        }
        return file
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).reversed())
    }
}
