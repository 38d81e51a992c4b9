/// A DynamoDB export to read: its summary, its data files, and where they are.
///
/// Opened from the export's folder (`s3://bucket/prefix/AWSDynamoDB/<ExportId>/`, or the same
/// layout on disk). A folder above it that holds exactly one export (`s3://bucket/prefix/` or
/// `…/AWSDynamoDB/`) names that export; one that holds several is an error listing them.
public struct Export: Sendable {
    /// Where its files are.
    public let store: any ExportStore
    /// `manifest-summary.json`.
    public let summary: ExportSummary
    /// `manifest-files.json`: the data files, in the manifest's order.
    public let entries: [ManifestEntry]

    /// The export ID's part of AWS's keys: `AWSDynamoDB/<ExportId>/`.
    static let folderMarker = "AWSDynamoDB/"

    /// Reads the manifests of the export in `store`'s folder (or the one export below it).
    /// - Throws: ``ExportError``: `notFound` (naming what was looked for), `badManifest`, `unsupported`.
    public static func open(_ store: any ExportStore) async throws(ExportError) -> Export {
        var store = store
        var summaryBytes = try await store.read("manifest-summary.json")
        if summaryBytes == nil {
            // A folder above the export: `…/AWSDynamoDB/` or the export's s3Prefix.
            let base = store.folderName == "AWSDynamoDB" ? "" : folderMarker
            let candidates = try await store.folders(under: base)
            var found: [String] = []
            for name in candidates where try await store.read(base + name + "/manifest-summary.json") != nil { found.append(name) }
            guard found.count == 1 else {
                if found.isEmpty {
                    throw ExportError(
                        .notFound, file: store.url(of: "manifest-summary.json"),
                        "no DynamoDB export here: name the export's folder, …/AWSDynamoDB/<ExportId>/, which holds manifest-summary.json")
                }
                throw ExportError(
                    .notFound, file: store.location,
                    "\(found.count) exports are here (\(found.joined(separator: ", "))): name one, …/AWSDynamoDB/<ExportId>/")
            }
            store = store.descending(into: base + found[0] + "/")
            summaryBytes = try await store.read("manifest-summary.json")
        }
        guard let summaryBytes else {
            throw ExportError(.notFound, file: store.url(of: "manifest-summary.json"), "the export's summary went missing while it was read")
        }
        let summary = try ExportSummary(parsing: summaryBytes, file: store.url(of: "manifest-summary.json"), folderName: store.folderName)
        let manifestPath = try summary.manifestFilesKey.map { key throws(ExportError) in try relativePath(key, store: store, summary: summary) }
            ?? "manifest-files.json"
        guard let manifestBytes = try await store.read(manifestPath) else {
            throw ExportError(
                .notFound, file: store.url(of: manifestPath),
                "the export has no data file manifest; an export still in progress, or copied without it? (ddbcdc verifies every data file against it)")
        }
        let entries = try ManifestEntry.parseLines(manifestBytes, file: store.url(of: manifestPath))
        return Export(store: store, summary: summary, entries: entries)
    }

    init(store: any ExportStore, summary: ExportSummary, entries: [ManifestEntry]) {
        self.store = store
        self.summary = summary
        self.entries = entries
    }

    /// Where the manifest's `key` is, relative to the export's folder: keys may or may not start
    /// with the export's `s3Prefix`; what follows `AWSDynamoDB/<ExportId>/` is the same either way.
    public func relativePath(of entry: ManifestEntry) throws(ExportError) -> String {
        try Self.relativePath(entry.dataFileS3Key, store: store, summary: summary)
    }

    static func relativePath(_ key: String, store: any ExportStore, summary: ExportSummary) throws(ExportError) -> String {
        for id in [store.folderName, summary.exportID] where !id.isEmpty {
            if let rest = after(lastOf: folderMarker + id + "/", in: key), isSafe(rest) { return rest }
        }
        if key.hasPrefix("data/") || key.hasPrefix("manifest-"), isSafe(key) { return key }
        throw ExportError(
            .badManifest, file: store.url(of: "manifest-files.json"),
            "the key \(key) is not under \(folderMarker)\(summary.exportID)/ (the export's folder)")
    }

    /// What follows the last `marker` in `key`, if it holds one.
    static func after(lastOf marker: String, in key: String) -> String? {
        let bytes = Array(key.utf8), needle = Array(marker.utf8)
        guard bytes.count >= needle.count else { return nil }
        for start in stride(from: bytes.count - needle.count, through: 0, by: -1) where bytes[start..<start + needle.count].elementsEqual(needle) {
            return String(decoding: bytes[(start + needle.count)...], as: UTF8.self)
        }
        return nil
    }

    /// Whether a relative path stays inside the export's folder.
    static func isSafe(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }
}
