import NDJSONBuffer
package import ParquetRows

/// How a batch's rows become an object's bytes: the one seam between the engine and a format.
package protocol BatchEncoder: Sendable {
    /// What the objects' names end with (`.ndjson.gz`, `.parquet`): readers choose the format by it.
    var suffix: String { get }
    /// The object for `rows` (NDJSON, one row per line).
    func encode(rows: [UInt8], count: Int) throws -> EncodedObject
}

/// An object's bytes and what encoding them set aside.
package struct EncodedObject: Sendable {
    /// The object's bytes.
    package var bytes: [UInt8]
    /// Values that did not fit their declared column and went into the rows' rescued-data column.
    package var rescuedValues: Int

    package init(bytes: [UInt8], rescuedValues: Int = 0) {
        self.bytes = bytes
        self.rescuedValues = rescuedValues
    }
}

/// Rows as gzip-compressed NDJSON.
package struct GzipNDJSON: BatchEncoder {
    /// gzip level, 0–12 (libdeflate's scale; 1–9 as gzip's).
    package var level: Int

    package init(level: Int) { self.level = level }

    package var suffix: String { ".ndjson.gz" }

    package func encode(rows: [UInt8], count: Int) -> EncodedObject { EncodedObject(bytes: Gzip.compress(rows, level: level)) }
}

/// Rows as a Parquet file, in the packed or the typed layout.
package struct ParquetObjects: BatchEncoder {
    /// The layout, codec and sizes.
    package var encoder: ParquetRowEncoder

    package init(_ encoder: ParquetRowEncoder) { self.encoder = encoder }

    package var suffix: String { ".parquet" }

    package func encode(rows: [UInt8], count: Int) throws -> EncodedObject {
        let encoded = try encoder.encode(rows: rows, count: count)
        return EncodedObject(bytes: encoded.bytes, rescuedValues: encoded.rescuedValues)
    }
}
