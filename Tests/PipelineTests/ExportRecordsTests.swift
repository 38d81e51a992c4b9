import DynamoExport
import Foundation
import NDJSONBuffer
import S3Sink
import StreamNormalize
import Synchronization
import Testing
import ProcessKit
import Timekeeping

@testable import Pipeline

/// A DynamoDB export on disk, written the way AWS writes one (gzip data files, base64 MD5s).
struct ExportOnDisk {
    let root: String
    var entries: [ManifestEntry] = []

    init() throws {
        root = NSTemporaryDirectory() + "ddbcdc-export-\(UUID().uuidString)/AWSDynamoDB/01767225600000-a1b2c3d4"
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
    }

    /// Adds a data file of `items` lines (`{"Item":{"pk":{"S":"<name>-<i>"}}}`), gzip by the system's `gzip -n`.
    mutating func addFile(_ name: String, items: Int, manifestCount: Int? = nil, corrupt: ((inout [UInt8]) -> Void)? = nil) throws {
        let text = (0..<items).map { #"{"Item":{"pk":{"S":"\#(name)-\#($0)"}}}"# + "\n" }.joined()
        var gzip = try Self.gzip(Array(text.utf8))
        let md5 = Data(Insecure.md5(gzip)).base64EncodedString()
        corrupt?(&gzip)
        try Data(gzip).write(to: URL(fileURLWithPath: root + "/data/" + name))
        entries.append(
            ManifestEntry(
                dataFileS3Key: "AWSDynamoDB/01767225600000-a1b2c3d4/data/" + name, itemCount: manifestCount ?? items, md5Checksum: md5, etag: "e"))
    }

    func open() async throws -> Export {
        let summary = #"{"exportArn":"arn:aws:dynamodb:eu-west-1:1:table/Orders/export/01767225600000-a1b2c3d4","exportTime":"2026-01-01T00:10:00.500Z","outputFormat":"DYNAMODB_JSON","exportType":"FULL_EXPORT"}"#
        try summary.write(toFile: root + "/manifest-summary.json", atomically: true, encoding: .utf8)
        let lines = try entries.map { entry in
            let fields: [String: Any] = [
                "dataFileS3Key": entry.dataFileS3Key, "itemCount": entry.itemCount, "md5Checksum": entry.md5Checksum, "etag": entry.etag ?? "",
            ]
            return String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        }.joined(separator: "\n")
        try lines.write(toFile: root + "/manifest-files.json", atomically: true, encoding: .utf8)
        return try await Export.open(DirectoryExportStore(root: root))
    }

    func remove() { try? FileManager.default.removeItem(atPath: String(root.dropLast("/AWSDynamoDB/01767225600000-a1b2c3d4".count))) }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-n", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}

/// MD5 for the fixture, from the system's `md5sum` (an implementation other than the one under test).
enum Insecure {
    static func md5(_ bytes: [UInt8]) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try! process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try! input.fileHandleForWriting.close()
        let hex = String(decoding: output.fileHandleForReading.readDataToEndOfFile().prefix(32), as: UTF8.self)
        process.waitUntilExit()
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }
}

@Suite struct ExportRecordsTests {
    static func engine(_ sink: any ObjectSink, maxRecords: Int = 4, maxInFlight: Int = 2) -> Engine {
        Engine(
            settings: EngineSettings(
                limits: BatchLimits(maxRecords: maxRecords, maxAgeMillis: 0), prefix: "p",
                rows: NormalizeOptions(exportLines: ExportRows(kind: .full(exportTime: 1_767_226_200_500), table: "Orders")),
                encoder: PlainNDJSON(), maxInFlight: maxInFlight),
            sink: sink, clock: .fixed(EpochMillis(rawValue: 1_767_300_000_000)))
    }

    @Test func filesThatFailTheirCheckPublishNoRowAndTheOthersFinish() async throws {
        var disk = try ExportOnDisk()
        defer { disk.remove() }
        try disk.addFile("good.json.gz", items: 5)
        try disk.addFile("md5.json.gz", items: 3) { $0[$0.count / 2] ^= 0x01 }
        try disk.addFile("count.json.gz", items: 3, manifestCount: 4)
        try disk.addFile("cut.json.gz", items: 300) { bytes in
            // Cut short, and the manifest's MD5 made to match: only the gzip check can tell.
            bytes.removeLast(20)
        }
        try disk.addFile("empty.json.gz", items: 0)
        disk.entries[3].md5Checksum = Data(Insecure.md5(Array(try Data(contentsOf: URL(fileURLWithPath: disk.root + "/data/cut.json.gz"))))).base64EncodedString()
        let export = try await disk.open()
        let sink = ScriptedSink()
        var finished: [Int] = []
        var source = ExportRecords(export: export, files: Array(export.entries.indices), workDirectory: NSTemporaryDirectory()) { finished.append($0) }
        let report = await Self.engine(sink).run(&source)
        #expect(Set(finished) == [0, 4])
        #expect(source.failures.map(\.file) == [1, 2, 3])
        #expect(source.failures.map(\.error.code) == [.checksumMismatch, .countMismatch, .badGzip])
        #expect(source.failures.allSatisfy { $0.error.message.contains("none of its rows was read") })
        #expect(report.inputFailures.count == 3)
        // Only the good file's rows are anywhere in the sink.
        let rows = sink.stored.values.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n") }
        #expect(rows.count == 5)
        #expect(rows.allSatisfy { $0.contains(#""pk":"good.json.gz-"#) && $0.contains(#""_eventId":"01767225600000-a1b2c3d4/good.json.gz/"#) })
    }

    @Test func aFileIsFinishedOnlyWhenEveryLineIsDurable() async throws {
        var disk = try ExportOnDisk()
        defer { disk.remove() }
        try disk.addFile("a.json.gz", items: 8)
        try disk.addFile("b.json.gz", items: 8)
        let export = try await disk.open()
        // The second object of b's rows cannot be written: b is not finished, a is.
        let partial = KeyFailingSink(failOnPut: 4)
        var finished: [Int] = []
        var source = ExportRecords(export: export, files: [0, 1], workDirectory: NSTemporaryDirectory()) { finished.append($0) }
        let report = await Self.engine(partial, maxInFlight: 1).run(&source)
        #expect(report.notWritten.count == 1)
        #expect(finished == [0])
        #expect(report.unacknowledged.allSatisfy { $0.file == 1 } && report.unacknowledged.count == 4)
    }

    @Test func aStopRequestedBeforeTheFirstFileReadsNothing() async throws {
        var disk = try ExportOnDisk()
        defer { disk.remove() }
        for index in 0..<3 { try disk.addFile("f\(index).json.gz", items: 2) }
        let export = try await disk.open()
        let stop = try StopRequest()
        _ = stop.request(15)
        var finished: [Int] = []
        var source = ExportRecords(export: export, files: [0, 2], workDirectory: NSTemporaryDirectory(), stop: stop) { finished.append($0) }
        let report = await Self.engine(ScriptedSink()).run(&source, stop: stop)
        #expect(finished.isEmpty && report.records == 0)
    }
}

/// Fails the n-th put (1-based), writes the others.
final class KeyFailingSink: ObjectSink, Sendable {
    let inner = ScriptedSink()
    let count = Mutex(0)
    let failOnPut: Int

    init(failOnPut: Int) { self.failOnPut = failOnPut }

    func put(key: String, body: [UInt8]) async throws(SinkError) {
        let number = count.withLock { $0 += 1; return $0 }
        if number == failOnPut { throw SinkError(.writeFailed, key: key, "injected failure") }
        try await inner.put(key: key, body: body)
    }
}
