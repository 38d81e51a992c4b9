#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// An export's `manifest-summary.json`: what the export holds and when it was taken.
public struct ExportSummary: Sendable, Hashable {
    /// `FULL_EXPORT` or `INCREMENTAL_EXPORT`.
    public enum ExportType: String, Sendable {
        case full = "FULL_EXPORT"
        case incremental = "INCREMENTAL_EXPORT"
    }

    /// The export's ID: the last part of its ARN, the name of its folder.
    public var exportID: String
    /// `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/export/ID`, when the manifest gives it.
    public var exportArn: String?
    /// The exported table's name (from `tableArn`), when the manifest gives it.
    public var table: String?
    /// Full or incremental.
    public var exportType: ExportType
    /// A full export's point in time, epoch milliseconds (`exportTime`).
    public var exportTime: Int64?
    /// An incremental export's window, epoch milliseconds (`exportFromTime`, `exportToTime`).
    public var exportFromTime: Int64?
    public var exportToTime: Int64?
    /// Items in the export, as the manifest counts them.
    public var itemCount: Int?
    /// The `s3Prefix` the export was written under (data file keys may or may not start with it).
    public var s3Prefix: String?
    /// `manifestFilesS3Key`: where the data files' list is.
    public var manifestFilesKey: String?

    /// Reads a `manifest-summary.json`.
    /// - Parameters:
    ///   - bytes: the file's content.
    ///   - file: its name, for errors.
    ///   - folderName: the export folder's name, the export's ID when the manifest gives no ARN.
    /// - Throws: ``ExportError`` `badManifest` naming the field; `unsupported` for an ION export.
    public init(parsing bytes: [UInt8], file: String, folderName: String) throws(ExportError) {
        struct Fields: Decodable {
            var exportArn: String?
            var tableArn: String?
            var exportTime: String?
            var exportFromTime: String?
            var exportToTime: String?
            var itemCount: Int?
            var outputFormat: String?
            var exportType: String?
            var s3Prefix: String?
            var manifestFilesS3Key: String?
        }
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(bytes))
        } catch {
            throw ExportError(.badManifest, file: file, "not a manifest summary AWS writes: \(error)")
        }
        if let format = fields.outputFormat, format != "DYNAMODB_JSON" {
            throw ExportError(
                .unsupported, file: file,
                "the export's outputFormat is \(format); ddbcdc reads DYNAMODB_JSON exports: export the table again with --export-format DYNAMODB_JSON")
        }
        switch fields.exportType ?? "FULL_EXPORT" {
        case "FULL_EXPORT": exportType = .full
        case "INCREMENTAL_EXPORT": exportType = .incremental
        case let other: throw ExportError(.unsupported, file: file, "exportType \(other) is neither FULL_EXPORT nor INCREMENTAL_EXPORT")
        }
        func time(_ text: String?, _ name: String) throws(ExportError) -> Int64? {
            guard let text else { return nil }
            guard let millis = ISO8601Time.epochMillis(text) else {
                throw ExportError(.badManifest, file: file, "\(name) \"\(text)\" is not an ISO 8601 time like 2026-01-01T00:00:00.000Z")
            }
            return millis
        }
        exportTime = try time(fields.exportTime, "exportTime")
        exportFromTime = try time(fields.exportFromTime, "exportFromTime")
        exportToTime = try time(fields.exportToTime, "exportToTime")
        if exportType == .full && exportTime == nil {
            throw ExportError(.badManifest, file: file, "a full export's summary has no exportTime: the time its rows are ordered by")
        }
        exportArn = fields.exportArn
        exportID = fields.exportArn.flatMap { $0.split(separator: "/").last.map(String.init) } ?? folderName
        table = fields.tableArn.flatMap { arn in
            let parts = arn.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count >= 2 && parts[0].hasSuffix(":table") ? String(parts[1]) : nil
        }
        itemCount = fields.itemCount
        s3Prefix = fields.s3Prefix
        manifestFilesKey = fields.manifestFilesS3Key
    }
}

/// One line of `manifest-files.json`: a data file and what it must hold.
public struct ManifestEntry: Sendable, Hashable, Decodable {
    /// The data file's key as the manifest names it (with or without the export's `s3Prefix`).
    public var dataFileS3Key: String
    /// Lines (items) in the file.
    public var itemCount: Int
    /// Base64 of the MD5 of the file's bytes (the gzip stream).
    public var md5Checksum: String
    /// The object's ETag when it was written.
    public var etag: String?

    /// Creates an entry.
    public init(dataFileS3Key: String, itemCount: Int, md5Checksum: String, etag: String? = nil) {
        self.dataFileS3Key = dataFileS3Key
        self.itemCount = itemCount
        self.md5Checksum = md5Checksum
        self.etag = etag
    }

    /// The file's name without its folders: part of its rows' `_eventId`.
    public var fileName: String { String(dataFileS3Key.split(separator: "/").last ?? Substring(dataFileS3Key)) }

    /// Reads `manifest-files.json`: one JSON object per line.
    /// - Throws: ``ExportError`` `badManifest` naming the line.
    public static func parseLines(_ bytes: [UInt8], file: String) throws(ExportError) -> [ManifestEntry] {
        var entries: [ManifestEntry] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
            do {
                let entry = try JSONDecoder().decode(ManifestEntry.self, from: Data(line))
                guard entry.itemCount >= 0 else { throw ExportError(.badManifest, file: file, "line \(index + 1): itemCount is negative") }
                entries.append(entry)
            } catch let error as ExportError {
                throw error
            } catch {
                throw ExportError(
                    .badManifest, file: file,
                    "line \(index + 1) is not a data file entry (dataFileS3Key, itemCount, md5Checksum, etag): \(error)")
            }
        }
        return entries
    }
}

/// ISO 8601 times as export manifests write them (`2026-01-01T00:00:00.123Z`, offsets allowed),
/// to epoch milliseconds, exactly (fractions below the millisecond are dropped).
enum ISO8601Time {
    static func epochMillis(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte &- UInt8(ascii: "0") < 10 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")), let day = number(2),
            index < bytes.count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ")
        else { return nil }
        index += 1
        guard let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")), let second = number(2)
        else { return nil }
        var millis = 0
        if expect(UInt8(ascii: ".")) {
            var digits = 0
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                if digits < 3 { millis = millis * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes = 0
        if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), expect(UInt8(ascii: ":")), let minutes = number(2) else { return nil }
            offsetMinutes = sign * (hours * 60 + minutes)
        } else {
            return nil
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
