/// Why a schema, an option, a write or a read was refused: the one error type of the Parquet module.
///
/// ``code`` says what kind of failure it is (stable, for programs); ``message`` says where and
/// what (for people), e.g. `leaf 3 (a.list.element): definition level 4 is not below the column's
/// maximum 3`.
public struct ParquetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidSchema = "invalid-schema"
            case invalidOptions = "invalid-options"
            case invalidAppend = "invalid-append"
            case compressionFailed = "compression-failed"
            case tooLarge = "too-large"
            case notParquet = "not-parquet"
            case malformedMetadata = "malformed-metadata"
            case malformedPage = "malformed-page"
            case unsupported = "unsupported"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The schema cannot be written: a name, a type annotation or a nesting that Parquet does not allow.
        public static let invalidSchema = Code(.invalidSchema)
        /// A ``WriterOptions`` value is out of range (a codec level, a size).
        public static let invalidOptions = Code(.invalidOptions)
        /// An append does not fit the schema: a leaf index, a type, a level, a length or a row's shape.
        public static let invalidAppend = Code(.invalidAppend)
        /// The compression library failed.
        public static let compressionFailed = Code(.compressionFailed)
        /// A page or a value is larger than Parquet's 32-bit sizes allow.
        public static let tooLarge = Code(.tooLarge)
        /// Reading: the bytes are not a Parquet file (no `PAR1` magic at both ends, or a footer
        /// length that does not fit the file).
        public static let notParquet = Code(.notParquet)
        /// Reading: the footer or a page header is not valid Thrift, or says something impossible (a
        /// column chunk outside the file, a schema that does not add up).
        public static let malformedMetadata = Code(.malformedMetadata)
        /// Reading: a page's content does not decode (levels, values, dictionary indices,
        /// compressed data), or the columns disagree about the rows.
        public static let malformedPage = Code(.malformedPage)
        /// Reading: valid Parquet using something this reader does not implement (an encoding, a
        /// codec, a physical type, data page v2).
        public static let unsupported = Code(.unsupported)

        public var description: String { value.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// What went wrong and where, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
