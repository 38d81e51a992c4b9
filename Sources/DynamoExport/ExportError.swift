/// Why an export, or one of its data files, cannot be read: every error names the file (and the
/// line, for a manifest) and says what to do.
public struct ExportError: Error, Sendable, CustomStringConvertible {
    /// A stable code, for scripts and metrics.
    public enum Code: String, Sendable {
        /// The export folder, a manifest or a data file does not exist.
        case notFound = "not-found"
        /// A manifest is not what AWS writes (not JSON, a field missing or of the wrong type).
        case badManifest = "bad-manifest"
        /// An export ddbcdc does not read (ION, an unknown type).
        case unsupported
        /// A data file's MD5 is not the manifest's `md5Checksum`.
        case checksumMismatch = "checksum-mismatch"
        /// A data file holds another number of lines than the manifest's `itemCount`.
        case countMismatch = "count-mismatch"
        /// A data file is not a whole gzip stream (cut short, or damaged: its CRC does not match).
        case badGzip = "bad-gzip"
        /// Reading failed (I/O, S3).
        case readFailed = "read-failed"
        /// A resume file that belongs to another export or part, or cannot be read.
        case badResumeFile = "bad-resume-file"
    }

    /// What went wrong.
    public var code: Code
    /// The file it concerns: a path or `s3://bucket/key`.
    public var file: String
    /// What went wrong, for people.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }

    /// `s3://b/AWSDynamoDB/…/data/x.json.gz: its MD5 is … but the manifest says … [checksum-mismatch]`.
    public var description: String { "\(file): \(message) [\(code.rawValue)]" }
}
