import DDBTypes

/// Record boundaries in input that is not valid JSON, found by structure alone, so that one
/// broken record in a one-line event is set aside by itself and the records after it are read.
///
/// Strings are skipped by their quotes whatever their content (invalid UTF-8, raw control bytes,
/// bad escapes); brackets are counted. A raw line break inside a string, or brackets that close
/// what they did not open in a way no record boundary explains, leave the structure unknowable:
/// then the caller falls back to setting aside the rest of the line.
package enum Resync {
    enum Outcome: Equatable {
        /// The piece ends here (exclusive).
        case end(Int)
        /// The window ends first; more input may settle it.
        case needMore
        /// No boundary can be trusted.
        case lost
    }

    /// Where the record whose `{` is at `start` ends.
    ///
    /// A record missing closing brackets ends at the `,` after which a `{` stands where a member
    /// name should be (the next record), or before a `]` that closes nothing opened inside it (the
    /// end of the array of records).
    static func recordEnd(_ window: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool) -> Outcome {
        var open: [UInt8] = []
        var index = start
        var lastComma = -1
        var expectName = false
        while index < window.count {
            let byte = window[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let close = stringEnd(window, from: index) else { return needMoreOrLost(window, eof) }
                if close < 0 { return .lost }
                index = close
                expectName = false
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if byte == UInt8(ascii: "{"), expectName, lastComma >= 0, isOnlyWhitespace(window, lastComma + 1, index) {
                    return .end(lastComma)
                }
                open.append(byte)
                expectName = byte == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard let top = open.last else { return .lost }
                if (top == UInt8(ascii: "{")) == (byte == UInt8(ascii: "}")) {
                    open.removeLast()
                    if open.isEmpty { return .end(index + 1) }
                } else if byte == UInt8(ascii: "]") {
                    return .end(trimmedEnd(window, start, index))
                } else {
                    return .lost
                }
                expectName = false
            case UInt8(ascii: ","):
                lastComma = index
                expectName = open.last == UInt8(ascii: "{")
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                expectName = false
            }
            index += 1
        }
        return needMoreOrLost(window, eof)
    }

    /// Where unreadable input between two records ends: at the next `,` that a `{` follows, or at
    /// a `]`, outside strings and brackets opened within the piece.
    static func gapEnd(_ window: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool) -> Outcome {
        var depth = 0
        var index = start
        while index < window.count {
            let byte = window[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let close = stringEnd(window, from: index) else { return needMoreOrLost(window, eof) }
                if close < 0 { return .lost }
                index = close
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "]"):
                if depth == 0 { return .end(index) }
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 0 {
                    var next = index + 1
                    while next < window.count, isWhitespace(window[next]) { next += 1 }
                    if next == window.count { return needMoreOrLost(window, eof) }
                    if window[next] == UInt8(ascii: "{") { return .end(index) }
                }
            default:
                break
            }
            index += 1
        }
        return needMoreOrLost(window, eof)
    }

    /// The SequenceNumber texts named in raw bytes (`"SequenceNumber":"…"`), in order: the best
    /// that can be said of the records in input that is not valid JSON.
    package static func sequenceNumbers(in bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        let field = Array("\"SequenceNumber\"".utf8)
        var found: [String] = []
        var index = 0
        while index + field.count <= bytes.count {
            guard bytes[index] == UInt8(ascii: "\""), bytes[index..<(index + field.count)].elementsEqual(field) else {
                index += 1
                continue
            }
            var at = index + field.count
            while at < bytes.count, isWhitespace(bytes[at]) { at += 1 }
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else {
                index += 1
                continue
            }
            at += 1
            while at < bytes.count, isWhitespace(bytes[at]) { at += 1 }
            if at < bytes.count, bytes[at] == UInt8(ascii: "\"") {
                var end = at + 1
                while end < bytes.count, bytes[end] &- UInt8(ascii: "0") < 10 { end += 1 }
                if end > at + 1, end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                    found.append(String(decoding: bytes[(at + 1)..<end], as: UTF8.self))
                }
            }
            index = at
        }
        return found
    }

    /// The index just past the closing quote of the string whose `"` is at `start`; -1 when a raw
    /// line break comes first (a string never holds one, so the quotes are out of step); nil
    /// when the window ends first.
    private static func stringEnd(_ window: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        while index < window.count {
            switch window[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            case 0x0A: return -1
            default: index += 1
            }
        }
        return nil
    }

    private static func needMoreOrLost(_ window: UnsafeBufferPointer<UInt8>, _ eof: Bool) -> Outcome {
        eof ? .lost : .needMore
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func isOnlyWhitespace(_ window: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        (from..<to).allSatisfy { isWhitespace(window[$0]) }
    }

    /// `end` moved back over whitespace, not before `start`.
    private static func trimmedEnd(_ window: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var end = end
        while end > start, isWhitespace(window[end - 1]) { end -= 1 }
        return end
    }
}
