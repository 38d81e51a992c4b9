#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif

/// Objects as files under a directory: `<root>/<key>`.
///
/// Each object is written to a hidden temporary file beside its final name, flushed to disk,
/// then renamed into place, so a crash never leaves a partial object under a final name (Spark,
/// DuckDB and Auto Loader skip names that start with `.`).
public struct LocalDirectorySink: ObjectSink {
    /// The directory objects go under.
    public let root: String

    /// A sink writing under `root` (created when needed).
    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public func put(key: String, body: [UInt8]) async throws(SinkError) {
        try write(key: key, body: body)
    }

    /// Writes synchronously; `put` is this behind the protocol.
    public func write(key: String, body: [UInt8]) throws(SinkError) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw SinkError(.invalidKey, key: key, "a key must be a relative path without empty, '.' or '..' parts")
        }
        let path = root + "/" + key
        let directory = String(path[..<path.lastIndex(of: "/")!])
        try makeDirectories(directory, key: key)
        let name = parts.last!
        let temporary = "\(directory)/.\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
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
