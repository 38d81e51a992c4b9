import Testing

@testable import LambdaRuntime

/// `S3_PREFIX` is checked when the function starts (its init fails, saying why), by the rules the
/// command's sinks use.
@Suite struct LambdaPrefixTests {
    static let base = ["S3_BUCKET": "b", "AWS_REGION": "us-east-1"]

    @Test(arguments: [
        ("a/../b", "'..'"), ("..", "'..'"), ("a/./b", "'.'"), ("a//b", "empty segment"), ("a\nb", "U+000A"), ("a\u{7F}", "U+007F"),
        (String(repeating: "p", count: 200) + "/" + String(repeating: "q", count: 255) + "/" + String(repeating: "r", count: 255) + "/" + String(repeating: "s", count: 100), "1024"),
    ])
    func aBadPrefixFailsTheInitNamingTheProblem(_ prefix: String, _ named: String) {
        #expect {
            _ = try LambdaConfiguration(environment: Self.base.merging(["S3_PREFIX": prefix]) { $1 })
        } throws: { error in
            "\(error)".contains("S3_PREFIX") && "\(error)".contains(named)
        }
    }

    @Test func theBoundFollowsMaxRecords() throws {
        // 797 bytes fit under keys of up to 9,999 rows (4 digits), not under keys of up to 10,000.
        let prefix = [200, 200, 200, 194].map { String(repeating: "p", count: $0) }.joined(separator: "/")
        #expect(prefix.utf8.count == 797)
        let fits = try LambdaConfiguration(environment: Self.base.merging(["S3_PREFIX": prefix, "MAX_RECORDS": "9999"]) { $1 })
        #expect(fits.prefix == prefix)
        #expect(throws: (any Error).self) {
            try LambdaConfiguration(environment: Self.base.merging(["S3_PREFIX": prefix, "MAX_RECORDS": "10000"]) { $1 })
        }
    }

    @Test(arguments: [("", ""), ("/ddb/orders/", "ddb/orders"), ("ddb/orders", "ddb/orders")])
    func goodPrefixesAreKeptWithoutSlashesAtTheEnds(_ text: String, _ value: String) throws {
        #expect(try LambdaConfiguration(environment: Self.base.merging(["S3_PREFIX": text]) { $1 }).prefix == value)
    }
}
