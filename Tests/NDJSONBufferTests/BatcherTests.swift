import NDJSONBuffer
import StreamNormalize
import Timekeeping
import Testing

/// Rows for the batcher: `{"_eventId":"eN","n":…}` with the facts a reader would give.
struct RowMaker {
    var next = 0

    mutating func row(time: Int64, padding: Int = 0) -> (bytes: [UInt8], info: RowInfo) {
        next += 1
        let id = "e\(next)"
        let prefix = #"{"_eventId":""#
        let text = prefix + id + #"","pad":""# + String(repeating: "x", count: padding) + "\"}\n"
        let start = prefix.utf8.count
        let info = RowInfo(
            kind: .insert, changeTime: time, sequenceNumber: SequenceNumber(String(1000 + next))!, isTTLDelete: false,
            eventIDRange: start..<(start + id.utf8.count))
        return (Array(text.utf8), info)
    }
}

struct Recorder {
    var batches: [SealedBatch<Void>] = []
    var reasons: [FlushReason] { batches.map(\.reason) }
    var counts: [Int] { batches.map(\.count) }
}

extension Batcher where Position == Void {
    mutating func add(_ row: (bytes: [UInt8], info: RowInfo), now: Int64, into recorder: inout Recorder) {
        row.bytes.withUnsafeBufferPointer { bytes in
            add(row: bytes, info: row.info, partition: Partition(epochMillis: row.info.changeTime), now: EpochMillis(rawValue: now)) {
                recorder.batches.append($0)
            }
        }
    }
}

@Suite struct BatcherTests {
    static let hour: Int64 = 1_767_225_600_000  // 2026-01-01T00:00Z

    @Test func sealsAtMaxRecordsExactly() {
        var batcher = Batcher(limits: BatchLimits(maxRecords: 3, maxBytes: 1 << 20, maxAgeMillis: 0))
        var rows = RowMaker(), recorder = Recorder()
        for _ in 0..<2 { batcher.add(rows.row(time: Self.hour), now: 0, into: &recorder) }
        #expect(recorder.batches.isEmpty)
        batcher.add(rows.row(time: Self.hour), now: 0, into: &recorder)
        #expect(recorder.counts == [3] && recorder.reasons == [.records])
        batcher.add(rows.row(time: Self.hour), now: 0, into: &recorder)
        #expect(recorder.counts == [3] && batcher.bufferedRows == 1)
    }

    @Test func sealsBeforeARowWouldPassMaxBytes() {
        var rows = RowMaker(), recorder = Recorder()
        let size = rows.row(time: Self.hour, padding: 10).bytes.count
        rows = RowMaker()
        var batcher = Batcher(limits: BatchLimits(maxRecords: 100, maxBytes: size * 3, maxAgeMillis: 0))
        for _ in 0..<3 { batcher.add(rows.row(time: Self.hour, padding: 10), now: 0, into: &recorder) }
        #expect(recorder.batches.isEmpty, "exactly maxBytes fits")
        batcher.add(rows.row(time: Self.hour, padding: 10), now: 0, into: &recorder)
        #expect(recorder.counts == [3] && recorder.reasons == [.bytes])
        #expect(recorder.batches[0].rows.count == size * 3)
        // A row larger than the limit alone still makes an object of its own.
        batcher.add(rows.row(time: Self.hour, padding: size * 5), now: 0, into: &recorder)
        #expect(recorder.counts == [3, 1])
        batcher.sealAll { recorder.batches.append($0) }
        #expect(recorder.counts == [3, 1, 1] && recorder.batches[2].rows.count > size * 3)
    }

    @Test func sealsByAgeOnTimeWithoutNewRows() {
        var batcher = Batcher(limits: BatchLimits(maxRecords: 100, maxBytes: 1 << 20, maxAgeMillis: 15_000))
        var rows = RowMaker(), recorder = Recorder()
        batcher.add(rows.row(time: Self.hour), now: 1_000, into: &recorder)
        batcher.add(rows.row(time: Self.hour), now: 9_000, into: &recorder)
        #expect(batcher.nextDeadline == EpochMillis(rawValue: 16_000), "the age counts from the batch's first row")
        batcher.sealDue(now: EpochMillis(rawValue: 15_999)) { recorder.batches.append($0) }
        #expect(recorder.batches.isEmpty)
        batcher.sealDue(now: EpochMillis(rawValue: 16_000)) { recorder.batches.append($0) }
        #expect(recorder.counts == [2] && recorder.reasons == [.age])
        #expect(batcher.nextDeadline == nil)
    }

    @Test func dueBatchesAreSealedWhenAnotherRowArrives() {
        var batcher = Batcher(limits: BatchLimits(maxRecords: 100, maxBytes: 1 << 20, maxAgeMillis: 10))
        var rows = RowMaker(), recorder = Recorder()
        batcher.add(rows.row(time: Self.hour), now: 0, into: &recorder)
        batcher.add(rows.row(time: Self.hour + 3_600_000), now: 10, into: &recorder)  // another partition
        #expect(recorder.reasons == [.age] && recorder.batches[0].partition == Partition(epochMillis: Self.hour))
    }

    @Test func noAgeLimitWhenZero() {
        var batcher = Batcher(limits: BatchLimits(maxRecords: 100, maxBytes: 1 << 20, maxAgeMillis: 0))
        var rows = RowMaker(), recorder = Recorder()
        batcher.add(rows.row(time: Self.hour), now: 0, into: &recorder)
        batcher.sealDue(now: EpochMillis(rawValue: Int64.max)) { recorder.batches.append($0) }
        #expect(recorder.batches.isEmpty && batcher.nextDeadline == nil)
    }

    @Test func onePartitionPerHourAndTheLeastRecentlyWrittenMakesRoom() {
        var batcher = Batcher(limits: BatchLimits(maxRecords: 100, maxBytes: 1 << 20, maxAgeMillis: 0, maxOpenPartitions: 2))
        var rows = RowMaker(), recorder = Recorder()
        let h0 = Self.hour, h1 = Self.hour + 3_600_000, h2 = Self.hour + 7_200_000
        batcher.add(rows.row(time: h0), now: 0, into: &recorder)
        batcher.add(rows.row(time: h1), now: 0, into: &recorder)
        batcher.add(rows.row(time: h0 + 5), now: 0, into: &recorder)  // h1 is now the least recent
        batcher.add(rows.row(time: h2), now: 0, into: &recorder)
        #expect(recorder.reasons == [.openPartitions] && recorder.batches[0].partition == Partition(epochMillis: h1))
        batcher.sealAll { recorder.batches.append($0) }
        #expect(recorder.batches.map(\.partition.description) == ["dt=2026-01-01/HH=01", "dt=2026-01-01/HH=00", "dt=2026-01-01/HH=02"])
        #expect(recorder.counts == [1, 2, 1])
    }

    @Test func namesFollowFromTheRows() {
        func run() -> [String] {
            var batcher = Batcher(limits: BatchLimits(maxRecords: 2), prefix: "/ddb/orders/")
            var rows = RowMaker(), recorder = Recorder()
            for k in 0..<5 { batcher.add(rows.row(time: Self.hour + Int64(k)), now: Int64(k * 7), into: &recorder) }
            batcher.sealAll { recorder.batches.append($0) }
            return recorder.batches.map(\.key)
        }
        let first = run(), second = run()
        #expect(first == second)
        #expect(Set(first).count == 3)
        #expect(first[0].hasPrefix("ddb/orders/dt=2026-01-01/HH=00/1767225600000-0000000000000000000000000000000000001001_1767225600001-0000000000000000000000000000000000001002_2_"))
        #expect(first.allSatisfy { $0.hasSuffix(".ndjson.gz") })
        // Different event IDs, same order keys: a different digest.
        var batcher = Batcher(limits: BatchLimits(maxRecords: 2), prefix: "ddb/orders")
        var rows = RowMaker(), recorder = Recorder()
        var row = rows.row(time: Self.hour)
        row.bytes[row.info.eventIDRange.lowerBound] = UInt8(ascii: "f")
        batcher.add(row, now: 0, into: &recorder)
        batcher.add(rows.row(time: Self.hour + 1), now: 0, into: &recorder)
        #expect(recorder.batches[0].key != first[0])
        #expect(recorder.batches[0].key.dropLast(27) == first[0].dropLast(27))
    }

    @Test(arguments: [
        (Int64(0), "dt=1970-01-01/HH=00"), (1_767_225_600_000, "dt=2026-01-01/HH=00"), (1_767_225_599_999, "dt=2025-12-31/HH=23"),
        (951_825_600_000, "dt=2000-02-29/HH=12"), (-1, "dt=1969-12-31/HH=23"),
    ])
    func partitionFolders(_ millis: Int64, _ folder: String) {
        #expect(Partition(epochMillis: millis).description == folder)
    }
}
