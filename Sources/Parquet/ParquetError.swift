/// An error from reading or writing Parquet: a stable code, a message a user can act on, and where
/// it was found (a byte offset, a column path, a page).
public struct ParquetError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is; stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case notParquet = "not-parquet"
            case malformedMetadata = "malformed-metadata"
            case malformedPage = "malformed-page"
            case unsupported = "unsupported"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The bytes are not a Parquet file: no `PAR1` magic at both ends, or a footer length that
        /// does not fit the file.
        public static let notParquet = Code(.notParquet)
        /// The footer or a page header is not valid Thrift, or says something impossible (a
        /// column chunk outside the file, a schema that does not add up).
        public static let malformedMetadata = Code(.malformedMetadata)
        /// A page's content does not decode: levels, values, dictionary indices or compressed data.
        public static let malformedPage = Code(.malformedPage)
        /// Valid Parquet using something this reader does not implement (an encoding, a codec, a
        /// physical type).
        public static let unsupported = Code(.unsupported)

        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong and where, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
