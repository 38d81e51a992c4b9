import CZlib
package import ProcessKit
package import StreamNormalize

/// Decompresses a gzip stream (one member or several, as `cat a.gz b.gz` makes) while reading.
package struct GunzipSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private let path: String
    private var stream: UnsafeMutablePointer<z_stream>
    /// Compressed bytes zlib reads from: memory of our own, so `next_in` may point into it between
    /// calls (a pointer out of an array's `withUnsafe…` closure may not outlive the closure).
    private let input: UnsafeMutableBufferPointer<UInt8>
    private var inputEnd = false
    private var memberEnded = false
    private var sawData = false
    private let stop: StopRequest?
    /// Bytes read from `base` and bytes handed out, for errors.
    private var compressedBytes = 0
    private var decompressedBytes = 0
    /// An error found after the data before it was decompressed: thrown once that data is handed out.
    private var pending: IOError?

    /// Decompresses `base`, read from `path` (named in errors).
    /// - Parameter stop: when requested, `base` ends early (see ``FileSource/stop``): that is the
    ///   end of the input, not a truncated file.
    package init(_ base: Base, path: String, stop: StopRequest? = nil) {
        self.base = base
        self.path = path
        self.stop = stop
        input = .allocate(capacity: 1 << 16)
        input.initialize(repeating: 0)
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
        input.deallocate()
    }

    package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let pending { throw pending }
        while true {
            if stream.pointee.avail_in == 0 && !inputEnd {
                let count = try base.read(into: UnsafeMutableRawBufferPointer(input))
                if count == 0 {
                    inputEnd = true
                } else {
                    sawData = true
                    compressedBytes += count
                    stream.pointee.next_in = input.baseAddress
                    stream.pointee.avail_in = UInt32(count)
                }
            }
            if stream.pointee.avail_in == 0 && inputEnd {
                guard memberEnded || !sawData || stop?.isRequested == true else {
                    throw IOError(
                        message: "\(path): gzip data ends before its end marker after \(decompressedBytes) bytes of data from \(compressedBytes) bytes of gzip (truncated file)")
                }
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
                let check = reason == "incorrect data check" ? "fails its CRC-32 check" : reason == "incorrect length check" ? "fails its length check" : nil
                let at = "after \(decompressedBytes + produced) bytes of data from \(compressedBytes - Int(stream.pointee.avail_in)) bytes of gzip"
                let error = IOError(message: check.map { "\(path): gzip data \($0) \(at): the file is corrupt" } ?? "\(path): not valid gzip data \(at): \(reason)")
                // zlib checks the trailer after handing out the member's last bytes: hand them
                // out too (they are counted and turned into rows like the rest), then fail.
                guard produced > 0 else { throw error }
                pending = error
            }
            decompressedBytes += produced
            if produced > 0 { return produced }
        }
    }
}
