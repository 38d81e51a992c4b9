/// Where the transcoder writes an item's row JSON: a growable byte buffer behind a raw pointer.
///
/// The transcoder writes a few bytes at a time (`,"name":`, a short value, a bracket); appending
/// each to an `[UInt8]` pays a uniqueness check and a generic copy every time, which showed as a
/// seventh of `transform`'s time. Here an append is one capacity comparison and a copy.
///
/// Value semantics the copy-on-write way, checked once per item rather than once per byte:
/// ``begin()`` gives the writer storage of its own before it is written to, so copies of a
/// transcoder never write into each other's bytes.
package struct RowWriter {
    /// Owns the memory and frees it; the writer keeps its own pointer to it for the hot path.
    private final class Storage {
        let bytes: UnsafeMutablePointer<UInt8>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            bytes = .allocate(capacity: capacity)
        }

        deinit { bytes.deallocate() }
    }

    private var storage: Storage
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes were written since ``begin()``.
    package private(set) var count = 0

    package init(capacity: Int = 16 << 10) {
        storage = Storage(capacity: max(capacity, 16))
        bytes = storage.bytes
        self.capacity = storage.capacity
    }

    /// Empties the writer, making its storage its own first (a copy of the writer may share it).
    @inline(__always)
    package mutating func begin() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = Storage(capacity: capacity)
            bytes = storage.bytes
        }
        count = 0
    }

    /// What was written since ``begin()``; valid until the next write.
    package var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: count) }

    @inline(__always)
    package mutating func append(_ byte: UInt8) {
        if count == capacity { grow(minimum: count &+ 1) }
        bytes[count] = byte
        count &+= 1
    }

    /// Appends `length` bytes from `source`, which must not point into this writer.
    @inline(__always)
    package mutating func append(_ source: UnsafePointer<UInt8>, count length: Int) {
        if length > capacity &- count { grow(minimum: count + length) }
        copy(source, to: bytes + count, count: length)
        count &+= length
    }

    /// Copies `length` bytes; most are names and short values, which two overlapping loads copy
    /// without a call to `memcpy`. Every load and store stays inside the `length` bytes.
    @inline(__always)
    private func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count length: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        if length >= 8 && length <= 16 {
            let head = from.loadUnaligned(as: UInt64.self)
            let tail = from.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: length &- 8, as: UInt64.self)
        } else if length >= 4 && length < 8 {
            let head = from.loadUnaligned(as: UInt32.self)
            let tail = from.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: length &- 4, as: UInt32.self)
        } else if length < 4 {
            for index in 0..<length { target[index] = source[index] }
        } else {
            target.initialize(from: source, count: length)
        }
    }

    package mutating func append(contentsOf array: [UInt8]) {
        array.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { append(base, count: buffer.count) }
        }
    }

    @inline(__always)
    package mutating func append(_ literal: StaticString) {
        append(literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// Moves to storage at least twice as large; rare (the storage is kept from item to item).
    @inline(never)
    private mutating func grow(minimum: Int) {
        let larger = Storage(capacity: max(minimum, capacity * 2))
        larger.bytes.initialize(from: bytes, count: count)
        storage = larger
        bytes = larger.bytes
        capacity = larger.capacity
    }
}
