import Digest
import StreamNormalize

/// How objects are named, beyond what one batch decides: the table tag and the longest key a
/// ``Batcher`` can make.
public enum ObjectNames {
    /// How a table appears in object names: the name itself up to ``maxTableTagBytes``; a longer one
    /// (DynamoDB allows 255) as its start, `~` and 8 hex digits of its SHA-256, so that every object
    /// name fits in the 255 bytes a file system allows a name, and two tables still never share one.
    package static func tableTag(_ table: String) -> String {
        guard table.utf8.count > maxTableTagBytes else { return table }
        let digest = Digest.hex(Digest.sha256(Array(table.utf8)).prefix(4))
        return String(decoding: table.utf8.prefix(maxTableTagBytes - 9), as: UTF8.self) + "~" + digest
    }

    /// The most bytes a table adds to an object name, besides its `_`.
    package static let maxTableTagBytes = 64


    /// The most UTF-8 bytes any key a batcher writes has after its prefix, the joining `/` included:
    /// a data object's `/dt=YYYY-MM-dd/HH=HH/<first _seq>_<last _seq>_<rows>_<digest>_<table>.ndjson.gz`
    /// at `maxRecords` rows and the longest table tag (the table is not known before the records
    /// are read; `tableTag(_:)` bounds it), or an errors object's `/_errors/<digest>.ndjson`, whichever is
    /// longer.
    ///
    /// Sinks check a prefix against it before anything is read (S3 keys hold at most 1,024 bytes),
    /// so it must follow the names a ``Batcher`` makes; BatcherKeyLengthTests holds it to a real key.
    public static func longestKeySuffixBytes(maxRecords: Int) -> Int {
        // The latest time `_seq` holds (13 digits of epoch ms, in 2286) and the largest sequence number.
        let latest: Int64 = 9_999_999_999_999
        let orderKey = OrderKey(changeTime: latest, sequenceNumber: SequenceNumber(String(repeating: "9", count: 40))!)
        let partition = Partition(epochMillis: latest).description.utf8.count
        let rows = String(max(maxRecords, 1)).utf8.count
        let digest = 16  // hex of 8 bytes of SHA-256
        let table = 1 + maxTableTagBytes
        let name = orderKey.description.utf8.count + 1 + orderKey.description.utf8.count + 1 + rows + 1 + digest + table + ".ndjson.gz".utf8.count
        let data = 1 + partition + 1 + name
        let errors = 1 + "_errors/".utf8.count + 32 + ".ndjson".utf8.count
        return max(data, errors)
    }

}
