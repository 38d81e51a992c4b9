/// An error from planning or schema inference: a stable code, a message a user can act on, and
/// where it was found.
public struct SparkPlanError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is; stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidName = "invalid-name"
            case invalidConfig = "invalid-config"
            case malformedJSON = "malformed-json"
            case invalidSchema = "invalid-schema"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A catalog, schema, table or column name that cannot be used.
        public static let invalidName = Code(.invalidName)
        /// A configuration value that is missing, contradictory or out of range.
        public static let invalidConfig = Code(.invalidConfig)
        /// Input that is not JSON.
        public static let malformedJSON = Code(.malformedJSON)
        /// A schema document that is not a Spark schema.
        public static let invalidSchema = Code(.invalidSchema)

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
