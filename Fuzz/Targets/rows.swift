// libFuzzer target: any bytes as row-JSON lines through ParquetRowEncoder, packed and typed.
//
// Rows normally come from the row writer, but the encoder scans them in place with JSONCursor and
// must refuse anything else with an error (malformedRow), never crash, loop or read out of
// bounds. Each input is encoded in the packed layout and in a fixed typed layout that has every
// kind of column (string, boolean, long, timestamp, INT32/INT64/FIXED decimals, a list, a map, a
// struct with a nested list). What must hold, besides not crashing:
// - the packed layout never rescues anything;
// - where an encoding succeeds, the file starts and ends with PAR1, its rows are the input's
//   lines, and encoding the same lines again gives the same bytes;
// - the typed layout rescues at most one value per member seen and counts rows with rescues at
//   most once each.
import Parquet
import ParquetRows
import SparkTypes
import StreamNormalize

private func fail(_ message: String, _ input: UnsafeBufferPointer<UInt8>) -> Never {
    print("rows: \(message)")
    print("input (\(input.count) bytes): \(String(decoding: input.prefix(2000), as: UTF8.self).debugDescription)")
    fatalError(message)
}

// Made for every input, not held in globals: LeakSanitizer reported the boxes of a global layout's
// indirect enums as leaked (a few objects, once per process, never growing with the inputs --
// probably payload pointers with tag bits it does not follow); made per input, none is reported.
private func makeTyped() -> ParquetLayout { try! ParquetLayout(
    typed: SparkSchema([
        StructField("pk", .string), StructField("ok", .boolean), StructField("n", .bigint), StructField("at", .timestamp),
        StructField("d9", .decimal(precision: 9, scale: 2)), StructField("d18", .decimal(precision: 18, scale: 4)),
        StructField("d38", .decimal(precision: 38, scale: 10)), StructField("tags", .array(.string)),
        StructField("m", .map(.decimal(precision: 38, scale: 0))),
        StructField("o", .struct([StructField("a", .string), StructField("l", .array(.struct([StructField("x", .boolean)])))])),
    ]), metadataNames: .seed) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    var rows = Array(input)
    if rows.last != UInt8(ascii: "\n") { rows.append(UInt8(ascii: "\n")) }
    // the encoder's rows: non-empty lines
    var count = 0
    var lineStart = true
    var members = 0
    for byte in rows {
        if byte == UInt8(ascii: "\n") {
            lineStart = true
        } else if lineStart {
            count += 1
            lineStart = false
        }
        if byte == UInt8(ascii: ":") { members += 1 }
    }
    var options = WriterOptions()
    options.pageBytes = 512  // small pages and groups: more of the writer's paths per input
    options.rowGroupBytes = 2048
    let packed = try! ParquetLayout(packed: .seed)
    let typed = makeTyped()
    let cases: [(ParquetLayout, Codec)] = [(packed, .snappy), (typed, .zstd(level: 3)), (typed, .none)]
    for (layout, codec) in cases {
        options.codec = codec
        let encoder = ParquetRowEncoder(layout: layout, options: options, version: "fuzz")
        guard let encoded = try? encoder.encode(rows: rows, count: count) else { continue }
        let magic = Array("PAR1".utf8)
        guard encoded.bytes.count >= 12, Array(encoded.bytes.prefix(4)) == magic, Array(encoded.bytes.suffix(4)) == magic else {
            fail("\(layout.kind) \(codec): not a Parquet file (\(encoded.bytes.count) bytes)", input)
        }
        if layout.kind == ParquetLayout.Kind.packed, encoded.rescuedValues != 0 || encoded.rowsWithRescued != 0 {
            fail("the packed layout rescued \(encoded.rescuedValues) values", input)
        }
        if encoded.rescuedValues > members || encoded.rowsWithRescued > count || encoded.rowsWithRescued > encoded.rescuedValues {
            fail("\(encoded.rescuedValues) rescued values in \(encoded.rowsWithRescued) rows of \(count) rows, \(members) members", input)
        }
        guard let again = try? encoder.encode(rows: rows, count: count), again.bytes == encoded.bytes else {
            fail("\(layout.kind) \(codec): the same rows gave other bytes", input)
        }
    }
    return 0
}
