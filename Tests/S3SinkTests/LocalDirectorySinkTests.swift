import Foundation
import S3Sink
import Testing

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
}
