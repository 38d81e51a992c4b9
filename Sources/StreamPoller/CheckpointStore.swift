package import S3Sink
import ProcessKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a stream's ``Checkpoint`` lives: a local file, or an S3 object when the sink is S3.
package protocol CheckpointStore: Sendable {
    /// The place, for messages: a path or `s3://bucket/key`.
    var place: String { get }
    /// The checkpoint, or nil when there is none yet.
    func load() async throws(PollerError) -> Checkpoint?
    /// Replaces the checkpoint, atomically: a reader sees the old one or the new one, whole.
    func save(_ checkpoint: Checkpoint) async throws(PollerError)
}

/// A checkpoint in a local file, replaced by writing a temporary file beside it, syncing it and
/// renaming it over the old one.
package struct FileCheckpointStore: CheckpointStore {
    package let path: String

    package init(path: String) { self.path = path }

    package var place: String { path }

    package func load() async throws(PollerError) -> Checkpoint? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw PollerError(.badCheckpoint, "\(IOError("cannot read the checkpoint", path: path, errno: errno))")
        }
        let bytes: [UInt8]
        do { bytes = try readWholeFile(path) } catch {
            throw PollerError(.badCheckpoint, "cannot read the checkpoint: \(error)")
        }
        return try Checkpoint.decode(bytes, place: path)
    }

    package func save(_ checkpoint: Checkpoint) async throws(PollerError) {
        do {
            if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try makeDirectories(String(path[..<slash])) }
            try writeFileAtomically(path, checkpoint.encoded())
        } catch {
            throw PollerError(.checkpointFailed, "cannot write the checkpoint: \(error)")
        }
    }
}

/// A checkpoint in an S3 object, replaced by one PutObject (S3 replaces objects whole).
package struct S3CheckpointStore: CheckpointStore {
    package let client: S3Client
    package let key: String

    package init(client: S3Client, key: String) {
        self.client = client
        self.key = key
    }

    package var place: String { "s3://\(client.configuration.bucket)/\(key)" }

    package func load() async throws(PollerError) -> Checkpoint? {
        let data: S3ObjectData
        do { data = try await client.getObject(key: key) } catch {
            if error.code == "NoSuchKey" || error.status == 404 { return nil }
            throw PollerError(.badCheckpoint, "cannot read the checkpoint \(place): \(error.reason)")
        }
        return try Checkpoint.decode(data.body, place: place)
    }

    package func save(_ checkpoint: Checkpoint) async throws(PollerError) {
        do { try await client.put(key: key, body: checkpoint.encoded(), contentType: "application/json") } catch {
            throw PollerError(.checkpointFailed, "cannot write the checkpoint \(place): \(error.reason)")
        }
    }
}
