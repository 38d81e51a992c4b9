import Foundation
import Synchronization
import Testing

@testable import ProcessKit

/// The stop request, driven directly (the signals themselves: Tests/ddbcdcTests/RunInputTests.swift),
/// and the file helpers.
@Suite struct StopRequestTests {
    @Test func theFirstRequestWinsAndKeepsItsReason() throws {
        let stop = try StopRequest()
        #expect(!stop.isRequested && stop.reason == nil)
        #expect(stop.request(15))
        #expect(!stop.request(2))
        #expect(stop.isRequested && stop.reason == 15)
    }

    @Test func aRequestMakesItsDescriptorReadableForAReaderBlockedInPoll() throws {
        let stop = try StopRequest()
        var poller = pollfd(fd: stop.fileDescriptor, events: Int16(POLLIN), revents: 0)
        #expect(poll(&poller, 1, 0) == 0, "readable before any request")
        stop.request(2)
        #expect(poll(&poller, 1, 0) == 1)
    }
}


@Suite struct FileSinkTests {
    @Test func writesWhatIsBufferedAndNamesThePathWhenItCannotCreate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ddbcdc-sink-\(UUID().uuidString)")
        try makeDirectories(dir.path + "/a/b")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.path + "/a/b/out.txt"
        var sink = try FileSink(creating: path)
        try sink.write("one\n")
        try sink.write(Array("two\n".utf8))
        try sink.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\ntwo\n")
        #expect(throws: IOError.self) { try FileSink(creating: dir.path + "/missing/out.txt") }
        do {
            _ = try FileSink(creating: dir.path + "/missing/out.txt")
        } catch {
            #expect("\(error)" == "cannot create \(dir.path)/missing/out.txt: No such file or directory")
        }
    }

    @Test func makeDirectoriesNamesTheFolderItCouldNotMake() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ddbcdc-dirs-\(UUID().uuidString)")
        try makeDirectories(dir.path)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = FileManager.default.createFile(atPath: dir.path + "/file", contents: nil)
        do {
            try makeDirectories(dir.path + "/file/sub")
            Issue.record("made a folder inside a file")
        } catch {
            #expect("\(error)".hasPrefix("cannot create the folder \(dir.path)/file/sub: "), "\(error)")
        }
    }

    @Test func readWholeFileReadsPastOneChunkAndNamesAMissingFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ddbcdc-read-\(UUID().uuidString)")
        try makeDirectories(dir.path)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: dir.appendingPathComponent("f"))
        #expect(try readWholeFile(dir.path + "/f") == bytes)
        do {
            _ = try readWholeFile(dir.path + "/none")
            Issue.record("read a missing file")
        } catch {
            #expect("\(error)" == "cannot open \(dir.path)/none: No such file or directory")
        }
    }
}
