/// Decodes DynamoDB JSON (`{"pk": {"S": "a"}, "n": {"N": "1.5"}}`) into ``AttributeValue``s.
///
/// Validation is DynamoDB's: known type tags only, one per value, strict base64, exact numbers in
/// range, non-empty sets without duplicates, no attribute named twice, UTF-8 only. Errors name the
/// attribute path and byte offset.
public enum DynamoJSONDecoder {
    /// DynamoDB allows 32 levels of nesting; this leaves room and still bounds the stack.
    public static let maxDepth = 64

    /// Decodes an item (a map of attribute names to attribute values) from UTF-8 bytes.
    /// - Throws: ``DDBError``.
    public static func decodeItem<Bytes: Collection<UInt8>>(from bytes: Bytes) throws(DDBError) -> Item {
        try withCursor(bytes) { (cursor: inout JSONCursor) throws(DDBError) in try cursor.decodeAttributeMap(depth: 0) }
    }

    /// Decodes an item from text.
    public static func decodeItem(_ text: String) throws(DDBError) -> Item { try decodeItem(from: Array(text.utf8)) }

    /// Decodes one attribute value (`{"N": "1"}`) from UTF-8 bytes.
    public static func decodeValue<Bytes: Collection<UInt8>>(from bytes: Bytes) throws(DDBError) -> AttributeValue {
        try withCursor(bytes) { (cursor: inout JSONCursor) throws(DDBError) in try cursor.decodeAttributeValue(depth: 0) }
    }

    /// Decodes one attribute value from text.
    public static func decodeValue(_ text: String) throws(DDBError) -> AttributeValue { try decodeValue(from: Array(text.utf8)) }

    private static func withCursor<Bytes: Collection<UInt8>, T>(
        _ bytes: Bytes, _ body: (inout JSONCursor) throws(DDBError) -> T
    ) throws(DDBError) -> T {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(DDBError) in
            var cursor = JSONCursor(buffer)
            let value = try body(&cursor)
            cursor.skipWhitespace()
            guard cursor.pos == cursor.end else { throw cursor.malformed("the end of the input") }
            return value
        }
    }
}

extension JSONCursor {
    /// Reads `{ "name": <attribute value>, … }`.
    package mutating func decodeAttributeMap(depth: Int) throws(DDBError) -> [String: AttributeValue] {
        let first = try peekAfterWhitespace("an attribute map")
        guard first == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "an item or map must be an object, found \(jsonKind(first))", offset: pos)
        }
        var map: [String: AttributeValue] = [:]
        guard try beginObject("an attribute map") else { return map }
        repeat {
            let nameStart = pos
            let key = try readKey()
            let name = decodedString(key)
            do throws(DDBError) {
                let value = try decodeAttributeValue(depth: depth + 1)
                guard map.updateValue(value, forKey: name) == nil else {
                    throw DDBError(.duplicateAttribute, "attribute \"\(name)\" appears twice", offset: nameStart)
                }
            } catch {
                throw prefixing(error, name: key)
            }
        } while try nextMember(close: UInt8(ascii: "}"))
        return map
    }

    /// Reads one attribute value.
    package mutating func decodeAttributeValue(depth: Int) throws(DDBError) -> AttributeValue {
        guard depth <= DynamoJSONDecoder.maxDepth else {
            throw DDBError(.nestingTooDeep, "values nested more than \(DynamoJSONDecoder.maxDepth) levels", offset: pos)
        }
        let tag = try beginAttributeValue()
        let value: AttributeValue
        switch tag {
        case .s:
            try expectKind(UInt8(ascii: "\""), for: tag, "a string")
            pos += 1
            value = .string(decodedString(try scanStringBody()))
        case .n:
            let (span, syntax) = try readNumberString()
            value = .number(DynamoNumber(text: decodedString(span), parsed: syntax))
        case .b:
            value = .binary(try Base64.decode(decodedBytes(try readBase64String(for: tag))))
        case .bool:
            value = .bool(try readBoolean(for: tag))
        case .null:
            guard try readBoolean(for: tag) else {
                throw DDBError(.wrongJSONType, "NULL must be true", offset: pos)
            }
            value = .null
        case .m:
            value = .map(try decodeAttributeMap(depth: depth))
        case .l:
            try expectKind(UInt8(ascii: "["), for: tag, "an array")
            var list: [AttributeValue] = []
            if try beginArray("a list") {
                repeat {
                    do throws(DDBError) {
                        list.append(try decodeAttributeValue(depth: depth + 1))
                    } catch {
                        var error = error
                        error.path.components.insert(.index(list.count), at: 0)
                        throw error
                    }
                } while try nextMember(close: UInt8(ascii: "]"))
            }
            value = .list(list)
        case .ss, .ns, .bs:
            value = try decodeSet(tag)
        }
        try endAttributeValue(tag)
        return value
    }

    private mutating func readBoolean(for tag: TypeTag) throws(DDBError) -> Bool {
        let first = try peekAfterWhitespace("the \(tag.name) value")
        guard first == UInt8(ascii: "t") || first == UInt8(ascii: "f") else {
            throw DDBError(.wrongJSONType, "\(tag.name) needs true or false, found \(jsonKind(first))", offset: pos)
        }
        return try readLiteral() == UInt8(ascii: "t")
    }

    /// Reads the members of an `SS`, `NS` or `BS` and puts them in canonical order.
    package mutating func decodeSet(_ tag: TypeTag) throws(DDBError) -> AttributeValue {
        try expectKind(UInt8(ascii: "["), for: tag, "an array of strings")
        let setStart = pos
        var strings: [String] = []
        var numbers: [DynamoNumber] = []
        var binaries: [[UInt8]] = []
        if try beginArray("a set") {
            var index = 0
            repeat {
                do throws(DDBError) {
                    switch tag {
                    case .ns:
                        let (span, syntax) = try readNumberString()
                        numbers.append(DynamoNumber(text: decodedString(span), parsed: syntax))
                    case .bs:
                        binaries.append(try Base64.decode(decodedBytes(try readBase64String(for: tag))))
                    default:
                        try expectKind(UInt8(ascii: "\""), for: tag, "string members")
                        pos += 1
                        strings.append(decodedString(try scanStringBody()))
                    }
                } catch {
                    var error = error
                    error.path.components.insert(.index(index), at: 0)
                    throw error
                }
                index += 1
            } while try nextMember(close: UInt8(ascii: "]"))
        }
        do throws(DDBError) {
            switch tag {
            case .ns: return try .numberSet(checking: numbers)
            case .bs: return try .binarySet(checking: binaries)
            default: return try .stringSet(checking: strings)
            }
        } catch {
            var error = error
            error.offset = setStart
            error.message = "\(tag.name) " + error.message
            throw error
        }
    }
}
