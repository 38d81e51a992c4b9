import DDBTypes
import Testing

@testable import StreamNormalize

/// Random byte mutations of valid events: the reader never crashes, every row it writes is
/// well-formed JSON, and every record is accounted for as a row or an error.
@Suite struct MutationTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let interesting: [UInt8] = Array(#"{}[]":,\0123456789eE+-.tfnu SNBLM"#.utf8) + [0x00, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xE0, 0xED, 0xF0, 0xF4, 0xFF]

    @Test func mutatedEventsNeverCrashTheReader() throws {
        let valid = Array((Fixtures.lambdaEvent(Fixtures.all) + "\n" + Fixtures.insert + "\n").utf8)
        var rng = SplitMix(state: 0xDDBCDC)
        for round in 0..<1500 {
            var input = valid
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<input.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: input[at] = Self.interesting.randomElement(using: &rng)!
                case 1: input[at] = UInt8.random(in: 0...255, using: &rng)
                case 2: input.remove(at: at)
                default: input.insert(Self.interesting.randomElement(using: &rng)!, at: at)
                }
            }
            if round % 10 == 0 { input.removeLast(Int.random(in: 0..<input.count, using: &rng)) }
            let result = try Fixtures.read(input, chunk: [Int.max, 13, 3][round % 3], readerChunk: 16)
            for row in result.rows {
                let bytes = Array(row.utf8)
                try bytes.withUnsafeBufferPointer { buffer throws(DDBError) in
                    var cursor = JSONCursor(buffer)
                    try cursor.skipValue()
                    #expect(cursor.pos == bytes.count - 1 && bytes.last == 0x0A, "row is one JSON value and a newline")
                }
            }
            let setAsideRecords = result.errors.reduce(0) { $0 + $1.recordCount }
            #expect(result.summary.records == result.rows.count + setAsideRecords)
            #expect(result.summary.errors == result.errors.count)
            #expect(result.errors.allSatisfy { $0.sequenceNumbers.count <= max($0.recordCount, 1) })
            #expect(result.errors.allSatisfy { !$0.raw.isEmpty || $0.error.code == .truncated })
        }
    }
}
