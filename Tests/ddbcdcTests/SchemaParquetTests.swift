import Foundation
import Testing

/// `ddbcdc schema` over Parquet objects (`ddbcdc run --format parquet`'s, and pyarrow's in the
/// layout contract: Tests/parquet/contract_layouts.py) gives the schema and report it gives over
/// the same rows as NDJSON: packed objects, typed objects with rescued attributes, a directory
/// mixing formats.
@Suite struct SchemaParquetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Rows as the NDJSON path writes them (numbers as DynamoDB gives them: no trailing zeros):
    /// scales that vary, a number wider than 38 digits, nested maps, lists of maps, sets, binary
    /// as base64, unicode, nulls in lists, attributes that appear late.
    static func rows(count: Int) -> [String] {
        var state: UInt64 = 13
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        let names = ["Zoë", "渡辺", "plain", "quote\\\"d", "🚀"]
        return (0..<count).map { index in
            var members: [String] = ["\"pk\":\"k\(index)\""]
            let price = ["19.9", "19.95", "7", "-0.5", "123456789.123"][Int(next(5))]
            members.append("\"price\":\(price)")
            members.append("\"name\":\"\(names[Int(next(5))])\"")
            if next(2) == 0 { members.append("\"flag\":\(next(2) == 0)") }
            members.append("\"dims\":{\"w\":\(next(100)),\"h\":\(next(1000)).\(next(9) + 1),\"unit\":\"cm\"}")
            members.append("\"lines\":[\((0..<next(3)).map { _ in "{\"sku\":\"s\(next(50))\",\"qty\":\(next(9))}" }.joined(separator: ","))]")
            if next(3) == 0 { members.append("\"scores\":[1,null,\(next(7)).25]") }
            if next(4) == 0 { members.append("\"blob\":\"AAEC/w==\"") }
            if index % 7 == 3 { members.append("\"huge\":1E+125") }
            if index >= count / 2 && index % 5 == 0 { members.append("\"late\":{\"a\":\"x\"}") }
            if index >= count / 2 && index % 6 == 0 { members.append("\"price2\":0.000001") }
            let kind = ["INSERT", "MODIFY", "REMOVE"][index % 3]
            members.append(
                "\"_eventName\":\"\(kind)\",\"_eventId\":\"id\(index)\",\"_seq\":\"\(String(format: "%020d", index))\","
                    + "\"_approxStreamTs\":\(1_700_000_000_000 + index),\"_ingestTs\":1700000000999,"
                    + "\"is_deleted\":\(kind == "REMOVE"),\"_ttlDelete\":false")
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    static func python(_ arguments: [String], script: String = "Tests/parquet/contract_layouts.py") throws {
        let python = ProcessInfo.processInfo.environment["DDBCDC_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no Python at \(python): run scripts/setup.sh or set DDBCDC_PYTHON")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent(script).path] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "contract_layouts.py \(arguments) failed")
    }

    static func schema(_ input: URL, format: String) throws -> String {
        let outcome = try CommandRunner.run(["schema", "--input", input.path, "--format", format])
        try #require(outcome.status == 0, "schema --input \(input.path): \(outcome.stderr)")
        return outcome.stdoutText
    }

    @Test func parquetObjectsGiveTheSchemaOfTheirRows() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = Self.rows(count: 90)
        let ndjson = dir.appendingPathComponent("rows.ndjson")
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: ndjson)
        // The schema file of the typed objects: from the first half only, so the second half's
        // new attributes and wider scales are rescued.
        let firstHalf = dir.appendingPathComponent("first.ndjson")
        try Data((rows[..<45].joined(separator: "\n") + "\n").utf8).write(to: firstHalf)
        let schemaFile = dir.appendingPathComponent("schema.json")
        try Data(try Self.schema(firstHalf, format: "json").utf8).write(to: schemaFile)

        let packed = dir.appendingPathComponent("packed"), typed = dir.appendingPathComponent("typed")
        try Self.python([ndjson.path, packed.path, "packed", "17"])
        try Self.python([ndjson.path, typed.path, "typed", schemaFile.path, "17"])

        for format in ["json", "report"] {
            let expected = try Self.schema(ndjson, format: format)
            #expect(expected.contains("price2") && expected.contains("huge"))
            #expect(try Self.schema(packed, format: format) == expected, "packed, --format \(format)")
            #expect(try Self.schema(typed, format: format) == expected, "typed, --format \(format)")
        }
        // The typed objects did rescue: the later attributes are not columns of the schema file.
        let declared = try String(contentsOf: schemaFile, encoding: .utf8)
        #expect(!declared.contains("price2") && !declared.contains("\"late\""))
    }

    /// The objects `run --format parquet` writes from generated stream records (packed, and typed
    /// by the schema of the rows), against `transform`'s rows of the same records.
    @Test func runFormatParquetObjectsGiveTheSchemaOfTheirRows() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let events = dir.appendingPathComponent("events.jsonl")
        try Self.python(["--seed", "7", "--records", "1500", "--batch-size", "500", "--out", events.path], script: "scripts/gen_events.py")
        let transform = try CommandRunner.run(["transform", "--ingest-ts", "none", "--input", events.path])
        try #require(transform.status == 0, "transform: \(transform.stderr)")
        let rows = dir.appendingPathComponent("rows.ndjson")
        try transform.stdout.write(to: rows)
        let schemaFile = dir.appendingPathComponent("schema.json")
        try Data(try Self.schema(rows, format: "json").utf8).write(to: schemaFile)
        let run = ["run", "--input", events.path, "--max-seconds", "0", "--quiet", "--format", "parquet", "--sink"]
        let packed = dir.appendingPathComponent("packed"), typed = dir.appendingPathComponent("typed")
        for arguments in [run + [packed.path], run + [typed.path, "--schema", schemaFile.path]] {
            let outcome = try CommandRunner.run(arguments)
            try #require(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        }
        #expect(try Self.schema(packed, format: "report") == Self.schema(rows, format: "report"))
        // Typed: the same columns, nesting and types, but for decimal scales: the generator's
        // numbers keep trailing zeros (`98.0`, `0.000`; DynamoDB's own have none), which a
        // DECIMAL column cannot carry, so the scales seen (and declared) may be smaller.
        let scales = try NSRegularExpression(pattern: #"decimal\(38,[0-9]+\)"#)
        func withoutScales(_ text: String) -> String {
            scales.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "decimal(38,s)")
        }
        let typedSchema = try Self.schema(typed, format: "json"), rowsSchema = try Self.schema(rows, format: "json")
        #expect(typedSchema.contains("retired_at"), "a column every row has null is still a column")
        #expect(withoutScales(typedSchema) == withoutScales(rowsSchema))
    }

    @Test func aDirectoryMixingFormatsAndAParquetFileAlone() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = Self.rows(count: 40)
        let all = dir.appendingPathComponent("all.ndjson")
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: all)
        let first = dir.appendingPathComponent("first.ndjson")
        try Data((rows[..<20].joined(separator: "\n") + "\n").utf8).write(to: first)
        let mixed = dir.appendingPathComponent("mixed")
        try Self.python([first.path, mixed.path, "packed"])  // mixed/dt=2026-01-01/HH=00/batch-0000.parquet
        let rest = mixed.appendingPathComponent("dt=2026-01-02")
        try FileManager.default.createDirectory(at: rest, withIntermediateDirectories: true)
        try Data((rows[20...].joined(separator: "\n") + "\n").utf8).write(to: rest.appendingPathComponent("rest.ndjson"))
        #expect(try Self.schema(mixed, format: "report") == Self.schema(all, format: "report"))
        // A .parquet file named on the command line.
        let file = mixed.appendingPathComponent("dt=2026-01-01/HH=00/batch-0000.parquet")
        #expect(try Self.schema(file, format: "json") == Self.schema(first, format: "json"))
    }

    @Test func aFileThatIsNotParquetIsADataError() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("dt=2026-01-01/bad.parquet")
        try FileManager.default.createDirectory(at: bad.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{\"pk\":\"a\"}\n".utf8).write(to: bad)
        let outcome = try CommandRunner.run(["schema", "--input", dir.path])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains(bad.path) && outcome.stderr.contains("not-parquet"), "\(outcome.stderr)")
    }
}
