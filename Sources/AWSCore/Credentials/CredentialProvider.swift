public import Timekeeping

/// Where credentials come from: one link of the chain.
public protocol CredentialProvider: Sendable {
    /// A short name for messages: `environment`, `profile default`, `container`, `IMDSv2`.
    var name: String { get }
    /// The credentials, or `nil` when this source is not configured (the chain moves on).
    /// - Throws: ``AWSError`` (``AWSError/Code/credentialsFailed``) when the source is configured
    ///   but fails: then the chain stops with that error, as the AWS SDKs do, rather than silently
    ///   using another identity.
    func credentials() async throws(AWSError) -> AWSCredentials?
}

extension AWSError {
    /// A configured credential source that failed.
    static func credentials(_ message: String, underlying: (any Error)? = nil) -> AWSError {
        AWSError(.credentialsFailed, message, underlying: underlying)
    }

    /// No credential source at all, phrased as what to set.
    public static let noCredentialsFound = AWSError(
        .noCredentials,
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE (or --profile), or run where a container or instance role provides them"
    )
}

/// The standard chain: environment, shared `credentials`/`config` files, container endpoint,
/// then IMDSv2. The first configured source wins.
public struct CredentialChain: CredentialProvider {
    /// The sources, in the order they are asked.
    public let providers: [any CredentialProvider]
    public var name: String { "chain" }

    /// A chain of `providers`, asked in order.
    public init(_ providers: [any CredentialProvider]) { self.providers = providers }

    public func credentials() async throws(AWSError) -> AWSCredentials? {
        for provider in providers {
            if let found = try await provider.credentials() { return found }
        }
        return nil
    }

    /// The chain the AWS CLI uses, read from `environment` (a profile from `profile` or `AWS_PROFILE`).
    /// No source here reads the clock: expiry is ``RefreshingCredentialProvider``'s business.
    public static func standard(environment: [String: String], profile: String? = nil, http: any HTTPTransport) -> CredentialChain {
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
    /// The variables read.
    public let environment: [String: String]
    public var name: String { "environment" }

    /// A source reading `environment`.
    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() async throws(AWSError) -> AWSCredentials? {
        let key = environment["AWS_ACCESS_KEY_ID"], secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (key?.isEmpty == false ? key : nil, secret?.isEmpty == false ? secret : nil) {
        case (nil, nil): return nil
        case (let key?, let secret?):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
        case (nil, _): throw AWSError.credentials("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (_, nil): throw AWSError.credentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
    }
}

/// Caches another provider's credentials and fetches new ones before they expire, by `clock`.
public actor RefreshingCredentialProvider: CredentialProvider {
    public nonisolated let name: String
    private let base: any CredentialProvider
    private let clock: EpochClock
    /// Milliseconds before expiry at which credentials are fetched anew (the AWS SDKs refresh
    /// 5 minutes ahead, so a request signed now is not refused as expired while it is sent).
    public let marginMillis: Int64
    private var cached: AWSCredentials?
    private var fetched = false

    /// Caches `base`'s credentials, refreshing them `marginMillis` before their expiry by `clock`.
    public init(_ base: any CredentialProvider, marginMillis: Int64 = 300_000, clock: EpochClock) {
        self.base = base
        self.name = base.name
        self.marginMillis = marginMillis
        self.clock = clock
    }

    public func credentials() async throws(AWSError) -> AWSCredentials? {
        if fetched, let cached, cached.expiration.map({ clock.now() < $0.adding(millis: -marginMillis) }) ?? true { return cached }
        if fetched && cached == nil { return nil }
        let fresh = try await base.credentials()
        cached = fresh
        fetched = true
        return fresh
    }
}
