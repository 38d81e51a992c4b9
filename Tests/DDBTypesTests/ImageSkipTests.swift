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
        // Maps and lists of such values, read by their shape too (`compactAttributeEnd`).
        #"{"m":{"M":{}},"l":{"L":[]},"n":{"M":{"a":{"L":[{"S":"x"},{"M":{"b":{"N":"1"}}},{"L":[]}]},"c":{"NULL":true}}}}"#,
        #"{"m":{"M":{"a":{"S":"x"}}},"l":{"L":[{"S":"y"},{"BOOL":false}]},"e":{"M":{"a":{"S":"x"},}}}"#,
        #"{"m":{"M":{"a":{"S":"x"}} },"l":{"L":[{"S":"y"} ]},"k":{"M":{"a" :{"S":"x"}}}}"#,
    ]

    /// Members nested `levels` maps and lists deep, past what the shape reader reads itself.
    static func nested(_ levels: Int) -> String {
        var value = #"{"S":"deep"}"#
        for level in 0..<levels { value = level % 2 == 0 ? #"{"L":[\#(value)]}"# : #"{"M":{"k":\#(value)}}"# }
        return #"{"a":\#(value),"b":{"N":"1"}}"#
    }

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
            for byte in [UInt8(ascii: "\""), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ",")] where byte != bytes[index] {
                var changed = bytes
                changed[index] = byte
                inputs.append(changed)
            }
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

    @Test(arguments: [1, 15, 16, 17, 40, 126, 127, 130])
    func deepValuesEndOrFailAsSkipValue(_ levels: Int) {
        let bytes = Array(Self.nested(levels).utf8)
        #expect(Self.outcome(bytes, item: true) == Self.outcome(bytes, item: false))
        if levels < 100 { #expect(Self.outcome(bytes, item: true) == "skipped to \(bytes.count)") }
    }

    @Test func wholeImagesAreSkippedToTheirEnd() {
        for image in Self.images.prefix(2) + [Self.images[3], Self.images[7]] {
            #expect(Self.outcome(Array(image.utf8), item: true) == "skipped to \(image.utf8.count)", "\(image)")
        }
    }
}
