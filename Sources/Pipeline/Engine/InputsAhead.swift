package import StreamNormalize

/// Inputs the engine opened after the one it is reading, each with a ``ParallelReader`` whose
/// first segments the workers read meanwhile: a directory of files smaller than a segment is read
/// on as many threads as one large file.
///
/// An input is opened ahead only once every byte of the inputs before it is in segments, and the
/// workers get segments of it only while fewer than ``ParallelReader/lookahead`` are out in all;
/// at most that many inputs are open ahead, and none after one that could not be opened. Rows,
/// errors and failures are still handed on input after input, in order: a source that lets inputs
/// be opened ahead (``RecordSource/opensInputsAhead``) is told when the next one's records come
/// (``RecordSource/readingNextInput()``).
struct InputsAhead<Bytes: ByteSource> {
    private struct Opened {
        var input: SourceInput<Bytes>
        var reader: ParallelReader

        mutating func readAhead(segments: Int) { reader.readAhead(&input.bytes, segments: segments) }
    }

    /// The engine's next input.
    enum Turn {
        case input(SourceInput<Bytes>)
        case failed(InputFailure)
    }

    private let options: NormalizeOptions
    private let threads: Int
    private var opened: [Opened] = []
    /// The input after the opened ones could not be opened.
    private var failure: InputFailure?
    /// Readers of inputs read to their end, for the next inputs (their buffers are kept).
    private var spareReaders: [ParallelReader] = []
    /// The source said it has no more inputs.
    private var sourceEnded = false

    init(options: NormalizeOptions, threads: Int) {
        self.options = options
        self.threads = threads
    }

    /// Gives the workers more segments of the inputs opened ahead while they have room; returns
    /// whether the next input should be opened (``add(_:)``) for them.
    /// - Parameter current: the reader of the input being handed on.
    mutating func readAhead(after current: ParallelReader) -> Bool {
        guard threads > 1, failure == nil, current.hasCutAll else { return false }
        if !opened.isEmpty, !opened[opened.count - 1].reader.hasCutAll {
            let room = room(after: current)
            guard room > 0 else { return false }
            opened[opened.count - 1].readAhead(segments: room)
            guard opened[opened.count - 1].reader.hasCutAll else { return false }
        }
        return room(after: current) > 0 && !sourceEnded && opened.count < current.lookahead
    }

    /// Segments the workers may be given: ``ParallelReader/lookahead`` less those out.
    private func room(after current: ParallelReader) -> Int {
        opened.reduce(current.lookahead - current.segmentsAhead) { $0 - $1.reader.segmentsAhead }
    }

    /// The next input the source gave (`nil`: it has no more): its first segments go to the
    /// workers at the next ``readAhead(after:)``.
    mutating func add(_ input: SourceInput<Bytes>?) {
        guard let input else {
            sourceEnded = true
            return
        }
        var reader = spareReaders.popLast() ?? ParallelReader(options: options, threads: threads)
        reader.start(recordNamePrefix: input.recordNamePrefix, readAhead: input.readsAhead)
        opened.append(Opened(input: input, reader: reader))
    }

    /// The next input could not be opened: reported when its turn comes; none is opened after it
    /// until then.
    mutating func add(failure: InputFailure) {
        self.failure = failure
    }

    /// The input opened ahead whose turn it is, or `nil` if there is none: `reader` becomes its
    /// reader (the one it replaces is kept for later inputs).
    mutating func next(replacing reader: inout ParallelReader) -> Turn? {
        guard !opened.isEmpty else {
            defer { failure = nil }
            return failure.map { .failed($0) }
        }
        var next = opened.removeFirst()
        swap(&next.reader, &reader)
        if spareReaders.count < 2 { spareReaders.append(next.reader) }
        return .input(next.input)
    }

    /// Stops reading the inputs opened ahead and closes them (reading ended before their turn).
    mutating func discard() {
        for var entry in opened {
            entry.reader.cancel()
            entry.input.close()
        }
        opened = []
        failure = nil
    }
}
