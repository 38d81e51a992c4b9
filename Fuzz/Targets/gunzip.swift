// libFuzzer target: the gzip input path (GunzipSource, then ChangeStreamReader as `run` reads a
// `.gz` file).
//
// Two kinds of input, told apart by the gzip magic number:
// - gzip data (starts 1F 8B): decompressed with base reads and output buffers of sizes derived
//   from the input; every chunking must give the same bytes, or fail with the same error. No crash,
//   no sanitizer report, no error but IOError.
// - anything else: compressed here with zlib into one to three gzip members (as `cat a.gz b.gz`
//   makes), then GunzipSource must give back exactly the input, whatever the chunking; the same
//   stream cut inside its last member must fail (a truncated file is never read as complete); and
//   ChangeStreamReader must read the same rows and set aside the same pieces through GunzipSource
//   as from the plain bytes.
// A broken invariant traps, which libFuzzer reports as a crash and saves the input.
import CZlib
import DDBTypes
import Pipeline
import ProcessKit
import StreamNormalize

private func fail(_ message: String, _ input: UnsafeBufferPointer<UInt8>) -> Never {
    print("gunzip invariant broken: \(message)")
    print("input (\(input.count) bytes), base64: \(String(decoding: { var out: [UInt8] = []; Base64.encode(Array(input.prefix(3000)), to: &out); return out }(), as: UTF8.self))")
    fatalError(message)
}

private func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return h
}

/// More output than this (a decompression bomb) stops reading: enough to cross every boundary.
private let outputLimit = 1 << 20

/// Everything GunzipSource yields from `gzip`, or the error it throws.
private func gunzip(_ gzip: [UInt8], baseChunk: Int, readSize: Int, input: UnsafeBufferPointer<UInt8>) -> Result<[UInt8], IOError> {
    var memory = MemorySource(gzip)
    memory.maxChunk = baseChunk
    var source = GunzipSource(memory, path: "fuzz.gz")
    defer { source.close() }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: readSize)
    do {
        while out.count < outputLimit {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            guard count <= readSize else { fail("read returned \(count) for a \(readSize)-byte buffer", input) }
            if count == 0 { break }
            out.append(contentsOf: buffer[..<count])
        }
        return .success(out)
    } catch let error as IOError {
        return .failure(error)
    } catch {
        fail("unexpected error \(error)", input)
    }
}

/// `bytes` as one gzip member, compressed at `level`.
private func gzipMember(_ bytes: ArraySlice<UInt8>, level: Int32) -> [UInt8] {
    var stream = z_stream()
    // deflateInit2 is a macro: call the function behind it. 31: a gzip wrapper, largest window.
    guard deflateInit2_(&stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { fatalError("deflateInit2 failed") }
    defer { deflateEnd(&stream) }
    var input = Array(bytes)
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
    let status = input.withUnsafeMutableBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            stream.next_out = target.baseAddress
            stream.avail_out = UInt32(target.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { fatalError("deflate gave \(status)") }
    out.removeSubrange(Int(stream.total_out)...)
    return out
}

private struct Read: Equatable {
    var rows: [[UInt8]] = []
    var setAside: [[UInt8]] = []
    var records = 0
}

private func readRecords<Source: ByteSource>(_ source: inout Source, input: UnsafeBufferPointer<UInt8>) -> Read? {
    var result = Read()
    var reader = ChangeStreamReader(options: NormalizeOptions(ingestTime: 0), chunkSize: 64)
    do {
        let summary = try reader.run(
            &source, onRow: { row, _ in result.rows.append(Array(row)) }, onError: { result.setAside.append($0.jsonLine) })
        result.records = summary.records
        return result
    } catch is ChangeStreamReader.ReadError {
        return nil
    } catch {
        fail("reading records from gzip: unexpected error \(error)", input)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGunzip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: size == 0 ? nil : data, count: size)
    let h = hash(input)
    let baseChunk = 1 + Int(h % 13)
    let readSize = 1 + Int((h >> 8) % 37)

    if size >= 2 && input[0] == 0x1F && input[1] == 0x8B {
        let gzip = Array(input)
        let whole = gunzip(gzip, baseChunk: .max, readSize: 1 << 16, input: input)
        let small = gunzip(gzip, baseChunk: baseChunk, readSize: readSize, input: input)
        switch (whole, small) {
        case (.success(let a), .success(let b)):
            // The limit stops each at its own point past outputLimit: compare what both read.
            let common = min(a.count, b.count)
            guard a[..<common] == b[..<common], a.count == b.count || common >= outputLimit else {
                fail("chunking changes the output: \(a.count) bytes in one go, \(b.count) in chunks of \(baseChunk)/\(readSize)", input)
            }
        case (.failure(let a), .failure(let b)):
            _ = (a.description, b.description)
        default:
            fail("chunking changes the outcome: one go \(whole), chunks of \(baseChunk)/\(readSize) \(small)", input)
        }
        return 0
    }

    // Round trip: one to three members, cut at points that follow the input.
    let level = Int32((h >> 16) % 10)
    var cuts = [0, size]
    if size > 1 {
        for shift: UInt64 in [20, 32] where (h >> (shift + 10)) & 1 == 1 { cuts.append(Int((h >> shift) % UInt64(size))) }
    }
    cuts = Array(Set(cuts)).sorted()
    var gzip: [UInt8] = []
    var lastMember = 0
    for (from, to) in zip(cuts, cuts.dropFirst()) {
        lastMember = gzip.count
        gzip += gzipMember(Array(input)[from..<to], level: level)
    }
    if gzip.isEmpty { gzip = gzipMember([], level: level) }
    for (chunk, read) in [(Int.max, 1 << 16), (baseChunk, readSize)] {
        switch gunzip(gzip, baseChunk: chunk, readSize: read, input: input) {
        case .success(let out):
            guard out.elementsEqual(input) else {
                fail("round trip through \(cuts.count - 1) member(s), level \(level), chunks \(chunk)/\(read): got \(out.count) bytes back for \(size)", input)
            }
        case .failure(let error):
            fail("round trip through \(cuts.count - 1) member(s), level \(level), chunks \(chunk)/\(read): \(error)", input)
        }
    }
    // Cut inside the last member: an error, never a shorter success.
    let cut = lastMember + 1 + Int((h >> 40) % UInt64(gzip.count - lastMember - 1))
    if case .success(let out) = gunzip(Array(gzip[..<cut]), baseChunk: baseChunk, readSize: readSize, input: input) {
        fail("gzip cut at byte \(cut) of \(gzip.count) (last member from \(lastMember)) read as complete: \(out.count) of \(size) bytes", input)
    }

    // The path `run` takes for a .gz file: the same records as from the plain bytes.
    var plain = MemorySource(input)
    var memory = MemorySource(gzip)
    memory.maxChunk = baseChunk
    var compressed = GunzipSource(memory, path: "fuzz.gz")
    defer { compressed.close() }
    let expected = readRecords(&plain, input: input)
    let got = readRecords(&compressed, input: input)
    guard expected == got else {
        if let expected, let got, expected.rows == got.rows,
            let index = zip(expected.setAside, got.setAside).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset
        {
            fail(
                "set-aside piece \(index) through gzip: \(String(decoding: got.setAside[index], as: UTF8.self).debugDescription), plain: \(String(decoding: expected.setAside[index], as: UTF8.self).debugDescription)",
                input)
        }
        fail("records through gzip differ: \(got.map { "\($0.rows.count) rows, \($0.setAside.count) set aside" } ?? "too large"), plain \(expected.map { "\($0.rows.count) rows, \($0.setAside.count) set aside" } ?? "too large")", input)
    }
    return 0
}
