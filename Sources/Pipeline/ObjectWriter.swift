import Dispatch
package import NDJSONBuffer
package import S3Sink
import Synchronization

/// Compresses sealed batches and puts them into a sink, a few at a time, while the reading goes on.
///
/// `submit` blocks when `maxInFlight` objects are already being written, so memory stays bounded
/// by the batch limits; `finish` waits for every object and reports what became durable.
package final class ObjectWriter: Sendable {
    package struct Stats: Sendable {
        package var objects = 0
        package var rows = 0
        package var bytesIn = 0
        package var bytesOut = 0
        package var errorObjects = 0
        package var failures: [SinkError] = []
    }

    private let sink: any ObjectSink
    private let level: Int
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let state = Mutex(Stats())

    package init(sink: any ObjectSink, gzipLevel: Int, maxInFlight: Int) {
        self.sink = sink
        self.level = gzipLevel
        self.slots = DispatchSemaphore(value: max(1, maxInFlight))
    }

    /// Compresses and writes one batch.
    package func submit(_ batch: SealedBatch) {
        start { [sink, level] in
            let body = Gzip.compress(batch.rows, level: level)
            do throws(SinkError) {
                try await sink.put(key: batch.key, body: body)
                return .success((batch.count, batch.rows.count, body.count, false))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Writes an object as it is (the errors objects).
    package func submitPlain(key: String, body: [UInt8]) {
        start { [sink] in
            do throws(SinkError) {
                try await sink.put(key: key, body: body)
                return .success((0, body.count, body.count, true))
            } catch {
                return .failure(error)
            }
        }
    }

    private func start(_ work: @escaping @Sendable () async -> Result<(Int, Int, Int, Bool), SinkError>) {
        slots.wait()
        group.enter()
        Task { [self] in
            let result = await work()
            self.state.withLock { stats in
                switch result {
                case .success(let (rows, bytesIn, bytesOut, isErrors)):
                    if isErrors { stats.errorObjects += 1 } else { stats.objects += 1 }
                    stats.rows += rows
                    stats.bytesIn += bytesIn
                    stats.bytesOut += bytesOut
                case .failure(let error):
                    stats.failures.append(error)
                }
            }
            self.slots.signal()
            self.group.leave()
        }
    }

    /// Whether any object has failed for good.
    package var hasFailed: Bool { state.withLock { !$0.failures.isEmpty } }

    /// What has been written so far.
    package var stats: Stats { state.withLock { $0 } }

    /// Waits for every submitted object.
    package func finish() -> Stats {
        group.wait()
        return stats
    }
}
