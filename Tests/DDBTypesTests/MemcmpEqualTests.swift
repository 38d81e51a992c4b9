import Testing

@testable import DDBTypes

/// `memcmpEqual` compares names, values and ARNs in word steps whose last one overlaps the one
/// before: every length (the steps differ below 4, 8 and 16 bytes, and past 16) must find a
/// difference at any byte, and only within the bytes it is given.
@Suite struct MemcmpEqualTests {
    @Test func findsADifferenceAtEveryByteOfEveryLength() {
        // Guard bytes around both copies differ, so a load past either end would show.
        let text: [UInt8] = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for count in 0...text.count - 8 {
            var left = [UInt8](repeating: 0xAA, count: count + 8)
            var right = [UInt8](repeating: 0x55, count: count + 8)
            left.replaceSubrange(4..<4 + count, with: text[..<count])
            right.replaceSubrange(4..<4 + count, with: text[..<count])
            #expect(equal(left, right, count), "length \(count)")
            for position in 0..<count {
                right[4 + position] ^= 0x01
                #expect(!equal(left, right, count), "length \(count), difference at \(position)")
                right[4 + position] ^= 0x80  // a high bit, beside the low one
                #expect(!equal(left, right, count), "length \(count), difference at \(position)")
                right[4 + position] ^= 0x81
            }
        }
    }

    private func equal(_ left: [UInt8], _ right: [UInt8], _ count: Int) -> Bool {
        left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in memcmpEqual(l.baseAddress! + 4, r.baseAddress! + 4, count) }
        }
    }
}
