@testable import DDBTypes

/// The recursive `skipValue` the library had before its single-loop one, kept here as the
/// reference the differential tests compare with: a call per value, whitespace skipped before
/// every token, and strings read one byte at a time (no 16-byte blocks), with the same error
/// codes, messages and offsets.
extension JSONCursor {
    mutating func referenceSkipValue(depth: Int = 0) throws(DDBError) {
        guard depth < Self.maxJSONDepth else {
            throw DDBError(.nestingTooDeep, "JSON nested more than \(Self.maxJSONDepth) levels", offset: pos)
        }
        let byte = try peekAfterWhitespace("a JSON value")
        switch byte {
        case UInt8(ascii: "\""):
            pos += 1
            try referenceScanStringBody()
        case UInt8(ascii: "{"):
            guard try beginObject("an object") else { return }
            repeat {
                try referenceReadKey()
                try referenceSkipValue(depth: depth + 1)
            } while try nextMember(close: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            guard try beginArray("an array") else { return }
            repeat {
                try referenceSkipValue(depth: depth + 1)
            } while try nextMember(close: UInt8(ascii: "]"))
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            try referenceReadLiteral()
        default:
            try referenceScanNumber()
        }
    }

    private mutating func referenceReadKey() throws(DDBError) {
        try expect(UInt8(ascii: "\""), "a member name in quotes")
        try referenceScanStringBody()
        try expect(UInt8(ascii: ":"), "':' after a member name")
    }

    private mutating func referenceScanStringBody() throws(DDBError) {
        while true {
            guard pos < end else { throw truncated("a string") }
            let byte = base[pos]
            if byte == UInt8(ascii: "\"") {
                pos += 1
                return
            } else if byte == UInt8(ascii: "\\") {
                try referenceScanEscape()
            } else if byte < 0x20 {
                throw DDBError(
                    .malformedJSON, "raw control character 0x\(String(byte, radix: 16)) in a string (JSON needs it escaped)",
                    offset: pos)
            } else if byte < 0x80 {
                pos += 1
            } else {
                try referenceScanUTF8Sequence()
            }
        }
    }

    private mutating func referenceScanEscape() throws(DDBError) {
        guard pos + 1 < end else { throw truncated("a string escape") }
        switch base[pos + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            pos += 2
        case UInt8(ascii: "u"):
            let unit = try referenceReadHex4(at: pos + 2)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw DDBError(.invalidString, "lone low surrogate \\u\(String(unit, radix: 16)) in a string", offset: pos)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard pos + 7 < end else { throw truncated("a surrogate pair") }
                guard base[pos + 6] == UInt8(ascii: "\\"), base[pos + 7] == UInt8(ascii: "u") else {
                    throw DDBError(.invalidString, "lone high surrogate \\u\(String(unit, radix: 16)) in a string", offset: pos)
                }
                let low = try referenceReadHex4(at: pos + 8)
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

    private func referenceReadHex4(at index: Int) throws(DDBError) -> UInt32 {
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

    private mutating func referenceScanUTF8Sequence() throws(DDBError) {
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
        default: throw referenceInvalidUTF8()
        }
        guard pos + length <= end else {
            for k in 1..<(end - pos) where base[pos + k] & 0xC0 != 0x80 { throw referenceInvalidUTF8() }
            throw truncated("a UTF-8 sequence")
        }
        let second = base[pos + 1]
        guard second >= low && second <= high else { throw referenceInvalidUTF8() }
        for k in 2..<length where base[pos + k] & 0xC0 != 0x80 { throw referenceInvalidUTF8() }
        pos += length
    }

    private func referenceInvalidUTF8() -> DDBError {
        DDBError(.invalidUTF8, "\(describeByte(base[pos])) does not start valid UTF-8 in a string", offset: pos)
    }

    private mutating func referenceReadLiteral() throws(DDBError) {
        let literal: StaticString
        switch base[pos] {
        case UInt8(ascii: "t"): literal = "true"
        case UInt8(ascii: "f"): literal = "false"
        default: literal = "null"
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
    }

    private mutating func referenceScanNumber() throws(DDBError) {
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
        if pos >= end { throw truncated("a number") }
    }
}
