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
}

/// Compresses pages with one codec, keeping the codec's context (libdeflate's compressor, zstd's
/// `ZSTD_CCtx`) from page to page: made on the first page, freed with the value. A writer makes
/// one for the pages it cuts together (a row group's chunks), not one per page: a context costs
/// allocations and table set-up that small pages of many columns would otherwise pay each time.
///
/// Each page is still compressed on its own (a whole gzip member or zstd frame, no history kept
/// between pages), so a page's bytes do not depend on the pages before it.
struct PageCompressor: ~Copyable {
    let codec: Codec
    private var deflater: OpaquePointer?
    private var zstd: OpaquePointer?

    init(_ codec: Codec) {
        self.codec = codec
    }

    deinit {
        if let deflater { libdeflate_free_compressor(deflater) }
        if let zstd { ZSTD_freeCCtx(zstd) }
    }

    /// Compresses `input` into `scratch` (grown as needed, never shrunk) and returns the compressed
    /// length; `.none` copies.
    mutating func compress(_ input: UnsafeRawBufferPointer, into scratch: inout [UInt8]) throws(ParquetError) -> Int {
        switch codec {
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
            if deflater == nil {
                guard let made = libdeflate_alloc_compressor(Int32(level)) else {
                    throw ParquetError(.compressionFailed, "libdeflate_alloc_compressor(\(level)) failed")
                }
                deflater = made
            }
            let compressor = deflater
            let bound = libdeflate_gzip_compress_bound(compressor, input.count)
            if scratch.count < bound { scratch.append(contentsOf: repeatElement(0, count: bound - scratch.count)) }
            let length = scratch.withUnsafeMutableBytes { out in
                libdeflate_gzip_compress(compressor, input.baseAddress, input.count, out.baseAddress, out.count)
            }
            guard length > 0 else { throw ParquetError(.compressionFailed, "libdeflate_gzip_compress failed on a page of \(input.count) bytes") }
            return length
        case .zstd(let level):
            if zstd == nil {
                guard let made = ZSTD_createCCtx() else { throw ParquetError(.compressionFailed, "ZSTD_createCCtx failed") }
                zstd = made
            }
            let context = zstd
            let bound = ZSTD_compressBound(input.count)
            if scratch.count < bound { scratch.append(contentsOf: repeatElement(0, count: bound - scratch.count)) }
            // One-shot, like ZSTD_compress (which is this call on a fresh context): the same page gives the same frame.
            let length = scratch.withUnsafeMutableBytes { out in
                ZSTD_compressCCtx(context, out.baseAddress, out.count, input.baseAddress, input.count, Int32(level))
            }
            guard ZSTD_isError(length) == 0 else {
                throw ParquetError(.compressionFailed, "ZSTD_compress failed on a page of \(input.count) bytes: \(String(cString: ZSTD_getErrorName(length)))")
            }
            return length
        }
    }
}
