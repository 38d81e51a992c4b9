import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Buffered writes to a file descriptor; `flush()` before the end.
package struct FileSink {
    private let fd: FileDescriptor
    package let path: String
    private let owned: Bool
    private var buffer: [UInt8] = []
    private let threshold: Int

    /// Standard output.
    package static var standardOutput: FileSink { FileSink(fd: .standardOutput, path: "<stdout>", owned: false) }
    /// Standard output, unbuffered (log lines).
    package static var standardOutputLine: FileSink { FileSink(fd: .standardOutput, path: "<stdout>", owned: false, threshold: 0) }
    /// Standard error, unbuffered.
    package static var standardError: FileSink { FileSink(fd: .standardError, path: "<stderr>", owned: false, threshold: 0) }

    private init(fd: FileDescriptor, path: String, owned: Bool, threshold: Int = 1 << 18) {
        self.fd = fd
        self.path = path
        self.owned = owned
        self.threshold = threshold
        buffer.reserveCapacity(threshold + (1 << 16))
    }

    /// Creates (or truncates) `path` for writing.
    /// - Throws: ``IOError`` naming the path.
    package init(creating path: String) throws {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .truncate, .closeOnExec], permissions: FilePermissions(rawValue: 0o644))
        } catch {
            throw IOError("cannot create", path: path, errno: (error as? Errno)?.rawValue ?? Errno.ioError.rawValue)
        }
        self.init(fd: fd, path: path, owned: true)
    }

    package mutating func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= threshold { try flush() }
    }

    /// Rows and export lines come as buffers: written by one copy here. Called from another
    /// module, the generic `write` runs unspecialized, as the standard library's generic
    /// `append(contentsOf:)` (metadata lookups and all): 835 instructions a row of `transform`.
    package mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= threshold { try flush() }
    }

    /// The same for raw bytes.
    package mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try write(bytes.assumingMemoryBound(to: UInt8.self))
    }

    package mutating func write(_ text: String) throws { try write(text.utf8) }

    /// Writes what is buffered (`writeAll` retries interrupted and partial writes).
    package mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            _ = try fd.writeAll(buffer)
        } catch {
            throw IOError("cannot write", path: path, errno: (error as? Errno)?.rawValue ?? Errno.ioError.rawValue)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes.
    package mutating func close() throws {
        try flush()
        guard owned else { return }
        do { try fd.close() } catch {
            throw IOError("cannot close", path: path, errno: (error as? Errno)?.rawValue ?? Errno.ioError.rawValue)
        }
    }
}

/// Writes one line to standard error.
package func printError(_ text: String, newline: Bool = true) {
    var sink = FileSink.standardError
    try? sink.write(newline ? text + "\n" : text)
    try? sink.flush()
}

/// The whole content of the file `path` (reads retried on EINTR by swift-system).
/// - Throws: ``IOError`` naming the path: "cannot open" or "cannot read".
package func readWholeFile(_ path: String) throws -> [UInt8] {
    let fd: FileDescriptor
    do { fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec]) } catch {
        throw IOError("cannot open", path: path, errno: (error as? Errno)?.rawValue ?? Errno.ioError.rawValue)
    }
    defer { try? fd.close() }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count: Int
        do { count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) } } catch {
            throw IOError("cannot read", path: path, errno: (error as? Errno)?.rawValue ?? Errno.ioError.rawValue)
        }
        if count == 0 { return bytes }
        bytes += chunk[..<count]
    }
}

/// Replaces the file `path` with `bytes` atomically: written beside it, flushed to disk, then
/// renamed over it, so a crash leaves the old content or the new, never a mix (resume files).
/// - Throws: ``IOError`` naming the path.
package func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws {
    let temporary = path + ".tmp"
    let fd: FileDescriptor
    do {
        fd = try FileDescriptor.open(
            FilePath(temporary), .writeOnly, options: [.create, .truncate, .closeOnExec], permissions: FilePermissions(rawValue: 0o644))
    } catch {
        throw IOError("cannot create", path: temporary, errno: (error as? Errno)?.rawValue ?? Errno.ioError.rawValue)
    }
    do {
        _ = try fd.writeAll(bytes)
        guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
        try fd.close()
    } catch {
        try? fd.close()
        throw IOError("cannot write", path: temporary, errno: (error as? Errno)?.rawValue ?? Errno.ioError.rawValue)
    }
    guard rename(temporary, path) == 0 else { throw IOError("cannot rename \(temporary) to", path: path) }
}
