import DDBTypes
import StreamNormalize

/// Small stream records written out by hand, and a way to run the reader over text.
enum Fixtures {
    static let insert = #"""
        {"eventID":"e1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1767225600.123,"Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"a"},"sk":{"N":"1"},"price":{"N":"12345678901234567890123456789012345678"},"tags":{"SS":["b","a"]},"blob":{"B":"AAEC"}},"SequenceNumber":"100000000000000000001","SizeBytes":10,"StreamViewType":"NEW_AND_OLD_IMAGES"},"eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/t/stream/x"}
        """#
    static let modify = #"""
        {"eventID":"e2","eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225601,"Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"NewImage":{"pk":{"S":"a"},"sk":{"N":"1"},"updated_at":{"N":"5"}},"OldImage":{"pk":{"S":"a"},"sk":{"N":"1"},"price":{"N":"1"}},"SequenceNumber":"100000000000000000002"}}
        """#
    static let ttlRemove = #"""
        {"eventID":"e3","eventName":"REMOVE","eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1767225602,"Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"OldImage":{"pk":{"S":"a"},"sk":{"N":"1"},"note":{"S":"old"}},"SequenceNumber":"100000000000000000003"},"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}}
        """#
    static var all: [String] { [insert, modify, ttlRemove] }

    static func lambdaEvent(_ records: [String]) -> String { #"{"Records":["# + records.joined(separator: ",") + "]}" }

    struct Result {
        var rows: [String] = []
        var infos: [RowInfo] = []
        var errors: [StreamError] = []
        var summary = ChangeStreamReader.Summary()
    }

    /// Runs the reader over `input`, delivered `chunk` bytes at a time.
    static func read(
        _ input: [UInt8], options: NormalizeOptions = NormalizeOptions(ingestTime: 7), chunk: Int = .max, readerChunk: Int = 1 << 20
    ) throws -> Result {
        var source = MemorySource(input)
        source.maxChunk = chunk
        var reader = ChangeStreamReader(options: options, chunkSize: readerChunk)
        var result = Result()
        result.summary = try reader.run(
            &source,
            onRow: { row, info in
                result.rows.append(String(decoding: row, as: UTF8.self))
                result.infos.append(info)
            },
            onError: { result.errors.append($0) })
        return result
    }

    static func read(_ input: String, options: NormalizeOptions = NormalizeOptions(ingestTime: 7), chunk: Int = .max, readerChunk: Int = 1 << 20) throws -> Result {
        try read(Array(input.utf8), options: options, chunk: chunk, readerChunk: readerChunk)
    }
}
