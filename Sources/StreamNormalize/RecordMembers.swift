import DDBTypes

/// The members of a stream record that the transcoder knows by name.
///
/// Records of one stream spell their members in one order (a Lambda event: `eventID`,
/// `eventName`, `eventVersion`, `eventSource`, `awsRegion`, `dynamodb`, `eventSourceARN`;
/// `GetRecords` another), so the transcoder expects the member that followed the last one in
/// the record before (``MemberOrder``) and checks for its name, quotes and colon with one
/// comparison, instead of reading the name and then looking it up. Any other name, or the
/// expected one spelled otherwise (escapes, whitespace), is read and looked up as before.
enum RecordMember: UInt8, CaseIterable {
    case eventID, eventName, eventVersion, eventSource, awsRegion, dynamodb, eventSourceARN, userIdentity
    /// Any other name (read past).
    case other

    /// The member named `key`, however its name is spelled (`"event\u004eame"` is `eventName`).
    init(_ key: StringSpan, in cursor: JSONCursor) {
        if key.hasEscapes {
            self = cursor.member(spelling: key) ?? .other
            return
        }
        // By length first: one comparison rules out all but one name.
        switch key.count {
        case 7 where cursor.text(key, is: "eventID"): self = .eventID
        case 8 where cursor.text(key, is: "dynamodb"): self = .dynamodb
        case 9 where cursor.text(key, is: "eventName"): self = .eventName
        case 9 where cursor.text(key, is: "awsRegion"): self = .awsRegion
        case 11 where cursor.text(key, is: "eventSource"): self = .eventSource
        case 12 where cursor.text(key, is: "eventVersion"): self = .eventVersion
        case 12 where cursor.text(key, is: "userIdentity"): self = .userIdentity
        case 14 where cursor.text(key, is: "eventSourceARN"): self = .eventSourceARN
        default: self = .other
        }
    }

    /// Reads past the member's name, quotes and colon when the input at the cursor is exactly
    /// those (compact JSON), and returns the name's span; nil otherwise (and for `.other`).
    /// One case per name, so that each comparison is with constant words.
    @_transparent
    func consumeName(_ cursor: inout JSONCursor) -> StringSpan? {
        switch self {
        case .eventID: cursor.consumeName("\"eventID\":")
        case .eventName: cursor.consumeName("\"eventName\":")
        case .eventVersion: cursor.consumeName("\"eventVersion\":")
        case .eventSource: cursor.consumeName("\"eventSource\":")
        case .awsRegion: cursor.consumeName("\"awsRegion\":")
        case .dynamodb: cursor.consumeName("\"dynamodb\":")
        case .eventSourceARN: cursor.consumeName("\"eventSourceARN\":")
        case .userIdentity: cursor.consumeName("\"userIdentity\":")
        case .other: nil
        }
    }

    /// Whether the row takes nothing from the member: its value is only read past.
    var isPassedOver: Bool { self == .eventVersion || self == .awsRegion || self == .other }

    /// A Lambda event's order.
    static let lambdaOrder: [RecordMember] = [.eventID, .eventName, .eventVersion, .eventSource, .awsRegion, .dynamodb, .eventSourceARN]

    @inline(__always)
    static func member(_ rawValue: UInt8) -> RecordMember? {
        switch rawValue {
        case 0: .eventID
        case 1: .eventName
        case 2: .eventVersion
        case 3: .eventSource
        case 4: .awsRegion
        case 5: .dynamodb
        case 6: .eventSourceARN
        case 7: .userIdentity
        case 8: .other
        default: nil
        }
    }
}

/// The members of a stream record's `dynamodb` object that the transcoder knows by name (see
/// ``RecordMember``).
enum StreamMember: UInt8, CaseIterable {
    case approximateCreationDateTime, keys, newImage, oldImage, sequenceNumber, sizeBytes, streamViewType
    /// Any other name (read past).
    case other

    /// The member named `key`, however its name is spelled (see ``RecordMember``).
    init(_ key: StringSpan, in cursor: JSONCursor) {
        if key.hasEscapes {
            self = cursor.member(spelling: key) ?? .other
            return
        }
        switch key.count {
        case 4 where cursor.text(key, is: "Keys"): self = .keys
        case 8 where cursor.text(key, is: "NewImage"): self = .newImage
        case 8 where cursor.text(key, is: "OldImage"): self = .oldImage
        case 9 where cursor.text(key, is: "SizeBytes"): self = .sizeBytes
        case 14 where cursor.text(key, is: "SequenceNumber"): self = .sequenceNumber
        case 14 where cursor.text(key, is: "StreamViewType"): self = .streamViewType
        case 27 where cursor.text(key, is: "ApproximateCreationDateTime"): self = .approximateCreationDateTime
        default: self = .other
        }
    }

    /// Reads past the member's name, quotes and colon (see ``RecordMember/consumeName(_:)``).
    @_transparent
    func consumeName(_ cursor: inout JSONCursor) -> StringSpan? {
        switch self {
        case .approximateCreationDateTime: cursor.consumeName("\"ApproximateCreationDateTime\":")
        case .keys: cursor.consumeName("\"Keys\":")
        case .newImage: cursor.consumeName("\"NewImage\":")
        case .oldImage: cursor.consumeName("\"OldImage\":")
        case .sequenceNumber: cursor.consumeName("\"SequenceNumber\":")
        case .sizeBytes: cursor.consumeName("\"SizeBytes\":")
        case .streamViewType: cursor.consumeName("\"StreamViewType\":")
        case .other: nil
        }
    }

    /// Whether the row takes nothing from the member: its value is only read past.
    var isPassedOver: Bool { self == .streamViewType || self == .other }

    /// A Lambda event's order (`OldImage` only in MODIFY and REMOVE records).
    static let lambdaOrder: [StreamMember] = [.approximateCreationDateTime, .keys, .newImage, .oldImage, .sequenceNumber, .sizeBytes, .streamViewType]

    @inline(__always)
    static func member(_ rawValue: UInt8) -> StreamMember? {
        switch rawValue {
        case 0: .approximateCreationDateTime
        case 1: .keys
        case 2: .newImage
        case 3: .oldImage
        case 4: .sequenceNumber
        case 5: .sizeBytes
        case 6: .streamViewType
        case 7: .other
        default: nil
        }
    }
}

/// Which member followed each member (and the object's start) in the object last read: four
/// bits each in one word, so that learning costs a store and no array.
struct MemberOrder<Member: NamedMember> {
    private var followers: UInt64 = 0
    /// The slot of the object's start.
    static var start: UInt8 { 15 }

    /// Starts from `order`: each member is expected after the one before it.
    init(_ order: [Member]) {
        var previous = Self.start
        for member in order {
            learn(member, after: previous)
            previous = member.rawValue
        }
    }

    /// The member expected after `previous` (a member's raw value, or ``start``).
    @inline(__always)
    func expected(after previous: UInt8) -> Member? {
        Member.member(UInt8(truncatingIfNeeded: followers &>> (UInt64(previous) &* 4)) & 15)
    }

    @inline(__always)
    mutating func learn(_ member: Member, after previous: UInt8) {
        let shift = UInt64(previous) &* 4
        followers = followers & ~(15 &<< shift) | UInt64(member.rawValue) &<< shift
    }
}

/// A member enum whose names ``consumeName(_:)`` knows.
protocol NamedMember: CaseIterable, RawRepresentable<UInt8> {
    func consumeName(_ cursor: inout JSONCursor) -> StringSpan?
    /// The member of raw value `rawValue`: `init(rawValue:)` written out, so that it is inlined
    /// (the synthesized one stayed a call, twice a member).
    static func member(_ rawValue: UInt8) -> Self?
}

extension RecordMember: NamedMember {}
extension StreamMember: NamedMember {}

extension JSONCursor {
    /// The member whose name is the decoded value of `key`, a name written with escapes (rare:
    /// DynamoDB writes none; a JSON reader takes `"event\u004eame"` for `eventName`, so a record
    /// with both has that member twice, and is refused as such).
    func member<Member: NamedMember>(spelling key: StringSpan) -> Member? {
        let quoted = [UInt8(ascii: "\"")] + decodedBytes(key) + [UInt8(ascii: "\""), UInt8(ascii: ":")]
        return quoted.withUnsafeBufferPointer { buffer in
            Member.allCases.first { member in
                var probe = JSONCursor(base: buffer.baseAddress!, end: buffer.count, at: 0)
                return member.consumeName(&probe) != nil && probe.pos == buffer.count
            }
        }
    }

    /// Reads past `quoted` (a member's `"name":`) when the input at the cursor is exactly that,
    /// and returns the name's span, as ``readKey()`` would have; nil (the cursor unmoved)
    /// otherwise.
    @inline(__always)
    mutating func consumeName(_ quoted: StaticString) -> StringSpan? {
        let start = pos
        guard consume(quoted) else { return nil }
        return StringSpan(start: start &+ 1, end: pos &- 2, hasEscapes: false)
    }

    /// Reads past `literal` when the input at the cursor is exactly it; false (the cursor
    /// unmoved) otherwise.
    @inline(__always)
    mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard count <= end &- pos, memcmpEqual(base + pos, literal.utf8Start, count) else { return false }
        pos &+= count
        return true
    }
}
