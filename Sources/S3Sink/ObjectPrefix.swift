/// A key prefix that every sink takes alike: `/`-separated names, none of them empty, `.` or `..`,
/// no control characters, and short enough that the longest key written under it fits in S3.
///
/// A `/` at either end is dropped (`/ddb/orders/` is `ddb/orders`); anything else that would make
/// a key mean something other than what was typed is refused rather than rewritten: a directory
/// sink would resolve `..` and `.` and collapse `//`, S3 would keep them, and the two would then
/// disagree about where an object is. Check a prefix once, before any input is read.
public struct ObjectPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The prefix without a `/` at either end; empty for none.
    public let value: String

    /// The most UTF-8 bytes in an S3 object key.
    public static let maxKeyBytes = 1024
    /// The most bytes in one segment: a segment is a directory's name in a directory sink, and
    /// file systems take names of at most 255 bytes (`NAME_MAX`).
    public static let maxSegmentBytes = 255

    /// Checks `text`.
    /// - Parameters:
    ///   - text: the prefix as given (`cdc/orders`, `/cdc/orders/`).
    ///   - longestKeySuffixBytes: the most bytes a key has after the prefix, the `/` that joins
    ///     them included (for ddbcdc's objects, `ObjectNames.longestKeySuffixBytes(maxRecords:)`).
    /// - Throws: ``SinkError`` with code ``SinkError/Code/invalidPrefix``, naming the problem.
    public init(_ text: String, longestKeySuffixBytes: Int) throws(SinkError) {
        try self.init(joining: [text], longestKeySuffixBytes: longestKeySuffixBytes)
    }

    /// Checks the prefix `parts` make together (the path of `s3://bucket/path` and `--prefix`),
    /// each without its `/` at either end.
    public init(joining parts: [String], longestKeySuffixBytes: Int) throws(SinkError) {
        let value = parts.map(Self.trimmingSlashes).filter { !$0.isEmpty }.joined(separator: "/")
        try Self.check(value, longestKeySuffixBytes: longestKeySuffixBytes)
        self.value = value
    }

    public var description: String { value }

    static func trimmingSlashes(_ text: String) -> String {
        String(text.drop { $0 == "/" }.reversed().drop { $0 == "/" }.reversed())
    }

    static func check(_ value: String, longestKeySuffixBytes: Int) throws(SinkError) {
        func refuse(_ problem: String) -> SinkError {
            SinkError(.invalidPrefix, key: shown(value), "the prefix \"\(shown(value))\" \(problem)")
        }
        var offset = 0
        for scalar in value.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                throw refuse("has a control character (\(codePoint(scalar))) at byte \(offset): a prefix is printable text")
            }
            offset += String(scalar).utf8.count
        }
        guard !value.isEmpty else { return }
        for segment in value.split(separator: "/", omittingEmptySubsequences: false) {
            let rule = "a prefix is names separated by single '/', none of them '.' or '..'"
            if segment.isEmpty { throw refuse("has an empty segment ('//'): \(rule)") }
            if segment == "." || segment == ".." { throw refuse("has a '\(segment)' segment: \(rule)") }
            if segment.utf8.count > maxSegmentBytes {
                throw refuse("has a segment of \(segment.utf8.count) bytes: a segment is a directory name, at most \(maxSegmentBytes) bytes")
            }
        }
        let longest = value.utf8.count + longestKeySuffixBytes
        if longest > maxKeyBytes {
            throw refuse(
                "is \(value.utf8.count) bytes: the longest key under it would be \(longest) bytes and S3 keys hold at most \(maxKeyBytes), so at most \(max(0, maxKeyBytes - longestKeySuffixBytes)) bytes of prefix fit"
            )
        }
    }

    /// `U+0009`.
    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The prefix as it can be printed: control characters as `\u{…}`, and a long one shortened.
    static func shown(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out.count > 120 ? String(out.prefix(60)) + "…" + String(out.suffix(40)) : out
    }
}
