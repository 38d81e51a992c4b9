package import NDJSONBuffer
import Parquet
package import ParquetRows
package import SparkTypes
package import StreamNormalize

/// ddbcdc's version: the command's `--version` and the `ddbcdc.version` of every Parquet file.
package let ddbcdcVersion = "0.1.0"

/// What objects hold.
package enum ObjectFormat: String, Sendable, CaseIterable {
    /// gzip-compressed NDJSON, `.ndjson.gz` (Auto Loader's `json`).
    case json
    /// Parquet, `.parquet`.
    case parquet
}

/// How Parquet pages are compressed.
package enum ParquetCompression: String, Sendable, CaseIterable {
    case snappy, zstd, gzip, none
}

/// How batches become objects: the format and its settings, from a command's options or the
/// Lambda function's environment. One place builds the encoder, so `run`, `stream`, `backfill`
/// and the function write the same bytes for the same rows.
package struct ObjectEncoding: Sendable {
    /// gzip NDJSON (default) or Parquet.
    package var format: ObjectFormat
    /// gzip's level for NDJSON objects.
    package var gzipLevel: Int
    /// libdeflate's level for Parquet's GZIP codec; nil for the layout's default
    /// (``defaultParquetGzipLevel(typed:)``).
    package var parquetGzipLevel: Int?
    /// Parquet's codec.
    package var parquetCompression: ParquetCompression
    /// libzstd's level for Parquet's ZSTD codec; nil for ``defaultParquetZstdLevel``.
    package var parquetZstdLevel: Int?
    /// Uncompressed bytes of a row group before the next one starts (Parquet).
    package var rowGroupBytes: Int
    /// The typed layout's columns (a schema file); nil for the packed layout.
    package var schema: SparkSchema?

    /// The gzip level when none is set (`--gzip-level`, `GZIP_LEVEL`), the one place it is set.
    ///
    /// The promise is "objects no bigger than gzip -6 would make, as fast as possible": the
    /// cheapest libdeflate level whose objects are no bigger than GNU `gzip -6` of the same
    /// batches, as `scripts/bench-gzip-levels.sh` measures it (figures in the README).
    package static let defaultGzipLevel = 6

    /// Parquet's GZIP level when none is given: for each layout, the fastest libdeflate level whose
    /// Parquet files of the project's generated corpus are no bigger than the gzip-6 NDJSON objects
    /// of the same rows (`GZIP_LEVELS="1 2 3 4 5 6" scripts/bench-parquet.sh` measures it; the
    /// figures are in docs/parquet.md): 3 for the packed layout (one JSON text column, PLAIN: 0.992×
    /// at 3, 1.023× at 2), 1 for the typed one (columns of one type each compress well even at 1:
    /// 0.811×). Its own setting, not NDJSON's level: page-sized deflate streams of columns compress
    /// differently from whole NDJSON objects.
    package static func defaultParquetGzipLevel(typed: Bool) -> Int { typed ? 1 : 3 }

    /// The GZIP level Parquet files are written with: the one given, or the layout's default.
    package var effectiveParquetGzipLevel: Int { parquetGzipLevel ?? Self.defaultParquetGzipLevel(typed: schema != nil) }

    /// The levels `--parquet-gzip-level` takes: libdeflate's, as for NDJSON.
    package static let parquetGzipLevels = Gzip.levels

    /// The levels `--parquet-zstd-level` takes (libzstd's 1 fastest … 22 smallest; its negative
    /// "fast" levels are left out: on the project's corpus they make files a third bigger).
    package static let parquetZstdLevels = 1...22

    /// Parquet's ZSTD level when none is given, by the same rule as GZIP's: the fastest level whose
    /// files are no bigger than the gzip-6 NDJSON objects of the same rows. Level 1 for both
    /// layouts: on the project's corpus its files are even a little smaller than levels 2–4's,
    /// 0.947× the NDJSON packed and 0.772× typed (figures in docs/parquet.md).
    package static let defaultParquetZstdLevel = 1

    /// The ZSTD level Parquet files are written with: the one given, or the default.
    package var effectiveParquetZstdLevel: Int { parquetZstdLevel ?? Self.defaultParquetZstdLevel }

    /// Why Parquet's codec level options cannot be used as given, or nil: a level must be in its
    /// codec's range and needs that codec (`compression` nil is the default, snappy). One check for
    /// every command and file that takes them (`run`, `stream`, `backfill`, `emit-infra`).
    package static func parquetLevelProblem(compression: ParquetCompression?, gzipLevel: Int?, zstdLevel: Int?) -> String? {
        if let gzipLevel {
            guard compression == .gzip else { return "--parquet-gzip-level needs --parquet-compression gzip" }
            guard parquetGzipLevels.contains(gzipLevel) else {
                return "--parquet-gzip-level must be \(parquetGzipLevels.lowerBound) to \(parquetGzipLevels.upperBound), not \(gzipLevel)"
            }
        }
        if let zstdLevel {
            guard compression == .zstd else { return "--parquet-zstd-level needs --parquet-compression zstd" }
            guard parquetZstdLevels.contains(zstdLevel) else {
                return "--parquet-zstd-level must be \(parquetZstdLevels.lowerBound) to \(parquetZstdLevels.upperBound), not \(zstdLevel)"
            }
        }
        return nil
    }

    package init(
        format: ObjectFormat = .json, gzipLevel: Int = ObjectEncoding.defaultGzipLevel, parquetCompression: ParquetCompression = .snappy,
        parquetGzipLevel: Int? = nil, parquetZstdLevel: Int? = nil, rowGroupBytes: Int = 128 << 20,
        schema: SparkSchema? = nil
    ) {
        self.format = format
        self.gzipLevel = gzipLevel
        self.parquetGzipLevel = parquetGzipLevel
        self.parquetCompression = parquetCompression
        self.parquetZstdLevel = parquetZstdLevel
        self.rowGroupBytes = rowGroupBytes
        self.schema = schema
    }

    /// The encoder for rows whose metadata columns are named `metadataNames`.
    /// - Throws: `ParquetRowsError` when the schema cannot type Parquet columns.
    package func encoder(metadataNames: MetadataNames) throws(ParquetRowsError) -> any BatchEncoder {
        switch format {
        case .json:
            return GzipNDJSON(level: gzipLevel)
        case .parquet:
            let layout: ParquetLayout
            if let schema {
                layout = try ParquetLayout(typed: schema, metadataNames: metadataNames)
            } else {
                layout = try ParquetLayout(packed: metadataNames)
            }
            var options = WriterOptions()
            switch parquetCompression {
            case .snappy: options.codec = .snappy
            case .zstd: options.codec = .zstd(level: effectiveParquetZstdLevel)
            case .gzip: options.codec = .gzip(level: effectiveParquetGzipLevel)
            case .none: options.codec = .none
            }
            options.rowGroupBytes = rowGroupBytes
            options.createdBy = "ddbcdc version \(ddbcdcVersion)"
            return ParquetObjects(ParquetRowEncoder(layout: layout, options: options, version: ddbcdcVersion))
        }
    }

    /// The schema in a schema file's bytes: Spark's StructType JSON, as `ddbcdc schema --format json` writes.
    /// - Throws: `SparkPlanError` naming what is wrong.
    package static func schema(json bytes: [UInt8]) throws(SparkPlanError) -> SparkSchema {
        try SparkSchema(json: try JSONValue.parse(bytes))
    }
}
