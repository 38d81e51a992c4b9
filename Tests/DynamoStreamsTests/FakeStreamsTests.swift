import AWSCore
import DynamoStreams
import DynamoStreamsTesting
import FoundationEssentials
import Testing

/// The fake DynamoDB Streams behaves as the service does in each respect it models: the poller's
/// tests are only as good as this.
@Suite struct FakeStreamsTests {
    // MARK: Helpers

    /// A GetRecords body as the service documents it, read with Foundation's decoder (not the
    /// fake's code).
    struct Body: Decodable {
        struct Record: Decodable {
            struct Stream: Decodable {
                var ApproximateCreationDateTime: Double
                var Keys: [String: [String: String]]
                var NewImage: [String: [String: String]]?
                var OldImage: [String: [String: String]]?
                var SequenceNumber: String
                var SizeBytes: Int
                var StreamViewType: String
            }
            var eventID: String
            var eventName: String
            var eventVersion: String
            var eventSource: String
            var awsRegion: String
            var dynamodb: Stream
        }
        var Records: [Record]
        var NextShardIterator: String?
    }

    func decode(_ page: RecordsPage) throws -> Body { try JSONDecoder().decode(Body.self, from: Data(page.body)) }

    /// Every shard of every DescribeStream page, following `LastEvaluatedShardId`.
    func listAll(_ fake: FakeStreams, childrenOf: String? = nil) async throws -> (shards: [Shard], pages: Int) {
        var shards: [Shard] = []
        var start: String?
        var pages = 0
        repeat {
            let page = try await fake.describeStream(streamArn: fake.streamArn, exclusiveStartShardId: start, childrenOf: childrenOf)
            pages += 1
            shards += page.shards
            start = page.lastEvaluatedShardId
        } while start != nil
        return (shards, pages)
    }

    /// A shard's records from `start`, page after page, until the shard ends (no
    /// `NextShardIterator`) or, for an open shard, an empty page after data.
    func readShard(_ fake: FakeStreams, _ shardId: String, from start: IteratorStart = .trimHorizon, limit: Int = 1000) async throws
        -> (records: [PageRecord], ended: Bool)
    {
        var iterator: String? = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shardId, start: start)
        var records: [PageRecord] = []
        var emptyInARow = 0
        while let current = iterator {
            let page = try await fake.records(iterator: current, limit: limit)
            records += page.records
            emptyInARow = page.records.isEmpty ? emptyInARow + 1 : 0
            iterator = page.nextShardIterator
            if emptyInARow == 5 { return (records, false) }
        }
        return (records, true)
    }

    func serviceCode(_ body: () async throws -> Void) async -> AWSError? {
        do {
            try await body()
            return nil
        } catch let error as AWSError {
            return error
        } catch {
            Issue.record("not an AWSError: \(error)")
            return nil
        }
    }

    // MARK: The generator

    @Test func splitMix64MatchesTheReferenceSequence() {
        // The first outputs of Vigna's splitmix64.c seeded with 0.
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }

    // MARK: DescribeStream

    @Test func describeStreamPagesEndOnlyWithoutLastEvaluatedShardId() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.describePageSize = 2
        let fake = FakeStreams(configuration: configuration, roots: 5)
        var start: String?
        var sizes: [Int] = []
        var listed: [String] = []
        repeat {
            let page = try await fake.describeStream(streamArn: fake.streamArn, exclusiveStartShardId: start, childrenOf: nil)
            sizes.append(page.shards.count)
            listed += page.shards.map(\.shardId)
            #expect(page.status == "ENABLED")
            #expect(page.tableName == "T")
            if let last = page.lastEvaluatedShardId { #expect(last == page.shards.last?.shardId) }
            start = page.lastEvaluatedShardId
        } while start != nil
        #expect(sizes == [2, 2, 1])
        #expect(listed == fake.shards.map(\.shardId))
        #expect(listed == listed.sorted(), "shards are listed in creation order, which is their text order")
    }

    @Test func anExactlyFullLastPageCanStillNameALastEvaluatedShard() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.describePageSize = 2
        configuration.lastEvaluatedOnFullLastPage = true
        let fake = FakeStreams(configuration: configuration, roots: 4)
        let second = try await fake.describeStream(
            streamArn: fake.streamArn, exclusiveStartShardId: fake.shards[1].shardId, childrenOf: nil)
        #expect(second.shards.count == 2)
        #expect(second.lastEvaluatedShardId == fake.shards[3].shardId)
        let third = try await fake.describeStream(streamArn: fake.streamArn, exclusiveStartShardId: second.lastEvaluatedShardId, childrenOf: nil)
        #expect(third.shards.isEmpty)
        #expect(third.lastEvaluatedShardId == nil)
        #expect(try await listAll(fake).pages == 3)
    }

    @Test func childShardsFilterListsOnlyTheChildrenOfOneShard() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.describePageSize = 1
        let fake = FakeStreams(configuration: configuration, roots: 2)
        let root = fake.shards[0].shardId
        let children = fake.split(root, into: 2)
        let grandchildren = fake.split(children[0])
        let (listed, pages) = try await listAll(fake, childrenOf: root)
        #expect(listed.map(\.shardId) == children)
        #expect(listed.allSatisfy { $0.parentShardId == root })
        #expect(pages == 2, "the filtered listing pages too")
        #expect(try await listAll(fake, childrenOf: children[0]).shards.map(\.shardId) == grandchildren)
        #expect(try await listAll(fake, childrenOf: grandchildren[0]).shards.isEmpty)
        #expect(try await listAll(fake).shards.count == 2 + 2 + 1)
    }

    @Test func aParentCanBeListedOpenForAWhileAfterItsChildAppears() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.parentOpenListings = 2
        let fake = FakeStreams(configuration: configuration)
        let parent = fake.shards[0].shardId
        fake.append(count: 3, to: parent)
        let child = fake.split(parent)[0]
        for _ in 0..<2 {
            let listed = try await listAll(fake).shards
            #expect(listed.map(\.shardId) == [parent, child])
            #expect(listed[0].endingSequenceNumber == nil, "still listed as open")
        }
        // Reading it ends nonetheless.
        let read = try await readShard(fake, parent)
        #expect(read.ended)
        #expect(read.records.count == 3)
        let listed = try await listAll(fake).shards
        #expect(listed[0].endingSequenceNumber == fake.shard(parent)?.endingSequenceNumber)
        #expect(listed[0].isClosed)
    }

    // MARK: SequenceNumbers

    @Test func sequenceNumbersIncreaseWithinAShardAndFromParentToChild() async throws {
        var shape = FakeStreams.LineageShape()
        shape.splitChance = 1
        shape.recordsPerShard = 5...20
        let fake = FakeStreams.randomLineage(seed: 7, shape: shape)
        #expect(fake.allRecords.count > 50)
        #expect(fake.shards.filter { $0.parentShardId != nil }.count >= 3)
        let byId = Dictionary(uniqueKeysWithValues: fake.shards.map { ($0.shardId, $0) })
        for shard in fake.shards {
            let numbers = shard.records.map { UInt128($0.sequenceNumber)! }
            #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
            #expect(shard.records.allSatisfy { $0.sequenceNumber.count >= 21 })
            let starting = UInt128(shard.startingSequenceNumber)!
            #expect(numbers.allSatisfy { $0 >= starting })
            if let ending = shard.endingSequenceNumber.map({ UInt128($0)! }) { #expect(numbers.allSatisfy { $0 <= ending }) }
            if let parent = shard.parentShardId.flatMap({ byId[$0] }) {
                let parentEnding = try #require(parent.endingSequenceNumber.map { UInt128($0)! })
                #expect(parentEnding < starting)
            }
        }
    }

    @Test func sequenceNumbersCanGrowADigitAndReadInNumericOrder() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.firstSequenceNumber = 999_999_999_999_999_999_990
        configuration.sequenceGap = 3...3
        let fake = FakeStreams(configuration: configuration)
        let shard = fake.shards[0].shardId
        let written = fake.append(count: 6, to: shard)
        #expect(written.first?.sequenceNumber.count == 21)
        #expect(written.last?.sequenceNumber.count == 22)
        let read = try await readShard(fake, shard)
        #expect(read.records.map(\.sequenceNumber) == written.map(\.sequenceNumber))
        // AFTER the last 21-digit number goes on with the first 22-digit one.
        let lastShort = try #require(written.last { $0.sequenceNumber.count == 21 })
        let after = try await readShard(fake, shard, from: .after(lastShort.sequenceNumber))
        #expect(after.records.first?.sequenceNumber.count == 22)
    }

    // MARK: GetShardIterator

    @Test func iteratorsStartWhereTheirTypeSays() async throws {
        let fake = FakeStreams()
        let shard = fake.shards[0].shardId
        let written = fake.append(count: 5, to: shard).map(\.sequenceNumber)
        #expect(try await readShard(fake, shard).records.map(\.sequenceNumber) == written)
        #expect(try await readShard(fake, shard, from: .at(written[2])).records.map(\.sequenceNumber) == Array(written[2...]))
        #expect(try await readShard(fake, shard, from: .after(written[2])).records.map(\.sequenceNumber) == Array(written[3...]))
        let latest = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .latest)
        let later = fake.append(count: 2, to: shard).map(\.sequenceNumber)
        let page = try await fake.records(iterator: latest, limit: 1000)
        #expect(page.records.map(\.sequenceNumber) == later)
    }

    @Test func aSequenceNumberOutsideTheShardIsAValidationError() async throws {
        let fake = FakeStreams()
        let parent = fake.shards[0].shardId
        let written = fake.append(count: 2, to: parent)
        let child = fake.split(parent)[0]
        let error = await serviceCode {
            _ = try await fake.shardIterator(streamArn: fake.streamArn, shardId: child, start: .after(written[1].sequenceNumber))
        }
        #expect(error?.serviceCode == "ValidationException")
        #expect(error?.status == 400)
        let unknown = await serviceCode {
            _ = try await fake.shardIterator(streamArn: fake.streamArn, shardId: "shardId-00000000000000000000-00000000", start: .trimHorizon)
        }
        #expect(unknown?.serviceCode == StreamsErrorCode.resourceNotFound)
    }

    // MARK: GetRecords

    @Test func bodyIsAGetRecordsDocumentWithTheSameRecordsAsThePage() async throws {
        for view in ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"] {
            var configuration = FakeStreams.Configuration()
            configuration.viewType = view
            configuration.keysPerLineage = 2
            let fake = FakeStreams(configuration: configuration)
            let shard = fake.shards[0].shardId
            let written = fake.append(count: 12, to: shard)
            let iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)
            let page = try await fake.records(iterator: iterator, limit: 1000)
            let body = try decode(page)
            #expect(body.Records.map(\.dynamodb.SequenceNumber) == page.records.map(\.sequenceNumber))
            #expect(body.Records.map(\.eventID) == written.map(\.eventID))
            #expect(body.NextShardIterator == page.nextShardIterator)
            #expect(body.NextShardIterator != nil, "an open shard always gives a next iterator")
            for (record, pageRecord) in zip(body.Records, page.records) {
                #expect(record.eventSource == "aws:dynamodb")
                #expect(record.eventVersion == "1.1")
                #expect(record.awsRegion == "us-east-1")
                #expect(["INSERT", "MODIFY", "REMOVE"].contains(record.eventName))
                #expect(record.dynamodb.StreamViewType == view)
                #expect(record.dynamodb.SizeBytes > 0)
                #expect(Int64(record.dynamodb.ApproximateCreationDateTime) * 1000 == pageRecord.approximateCreationMillis)
                #expect(record.dynamodb.Keys["pk"]?["S"] != nil)
                let hasNew = record.eventName != "REMOVE" && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES")
                let hasOld = record.eventName != "INSERT" && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES")
                #expect((record.dynamodb.NewImage != nil) == hasNew, "\(view) \(record.eventName)")
                #expect((record.dynamodb.OldImage != nil) == hasOld, "\(view) \(record.eventName)")
            }
            // A few keys, many writes: every kind of change occurs.
            #expect(Set(body.Records.map(\.eventName)) == ["INSERT", "MODIFY", "REMOVE"])
        }
    }

    @Test func creationTimeInExponentNotationIsTheSameMoment() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.creationTimeStyle = .exponent
        let fake = FakeStreams(configuration: configuration)
        let shard = fake.shards[0].shardId
        fake.append(count: 1, to: shard)
        let iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)
        let page = try await fake.records(iterator: iterator, limit: 10)
        #expect(String(decoding: page.body, as: UTF8.self).contains(#""ApproximateCreationDateTime":1.7959968E9"#))
        #expect(try decode(page).Records[0].dynamodb.ApproximateCreationDateTime == 1_795_996_800)
        #expect(page.records[0].approximateCreationMillis == 1_795_996_800_000)
    }

    @Test func pagesHoldAtMostLimitRecordsAndMaxPageBytes() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.maxPageBytes = 1
        let tiny = FakeStreams(configuration: configuration)
        let shard = tiny.shards[0].shardId
        tiny.append(count: 4, to: shard)
        let iterator = try await tiny.shardIterator(streamArn: tiny.streamArn, shardId: shard, start: .trimHorizon)
        #expect(try await tiny.records(iterator: iterator, limit: 1000).records.count == 1, "a page holds at least one record")

        let fake = FakeStreams()
        let other = fake.shards[0].shardId
        fake.append(count: 7, to: other)
        var sizes: [Int] = []
        var next: String? = try await fake.shardIterator(streamArn: fake.streamArn, shardId: other, start: .trimHorizon)
        while let current = next, sizes.count < 4 {
            let page = try await fake.records(iterator: current, limit: 3)
            sizes.append(page.records.count)
            next = page.nextShardIterator
        }
        #expect(sizes == [3, 3, 1, 0])
        for limit in [0, 1001] {
            let error = await serviceCode {
                let iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: other, start: .trimHorizon)
                _ = try await fake.records(iterator: iterator, limit: limit)
            }
            #expect(error?.serviceCode == "ValidationException")
        }
    }

    @Test func emptyPagesComeBeforeDataAndAtAnOpenShardsEnd() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.emptyPagesBeforeData = 3
        let fake = FakeStreams(configuration: configuration)
        let shard = fake.shards[0].shardId
        fake.append(count: 2, to: shard)
        var iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)
        var counts: [Int] = []
        for _ in 0..<6 {
            let page = try await fake.records(iterator: iterator, limit: 1000)
            counts.append(page.records.count)
            iterator = try #require(page.nextShardIterator, "an open shard never ends")
            #expect(try decode(page).Records.count == page.records.count)
        }
        #expect(counts == [0, 0, 0, 2, 0, 0])
    }

    @Test(arguments: FakeStreams.FinalPage.allCases)
    func aClosedShardEndsWithoutANextIterator(finalPage: FakeStreams.FinalPage) async throws {
        var configuration = FakeStreams.Configuration()
        configuration.finalPage = finalPage
        let fake = FakeStreams(configuration: configuration)
        let shard = fake.shards[0].shardId
        fake.append(count: 3, to: shard)
        fake.close(shard)
        var iterator: String? = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)
        var pages: [(count: Int, next: Bool)] = []
        while let current = iterator {
            let page = try await fake.records(iterator: current, limit: 2)
            pages.append((page.records.count, page.nextShardIterator != nil))
            #expect(try decode(page).NextShardIterator == page.nextShardIterator)
            iterator = page.nextShardIterator
        }
        switch finalPage {
        case .withLastRecords: #expect(pages.map(\.count) == [2, 1])
        case .emptyAfterLastRecords: #expect(pages.map(\.count) == [2, 1, 0])
        }
        #expect(pages.dropLast().allSatisfy { $0.next })
        #expect(fake.shard(shard)?.endReturned == true)
        #expect(fake.calls.last?.endOfShard == true)
    }

    // MARK: Trimming

    @Test func trimmedDataAnswersTrimmedDataAccess() async throws {
        let fake = FakeStreams()
        let shard = fake.shards[0].shardId
        let written = fake.append(count: 6, to: shard).map(\.sequenceNumber)
        let early = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)
        fake.trim(before: written[3])
        #expect(try await readShard(fake, shard).records.map(\.sequenceNumber) == Array(written[3...]))
        // AFTER the last trimmed record loses nothing; AFTER an earlier one does.
        #expect(try await readShard(fake, shard, from: .after(written[2])).records.map(\.sequenceNumber) == Array(written[3...]))
        for start in [IteratorStart.after(written[1]), .at(written[2])] {
            let error = await serviceCode { _ = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: start) }
            #expect(error?.serviceCode == StreamsErrorCode.trimmedDataAccess, "\(start)")
            #expect(error?.status == 400)
            #expect(error?.isRetryable == false)
        }
        // An iterator taken before the trim reads into trimmed data.
        let error = await serviceCode { _ = try await fake.records(iterator: early, limit: 10) }
        #expect(error?.serviceCode == StreamsErrorCode.trimmedDataAccess)
    }

    @Test func aClosedShardWhollyTrimmedLeavesTheListing() async throws {
        let fake = FakeStreams()
        let parent = fake.shards[0].shardId
        let old = fake.append(count: 2, to: parent)
        let child = fake.split(parent)[0]
        let new = fake.append(count: 2, to: child)
        fake.trim(before: new[0].sequenceNumber)
        #expect(try await listAll(fake).shards.map(\.shardId) == [child])
        #expect(try await listAll(fake, childrenOf: parent).shards.map(\.shardId) == [child])
        let gone = await serviceCode { _ = try await fake.shardIterator(streamArn: fake.streamArn, shardId: parent, start: .trimHorizon) }
        #expect(gone?.serviceCode == StreamsErrorCode.resourceNotFound)
        let lost = await serviceCode { _ = try await fake.shardIterator(streamArn: fake.streamArn, shardId: parent, start: .after(old[0].sequenceNumber)) }
        #expect(lost?.serviceCode == StreamsErrorCode.trimmedDataAccess)
        // A reader whose checkpoint is the parent's last record lost nothing: the parent just ends.
        let done = try await readShard(fake, parent, from: .after(old[1].sequenceNumber))
        #expect(done.ended && done.records.isEmpty)
        #expect(fake.liveRecords.map(\.eventID) == new.map(\.eventID))
    }

    // MARK: Expiry

    @Test func iteratorsExpireAfterTheirLifetime() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.iteratorLifetimeMillis = 1000
        let fake = FakeStreams(configuration: configuration)
        let shard = fake.shards[0].shardId
        fake.append(count: 1, to: shard)
        let iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)
        fake.advanceClock(millis: 1000)
        let page = try await fake.records(iterator: iterator, limit: 10)
        #expect(page.records.count == 1, "an iterator exactly its lifetime old still works")
        fake.advanceClock(millis: 1)
        let error = await serviceCode { _ = try await fake.records(iterator: iterator, limit: 10) }
        #expect(error?.serviceCode == StreamsErrorCode.expiredIterator)
        #expect(error?.status == 400)
        // The next iterator was issued later, so it is younger.
        #expect(try await fake.records(iterator: try #require(page.nextShardIterator), limit: 10).records.isEmpty)
    }

    @Test func theClockCanMoveWithEveryCall() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.iteratorLifetimeMillis = 250
        configuration.millisPerCall = 100
        let fake = FakeStreams(configuration: configuration)
        let shard = fake.shards[0].shardId
        let iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)
        _ = try await fake.latestStreamArn(table: "T")
        _ = try await fake.records(iterator: iterator, limit: 10)
        _ = try await fake.latestStreamArn(table: "T")
        let error = await serviceCode { _ = try await fake.records(iterator: iterator, limit: 10) }
        #expect(error?.serviceCode == StreamsErrorCode.expiredIterator)
        #expect(fake.now == configuration.startMillis + 5 * 100)
    }

    // MARK: Faults

    @Test func scheduledFaultsAreTheServicesErrors() async throws {
        let fake = FakeStreams()
        let shard = fake.shards[0].shardId
        fake.append(count: 1, to: shard)
        let schedule: [Int: FakeFault] = [2: .throttling, 3: .internalServerError, 4: .malformedAnswer, 6: .expiredIterator]
        fake.setFaults(FaultPolicy { schedule[$0.index] })
        let iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)  // 1
        var errors: [AWSError] = []
        for _ in 2...4 {
            if let error = await serviceCode({ _ = try await fake.records(iterator: iterator, limit: 10) }) { errors.append(error) }
        }
        #expect(errors.map(\.serviceCode) == [StreamsErrorCode.limitExceeded, StreamsErrorCode.internalServerError, nil])
        #expect(errors.map(\.status) == [400, 500, 200])
        #expect(errors.map(\.code) == [.serviceError, .serviceError, .invalidResponse])
        #expect(errors[0].isRetryable && errors[1].isRetryable)
        let page = try await fake.records(iterator: iterator, limit: 10)  // 5: a failed call took nothing
        #expect(page.records.count == 1)
        let expired = await serviceCode { _ = try await fake.records(iterator: iterator, limit: 10) }  // 6
        #expect(expired?.serviceCode == StreamsErrorCode.expiredIterator)
        #expect(fake.calls.map(\.error) == [nil, "LimitExceededException", "InternalServerError", "invalid-response", nil, "ExpiredIteratorException"])
    }

    @Test func aRandomFaultPolicyReplaysFromItsSeed() {
        let calls = (1...400).map { FakeCall(index: $0, operation: .records, shardId: "s", millis: 0) }
        let first = calls.map { FaultPolicy.random(seed: 11, rate: 0.3).fault(for: $0) }
        let again = calls.map { FaultPolicy.random(seed: 11, rate: 0.3).fault(for: $0) }
        let other = calls.map { FaultPolicy.random(seed: 12, rate: 0.3).fault(for: $0) }
        #expect(first == again)
        #expect(first != other)
        let count = first.compactMap { $0 }.count
        #expect((60...180).contains(count), "about 30% of 400 calls: \(count)")
        #expect(Set(first.compactMap { $0 }) == Set(FakeFault.allCases))
        let describes = calls.map { FakeCall(index: $0.index, operation: .describeStream, shardId: nil, millis: 0) }
        #expect(describes.allSatisfy { FaultPolicy.random(seed: 11, rate: 1, operations: [.records]).fault(for: $0) == nil })
    }

    // MARK: Disable and re-create

    @Test func aDisabledStreamIsNotFoundAndARecreatedOneHasANewArn() async throws {
        let fake = FakeStreams()
        let shard = fake.shards[0].shardId
        let oldArn = fake.streamArn
        #expect(oldArn == "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-11-30T00:00:00.000")
        #expect(try await fake.latestStreamArn(table: "T") == oldArn)
        let iterator = try await fake.shardIterator(streamArn: oldArn, shardId: shard, start: .trimHorizon)
        fake.disable()
        #expect(try await fake.latestStreamArn(table: "T") == nil)
        let describe = await serviceCode { _ = try await fake.describeStream(streamArn: oldArn, exclusiveStartShardId: nil, childrenOf: nil) }
        let getIterator = await serviceCode { _ = try await fake.shardIterator(streamArn: oldArn, shardId: shard, start: .trimHorizon) }
        let read = await serviceCode { _ = try await fake.records(iterator: iterator, limit: 10) }
        for error in [describe, getIterator, read] {
            #expect(error?.serviceCode == StreamsErrorCode.resourceNotFound)
            #expect(error?.status == 400)
        }
        let newArn = fake.recreate()
        #expect(newArn != oldArn)
        #expect(try await fake.latestStreamArn(table: "T") == newArn)
        #expect(try await listAll(fake).shards.count == 1)
        let stale = await serviceCode { _ = try await fake.describeStream(streamArn: oldArn, exclusiveStartShardId: nil, childrenOf: nil) }
        #expect(stale?.serviceCode == StreamsErrorCode.resourceNotFound)
        let unknownTable = await serviceCode { _ = try await fake.latestStreamArn(table: "Other") }
        #expect(unknownTable?.serviceCode == StreamsErrorCode.resourceNotFound)
    }

    // MARK: Observation

    @Test func readingAChildBeforeItsParentEndsIsAViolation() async throws {
        let fake = FakeStreams()
        let parent = fake.shards[0].shardId
        fake.append(count: 2, to: parent)
        let child = fake.split(parent)[0]
        fake.append(count: 2, to: child)
        _ = try await readShard(fake, child)
        #expect(fake.lineageViolations.count >= 1)
        #expect(fake.lineageViolations.first?.contains(child) == true)

        let ordered = FakeStreams.randomLineage(seed: 3)
        for shard in ordered.shards { _ = try await readShard(ordered, shard.shardId) }
        #expect(ordered.lineageViolations.isEmpty)
    }

    @Test func overlappingReadsOfOneShardAreCounted() async throws {
        var configuration = FakeStreams.Configuration()
        configuration.readLatency = .milliseconds(300)
        let fake = FakeStreams(configuration: configuration, roots: 2)
        let (one, two) = (fake.shards[0].shardId, fake.shards[1].shardId)
        let first = try await fake.shardIterator(streamArn: fake.streamArn, shardId: one, start: .trimHorizon)
        let second = try await fake.shardIterator(streamArn: fake.streamArn, shardId: two, start: .trimHorizon)
        // One reader per shard, at the same time: one each.
        async let a = fake.records(iterator: first, limit: 10)
        async let b = fake.records(iterator: second, limit: 10)
        _ = try await (a, b)
        #expect(fake.maxConcurrentReadsPerShard == 1)
        // Two readers of one shard overlap inside the call's latency.
        async let c = fake.records(iterator: first, limit: 10)
        async let d = fake.records(iterator: first, limit: 10)
        _ = try await (c, d)
        #expect(fake.shard(one)?.counters.maxConcurrentReads == 2)
        #expect(fake.shard(one)?.counters.getRecords == 3)
        #expect(fake.shard(two)?.counters.maxConcurrentReads == 1)
    }

    // MARK: Random lineage

    @Test func aRandomLineageIsFixedByItsSeedAndReadsBackWhole() async throws {
        var shape = FakeStreams.LineageShape()
        shape.maxDepth = 4
        shape.splitChance = 0.9
        let fake = FakeStreams.randomLineage(seed: 42, shape: shape)
        let again = FakeStreams.randomLineage(seed: 42, shape: shape)
        let other = FakeStreams.randomLineage(seed: 43, shape: shape)
        #expect(fake.shards == again.shards)
        #expect(fake.allRecords == again.allRecords)
        #expect(fake.allRecords.map(\.eventID) != other.allRecords.map(\.eventID))
        #expect(Set(fake.allRecords.map(\.eventID)).count == fake.allRecords.count)

        let byId = Dictionary(uniqueKeysWithValues: fake.shards.map { ($0.shardId, $0) })
        func depth(_ shard: FakeShard) -> Int { shard.parentShardId.flatMap { byId[$0] }.map { depth($0) + 1 } ?? 0 }
        let depths = fake.shards.map(depth)
        #expect(depths.max()! <= 4)
        #expect(depths.max()! >= 2, "seed 42 at a 0.9 split chance goes several levels deep")
        #expect(fake.shards.filter { $0.parentShardId != nil }.allSatisfy { byId[$0.parentShardId!]!.isClosed })

        // Parent before child, everything read through the API: each record once, in shard order.
        var read: [String] = []
        for shard in fake.shards { read += try await readShard(fake, shard.shardId).records.map(\.sequenceNumber) }
        #expect(read == fake.shards.flatMap { $0.records.map(\.sequenceNumber) })
        #expect(read.sorted() == fake.allRecords.map(\.sequenceNumber).sorted())
        #expect(fake.lineageViolations.isEmpty)
    }

    @Test func theCallLogNamesShardsRecordsAndEnds() async throws {
        let fake = FakeStreams()
        let shard = fake.shards[0].shardId
        let written = fake.append(count: 2, to: shard).map(\.sequenceNumber)
        fake.close(shard)
        _ = try await listAll(fake)
        _ = try await readShard(fake, shard)
        let log = fake.calls
        #expect(log.map(\.call.operation) == [.describeStream, .shardIterator, .records])
        #expect(log.map(\.call.index) == [1, 2, 3])
        #expect(log[0].shardIds == [shard])
        #expect(log[1].call.shardId == shard)
        #expect(log[2].sequenceNumbers == written)
        #expect(log[2].endOfShard)
        #expect(fake.callCount == 3)
    }

    @Test func aCallHookCanShapeTheStreamMidRead() async throws {
        let fake = FakeStreams()
        let shard = fake.shards[0].shardId
        fake.append(count: 1, to: shard)
        fake.setCallHook { [fake] call in
            if call.index == 3 { fake.disable() }
        }
        let iterator = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard, start: .trimHorizon)  // 1
        let page = try await fake.records(iterator: iterator, limit: 10)  // 2
        #expect(page.records.count == 1)
        let error = await serviceCode { _ = try await fake.records(iterator: page.nextShardIterator!, limit: 10) }  // 3
        #expect(error?.serviceCode == StreamsErrorCode.resourceNotFound)
    }
}
