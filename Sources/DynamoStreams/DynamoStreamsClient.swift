public import AWSCore
public import Timekeeping

#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// ``StreamsAPI`` over HTTP: DynamoDB Streams' DescribeStream, GetShardIterator and GetRecords,
/// and DynamoDB's DescribeTable, over the `awsJson1_0` protocol, signed (SigV4, signing name
/// `dynamodb` for both) and retried by AWSCore's `AWSClient`.
///
/// The two services have two endpoints (`streams.dynamodb.<region>.amazonaws.com` and
/// `dynamodb.<region>.amazonaws.com`); one endpoint for both is what moto and other local servers
/// offer. GetRecords pages are not decoded: ``RecordsPage/init(scanning:)`` finds what the poller
/// needs and hands the body on unchanged.
public struct DynamoStreamsClient: StreamsAPI {
    /// The region requests are signed for.
    public let region: String
    /// DynamoDB Streams: DescribeStream, GetShardIterator, GetRecords.
    let streams: AWSClient
    /// DynamoDB: DescribeTable.
    let dynamodb: AWSClient

    /// Where DynamoDB Streams requests go.
    public var streamsEndpoint: AWSEndpoint { streams.endpoint }
    /// Where DynamoDB requests (DescribeTable) go.
    public var dynamoDBEndpoint: AWSEndpoint { dynamodb.endpoint }

    /// The SDKs' service ID of DynamoDB Streams, for `EndpointResolver` (`AWS_ENDPOINT_URL_DYNAMODB_STREAMS`).
    public static let streamsServiceID = "DynamoDB Streams"
    /// The SDKs' service ID of DynamoDB, for `EndpointResolver` (`AWS_ENDPOINT_URL_DYNAMODB`).
    public static let dynamoDBServiceID = "DynamoDB"
    /// The largest answer read: 16 MiB. A GetRecords page holds at most 1 MB of records as
    /// DynamoDB counts them, but its JSON is larger (type tags, base64 binaries, escaped strings).
    public static let maxResponseBytes = 16 << 20
    /// 60 s: a GetRecords page of 1 MB over a slow link.
    public static let defaultRequestTimeoutMillis: Int64 = 60_000

    /// A client of both services in `region`.
    /// - Parameters:
    ///   - region: the region requests are signed for.
    ///   - streamsEndpoint: where DynamoDB Streams requests go (`http://127.0.0.1:5000`); nil:
    ///     `https://streams.dynamodb.<region>.amazonaws.com`.
    ///   - dynamoDBEndpoint: where DescribeTable goes; nil: `https://dynamodb.<region>.amazonaws.com`.
    ///   - credentials: where keys come from, shared by both services.
    ///   - transport: sends the signed requests.
    ///   - clock: the time signatures carry.
    ///   - retry: attempts and backoff of every request.
    ///   - requestTimeoutMillis: the most one attempt may take.
    ///   - sleep: waits the given milliseconds between attempts (a fake in tests).
    public init(
        region: String, streamsEndpoint: String? = nil, dynamoDBEndpoint: String? = nil, credentials: any CredentialProvider,
        transport: any HTTPTransport, clock: EpochClock, retry: RetryPolicy = RetryPolicy(),
        requestTimeoutMillis: Int64 = DynamoStreamsClient.defaultRequestTimeoutMillis,
        sleep: @escaping @Sendable (Int64) async -> Void = { try? await Task.sleep(for: .milliseconds($0)) }
    ) {
        self.region = region
        func endpoint(_ url: String?, hostPrefix: String) -> AWSEndpoint {
            // `http://host:port/` names the root, not a base path of `/` (requests would go to `//`).
            guard let url else { return .aws(hostPrefix: hostPrefix, region: region) }
            return AWSEndpoint(url: url.hasSuffix("/") ? String(url.dropLast()) : url)
        }
        streams = AWSClient(
            service: "dynamodb", region: region, endpoint: endpoint(streamsEndpoint, hostPrefix: "streams.dynamodb"), credentials: credentials,
            transport: transport, clock: clock, retry: retry, requestTimeoutMillis: requestTimeoutMillis, sleep: sleep)
        dynamodb = AWSClient(
            service: "dynamodb", region: region, endpoint: endpoint(dynamoDBEndpoint, hostPrefix: "dynamodb"), credentials: credentials,
            transport: transport, clock: clock, retry: retry, requestTimeoutMillis: requestTimeoutMillis, sleep: sleep)
    }

    /// The client the settings describe, their gaps filled from `environment` as the AWS SDKs fill
    /// them: the region, the endpoints, the CA bundle, and the standard credential chain
    /// (environment, shared files, container, IMDSv2) behind a cache that refreshes by `clock`.
    ///
    /// Nothing is sent: call ``resolveCredentials()`` to find a missing or broken credential
    /// configuration before reading anything.
    /// - Parameters:
    ///   - region: the region; nil: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's.
    ///   - endpoint: one endpoint for both services (`--endpoint-url`); nil: each service's
    ///     variable (`AWS_ENDPOINT_URL_DYNAMODB_STREAMS`, `AWS_ENDPOINT_URL_DYNAMODB`), then
    ///     `AWS_ENDPOINT_URL`, else AWS.
    ///   - caBundle: a PEM file of the certificate authorities HTTPS trusts; nil: `AWS_CA_BUNDLE`.
    ///   - profile: the shared-files profile for credentials and region; nil: `AWS_PROFILE`, else `default`.
    ///   - retry: attempts and backoff of every request.
    ///   - requestTimeoutMillis: the most one attempt may take.
    ///   - environment: the process environment.
    ///   - clock: the time signatures carry and credentials expire by.
    ///   - transport: the HTTP transport; nil: AsyncHTTPClient, reading answers of up to
    ///     ``maxResponseBytes``, trusting the CA bundle when one is set.
    /// - Throws: `AWSError` `AWSError/Code/invalidConfiguration` when no region can be found, an
    ///   endpoint is not an `http://` or `https://` URL, or the CA bundle cannot be used (each
    ///   message names the variable a value came from).
    public static func make(
        region: String? = nil, endpoint: String? = nil, caBundle: String? = nil, profile: String? = nil, retry: RetryPolicy = RetryPolicy(),
        requestTimeoutMillis: Int64 = DynamoStreamsClient.defaultRequestTimeoutMillis, environment: [String: String], clock: EpochClock,
        transport: (any HTTPTransport)? = nil
    ) throws(AWSError) -> DynamoStreamsClient {
        guard let region = RegionResolver.region(flag: region, environment: environment, profile: profile) else {
            throw AWSError(
                .invalidConfiguration, "no region for DynamoDB Streams: give --region, or set AWS_REGION or a region in the profile")
        }
        func resolve(_ serviceID: String) throws(AWSError) -> String? {
            guard let url = EndpointResolver.endpoint(serviceID: serviceID, flag: endpoint, environment: environment) else { return nil }
            let host = url.firstRange(of: "://").map { url[$0.upperBound...].prefix { $0 != "/" } } ?? ""
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), !host.isEmpty else {
                let source = endpoint.flatMap { $0.isEmpty ? nil : "the endpoint" } ?? Self.variable(of: url, serviceID: serviceID, environment: environment)
                throw AWSError(.invalidConfiguration, "\(source) \"\(AWSClient.printable(url))\" is not an http:// or https:// URL with a host")
            }
            return url
        }
        let streamsEndpoint = try resolve(streamsServiceID)
        let dynamoDBEndpoint = try resolve(dynamoDBServiceID)
        let http: any HTTPTransport
        if let transport {
            http = transport
        } else if let caBundle, !caBundle.isEmpty {
            http = try AsyncHTTPClientTransport(maxResponseBytes: maxResponseBytes, caBundle: caBundle)
        } else if let caBundle = environment["AWS_CA_BUNDLE"], !caBundle.isEmpty {
            do {
                http = try AsyncHTTPClientTransport(maxResponseBytes: maxResponseBytes, caBundle: caBundle)
            } catch {
                throw AWSError(.invalidConfiguration, "AWS_CA_BUNDLE: \(error.message)", underlying: error)
            }
        } else {
            http = AsyncHTTPClientTransport(maxResponseBytes: maxResponseBytes)
        }
        let credentials = RefreshingCredentialProvider(CredentialChain.standard(environment: environment, profile: profile, http: http), clock: clock)
        return DynamoStreamsClient(
            region: region, streamsEndpoint: streamsEndpoint, dynamoDBEndpoint: dynamoDBEndpoint, credentials: credentials, transport: http,
            clock: clock, retry: retry, requestTimeoutMillis: requestTimeoutMillis)
    }

    /// The variable an endpoint from the environment came from, for messages.
    private static func variable(of url: String, serviceID: String, environment: [String: String]) -> String {
        let specific = EndpointResolver.variable(serviceID: serviceID)
        return environment[specific] == url ? specific : "AWS_ENDPOINT_URL"
    }

    /// The credentials the next request will be signed with: a missing or broken configuration
    /// shows here, before anything is read.
    /// - Throws: `AWSError` `AWSError/Code/noCredentials` or the failing source's error.
    public func resolveCredentials() async throws(AWSError) -> AWSCredentials {
        try await streams.resolveCredentials()
    }

    // MARK: Operations

    /// DynamoDB Streams' operations' `X-Amz-Target` prefix.
    static let streamsTarget = "DynamoDBStreams_20120810."
    /// DynamoDB's.
    static let dynamoDBTarget = "DynamoDB_20120810."

    /// DescribeStream (`DynamoDBStreams_20120810.DescribeStream`) with only the members given:
    /// `ExclusiveStartShardId`, and `ShardFilter` `{"Type":"CHILD_SHARDS","ShardId":…}` for `childrenOf`.
    /// - Throws: `AWSError`: the service's (`ResourceNotFoundException` for a stream that does not
    ///   exist), or `invalidResponse` naming the member missing (`StreamDescription.Shards[1].ShardId`).
    public func describeStream(streamArn: String, exclusiveStartShardId: String?, childrenOf: String?) async throws(AWSError) -> StreamDescription {
        struct Input: Encodable {
            struct Filter: Encodable {
                var type = "CHILD_SHARDS"
                var shardId: String
                enum CodingKeys: String, CodingKey { case type = "Type", shardId = "ShardId" }
            }
            var streamArn: String
            var exclusiveStartShardId: String?
            var shardFilter: Filter?
            enum CodingKeys: String, CodingKey {
                case streamArn = "StreamArn", exclusiveStartShardId = "ExclusiveStartShardId", shardFilter = "ShardFilter"
            }
        }
        struct Output: Decodable {
            struct Description: Decodable {
                var StreamArn: String
                var StreamStatus: String
                var StreamViewType: String?
                var TableName: String?
                var Shards: [ShardOutput]
                var LastEvaluatedShardId: String?
            }
            struct ShardOutput: Decodable {
                struct Range: Decodable {
                    var StartingSequenceNumber: String?
                    var EndingSequenceNumber: String?
                }
                var ShardId: String
                var ParentShardId: String?
                var SequenceNumberRange: Range?
            }
            var StreamDescription: Description
        }
        let input = Input(streamArn: streamArn, exclusiveStartShardId: exclusiveStartShardId, shardFilter: childrenOf.map { Input.Filter(shardId: $0) })
        let output: Output = try await call(streams, Self.streamsTarget, "DescribeStream", input, about: streamArn)
        let description = output.StreamDescription
        return StreamDescription(
            streamArn: description.StreamArn, status: description.StreamStatus, viewType: description.StreamViewType,
            tableName: description.TableName,
            shards: description.Shards.map {
                Shard(
                    shardId: $0.ShardId, parentShardId: $0.ParentShardId, startingSequenceNumber: $0.SequenceNumberRange?.StartingSequenceNumber,
                    endingSequenceNumber: $0.SequenceNumberRange?.EndingSequenceNumber)
            },
            lastEvaluatedShardId: description.LastEvaluatedShardId)
    }

    /// GetShardIterator (`DynamoDBStreams_20120810.GetShardIterator`); `SequenceNumber` only for a
    /// start that names one.
    /// - Throws: `AWSError`: the service's (`TrimmedDataAccessException` for a SequenceNumber already
    ///   trimmed), or `invalidResponse` when the answer has no `ShardIterator`.
    public func shardIterator(streamArn: String, shardId: String, start: IteratorStart) async throws(AWSError) -> String {
        struct Input: Encodable {
            var StreamArn: String
            var ShardId: String
            var ShardIteratorType: String
            var SequenceNumber: String?
        }
        struct Output: Decodable {
            var ShardIterator: String
        }
        let input = Input(StreamArn: streamArn, ShardId: shardId, ShardIteratorType: start.iteratorType, SequenceNumber: start.sequenceNumber)
        let output: Output = try await call(streams, Self.streamsTarget, "GetShardIterator", input, about: "shard \(shardId) (\(start))")
        return output.ShardIterator
    }

    /// GetRecords (`DynamoDBStreams_20120810.GetRecords`), the page scanned by
    /// ``RecordsPage/init(scanning:)``.
    /// - Throws: `AWSError`: the service's (`ExpiredIteratorException`, `TrimmedDataAccessException`;
    ///   throttling and server errors only after the retries), or `invalidResponse` naming the
    ///   record and the byte at fault.
    public func records(iterator: String, limit: Int) async throws(AWSError) -> RecordsPage {
        struct Input: Encodable {
            var ShardIterator: String
            var Limit: Int
        }
        let response = try await streams.sendJSON(target: Self.streamsTarget + "GetRecords", body: try encode(Input(ShardIterator: iterator, Limit: limit)))
        do {
            return try RecordsPage(scanning: response.body)
        } catch {
            var failure = error
            failure.requestID = response.header("x-amzn-RequestId")
            failure.status = response.status
            throw failure
        }
    }

    /// DescribeTable (`DynamoDB_20120810.DescribeTable`, at DynamoDB's endpoint): `LatestStreamArn`
    /// when `StreamSpecification.StreamEnabled` is true, else nil.
    /// - Throws: `AWSError`: the service's (`ResourceNotFoundException` for a table that does not
    ///   exist), or `invalidResponse` for an enabled stream without an ARN.
    public func latestStreamArn(table: String) async throws(AWSError) -> String? {
        struct Input: Encodable {
            var TableName: String
        }
        struct Output: Decodable {
            struct Table: Decodable {
                struct Specification: Decodable {
                    var StreamEnabled: Bool
                }
                var StreamSpecification: Specification?
                var LatestStreamArn: String?
            }
            var Table: Table
        }
        let output: Output = try await call(dynamodb, Self.dynamoDBTarget, "DescribeTable", Input(TableName: table), about: "table \(table)")
        // A disabled stream keeps its ARN in the answer (readable for 24 hours), but it is not the
        // table's stream any more: only an enabled one counts.
        guard output.Table.StreamSpecification?.StreamEnabled == true else { return nil }
        guard let arn = output.Table.LatestStreamArn else {
            throw AWSError(.invalidResponse, "DescribeTable: table \(table) has a stream enabled but no LatestStreamArn")
        }
        return arn
    }

    // MARK: JSON documents

    /// Sends `operation` of the service `client` talks to (`targetPrefix`) with `input` as its
    /// document, and decodes the answer.
    private func call<Output: Decodable>(
        _ client: AWSClient, _ targetPrefix: String, _ operation: String, _ input: some Encodable, about subject: String
    ) async throws(AWSError) -> Output {
        let response = try await client.sendJSON(target: targetPrefix + operation, body: try encode(input))
        do {
            return try JSONDecoder().decode(Output.self, from: Data(response.body))
        } catch {
            throw AWSError(
                .invalidResponse, "\(operation) for \(subject): the answer \(Self.explain(error))", status: response.status,
                requestID: response.header("x-amzn-RequestId"), underlying: error)
        }
    }

    private func encode(_ input: some Encodable) throws(AWSError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(input))
        } catch {
            // Strings and integers always encode; this is here for the compiler.
            throw AWSError(.invalidConfiguration, "cannot encode a request: \(error)", underlying: error)
        }
    }

    /// What a decoding error says about an answer, by member path: `has no StreamDescription.Shards`.
    static func explain(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text
        }
        guard let error = error as? DecodingError else { return "cannot be read: \(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "has no \(path(context.codingPath + [key]))"
        case .valueNotFound(_, let context):
            return "has null for \(path(context.codingPath))"
        case .typeMismatch(let type, let context):
            return "has \(path(context.codingPath)) of the wrong type (not \(type == String.self ? "a string" : type == Bool.self ? "a boolean" : "\(type)"))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "is not JSON: \(context.debugDescription)" : "has an unreadable \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "cannot be read: \(error)"
        }
    }
}
