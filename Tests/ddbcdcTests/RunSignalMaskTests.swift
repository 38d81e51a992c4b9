import Foundation
import Testing

/// `ddbcdc run` started with SIGINT and SIGTERM deliverable (Foundation's Process passes on the
/// test thread's mask, in which they are blocked, and would hide a thread that takes a signal
/// with the default action): a signal at any moment after `main` blocked them stops the run
/// gracefully, and no thread of the process leaves them unblocked.
@Suite struct RunSignalMaskTests {
    typealias Events = RunCommandTests

    /// A started `ddbcdc`, its standard input a pipe we hold.
    struct Child {
        var pid: pid_t
        var stdin: Int32
        var err: URL

        /// Waits for the end (at most `seconds`, then SIGKILL): the exit status, or nil when ended by a signal.
        func wait(_ seconds: Double) -> Int32? {
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(seconds)
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    Issue.record("ddbcdc did not end within \(seconds) s")
                    return nil
                }
                usleep(10_000)
            }
            // WIFEXITED / WEXITSTATUS, spelled out (C macros).
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : nil
        }

        var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

        /// The blocked-signal mask of each thread (/proc/PID/task/*/status, SigBlk), and whether
        /// the thread is waiting in sigwait (which unblocks the signals it waits for meanwhile).
        func threadMasks() throws -> [String: (mask: UInt64, inSigwait: Bool)] {
            var masks: [String: (mask: UInt64, inSigwait: Bool)] = [:]
            for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
                guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { continue }
                let wchan = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/wchan", encoding: .utf8)) ?? ""
                if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
                    let mask = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
                {
                    masks[task] = (mask, wchan.contains("sigtimedwait"))
                }
            }
            return masks
        }

        /// Whether the main thread has blocked both signals.
        var blocksBoth: Bool {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
                let mask = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
            else { return false }
            return mask & RunSignalMaskTests.both == RunSignalMaskTests.both
        }
    }

    static let both: UInt64 = (1 << UInt64(SIGINT - 1)) | (1 << UInt64(SIGTERM - 1))

    /// Starts `ddbcdc` with an empty signal mask and default dispositions.
    static func spawn(_ arguments: [String]) throws -> Child {
        let dir = try CommandRunner.temporaryDirectory()
        let err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: err.path, contents: nil)
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let errFD = open(err.path, O_WRONLY)
        try #require(errFD >= 0)
        defer { close(errFD) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[0], 0)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)
        posix_spawn_file_actions_addclose(&actions, ends[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([CommandRunner.binary.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, CommandRunner.binary.path, &actions, &attributes, argv, environ)
        close(ends[0])
        try #require(spawned == 0, "posix_spawn: \(spawned)")
        return Child(pid: pid, stdin: ends[1], err: err)
    }

    @Test func aSignalAsSoonAsMainBlockedItStillStopsTheRunGracefully() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let child = try Self.spawn(["run", "--input", "-", "--sink", dir.appendingPathComponent("out").path, "--max-seconds", "0", "--quiet"])
        defer { close(child.stdin) }
        // The earliest moment it may come: before the sink, the service group or the signal thread exist.
        for _ in 0..<2000 where !child.blocksBoth { usleep(500) }
        try #require(child.blocksBoth, "main did not block SIGINT and SIGTERM")
        kill(child.pid, SIGTERM)
        let status = child.wait(30)
        #expect(status == 143, "ended by the signal itself, or another status: \(child.stderr)")
        #expect(child.stderr.contains("interrupted by SIGTERM"), "\(child.stderr)")
    }

    @Test func everyThreadBlocksBothSignalsWhileTheRunWrites() throws {
        let dir = try CommandRunner.temporaryDirectory()
        let child = try Self.spawn(["run", "--input", "-", "--sink", dir.appendingPathComponent("out").path, "--max-seconds", "0", "--max-records", "2", "--quiet"])
        defer { close(child.stdin) }
        // Records enough for objects to be written: the writer's threads exist.
        let records = Data(Events.events(count: 20).utf8)
        records.withUnsafeBytes { _ = write(child.stdin, $0.baseAddress, $0.count) }
        let out = dir.appendingPathComponent("out")
        for _ in 0..<1000 where ((try? Events.files(out))?.count ?? 0) < 5 { usleep(10_000) }
        let masks = try child.threadMasks()
        #expect(masks.count > 2, "not yet writing: \(masks)")
        // The signal thread, in sigwait: the one place they are taken.
        #expect(masks.values.filter(\.inSigwait).count == 1, "\(masks)")
        for (thread, state) in masks where !state.inSigwait {
            #expect(state.mask & Self.both == Self.both, "thread \(thread) would take SIGINT or SIGTERM with the default action")
        }
        kill(child.pid, SIGINT)
        #expect(child.wait(30) == 130, "\(child.stderr)")
        #expect(child.stderr.contains("interrupted by SIGINT"), "\(child.stderr)")
    }
}
