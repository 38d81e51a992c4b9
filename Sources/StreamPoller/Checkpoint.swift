#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a stream poller has made durable: for each shard, its last durable SequenceNumber and
/// whether it is finished (read to its end, every record durable).
///
/// Written only after the objects holding those records are durable, replaced atomically; a
/// restart resumes each unfinished shard `AFTER_SEQUENCE_NUMBER` its `sequenceNumber` (from its
/// start when it has none) and skips finished ones. Finished shards that left the stream's
/// listing are pruned.
package struct Checkpoint: Sendable, Hashable, Codable {
    /// The format, for readers of the file: 1.
    package var version: Int = 1
    /// The stream it belongs to; a checkpoint of another stream is refused.
    package var streamArn: String
    /// The table, for people reading the file.
    package var table: String?
    /// When it was written, ISO 8601.
    package var updatedAt: String
    /// Shards by ID.
    package var shards: [String: ShardCheckpoint]
    /// Gaps recorded under `_gaps/` (with `--on-trim continue`), in all.
    package var gaps: Int = 0

    package init(streamArn: String, table: String?, updatedAt: String, shards: [String: ShardCheckpoint], gaps: Int = 0) {
        self.streamArn = streamArn
        self.table = table
        self.updatedAt = updatedAt
        self.shards = shards
        self.gaps = gaps
    }

    /// The checkpoint as its file holds it: sorted keys, one shard per line.
    package func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding these plain values cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [UInt8(ascii: "\n")]
    }

    /// The checkpoint in `bytes`, read from `place` (named in errors).
    package static func decode(_ bytes: [UInt8], place: String) throws(PollerError) -> Checkpoint {
        do {
            let checkpoint = try JSONDecoder().decode(Checkpoint.self, from: Data(bytes))
            guard checkpoint.version == 1 else {
                throw PollerError(.badCheckpoint, "\(place): checkpoint version \(checkpoint.version) is not one this ddbcdc reads (1)")
            }
            return checkpoint
        } catch let error as PollerError {
            throw error
        } catch {
            throw PollerError(.badCheckpoint, "\(place) is not a ddbcdc stream checkpoint: \(error)")
        }
    }
}

/// One shard in a ``Checkpoint``.
package struct ShardCheckpoint: Sendable, Hashable, Codable {
    /// The last SequenceNumber whose record (and every one before it in the shard) is durable.
    package var sequenceNumber: String?
    /// Read to its end and every record durable: nothing more to read.
    package var finished: Bool
    /// The shard it was split from.
    package var parent: String?

    package init(sequenceNumber: String?, finished: Bool, parent: String?) {
        self.sequenceNumber = sequenceNumber
        self.finished = finished
        self.parent = parent
    }
}
