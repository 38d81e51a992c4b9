/// Where the transcoder writes an item's row JSON: a growable byte buffer behind a raw pointer.
///
/// The transcoder writes a few bytes at a time (`,"name":`, a short value, a bracket); appending
/// each to an `[UInt8]` pays a uniqueness check and a generic copy every time, which showed as a
/// seventh of `transform`'s time. Here an append is one capacity comparison and a copy.
///
/// Value semantics the copy-on-write way, checked once per item rather than once per byte:
/// ``begin()`` gives the writer storage of its own before it is written to, so copies of a
/// transcoder never write into each other's bytes.
@usableFromInline package struct RowWriter {
    /// Owns the memory and frees it; the writer keeps its own pointer to it for the hot path.
    @usableFromInline final class Storage {
        @usableFromInline let bytes: UnsafeMutablePointer<UInt8>
        @usableFromInline let capacity: Int

        @usableFromInline init(capacity: Int) {
            self.capacity = capacity
            bytes = .allocate(capacity: capacity)
        }

        deinit { bytes.deallocate() }
    }

    @usableFromInline var storage: Storage
    @usableFromInline var bytes: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// How many bytes were written since ``begin()``.
    @usableFromInline package internal(set) var count = 0

    package init(capacity: Int = 16 << 10) {
        storage = Storage(capacity: max(capacity, 16))
        bytes = storage.bytes
        self.capacity = storage.capacity
    }

    /// Empties the writer, making its storage its own first (a copy of the writer may share it).
    @inlinable @inline(__always)
    package mutating func begin() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = Storage(capacity: capacity)
            bytes = storage.bytes
        }
        count = 0
    }

    /// What was written since ``begin()``; valid until the next write.
    @inlinable package var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: count) }

    @inlinable @inline(__always)
    package mutating func append(_ byte: UInt8) {
        if count == capacity { grow(minimum: count &+ 1) }
        bytes[count] = byte
        count &+= 1
    }

    /// Appends `length` bytes from `source`, which must not point into this writer.
    @inlinable @inline(__always)
    package mutating func append(_ source: UnsafePointer<UInt8>, count length: Int) {
        if length > capacity &- count { grow(minimum: count + length) }
        Self.copy(source, to: bytes + count, count: length)
        count &+= length
    }

    /// Appends `length` bytes from `source`, from which `readable` bytes (at least `length`) may
    /// be read, and which must not point into this writer: up to 32 bytes by copying 32 whatever
    /// the length (the bytes past `length` are written over later), so that the copy does not
    /// branch on the length of names and values, which vary from one to the next.
    @inlinable @inline(__always)
    package mutating func append(_ source: UnsafePointer<UInt8>, count length: Int, readable: Int) {
        guard length <= 32 && readable >= 32 else { return append(source, count: length) }
        if 32 > capacity &- count { grow(minimum: count + 32) }
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(bytes + count)
        to.storeBytes(of: from.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        to.storeBytes(of: (from + 16).loadUnaligned(as: SIMD16<UInt8>.self), toByteOffset: 16, as: SIMD16<UInt8>.self)
        count &+= length
    }

    /// Copies `length` bytes; most are names and short values, which two overlapping loads copy
    /// without a call to `memcpy` (up to 32 bytes). Every load and store stays inside the `length` bytes.
    @inlinable @inline(__always)
    package static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count length: Int) {
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
        } else if length <= 32 {
            // Metadata fragments, ARNs, event IDs and most string values: two 16-byte halves.
            let head = from.loadUnaligned(as: SIMD16<UInt8>.self)
            let tail = from.loadUnaligned(fromByteOffset: length &- 16, as: SIMD16<UInt8>.self)
            to.storeBytes(of: head, as: SIMD16<UInt8>.self)
            to.storeBytes(of: tail, toByteOffset: length &- 16, as: SIMD16<UInt8>.self)
        } else {
            target.initialize(from: source, count: length)
        }
    }

    /// Appends the bytes of `buffer`, which must not point into this writer.
    @inlinable @inline(__always)
    package mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        if let base = buffer.baseAddress { append(base, count: buffer.count) }
    }

    /// Appends `length` copies of `byte`.
    @inlinable @inline(__always)
    package mutating func append(_ byte: UInt8, count length: Int) {
        if length > capacity &- count { grow(minimum: count + length) }
        (bytes + count).initialize(repeating: byte, count: length)
        count &+= length
    }

    /// Appends again the `length` bytes written from `offset` on.
    @inlinable @inline(__always)
    package mutating func appendWritten(from offset: Int, count length: Int) {
        precondition(offset >= 0 && length >= 0 && offset &+ length <= count, "RowWriter.appendWritten past the bytes written")
        if length > capacity &- count { grow(minimum: count + length) }
        Self.copy(bytes + offset, to: bytes + count, count: length)
        count &+= length
    }

    /// Writes at most `maximum` bytes where the next byte goes, through `body`, which returns how
    /// many it wrote: for a part of a row of known largest size, written without a capacity check
    /// per piece.
    @inlinable @inline(__always)
    package mutating func write(atMost maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if maximum > capacity &- count { grow(minimum: count + maximum) }
        let written = body(bytes + count)
        precondition(written >= 0 && written <= maximum, "RowWriter.write(atMost:) wrote more than it said")
        count &+= written
    }

    /// Writes the `count` (at most 20) last decimal digits of `value` at `target`, zero-padded.
    @inlinable @inline(__always)
    package static func putDigits(_ value: UInt64, count: Int, at target: UnsafeMutablePointer<UInt8>) {
        let pairs = digitPairs.utf8Start
        var index = count
        var rest = value
        while index >= 2 {
            let quotient = rest / 100
            let pair = Int(truncatingIfNeeded: rest &- quotient &* 100) &* 2
            index &-= 2
            target[index] = pairs[pair]
            target[index &+ 1] = pairs[pair &+ 1]
            rest = quotient
        }
        if index == 1 { target[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10) }
    }

    /// Forgets what was written after the first `count` bytes (a row that failed part-way).
    @inlinable @inline(__always)
    package mutating func removeLast(from count: Int) {
        precondition(count >= 0 && count <= self.count, "RowWriter.removeLast(from:) past the bytes written")
        self.count = count
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits (at most 20).
    ///
    /// Two digits per division (by 100, which compiles to a multiplication), from a table of the
    /// hundred pairs: every row has about 70 digits of metadata (`_seq`, `_approxStreamTs`).
    @inlinable @inline(__always)
    package mutating func appendDecimal(_ value: UInt64, width: Int = 1) {
        var length = Swift.min(Swift.max(width, 1), 20)
        var limit: UInt64 = 1
        for _ in 0..<Swift.min(length, 19) { limit &*= 10 }
        while length < 20 && value >= limit {
            length &+= 1
            if length < 20 { limit &*= 10 }
        }
        if length > capacity &- count { grow(minimum: count + length) }
        Self.putDigits(value, count: length, at: bytes + count)
        count &+= length
    }

    /// `00`, `01`, … `99`, back to back.
    @inlinable static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// Appends `value` in decimal, with a `-` first when it is negative.
    @inlinable @inline(__always)
    package mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude)
    }

    package mutating func append(contentsOf array: [UInt8]) {
        array.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { append(base, count: buffer.count) }
        }
    }

    @inlinable @inline(__always)
    package mutating func append(_ literal: StaticString) {
        append(literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// Moves to storage at least twice as large; rare (the storage is kept from item to item).
    @usableFromInline @inline(never)
    mutating func grow(minimum: Int) {
        let larger = Storage(capacity: max(minimum, capacity * 2))
        larger.bytes.initialize(from: bytes, count: count)
        storage = larger
        bytes = larger.bytes
        capacity = larger.capacity
    }
}
