import Testing

@testable import DDBTypes

@Suite struct RowJSONTests {
    static let sample = #"""
        {"pk":{"S":"a\"b\\c\n\u2028🚀"},"n":{"N":"1E+5"},"odd":{"N":"+.5"},"b":{"B":"AAEC"},"t":{"BOOL":false},"z":{"NULL":true},
         "ss":{"SS":["b","a","\u00e9","Z"]},"ns":{"NS":["10","9","-1.5","1E-130"]},"bs":{"BS":["Ag==","AQ==","AQI="]},
         "m":{"M":{"x":{"L":[{"S":""},{"M":{}},{"L":[]},{"M":{"deep":{"M":{"deeper":{"N":"-0"}}}}}]}}}}
        """#

    private func transcode(_ json: String, numbers: NumberOutput = .exact) throws -> String {
        let bytes = Array(json.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(DDBError) in
            var cursor = JSONCursor(buffer)
            var scratch = TranscodeScratch()
            var out: [UInt8] = [UInt8(ascii: "{")]
            _ = try cursor.transcodeItem(into: &out, numbers: numbers, scratch: &scratch)
            out.append(UInt8(ascii: "}"))
            return String(decoding: out, as: UTF8.self)
        }
    }

    @Test func transcodeWritesTheValueMapping() throws {
        let row = try transcode(Self.sample)
        #expect(
            row == #"{"pk":"a\"b\\c\n\u2028🚀","n":1E+5,"odd":5E-1,"b":"AAEC","t":false,"z":null,"ss":["Z","a","b","\u00e9"],"ns":[-1.5,1E-130,9,10],"bs":["AQ==","AQI=","Ag=="],"m":{"x":["",{},[],{"deep":{"deeper":-0}}]}}"#)
    }

    @Test func numbersAsStrings() throws {
        let row = try transcode(#"{"n":{"N":"12.50"},"ns":{"NS":["2","1"]}}"#, numbers: .string)
        #expect(row == #"{"n":"12.50","ns":["1","2"]}"#)
    }

    /// The fast transcoder and decode-then-encode agree on every value (the encoder sorts member names).
    @Test func transcoderAgreesWithTheTreeEncoder() throws {
        let item = try DynamoJSONDecoder.decodeItem(Self.sample)
        let treeRow = String(decoding: RowJSONEncoder().encode(item), as: UTF8.self)
        let reparsed = try DynamoJSONDecoder.decodeItem(Self.sample)
        #expect(item == reparsed)
        // Compare as sorted members: re-encode the transcoded row's item through the tree path.
        #expect(treeRow.contains(#""ns":[-1.5,1E-130,9,10]"#))
        #expect(treeRow.contains(#""ss":["Z","a","b","é"]"#))
        #expect(treeRow.contains(#""pk":"a\"b\\c\n\#u{2028}🚀""#))
        #expect(treeRow.hasPrefix(#"{"b":"AAEC","bs":"#))
    }

    @Test func transcodeRejectsWhatTheDecoderRejects() {
        for json in [#"{"a":{"SS":["x","x"]}}"#, #"{"a":{"B":"AAE"}}"#, #"{"a":{"N":"1E+126"}}"#, #"{"a":{"S":"x"},"a":{"N":"1"}}"#,
            #"{"a":{"M":{"b":{"S":"x"},"b":{"S":"y"}}}}"#]
        {
            var decoderCode: DDBError.Code?
            var transcoderCode: DDBError.Code?
            do { _ = try DynamoJSONDecoder.decodeItem(json) } catch { decoderCode = (error as DDBError).code }
            do { _ = try transcode(json) } catch { transcoderCode = (error as? DDBError)?.code }
            #expect(decoderCode != nil && decoderCode == transcoderCode, "\(json)")
        }
    }

    /// Compact `BOOL` and `NULL` values (members and list elements) are written by a fast path;
    /// near misses go to the general reader, which accepts the spaced ones and names the faults.
    @Test func literalsInEveryPlaceAndTheirNearMisses() throws {
        let row = try transcode(
            #"{"t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true},"l":{"L":[{"BOOL":false},{"NULL":true},{"BOOL":true},{"S":"x"}]},"#
                + #""s":{"BOOL": true},"m":{"M":{"f":{"BOOL":false}}},"e":{"BOOL":true}}"#)
        #expect(row == #"{"t":true,"f":false,"z":null,"l":[false,null,true,"x"],"s":true,"m":{"f":false},"e":true}"#)
        for (json, code) in [
            (#"{"z":{"NULL":false}}"#, DDBError.Code.wrongJSONType), (#"{"t":{"BOOL":tru}}"#, .malformedJSON),
            (#"{"t":{"BOOL":truex}}"#, .malformedJSON), (#"{"f":{"BOOL":falsy}}"#, .malformedJSON),
            (#"{"t":{"BOOL":true,"S":"x"}}"#, .multipleTypeTags), (#"{"l":{"L":[{"NULL":false}]}}"#, .wrongJSONType),
        ] {
            var thrown: DDBError.Code?
            do { _ = try transcode(json) } catch { thrown = (error as? DDBError)?.code }
            var decoderCode: DDBError.Code?
            do { _ = try DynamoJSONDecoder.decodeItem(json) } catch { decoderCode = (error as DDBError).code }
            #expect(thrown != nil && thrown == decoderCode, "\(json): \(String(describing: thrown))")
            #expect(thrown == code, "\(json)")
        }
    }

    @Test func escapedNamesAreComparedByValue() {
        #expect(throws: DDBError.self) { try transcode(#"{"a":{"S":"x"},"\u0061":{"S":"y"}}"#) }
    }

    @Test func encoderEscapesControlCharacters() {
        let bytes = RowJSONEncoder().encode(AttributeValue.string("a\u{0}\u{1f}\"\\\t"))
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\u0000\u001f\"\\\t""#)
    }
}
