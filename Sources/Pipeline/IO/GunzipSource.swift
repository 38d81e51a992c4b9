import CZlib
package import StreamNormalize

/// Decompresses a gzip stream (one member or several, as `cat a.gz b.gz` makes) while reading.
package struct GunzipSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private let path: String
    private var stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8]
    private var inputEnd = false
    private var memberEnded = false
    private var sawData = false

    package init(_ base: Base, path: String) {
        self.base = base
        self.path = path
        input = [UInt8](repeating: 0, count: 1 << 16)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + 15: a gzip header and the largest window.
        _ = czlib_inflateInit2(stream, 16 + 15)
    }

    /// Frees zlib's state; call once, after the last read.
    package func close() {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if stream.pointee.avail_in == 0 && !inputEnd {
                let count = try input.withUnsafeMutableBytes { try base.read(into: $0) }
                if count == 0 {
                    inputEnd = true
                } else {
                    sawData = true
                    input.withUnsafeMutableBufferPointer { stream.pointee.next_in = $0.baseAddress }
                    stream.pointee.avail_in = UInt32(count)
                }
            }
            if stream.pointee.avail_in == 0 && inputEnd {
                guard memberEnded || !sawData else { throw IOError(message: "\(path): gzip data ends before its end marker (truncated file)") }
                return 0
            }
            if memberEnded {
                // Another member follows: start afresh.
                inflateReset(stream)
                memberEnded = false
            }
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = UInt32(buffer.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.pointee.avail_out)
            switch status {
            case Z_STREAM_END: memberEnded = true
            case Z_OK, Z_BUF_ERROR: break
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw IOError(message: "\(path): not valid gzip data: \(reason)")
            }
            if produced > 0 { return produced }
        }
    }
}
