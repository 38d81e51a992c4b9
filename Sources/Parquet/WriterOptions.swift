/// A page compression codec.
public enum Codec: Sendable, Hashable {
    /// Pages as they are (`UNCOMPRESSED`).
    case none
    /// Snappy (the default; what Spark writes).
    case snappy
    /// Gzip through libdeflate, level 0 (stored) to 12.
    case gzip(level: Int)
    /// Zstandard, a level libzstd accepts (negative levels are its fast modes; 1 to 22 otherwise).
    case zstd(level: Int)
}

/// How a ``ParquetWriter`` lays out a file.
public struct WriterOptions: Sendable {
    /// The codec of every page.
    public var codec: Codec = .snappy
    /// A row group is closed at the end of the row that brings its buffered (encoded, compressed) bytes to this size.
    public var rowGroupBytes = 128 << 20
    /// A column's data page is closed at the end of the row that brings its encoded size to this size.
    public var pageBytes = 1 << 20
    /// A column chunk's dictionary grows to at most this PLAIN-encoded size (at most 2 GiB - 1, a
    /// page's limit); past it the chunk's next values are written PLAIN. 0 writes every value PLAIN.
    public var dictionaryPageBytes = 1 << 20
    /// The footer's `created_by`; parquet-format asks for `<application> version <version> (build <hash>)`,
    /// which parquet-mr parses.
    public var createdBy = "ddbcdc"
    /// The footer's key-value metadata, in this order.
    public var keyValueMetadata: [(key: String, value: String)] = []

    /// The defaults: Snappy, 128 MiB row groups, 1 MiB pages and dictionaries.
    public init() {}
}
