import Testing

@testable import DDBTypes

/// The transcoder sorts `BS` members by their base64 text (in the alphabet's order, `=` first)
/// without decoding them; decode-then-encode sorts the bytes. Both must give the same row and
/// the same errors, for byte strings that share starts, differ in length and end in zeros.
@Suite struct BinarySetTests {
    private func transcode(_ json: String) -> Result<String, DDBError> {
        Result { () throws(DDBError) in
            try Array(json.utf8).withUnsafeBufferPointer { buffer throws(DDBError) in
                var cursor = JSONCursor(buffer)
                var scratch = TranscodeScratch()
                var out: [UInt8] = []
                _ = try cursor.transcodeItem(into: &out, numbers: .exact, scratch: &scratch)
                return String(decoding: out, as: UTF8.self)
            }
        }
    }

    /// The members (its bytes) of the tree encoder's row.
    private func treeRow(_ json: String) -> Result<String, DDBError> {
        Result { () throws(DDBError) in
            var out: [UInt8] = []
            RowJSONEncoder().appendMembers(try DynamoJSONDecoder.decodeItem(json), to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        Base64.encode(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func randomSetsSortAsTheirBytes() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        let interesting: [UInt8] = [0x00, 0x01, 0x3F, 0x40, 0x41, 0x7F, 0x80, 0xFE, 0xFF]
        for _ in 0..<500 {
            var members = Set<[UInt8]>()
            for _ in 0..<(1 + next(6)) {
                members.insert((0..<next(6)).map { _ in interesting[next(interesting.count)] })
            }
            let texts = members.shuffled().map { "\"\(Self.base64($0))\"" }
            let json = #"{"b":{"BS":["# + texts.joined(separator: ",") + "]}}"
            let expected = try treeRow(json).get()
            #expect(try transcode(json).get() == expected, "\(json)")
        }
    }

    @Test(arguments: [
        #"{"b":{"BS":["AAE=","AA==","AAE="]}}"#,  // a duplicate after sorting, not before
        #"{"b":{"BS":[]}}"#,  // empty
        #"{"b":{"BS":["AA==","A\u0041=="]}}"#,  // the same member spelt with an escape
        #"{"b":{"BS":["\u0041Q==","AA=="]}}"#,  // an escape: the general path, sorted all the same
        #"{"b":{"BS":["AA==","QR=="]}}"#,  // not canonical
    ])
    func errorsAndEscapesAsDecodeThenEncode(_ json: String) {
        let fast = transcode(json), tree = treeRow(json)
        switch (fast, tree) {
        case (.success(let a), .success(let b)):
            #expect(a == b)
        case (.failure(let a), .failure(let b)):
            #expect(a.code == b.code && a.message == b.message && a.path == b.path, "\(a) / \(b)")
        default:
            Issue.record("the transcoder gives \(fast), decode-then-encode \(tree)")
        }
    }
}
