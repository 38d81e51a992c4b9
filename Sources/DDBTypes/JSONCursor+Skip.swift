extension JSONCursor {
    /// Skips one JSON value of any kind, checking its syntax (strings fully: escapes and UTF-8).
    ///
    /// Called for every value a reader does not decode (a MODIFY record's unused `OldImage`, the
    /// members a row keeps as text), so it is one loop with the cursor in a local and the open
    /// containers in a bit stack rather than a call per value. The common cases (compact JSON,
    /// plain and multi-byte string bytes, simple escapes, integers and decimals, literals) are
    /// handled inline; anything else, and every fault, goes to the same precise reads the decoders
    /// use (`scanEscape`, `scanUTF8Sequence`, `scanNumberToken`, `readLiteral`), so the errors, their
    /// codes and offsets are the same whichever way a value is read.
    ///
    /// - Parameter depth: containers already open around the value; the value may nest until
    ///   `maxJSONDepth` in all.
    package mutating func skipValue(depth: Int = 0) throws(DDBError) {
        let base = self.base
        let end = self.end
        var p = pos
        // Containers this call has opened, and which of them are objects: bit k of `stack` (the
        // low word, then the high word) is the kind of the k-th innermost. maxJSONDepth ≤ 128.
        var open = 0
        var stackLow: UInt64 = 0
        var stackHigh: UInt64 = 0
        nextValue: while true {
            // A value starts at `p` (maybe after whitespace).
            guard depth &+ open < Self.maxJSONDepth else {
                pos = p
                throw DDBError(.nestingTooDeep, "JSON nested more than \(Self.maxJSONDepth) levels", offset: p)
            }
            if p < end && base[p] <= 0x20 { Self.skipWhitespace(base, end, &p) }
            guard p < end else {
                pos = p
                throw truncated("a JSON value")
            }
            let byte = base[p]
            switch byte {
            case UInt8(ascii: "\""):
                p &+= 1
                try skipStringBody(&p)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                p &+= 1
                if p < end && base[p] <= 0x20 { Self.skipWhitespace(base, end, &p) }
                let isObject = byte == UInt8(ascii: "{")
                guard p < end else {
                    pos = p
                    throw truncated(isObject ? "an object" : "an array")
                }
                // `{` + 2 is `}`, `[` + 2 is `]`.
                if base[p] == byte &+ 2 {
                    p &+= 1
                } else {
                    stackHigh = stackHigh &<< 1 | stackLow &>> 63
                    stackLow = stackLow &<< 1 | (isObject ? 1 : 0)
                    open &+= 1
                    if isObject { try skipMemberName(&p) }
                    continue nextValue
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                try skipLiteral(&p, byte)
            default:
                try skipNumber(&p)
            }
            // A value ended at `p`: close the containers that end with it, then go on to the next
            // member or element.
            while open > 0 {
                let isObject = stackLow & 1 != 0
                if p < end && base[p] == UInt8(ascii: ",") {
                    p &+= 1
                } else {
                    Self.skipWhitespace(base, end, &p)
                    guard p < end else {
                        pos = p
                        throw truncated(isObject ? "an object" : "an array")
                    }
                    let next = base[p]
                    if next == UInt8(ascii: ",") {
                        p &+= 1
                    } else if next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        p &+= 1
                        stackLow = stackLow &>> 1 | stackHigh &<< 63
                        stackHigh &>>= 1
                        open &-= 1
                        continue
                    } else {
                        pos = p
                        throw malformed(isObject ? "',' or '}'" : "',' or ']'")
                    }
                }
                if isObject { try skipMemberName(&p) }
                continue nextValue
            }
            pos = p
            return
        }
    }

    @inline(__always)
    private static func skipWhitespace(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: inout Int) {
        while p < end {
            let byte = base[p]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            p &+= 1
        }
    }

    /// Skips a member name and the `:` after it, as `readKey` reads them.
    @inline(__always)
    private mutating func skipMemberName(_ p: inout Int) throws(DDBError) {
        if p < end && base[p] == UInt8(ascii: "\"") {
            p &+= 1
        } else {
            Self.skipWhitespace(base, end, &p)
            guard p < end, base[p] == UInt8(ascii: "\"") else {
                pos = p
                throw malformed("a member name in quotes")
            }
            p &+= 1
        }
        try skipStringBody(&p)
        if p < end && base[p] == UInt8(ascii: ":") {
            p &+= 1
        } else {
            Self.skipWhitespace(base, end, &p)
            guard p < end, base[p] == UInt8(ascii: ":") else {
                pos = p
                throw malformed("':' after a member name")
            }
            p &+= 1
        }
    }

    /// Skips a string's content after its opening quote and the closing quote, validating as
    /// `scanStringBody` does.
    @inline(__always)
    private mutating func skipStringBody(_ p: inout Int) throws(DDBError) {
        let base = self.base
        let end = self.end
        while true {
            // Plain bytes 16 at a time (see `skipPlainStringBytes`).
            while p &+ 16 <= end {
                let block = UnsafeRawPointer(base + p).loadUnaligned(as: SIMD16<UInt8>.self)
                let flags = unsafeBitCast(Self.specialStringBytes(block), to: SIMD2<UInt64>.self)
                if flags[0] != 0 {
                    p &+= flags[0].trailingZeroBitCount &>> 3
                    break
                }
                if flags[1] != 0 {
                    p &+= 8 &+ flags[1].trailingZeroBitCount &>> 3
                    break
                }
                p &+= 16
            }
            guard p < end else {
                pos = p
                throw truncated("a string")
            }
            var byte = base[p]
            if byte == UInt8(ascii: "\"") {
                p &+= 1
                return
            }
            if byte >= 0x80 {
                // Multi-byte sequences back to back (text in most scripts) without going back to
                // the block scan between them.
                repeat {
                    p = try skipUTF8Sequence(at: p, lead: byte)
                    guard p < end else { break }
                    byte = base[p]
                } while byte >= 0x80
            } else if byte == UInt8(ascii: "\\") {
                try skipEscape(&p)
            } else if byte < 0x20 {
                pos = p
                throw DDBError(
                    .malformedJSON, "raw control character 0x\(String(byte, radix: 16)) in a string (JSON needs it escaped)",
                    offset: p)
            } else {
                // Plain ASCII within 16 bytes of the end.
                p &+= 1
            }
        }
    }

    /// The end of the well-formed multi-byte UTF-8 sequence that starts with `lead` at `p`.
    @inline(__always)
    private mutating func skipUTF8Sequence(at p: Int, lead: UInt8) throws(DDBError) -> Int {
        let base = self.base
        // The second byte's range depends on the lead (no overlong forms, no surrogates, nothing
        // past U+10FFFF); the others are any continuation byte.
        if lead &- 0xC2 < 0x1E {
            if p &+ 1 < end && base[p &+ 1] & 0xC0 == 0x80 { return p &+ 2 }
        } else if lead &- 0xE0 < 0x10 {
            if p &+ 2 < end {
                let second = base[p &+ 1]
                let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
                let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
                if second >= low && second <= high && base[p &+ 2] & 0xC0 == 0x80 { return p &+ 3 }
            }
        } else if lead &- 0xF0 < 0x05 {
            if p &+ 3 < end {
                let second = base[p &+ 1]
                let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
                let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
                if second >= low && second <= high && base[p &+ 2] & 0xC0 == 0x80 && base[p &+ 3] & 0xC0 == 0x80 {
                    return p &+ 4
                }
            }
        }
        // Not well-formed, or it may continue past the end: the precise read names the fault.
        pos = p
        try scanUTF8Sequence()
        return pos
    }

    /// Skips an escape at `p` (a backslash): the one-letter escapes here, `\u` and faults by `scanEscape`.
    @inline(__always)
    private mutating func skipEscape(_ p: inout Int) throws(DDBError) {
        if p &+ 1 < end {
            switch base[p &+ 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                p &+= 2
                return
            default:
                break
            }
        }
        pos = p
        try scanEscape()
        p = pos
    }

    /// Skips `true`, `false` or `null` at `p` (which starts with `first`), one load per literal.
    @inline(__always)
    private mutating func skipLiteral(_ p: inout Int, _ first: UInt8) throws(DDBError) {
        if p &+ 5 <= end || (p &+ 4 <= end && first != UInt8(ascii: "f")) {
            // The literals' bytes as little-endian words: "true", "null", and "alse" after the f.
            let raw = UnsafeRawPointer(base + p)
            let matches: Bool
            switch first {
            case UInt8(ascii: "t"): matches = raw.loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6575_7274)
            case UInt8(ascii: "n"): matches = raw.loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6C6C_756E)
            default: matches = raw.loadUnaligned(fromByteOffset: 1, as: UInt32.self) == UInt32(littleEndian: 0x6573_6C61)
            }
            if matches {
                p &+= first == UInt8(ascii: "f") ? 5 : 4
                return
            }
        }
        pos = p
        _ = try readLiteral()
        p = pos
    }

    /// Skips a number at `p` by JSON's grammar: integers and decimals here, exponents and faults by
    /// `scanNumberToken`.
    @inline(__always)
    private mutating func skipNumber(_ p: inout Int) throws(DDBError) {
        var q = p
        if q < end && base[q] == UInt8(ascii: "-") { q &+= 1 }
        // Integer part: 0 alone, or 1-9 and digits.
        if q < end && base[q] == UInt8(ascii: "0") {
            q &+= 1
        } else if q < end && base[q] &- UInt8(ascii: "1") < 9 {
            q &+= 1
            while q < end && base[q] &- UInt8(ascii: "0") < 10 { q &+= 1 }
        } else {
            q = -1
        }
        if q >= 0 && q < end && base[q] == UInt8(ascii: ".") {
            q &+= 1
            if q < end && base[q] &- UInt8(ascii: "0") < 10 {
                q &+= 1
                while q < end && base[q] &- UInt8(ascii: "0") < 10 { q &+= 1 }
            } else {
                q = -1
            }
        }
        // A number at the very end of the input may continue in bytes not yet read.
        if q >= 0 && q < end && base[q] | 0x20 != UInt8(ascii: "e") {
            p = q
            return
        }
        pos = p
        _ = try scanNumberToken()
        p = pos
    }
}
