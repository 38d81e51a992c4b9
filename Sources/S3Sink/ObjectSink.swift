/// Where finished objects go: bytes and a key in, durable or an error out.
///
/// `put` returns only once the object is durable under its key; a key written twice holds the
/// second body (retries rewrite, they do not add).
public protocol ObjectSink: Sendable {
    /// Stores `body` under `key` (a `/`-separated relative path).
    /// - Throws: ``SinkError`` when the object is not durable.
    func put(key: String, body: [UInt8]) async throws(SinkError)
}

/// An object that could not be made durable.
public struct SinkError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let value: String
        /// The key cannot name an object (empty, absolute, `..`, …).
        public static let invalidKey = Code(value: "invalid-key")
        /// The key prefix cannot be used (see ``ObjectPrefix``).
        public static let invalidPrefix = Code(value: "invalid-prefix")
        /// The storage refused or failed the write.
        public static let writeFailed = Code(value: "write-failed")
        public var description: String { value }
    }

    /// What kind of failure.
    public var code: Code
    /// The object's key.
    public var key: String
    /// What went wrong, for a person.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, key: String, _ message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message) [\(code)]" }
}
