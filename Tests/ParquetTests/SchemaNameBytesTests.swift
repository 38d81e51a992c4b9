import Testing

@testable import Parquet

/// Field names are told apart by their bytes. The generated corpus has map keys "café" in NFC
/// (caf\u{E9}) and in NFD (cafe\u{301}): two attributes, two Spark fields, two Parquet fields; Swift's
/// String equality takes them for one and the typed layout of that corpus was refused.
@Suite struct SchemaNameBytesTests {
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"

    static func group(_ names: [String]) -> [SchemaNode] {
        [.group(name: "config", repetition: .optional, logical: nil,
                children: names.map { .leaf(name: $0, repetition: .optional, type: .byteArray, logical: .string) })]
    }

    @Test func canonicallyEquivalentNamesAreTwoFields() throws {
        #expect(Self.nfc == Self.nfd)  // the trap: Swift Strings compare by canonical equivalence
        let schema = try ParquetSchema(columns: Self.group([Self.nfc, Self.nfd]))
        #expect(schema.leaves.map { Array($0.path.last!.utf8) } == [Array(Self.nfc.utf8), Array(Self.nfd.utf8)])
    }

    @Test func byteIdenticalNamesAreStillRefused() {
        #expect(throws: ParquetError.self) { try ParquetSchema(columns: Self.group([Self.nfd, Self.nfd])) }
        #expect(throws: ParquetError.self) { try ParquetSchema(columns: Self.group([Self.nfc, Self.nfc])) }
    }
}
