// ddbcdc's hot functions, one benchmark each, so that a regression shows in the function that made it.
//
// The inputs are files that scripts/bench-functions.sh prepares from the project's generated corpus
// (scripts/gen_events.py): Lambda events, the rows `ddbcdc transform` makes of them, and the schema
// `ddbcdc schema --format json` infers from those rows. Their paths come from the environment, so the
// benchmarks time ddbcdc's code and not a generator:
//   DDBCDC_BENCH_EVENTS  Lambda events, one per line
//   DDBCDC_BENCH_ROWS    row JSON, one row per line
//   DDBCDC_BENCH_SCHEMA  a Spark schema as JSON (for the typed Parquet layout)
import Benchmark
import DDBTypes
import FoundationEssentials
import NDJSONBuffer
import Parquet
import ParquetRows
import SparkTypes
import StreamNormalize
import Timekeeping

/// What every benchmark measures: time (wall and CPU), allocations and peak memory.
let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident]

func input(_ variable: String) -> [UInt8] {
    guard let path = ProcessInfo.processInfo.environment[variable] else {
        fatalError("\(variable) is not set: run scripts/bench-functions.sh, which prepares the inputs")
    }
    guard let data = try? Data(contentsOf: URL(filePath: path)) else { fatalError("\(variable): cannot read \(path)") }
    return Array(data)
}

/// The lines of `bytes` (without their newlines).
func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
}

let benchmarks: @Sendable () -> Void = {
    let events = input("DDBCDC_BENCH_EVENTS")
    let rows = input("DDBCDC_BENCH_ROWS")
    let rowCount = lines(rows).count
    let megabytes = { (bytes: Int) in "\(bytes / 1_000_000).\(bytes / 100_000 % 10) MB" }

    // The transcoder: Lambda events (DynamoDB JSON) to row JSON, what `ddbcdc transform` does per byte.
    Benchmark("transform: events to rows (\(megabytes(events.count)) of events)", configuration: .init(metrics: metrics)) { benchmark in
        for _ in benchmark.scaledIterations {
            var reader = ChangeStreamReader(options: NormalizeOptions())
            var source = MemorySource(events)
            var bytes = 0
            let summary = try reader.run(&source, onRow: { row, _ in bytes &+= row.count }, onError: { _ in })
            precondition(summary.errors == 0, "the benchmark's events should all be good records")
            blackHole(bytes)
        }
    }

    // The library API a Swift service uses: an item's DynamoDB JSON to the value tree, and the tree
    // to row JSON. The items are the corpus rows' attributes written back as DynamoDB JSON; items
    // the `Item` model cannot hold are left out (its names are Swift Strings, so the corpus's `café`
    // spelled in NFC and in NFD - two attributes to DynamoDB - is one key to it, and the decoder
    // refuses the item with a duplicate-name error rather than merge them).
    let images = lines(rows).lazy.map { ddbJSON(ofRow: Array($0)) }
        .filter { (try? DynamoJSONDecoder.decodeItem(from: $0)) != nil }.prefix(1_000).map { $0 }
    Benchmark("DynamoJSONDecoder: decode \(images.count) items", configuration: .init(metrics: metrics)) { benchmark in
        for _ in benchmark.scaledIterations {
            for image in images { blackHole(try DynamoJSONDecoder.decodeItem(from: image)) }
        }
    }
    Benchmark("RowJSONEncoder: encode \(images.count) items", configuration: .init(metrics: metrics)) { benchmark in
        let items = try images.map { image throws in try DynamoJSONDecoder.decodeItem(from: image) }
        let encoder = RowJSONEncoder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var out: [UInt8] = []
            out.reserveCapacity(1 << 20)
            for item in items { encoder.append(item, to: &out) }
            blackHole(out)
        }
    }

    // Batching: rows into per-hour batches with their digests, sealed at the default limits.
    Benchmark("batcher: add \(rowCount) rows", configuration: .init(metrics: metrics)) { benchmark in
        var infos: [(Range<Int>, RowInfo)] = []
        var reader = ChangeStreamReader(options: NormalizeOptions())
        var source = MemorySource(events)
        var all: [UInt8] = []
        _ = try reader.run(&source, onRow: { row, info in
            infos.append((all.count..<all.count + row.count, info))
            all.append(contentsOf: row)
        }, onError: { _ in })
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var batcher = Batcher(limits: BatchLimits(), positions: Int.self)
            var sealed = 0
            all.withUnsafeBufferPointer { buffer in
                for (index, (range, info)) in infos.enumerated() {
                    batcher.add(
                        row: UnsafeBufferPointer(rebasing: buffer[range]), info: info, position: index,
                        partition: Partition(epochMillis: info.changeTime), now: EpochMillis(rawValue: 0)
                    ) { _ in sealed += 1 }
                }
            }
            batcher.sealAll { _ in sealed += 1 }
            blackHole(sealed)
        }
    }

    // Compression of one object's rows, at the default level and at gzip -6's.
    for level in [5, 6] {
        Benchmark("gzip level \(level): \(megabytes(rows.count)) of rows", configuration: .init(metrics: metrics)) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(Gzip.compress(rows, level: level)) }
        }
    }

    // Parquet: the same rows as one file, packed (no schema) and typed (the inferred schema).
    let packed = try! ParquetLayout(packed: .seed)
    var layouts = [("packed", packed)]
    if ProcessInfo.processInfo.environment["DDBCDC_BENCH_SCHEMA"] != nil {
        let schema = try! SparkSchema(json: JSONValue.parse(input("DDBCDC_BENCH_SCHEMA")))
        layouts.append(("typed", try! ParquetLayout(typed: schema, metadataNames: .seed)))
    }
    for (name, layout) in layouts {
        for (codecName, codec) in [("snappy", Codec.snappy), ("zstd", Codec.zstd(level: 3))] {
            var options = WriterOptions()
            options.codec = codec
            let encoder = ParquetRowEncoder(layout: layout, options: options, version: "bench")
            Benchmark("parquet \(name) \(codecName): \(rowCount) rows", configuration: .init(metrics: metrics)) { benchmark in
                for _ in benchmark.scaledIterations { blackHole(try encoder.encode(rows: rows, count: rowCount)) }
            }
        }
    }
}

/// A row's attributes back in DynamoDB JSON, for the decoder benchmark: every member but the
/// metadata columns, each value by its row-JSON type (strings `S`, numbers `N`, booleans `BOOL`,
/// objects `M`, arrays `L`, null `NULL`).
func ddbJSON(ofRow row: [UInt8]) -> [UInt8] {
    guard case .object(let members) = try? JSONValue.parse(row) else { fatalError("a row that is not a JSON object") }
    var out = Array("{".utf8)
    var first = true
    for (name, value) in members where !name.hasPrefix("_") && name != "is_deleted" {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out += quoted(name) + Array(":".utf8) + typed(value)
    }
    return out + Array("}".utf8)
}

func typed(_ value: JSONValue) -> [UInt8] {
    switch value {
    case .null: return Array(#"{"NULL":true}"#.utf8)
    case .bool(let flag): return Array(#"{"BOOL":\#(flag)}"#.utf8)
    case .number(let text): return Array(#"{"N":""#.utf8) + Array(text.utf8) + Array(#""}"#.utf8)
    case .string(let text): return Array(#"{"S":"#.utf8) + quoted(text) + Array("}".utf8)
    case .array(let elements):
        return Array(#"{"L":["#.utf8) + Array(elements.map(typed).joined(separator: Array(",".utf8))) + Array("]}".utf8)
    case .object(let members):
        let inner = members.map { quoted($0.0) + Array(":".utf8) + typed($0.1) }.joined(separator: Array(",".utf8))
        return Array(#"{"M":{"#.utf8) + Array(inner) + Array("}}".utf8)
    }
}

/// `text` as a JSON string, escaped as ddbcdc escapes row JSON.
func quoted(_ text: String) -> [UInt8] { RowJSONEncoder().encode(.string(text)) }
