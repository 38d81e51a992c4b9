/// A DynamoDB attribute value: one of the ten types of the DynamoDB data model.
///
/// Sets keep their members in a canonical order (strings by code point, numbers numerically,
/// binaries by bytes) and never hold duplicates or nothing; ``AttributeValue/stringSet(_:)`` and the
/// other set initialisers check that.
public enum AttributeValue: Sendable, Hashable {
    /// `S`: a UTF-8 string.
    case string(String)
    /// `N`: an exact decimal number.
    case number(DynamoNumber)
    /// `B`: bytes.
    case binary([UInt8])
    /// `BOOL`.
    case bool(Bool)
    /// `NULL`.
    case null
    /// `SS`: a non-empty set of strings, sorted by code point.
    case stringSet([String])
    /// `NS`: a non-empty set of numbers, sorted numerically.
    case numberSet([DynamoNumber])
    /// `BS`: a non-empty set of binaries, sorted by bytes.
    case binarySet([[UInt8]])
    /// `M`: a map from names to values.
    case map([String: AttributeValue])
    /// `L`: an ordered list of values.
    case list([AttributeValue])

    /// The DynamoDB type tag: `S`, `N`, `B`, `BOOL`, `NULL`, `SS`, `NS`, `BS`, `M` or `L`.
    public var typeTag: String {
        switch self {
        case .string: "S"
        case .number: "N"
        case .binary: "B"
        case .bool: "BOOL"
        case .null: "NULL"
        case .stringSet: "SS"
        case .numberSet: "NS"
        case .binarySet: "BS"
        case .map: "M"
        case .list: "L"
        }
    }

    /// A string set from members in any order.
    /// - Throws: ``DDBError`` `emptySet` or `duplicateSetMember`.
    public static func stringSet<Members: Sequence<String>>(checking members: Members) throws(DDBError) -> AttributeValue {
        .stringSet(try canonicalSet(members, by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }, equal: { $0.utf8.elementsEqual($1.utf8) }))
    }

    /// A number set from members in any order.
    /// - Throws: ``DDBError`` `emptySet` or `duplicateSetMember` (`1` and `1.0` are the same member).
    public static func numberSet<Members: Sequence<DynamoNumber>>(checking members: Members) throws(DDBError) -> AttributeValue {
        .numberSet(try canonicalSet(members, by: <, equal: ==))
    }

    /// A binary set from members in any order.
    /// - Throws: ``DDBError`` `emptySet` or `duplicateSetMember`.
    public static func binarySet<Members: Sequence<[UInt8]>>(checking members: Members) throws(DDBError) -> AttributeValue {
        .binarySet(try canonicalSet(members, by: { $0.lexicographicallyPrecedes($1) }, equal: ==))
    }
}

/// Sorts set members into their canonical order and rejects empty sets and duplicates.
func canonicalSet<Members: Sequence>(
    _ members: Members, by areInIncreasingOrder: (Members.Element, Members.Element) -> Bool,
    equal: (Members.Element, Members.Element) -> Bool
) throws(DDBError) -> [Members.Element] {
    let sorted = members.sorted(by: areInIncreasingOrder)
    guard !sorted.isEmpty else { throw DDBError(.emptySet, "a set must have at least one member") }
    for index in sorted.indices.dropFirst() where equal(sorted[index - 1], sorted[index]) {
        throw DDBError(.duplicateSetMember, "set holds the member \(sorted[index]) twice")
    }
    return sorted
}

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(DynamoNumber(value)) }
    public init(arrayLiteral elements: AttributeValue...) { self = .list(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A DynamoDB item: attribute names to values.
public typealias Item = [String: AttributeValue]
