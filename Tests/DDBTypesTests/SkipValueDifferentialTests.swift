import Testing

@testable import DDBTypes

/// `skipValue` is one loop with fast paths for the common bytes; `referenceSkipValue` (in
/// ReferenceSkip.swift) is the plain recursive reading it replaced. On generated JSON and on
/// broken copies of it (cut short, bytes replaced, inserted or dropped) both must accept the same
/// inputs, stop at the same byte, and fail with the same error: code, message and offset.
@Suite struct SkipValueDifferentialTests {
    enum Outcome: Equatable, CustomStringConvertible {
        case skipped(end: Int)
        case failed(DDBError)

        var description: String {
            switch self {
            case .skipped(let end): "skipped to \(end)"
            case .failed(let error): "\(error.code) at \(error.offset): \(error.message)"
            }
        }
    }

    static func outcome(_ bytes: [UInt8], depth: Int = 0, reference: Bool) -> Outcome {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer)
            do throws(DDBError) {
                if reference {
                    try cursor.referenceSkipValue(depth: depth)
                } else {
                    try cursor.skipValue(depth: depth)
                }
                return .skipped(end: cursor.pos)
            } catch {
                return .failed(error)
            }
        }
    }

    /// Compares both readings of every input; returns the outcomes seen, for the coverage checks.
    @discardableResult
    static func compare(_ inputs: [[UInt8]], depth: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) -> [Outcome] {
        var mismatches = 0
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(inputs.count)
        for input in inputs {
            let fast = outcome(input, depth: depth, reference: false)
            let reference = outcome(input, depth: depth, reference: true)
            outcomes.append(reference)
            guard fast != reference else { continue }
            mismatches += 1
            if mismatches <= 5 {
                Issue.record(
                    "skipValue \(fast) but the reference \(reference) for \(printable(input)) (depth \(depth))",
                    sourceLocation: sourceLocation)
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(inputs.count) inputs read differently", sourceLocation: sourceLocation)
        return outcomes
    }

    static func printable(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes.prefix(400) {
            if byte >= 0x20 && byte < 0x7F { text.append(Character(Unicode.Scalar(byte))) } else { text += "<\(String(byte, radix: 16))>" }
        }
        return bytes.count > 400 ? text + "…(\(bytes.count) bytes)" : text
    }

    @Test func generatedAndBrokenJSONReadsAsTheReferenceReadsIt() {
        var generator = JSONGenerator(seed: 0x5EED_0016)
        var inputs: [[UInt8]] = []
        let documents = 250
        for index in 0..<documents {
            let document = generator.document(spaced: index % 3 == 0)
            inputs.append(document)
            // What follows a value is not the value's: the skip stops before it.
            inputs.append(document + Array(" ,]}x".utf8).prefix(1 + index % 5))
            // Cut short at every length up to 64 bytes, then at 30 or so places.
            for length in 0..<min(document.count, 64) { inputs.append(Array(document[..<length])) }
            for length in stride(from: 64, to: document.count, by: max(7, document.count / 30)) { inputs.append(Array(document[..<length])) }
            for _ in 0..<12 { inputs.append(generator.broken(document)) }
        }
        let outcomes = Self.compare(inputs)
        // The inputs reach every way of succeeding and failing, so agreement means something.
        var codes: Set<String> = []
        var successes = 0
        for outcome in outcomes {
            switch outcome {
            case .skipped: successes += 1
            case .failed(let error): codes.insert(error.code.description)
            }
        }
        #expect(successes > documents)
        #expect(codes == ["malformed-json", "truncated", "invalid-utf8", "invalid-string"])
    }

    @Test func everyFaultInAStringIsFoundWhereverItStands() {
        // Each piece inside a string, at each offset of a 16-byte block and near the input's end.
        let pieces: [[UInt8]] = [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
            [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0xFF], [0x80], [0xBF], [0xC2], [0xC2, 0x41], [0xE1, 0x80], [0xE1, 0x80, 0x41], [0xF1, 0x80, 0x80], [0xF1, 0x80, 0x80, 0x41],
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF3, 0xBF, 0xBF, 0xBF],
            [0x00], [0x01], [0x0A], [0x1F], [0x7F], Array(#"\"#.utf8), Array(#"\x"#.utf8), Array(#"\u"#.utf8), Array(#"\u12"#.utf8),
            Array(#"\u12G4"#.utf8), Array(#"\u00e9"#.utf8), Array(#"\uD83D\uDE80"#.utf8), Array(#"\uD83D"#.utf8),
            Array(#"\uD83Dx"#.utf8), Array(#"\uD83D\n"#.utf8), Array(#"\uD83D\u0041"#.utf8), Array(#"\uDE80"#.utf8),
            Array(#"\uD83D\uDE8"#.utf8), Array(#"\/\b\f\n\r\t\\\""#.utf8), Array("é日🚀".utf8),
        ]
        var inputs: [[UInt8]] = []
        for piece in pieces {
            for offset in 0..<20 {
                let string = [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "a"), count: offset) + piece
                for tail in [[], Array("\"".utf8), Array("b\"".utf8), Array("bcdefghijklmnopqrstu\"]".utf8)] {
                    inputs.append(string + tail)
                    inputs.append(Array("[1,{\"k\":".utf8) + string + tail + Array("}]".utf8))
                }
            }
        }
        let outcomes = Self.compare(inputs)
        #expect(outcomes.contains { if case .failed(let error) = $0 { error.code == .invalidUTF8 } else { false } })
        #expect(outcomes.contains { if case .failed(let error) = $0 { error.code == .invalidString } else { false } })
    }

    @Test func numbersLiteralsAndStructureAsTheReference() {
        let values = [
            "0", "-0", "7", "-7", "10", "0123", "-", "-a", "1.", "1.5", "1.x", ".5", "1e", "1e5", "1E+5", "1e-5", "1e+", "1ex",
            "-0.25e-10", "12345678901234567890", "1.5E3", "01", "+1", "2.", "true", "false", "null", "tru", "fals", "nul",
            "trUe", "falsE", "nulL", "t", "f", "n", "truex", "nullnull", "x", "}", "]", ",", ":", "\"\"", "{}", "[]", "{ }",
            "[ ]", "{\"a\":1}", "{\"a\" : 1 , \"b\" :[ true ,false, null ] }", "{\"a\"1}", "{\"a\":}", "{a:1}", "{\"a\":1,}",
            "[1,]", "[,1]", "[1 2]", "{\"a\":1 \"b\":2}", "[[],[[]],{}]", "{\"a\":{\"b\":{\"c\":[1,{\"d\":\"e\"}]}}}",
            " \n\t\r[ 1 ,\n2 ]", "[1,\n]", "{\n}", "{\"a\"\n:\n1\n,\n\"b\":2\n}", "[\"a\" , \"b\"]",
        ]
        var inputs: [[UInt8]] = []
        for value in values {
            let bytes = Array(value.utf8)
            for length in 0...bytes.count { inputs.append(Array(bytes[..<length])) }
            inputs.append(bytes + [UInt8(ascii: " ")])
            inputs.append(bytes + Array(",".utf8))
            inputs.append(Array("[".utf8) + bytes + Array("]".utf8))
            inputs.append(Array("{\"key\":".utf8) + bytes + Array("}".utf8))
            inputs.append(Array("[\"0123456789abcdef\",".utf8) + bytes + Array(",\"0123456789abcdef\"]".utf8))
        }
        Self.compare(inputs)
    }

    @Test(arguments: [0, 1, 100, 127, 128, 200])
    func nestingStopsAtTheSameDepth(_ startDepth: Int) {
        var inputs: [[UInt8]] = []
        for levels in [1, 2, 126, 127, 128, 129, 140] {
            for (open, close, inner) in [("[", "]", "1"), ("[", "]", ""), ("{\"k\":", "}", "true"), ("{\"k\":", "}", "{}"), ("[ ", " ]", "\"s\"")] {
                let text = String(repeating: open, count: levels) + inner + String(repeating: close, count: levels)
                let bytes = Array(text.utf8)
                inputs.append(bytes)
                inputs.append(Array(bytes.dropLast()))
                inputs.append(Array(bytes.prefix(levels * open.utf8.count)))
            }
            let mixed = String(repeating: "[{\"a\":[1,", count: levels / 2) + "2" + String(repeating: "]}]", count: levels / 2)
            inputs.append(Array(mixed.utf8))
        }
        let outcomes = Self.compare(inputs, depth: startDepth)
        #expect(outcomes.contains { if case .failed(let error) = $0 { error.code == .nestingTooDeep } else { false } })
    }
}

/// Random JSON documents and broken copies of them, from a seed (the same inputs every run).
struct JSONGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func document(spaced: Bool) -> [UInt8] {
        var out: [UInt8] = []
        value(depth: 0, spaced: spaced, into: &out)
        return out
    }

    private mutating func space(_ spaced: Bool, into out: inout [UInt8]) {
        guard spaced, below(3) == 0 else { return }
        let blanks: [[UInt8]] = [[0x20], [0x0A], [0x09], [0x0D, 0x0A], [0x20, 0x20, 0x20, 0x20], [0x0A, 0x20, 0x20]]
        out.append(contentsOf: blanks[below(blanks.count)])
    }

    private mutating func value(depth: Int, spaced: Bool, into out: inout [UInt8]) {
        space(spaced, into: &out)
        switch below(depth > 5 ? 4 : 7) {
        case 0, 1: string(into: &out)
        case 2: number(into: &out)
        case 3: out.append(contentsOf: ["true", "false", "null"][below(3)].utf8)
        case 4, 5:
            // Objects shaped like DynamoDB JSON as often as not.
            out.append(UInt8(ascii: "{"))
            let members = below(6)
            for index in 0..<members {
                if index > 0 { space(spaced, into: &out); out.append(UInt8(ascii: ",")) }
                space(spaced, into: &out)
                string(into: &out)
                space(spaced, into: &out)
                out.append(UInt8(ascii: ":"))
                value(depth: depth + 1, spaced: spaced, into: &out)
            }
            space(spaced, into: &out)
            out.append(UInt8(ascii: "}"))
        default:
            out.append(UInt8(ascii: "["))
            let elements = below(6)
            for index in 0..<elements {
                if index > 0 { space(spaced, into: &out); out.append(UInt8(ascii: ",")) }
                value(depth: depth + 1, spaced: spaced, into: &out)
            }
            space(spaced, into: &out)
            out.append(UInt8(ascii: "]"))
        }
        space(spaced, into: &out)
    }

    private mutating func string(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let pieces = below(4) == 0 ? below(40) : below(4)
        let scalars: [Unicode.Scalar] = [
            "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}", "é", "ü", "日", "本", "€", "🚀",
        ]
        for _ in 0..<pieces {
            switch below(8) {
            case 0, 1, 2:
                // Printable ASCII but the quote and the backslash (escapes come below).
                for _ in 0..<(1 + below(24)) {
                    let byte = UInt8(0x20 + below(0x5F))
                    out.append(byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? UInt8(ascii: "q") : byte)
                }
            case 3: out.append(contentsOf: [#"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#][below(8)].utf8)
            case 4: out.append(contentsOf: [#"\u00e9"#, #"\u0000"#, #"\uFFFF"#, #"\uD83D\uDE80"#, #"\udbff\udfff"#, #"\u20AC"#][below(6)].utf8)
            default: out.append(contentsOf: String(Character(scalars[below(scalars.count)])).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private mutating func number(into out: inout [UInt8]) {
        var text = below(3) == 0 ? "-" : ""
        if below(4) == 0 {
            text += "0"
        } else {
            text += String(1 + below(9))
            for _ in 0..<below(12) { text += String(below(10)) }
        }
        if below(2) == 0 {
            text += "."
            for _ in 0..<(1 + below(6)) { text += String(below(10)) }
        }
        if below(4) == 0 {
            text += ["e", "E", "e+", "e-", "E-"][below(5)]
            for _ in 0..<(1 + below(3)) { text += String(below(10)) }
        }
        out.append(contentsOf: text.utf8)
    }

    /// `document` with one to three faults: a byte replaced, bytes inserted, or a byte dropped.
    mutating func broken(_ document: [UInt8]) -> [UInt8] {
        let interesting: [[UInt8]] = [
            [0x00], [0x01], [0x1F], [0x7F], [0x80], [0xBF], [0xC0], [0xC1], [0xC2], [0xE0], [0xED], [0xF0], [0xF4], [0xF5], [0xFF],
            [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80],
            Array(#"\"#.utf8), Array(#"\q"#.utf8), Array(#"\uD800"#.utf8), Array(#"\uDC00"#.utf8), Array(#"\uD800\u0041"#.utf8),
            Array(#"\u12G4"#.utf8), Array("\"".utf8), Array("{".utf8), Array("}".utf8), Array("[".utf8), Array("]".utf8),
            Array(",".utf8), Array(":".utf8), Array(" ".utf8), Array("e".utf8), Array(".".utf8), Array("-".utf8), Array("0".utf8),
            Array("t".utf8), Array("n".utf8),
        ]
        var bytes = document
        for _ in 0..<(1 + below(3)) {
            let at = below(bytes.count + 1)
            switch below(3) {
            case 0 where at < bytes.count:
                bytes.replaceSubrange(at..<(at + 1), with: interesting[below(interesting.count)])
            case 1 where at < bytes.count:
                bytes.remove(at: at)
            default:
                bytes.insert(contentsOf: interesting[below(interesting.count)], at: at)
            }
        }
        return bytes
    }
}
