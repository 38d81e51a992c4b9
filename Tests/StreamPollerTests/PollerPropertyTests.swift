import AWSCore
import DynamoStreams
import DynamoStreamsTesting
import NDJSONBuffer
import S3Sink
import StreamNormalize
import Synchronization
import Testing
import Timekeeping

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@testable import Pipeline
@testable import StreamPoller

/// What survives a crash: the objects and the checkpoint that reached storage.
final class Disk: Sendable {
    struct Contents {
        var objects: [String: [UInt8]] = [:]
        var checkpoint: Checkpoint?
        var checkpointSaves = 0
    }
    let contents = Mutex(Contents())

    var objects: [String: [UInt8]] { contents.withLock { $0.objects } }
    var checkpoint: Checkpoint? { contents.withLock { $0.checkpoint } }
}

/// One poller process's way to the disk (its object sink and its checkpoint store): once it
/// crashes, nothing it writes reaches the disk any more, though its calls still return as if it
/// had (a dead process does not learn that its writes were lost; nothing it does matters).
final class Incarnation: ObjectSink, CheckpointStore, Sendable {
    let disk: Disk
    private let alive = Mutex(true)

    init(disk: Disk) { self.disk = disk }

    /// Kills the process: no write of it reaches the disk from now on (one in progress has).
    func crash() { alive.withLock { $0 = false } }

    func put(key: String, body: [UInt8]) async throws(SinkError) {
        alive.withLock { alive in
            if alive { disk.contents.withLock { $0.objects[key] = body } }
        }
    }

    var place: String { "memory" }

    func load() async throws(PollerError) -> Checkpoint? { disk.checkpoint }

    func save(_ checkpoint: Checkpoint) async throws(PollerError) {
        // Through its file format, as a real store does.
        let bytes = checkpoint.encoded()
        let decoded = try Checkpoint.decode(bytes, place: place)
        alive.withLock { alive in
            if alive {
                disk.contents.withLock {
                    $0.checkpoint = decoded
                    $0.checkpointSaves += 1
                }
            }
        }
    }
}

/// One holder at a time; a second `acquire` fails as the lock file's would.
final class MemoryLock: PollerLock, Sendable {
    private let held = Mutex(false)
    var place: String { "memory lock" }
    var renewIntervalMillis: Int64? { nil }

    func acquire() async throws(PollerError) {
        let taken = held.withLock { held in
            defer { held = true }
            return held
        }
        if taken { throw PollerError(.locked, "another poller holds the memory lock") }
    }

    func renew() async throws(PollerError) {}
    func release() async { held.withLock { $0 = false } }
}

/// The poller over random lineages and fault schedules of the fake stream, with crashes and
/// restarts: nothing is lost, nothing durable before a crash is written twice, and lineage order
/// holds.
@Suite(.timeLimit(.minutes(2))) struct PollerPropertyTests {
    static func gunzip(_ body: [UInt8]) throws -> [UInt8] {
        var source = GunzipSource(MemorySource(body), path: "object")
        defer { source.close() }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return out }
            out += buffer[..<count]
        }
    }

    /// The `_eventId` of every row of every object (gaps and errors apart), repeats kept.
    static func eventIDs(in objects: [String: [UInt8]]) throws -> [String] {
        var ids: [String] = []
        for (key, body) in objects where !key.contains("_gaps/") && !key.contains("_errors/") {
            for line in try gunzip(body).split(separator: UInt8(ascii: "\n")) {
                let text = String(decoding: line, as: UTF8.self)
                guard let id = eventID(inRow: text) else {
                    Issue.record("\(key): a row without _eventId: \(text.prefix(200))")
                    continue
                }
                ids.append(id)
            }
        }
        return ids
    }

    static func eventID(inRow row: String) -> String? {
        guard let range = row.firstRange(of: #""_eventId":""#) else { return nil }
        return String(row[range.upperBound...].prefix { $0 != "\"" })
    }

    static func engine(_ sink: any ObjectSink, random: inout SplitMix64) -> Engine {
        Engine(
            settings: EngineSettings(
                limits: BatchLimits(maxRecords: random.int(in: 1...40), maxAgeMillis: random.chance(0.5) ? 0 : Int64(random.int(in: 1...20))),
                prefix: "p", rows: NormalizeOptions(), encoder: GzipNDJSON(level: 1), maxInFlight: random.int(in: 1...3)),
            sink: sink, clock: .system)
    }

    static func settings(_ fake: FakeStreams, random: inout SplitMix64) -> PollerSettings {
        var settings = PollerSettings(streamArn: fake.streamArn)
        settings.untilCaughtUp = true
        settings.emptyAnswersToCatchUp = 3
        settings.pollIntervalMillis = 1
        settings.listIntervalMillis = Int64(random.int(in: 5...50))
        settings.checkpointIntervalMillis = Int64(random.int(in: 1...10))
        settings.readers = random.int(in: 1...4)
        settings.pageLimit = random.int(in: 1...7)
        settings.maxBackoffMillis = 2
        // Faults come often here; a run that gives up is a different property (restarts cover it).
        settings.maxInvalidAnswers = 1000
        settings.maxFailedRounds = 1000
        return settings
    }

    /// A fake stream, random in every respect the poller must cope with.
    static func stream(seed: UInt64, faultRate: Double) -> FakeStreams {
        var random = SplitMix64(seed: seed ^ 0xFACE)
        var configuration = FakeStreams.Configuration()
        configuration.describePageSize = random.int(in: 1...4)
        configuration.lastEvaluatedOnFullLastPage = random.chance(0.5)
        configuration.parentOpenListings = random.int(in: 0...3)
        configuration.finalPage = random.chance(0.5) ? .withLastRecords : .emptyAfterLastRecords
        configuration.creationTimeStyle = random.chance(0.5) ? .seconds : .exponent
        configuration.millisPerCall = 1000
        configuration.iteratorLifetimeMillis = Int64(random.int(in: 4...40)) * 1000
        if random.chance(0.2) { configuration.firstSequenceNumber = 999_999_999_999_999_999_000 }
        configuration.logCalls = false
        var shape = FakeStreams.LineageShape()
        shape.roots = 1...3
        shape.maxDepth = random.int(in: 0...4)
        shape.recordsPerShard = 0...random.int(in: 1...25)
        // Fewer empty pages before data than the poller takes for "caught up".
        shape.emptyPagesBeforeData = 0...2
        shape.millisBetweenWrites = 0...900_000
        let fake = FakeStreams.randomLineage(seed: seed, shape: shape, configuration: configuration)
        fake.setFaults(
            .random(seed: random.next(), rate: faultRate, faults: [.throttling, .internalServerError, .expiredIterator, .malformedAnswer]))
        return fake
    }

    /// Runs one poller over `fake` writing to `disk`; when `crashAt` names a call, the process
    /// crashes there (its writes stop reaching the disk) and is cancelled.
    static func runPoller(
        _ fake: FakeStreams, disk: Disk, lock: MemoryLock, random: inout SplitMix64, crashAt: Int?
    ) async -> (report: StreamPoller.Report, crashed: Bool) {
        let process = Incarnation(disk: disk)
        let crashed = Mutex(false)
        if let crashAt {
            fake.setCallHook { call in
                guard call.index == crashAt else { return }
                process.crash()
                crashed.withLock { $0 = true }
            }
        } else {
            fake.setCallHook(nil)
        }
        let poller = StreamPoller(
            api: fake, settings: settings(fake, random: &random), engine: engine(process, random: &random), checkpoints: process,
            lock: lock, clock: .system, gapPrefix: "p")
        let task = Task { await poller.run(stop: nil) }
        // The crash ends the process: cancel it once it happened (its writes are lost anyway).
        let watcher = Task {
            while !Task.isCancelled {
                if crashed.withLock({ $0 }) {
                    task.cancel()
                    return
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        let report = await task.value
        watcher.cancel()
        fake.setCallHook(nil)
        return (report, crashed.withLock { $0 })
    }

    /// Every record is in exactly one durable object; no child is read before its parent is
    /// finished; one reader per shard.
    @Test(arguments: 0..<100)
    func everyRecordLandsOnceWhateverTheFaults(seed: Int) async throws {
        let seed = UInt64(seed) &* 0x9E37_79B9
        var random = SplitMix64(seed: seed)
        let fake = Self.stream(seed: seed, faultRate: random.chance(0.3) ? 0 : Double(random.int(in: 1...30)) / 100)
        let disk = Disk()
        let (report, _) = await Self.runPoller(fake, disk: disk, lock: MemoryLock(), random: &random, crashAt: nil)
        #expect(report.error == nil, "seed \(seed): \(report.error?.message ?? "")")
        let landed = try Self.eventIDs(in: disk.objects)
        let expected = fake.allRecords.map(\.eventID)
        #expect(landed.count == expected.count, "seed \(seed): \(landed.count) rows for \(expected.count) records")
        #expect(Set(landed) == Set(expected), "seed \(seed)")
        #expect(fake.lineageViolations.isEmpty, "seed \(seed): \(fake.lineageViolations)")
        #expect(fake.maxConcurrentReadsPerShard <= 1, "seed \(seed)")
        // The last checkpoint says every shard is finished, none is ahead of what is durable.
        let checkpoint = try #require(disk.checkpoint, "seed \(seed)")
        for shard in fake.shards where shard.isClosed {
            #expect(checkpoint.shards[shard.shardId]?.finished == true, "seed \(seed): \(shard.shardId)")
        }
        for shard in fake.shards where !shard.isClosed {
            #expect(checkpoint.shards[shard.shardId]?.sequenceNumber == shard.records.last?.sequenceNumber, "seed \(seed): \(shard.shardId)")
        }
    }

    /// A crash at a random call (once or twice), then a restart from the checkpoint: nothing is
    /// lost, and nothing the checkpoint covered at the crash is written again.
    @Test(arguments: 0..<100)
    func aCrashAndARestartLoseNothing(seed: Int) async throws {
        let seed = UInt64(seed) &* 0xC2B2_AE35 &+ 1
        var random = SplitMix64(seed: seed)
        let fake = Self.stream(seed: seed, faultRate: random.chance(0.5) ? 0 : Double(random.int(in: 1...20)) / 100)
        let disk = Disk()
        let lock = MemoryLock()
        // At each crash: the records the checkpoint covered, and how often each was on disk then.
        var covered: [(ids: [String], counts: [String: Int])] = []
        var crashes = 0
        for _ in 0..<random.int(in: 1...2) {
            let calls = fake.callCount
            let estimate = fake.shards.count * 6 + fake.allRecords.count / 2 + 10
            let (report, crashed) = await Self.runPoller(fake, disk: disk, lock: lock, random: &random, crashAt: calls + random.int(in: 1...estimate))
            guard crashed else {
                #expect(report.error == nil, "seed \(seed): \(report.error?.message ?? "")")
                break
            }
            crashes += 1
            // What the checkpoint on disk covers now was durable before the crash.
            let checkpoint = disk.checkpoint
            let ids = fake.shards.flatMap { shard -> [String] in
                guard let mark = checkpoint?.shards[shard.shardId] else { return [] }
                if mark.finished { return shard.records.map(\.eventID) }
                guard let number = mark.sequenceNumber.flatMap(UInt128.init) else { return [] }
                return shard.records.filter { UInt128($0.sequenceNumber)! <= number }.map(\.eventID)
            }
            let counts = try Self.eventIDs(in: disk.objects).reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            #expect(ids.allSatisfy { counts[$0] != nil }, "seed \(seed): the checkpoint is ahead of the objects")
            covered.append((ids, counts))
        }
        let (report, crashed) = await Self.runPoller(fake, disk: disk, lock: lock, random: &random, crashAt: nil)
        #expect(!crashed)
        #expect(report.error == nil, "seed \(seed): \(report.error?.message ?? "")")
        let landed = try Self.eventIDs(in: disk.objects)
        let counts = landed.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        let expected = fake.allRecords.map(\.eventID)
        #expect(Set(landed) == Set(expected), "seed \(seed): \(Set(expected).subtracting(landed).count) records lost after \(crashes) crash(es)")
        for (crash, before) in covered.enumerated() {
            let again = before.ids.filter { counts[$0] != before.counts[$0] }
            #expect(again.isEmpty, "seed \(seed): \(again.count) record(s) the checkpoint covered at crash \(crash + 1) were written again")
        }
        #expect(fake.lineageViolations.isEmpty, "seed \(seed): \(fake.lineageViolations)")
    }

    /// A poller over a one-shard stream where something happens at the second GetRecords.
    static func runWithEvent(_ event: @escaping @Sendable (FakeStreams, [FakeRecord]) -> Void, onTrim: TrimPolicy)
        async -> (fake: FakeStreams, records: [FakeRecord], disk: Disk, report: StreamPoller.Report)
    {
        let fake = FakeStreams()
        let records = fake.append(count: 10, to: fake.shards[0].shardId)
        let reads = Mutex(0)
        fake.setCallHook { [fake] call in
            guard call.operation == .records else { return }
            if reads.withLock({ $0 += 1; return $0 }) == 2 { event(fake, records) }
        }
        var settings = PollerSettings(streamArn: fake.streamArn)
        settings.untilCaughtUp = true
        settings.pollIntervalMillis = 1
        settings.readers = 1
        settings.pageLimit = 2
        settings.onTrim = onTrim
        settings.maxBackoffMillis = 2
        let disk = Disk()
        let process = Incarnation(disk: disk)
        let engine = Engine(
            settings: EngineSettings(limits: BatchLimits(maxRecords: 1, maxAgeMillis: 0), prefix: "p", rows: NormalizeOptions(), encoder: GzipNDJSON(level: 1)),
            sink: process, clock: .system)
        let poller = StreamPoller(
            api: fake, settings: settings, engine: engine, checkpoints: process, lock: MemoryLock(), clock: .system, gapPrefix: "p")
        let report = await poller.run(stop: nil)
        return (fake, records, disk, report)
    }

    /// Records trimmed before they were read: the poller stops naming the shard, or records the
    /// gap and reads on from the oldest record left; either way the records read before are durable.
    @Test(arguments: TrimPolicy.allCases)
    func trimmedRecordsStopThePollerOrLeaveAGap(onTrim: TrimPolicy) async throws {
        let (fake, records, disk, report) = await Self.runWithEvent({ fake, records in fake.trim(before: records[6].sequenceNumber) }, onTrim: onTrim)
        let landed = try Self.eventIDs(in: disk.objects)
        let shard = fake.shards[0].shardId
        #expect(Set(records[0..<2].map(\.eventID)).isSubset(of: landed), "what was read before the trim is durable")
        #expect(Set(records[2..<6].map(\.eventID)).isDisjoint(with: landed))
        let gaps = disk.objects.filter { $0.key.contains("_gaps/") }
        switch onTrim {
        case .stop:
            #expect(report.error?.code == .trimmed)
            #expect(report.error?.message.contains(shard) == true)
            #expect(gaps.isEmpty)
        case .continue:
            #expect(report.error == nil)
            #expect(Set(landed) == Set((records[0..<2] + records[6...]).map(\.eventID)))
            #expect(gaps.count == 1)
            // The gap names the stream, the shard and the last record read before it.
            struct Gap: Decodable {
                var stream: String
                var shard: String
                var afterSequenceNumber: String?
                var shardGone: Bool
            }
            let gap = try JSONDecoder().decode(Gap.self, from: Data(gaps.values.first ?? []))
            #expect(gap.stream == fake.streamArn && gap.shard == shard && !gap.shardGone)
            #expect(gap.afterSequenceNumber == records[1].sequenceNumber)
            #expect(disk.checkpoint?.gaps == 1)
        }
    }

    /// A stream disabled while it is read stops the poller as unavailable; what was read before is
    /// durable and checkpointed.
    @Test func aStreamDisabledMidReadStopsThePoller() async throws {
        let (fake, records, disk, report) = await Self.runWithEvent({ fake, _ in fake.disable() }, onTrim: .stop)
        #expect(report.error?.code == .streamUnavailable)
        #expect(report.error?.message.contains(fake.streamArn) == true)
        #expect(Set(records[0..<2].map(\.eventID)).isSubset(of: try Self.eventIDs(in: disk.objects)))
        #expect(disk.checkpoint?.shards[fake.shards[0].shardId]?.sequenceNumber == records[1].sequenceNumber)
    }

    /// The engine reads the fake's GetRecords bodies as they come: one row per record, with the
    /// record's eventID, none set aside.
    @Test(arguments: FakeStreams.CreationTimeStyle.allCases)
    func theEngineReadsTheFakesPages(style: FakeStreams.CreationTimeStyle) async throws {
        var configuration = FakeStreams.Configuration()
        configuration.creationTimeStyle = style
        let fake = FakeStreams.randomLineage(seed: 5, configuration: configuration)
        var reader = ChangeStreamReader(options: NormalizeOptions())
        var rows: [String] = []
        var errors: [StreamError] = []
        for shard in fake.shards {
            var iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard.shardId, start: .trimHorizon)
            while true {
                let page = try await fake.records(iterator: iterator, limit: 4)
                if page.records.isEmpty { break }
                var source = MemorySource(page.body)
                _ = try reader.run(
                    &source, onRow: { row, _ in rows.append(String(decoding: row, as: UTF8.self)) }, onError: { errors.append($0) })
                guard let next = page.nextShardIterator else { break }
                iterator = next
            }
        }
        #expect(errors.isEmpty)
        #expect(rows.count == fake.allRecords.count)
        let ids = rows.compactMap(Self.eventID(inRow:))
        #expect(ids.count == rows.count)
        #expect(Set(ids) == Set(fake.allRecords.map(\.eventID)))
    }
}
