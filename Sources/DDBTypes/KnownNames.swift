/// Attribute names the transcoder has read before, each with a small number (its id), so that a
/// name that comes again (nearly every one: a table's items share their names) is recognised by
/// one hashed load and a comparison rather than scanned byte by byte, and checked against the
/// other names of its map by a bit rather than by comparing it with them.
///
/// A name is learned once it was read in full (``JSONCursor/readKey()``) with no escapes, in
/// compact input (`"name":` with nothing between), and at most ``maxLength`` bytes long; names
/// with equal bytes share one id, so two different ids are two different names. At most
/// ``capacity`` names are learned (an id is a bit of one word); past that, names are read as
/// before.
///
/// A name is looked up by its *signature*, the eight bytes after its opening quote: the first
/// eight bytes of a longer name, or all of a shorter one with the `":` and the start of its value
/// (`{"S":` and the like) after it, which in compact input are the same each time the name comes
/// with a value of the same type. Each signature has a slot and its neighbour, so that two names
/// that start alike (`updated_at`, `updated_by`) both have one. A match is confirmed by the closing
/// quote and `:` at the name's length, and for a name longer than eight bytes by comparing the
/// rest, so a name matched has exactly the bytes of one read, checked, before.
///
/// Value semantics the copy-on-write way: ``learn(_:in:_:compact:)`` makes the storage its own first.
package struct KnownNames {
    /// Names learned at most (ids 0..<64: one bit each in a word).
    package static var capacity: Int { 64 }
    /// The longest name learned, in bytes.
    package static var maxLength: Int { 64 }
    /// Slots of the signature table (a power of two).
    static var slotCount: Int { 256 }

    final class Storage {
        /// Each slot's signature and its name's id + 1 (0: empty).
        let signatures = UnsafeMutablePointer<UInt64>.allocate(capacity: KnownNames.slotCount)
        let ids = UnsafeMutablePointer<UInt8>.allocate(capacity: KnownNames.slotCount)
        /// Each id's length, and its bytes at `id * maxLength`.
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: KnownNames.capacity)
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: KnownNames.capacity * KnownNames.maxLength)
        var count = 0

        init() {
            signatures.initialize(repeating: 0, count: KnownNames.slotCount)
            ids.initialize(repeating: 0, count: KnownNames.slotCount)
            lengths.initialize(repeating: 0, count: KnownNames.capacity)
            bytes.initialize(repeating: 0, count: KnownNames.capacity * KnownNames.maxLength)
        }

        func copy() -> Storage {
            let copy = Storage()
            copy.signatures.update(from: signatures, count: KnownNames.slotCount)
            copy.ids.update(from: ids, count: KnownNames.slotCount)
            copy.lengths.update(from: lengths, count: KnownNames.capacity)
            copy.bytes.update(from: bytes, count: KnownNames.capacity * KnownNames.maxLength)
            copy.count = count
            return copy
        }

        deinit {
            signatures.deallocate()
            ids.deallocate()
            lengths.deallocate()
            bytes.deallocate()
        }
    }

    private var storage = Storage()
    /// Whether names are learned at all (tests compare the transcoder with and without).
    private let learns: Bool

    package init(learning: Bool = true) {
        learns = learning
    }

    /// The number of names learned.
    package var count: Int { storage.count }

    /// The bytes of the name learned as `id` (valid while this value is).
    package func name(_ id: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(id >= 0 && id < storage.count, "KnownNames.name(_:) of an id not learned")
        return UnsafeBufferPointer(start: storage.bytes + id &* Self.maxLength, count: storage.lengths[id])
    }

    @inline(__always)
    private static func slot(of signature: UInt64) -> Int {
        Int(truncatingIfNeeded: (signature &* 0x9E37_79B9_7F4A_7C15) &>> 56)
    }

    /// The id of the learned name whose opening quote is at `quote`, and where its closing quote
    /// lies, when the bytes there are `"`, a learned name and `":`; nil otherwise.
    @inline(__always)
    package func match(_ base: UnsafePointer<UInt8>, _ end: Int, quote: Int) -> (id: Int, close: Int)? {
        guard quote &+ 9 <= end, base[quote] == UInt8(ascii: "\"") else { return nil }
        let signature = UnsafeRawPointer(base + (quote &+ 1)).loadUnaligned(as: UInt64.self)
        let slot = Self.slot(of: signature)
        if let found = candidate(slot, signature, base, end, quote) { return found }
        return candidate(slot ^ 1, signature, base, end, quote)
    }

    /// The name in `slot`, if it has `signature` and the bytes at `quote` are it and `":`.
    @inline(__always)
    private func candidate(_ slot: Int, _ signature: UInt64, _ base: UnsafePointer<UInt8>, _ end: Int, _ quote: Int) -> (id: Int, close: Int)? {
        let storage = self.storage
        let entry = Int(storage.ids[slot])
        guard entry != 0, storage.signatures[slot] == signature else { return nil }
        let id = entry &- 1
        let length = storage.lengths[id]
        let close = quote &+ 1 &+ length
        guard close &+ 1 < end, base[close] == UInt8(ascii: "\""), base[close &+ 1] == UInt8(ascii: ":") else { return nil }
        if length > 8 {
            // The signature held the first eight bytes; the last eight (overlapping them in a name
            // shorter than 16) hold the rest of most names.
            let stored = UnsafeRawPointer(storage.bytes + id &* Self.maxLength), text = UnsafeRawPointer(base + (quote &+ 1))
            let tail = length &- 8
            guard stored.loadUnaligned(fromByteOffset: tail, as: UInt64.self) == text.loadUnaligned(fromByteOffset: tail, as: UInt64.self),
                length <= 16 || Self.middleEqual(stored, text, length)
            else { return nil }
        }
        return (id, close)
    }

    /// Whether the bytes 8..<length-8 of a name longer than 16 bytes are the same in both; out of
    /// line, as such names are few, to keep the member loop small.
    @inline(never)
    private static func middleEqual(_ stored: UnsafeRawPointer, _ text: UnsafeRawPointer, _ length: Int) -> Bool {
        memcmpEqual(stored.assumingMemoryBound(to: UInt8.self) + 8, text.assumingMemoryBound(to: UInt8.self) + 8, length &- 16)
    }

    /// Learns `name` (read in full at `base`, its `":` right after it when `compact`) if it can be,
    /// and returns its id; -1 when it cannot be learned (escapes, not compact, too long, too near
    /// the end of the input for its signature, or no room left).
    package mutating func learn(_ name: StringSpan, in base: UnsafePointer<UInt8>, _ end: Int, compact: Bool) -> Int {
        guard learns, !name.hasEscapes, compact, name.count <= Self.maxLength, name.start &+ 8 <= end, storage.count < Self.capacity else {
            return -1
        }
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        let storage = self.storage
        let text = base + name.start
        var id = -1
        for candidate in 0..<storage.count
        where storage.lengths[candidate] == name.count && memcmpEqual(storage.bytes + candidate &* Self.maxLength, text, name.count) {
            id = candidate
            break
        }
        if id < 0 {
            id = storage.count
            storage.count &+= 1
            storage.lengths[id] = name.count
            (storage.bytes + id &* Self.maxLength).update(from: text, count: name.count)
        }
        // The signature's slot, or its neighbour when the slot holds another name and the
        // neighbour is free; when both hold others, the slot's name gives way.
        let signature = UnsafeRawPointer(text).loadUnaligned(as: UInt64.self)
        var slot = Self.slot(of: signature)
        let holdsOther = storage.ids[slot] != 0 && storage.ids[slot] != UInt8(id &+ 1)
        if holdsOther && storage.ids[slot ^ 1] == 0 { slot ^= 1 }
        storage.signatures[slot] = signature
        storage.ids[slot] = UInt8(id &+ 1)
        return id
    }
}
