/// The type tags of DynamoDB JSON: `{"S": "text"}`, `{"N": "1.5"}`, …
package enum TypeTag: Sendable {
    case s, n, b, bool, null, ss, ns, bs, m, l

    var name: String {
        switch self {
        case .s: "S"
        case .n: "N"
        case .b: "B"
        case .bool: "BOOL"
        case .null: "NULL"
        case .ss: "SS"
        case .ns: "NS"
        case .bs: "BS"
        case .m: "M"
        case .l: "L"
        }
    }
}

extension JSONCursor {
    /// Consumes `{ "TAG" :` of an attribute value and returns the tag.
    @inline(__always)
    mutating func beginAttributeValue() throws(DDBError) -> TypeTag {
        // Compact input (as Lambda delivers it) is `{"S":…`: read such a tag with one load.
        if pos &+ 8 <= end {
            let word = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
            if word & 0xFFFF == 0x227B {  // `{"`
                let third = UInt8(truncatingIfNeeded: word >> 16)
                if word >> 24 & 0xFFFF == 0x3A22 {  // `X":`
                    let tag: TypeTag? =
                        switch third {
                        case UInt8(ascii: "S"): .s
                        case UInt8(ascii: "N"): .n
                        case UInt8(ascii: "M"): .m
                        case UInt8(ascii: "L"): .l
                        case UInt8(ascii: "B"): .b
                        default: nil
                        }
                    if let tag {
                        pos &+= 5
                        return tag
                    }
                } else if word >> 32 & 0xFFFF == 0x3A22, UInt8(truncatingIfNeeded: word >> 24) == UInt8(ascii: "S") {  // `XS":`
                    let tag: TypeTag? =
                        switch third {
                        case UInt8(ascii: "S"): .ss
                        case UInt8(ascii: "N"): .ns
                        case UInt8(ascii: "B"): .bs
                        default: nil
                        }
                    if let tag {
                        pos &+= 6
                        return tag
                    }
                } else if word >> 48 == 0x3A22 {  // `XXXX":`
                    let name = UInt32(truncatingIfNeeded: word >> 16)
                    if name == 0x4C4F_4F42 {  // BOOL
                        pos &+= 8
                        return .bool
                    }
                    if name == 0x4C4C_554E {  // NULL
                        pos &+= 8
                        return .null
                    }
                }
            }
        }
        let first = try peekAfterWhitespace("an attribute value")
        guard first == UInt8(ascii: "{") else {
            throw DDBError(
                .wrongJSONType, "an attribute value must be an object such as {\"S\": \"text\"}, found \(jsonKind(first))",
                offset: pos)
        }
        pos += 1
        let quote = try peekAfterWhitespace("an attribute value")
        if quote == UInt8(ascii: "}") {
            throw DDBError(.missingTypeTag, "attribute value {} has no type tag", offset: pos)
        }
        let tagStart = pos
        let key = try readKey()
        if let tag = typeTag(key) { return tag }
        pos = tagStart
        let name = decodedString(key)
        throw DDBError(
            .unknownTypeTag, "unknown type tag \"\(name)\" (expected S, N, B, BOOL, NULL, SS, NS, BS, M or L)", offset: tagStart)
    }

    @inline(__always)
    private func typeTag(_ key: StringSpan) -> TypeTag? {
        if key.hasEscapes {
            return JSONCursor.typeTag(decodedBytes(key))
        }
        let p = base + key.start
        switch key.count {
        case 1:
            switch p[0] {
            case UInt8(ascii: "S"): return .s
            case UInt8(ascii: "N"): return .n
            case UInt8(ascii: "M"): return .m
            case UInt8(ascii: "L"): return .l
            case UInt8(ascii: "B"): return .b
            default: return nil
            }
        case 2:
            guard p[1] == UInt8(ascii: "S") else { return nil }
            switch p[0] {
            case UInt8(ascii: "S"): return .ss
            case UInt8(ascii: "N"): return .ns
            case UInt8(ascii: "B"): return .bs
            default: return nil
            }
        case 4:
            if text(key, is: "BOOL") { return .bool }
            if text(key, is: "NULL") { return .null }
            return nil
        default:
            return nil
        }
    }

    private static func typeTag(_ name: [UInt8]) -> TypeTag? {
        switch String(decoding: name, as: UTF8.self) {
        case "S": .s
        case "N": .n
        case "B": .b
        case "BOOL": .bool
        case "NULL": .null
        case "SS": .ss
        case "NS": .ns
        case "BS": .bs
        case "M": .m
        case "L": .l
        default: nil
        }
    }

    /// Consumes the `}` that closes an attribute value; a second member is a second type tag.
    @inline(__always)
    mutating func endAttributeValue(_ tag: TypeTag) throws(DDBError) {
        skipWhitespace()
        guard pos < end else { throw truncated("an attribute value") }
        if base[pos] == UInt8(ascii: "}") {
            pos += 1
            return
        }
        if base[pos] == UInt8(ascii: ",") {
            throw DDBError(.multipleTypeTags, "attribute value has a second type tag after \(tag.name)", offset: pos)
        }
        throw malformed("'}' after the \(tag.name) value")
    }

    /// Checks that the next value starts with `byte` (after whitespace), else a `wrongJSONType` error.
    @inline(__always)
    mutating func expectKind(_ byte: UInt8, for tag: TypeTag, _ expected: @autoclosure () -> String) throws(DDBError) {
        let first = try peekAfterWhitespace("the \(tag.name) value")
        guard first == byte else {
            throw DDBError(.wrongJSONType, "\(tag.name) needs \(expected()), found \(jsonKind(first))", offset: pos)
        }
    }

    /// A phrase naming the kind of JSON value that starts with `byte`.
    func jsonKind(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): "a number"
        default: describeByte(byte)
        }
    }

    /// Reads a `N` value's string and validates it as a DynamoDB number.
    @inline(__always)
    mutating func readNumberString() throws(DDBError) -> (span: StringSpan, syntax: NumberSyntax) {
        try expectKind(UInt8(ascii: "\""), for: .n, "a string of decimal text")
        pos += 1
        let span = try scanStringBody()
        do throws(DDBError) {
            if span.hasEscapes {
                let decoded = decodedBytes(span)
                return try decoded.withUnsafeBufferPointer { bytes throws(DDBError) in (span, try NumberSyntax.parse(bytes)) }
            }
            return (span, try NumberSyntax.parse(UnsafeBufferPointer(start: base + span.start, count: span.count)))
        } catch {
            var error = error
            error.offset = span.start
            throw error
        }
    }

    /// Reads a `B` value's string and validates it as base64.
    @inline(__always)
    mutating func readBase64String(for tag: TypeTag) throws(DDBError) -> StringSpan {
        try expectKind(UInt8(ascii: "\""), for: tag, "a base64 string")
        pos += 1
        let span = try scanStringBody()
        do throws(DDBError) {
            if span.hasEscapes {
                _ = try Base64.decode(decodedBytes(span))
            } else {
                _ = try Base64.validate(base + span.start, count: span.count)
            }
        } catch {
            var error = error
            error.offset += span.start
            throw error
        }
        return span
    }

    /// Adds the name of the member or element being read to an error's path.
    @inline(__always)
    package func prefixing(_ error: DDBError, name: StringSpan) -> DDBError {
        var error = error
        error.path.components.insert(.name(decodedString(name)), at: 0)
        return error
    }
}
