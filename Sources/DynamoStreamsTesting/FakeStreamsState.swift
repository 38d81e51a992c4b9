import AWSCore
import DynamoStreams
import StreamNormalize

/// A shard inside the fake.
struct ShardState {
    let id: String
    let parent: String?
    /// The lineage's root, by creation number: generated keys stay within one lineage, as a
    /// DynamoDB item's changes stay within one partition's shards.
    let lineage: Int
    let starting: UInt128
    var ending: UInt128?
    var records: [FakeRecord] = []
    var sequenceNumbers: [UInt128] = []
    var trimmed = 0
    var gone = false
    var listedOpenLeft = 0
    var emptyPagesLeft: Int
    var endReturned = false
    var counters = FakeShardCounters()
    var reading = 0

    var snapshot: FakeShard {
        FakeShard(
            shardId: id, parentShardId: parent, startingSequenceNumber: String(starting), endingSequenceNumber: ending.map { String($0) },
            records: records, trimmedCount: trimmed, isListed: !gone, endReturned: endReturned, counters: counters)
    }
}

/// Where an iterator points: what the opaque iterator string encodes.
struct IteratorToken: Equatable {
    var generation: Int
    var shardId: String
    /// The index in the shard's records (trimmed ones included) of the next record to return.
    var position: Int
    var issuedMillis: Int64

    /// `<stream ARN>|1|<hex>`, the shape of the service's iterators (which are opaque too).
    func encoded(streamArn: String) -> String {
        let payload = "\(generation)/\(shardId)/\(position)/\(issuedMillis)"
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(payload.utf8.count * 2)
        for byte in payload.utf8 {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 15)])
        }
        return streamArn + "|1|" + String(decoding: hex, as: UTF8.self)
    }

    /// The token of an iterator string; nil when it is not one of ours.
    init?(_ iterator: String) {
        guard let bar = iterator.utf8.lastIndex(of: UInt8(ascii: "|")) else { return nil }
        let hex = Array(iterator.utf8[iterator.utf8.index(after: bar)...])
        guard hex.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        var index = 0
        while index < hex.count {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, let generation = Int(parts[0]), let position = Int(parts[2]), let issued = Int64(parts[3]) else {
            return nil
        }
        self.init(generation: generation, shardId: String(parts[1]), position: position, issuedMillis: issued)
    }

    init(generation: Int, shardId: String, position: Int, issuedMillis: Int64) {
        self.generation = generation
        self.shardId = shardId
        self.position = position
        self.issuedMillis = issuedMillis
    }
}

/// Everything the fake holds, behind its lock.
struct FakeState {
    var config: FakeStreams.Configuration
    var random: SplitMix64
    var now: Int64
    var callCount = 0
    var hook: (@Sendable (FakeCall) -> Void)?

    var generation = 1
    var streamArn = ""
    var lastLabelMillis: Int64 = .min
    var enabled = true
    var shards: [String: ShardState] = [:]
    /// Shard IDs in creation order, which is also their text order.
    var order: [String] = []
    var lastShardNumber: Int64 = 0
    var nextSequence: UInt128
    var recordCount: UInt64 = 0
    var lineages = 0
    /// Generated items by key text: their current image and a version counter.
    var items: [String: (version: Int, image: String)] = [:]
    var allRecords: [FakeRecord] = []

    var log: [FakeCallLogEntry] = []
    var violations: [String] = []

    init(config: FakeStreams.Configuration) {
        self.config = config
        self.random = SplitMix64(seed: config.seed)
        self.now = config.startMillis
        self.nextSequence = config.firstSequenceNumber
        streamArn = newStreamArn()
    }

    // MARK: Names and numbers

    mutating func newStreamArn() -> String {
        let label = max(now, lastLabelMillis + 1)
        lastLabelMillis = label
        return "arn:aws:dynamodb:\(config.region):\(config.accountId):table/\(config.tableName)/stream/\(Self.iso8601(millis: label))"
    }

    /// A SequenceNumber above every one handed out so far.
    mutating func takeSequenceNumber() -> UInt128 {
        let number = nextSequence
        let gap = UInt64.random(in: config.sequenceGap, using: &random)
        nextSequence += UInt128(max(gap, 1))
        return number
    }

    /// `shardId-<20 digits>-<8 hex>`: the service's shape; the digits grow with creation, so IDs
    /// sort in creation order (DescribeStream lists them in that order).
    mutating func newShard(parent: String?, lineage: Int) -> String {
        lastShardNumber = max(lastShardNumber + 1, now * 1000)
        let digits = String(lastShardNumber)
        let suffix = String(SplitMix64.mix(UInt64(lastShardNumber)) & 0xFFFF_FFFF, radix: 16)
        let id =
            "shardId-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-"
            + String(repeating: "0", count: 8 - suffix.count) + suffix
        shards[id] = ShardState(
            id: id, parent: parent, lineage: lineage, starting: takeSequenceNumber(), emptyPagesLeft: config.emptyPagesBeforeData)
        order.append(id)
        return id
    }

    mutating func newRoot() -> String {
        lineages += 1
        return newShard(parent: nil, lineage: lineages)
    }

    // MARK: Writing

    mutating func openShard(_ id: String, for what: String) -> ShardState {
        guard let shard = shards[id] else { preconditionFailure("\(what): no shard \(id) in \(streamArn)") }
        precondition(!shard.gone, "\(what): shard \(id) was trimmed away")
        precondition(shard.ending == nil, "\(what): shard \(id) is closed")
        return shard
    }

    mutating func append(_ changes: [FakeChange], to id: String) -> [FakeRecord] {
        var shard = openShard(id, for: "append")
        var written: [FakeRecord] = []
        for change in changes {
            let number = takeSequenceNumber()
            recordCount += 1
            let record = makeRecord(change, sequenceNumber: number, shardId: id)
            shard.records.append(record)
            shard.sequenceNumbers.append(number)
            written.append(record)
        }
        shards[id] = shard
        allRecords += written
        return written
    }

    /// A change to a key of the shard's lineage: INSERT when the key has no item, else MODIFY
    /// (two times in three) or REMOVE, with images that follow the item's history.
    mutating func generatedChange(in id: String) -> FakeChange {
        let lineage = shards[id]?.lineage ?? 0
        let key = #"{"pk":{"S":"item-\#(lineage)-\#(random.int(in: 0...max(config.keysPerLineage - 1, 0)))"}}"#
        func image(_ version: Int) -> String {
            let pk = key.dropFirst(1).dropLast(1)
            let cents = random.int(in: 0...99_999)
            return #"{\#(pk),"version":{"N":"\#(version)"},"price":{"N":"\#(cents / 100).\#(cents % 100 < 10 ? "0" : "")\#(cents % 100)"},"note":{"S":"change \#(recordCount + 1)"}}"#
        }
        guard let item = items[key] else {
            let new = image(1)
            items[key] = (1, new)
            return FakeChange(.insert, keys: key, newImage: new)
        }
        if random.int(in: 0...2) == 0 {
            items[key] = nil
            return FakeChange(.remove, keys: key, oldImage: item.image)
        }
        let new = image(item.version + 1)
        items[key] = (item.version + 1, new)
        return FakeChange(.modify, keys: key, newImage: new, oldImage: item.image)
    }

    func makeRecord(_ change: FakeChange, sequenceNumber: UInt128, shardId: String) -> FakeRecord {
        let seconds = now >= 0 ? now / 1000 : (now - 999) / 1000
        let eventID = Self.hex(SplitMix64.mix(recordCount)) + Self.hex(SplitMix64.mix(UInt64(generation) << 32 ^ 0x5EED))
        let view = config.viewType
        let newImage = view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES" ? change.newImage : nil
        let oldImage = view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES" ? change.oldImage : nil
        let size = change.keys.utf8.count + (newImage?.utf8.count ?? 0) + (oldImage?.utf8.count ?? 0)
        var dynamodb = #"{"ApproximateCreationDateTime":\#(creationTime(seconds: seconds)),"Keys":\#(change.keys)"#
        if let newImage { dynamodb += #","NewImage":\#(newImage)"# }
        if let oldImage { dynamodb += #","OldImage":\#(oldImage)"# }
        dynamodb += #","SequenceNumber":"\#(sequenceNumber)","SizeBytes":\#(size),"StreamViewType":"\#(view)"}"#
        let json =
            #"{"eventID":"\#(eventID)","eventName":"\#(change.eventName.rawValue)","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"\#(config.region)","dynamodb":\#(dynamodb)}"#
        return FakeRecord(
            streamArn: streamArn, shardId: shardId, sequenceNumber: String(sequenceNumber), eventID: eventID, eventName: change.eventName,
            approximateCreationMillis: seconds * 1000, keys: change.keys, json: json)
    }

    func creationTime(seconds: Int64) -> String {
        switch config.creationTimeStyle {
        case .seconds:
            return String(seconds)
        case .exponent:
            // d.ddd…E<n>, trailing zeros of the fraction dropped: 1795996800 → 1.7959968E9.
            let digits = String(seconds)
            var fraction = digits.dropFirst()
            while fraction.last == "0" { fraction = fraction.dropLast() }
            return "\(digits.first!).\(fraction.isEmpty ? "0" : fraction)E\(digits.count - 1)"
        }
    }

    mutating func close(_ id: String) {
        var shard = openShard(id, for: "close")
        shard.ending = takeSequenceNumber()
        shards[id] = shard
    }

    mutating func split(_ id: String, into count: Int) -> [String] {
        precondition(count >= 1, "split: a shard splits into at least one child")
        close(id)
        shards[id]!.listedOpenLeft = config.parentOpenListings
        let lineage = shards[id]!.lineage
        return (0..<count).map { _ in newShard(parent: id, lineage: lineage) }
    }

    mutating func trim(before point: UInt128) {
        for id in order {
            var shard = shards[id]!
            var trimmed = shard.trimmed
            while trimmed < shard.sequenceNumbers.count, shard.sequenceNumbers[trimmed] < point { trimmed += 1 }
            shard.trimmed = trimmed
            if let ending = shard.ending, ending < point {
                shard.gone = true
                shard.trimmed = shard.records.count
            }
            shards[id] = shard
        }
    }

    mutating func recreate(roots: Int) -> String {
        generation += 1
        enabled = true
        shards = [:]
        order = []
        streamArn = newStreamArn()
        for _ in 0..<roots { _ = newRoot() }
        return streamArn
    }

    // MARK: Calls

    mutating func begin(_ operation: FakeOperation, shardId: String?) -> (FakeCall, (@Sendable (FakeCall) -> Void)?) {
        callCount += 1
        now += config.millisPerCall
        return (FakeCall(index: callCount, operation: operation, shardId: shardId, millis: now), hook)
    }

    mutating func record(_ entry: FakeCallLogEntry) {
        if config.logCalls { log.append(entry) }
    }

    /// Logs a failed call and gives its error.
    mutating func fail(_ call: FakeCall, _ error: AWSError) -> AWSError {
        record(FakeCallLogEntry(call: call, error: error.serviceCode ?? error.code.description))
        return error
    }

    /// The error of a fault injected into `call`, if the policy names one that applies.
    func injected(_ call: FakeCall) -> AWSError? {
        guard let fault = config.faults.fault(for: call) else { return nil }
        let what = "\(call.operation.rawValue) (fake DynamoDB Streams, call \(call.index))"
        switch fault {
        case .throttling:
            return Self.serviceError(
                StreamsErrorCode.limitExceeded, "\(what): Rate exceeded for shard \(call.shardId ?? "-")", call: call)
        case .internalServerError:
            return Self.serviceError(StreamsErrorCode.internalServerError, "\(what): Internal server error", status: 500, call: call)
        case .expiredIterator:
            guard call.operation == .records else { return nil }
            return Self.serviceError(StreamsErrorCode.expiredIterator, "\(what): Iterator expired (injected)", call: call)
        case .malformedAnswer:
            return AWSError(
                .invalidResponse, "\(what): the answer is not valid JSON (injected)", status: 200, requestID: "fake-\(call.index)")
        }
    }

    static func serviceError(_ code: String, _ message: String, status: Int = 400, call: FakeCall) -> AWSError {
        AWSError(.serviceError, "\(code): \(message)", status: status, serviceCode: code, requestID: "fake-\(call.index)")
    }

    func streamMissing(_ arn: String, _ call: FakeCall) -> AWSError? {
        guard arn != streamArn || !enabled else { return nil }
        return Self.serviceError(StreamsErrorCode.resourceNotFound, "Requested resource not found: Stream: \(arn) not found", call: call)
    }

    mutating func describe(_ call: FakeCall, streamArn arn: String, after start: String?, childrenOf parent: String?) throws(AWSError)
        -> StreamDescription
    {
        if let error = injected(call) ?? streamMissing(arn, call) { throw fail(call, error) }
        guard config.describePageSize >= 1 else { preconditionFailure("describePageSize must be at least 1") }
        var listed = order.filter { !shards[$0]!.gone && (parent == nil || shards[$0]!.parent == parent) }
        if let start { listed = listed.filter { $0 > start } }
        let page = Array(listed.prefix(config.describePageSize))
        let more = listed.count > page.count || (config.lastEvaluatedOnFullLastPage && page.count == config.describePageSize)
        var result: [Shard] = []
        for id in page {
            var shard = shards[id]!
            var ending = shard.ending.map { String($0) }
            if ending != nil, shard.listedOpenLeft > 0 {
                shard.listedOpenLeft -= 1
                ending = nil
            }
            shards[id] = shard
            result.append(
                Shard(shardId: id, parentShardId: shard.parent, startingSequenceNumber: String(shard.starting), endingSequenceNumber: ending))
        }
        var entry = FakeCallLogEntry(call: call)
        entry.shardIds = page
        entry.lastEvaluatedShardId = more ? page.last : nil
        entry.childrenOf = parent
        record(entry)
        return StreamDescription(
            streamArn: arn, status: "ENABLED", viewType: config.viewType, tableName: config.tableName, shards: result,
            lastEvaluatedShardId: more ? page.last : nil)
    }

    mutating func iterator(_ call: FakeCall, streamArn arn: String, shardId: String, start: IteratorStart) throws(AWSError) -> String {
        if let error = injected(call) ?? streamMissing(arn, call) { throw fail(call, error) }
        guard var shard = shards[shardId] else {
            throw fail(
                call, Self.serviceError(StreamsErrorCode.resourceNotFound, "Requested resource not found: Shard: \(shardId) not found", call: call))
        }
        shard.counters.shardIterators += 1
        shards[shardId] = shard
        let position: Int
        switch start {
        case .trimHorizon, .latest:
            if shard.gone {
                throw fail(
                    call,
                    Self.serviceError(StreamsErrorCode.resourceNotFound, "Requested resource not found: Shard: \(shardId) not found", call: call))
            }
            position = start == .latest ? shard.records.count : shard.trimmed
        case .at(let text), .after(let text):
            guard let number = UInt128(text), number >= shard.starting, shard.ending.map({ number <= $0 }) ?? true else {
                throw fail(
                    call,
                    Self.serviceError(
                        "ValidationException", "Invalid SequenceNumber \(text) for shard \(shardId) (\(start.iteratorType))", call: call))
            }
            let after = start.iteratorType == "AFTER_SEQUENCE_NUMBER"
            position = Self.firstIndex(in: shard.sequenceNumbers) { after ? $0 > number : $0 >= number }
            if position < shard.trimmed {
                throw fail(call, trimmedError(shard, call))
            }
        }
        record(FakeCallLogEntry(call: call))
        return IteratorToken(generation: generation, shardId: shardId, position: position, issuedMillis: now).encoded(streamArn: streamArn)
    }

    func trimmedError(_ shard: ShardState, _ call: FakeCall) -> AWSError {
        let oldest = shard.trimmed < shard.records.count ? "the oldest record left is \(shard.records[shard.trimmed].sequenceNumber)" : "no record is left"
        return Self.serviceError(
            StreamsErrorCode.trimmedDataAccess,
            "Shard \(shard.id): \(shard.trimmed) record(s) were trimmed (\(oldest))", call: call)
    }

    /// The first index of the sorted `numbers` where `isPast` holds (its count when nowhere).
    static func firstIndex(in numbers: [UInt128], where isPast: (UInt128) -> Bool) -> Int {
        var low = 0
        var high = numbers.count
        while low < high {
            let mid = (low + high) / 2
            if isPast(numbers[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// GetRecords up to the pause: faults, the iterator, expiry, the reader count.
    mutating func startRead(_ call: FakeCall, _ token: IteratorToken?, iterator: String, limit: Int) throws(AWSError) -> IteratorToken {
        if let error = injected(call) { throw fail(call, error) }
        guard let token, let arnEnd = iterator.utf8.firstIndex(of: UInt8(ascii: "|")) else {
            throw fail(call, Self.serviceError("ValidationException", "Invalid ShardIterator: \(iterator.prefix(80))", call: call))
        }
        if let error = streamMissing(String(iterator[..<arnEnd]), call) { throw fail(call, error) }
        guard token.generation == generation, shards[token.shardId] != nil else {
            throw fail(call, Self.serviceError("ValidationException", "Invalid ShardIterator: \(iterator.prefix(80))", call: call))
        }
        guard (1...1000).contains(limit) else {
            throw fail(call, Self.serviceError("ValidationException", "Limit \(limit) is not in 1...1000", call: call))
        }
        if now - token.issuedMillis > config.iteratorLifetimeMillis {
            throw fail(
                call,
                Self.serviceError(
                    StreamsErrorCode.expiredIterator,
                    "Iterator expired. The iterator was created at \(token.issuedMillis) ms while right now it is \(now) ms", call: call))
        }
        var shard = shards[token.shardId]!
        shard.counters.getRecords += 1
        shard.reading += 1
        shard.counters.maxConcurrentReads = max(shard.counters.maxConcurrentReads, shard.reading)
        if let parent = shard.parent, let parentShard = shards[parent], !parentShard.gone, !parentShard.endReturned {
            violations.append("call \(call.index): GetRecords on \(shard.id) before its parent \(parent) was read to its end")
        }
        shards[token.shardId] = shard
        return token
    }

    /// GetRecords after the pause: the page.
    mutating func finishRead(_ call: FakeCall, _ token: IteratorToken, limit: Int) throws(AWSError) -> RecordsPage {
        if token.generation == generation { shards[token.shardId]?.reading -= 1 }
        // Disabled or re-created during the pause: the shard is gone with the stream.
        guard token.generation == generation, enabled, var shard = shards[token.shardId] else {
            throw fail(
                call,
                Self.serviceError(StreamsErrorCode.resourceNotFound, "Requested resource not found: Stream of \(token.shardId) not found", call: call))
        }
        if token.position < shard.trimmed { throw fail(call, trimmedError(shard, call)) }
        var position = token.position
        var body = Array(#"{"Records":["#.utf8)
        var page: [PageRecord] = []
        var numbers: [String] = []
        let available = shard.records.count - position
        if available > 0, shard.emptyPagesLeft > 0 {
            shard.emptyPagesLeft -= 1
        } else {
            let bodyLimit = config.maxPageBytes
            var bytes = 0
            while page.count < min(limit, available) {
                let record = shard.records[position]
                let size = record.json.utf8.count
                if !page.isEmpty, bytes + size > bodyLimit { break }
                if !page.isEmpty { body.append(UInt8(ascii: ",")) }
                body += record.json.utf8
                bytes += size
                page.append(PageRecord(sequenceNumber: record.sequenceNumber, approximateCreationMillis: record.approximateCreationMillis))
                if config.logCalls { numbers.append(record.sequenceNumber) }
                position += 1
            }
        }
        body.append(UInt8(ascii: "]"))
        let atEnd = shard.ending != nil && position == shard.records.count
        let next: String?
        if atEnd, page.isEmpty || config.finalPage == .withLastRecords {
            next = nil
            shard.endReturned = true
        } else {
            next = IteratorToken(generation: generation, shardId: shard.id, position: position, issuedMillis: now).encoded(streamArn: streamArn)
            body += #","NextShardIterator":""#.utf8
            body += next!.utf8
            body.append(UInt8(ascii: "\""))
        }
        body.append(UInt8(ascii: "}"))
        shard.counters.recordsReturned += page.count
        shards[token.shardId] = shard
        var entry = FakeCallLogEntry(call: call)
        entry.sequenceNumbers = numbers
        entry.endOfShard = next == nil
        record(entry)
        return RecordsPage(body: body, records: page, nextShardIterator: next)
    }

    mutating func latestStreamArn(_ call: FakeCall, table: String) throws(AWSError) -> String? {
        if let error = injected(call) { throw fail(call, error) }
        guard table == config.tableName else {
            throw fail(call, Self.serviceError(StreamsErrorCode.resourceNotFound, "Requested resource not found: Table: \(table) not found", call: call))
        }
        record(FakeCallLogEntry(call: call))
        return enabled ? streamArn : nil
    }

    // MARK: Text

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// `2026-11-30T00:00:00.000`, the label of a stream ARN (UTC, no zone).
    static func iso8601(millis: Int64) -> String { String(ISO8601.format(epochMillis: millis).dropLast()) }
}
