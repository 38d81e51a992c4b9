/// A position in UTF-8 JSON bytes, and the validating reads the decoders are built from.
///
/// Every read checks bounds; running off the end throws `truncated`, which a streaming reader
/// takes as "need more input". The cursor does not own its bytes: use it inside
/// `withUnsafeBufferPointer`.
///
/// The type, its stored properties and its small reads are `@usableFromInline`/`@inlinable`:
/// without that, an `@inlinable` member of a `package` type is not inlined into another module
/// (StreamNormalize's record reader), and every member name, comma and comparison there cost a
/// call.
@usableFromInline package struct JSONCursor {
    @usableFromInline package let base: UnsafePointer<UInt8>
    @usableFromInline package let end: Int
    @usableFromInline package var pos: Int

    /// Nesting allowed for arbitrary JSON (record envelopes and their unknown fields).
    package static let maxJSONDepth = 128

    @inlinable
    package init(_ buffer: UnsafeBufferPointer<UInt8>, at position: Int = 0) {
        // A zero-length buffer may have no base address; point at a valid empty location instead.
        self.base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        self.end = buffer.count
        self.pos = position
    }

    @inlinable
    package init(base: UnsafePointer<UInt8>, end: Int, at position: Int) {
        self.base = base
        self.end = end
        self.pos = position
    }

    // MARK: Errors

    @usableFromInline package func truncated(_ what: @autoclosure () -> String) -> DDBError {
        DDBError(.truncated, "input ends inside \(what())", offset: pos)
    }

    @usableFromInline package func malformed(_ expected: @autoclosure () -> String) -> DDBError {
        if pos >= end { return truncated("a JSON value") }
        return DDBError(.malformedJSON, "expected \(expected()) but found \(describeByte(base[pos]))", offset: pos)
    }

    package func describeByte(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7f { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    // MARK: Structure

    @inlinable @inline(__always)
    package mutating func skipWhitespace() {
        // Compact JSON has none: one comparison settles the common case.
        if pos < end && base[pos] > 0x20 { return }
        while pos < end {
            let byte = base[pos]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            pos += 1
        }
    }

    /// The byte at the cursor after whitespace, not consumed.
    @inlinable @inline(__always)
    package mutating func peekAfterWhitespace(_ what: @autoclosure () -> String) throws(DDBError) -> UInt8 {
        skipWhitespace()
        guard pos < end else { throw truncated(what()) }
        return base[pos]
    }

    /// Consumes whitespace and then `byte`.
    @inlinable @inline(__always)
    package mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(DDBError) {
        skipWhitespace()
        guard pos < end, base[pos] == byte else { throw malformed(what()) }
        pos += 1
    }

    /// After an object member or array element: consumes `,` (true) or `close` (false).
    @inlinable @inline(__always)
    package mutating func nextMember(close: UInt8) throws(DDBError) -> Bool {
        if pos < end && base[pos] == UInt8(ascii: ",") {
            pos &+= 1
            return true
        }
        skipWhitespace()
        guard pos < end else { throw truncated(close == UInt8(ascii: "}") ? "an object" : "an array") }
        let byte = base[pos]
        pos += 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == close { return false }
        pos -= 1
        throw malformed(close == UInt8(ascii: "}") ? "',' or '}'" : "',' or ']'")
    }

    /// Consumes `{` and reports whether the object has a first member (false for `{}`).
    @inlinable @inline(__always)
    package mutating func beginObject(_ what: @autoclosure () -> String) throws(DDBError) -> Bool {
        try expect(UInt8(ascii: "{"), what())
        skipWhitespace()
        guard pos < end else { throw truncated("an object") }
        if base[pos] == UInt8(ascii: "}") {
            pos += 1
            return false
        }
        return true
    }

    /// Consumes `[` and reports whether the array has a first element (false for `[]`).
    @inlinable @inline(__always)
    package mutating func beginArray(_ what: @autoclosure () -> String) throws(DDBError) -> Bool {
        try expect(UInt8(ascii: "["), what())
        skipWhitespace()
        guard pos < end else { throw truncated("an array") }
        if base[pos] == UInt8(ascii: "]") {
            pos += 1
            return false
        }
        return true
    }

    /// Reads an object key and the `:` after it.
    ///
    /// A name in compact input with nothing to check but UTF-8 (nearly all) is read inline by
    /// ``plainKey()``; anything else by ``readAnyKey()``, out of line.
    @inlinable @inline(__always)
    package mutating func readKey() throws(DDBError) -> StringSpan {
        if let plain = plainKey() { return plain }
        return try readAnyKey()
    }

    /// A member name at the cursor in compact input (`"name":`) with no escapes and no byte that
    /// needs checking but well-formed UTF-8, read past its colon; nil (the cursor unmoved) for
    /// anything else.
    ///
    /// Its scan, ``plainContentEnd(_:_:_:)``, is `plainStringEnd`'s without escapes (names with
    /// escapes need `hasEscapes`).
    /// One shared loop, stopping at quotes and backslashes for both, was tried: callgrind counted
    /// 3% more instructions for `transform`.
    @inlinable @inline(__always)
    package mutating func plainKey() -> StringSpan? {
        let start = pos
        guard let name = plainString(), pos < end, base[pos] == UInt8(ascii: ":") else {
            pos = start
            return nil
        }
        pos &+= 1
        return name
    }

    /// A string at the cursor with no escapes and nothing to check but well-formed UTF-8 (a
    /// record's `eventID`, `eventSourceARN`, …), read past; nil (the cursor unmoved) for anything
    /// else, which ``scanStringBody()`` reads and names.
    @inlinable @_transparent
    package mutating func plainString() -> StringSpan? {
        guard pos < end, base[pos] == UInt8(ascii: "\"") else { return nil }
        let start = pos &+ 1
        let p = Self.plainContentEnd(base, end, start)
        guard p >= 0 else { return nil }
        pos = p &+ 1
        return StringSpan(start: start, end: p, hasEscapes: false)
    }

    /// Where the closing quote of string content starting at `start` lies, when the content has
    /// no escapes and nothing to check but well-formed UTF-8; -1 otherwise (or at the end of the
    /// input).
    @inlinable @inline(__always)
    static func plainContentEnd(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int) -> Int {
        var p = start
        while true {
            skipPlainStringBytes(base, end, &p)
            guard p < end else { return -1 }
            let byte = base[p]
            if byte == UInt8(ascii: "\"") { return p }
            if byte >= 0x80 {
                p = utf8SequenceEnd(base, end, p, byte)
                guard p >= 0 else { return -1 }
            } else if byte >= 0x20 && byte != UInt8(ascii: "\\") {
                p &+= 1  // plain ASCII within 16 bytes of the end
            } else {
                return -1
            }
        }
    }

    /// ``readKey()`` for any key: whitespace, escapes, faults.
    @usableFromInline
    mutating func readAnyKey() throws(DDBError) -> StringSpan {
        if pos < end && base[pos] == UInt8(ascii: "\"") {
            pos &+= 1
        } else {
            try expect(UInt8(ascii: "\""), "a member name in quotes")
        }
        let key = try scanStringBody()
        if pos < end && base[pos] == UInt8(ascii: ":") {
            pos &+= 1
        } else {
            try expect(UInt8(ascii: ":"), "':' after a member name")
        }
        return key
    }

    /// Consumes one of the literals `true`, `false` or `null`.
    package mutating func readLiteral() throws(DDBError) -> UInt8 {
        skipWhitespace()
        guard pos < end else { throw truncated("a literal") }
        let first = base[pos]
        let literal: StaticString
        switch first {
        case UInt8(ascii: "t"): literal = "true"
        case UInt8(ascii: "f"): literal = "false"
        case UInt8(ascii: "n"): literal = "null"
        default: throw malformed("true, false or null")
        }
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for k in 0..<count {
            guard pos + k < end else {
                pos += k
                throw truncated("a literal")
            }
            guard base[pos + k] == start[k] else {
                pos += k
                throw malformed("'\(literal)'")
            }
        }
        pos += count
        return first
    }

    /// Reads a JSON number token (JSON grammar) and returns its byte range.
    package mutating func scanNumberToken() throws(DDBError) -> Range<Int> {
        skipWhitespace()
        let start = pos
        if pos < end && base[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < end else { throw truncated("a number") }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
        } else if base[pos] &- UInt8(ascii: "1") < 9 {
            while pos < end && base[pos] &- UInt8(ascii: "0") < 10 { pos += 1 }
        } else {
            throw malformed("a number")
        }
        if pos < end && base[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < end else { throw truncated("a number") }
            guard base[pos] &- UInt8(ascii: "0") < 10 else { throw malformed("a digit after '.'") }
            while pos < end && base[pos] &- UInt8(ascii: "0") < 10 { pos += 1 }
        }
        if pos < end && base[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < end && (base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard pos < end else { throw truncated("a number") }
            guard base[pos] &- UInt8(ascii: "0") < 10 else { throw malformed("a digit in an exponent") }
            while pos < end && base[pos] &- UInt8(ascii: "0") < 10 { pos += 1 }
        }
        // A number at the very end of the input may continue in bytes not yet read.
        if pos >= end { throw truncated("a number") }
        return start..<pos
    }

    /// Whether the string at `span` is `literal` as a JSON reader reads it: `"INS\u0045RT"` is
    /// `INSERT`, and a member named `"Rec\u006frds"` is `Records`.
    @inlinable @inline(__always)
    package func text(_ span: StringSpan, is literal: StaticString) -> Bool {
        if span.hasEscapes { return decodedText(span, is: literal) }
        return span.count == literal.utf8CodeUnitCount && memcmpEqual(base + span.start, literal.utf8Start, span.count)
    }

    /// ``text(_:is:)`` for a string with escapes, decoded on the stack.
    @usableFromInline func decodedText(_ span: StringSpan, is literal: StaticString) -> Bool {
        withDecoded(span) { $0.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)) }
    }
}

/// The content of a JSON string in the input (between the quotes).
@usableFromInline @frozen package struct StringSpan: Sendable {
    @usableFromInline package var start: Int
    @usableFromInline package var end: Int
    /// Whether the content has backslash escapes (otherwise it is the value's UTF-8 as is).
    @usableFromInline package var hasEscapes: Bool

    @inlinable
    package init(start: Int, end: Int, hasEscapes: Bool) {
        self.start = start
        self.end = end
        self.hasEscapes = hasEscapes
    }

    @inlinable package var count: Int { end &- start }
}

/// Whether the `count` bytes at `a` and at `b` are the same.
///
/// Names, values and ARNs compare in a few word steps, without a loop over their last bytes: a
/// length that is not a multiple of the step ends with a step that overlaps the one before (every
/// load stays inside the `count` bytes).
@inlinable @inline(__always)
package func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    let left = UnsafeRawPointer(a), right = UnsafeRawPointer(b)
    @_transparent func differ<Word: FixedWidthInteger>(_ offset: Int, _: Word.Type) -> Word {
        left.loadUnaligned(fromByteOffset: offset, as: Word.self) ^ right.loadUnaligned(fromByteOffset: offset, as: Word.self)
    }
    if count >= 16 {
        // Sixteen bytes a step (two words), the last sixteen overlapping.
        var k = 0
        let last = count &- 16
        while k < last {
            if differ(k, UInt64.self) | differ(k &+ 8, UInt64.self) != 0 { return false }
            k &+= 16
        }
        return differ(last, UInt64.self) | differ(last &+ 8, UInt64.self) == 0
    }
    if count >= 8 { return differ(0, UInt64.self) | differ(count &- 8, UInt64.self) == 0 }
    if count >= 4 { return differ(0, UInt32.self) | differ(count &- 4, UInt32.self) == 0 }
    var k = 0
    while k < count {
        if a[k] != b[k] { return false }
        k &+= 1
    }
    return true
}
