import Foundation
import Testing

@testable import DDBTypes

/// The duplicate-name check holds at every map size, including the large maps it checks by sorting.
@Suite struct DuplicateAttributeTests {
    private func transcode(_ json: String) throws(DDBError) -> Int {
        let bytes = Array(json.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(DDBError) in
            var cursor = JSONCursor(buffer)
            var scratch = TranscodeScratch()
            var out: [UInt8] = []
            return try cursor.transcodeItem(into: &out, numbers: .exact, scratch: &scratch)
        }
    }

    private static func item(_ count: Int, extra: String = "", nested: Bool = false) -> String {
        let members = (0..<count).map { #""a\#($0)":{"N":"\#($0)"}"# }.joined(separator: ",") + extra
        return nested ? #"{"outer":{"M":{\#(members)}}}"# : "{\(members)}"
    }

    @Test(arguments: [10, 31, 32, 33, 1_000, 100_000], [false, true])
    func distinctNamesPass(_ count: Int, _ nested: Bool) throws {
        #expect(try transcode(Self.item(count, nested: nested)) == (nested ? 1 : count))
    }

    @Test(arguments: [10, 32, 33, 1_000, 100_000], [false, true])
    func aRepeatedNameIsFoundWhereverItIs(_ count: Int, _ nested: Bool) throws {
        // The repeat is the last member, of a name first seen at the start, in the middle or as an escape.
        let repeats = [("a0", #""a0":{"S":"x"}"#), ("a\(count / 2)", #""a\#(count / 2)":{"S":"x"}"#), ("a\(count - 1)", #""\u0061\#(count - 1)":{"S":"x"}"#)]
        for (name, repeated) in repeats {
            let json = Self.item(count, extra: "," + repeated, nested: nested)
            do {
                _ = try transcode(json)
                Issue.record("\(count) members + \(repeated): no error")
            } catch {
                #expect(error.code == .duplicateAttribute)
                #expect(error.path.description == (nested ? "outer." : "") + name)
            }
        }
    }

    @Test func decoderAndTranscoderAgreeOnLargeMaps() throws {
        let json = Self.item(5_000, extra: #","a4999":{"N":"1"}"#)
        #expect(throws: DDBError.self) { _ = try DynamoJSONDecoder.decodeItem(json) }
        #expect(throws: DDBError.self) { _ = try transcode(json) }
    }

    /// Found by fuzzing (Fuzz/Regressions/transcoder): base64 whose padding leaves set bits spells
    /// a value two ways; both readers refuse it alike.
    @Test(arguments: [#"{"b":{"B":"QR=="}}"#, #"{"b":{"B":"QUJ="}}"#, #"{"b":{"BS":["QR=="]}}"#])
    func nonCanonicalBase64IsRefusedByBothReaders(_ json: String) throws {
        #expect(throws: DDBError.self) { _ = try DynamoJSONDecoder.decodeItem(json) }
        #expect(throws: DDBError.self) { _ = try transcode(json) }
        let canonical = json.replacingOccurrences(of: "QR==", with: "QQ==").replacingOccurrences(of: "QUJ=", with: "QUI=")
        #expect(try transcode(canonical) == 1)
    }
}
