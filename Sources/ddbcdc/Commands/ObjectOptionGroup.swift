import ArgumentParser
import NDJSONBuffer
import Pipeline
import SparkTypes
import StreamNormalize

extension ObjectFormat: ExpressibleByArgument {}
extension ParquetCompression: ExpressibleByArgument {}

/// How rows become objects: what `run`, `backfill` (and every command that writes objects) share.
struct ObjectOptionGroup: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("Key prefix under the sink (S3_PREFIX): names separated by single /, none of them . or .., no control characters.", valueName: "prefix"))
    var prefix: String?

    @Option(help: "Rows in one object (MAX_RECORDS; default 2000).")
    var maxRecords: Int?

    @Option(help: "Uncompressed bytes in one object (MAX_PAYLOAD_BYTES; default 8000000; underscores allowed).")
    var maxBytes: String?

    @Option(help: "Partitions with an open batch at once; one more seals the least recently written (default 16).")
    var maxOpenPartitions: Int = 16

    @Option(help: "gzip level, 0 (stored) to 12; 1–9 as gzip's (GZIP_LEVEL; default \(ObjectEncoding.defaultGzipLevel)).")
    var gzipLevel: Int?

    @Option(help: "Objects compressed and written at the same time (default 2).")
    var concurrency: Int = 2

    @Option(help: "What objects hold: json (gzip NDJSON, .ndjson.gz) or parquet (.parquet).")
    var format: ObjectFormat = .json

    @Option(help: ArgumentHelp("Parquet: type the columns by this schema file (Spark StructType JSON, what `ddbcdc schema --format json` writes; values that do not fit go to _rescued_data). Default: the packed layout (metadata columns and the item as one JSON string, _item).", valueName: "file"))
    var schema: String?

    @Option(help: "Parquet: the pages' codec, snappy, zstd (--parquet-zstd-level), gzip (--parquet-gzip-level) or none.")
    var parquetCompression: ParquetCompression = .snappy

    @Option(help: ArgumentHelp("Parquet: the gzip codec's level, 0 (stored) to 12 (default \(ObjectEncoding.defaultParquetGzipLevel(typed: false)) packed, \(ObjectEncoding.defaultParquetGzipLevel(typed: true)) typed: the fastest whose files are no bigger than gzip -6 NDJSON of the same rows; --gzip-level is NDJSON's).", valueName: "level"))
    var parquetGzipLevel: Int?

    @Option(help: ArgumentHelp("Parquet: the zstd codec's level, 1 to 22 (default \(ObjectEncoding.defaultParquetZstdLevel): the fastest whose files are no bigger than gzip -6 NDJSON of the same rows).", valueName: "level"))
    var parquetZstdLevel: Int?

    @Option(help: ArgumentHelp("Parquet: uncompressed bytes of a row group before the next one starts (default 134217728: one row group per object).", valueName: "bytes"))
    var parquetRowGroupBytes: Int = 128 << 20

    /// The settings after options, environment and defaults.
    struct Settings {
        var limits: BatchLimits
        var prefix: String
        var encoding: ObjectEncoding

        /// The encoder for rows made with `rows`.
        func encoder(rows: NormalizeOptions) throws -> any BatchEncoder {
            do { return try encoding.encoder(metadataNames: rows.metadataNames) } catch {
                throw ValidationError("--schema: \(error)")
            }
        }
    }

    /// - Parameters:
    ///   - maxSeconds: how long a batch stays open (`run`'s `--max-seconds`; MAX_SECONDS, default 15).
    ///   - agesBatches: whether batches are sealed by age at all (a backfill reads all it has at once: no).
    func settings(maxSeconds option: Double? = nil, agesBatches: Bool = true, environment: (String) -> String?) throws -> Settings {
        func number<T>(_ option: T?, _ name: String, _ parse: (String) -> T?, default value: T) throws -> T {
            if let option { return option }
            guard let text = environment(name), !text.isEmpty else { return value }
            guard let parsed = parse(text.replacingUnderscores()) else {
                throw ValidationError("\(name)=\(text) is not a number")
            }
            return parsed
        }
        let maxRecords = try number(self.maxRecords, "MAX_RECORDS", { Int($0) }, default: 2000)
        let maxBytes = try number(self.maxBytes.map { text -> Int? in Int(text.replacingUnderscores()) } ?? nil, "MAX_PAYLOAD_BYTES", { Int($0) }, default: 8_000_000)
        let gzipLevel = try number(self.gzipLevel, "GZIP_LEVEL", { Int($0) }, default: ObjectEncoding.defaultGzipLevel)
        guard maxRecords >= 1 else { throw ValidationError("--max-records must be at least 1") }
        guard maxBytes >= 1 else { throw ValidationError("--max-bytes must be at least 1") }
        guard Gzip.levels.contains(gzipLevel) else { throw ValidationError("--gzip-level must be 0 to 12, not \(gzipLevel)") }
        var maxAgeMillis: Int64 = 0
        if agesBatches {
            let maxSeconds = try number(option, "MAX_SECONDS", { Double($0) }, default: 15)
            guard maxSeconds >= 0, maxSeconds < 1e9 else { throw ValidationError("--max-seconds must be 0 or more") }
            maxAgeMillis = Int64(maxSeconds * 1000)
        }
        var sparkSchema: SparkSchema?
        if let schema {
            let bytes: [UInt8]
            do { bytes = try FileSource.readAll(path: schema) } catch { throw ValidationError("--schema: \(error)") }
            do { sparkSchema = try ObjectEncoding.schema(json: bytes) } catch { throw ValidationError("--schema \(schema): \(error)") }
        }
        return Settings(
            limits: BatchLimits(maxRecords: maxRecords, maxBytes: maxBytes, maxAgeMillis: maxAgeMillis, maxOpenPartitions: maxOpenPartitions),
            prefix: prefix ?? environment("S3_PREFIX") ?? "",
            encoding: ObjectEncoding(
                format: format, gzipLevel: gzipLevel, parquetCompression: parquetCompression,
                parquetGzipLevel: parquetGzipLevel, parquetZstdLevel: parquetZstdLevel, rowGroupBytes: parquetRowGroupBytes,
                schema: sparkSchema))
    }

    func validate() throws {
        if let maxBytes, Int(maxBytes.replacingUnderscores()) == nil {
            throw ValidationError("--max-bytes must be a whole number of bytes, not '\(maxBytes)'")
        }
        guard maxOpenPartitions >= 1 else { throw ValidationError("--max-open-partitions must be at least 1") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard parquetRowGroupBytes >= 1 else { throw ValidationError("--parquet-row-group-bytes must be at least 1") }
        if format != .parquet {
            if schema != nil { throw ValidationError("--schema types Parquet columns: give --format parquet too") }
            if parquetCompression != .snappy || parquetGzipLevel != nil || parquetZstdLevel != nil {
                throw ValidationError("--parquet-compression, --parquet-gzip-level and --parquet-zstd-level need --format parquet")
            }
        }
        if let problem = ObjectEncoding.parquetLevelProblem(compression: parquetCompression, gzipLevel: parquetGzipLevel, zstdLevel: parquetZstdLevel) {
            throw ValidationError(problem)
        }
    }
}

extension String {
    func replacingUnderscores() -> String { filter { $0 != "_" } }
}
