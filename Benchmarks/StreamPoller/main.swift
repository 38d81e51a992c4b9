// The poller's benchmark (issue 12, "Figures"): records/s from the in-process fake stream at
// 1,000-record pages through `StreamPoller`, against the engine over the same pages from a file
// (what `ddbcdc run` does); checkpoint write latency; peak memory, and memory while 100 open
// shards receive records as the poller reads them. scripts/bench-stream.sh builds and runs it.
//
// Not a test: it asserts nothing but that both paths wrote the same number of rows (exit 1
// otherwise), and prints figures.

import DynamoStreams
import DynamoStreamsTesting
import NDJSONBuffer
import Pipeline
import ProcessKit
import S3Sink
import StreamNormalize
import StreamPoller
import Synchronization
import Timekeeping

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// MARK: Options

struct Options {
    var records = 1_000_000
    var shards = 100
    var openRecords = 200_000
    var saves = 200
    var seed: UInt64 = 42
    var work: String?
    var keep = false
    var skipOpen = false
    var generic = true
    var summary: String?
    var readLatencyMillis = 0

    static let usage = """
        usage: ddbcdc-stream-bench [--records N] [--shards N] [--open-records N] [--saves N] [--seed N]
                                   [--work DIR] [--keep] [--skip-open] [--no-generic] [--summary FILE]
                                   [--read-latency-ms N]
          --records N       records in the closed-shard run (default 1000000)
          --shards N        root shards (default 100)
          --open-records N  records written to the open shards while the poller reads (default 200000; 0: skip)
          --saves N         checkpoint saves timed (default 200)
          --work DIR        scratch folder (default: a new one under $TMPDIR or /tmp, removed at the end)
          --keep            keep the scratch folder
          --no-generic      skip the engine run over the file through the generic Engine.run
          --read-latency-ms N  each GetRecords of the closed-shard run takes N ms more (default 0; the network's share)
          --summary FILE    also write the figures as one JSON object to FILE (scripts/bench-stream.sh's medians)
        """

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ name: String) -> String {
            guard let next = rest.popFirst() else { fail("\(name) needs a value\n\(usage)") }
            return next
        }
        func count(_ name: String, min: Int) -> Int {
            let text = value(name)
            guard let number = Int(String(text.filter { $0 != "_" })), number >= min else {
                fail("\(name) \(text): give a whole number ≥ \(min)")
            }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--records": options.records = count(argument, min: 1)
            case "--shards": options.shards = count(argument, min: 1)
            case "--open-records": options.openRecords = count(argument, min: 0)
            case "--saves": options.saves = count(argument, min: 1)
            case "--seed": options.seed = UInt64(count(argument, min: 0))
            case "--work": options.work = value(argument)
            case "--keep": options.keep = true
            case "--skip-open": options.skipOpen = true
            case "--no-generic": options.generic = false
            case "--summary": options.summary = value(argument)
            case "--read-latency-ms": options.readLatencyMillis = count(argument, min: 0)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown argument \(argument)\n\(usage)")
            }
        }
        return options
    }
}

func fail(_ message: String) -> Never {
    printError("ddbcdc-stream-bench: \(message)")
    exit(1)
}

func say(_ message: String) { printError(message) }

// MARK: Measuring

/// A field of /proc/self/status in kB (VmRSS, VmHWM), or nil where there is none.
func procStatus(_ field: String) -> Int? {
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix(field + ":") {
            return Int(text.dropFirst(field.count + 1).filter(\.isNumber))
        }
    }
    return nil
}

/// User + system CPU seconds of the process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func mib(_ kB: Int?) -> String { kB.map { format(Double($0) / 1024, 0) } ?? "?" }

/// Wall and CPU seconds of `body`.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, wall: Double, cpu: Double) {
    let cpu0 = cpuSeconds()
    let start = ContinuousClock.now
    let result = try await body()
    let elapsed = ContinuousClock.now - start
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (result, wall, cpuSeconds() - cpu0)
}

// MARK: Items

/// Items of a plausible orders table: a string and a number key, strings, numbers, a boolean, a
/// string set and a map; about 150 bytes of DynamoDB JSON per image, so that a record (the
/// service's ~300 bytes of metadata and keys, one or two images) is ~450-600 bytes.
struct ItemMaker {
    var random: SplitMix64
    var versions: [Int] = []
    /// The last key made (keys are unique across shards' generators by the shard in `pk`).
    var nextKey = 0

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let cities = ["Lisbon", "Porto", "Berlin", "Osaka", "Toronto", "Nairobi", "Lima", "Oslo", "Perth", "Austin"]
    static let statuses = ["PENDING", "PAID", "SHIPPED", "DELIVERED", "RETURNED"]
    static let tags = ["gift", "express", "fragile", "bulk", "promo", "repeat", "b2b"]

    func keys(shard: Int, key: Int) -> String {
        #"{"pk":{"S":"c#\#(shard)-\#(key)"},"sk":{"N":"\#(key % 997)"}}"#
    }

    mutating func image(shard: Int, key: Int, version: Int) -> String {
        let cents = random.int(in: 100...9_999_999)
        let city = Self.cities[random.int(in: 0...Self.cities.count - 1)]
        let status = Self.statuses[min(version - 1, Self.statuses.count - 1)]
        var tags: [String] = []
        for tag in Self.tags where random.chance(0.15) { tags.append(#""\#(tag)""#) }
        if tags.isEmpty { tags.append(#""none""#) }
        return #"{"pk":{"S":"c#\#(shard)-\#(key)"},"sk":{"N":"\#(key % 997)"},"#
            + #""status":{"S":"\#(status)"},"total":{"N":"\#(cents / 100).\#(cents % 100 < 10 ? "0" : "")\#(cents % 100)"},"#
            + #""gift":{"BOOL":\#(random.chance(0.2))},"tags":{"SS":[\#(tags.joined(separator: ","))]},"#
            + #""ship":{"M":{"city":{"S":"\#(city)"}}},"version":{"N":"\#(version)"}}"#
    }

    /// `count` changes to one shard's items: 80 % INSERT of a new key, the rest MODIFY (both
    /// images, NEW_AND_OLD_IMAGES) and now and then REMOVE of one of the last 64 keys written.
    mutating func changes(shard: Int, count: Int, state: inout [Int: (version: Int, image: String)]) -> [FakeChange] {
        var out: [FakeChange] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            if state.isEmpty || random.chance(0.8) {
                nextKey += 1
                let key = nextKey
                let new = image(shard: shard, key: key, version: 1)
                // Only recent keys are changed again: the generator's memory stays small.
                if state.count >= 64, let forgotten = state.keys.first { state[forgotten] = nil }
                state[key] = (1, new)
                out.append(FakeChange(.insert, keys: keys(shard: shard, key: key), newImage: new))
                continue
            }
            let key = Array(state.keys)[random.int(in: 0...state.count - 1)]
            let old = state[key]!
            if random.chance(0.15) {
                state[key] = nil
                out.append(FakeChange(.remove, keys: keys(shard: shard, key: key), oldImage: old.image))
            } else {
                let new = image(shard: shard, key: key, version: old.version + 1)
                state[key] = (old.version + 1, new)
                out.append(FakeChange(.modify, keys: keys(shard: shard, key: key), newImage: new, oldImage: old.image))
            }
        }
        return out
    }
}

// MARK: Runs

func engineSettings() -> EngineSettings {
    // `ddbcdc run`'s and `ddbcdc stream`'s defaults: 2000 rows or 8 MB an object, 15 s, 16 open
    // partitions, gzip level 6, 2 objects in flight.
    EngineSettings(
        limits: BatchLimits(maxRecords: 2000, maxBytes: 8_000_000, maxAgeMillis: 15_000, maxOpenPartitions: 16), prefix: "",
        partitionBy: .eventTime, rows: NormalizeOptions(), encoder: GzipNDJSON(level: 6), maxInFlight: 2, stopReadingOnWriteFailure: true)
}

func makeDirectory(_ path: String) {
    guard mkdir(path, 0o755) == 0 || errno == EEXIST else { fail("cannot make \(path): \(String(cString: strerror(errno)))") }
}

struct Figures {
    var name: String
    var wall: Double
    var cpu: Double
    var records: Int
    var rows: Int
    var objects: Int
}

/// The poller, until caught up, into `directory`, the checkpoint and its lock there too (as
/// `ddbcdc stream --sink DIR` puts them).
func runPoller(
    _ fake: FakeStreams, into directory: String, emptyAnswersToCatchUp: Int = 3, pollIntervalMillis: Int64 = 1000
) async -> StreamPoller.Report {
    makeDirectory(directory)
    makeDirectory(directory + "/_checkpoints")
    var settings = PollerSettings(streamArn: fake.streamArn, table: fake.tableName)
    settings.start = .trimHorizon
    settings.untilCaughtUp = true
    settings.pageLimit = 1000
    settings.readers = 8
    settings.emptyAnswersToCatchUp = emptyAnswersToCatchUp
    settings.pollIntervalMillis = pollIntervalMillis
    let checkpoint = directory + "/_checkpoints/\(fake.tableName).stream.json"
    let poller = StreamPoller(
        api: fake, settings: settings, engine: Engine(settings: engineSettings(), sink: LocalDirectorySink(root: directory)),
        checkpoints: FileCheckpointStore(path: checkpoint), lock: FileLock(path: checkpoint + ".lock"), clock: .system, gapPrefix: "")
    let report = await poller.run(stop: nil)
    if let error = report.error ?? report.checkpointError { fail("the poller failed: \(error)") }
    if !report.engine.notWritten.isEmpty || report.engine.setAside > 0 {
        fail("the poller: \(report.engine.notWritten.count) objects not written, \(report.engine.setAside) set aside")
    }
    return report
}

/// Every shard read by a plain loop over its iterator, 1,000 records a page, each GetRecords body
/// written to `path` as it came: concatenated GetRecords answers, a shape `ddbcdc run` reads.
func collectPages(_ fake: FakeStreams, to path: String) async -> (pages: Int, records: Int, bytes: Int) {
    guard let file = fopen(path, "w") else { fail("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    var (pages, records, bytes) = (0, 0, 0)
    for shard in fake.shards {
        do {
            var iterator: String? = try await fake.shardIterator(streamArn: fake.streamArn, shardId: shard.shardId, start: .trimHorizon)
            while let current = iterator {
                let page = try await fake.records(iterator: current, limit: 1000)
                if !page.records.isEmpty {
                    guard fwrite(page.body, 1, page.body.count, file) == page.body.count else { fail("cannot write \(path)") }
                    pages += 1
                    records += page.records.count
                    bytes += page.body.count
                }
                iterator = page.nextShardIterator
            }
        } catch {
            fail("reading \(shard.shardId) from the fake: \(error)")
        }
    }
    return (pages, records, bytes)
}

/// The engine over `file` as `ddbcdc run --input FILE` runs it (the overload specialized in Pipeline).
func runEngine(file: String, into directory: String) async -> EngineReport<FilePosition> {
    makeDirectory(directory)
    var source = FileRecords(paths: [file])
    return await Engine(settings: engineSettings(), sink: LocalDirectorySink(root: directory)).run(&source)
}

/// The same through the generic `Engine.run`, as a module other than Pipeline calls it for its
/// own source (StreamPoller does, for StreamRecords).
func runEngineGeneric(file: String, into directory: String) async -> EngineReport<FilePosition> {
    makeDirectory(directory)
    var source = FileRecords(paths: [file])
    return await genericRun(Engine(settings: engineSettings(), sink: LocalDirectorySink(root: directory)), &source)
}

func genericRun<Source: RecordSource>(_ engine: Engine, _ source: inout Source) async -> EngineReport<Source.Position> {
    await engine.run(&source)
}

/// Removes a folder and everything in it (the scratch folder: plain files and folders only).
func removeTree(_ path: String) {
    if let directory = opendir(path) {
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            if entry.pointee.d_type == UInt8(DT_DIR) { removeTree(child) } else { unlink(child) }
        }
        closedir(directory)
    }
    rmdir(path)
}

// MARK: Table

func table(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in rows.reduce(header[column].count) { max($0, $1[column].count) } }
    func line(_ cells: [String]) -> String {
        "| " + cells.enumerated().map { column, cell in
            let pad = String(repeating: " ", count: widths[column] - cell.count)
            return column == 0 ? cell + pad : pad + cell
        }.joined(separator: " | ") + " |"
    }
    return ([line(header), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"] + rows.map(line))
        .joined(separator: "\n")
}

/// `value` with `digits` decimals (no Foundation here).
func format(_ value: Double, _ digits: Int = 2) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int64((abs(value) * scale).rounded())
    let whole = scaled / Int64(scale)
    let fraction = String(scaled % Int64(scale))
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard digits > 0 else { return sign + "\(whole)" }
    return sign + "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
}

func thousands(_ value: Int) -> String {
    let digits = String(value)
    var out = ""
    for (index, character) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
        out.append(character)
    }
    return out
}

// MARK: Main

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let work: String
if let given = options.work {
    makeDirectory(given)
    work = given
} else {
    var template = Array(((ProcessInfoLite.tmpdir) + "/ddbcdc-stream-bench-XXXXXX").utf8CString)
    guard mkdtemp(&template) != nil else { fail("cannot make a scratch folder: \(String(cString: strerror(errno)))") }
    work = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

enum ProcessInfoLite {
    static var tmpdir: String { getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp" }
}

let rssStart = procStatus("VmRSS")

// 1. The fake: `shards` root shards, `records` records, every shard closed once written, so that
//    the poller reads each to its end (GetRecords without NextShardIterator) and `until caught up`
//    is exact: no empty answers to count, no poll interval waited, and the same pages as the loop.
say("== filling the fake: \(thousands(options.records)) records in \(options.shards) closed shards")
var configuration = FakeStreams.Configuration()
configuration.logCalls = false
configuration.seed = options.seed
if options.readLatencyMillis > 0 { configuration.readLatency = .milliseconds(options.readLatencyMillis) }
let fake = FakeStreams(configuration: configuration, roots: options.shards)
var maker = ItemMaker(seed: options.seed)
let (_, fillWall, _) = await timed {
    // An hour of changes from half past an hour, every shard written to all along (10 rounds of
    // 6 minutes): rows fall in two dt=/HH= partitions, as a real hour's do.
    let ids = fake.shards.map(\.shardId)
    let rounds = 10
    var items = [[Int: (version: Int, image: String)]](repeating: [:], count: ids.count)
    fake.advanceClock(millis: 1_800_000)
    for round in 0..<rounds {
        for (index, id) in ids.enumerated() {
            let share = options.records / ids.count + (index < options.records % ids.count ? 1 : 0)
            let count = share / rounds + (round < share % rounds ? 1 : 0)
            if count > 0 { fake.append(maker.changes(shard: index, count: count, state: &items[index]), to: id) }
        }
        fake.advanceClock(millis: 360_000)
    }
    for id in ids { fake.close(id) }
}
let recordBytes = fake.shards.reduce(0) { total, shard in total + shard.records.reduce(0) { $0 + $1.json.utf8.count } }
let rssFilled = procStatus("VmRSS")
let hwmFilled = procStatus("VmHWM")
say("   \(format(fillWall, 1)) s; \(thousands(recordBytes)) bytes of record JSON (\(recordBytes / options.records) a record); RSS \(mib(rssFilled)) MiB")

// 2. The poller.
say("== StreamPoller: until caught up, 1,000-record pages, 8 readers, gzip 6 into a directory")
let (pollerReport, pollerWall, pollerCPU) = await timed { await runPoller(fake, into: work + "/poller") }
let hwmPoller = procStatus("VmHWM")
let rssPoller = procStatus("VmRSS")
let poller = Figures(
    name: "StreamPoller (fake → objects)", wall: pollerWall, cpu: pollerCPU, records: pollerReport.engine.records,
    rows: pollerReport.engine.rowsWritten, objects: pollerReport.engine.objects)
say("   \(format(pollerWall)) s, \(thousands(poller.rows)) rows, \(poller.objects) objects; VmHWM \(mib(hwmPoller)) MiB")

// 3. The same pages by a plain loop (the fake's own cost of answering), into one file.
say("== the same pages by a plain loop over each shard's iterator, into one file")
let pagesFile = work + "/pages.json"
let (collected, loopWall, loopCPU) = await timed { await collectPages(fake, to: pagesFile) }
let loop = Figures(name: "fake alone (plain GetRecords loop → file)", wall: loopWall, cpu: loopCPU, records: collected.records, rows: 0, objects: 0)
say("   \(format(loopWall)) s, \(thousands(collected.pages)) pages, \(thousands(collected.bytes)) bytes")

// 4. The reference: the engine over that file, as `ddbcdc run --input FILE` does.
say("== Engine over the file (as ddbcdc run): FileRecords, specialized Engine.run")
let (runReport, runWall, runCPU) = await timed { await runEngine(file: pagesFile, into: work + "/run") }
let reference = Figures(
    name: "Engine + FileRecords (= ddbcdc run)", wall: runWall, cpu: runCPU, records: runReport.records, rows: runReport.rowsWritten,
    objects: runReport.objects)
say("   \(format(runWall)) s, \(thousands(reference.rows)) rows, \(reference.objects) objects")
var generic: Figures?
if options.generic {
    say("== the same through the generic Engine.run (as another module calls it)")
    let (report, wall, cpu) = await timed { await runEngineGeneric(file: pagesFile, into: work + "/run-generic") }
    generic = Figures(
        name: "Engine + FileRecords, generic Engine.run", wall: wall, cpu: cpu, records: report.records, rows: report.rowsWritten,
        objects: report.objects)
    say("   \(format(wall)) s")
}

// 5. Checkpoint writes: a checkpoint of every shard, as the poller writes it (temporary file,
//    fsync, rename).
say("== FileCheckpointStore.save of a \(options.shards)-shard checkpoint, \(options.saves) times")
let checkpointPath = work + "/checkpoint.stream.json"
let store = FileCheckpointStore(path: checkpointPath)
var shardMarks: [String: ShardCheckpoint] = [:]
for shard in fake.shards {
    shardMarks[shard.shardId] = ShardCheckpoint(sequenceNumber: shard.records.last?.sequenceNumber, finished: false, parent: shard.parentShardId)
}
var saveMillis: [Double] = []
for round in 0..<options.saves {
    let checkpoint = Checkpoint(
        streamArn: fake.streamArn, table: fake.tableName, updatedAt: ISO8601.format(epochMillis: EpochClock.system.now().rawValue),
        shards: shardMarks.mapValues { mark in
            var mark = mark
            mark.finished = round % 2 == 1
            return mark
        })
    let start = ContinuousClock.now
    do { try await store.save(checkpoint) } catch { fail("checkpoint save: \(error)") }
    let elapsed = ContinuousClock.now - start
    saveMillis.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
}
saveMillis.sort()
func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
var checkpointSize = 0
if let file = fopen(checkpointPath, "r") {
    fseek(file, 0, SEEK_END)
    checkpointSize = ftell(file)
    fclose(file)
}

// 6. Memory with open shards: `shards` new open shards receive records (a writer task) while the
//    poller reads them; at the end the writer closes every shard, so that the poller, which never
//    counts an open shard caught up here, reads each to its end and stops. VmRSS is sampled: the
//    fake keeps every record, so the figure that matters is RSS less what the fake holds.
/// Writes `total` records to every open shard of `fake` in 20 rounds (a slice to every shard, the
/// fake clock a minute on, then `pause`), counting them in `written`; closes the shards at the end
/// when `close`.
func writeOpen(_ fake: FakeStreams, total: Int, seed: UInt64, pause: Duration?, written: Counter, close: Bool) async {
    let ids = fake.shards.map(\.shardId)
    var maker = ItemMaker(seed: seed)
    var items = [[Int: (version: Int, image: String)]](repeating: [:], count: ids.count)
    let rounds = 20
    for round in 0..<rounds {
        for (index, id) in ids.enumerated() {
            let share = total / ids.count + (index < total % ids.count ? 1 : 0)
            let count = share / rounds + (round < share % rounds ? 1 : 0)
            if count > 0 { fake.append(maker.changes(shard: index, count: count, state: &items[index]), to: id) }
            written.value.add(count, ordering: .relaxed)
        }
        fake.advanceClock(millis: 60_000)
        if let pause { try? await Task.sleep(for: pause) }
    }
    if close { for id in ids { fake.close(id) } }
}

final class Counter: Sendable { let value = Atomic<Int>(0) }
final class Samples: Sendable { let list = Mutex<[(written: Int, rss: Int)]>([]) }
struct OpenRun {
    var records = 0
    var wall = 0.0
    var rows = 0
    var objects = 0
    var samples: [(written: Int, rss: Int)] = []
}
var openRun: OpenRun?
var fakeBytesPerRecord = 0.0
var openControl: FakeStreams?
if !options.skipOpen && options.openRecords > 0 {
    func openFake(seed: UInt64) -> FakeStreams {
        var configuration = FakeStreams.Configuration()
        configuration.logCalls = false
        configuration.seed = seed
        return FakeStreams(configuration: configuration, roots: options.shards)
    }
    // What the fake itself takes per record when written this way: the same writes into another
    // fake, no poller, no pauses; that fake is kept (so its memory is not reused by the next).
    say("== \(options.shards) open shards: the fake alone, \(thousands(options.openRecords)) records (for its memory per record)")
    let control = openFake(seed: options.seed + 1)
    openControl = control
    let rssBeforeControl = procStatus("VmRSS") ?? 0
    await writeOpen(control, total: options.openRecords, seed: options.seed + 1, pause: nil, written: Counter(), close: false)
    fakeBytesPerRecord = Double((procStatus("VmRSS") ?? 0) - rssBeforeControl) * 1024 / Double(options.openRecords)

    say("== \(options.shards) open shards receiving \(thousands(options.openRecords)) records while the poller reads")
    let open = openFake(seed: options.seed + 1)
    let written = Counter()
    let samples = Samples()
    let total = options.openRecords
    let seed = options.seed
    let writer = Task { await writeOpen(open, total: total, seed: seed + 1, pause: .milliseconds(100), written: written, close: true) }
    let sampler = Task {
        while !Task.isCancelled {
            if let rss = procStatus("VmRSS") { samples.list.withLock { $0.append((written.value.load(ordering: .relaxed), rss)) } }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
    let (report, wall, _) = await timed {
        await runPoller(open, into: work + "/open", emptyAnswersToCatchUp: .max, pollIntervalMillis: 50)
    }
    sampler.cancel()
    await sampler.value
    await writer.value
    openRun = OpenRun(
        records: report.engine.records, wall: wall, rows: report.engine.rowsWritten, objects: report.engine.objects,
        samples: samples.list.withLock { $0 })
    if report.engine.rowsWritten != total { fail("the open-shard run wrote \(report.engine.rowsWritten) rows of \(total)") }
}
let hwmEnd = procStatus("VmHWM")

// MARK: Report

print()
print(
    "\(thousands(options.records)) records (\(recordBytes / options.records) bytes of record JSON each, NEW_AND_OLD_IMAGES) in "
        + "\(options.shards) closed root shards of the in-process FakeStreams; pages of 1,000; objects of 2,000 rows / 8 MB, "
        + "gzip level 6, into a local directory; one process, Swift release build")
print()
var rows: [[String]] = []
for figures in [poller, reference] + (generic.map { [$0] } ?? []) + [loop] {
    rows.append([
        figures.name, format(figures.wall), format(figures.cpu), thousands(Int((Double(figures.records) / figures.wall).rounded())),
        figures.rows == 0 && figures.objects == 0 ? "-" : thousands(figures.rows), figures.objects == 0 ? "-" : thousands(figures.objects),
    ])
}
print(table(["path", "wall s", "CPU s", "records/s", "rows", "objects"], rows))
print()
print(
    "poller vs run: \(format(pollerWall / runWall))x the wall time, \(format(pollerCPU / runCPU))x the CPU; the fake's own share of the "
        + "poller's time is about the plain loop's \(format(loopWall)) s")
print()
print(
    table(
        ["checkpoint save (\(options.shards) shards, \(thousands(checkpointSize)) bytes, temp file + fsync + rename)", "median ms", "p99 ms", "max ms"],
        [["FileCheckpointStore, \(options.saves) saves", format(percentile(saveMillis, 0.5), 3), format(percentile(saveMillis, 0.99), 3), format(saveMillis.last ?? 0, 3)]]))
print()
var memory: [[String]] = [
    ["at start (VmRSS)", mib(rssStart)],
    ["after filling the fake (VmRSS / VmHWM)", "\(mib(rssFilled)) / \(mib(hwmFilled))"],
    ["after the poller's run (VmRSS / VmHWM)", "\(mib(rssPoller)) / \(mib(hwmPoller))"],
]
if let filled = hwmFilled, let after = hwmPoller {
    memory.append(["poller's own growth of the peak (VmHWM after − after filling)", mib(after - filled)])
}
if openRun != nil {
    memory.append(["the fake's records, VmRSS per record (open shards, written alone)", "\(Int(fakeBytesPerRecord)) bytes"])
}
print(table(["memory", "MiB"], memory))
if let openRun {
    print()
    let start = openRun.samples.first?.rss ?? 0
    var overhead: [Double] = []
    for sample in openRun.samples {
        overhead.append((Double(sample.rss - start) * 1024 - Double(sample.written) * fakeBytesPerRecord) / 1_048_576)
    }
    let peak = openRun.samples.map(\.rss).max() ?? 0
    print(
        "open shards: \(options.shards) open shards received \(thousands(options.openRecords)) records in 20 rounds (one every ~100 ms) "
            + "while the poller read them (8 readers, poll interval 50 ms), then were closed; \(thousands(openRun.rows)) rows in "
            + "\(openRun.objects) objects, \(format(openRun.wall)) s. VmRSS sampled every 100 ms (\(openRun.samples.count) samples): "
            + "\(mib(start)) MiB at the start, \(mib(peak)) MiB at most; RSS growth less the fake's records (at "
            + "\(Int(fakeBytesPerRecord)) bytes a record): median \(format(overhead.sorted().isEmpty ? 0 : overhead.sorted()[overhead.count / 2], 1)) MiB, "
            + "max \(format(overhead.max() ?? 0, 1)) MiB (MALLOC_ARENA_MAX=\(getenv("MALLOC_ARENA_MAX").map { String(cString: $0) } ?? "unset"): "
            + "RSS also holds memory freed into glibc's per-thread arenas)")
    let step = max(1, openRun.samples.count / 8)
    var sampleRows: [[String]] = []
    for index in stride(from: 0, to: openRun.samples.count, by: step) {
        let sample = openRun.samples[index]
        sampleRows.append([thousands(sample.written), mib(sample.rss), format(overhead[index], 1)])
    }
    print()
    print(table(["records written so far", "VmRSS MiB", "RSS growth less the fake's records, MiB"], sampleRows))
}
print()
print("peak RSS of the whole process (VmHWM): \(mib(hwmEnd)) MiB")
withExtendedLifetime(openControl) {}

let rowsMatch = poller.rows == reference.rows && poller.rows == options.records && (generic.map { $0.rows == reference.rows } ?? true)
print(
    "rows: poller \(thousands(poller.rows)), run \(thousands(reference.rows))\(generic.map { ", generic \(thousands($0.rows))" } ?? ""), "
        + "records written \(thousands(options.records)): \(rowsMatch ? "ok" : "MISMATCH")")

if let path = options.summary {
    var fields: [(String, String)] = [
        ("records", "\(options.records)"), ("shards", "\(options.shards)"), ("recordBytes", "\(recordBytes)"),
        ("pollerWall", "\(pollerWall)"), ("pollerCPU", "\(pollerCPU)"), ("pollerRows", "\(poller.rows)"), ("pollerObjects", "\(poller.objects)"),
        ("runWall", "\(runWall)"), ("runCPU", "\(runCPU)"), ("runRows", "\(reference.rows)"), ("runObjects", "\(reference.objects)"),
        ("loopWall", "\(loopWall)"), ("loopCPU", "\(loopCPU)"),
        ("saveMedianMillis", "\(percentile(saveMillis, 0.5))"), ("saveP99Millis", "\(percentile(saveMillis, 0.99))"),
        ("checkpointBytes", "\(checkpointSize)"),
        ("rssStartKB", "\(rssStart ?? 0)"), ("rssFilledKB", "\(rssFilled ?? 0)"), ("hwmFilledKB", "\(hwmFilled ?? 0)"),
        ("hwmPollerKB", "\(hwmPoller ?? 0)"), ("hwmEndKB", "\(hwmEnd ?? 0)"), ("rowsMatch", "\(rowsMatch)"),
    ]
    if let generic { fields += [("genericWall", "\(generic.wall)"), ("genericCPU", "\(generic.cpu)")] }
    if let openRun {
        let start = openRun.samples.first?.rss ?? 0
        let overhead = openRun.samples.map { (Double($0.rss - start) * 1024 - Double($0.written) * fakeBytesPerRecord) / 1_048_576 }
        fields += [
            ("openRecords", "\(options.openRecords)"), ("openWall", "\(openRun.wall)"), ("openPeakRssKB", "\(openRun.samples.map(\.rss).max() ?? 0)"),
            ("openStartRssKB", "\(start)"), ("openMaxOverheadMiB", "\(overhead.max() ?? 0)"),
        ]
    }
    let json = "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    guard let file = fopen(path, "w"), fputs(json, file) >= 0, fclose(file) == 0 else { fail("cannot write \(path)") }
}

if options.keep {
    say("kept \(work)")
} else if options.work == nil {
    removeTree(work)
}
exit(rowsMatch ? 0 : 1)
