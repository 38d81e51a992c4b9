#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The inputs a PATH names: itself, every record file under it, or standard input.
package enum InputFiles {
    /// File name endings read when PATH is a directory.
    package static let extensions = [".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz"]

    /// `-` for standard input; a file; or the record files under a directory, recursively, in
    /// byte order of their paths (so a rerun reads them in the same order).
    package static func list(_ path: String) throws -> [String] {
        if path == "-" { return ["-"] }
        var info = stat()
        guard stat(path, &info) == 0 else { throw IOError("cannot read", path: path) }
        guard info.st_mode & S_IFMT == S_IFDIR else { return [path] }
        var found: [String] = []
        try walk(path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path, into: &found)
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func walk(_ directory: String, into found: inout [String]) throws {
        guard let handle = opendir(directory) else { throw IOError("cannot list", path: directory) }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            // Hidden files and folders (temporary files among them) and `_errors` are not input.
            if name.hasPrefix(".") || name.hasPrefix("_") { continue }
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { throw IOError("cannot read", path: path) }
            if info.st_mode & S_IFMT == S_IFDIR {
                try walk(path, into: &found)
            } else if extensions.contains(where: { name.hasSuffix($0) }) {
                found.append(path)
            }
        }
    }

    package static func isGzip(_ path: String) -> Bool { path.hasSuffix(".gz") }
}
