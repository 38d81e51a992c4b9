import Foundation
import Parquet
import Testing

/// pyarrow (and DuckDB) reading files this writer made, in one Python process per batch of files.
///
/// Each job is a file and the rows it must hold, as canonical JSON made from the test's own row
/// model (decimals as their exact text, timestamps as epoch milliseconds, binaries as hex, maps as
/// `[key, value]` pairs). Python reads the file with `pq.ParquetFile(…).metadata` and
/// `pq.read_table(…)`, checks `validate(full=True)`, turns the rows into the same canonical JSON and
/// reports the first difference; on request it also describes the footer as pyarrow sees it, walks
/// every page header with an independent compact-protocol reader (sizes and offsets must add up),
/// and reads the file with DuckDB.
enum PyArrowPeer {
    struct Job {
        var bytes: [UInt8]
        var expectedRows: [JSON]
        var metadata = false
        var pages = false
        var duckdb = false
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the reader over `jobs`; one answer per job (a dictionary of what Python found).
    static func read(_ jobs: [Job]) throws -> [[String: Any]] {
        let python = ProcessInfo.processInfo.environment["DDBCDC_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no Python at \(python): set DDBCDC_PYTHON or run scripts/setup.sh")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var manifest: [JSON] = []
        for (index, job) in jobs.enumerated() {
            let file = dir.appendingPathComponent("\(index).parquet"), expected = dir.appendingPathComponent("\(index).json")
            try Data(job.bytes).write(to: file)
            try Data(JSON.array(job.expectedRows).text.utf8).write(to: expected)
            manifest.append(
                .object([
                    ("path", .string(file.path)), ("expected", .string(expected.path)), ("metadata", .bool(job.metadata)),
                    ("pages", .bool(job.pages)), ("duckdb", .bool(job.duckdb)),
                ]))
        }
        let manifestURL = dir.appendingPathComponent("jobs.json"), output = dir.appendingPathComponent("out.json")
        try Data(JSON.array(manifest).text.utf8).write(to: manifestURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, manifestURL.path, output.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the pyarrow reader failed: \(String(decoding: stderr, as: UTF8.self))")
        let answers = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [[String: Any]]
        return try #require(answers)
    }

    /// Reads `jobs` and records an issue for every file pyarrow could not read identically.
    @discardableResult
    static func expectIdentical(_ jobs: [Job], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let answers = try read(jobs)
        for (index, answer) in answers.enumerated() {
            #expect(answer["error"] == nil, "file \(index): \(answer["error"] ?? "")", sourceLocation: sourceLocation)
            #expect(answer["mismatch"] == nil, "file \(index): \(answer["mismatch"] ?? "")", sourceLocation: sourceLocation)
            #expect(answer["duckdb_mismatch"] == nil, "file \(index): \(answer["duckdb_mismatch"] ?? "")", sourceLocation: sourceLocation)
            #expect(answer["rows"] as? Int == jobs[index].expectedRows.count, "file \(index): row count", sourceLocation: sourceLocation)
        }
        return answers
    }

    static let script = #"""
import datetime, decimal, json, struct, sys
import pyarrow as pa, pyarrow.parquet as pq

def canon(v, t):
    if v is None:
        return None
    if isinstance(t, pa.ExtensionType):
        t = t.storage_type
    if pa.types.is_struct(t):
        return {t.field(i).name: canon(v[t.field(i).name], t.field(i).type) for i in range(t.num_fields)}
    if pa.types.is_map(t):
        items = v.items() if isinstance(v, dict) else v
        return [[canon(k, t.key_type), canon(x, t.item_type)] for k, x in items]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_fixed_size_list(t):
        return [canon(x, t.value_type) for x in v]
    if pa.types.is_decimal(t):
        return format(v, "f")
    if pa.types.is_timestamp(t):
        epoch = datetime.datetime(1970, 1, 1, tzinfo=v.tzinfo)
        return (v - epoch) // datetime.timedelta(milliseconds=1)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_binary_view(t):
        return v.hex()
    return v

def plain(v):
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, datetime.datetime):
        epoch = datetime.datetime(1970, 1, 1, tzinfo=v.tzinfo)
        return (v - epoch) // datetime.timedelta(milliseconds=1)
    return v

def rows_of(table):
    return [{name: canon(row[name], table.schema.field(name).type) for name in table.column_names} for row in table.to_pylist()]

def first_difference(got, expected):
    for i in range(max(len(got), len(expected))):
        g = got[i] if i < len(got) else "<missing>"
        e = expected[i] if i < len(expected) else "<missing>"
        if g != e:
            return {"row": i, "got": g, "expected": e, "got_rows": len(got), "expected_rows": len(expected)}
    return None

def describe(md):
    groups = []
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        columns = []
        for c in range(rg.num_columns):
            col = rg.column(c)
            s = col.statistics
            stats = None
            if s is not None:
                stats = {"has_min_max": s.has_min_max, "null_count": s.null_count if s.has_null_count else None}
                if s.has_min_max:
                    stats["min_json"] = json.dumps(plain(s.min), ensure_ascii=False, separators=(",", ":"))
                    stats["max_json"] = json.dumps(plain(s.max), ensure_ascii=False, separators=(",", ":"))
            columns.append({
                "path": col.path_in_schema, "physical_type": col.physical_type, "compression": col.compression,
                "encodings": list(col.encodings), "num_values": col.num_values, "has_dictionary_page": col.has_dictionary_page,
                "dictionary_page_offset": col.dictionary_page_offset, "data_page_offset": col.data_page_offset,
                "total_compressed_size": col.total_compressed_size, "total_uncompressed_size": col.total_uncompressed_size,
                "statistics": stats})
        groups.append({"num_rows": rg.num_rows, "total_byte_size": rg.total_byte_size, "columns": columns})
    return {"num_rows": md.num_rows, "num_row_groups": md.num_row_groups, "created_by": md.created_by,
            "key_value": {k.decode(): v.decode() for k, v in (md.metadata or {}).items()},
            "schema": str(md.schema), "row_groups": groups}

# An independent Thrift compact-protocol reader, for the page headers.
def varint(b, i):
    shift = result = 0
    while True:
        byte = b[i]; i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i

def value(b, i, t):
    if t in (1, 2):
        return t == 1, i
    if t == 3:
        return b[i], i + 1
    if t in (4, 5, 6):
        n, i = varint(b, i)
        return (n >> 1) ^ -(n & 1), i
    if t == 7:
        return struct.unpack("<d", b[i:i + 8])[0], i + 8
    if t == 8:
        n, i = varint(b, i)
        return bytes(b[i:i + n]), i + n
    if t in (9, 10):
        head = b[i]; i += 1
        size, et = head >> 4, head & 0x0F
        if size == 15:
            size, i = varint(b, i)
        items = []
        for _ in range(size):
            if et in (1, 2):
                items.append(b[i] == 1); i += 1
            else:
                x, i = value(b, i, et); items.append(x)
        return items, i
    if t == 12:
        return read_struct(b, i)
    raise ValueError("compact type %d" % t)

def read_struct(b, i):
    fields, last = {}, 0
    while True:
        head = b[i]; i += 1
        if head == 0:
            return fields, i
        t, delta = head & 0x0F, head >> 4
        if delta:
            fid = last + delta
        else:
            n, i = varint(b, i); fid = (n >> 1) ^ -(n & 1)
        last = fid
        fields[fid], i = value(b, i, t)

def pages(path, md):
    data = open(path, "rb").read()
    out = []
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        for c in range(rg.num_columns):
            col = rg.column(c)
            max_rep = md.schema.column(c).max_repetition_level
            start = col.dictionary_page_offset if col.has_dictionary_page else col.data_page_offset
            pos, end, found, first_data = start, start + col.total_compressed_size, [], None
            levels = 0
            while pos < end:
                header, body = read_struct(data, pos)
                size = header[3]
                page = {"type": header[1], "uncompressed": header[2], "compressed": size, "offset": pos, "header": body - pos}
                if header[1] == 0:
                    first_data = pos if first_data is None else first_data
                    page["num_values"] = header[5][1]; page["encoding"] = header[5][2]
                    levels += header[5][1]
                    if max_rep > 0 and col.compression == "UNCOMPRESSED":
                        h, j = varint(data, body + 4)
                        width = max_rep.bit_length()
                        # The first level is in the low bits of the byte after the first run's header
                        # (an RLE run's value, or a bit-packed run's first value).
                        page["first_repetition"] = data[j] & ((1 << width) - 1)
                if header[1] == 2:
                    page["num_values"] = header[7][1]; page["encoding"] = header[7][2]
                found.append(page)
                pos = body + size
            out.append({"row_group": g, "column": c, "pages": found, "ends_at_chunk_end": pos == end,
                        "first_data_page": first_data, "levels": levels})
    return out

jobs = json.load(open(sys.argv[1]))
answers = []
for job in jobs:
    answer = {}
    try:
        md = pq.ParquetFile(job["path"]).metadata
        table = pq.read_table(job["path"])
        table.validate(full=True)
        got = rows_of(table)
        expected = json.load(open(job["expected"]))
        answer["rows"] = len(got)
        difference = first_difference(got, expected)
        if difference:
            answer["mismatch"] = difference
        if job["metadata"]:
            answer["metadata"] = describe(md)
        if job["pages"]:
            answer["pages"] = pages(job["path"], md)
        if job["duckdb"]:
            import duckdb
            duck = duckdb.sql("SELECT * FROM read_parquet('%s')" % job["path"].replace("'", "''")).to_arrow_table()
            difference = first_difference(rows_of(duck), expected)
            if difference:
                answer["duckdb_mismatch"] = difference
    except Exception as error:
        answer["error"] = repr(error)
    answers.append(answer)
json.dump(answers, open(sys.argv[2], "w"))
"""#
}

/// A JSON value, written compactly (the expected rows the peers compare with).
indirect enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .string(let value):
            out += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20:
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                JSON.string(key).write(to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }
}
