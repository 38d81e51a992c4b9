import AWSCore
import ArgumentParser
import NDJSONBuffer
import Pipeline
import ProcessKit
import S3Sink
import Timekeeping

/// Options for an `s3://` sink.
struct S3Options: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("Endpoint for S3-compatible stores and tests (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL); path-style addressing. For `stream`, also DynamoDB's and DynamoDB Streams'.", valueName: "url"))
    var endpointURL: String?

    @Option(help: ArgumentHelp("PEM file of the certificate authorities to trust for HTTPS, instead of the system's (AWS_CA_BUNDLE).", valueName: "file"))
    var caBundle: String?

    @Option(help: "The region of the bucket (and, for `stream`, of the table) (AWS_REGION, AWS_DEFAULT_REGION, the profile's region).")
    var region: String?

    @Option(help: "Shared credentials/config profile to use (AWS_PROFILE).")
    var profile: String?

    @Option(help: ArgumentHelp("Server-side encryption: AES256 or aws:kms.", valueName: "AES256|aws:kms"))
    var sse: String?

    @Option(help: "KMS key ID or ARN for --sse aws:kms (default: the bucket's AWS-managed key).")
    var sseKmsKeyId: String?

    @Option(help: "Objects larger than this many bytes are uploaded in parts (default 16 MiB).")
    var multipartThreshold: Int = S3SinkSettings.defaultMultipartThreshold

    @Option(help: "Bytes in each part of a multipart upload; at least 5 MiB (default 8 MiB).")
    var partSize: Int = S3SinkSettings.defaultPartSize

    @Option(
        help: """
            Attempts per request, the first included, before it counts as failed (an object as not written)             (default \(RetryPolicy.defaultMaxAttempts), with backoff from 200 ms doubling to at most 10 s).
            """)
    var maxAttempts: Int = RetryPolicy.defaultMaxAttempts

    @Option(help: "Seconds one request may take before it is abandoned and retried (default 60).")
    var requestTimeout: Double = Double(S3SinkSettings.defaultRequestTimeoutMillis) / 1000

    func validate() throws {
        if let sse, sse != "AES256" && sse != "aws:kms" { throw ValidationError("--sse must be AES256 or aws:kms, not '\(sse)'") }
        if sseKmsKeyId != nil && sse != "aws:kms" { throw ValidationError("--sse-kms-key-id needs --sse aws:kms") }
        guard partSize >= S3Configuration.minimumPartSize else { throw ValidationError("--part-size must be at least 5 MiB (5242880)") }
        guard multipartThreshold >= 1 else { throw ValidationError("--multipart-threshold must be positive") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be positive") }
    }

    /// The sink `text` names (a directory or `s3://bucket/prefix`) and the key prefix to use in it,
    /// checked (``ObjectPrefix``) before anything else happens.
    /// - Parameter maxRecords: rows per object, for the length of the longest key.
    /// - Parameter sourceInS3: whether the options also serve an `s3://` source (a backfill's export):
    ///   then they are no usage error beside a directory sink.
    func makeSink(
        _ text: String, prefix: String, maxRecords: Int, environment: [String: String], sourceInS3: Bool = false
    ) async throws -> (sink: any ObjectSink, prefix: String) {
        let isS3 = text.hasPrefix("s3://")
        let bucket = isS3 ? String(text.dropFirst(5).prefix { $0 != "/" }) : ""
        let path = isS3 ? String(text.dropFirst(5 + bucket.count)) : ""
        let fullPrefix: String
        do {
            fullPrefix = try ObjectPrefix(joining: [path, prefix], longestKeySuffixBytes: ObjectNames.longestKeySuffixBytes(maxRecords: maxRecords)).value
        } catch {
            throw ValidationError(error.message)
        }
        guard isS3 else {
            guard sourceInS3 || (endpointURL == nil && caBundle == nil), sse == nil else {
                throw ValidationError("--endpoint-url, --sse and --ca-bundle apply to s3:// sinks only")
            }
            return (LocalDirectorySink(root: text), fullPrefix)
        }
        guard !bucket.isEmpty else { throw ValidationError("--sink \(text) names no bucket") }
        let client: S3Client
        do {
            client = try S3Client.make(settings(bucket: bucket), environment: environment, clock: .system)
        } catch {
            // A setting that cannot work is a usage error, named by its flag (the factory names
            // AWS_CA_BUNDLE itself; a CA-bundle error always names the file).
            let fromFlag = caBundle.map { error.message.contains($0) && !error.message.hasPrefix("AWS_CA_BUNDLE") } ?? false
            throw ValidationError(fromFlag ? "--ca-bundle: \(error.message)" : error.message)
        }
        // Resolve credentials now, so a missing or broken configuration fails before any input is read.
        _ = try await client.resolveCredentials()
        return (S3ObjectSink(client: client), fullPrefix)
    }

    /// The S3 settings these options give for `bucket` (what they leave out is found in the
    /// environment, by ``S3Client/make(_:environment:clock:transport:)``).
    func settings(bucket: String) -> S3SinkSettings {
        let encryption: ServerSideEncryption? =
            switch sse {
            case "AES256": .aes256
            case "aws:kms": .kms(keyID: sseKmsKeyId)
            default: nil
            }
        return S3SinkSettings(
            bucket: bucket, region: region, endpoint: endpointURL, serverSideEncryption: encryption,
            multipartThreshold: multipartThreshold, partSize: partSize, retry: RetryPolicy(maxAttempts: maxAttempts),
            requestTimeoutMillis: Int64(requestTimeout * 1000), caBundle: caBundle, profile: profile)
    }
}
