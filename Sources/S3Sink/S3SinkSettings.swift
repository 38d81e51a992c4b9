public import AWSCore
public import Timekeeping

/// What an S3 sink is built from, whoever builds it (`ddbcdc run`'s options, the Lambda
/// function's environment): what is nil here is found in the environment as the AWS SDKs find it.
///
/// ``S3Client/make(_:environment:clock:transport:)`` turns these into a client; neither caller
/// names a default of its own, so the command and the function cannot drift apart again.
public struct S3SinkSettings: Sendable, Hashable {
    /// The bucket objects go to.
    public var bucket: String
    /// The bucket's region; nil: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's (`RegionResolver`).
    public var region: String?
    /// An endpoint for S3-compatible stores and tests (path-style addressing); nil:
    /// `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL` (`EndpointResolver`), else AWS.
    public var endpoint: String?
    /// Server-side encryption of written objects; nil: the bucket's default.
    public var serverSideEncryption: ServerSideEncryption?
    /// Bodies larger than this many bytes go up in parts.
    public var multipartThreshold: Int
    /// The size of each part but the last.
    public var partSize: Int
    /// Attempts and backoff (`RetryPolicy`'s defaults are the project's one set).
    public var retry: RetryPolicy
    /// The most one request may take, in milliseconds.
    public var requestTimeoutMillis: Int64
    /// A PEM file of the certificate authorities HTTPS trusts instead of the system's; nil: `AWS_CA_BUNDLE`.
    public var caBundle: String?
    /// The shared-files profile for credentials and region; nil: `AWS_PROFILE`, else `default`.
    public var profile: String?

    /// Settings for `bucket`; every other value is the default, or found in the environment.
    public init(
        bucket: String, region: String? = nil, endpoint: String? = nil, serverSideEncryption: ServerSideEncryption? = nil,
        multipartThreshold: Int = S3SinkSettings.defaultMultipartThreshold, partSize: Int = S3SinkSettings.defaultPartSize,
        retry: RetryPolicy = RetryPolicy(), requestTimeoutMillis: Int64 = S3SinkSettings.defaultRequestTimeoutMillis,
        caBundle: String? = nil, profile: String? = nil
    ) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
        self.serverSideEncryption = serverSideEncryption
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.retry = retry
        self.requestTimeoutMillis = requestTimeoutMillis
        self.caBundle = caBundle
        self.profile = profile
    }

    /// 16 MiB.
    public static let defaultMultipartThreshold = 16 << 20
    /// 8 MiB.
    public static let defaultPartSize = 8 << 20
    /// 60 s: long enough for a part of a few MiB over a slow link.
    public static let defaultRequestTimeoutMillis: Int64 = 60_000

    /// The SDKs' service ID for S3, for `EndpointResolver`.
    public static let serviceID = "S3"
}

extension S3Client {
    /// The S3 client `settings` describe, its gaps filled from `environment`: the region, the
    /// endpoint, the CA bundle, and the standard credential chain (environment, shared files,
    /// container, IMDSv2) behind a cache that refreshes by `clock`.
    ///
    /// Nothing is sent: call ``resolveCredentials()`` to find a missing or broken credential
    /// configuration before reading any input.
    /// - Parameters:
    ///   - settings: the bucket, region, endpoint and limits.
    ///   - environment: the process environment (credentials, region, endpoint, CA bundle).
    ///   - clock: the time signatures carry and credentials expire by.
    ///   - transport: the HTTP transport; nil: AsyncHTTPClient, trusting the CA bundle
    ///     when one is set, reading answers of up to ``S3Client/defaultChunkSize`` bytes (a
    ///     download's chunk; its 4 MiB default would cut a download's chunks in half).
    /// - Throws: `AWSError` `AWSError/Code/invalidConfiguration` when no region can be found or
    ///   the CA bundle cannot be used (the message names `AWS_CA_BUNDLE` when it came from there).
    public static func make(
        _ settings: S3SinkSettings, environment: [String: String], clock: EpochClock, transport: (any HTTPTransport)? = nil
    ) throws(AWSError) -> S3Client {
        guard let region = RegionResolver.region(flag: settings.region, environment: environment, profile: settings.profile) else {
            throw AWSError(
                .invalidConfiguration,
                "no region for s3://\(settings.bucket): give --region, or set AWS_REGION or a region in the profile")
        }
        let endpoint = EndpointResolver.endpoint(serviceID: S3SinkSettings.serviceID, flag: settings.endpoint, environment: environment)
        let http: any HTTPTransport
        if let transport {
            http = transport
        } else if let caBundle = settings.caBundle {
            http = try AsyncHTTPClientTransport(maxResponseBytes: S3Client.defaultChunkSize, caBundle: caBundle)
        } else if let caBundle = environment["AWS_CA_BUNDLE"], !caBundle.isEmpty {
            do {
                http = try AsyncHTTPClientTransport(maxResponseBytes: S3Client.defaultChunkSize, caBundle: caBundle)
            } catch {
                throw AWSError(.invalidConfiguration, "AWS_CA_BUNDLE: \(error.message)", underlying: error)
            }
        } else {
            http = AsyncHTTPClientTransport(maxResponseBytes: S3Client.defaultChunkSize)
        }
        let credentials = RefreshingCredentialProvider(
            CredentialChain.standard(environment: environment, profile: settings.profile, http: http), clock: clock)
        let configuration = S3Configuration(
            bucket: settings.bucket, region: region, endpoint: endpoint, serverSideEncryption: settings.serverSideEncryption,
            multipartThreshold: settings.multipartThreshold, partSize: settings.partSize, retry: settings.retry,
            requestTimeoutMillis: settings.requestTimeoutMillis)
        return S3Client(configuration: configuration, credentials: credentials, transport: http, clock: clock)
    }
}
