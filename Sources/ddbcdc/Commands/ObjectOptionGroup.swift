import ArgumentParser
import NDJSONBuffer

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

    @Option(help: "gzip level, 0 (stored) to 12; 1–9 as gzip's (GZIP_LEVEL; default 6).")
    var gzipLevel: Int?

    @Option(help: "Objects compressed and written at the same time (default 2).")
    var concurrency: Int = 2

    /// The settings after options, environment and defaults.
    struct Settings {
        var limits: BatchLimits
        var prefix: String
        var gzipLevel: Int
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
        let gzipLevel = try number(self.gzipLevel, "GZIP_LEVEL", { Int($0) }, default: 6)
        guard maxRecords >= 1 else { throw ValidationError("--max-records must be at least 1") }
        guard maxBytes >= 1 else { throw ValidationError("--max-bytes must be at least 1") }
        guard Gzip.levels.contains(gzipLevel) else { throw ValidationError("--gzip-level must be 0 to 12, not \(gzipLevel)") }
        var maxAgeMillis: Int64 = 0
        if agesBatches {
            let maxSeconds = try number(option, "MAX_SECONDS", { Double($0) }, default: 15)
            guard maxSeconds >= 0, maxSeconds < 1e9 else { throw ValidationError("--max-seconds must be 0 or more") }
            maxAgeMillis = Int64(maxSeconds * 1000)
        }
        return Settings(
            limits: BatchLimits(maxRecords: maxRecords, maxBytes: maxBytes, maxAgeMillis: maxAgeMillis, maxOpenPartitions: maxOpenPartitions),
            prefix: prefix ?? environment("S3_PREFIX") ?? "", gzipLevel: gzipLevel)
    }

    func validate() throws {
        if let maxBytes, Int(maxBytes.replacingUnderscores()) == nil {
            throw ValidationError("--max-bytes must be a whole number of bytes, not '\(maxBytes)'")
        }
        guard maxOpenPartitions >= 1 else { throw ValidationError("--max-open-partitions must be at least 1") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }
}

extension String {
    func replacingUnderscores() -> String { filter { $0 != "_" } }
}
