import CZlib
import NDJSONBuffer
import Testing

/// Inflates a gzip member with zlib, an independent implementation.
func gunzip(_ data: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    #expect(czlib_inflateInit2(&stream, 16 + 15) == Z_OK)
    defer { inflateEnd(&stream) }
    var input = data
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var status: Int32 = Z_OK
    try input.withUnsafeMutableBufferPointer { input in
        stream.next_in = input.baseAddress
        stream.avail_in = UInt32(input.count)
        repeat {
            let produced = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                status = inflate(&stream, Z_NO_FLUSH)
                return buffer.count - Int(stream.avail_out)
            }
            out.append(contentsOf: chunk[..<produced])
            guard status == Z_OK || status == Z_STREAM_END else { throw GzipError(status: status) }
        } while status != Z_STREAM_END
    }
    return out
}

struct GzipError: Error { var status: Int32 }

@Suite struct GzipTests {
    static let sample = Array((0..<5000).map { #"{"n":\#($0),"s":"row \#($0) 🚀"}"# + "\n" }.joined().utf8)

    @Test(arguments: [0, 1, 6, 9, 12])
    func roundTripsThroughZlib(_ level: Int) throws {
        let compressed = Gzip.compress(Self.sample, level: level)
        #expect(try gunzip(compressed) == Self.sample)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
    }

    @Test func bytesAreDeterministicWithNoTimestamp() {
        let a = Gzip.compress(Self.sample, level: 6), b = Gzip.compress(Self.sample, level: 6)
        #expect(a == b)
        #expect(a[4..<8] == [0, 0, 0, 0], "MTIME is zero")
        #expect(a.count < Self.sample.count / 4)
    }

    @Test func emptyInputIsAValidMember() throws {
        #expect(try gunzip(Gzip.compress([], level: 6)).isEmpty)
    }
}
