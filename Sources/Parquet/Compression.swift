internal import CLibdeflate
internal import CSnappy
internal import CZstd

extension Codec {
    /// The footer's `CompressionCodec`.
    var format: ParquetFormat.CompressionCodec {
        switch self {
        case .none: .uncompressed
        case .snappy: .snappy
        case .gzip: .gzip
        case .zstd: .zstd
        }
    }

    /// Why this codec cannot be used, or nil.
    var problem: String? {
        switch self {
        case .none, .snappy: return nil
        case .gzip(let level):
            return (0...12).contains(level) ? nil : "gzip level \(level) is outside libdeflate's 0...12"
        case .zstd(let level):
            let range = Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel())
            return range.contains(level) ? nil : "zstd level \(level) is outside libzstd's \(range)"
        }
    }

    /// Compresses `input` into `scratch` (grown as needed, never shrunk) and returns the compressed
    /// length; `.none` is not passed here (its pages are used as they are).
    ///
    /// Each call is self-contained (no context kept between pages), so the same input always gives
    /// the same bytes and the writer stays a plain value.
    func compress(_ input: UnsafeRawBufferPointer, into scratch: inout [UInt8]) throws(ParquetError) -> Int {
        switch self {
        case .none:
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: input)
            return input.count
        case .snappy:
            let bound = snappy_max_compressed_length(input.count)
            if scratch.count < bound { scratch.append(contentsOf: repeatElement(0, count: bound - scratch.count)) }
            var length = scratch.count
            let status = scratch.withUnsafeMutableBytes { out in
                snappy_compress(
                    input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                    out.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            }
            guard status == SNAPPY_OK else { throw ParquetError(.compressionFailed, "snappy_compress failed (status \(status.rawValue)) on a page of \(input.count) bytes") }
            return length
        case .gzip(let level):
            let bound = libdeflate_gzip_compress_bound(nil, input.count)
            if scratch.count < bound { scratch.append(contentsOf: repeatElement(0, count: bound - scratch.count)) }
            guard let compressor = libdeflate_alloc_compressor(Int32(level)) else {
                throw ParquetError(.compressionFailed, "libdeflate_alloc_compressor(\(level)) failed")
            }
            defer { libdeflate_free_compressor(compressor) }
            let length = scratch.withUnsafeMutableBytes { out in
                libdeflate_gzip_compress(compressor, input.baseAddress, input.count, out.baseAddress, out.count)
            }
            guard length > 0 else { throw ParquetError(.compressionFailed, "libdeflate_gzip_compress failed on a page of \(input.count) bytes") }
            return length
        case .zstd(let level):
            let bound = ZSTD_compressBound(input.count)
            if scratch.count < bound { scratch.append(contentsOf: repeatElement(0, count: bound - scratch.count)) }
            let length = scratch.withUnsafeMutableBytes { out in
                ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, Int32(level))
            }
            guard ZSTD_isError(length) == 0 else {
                throw ParquetError(.compressionFailed, "ZSTD_compress failed on a page of \(input.count) bytes: \(String(cString: ZSTD_getErrorName(length)))")
            }
            return length
        }
    }
}
