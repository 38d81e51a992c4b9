#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped into memory read-only, so that a reader reads its bytes where they lie
/// rather than copying them out of the page cache with `read(2)` (about 7% of the CPU time of
/// `transform` with one parse thread, README "Reading files in place").
///
/// The pages read are dropped from the process as reading passes them
/// (``release(before:)``), so its resident memory stays near what reading a buffer at a time
/// holds, however large the file. A file that shrinks while it is mapped makes reading its lost
/// pages fail with `SIGBUS`, as with any mapped file (ripgrep's `--mmap`); inputs are files written
/// before they are read.
final class MappedFile {
    /// The file's bytes from the offset it was mapped at.
    let bytes: UnsafeBufferPointer<UInt8>
    private let mapping: UnsafeMutableRawPointer
    private let length: Int
    /// Where the bytes start in the mapping (the file's offset when it was mapped).
    private let start: Int
    /// The bytes of the mapping before this have been dropped.
    private var released = 0
    private static let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)
    /// Pages are dropped in runs of at least this many bytes (a call each).
    private static let releaseStep = 4 << 20

    /// Maps the regular file open at `fd` from its current offset on; `nil` when it is not a
    /// regular file, has nothing past that offset, or cannot be mapped (then it is read).
    init?(fd: Int32) {
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let offset = Int(lseek(fd, 0, SEEK_CUR))
        let length = Int(status.st_size)
        guard offset >= 0, length > offset else { return nil }
        guard let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else { return nil }
        _ = madvise(mapping, length, MADV_SEQUENTIAL)
        self.mapping = mapping
        self.length = length
        self.start = offset
        bytes = UnsafeBufferPointer(start: mapping.assumingMemoryBound(to: UInt8.self) + offset, count: length - offset)
    }

    /// Drops the pages wholly before `offset` (into ``bytes``) from the process's memory: they
    /// are not read again. The file's pages stay in the page cache.
    func release(before offset: Int) {
        let end = (start + min(max(offset, 0), bytes.count)) / Self.pageSize * Self.pageSize
        guard end - released >= Self.releaseStep else { return }
        _ = madvise(mapping + released, end - released, MADV_DONTNEED)
        released = end
    }

    deinit { munmap(mapping, length) }
}
