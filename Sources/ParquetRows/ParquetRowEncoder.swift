public import Parquet

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A batch of row-JSON lines as one Parquet file, in a ``ParquetLayout``.
///
/// The same rows give the same bytes: the layout, the options and the rows decide the file (no
/// time, no host, no random dictionary order).
public struct ParquetRowEncoder: Sendable {
    /// The columns and how rows fill them.
    public let layout: ParquetLayout
    /// Codec, row-group and page sizes; the layout's key-value metadata is added to its own.
    public let options: WriterOptions

    /// Creates an encoder.
    /// - Parameters:
    ///   - layout: packed or typed.
    ///   - options: the writer's options (codec, sizes, `createdBy`).
    ///   - version: ddbcdc's version, for the file's `ddbcdc.version` metadata.
    public init(layout: ParquetLayout, options: WriterOptions, version: String) {
        self.layout = layout
        var options = options
        options.keyValueMetadata.append((key: "ddbcdc.layout", value: layout.kind.rawValue))
        if let hash = layout.schemaHash { options.keyValueMetadata.append((key: "ddbcdc.schema.sha256", value: hash)) }
        options.keyValueMetadata.append((key: "ddbcdc.version", value: version))
        self.options = options
    }

    /// What encoding a batch gave.
    public struct Encoded: Sendable {
        /// The Parquet file.
        public var bytes: [UInt8]
        /// Attributes that did not fit their declared type and went into `_rescued_data`.
        public var rescuedValues: Int
        /// Rows with at least one rescued attribute.
        public var rowsWithRescued: Int
    }

    /// The Parquet file of `rows`: row-JSON objects, one per line (each ends with a newline).
    /// - Parameter count: how many rows (lines) `rows` holds; checked.
    public func encode(rows: [UInt8], count: Int) throws(ParquetRowsError) -> Encoded {
        try layout.plan.withPointers { (plan) throws(ParquetRowsError) -> Encoded in
            var shredder = RowShredder(kind: layout.kind, plan: plan, writer: ParquetWriter(schema: layout.schema, options: options))
            var index = 0
            try rows.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(ParquetRowsError) in
                guard let base = all.baseAddress else { return }
                var start = 0
                while start < all.count {
                    // The line's end by memchr (vectorised), not a byte loop: rows are ~600 bytes.
                    var end = all.count
                    if let newline = memchr(base + start, 0x0A, all.count - start) {
                        end = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base
                    }
                    if end > start {
                        try shredder.add(row: UnsafeBufferPointer(rebasing: all[start..<end]), index: index)
                        index += 1
                    }
                    start = end + 1
                }
            }
            guard index == count else {
                throw ParquetRowsError(.malformedRow, "the batch holds \(index) rows, not the \(count) it was said to hold")
            }
            let bytes: [UInt8]
            do { bytes = try shredder.writer.finish() } catch {
                throw ParquetRowsError(.writeFailed, "the Parquet file could not be finished: \(error)")
            }
            return Encoded(bytes: bytes, rescuedValues: shredder.rescued, rowsWithRescued: shredder.rowsWithRescued)
        }
    }
}
