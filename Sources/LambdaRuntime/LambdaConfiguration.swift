import DDBTypes
package import NDJSONBuffer
package import Pipeline
package import StreamNormalize
import AWSCore
package import S3Sink

/// The function's settings, from its environment: the seed's names and ours.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `S3_BUCKET` | the bucket objects go to | required |
/// | `S3_PREFIX` | key prefix (checked as ``ObjectPrefix`` does) | none |
/// | `MAX_RECORDS`, `MAX_PAYLOAD_BYTES` | rows and uncompressed bytes per object | 2000, 8000000 |
/// | `MAX_SECONDS` | accepted for the seed's sake: an invocation flushes everything before it answers | 15 |
/// | `GZIP_LEVEL` | 0–12 | 6 |
/// | `DDBCDC_FORMAT` | `json` (gzip NDJSON) or `parquet` | json |
/// | `DDBCDC_SCHEMA` | Parquet's typed layout: a schema file in the package (Spark StructType JSON; relative to `LAMBDA_TASK_ROOT`), or that JSON itself | the packed layout |
/// | `DDBCDC_PARQUET_COMPRESSION` | `snappy`, `zstd`, `gzip` or `none` | snappy |
/// | `DDBCDC_PARQUET_GZIP_LEVEL` | 0–12: Parquet's gzip codec (`GZIP_LEVEL` is NDJSON's) | 3 packed, 1 typed |
/// | `DDBCDC_PARQUET_ZSTD_LEVEL` | 1–22: Parquet's zstd codec | 1 |
/// | `DDBCDC_LAYOUT`, `DDBCDC_NUMBERS`, `DDBCDC_TOMBSTONE`, `DDBCDC_UPDATED_AT` | row options as the command's flags | flat, exact, keys, off |
/// | `DDBCDC_METADATA_PREFIX` | rename the metadata columns as a set (`--metadata-prefix`) | the seed's names |
/// | `DDBCDC_DEADLINE_MARGIN_MS` | stop waiting for uploads this long before the deadline | 1000 |
/// | `DDBCDC_CONCURRENCY` | objects compressed and written at once | 8 |
/// | `DDBCDC_SSE`, `DDBCDC_SSE_KMS_KEY_ID` | server-side encryption | none |
/// | `DDBCDC_MAX_ATTEMPTS` | attempts per S3 request (backoff from 200 ms doubling to at most 10 s, as `ddbcdc run`'s) | 5 (`RetryPolicy.defaultMaxAttempts`) |
package struct LambdaConfiguration {
    package var bucket: String
    package var prefix: String
    package var limits: BatchLimits
    /// The objects' format and its settings.
    package var encoding: ObjectEncoding
    /// Made once, from ``encoding`` and the rows' metadata names.
    package var encoder: any BatchEncoder
    package var rows: NormalizeOptions
    package var deadlineMarginMillis: Int64
    package var maxInFlight: Int
    package var sse: String?
    package var sseKeyID: String?
    package var maxAttempts: Int
    package var region: String

    /// A configuration problem, phrased as what to fix.
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    package init(environment: [String: String]) throws {
        guard let bucket = environment["S3_BUCKET"], !bucket.isEmpty else {
            throw Problem(description: "S3_BUCKET is not set: set it to the name of the bucket the objects go to")
        }
        self.bucket = bucket
        /// The variable's whole number, or nil when it is unset or empty.
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text.filter { $0 != "_" }), range.contains(value) else {
                throw Problem(description: "\(name)=\(text) is not a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            return value
        }
        func integer(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            try integer(name, range) ?? fallback
        }
        func choice<T: RawRepresentable>(_ name: String, _ fallback: T) throws -> T where T.RawValue == String {
            guard let text = environment[name], !text.isEmpty else { return fallback }
            guard let value = T(rawValue: text) else { throw Problem(description: "\(name)=\(text) is not one of the accepted values") }
            return value
        }
        limits = BatchLimits(
            maxRecords: try integer("MAX_RECORDS", 2000, 1...10_000_000), maxBytes: try integer("MAX_PAYLOAD_BYTES", 8_000_000, 1...1 << 31),
            maxAgeMillis: 0, maxOpenPartitions: 64)
        do {
            prefix = try ObjectPrefix(
                environment["S3_PREFIX"] ?? "", longestKeySuffixBytes: ObjectNames.longestKeySuffixBytes(maxRecords: limits.maxRecords)
            ).value
        } catch {
            throw Problem(description: "S3_PREFIX: \(error.message)")
        }
        _ = try integer("MAX_SECONDS", 15, 0...86_400)
        let gzipLevel = try integer("GZIP_LEVEL", ObjectEncoding.defaultGzipLevel, 0...12)
        rows = NormalizeOptions(
            layout: try choice("DDBCDC_LAYOUT", RowLayout.flat), numbers: try choice("DDBCDC_NUMBERS", NumberOutput.exact),
            tombstoneImage: try choice("DDBCDC_TOMBSTONE", TombstoneImage.keys),
            updatedAtFallback: try choice("DDBCDC_UPDATED_AT", UpdatedAtFallback.off), ingestTime: nil)
        if let prefix = environment["DDBCDC_METADATA_PREFIX"], !prefix.isEmpty {
            if let problem = MetadataNames.problem(withPrefix: prefix) {
                throw Problem(description: "DDBCDC_METADATA_PREFIX: \(problem)")
            }
            rows.metadataNames = MetadataNames(prefix: prefix)
        }
        encoding = ObjectEncoding(
            format: try choice("DDBCDC_FORMAT", ObjectFormat.json), gzipLevel: gzipLevel,
            parquetCompression: try choice("DDBCDC_PARQUET_COMPRESSION", ParquetCompression.snappy),
            // Unset: the layout's own default (ObjectEncoding.defaultParquetGzipLevel(typed:)).
            parquetGzipLevel: try integer("DDBCDC_PARQUET_GZIP_LEVEL", ObjectEncoding.parquetGzipLevels),
            parquetZstdLevel: try integer("DDBCDC_PARQUET_ZSTD_LEVEL", ObjectEncoding.parquetZstdLevels))
        if let schema = environment["DDBCDC_SCHEMA"], !schema.isEmpty {
            guard encoding.format == .parquet else { throw Problem(description: "DDBCDC_SCHEMA types Parquet columns: set DDBCDC_FORMAT=parquet too") }
            do {
                // The JSON itself, or a file in the package: a relative path is the task root's (/var/task).
                let path = schema.hasPrefix("/") ? schema : (environment["LAMBDA_TASK_ROOT"].map { $0 + "/" } ?? "") + schema
                let bytes = schema.hasPrefix("{") ? Array(schema.utf8) : try FileSource.readAll(path: path)
                encoding.schema = try ObjectEncoding.schema(json: bytes)
            } catch {
                throw Problem(description: "DDBCDC_SCHEMA: \(error)")
            }
        }
        do { encoder = try encoding.encoder(metadataNames: rows.metadataNames) } catch {
            throw Problem(description: "DDBCDC_SCHEMA: \(error)")
        }
        deadlineMarginMillis = Int64(try integer("DDBCDC_DEADLINE_MARGIN_MS", 1000, 0...600_000))
        maxInFlight = try integer("DDBCDC_CONCURRENCY", 8, 1...64)
        sse = environment["DDBCDC_SSE"].flatMap { $0.isEmpty ? nil : $0 }
        if let sse, sse != "AES256" && sse != "aws:kms" { throw Problem(description: "DDBCDC_SSE=\(sse) must be AES256 or aws:kms") }
        sseKeyID = environment["DDBCDC_SSE_KMS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        maxAttempts = try integer("DDBCDC_MAX_ATTEMPTS", RetryPolicy.defaultMaxAttempts, 1...20)
        guard let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !region.isEmpty else {
            throw Problem(description: "AWS_REGION is not set (Lambda sets it; set it when running elsewhere)")
        }
        self.region = region
    }
}

extension LambdaConfiguration {
    /// The S3 sink these settings describe: the bucket, region, encryption and attempts from the
    /// function's environment, everything else ``S3SinkSettings``' defaults (the same as `ddbcdc
    /// run`'s), but the request timeout.
    package var s3Settings: S3SinkSettings {
        let encryption: ServerSideEncryption? =
            switch sse {
            case "AES256": .aes256
            case "aws:kms": .kms(keyID: sseKeyID)
            default: nil
            }
        return S3SinkSettings(
            bucket: bucket, region: region, serverSideEncryption: encryption,
            retry: RetryPolicy(maxAttempts: maxAttempts),
            // An invocation has a deadline (uploads still pending at it are reported): a request
            // stuck for a minute would only hold up the records behind it.
            requestTimeoutMillis: 20_000)
    }
}
