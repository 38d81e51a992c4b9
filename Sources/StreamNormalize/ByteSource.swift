/// Where input bytes come from: a file, standard input, a decompressor, memory.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer`; returns how many, 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// The rest of the input (from where reading stands) held in memory as it is (a mapped file),
    /// for a reader to read in place rather than copy out with ``read(into:)``; `nil` (the
    /// default) when the source does not hold it. A reader asks once, before its first read, and
    /// then reads nothing more from the source.
    mutating func bytesInPlace() -> InPlaceBytes?
}

extension ByteSource {
    public mutating func bytesInPlace() -> InPlaceBytes? { nil }
}

/// An input's bytes held in memory by its source and read in place (``ByteSource/bytesInPlace()``):
/// valid while the source is open.
public struct InPlaceBytes {
    /// The rest of the input.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Told an offset into `bytes` when nothing before it will be read again: the source may
    /// drop those bytes from memory.
    public let release: (Int) -> Void
    /// Whether to stop reading: the input then ends where reading stands (a stop request).
    public let isStopped: () -> Bool

    public init(bytes: UnsafeBufferPointer<UInt8>, release: @escaping (Int) -> Void = { _ in }, isStopped: @escaping () -> Bool = { false }) {
        self.bytes = bytes
        self.release = release
        self.isStopped = isStopped
    }
}

/// Bytes held in memory.
public struct MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    /// A source that yields `bytes`.
    public init<Bytes: Sequence<UInt8>>(_ bytes: Bytes) { self.bytes = Array(bytes) }

    /// At most `maxChunk` bytes per read, to exercise readers' chunk boundaries.
    public var maxChunk = Int.max

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position, maxChunk)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}
