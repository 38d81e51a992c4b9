import NDJSONBuffer
import Pipeline
package import S3Sink
import StreamNormalize
package import Timekeeping

/// The Lambda handler: a DynamoDB Streams event in, objects in S3, and a partial batch response
/// naming every record that is not durable (Lambda restarts from the lowest).
package struct StreamsHandler: Sendable {
    package let configuration: LambdaConfiguration
    package let sink: any ObjectSink
    package let clock: EpochClock

    /// What one invocation did, for the response, the logs and the metrics.
    package struct Outcome: Sendable {
        package var failures: [String] = []
        package var records = 0
        package var rows = 0
        package var objects = 0
        package var bytesIn = 0
        package var bytesOut = 0
        package var setAside = 0
        package var notWritten: [String] = []
        package var flushMillis: Int64 = 0
        package var oldestChange: Int64?
        /// Why the invocation must fail as a whole: records were consumed that no partial batch
        /// response can name (they are neither durable nor identified by a sequence number).
        package var invocationError: String?

        /// What Lambda is told: the partial batch response, or, when consumed records can be
        /// neither kept nor named (``invocationError``), an invocation error, so the batch is retried whole.
        package func answer() throws(LambdaError) -> [UInt8] {
            if let invocationError { throw LambdaError(type: "ddbcdc.UnidentifiedRecords", message: invocationError) }
            return response
        }

        /// `{"batchItemFailures":[{"itemIdentifier":"…"},…]}`.
        package var response: [UInt8] {
            var out = Array(#"{"batchItemFailures":["#.utf8)
            for (index, sequence) in failures.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += Array(#"{"itemIdentifier":"#.utf8)
                appendJSON(sequence, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out += Array("]}".utf8)
            return out
        }
    }

    package func handle(_ invocation: Invocation) async -> Outcome {
        let engine = Engine(
            settings: EngineSettings(
                limits: configuration.limits, prefix: configuration.prefix, partitionBy: .eventTime, rows: configuration.rows,
                encoder: configuration.encoder, maxInFlight: configuration.maxInFlight,
                // One _errors object per invocation; the event is read to its end even when an
                // object fails, so that every record's position is known.
                maxErrorBytes: .max, stopReadingOnWriteFailure: false),
            sink: sink, clock: clock)
        let started = clock.now()
        var source = LambdaEventSource(invocation.body)
        // What is not durable by the deadline (less the margin) fails.
        let report = await engine.run(&source, deadline: invocation.deadline.adding(millis: -configuration.deadlineMarginMillis))
        var outcome = Outcome()
        outcome.flushMillis = clock.now().millis(since: started)
        outcome.records = report.records
        outcome.rows = report.rowsWritten
        outcome.objects = report.objects
        outcome.bytesIn = report.bytesIn
        outcome.bytesOut = report.bytesOut
        outcome.setAside = report.setAside
        outcome.oldestChange = report.oldestChange
        outcome.notWritten = report.notWritten.map { "\($0)" }
        // The partial batch response: every record whose position was not acknowledged.
        outcome.failures = Self.uniqued(report.unacknowledged)
        if let lost = report.lostUnnamedInput {
            // Input that named no record was consumed and is not durable anywhere: no partial
            // batch response can name it, so the invocation fails and is retried whole.
            outcome.invocationError = "input set aside that names no record could not be written to _errors: \(lost)"
        }
        if let failure = report.inputFailures.first {
            // Reading itself failed (an event larger than the reader accepts): nothing is claimed.
            outcome.invocationError = "the event could not be read: \(failure.message)"
        }
        return outcome
    }

    package static func uniqued(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
