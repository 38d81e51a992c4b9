extension JSONCursor {
    /// Skips one JSON value of any kind, checking its syntax (strings fully: escapes and UTF-8).
    ///
    /// Called for every value a reader does not decode (a MODIFY record's unused `OldImage`, the
    /// members a row keeps as text), so it is one loop with the cursor in a local and the open
    /// containers in a bit stack rather than a call per value. The common cases (compact JSON,
    /// plain and multi-byte string bytes, simple escapes, integers and decimals, literals) are
    /// handled inline; anything else (a `\u` escape, an exponent, the end of the input) and every
    /// fault goes to the precise reads the decoders use (`scanStringBody`, `scanNumberToken`,
    /// `readLiteral`), from the token's start, so the errors, their codes and offsets are the same
    /// whichever way a value is read.
    ///
    /// - Parameter depth: containers already open around the value; the value may nest until
    ///   `maxJSONDepth` in all.
    package mutating func skipValue(depth: Int = 0) throws(DDBError) {
        let base = self.base
        let end = self.end
        var p = pos
        // Containers this call has opened, and which of them are objects: bit k of the 128-bit
        // stack (`stackLow`, then `stackHigh`) is 1 when the k-th innermost is an object. The depth
        // check keeps `open` within those 128 bits.
        precondition(depth >= 0 && Self.maxJSONDepth <= 128, "skipValue's container stack holds 128 levels")
        var open = 0
        var stackLow: UInt64 = 0
        var stackHigh: UInt64 = 0
        // Whether a member name and its `:` come before the next value.
        var memberName = false
        nextValue: while true {
            if memberName {
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
                p = try skipString(at: p)
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
                p = try skipString(at: p &+ 1)
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
                    memberName = isObject
                    continue nextValue
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                p = try skipLiteral(at: p, byte)
            default:
                p = try skipNumber(at: p)
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
                memberName = isObject
                continue nextValue
            }
            pos = p
            return
        }
    }

    /// Skips an item image (`{"name":{"S":"…"},…}`) exactly as ``skipValue(depth:)`` skips it
    /// (any JSON value: the same values accepted, the same faults at the same places), faster
    /// when it has the shape DynamoDB writes: compact, with scalar values such as `{"S":"…"}` read
    /// by one load of their type tag rather than token by token.
    ///
    /// For the images a row does not use (a MODIFY's `OldImage`, a flat row's `Keys`).
    package mutating func skipItem() throws(DDBError) {
        if let next = compactItemEnd() {
            pos = next
            return
        }
        try skipValue()
    }

    /// Skips one member value of an item image (at `depth` 1) as ``skipValue(depth:)`` does,
    /// `{"S":"…"}` and the like by their tag.
    package mutating func skipAttributeValue() throws(DDBError) {
        if let next = Self.scalarAttributeEnd(base, end, pos) {
            pos = next
            return
        }
        if let literal = Self.literalAttribute(base, end, pos) {
            pos = literal.next
            return
        }
        try skipValue(depth: 1)
    }

    /// Reads past an item image of the shape DynamoDB writes (compact, names without escapes, values
    /// ``compactAttributeEnd(_:_:_:levels:)`` reads), appending each member's name and where its
    /// value lies to `names` and `values`; false, the cursor unmoved, for any other item (part of it
    /// may have been appended), which the caller reads member by member, as ``skipValue(depth:)``
    /// would. What it reads is valid JSON that `skipValue` reads to the same end.
    ///
    /// For the `Keys` a flat INSERT or MODIFY does not write, kept for the check of NewImage.
    package mutating func readCompactMembers(names: inout ScratchList<StringSpan>, values: inout ScratchList<Range<Int>>) -> Bool {
        let base = self.base, end = self.end
        var p = pos
        guard p &+ 1 < end, base[p] == UInt8(ascii: "{") else { return false }
        p &+= 1
        if base[p] == UInt8(ascii: "}") {
            pos = p &+ 1
            return true
        }
        while true {
            guard p < end, base[p] == UInt8(ascii: "\"") else { return false }
            let close = Self.plainContentEnd(base, end, p &+ 1)
            guard close >= 0, close &+ 1 < end, base[close &+ 1] == UInt8(ascii: ":") else { return false }
            let valueStart = close &+ 2
            guard let next = Self.scalarAttributeEnd(base, end, valueStart) ?? Self.compactAttributeEnd(base, end, valueStart, levels: Self.compactSkipLevels),
                next < end
            else { return false }
            names.append(StringSpan(start: p &+ 1, end: close, hasEscapes: false))
            values.append(valueStart..<next)
            if base[next] == UInt8(ascii: ",") {
                p = next &+ 1
            } else if base[next] == UInt8(ascii: "}") {
                pos = next &+ 1
                return true
            } else {
                return false
            }
        }
    }

    /// Where the item at the cursor ends, when it is a compact object that `skipValue` accepts;
    /// nil for anything else (whitespace, a fault, the end of the input): the caller then reads it
    /// with `skipValue`, which names any fault. Member values other than scalar attribute values
    /// are read with `skipValue` from their start.
    private func compactItemEnd() -> Int? {
        let base = self.base, end = self.end
        var p = pos
        guard p &+ 1 < end, base[p] == UInt8(ascii: "{") else { return nil }
        p &+= 1
        if base[p] == UInt8(ascii: "}") { return p &+ 1 }
        while true {
            guard p < end, base[p] == UInt8(ascii: "\"") else { return nil }
            p = Self.plainStringEnd(base, end, p &+ 1)
            guard p >= 0, p < end, base[p] == UInt8(ascii: ":") else { return nil }
            p &+= 1
            // Scalars (most values) here, without a call.
            if let next = Self.scalarAttributeEnd(base, end, p) {
                p = next
            } else if let next = Self.compactAttributeEnd(base, end, p, levels: Self.compactSkipLevels) {
                p = next
            } else {
                var value = JSONCursor(base: base, end: end, at: p)
                do throws(DDBError) {
                    try value.skipValue(depth: 1)
                } catch {
                    return nil
                }
                p = value.pos
            }
            guard p < end else { return nil }
            if base[p] == UInt8(ascii: ",") {
                p &+= 1
            } else if base[p] == UInt8(ascii: "}") {
                return p &+ 1
            } else {
                return nil
            }
        }
    }

    /// How many levels of maps and lists inside a member value ``compactAttributeEnd(_:_:_:levels:)``
    /// reads; a value nested deeper is read by `skipValue` from that member's start, which counts
    /// the depth against `maxJSONDepth` (far above this).
    static var compactSkipLevels: Int { 16 }

    /// Where the compact attribute value at `p` ends: a scalar, literal or set (the shapes below),
    /// or a `{"M":{…}}` or `{"L":[…]}` of such values, `levels` deep at most; nil for anything else
    /// (whitespace, a fault, another shape), which the caller reads with `skipValue`. Whatever it
    /// reads is valid JSON that `skipValue` reads to the same end.
    static func compactAttributeEnd(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: Int, levels: Int) -> Int? {
        if let next = scalarAttributeEnd(base, end, p) { return next }
        if let literal = literalAttribute(base, end, p) { return literal.next }
        if let next = setAttributeEnd(base, end, p) { return next }
        guard levels > 0, p &+ 8 <= end else { return nil }
        // `{"M":{` and `{"L":[` as little-endian words, in the low six bytes.
        let head = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self) & 0xFFFF_FFFF_FFFF
        var q = p &+ 6
        if head == 0x7B3A_224D_227B {
            if base[q] != UInt8(ascii: "}") {
                while true {
                    guard q < end, base[q] == UInt8(ascii: "\"") else { return nil }
                    q = plainStringEnd(base, end, q &+ 1)
                    guard q >= 0, q < end, base[q] == UInt8(ascii: ":") else { return nil }
                    guard let next = scalarAttributeEnd(base, end, q &+ 1) ?? compactAttributeEnd(base, end, q &+ 1, levels: levels &- 1),
                        next < end
                    else { return nil }
                    q = next
                    guard base[q] == UInt8(ascii: ",") else { break }
                    q &+= 1
                }
            }
            guard q &+ 1 < end, base[q] == UInt8(ascii: "}"), base[q &+ 1] == UInt8(ascii: "}") else { return nil }
            return q &+ 2
        }
        if head == 0x5B3A_224C_227B {
            if base[q] != UInt8(ascii: "]") {
                while true {
                    guard let next = scalarAttributeEnd(base, end, q) ?? compactAttributeEnd(base, end, q, levels: levels &- 1), next < end
                    else { return nil }
                    q = next
                    guard base[q] == UInt8(ascii: ",") else { break }
                    q &+= 1
                }
            }
            guard q &+ 1 < end, base[q] == UInt8(ascii: "]"), base[q &+ 1] == UInt8(ascii: "}") else { return nil }
            return q &+ 2
        }
        return nil
    }

    /// Where a compact `{"S":"…"}`, `{"N":"…"}` or `{"B":"…"}` at `p` ends (its string valid as
    /// `skipValue` validates strings), or nil for any other value.
    @_transparent
    static func scalarAttributeEnd(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: Int) -> Int? {
        guard p &+ 8 <= end else { return nil }
        // `{"X":"` with X one of S, N, B: the word's bytes 0-1, 3-5.
        let word = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
        guard word & 0x0000_FFFF_FF00_FFFF == 0x0000_223A_2200_227B else { return nil }
        let tag = UInt8(truncatingIfNeeded: word >> 16)
        guard tag == UInt8(ascii: "S") || tag == UInt8(ascii: "N") || tag == UInt8(ascii: "B") else { return nil }
        let next = plainStringEnd(base, end, p &+ 6)
        guard next >= 0, next < end, base[next] == UInt8(ascii: "}") else { return nil }
        return next &+ 1
    }

    /// Where a compact set of strings, `{"SS":["…","…"]}`, `{"NS":…}` or `{"BS":…}`, at `p` ends,
    /// its strings valid as `skipValue` validates strings; nil for anything else (an empty array,
    /// whitespace, a fault), which `skipValue` reads.
    @inline(__always)
    static func setAttributeEnd(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: Int) -> Int? {
        guard p &+ 8 <= end else { return nil }
        // `{"XS":["`: every byte but the third.
        let word = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
        guard word & 0xFFFF_FFFF_FF00_FFFF == 0x225B_3A22_5300_227B else { return nil }
        let tag = UInt8(truncatingIfNeeded: word >> 16)
        guard tag == UInt8(ascii: "S") || tag == UInt8(ascii: "N") || tag == UInt8(ascii: "B") else { return nil }
        var q = p &+ 8
        while true {
            q = plainStringEnd(base, end, q)
            guard q >= 0, q &+ 1 < end else { return nil }
            if base[q] == UInt8(ascii: ",") {
                guard base[q &+ 1] == UInt8(ascii: "\"") else { return nil }
                q &+= 2
            } else {
                guard base[q] == UInt8(ascii: "]"), base[q &+ 1] == UInt8(ascii: "}") else { return nil }
                return q &+ 2
            }
        }
    }

    /// Where a compact `{"BOOL":true}`, `{"BOOL":false}` or `{"NULL":true}` at `p` ends, and
    /// its row value (`true`, `false`, `null`); nil for anything else (`{"NULL":false}`, whitespace, the end of
    /// the input), which the general readers read and name.
    @inline(__always)
    static func literalAttribute(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: Int) -> (next: Int, text: StaticString)? {
        guard p &+ 14 <= end else { return nil }
        let raw = UnsafeRawPointer(base + p)
        // `{"BOOL":` and `{"NULL":` as little-endian words; then `true` or `fals`.
        let head = raw.loadUnaligned(as: UInt64.self)
        let isBool = head == 0x3A22_4C4F_4F42_227B
        guard isBool || head == 0x3A22_4C4C_554E_227B else { return nil }
        let word = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        if word == 0x6575_7274 {
            guard base[p &+ 12] == UInt8(ascii: "}") else { return nil }
            return (p &+ 13, isBool ? "true" : "null")
        }
        guard isBool, word == 0x736C_6166, base[p &+ 12] == UInt8(ascii: "e"), base[p &+ 13] == UInt8(ascii: "}") else { return nil }
        return (p &+ 14, "false")
    }

    @inline(__always)
    private static func skipWhitespace(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: inout Int) {
        while p < end {
            let byte = base[p]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            p &+= 1
        }
    }

    /// The index after the closing quote of the string whose content starts at `start`, validated
    /// as `scanStringBody` validates it (which names the fault, if there is one).
    @inline(__always)
    private mutating func skipString(at start: Int) throws(DDBError) -> Int {
        let next = Self.plainStringEnd(base, end, start)
        if next >= 0 { return next }
        return try scannedStringEnd(at: start)
    }

    /// `scanStringBody`'s reading of a string that is not plain, out of line: rare, and large.
    @inline(never)
    private mutating func scannedStringEnd(at start: Int) throws(DDBError) -> Int {
        pos = start
        _ = try scanStringBody()
        return pos
    }

    /// The index after the closing quote of the string whose content starts at `start`, if it
    /// holds only printable ASCII, one-letter escapes and well-formed multi-byte UTF-8 and its quote
    /// comes before `end`; -1 otherwise (a `\u` escape, a fault, or the end of the input).
    ///
    /// Plain bytes go 16 at a time (see `skipPlainStringBytes`); multi-byte sequences back to back
    /// (text in most scripts) without going back to the block scan between them.
    @_transparent
    static func plainStringEnd(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int) -> Int {
        var p = start
        while true {
            skipPlainStringBytes(base, end, &p)
            guard p < end else { return -1 }
            var byte = base[p]
            if byte == UInt8(ascii: "\"") { return p &+ 1 }
            if byte >= 0x80 {
                repeat {
                    p = utf8SequenceEnd(base, end, p, byte)
                    guard p >= 0 else { return -1 }
                    guard p < end else { break }
                    byte = base[p]
                } while byte >= 0x80
            } else if byte == UInt8(ascii: "\\") {
                guard p &+ 1 < end else { return -1 }
                switch base[p &+ 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    p &+= 2
                default:
                    return -1
                }
            } else if byte < 0x20 {
                return -1
            } else {
                // Plain ASCII within 16 bytes of the end.
                p &+= 1
            }
        }
    }

    /// The end of the well-formed multi-byte UTF-8 sequence that starts with `lead` at `p`, or -1
    /// if it is not one or may continue past `end`.
    @inlinable @_transparent
    static func utf8SequenceEnd(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: Int, _ lead: UInt8) -> Int {
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
        return -1
    }

    /// Skips `true`, `false` or `null` at `p` (which starts with `first`), one load per literal.
    @inline(__always)
    private mutating func skipLiteral(at p: Int, _ first: UInt8) throws(DDBError) -> Int {
        if p &+ 5 <= end || (p &+ 4 <= end && first != UInt8(ascii: "f")) {
            // The literals' bytes as little-endian words: "true", "null", and "alse" after the f.
            let raw = UnsafeRawPointer(base + p)
            let matches: Bool
            switch first {
            case UInt8(ascii: "t"): matches = raw.loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6575_7274)
            case UInt8(ascii: "n"): matches = raw.loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6C6C_756E)
            default: matches = raw.loadUnaligned(fromByteOffset: 1, as: UInt32.self) == UInt32(littleEndian: 0x6573_6C61)
            }
            if matches { return p &+ (first == UInt8(ascii: "f") ? 5 : 4) }
        }
        pos = p
        _ = try readLiteral()
        return pos
    }

    /// Skips a number at `p` by JSON's grammar: integers and decimals here, exponents and faults by
    /// `scanNumberToken`.
    @inline(__always)
    private mutating func skipNumber(at p: Int) throws(DDBError) -> Int {
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
        if q >= 0 && q < end && base[q] | 0x20 != UInt8(ascii: "e") { return q }
        pos = p
        _ = try scanNumberToken()
        return pos
    }
}
