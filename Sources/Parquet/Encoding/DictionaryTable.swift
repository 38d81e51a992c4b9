/// A column chunk's dictionary: distinct values (raw bytes: 4 or 8 little-endian for integers, the
/// bytes themselves for byte arrays) in first-seen order, found again by an open-addressing hash
/// table. Values live back to back in one buffer, so adding one allocates nothing but growth.
struct DictionaryTable: Sendable {
    /// The values, concatenated.
    private(set) var data: [UInt8] = []
    /// Where each value starts in `data`, and one past the last value's end.
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slot → value index, -1 when empty; a power of two long, at most half full.
    private var slots: [Int32] = Array(repeating: -1, count: 256)

    /// The number of distinct values.
    var count: Int { offsets.count - 1 }

    /// The bytes of a PLAIN dictionary page of these values (a length prefix per byte array).
    func plainSize(lengthPrefixed: Bool) -> Int { data.count + (lengthPrefixed ? 4 * count : 0) }

    /// The index of the value, inserting it if the dictionary stays within `limit` PLAIN bytes;
    /// nil when it is new and does not fit. `isNew` says it was inserted.
    @inline(__always)
    mutating func index(of value: UnsafeRawBufferPointer, lengthPrefixed: Bool, limit: Int) -> (index: Int, isNew: Bool)? {
        let hash = Self.hash(value)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let found = Int(slots[slot])
            if found < 0 { break }
            if hashes[found] == hash && equals(found, value) { return (found, false) }
            slot = (slot + 1) & mask
        }
        guard plainSize(lengthPrefixed: lengthPrefixed) + value.count + (lengthPrefixed ? 4 : 0) <= limit else { return nil }
        let index = count
        data.append(raw: value)
        offsets.append(data.count)
        hashes.append(hash)
        slots[slot] = Int32(index)
        if count * 2 > slots.count { grow() }
        return (index, true)
    }

    /// The bytes of value `index`.
    @inline(__always)
    func withValue<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let start = offsets[index], end = offsets[index + 1]
        return data.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Forgets every value (a new column chunk), keeping the buffers' capacity.
    mutating func removeAll() {
        data.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
    }

    private func equals(_ index: Int, _ value: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[index], end = offsets[index + 1]
        guard end - start == value.count else { return false }
        return data.withUnsafeBytes { stored in
            var i = 0
            let count = value.count
            while i + 8 <= count {
                if stored.loadUnaligned(fromByteOffset: start + i, as: UInt64.self) != value.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                    return false
                }
                i += 8
            }
            while i < count {
                if stored[start + i] != value[i] { return false }
                i += 1
            }
            return true
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(index)
        }
        slots = bigger
    }

    /// A fast 64-bit hash of a byte string, 8 bytes a step (multiply-xorshift mixing).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let count = bytes.count
        while i + 8 <= count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < count {
                tail |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 32)
    }
}
