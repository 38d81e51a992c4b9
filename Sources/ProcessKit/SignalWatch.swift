#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// SIGINT and SIGTERM as a ``StopRequest``, without a signal handler.
///
/// ``block()`` blocks both signals in the calling thread, so in every thread started after it;
/// ``start(stop:message:)`` starts one thread that takes them with `sigwait`: the first makes
/// the request and says so on standard error; a second ends the process at once with status
/// 128 + its number (the shell's convention). Nothing runs in signal context, so nothing has to
/// be async-signal-safe.
///
/// Why a thread of its own rather than ServiceLifecycle's signal sequence: that sequence is read
/// by a task, which needs a thread of the cooperative pool, and the pool can be busy with the
/// writer's work (or blocked in a read) when the second signal comes; this thread is always free
/// to take it. ``Lifecycle`` turns the first signal into the service group's graceful shutdown.
package enum SignalWatch {
    /// The signals watched.
    package static let signals: [Int32] = [SIGINT, SIGTERM]

    /// Blocks SIGINT and SIGTERM in the calling thread. Call first thing in `main`, before any
    /// other thread is started (the first `Task`, an HTTP client): threads inherit the mask, and
    /// one started earlier keeps the default action, so a signal delivered to it would end the
    /// process. A signal that arrives after this and before ``start(stop:message:)`` stays
    /// pending and is taken then.
    package static func block() throws {
        var set = signalSet()
        guard pthread_sigmask(SIG_BLOCK, &set, nil) == 0 else { throw IOError(message: "cannot block SIGINT and SIGTERM") }
    }

    /// Starts the thread that takes the blocked signals; ``block()`` must have been called.
    /// - Parameter message: what to print on the first signal, given its name.
    package static func start(stop: StopRequest, message: @escaping @Sendable (String) -> String) throws {
        let context = Unmanaged.passRetained(Context(stop: stop, message: message)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue().waitForSignals()
            }, context)
        guard started == 0 else {
            Unmanaged<Context>.fromOpaque(context).release()
            throw IOError(message: "cannot start the signal thread: \(String(cString: strerror(started)))")
        }
        pthread_detach(thread)
    }

    /// ``block()``, then a new request with the thread started: for a caller that is still the
    /// only thread.
    package static func install(message: @escaping @Sendable (String) -> String) throws -> StopRequest {
        try block()
        let stop = try StopRequest()
        try start(stop: stop, message: message)
        return stop
    }

    /// The conventional name of a watched signal.
    package static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    private final class Context: @unchecked Sendable {
        let stop: StopRequest
        let message: @Sendable (String) -> String

        init(stop: StopRequest, message: @escaping @Sendable (String) -> String) {
            self.stop = stop
            self.message = message
        }

        func waitForSignals() -> Never {
            var set = SignalWatch.signalSet()
            while true {
                var signal: Int32 = 0
                guard sigwait(&set, &signal) == 0 else { continue }
                if stop.request(signal) {
                    printError(message(SignalWatch.name(signal)))
                } else {
                    printError("ddbcdc: \(SignalWatch.name(signal)) again: exiting now; what was not yet written is lost")
                    _exit(128 + signal)
                }
            }
        }
    }
}
