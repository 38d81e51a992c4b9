package import ProcessKit
package import StreamNormalize

/// Where a record in files came from: which input (by its place in the list) and which record in it.
package struct FilePosition: Hashable, Sendable, CustomStringConvertible {
    /// The input's place in the list, from 0.
    package var input: Int
    /// The record's number in the input, from 0.
    package var record: Int

    package init(input: Int, record: Int) {
        self.input = input
        self.record = record
    }

    package var description: String { "input \(input) record \(record)" }
}

/// Files (plain or `.gz`) and standard input (`-`), read one after another: `ddbcdc run`'s source.
package struct FileRecords: RecordSource {
    package typealias Position = FilePosition

    private let paths: [String]
    private var next = 0
    /// The places in the list of the inputs opened and not read yet (the engine opens inputs
    /// ahead), and of the one being read.
    private var opened: [Int] = []
    private var reading = -1
    private let stop: StopRequest?

    /// - Parameters:
    ///   - paths: files to read in turn; `-` is standard input.
    ///   - stop: when requested, the input being read ends there (what was read is still used).
    package init(paths: [String], stop: StopRequest? = nil) {
        self.paths = paths
        self.stop = stop
    }

    package mutating func nextInput(wait: ReadDeadline) throws -> SourceInput<FileBytes>? {
        guard next < paths.count else { return nil }
        let path = paths[next]
        next += 1
        var file: FileSource
        do { file = path == "-" ? FileSource.standardInput : try FileSource(path: path) } catch {
            throw InputError(name: path, message: "\(error)")
        }
        file.wait = wait
        file.stop = stop
        let name = path == "-" ? nil : path
        let regular = file.isRegularFile
        opened.append(next - 1)
        if InputFiles.isGzip(path) {
            let gunzip = GunzipSource(file, path: path, stop: stop)
            return SourceInput(name: name, bytes: .gzip(gunzip), readsAhead: regular) {
                gunzip.close()
                file.close()
            }
        }
        return SourceInput(name: name, bytes: .plain(file), readsAhead: regular) { file.close() }
    }

    /// Files are opened ahead of reading, to read the next on other threads while the rows
    /// before it are handed on (``SourceInput/readsAhead``).
    package var opensInputsAhead: Bool { true }

    package mutating func readingNextInput() { reading = opened.removeFirst() }

    package func position(of info: RowInfo, index: Int) -> FilePosition { FilePosition(input: reading, record: index) }

    package func positions(of error: StreamError, index: Int) -> [FilePosition] {
        (0..<error.recordCount).map { FilePosition(input: reading, record: index + $0) }
    }
}

/// An input's bytes: as they are, or decompressed.
package enum FileBytes: ByteSource {
    case plain(FileSource)
    case gzip(GunzipSource<FileSource>)

    package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch self {
        case .plain(var file):
            defer { self = .plain(file) }
            return try file.read(into: buffer)
        case .gzip(var gunzip):
            defer { self = .gzip(gunzip) }
            return try gunzip.read(into: buffer)
        }
    }

    /// A plain file's bytes, mapped; a compressed one's are read.
    package mutating func bytesInPlace() -> InPlaceBytes? {
        guard case .plain(var file) = self else { return nil }
        defer { self = .plain(file) }
        return file.bytesInPlace()
    }
}

/// An input that could not be opened, by name.
package struct InputError: Error, CustomStringConvertible {
    package var name: String
    package var message: String

    package init(name: String, message: String) {
        self.name = name
        self.message = message
    }

    package var description: String { message }
}
