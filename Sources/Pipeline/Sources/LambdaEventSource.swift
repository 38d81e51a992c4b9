package import StreamNormalize

/// A Lambda event as the engine's source: one input, each record's position its SequenceNumber
/// (what the partial batch response names).
package struct LambdaEventSource: RecordSource {
    private let body: [UInt8]
    private var taken = false

    package init(_ body: [UInt8]) { self.body = body }

    package mutating func nextInput(wait: ReadDeadline) -> SourceInput<MemorySource>? {
        guard !taken else { return nil }
        taken = true
        return SourceInput(name: nil, bytes: MemorySource(body))
    }

    package func position(of info: RowInfo, index: Int) -> String { info.sequenceNumberText }

    package func positions(of error: StreamError, index: Int) -> [String] { error.sequenceNumbers }
}
