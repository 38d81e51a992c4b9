import DDBTypes
import StreamNormalize
import Testing

// The code of Sources/StreamNormalize/StreamNormalize.docc/NormalizingRecords.md, run and checked:
// every ```swift block of the article appears here verbatim (scripts/check-docs.sh compares them),
// followed by what the article says it gives.

@Suite struct NormalizingRecordsTests {
    @Test func readsAnEventKeepsTheFactsAndSetsBadRecordsAside() throws {
        let event = #"""
            {"Records": [
              {"eventID": "e1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
               "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
               "dynamodb": {"ApproximateCreationDateTime": 1767225600, "SequenceNumber": "100",
                            "Keys": {"pk": {"S": "order#1"}},
                            "NewImage": {"pk": {"S": "order#1"}, "price": {"N": "12.50"}}}},
              {"eventID": "e2", "eventName": "REMOVE", "eventSource": "aws:dynamodb",
               "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
               "dynamodb": {"ApproximateCreationDateTime": 1767225601, "SequenceNumber": "101",
                            "Keys": {"pk": {"S": "order#1"}}}}
            ]}
            """#

        var reader = ChangeStreamReader(options: NormalizeOptions(ingestTime: 1_767_225_660_000))
        var source = MemorySource(event.utf8)
        var rows: [String] = []
        var infos: [RowInfo] = []
        var errors: [StreamError] = []
        let summary = try reader.run(
            &source,
            onRow: { row, info in
                rows.append(String(decoding: row, as: UTF8.self))
                infos.append(info)
            },
            onError: { errors.append($0) })

        #expect(summary.records == 2 && summary.rows == 2 && errors.isEmpty)
        #expect(rows.allSatisfy { $0.hasSuffix("}\n") && $0.filter { $0 == "\n" }.count == 1 })
        let upsert = try RowMembers(rows[0]), tombstone = try RowMembers(rows[1])
        #expect(upsert.members["pk"] == #""order#1""# && upsert.members["price"] == "12.50")
        #expect(upsert.members["is_deleted"] == "false" && upsert.members["_eventName"] == #""INSERT""#)
        #expect(tombstone.members["pk"] == #""order#1""# && tombstone.members["price"] == nil)
        #expect(tombstone.members["is_deleted"] == "true" && tombstone.members["_eventName"] == #""REMOVE""#)

        let first = infos[0]
        let table = first.table                 // "orders", from eventSourceARN
        let seq = first.orderKey.description    // "1767225600000-0000…0100"
        let deleted = infos[1].kind == .remove

        #expect(table == "orders")
        #expect(seq == "1767225600000-" + String(repeating: "0", count: 37) + "100")
        #expect(upsert.members["_seq"] == "\"" + seq + "\"", "the order key is the row's _seq")
        #expect(deleted)

        let bad = #"""
            {"eventID": "e3", "eventName": "INSERT", "eventSource": "aws:dynamodb",
             "dynamodb": {"ApproximateCreationDateTime": 1767225602, "SequenceNumber": "102",
                          "Keys": {"pk": {"S": "order#2"}},
                          "NewImage": {"pk": {"S": "order#2"}, "price": {"N": "1E+999"}}}}
            """#
        var badSource = MemorySource(bad.utf8)
        _ = try reader.run(&badSource, onRow: { _, _ in }, onError: { errors.append($0) })
        let problem = errors[0]
        let place = "\(problem.eventID ?? "?") \(problem.error.path)"   // "e3 NewImage.price"
        let errorLine = String(decoding: problem.jsonLine, as: UTF8.self)

        #expect(place == "e3 NewImage.price")
        #expect(problem.sequenceNumbers == ["102"] && problem.error.code == .numberOutOfRange)
        #expect(errorLine.contains(#""eventID":"e3""#) && errorLine.contains(#""1E+999""#), "the raw record is kept")
    }

    @Test func optionsChangeTheRowsShape() throws {
        let options = NormalizeOptions(
            layout: .flat,
            numbers: .string,
            tombstoneImage: .old,
            metadataNames: MetadataNames(prefix: "_cdc_"))

        let remove = #"""
            {"eventID": "e4", "eventName": "REMOVE", "eventSource": "aws:dynamodb",
             "dynamodb": {"ApproximateCreationDateTime": 1767225603, "SequenceNumber": "103",
                          "Keys": {"pk": {"S": "order#3"}},
                          "OldImage": {"pk": {"S": "order#3"}, "price": {"N": "7.0"}}}}
            """#
        var reader = ChangeStreamReader(options: options)
        var source = MemorySource(remove.utf8)
        var rows: [String] = []
        _ = try reader.run(&source, onRow: { row, _ in rows.append(String(decoding: row, as: UTF8.self)) }, onError: { _ in })
        let row = try RowMembers(rows[0])
        #expect(row.members["price"] == #""7.0""#, "numbers as strings; the tombstone carries the old image")
        #expect(row.members["_cdc_is_deleted"] == "true" && row.members["is_deleted"] == nil)
    }
}

/// A flat row's top-level members, each as its JSON text (`"12.50"` stays `12.50`, a string keeps
/// its quotes), split by a scanner of the test's own so the check does not lean on the writer.
private struct RowMembers {
    var members: [String: String] = [:]

    init(_ line: String) throws {
        // The rows here are flat objects whose values are strings, numbers or booleans.
        var text = Substring(line.trimmingCharacters(in: "\n"))
        try #require(text.first == "{" && text.last == "}")
        text = text.dropFirst().dropLast()
        while !text.isEmpty {
            try #require(text.first == "\"")
            let nameEnd = try #require(text.dropFirst().firstIndex(of: "\""))
            let name = String(text[text.index(after: text.startIndex)..<nameEnd])
            text = text[text.index(after: nameEnd)...]
            try #require(text.first == ":")
            text = text.dropFirst()
            var end = text.startIndex
            if text.first == "\"" {
                var index = text.index(after: end)
                while text[index] != "\"" { index = text.index(after: text[index] == "\\" ? text.index(after: index) : index) }
                end = text.index(after: index)
            } else {
                end = text.firstIndex(of: ",") ?? text.endIndex
            }
            members[name] = String(text[..<end])
            text = text[end...]
            if text.first == "," { text = text.dropFirst() }
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> Substring {
        var text = Substring(self)
        while text.last == character { text = text.dropLast() }
        return text
    }
}
