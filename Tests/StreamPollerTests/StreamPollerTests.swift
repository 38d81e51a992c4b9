import DynamoStreams
import Testing

@testable import StreamPoller

@Suite struct ShardBookTests {
    @Test func theDurableMarkMovesOnlyOverRecordsDurableWithAllBeforeThem() {
        var book = ShardBook()
        let slot = book.add(id: "shard-1", parent: nil, start: .trimHorizon)
        let first = book.handOver(["10", "11", "12"], slot: slot)
        let second = book.handOver(["13", "14"], slot: slot)
        #expect(first == 0)
        #expect(second == 3)
        // Acknowledged out of order (objects of different partitions become durable in any order).
        book.acknowledge(slot: slot, ordinal: 1)
        book.acknowledge(slot: slot, ordinal: 3)
        #expect(book[slot].durable == nil)
        book.acknowledge(slot: slot, ordinal: 0)
        #expect(book[slot].durable == "11")
        book.acknowledge(slot: slot, ordinal: 2)
        #expect(book[slot].durable == "13")
        #expect(book[slot].unacknowledged == 1)
        // Twice, or a position the book never handed out: nothing moves.
        book.acknowledge(slot: slot, ordinal: 2)
        book.acknowledge(slot: slot, ordinal: 99)
        #expect(book[slot].durable == "13")
        #expect(!book[slot].finished)
        book[slot].readToEnd = true
        book.acknowledge(slot: slot, ordinal: 4)
        #expect(book[slot].durable == "14")
        #expect(book[slot].finished)
    }

    @Test func ordinalsStayRightWhenTheWindowIsCompacted() {
        var book = ShardBook()
        let slot = book.add(id: "s", parent: nil, start: .trimHorizon)
        var ordinal = 0
        for page in 0..<20 {
            let numbers = (0..<1000).map { String(page * 1000 + $0 + 1) }
            let base = book.handOver(numbers, slot: slot)
            #expect(base == ordinal)
            for index in 0..<1000 { book.acknowledge(slot: slot, ordinal: base + index) }
            ordinal += 1000
            #expect(book[slot].durable == numbers.last)
        }
        #expect(book[slot].window.count < 5000)
    }

    @Test func aChildWaitsForItsParentUnlessTheParentIsUnknown() {
        var book = ShardBook()
        let parent = book.add(id: "p", parent: nil, start: .trimHorizon)
        let child = book.add(id: "c", parent: "p", start: .trimHorizon)
        let orphan = book.add(id: "o", parent: "gone", start: .trimHorizon)
        #expect(!book.parentDone(book[child]))
        #expect(book.parentDone(book[orphan]))
        book[parent].readToEnd = true
        #expect(book.parentDone(book[child]))
    }

    @Test func theCheckpointPrunesFinishedShardsTheListingNoLongerHas() {
        var book = ShardBook()
        let old = book.add(id: "old", parent: nil, start: .trimHorizon)
        let open = book.add(id: "open", parent: "old", start: .trimHorizon)
        book[old].finished = true
        book[open].listed = true
        book[open].durable = "5"
        #expect(Set(book.checkpointShards(pruneUnlisted: false).keys) == ["old", "open"])
        let pruned = book.checkpointShards(pruneUnlisted: true)
        #expect(Set(pruned.keys) == ["open"])
        #expect(pruned["open"] == ShardCheckpoint(sequenceNumber: "5", finished: false, parent: "old"))
    }
}

@Suite struct CheckpointTests {
    @Test func roundTripsThroughItsFileFormat() throws {
        let checkpoint = Checkpoint(
            streamArn: "arn:aws:dynamodb:us-east-1:1:table/T/stream/L", table: "T", updatedAt: "2026-11-30T00:00:00.000Z",
            shards: ["a": ShardCheckpoint(sequenceNumber: "100000000000000000001", finished: false, parent: nil)], gaps: 2)
        let bytes = checkpoint.encoded()
        #expect(try Checkpoint.decode(bytes, place: "f") == checkpoint)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"sequenceNumber\" : \"100000000000000000001\""))
    }

    @Test func refusesWhatIsNotACheckpoint() {
        #expect(throws: PollerError.self) { try Checkpoint.decode(Array("{\"version\":1}".utf8), place: "f") }
        #expect(throws: PollerError.self) { try Checkpoint.decode(Array("not json".utf8), place: "f") }
        let future = Array(#"{"version":2,"streamArn":"a","updatedAt":"x","shards":{},"gaps":0}"#.utf8)
        #expect((try? Checkpoint.decode(future, place: "f")) == nil)
    }

    @Test func tableNameComesFromTheStreamArn() {
        #expect(PollerSettings.tableName(streamArn: "arn:aws:dynamodb:eu-west-1:123:table/Orders/stream/2026-01-01T00:00:00.000") == "Orders")
        #expect(PollerSettings.tableName(streamArn: "arn:aws:s3:::bucket") == nil)
    }
}
