/// Standard base64 (RFC 4648 §4, padded), strict: what DynamoDB JSON uses for `B` and `BS`.
package enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0…63 for alphabet bytes, 0xFF otherwise.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// The order of base64 digits: `=` 0, then the alphabet from 1 (`A`) to 64 (`/`). Canonical
    /// texts compared digit by digit in this order sort as the bytes they spell.
    package static let ranks: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        table[Int(UInt8(ascii: "="))] = 0
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index + 1) }
        return table
    }()

    /// Checks `count` bytes at `bytes` and returns the decoded length.
    /// - Throws: ``DDBError`` `badBase64` with the offset of the first bad byte, relative to `bytes`.
    package static func validate(_ bytes: UnsafePointer<UInt8>, count: Int) throws(DDBError) -> Int {
        guard count % 4 == 0 else {
            throw DDBError(.badBase64, "base64 length \(count) is not a multiple of 4", offset: count)
        }
        guard count > 0 else { return 0 }
        var padding = 0
        if bytes[count - 1] == UInt8(ascii: "=") { padding = bytes[count - 2] == UInt8(ascii: "=") ? 2 : 1 }
        try values.withUnsafeBufferPointer { table throws(DDBError) in
            for k in 0..<(count - padding) where table[Int(bytes[k])] == 0xFF {
                let what = bytes[k] == UInt8(ascii: "=") ? "'=' before the end" : "byte 0x\(String(bytes[k], radix: 16))"
                throw DDBError(.badBase64, "\(what) is not base64", offset: k)
            }
        }
        // The bits the padding leaves unused must be zero (RFC 4648 §3.5): otherwise two texts
        // would spell one value (`QR==` and `QQ==` are both the byte 0x41), and a row written
        // from the text would differ from one written from the bytes.
        if padding > 0 {
            let last = count - padding - 1
            let unused: UInt8 = padding == 1 ? 0b11 : 0b1111
            if values[Int(bytes[last])] & unused != 0 {
                throw DDBError(
                    .badBase64, "'\(Character(Unicode.Scalar(bytes[last])))' before the padding sets bits the padding leaves unused: not canonical base64",
                    offset: last)
            }
        }
        return count / 4 * 3 - padding
    }

    /// Decodes `count` bytes at `bytes`.
    package static func decode(_ bytes: UnsafePointer<UInt8>, count: Int) throws(DDBError) -> [UInt8] {
        let length = try validate(bytes, count: count)
        var out = [UInt8]()
        out.reserveCapacity(length)
        values.withUnsafeBufferPointer { table in
            var k = 0
            while k < count {
                let a = UInt32(table[Int(bytes[k])]), b = UInt32(table[Int(bytes[k + 1])])
                let c = bytes[k + 2] == UInt8(ascii: "=") ? 0 : UInt32(table[Int(bytes[k + 2])])
                let d = bytes[k + 3] == UInt8(ascii: "=") ? 0 : UInt32(table[Int(bytes[k + 3])])
                let triple = a << 18 | b << 12 | c << 6 | d
                out.append(UInt8(truncatingIfNeeded: triple >> 16))
                out.append(UInt8(truncatingIfNeeded: triple >> 8))
                out.append(UInt8(truncatingIfNeeded: triple))
                k += 4
            }
        }
        out.removeLast(out.count - length)
        return out
    }

    /// Decodes base64 text.
    package static func decode<Bytes: Collection<UInt8>>(_ text: Bytes) throws(DDBError) -> [UInt8] {
        let array = Array(text)
        return try array.withUnsafeBufferPointer { buffer throws(DDBError) in
            guard let base = buffer.baseAddress else { return [] }
            return try decode(base, count: buffer.count)
        }
    }

    /// Appends the base64 text of `data`.
    package static func encode<Bytes: Collection<UInt8>>(_ data: Bytes, to out: inout [UInt8]) {
        var iterator = data.makeIterator()
        while let a = iterator.next() {
            let b = iterator.next(), c = iterator.next()
            let triple = UInt32(a) << 16 | UInt32(b ?? 0) << 8 | UInt32(c ?? 0)
            out.append(alphabet[Int(triple >> 18 & 0x3F)])
            out.append(alphabet[Int(triple >> 12 & 0x3F)])
            out.append(b == nil ? UInt8(ascii: "=") : alphabet[Int(triple >> 6 & 0x3F)])
            out.append(c == nil ? UInt8(ascii: "=") : alphabet[Int(triple & 0x3F)])
        }
    }
}
