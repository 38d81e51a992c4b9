/// The metrics the Lambda function publishes once per invocation as CloudWatch Embedded Metric
/// Format (namespace ``namespace``, one dimension ``dimension``): the one list both the EMF line
/// (LambdaRuntime's `EmbeddedMetrics`) and `emit-infra`'s alarms and dashboard are made from, so a
/// renamed metric cannot leave an alarm watching a name nothing publishes.
package enum FunctionMetric: String, CaseIterable, Sendable {
    /// Records in the invocation's event, good and bad.
    case records = "Records"
    /// Rows written to objects.
    case rows = "Rows"
    /// Data objects written.
    case objects = "Objects"
    /// Bytes of the event read.
    case bytesIn = "BytesIn"
    /// Bytes of objects written (compressed).
    case bytesOut = "BytesOut"
    /// Records set aside in `_errors/` (no retry could make them rows). Named `Errors` since the
    /// first release; dashboards and alarms call it "set aside".
    case setAside = "Errors"
    /// Records named in the partial batch response (Lambda retries from the lowest).
    case failedRecords = "FailedRecords"
    /// Milliseconds from the handler's start to the last object durable (or the deadline).
    case flushLatency = "FlushLatency"
    /// Milliseconds from the oldest change's creation in the stream to the invocation's end.
    case iteratorAge = "IteratorAge"

    /// The CloudWatch namespace of the function's own metrics.
    package static let namespace = "ddbcdc"
    /// The one dimension every metric carries: the function's name.
    package static let dimension = "FunctionName"

    /// The CloudWatch unit the metric is published in.
    package var unit: String {
        switch self {
        case .records, .rows, .objects, .setAside, .failedRecords: "Count"
        case .bytesIn, .bytesOut: "Bytes"
        case .flushLatency, .iteratorAge: "Milliseconds"
        }
    }
}
