import ProcessKit
public import S3Sink

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif

/// An export folder in S3: `s3://bucket/prefix/AWSDynamoDB/<ExportId>/`.
///
/// Data files are downloaded in ranged pieces (bounded memory, a cut connection resumes where it
/// stopped) to a local file, which is checked before any of its rows is read. The manifest's
/// `etag` is not required to match: a copied export has other ETags for the same bytes (multipart
/// copies), and the MD5 check already proves the content; one download never mixes two versions
/// of an object (every range after the first must match the first's ETag).
public struct S3ExportStore: ExportStore {
    /// The client of the export's bucket.
    public let client: S3Client
    /// The folder's key prefix: empty, or ending in `/`.
    public let folder: String

    /// The store of `folder` (a trailing `/` is added) in `client`'s bucket.
    public init(client: S3Client, folder: String) {
        self.client = client
        self.folder = folder.isEmpty || folder.hasSuffix("/") ? folder : folder + "/"
    }

    public var location: String { "s3://\(client.configuration.bucket)/\(folder)" }
    public var folderName: String { String(folder.split(separator: "/").last ?? "") }

    public func read(_ path: String) async throws(ExportError) -> [UInt8]? {
        do {
            return try await client.getObject(key: folder + path).body
        } catch {
            if error.code == "NoSuchKey" || error.status == 404 { return nil }
            throw ExportError(.readFailed, file: url(of: path), error.reason)
        }
    }

    public func folders(under path: String) async throws(ExportError) -> [String] {
        var names: [String] = []
        var token: String?
        repeat {
            let page: S3ListPage
            do { page = try await client.listObjects(prefix: folder + path, delimiter: "/", continuationToken: token) } catch {
                throw ExportError(.readFailed, file: url(of: path), error.reason)
            }
            for prefix in page.commonPrefixes where prefix.hasPrefix(folder + path) && prefix.hasSuffix("/") {
                names.append(String(prefix.dropFirst(folder.count + path.count).dropLast()))
            }
            token = page.nextContinuationToken
        } while token != nil
        return names.sorted()
    }

    public func localCopy(of path: String, in directory: String) async throws(ExportError) -> LocalFile {
        let name = String(path.split(separator: "/").last ?? "data")
        let local = "\(directory)/ddbcdc-backfill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)"
        var sink: FileSink
        do { sink = try FileSink(creating: local) } catch {
            throw ExportError(.readFailed, file: url(of: path), "cannot download to \(directory): \(error)")
        }
        do {
            _ = try await client.download(key: folder + path) { chunk in try sink.write(chunk) }
            try sink.close()
        } catch {
            try? sink.close()
            unlink(local)
            if let error = error as? S3Error {
                if error.code == "NoSuchKey" || error.status == 404 {
                    throw ExportError(.notFound, file: url(of: path), "the manifest names this data file but it does not exist")
                }
                throw ExportError(.readFailed, file: url(of: path), error.reason)
            }
            throw ExportError(.readFailed, file: url(of: path), "\(error)")
        }
        return LocalFile(path: local, isTemporary: true)
    }

    public func descending(into path: String) -> any ExportStore { S3ExportStore(client: client, folder: folder + path) }
}
