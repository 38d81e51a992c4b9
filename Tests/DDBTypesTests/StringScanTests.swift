import Testing

@testable import DDBTypes

/// The string scanner reads 16 bytes at a time and the rest one by one: a byte that needs
/// attention (a quote, an escape, a control character, a multi-byte sequence) must be found at
/// whatever offset of a block it stands, and near the end of the input as well as far from it.
@Suite struct StringScanTests {
    /// 50 plain bytes: the first two 16-byte blocks, a third, and a tail.
    private static let plain = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN".utf8)

    /// Scans `"content"` followed by `trailing` spaces (none: the string ends the input's last block).
    private func scan(_ content: [UInt8], trailing: Int) -> (Result<StringSpan, DDBError>, decoded: [UInt8], end: Int) {
        let bytes = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")] + [UInt8](repeating: 0x20, count: trailing)
        return bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer, at: 1)
            let result = Result { () throws(DDBError) in try cursor.scanStringBody() }
            let decoded = (try? result.get()).map { cursor.decodedBytes($0) } ?? []
            return (result, decoded, cursor.pos)
        }
    }

    private func inserting(_ bytes: [UInt8], at offset: Int) -> [UInt8] {
        var content = Self.plain
        content.insert(contentsOf: bytes, at: offset)
        return content
    }

    @Test(arguments: [0, 20])
    func aRawControlCharacterIsFoundAtEveryOffset(_ trailing: Int) {
        for offset in 0..<Self.plain.count {
            let (result, _, _) = scan(inserting([0x01], at: offset), trailing: trailing)
            guard case .failure(let error) = result else {
                Issue.record("no error for a raw 0x01 at \(offset)")
                continue
            }
            #expect(error.code == .malformedJSON)
            #expect(error.offset == 1 + offset, "raw 0x01 at \(offset)")
        }
    }

    @Test(arguments: [0, 20])
    func aByteThatStartsNoUTF8IsFoundAtEveryOffset(_ trailing: Int) {
        for offset in 0..<Self.plain.count {
            let (result, _, _) = scan(inserting([0xFF], at: offset), trailing: trailing)
            guard case .failure(let error) = result else {
                Issue.record("no error for 0xFF at \(offset)")
                continue
            }
            #expect(error.code == .invalidUTF8)
            #expect(error.offset == 1 + offset, "0xFF at \(offset)")
        }
    }

    @Test(arguments: [0, 20])
    func theClosingQuoteEndsTheStringAtEveryOffset(_ trailing: Int) throws {
        for offset in 0...Self.plain.count {
            let (result, decoded, end) = scan(Array(Self.plain[..<offset]), trailing: trailing)
            let span = try result.get()
            #expect(span.start == 1 && span.end == 1 + offset && !span.hasEscapes)
            #expect(decoded == Array(Self.plain[..<offset]))
            #expect(end == 2 + offset)
        }
    }

    @Test(arguments: [0, 20])
    func escapesAndMultiByteSequencesAreReadAtEveryOffset(_ trailing: Int) throws {
        let cases: [(text: [UInt8], value: [UInt8])] = [
            (Array(#"\n"#.utf8), [0x0A]), (Array(#"\""#.utf8), [UInt8(ascii: "\"")]),
            (Array(#"\u00e9"#.utf8), [0xC3, 0xA9]), (Array("é".utf8), [0xC3, 0xA9]), (Array("日".utf8), [0xE6, 0x97, 0xA5]),
            (Array("🚀".utf8), [0xF0, 0x9F, 0x9A, 0x80]),
        ]
        for (text, value) in cases {
            for offset in 0...Self.plain.count {
                let content = inserting(text, at: offset)
                let (result, decoded, end) = scan(content, trailing: trailing)
                let span = try result.get()
                #expect(span.end == 1 + content.count, "\(text) at \(offset)")
                #expect(span.hasEscapes == (text.first == UInt8(ascii: "\\")))
                #expect(decoded == inserting(value, at: offset))
                #expect(end == 2 + content.count)
            }
        }
    }
}
