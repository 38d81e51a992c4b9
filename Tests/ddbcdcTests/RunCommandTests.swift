import Foundation
import Testing

/// `ddbcdc run` end to end: records in, objects out, checked by reading the objects back.
@Suite struct RunCommandTests {
    /// `count` records over three hours, one event per line, `perEvent` records an event.
    static func events(count: Int, perEvent: Int = 10, firstID: Int = 0) -> String {
        var lines: [String] = []
        var records: [String] = []
        for k in 0..<count {
            let id = firstID + k
            let time = 1_767_225_600 + id * 4  // 900 records an hour
            let kind = id % 10 == 9 ? "REMOVE" : (id % 3 == 0 ? "MODIFY" : "INSERT")
            let image = #"{"pk":{"S":"k\#(id % 50)"},"n":{"N":"\#(id).5"},"big":{"N":"1234567890123456789012345678901234567\#(id % 10)"}}"#
            let body =
                kind == "REMOVE"
                ? #""Keys":{"pk":{"S":"k\#(id % 50)"}}"# : #""Keys":{"pk":{"S":"k\#(id % 50)"}},"NewImage":\#(image)"#
            records.append(
                #"{"eventID":"ev\#(id)","eventName":"\#(kind)","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":\#(time),\#(body),"SequenceNumber":"\#(100_000_000_000_000_000 + id)"}}"#
            )
            if records.count == perEvent {
                lines.append(#"{"Records":["# + records.joined(separator: ",") + "]}")
                records = []
            }
        }
        if !records.isEmpty { lines.append(#"{"Records":["# + records.joined(separator: ",") + "]}") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every object under `root` (relative path → decompressed rows), hidden files excluded.
    static func objects(_ root: URL) throws -> [String: [[String: Any]]] {
        var result: [String: [[String: Any]]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)!
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".ndjson.gz"), !(path as NSString).lastPathComponent.hasPrefix(".") else { continue }
            let data = try CommandRunner.tool(["gzip", "-dc", root.appendingPathComponent(path).path]).stdout
            result[path] = try data.split(separator: 0x0A).map {
                try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
            }
        }
        return result
    }

    static func hourFolder(_ millis: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour], from: date)
        return String(format: "dt=%04d-%02d-%02d/HH=%02d", c.year!, c.month!, c.day!, c.hour!)
    }

    @Test func everyRecordLandsOnceInTheHourOfItsChangeAndARerunIsIdentical() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let input = dir.appendingPathComponent("events.jsonl")
        try Data(Self.events(count: 2500).utf8).write(to: input)
        let first = dir.appendingPathComponent("first"), second = dir.appendingPathComponent("second")
        let run1 = try CommandRunner.run(["run", "--input", input.path, "--sink", first.path, "--prefix", "ddb/orders", "--max-records", "300"])
        #expect(run1.status == 0, "\(run1.stderr)")
        #expect(run1.stderr.contains("2500 records read, 2500 rows written in"))
        let objects = try Self.objects(first)
        var seen: [String: Int] = [:]
        for (path, rows) in objects {
            #expect(path.hasPrefix("ddb/orders/dt="))
            #expect(rows.count <= 300)
            for row in rows {
                let id = row["_eventId"] as! String
                seen[id, default: 0] += 1
                let millis = (row["_approxStreamTs"] as! NSNumber).int64Value
                #expect(path.hasPrefix("ddb/orders/" + Self.hourFolder(millis) + "/"), "\(id) in \(path)")
            }
            // Rows in an object keep the input's order.
            let keys = rows.map { $0["_seq"] as! String }
            #expect(keys == keys.sorted())
        }
        #expect(seen.count == 2500 && seen.values.allSatisfy { $0 == 1 })
        #expect(Set(objects.keys.map { $0.split(separator: "/")[2...3].joined(separator: "/") }).count == 3, "three hours, three dt=/HH= folders")

        let run2 = try CommandRunner.run(["run", "--input", input.path, "--sink", second.path, "--prefix", "ddb/orders", "--max-records", "300"])
        #expect(run2.status == 0)
        let names1 = try Self.files(first), names2 = try Self.files(second)
        #expect(names1 == names2 && !names1.isEmpty)
        for name in names1 {
            #expect(
                try Data(contentsOf: first.appendingPathComponent(name)) == Data(contentsOf: second.appendingPathComponent(name)),
                "\(name) differs between runs")
        }
    }

    @Test func anyNumberOfParseThreadsWritesTheSameObjects() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let bad = #"{"eventID":"bad","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"x":{"SS":[]}},"SequenceNumber":"1"}}"#
        // About 7 MB: several 512 KiB segments, with bad records and a line that is not JSON.
        let input = Self.events(count: 12_000) + bad + "\nnot json at all\n" + Self.events(count: 8_000, firstID: 12_000)
        let file = dir.appendingPathComponent("events.jsonl")
        try Data(input.utf8).write(to: file)
        var trees: [[String: Data]] = []
        for threads in ["1", "3"] {
            let out = dir.appendingPathComponent("out-\(threads)")
            let outcome = try CommandRunner.run(["run", "--input", file.path, "--sink", out.path, "--parse-threads", threads, "--quiet"])
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("20001 records read, 20000 rows written"))
            var tree: [String: Data] = [:]
            for name in try Self.files(out) { tree[name] = try Data(contentsOf: out.appendingPathComponent(name)) }
            trees.append(tree)
        }
        #expect(trees[0].count > 10 && trees[0].keys.contains { $0.hasPrefix("_errors/") })
        #expect(trees[0] == trees[1])
    }

    /// A directory of small files (plain and gzip, one empty, one with a bad record, one cut inside
    /// an event, one gzip stream cut short) is read on several threads, files opened ahead: the
    /// same objects, summary and reported input failure as one thread.
    @Test func aDirectoryOfSmallFilesGivesTheSameObjectsOnAnyNumberOfParseThreads() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let inputs = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let bad = #"{"eventID":"bad","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"x":{"SS":[]}},"SequenceNumber":"1"}}"#
        for n in 0..<40 {
            var text = Self.events(count: 30 + n % 7 * 20, firstID: n * 1_000)
            if n == 11 { text += bad + "\n" }
            if n == 23 { text = "" }
            if n == 29 { text = String(text.dropLast(50)) }
            let file = inputs.appendingPathComponent(String(format: "part-%02d.jsonl", n))
            try Data(text.utf8).write(to: file)
            if n % 4 == 1 { #expect(try CommandRunner.tool(["gzip", file.path]).status == 0) }
            if n == 33 {
                // Cut short: its first records are read, then gunzip fails.
                let gz = file.appendingPathExtension("gz")
                let whole = try Data(contentsOf: gz)
                try whole.prefix(whole.count / 2).write(to: gz)
            }
        }
        var runs: [(tree: [String: Data], stderr: String)] = []
        for threads in ["1", "3"] {
            let out = dir.appendingPathComponent("out-\(threads)")
            let outcome = try CommandRunner.run(["run", "--input", inputs.path, "--sink", out.path, "--parse-threads", threads, "--max-records", "100"])
            #expect(outcome.status != 0, "a file could not be read to its end: \(outcome.stderr)")
            var tree: [String: Data] = [:]
            for name in try Self.files(out) { tree[name] = try Data(contentsOf: out.appendingPathComponent(name)) }
            let stderr = outcome.stderr.split(separator: "\n").map { $0.replacing(/, [0-9.]+ s$/, with: "") }.joined(separator: "\n")
            runs.append((tree, stderr))
        }
        #expect(runs[0].tree.count > 20 && runs[0].tree.keys.contains { $0.hasPrefix("_errors/") })
        #expect(runs[0].stderr.contains("part-33.jsonl.gz"), "\(runs[0].stderr)")
        #expect(runs[0].tree == runs[1].tree)
        #expect(runs[0].stderr == runs[1].stderr)
    }

    static func files(_ root: URL) throws -> [String] {
        (FileManager.default.enumerator(atPath: root.path)!.allObjects as! [String])
            .filter { $0.hasSuffix(".gz") || $0.hasSuffix(".ndjson") }.sorted()
    }

    @Test func readsDirectoriesOfPlainAndGzipFilesAndHonoursTheSeedsEnvironment() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let inputs = dir.appendingPathComponent("in/nested")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try Data(Self.events(count: 40).utf8).write(to: inputs.appendingPathComponent("a.jsonl"))
        let gz = inputs.appendingPathComponent("b.json")
        try Data(Self.events(count: 40, firstID: 40).utf8).write(to: gz)
        #expect(try CommandRunner.tool(["gzip", gz.path]).status == 0)
        try Data("ignored".utf8).write(to: inputs.appendingPathComponent("notes.txt"))
        let out = dir.appendingPathComponent("out")
        let outcome = try CommandRunner.run(
            ["run", "--input", dir.appendingPathComponent("in").path, "--sink", out.path],
            environment: ["MAX_RECORDS": "7", "S3_PREFIX": "from/env", "MAX_PAYLOAD_BYTES": "8_000_000"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let objects = try Self.objects(out)
        #expect(objects.values.reduce(0) { $0 + $1.count } == 80)
        #expect(objects.values.allSatisfy { $0.count <= 7 })
        #expect(objects.keys.allSatisfy { $0.hasPrefix("from/env/dt=") })
    }

    @Test func badRecordsGoToErrorsAndTheRunGoesOn() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let bad = #"{"eventID":"bad","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"NewImage":{"x":{"SS":[]}},"SequenceNumber":"1"}}"#
        let input = Self.events(count: 5) + bad + "\nnot json at all\n" + Self.events(count: 5, firstID: 5)
        let out = dir.appendingPathComponent("out")
        let outcome = try CommandRunner.run(["run", "--input", "-", "--sink", out.path, "--prefix", "p"], stdin: Data(input.utf8))
        #expect(outcome.status == 65, "records set aside: \(outcome.stderr)")
        #expect(outcome.stderr.contains("11 records read, 10 rows written"))
        #expect(outcome.stderr.contains("2 set aside"))
        let errorFiles = try Self.files(out).filter { $0.hasPrefix("p/_errors/") }
        try #require(errorFiles.count == 1)
        let lines = try String(contentsOf: out.appendingPathComponent(errorFiles[0]), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""eventID":"bad""#) && lines[0].contains(#""code":"empty-set""#))
        #expect(lines[1].contains(#""code":"malformed-json""#) && lines[1].contains(#""rawBase64":""#))
    }

    @Test func aQuietStreamIsFlushedByAgeBeforeItEnds() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["run", "--input", "-", "--sink", out.path, "--max-seconds", "0.3", "--quiet"]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(Self.events(count: 3).utf8))
        // No more input and the pipe stays open: the batch must still become an object.
        var found: [String] = []
        for _ in 0..<200 where found.isEmpty {
            usleep(50_000)
            found = (try? Self.files(out)) ?? []
        }
        #expect(found.count == 1, "the open batch was sealed by age while the input was quiet")
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func killedMidRunLeavesNoPartialObjectUnderAFinalName() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let input = dir.appendingPathComponent("events.jsonl")
        try Data(Self.events(count: 60_000, perEvent: 500).utf8).write(to: input)
        for attempt in 0..<3 {
            let out = dir.appendingPathComponent("out\(attempt)")
            let process = Process()
            process.executableURL = CommandRunner.binary
            process.arguments = ["run", "--input", input.path, "--sink", out.path, "--max-records", "20", "--quiet"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Kill as soon as objects are being written.
            var written = 0
            for _ in 0..<2000 where written < 5 {
                usleep(2_000)
                written = (try? Self.files(out).count) ?? 0
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let names = try Self.files(out)
            #expect(names.count >= 5)
            for name in names where !(name as NSString).lastPathComponent.hasPrefix(".") {
                let check = try CommandRunner.tool(["gzip", "-t", out.appendingPathComponent(name).path])
                #expect(check.status == 0, "\(name) is a partial object")
            }
        }
    }

    @Test(arguments: [
        (["run", "--input", "x"], Int32(64)),
        (["run", "--sink", "x"], 64),
        (["run", "--input", "/nonexistent", "--sink", "/tmp/x"], 66),
        (["run", "--input", "-", "--sink", "/tmp/x", "--gzip-level", "13"], 64),
        (["run", "--input", "-", "--sink", "/tmp/x", "--max-bytes", "lots"], 64),
        (["run", "--input", "-", "--sink", "/tmp/x", "--max-records", "0"], 64),
        (["run", "--input", "-", "--sink", "/tmp/x", "--format", "parquet", "--parquet-compression", "gzip", "--parquet-gzip-level", "13"], 64),
        (["run", "--input", "-", "--sink", "/tmp/x", "--format", "parquet", "--parquet-gzip-level", "4"], 64),
        (["run", "--input", "-", "--sink", "/tmp/x", "--format", "parquet", "--parquet-compression", "zstd", "--parquet-zstd-level", "23"], 64),
        (["run", "--input", "-", "--sink", "/tmp/x", "--format", "parquet", "--parquet-zstd-level", "3"], 64),
        (["run", "--input", "-", "--sink", "/tmp/x", "--parquet-zstd-level", "3"], 64),
    ] as [([String], Int32)])
    func usageErrors(_ arguments: [String], _ status: Int32) throws {
        let outcome = try CommandRunner.run(arguments)
        #expect(outcome.status == status, "\(outcome.stderr)")
    }

    @Test func unwritableSinkIsANonZeroExitNamingTheObject() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let blocker = dir.appendingPathComponent("sink")
        try Data("a file, not a directory".utf8).write(to: blocker)
        let outcome = try CommandRunner.run(["run", "--input", "-", "--sink", blocker.path], stdin: Data(Self.events(count: 3).utf8))
        #expect(outcome.status == 74)
        #expect(outcome.stderr.contains("not written"))
        #expect(outcome.stderr.contains("1 object(s) NOT written"))
    }
}
