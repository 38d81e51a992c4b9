import Foundation
import Synchronization
import Testing

import ProcessKit
@testable import ProcessLifecycle

/// The stop request and the service group that turns it into a graceful shutdown, driven
/// directly (the signals themselves: Tests/ddbcdcTests/RunInputTests.swift).
@Suite struct LifecycleTests {
    struct Failure: Error, Equatable { var text: String }


    @Test func workThatEndsByItselfGivesItsValueAndLeavesStopUnrequested() async throws {
        let stop = try StopRequest()
        let value = try await Lifecycle.run(stop: stop) { _ in 42 }
        #expect(value == 42)
        #expect(!stop.isRequested, "the group's shutdown after the work is no stop request")
    }

    @Test func workErrorsReachTheCallerAsThrown() async throws {
        let stop = try StopRequest()
        await #expect(throws: Failure(text: "no")) {
            try await Lifecycle.run(stop: stop) { _ -> Int in throw Failure(text: "no") }
        }
    }

    @Test func aStopRequestShutsTheGroupDownAndTheWorkFinishesWhatItHas() async throws {
        let stop = try StopRequest()
        let started = Mutex(false)
        // Work that reads until stopped, as `run` does, then "writes" what it read.
        async let outcome = Lifecycle.run(stop: stop) { stop -> String in
            started.withLock { $0 = true }
            await stop.requested()
            return "written after \(stop.reason ?? 0)"
        }
        while !started.withLock({ $0 }) { await Task.yield() }
        stop.request(2)
        #expect(try await outcome == "written after 2")
    }

    @Test func aRequestMadeBeforeTheGroupRunsStopsTheWorkAtOnce() async throws {
        let stop = try StopRequest()
        stop.request(15)
        let outcome = try await Lifecycle.run(stop: stop) { stop -> Int32? in
            await stop.requested()
            return stop.reason
        }
        #expect(outcome == 15)
    }
}
