/// Where input bytes come from: a file, standard input, a decompressor, memory.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer`; returns how many, 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
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
