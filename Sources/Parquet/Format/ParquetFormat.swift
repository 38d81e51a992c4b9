/// The structures of parquet-format's `parquet.thrift` (apache/parquet-format,
/// src/main/thrift/parquet.thrift) that the writer uses, as plain Swift values; each field's
/// Thrift id is in a comment and in its `write(to:)`.
///
/// Enums are structs over their Thrift `i32` so that a reader keeps values newer than this file.
/// Optional Thrift fields are Swift optionals; only set fields are written.
enum ParquetFormat {}
