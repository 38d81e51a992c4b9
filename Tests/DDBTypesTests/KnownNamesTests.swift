import Testing

@testable import DDBTypes

/// Names the transcoder has learned (`KnownNames`) are recognised by their first eight bytes and
/// checked for duplicates by id: items read one after another with one scratch must give the very
/// bytes and errors they give without learning, whatever the names.
@Suite struct KnownNamesTests {
    /// The outcome of transcoding each item in turn with one scratch: the row members, or the error.
    static func outcomes(_ items: [String], learning: Bool) -> [String] {
        var scratch = TranscodeScratch(learningNames: learning)
        return items.map { item in
            Array(item.utf8).withUnsafeBufferPointer { buffer in
                var cursor = JSONCursor(buffer)
                var out: [UInt8] = []
                do throws(DDBError) {
                    let count = try cursor.transcodeItem(into: &out, numbers: .exact, scratch: &scratch)
                    let names = scratch.itemNames.map { cursor.decodedString($0) }
                    return "\(count) \(names) \(String(decoding: out, as: UTF8.self)) to \(cursor.pos)"
                } catch {
                    return "\(error.code) at \(error.offset) \(error.path): \(error.message)"
                }
            }
        }
    }

    /// Names that start alike, are short (their signature holds the value's type), long, escaped
    /// spellings of others, or followed by whitespace.
    static let names = [
        "pk", "sk", "a", "", "updated_at", "updated_by", "updated_at_x", "battery_pct", "battery_v", "x\u{e9}", "日本語の名前",
        "a_name_longer_than_sixteen_bytes", "a_name_longer_than_sixteen_bytez", String(repeating: "n", count: 64), String(repeating: "n", count: 65),
    ]
    static let values = [#"{"S":"v"}"#, #"{"N":"1"}"#, #"{"BOOL":true}"#, #"{"M":{"pk":{"S":"in"},"a":{"N":"2"}}}"#, #"{"L":[{"S":"x"}]}"#, #"{"SS":["a"]}"#]

    static func spelling(_ name: String, escaped: Bool) -> String {
        guard escaped, let first = name.unicodeScalars.first, first.isASCII else { return "\"\(name)\"" }
        return "\"\\u00\(String(first.value, radix: 16))\(name.unicodeScalars.dropFirst().map(String.init).joined())\""
    }

    static func randomItem(_ generator: inout some RandomNumberGenerator, pool: [String]) -> String {
        let count = Int.random(in: 0...40, using: &generator)
        var chosen = (0..<count).map { _ in pool.randomElement(using: &generator)! }
        // Mostly distinct names (duplicates are the exception), as items are.
        if Int.random(in: 0..<4, using: &generator) != 0 {
            var seen = Set<String>()
            chosen = chosen.filter { seen.insert($0).inserted }
        }
        let members = chosen.map { name in
            let escaped = Int.random(in: 0..<20, using: &generator) == 0
            let colon = Int.random(in: 0..<30, using: &generator) == 0 ? " :" : ":"
            return spelling(name, escaped: escaped) + colon + values.randomElement(using: &generator)!
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    @Test func learnedNamesGiveTheSameRowsAndErrors() {
        var generator = SystemRandomNumberGenerator()
        // Many distinct names too, past the 64 that can be learned.
        let pool = Self.names + (0..<100).map { "attribute_\($0)" }
        // Some with one byte changed, so that learned names meet near misses (a name without its
        // opening quote, a colon gone).
        let bytes = Array(#"{}[]":,\ 4aS"#.utf8)
        let items = (0..<3_000).map { _ in
            var item = Array(Self.randomItem(&generator, pool: pool).utf8)
            if item.count > 2, Int.random(in: 0..<3, using: &generator) == 0 {
                item[Int.random(in: 1..<item.count, using: &generator)] = bytes.randomElement(using: &generator)!
            }
            return String(decoding: item, as: UTF8.self)
        }
        let learned = Self.outcomes(items, learning: true), reference = Self.outcomes(items, learning: false)
        var mismatches = 0
        for index in items.indices where learned[index] != reference[index] {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(items[index])\nlearning: \(learned[index])\nwithout: \(reference[index])") }
        }
        #expect(mismatches == 0)
        // Both outcomes happen: rows and duplicate-name errors.
        #expect(reference.contains { $0.hasPrefix("duplicate-attribute") })
        #expect(reference.contains { !$0.hasPrefix("duplicate-attribute") })
    }

    /// In a map of more than 32 members a repeated name is reported from the sorted check at the
    /// map's end (the first repeat in name order), after any fault later in the map: learned names
    /// must not report the first repeat in reading order instead.
    @Test func largeMapsReportTheirRepeatAsBefore() {
        let distinct = (0..<32).map { #""n\#($0)":{"N":"\#($0)"}"# }.joined(separator: ",")
        let warm = "{" + distinct + #","zz":{"S":"1"},"aa":{"S":"2"}}"#
        let items = [
            warm,
            "{" + distinct + #","zz":{"S":"1"},"zz":{"S":"1"},"aa":{"S":"2"},"aa":{"S":"2"}}"#,
            "{" + distinct + #","zz":{"S":"1"},"zz":{"S":"1"},"aa":{"N":"not a number"}}"#,
        ]
        let learned = Self.outcomes(items, learning: true)
        #expect(learned == Self.outcomes(items, learning: false))
        #expect(learned[1].contains("\"aa\" appears twice"), "\(learned[1])")
        #expect(learned[2].hasPrefix("invalid-number"), "\(learned[2])")
    }

    @Test func aLearnedNameIsMatchedOnlyByItsBytes() {
        var names = KnownNames()
        let text = Array(#"{"updated_at":{"S":"1"},"updated_by":{"S":"2"},"updated_at_x":{"S":"3"},"pk":{"S":"4"}}"#.utf8)
        text.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!, end = buffer.count
            // Learn each name where it stands (its quote is one before its start).
            var ids: [Int] = []
            for (start, length) in [(2, 10), (25, 10), (48, 12), (73, 2)] {
                ids.append(names.learn(StringSpan(start: start, end: start + length, hasEscapes: false), in: base, end, compact: true))
                #expect(names.match(base, end, quote: start - 1)?.close == start + length)
            }
            #expect(Set(ids).count == 4)
            // Learning a name again gives its id.
            #expect(names.learn(StringSpan(start: 25, end: 35, hasEscapes: false), in: base, end, compact: true) == ids[1])
            #expect(names.count == 4)
            // Not names: a value's quote, a name's middle.
            #expect(names.match(base, end, quote: 18) == nil)
            #expect(names.match(base, end, quote: 3) == nil)
        }
        // A learned name's bytes after anything but a quote are not that name.
        for byte in Array("4{ ,\\'".utf8) {
            var changed = text
            changed[72] = byte
            changed.withUnsafeBufferPointer { buffer in
                #expect(names.match(buffer.baseAddress!, buffer.count, quote: 72) == nil, "\(UnicodeScalar(byte))")
            }
        }
    }
}
