#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A request to stop reading input, made once (by the first SIGINT or SIGTERM).
///
/// Readers check ``isRequested`` between reads and poll ``fileDescriptor`` beside an input that
/// may block (a quiet pipe), so a request ends the wait at once.
package final class StopRequest: Sendable {
    private let requested = Atomic<Int32>(0)
    /// Readable (never drained) once stop is requested.
    package let fileDescriptor: Int32
    private let writeEnd: Int32

    /// A request not yet made.
    /// - Throws: ``IOError`` when no pipe can be made.
    package init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw IOError(message: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        fileDescriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        _ = close(fileDescriptor)
        _ = close(writeEnd)
    }

    /// Makes the request (the first call wins); `reason` is a signal number, or any non-zero value.
    /// - Returns: whether this call made it.
    @discardableResult
    package func request(_ reason: Int32) -> Bool {
        guard requested.compareExchange(expected: 0, desired: reason, ordering: .sequentiallyConsistent).exchanged else {
            return false
        }
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
        return true
    }

    /// Whether stop was requested.
    package var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) != 0 }

    /// The reason given (the signal number), if stop was requested.
    package var reason: Int32? {
        let value = requested.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }
}

/// SIGINT and SIGTERM as a ``StopRequest``, without a signal handler.
///
/// `install` blocks both signals in the calling thread, so in every thread started after it, and
/// starts one thread that takes them with `sigwait`: the first makes the request and says so on
/// standard error; a second ends the process at once with status 128 + its number (the shell's
/// convention). Nothing runs in signal context, so nothing has to be async-signal-safe.
package enum SignalWatch {
    /// The signals watched.
    package static let signals: [Int32] = [SIGINT, SIGTERM]

    /// Call before any other thread is started (before the first `Task` or HTTP client): a
    /// thread started earlier keeps the default action, and a signal delivered to it ends the
    /// process.
    /// - Parameter message: what to print on the first signal, given its name.
    package static func install(message: @escaping @Sendable (String) -> String) throws -> StopRequest {
        let stop = try StopRequest()
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        guard pthread_sigmask(SIG_BLOCK, &set, nil) == 0 else { throw IOError(message: "cannot block SIGINT and SIGTERM") }
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

    private final class Context: @unchecked Sendable {
        let stop: StopRequest
        let message: @Sendable (String) -> String

        init(stop: StopRequest, message: @escaping @Sendable (String) -> String) {
            self.stop = stop
            self.message = message
        }

        func waitForSignals() -> Never {
            var set = sigset_t()
            sigemptyset(&set)
            for signal in SignalWatch.signals { sigaddset(&set, signal) }
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
