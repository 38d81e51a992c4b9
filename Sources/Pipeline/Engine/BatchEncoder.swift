import NDJSONBuffer

/// How a batch's rows become an object's bytes: the one seam between the engine and a format.
/// gzip NDJSON today; Parquet slots in beside it.
package protocol BatchEncoder: Sendable {
    /// What the objects' names end with (`.ndjson.gz`): readers choose decompression by it.
    var suffix: String { get }
    /// The object's bytes for `rows` (NDJSON, one row per line).
    func encode(rows: [UInt8], count: Int) throws -> [UInt8]
}

/// Rows as gzip-compressed NDJSON.
package struct GzipNDJSON: BatchEncoder {
    /// gzip level, 0–12 (libdeflate's scale; 1–9 as gzip's).
    package var level: Int

    package init(level: Int) { self.level = level }

    package var suffix: String { ".ndjson.gz" }

    package func encode(rows: [UInt8], count: Int) -> [UInt8] { Gzip.compress(rows, level: level) }
}
