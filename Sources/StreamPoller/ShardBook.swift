import DynamoStreams

/// Every shard the poller knows: its lineage, where reading is, and what is durable.
///
/// The reading side (``StreamRecords``, in the engine's task) and the durable side (the engine's
/// acknowledgments, the checkpoint writer, the status lines) share it behind one lock in
/// ``StreamRecords``; nothing here waits.
struct ShardBook {
    /// One shard.
    struct Entry {
        let id: String
        let slot: Int
        var parent: String?
        /// Listed with an EndingSequenceNumber.
        var listedClosed = false
        /// In the last full listing.
        var listed = false

        // Reading.
        /// Where to ask for an iterator when there is none.
        var start: IteratorStart
        var iterator: String?
        /// A page without NextShardIterator was handed to the engine: nothing more to read.
        var readToEnd = false
        /// The last SequenceNumber handed to the engine.
        var lastRead: String?
        /// Not polled before this moment (epoch ms).
        var nextPollAt: Int64 = 0
        /// Empty answers in a row.
        var emptyStreak = 0
        /// Failures in a row: throttled, transient, unreadable answers.
        var throttled = 0
        var failures = 0
        var invalidAnswers = 0
        var inFlight = false
        /// The newest ApproximateCreationDateTime read, and whether the last answer was empty.
        var newestChange: Int64?
        var lastAnswerEmpty = false
        var recordsRead = 0

        // Durable.
        /// Records handed to the engine and not yet durable, from ordinal `windowStart`, in order.
        var window: [(sequenceNumber: String, acknowledged: Bool)] = []
        var windowHead = 0
        var windowStart = 0
        /// The last SequenceNumber durable together with every one before it.
        var durable: String?
        /// Read to its end and every record durable (or ended without being read: trimmed away,
        /// or closed before a `--from latest` start).
        var finished = false

        var unacknowledged: Int { window.count - windowHead }

        /// Whether this shard holds nothing more to read.
        var done: Bool { finished || readToEnd }
    }

    private(set) var entries: [Entry] = []
    private var slots: [String: Int] = [:]
    /// Incremented whenever what a checkpoint would hold changes.
    private(set) var version = 0
    var gaps = 0
    /// Whether a full listing was made (until then, no shard is pruned from the checkpoint).
    var listedOnce = false

    func slot(of id: String) -> Int? { slots[id] }

    subscript(slot: Int) -> Entry {
        get { entries[slot] }
        set { entries[slot] = newValue }
    }

    /// Adds a shard (known from the listing or the checkpoint); returns its slot.
    @discardableResult
    mutating func add(id: String, parent: String?, start: IteratorStart) -> Int {
        if let existing = slots[id] { return existing }
        let slot = entries.count
        entries.append(Entry(id: id, slot: slot, parent: parent, start: start))
        slots[id] = slot
        version += 1
        return slot
    }

    mutating func changed() { version += 1 }

    /// Whether `entry` may be read: its parent, if it has one the poller knows, has been read to
    /// its end (a parent the listing no longer has counts as ended).
    func parentDone(_ entry: Entry) -> Bool {
        guard let parent = entry.parent, let slot = slots[parent] else { return true }
        return entries[slot].done
    }

    /// Hands `records` of `slot` to the engine: their ordinals start at the returned one.
    mutating func handOver(_ sequenceNumbers: [String], slot: Int) -> Int {
        // In place: a copy of the entry would copy its window on every page.
        let base = entries[slot].windowStart + entries[slot].window.count - entries[slot].windowHead
        entries[slot].window.append(contentsOf: sequenceNumbers.lazy.map { ($0, false) })
        entries[slot].lastRead = sequenceNumbers.last ?? entries[slot].lastRead
        entries[slot].recordsRead += sequenceNumbers.count
        return base
    }

    /// The record at `ordinal` of `slot` is durable; the durable mark moves over every record
    /// durable together with all before it.
    mutating func acknowledge(slot: Int, ordinal: Int) {
        guard entries.indices.contains(slot) else { return }
        let index = ordinal - entries[slot].windowStart + entries[slot].windowHead
        guard index >= entries[slot].windowHead, index < entries[slot].window.count else { return }
        entries[slot].window[index].acknowledged = true
        var moved = false
        while entries[slot].windowHead < entries[slot].window.count, entries[slot].window[entries[slot].windowHead].acknowledged {
            entries[slot].durable = entries[slot].window[entries[slot].windowHead].sequenceNumber
            entries[slot].windowHead += 1
            entries[slot].windowStart += 1
            moved = true
        }
        if entries[slot].windowHead > 4096 && entries[slot].windowHead * 2 > entries[slot].window.count {
            entries[slot].window.removeFirst(entries[slot].windowHead)
            entries[slot].windowHead = 0
        }
        if moved {
            finishIfDone(slot)
            version += 1
        }
    }

    /// A shard read to its end whose every record is durable is finished.
    mutating func finishIfDone(_ slot: Int) {
        if entries[slot].readToEnd && entries[slot].unacknowledged == 0 && !entries[slot].finished {
            entries[slot].finished = true
            version += 1
        }
    }

    /// What a checkpoint holds now: every shard still listed (or not yet listed), finished or with
    /// something durable; finished shards the listing no longer has are pruned.
    func checkpointShards(pruneUnlisted: Bool) -> [String: ShardCheckpoint] {
        var shards: [String: ShardCheckpoint] = [:]
        for entry in entries {
            if pruneUnlisted && !entry.listed && entry.finished { continue }
            shards[entry.id] = ShardCheckpoint(sequenceNumber: entry.durable, finished: entry.finished, parent: entry.parent)
        }
        return shards
    }
}
