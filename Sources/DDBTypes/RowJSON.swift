/// How DynamoDB numbers appear in row JSON.
public enum NumberOutput: String, Sendable, CaseIterable {
    /// A JSON number with the exact decimal text (`12.50`, `1E+5`).
    case exact
    /// A JSON string holding the decimal text (`"12.50"`), for readers that would round numbers.
    case string
}

/// Writes attribute values as row JSON, the value mapping of docs/design.md: S as a string, N as an
/// exact number (or a string), B as base64, sets as sorted arrays, M and L recursively.
public struct RowJSONEncoder: Sendable {
    /// How numbers are written.
    public var numbers: NumberOutput

    /// Creates an encoder.
    public init(numbers: NumberOutput = .exact) { self.numbers = numbers }

    /// The row JSON of an item; members in order of their names' UTF-8 bytes, so equal items give equal bytes.
    public func encode(_ item: Item) -> [UInt8] {
        var out: [UInt8] = []
        append(item, to: &out)
        return out
    }

    /// The row JSON of one value.
    public func encode(_ value: AttributeValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    /// Appends the row JSON of an item.
    public func append(_ item: Item, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        appendMembers(item, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Appends an item's `"name":value` members, separated by commas, without braces.
    func appendMembers(_ item: Item, to out: inout [UInt8]) {
        for (index, name) in item.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(name.utf8, to: &out)
            out.append(UInt8(ascii: ":"))
            append(item[name]!, to: &out)
        }
    }

    /// Appends the row JSON of one value.
    public func append(_ value: AttributeValue, to out: inout [UInt8]) {
        switch value {
        case .string(let string):
            appendJSONString(string.utf8, to: &out)
        case .number(let number):
            append(number, to: &out)
        case .binary(let bytes):
            out.append(UInt8(ascii: "\""))
            Base64.encode(bytes, to: &out)
            out.append(UInt8(ascii: "\""))
        case .bool(let flag):
            out.append(contentsOf: flag ? Self.trueBytes : Self.falseBytes)
        case .null:
            out.append(contentsOf: Self.nullBytes)
        case .stringSet(let members):
            appendArray(members, to: &out) { appendJSONString($0.utf8, to: &$1) }
        case .numberSet(let members):
            appendArray(members, to: &out) { append($0, to: &$1) }
        case .binarySet(let members):
            appendArray(members, to: &out) { member, out in append(.binary(member), to: &out) }
        case .map(let map):
            append(map, to: &out)
        case .list(let list):
            appendArray(list, to: &out) { append($0, to: &$1) }
        }
    }

    private func append(_ number: DynamoNumber, to out: inout [UInt8]) {
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
        out.append(contentsOf: number.jsonText.utf8)
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
    }

    private func appendArray<Element>(_ elements: [Element], to out: inout [UInt8], _ body: (Element, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            body(element, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)
    static let nullBytes: [UInt8] = Array("null".utf8)
}
