import Foundation
@testable import S3Sink
import Testing
import Timekeeping

@Suite struct LocalDirectorySinkTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesUnderTheKeyAndLeavesNoTemporaryFiles() async throws {
        let root = try temporaryDirectory()
        let sink = LocalDirectorySink(root: root.path)
        try await sink.put(key: "p/dt=2026-01-01/HH=00/a.ndjson.gz", body: Array("one".utf8))
        try await sink.put(key: "p/dt=2026-01-01/HH=00/a.ndjson.gz", body: Array("two".utf8))
        let file = root.appendingPathComponent("p/dt=2026-01-01/HH=00/a.ndjson.gz")
        #expect(try String(contentsOf: file, encoding: .utf8) == "two", "a second put rewrites the object")
        let names = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(names == ["a.ndjson.gz"])
    }

    /// Names as long as a file name may be (255 bytes): the temporary name beside it is longer
    /// than that if it holds the whole name, so it holds only the start of it.
    @Test(arguments: [200, 240, 255])
    func writesObjectsWhoseNamesAreAsLongAsFileNamesGo(_ length: Int) async throws {
        let root = try temporaryDirectory()
        let sink = LocalDirectorySink(root: root.path)
        let name = String(repeating: "n", count: length - ".ndjson.gz".utf8.count) + ".ndjson.gz"
        try await sink.put(key: "p/\(name)", body: Array("one".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("p").path)
        #expect(names == [name])
        // A temporary name left behind by a writer that is gone is still recognised as one.
        let temporary = LocalDirectorySink.temporaryName(for: name, pid: 4_194_304, random: .max)
        #expect(temporary.utf8.count <= 255 && temporary.hasPrefix(".nnn") && temporary.hasSuffix(".4194304.18446744073709551615.tmp"))
        #expect(LocalDirectorySink.temporaryWriter(temporary) == 4_194_304)
    }

    @Test(arguments: ["", "/abs", "a//b", "a/../b", "./a", "a/"])
    func rejectsKeysThatAreNotRelativePaths(_ key: String) async throws {
        let sink = LocalDirectorySink(root: try temporaryDirectory().path)
        await #expect(throws: SinkError.self) { try await sink.put(key: key, body: [1]) }
    }

    @Test func reportsWhatCouldNotBeWritten() async throws {
        let root = try temporaryDirectory()
        try Data("file".utf8).write(to: root.appendingPathComponent("blocker"))
        let sink = LocalDirectorySink(root: root.path)
        await #expect {
            try await sink.put(key: "blocker/x.gz", body: [1])
        } throws: { error in
            let error = error as! SinkError
            return error.code == .writeFailed && error.key == "blocker/x.gz" && error.message.contains("blocker")
        }
    }

    @Test func removesOnlyItsOwnStaleTemporaryFilesInTheFoldersItWrites() async throws {
        let root = try temporaryDirectory()
        let folder = root.appendingPathComponent("p/dt=2026-01-01/HH=00")
        let untouched = root.appendingPathComponent("p/dt=2026-01-01/HH=01")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: untouched, withIntermediateDirectories: true)
        // A pid above the kernel's largest: no process has it.
        let gone = Int32.max - 1, alive = getpid()
        let then: Int64 = 1_767_225_600
        let files: [(folder: URL, name: String, age: Int64, removed: Bool)] = [
            (folder, ".a.ndjson.gz.\(gone).123.tmp", 3600, true),  // writer gone, old enough
            (folder, ".b.ndjson.gz.\(gone).456.tmp", 60, false),  // writer gone, but could be another host's, still writing
            (folder, ".c.ndjson.gz.\(alive).789.tmp", 3600, false),  // writer alive
            (folder, ".d.ndjson.gz.\(alive).1.tmp", 25 * 3600, true),  // abandoned whoever wrote it
            (folder, ".notes.tmp", 25 * 3600, false),  // not ddbcdc's name
            (folder, ".e.\(gone).tmp", 25 * 3600, false),  // no random part
            (folder, "f.ndjson.gz.\(gone).1.tmp", 25 * 3600, false),  // not hidden
            (folder, ".\(gone).1.tmp", 25 * 3600, false),  // no object name
            (untouched, ".g.ndjson.gz.\(gone).1.tmp", 25 * 3600, false),  // a folder this sink does not write
        ]
        for file in files {
            let url = file.folder.appendingPathComponent(file.name)
            try Data("partial".utf8).write(to: url)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: Double(then - file.age))], ofItemAtPath: url.path)
        }
        let sink = LocalDirectorySink(root: root.path, clock: .fixed(EpochMillis(seconds: then)))
        try await sink.put(key: "p/dt=2026-01-01/HH=00/x.ndjson.gz", body: Array("x".utf8))
        try await sink.put(key: "p/dt=2026-01-01/HH=00/y.ndjson.gz", body: Array("y".utf8))
        for file in files {
            let exists = FileManager.default.fileExists(atPath: file.folder.appendingPathComponent(file.name).path)
            #expect(exists == !file.removed, "\(file.name)")
        }
        #expect(sink.staleTemporariesRemoved == 2)
    }
}
