/// An error from turning rows into Parquet: a stable code, a message naming the row or the schema's
/// column, and the writer's own error where it came from.
public struct ParquetRowsError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is; stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidSchema = "invalid-schema"
            case malformedRow = "malformed-row"
            case writeFailed = "write-failed"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A schema file ddbcdc cannot type Parquet columns by (a column named like a metadata column
        /// with another type, a type Parquet here does not take).
        public static let invalidSchema = Code(.invalidSchema)
        /// A row that is not one JSON object per line (rows come from the row writer, so this is a bug
        /// or damaged memory, never silently skipped).
        public static let malformedRow = Code(.malformedRow)
        /// The Parquet writer refused (see the message).
        public static let writeFailed = Code(.writeFailed)

        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
