import Foundation
import S3Sink
import StreamNormalize
import Synchronization
import Testing

@testable import LambdaRuntime
@testable import Pipeline

/// The handler's answer is the engine's acknowledgments, seen from Lambda: over random events and
/// random sets of objects that fail, `batchItemFailures` names exactly the records that are not
/// durable (as rows, or raw in `_errors`), and no durable record.
@Suite struct AnswerPropertyTests {
    static func gunzip(_ body: [UInt8]) throws -> [UInt8] {
        var source = GunzipSource(MemorySource(body), path: "object")
        defer { source.close() }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { return out }
            out += buffer[..<count]
        }
    }

    static func sequenceNumbers(inRows rows: [UInt8]) -> Set<String> {
        Set(
            String(decoding: rows, as: UTF8.self).split(separator: "\n").map { line in
                let seq = line.split(separator: "\"_seq\":\"")[1].prefix { $0 != "\"" }
                return String(seq.split(separator: "-")[1].drop { $0 == "0" })
            })
    }

    @Test func failuresAreExactlyTheRecordsNotDurable() async throws {
        var random = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &random)
        var generator = Mix(seed: seed)
        for _ in 0..<1000 {
            let count = Int(generator.next() % 30)
            var records: [String] = []
            var bad: Set<String> = []
            for n in 0..<count {
                let isBad = generator.next() % 8 == 0
                if isBad { bad.insert(String(1000 + n)) }
                let image = isBad ? #"{"pk":{"S":"k\#(n)"},"v":{"N":"NaN"}}"# : nil
                records.append(LambdaTests.record(n, hour: Int(generator.next() % 3), image: image))
            }
            let failSeed = generator.next()
            let sink = MemorySink(failing: { key in
                var mix = Mix(seed: failSeed ^ UInt64(truncatingIfNeeded: key.hashValueStable))
                return mix.next() % 3 == 0
            })
            let maxRecords = String(1 + generator.next() % 4)
            let outcome = try await LambdaTests.handler(sink, environment: ["MAX_RECORDS": maxRecords]).handle(LambdaTests.invocation(records))
            var durable: Set<String> = []
            for (key, body) in sink.objects.withLock({ $0 }) {
                if key.hasPrefix("_errors/") { durable.formUnion(bad) } else { durable.formUnion(Self.sequenceNumbers(inRows: try Self.gunzip(body))) }
            }
            let all = Set((0..<count).map { String(1000 + $0) })
            let failures = try LambdaTests.failures(outcome)
            #expect(Set(failures) == all.subtracting(durable), "seed \(seed)")
            #expect(failures.count == Set(failures).count, "each failure named once (seed \(seed))")
            #expect(outcome.invocationError == nil)
        }
    }
}

extension String {
    /// A hash that is the same on every run (Swift's `hashValue` is seeded per process).
    var hashValueStable: Int { utf8.reduce(5381) { ($0 &* 33) &+ Int($1) } }
}

/// SplitMix64.
struct Mix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
