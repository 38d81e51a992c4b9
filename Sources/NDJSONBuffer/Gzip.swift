internal import CLibdeflate

/// gzip through libdeflate: deterministic bytes (no file name, no mtime), smaller and faster
/// than zlib at the same level.
public enum Gzip {
    /// Levels libdeflate accepts; 0 stores, 1–9 mean what they mean for gzip, 10–12 compress harder.
    public static let levels = 0...12

    /// The gzip member holding `data`, compressed at `level`.
    public static func compress(_ data: [UInt8], level: Int) -> [UInt8] {
        precondition(levels.contains(level), "gzip level \(level) is not in \(levels)")
        guard let compressor = libdeflate_alloc_compressor(Int32(level)) else {
            fatalError("libdeflate could not allocate a compressor (out of memory)")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, data.count)
        // Not zero-filled first: libdeflate writes every byte it reports (zeroing a batch's
        // bound cost 1% of `run`).
        return [UInt8](unsafeUninitializedCapacity: bound) { output, count in
            let written = data.withUnsafeBytes { input in
                libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
            }
            precondition(written > 0, "libdeflate_gzip_compress wrote nothing into a buffer of its own bound")
            count = written
        }
    }
}
