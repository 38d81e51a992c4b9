import Testing

@testable import DDBTypes

/// `skipItem` skips the images a row does not use by their shape (scalars, literals and sets of
/// strings by a load or a scan); whatever the bytes, it must end where `skipValue` ends or fail
/// with its very error. Each image below is also read cut at every length and with each byte
/// replaced by a quote, so the shapes' checks meet every near miss.
@Suite struct ImageSkipTests {
    static let images = [
        #"{"t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true},"x":{"S":"é"}}"#,
        #"{"ss":{"SS":["b","a","日本","€"]},"ns":{"NS":["1","-2.5"]},"bs":{"BS":["AQ==","Ag=="]}}"#,
        #"{"e":{"SS":[]},"w":{"SS":[ "a"]},"q":{"SS":["a\"b","c\u0041"]},"n":{"NULL":false},"k":{"BOOL":nul}}"#,
        #"{"one":{"SS":["only"]},"m":{"M":{"s":{"SS":["x","y"]}}},"l":{"L":[{"BOOL":true},{"NS":["3"]}]}}"#,
        #"{"a":{"SS":["x",]},"b":{"SS":["x"}]}"#,
        #"{"a":{"SS":["x"]]}"#,
        #"{"a":{"BOOL":true }}"#,
    ]

    static func outcome(_ bytes: [UInt8], item: Bool) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer)
            do throws(DDBError) {
                if item { try cursor.skipItem() } else { try cursor.skipValue() }
                return "skipped to \(cursor.pos)"
            } catch {
                return "\(error.code) at \(error.offset): \(error.message)"
            }
        }
    }

    @Test(arguments: images)
    func skipItemEndsOrFailsAsSkipValue(_ image: String) {
        let bytes = Array(image.utf8)
        var inputs = (0...bytes.count).map { Array(bytes[..<$0]) }
        for index in bytes.indices {
            var changed = bytes
            changed[index] = UInt8(ascii: "\"")
            inputs.append(changed)
        }
        var mismatches = 0
        for input in inputs {
            let fast = Self.outcome(input, item: true), reference = Self.outcome(input, item: false)
            if fast != reference {
                mismatches += 1
                if mismatches <= 3 { Issue.record("skipItem \(fast), skipValue \(reference): \(String(decoding: input, as: UTF8.self))") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func wholeImagesAreSkippedToTheirEnd() {
        for image in Self.images.prefix(2) + [Self.images[3]] {
            #expect(Self.outcome(Array(image.utf8), item: true) == "skipped to \(image.utf8.count)", "\(image)")
        }
    }
}
