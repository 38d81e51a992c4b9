#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ProcessKit

/// The inputs a PATH names: itself, every record file under it, or standard input.
package enum InputFiles {
    /// File name endings read when PATH is a directory.
    package static let extensions = [".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz"]

    /// Something under a directory that was not read, and why.
    package struct Skipped: Sendable, CustomStringConvertible {
        /// Why an entry was not read.
        package enum Reason: Sendable {
            /// A symbolic link whose target does not exist.
            case danglingLink
            /// A symbolic link that leads back to itself (ELOOP), or to a folder that holds it.
            case linkLoop
            /// A FIFO, socket or device with a record file's name: reading it could block forever.
            case notARegularFile
            /// A folder that could not be listed, or an entry that could not be examined.
            case unreadable(errno: Int32)
        }

        /// The entry's path.
        package var path: String
        /// Why it was not read.
        package var reason: Reason

        package var description: String {
            switch reason {
            case .danglingLink: "\(path): skipped: a symbolic link to nothing"
            case .linkLoop: "\(path): skipped: a symbolic link loop"
            case .notARegularFile: "\(path): skipped: not a regular file (a FIFO, socket or device)"
            case .unreadable(let code): "\(path): skipped: cannot read: \(String(cString: strerror(code)))"
            }
        }

        /// Whether input that exists was left unread (the run cannot claim it read everything).
        package var isReadFailure: Bool {
            if case .unreadable = reason { return true }
            return false
        }
    }

    /// What a walk found: the files to read and what it passed over.
    package struct Listing: Sendable {
        /// The files to read, each once, in byte order of their paths.
        package var files: [String] = []
        /// Record files and folders not read because their name starts with `.` or `_` (hidden
        /// files, ddbcdc's own temporary files and `_errors` folders, Spark's `_delta_log`, …).
        package var hiddenFiles = 0
        package var hiddenFolders = 0
        /// Files and folders reached a second time (hard links, links to files or folders already
        /// read): read once.
        package var duplicates = 0
        /// Entries not read for a reason a person should hear about.
        package var problems: [Skipped] = []
    }

    /// `-` for standard input; a file; or the record files under a directory, recursively, in
    /// byte order of their paths (so a rerun reads them in the same order).
    ///
    /// Under a directory only regular files are read, each once (by device and inode), whether
    /// reached by name, hard link or symbolic link; symbolic links to folders are followed, each
    /// folder once. Names starting with `.` or `_` are passed over and counted. Dangling links,
    /// link loops, FIFOs and other special files are reported in ``Listing/problems`` and passed over.
    /// - Throws: ``IOError`` when `path` itself cannot be examined.
    /// `extensions` are the name endings read under a directory (``extensions`` by default).
    package static func listing(_ path: String, extensions: [String] = InputFiles.extensions) throws -> Listing {
        var listing = Listing()
        if path == "-" {
            listing.files = ["-"]
            return listing
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw IOError("cannot read", path: path) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            // A file named on the command line is read whatever it is (a named pipe is a
            // legitimate input) and whatever its name.
            listing.files = [path]
            return listing
        }
        var walker = Walker(extensions: extensions)
        walker.folders.insert(FileID(info))
        walker.ancestors.insert(FileID(info))
        walker.walk(path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path)
        walker.found.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        // Each file once: the first of its names in byte order.
        var seen = Set<FileID>()
        for file in walker.found {
            if seen.insert(file.id).inserted {
                listing.files.append(file.path)
            } else {
                walker.listing.duplicates += 1
            }
        }
        listing.hiddenFiles = walker.listing.hiddenFiles
        listing.hiddenFolders = walker.listing.hiddenFolders
        listing.duplicates = walker.listing.duplicates
        listing.problems = walker.listing.problems.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return listing
    }

    /// The files ``listing(_:)`` finds.
    /// - Throws: ``IOError`` for the first entry that could not be read (a dangling link, a loop, a FIFO, …).
    package static func list(_ path: String, extensions: [String] = InputFiles.extensions) throws -> [String] {
        let listing = try listing(path, extensions: extensions)
        if let problem = listing.problems.first { throw IOError(message: problem.description) }
        return listing.files
    }

    package static func isGzip(_ path: String) -> Bool { path.hasSuffix(".gz") }

    /// The first of `files` that lies inside `directory` (symbolic links resolved), if any.
    package static func firstInside(_ directory: String, of files: [String]) -> String? {
        guard let root = realPath(directory) else { return nil }  // not made yet: holds nothing
        let prefix = root == "/" ? "/" : root + "/"
        return files.first { file in
            file != "-" && realPath(file).map { $0.hasPrefix(prefix) } == true
        }
    }

    /// `path` with every symbolic link, `.` and `..` resolved; nil when it does not exist.
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether two paths name the same file (device and inode; links followed).
    package static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return FileID(first) == FileID(second)
    }

    /// The identity of the regular file at `path` (links followed), if it is one.
    package static func regularFileID(path: String) -> FileID? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileID(info)
    }

    /// The identity of the regular file open as `descriptor`, if it is one (not a pipe or terminal).
    package static func regularFileID(descriptor: Int32) -> FileID? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileID(info)
    }

    /// A file's identity: device and inode.
    package struct FileID: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    private struct Walker {
        /// The name endings read.
        let extensions: [String]
        var found: [(path: String, id: FileID)] = []
        /// Folders already walked (or being walked): a link to one of them adds nothing.
        var folders = Set<FileID>()
        /// The folders from the top down to the one being walked: a link to one of them is a loop.
        var ancestors = Set<FileID>()
        var listing = Listing()

        mutating func walk(_ directory: String) {
            guard let handle = opendir(directory) else {
                listing.problems.append(Skipped(path: directory, reason: .unreadable(errno: errno)))
                return
            }
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(handle)
            // Sorted, so that which of two names of one folder is walked does not depend on readdir.
            names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in names {
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else {
                    listing.problems.append(Skipped(path: path, reason: .unreadable(errno: errno)))
                    continue
                }
                var kind = info.st_mode & S_IFMT
                let isRecordName = extensions.contains(where: { name.hasSuffix($0) })
                // Hidden files and folders (temporary files among them), `_errors` and the like
                // are not input; they are counted, not read.
                if name.hasPrefix(".") || name.hasPrefix("_") {
                    if kind == S_IFDIR {
                        listing.hiddenFolders += 1
                    } else if isRecordName {
                        listing.hiddenFiles += 1
                    }
                    continue
                }
                if kind == S_IFLNK {
                    guard stat(path, &info) == 0 else {
                        let code = errno
                        // Only a link that would be read, or might be a folder, is worth a word.
                        listing.problems.append(
                            Skipped(
                                path: path,
                                reason: code == ELOOP ? .linkLoop : code == ENOENT ? .danglingLink : .unreadable(errno: code)))
                        continue
                    }
                    kind = info.st_mode & S_IFMT
                }
                if kind == S_IFDIR {
                    let id = FileID(info)
                    if ancestors.contains(id) {
                        listing.problems.append(Skipped(path: path, reason: .linkLoop))
                        continue
                    }
                    guard folders.insert(id).inserted else {
                        listing.duplicates += 1  // a second name of a folder walked already
                        continue
                    }
                    ancestors.insert(id)
                    walk(path)
                    ancestors.remove(id)
                } else if isRecordName {
                    if kind == S_IFREG {
                        found.append((path, FileID(info)))
                    } else {
                        listing.problems.append(Skipped(path: path, reason: .notARegularFile))
                    }
                }
            }
        }
    }
}
