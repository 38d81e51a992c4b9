import Foundation
import NDJSONBuffer
import S3Sink
import StreamNormalize
import Testing
import Timekeeping

// The code of Sources/NDJSONBuffer/NDJSONBuffer.docc/BatchingAndWriting.md, run and checked: every
// ```swift block of the article appears here verbatim (scripts/check-docs.sh compares them),
// followed by what the article says it gives.

@Suite struct BatchingAndWritingTests {
    static let event = #"""
        {"Records": [
          {"eventID": "e1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
           "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
           "dynamodb": {"ApproximateCreationDateTime": 1767225600, "SequenceNumber": "100",
                        "Keys": {"pk": {"S": "order#1"}}, "NewImage": {"pk": {"S": "order#1"}, "price": {"N": "12.50"}}}},
          {"eventID": "e2", "eventName": "REMOVE", "eventSource": "aws:dynamodb",
           "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
           "dynamodb": {"ApproximateCreationDateTime": 1767225601, "SequenceNumber": "101", "Keys": {"pk": {"S": "order#1"}}}}
        ]}
        """#

    @Test func batchesTheRowsOfAnEventAndWritesOneObject() async throws {
        let event = Self.event
        let now = EpochMillis(rawValue: 1_767_225_660_000)
        let outputDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("docs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputDirectory) }
        var printed: [String] = []
        func print(_ value: Any) { printed.append("\(value)") }

        let limits = BatchLimits(maxRecords: 2000, maxBytes: 8_000_000, maxAgeMillis: 15_000)
        let prefix = try ObjectPrefix("cdc/orders", longestKeySuffixBytes: ObjectNames.longestKeySuffixBytes(maxRecords: limits.maxRecords))
        var batcher = Batcher(limits: limits, prefix: prefix.value)

        var sealed: [SealedBatch<Void>] = []
        var reader = ChangeStreamReader(options: NormalizeOptions())
        var source = MemorySource(event.utf8)
        _ = try reader.run(
            &source,
            onRow: { row, info in
                batcher.add(row: row, info: info, partition: Partition(epochMillis: info.changeTime), now: now) { sealed.append($0) }
            },
            onError: { error in print(error) })

        #expect(sealed.isEmpty && batcher.bufferedRows == 2, "nothing is due yet")
        #expect(printed.isEmpty)

        batcher.sealAll { sealed.append($0) }

        #expect(sealed.count == 1 && sealed[0].count == 2 && sealed[0].reason == .end)

        let sink = LocalDirectorySink(root: outputDirectory)
        for batch in sealed {
            try await sink.put(key: batch.key, body: Gzip.compress(batch.rows, level: 6))
        }

        let key = sealed[0].key
        let first = "1767225600000-" + String(repeating: "0", count: 37) + "100"
        let last = "1767225601000-" + String(repeating: "0", count: 37) + "101"
        #expect(key.hasPrefix("cdc/orders/dt=2026-01-01/HH=00/\(first)_\(last)_2_"))
        #expect(key.hasSuffix("_orders.ndjson.gz"))
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: outputDirectory + "/" + key)))
        #expect(try gunzip(written) == sealed[0].rows, "the object is the batch's rows, gzip-compressed (zlib reads it: GzipTests.swift)")
        let lines = String(decoding: sealed[0].rows, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains(#""price":12.50"#) && lines[1].contains(#""is_deleted":true"#))
    }
}
