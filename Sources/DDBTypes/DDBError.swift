/// An error decoding DynamoDB JSON or validating an attribute value.
///
/// It names what was wrong (``code``), where (``path``, such as `NewImage.lines[3].price`, and
/// the byte ``offset`` in the input it was read from) and says it in a ``message`` a user can act on.
public struct DDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for the kind of error.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Value: String, Sendable {
            case malformedJSON = "malformed-json"
            case truncated = "truncated"
            case invalidUTF8 = "invalid-utf8"
            case invalidString = "invalid-string"
            case wrongJSONType = "wrong-json-type"
            case missingTypeTag = "missing-type-tag"
            case unknownTypeTag = "unknown-type-tag"
            case multipleTypeTags = "multiple-type-tags"
            case badBase64 = "bad-base64"
            case invalidNumber = "invalid-number"
            case numberOutOfRange = "number-out-of-range"
            case numberTooPrecise = "number-too-precise"
            case emptySet = "empty-set"
            case duplicateSetMember = "duplicate-set-member"
            case duplicateAttribute = "duplicate-attribute"
            case nestingTooDeep = "nesting-too-deep"
            case missingField = "missing-field"
            case unsupportedRecord = "unsupported-record"
            case nameClash = "name-clash"
            case duplicateMember = "duplicate-member"
            case keyMismatch = "key-mismatch"
        }
        let value: Value

        /// The input is not well-formed JSON.
        public static let malformedJSON = Code(value: .malformedJSON)
        /// The input ended in the middle of a value.
        public static let truncated = Code(value: .truncated)
        /// The input holds bytes that are not UTF-8.
        public static let invalidUTF8 = Code(value: .invalidUTF8)
        /// A string escape names a lone UTF-16 surrogate, which no DynamoDB string can hold.
        public static let invalidString = Code(value: .invalidString)
        /// A JSON value of the wrong kind where an attribute value or its content was expected.
        public static let wrongJSONType = Code(value: .wrongJSONType)
        /// An attribute value object without a type tag (`{}`).
        public static let missingTypeTag = Code(value: .missingTypeTag)
        /// A type tag other than S N B SS NS BS M L NULL BOOL.
        public static let unknownTypeTag = Code(value: .unknownTypeTag)
        /// An attribute value object with more than one type tag.
        public static let multipleTypeTags = Code(value: .multipleTypeTags)
        /// A binary value that is not standard padded base64.
        public static let badBase64 = Code(value: .badBase64)
        /// Text that is not a decimal number.
        public static let invalidNumber = Code(value: .invalidNumber)
        /// A number outside DynamoDB's range (magnitude 1E-130 … 9.99…E+125).
        public static let numberOutOfRange = Code(value: .numberOutOfRange)
        /// A number with more than 38 significant digits.
        public static let numberTooPrecise = Code(value: .numberTooPrecise)
        /// A set with no members; DynamoDB sets are never empty.
        public static let emptySet = Code(value: .emptySet)
        /// A set that holds the same member twice.
        public static let duplicateSetMember = Code(value: .duplicateSetMember)
        /// A map or item that names the same attribute twice.
        public static let duplicateAttribute = Code(value: .duplicateAttribute)
        /// Values nested deeper than the decoder allows.
        public static let nestingTooDeep = Code(value: .nestingTooDeep)
        /// A stream record lacks a field a row needs (`eventName`, `SequenceNumber`, `NewImage`, …).
        public static let missingField = Code(value: .missingField)
        /// A record that is not a DynamoDB Streams change (another `eventSource`, an unknown `eventName`).
        public static let unsupportedRecord = Code(value: .unsupportedRecord)
        /// An item attribute named like a metadata column of flat rows (`_seq`, `is_deleted`, …).
        public static let nameClash = Code(value: .nameClash)
        /// A record or event that names one of its own members twice (`eventName`, `SequenceNumber`,
        /// `Records`, …): JSON leaves such input's meaning open, so it is refused, not read last-one-wins.
        public static let duplicateMember = Code(value: .duplicateMember)
        /// A record whose `NewImage` disagrees with its `Keys` (a key attribute missing or of another value).
        public static let keyMismatch = Code(value: .keyMismatch)

        /// The code's stable text, such as `bad-base64`.
        public var description: String { value.rawValue }
    }

    /// What kind of error this is.
    public var code: Code
    /// What was wrong, in words.
    public var message: String
    /// The attribute path of the value at fault (`NewImage.lines[3].price`); empty when unknown.
    public var path: AttributePath
    /// The byte offset of the fault in the input the value was decoded from.
    public var offset: Int

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: AttributePath = AttributePath(), offset: Int = 0) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
    }

    /// The path, when known, then the message: `NewImage.total: number has 39 significant digits…`.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
