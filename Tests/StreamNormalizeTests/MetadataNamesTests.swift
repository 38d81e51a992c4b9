import DDBTypes
import Testing

@testable import StreamNormalize

@Suite struct MetadataNamesTests {
    static let clashing = #"""
        {"eventID":"e1","eventName":"REMOVE","eventSource":"aws:dynamodb","userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},"dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"a"},"is_deleted":{"BOOL":false},"_seq":{"S":"mine"}},"SequenceNumber":"7"}}
        """#

    @Test func seedNamesAreKeptByDefault() {
        #expect(MetadataNames.seed.all == ["_eventName", "_eventId", "_seq", "_approxStreamTs", "_ingestTs", "is_deleted", "_ttlDelete"])
        #expect(MetadataNames(prefix: nil) == .seed)
        #expect(NormalizeOptions().metadataNames == .seed)
    }

    @Test func aPrefixRenamesEveryColumnAndItemsKeepTheirOwnNames() throws {
        let names = MetadataNames(prefix: "_cdc_")
        #expect(names.all == ["_cdc_eventName", "_cdc_eventId", "_cdc_seq", "_cdc_approxStreamTs", "_cdc_ingestTs", "_cdc_is_deleted", "_cdc_ttlDelete"])
        let result = try Fixtures.read(Self.clashing, options: NormalizeOptions(ingestTime: 5, metadataNames: names))
        #expect(result.errors.isEmpty)
        let row = try #require(result.rows.first)
        #expect(
            row == #"{"pk":"a","is_deleted":false,"_seq":"mine","_cdc_eventName":"REMOVE","_cdc_eventId":"e1","_cdc_seq":"1767225600000-0000000000000000000000000000000000000007","_cdc_approxStreamTs":1767225600000,"_cdc_ingestTs":5,"_cdc_is_deleted":true,"_cdc_ttlDelete":true}"#
                + "\n")
    }

    @Test func theClashErrorNamesTheOption() throws {
        let result = try Fixtures.read(Self.clashing)
        let error = try #require(result.errors.first)
        #expect(error.error.code == .nameClash)
        #expect(error.error.message.contains("--metadata-prefix"))
        // A prefixed name is a clash under that prefix, and an escaped spelling is the same name.
        let escaped = Self.clashing.replacingOccurrences(#""_seq":{"S":"mine"}"#, with: #""\u005fcdc_seq":{"S":"mine"}"#)
        let prefixed = try Fixtures.read(escaped, options: NormalizeOptions(metadataNames: MetadataNames(prefix: "_cdc_")))
        #expect(prefixed.errors.first?.error.code == .nameClash)
        #expect(prefixed.errors.first?.error.path.description == "Keys._cdc_seq")
    }

    @Test(arguments: ["", "a\"b", "a\\b", "tab\t", String(repeating: "x", count: 65)])
    func unusablePrefixesAreRefused(_ prefix: String) {
        #expect(MetadataNames.problem(withPrefix: prefix) != nil)
    }
}
