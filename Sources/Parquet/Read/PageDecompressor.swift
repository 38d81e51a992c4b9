internal import CLibdeflate
internal import CSnappy
internal import CZstd

/// A page's bytes decompressed by its column chunk's codec, through the system libraries.
enum PageDecompressor {
    /// The largest page this reader inflates: a header claiming more is corrupt or hostile (writers
    /// close pages at about 1 MiB).
    static let maxPageBytes = 1 << 30

    /// Decompresses `bytes[range]` into exactly `size` bytes.
    /// - Throws: ``ParquetError/Code/malformedPage`` naming `place` when the data does not
    ///   decompress or not to `size` bytes; ``ParquetError/Code/unsupported`` for LZO, Brotli, LZ4.
    static func decompress(
        _ bytes: [UInt8], range: Range<Int>, codec: ParquetFormat.CompressionCodec, size: Int, place: String
    ) throws(ParquetError) -> [UInt8] {
        guard size >= 0, size <= maxPageBytes else {
            throw ParquetError(.malformedPage, "\(place): uncompressed size \(size) is outside 0...\(maxPageBytes)")
        }
        if codec == .uncompressed {
            guard range.count == size else {
                throw ParquetError(.malformedPage, "\(place): uncompressed page of \(range.count) bytes says it has \(size)")
            }
            return Array(bytes[range])
        }
        var output = [UInt8](repeating: 0, count: size)
        let problem: String? = bytes.withUnsafeBytes { all in
            let input = UnsafeRawBufferPointer(rebasing: all[range])
            return output.withUnsafeMutableBytes { out -> String? in
                switch codec {
                case .snappy: return snappy(input, out)
                case .zstd: return zstd(input, out)
                case .gzip: return gzip(input, out)
                default: return nil
                }
            }
        }
        switch codec {
        case .snappy, .zstd, .gzip: break
        default:
            throw ParquetError(.unsupported, "\(place): compression codec \(codec.rawValue) is not read (only UNCOMPRESSED, SNAPPY, GZIP, ZSTD)")
        }
        if let problem { throw ParquetError(.malformedPage, "\(place): \(problem)") }
        return output
    }

    private static func snappy(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer) -> String? {
        let source = input.baseAddress?.assumingMemoryBound(to: CChar.self)
        var length = 0
        guard snappy_uncompressed_length(source, input.count, &length) == SNAPPY_OK else {
            return "snappy data of \(input.count) bytes has no valid length"
        }
        guard length == out.count else { return "snappy data holds \(length) bytes, the header says \(out.count)" }
        // snappy_uncompress wants a non-null destination even for zero bytes.
        var empty: CChar = 0
        let destination = out.baseAddress?.assumingMemoryBound(to: CChar.self) ?? withUnsafeMutablePointer(to: &empty) { $0 }
        guard snappy_uncompress(source, input.count, destination, &length) == SNAPPY_OK, length == out.count else {
            return "snappy data of \(input.count) bytes does not decompress"
        }
        return nil
    }

    private static func zstd(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer) -> String? {
        let written = ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
        if ZSTD_isError(written) != 0 {
            return "zstd data of \(input.count) bytes does not decompress into \(out.count) bytes: \(String(cString: ZSTD_getErrorName(written)))"
        }
        guard written == out.count else { return "zstd data holds \(written) bytes, the header says \(out.count)" }
        return nil
    }

    /// One or more gzip members (RFC 1952) filling `out` exactly.
    private static func gzip(_ input: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer) -> String? {
        guard let decompressor = libdeflate_alloc_decompressor() else { return "libdeflate_alloc_decompressor failed" }
        defer { libdeflate_free_decompressor(decompressor) }
        var consumed = 0, produced = 0
        repeat {
            var memberIn = 0, memberOut = 0
            let result = libdeflate_gzip_decompress_ex(
                decompressor, input.baseAddress.map { $0 + consumed }, input.count - consumed,
                out.baseAddress.map { $0 + produced }, out.count - produced, &memberIn, &memberOut)
            guard result == LIBDEFLATE_SUCCESS else {
                return result == LIBDEFLATE_INSUFFICIENT_SPACE
                    ? "gzip data holds more than the \(out.count) bytes the header says"
                    : "gzip data of \(input.count) bytes does not decompress (member at byte \(consumed))"
            }
            consumed += memberIn
            produced += memberOut
        } while consumed < input.count && produced < out.count
        guard produced == out.count else { return "gzip data holds \(produced) bytes, the header says \(out.count)" }
        guard consumed == input.count else { return "\(input.count - consumed) bytes after the gzip data" }
        return nil
    }
}
