import S3Sink
import Testing

@Suite struct ObjectPrefixTests {
    /// What `ddbcdc run` asks for at --max-records 2000 (ObjectNames.longestKeySuffixBytes).
    static let suffix = 227

    @Test(arguments: [
        ("", ""), ("/", ""), ("a", "a"), ("a/b", "a/b"), ("/a/b/", "a/b"), ("//a/b//", "a/b"), ("ddb/orders", "ddb/orders"),
        ("données/été", "données/été"), ("x=1/.hidden/..dots../_errors", "x=1/.hidden/..dots../_errors"), ("a b/c+d%20", "a b/c+d%20"),
    ])
    func acceptsNamesAndDropsSlashesAtTheEnds(_ text: String, _ value: String) throws {
        #expect(try ObjectPrefix(text, longestKeySuffixBytes: Self.suffix).value == value)
    }

    @Test(arguments: [
        ("..", "'..'"), ("a/..", "'..'"), ("../a", "'..'"), ("a/../b", "'..'"), (".", "'.'"), ("a/./b", "'.'"), ("/./", "'.'"),
        ("a//b", "empty segment"), ("a///b/", "empty segment"),
        ("a\tb", "U+0009"), ("a\nb", "U+000A"), ("a\rb", "U+000D"), ("\u{0}", "U+0000"), ("a\u{1B}[31m", "U+001B"), ("a\u{7F}", "U+007F"),
        ("a\u{85}b", "U+0085"), ("a\u{9F}", "U+009F"),
        ("a/" + String(repeating: "x", count: 256), "256 bytes"),
    ])
    func refusesWhatIsNotAPathOfNames(_ text: String, _ named: String) {
        #expect {
            _ = try ObjectPrefix(text, longestKeySuffixBytes: Self.suffix)
        } throws: { error in
            let error = error as! SinkError
            return error.code == .invalidPrefix && error.message.contains(named)
                && !"\(error)".unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
    }

    @Test func theLongestKeyMayHave1024BytesAndNoMore() throws {
        for suffix in [48, 162, 418, 433] {
            let fits = 1024 - suffix
            var longest = ""
            while fits - longest.utf8.count > 201 { longest += String(repeating: "s", count: 200) + "/" }
            longest += String(repeating: "e", count: fits - longest.utf8.count)
            #expect(longest.utf8.count == fits)
            #expect(try ObjectPrefix(longest, longestKeySuffixBytes: suffix).value == longest)
            #expect {
                _ = try ObjectPrefix(longest + "e", longestKeySuffixBytes: suffix)
            } throws: { error in
                let error = error as! SinkError
                return error.code == .invalidPrefix && error.message.contains("1024") && error.message.contains("at most \(fits) bytes")
            }
        }
    }

    @Test func bytesAreCountedNotCharacters() throws {
        // 'é' is two bytes in UTF-8: segments of 100, 100, 100 and 97 are 797 bytes with their '/'s.
        let fits = [100, 100, 100, 97].map { String(repeating: "é", count: $0) }.joined(separator: "/")
        #expect(fits.utf8.count == 797 && fits.count == 400)
        #expect(try ObjectPrefix(fits, longestKeySuffixBytes: Self.suffix).value == fits)
        #expect {
            try ObjectPrefix(fits + "é", longestKeySuffixBytes: Self.suffix)
        } throws: { ($0 as! SinkError).message.contains("799 bytes") }
    }

    @Test(arguments: [
        (["", ""], ""), (["/a/", ""], "a"), (["", "b"], "b"), (["a/", "/b"], "a/b"), (["a/b", "c/d/"], "a/b/c/d"),
    ])
    func partsAreJoinedAsOnePrefix(_ parts: [String], _ value: String) throws {
        #expect(try ObjectPrefix(joining: parts, longestKeySuffixBytes: Self.suffix).value == value)
    }

    @Test func joinedPartsAreCheckedTogether() throws {
        #expect(throws: SinkError.self) { try ObjectPrefix(joining: ["a//b", "c"], longestKeySuffixBytes: Self.suffix) }
        #expect(throws: SinkError.self) { try ObjectPrefix(joining: ["a", ".."], longestKeySuffixBytes: Self.suffix) }
        let half = String(repeating: "h", count: 200)
        let long = [half, half].joined(separator: "/")  // 401 bytes fit; two of them, joined, are 803: too long
        #expect(try ObjectPrefix(joining: [long], longestKeySuffixBytes: Self.suffix).value == long)
        #expect(throws: SinkError.self) { try ObjectPrefix(joining: [long, long], longestKeySuffixBytes: Self.suffix) }
    }
}
