import NDJSONBuffer
import StreamNormalize
import Timekeeping
import Testing

/// The bound the sinks check a prefix against (S3 keys hold at most 1,024 bytes) is the length of
/// keys a batcher really writes at their longest: the latest time `_seq` can hold, a 40-digit
/// sequence number, a batch of `maxRecords` rows, a table name of 255 characters (its tag in the name
/// is at most `ObjectNames.maxTableTagBytes`).
@Suite struct BatcherKeyLengthTests {
    static let latest: Int64 = 9_999_999_999_999  // the largest 13-digit epoch ms (year 2286)
    static let largest = SequenceNumber(String(repeating: "9", count: 40))!

    @Test(arguments: [1, 9, 10, 99, 100, 500, 2000])
    func theLongestDataKeyIsExactlyTheBound(_ maxRecords: Int) throws {
        let prefix = "some/prefix"
        var batcher = Batcher(limits: BatchLimits(maxRecords: maxRecords, maxBytes: 1 << 30, maxAgeMillis: 0), prefix: prefix)
        var keys: [String] = []
        let row = Array(#"{"_eventId":"e"}"#.utf8) + [0x0A]
        let table = String(repeating: "t", count: 255)
        let info = RowInfo(
            kind: .insert, changeTime: Self.latest, sequenceNumber: Self.largest, isTTLDelete: false, eventIDRange: 13..<14, table: table)
        row.withUnsafeBufferPointer { bytes in
            for _ in 0..<maxRecords {
                batcher.add(row: bytes, info: info, partition: Partition(epochMillis: Self.latest), now: EpochMillis(rawValue: 0)) { keys.append($0.key) }
            }
        }
        let key = try #require(keys.first)
        #expect(keys.count == 1)
        #expect(key.hasPrefix(prefix + "/") && key.hasSuffix("_\(ObjectNames.tableTag(table)).ndjson.gz"))
        #expect(key.utf8.count - prefix.utf8.count == ObjectNames.longestKeySuffixBytes(maxRecords: maxRecords), "\(key)")
        let errors = batcher.errorsKey(for: Array("anything".utf8))
        #expect(errors.utf8.count - prefix.utf8.count <= ObjectNames.longestKeySuffixBytes(maxRecords: maxRecords))
    }

    @Test func longTableNamesAreTaggedNotTruncatedIntoOneAnother() {
        let a = String(repeating: "t", count: 200) + "a", b = String(repeating: "t", count: 200) + "b"
        #expect(ObjectNames.tableTag("orders") == "orders")
        #expect(ObjectNames.tableTag(String(repeating: "x", count: 64)) == String(repeating: "x", count: 64))
        #expect(ObjectNames.tableTag(a).utf8.count == ObjectNames.maxTableTagBytes && ObjectNames.tableTag(a) != ObjectNames.tableTag(b))
        #expect(ObjectNames.tableTag(a).hasPrefix(String(repeating: "t", count: 55) + "~"))
    }

    @Test func errorKeysAreShorterThanAnyDataKey() {
        let batcher = Batcher(limits: BatchLimits(maxRecords: 1, maxBytes: 1, maxAgeMillis: 0), prefix: "p")
        #expect(batcher.errorsKey(for: []).utf8.count - 1 < ObjectNames.longestKeySuffixBytes(maxRecords: 1))
    }

    @Test func moreRecordsPerObjectMeanLongerNames() {
        #expect(ObjectNames.longestKeySuffixBytes(maxRecords: 9) + 1 == ObjectNames.longestKeySuffixBytes(maxRecords: 10))
        #expect(ObjectNames.longestKeySuffixBytes(maxRecords: 10_000_000) == ObjectNames.longestKeySuffixBytes(maxRecords: 1) + 7)
        #expect(ObjectNames.longestKeySuffixBytes(maxRecords: .max) == ObjectNames.longestKeySuffixBytes(maxRecords: 1) + 18)
    }
}
