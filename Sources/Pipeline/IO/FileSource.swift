#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
package import ProcessKit
package import StreamNormalize

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
    /// Whether it reads a regular file (also standard input redirected from one): its reads never
    /// wait for input, so it may be read ahead.
    package var isRegularFile: Bool { InputFiles.regularFileID(descriptor: fd) != nil }

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

    /// The whole content of a small file (a schema or configuration file), at most `limit` bytes.
    /// - Throws: `IOError` when it cannot be read or is larger than `limit`.
    package static func readAll(path: String, limit: Int = 16 << 20) throws -> [UInt8] {
        var source = try FileSource(path: path)
        defer { source.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= limit else { throw IOError(message: "\(path) is larger than \(limit) bytes") }
        }
    }

    package func close() {
        if owned { _ = Glibc.close(fd) }
    }

    /// A regular file's rest, mapped (``MappedFile``): readers read it in place.
    package mutating func bytesInPlace() -> InPlaceBytes? {
        guard let mapped = MappedFile(fd: fd) else { return nil }
        let stop = self.stop
        return InPlaceBytes(bytes: mapped.bytes, release: { mapped.release(before: $0) }, isStopped: { stop?.isRequested ?? false })
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
