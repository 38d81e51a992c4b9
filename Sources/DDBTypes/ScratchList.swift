/// A growable list of plain values (``StringSpan``s, ranges) behind a raw pointer: the
/// transcoder's scratch lists of member names and value ranges, appended to a few times per item.
///
/// An `Array` pays a uniqueness check (a runtime call) and a generic append on every append and
/// every removal; callgrind counted about 6% of `transform`'s instructions there. Here an append
/// is one capacity comparison and a store.
///
/// Value semantics the copy-on-write way, as ``RowWriter`` has them, checked once per use rather
/// than once per append: ``removeAll()`` gives the list storage of its own, so a list is written
/// only after it (a copy never sees the other's later appends or removals).
@usableFromInline package struct ScratchList<Element>: RandomAccessCollection {
    /// Owns the memory and frees it; the list keeps its own pointer to it for the hot path.
    @usableFromInline final class Storage {
        @usableFromInline let elements: UnsafeMutablePointer<Element>
        @usableFromInline let capacity: Int

        @usableFromInline init(capacity: Int) {
            self.capacity = capacity
            elements = .allocate(capacity: capacity)
        }

        deinit { elements.deallocate() }
    }

    @usableFromInline var storage: Storage
    @usableFromInline var elements: UnsafeMutablePointer<Element>
    @usableFromInline var capacity: Int
    @usableFromInline package private(set) var count = 0

    package init(capacity: Int = 64) {
        // Elements are never deinitialized: only trivial ones (`Range<Int>` is not `BitwiseCopyable`).
        precondition(_isPOD(Element.self), "ScratchList holds plain values only")
        storage = Storage(capacity: Swift.max(capacity, 4))
        elements = storage.elements
        self.capacity = storage.capacity
    }

    /// Empties the list, making its storage its own first (a copy of the list may share it).
    @inlinable
    package mutating func removeAll() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = Storage(capacity: capacity)
            elements = storage.elements
        }
        count = 0
    }

    /// Forgets the elements from `index` on.
    @inlinable @inline(__always)
    package mutating func removeLast(from index: Int) {
        precondition(index >= 0 && index <= count, "ScratchList.removeLast(from:) past the end")
        count = index
    }

    @inlinable @inline(__always)
    package mutating func append(_ element: Element) {
        if count == capacity { grow(minimum: count &+ 1) }
        (elements + count).initialize(to: element)
        count &+= 1
    }

    /// Appends the elements of `other` from `start` on.
    @inlinable
    package mutating func append(contentsOf other: ScratchList, from start: Int = 0) {
        precondition(start >= 0 && start <= other.count, "ScratchList.append(contentsOf:from:) past the end")
        let length = other.count &- start
        if length > capacity &- count { grow(minimum: count + length) }
        (elements + count).initialize(from: other.elements + start, count: length)
        count &+= length
    }

    /// The elements, valid until the next change.
    @inlinable package var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: elements, count: count) }

    @inlinable package var startIndex: Int { 0 }
    @inlinable package var endIndex: Int { count }

    @inlinable package subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "ScratchList index out of range")
        return elements[index]
    }

    /// Moves to storage at least twice as large; rare (the storage is kept from item to item).
    @usableFromInline @inline(never)
    mutating func grow(minimum: Int) {
        let larger = Storage(capacity: Swift.max(minimum, capacity * 2))
        larger.elements.initialize(from: elements, count: count)
        storage = larger
        elements = larger.elements
        capacity = larger.capacity
    }
}
