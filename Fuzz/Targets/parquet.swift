// libFuzzer target: the Parquet reader (ParquetFile over a file's bytes, then every row).
//
// Any bytes: ParquetFile(bytes:) either refuses them with a ParquetError or reads a footer; then
// readRows() either throws a ParquetError or gives exactly the rows the footer declares, each
// with one value per top-level column. No crash, no sanitizer report, no other error, no
// allocation past the fuzzer's memory limit (lengths and counts are checked before allocating).
// A broken invariant traps, which libFuzzer reports as a crash and saves the input.
import Parquet

private func fail(_ message: String) -> Never {
    print("parquet invariant broken: \(message)")
    fatalError(message)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func parquetTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let file: ParquetFile
    do {
        file = try ParquetFile(bytes: bytes)
    } catch {
        if error.message.isEmpty { fail("an error without a message: \(error.code)") }
        return 0
    }
    do {
        let rows = try file.readRows()
        if rows.count != file.rows { fail("\(rows.count) rows read, the footer says \(file.rows)") }
        for row in rows where row.count != file.schema.columns.count {
            fail("a row of \(row.count) values for \(file.schema.columns.count) columns")
        }
    } catch {
        if error.message.isEmpty { fail("an error without a message: \(error.code)") }
    }
    return 0
}
