#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import StreamNormalize

/// An I/O failure, with the path and the system's reason.
package struct IOError: Error, CustomStringConvertible {
    package var description: String

    package init(_ what: String, path: String, errno code: Int32 = errno) {
        description = "\(what) \(path): \(String(cString: strerror(code)))"
    }

    package init(message: String) { description = message }
}

/// Reads a file descriptor (a file or standard input).
package struct FileSource: ByteSource {
    private let fd: Int32
    private let path: String
    private let owned: Bool
    /// How long a read may wait for input: past it, the read throws ``SourceIdle`` (the engine
    /// seals its due batches and reads on).
    package var wait: ReadDeadline?
    /// When requested, reading ends as if the input ended there.
    package var stop: StopRequest?

    /// Standard input.
    package static var standardInput: FileSource { FileSource(fd: 0, path: "<stdin>", owned: false) }

    private init(fd: Int32, path: String, owned: Bool) {
        self.fd = fd
        self.path = path
        self.owned = owned
    }

    /// Opens `path` for reading.
    package init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError("cannot open", path: path) }
        self.init(fd: fd, path: path, owned: true)
    }

    package func close() {
        if owned { _ = Glibc.close(fd) }
    }

    package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            // A stop request ends the input here, as if it had ended: what was read so far is
            // still turned into rows (or set aside) and written.
            if let stop, stop.isRequested { return 0 }
            let millisLeft = wait?.millisLeft
            if millisLeft != nil || stop != nil {
                // Wait for input no longer than the deadline, so an open batch is sealed on time
                // even when nothing arrives (a quiet pipe), and no longer than a stop request.
                var pollers = [
                    pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: stop?.fileDescriptor ?? -1, events: Int16(POLLIN), revents: 0),
                ]
                let timeout = millisLeft.map { Int32(min($0, Int64(Int32.max))) } ?? -1
                let ready = poll(&pollers, 2, timeout)
                if ready < 0 {
                    if errno == EINTR { continue }
                    throw IOError("cannot wait for", path: path)
                }
                if ready == 0 { throw SourceIdle() }
                if pollers[1].revents != 0 { continue }  // the stop request, checked above
            }
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw IOError("cannot read", path: path) }
        }
    }
}

/// Buffered writes to a file descriptor; `flush()` before the end.
package struct FileSink {
    private let fd: Int32
    package let path: String
    private let owned: Bool
    private var buffer: [UInt8] = []
    private let threshold: Int

    /// Standard output.
    package static var standardOutput: FileSink { FileSink(fd: 1, path: "<stdout>", owned: false) }
    /// Standard output, unbuffered (log lines).
    package static var standardOutputLine: FileSink { FileSink(fd: 1, path: "<stdout>", owned: false, threshold: 0) }
    /// Standard error, unbuffered.
    package static var standardError: FileSink { FileSink(fd: 2, path: "<stderr>", owned: false, threshold: 0) }

    private init(fd: Int32, path: String, owned: Bool, threshold: Int = 1 << 18) {
        self.fd = fd
        self.path = path
        self.owned = owned
        self.threshold = threshold
        buffer.reserveCapacity(threshold + (1 << 16))
    }

    /// Creates (or truncates) `path` for writing.
    package init(creating path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOError("cannot create", path: path) }
        self.init(fd: fd, path: path, owned: true)
    }

    package mutating func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= threshold { try flush() }
    }

    package mutating func write(_ text: String) throws { try write(text.utf8) }

    package mutating func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw IOError("cannot write", path: path)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes.
    package mutating func close() throws {
        try flush()
        if owned, Glibc.close(fd) != 0 { throw IOError("cannot close", path: path) }
    }
}

/// Epoch milliseconds now.
package func epochMillisNow() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}

/// Writes one line to standard error.
package func printError(_ text: String, newline: Bool = true) {
    var sink = FileSink.standardError
    try? sink.write(newline ? text + "\n" : text)
    try? sink.flush()
}
