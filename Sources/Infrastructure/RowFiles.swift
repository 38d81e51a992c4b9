import Parquet
import Pipeline
import ProcessKit
package import SparkPlan
import SparkTypes
import StreamNormalize

/// Rows as `ddbcdc transform` and `run` write them, read back from files: plain or gzip, one
/// JSON object a line, or Parquet objects (`--format parquet`), whose rows are turned back into
/// the same row JSON (``ParquetRowJSON``).
package enum RowFiles {
    /// File name endings read under a directory: the row files and Parquet objects.
    package static let extensions = InputFiles.extensions + [".parquet"]

    /// Observes every row under `path` (row files and Parquet objects, mixed).
    /// - Throws: `SparkPlanError` naming the file and line for a row that is not JSON;
    ///   `ParquetError` naming the file for one that is not Parquet or does not read; `IOError`.
    package static func inferSchema(from path: String, numbers: SchemaInferrer.NumberMode, metadataPrefix: String? = nil) throws -> SchemaInferrer {
        var inferrer = SchemaInferrer(numberMode: numbers, metadataPrefix: metadataPrefix)
        let metadataNames = Set(inferrer.metadataColumns.map(\.name))
        for file in try InputFiles.list(path, extensions: extensions) {
            if try isParquet(file) {
                let rows: [JSONValue]
                do {
                    rows = try ParquetRowJSON.rows(of: ParquetFile(bytes: FileSource.readAll(path: file, limit: .max)), metadataNames: metadataNames)
                } catch let error as ParquetError {
                    throw ParquetError(error.code, "\(file): \(error.message)")
                }
                for row in rows {
                    do {
                        try inferrer.observe(line: Array(row.jsonText.utf8))
                    } catch {
                        throw SparkPlanError(error.code, "\(file): \(error.message)")
                    }
                }
                continue
            }
            var lineNumber = 0
            try forEachLine(of: file) { line in
                lineNumber += 1
                guard line.contains(where: { $0 > 0x20 }) else { return }
                do {
                    try inferrer.observe(line: line)
                } catch let error as SparkPlanError {
                    throw SparkPlanError(error.code, "\(file): line \(lineNumber): \(error.message)")
                }
            }
        }
        return inferrer
    }

    /// Whether `path` is read as Parquet: its name ends in `.parquet`, or (a file named on the
    /// command line) it starts with Parquet's magic `PAR1`, which no JSON line does.
    static func isParquet(_ path: String) throws -> Bool {
        if path.hasSuffix(".parquet") { return true }
        guard path != "-", !InputFiles.isGzip(path) else { return false }
        var file = try FileSource(path: path)
        defer { file.close() }
        var head = [UInt8](repeating: 0, count: 4)
        var filled = 0
        while filled < 4 {
            let count = try head.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if count == 0 { break }
            filled += count
        }
        return filled == 4 && head == Array("PAR1".utf8)
    }

    /// Calls `body` with each line (without its newline) of a file, gunzipped when it ends in .gz.
    package static func forEachLine(of path: String, _ body: ([UInt8]) throws -> Void) throws {
        let file = path == "-" ? FileSource.standardInput : try FileSource(path: path)
        defer { file.close() }
        var line: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func drain(_ source: inout some ByteSource) throws {
            while true {
                let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if count == 0 { break }
                var start = 0
                for index in 0..<count where chunk[index] == 0x0A {
                    line.append(contentsOf: chunk[start..<index])
                    try body(line)
                    line.removeAll(keepingCapacity: true)
                    start = index + 1
                }
                line.append(contentsOf: chunk[start..<count])
            }
            if !line.isEmpty { try body(line) }
        }
        if InputFiles.isGzip(path) {
            var source = GunzipSource(file, path: path)
            defer { source.close() }
            try drain(&source)
        } else {
            var source = file
            try drain(&source)
        }
    }

    /// The whole content of a file (gunzipped when it ends in .gz), every line ending in a newline.
    package static func readFile(_ path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachLine(of: path) { line in
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
        }
        return bytes
    }
}
