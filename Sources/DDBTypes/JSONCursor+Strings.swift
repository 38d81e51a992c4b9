extension JSONCursor {
    /// Reads a string's content after its opening quote, up to and past the closing quote.
    ///
    /// Validates as it goes: no raw control characters, only JSON's escapes, `\u` surrogates in
    /// pairs, and well-formed UTF-8 (no overlong forms, no encoded surrogates, nothing past U+10FFFF).
    @inlinable @inline(__always)
    package mutating func scanStringBody() throws(DDBError) -> StringSpan {
        let start = pos
        var hasEscapes = false
        while true {
            skipPlainStringBytes()
            guard pos < end else { throw truncated("a string") }
            let byte = base[pos]
            if byte == UInt8(ascii: "\"") {
                pos += 1
                return StringSpan(start: start, end: pos - 1, hasEscapes: hasEscapes)
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
            } else if byte < 0x20 {
                throw rawControlCharacter(byte)
            } else if byte < 0x80 {
                pos += 1
            } else {
                try scanUTF8Sequence()
            }
        }
    }

    @usableFromInline
    func rawControlCharacter(_ byte: UInt8) -> DDBError {
        DDBError(.malformedJSON, "raw control character 0x\(String(byte, radix: 16)) in a string (JSON needs it escaped)", offset: pos)
    }

    /// Moves the cursor past string bytes that need no attention (printable ASCII other than `"`
    /// and `\`), stopping at the first one that does, or 15 bytes or fewer from the end of the
    /// input (the caller goes through those one by one).
    ///
    /// Sixteen bytes at a time with `SIMD16<UInt8>`: lane-wise wrapping arithmetic and bitwise
    /// operations compile to single SSE2/NEON instructions (lane comparisons such as `.==` do not,
    /// yet), and lanes do not borrow from each other, so every flag is exact.
    @inlinable @inline(__always)
    package mutating func skipPlainStringBytes() {
        Self.skipPlainStringBytes(base, end, &pos)
    }

    /// ``skipPlainStringBytes()`` on a position held outside the cursor (`skipValue`'s loop).
    @inlinable @inline(__always)
    static func skipPlainStringBytes(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: inout Int) {
        while p &+ 16 <= end {
            let block = UnsafeRawPointer(base + p).loadUnaligned(as: SIMD16<UInt8>.self)
            let flags = unsafeBitCast(specialStringBytes(block), to: SIMD2<UInt64>.self)
            if flags[0] != 0 {
                p &+= flags[0].trailingZeroBitCount &>> 3
                return
            }
            if flags[1] != 0 {
                p &+= 8 &+ flags[1].trailingZeroBitCount &>> 3
                return
            }
            p &+= 16
        }
    }

    /// 0x80 in each lane whose byte is `"`, `\`, a control character or not ASCII; 0 in the others.
    ///
    /// A lane `x` is zero exactly when `(x &- 1) & ~x` has its top bit set (so `"` and `\` are
    /// found as zeros of `byte ^ "` and `byte ^ \`); a byte below 0x20 or from 0x80 on has its top
    /// bit set in `byte &- 0x20` or in itself.
    @inlinable @inline(__always)
    static func specialStringBytes(_ block: SIMD16<UInt8>) -> SIMD16<UInt8> {
        let one = SIMD16<UInt8>(repeating: 1)
        let quote = block ^ SIMD16(repeating: UInt8(ascii: "\""))
        let backslash = block ^ SIMD16(repeating: UInt8(ascii: "\\"))
        let control = block &- SIMD16(repeating: 0x20)
        let special = ((quote &- one) & ~quote) | ((backslash &- one) & ~backslash) | control | block
        return special & SIMD16(repeating: 0x80)
    }

    @usableFromInline
    mutating func scanEscape() throws(DDBError) {
        guard pos + 1 < end else { throw truncated("a string escape") }
        switch base[pos + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            pos += 2
        case UInt8(ascii: "u"):
            let unit = try readHex4(at: pos + 2)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw DDBError(.invalidString, "lone low surrogate \\u\(String(unit, radix: 16)) in a string", offset: pos)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard pos + 7 < end else { throw truncated("a surrogate pair") }
                guard base[pos + 6] == UInt8(ascii: "\\"), base[pos + 7] == UInt8(ascii: "u") else {
                    throw DDBError(.invalidString, "lone high surrogate \\u\(String(unit, radix: 16)) in a string", offset: pos)
                }
                let low = try readHex4(at: pos + 8)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw DDBError(.invalidString, "lone high surrogate \\u\(String(unit, radix: 16)) in a string", offset: pos)
                }
                pos += 12
            } else {
                pos += 6
            }
        default:
            pos += 1
            throw DDBError(.malformedJSON, "invalid escape \\\(describeByte(base[pos])) in a string", offset: pos - 1)
        }
    }

    private func readHex4(at index: Int) throws(DDBError) -> UInt32 {
        guard index + 4 <= end else { throw truncated("a \\u escape") }
        var value: UInt32 = 0
        for k in 0..<4 {
            let byte = base[index + k]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw DDBError(.malformedJSON, "\\u needs four hex digits", offset: index + k)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence at the cursor and moves past it.
    @usableFromInline
    mutating func scanUTF8Sequence() throws(DDBError) {
        let lead = base[pos]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw invalidUTF8()
        }
        guard pos + length <= end else {
            // The sequence may continue in bytes not read yet; anything wrong so far is an error now.
            for k in 1..<(end - pos) where base[pos + k] & 0xC0 != 0x80 { throw invalidUTF8() }
            throw truncated("a UTF-8 sequence")
        }
        let second = base[pos + 1]
        guard second >= low && second <= high else { throw invalidUTF8() }
        for k in 2..<length where base[pos + k] & 0xC0 != 0x80 { throw invalidUTF8() }
        pos += length
    }

    private func invalidUTF8() -> DDBError {
        DDBError(.invalidUTF8, "\(describeByte(base[pos])) does not start valid UTF-8 in a string", offset: pos)
    }

    /// The UTF-8 value of a scanned string (escapes resolved).
    package func decodedBytes(_ span: StringSpan) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(span.count)
        appendDecoded(span, to: &out)
        return out
    }

    /// The value of a scanned string.
    package func decodedString(_ span: StringSpan) -> String {
        if !span.hasEscapes {
            return String(decoding: UnsafeBufferPointer(start: base + span.start, count: span.count), as: UTF8.self)
        }
        return String(decoding: decodedBytes(span), as: UTF8.self)
    }

    /// Appends the UTF-8 value of a string that `scanStringBody` has validated.
    package func appendDecoded(_ span: StringSpan, to out: inout [UInt8]) {
        withDecoded(span) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the UTF-8 value of a string that `scanStringBody` has validated: the
    /// input's own bytes when it has no escapes, else a decoded copy on the stack (a value is never
    /// longer than its escaped text), so that comparing names allocates nothing.
    @inline(__always)
    func withDecoded<Result>(_ span: StringSpan, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard span.hasEscapes else { return body(UnsafeBufferPointer(start: base + span.start, count: span.count)) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(span.count, 1)) { buffer in
            body(UnsafeBufferPointer(rebasing: buffer[..<decode(span, into: buffer.baseAddress!)]))
        }
    }

    /// Writes the UTF-8 value of a validated string at `target` (room for `span.count` bytes is
    /// enough) and returns its length.
    private func decode(_ span: StringSpan, into target: UnsafeMutablePointer<UInt8>) -> Int {
        var i = span.start
        var n = 0
        func put(_ byte: UInt8) {
            target[n] = byte
            n += 1
        }
        while i < span.end {
            let byte = base[i]
            guard byte == UInt8(ascii: "\\") else {
                put(byte)
                i += 1
                continue
            }
            let escaped = base[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var scalar = (try? readHex4(at: i)) ?? 0xFFFD
                i += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = (try? readHex4(at: i + 2)) ?? 0xDC00
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                switch scalar {
                case 0..<0x80:
                    put(UInt8(scalar))
                case 0x80..<0x800:
                    put(UInt8(0xC0 | scalar >> 6))
                    put(UInt8(0x80 | scalar & 0x3F))
                case 0x800..<0x10000:
                    put(UInt8(0xE0 | scalar >> 12))
                    put(UInt8(0x80 | scalar >> 6 & 0x3F))
                    put(UInt8(0x80 | scalar & 0x3F))
                default:
                    put(UInt8(0xF0 | scalar >> 18))
                    put(UInt8(0x80 | scalar >> 12 & 0x3F))
                    put(UInt8(0x80 | scalar >> 6 & 0x3F))
                    put(UInt8(0x80 | scalar & 0x3F))
                }
            default: put(escaped)  // '"', '\' and '/'
            }
        }
        return n
    }

    /// Whether two scanned strings have the same value.
    package func spansEqual(_ a: StringSpan, _ b: StringSpan) -> Bool {
        if !a.hasEscapes && !b.hasEscapes {
            return a.count == b.count && memcmpEqual(base + a.start, base + b.start, a.count)
        }
        return withDecoded(a) { x in withDecoded(b) { y in x.elementsEqual(y) } }
    }
}

/// Appends `bytes` (valid UTF-8) as a JSON string with quotes, escaping only what JSON requires.
package func appendJSONString<Bytes: Collection<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
        case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
        case 0..<0x20:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}
