#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes `Encodable` Swift values as items and attribute values.
///
/// The mapping, by Swift type:
/// - Integers, `Double`, `Float` and `Decimal` become `N`. Every number is checked the way DynamoDB
///   checks it (``DynamoNumber/init(_:)-(String)``), so `1e200` is an error; so are NaN and infinities.
///   Binary floating point is written as its shortest round-trip text (`0.1`, `1e+20`).
/// - `String` becomes `S`, `Bool` `BOOL`, `[UInt8]` and `Data` `B`, ``DynamoNumber`` `N`.
/// - Arrays become `L`; structs and dictionaries with `String` (or `Int`) keys become `M`.
/// - A `Set` becomes `SS`, `NS` or `BS` when all its members encode as strings, numbers or
///   binaries, and `L` otherwise. DynamoDB has no empty sets, so an empty `Set` is an error naming
///   its path: make the property `Optional` and leave it `nil` instead.
/// - ``AttributeValue``s are written unchanged.
/// - A `nil` `Optional` property is left out of its map (or written as `NULL`, see ``nilEncoding``);
///   `nil` anywhere else (in an array, at the top) is `NULL`.
///
/// Errors are `EncodingError.invalidValue`s whose description starts with the attribute path
/// (`lines[3].price`) and says what was wrong.
public struct AttributeValueEncoder: Sendable {
    /// How a `nil` `Optional` property is written.
    public enum NilEncoding: Sendable, Hashable {
        /// Leave the attribute out, as DynamoDB items usually do.
        case omit
        /// Write the attribute as `NULL`.
        case null
    }

    /// How a `nil` `Optional` property is written; by default it is left out.
    public var nilEncoding: NilEncoding = .omit
    /// Values handed to `Encodable` types through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates an encoder.
    public init() {}

    /// Encodes `value` as an item.
    /// - Throws: `EncodingError` naming the attribute path, or when `value` does not encode as a map.
    public func encode<T: Encodable>(_ value: T) throws -> Item {
        let encoded = try encodeValue(value)
        guard case .map(let item) = encoded else {
            let message = "an item must encode as a map (M), but \(T.self) encoded as \(encoded.typeTag)"
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: [], debugDescription: message))
        }
        return item
    }

    /// Encodes `value` as one attribute value.
    /// - Throws: `EncodingError` naming the attribute path.
    public func encodeValue<T: Encodable>(_ value: T) throws -> AttributeValue {
        let options = EncodingOptions(nilEncoding: nilEncoding, userInfo: userInfo)
        let node = EncodingNode(codingPath: [])
        if let encoded = try node.encoder(options).box(value, at: []) { return encoded }
        throw EncodingError.invalidValue(
            value, EncodingError.Context(codingPath: [], debugDescription: "\(T.self) did not encode any value"))
    }
}

/// The settings every container of one encoding shares.
struct EncodingOptions {
    let nilEncoding: AttributeValueEncoder.NilEncoding
    let userInfo: [CodingUserInfoKey: any Sendable]
}

// MARK: - Encoding tree

/// A value being encoded. It is a reference because containers handed out by `encode(to:)` (and
/// nested containers) are filled after they are returned.
final class EncodingNode {
    enum Content {
        case unset
        case single(AttributeValue)
        case map([String: Member])
        case list([Member])
    }

    /// A member or element: finished, or a nested container still being filled.
    enum Member {
        case value(AttributeValue)
        case node(EncodingNode)
    }

    let codingPath: [any CodingKey]
    var content = Content.unset
    /// What an `encode(to:)` did wrong (two containers of different kinds), reported by ``resolve()``.
    var misuse: String?

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    func encoder(_ options: EncodingOptions) -> ValueEncoder { ValueEncoder(node: self, options: options) }

    /// Turns this node into a map or list if it is unset; notes a misuse if it already is something else.
    func become(_ kind: Content) {
        switch (content, kind) {
        case (.unset, _): content = kind
        case (.map, .map), (.list, .list): break
        default: misuse = misuse ?? "\(describe(content)) and \(describe(kind)) were both encoded at the same place"
        }
    }

    func set(_ value: AttributeValue) {
        guard case .unset = content else {
            misuse = misuse ?? "\(describe(content)) and a single value were both encoded at the same place"
            return
        }
        content = .single(value)
    }

    /// Adds a member; the map's dictionary is taken out first so that it is not copied.
    func setMember(_ member: Member, name: String) {
        guard case .map(var members) = content else { return }
        content = .unset
        members[name] = member
        content = .map(members)
    }

    func append(_ member: Member) {
        guard case .list(var elements) = content else { return }
        content = .unset
        elements.append(member)
        content = .list(elements)
    }

    var count: Int {
        switch content {
        case .map(let members): members.count
        case .list(let elements): elements.count
        default: 0
        }
    }

    private func describe(_ content: Content) -> String {
        switch content {
        case .unset: "nothing"
        case .single: "a single value"
        case .map: "a keyed container"
        case .list: "an unkeyed container"
        }
    }

    /// The finished value; `nil` when nothing was encoded here.
    func resolve() throws -> AttributeValue? {
        if let misuse {
            throw EncodingError.invalidValue(
                misuse,
                EncodingError.Context(codingPath: codingPath, debugDescription: AttributePath.describe(codingPath, misuse)))
        }
        switch content {
        case .unset: return nil
        case .single(let value): return value
        case .map(let members):
            var map: [String: AttributeValue] = [:]
            map.reserveCapacity(members.count)
            for (name, member) in members { map[name] = try member.resolve() }
            return .map(map)
        case .list(let elements):
            return .list(try elements.map { try $0.resolve() })
        }
    }
}

extension EncodingNode.Member {
    func resolve() throws -> AttributeValue {
        switch self {
        case .value(let value): value
        // A nested container that was asked for but given nothing is an empty map, as in JSONEncoder.
        case .node(let node): try node.resolve() ?? .map([:])
        }
    }
}

/// Marks `Set`, whose members become an `SS`, `NS` or `BS`.
protocol EncodedAsDynamoSet {}
extension Set: EncodedAsDynamoSet {}

// MARK: - Encoder

/// The `Encoder` for one value; it is also that value's single-value container.
struct ValueEncoder: Encoder, SingleValueEncodingContainer {
    let node: EncodingNode
    let options: EncodingOptions

    var codingPath: [any CodingKey] { node.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.become(.map([:]))
        return KeyedEncodingContainer(MapEncodingContainer(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.become(.list([]))
        return ListEncodingContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// A node for a nested container at `key`.
    func childNode(_ key: any CodingKey) -> EncodingNode { EncodingNode(codingPath: codingPath + [key]) }

    // MARK: Boxing

    func invalid(_ value: Any, at path: [any CodingKey], _ message: String, underlying: (any Error)? = nil) -> EncodingError {
        .invalidValue(
            value,
            EncodingError.Context(
                codingPath: path, debugDescription: AttributePath.describe(path, message), underlyingError: underlying))
    }

    /// `text` as an `N`, checked the way DynamoDB checks numbers.
    func number(_ text: String, of value: Any, at path: [any CodingKey]) throws -> AttributeValue {
        do throws(DDBError) {
            return .number(try DynamoNumber(text))
        } catch {
            throw invalid(value, at: path, error.message, underlying: error)
        }
    }

    func number<T: BinaryInteger>(_ value: T, at path: [any CodingKey]) throws -> AttributeValue {
        // Not DynamoNumber(value): a 128-bit integer can have 39 significant digits, one too many.
        try number(String(value), of: value, at: path)
    }

    func number<T: BinaryFloatingPoint>(_ value: T, at path: [any CodingKey]) throws -> AttributeValue {
        guard value.isFinite else { throw invalid(value, at: path, "\(T.self) \(value) is not a number DynamoDB can store") }
        return try number(String(describing: value), of: value, at: path)
    }

    /// The attribute value of `value` at `path`; `nil` when its `encode(to:)` encoded nothing.
    func box<T: Encodable>(_ value: T, at path: [any CodingKey]) throws -> AttributeValue? {
        // Types with a DynamoDB form of their own, checked before their `encode(to:)` would be asked.
        // Exact type tests, not `as?` casts: an empty `[String]` casts to `[UInt8]`, and an Optional to its wrapped type.
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return try number(value as! Int, at: path) }
        if T.self == Double.self { return try number(value as! Double, at: path) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == AttributeValue.self { return (value as! AttributeValue) }
        if T.self == DynamoNumber.self { return .number(value as! DynamoNumber) }
        if T.self == [UInt8].self { return .binary(value as! [UInt8]) }
        if T.self == Data.self { return .binary(Array(value as! Data)) }
        if T.self == Decimal.self {
            let decimal = value as! Decimal
            guard decimal.isFinite else {
                throw invalid(decimal, at: path, "Decimal \(decimal) is not a number DynamoDB can store")
            }
            return try number(decimal.description, of: decimal, at: path)
        }
        let node = EncodingNode(codingPath: path)
        try value.encode(to: node.encoder(options))
        guard let encoded = try node.resolve() else { return nil }
        guard T.self is any EncodedAsDynamoSet.Type, case .list(let members) = encoded else { return encoded }
        return try dynamoSet(members, of: value, at: path) ?? encoded
    }

    /// An `SS`, `NS` or `BS` of a `Set`'s members; `nil` when they are not all of one of those kinds.
    private func dynamoSet(_ members: [AttributeValue], of value: Any, at path: [any CodingKey]) throws -> AttributeValue? {
        guard let first = members.first else {
            throw invalid(
                value, at: path,
                "an empty Set cannot be stored: DynamoDB sets (SS, NS, BS) are never empty; leave an Optional nil instead")
        }
        do throws(DDBError) {
            switch first {
            case .string:
                let strings = members.compactMap { if case .string(let string) = $0 { string } else { nil } }
                return strings.count == members.count ? try .stringSet(checking: strings) : nil
            case .number:
                let numbers = members.compactMap { if case .number(let number) = $0 { number } else { nil } }
                return numbers.count == members.count ? try .numberSet(checking: numbers) : nil
            case .binary:
                let binaries = members.compactMap { if case .binary(let bytes) = $0 { bytes } else { nil } }
                return binaries.count == members.count ? try .binarySet(checking: binaries) : nil
            default:
                return nil
            }
        } catch {
            // Distinct Swift members can still encode alike (two Doubles whose text is equal as numbers).
            throw invalid(value, at: path, "Set \(error.message)", underlying: error)
        }
    }

    // MARK: Single value

    func encodeNil() { node.set(.null) }
    func encode(_ value: Bool) { node.set(.bool(value)) }
    func encode(_ value: String) { node.set(.string(value)) }
    func encode(_ value: Double) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: Float) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: Int) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: Int8) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: Int16) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: Int32) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: Int64) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: Int128) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: UInt) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: UInt8) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: UInt16) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: UInt32) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: UInt64) throws { node.set(try number(value, at: codingPath)) }
    func encode(_ value: UInt128) throws { node.set(try number(value, at: codingPath)) }

    func encode<T: Encodable>(_ value: T) throws {
        // A value that encodes nothing leaves the node unset; its parent then sees an empty map.
        if let encoded = try box(value, at: codingPath) { node.set(encoded) }
    }
}

// MARK: - Containers

/// The keyed container that fills an `M`.
struct MapEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func put(_ value: AttributeValue, _ key: Key) { encoder.node.setMember(.value(value), name: key.stringValue) }

    mutating func encodeNil(forKey key: Key) { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { put(try encoder.number(value, at: codingPath + [key]), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try encoder.box(value, at: codingPath + [key]) ?? .map([:]), key)
    }

    // Synthesized `encode(to:)` writes Optional properties with these; `nilEncoding` decides what nil becomes.
    private mutating func absent(_ key: Key) {
        if encoder.options.nilEncoding == .null { put(.null, key) }
    }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: Int128?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent(_ value: UInt128?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { absent(key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = encoder.childNode(key)
        encoder.node.setMember(.node(child), name: key.stringValue)
        return child.encoder(encoder.options).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = encoder.childNode(key)
        encoder.node.setMember(.node(child), name: key.stringValue)
        return child.encoder(encoder.options).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: SuperKey()) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let child = encoder.childNode(key)
        encoder.node.setMember(.node(child), name: key.stringValue)
        return child.encoder(encoder.options)
    }
}

/// The unkeyed container that fills an `L` (or a `Set`'s members).
struct ListEncodingContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.node.count }

    /// The coding path of the next element.
    private var nextPath: [any CodingKey] { codingPath + [ListIndexKey(count)] }

    private func append(_ value: AttributeValue) { encoder.node.append(.value(value)) }

    mutating func encodeNil() { append(.null) }
    mutating func encode(_ value: Bool) { append(.bool(value)) }
    mutating func encode(_ value: String) { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: Float) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: Int) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: Int8) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: Int16) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: Int32) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: Int64) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: Int128) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: UInt) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: UInt8) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: UInt16) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: UInt32) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: UInt64) throws { append(try encoder.number(value, at: nextPath)) }
    mutating func encode(_ value: UInt128) throws { append(try encoder.number(value, at: nextPath)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try encoder.box(value, at: nextPath) ?? .map([:]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = encoder.childNode(ListIndexKey(count))
        encoder.node.append(.node(child))
        return child.encoder(encoder.options).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = encoder.childNode(ListIndexKey(count))
        encoder.node.append(.node(child))
        return child.encoder(encoder.options).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = encoder.childNode(ListIndexKey(count))
        encoder.node.append(.node(child))
        return child.encoder(encoder.options)
    }
}

// MARK: - Encodable conformances

extension DynamoNumber: Encodable {
    /// Encodes the number: as an `N` through ``AttributeValueEncoder``, as its decimal text
    /// elsewhere (`"12.50"`, as DynamoDB JSON writes an `N`).
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? ValueEncoder {
            encoder.node.set(.number(self))
            return
        }
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension AttributeValue: Encodable {
    /// Encodes the value: unchanged through ``AttributeValueEncoder``, in its DynamoDB JSON form
    /// (`{"N": "12.50"}`, base64 for binaries) elsewhere, so `JSONEncoder` writes DynamoDB JSON.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? ValueEncoder {
            encoder.node.set(self)
            return
        }
        var container = encoder.container(keyedBy: TypeTagKey.self)
        switch self {
        case .string(let string): try container.encode(string, forKey: .S)
        case .number(let number): try container.encode(number.text, forKey: .N)
        case .binary(let bytes): try container.encode(Self.base64(bytes), forKey: .B)
        case .bool(let flag): try container.encode(flag, forKey: .BOOL)
        case .null: try container.encode(true, forKey: .NULL)
        case .stringSet(let members): try container.encode(members, forKey: .SS)
        case .numberSet(let members): try container.encode(members.map(\.text), forKey: .NS)
        case .binarySet(let members): try container.encode(members.map(Self.base64), forKey: .BS)
        case .map(let members): try container.encode(members, forKey: .M)
        case .list(let elements): try container.encode(elements, forKey: .L)
        }
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        Base64.encode(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }
}
