import ProcessKit

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif

/// Where an export's files are: its folder (`…/AWSDynamoDB/<ExportId>/`) on disk or in S3.
/// Paths are relative to that folder (`manifest-summary.json`, `data/x.json.gz`).
public protocol ExportStore: Sendable {
    /// The folder, as a user names it: a path or `s3://bucket/key/`.
    var location: String { get }
    /// The folder's last name (the export's ID, in AWS's layout).
    var folderName: String { get }
    /// A small file's bytes (a manifest), or `nil` when there is no such file.
    func read(_ path: String) async throws(ExportError) -> [UInt8]?
    /// The names of the folders directly under `path` (`""`: the export folder itself).
    func folders(under path: String) async throws(ExportError) -> [String]
    /// A local file with the bytes of `path`: the file itself on disk; in S3, a download into
    /// `directory` (of one version of the object: one that changes while it is read is an error).
    func localCopy(of path: String, in directory: String) async throws(ExportError) -> LocalFile
    /// The store with `path` as its folder.
    func descending(into path: String) -> any ExportStore
}

extension ExportStore {
    /// How a file of the export is named in messages: its full path or `s3://` URL.
    public func url(of path: String) -> String { location + path }
}

/// A data file on local disk, ready to be read.
public struct LocalFile: Sendable {
    /// Its path.
    public var path: String
    /// Whether it is a download that must be removed once read.
    public var isTemporary: Bool

    /// Creates one.
    public init(path: String, isTemporary: Bool) {
        self.path = path
        self.isTemporary = isTemporary
    }

    /// Removes a downloaded copy (a file on disk of its own is left alone).
    public func discard() {
        if isTemporary { unlink(path) }
    }
}

/// An export folder on local disk, in the layout AWS writes to S3.
public struct DirectoryExportStore: ExportStore {
    /// The folder, ending in `/`.
    public let root: String

    /// The store of the folder `root`.
    public init(root: String) { self.root = root.hasSuffix("/") ? root : root + "/" }

    public var location: String { root }
    public var folderName: String { String(root.split(separator: "/").last ?? "") }

    public func read(_ path: String) async throws(ExportError) -> [UInt8]? {
        guard Self.kind(root + path) == .file else { return nil }
        do { return try readWholeFile(root + path) } catch {
            throw ExportError(.readFailed, file: url(of: path), "\(error)")
        }
    }

    public func folders(under path: String) async throws(ExportError) -> [String] {
        // opendir/readdir rather than FileManager: the Lambda bootstrap links this module, and its zip has a size goal.
        guard let directory = opendir(root + path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." && Self.kind(root + path + name) == .directory { names.append(name) }
        }
        return names.sorted()
    }

    public func localCopy(of path: String, in directory: String) async throws(ExportError) -> LocalFile {
        guard Self.kind(root + path) != nil else {
            throw ExportError(.notFound, file: url(of: path), "the manifest names this data file but it does not exist")
        }
        return LocalFile(path: root + path, isTemporary: false)
    }

    public func descending(into path: String) -> any ExportStore { DirectoryExportStore(root: root + path) }

    enum Kind { case file, directory, other }

    /// What `path` is, links followed; `nil` when nothing is there.
    static func kind(_ path: String) -> Kind? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }
}
