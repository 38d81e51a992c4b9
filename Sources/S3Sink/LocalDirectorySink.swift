#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif
internal import Synchronization
public import Timekeeping

/// Objects as files under a directory: `<root>/<key>`.
///
/// Each object is written to a hidden temporary file beside its final name, flushed to disk,
/// then renamed into place, so a crash never leaves a partial object under a final name (Spark,
/// DuckDB and Auto Loader skip names that start with `.`).
///
/// A process killed while writing leaves its temporary file behind. The first time a sink writes
/// into a folder it removes the stale ones there: names of exactly this sink's pattern,
/// `.<object name>.<pid>.<random>.tmp`, that are regular files and either older than
/// ``staleAfterSeconds`` with a writer pid that is no running process on this host, or older
/// than ``abandonedAfterSeconds`` whatever the pid (a pid can be reused; a writer on another host
/// of a shared filesystem is not visible here, hence the age). Nothing else is touched.
public struct LocalDirectorySink: ObjectSink {
    /// The directory objects go under.
    public let root: String
    /// The time, for the age of temporary files.
    private let clock: EpochClock
    private let cleaned: Cleaned

    /// A temporary file of a writer that is gone is removed once this old: longer than any
    /// single write takes.
    public static let staleAfterSeconds: Int64 = 10 * 60
    /// A temporary file is removed once this old, whoever wrote it.
    public static let abandonedAfterSeconds: Int64 = 24 * 60 * 60

    /// A sink writing under `root` (created when needed), ageing temporary files by `clock`.
    public init(root: String, clock: EpochClock = .system) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.clock = clock
        self.cleaned = Cleaned()
    }

    /// Stale temporary files removed so far.
    public var staleTemporariesRemoved: Int { cleaned.state.withLock { $0.removed } }

    /// The folders already cleaned, and how many files were removed.
    private final class Cleaned: Sendable {
        let state = Mutex<(folders: Set<String>, removed: Int)>(([], 0))
    }

    /// Writes `body` to `<root>/<key>` atomically and flushed to disk; the folders on the way are made as needed.
    /// - Throws: ``SinkError`` for a key that is not a relative path (`invalidKey`) or a failed write (`writeFailed`).
    public func put(key: String, body: [UInt8]) async throws(SinkError) {
        try write(key: key, body: body)
    }

    /// Writes synchronously; `put` is this behind the protocol.
    package func write(key: String, body: [UInt8]) throws(SinkError) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw SinkError(.invalidKey, key: key, "a key must be a relative path without empty, '.' or '..' parts")
        }
        let path = root + "/" + key
        let directory = String(path[..<path.lastIndex(of: "/")!])
        try makeDirectories(directory, key: key)
        removeStaleTemporaries(in: directory)
        let name = parts.last!
        let temporary = directory + "/" + Self.temporaryName(for: name, pid: getpid(), random: UInt64.random(in: 0...UInt64.max))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(key, "cannot create \(temporary)") }
        var written = 0
        while written < body.count {
            let count = body.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let error = failure(key, "cannot write \(temporary)")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += count
        }
        guard fsync(fd) == 0 else {
            let error = failure(key, "cannot flush \(temporary) to disk")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure(key, "cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        // The rename is durable once the directory is.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Removes stale temporary files from `directory`, the first time this sink writes there.
    private func removeStaleTemporaries(in directory: String) {
        guard cleaned.state.withLock({ $0.folders.insert(directory).inserted }) else { return }
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        let now = clock.now().seconds
        var removed = 0
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Self.temporaryWriter(name) else { continue }
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let age = now - Int64(info.st_mtim.tv_sec)
            let writerGone = kill(pid, 0) != 0 && errno == ESRCH
            if age >= Self.abandonedAfterSeconds || (age >= Self.staleAfterSeconds && writerGone) {
                if unlink(path) == 0 { removed += 1 }
            }
        }
        if removed > 0 { cleaned.state.withLock { $0.removed += removed } }
    }

    /// The temporary name beside the object `name`: `.<name>.<pid>.<random>.tmp`, with only as
    /// much of `name` as keeps it within a file name's 255 bytes (object names may be that long).
    static func temporaryName(for name: some StringProtocol, pid: pid_t, random: UInt64) -> String {
        let tail = ".\(pid).\(random).tmp"
        var kept = Substring(name)
        while kept.utf8.count + tail.utf8.count + 1 > 255 { kept.removeLast() }
        return "." + kept + tail
    }

    /// The writer's pid when `name` is one of this sink's temporary names,
    /// `.<object name>.<pid>.<random>.tmp`; nil for any other name.
    static func temporaryWriter(_ name: String) -> pid_t? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let random = parts[parts.count - 1], pid = parts[parts.count - 2]
        let digits: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard digits(random), UInt64(random) != nil, digits(pid), let value = pid_t(pid), value > 0,
            !parts[..<(parts.count - 2)].joined(separator: ".").isEmpty
        else { return nil }
        return value
    }

    private func makeDirectories(_ directory: String, key: String) throws(SinkError) {
        var current = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw failure(key, "cannot create directory \(current)")
            }
        }
    }

    private func failure(_ key: String, _ what: String) -> SinkError {
        SinkError(.writeFailed, key: key, "\(what): \(String(cString: strerror(errno)))")
    }
}
