import Testing

@testable import SparkPlan

@Suite struct QuotingTests {
    @Test(arguments: [
        ("pk", "`pk`"), ("a`b", "`a``b`"), ("``", "``````"), ("sp ace; DROP --", "`sp ace; DROP --`"), ("ünï 🚀", "`ünï 🚀`"),
    ])
    func sqlIdentifierDoublesBackticks(name: String, quoted: String) {
        #expect(Quote.sqlIdentifier(name) == quoted)
    }

    @Test func ansiIdentifierDoublesQuotes() {
        #expect(Quote.ansiIdentifier(#"we"ird"#) == #""we""ird""#)
    }

    @Test func sqlStringEscapesQuotesBackslashesAndControls() {
        #expect(Quote.sqlString(#"it's \ "x""#) == #"'it\'s \\ "x"'"#)
        #expect(Quote.sqlString("a\nb\u{1}c\u{202E}") == #"'a\nb\u0001c\u202e'"#)
    }

    @Test func pythonStringEscapesWhatCouldHideCode() {
        #expect(Quote.pythonString(#"say "hi" \ ok"#) == #""say \"hi\" \\ ok""#)
        // Bidi override, line separator, zero-width joiner and a private-use scalar become escapes;
        // readable non-ASCII stays.
        #expect(Quote.pythonString("é\u{202E}\u{2028}\u{200D}\u{E000}日") == #""é\u202e\u2028\u200d\ue000日""#)
        #expect(Quote.pythonString("\u{E0041}") == #""\U000e0041""#)
    }

    @Test func jsonStringUsesSurrogatePairsForAstralEscapes() {
        #expect(Quote.jsonString("\u{E0041}🚀\t") == #""\udb40\udc41🚀\t""#)
    }

    @Test func commentTextHasNoLineBreaks() {
        let text = Quote.commentText("a\nb\r\u{2028}c")
        #expect(!text.contains { $0.isNewline })
    }

    @Test(arguments: [
        ("main.cdc.t", ["main", "cdc", "t"]),
        ("`my.cat`.s.`t``x`", ["my.cat", "s", "t`x"]),
        ("`we\"ird cat`.`sch; DROP`.`tä ble 🚀`", ["we\"ird cat", "sch; DROP", "tä ble 🚀"]),
    ])
    func tableNamesParse(text: String, parts: [String]) throws {
        #expect(try TableName(parsing: text).parts == parts)
    }

    @Test(arguments: ["a.b", "a.b.c.d", "a..c", "`a.b.c", "`a`x.b.c", "a.b.c\nd"])
    func badTableNamesAreRefused(text: String) {
        #expect(throws: SparkPlanError.self) { try TableName(parsing: text) }
    }

    @Test func quotedNameRoundTrips() throws {
        let name = try TableName(catalog: "a`b", schema: "c.d", table: "e f")
        #expect(try TableName(parsing: name.quoted) == name)
    }
}

@Suite struct JSONValueTests {
    @Test func parsesKeepingOrderAndNumberText() throws {
        let value = try JSONValue.parse(#"{"b":1.50,"a":[true,null,"x\u00e9\ud83d\ude80"],"n":-1E+5}"#)
        #expect(value.jsonText == #"{"b":1.50,"a":[true,null,"xé🚀"],"n":-1E+5}"#)
    }

    @Test(arguments: [#"{"a":}"#, "[1,]", #""\ud800""#, "01", "{} x", #""a"#])
    func refusesMalformedJSON(text: String) {
        #expect(throws: SparkPlanError.self) { try JSONValue.parse(text) }
    }
}
