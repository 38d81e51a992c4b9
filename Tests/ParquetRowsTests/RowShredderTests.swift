import Parquet
import SparkTypes
import StreamNormalize
import Testing

@testable import ParquetRows

/// Which attributes the typed layout keeps in their columns and which it rescues, counted through
/// `ParquetRowEncoder.encode` (the Python suite Tests/parquet reads the same decisions back from
/// the files). Each case is one row; the expected count is the contract's, decided by hand.
@Suite struct RowShredderTests {
    private static let schema = SparkSchema([
        StructField("s", .string), StructField("b", .boolean), StructField("l", .bigint),
        StructField("d", .decimal(precision: 38, scale: 2)), StructField("small", .decimal(precision: 5, scale: 1)),
        StructField("tags", .array(.decimal(precision: 10, scale: 0))),
        StructField("m", .map(.boolean)),
        StructField("o", .struct([StructField("x", .decimal(precision: 38, scale: 2)), StructField("inner", .struct([StructField("y", .string)]))])),
    ])

    private static func encode(_ rows: [String], layout: ParquetLayout) throws(ParquetRowsError) -> ParquetRowEncoder.Encoded {
        let encoder = ParquetRowEncoder(layout: layout, options: WriterOptions(), version: "test")
        return try encoder.encode(rows: Array(rows.map { $0 + "\n" }.joined().utf8), count: rows.count)
    }

    private static func rescued(_ members: String) throws -> Int {
        let row = "{" + members + (members.isEmpty ? "" : ",") + #""_eventName":"INSERT","_seq":"1","is_deleted":false}"#
        return try encode([row], layout: ParquetLayout(typed: schema, metadataNames: .seed)).rescuedValues
    }

    @Test(arguments: [
        // values that fit: kept in their columns
        #""s":"text""#, #""b":true"#, #""l":-9223372036854775808"#, #""l":9223372036854775807"#, #""l":1.0"#, #""l":1E+3"#,
        #""d":1234.5"#, #""d":-0"#, #""d":1.20"#, #""d":99999999999999999999999999999999999.99"#, #""small":9999.9"#, #""small":-1E+3"#,
        #""tags":[1,2E+9,-9999999999]"#, #""tags":[]"#, #""tags":[null]"#,
        #""m":{}"#, #""m":{"a":true,"b":null,"\"q":false}"#,
        #""o":{}"#, #""o":{"x":1.5}"#, #""o":{"inner":{"y":"z"},"x":null}"#, #""o":{"inner":null}"#, #""o":{"inner":{}}"#,
        // nulls fit every type
        #""s":null"#, #""d":null"#, #""tags":null"#, #""m":null"#, #""o":null"#,
        // a STRING column takes any value, a non-string as its exact text (Spark's JSON reader, `ddbcdc schema`'s "exact text")
        #""s":1.50"#, #""s":true"#, #""s":{"a":[1]}"#, #""s":[]"#,
    ])
    func fits(_ member: String) throws {
        #expect(try Self.rescued(member) == 0, "\(member)")
    }

    @Test(arguments: [
        // more places than the scale, more digits than the precision
        #""d":1.234"#, #""d":1E-3"#, #""d":1E+36"#, #""small":10000"#, #""small":0.05"#, #""l":1.5"#, #""l":9223372036854775808"#,
        #""l":-9223372036854775809"#, #""tags":[1,2.5]"#, #""tags":[12345678901]"#,
        // the wrong kind of value
        #""d":"12.5""#, #""d":true"#, #""d":[1]"#, #""b":"true""#, #""b":1"#, #""l":"1""#, #""tags":{}"#, #""tags":"[]""#,
        #""m":[]"#, #""m":{"a":1}"#, #""o":[]"#, #""o":"{}""#, #""o":{"x":"1"}"#, #""o":{"inner":{"y":"z","w":1}}"#,
        // a member the struct does not have, an attribute the schema does not have
        #""o":{"x":1,"new":2}"#, #""new attribute":1"#, #""S":"case matters""#,
    ])
    func isRescued(_ member: String) throws {
        #expect(try Self.rescued(member) == 1, "\(member)")
    }

    @Test func everyMisfitOfARowIsCountedAndRowsWithMisfitsToo() throws {
        let layout = try ParquetLayout(typed: Self.schema, metadataNames: .seed)
        let rows = [
            #"{"s":"fits","d":1.234,"o":{"x":1,"nope":1},"extra":[],"_seq":"1"}"#,  // three rescued
            #"{"s":"fits","d":1.23,"_seq":"2"}"#,  // none
            #"{"tags":[1.5,2.5,3.5],"_seq":"3"}"#,  // one: the attribute, however many elements misfit
        ]
        let encoded = try Self.encode(rows, layout: layout)
        #expect(encoded.rescuedValues == 4)
        #expect(encoded.rowsWithRescued == 2)
    }

    /// The text columns hold the members in row order, however they sit among the columns' own
    /// members: runs of neighbours and single members between kept ones come out alike.
    @Test func textColumnsHoldTheMembersInRowOrder() throws {
        let row = #"{"d":1.234,"x":[1,"2"],"s":"kept","o":{"x":1,"nope":1},"l":5,"extra":{},"e2":null,"_seq":"1","last":true}"#
        func text(_ layout: ParquetLayout, _ column: String) throws -> String? {
            let file = try ParquetFile(bytes: try Self.encode([row], layout: layout).bytes)
            let index = try #require(file.schema.columns.firstIndex { $0.name == column })
            guard case .bytes(let bytes)? = try file.readRows()[0][index] else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(try text(ParquetLayout(typed: Self.schema, metadataNames: .seed), ParquetLayout.rescuedColumn)
            == #"{"d":1.234,"x":[1,"2"],"o":{"x":1,"nope":1},"extra":{},"e2":null,"last":true}"#)
        #expect(try text(ParquetLayout(packed: .seed), ParquetLayout.itemColumn)
            == #"{"d":1.234,"x":[1,"2"],"s":"kept","o":{"x":1,"nope":1},"l":5,"extra":{},"e2":null,"last":true}"#)
    }

    @Test func packedRescuesNothing() throws {
        let layout = try ParquetLayout(packed: .seed)
        let encoded = try Self.encode([#"{"d":1.234,"anything":{"x":[1,"2",null]},"_seq":"1"}"#, "{}"], layout: layout)
        #expect(encoded.rescuedValues == 0)
        #expect(encoded.rowsWithRescued == 0)
        #expect(Array(encoded.bytes.prefix(4)) == Array("PAR1".utf8) && Array(encoded.bytes.suffix(4)) == Array("PAR1".utf8))
    }

    @Test func aRowThatIsNotAnObjectIsAnErrorNamingIt() throws {
        let layout = try ParquetLayout(packed: .seed)
        let encoder = ParquetRowEncoder(layout: layout, options: WriterOptions(), version: "t")
        let notAnObject = #expect(throws: ParquetRowsError.self) { try encoder.encode(rows: Array("{\"a\":1}\n[1,2]\n".utf8), count: 2) }
        #expect(notAnObject?.code == .malformedRow)
        #expect(notAnObject?.message.contains("row 2") == true, "\(String(describing: notAnObject))")
        let miscounted = #expect(throws: ParquetRowsError.self) { try encoder.encode(rows: Array("{}\n{}\n".utf8), count: 3) }
        #expect(miscounted?.code == .malformedRow)
    }

    @Test func theSameRowsGiveTheSameBytes() throws {
        let layout = try ParquetLayout(typed: Self.schema, metadataNames: .seed)
        let rows = [#"{"s":"é","d":1.5,"m":{"b":true,"a":false},"tags":[3,1,2],"_seq":"1"}"#, #"{"o":{"x":2},"zz":1,"_seq":"2"}"#]
        let first = try Self.encode(rows, layout: layout).bytes
        #expect(try Self.encode(rows, layout: layout).bytes == first)
        #expect(try Self.encode(rows.reversed(), layout: layout).bytes != first)
    }
}
