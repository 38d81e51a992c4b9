package import DynamoStreams
import S3Sink
package import Pipeline
package import ProcessKit
package import Timekeeping
import Synchronization

/// A stream, read into objects: the lock taken, the checkpoint read, ``StreamRecords`` run
/// through the engine, the checkpoint written as records become durable and once more at the end,
/// the lock given up.
///
/// The checkpoint holds only what acknowledgments said is durable, so it is never ahead of the
/// objects; it is written every ``PollerSettings/checkpointIntervalMillis`` while it changes (a
/// crash re-reads at most that much, at least once) and at the end. A stop request (SIGINT,
/// SIGTERM) ends the reading; what was read is written, then checkpointed.
package struct StreamPoller: Sendable {
    package let api: any StreamsAPI
    package let settings: PollerSettings
    package let engine: Engine
    package let checkpoints: any CheckpointStore
    package let lock: any PollerLock
    package let clock: EpochClock
    /// Where gap records go (`<prefix>/_gaps/`): the engine's sink.
    package let gapPrefix: String

    package init(
        api: any StreamsAPI, settings: PollerSettings, engine: Engine, checkpoints: any CheckpointStore, lock: any PollerLock,
        clock: EpochClock, gapPrefix: String
    ) {
        self.api = api
        self.settings = settings
        self.engine = engine
        self.checkpoints = checkpoints
        self.lock = lock
        self.clock = clock
        self.gapPrefix = gapPrefix
    }

    /// What a run did.
    package struct Report: Sendable {
        package var engine = EngineReport<StreamPosition>()
        /// Why the poller stopped before its end (nil: it caught up, or was asked to stop).
        package var error: PollerError?
        /// The checkpoint could not be written at the end (the last one written stands).
        package var checkpointError: PollerError?
        /// The checkpoint written last.
        package var checkpoint: Checkpoint?
        package var status: PollerStatus?
    }

    /// Reads until caught up (``PollerSettings/untilCaughtUp``), `stop` is requested, or an error.
    /// - Parameters:
    ///   - state: shared with whoever shows progress (``PollerState/status(now:)``).
    ///   - progress: told the engine's counts now and then.
    package func run(
        stop: StopRequest?, state: PollerState = PollerState(), progress: ((EngineReport<StreamPosition>) -> Void)? = nil
    ) async -> Report {
        var report = Report()
        do { try await lock.acquire() } catch {
            report.error = error
            return report
        }
        let checkpoint: Checkpoint?
        do {
            checkpoint = try await startingCheckpoint()
        } catch {
            report.error = error
            await lock.release()
            return report
        }
        let sink = engine.sink
        let gapPrefix = gapPrefix
        let clock = clock
        var source = StreamRecords(
            api: api, settings: settings, checkpoint: checkpoint, clock: clock, state: state, stop: stop,
            recordGap: { shardId, body in
                let key = (gapPrefix.isEmpty ? "" : gapPrefix + "/") + "_gaps/\(shardId)-\(clock.now().rawValue).json"
                try await sink.put(key: key, body: body)
            })
        // Background: the checkpoint while it changes, the lock's lease.
        let written = WrittenCheckpoint(checkpoint)
        let background = Task { [settings, checkpoints, lock] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        guard (try? await Task.sleep(for: .milliseconds(settings.checkpointIntervalMillis))) != nil else { return }
                        await Self.save(state: state, settings: settings, store: checkpoints, clock: clock, written: written)
                    }
                }
                if let interval = lock.renewIntervalMillis {
                    group.addTask {
                        while !Task.isCancelled {
                            guard (try? await Task.sleep(for: .milliseconds(interval))) != nil else { return }
                            do throws(PollerError) { try await lock.renew() } catch { state.fail(error) }
                        }
                    }
                }
            }
        }
        report.engine = await engine.run(&source, stop: stop, progress: progress)
        source.cancelReaders()
        background.cancel()
        await background.value
        report.checkpointError = await Self.save(state: state, settings: settings, store: checkpoints, clock: clock, written: written, force: true)
        report.checkpoint = written.last.withLock { $0.checkpoint }
        report.error = state.error
        report.status = state.status(now: clock.now())
        await lock.release()
        return report
    }

    /// The checkpoint to resume from: none with `--from trim-horizon|latest`; refused when it is
    /// another stream's.
    func startingCheckpoint() async throws(PollerError) -> Checkpoint? {
        guard settings.start == .checkpoint else { return nil }
        guard let checkpoint = try await checkpoints.load() else { return nil }
        guard checkpoint.streamArn == settings.streamArn else {
            throw PollerError(
                .streamUnavailable,
                "the checkpoint \(checkpoints.place) is of the stream \(checkpoint.streamArn), not \(settings.streamArn): the table's "
                    + "stream was re-created (disabled and enabled again), and records of the old stream not read by then are not in "
                    + "the new one. Start the new stream with --from trim-horizon (the checkpoint is then replaced)")
        }
        return checkpoint
    }

    /// Writes the checkpoint when it changed since the last write (or `force`); returns the error.
    @discardableResult
    static func save(
        state: PollerState, settings: PollerSettings, store: any CheckpointStore, clock: EpochClock,
        written: WrittenCheckpoint, force: Bool = false
    ) async -> PollerError? {
        let (checkpoint, version) = state.checkpoint(streamArn: settings.streamArn, table: settings.table, now: clock.now())
        let last = written.last.withLock { $0.version }
        guard force || version != last else { return nil }
        // A run that never listed the stream and resumed from nothing knows nothing: the old
        // checkpoint (of a `--from trim-horizon` run that failed at once, say) stays.
        guard state.book.withLock({ $0.listedOnce }) || written.last.withLock({ $0.checkpoint != nil }) else { return nil }
        do {
            try await store.save(checkpoint)
            written.last.withLock { $0 = (version, checkpoint) }
            return nil
        } catch {
            return error
        }
    }
}

/// The checkpoint written last, and the version of the book it was made from.
final class WrittenCheckpoint: Sendable {
    let last: Mutex<(version: Int, checkpoint: Checkpoint?)>
    init(_ checkpoint: Checkpoint?) { last = Mutex((-1, checkpoint)) }
}
