import Foundation
import Testing

@testable import DynamoExport

@Suite struct ExportManifestTests {
    static let summary = """
        {"version":"2020-06-30","exportArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/export/01767225600000-a1b2c3d4",
        "startTime":"2026-01-01T00:00:00.120Z","endTime":"2026-01-01T00:05:00.000Z","tableArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/Orders",
        "tableId":"t-1","exportTime":"2026-01-01T00:10:00.500Z","s3Bucket":"b","s3Prefix":"exports/orders","s3SseAlgorithm":"AES256",
        "s3SseKmsKeyId":null,"manifestFilesS3Key":"exports/orders/AWSDynamoDB/01767225600000-a1b2c3d4/manifest-files.json",
        "billedSizeBytes":100,"itemCount":3,"outputFormat":"DYNAMODB_JSON","exportType":"FULL_EXPORT"}
        """

    @Test func aFullExportsSummary() throws {
        let summary = try ExportSummary(parsing: Array(Self.summary.utf8), file: "s", folderName: "x")
        #expect(summary.exportID == "01767225600000-a1b2c3d4")
        #expect(summary.table == "Orders")
        #expect(summary.exportType == .full)
        // 2026-01-01T00:10:00.500Z: 1767225600 s is 2026-01-01T00:00:00Z, plus 600.5 s.
        #expect(summary.exportTime == 1_767_226_200_500)
        #expect(summary.itemCount == 3)
    }

    @Test func anIncrementalExportNamesItsWindow() throws {
        let text = """
            {"exportType":"INCREMENTAL_EXPORT","outputFormat":"DYNAMODB_JSON","outputView":"NEW_AND_OLD_IMAGES",
            "exportFromTime":"2026-01-01T00:00:00Z","exportToTime":"2026-01-01T01:00:00+01:00"}
            """
        let summary = try ExportSummary(parsing: Array(text.utf8), file: "s", folderName: "01767225600000-ffff0000")
        #expect(summary.exportType == .incremental)
        #expect(summary.exportTime == nil)
        #expect(summary.exportFromTime == 1_767_225_600_000)
        #expect(summary.exportToTime == 1_767_225_600_000)  // 01:00 at +01:00 is midnight UTC
        #expect(summary.exportID == "01767225600000-ffff0000")  // no ARN: the folder's name
    }

    @Test(arguments: [
        (#"{"outputFormat":"ION","exportType":"FULL_EXPORT","exportTime":"2026-01-01T00:00:00Z"}"#, ExportError.Code.unsupported, "DYNAMODB_JSON"),
        (#"{"outputFormat":"DYNAMODB_JSON","exportType":"FULL_EXPORT"}"#, .badManifest, "no exportTime"),
        (#"{"exportType":"FULL_EXPORT","exportTime":"yesterday"}"#, .badManifest, "ISO 8601"),
        (#"{"exportType":"DIFF"}"#, .unsupported, "DIFF"),
        ("not json", .badManifest, "not a manifest summary"),
    ])
    func badSummaries(_ text: String, _ code: ExportError.Code, _ says: String) {
        #expect {
            _ = try ExportSummary(parsing: Array(text.utf8), file: "s3://b/manifest-summary.json", folderName: "x")
        } throws: { error in
            guard let error = error as? ExportError else { return false }
            return error.code == code && error.message.contains(says) && error.description.hasPrefix("s3://b/manifest-summary.json: ")
        }
    }

    @Test(arguments: [
        ("2026-01-01T00:00:00Z", 1_767_225_600_000 as Int64?), ("2026-01-01T00:00:00.1Z", 1_767_225_600_100),
        ("2026-01-01T00:00:00.123456Z", 1_767_225_600_123), ("1970-01-01T00:00:00.000Z", 0), ("2000-02-29T12:00:00Z", 951_825_600_000),
        ("2026-01-01T00:00:00", nil), ("2026-13-01T00:00:00Z", nil), ("2026-01-01T00:00:00.Z", nil), ("2026-01-01T00:00:00Zjunk", nil),
    ])
    func iso8601Times(_ text: String, _ millis: Int64?) {
        #expect(ISO8601Time.epochMillis(text) == millis)
    }

    @Test func manifestLines() throws {
        let text = """
            {"itemCount":2,"md5Checksum":"q1w2","etag":"e1","dataFileS3Key":"p/AWSDynamoDB/x/data/a.json.gz"}

            {"itemCount":0,"md5Checksum":"1B2M2Y8AsgTpgAmY7PhCfg==","etag":"e2","dataFileS3Key":"AWSDynamoDB/x/data/b.json.gz"}
            """
        let entries = try ManifestEntry.parseLines(Array(text.utf8), file: "m")
        #expect(entries.map(\.itemCount) == [2, 0])
        #expect(entries.map(\.fileName) == ["a.json.gz", "b.json.gz"])
        #expect {
            _ = try ManifestEntry.parseLines(Array((text + "\n{\"itemCount\":1}").utf8), file: "m")
        } throws: { error in
            (error as? ExportError)?.code == .badManifest && "\(error)".contains("line 4")
        }
    }

    @Test func dataFileKeysWithAndWithoutThePrefixResolveToTheSameFile() async throws {
        let folder = try TemporaryExport()
        defer { folder.remove() }
        let store = DirectoryExportStore(root: folder.exportPath)
        let summary = try ExportSummary(parsing: Array(Self.summary.utf8), file: "s", folderName: store.folderName)
        let export = Export(store: store, summary: summary, entries: [])
        for key in [
            "exports/orders/AWSDynamoDB/01767225600000-a1b2c3d4/data/a.json.gz", "AWSDynamoDB/01767225600000-a1b2c3d4/data/a.json.gz",
            "data/a.json.gz",
        ] {
            #expect(try export.relativePath(of: ManifestEntry(dataFileS3Key: key, itemCount: 0, md5Checksum: "")) == "data/a.json.gz")
        }
        for key in ["elsewhere/data/a.json.gz", "AWSDynamoDB/01767225600000-a1b2c3d4/../x", "AWSDynamoDB/other-export/data/a.json.gz"] {
            #expect(throws: ExportError.self) { try export.relativePath(of: ManifestEntry(dataFileS3Key: key, itemCount: 0, md5Checksum: "")) }
        }
    }

    @Test func anExportIsFoundFromTheFolderAboveIt() async throws {
        let folder = try TemporaryExport()
        defer { folder.remove() }
        try folder.write("manifest-summary.json", Self.summary)
        try folder.write("manifest-files.json", #"{"itemCount":0,"md5Checksum":"1B2M2Y8AsgTpgAmY7PhCfg==","etag":"e","dataFileS3Key":"exports/orders/AWSDynamoDB/01767225600000-a1b2c3d4/data/a.json.gz"}"# + "\n")
        for root in [folder.exportPath, folder.base, folder.base + "/AWSDynamoDB"] {
            let export = try await Export.open(DirectoryExportStore(root: root))
            #expect(export.summary.exportID == "01767225600000-a1b2c3d4")
            #expect(export.entries.count == 1)
            #expect(export.store.location == folder.exportPath + "/")
        }
        // A second export below the same folder: which one is meant is unknowable.
        let second = folder.base + "/AWSDynamoDB/01767225700000-b1b2c3d4"
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        try Self.summary.write(toFile: second + "/manifest-summary.json", atomically: true, encoding: .utf8)
        await #expect {
            _ = try await Export.open(DirectoryExportStore(root: folder.base))
        } throws: { error in
            (error as? ExportError)?.code == .notFound && "\(error)".contains("2 exports are here")
        }
        await #expect {
            _ = try await Export.open(DirectoryExportStore(root: folder.base + "/nothing"))
        } throws: { error in
            (error as? ExportError)?.code == .notFound && "\(error)".contains("manifest-summary.json")
        }
    }

    @Test func anExportWithoutItsFileManifestIsRefused() async throws {
        let folder = try TemporaryExport()
        defer { folder.remove() }
        try folder.write("manifest-summary.json", Self.summary)
        await #expect {
            _ = try await Export.open(DirectoryExportStore(root: folder.exportPath))
        } throws: { error in
            (error as? ExportError)?.code == .notFound && "\(error)".contains("manifest-files.json")
        }
    }
}

/// `<tmp>/exports/orders/AWSDynamoDB/01767225600000-a1b2c3d4/`, removed by `remove()`.
struct TemporaryExport {
    let base: String
    var exportPath: String { base + "/AWSDynamoDB/01767225600000-a1b2c3d4" }

    init() throws {
        base = NSTemporaryDirectory() + "ddbcdc-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base + "/AWSDynamoDB/01767225600000-a1b2c3d4/data", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: exportPath + "/" + name, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: base) }
}
