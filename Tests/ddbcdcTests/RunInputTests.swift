import Foundation
import Testing

/// `ddbcdc run` against awkward inputs and endings: signals, what a directory holds, outputs
/// that are inputs, corrupt gzip, and the exit status that says what happened.
@Suite struct RunInputTests {
    typealias Events = RunCommandTests

    /// Runs `ddbcdc` and fails (killing it) when it has not ended within `seconds`: a hang is a failure, not a stuck suite.
    static func runWithin(_ seconds: Double, _ arguments: [String]) throws -> CommandRunner.Outcome {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        if ended.wait(timeout: .now() + seconds) == .timedOut && process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("ddbcdc \(arguments.joined(separator: " ")) did not end within \(seconds) s")
        }
        process.waitUntilExit()
        return CommandRunner.Outcome(
            status: process.terminationStatus, terminatedBySignal: process.terminationReason == .uncaughtSignal,
            stdout: try Data(contentsOf: out), stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// The `_eventId` of every row in the objects under `root`.
    static func eventIDs(_ root: URL) throws -> [String] {
        try Events.objects(root).values.flatMap { $0.map { $0["_eventId"] as! String } }.sorted()
    }

    static func ids(_ range: Range<Int>) -> [String] { range.map { "ev\($0)" }.sorted() }

    // MARK: signals

    /// Bytes written into a pipe and not yet read by the other end.
    static func unread(_ pipe: Pipe) -> Int32 {
        var count: Int32 = 0
        _ = ioctl(pipe.fileHandleForWriting.fileDescriptor, UInt(FIONREAD), &count)
        return count
    }

    @Test(arguments: [(SIGTERM, Int32(143), "SIGTERM"), (SIGINT, 130, "SIGINT")])
    func aSignalWritesWhatWasReadSummarisesAndExitsWithItsStatus(_ signal: Int32, _ status: Int32, _ name: String) throws {
        let dir = try CommandRunner.temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = CommandRunner.binary
        // No age limit and room for every row: only the signal can make the batch an object.
        process.arguments = ["run", "--input", "-", "--sink", out.path, "--prefix", "p", "--max-seconds", "0", "--quiet"]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardError = try FileHandle(forWritingTo: err)
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        // 37 whole records, one a line, and the first half of the 38th; the pipe stays open.
        func records(_ count: Int, firstID: Int) -> String {
            Events.events(count: count, perEvent: 1, firstID: firstID).split(separator: "\n")
                .map { $0.dropFirst(#"{"Records":["#.count).dropLast(2) + "\n" }.joined()
        }
        let whole = records(37, firstID: 0)
        let next = records(1, firstID: 37)
        stdin.fileHandleForWriting.write(Data((whole + next.prefix(next.count / 2)).utf8))
        // Once the pipe is drained ddbcdc holds the bytes: every whole record among them is a row.
        for _ in 0..<400 where Self.unread(stdin) > 0 { usleep(10_000) }
        #expect(Self.unread(stdin) == 0, "ddbcdc did not read its input")
        kill(process.processIdentifier, signal)
        if ended.wait(timeout: .now() + 30) == .timedOut && process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("ddbcdc did not end after \(name)")
        }
        process.waitUntilExit()
        try? stdin.fileHandleForWriting.close()
        let stderr = try String(contentsOf: err, encoding: .utf8)
        #expect(process.terminationReason == .exit, "ended by the signal itself: \(stderr)")
        #expect(process.terminationStatus == status, "\(stderr)")
        #expect(try Self.eventIDs(out) == Self.ids(0..<37), "every whole record read is a row in an object")
        // 38 records: the 38th was cut off by the signal.
        #expect(stderr.contains("ddbcdc run: 38 records read, 37 rows written in 1 objects"), "\(stderr)")
        #expect(stderr.contains("interrupted by \(name)"), "\(stderr)")
        // The half record that was read is not lost: it is set aside with its bytes.
        #expect(stderr.contains("1 set aside in 1 _errors object(s)"), "\(stderr)")
        let errorFiles = try Events.files(out).filter { $0.hasPrefix("p/_errors/") }
        try #require(errorFiles.count == 1)
        let entry = try String(contentsOf: out.appendingPathComponent(errorFiles[0]), encoding: .utf8)
        let raw = try #require(
            (try JSONSerialization.jsonObject(with: Data(entry.utf8)) as? [String: Any])?["rawBase64"] as? String)
        #expect(Data(base64Encoded: raw) == Data(next.prefix(next.count / 2).utf8))
    }

    /// A TCP port on 127.0.0.1 that accepts connections and never answers (nothing calls accept).
    static func silentPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound && listen(fd, 64) == 0)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aSecondSignalExitsAtOnceWhileWritesHang() throws {
        let silent = try Self.silentPort()
        defer { close(silent.fd) }
        let dir = try CommandRunner.temporaryDirectory()
        let err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = [
            "run", "--input", "-", "--sink", "s3://bucket/p", "--endpoint-url", "http://127.0.0.1:\(silent.port)",
            "--region", "us-east-1", "--max-seconds", "0", "--quiet",
        ]
        process.environment = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardError = try FileHandle(forWritingTo: err)
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        stdin.fileHandleForWriting.write(Data(Events.events(count: 5).utf8))
        for _ in 0..<400 where Self.unread(stdin) > 0 { usleep(10_000) }
        kill(process.processIdentifier, SIGTERM)
        // The first signal starts the write of the open batch, which hangs on the silent peer.
        var stderr = ""
        for _ in 0..<400 where !stderr.contains("reading stops here") {
            usleep(10_000)
            stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        }
        #expect(process.isRunning, "still writing: \(stderr)")
        kill(process.processIdentifier, SIGTERM)
        // A watchdog only: without the second signal the write would be retried for minutes.
        if ended.wait(timeout: .now() + 60) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("a second SIGTERM did not end the run")
        }
        process.waitUntilExit()
        try? stdin.fileHandleForWriting.close()
        stderr = try String(contentsOf: err, encoding: .utf8)
        #expect(process.terminationReason == .exit && process.terminationStatus == 143, "\(stderr)")
        #expect(stderr.contains("SIGTERM again: exiting now"), "\(stderr)")
        #expect(!stderr.contains("ddbcdc run:"), "no summary: the run did not finish")
    }

    // MARK: temporary files

    @Test func aLaterRunRemovesTemporaryFilesAKilledRunLeft() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let folder = out.appendingPathComponent("p/dt=2026-01-01/HH=00")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Left by a writer that is gone (no process has a pid above the kernel's largest), a day ago.
        let stale = folder.appendingPathComponent(".x.ndjson.gz.\(Int32.max - 1).42.tmp")
        let other = folder.appendingPathComponent(".notes.tmp")
        for file in [stale, other] {
            try Data("partial".utf8).write(to: file)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -86_400 * 2)], ofItemAtPath: file.path)
        }
        let outcome = try CommandRunner.run(
            ["run", "--input", "-", "--sink", out.path, "--prefix", "p", "--quiet"], stdin: Data(Events.events(count: 5).utf8))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale.path), "removed")
        #expect(FileManager.default.fileExists(atPath: other.path), "not ddbcdc's: kept")
        #expect(outcome.stderr.contains("removed 1 stale temporary file(s)"), "\(outcome.stderr)")
    }

    // MARK: exit status

    @Test func recordsSetAsideMakeStatus65AndCleanRunsStay0() throws {
        let dir = try CommandRunner.temporaryDirectory()
        // A KEYS_ONLY stream: no record can become a row; every one is kept in _errors.
        let keysOnly = (0..<5).map { id in
            #"{"eventID":"k\#(id)","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"a\#(id)"}},"SequenceNumber":"\#(100 + id)","StreamViewType":"KEYS_ONLY"}}"#
        }.joined(separator: "\n") + "\n"
        let setAside = try CommandRunner.run(
            ["run", "--input", "-", "--sink", dir.appendingPathComponent("a").path, "--quiet"], stdin: Data(keysOnly.utf8))
        #expect(setAside.status == 65, "\(setAside.stderr)")
        #expect(setAside.stderr.contains("5 records read, 0 rows written"), "\(setAside.stderr)")
        #expect(setAside.stderr.contains("5 set aside in 1 _errors object(s)"), "\(setAside.stderr)")
        let clean = try CommandRunner.run(
            ["run", "--input", "-", "--sink", dir.appendingPathComponent("b").path, "--quiet"],
            stdin: Data(Events.events(count: 5).utf8))
        #expect(clean.status == 0, "\(clean.stderr)")
    }

    @Test func runHelpDocumentsStatusesDirectoriesAndSignals() throws {
        // The help is wrapped to the terminal's width: compare words, not lines.
        let help = try CommandRunner.run(["run", "--help"]).stdoutText.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["65", "74", "130", "143", "SIGTERM", "names starting with . or _", "FIFO", "second signal"] {
            #expect(help.contains(text), "\(text)")
        }
    }

    // MARK: directories

    @Test func hiddenAndUnderscoreNamesAreCountedNotSilentlyDropped() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input.appendingPathComponent("_folder"), withIntermediateDirectories: true)
        try Data(Events.events(count: 10).utf8).write(to: input.appendingPathComponent("a.json"))
        try Data(Events.events(count: 30, firstID: 10).utf8).write(to: input.appendingPathComponent("_b.json"))
        try Data(Events.events(count: 30, firstID: 40).utf8).write(to: input.appendingPathComponent(".c.jsonl"))
        try Data(Events.events(count: 30, firstID: 70).utf8).write(to: input.appendingPathComponent("_folder/d.json"))
        let outcome = try Self.runWithin(60, ["run", "--input", input.path, "--sink", dir.appendingPathComponent("out").path, "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try Self.eventIDs(dir.appendingPathComponent("out")) == Self.ids(0..<10))
        #expect(outcome.stderr.contains("2 file(s) and 1 folder(s) skipped (hidden or _-prefixed)"), "\(outcome.stderr)")
        // Named on its own, such a file is read.
        let named = try Self.runWithin(
            60, ["run", "--input", input.appendingPathComponent("_b.json").path, "--sink", dir.appendingPathComponent("named").path])
        #expect(named.status == 0)
        #expect(try Self.eventIDs(dir.appendingPathComponent("named")) == Self.ids(10..<40))
    }

    /// A directory with one good file and `make` applied: every row once, problems reported.
    func walk(_ name: String, rows: Range<Int>, warning: String?, summary: String, _ make: (URL) throws -> Void) throws {
        let dir = try CommandRunner.temporaryDirectory()
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input.appendingPathComponent("a"), withIntermediateDirectories: true)
        try Data(Events.events(count: 20).utf8).write(to: input.appendingPathComponent("a/x.json"))
        try make(input)
        let out = dir.appendingPathComponent("out")
        let outcome = try Self.runWithin(60, ["run", "--input", input.path, "--sink", out.path, "--quiet"])
        #expect(outcome.status == 0, "\(name): \(outcome.stderr)")
        #expect(try Self.eventIDs(out) == Self.ids(rows), "\(name): each file read once")
        if let warning {
            let lines = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("ddbcdc: warning:") }
            #expect(lines.count == 1 && lines[0].contains(warning), "\(name): \(outcome.stderr)")
        }
        #expect(outcome.stderr.contains(summary), "\(name): \(outcome.stderr)")
    }

    @Test func aFIFONamedLikeARecordFileIsReportedNotOpened() throws {
        try walk("fifo", rows: 0..<20, warning: "b.json: skipped: not a regular file", summary: "1 entries not read") { input in
            #expect(mkfifo(input.appendingPathComponent("b.json").path, 0o644) == 0)
        }
    }

    @Test func symbolicLinkLoopsAreReportedAndSkipped() throws {
        try walk("self loop", rows: 0..<20, warning: "loop.json: skipped: a symbolic link loop", summary: "1 entries not read") { input in
            try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("loop.json").path, withDestinationPath: "loop.json")
        }
        try walk("link to an ancestor", rows: 0..<20, warning: "a/up: skipped: a symbolic link loop", summary: "1 entries not read") { input in
            try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("a/up").path, withDestinationPath: "..")
        }
    }

    @Test func danglingLinksAreReportedAndSkipped() throws {
        try walk("dangling", rows: 0..<20, warning: "gone.json: skipped: a symbolic link to nothing", summary: "1 entries not read") { input in
            try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("gone.json").path, withDestinationPath: "missing.json")
        }
    }

    @Test func aLinkToASiblingFolderOrAHardLinkReadsEachFileOnce() throws {
        try walk("sibling folder", rows: 0..<20, warning: nil, summary: "1 second name(s) of a file or folder read once") { input in
            try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("b").path, withDestinationPath: "a")
        }
        try walk("hard link", rows: 0..<20, warning: nil, summary: "1 second name(s) of a file or folder read once") { input in
            try FileManager.default.linkItem(at: input.appendingPathComponent("a/x.json"), to: input.appendingPathComponent("y.json"))
        }
        try walk("link to a file", rows: 0..<20, warning: nil, summary: "1 second name(s) of a file or folder read once") { input in
            try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("z.json").path, withDestinationPath: "a/x.json")
        }
        // A link to a file outside the folder is read, once.
        try walk("link to a file outside", rows: 0..<25, warning: nil, summary: "25 records read") { input in
            let outside = input.deletingLastPathComponent().appendingPathComponent("outside.json")
            try Data(Events.events(count: 5, firstID: 20).utf8).write(to: outside)
            try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("o.json").path, withDestinationPath: outside.path)
        }
    }

    // MARK: outputs that are inputs

    @Test func aDirectorySinkHoldingAnInputIsRefused() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let first = try CommandRunner.run(["run", "--input", "-", "--sink", out.path, "--quiet"], stdin: Data(Events.events(count: 5).utf8))
        #expect(first.status == 0)
        let before = try Events.files(out)
        let again = try Self.runWithin(60, ["run", "--input", out.path, "--sink", out.path, "--quiet"])
        #expect(again.status == 64, "\(again.stderr)")
        #expect(again.stderr.contains("is inside the sink directory"), "\(again.stderr)")
        #expect(try Events.files(out) == before, "nothing written")
    }

    // MARK: gzip

    @Test func aGzipInputWithABadCRCSaysSoOnceWithItsByteCount() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let plain = Events.events(count: 30)
        let file = dir.appendingPathComponent("events.json")
        try Data(plain.utf8).write(to: file)
        #expect(try CommandRunner.tool(["gzip", "-n", file.path]).status == 0)
        let gz = dir.appendingPathComponent("events.json.gz")
        var bytes = try Data(contentsOf: gz)
        // The trailer: CRC-32 (4 bytes), then the length; flip the CRC's bits.
        for index in (bytes.count - 8)..<(bytes.count - 4) { bytes[index] ^= 0xFF }
        try bytes.write(to: gz)
        let outcome = try Self.runWithin(60, ["run", "--input", gz.path, "--sink", dir.appendingPathComponent("out").path, "--quiet"])
        #expect(outcome.status == 74, "\(outcome.stderr)")
        let mentions = outcome.stderr.split(separator: "\n").filter { $0.contains("CRC") || $0.contains("data check") }
        #expect(mentions.count == 1, "said once: \(outcome.stderr)")
        #expect(mentions.first?.contains("after \(plain.utf8.count) bytes") == true, "\(outcome.stderr)")
        // The data before the check is read and counted like any other (rows cannot wait for a
        // file's trailer); the run fails.
        #expect(outcome.stderr.contains("30 records read, 30 rows written"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(", \(plain.utf8.count) B read"), "\(outcome.stderr)")
    }
}
