import DDBTypes
import Testing

@testable import StreamNormalize

/// The check of item names against the metadata columns goes by the names' ids once they are
/// learned (``KnownNames``): records read one after another by one transcoder must give the very
/// rows and errors they give without learning, whichever names clash or are `updated_at`, and
/// however they are spelled.
@Suite struct NameMarksTests {
    static func outcomes(_ records: [String], options: NormalizeOptions, learning: Bool) -> [String] {
        var transcoder = RecordTranscoder(options: options, learningNames: learning)
        var out = RowWriter(capacity: 4096)
        return records.enumerated().map { index, record in
            Array(record.utf8).withUnsafeBufferPointer { buffer in
                var cursor = JSONCursor(buffer)
                out.begin()
                do throws(DDBError) {
                    let info = try transcoder.transcode(&cursor, into: &out, recordNumber: index + 1)
                    return String(decoding: out.written, as: UTF8.self) + " \(info.kind)"
                } catch {
                    return "\(error.code) at \(error.offset) \(error.path): \(error.message)"
                }
            }
        }
    }

    static func record(_ number: Int, kind: String, names: [String]) -> String {
        let members = ([#""pk":{"S":"a"}"#] + names.map { #"\#($0):{"N":"\#(number)"}"# }).joined(separator: ",")
        let images = kind == "REMOVE" ? #""OldImage":{\#(members)}"# : #""NewImage":{\#(members)},"OldImage":{\#(members)}"#
        return #"{"eventID":"e\#(number)","eventName":"\#(kind)","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"a"}},\#(images),"SequenceNumber":"\#(100 + number)"}}"#
    }

    @Test(arguments: [
        NormalizeOptions(ingestTime: 7),
        NormalizeOptions(tombstoneImage: .old, updatedAtFallback: .epochMillis, ingestTime: 7),
        NormalizeOptions(layout: .envelope, ingestTime: 7),
        NormalizeOptions(updatedAtFallback: .iso8601, metadataNames: MetadataNames(prefix: "cdc_")),
    ])
    func learnedNamesGiveTheSameRowsAndErrors(_ options: NormalizeOptions) {
        // Plain names, `updated_at`, metadata columns' names with either prefix, and escaped
        // spellings of both.
        let pool = [
            #""price""#, #""note""#, #""updated_at""#, #""upd\u0061ted_at""#, #""_seq""#, #""\u005fseq""#, #""cdc_seq""#,
            #""is_deleted""#, #""updated_atx""#, #""_eventId""#, #""cdc_eventName""#, #""updated""#,
        ]
        var generator = SystemRandomNumberGenerator()
        let records = (0..<600).map { number in
            let names = Array(Set((0..<Int.random(in: 0...4, using: &generator)).map { _ in pool.randomElement(using: &generator)! }))
            return Self.record(number, kind: ["INSERT", "MODIFY", "REMOVE"].randomElement(using: &generator)!, names: names)
        }
        let learned = Self.outcomes(records, options: options, learning: true)
        let reference = Self.outcomes(records, options: options, learning: false)
        var mismatches = 0
        for index in records.indices where learned[index] != reference[index] {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(records[index])\nlearning: \(learned[index])\nwithout: \(reference[index])") }
        }
        #expect(mismatches == 0)
        // Both kinds of outcome happen: rows, and names that clash (flat rows only: an envelope
        // keeps the item apart from the metadata columns).
        #expect(reference.contains { $0.hasPrefix("name-clash") } == (options.layout == .flat))
        #expect(reference.contains { $0.hasPrefix("{") })
    }
}
