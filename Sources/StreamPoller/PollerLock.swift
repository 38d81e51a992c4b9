package import S3Sink
package import Timekeeping
import ProcessKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One poller per stream: a lock beside the checkpoint, taken before anything is read and held
/// until the poller ends.
package protocol PollerLock: Sendable {
    /// The place, for messages.
    var place: String { get }
    /// Takes the lock. - Throws: ``PollerError/Code/locked`` naming the holder when another has it.
    func acquire() async throws(PollerError)
    /// Confirms the lock is still ours (an S3 lease renewed); called now and then while running.
    /// - Throws: ``PollerError/Code/locked`` when it was lost.
    func renew() async throws(PollerError)
    /// Gives the lock up.
    func release() async
    /// How often ``renew()`` must be called, in milliseconds; nil: never (a file lock lasts as long
    /// as its process).
    var renewIntervalMillis: Int64? { get }
}

/// A lock file held with `flock(2)`: the kernel releases it when the process ends, however it
/// ends (SIGKILL included), so a crashed poller never leaves a stale lock behind. The file says
/// who holds it (pid, host) for the message a second poller prints.
package final class FileLock: PollerLock, @unchecked Sendable {
    package let path: String
    // Written once by acquire, before any other use (the poller's one task).
    private var descriptor: Int32 = -1

    package init(path: String) { self.path = path }

    package var place: String { path }
    package var renewIntervalMillis: Int64? { nil }

    package func acquire() async throws(PollerError) {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            do { try makeDirectories(String(path[..<slash])) } catch {
                throw PollerError(.locked, "cannot create the lock file \(path): \(error)")
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PollerError(.locked, "\(IOError("cannot open the lock file", path: path, errno: errno))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? readWholeFile(path)).map { String(decoding: $0.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self) } ?? ""
            close(fd)
            throw PollerError(
                .locked,
                "another ddbcdc stream holds the lock \(path)\(holder.isEmpty ? "" : " (\(holder))"): one poller per stream; stop it first")
        }
        let owner = Array("\(processHolder())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = owner.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    package func renew() async throws(PollerError) {}

    package func release() async {
        guard descriptor >= 0 else { return }
        // The file stays (removing it would race a poller that opened it meanwhile); the lock goes.
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}

/// A lease in an S3 object, taken and renewed with S3's conditional writes: created with
/// `If-None-Match: *` (only if there is none), renewed and taken over with `If-Match` on the
/// ETag read (only if nobody wrote it since). A lease whose holder stopped renewing it is taken
/// over once it has expired (its `expiresAt` passed, by this machine's clock plus a margin of its
/// own length). A store without conditional writes (OpenStack Swift's s3api answers 501) cannot
/// hold this lock: acquiring fails and says so.
package final class S3Lock: PollerLock, @unchecked Sendable {
    package let client: S3Client
    package let key: String
    package let ttlMillis: Int64
    private let clock: EpochClock
    private let owner: String
    // Only the poller's lock task touches these after acquire.
    private var etag: String?

    struct Lease: Codable {
        var owner: String
        var holder: String
        var expiresAt: Int64
    }

    package init(client: S3Client, key: String, ttlMillis: Int64 = 60_000, clock: EpochClock) {
        self.client = client
        self.key = key
        self.ttlMillis = ttlMillis
        self.clock = clock
        var random = SystemRandomNumberGenerator()
        owner = String(random.next(), radix: 16) + String(random.next(), radix: 16)
    }

    package var place: String { "s3://\(client.configuration.bucket)/\(key)" }
    package var renewIntervalMillis: Int64? { max(1000, ttlMillis / 3) }

    private func lease() -> [UInt8] {
        let lease = Lease(owner: owner, holder: processHolder(), expiresAt: clock.now().rawValue + ttlMillis)
        return Array((try? JSONEncoder().encode(lease)) ?? Data())
    }

    package func acquire() async throws(PollerError) {
        do {
            etag = try await client.put(key: key, body: lease(), condition: .absent)
            return
        } catch {
            guard error.status == 412 || error.status == 409 else { throw unusable(error) }
        }
        // There is a lease: ours (a retried create whose first answer was lost), expired, or held.
        let current: S3ObjectData
        do { current = try await client.getObject(key: key) } catch {
            throw PollerError(.locked, "cannot read the lock \(place): \(error.reason)")
        }
        let held = try? JSONDecoder().decode(Lease.self, from: Data(current.body))
        if let held, held.owner == owner {
            etag = current.etag
            return
        }
        if let held, held.expiresAt + ttlMillis > clock.now().rawValue {
            throw PollerError(
                .locked,
                "another ddbcdc stream holds the lock \(place) (\(held.holder), lease until \(held.expiresAt) ms): one poller per stream; "
                    + "stop it first, or wait for its lease to expire")
        }
        do { etag = try await client.put(key: key, body: lease(), condition: .etag(current.etag)) } catch {
            if error.status == 412 || error.status == 409 {
                throw PollerError(.locked, "another ddbcdc stream took the lock \(place) at the same moment: one poller per stream")
            }
            throw unusable(error)
        }
    }

    private func unusable(_ error: S3Error) -> PollerError {
        if error.status == 501 || error.code == "NotImplemented" {
            return PollerError(
                .locked,
                "the store of \(place) does not do conditional writes (\(error.reason)), so it cannot hold the poller's lock: "
                    + "give --checkpoint a local path, or --lock none if you make sure yourself that one poller runs")
        }
        return PollerError(.locked, "cannot take the lock \(place): \(error.reason)")
    }

    package func renew() async throws(PollerError) {
        guard let etag else { throw PollerError(.locked, "the lock \(place) is not held") }
        do { self.etag = try await client.put(key: key, body: lease(), condition: .etag(etag)) } catch {
            if error.status == 412 || error.status == 409 || error.code == "NoSuchKey" {
                throw PollerError(.locked, "lost the lock \(place): another poller took it over (this one's lease was not renewed in time)")
            }
            // A transient failure: the lease still runs; the next renewal tries again.
        }
    }

    package func release() async {
        guard etag != nil else { return }
        etag = nil
        try? await client.delete(key: key)
    }
}

/// No lock (`--lock none`): for a store without conditional writes, when one poller per stream is
/// made sure of otherwise.
package struct NoLock: PollerLock {
    package init() {}
    package var place: String { "none" }
    package var renewIntervalMillis: Int64? { nil }
    package func acquire() async throws(PollerError) {}
    package func renew() async throws(PollerError) {}
    package func release() async {}
}

/// `pid N on HOST`: who holds a lock, for the message another poller prints.
func processHolder() -> String {
    var host = [UInt8](repeating: 0, count: 256)
    _ = host.withUnsafeMutableBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, $0.count - 1) }
    }
    return "pid \(getpid()) on \(String(decoding: host.prefix { $0 != 0 }, as: UTF8.self))"
}
