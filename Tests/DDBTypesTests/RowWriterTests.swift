import Testing

@testable import DDBTypes

/// `RowWriter` is where every row is written: its appends must give the bytes an array would,
/// whatever the length (the copies differ below 4, 8, 16 and 32 bytes), across growth, and its
/// decimal digits must be Swift's own.
@Suite struct RowWriterTests {
    private static let values: [UInt64] = [
        0, 1, 9, 10, 99, 100, 101, 12_345, 1_767_225_600_123, 999_999_999_999_999_999, 1_000_000_000_000_000_000,
        9_999_999_999_999_999_999, 10_000_000_000_000_000_000, .max,
    ]

    @Test(arguments: [1, 2, 3, 13, 19, 20])
    func decimalsAreSwiftsDigitsPaddedToTheWidth(_ width: Int) {
        for value in Self.values {
            var writer = RowWriter(capacity: 16)
            writer.begin()
            writer.append(UInt8(ascii: "<"))
            writer.appendDecimal(value, width: width)
            let digits = String(value)
            let expected = "<" + String(repeating: "0", count: max(0, width - digits.count)) + digits
            #expect(String(decoding: writer.written, as: UTF8.self) == expected, "\(value) width \(width)")
        }
    }

    /// `putDigits` writes exactly `count` digits, the last ones of the value, zero-padded, and
    /// nothing around them; `write(atMost:)` keeps what its body says it wrote.
    @Test(arguments: [1, 2, 3, 12, 13, 19, 20])
    func fixedDigitsAreTheLastDigitsPadded(_ count: Int) {
        for value in Self.values {
            var writer = RowWriter(capacity: 16)
            writer.begin()
            writer.append(UInt8(ascii: "<"))
            writer.write(atMost: count + 2) { target in
                target[count] = UInt8(ascii: "#")  // written over below, if past the digits
                RowWriter.putDigits(value, count: count, at: target)
                target[count + 1] = UInt8(ascii: ">")  // a byte past what is kept
                return count
            }
            writer.append(UInt8(ascii: ">"))
            let digits = String(value)
            let kept = count >= digits.count ? String(repeating: "0", count: count - digits.count) + digits : String(digits.suffix(count))
            #expect(String(decoding: writer.written, as: UTF8.self) == "<" + kept + ">", "\(value) in \(count) digits")
        }
    }

    @Test func signedDecimalsAreSwiftsDescription() {
        for value: Int64 in [.min, -1_767_225_600_123, -1, 0, 7, .max] {
            var writer = RowWriter(capacity: 16)
            writer.begin()
            writer.appendDecimal(value)
            #expect(String(decoding: writer.written, as: UTF8.self) == String(value))
        }
    }

    @Test func appendsGiveWhatAnArrayGivesAcrossGrowth() {
        let source = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var writer = RowWriter(capacity: 16)
        writer.begin()
        var model: [UInt8] = []
        source.withUnsafeBufferPointer { bytes in
            // Every length from 0 to 40, from shifting offsets: each copy path, and growth.
            for length in 0...40 {
                let start = length % 7
                writer.append(bytes.baseAddress! + start, count: length)
                model.append(contentsOf: bytes[start..<start + length])
                writer.append(UInt8(ascii: "0") &+ UInt8(length % 10), count: length % 5)
                model.append(contentsOf: repeatElement(UInt8(ascii: "0") &+ UInt8(length % 10), count: length % 5))
                if model.count >= length {
                    let offset = model.count - length
                    writer.appendWritten(from: offset, count: length)
                    model.append(contentsOf: model[offset..<offset + length])
                }
                #expect(Array(writer.written) == model, "length \(length)")
            }
        }
        writer.removeLast(from: 5)
        #expect(Array(writer.written) == Array(model.prefix(5)))
        writer.append("literal")
        #expect(String(decoding: writer.written, as: UTF8.self).hasSuffix("literal") && writer.count == 12)
    }

    /// The copy that writes 32 bytes whatever the length: what lies past the length is written
    /// over by the next append, and a source near the end of what may be read takes the exact copy.
    @Test func appendsThatMayReadAheadGiveWhatAnArrayGives() {
        let source = (0..<120).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 7) }
        var writer = RowWriter(capacity: 16)
        writer.begin()
        var model: [UInt8] = []
        source.withUnsafeBufferPointer { bytes in
            for length in 0...40 {
                for start in [length % 5, 120 - length - (length % 3)] {
                    let readable = 120 - start
                    writer.append(bytes.baseAddress! + start, count: length, readable: readable)
                    model.append(contentsOf: bytes[start..<start + length])
                    writer.append(UInt8(ascii: ","))
                    model.append(UInt8(ascii: ","))
                    #expect(Array(writer.written) == model, "length \(length) from \(start)")
                }
            }
        }
    }

    @Test func aCopyOfAWriterDoesNotWriteIntoTheOriginal() {
        var writer = RowWriter(capacity: 16)
        writer.begin()
        writer.append("first")
        var copy = writer
        copy.begin()
        copy.append("other")
        #expect(String(decoding: writer.written, as: UTF8.self) == "first")
        #expect(String(decoding: copy.written, as: UTF8.self) == "other")
    }
}
