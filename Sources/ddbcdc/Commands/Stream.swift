import AWSCore
import ArgumentParser
import DDBTypes
import DynamoStreams
import NDJSONBuffer
import Pipeline
import ProcessKit
import ProcessLifecycle
import S3Sink
import StreamNormalize
import StreamPoller
import Timekeeping

#if canImport(Glibc)
import Glibc
#endif

extension StartFrom: ExpressibleByArgument {}
extension TrimPolicy: ExpressibleByArgument {}

/// `ddbcdc stream`: a DynamoDB stream read directly (no Lambda), checkpointed.
struct Stream: AsyncParsableCommand, StopsOnSignal, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Read a table's DynamoDB stream directly into partitioned .ndjson.gz objects, checkpointed.",
        discussion: """
            The same objects as `run` and the Lambda function write (<sink>/<prefix>/dt=…/HH=…/…ndjson.gz, \
            _errors/ for records that cannot become rows), read from the stream with GetRecords by this \
            process: on a laptop, in a container, in a scheduled job. Shards are read parent before child, \
            --readers at a time, one reader per shard.

            Checkpoint: per shard, the last SequenceNumber whose object is durable and whether the shard is \
            finished; written (replaced whole) every --checkpoint-interval while it changes and at the end, \
            never ahead of the objects. By default it is <sink>/<prefix>/_checkpoints/<table>.stream.json: a \
            local file for a directory sink, an S3 object for an S3 sink. A restart resumes each shard after \
            its SequenceNumber: a crash re-reads at most what the last checkpoint did not cover (rows written \
            twice are the same rows; the MERGE keeps one). One poller per stream: a lock beside the checkpoint \
            (a file held with flock, gone with its process; on S3 a lease taken with conditional writes, \
            renewed every --lock-ttl/3 and taken over once expired; a store without conditional writes, \
            such as OpenStack Swift's s3api, cannot hold it: use a local --checkpoint or --lock none).

            --until-caught-up drains what the stream holds now, then exits: closed shards are read to \
            their end, and an open shard counts as caught up after --caught-up-after empty answers in a row \
            (DynamoDB Streams has no "behind latest" measure, and may answer empty pages before data).

            Trimmed records (older than 24 hours, gone before they were read) stop the poller with an error \
            naming the shard and the last SequenceNumber read (exit 76), unless --on-trim continue: then the \
            gap is written as an object under <sink>/<prefix>/_gaps/, counted in the checkpoint, and reading \
            goes on from the oldest record left.

            Cost: outside Lambda, GetRecords calls are billed as DynamoDB Streams read request units \
            (Lambda's own reads of a stream are free); an idle shard is polled every --poll-interval.

            --endpoint-url applies to DynamoDB, DynamoDB Streams and S3 alike (moto, LocalStack); \
            AWS_ENDPOINT_URL_DYNAMODB_STREAMS, AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3 set them one by one.

            While running: a progress line on a terminal; a JSON status line on standard error every \
            --log-interval seconds (records, records/s, open and finished shards, per-shard lag = now − newest \
            ApproximateCreationDateTime read).

            SIGINT or SIGTERM: reading stops, what was read is written and checkpointed, and the status is 0. A \
            second signal exits at once (what was not yet durable is read again by the next run).

            Exit status: 0 caught up, or stopped by a signal, everything read durable; 65 records were set aside \
            in _errors (durable); 74 an object or the checkpoint could not be written, or AWS failed after \
            retries; 69 the table or stream does not exist, has no stream, was disabled, or was re-created; 73 \
            another poller holds the lock; 76 records were trimmed before they were read (--on-trim stop); 64 usage.
            """
    )

    @Option(help: "The table whose stream to read (its LatestStreamArn, found with DescribeTable).")
    var table: String?

    @Option(help: "The stream to read, instead of --table.")
    var streamArn: String?

    @Option(help: ArgumentHelp("Where objects go: a directory, or s3://bucket[/prefix].", valueName: "dir|s3-url"))
    var sink: String

    @Option(name: .customLong("from"), help: "Where shards start: trim-horizon, latest, or checkpoint (default: the checkpoint, else trim-horizon).")
    var start: StartFrom = .checkpoint

    @Flag(help: "Read what the stream holds now, then exit (for scheduled jobs).")
    var untilCaughtUp = false

    @Option(help: "With --until-caught-up: empty answers in a row after which an open shard counts as caught up.")
    var caughtUpAfter: Int = 3

    @Option(help: ArgumentHelp("The checkpoint: a file, or s3://bucket/key (default: <sink>/<prefix>/_checkpoints/<table>.stream.json).", valueName: "path|s3-url"))
    var checkpoint: String?

    @Option(help: "Seconds between checkpoint writes while it changes.")
    var checkpointInterval: Double = 5

    @Option(help: ArgumentHelp("The one-poller-per-stream lock beside the checkpoint: auto, or none.", valueName: "auto|none"))
    var lock: String = "auto"

    @Option(help: "Seconds an S3 lock's lease lasts without renewal.")
    var lockTtl: Double = 60

    @Option(help: "Trimmed records: stop (exit 76), or continue (record the gap under _gaps/ and read on).")
    var onTrim: TrimPolicy = .stop

    @Option(help: "Seconds a shard that answered empty waits before it is polled again.")
    var pollInterval: Double = 1

    @Option(help: "Seconds between listings of the stream's shards (children are also looked up at every shard's end).")
    var listInterval: Double = 10

    @Option(help: "Shards read at once (one reader per shard).")
    var readers: Int = 8

    @Option(help: "Seconds between JSON status lines on standard error (0: none).")
    var logInterval: Double = 60

    @Option(help: "Seconds a batch stays open after its first row (MAX_SECONDS; default 15; 0: no limit).")
    var maxSeconds: Double?

    @Option(help: "What puts a row in its dt=/HH= partition: event-time or ingest-time.")
    var partitionBy: PartitionTime = .eventTime

    @Flag(help: "No progress line, even on a terminal.")
    var quiet = false

    @OptionGroup(title: "AWS and S3") var s3: S3Options

    @OptionGroup(title: "Objects") var objects: ObjectOptionGroup

    @OptionGroup var rows: NormalizeOptionGroup

    func validate() throws {
        guard (table == nil) != (streamArn == nil) else { throw ValidationError("give --table NAME or --stream-arn ARN (one of them)") }
        if let streamArn, PollerSettings.tableName(streamArn: streamArn) == nil || !streamArn.hasPrefix("arn:") {
            throw ValidationError("--stream-arn \(streamArn) is not a DynamoDB stream ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL)")
        }
        guard caughtUpAfter >= 1 else { throw ValidationError("--caught-up-after must be at least 1") }
        guard readers >= 1 else { throw ValidationError("--readers must be at least 1") }
        guard pollInterval >= 0, listInterval > 0, checkpointInterval > 0, logInterval >= 0, lockTtl >= 1 else {
            throw ValidationError("--poll-interval and --log-interval must be 0 or more; --list-interval, --checkpoint-interval positive; --lock-ttl at least 1")
        }
        guard lock == "auto" || lock == "none" else { throw ValidationError("--lock must be auto or none, not '\(lock)'") }
    }

    func run() async throws {
        try await Lifecycle.runStoppable(
            message: { name in "ddbcdc: \(name): reading stops here; writing and checkpointing what was read (a second signal exits at once)" }
        ) { stop in
            try await self.run(stop: stop)
        }
    }

    func run(stop: StopRequest) async throws {
        let environment = processEnvironment()
        let clock = EpochClock.system
        let started = clock.now()
        let settings = try objects.settings(maxSeconds: maxSeconds, environment: { environment[$0] })
        let target: (sink: any ObjectSink, prefix: String)
        do {
            target = try await s3.makeSink(sink, prefix: settings.prefix, maxRecords: settings.limits.maxRecords, environment: environment, sourceInS3: true)
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("ddbcdc: error: \(error)")
            throw ExitCode(74)
        }
        let api: DynamoStreamsClient
        do throws(AWSError) {
            api = try DynamoStreamsClient.make(
                region: s3.region, endpoint: s3.endpointURL, caBundle: s3.caBundle, profile: s3.profile, retry: RetryPolicy(maxAttempts: s3.maxAttempts),
                requestTimeoutMillis: Int64(s3.requestTimeout * 1000), environment: environment, clock: clock)
            _ = try await api.resolveCredentials()
        } catch {
            throw ValidationError(error.message)
        }
        // The stream.
        let arn: String
        if let streamArn {
            arn = streamArn
        } else {
            let name = table ?? ""
            let found: String?
            do throws(AWSError) {
                found = try await api.latestStreamArn(table: name)
            } catch {
                if error.serviceCode == StreamsErrorCode.resourceNotFound {
                    printError("ddbcdc: error: the table \(name) does not exist (\(error))")
                    throw ExitCode(69)
                }
                printError("ddbcdc: error: DescribeTable \(name): \(error)")
                throw ExitCode(74)
            }
            guard let found else {
                printError("ddbcdc: error: the table \(name) has no stream enabled: enable one (NEW_AND_OLD_IMAGES) with UpdateTable's StreamSpecification")
                throw ExitCode(69)
            }
            arn = found
        }
        var pollerSettings = PollerSettings(streamArn: arn, table: table)
        pollerSettings.start = start
        pollerSettings.untilCaughtUp = untilCaughtUp
        pollerSettings.emptyAnswersToCatchUp = caughtUpAfter
        pollerSettings.pollIntervalMillis = Int64(pollInterval * 1000)
        pollerSettings.listIntervalMillis = Int64(listInterval * 1000)
        pollerSettings.readers = readers
        pollerSettings.onTrim = onTrim
        pollerSettings.checkpointIntervalMillis = Int64(checkpointInterval * 1000)

        let (store, pollerLock) = try await checkpointPlace(target: target, table: pollerSettings.table ?? "stream", environment: environment, clock: clock)
        let rowOptions = rows.normalizeOptions(defaultIngest: "none", clock: clock)
        let engine = Engine(
            settings: EngineSettings(
                limits: settings.limits, prefix: target.prefix, partitionBy: partitionBy,
                rows: rowOptions, encoder: try settings.encoder(rows: rowOptions),
                maxInFlight: objects.concurrency, stopReadingOnWriteFailure: true),
            sink: target.sink, clock: clock)
        let poller = StreamPoller(
            api: api, settings: pollerSettings, engine: engine, checkpoints: store, lock: pollerLock, clock: clock, gapPrefix: target.prefix)
        let state = PollerState()
        let statusTask: Task<Void, Never>? =
            logInterval > 0
            ? Task { [logInterval] in
                var last = (at: clock.now(), records: 0)
                while !Task.isCancelled {
                    guard (try? await Task.sleep(for: .milliseconds(Int64(logInterval * 1000)))) != nil else { return }
                    let now = clock.now()
                    let status = state.status(now: now)
                    printError(StreamStatusLine.json(status, stream: arn, now: now, since: last))
                    last = (now, status.counts.records)
                }
            } : nil
        var progress = !quiet && isatty(2) != 0 ? Progress(clock: clock) : nil
        printError("ddbcdc stream: \(arn) → \(sink)\(target.prefix.isEmpty ? "" : " (prefix \(target.prefix))"), checkpoint \(store.place)")
        let report = await poller.run(stop: stop, state: state, progress: progress == nil ? nil : { progress?.show($0, state) })
        statusTask?.cancel()
        progress?.clear()
        let status = report.status ?? state.status(now: clock.now())
        // A poller that never got to the stream (the lock, the checkpoint) read nothing to sum up.
        if status.counts.listings > 0 || report.engine.records > 0 {
            printError(StreamStatusLine.summary(report, status: status, elapsedMillis: clock.now().millis(since: started), signal: stop.reason))
        }
        for failure in report.engine.inputFailures { printError("ddbcdc: error: \(failure.name ?? "input"): \(failure.message)") }
        for failure in report.engine.notWritten { printError("ddbcdc: error: not written: \(failure)") }
        if let error = report.checkpointError { printError("ddbcdc: error: \(error)") }
        if let error = report.error { printError("ddbcdc: error: \(error)") }
        if let code = report.error?.code {
            switch code {
            case .locked: throw ExitCode(73)
            case .trimmed: throw ExitCode(76)
            case .streamUnavailable: throw ExitCode(69)
            case .badCheckpoint, .checkpointFailed, .serviceFailed: throw ExitCode(74)
            }
        }
        if !report.engine.notWritten.isEmpty || !report.engine.inputFailures.isEmpty || report.checkpointError != nil { throw ExitCode(74) }
        if report.engine.setAside > 0 { throw ExitCode(65) }
    }

    /// The checkpoint's store and the lock beside it.
    func checkpointPlace(
        target: (sink: any ObjectSink, prefix: String), table: String, environment: [String: String], clock: EpochClock
    ) async throws -> (any CheckpointStore, any PollerLock) {
        let fileName = "_checkpoints/\(table).stream.json"
        func s3Place(_ client: S3Client, key: String) -> (any CheckpointStore, any PollerLock) {
            (
                S3CheckpointStore(client: client, key: key),
                lock == "none" ? NoLock() : S3Lock(client: client, key: key + ".lock", ttlMillis: Int64(lockTtl * 1000), clock: clock)
            )
        }
        func filePlace(_ path: String) -> (any CheckpointStore, any PollerLock) {
            (FileCheckpointStore(path: path), lock == "none" ? NoLock() : FileLock(path: path + ".lock"))
        }
        if let checkpoint {
            guard checkpoint.hasPrefix("s3://") else { return filePlace(checkpoint) }
            let rest = checkpoint.dropFirst(5)
            let bucket = String(rest.prefix { $0 != "/" })
            let key = String(rest.dropFirst(bucket.count + 1))
            guard !bucket.isEmpty, !key.isEmpty else { throw ValidationError("--checkpoint \(checkpoint) names no bucket and key") }
            do {
                return s3Place(try S3Client.make(s3.settings(bucket: bucket), environment: environment, clock: clock), key: key)
            } catch {
                throw ValidationError(error.message)
            }
        }
        if let s3Sink = target.sink as? S3ObjectSink {
            return s3Place(s3Sink.client, key: (target.prefix.isEmpty ? "" : target.prefix + "/") + fileName)
        }
        let root = (target.sink as? LocalDirectorySink)?.root ?? sink
        return filePlace(root + "/" + (target.prefix.isEmpty ? "" : target.prefix + "/") + fileName)
    }
}

extension Progress {
    /// The poller's line: rows, objects, open and finished shards, the largest lag.
    mutating func show(_ report: EngineReport<StreamPosition>, _ state: PollerState) {
        let clock = clock  // read here: the text is made while show changes self
        show(
            {
                let status = state.status(now: clock.now())
                let lag = status.maxLagMillis.map { " · lag \(($0 + 500) / 1000) s" } ?? ""
                return "\(report.rows) rows · \(report.objects) objects · \(status.openShards) open shards · \(status.finishedShards) finished\(lag)"
            }())
    }
}

/// `ddbcdc stream`'s status lines: JSON now and then, one summary at the end.
enum StreamStatusLine {
    static func json(_ status: PollerStatus, stream: String, now: EpochMillis, since last: (at: EpochMillis, records: Int)) -> String {
        let seconds = max(Double(now.millis(since: last.at)) / 1000, 0.001)
        let rate = Double(status.counts.records - last.records) / seconds
        var line = "{\"time\":\"\(ISO8601.format(epochMillis: now.rawValue))\",\"level\":\"info\",\"message\":\"stream status\""
        line += ",\"stream\":" + jsonQuoted(stream)
        line += ",\"records\":\(status.counts.records),\"recordsPerSecond\":\(Int(rate.rounded()))"
        line += ",\"pages\":\(status.counts.pages),\"emptyPages\":\(status.counts.emptyPages),\"throttled\":\(status.counts.throttled)"
        line += ",\"expiredIterators\":\(status.counts.expiredIterators),\"gaps\":\(status.counts.gaps)"
        line += ",\"openShards\":\(status.openShards),\"finishedShards\":\(status.finishedShards)"
        line += ",\"maxLagMillis\":" + (status.maxLagMillis.map { "\($0)" } ?? "null")
        line += ",\"shards\":["
        // The 20 most behind: a line stays readable with hundreds of shards.
        let shown = status.shards.sorted { ($0.lagMillis ?? -1) > ($1.lagMillis ?? -1) }.prefix(20)
        line += shown.map { "{\"shardId\":\(jsonQuoted($0.shardId)),\"lagMillis\":\($0.lagMillis.map { "\($0)" } ?? "null"),\"records\":\($0.recordsRead)}" }
            .joined(separator: ",")
        return line + "]}"
    }

    static func summary(_ report: StreamPoller.Report, status: PollerStatus, elapsedMillis: Int64, signal: Int32?) -> String {
        let engine = report.engine
        let seconds = (Double(elapsedMillis) / 10).rounded() / 100
        var text = "ddbcdc stream: \(engine.records) records read (\(status.counts.pages) pages, \(status.counts.emptyPages) empty)"
        text += ", \(engine.rowsWritten) rows written in \(engine.objects) objects, \(engine.setAside) set aside"
        if engine.rescuedValues > 0 { text += ", \(engine.rescuedValues) value(s) that did not fit the schema kept in _rescued_data" }
        if status.counts.gaps > 0 { text += ", \(status.counts.gaps) gap(s) recorded under _gaps/" }
        if status.counts.throttled > 0 { text += ", throttled \(status.counts.throttled) time(s)" }
        if let checkpoint = report.checkpoint {
            let finished = checkpoint.shards.values.filter(\.finished).count
            text += ", checkpoint: \(checkpoint.shards.count) shard(s), \(finished) finished"
        }
        if let signal { text += ", stopped by \(SignalWatch.name(signal))" }
        text += ", \(seconds) s"
        return text
    }

    static func jsonQuoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendJSONString(text.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
