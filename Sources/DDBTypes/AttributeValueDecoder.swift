#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes items and attribute values into `Decodable` Swift types.
///
/// The mapping, by DynamoDB type:
/// - `N` decodes into any Swift integer type (only when the number is an integer that fits: `1.5` and
///   `1E+30` into `Int64` are errors, `1.50E+1` into `Int` is 15), into `Double` and `Float` (rounded
///   from the text; a number beyond `Float`'s range is an error), into `String` (the exact text), into
///   ``DynamoNumber`` (exact) and into `Decimal` (when it holds the number exactly).
/// - `S` into `String`; `BOOL` into `Bool`; `B` into `[UInt8]` or `Data`.
/// - `NULL` into `nil`. A missing attribute decodes as `nil` for an `Optional` property.
/// - `L` into arrays; `SS`, `NS` and `BS` into arrays or `Set`s of their members.
/// - `M` into structs (one attribute per coding key) and `[String: T]` dictionaries.
/// - Any type into ``AttributeValue``, unchanged.
///
/// Errors are `DecodingError`s whose description starts with the attribute path (`lines[3].price`)
/// and says what was wrong; a type mismatch names the type tag found and the ones expected.
public struct AttributeValueDecoder: Sendable {
    /// Values handed to `Decodable` types through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates a decoder.
    public init() {}

    /// Decodes a value of `type` from an item, as from an `M`.
    /// - Throws: `DecodingError` naming the attribute path.
    public func decode<T: Decodable>(_ type: T.Type, from item: Item) throws -> T {
        try decode(type, from: .map(item))
    }

    /// Decodes a value of `type` from one attribute value.
    /// - Throws: `DecodingError` naming the attribute path.
    public func decode<T: Decodable>(_ type: T.Type, from value: AttributeValue) throws -> T {
        try ValueDecoder(value: value, codingPath: [], userInfo: userInfo).decode(type)
    }
}

// MARK: - Coding paths

/// The coding key of a list position; an attribute path shows it as `[3]`, not as a name.
struct ListIndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init(intValue: Int) { self.index = intValue }
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
}

/// The key `superDecoder()` and `superEncoder()` use, as the standard coders do.
struct SuperKey: CodingKey {
    init() {}
    init?(stringValue: String) { guard stringValue == "super" else { return nil } }
    init?(intValue: Int) { nil }
    var stringValue: String { "super" }
    var intValue: Int? { nil }
}

extension AttributePath {
    /// The attribute path of a coding path: list positions from ``ListIndexKey``, names otherwise.
    init(codingPath: [any CodingKey]) {
        self.init(codingPath.map { key in (key as? ListIndexKey).map { .index($0.index) } ?? .name(key.stringValue) })
    }

    /// `message` prefixed with the attribute path of `codingPath`, the way ``DDBError`` describes itself.
    static func describe(_ codingPath: [any CodingKey], _ message: String) -> String {
        let path = AttributePath(codingPath: codingPath)
        return path.isEmpty ? message : "\(path): \(message)"
    }
}

// MARK: - Decoder

/// The `Decoder` over one attribute value; it is also that value's single-value container.
struct ValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: AttributeValue
    let codingPath: [any CodingKey]
    let sendableUserInfo: [CodingUserInfoKey: any Sendable]
    /// The type whose `init(from:)` is reading this value, for error messages.
    var decodingType: Any.Type?

    init(value: AttributeValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.value = value
        self.codingPath = codingPath
        self.sendableUserInfo = userInfo
    }

    var userInfo: [CodingUserInfoKey: Any] { sendableUserInfo }

    /// A decoder for a member of this value.
    func child(_ value: AttributeValue, key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value: value, codingPath: codingPath + [key], userInfo: sendableUserInfo)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let members) = value else { throw mismatch(expected: "M", for: decodingType ?? type) }
        return KeyedDecodingContainer(MapDecodingContainer(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let elements: [AttributeValue]
        switch value {
        case .list(let list): elements = list
        case .stringSet(let members): elements = members.map(AttributeValue.string)
        case .numberSet(let members): elements = members.map(AttributeValue.number)
        case .binarySet(let members): elements = members.map(AttributeValue.binary)
        default: throw mismatch(expected: "L, SS, NS or BS", for: decodingType ?? [Any].self)
        }
        return ListDecodingContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Errors

    /// A type mismatch, or `valueNotFound` when the value is `NULL`.
    func mismatch(expected tags: String, for type: Any.Type) -> DecodingError {
        let message = AttributePath.describe(codingPath, "expected \(tags) for \(type), found \(value.typeTag)")
        let context = DecodingError.Context(codingPath: codingPath, debugDescription: message)
        if case .null = value { return .valueNotFound(type, context) }
        return .typeMismatch(type, context)
    }

    func corrupted(_ message: String, underlying: (any Error)? = nil) -> DecodingError {
        .dataCorrupted(
            DecodingError.Context(
                codingPath: codingPath, debugDescription: AttributePath.describe(codingPath, message), underlyingError: underlying
            ))
    }

    // MARK: Single values

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(expected: "BOOL", for: type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        switch value {
        case .string(let string): return string
        case .number(let number): return number.text
        default: throw mismatch(expected: "S or N", for: type)
        }
    }

    func decode(_ type: Double.Type) throws -> Double { try decodeFloatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try decodeFloatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger(type) }
    func decode(_ type: Int128.Type) throws -> Int128 { try decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger(type) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try decodeInteger(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // Types with a DynamoDB form of their own, checked before their `init(from:)` would be asked.
        if T.self == AttributeValue.self { return value as! T }
        if T.self == DynamoNumber.self { return try decodeNumber() as! T }
        if T.self == [UInt8].self {
            switch value {
            case .binary(let bytes): return bytes as! T
            case .list: break  // a list of numbers is still an array of bytes
            default: throw mismatch(expected: "B", for: type)
            }
        }
        if T.self == Data.self { return try Data(decodeBytes()) as! T }
        if T.self == Decimal.self { return try decodeDecimal() as! T }
        if T.self == String.self { return try decode(String.self) as! T }
        var decoder = self
        decoder.decodingType = type
        return try T(from: decoder)
    }

    func decodeNumber() throws -> DynamoNumber {
        guard case .number(let number) = value else { throw mismatch(expected: "N", for: DynamoNumber.self) }
        return number
    }

    func decodeBytes() throws -> [UInt8] {
        guard case .binary(let bytes) = value else { throw mismatch(expected: "B", for: Data.self) }
        return bytes
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let number) = value else { throw mismatch(expected: "N", for: type) }
        switch number.exactInteger(as: type) {
        case .success(let integer): return integer
        case .failure(.fraction): throw corrupted("number \(number) is not an integer, so it cannot be decoded as \(type)")
        case .failure(.range): throw corrupted("number \(number) is out of \(type)'s range \(T.min)...\(T.max)")
        }
    }

    func decodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type) throws -> T {
        guard case .number(let number) = value else { throw mismatch(expected: "N", for: type) }
        // Swift parses `+.5` too, but `jsonText` is the fallback for any text it would not.
        guard let result = T(number.text) ?? T(number.jsonText), result.isFinite, result != 0 || number.isZero else {
            throw corrupted("number \(number) is out of \(type)'s range")
        }
        return result
    }

    func decodeDecimal() throws -> Decimal {
        guard case .number(let number) = value else { throw mismatch(expected: "N", for: Decimal.self) }
        // Decimal's exponent stops at ±128; a number it cannot hold exactly is refused, not rounded.
        guard let decimal = Decimal(string: number.jsonText), (try? DynamoNumber(decimal.description)) == number else {
            throw corrupted("number \(number) cannot be held exactly by Decimal")
        }
        return decimal
    }
}

// MARK: - Containers

/// The keyed container over an `M`.
struct MapDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ValueDecoder
    let members: [String: AttributeValue]

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func member(_ key: Key) throws -> ValueDecoder {
        guard let value = members[key.stringValue] else {
            let message = AttributePath.describe(codingPath + [key], "the attribute is missing")
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: message))
        }
        return decoder.child(value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try member(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(key).decode(type) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try member(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try member(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try member(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try member(key).decode(type) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try member(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try member(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try member(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.child(members[SuperKey().stringValue] ?? .null, key: SuperKey())
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(members[key.stringValue] ?? .null, key: key)
    }
}

/// The unkeyed container over an `L`, or over the members of an `SS`, `NS` or `BS`.
struct ListDecodingContainer: UnkeyedDecodingContainer {
    let decoder: ValueDecoder
    let elements: [AttributeValue]
    private(set) var currentIndex = 0

    init(decoder: ValueDecoder, elements: [AttributeValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The decoder for the current element; `advance` moves past it.
    private mutating func next(_ type: Any.Type, advance: Bool = true) throws -> ValueDecoder {
        guard !isAtEnd else {
            let key = ListIndexKey(currentIndex)
            let message = AttributePath.describe(codingPath + [key], "the list has only \(elements.count) elements")
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: codingPath + [key], debugDescription: message))
        }
        let element = decoder.child(elements[currentIndex], key: ListIndexKey(currentIndex))
        if advance { currentIndex += 1 }
        return element
    }

    /// Decodes the current element and moves past it only when that succeeds, as the standard coders do.
    private mutating func decodeNext<T>(_ type: Any.Type, _ body: (ValueDecoder) throws -> T) throws -> T {
        let result = try body(try next(type, advance: false))
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard try next(Any?.self, advance: false).decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try decodeNext(type) { try $0.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeNext(type) { try $0.decode(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey>
    {
        try decodeNext(type) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try decodeNext([Any].self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next((any Decoder).self) }
}

// MARK: - Exact integers

extension DynamoNumber {
    /// Why a number is not a value of some integer type.
    enum IntegerFailure: Error { case fraction, range }

    /// The number as a `T`, when it is an integer within `T`'s range (`1.50E+1` is 15).
    func exactInteger<T: FixedWidthInteger>(as type: T.Type) -> Result<T, IntegerFailure> {
        // The text was validated when the number was made: sign, digits with at most one point, exponent.
        var isNegative = false
        var digits: [UInt8] = []
        var fractionDigits = 0
        var sawPoint = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-") where inExponent: exponentSign = -1
            case UInt8(ascii: "-"): isNegative = true
            case UInt8(ascii: "+"): break
            case UInt8(ascii: "."): sawPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            default:
                let digit = byte &- UInt8(ascii: "0")
                if inExponent {
                    // Saturate: a zero may carry any exponent, and nothing else gets near this.
                    if exponent < 100_000_000 { exponent = exponent * 10 + Int(digit) }
                } else {
                    if !(digits.isEmpty && digit == 0) { digits.append(digit) }
                    if sawPoint { fractionDigits += 1 }
                }
            }
        }
        // The power of ten of the last digit kept, once trailing zeros move into it.
        var scale = exponentSign * exponent - fractionDigits
        while digits.last == 0 {
            digits.removeLast()
            scale += 1
        }
        guard !digits.isEmpty else { return .success(0) }
        guard scale >= 0 else { return .failure(.fraction) }
        guard !isNegative || T.isSigned else { return .failure(.range) }
        // Accumulate toward the sign so that T.min is reachable.
        var result: T = 0
        func shift(in digit: UInt8) -> Bool {
            let (product, productOverflow) = result.multipliedReportingOverflow(by: 10)
            let (sum, sumOverflow) =
                isNegative ? product.subtractingReportingOverflow(T(digit)) : product.addingReportingOverflow(T(digit))
            result = sum
            return !productOverflow && !sumOverflow
        }
        for digit in digits {
            guard shift(in: digit) else { return .failure(.range) }
        }
        for _ in 0..<scale {
            guard shift(in: 0) else { return .failure(.range) }
        }
        return .success(result)
    }
}

// MARK: - Decodable conformances

extension DynamoNumber: Decodable {
    /// Decodes a number: from an `N` through ``AttributeValueDecoder``, from decimal text elsewhere
    /// (`"12.50"`, as DynamoDB JSON writes an `N`).
    /// - Throws: `DecodingError` when the text is not a DynamoDB number.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? ValueDecoder {
            self = try decoder.decodeNumber()
            return
        }
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(DDBError) {
            self = try DynamoNumber(text)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: AttributePath.describe(decoder.codingPath, error.message))
        }
    }
}

/// The type tags as coding keys, for ``AttributeValue``'s DynamoDB JSON form.
enum TypeTagKey: String, CodingKey {
    case S, N, B, BOOL, NULL, SS, NS, BS, M, L
}

extension AttributeValue: Decodable {
    /// Decodes a value: unchanged through ``AttributeValueDecoder``, from its DynamoDB JSON form
    /// (`{"N": "12.50"}`, base64 for binaries) elsewhere, as with `JSONDecoder`.
    ///
    /// The checks are DynamoDB's (valid numbers and base64, non-empty sets without duplicates, one
    /// type tag), but keys that are not type tags are ignored; ``DynamoJSONDecoder`` is the strict reader.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? ValueDecoder {
            self = decoder.value
            return
        }
        let container = try decoder.container(keyedBy: TypeTagKey.self)
        let tags = container.allKeys
        guard tags.count == 1, let tag = tags.first else {
            let message =
                tags.isEmpty
                ? "an attribute value needs a type tag (S, N, B, BOOL, NULL, SS, NS, BS, M or L)"
                : "an attribute value has one type tag, found \(tags.map(\.stringValue).joined(separator: ", "))"
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath, debugDescription: AttributePath.describe(decoder.codingPath, message)))
        }
        func checked<T>(_ body: () throws(DDBError) -> T) throws -> T {
            do throws(DDBError) {
                return try body()
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: tag, in: container,
                    debugDescription: AttributePath.describe(container.codingPath + [tag], "\(tag.stringValue) \(error.message)"))
            }
        }
        switch tag {
        case .S:
            self = .string(try container.decode(String.self, forKey: tag))
        case .N:
            let text = try container.decode(String.self, forKey: tag)
            self = .number(try checked { () throws(DDBError) in try DynamoNumber(text) })
        case .B:
            let text = try container.decode(String.self, forKey: tag)
            self = .binary(try checked { () throws(DDBError) in try Base64.decode(text.utf8) })
        case .BOOL:
            self = .bool(try container.decode(Bool.self, forKey: tag))
        case .NULL:
            guard try container.decode(Bool.self, forKey: tag) else {
                throw DecodingError.dataCorruptedError(
                    forKey: tag, in: container,
                    debugDescription: AttributePath.describe(container.codingPath + [tag], "NULL must be true"))
            }
            self = .null
        case .SS:
            let members = try container.decode([String].self, forKey: tag)
            self = try checked { () throws(DDBError) in try .stringSet(checking: members) }
        case .NS:
            let texts = try container.decode([String].self, forKey: tag)
            self = try checked { () throws(DDBError) in
                try .numberSet(checking: texts.map { text throws(DDBError) in try DynamoNumber(text) })
            }
        case .BS:
            let texts = try container.decode([String].self, forKey: tag)
            self = try checked { () throws(DDBError) in
                try .binarySet(checking: texts.map { text throws(DDBError) in try Base64.decode(text.utf8) })
            }
        case .M:
            self = .map(try container.decode([String: AttributeValue].self, forKey: tag))
        case .L:
            self = .list(try container.decode([AttributeValue].self, forKey: tag))
        }
    }
}
