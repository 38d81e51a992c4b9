import Foundation
import Testing

@testable import Parquet

/// Files pyarrow writes (Tests/parquet/pyarrow_reader_files.py: flat and nested columns, nulls at
/// every level, every codec, dictionary and plain, several pages and row groups) read back to the
/// values pyarrow reads from them; malformed files are errors, never crashes.
@Suite struct ParquetReaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The files and pyarrow's reading of them, written once per test run.
    static let fixtures: Result<(directory: URL, expected: [String: Data]), FixtureError> = {
        let python = ProcessInfo.processInfo.environment["DDBCDC_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return .failure(FixtureError(message: "no Python at \(python): run scripts/setup.sh or set DDBCDC_PYTHON"))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-reader-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("Tests/parquet/pyarrow_reader_files.py").path, directory.path]
        do {
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                return .failure(FixtureError(message: "pyarrow_reader_files.py failed (is pyarrow installed for \(python)?)"))
            }
            var expected: [String: Data] = [:]
            for line in try Data(contentsOf: directory.appendingPathComponent("expected.jsonl")).split(separator: 0x0A) {
                let object = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
                expected[object["name"] as! String] = Data(line)
            }
            return .success((directory, expected))
        } catch {
            return .failure(FixtureError(message: "pyarrow_reader_files.py: \(error)"))
        }
    }()

    struct FixtureError: Error, Sendable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static let codecs = ["none", "snappy", "gzip", "zstd"]
    static let names: [String] =
        ["flat", "nested"].flatMap { kind in codecs.flatMap { codec in ["dict", "plain"].map { "\(kind)-\(codec)-\($0)" } } }
        + ["flat-fallback", "flat-decimal-ints", "empty", "small"]

    static func file(_ name: String) throws -> (ParquetFile, [String: Any]) {
        let (directory, expected) = try fixtures.get()
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("\(name).parquet")))
        let line = try #require(expected[name])
        return (try ParquetFile(bytes: bytes), try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any]))
    }

    /// A value in the fixture script's notation, typed by its schema node.
    static func canonical(_ value: ParquetValue?, _ node: SchemaNode) -> String {
        guard let value else { return "null" }
        switch (node, value) {
        case (.leaf(_, _, _, .decimal(_, let scale)?), _):
            return "{\"d\":\"\(value.decimalText(scale: scale) ?? "?")\"}"
        case (.leaf, .bool(let flag)): return "{\"b\":\(flag)}"
        case (.leaf, .int32(let number)): return "{\"i\":\(number)}"
        case (.leaf, .int64(let number)): return "{\"i\":\(number)}"
        case (.leaf, .bytes(let raw)): return "{\"x\":\"\(raw.map { String(format: "%02x", $0) }.joined())\"}"
        case (.group(_, _, .list?, let children), .list(let items)):
            guard case .group(_, _, _, let inner) = children[0] else { return "?2-level" }
            return "{\"l\":[\(items.map { canonical($0, inner[0]) }.joined(separator: ","))]}"
        case (.group(_, _, .map?, let children), .list(let items)):
            return "{\"l\":[\(items.map { canonical($0, children[0]) }.joined(separator: ","))]}"
        case (.group(_, _, _, let children), .group(let fields)):
            return "{\"g\":[\(zip(fields, children).map { canonical($0, $1) }.joined(separator: ","))]}"
        default:
            return "?\(value)"
        }
    }

    static func canonical(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
    }

    @Test func everyFixtureIsTested() throws {
        let (_, expected) = try Self.fixtures.get()
        #expect(Set(expected.keys) == Set(Self.names + ["v2"]))
    }

    @Test(arguments: names)
    func readsWhatPyarrowReads(name: String) throws {
        let (file, expected) = try Self.file(name)
        let expectedRows = try #require(expected["rows"] as? [[Any]])
        let rows = try file.readRows()
        #expect(file.rows == expectedRows.count)
        #expect(rows.count == expectedRows.count)
        var mismatches = 0
        for (index, (row, wanted)) in zip(rows, expectedRows).enumerated() {
            let got = "[" + zip(row, file.schema.columns).map { Self.canonical($0, $1) }.joined(separator: ",") + "]"
            // Both sides through JSONSerialization: the same notation whatever the key order and spacing.
            let want = try Self.canonical(wanted)
            let mine = try Self.canonical(JSONSerialization.jsonObject(with: Data(got.utf8), options: .fragmentsAllowed))
            if mine != want {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(name) row \(index):\n got  \(mine)\n want \(want)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func schemaKeyValuesAndShapes() throws {
        let (file, _) = try Self.file("nested-snappy-dict")
        #expect(file.schema.columns.map(\.name) == ["ints", "grid", "rec", "tags", "prices", "strict"])
        #expect(file.keyValueMetadata.contains { $0.key == "ARROW:schema" })
        guard case .group(_, .optional, .map?, let children) = file.schema.columns[4],
            case .group("key_value", .repeated, nil, let pair) = children[0],
            case .leaf("key", .required, .byteArray, .string?) = pair[0],
            case .group("value", .optional, .list?, let list) = pair[1],
            case .group(_, _, _, let element) = list[0],
            case .leaf("element", .optional, .fixedLenByteArray(16), .decimal(38, 3)?) = element[0]
        else {
            Issue.record("prices: \(file.schema.columns[4])")
            return
        }
        let (flat, _) = try Self.file("flat-snappy-dict")
        guard case .leaf("ts", .optional, .int64, let logical) = flat.schema.columns[8], case .leaf("must", .required, .int64, nil) = flat.schema.columns[10]
        else {
            Issue.record("flat: \(flat.schema.columns)")
            return
        }
        #expect(logical == .timestampMillis(utc: true))
    }

    @Test func dataPageV2IsRefusedNamingThePage() throws {
        let (file, _) = try Self.file("v2")
        #expect {
            _ = try file.readRows()
        } throws: { error in
            let error = error as! ParquetError
            return error.code == .unsupported && error.message.contains("page 0") && error.message.contains("column flag")
        }
    }

    @Test func notParquet() {
        for bytes in [[UInt8](), Array("PAR1".utf8), Array("{\"a\":1}\n{\"a\":2}\n".utf8), Array("PAR1xxxxPAR1".utf8) + [0, 0, 0, 0]] {
            #expect(throws: ParquetError.self) { try ParquetFile(bytes: bytes) }
        }
        #expect {
            try ParquetFile(bytes: Array("PAR1".utf8) + [0, 0, 0, 0, 0xFF, 0, 0, 0] + Array("PAR1".utf8))
        } throws: { ($0 as! ParquetError).code == .notParquet }
    }

    /// Every proper prefix of a small file is refused with an error (none ends in the magic).
    @Test func everyTruncationIsAnError() throws {
        let (directory, _) = try Self.fixtures.get()
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("small.parquet")))
        #expect(bytes.count > 500)
        for length in 0..<bytes.count {
            #expect(throws: ParquetError.self, "prefix of \(length) bytes") { try ParquetFile(bytes: Array(bytes[..<length])).readRows() }
        }
    }

    /// Seeded random corruption of a small file: one to four bytes changed, or a run zeroed.
    /// Each mutant reads or fails with a ParquetError; none crashes or hangs, and corruption of
    /// the footer or of page data is caught often (the reader checks what it reads).
    @Test func mutationsAreErrorsOrRows() throws {
        let (directory, _) = try Self.fixtures.get()
        let original = try [UInt8](Data(contentsOf: directory.appendingPathComponent("small.parquet")))
        let reference = try ParquetFile(bytes: original).readRows()
        var random = SplitMix64(seed: 2026)
        var errors = 0, same = 0, different = 0
        for _ in 0..<3000 {
            var bytes = original
            if random.next() % 4 == 0 {
                let start = Int(random.next() % UInt64(bytes.count))
                for index in start..<min(bytes.count, start + 1 + Int(random.next() % 16)) { bytes[index] = 0 }
            } else {
                for _ in 0...(random.next() % 4) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            do {
                let rows = try ParquetFile(bytes: bytes).readRows()
                if rows == reference { same += 1 } else { different += 1 }
            } catch {
                errors += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(errors > 1000, "errors \(errors), same \(same), different \(different)")
    }
}
