import DynamoExport
import NDJSONBuffer
import Pipeline
package import S3Sink
import StreamNormalize
package import Timekeeping

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The function's second task: backfill one data file of a DynamoDB export, as a Step Functions
/// Distributed Map over the export's `manifest-files.json` asks (`emit-infra --backfill`).
///
/// Event: `{"backfill":{"export":"s3://bucket/prefix/AWSDynamoDB/<ExportId>/","dataFile":{<a line
/// of manifest-files.json>},"overlapSeconds":300}}` (`overlapSeconds` optional, default 300).
/// The file is checked (MD5, gzip, line count) before any row is written, then written as
/// `ddbcdc backfill` would, under the function's `S3_BUCKET`/`S3_PREFIX`. The answer is
/// `{"dataFileS3Key":"…","items":N,"rows":N,"objects":N,"setAside":N}`; a file that fails its
/// check, or whose objects are not all durable before the deadline, is an invocation error
/// (`ddbcdc.BackfillFailed`), so the Map's retry runs it again (its objects' names are the same).
package struct BackfillTask: Sendable {
    package let configuration: LambdaConfiguration
    package let sink: any ObjectSink
    package let clock: EpochClock
    /// Makes the client of the export's bucket.
    package let exportClient: @Sendable (String) throws -> S3Client
    /// Where data files are downloaded (Lambda's `/tmp`).
    package let workDirectory: String

    package init(
        configuration: LambdaConfiguration, sink: any ObjectSink, clock: EpochClock, workDirectory: String = "/tmp",
        exportClient: @escaping @Sendable (String) throws -> S3Client
    ) {
        self.configuration = configuration
        self.sink = sink
        self.clock = clock
        self.workDirectory = workDirectory
        self.exportClient = exportClient
    }

    /// Whether `body` is a backfill task rather than a DynamoDB Streams event: an object whose
    /// first member is `backfill`.
    package static func isTask(_ body: [UInt8]) -> Bool {
        var index = 0
        func skipSpace() { while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 } }
        skipSpace()
        guard index < body.count, body[index] == UInt8(ascii: "{") else { return false }
        index += 1
        skipSpace()
        return body[index...].starts(with: #""backfill""#.utf8)
    }

    struct Event: Decodable {
        struct Task: Decodable {
            var export: String
            var dataFile: ManifestEntry
            var overlapSeconds: Int64?
        }
        var backfill: Task
    }

    /// Backfills the data file the event names.
    package func handle(_ invocation: Invocation) async throws(LambdaError) -> [UInt8] {
        func failed(_ message: String) -> LambdaError { LambdaError(type: "ddbcdc.BackfillFailed", message: message) }
        let task: Event.Task
        do { task = try JSONDecoder().decode(Event.self, from: Data(invocation.body)).backfill } catch {
            throw LambdaError(
                type: "ddbcdc.InvalidBackfillTask",
                message: #"a backfill task is {"backfill":{"export":"s3://bucket/…/AWSDynamoDB/<ExportId>/","dataFile":{…},"overlapSeconds":300}}: \#(error)"#)
        }
        guard task.export.hasPrefix("s3://"), case let rest = task.export.dropFirst(5), let slash = rest.firstIndex(of: "/") ?? Optional(rest.endIndex),
            !rest[..<slash].isEmpty
        else {
            throw LambdaError(type: "ddbcdc.InvalidBackfillTask", message: "export \(task.export) is not an s3://bucket/prefix/ URL")
        }
        let bucket = String(rest[..<slash])
        let folder = String(rest[slash...].dropFirst())
        let export: Export
        do {
            export = try await Export.open(S3ExportStore(client: try exportClient(bucket), folder: folder))
        } catch {
            throw failed("\(error)")
        }
        // The manifest is the authority: the task's entry must be one of its lines.
        guard let file = export.entries.firstIndex(where: { $0.dataFileS3Key == task.dataFile.dataFileS3Key }) else {
            throw failed("\(task.dataFile.dataFileS3Key) is not a data file of the export in \(export.store.location)")
        }
        guard export.entries[file].md5Checksum == task.dataFile.md5Checksum, export.entries[file].itemCount == task.dataFile.itemCount else {
            throw failed("the task's entry for \(task.dataFile.dataFileS3Key) differs from the export's manifest (md5Checksum, itemCount)")
        }
        let overlap = (task.overlapSeconds ?? ExportRows.defaultOverlapMillis / 1000) * 1000
        var rows = configuration.rows
        switch export.summary.exportType {
        case .full: rows.exportLines = ExportRows(kind: .full(exportTime: export.summary.exportTime ?? 0), overlapMillis: overlap, table: export.summary.table)
        case .incremental: rows.exportLines = ExportRows(kind: .incremental, overlapMillis: overlap, table: export.summary.table)
        }
        let engine = Engine(
            settings: EngineSettings(
                limits: configuration.limits, prefix: configuration.prefix, partitionBy: .eventTime, rows: rows,
                encoder: configuration.encoder, maxInFlight: configuration.maxInFlight),
            sink: sink, clock: clock)
        var finished = false
        var source = ExportRecords(export: export, files: [file], workDirectory: workDirectory) { _ in finished = true }
        let report = await engine.run(&source, deadline: invocation.deadline.adding(millis: -configuration.deadlineMarginMillis))
        if let failure = source.failures.first { throw failed("\(failure.error)") }
        if let failure = report.inputFailures.first { throw failed("\(failure.name ?? "data file"): \(failure.message)") }
        if !report.notWritten.isEmpty || !finished {
            throw failed(
                "\(report.notWritten.count) object(s) of \(task.dataFile.dataFileS3Key) not written: "
                    + report.notWritten.prefix(3).map { "\($0)" }.joined(separator: "; "))
        }
        var out = Array(#"{"dataFileS3Key":"#.utf8)
        appendJSON(task.dataFile.dataFileS3Key, to: &out)
        out += Array(#","items":\#(report.records),"rows":\#(report.rowsWritten),"objects":\#(report.objects),"setAside":\#(report.setAside)}"#.utf8)
        return out
    }
}
