#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A request to stop reading input, made once (by the first SIGINT or SIGTERM, or a graceful
/// shutdown of the service group).
///
/// Readers check ``isRequested`` between reads and poll ``fileDescriptor`` beside an input that
/// may block (a quiet pipe), so a request ends the wait at once; async code awaits ``requested()``.
package final class StopRequest: Sendable {
    private let requested = Atomic<Int32>(0)
    /// Readable (never drained) once stop is requested.
    package let fileDescriptor: Int32
    private let writeEnd: Int32
    private let waiters: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// A request not yet made.
    /// - Throws: ``IOError`` when no pipe can be made.
    package init() throws {
        // Plain pipe(2) rather than swift-system: the fuzzing build (scripts/fuzz.sh) compiles this
        // file with GunzipSource and nothing from outside the toolchain.
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw IOError(message: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        fileDescriptor = ends[0]
        writeEnd = ends[1]
        (waiters, wake) = AsyncStream.makeStream(of: Void.self)
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
        // Safe from any thread (the signal thread included): a write and a continuation's finish.
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
        wake.finish()
        return true
    }

    /// Whether stop was requested.
    package var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) != 0 }

    /// The reason given (the signal number), if stop was requested.
    package var reason: Int32? {
        let value = requested.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }

    /// Returns once stop is requested, or when the calling task is cancelled. One waiter at a
    /// time (an `AsyncStream` underneath); ``Lifecycle`` is that waiter in a program.
    package func requested() async {
        for await _ in waiters {}
    }
}
