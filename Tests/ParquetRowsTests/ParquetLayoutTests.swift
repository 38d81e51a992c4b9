import Parquet
import SparkTypes
import StreamNormalize
import Testing

@testable import ParquetRows

/// The Parquet schema each layout has, against the layout contract (docs/design.md, issue 13):
/// metadata columns first and typed, the schema's columns in order, `_rescued_data` last; Spark
/// types to Parquet types, 3-level LISTs and MAPs with their levels; what is refused.
@Suite struct ParquetLayoutTests {
    /// A leaf as (dotted path, physical type, logical type, max definition, max repetition).
    private struct Leaf: Equatable, CustomStringConvertible {
        let path: String
        let type: PhysicalType
        let logical: LogicalType?
        let definition: Int
        let repetition: Int
        init(_ path: String, _ type: PhysicalType, _ logical: LogicalType?, _ definition: Int, _ repetition: Int) {
            (self.path, self.type, self.logical, self.definition, self.repetition) = (path, type, logical, definition, repetition)
        }
        var description: String { "\(path) \(type) \(String(describing: logical)) d\(definition) r\(repetition)" }
    }

    private static func leaves(_ layout: ParquetLayout) -> [Leaf] {
        layout.schema.leaves.map { Leaf($0.path.joined(separator: "."), $0.type, $0.logical, $0.maxDefinitionLevel, $0.maxRepetitionLevel) }
    }

    private static let metadata: [Leaf] = [
        Leaf("_eventName", .byteArray, .string, 1, 0), Leaf("_eventId", .byteArray, .string, 1, 0), Leaf("_seq", .byteArray, .string, 1, 0),
        Leaf("_approxStreamTs", .int64, nil, 1, 0), Leaf("_ingestTs", .int64, nil, 1, 0), Leaf("is_deleted", .boolean, nil, 1, 0),
        Leaf("_ttlDelete", .boolean, nil, 1, 0),
    ]

    @Test func packedIsTheMetadataThenItem() throws {
        let layout = try ParquetLayout(packed: .seed)
        #expect(layout.kind == .packed)
        #expect(layout.schemaHash == nil)
        #expect(Self.leaves(layout) == Self.metadata + [Leaf("_item", .byteArray, .string, 1, 0)])
        // every top-level column is OPTIONAL
        #expect(layout.schema.columns.allSatisfy { $0.repetition == .optional })
    }

    @Test func metadataColumnsFollowThePrefix() throws {
        let layout = try ParquetLayout(packed: MetadataNames(prefix: "cdc_"))
        #expect(layout.schema.leaves.map { $0.path.joined(separator: ".") } == [
            "cdc_eventName", "cdc_eventId", "cdc_seq", "cdc_approxStreamTs", "cdc_ingestTs", "cdc_is_deleted", "cdc_ttlDelete", "_item",
        ])
    }

    @Test func typedMapsEverySparkType() throws {
        let schema = SparkSchema([
            StructField("s", .string), StructField("b", .boolean), StructField("l", .bigint), StructField("t", .timestamp),
            StructField("d9", .decimal(precision: 9, scale: 2)), StructField("d10", .decimal(precision: 10, scale: 0)),
            StructField("d18", .decimal(precision: 18, scale: 18)), StructField("d19", .decimal(precision: 19, scale: 4)),
            StructField("d38", .decimal(precision: 38, scale: 6)),
        ])
        let layout = try ParquetLayout(typed: schema, metadataNames: .seed)
        #expect(layout.kind == .typed)
        #expect(Self.leaves(layout) == Self.metadata + [
            Leaf("s", .byteArray, .string, 1, 0), Leaf("b", .boolean, nil, 1, 0), Leaf("l", .int64, nil, 1, 0),
            Leaf("t", .int64, .timestampMillis(utc: true), 1, 0),
            Leaf("d9", .int32, .decimal(precision: 9, scale: 2), 1, 0), Leaf("d10", .int64, .decimal(precision: 10, scale: 0), 1, 0),
            Leaf("d18", .int64, .decimal(precision: 18, scale: 18), 1, 0),
            Leaf("d19", .fixedLenByteArray(16), .decimal(precision: 19, scale: 4), 1, 0),
            Leaf("d38", .fixedLenByteArray(16), .decimal(precision: 38, scale: 6), 1, 0),
            Leaf("_rescued_data", .byteArray, .string, 1, 0),
        ])
    }

    @Test func listsMapsAndStructsNestWithTheirLevels() throws {
        let schema = SparkSchema([
            StructField("tags", .array(.string)),
            StructField("m", .map(.array(.boolean))),
            StructField("o", .struct([StructField("x", .decimal(precision: 38, scale: 2)), StructField("ys", .array(.struct([StructField("z", .bigint)])))])),
        ])
        let layout = try ParquetLayout(typed: schema, metadataNames: .seed)
        // optional list (1) + repeated list (1, r1) + optional element (1); a map's key is required
        #expect(Array(Self.leaves(layout).dropFirst(7)) == [
            Leaf("tags.list.element", .byteArray, .string, 3, 1),
            Leaf("m.key_value.key", .byteArray, .string, 2, 1),
            Leaf("m.key_value.value.list.element", .boolean, nil, 5, 2),
            Leaf("o.x", .fixedLenByteArray(16), .decimal(precision: 38, scale: 2), 2, 0),
            Leaf("o.ys.list.element.z", .int64, nil, 5, 1),
            Leaf("_rescued_data", .byteArray, .string, 1, 0),
        ])
        // the groups: LIST and MAP annotations on the outer group, repeated `list` / `key_value` inside
        let columns = layout.schema.columns
        guard case .group("tags", .optional, .list, let tagChildren) = columns[7],
            case .group("list", .repeated, nil, let element) = tagChildren.first, tagChildren.count == 1,
            case .leaf("element", .optional, .byteArray, .string) = element.first
        else {
            Issue.record("tags is not a 3-level LIST: \(columns[7])")
            return
        }
        guard case .group("m", .optional, .map, let mapChildren) = columns[8],
            case .group("key_value", .repeated, nil, let pair) = mapChildren.first, mapChildren.count == 1, pair.count == 2,
            case .leaf("key", .required, .byteArray, .string) = pair[0], case .group("value", .optional, .list, _) = pair[1]
        else {
            Issue.record("m is not a MAP of key_value(key, value): \(columns[8])")
            return
        }
        guard case .group("o", .optional, nil, let fields) = columns[9] else {
            Issue.record("o is not a plain optional group: \(columns[9])")
            return
        }
        #expect(fields.map(\.name) == ["x", "ys"])
    }

    @Test func metadataColumnsComeFirstWhereverTheSchemaHasThem() throws {
        // `ddbcdc schema` lists the metadata columns among the attributes; the layout keeps its own, first
        let schema = SparkSchema([
            StructField("pk", .string), StructField("_seq", .string), StructField("is_deleted", .boolean), StructField("n", .decimal(precision: 38, scale: 0)),
        ])
        let layout = try ParquetLayout(typed: schema, metadataNames: .seed)
        #expect(layout.schema.columns.map(\.name) == Self.metadata.map(\.path) + ["pk", "n", "_rescued_data"])
    }

    @Test func namesThatAreCanonicallyEquivalentAreTwoColumns() throws {
        // DynamoDB attributes `café` (NFC) and `cafe\u{301}` (NFD) are two attributes; `ddbcdc schema`
        // lists both. Swift's String == says they are equal.
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        let schema = SparkSchema([
            StructField(nfc, .string), StructField(nfd, .string),
            StructField("m", .struct([StructField(nfc, .bigint), StructField(nfd, .bigint)])),
        ])
        let layout = try ParquetLayout(typed: schema, metadataNames: .seed)
        #expect(Array(layout.schema.leaves.map { Array($0.path.joined(separator: ".").utf8) }.dropFirst(7)) == [
            Array(nfc.utf8), Array(nfd.utf8), Array("m.\(nfc)".utf8), Array("m.\(nfd)".utf8), Array("_rescued_data".utf8),
        ])
    }

    @Test(arguments: [
        ("a twice", SparkSchema([StructField("a", .string), StructField("a", .bigint)]), "twice"),
        ("a struct field twice", SparkSchema([StructField("s", .struct([StructField("x", .string), StructField("x", .string)]))]), "twice"),
        ("_rescued_data", SparkSchema([StructField("_rescued_data", .string)]), "_rescued_data"),
        ("DECIMAL(39,0)", SparkSchema([StructField("d", .decimal(precision: 39, scale: 0))]), "DECIMAL(39,0)"),
        ("DECIMAL(0,0)", SparkSchema([StructField("d", .decimal(precision: 0, scale: 0))]), "DECIMAL(0,0)"),
        ("DECIMAL(5,6)", SparkSchema([StructField("d", .decimal(precision: 5, scale: 6))]), "DECIMAL(5,6)"),
        ("an empty struct", SparkSchema([StructField("e", .struct([]))]), "STRUCT without fields"),
    ])
    func refuses(_ what: String, _ schema: SparkSchema, _ said: String) {
        do {
            _ = try ParquetLayout(typed: schema, metadataNames: .seed)
            Issue.record("\(what) was accepted")
        } catch {
            #expect(error.code == .invalidSchema, "\(what)")
            #expect(error.message.contains(said), "\(what): \(error.message)")
        }
    }

    @Test func theHashFollowsTheSchema() throws {
        let a = try ParquetLayout(typed: SparkSchema([StructField("a", .string)]), metadataNames: .seed)
        let b = try ParquetLayout(typed: SparkSchema([StructField("a", .bigint)]), metadataNames: .seed)
        let again = try ParquetLayout(typed: SparkSchema([StructField("a", .string)]), metadataNames: .seed)
        let hash = try #require(a.schemaHash)
        #expect(hash.count == 64 && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(a.schemaHash == again.schemaHash)
        #expect(a.schemaHash != b.schemaHash)
    }
}
