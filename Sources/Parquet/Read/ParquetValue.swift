/// A value read from a Parquet file, by physical type and, for groups, by shape.
///
/// Nulls are `nil` in the optionals that hold values. A `LIST` group reads as ``list(_:)`` of its
/// elements, a `MAP` group as ``list(_:)`` of two-member ``group(_:)``s (key, value), any other
/// group as ``group(_:)`` of its fields in schema order, and a bare repeated field as ``list(_:)``
/// of its occurrences. Logical types (STRING, DECIMAL, TIMESTAMP) are in the file's
/// ``ParquetSchema``; values stay physical: a decimal is its unscaled integer or its two's
/// complement bytes.
public indirect enum ParquetValue: Sendable, Hashable {
    /// A BOOLEAN value.
    case bool(Bool)
    /// An INT32 value.
    case int32(Int32)
    /// An INT64 value.
    case int64(Int64)
    /// A BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY value.
    case bytes([UInt8])
    /// A list's elements or a map's entries, in order.
    case list([ParquetValue?])
    /// A group's fields, in schema order.
    case group([ParquetValue?])
}
