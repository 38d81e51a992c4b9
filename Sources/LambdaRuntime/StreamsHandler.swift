package import DDBTypes
package import Logging
package import NDJSONBuffer
package import S3Sink
package import StreamNormalize

/// The Lambda handler: a DynamoDB Streams event in, objects in S3, and a partial batch response
/// naming every record that is not durable (Lambda restarts from the lowest).
package struct StreamsHandler: Sendable {
    package let configuration: LambdaConfiguration
    package let sink: any ObjectSink
    package let now: @Sendable () -> Int64

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

    /// Which open batch a row goes to: the batcher keeps one per partition and table.
    private struct BatchKey: Hashable {
        var partition: Partition
        var table: String?
    }

    private struct Upload: Sendable {
        var key: String
        var body: [UInt8]
        var compress: Bool
        var sequences: [String]
        var rows: Int
    }

    package func handle(_ invocation: Invocation) async -> Outcome {
        var outcome = Outcome()
        var batcher = Batcher(limits: configuration.limits, prefix: configuration.prefix)
        var pending: [BatchKey: [String]] = [:]
        var uploads: [Upload] = []
        var errors: [UInt8] = []
        // Records set aside one by one: acknowledged once the _errors object is durable.
        var errorSequences: [String] = []
        // Records that unreadable input held together: never turned into rows, so never acknowledged.
        var unread: [String] = []
        var unidentified = false
        var reader = ChangeStreamReader(options: configuration.rows)
        var source = MemorySource(invocation.body)
        let summary = try? reader.run(
            &source,
            onRow: { row, info in
                let partition = Partition(epochMillis: info.changeTime)
                pending[BatchKey(partition: partition, table: info.table), default: []].append(info.sequenceNumberText)
                outcome.oldestChange = min(outcome.oldestChange ?? info.changeTime, info.changeTime)
                batcher.add(row: row, info: info, partition: partition, now: 0) { batch in
                    let key = BatchKey(partition: batch.partition, table: batch.table)
                    let sequences = Array(pending[key]!.prefix(batch.count))
                    pending[key]!.removeFirst(batch.count)
                    uploads.append(Upload(key: batch.key, body: batch.rows, compress: true, sequences: sequences, rows: batch.count))
                }
            },
            onError: { error in
                errors += error.jsonLine
                if error.recordCount > 1 {
                    unread += error.sequenceNumbers
                } else {
                    errorSequences += error.sequenceNumbers
                }
                if !error.isIdentified || error.recordCount == 0 { unidentified = true }
            })
        batcher.sealAll { batch in
            let key = BatchKey(partition: batch.partition, table: batch.table)
            let sequences = Array(pending[key]!.prefix(batch.count))
            pending[key]!.removeFirst(batch.count)
            uploads.append(Upload(key: batch.key, body: batch.rows, compress: true, sequences: sequences, rows: batch.count))
        }
        if !errors.isEmpty {
            uploads.append(Upload(key: batcher.errorsKey(for: errors), body: errors, compress: false, sequences: errorSequences, rows: 0))
        }
        outcome.records = summary?.records ?? 0
        outcome.setAside = summary?.errors ?? 0

        // Upload everything, but answer before the deadline: what is not durable by then fails.
        let started = now()
        let budget = max(0, invocation.deadline - started - configuration.deadlineMarginMillis)
        let done = uploads.isEmpty ? [:] : await withTaskGroup(of: (Int, Int, SinkError?).self, returning: [Int: (Int, SinkError?)].self) { group in
            for (index, upload) in uploads.enumerated() {
                group.addTask { [sink, configuration] in
                    let body = upload.compress ? Gzip.compress(upload.body, level: configuration.gzipLevel) : upload.body
                    do throws(SinkError) {
                        try await sink.put(key: upload.key, body: body)
                        return (index, body.count, nil)
                    } catch {
                        return (index, body.count, error)
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(budget))
                return (-1, 0, nil)
            }
            var results: [Int: (Int, SinkError?)] = [:]
            while let (index, size, error) = await group.next() {
                if index < 0 {
                    if results.count < uploads.count { group.cancelAll() }
                    if results.count == uploads.count { break }
                    continue
                }
                results[index] = (size, error)
                if results.count == uploads.count {
                    group.cancelAll()
                    break
                }
            }
            return results
        }
        outcome.flushMillis = now() - started
        for (index, upload) in uploads.enumerated() {
            if let (size, error) = done[index], error == nil {
                if upload.compress {
                    outcome.objects += 1
                    outcome.rows += upload.rows
                }
                outcome.bytesIn += upload.body.count
                outcome.bytesOut += size
            } else {
                let reason = done[index]?.1.map { "\($0)" } ?? "\(upload.key): not durable before the invocation's deadline"
                outcome.notWritten.append(reason)
                outcome.failures += upload.sequences
                if !upload.compress && unidentified {
                    // Input that named no record was consumed and is not durable anywhere: no
                    // partial batch response can name it, so the invocation fails and is retried whole.
                    outcome.invocationError = "input set aside that names no record could not be written to _errors: \(reason)"
                }
            }
        }
        outcome.failures += unread
        if summary == nil {
            // Reading itself failed (an event larger than the reader accepts): nothing is claimed.
            // Every SequenceNumber in it, as the reader finds them in input it cannot read.
            outcome.failures = invocation.body.withUnsafeBufferPointer { Resync.sequenceNumbers(in: $0) }
            if outcome.failures.isEmpty { outcome.invocationError = "the event could not be read and names no SequenceNumber" }
        }
        outcome.failures = Self.uniqued(outcome.failures)
        return outcome
    }

    package static func uniqued(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
