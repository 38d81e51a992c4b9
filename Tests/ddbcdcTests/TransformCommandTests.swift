import Foundation
import Testing

@Suite struct TransformCommandTests {
    static let good = #"""
        {"Records":[{"eventID":"g1","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"},"n":{"N":"1.50"}},"SequenceNumber":"111"}},{"eventID":"g2","eventName":"REMOVE","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225601,"Keys":{"pk":{"S":"a"}},"SequenceNumber":"112"}}]}
        """# + "\n"
    static let bad = #"""
        {"eventID":"b1","eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225602,"NewImage":{"pk":{"S":"a"},"lines":{"L":[{"M":{"price":{"N":"1E+500"}}}]}},"SequenceNumber":"113"}}
        """# + "\n"
    static let after = #"""
        {"eventID":"g3","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225603,"NewImage":{"pk":{"S":"b"}},"SequenceNumber":"114"}}
        """# + "\n"

    @Test func stdinAndInputFileGiveTheSameRows() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let file = dir.appendingPathComponent("events.json")
        try Data(Self.good.utf8).write(to: file)
        let fromStdin = try CommandRunner.run(["transform", "--ingest-ts", "none"], stdin: Data(Self.good.utf8))
        let fromFile = try CommandRunner.run(["transform", "--ingest-ts", "none", "--input", file.path])
        #expect(fromStdin.status == 0 && fromFile.status == 0)
        #expect(fromStdin.stdout == fromFile.stdout)
        #expect(
            fromFile.stdoutText == #"""
                {"pk":"a","n":1.50,"_eventName":"INSERT","_eventId":"g1","_seq":"1767225600000-0000000000000000000000000000000000000111","_approxStreamTs":1767225600000,"is_deleted":false,"_ttlDelete":false}
                {"pk":"a","_eventName":"REMOVE","_eventId":"g2","_seq":"1767225601000-0000000000000000000000000000000000000112","_approxStreamTs":1767225601000,"is_deleted":true,"_ttlDelete":false}

                """#)
    }

    @Test func ingestTimeIsNowByDefault() throws {
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let outcome = try CommandRunner.run(["transform"], stdin: Data(Self.good.utf8))
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        let row = try #require(JSONSerialization.jsonObject(with: outcome.stdout.split(separator: 0x0A)[0]) as? [String: Any])
        let ingest = try #require((row["_ingestTs"] as? NSNumber)?.int64Value)
        #expect(ingest >= before && ingest <= after)
    }

    @Test func badRecordStopsWithItsNameAndPath() throws {
        let outcome = try CommandRunner.run(["transform"], stdin: Data((Self.good + Self.bad + Self.after).utf8))
        #expect(outcome.status == 65)
        #expect(outcome.stdoutText.split(separator: "\n").count == 2, "rows before the bad record are written")
        #expect(outcome.stderr.contains("record 2 (eventID b1)"))
        #expect(outcome.stderr.contains("NewImage.lines[0].price"))
        #expect(outcome.stderr.contains("number-out-of-range"))
        #expect(outcome.stderr.contains("--skip-invalid"))
    }

    @Test func skipInvalidSetsTheRecordAsideAndGoesOn() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let errors = dir.appendingPathComponent("errors.ndjson")
        let outcome = try CommandRunner.run(
            ["transform", "--skip-invalid", "--errors", errors.path], stdin: Data((Self.good + Self.bad + Self.after).utf8))
        #expect(outcome.status == 65, "a record set aside is a data error, as without --skip-invalid")
        #expect(outcome.stdoutText.split(separator: "\n").count == 3)
        #expect(outcome.stderr.contains("1 invalid record(s) set aside in \(errors.path)"))
        let lines = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 1)
        let entry = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(entry["eventID"] as? String == "b1")
        #expect(entry["recordIndex"] as? Int == 2)
        #expect(entry["path"] as? String == "NewImage.lines[0].price")
        #expect(entry["code"] as? String == "number-out-of-range")
        // The raw record is kept whole: re-serialised, it equals the input record.
        let record = try #require(entry["record"])
        let original = try JSONSerialization.jsonObject(with: Data(Self.bad.utf8))
        #expect(NSDictionary(dictionary: record as! [String: Any]).isEqual(to: original as! [String: Any]))
    }

    @Test func anyNumberOfParseThreadsGivesTheSameRowsAndErrors() throws {
        // Enough lines for several 512 KiB segments, bad records among them, one event spread
        // over several lines (read on from its segment's start) and more lines after it.
        var input = ""
        for line in 0..<6_000 {
            input += line % 97 == 5 ? Self.bad : Self.good
            if line == 4_000 { input += "{\n  \"Records\": [\n" + Self.after.dropLast() + "\n  ]\n}\n" }
        }
        let dir = try CommandRunner.temporaryDirectory()
        let file = dir.appendingPathComponent("events.jsonl")
        try Data(input.utf8).write(to: file)
        var outcomes: [(rows: Data, errors: Data, stderr: String)] = []
        for threads in ["1", "3"] {
            let errors = dir.appendingPathComponent("errors-\(threads).ndjson")
            let outcome = try CommandRunner.run(
                ["transform", "--ingest-ts", "none", "--input", file.path, "--parse-threads", threads, "--skip-invalid", "--errors", errors.path])
            #expect(outcome.status == 65, "\(outcome.stderr)")
            outcomes.append((outcome.stdout, try Data(contentsOf: errors), outcome.stderr.replacingOccurrences(of: errors.path, with: "ERRORS")))
        }
        #expect(input.utf8.count > 4 * (512 << 10), "several segments")
        #expect(outcomes[0].rows == outcomes[1].rows)
        #expect(outcomes[0].errors == outcomes[1].errors)
        #expect(outcomes[0].stderr == outcomes[1].stderr)
        #expect(outcomes[1].stderr.contains("62 invalid record(s) set aside in ERRORS; 11877 rows written from 11939 records"))
    }

    static let usageCases: [([String], Int32)] = [
        (["transform", "--parse-threads", "0"], 64),
        (["transform", "--skip-invalid"], 64),
        (["transform", "--errors", "/tmp/x"], 64),
        (["transform", "--numbers", "float"], 64),
        (["transform", "--ingest-ts", "yesterday"], 64),
        (["transform", "--input", "/nonexistent/events.json"], 66),
    ]

    @Test(arguments: usageCases)
    func usageAndInputErrors(_ arguments: [String], _ status: Int32) throws {
        let outcome = try CommandRunner.run(arguments)
        #expect(outcome.status == status, "\(outcome.stderr)")
        #expect(!outcome.stderr.isEmpty)
    }

    @Test func helpNamesEveryOption() throws {
        let outcome = try CommandRunner.run(["transform", "--help"])
        for option in ["--input", "--layout", "--numbers", "--tombstone", "--updated-at", "--ingest-ts", "--skip-invalid", "--errors"] {
            #expect(outcome.stdoutText.contains(option), "\(option)")
        }
    }

    /// Random byte mutations of valid input: the process never dies of a signal, and its exit
    /// status is success or "data error", with everything set aside accounted for.
    @Test func mutatedInputNeverCrashesTheProcess() throws {
        let valid = Array((Self.good + Self.after + Self.good).utf8)
        var state: UInt64 = 0x5EED
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let dir = try CommandRunner.temporaryDirectory()
        for round in 0..<150 {
            var input = valid
            for _ in 0...(next() % 3) {
                let at = next() % input.count
                switch next() % 3 {
                case 0: input[at] = UInt8(truncatingIfNeeded: next())
                case 1: input.remove(at: at)
                default: input.insert(Array(#"{}[]",:\"#.utf8)[next() % 8], at: at)
                }
            }
            let errors = dir.appendingPathComponent("errors-\(round).ndjson")
            let lenient = try CommandRunner.run(["transform", "--skip-invalid", "--errors", errors.path], stdin: Data(input))
            let setAside = !((try? Data(contentsOf: errors))?.isEmpty ?? true)
            #expect(!lenient.terminatedBySignal && lenient.status == (setAside ? 65 : 0), "round \(round): \(lenient.stderr)")
            let strict = try CommandRunner.run(["transform"], stdin: Data(input))
            #expect(!strict.terminatedBySignal && (strict.status == 0 || strict.status == 65), "round \(round): \(strict.stderr)")
            // Every row is JSON; every set-aside entry is JSON.
            for line in lenient.stdout.split(separator: 0x0A) {
                #expect((try? JSONSerialization.jsonObject(with: Data(line))) != nil, "round \(round)")
            }
            let errorLines = (try? Data(contentsOf: errors))?.split(separator: 0x0A) ?? []
            for line in errorLines {
                #expect((try? JSONSerialization.jsonObject(with: Data(line))) != nil, "round \(round)")
            }
        }
    }

    /// `--errors` (or standard output) naming the input, under any of its names, is refused
    /// before anything is written, and the input is left as it was.
    @Test(arguments: ["same path", "symbolic link", "hard link", "standard input"])
    func anOutputThatIsTheInputIsRefused(_ how: String) throws {
        let dir = try CommandRunner.temporaryDirectory()
        let input = dir.appendingPathComponent("events.json")
        let content = Data((Self.good + Self.bad).utf8)
        try content.write(to: input)
        let errors: URL
        switch how {
        case "symbolic link":
            errors = dir.appendingPathComponent("link.json")
            try FileManager.default.createSymbolicLink(at: errors, withDestinationURL: input)
        case "hard link":
            errors = dir.appendingPathComponent("hard.json")
            try FileManager.default.linkItem(at: input, to: errors)
        default:
            errors = input
        }
        let arguments = ["transform", "--skip-invalid", "--errors", errors.path]
        let outcome: CommandRunner.Outcome
        if how == "standard input" {
            // The input arrives as a file on standard input, the errors file is that file.
            let process = Process()
            process.executableURL = CommandRunner.binary
            process.arguments = arguments
            process.standardInput = try FileHandle(forReadingFrom: input)
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            outcome = CommandRunner.Outcome(status: process.terminationStatus, terminatedBySignal: false, stdout: Data(), stderr: text)
        } else {
            outcome = try CommandRunner.run(arguments + ["--input", input.path])
        }
        #expect(outcome.status == 64, "\(how): \(outcome.stderr)")
        #expect(outcome.stderr.contains("is the input"), "\(how): \(outcome.stderr)")
        #expect(try Data(contentsOf: input) == content, "\(how): the input is untouched")
    }

    @Test func standardOutputAppendedToTheInputIsRefused() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let input = dir.appendingPathComponent("events.json")
        let content = Data(Self.good.utf8)
        try content.write(to: input)
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["transform", "--input", input.path]
        let output = try FileHandle(forWritingTo: input)
        try output.seekToEnd()  // as `>> events.json`
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        #expect(try Data(contentsOf: input) == content)
    }
}
