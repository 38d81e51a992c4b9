import Testing

@testable import SparkPlan

@Suite struct SchemaInferrerTests {
    @Test(arguments: [
        ("0", 0, 0), ("-0.0", 0, 1), ("100.00", 3, 2), ("1E+5", 6, 0), ("2.5e-3", 0, 4), ("0.5", 0, 1),
        ("12345678901234567890.123456789012345678", 20, 18), ("1E+125", 126, 0), ("1E-130", 0, 130), ("-7.25E+10", 11, 0),
    ])
    func numbersAreMeasuredOnTheirText(text: String, integerDigits: Int, scale: Int) {
        let stats = NumberStats(text)
        #expect(stats.maxIntegerDigits == integerDigits)
        #expect(stats.maxScale == scale)
    }

    func infer(_ lines: [String], numbers: SchemaInferrer.NumberMode = .decimal) throws -> SparkSchema {
        var inferrer = SchemaInferrer(numberMode: numbers)
        for line in lines { try inferrer.observe(line: Array(line.utf8)) }
        return inferrer.schema
    }

    @Test func numbersBecomeDecimalOrTextNeverDouble() throws {
        let schema = try infer([
            #"{"pk":"a","price":12.5,"qty":3,"huge":1E+125,"mixed":1,"_seq":"x","_approxStreamTs":1767225600000,"is_deleted":false}"#,
            #"{"pk":"b","price":0.125,"qty":40,"huge":2,"mixed":"one","_seq":"y","_approxStreamTs":1767225600001,"is_deleted":true}"#,
        ])
        // The largest scale seen plus four places of headroom: DynamoDB drops trailing zeros.
        #expect(schema["price"]?.type == .decimal(precision: 38, scale: 7))
        #expect(schema["qty"]?.type == .decimal(precision: 38, scale: 4))
        #expect(schema["huge"]?.type == .string)
        #expect(schema["mixed"]?.type == .string)
        #expect(schema["_approxStreamTs"]?.type == .bigint)
        #expect(schema["is_deleted"]?.type == .boolean)
        #expect(try infer([#"{"price":12.5}"#], numbers: .string)["price"]?.type == .string)
    }

    @Test func scaleHeadroomGivesWayToIntegerDigitsButNeverBelowTheScaleSeen() throws {
        let schema = try infer([
            // 30 integer digits: 38 - 30 - 4 leaves 4 places, the 2 seen plus 2.
            #"{"wide":123456789012345678901234567890.12}"#,
            // 34 integer digits and 4 places: no room for headroom, the scale seen is kept.
            #"{"full":1234567890123456789012345678901234.5678}"#,
        ])
        #expect(schema["wide"]?.type == .decimal(precision: 38, scale: 4))
        #expect(schema["full"]?.type == .decimal(precision: 38, scale: 4))
    }

    @Test func scalesThatVaryAreWarnedAbout() throws {
        var inferrer = SchemaInferrer()
        for line in [#"{"amt":1.5,"qty":3,"m":{"p":[19.9]}}"#, #"{"amt":10,"qty":4,"m":{"p":[19.95]}}"#] {
            try inferrer.observe(line: Array(line.utf8))
        }
        #expect(
            inferrer.scaleWarnings == [
                "column `amt`: observed scales vary from 0 to 1; declared DECIMAL(38,5): a later value with more than 5 decimal place(s) is quarantined, not rounded; widen the type if values can have more",
                "column `m`.`p`[]: observed scales vary from 1 to 2; declared DECIMAL(38,6): a later value with more than 6 decimal place(s) is quarantined, not rounded; widen the type if values can have more",
            ])
        #expect(inferrer.report.first?.hasSuffix("min_scale=0") == true)
    }

    @Test func mapsListsAndSetsNest() throws {
        let schema = try infer([
            #"{"m":{"a":{"b":[1.5,2]},"s":"x"},"tags":["x","y"],"empty":[],"obj":{}}"#,
            #"{"m":{"a":{"b":[3]},"t":true},"tags":[],"empty":[],"obj":{}}"#,
        ])
        #expect(
            schema["m"]?.type
                == .struct([
                    StructField("a", .struct([StructField("b", .array(.decimal(precision: 38, scale: 5)))])), StructField("s", .string),
                    StructField("t", .boolean),
                ]))
        #expect(schema["tags"]?.type == .array(.string))
        #expect(schema["empty"]?.type == .array(.string))
        #expect(schema["obj"]?.type == .string)
    }

    @Test func namesSparkCannotTellApartMakeAMap() throws {
        let schema = try infer([#"{"m":{"":1,"x":2}}"#, #"{"c":{"Name":"a","name":"b"}}"#])
        #expect(schema["m"]?.type == .map(.decimal(precision: 38, scale: 4)))
        #expect(schema["c"]?.type == .map(.string))
    }

    @Test func canonicallyEquivalentNamesStayApart() throws {
        // DynamoDB and Spark compare names by code points: é (U+00E9) and e + U+0301 are two attributes.
        let schema = try infer(["{\"caf\u{E9}\":1,\"cafe\u{301}\":\"x\"}"])
        #expect(schema.fields.count == 2)
        #expect(schema.fields.map { Array($0.name.unicodeScalars).count } == [4, 5])
    }

    @Test func schemaJSONRoundTrips() throws {
        let schema = try infer([#"{"pk":"a","m":{"x":[1.25]},"d":{"":true},"b":false}"#])
        #expect(try SparkSchema(json: try JSONValue.parse(schema.json.jsonText)) == schema)
    }

    @Test func aRowThatIsNotAnObjectIsAnError() {
        var inferrer = SchemaInferrer()
        #expect(throws: SparkPlanError.self) { try inferrer.observe(line: Array("[1]".utf8)) }
    }
}
