extension FakeStreams {
    /// The shape of a random lineage (``FakeStreams/randomLineage(seed:shape:configuration:)``).
    public struct LineageShape: Sendable, Hashable {
        /// How many shards without a parent.
        public var roots: ClosedRange<Int> = 1...3
        /// The most splits from a root to a leaf (0: roots only).
        public var maxDepth = 3
        /// The chance that a shard above `maxDepth` splits once written.
        public var splitChance = 0.6
        /// How many children a split opens.
        public var children: ClosedRange<Int> = 1...2
        /// Records written to each shard.
        public var recordsPerShard: ClosedRange<Int> = 0...20
        /// The chance that a shard that does not split is closed anyway (else it stays open).
        public var closeLeafChance = 0.3
        /// Empty GetRecords answers each shard gives before its first records.
        public var emptyPagesBeforeData: ClosedRange<Int> = 0...0
        /// How far the fake clock moves between two writes: records spread over hours land in
        /// several `dt=`/`HH=` partitions.
        public var millisBetweenWrites: ClosedRange<Int64> = 0...0

        /// The defaults: up to 3 roots, 3 levels of splits, up to 20 records a shard.
        public init() {}
    }

    /// A stream with a random lineage, fixed by `seed`: roots, splits down to
    /// ``LineageShape/maxDepth``, records written to the open shards in random interleaving (as a
    /// table's writes land), each shard split or closed or left open once its records are written.
    ///
    /// Every record is in ``allRecords``, and ``shards`` gives each shard's records in order.
    public static func randomLineage(seed: UInt64, shape: LineageShape = LineageShape(), configuration: Configuration = Configuration())
        -> FakeStreams
    {
        var random = SplitMix64(seed: seed)
        var configuration = configuration
        configuration.seed = random.next()
        let fake = FakeStreams(configuration: configuration, roots: 0)
        // Open shards still to be written: their ID, depth and records left to write.
        var open: [(id: String, depth: Int, left: Int)] = []
        func opened(_ id: String, depth: Int) {
            fake.setEmptyPages(random.int(in: shape.emptyPagesBeforeData), shard: id)
            open.append((id, depth, random.int(in: shape.recordsPerShard)))
        }
        for _ in 0..<random.int(in: shape.roots) { opened(fake.addRoot(), depth: 0) }
        while !open.isEmpty {
            let pick = random.int(in: 0...open.count - 1)
            let shard = open[pick]
            if shard.left > 0 {
                let batch = random.int(in: 1...min(5, shard.left))
                fake.advanceClock(millis: Int64.random(in: shape.millisBetweenWrites, using: &random))
                fake.append(count: batch, to: shard.id)
                open[pick].left -= batch
                continue
            }
            open.remove(at: pick)
            if shard.depth < shape.maxDepth, random.chance(shape.splitChance) {
                for child in fake.split(shard.id, into: random.int(in: shape.children)) { opened(child, depth: shard.depth + 1) }
            } else if random.chance(shape.closeLeafChance) {
                fake.close(shard.id)
            }
        }
        return fake
    }
}
