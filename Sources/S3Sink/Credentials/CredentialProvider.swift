/// Where credentials come from: one link of the chain.
public protocol CredentialProvider: Sendable {
    /// A short name for messages: `environment`, `profile default`, `container`, `IMDSv2`.
    var name: String { get }
    /// The credentials, or `nil` when this source is not configured (the chain moves on).
    /// - Throws: ``CredentialError`` when the source is configured but fails: then the chain stops
    ///   with that error, as the AWS SDKs do, rather than silently using another identity.
    func credentials() async throws(CredentialError) -> AWSCredentials?
}

/// Credentials that could not be had.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The standard chain: environment, shared `credentials`/`config` files, container endpoint,
/// then IMDSv2. The first configured source wins.
public struct CredentialChain: CredentialProvider {
    public let providers: [any CredentialProvider]
    public var name: String { "chain" }

    public init(_ providers: [any CredentialProvider]) { self.providers = providers }

    public func credentials() async throws(CredentialError) -> AWSCredentials? {
        for provider in providers {
            if let found = try await provider.credentials() { return found }
        }
        return nil
    }

    /// The chain the AWS CLI uses, read from `environment` (a profile from `profile` or `AWS_PROFILE`).
    public static func standard(
        environment: [String: String], profile: String? = nil, http: any HTTPTransport, now: @escaping @Sendable () -> Int64
    ) -> CredentialChain {
        var providers: [any CredentialProvider] = []
        if profile == nil { providers.append(EnvironmentCredentialProvider(environment: environment)) }
        providers.append(ProfileCredentialProvider(environment: environment, profile: profile))
        if profile == nil {
            providers.append(ContainerCredentialProvider(environment: environment, http: http))
            if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
                providers.append(IMDSCredentialProvider(environment: environment, http: http))
            }
        }
        return CredentialChain(providers)
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    public let environment: [String: String]
    public var name: String { "environment" }

    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() async throws(CredentialError) -> AWSCredentials? {
        let key = environment["AWS_ACCESS_KEY_ID"], secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (key?.isEmpty == false ? key : nil, secret?.isEmpty == false ? secret : nil) {
        case (nil, nil): return nil
        case (let key?, let secret?):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
        case (nil, _): throw CredentialError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (_, nil): throw CredentialError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
    }
}

/// Caches another provider's credentials and fetches new ones before they expire.
public actor RefreshingCredentialProvider: CredentialProvider {
    public nonisolated let name: String
    private let base: any CredentialProvider
    private let now: @Sendable () -> Int64
    /// Seconds before expiry at which credentials are fetched anew.
    public let margin: Int64
    private var cached: AWSCredentials?
    private var fetched = false

    public init(_ base: any CredentialProvider, margin: Int64 = 300, now: @escaping @Sendable () -> Int64) {
        self.base = base
        self.name = base.name
        self.margin = margin
        self.now = now
    }

    public func credentials() async throws(CredentialError) -> AWSCredentials? {
        if fetched, let cached, cached.expiration.map({ now() < $0 - margin }) ?? true { return cached }
        if fetched && cached == nil { return nil }
        let fresh = try await base.credentials()
        cached = fresh
        fetched = true
        return fresh
    }
}
