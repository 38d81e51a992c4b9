import Parquet
import Testing

@testable import Parquet

/// The schema's checks and the levels it derives.
@Suite struct ParquetSchemaTests {
    @Test func levelsFollowOptionalAndRepeatedAncestors() throws {
        let leaves = WriterTests.kitchenSink.leaves
        func leaf(_ path: String) throws -> LeafColumn { try #require(leaves.first { $0.path.joined(separator: ".") == path }, "\(path)") }
        #expect(leaves.count == 15)
        #expect(try leaf("i32").maxDefinitionLevel == 0)
        #expect(try leaf("s").maxDefinitionLevel == 1)
        let name = try leaf("items.list.element.name")
        #expect((name.maxDefinitionLevel, name.maxRepetitionLevel) == (3, 1))
        let tag = try leaf("items.list.element.tags.list.element")
        #expect((tag.maxDefinitionLevel, tag.maxRepetitionLevel) == (6, 2))
        let key = try leaf("attrs.key_value.key")
        #expect((key.maxDefinitionLevel, key.maxRepetitionLevel) == (2, 1))
        // Depth-first: the struct's fields in order, before the map.
        #expect(leaves.suffix(4).map { $0.path.last! } == ["name", "element", "key", "value"])
    }

    @Test func decimalDigitsPerWidth() {
        // The widths and precisions of parquet-format's LogicalTypes.md (DECIMAL, fixed_len_byte_array).
        #expect((1...16).map(ParquetSchema.maxDecimalDigits) == [2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38])
    }

    static let invalid: [(SchemaNode, String)] = [
        (.leaf(name: "", repetition: .optional, type: .int32, logical: nil), "needs a name"),
        (.leaf(name: "a", repetition: .optional, type: .int32, logical: .string), "a: string cannot annotate int32"),
        (.leaf(name: "a", repetition: .optional, type: .int32, logical: .decimal(precision: 10, scale: 0)), "does not fit int32"),
        (.leaf(name: "a", repetition: .optional, type: .int64, logical: .decimal(precision: 19, scale: 2)), "does not fit int64"),
        (.leaf(name: "a", repetition: .optional, type: .fixedLenByteArray(16), logical: .decimal(precision: 39, scale: 2)), "at most 38 digits"),
        (.leaf(name: "a", repetition: .optional, type: .int64, logical: .decimal(precision: 5, scale: 6)), "0 <= scale <= precision"),
        (.leaf(name: "a", repetition: .optional, type: .byteArray, logical: .decimal(precision: 5, scale: 2)), "INT32, INT64 or FIXED_LEN_BYTE_ARRAY"),
        (.leaf(name: "a", repetition: .optional, type: .int32, logical: .timestampMillis(utc: true)), "cannot annotate int32"),
        (.leaf(name: "a", repetition: .optional, type: .fixedLenByteArray(0), logical: nil), "a: FIXED_LEN_BYTE_ARRAY(0)"),
        (.leaf(name: "a", repetition: .optional, type: .byteArray, logical: .list), "annotates a group"),
        (.group(name: "g", repetition: .optional, logical: nil, children: []), "g: a group needs at least one field"),
        (.group(name: "g", repetition: .optional, logical: .string, children: [.leaf(name: "x", repetition: .required, type: .int32, logical: nil)]),
            "annotates a leaf"),
        (.group(name: "l", repetition: .optional, logical: .list, children: [.leaf(name: "x", repetition: .optional, type: .int32, logical: nil)]),
            "l: a LIST group holds exactly one repeated field"),
        (WriterTests.map("m", key: .leaf(name: "key", repetition: .optional, type: .byteArray, logical: .string),
            value: .leaf(name: "value", repetition: .optional, type: .int32, logical: nil)), "m: a MAP group"),
        (.group(name: "g", repetition: .optional, logical: nil, children: [
            .leaf(name: "x", repetition: .optional, type: .int32, logical: nil), .leaf(name: "x", repetition: .optional, type: .int64, logical: nil),
        ]), "g.x: two fields of one group have this name"),
    ]

    @Test(arguments: invalid)
    func refusesWhatParquetDoesNotAllow(node: SchemaNode, message: String) {
        #expect {
            _ = try ParquetSchema(columns: [node])
        } throws: { error in
            guard let error = error as? ParquetError else { return false }
            return error.code == .invalidSchema && error.message.contains(message)
        }
    }

    @Test func refusesNoColumns() {
        #expect(throws: ParquetError.self) { _ = try ParquetSchema(columns: []) }
    }
}
