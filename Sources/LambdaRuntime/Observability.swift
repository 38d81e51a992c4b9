package import Logging
package import Timekeeping
import Pipeline
import ProcessKit

/// One CloudWatch Embedded Metric Format line per invocation (stdout; CloudWatch Logs turns it
/// into metrics in namespace `ddbcdc`, dimension `FunctionName`): the metrics of `FunctionMetric` (Pipeline),
/// the list `emit-infra`'s alarms and dashboard are made from.
package enum EmbeddedMetrics {
    package static func line(_ outcome: StreamsHandler.Outcome, functionName: String, now: EpochMillis) -> String {
        let iteratorAge = outcome.oldestChange.map { max(0, now.rawValue - $0) } ?? 0
        let metrics: [(String, String, Int64)] = FunctionMetric.allCases.map { metric in
            let value: Int64 =
                switch metric {
                case .records: Int64(outcome.records)
                case .rows: Int64(outcome.rows)
                case .objects: Int64(outcome.objects)
                case .bytesIn: Int64(outcome.bytesIn)
                case .bytesOut: Int64(outcome.bytesOut)
                case .setAside: Int64(outcome.setAside)
                case .failedRecords: Int64(outcome.failures.count)
                case .flushLatency: outcome.flushMillis
                case .iteratorAge: iteratorAge
                }
            return (metric.rawValue, metric.unit, value)
        }
        var out: [UInt8] = Array(#"{"_aws":{"Timestamp":"#.utf8) + Array(String(now.rawValue).utf8)
        out += Array(#","CloudWatchMetrics":[{"Namespace":"#.utf8)
        appendJSON(FunctionMetric.namespace, to: &out)
        out += Array(#","Dimensions":[["#.utf8)
        appendJSON(FunctionMetric.dimension, to: &out)
        out += Array(#"]],"Metrics":["#.utf8)
        for (index, metric) in metrics.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"Name":""#.utf8) + Array(metric.0.utf8) + Array(#"","Unit":""#.utf8) + Array(metric.1.utf8) + Array(#""}"#.utf8)
        }
        out += Array(#"]}]},"#.utf8)
        appendJSON(FunctionMetric.dimension, to: &out)
        out.append(UInt8(ascii: ":"))
        appendJSON(functionName, to: &out)
        for metric in metrics {
            out += Array(",\"\(metric.0)\":\(metric.2)".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}

/// swift-log handler writing one JSON object per line to standard output (Lambda's log stream).
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    package let label: String
    /// Where log lines' timestamps come from.
    package var clock: EpochClock = .system

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var out: [UInt8] = Array(#"{"timestamp":"#.utf8) + Array(String(clock.now().rawValue).utf8)
        out += Array(#","level":"#.utf8)
        appendJSON(event.level.rawValue, to: &out)
        out += Array(#","logger":"#.utf8)
        appendJSON(label, to: &out)
        out += Array(#","message":"#.utf8)
        appendJSON("\(event.message)", to: &out)
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            out.append(UInt8(ascii: ","))
            appendJSON(key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSON("\(value)", to: &out)
        }
        out += Array("}\n".utf8)
        var sink = FileSink.standardOutputLine
        try? sink.write(out)
        try? sink.flush()
    }
}
