import Testing

@testable import DDBTypes

/// `JSONCursor.skipDigits` finds the end of a run of digits eight bytes a step: it must stop
/// where a byte-by-byte scan stops, for every byte that can follow the run (the bytes near 0x30
/// and 0x39, and those ≥ 0xFA whose sum with 6 carries), at every offset in a word, and at the
/// end of the input.
@Suite struct DigitRunTests {
    @Test func stopsWhereAByteScanStops() {
        let enders: [UInt8] = [0x00, 0x22, 0x2C, 0x2E, 0x2F, 0x3A, 0x3F, 0x40, 0x45, 0x65, 0x7D, 0x80, 0xBF, 0xF9, 0xFA, 0xFF]
        for run in 0...19 {
            for ender in enders {
                for tail in 0...9 {
                    // `run` digits, the ender, then `tail` bytes that include digits again.
                    var bytes = (0..<run).map { UInt8(ascii: "0") + UInt8($0 % 10) }
                    bytes.append(ender)
                    bytes += (0..<tail).map { $0 % 2 == 0 ? UInt8(ascii: "7") : 0xFF }
                    for end in [run, run + 1, bytes.count] {
                        var p = 0
                        bytes.withUnsafeBufferPointer { JSONCursor.skipDigits($0.baseAddress!, end, &p) }
                        #expect(p == min(run, end), "\(run) digits, then \(ender), input of \(end) bytes")
                    }
                }
            }
        }
    }
}
