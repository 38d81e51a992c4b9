import Digest
import Testing

/// Published vectors: FIPS 180-2 (SHA-256), RFC 1321 (MD5), RFC 4231 (HMAC-SHA-256); the 64-byte
/// key case (exactly one block: used as is, not hashed) was computed with Python's `hmac`.
@Suite struct DigestTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256(input: String, expected: String) {
        #expect(Digest.hex(Digest.sha256(bytes(input))) == expected)
    }

    @Test func sha256OfAMillionAs() {
        #expect(
            Digest.hex(Digest.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesAgreeWithOneShot() {
        let input = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for split in [0, 1, 55, 56, 63, 64, 65, 999, 1000] {
            let hasher = SHA256()
            hasher.update(Array(input[..<split]))
            hasher.update([])
            hasher.update(Array(input[split...]))
            #expect(hasher.finish() == Digest.sha256(input), "split at \(split)")
        }
    }

    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ])
    func md5(input: String, expected: String) {
        #expect(Digest.hex(Digest.md5(bytes(input))) == expected)
        // In pieces of every size: the same digest (export data files are hashed as they stream by).
        for piece in 1...max(1, input.utf8.count) {
            let hasher = MD5()
            var rest = bytes(input)[...]
            while !rest.isEmpty {
                hasher.update(Array(rest.prefix(piece)))
                rest = rest.dropFirst(piece)
            }
            #expect(Digest.hex(hasher.finish()) == expected, "pieces of \(piece)")
        }
    }

    @Test func hmacSHA256RFC4231() {
        let cases: [(key: [UInt8], message: [UInt8], expected: String)] = [
            (
                [UInt8](repeating: 0x0B, count: 20), bytes("Hi There"),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                bytes("Jefe"), bytes("what do ya want for nothing?"),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                [UInt8](repeating: 0xAA, count: 131), bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                [UInt8](repeating: 0xAA, count: 131),
                bytes(
                    "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                ),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
            (
                [UInt8](repeating: 0x01, count: 64), bytes("x"),
                "c668fc54e1a2a267c502413f4580c5bb5d9229fef5fb9b4ff5f4ce5e76299783"
            ),
        ]
        for (index, test) in cases.enumerated() {
            #expect(Digest.hex(Digest.hmacSHA256(key: test.key, message: test.message)) == test.expected, "case \(index + 1)")
        }
    }

    @Test func hexIsLowerCaseTwoDigitsPerByte() {
        #expect(Digest.hex([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
    }
}
