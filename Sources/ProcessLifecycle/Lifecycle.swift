#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import ServiceLifecycle
package import ProcessKit
import Synchronization

/// A command's work as a service: SIGINT and SIGTERM shut it down gracefully, a second signal
/// ends the process at once.
///
/// The work runs in a `ServiceGroup` beside a service that waits for the ``StopRequest``: the
/// first signal (taken by ``SignalWatch``'s thread) makes the request, that service returns, and
/// the group shuts down gracefully, which for the work means the same request: reading stops, what
/// was read is written, and the work returns normally. Work that loops on its own (a stream
/// poller) can watch `Task.isShuttingDownGracefully` or `gracefulShutdown()` as any service does.
///
/// The group is not given SIGINT and SIGTERM as its `gracefulShutdownSignals`: its signal sequence
/// would race the signal thread for each signal, does not tell the work which signal it was (the
/// exit status is 128 + its number), and has no "second signal exits at once" (see
/// ``SignalWatch`` for why that stays on a thread of its own).
package enum Lifecycle {
    /// Runs `work` until it returns, stopped gracefully by SIGINT or SIGTERM.
    ///
    /// The signals must already be blocked (``SignalWatch/block()``, first thing in `main`), so
    /// that one arriving before this call is taken here rather than ending the process.
    /// - Parameters:
    ///   - message: what to print on the first signal, given its name.
    ///   - work: the command's work; it stops reading once its ``StopRequest`` is requested.
    /// - Returns: what `work` returned. - Throws: what `work` threw.
    package static func runStoppable<T: Sendable>(
        message: @escaping @Sendable (String) -> String,
        _ work: @escaping @Sendable (StopRequest) async throws -> T
    ) async throws -> T {
        let stop = try StopRequest()
        try SignalWatch.start(stop: stop, message: message)
        return try await run(stop: stop, work)
    }

    /// Runs `work` in a service group that shuts down gracefully once `stop` is requested (by
    /// anyone: the signal thread in a program, a test directly).
    package static func run<T: Sendable>(
        stop: StopRequest, _ work: @escaping @Sendable (StopRequest) async throws -> T
    ) async throws -> T {
        let workService = WorkService(stop: stop, work: work)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    // Shut down last (a group shuts down in reverse order): still listening while
                    // the work finishes.
                    .init(service: StopWaiter(stop: stop), successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(
                        service: workService, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: Logger(label: "ddbcdc.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await group.run()
        guard let result = workService.result.withLock({ $0 }) else {
            // The group ended without running the work to its end: only cancellation does that.
            throw CancellationError()
        }
        return try result.get()
    }

    /// Returns once stop is requested (its return shuts the group down), or at the group's
    /// graceful shutdown once the work has returned.
    private struct StopWaiter: Service {
        let stop: StopRequest

        func run() async throws {
            await cancelWhenGracefulShutdown { [stop] in await stop.requested() }
        }
    }

    /// The work, whose outcome is kept rather than thrown, so the group ends the same way either way
    /// and the caller gets the work's own error.
    private final class WorkService<T: Sendable>: Service {
        let stop: StopRequest
        let work: @Sendable (StopRequest) async throws -> T
        let result = Mutex<Result<T, any Error>?>(nil)

        init(stop: StopRequest, work: @escaping @Sendable (StopRequest) async throws -> T) {
            self.stop = stop
            self.work = work
        }

        func run() async throws {
            let outcome: Result<T, any Error>
            do {
                outcome = .success(
                    try await withGracefulShutdownHandler {
                        try await work(stop)
                    } onGracefulShutdown: { [stop] in
                        // Already requested by a signal (which keeps its number); otherwise a
                        // shutdown counts as SIGTERM, what a service manager sends.
                        stop.request(SIGTERM)
                    })
            } catch {
                outcome = .failure(error)
            }
            result.withLock { $0 = outcome }
        }
    }
}
