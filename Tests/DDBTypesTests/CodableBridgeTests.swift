import DDBTypes
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct CodableBridgeTests {
    struct Address: Codable, Equatable {
        var street: String
        var city: String
        var unit: String?
    }

    struct Line: Codable, Equatable {
        var sku: String
        var quantity: Int
        var price: DynamoNumber
        var gift: Bool
    }

    struct Order: Codable, Equatable {
        var id: String
        var total: DynamoNumber
        var smallest: Int64
        var largest: Int64
        var unsignedLargest: UInt64
        var paid: Bool
        var shipTo: Address
        var billTo: Address?
        var note: String?
        var tags: [String]
        var labels: Set<String>
        var quantities: Set<Int>
        var signature: [UInt8]
        var lines: [Line]
        var attributes: [String: String]
        var weight: Double
    }

    static let order = Order(
        id: "o-1",
        total: try! DynamoNumber("12345678901234567890123456789012345678"),
        smallest: .min, largest: .max, unsignedLargest: .max, paid: true,
        shipTo: Address(street: "1 Main St", city: "Oslo", unit: nil),
        billTo: Address(street: "2 Side St", city: "Bergen", unit: "4B"),
        note: nil,
        tags: ["b", "a", "b"],
        labels: ["zeta", "gift", "priority"],
        quantities: [10, -3, 2],
        signature: [0, 255, 7],
        lines: [
            Line(sku: "A-1", quantity: 2, price: try! DynamoNumber("12.50"), gift: false),
            Line(sku: "B-2", quantity: 1, price: try! DynamoNumber("0.0001"), gift: true),
        ],
        attributes: ["colour": "red", "unit price": "3"],
        weight: 0.1
    )

    @Test func encodesAnOrderAttributeByAttribute() throws {
        let item = try AttributeValueEncoder().encode(Self.order)

        // `note` is nil, so it is left out; `shipTo.unit` likewise.
        #expect(
            item.keys.sorted() == [
                "attributes", "billTo", "id", "labels", "largest", "lines", "paid", "quantities", "shipTo", "signature",
                "smallest", "tags", "total", "unsignedLargest", "weight",
            ])
        #expect(item["id"] == .string("o-1"))
        guard case .number(let total) = item["total"] else { throw Failure("total is \(String(describing: item["total"]))") }
        #expect(total.text == "12345678901234567890123456789012345678")
        #expect(numberText(item["smallest"]) == "-9223372036854775808")
        #expect(numberText(item["largest"]) == "9223372036854775807")
        #expect(numberText(item["unsignedLargest"]) == "18446744073709551615")
        #expect(numberText(item["weight"]) == "0.1")
        #expect(item["paid"] == .bool(true))
        #expect(item["shipTo"] == .map(["street": "1 Main St", "city": "Oslo"]))
        #expect(item["billTo"] == .map(["street": "2 Side St", "city": "Bergen", "unit": "4B"]))
        #expect(item["tags"] == .list(["b", "a", "b"]))
        #expect(item["labels"] == .stringSet(["gift", "priority", "zeta"]))
        #expect(item["quantities"] == .numberSet([DynamoNumber(-3), DynamoNumber(2), DynamoNumber(10)]))
        #expect(item["signature"] == .binary([0, 255, 7]))
        #expect(
            item["lines"]
                == .list([
                    .map(["sku": "A-1", "quantity": 2, "price": .number(try DynamoNumber("12.5")), "gift": false]),
                    .map(["sku": "B-2", "quantity": 1, "price": .number(try DynamoNumber("1E-4")), "gift": true]),
                ]))
        #expect(item["attributes"] == .map(["colour": "red", "unit price": "3"]))
    }

    @Test(arguments: [
        CodableBridgeTests.order,
        {
            var order = CodableBridgeTests.order
            order.note = "leave at the door"
            order.billTo = nil
            order.shipTo.unit = "1"
            order.lines = []
            return order
        }(),
    ])
    func roundTripsAnOrder(_ order: Order) throws {
        let item = try AttributeValueEncoder().encode(order)
        let decoded = try AttributeValueDecoder().decode(Order.self, from: item)
        #expect(decoded == order)
        // Exact text survives, not only the numeric value.
        #expect(decoded.total.text == order.total.text)
        #expect(decoded.lines.map(\.price.text) == order.lines.map(\.price.text))
    }

    @Test func decodesAnItemReadFromDynamoDBJSON() throws {
        let item = try DynamoJSONDecoder.decodeItem(
            #"""
            {"id":{"S":"o-2"},"total":{"N":"0012.50"},"smallest":{"N":"-9223372036854775808"},
             "largest":{"N":"9.223372036854775807E+18"},"unsignedLargest":{"N":"18446744073709551615"},
             "paid":{"BOOL":false},"shipTo":{"M":{"street":{"S":"1 Main St"},"city":{"S":"Oslo"},"unit":{"NULL":true}}},
             "note":{"NULL":true},"tags":{"SS":["b","a"]},"labels":{"L":[{"S":"x"}]},"quantities":{"NS":["3","1E+1"]},
             "signature":{"B":"AP8H"},
             "lines":{"L":[{"M":{"sku":{"S":"A-1"},"quantity":{"N":"1.50E+1"},"price":{"N":"9.99"},"gift":{"BOOL":true}}}]},
             "attributes":{"M":{"k":{"S":"v"}}},"weight":{"N":"2.5E-1"}}
            """#)
        let order = try AttributeValueDecoder().decode(Order.self, from: item)
        #expect(order.id == "o-2")
        #expect(order.total.text == "0012.50")
        #expect(order.smallest == .min)
        #expect(order.largest == .max)
        #expect(order.unsignedLargest == .max)
        #expect(order.paid == false)
        #expect(order.shipTo == Address(street: "1 Main St", city: "Oslo", unit: nil))
        #expect(order.billTo == nil)
        #expect(order.note == nil)
        #expect(order.tags == ["a", "b"])
        #expect(order.labels == ["x"])
        #expect(order.quantities == [3, 10])
        #expect(order.signature == [0, 255, 7])
        #expect(order.lines == [Line(sku: "A-1", quantity: 15, price: try DynamoNumber("9.99"), gift: true)])
        #expect(order.attributes == ["k": "v"])
        #expect(order.weight == 0.25)
    }

    struct Assorted: Codable, Equatable {
        var priceText: String
        var blobs: Set<Data>
        var blobList: [[UInt8]]
        var file: Data
        var raw: AttributeValue
        var extra: Item
        var ratio: Float
        var amount: Decimal
        var small: Int8
        var wide: Int128
    }

    @Test func decodesTheOtherMappings() throws {
        let item = try DynamoJSONDecoder.decodeItem(
            #"""
            {"priceText":{"N":"12.50"},"blobs":{"BS":["AQ==","Ag=="]},"blobList":{"BS":["AQ==","Ag=="]},"file":{"B":"aGk="},
             "raw":{"NS":["2","1"]},"extra":{"M":{"a":{"SS":["x"]},"b":{"NULL":true}}},"ratio":{"N":"0.5"},
             "amount":{"N":"-1234.5678"},"small":{"N":"-128"},"wide":{"N":"-12345678901234567890123456789012345678"}}
            """#)
        let value = try AttributeValueDecoder().decode(Assorted.self, from: item)
        #expect(value.priceText == "12.50")
        #expect(value.blobs == [Data([1]), Data([2])])
        #expect(value.blobList == [[1], [2]])
        #expect(value.file == Data("hi".utf8))
        #expect(value.raw == item["raw"])
        #expect(value.raw == .numberSet([DynamoNumber(1), DynamoNumber(2)]))
        #expect(value.extra == ["a": .stringSet(["x"]), "b": .null])
        #expect(value.ratio == 0.5)
        #expect(value.amount == Decimal(string: "-1234.5678"))
        #expect(value.small == -128)
        #expect(value.wide == -12_345_678_901_234_567_890_123_456_789_012_345_678)

        // And back: AttributeValue properties pass through unchanged, Data and Decimal become B and N.
        let encoded = try AttributeValueEncoder().encode(value)
        #expect(encoded["raw"] == item["raw"])
        #expect(encoded["extra"] == item["extra"])
        #expect(encoded["blobs"] == .binarySet([[1], [2]]))
        #expect(encoded["blobList"] == .list([.binary([1]), .binary([2])]))
        #expect(encoded["file"] == .binary(Array("hi".utf8)))
        #expect(numberText(encoded["amount"]) == "-1234.5678")
        #expect(numberText(encoded["priceText"]) == nil)
        #expect(encoded["priceText"] == .string("12.50"))
        #expect(try AttributeValueDecoder().decode(Assorted.self, from: encoded) == value)
    }

    struct Cart: Codable, Equatable {
        var lines: [Line]
        var prices: [String: Int]
    }

    /// Four good lines; each case breaks one thing.
    static func cart(_ edit: (inout Item) -> Void) -> Item {
        let line: AttributeValue = ["sku": "A", "quantity": 1, "price": 2, "gift": false]
        var item: Item = ["lines": [line, line, line, line], "prices": ["unit price": 3]]
        edit(&item)
        return item
    }

    static func setLine(_ index: Int, _ name: String, _ value: AttributeValue?) -> (inout Item) -> Void {
        { item in
            guard case .list(var lines) = item["lines"], case .map(var line) = lines[index] else { return }
            line[name] = value
            lines[index] = .map(line)
            item["lines"] = .list(lines)
        }
    }

    @Test(arguments: [
        (cart(setLine(3, "quantity", "two")), "lines[3].quantity: expected N for Int, found S"),
        (cart(setLine(0, "gift", 1)), "lines[0].gift: expected BOOL for Bool, found N"),
        (cart(setLine(2, "price", .stringSet(["1"]))), "lines[2].price: expected N for DynamoNumber, found SS"),
        (cart { $0["lines"] = ["x": "y"] }, "lines: expected L, SS, NS or BS for Array<Line>, found M"),
        (cart { $0["prices"] = ["unit price": "3"] }, #"prices["unit price"]: expected N for Int, found S"#),
        (cart { $0["lines"] = ["nope"] }, "lines[0]: expected M for Line, found S"),
    ])
    func typeMismatchesNameThePathAndBothTags(_ item: Item, _ message: String) throws {
        #expect(try AttributeValueDecoder().decode(Cart.self, from: Self.cart { _ in }).lines.count == 4)
        let error = #expect(throws: DecodingError.self) { try AttributeValueDecoder().decode(Cart.self, from: item) }
        guard case .typeMismatch(_, let context) = error else {
            throw Failure("not a type mismatch: \(String(describing: error))")
        }
        #expect(context.debugDescription == message)
    }

    @Test func nullAndMissingAttributesNameThePath() throws {
        let null = #expect(throws: DecodingError.self) {
            try AttributeValueDecoder().decode(Cart.self, from: Self.cart(Self.setLine(2, "sku", .null)))
        }
        guard case .valueNotFound(_, let context) = null else { throw Failure("not valueNotFound: \(String(describing: null))") }
        #expect(context.debugDescription == "lines[2].sku: expected S or N for String, found NULL")
        #expect(context.codingPath.map(\.stringValue) == ["lines", "Index 2", "sku"])

        let missing = #expect(throws: DecodingError.self) {
            try AttributeValueDecoder().decode(Cart.self, from: Self.cart(Self.setLine(1, "price", nil)))
        }
        guard case .keyNotFound(let key, let keyContext) = missing else {
            throw Failure("not keyNotFound: \(String(describing: missing))")
        }
        #expect(key.stringValue == "price")
        #expect(keyContext.debugDescription == "lines[1].price: the attribute is missing")
    }

    @Test func bytesWantB() throws {
        struct Blob: Decodable { var bytes: [UInt8] }
        let error = #expect(throws: DecodingError.self) { try AttributeValueDecoder().decode(Blob.self, from: ["bytes": "AQ=="]) }
        guard case .typeMismatch(_, let context) = error else {
            throw Failure("not a type mismatch: \(String(describing: error))")
        }
        #expect(context.debugDescription == "bytes: expected B for Array<UInt8>, found S")
        // A list of numbers is still bytes.
        #expect(try AttributeValueDecoder().decode(Blob.self, from: ["bytes": [1, 255]]).bytes == [1, 255])
    }

    struct Box<Value: Codable & Equatable>: Codable, Equatable {
        var n: Value
    }

    static func decodeN<T: Codable & Equatable>(_ text: String, as type: T.Type) throws -> T {
        try AttributeValueDecoder().decode(Box<T>.self, from: ["n": .number(try DynamoNumber(text))]).n
    }

    @Test(
        arguments: [
            ("0", 0), ("-0", 0), ("0E+999", 0), ("0.000", 0), ("1.50E+1", 15), ("100E-2", 1), ("2.0", 2),
            ("9223372036854775807", .max), ("-9223372036854775808", .min), ("9.223372036854775807E+18", .max),
            ("-92233720368547758.08E+2", .min),
        ] as [(String, Int64)])
    func integersDecodeExactly(_ text: String, _ expected: Int64) throws {
        #expect(try Self.decodeN(text, as: Int64.self) == expected)
    }

    @Test(arguments: [
        ("1E+30", "n: number 1E+30 is out of Int64's range -9223372036854775808...9223372036854775807"),
        (
            "9223372036854775808",
            "n: number 9223372036854775808 is out of Int64's range -9223372036854775808...9223372036854775807"
        ),
        (
            "-9223372036854775809",
            "n: number -9223372036854775809 is out of Int64's range -9223372036854775808...9223372036854775807"
        ),
        ("1.5", "n: number 1.5 is not an integer, so it cannot be decoded as Int64"),
        ("1E-1", "n: number 1E-1 is not an integer, so it cannot be decoded as Int64"),
        ("9223372036854775807.5", "n: number 9223372036854775807.5 is not an integer, so it cannot be decoded as Int64"),
    ])
    func integersOutOfRangeOrFractionalAreErrors(_ text: String, _ message: String) throws {
        let error = #expect(throws: DecodingError.self) { try Self.decodeN(text, as: Int64.self) }
        guard case .dataCorrupted(let context) = error else { throw Failure("not dataCorrupted: \(String(describing: error))") }
        #expect(context.debugDescription == message)
        #expect(context.codingPath.map(\.stringValue) == ["n"])
    }

    @Test func smallIntegerTypesCheckTheirOwnRange() throws {
        #expect(try Self.decodeN("255", as: UInt8.self) == 255)
        #expect(throws: DecodingError.self) { try Self.decodeN("256", as: UInt8.self) }
        #expect(throws: DecodingError.self) { try Self.decodeN("-1", as: UInt8.self) }
        #expect(try Self.decodeN("-0", as: UInt8.self) == 0)
        #expect(try Self.decodeN("-128", as: Int8.self) == -128)
        #expect(throws: DecodingError.self) { try Self.decodeN("-129", as: Int8.self) }
        #expect(try Self.decodeN("18446744073709551615", as: UInt64.self) == .max)
        #expect(throws: DecodingError.self) { try Self.decodeN("18446744073709551616", as: UInt64.self) }
    }

    @Test func floatingPointDecodesFromTheTextWithinRange() throws {
        #expect(try Self.decodeN("1E+100", as: Double.self) == 1e100)
        #expect(try Self.decodeN("1E-130", as: Double.self) == 1e-130)
        #expect(try Self.decodeN("-0.1", as: Float.self) == -0.1)
        // Float cannot hold these: infinity and a nonzero number rounded to zero are refused.
        #expect(throws: DecodingError.self) { try Self.decodeN("1E+100", as: Float.self) }
        #expect(throws: DecodingError.self) { try Self.decodeN("1E-130", as: Float.self) }
        // Decimal must hold the number exactly.
        #expect(try Self.decodeN("9.99", as: Decimal.self) == Decimal(string: "9.99"))
        #expect(throws: DecodingError.self) { try Self.decodeN("1E-130", as: Decimal.self) }
    }

    struct Reading: Codable {
        var value: Double
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, .signalingNaN])
    func nonFiniteNumbersAreRejected(_ value: Double) throws {
        let error = #expect(throws: EncodingError.self) { try AttributeValueEncoder().encode(Reading(value: value)) }
        guard case .invalidValue(_, let context) = error else { throw Failure("not invalidValue: \(String(describing: error))") }
        #expect(context.debugDescription == "value: Double \(value) is not a number DynamoDB can store")
        #expect(throws: EncodingError.self) { try AttributeValueEncoder().encodeValue(Float(value)) }
    }

    @Test func numbersOutOfDynamoDBsRangeAreRejectedWithItsMessage() throws {
        let error = #expect(throws: EncodingError.self) { try AttributeValueEncoder().encode(Reading(value: 1e200)) }
        guard case .invalidValue(_, let context) = error else { throw Failure("not invalidValue: \(String(describing: error))") }
        #expect(context.debugDescription.hasPrefix("value: number 1e+200 is out of DynamoDB's range"))
        #expect((context.underlyingError as? DDBError)?.code == .numberOutOfRange)
        #expect(throws: EncodingError.self) { try AttributeValueEncoder().encodeValue(5e-324) }
        // 39 significant digits: one more than DynamoDB keeps.
        let tooPrecise = #expect(throws: EncodingError.self) { try AttributeValueEncoder().encodeValue(UInt128.max) }
        guard case .invalidValue(_, let preciseContext) = tooPrecise else { throw Failure("not invalidValue") }
        #expect((preciseContext.underlyingError as? DDBError)?.code == .numberTooPrecise)
        #expect(numberText(try AttributeValueEncoder().encodeValue(Float(0.1))) == "0.1")
        #expect(numberText(try AttributeValueEncoder().encodeValue(1e20)) == "1e+20")
    }

    @Test func emptySetsAreRejectedNamingThePath() throws {
        var order = Self.order
        order.labels = []
        let error = #expect(throws: EncodingError.self) { try AttributeValueEncoder().encode(order) }
        guard case .invalidValue(_, let context) = error else { throw Failure("not invalidValue: \(String(describing: error))") }
        #expect(context.debugDescription.hasPrefix("labels: an empty Set cannot be stored"))
        #expect(context.codingPath.map(\.stringValue) == ["labels"])

        struct Nested: Encodable { var groups: [[String: Set<Int>]] }
        let nested = #expect(throws: EncodingError.self) { try AttributeValueEncoder().encode(Nested(groups: [[:], ["g": []]])) }
        guard case .invalidValue(_, let nestedContext) = nested else { throw Failure("not invalidValue") }
        #expect(nestedContext.debugDescription.hasPrefix("groups[1].g: an empty Set"))
    }

    @Test func setsBecomeDynamoDBSetsWhenTheirMembersAllow() throws {
        let encoder = AttributeValueEncoder()
        #expect(try encoder.encodeValue(Set([2.5, -1.0])) == .numberSet([try DynamoNumber("-1"), try DynamoNumber("2.5")]))
        #expect(try encoder.encodeValue(Set([Data([2]), Data([1])])) == .binarySet([[1], [2]]))
        #expect(try encoder.encodeValue(Set<[UInt8]>([[2], [1, 0]])) == .binarySet([[1, 0], [2]]))
        #expect(
            try encoder.encodeValue(Set([try DynamoNumber("1.0"), DynamoNumber(3)]))
                == .numberSet([DynamoNumber(1), DynamoNumber(3)]))
        // No DynamoDB set holds booleans: a list it is.
        #expect(try encoder.encodeValue(Set([true])) == .list([.bool(true)]))
        // An empty array is an empty list, not an empty binary.
        #expect(try encoder.encodeValue([String]()) == .list([]))
        #expect(try encoder.encodeValue([Int]()) == .list([]))
    }

    struct Contact: Codable, Equatable {
        var name: String
        var phone: String?
        var age: Int?
        var address: Address?
        var scores: [Int?]
    }

    @Test func nilEncodingOmitsOrWritesNull() throws {
        let contact = Contact(name: "Ada", phone: nil, age: nil, address: nil, scores: [1, nil])
        let omitted = try AttributeValueEncoder().encode(contact)
        #expect(omitted == ["name": "Ada", "scores": [1, .null]])

        var encoder = AttributeValueEncoder()
        encoder.nilEncoding = .null
        let nulls = try encoder.encode(contact)
        #expect(nulls == ["name": "Ada", "phone": .null, "age": .null, "address": .null, "scores": [1, .null]])

        #expect(try AttributeValueDecoder().decode(Contact.self, from: omitted) == contact)
        #expect(try AttributeValueDecoder().decode(Contact.self, from: nulls) == contact)
        let present = Contact(name: "Ada", phone: "1", age: 3, address: Address(street: "s", city: "c"), scores: [])
        #expect(try encoder.encode(present)["address"] == .map(["street": "s", "city": "c", "unit": .null]))
    }

    @Test func anItemMustBeAMap() throws {
        let error = #expect(throws: EncodingError.self) { try AttributeValueEncoder().encode("text") }
        guard case .invalidValue(_, let context) = error else { throw Failure("not invalidValue") }
        #expect(context.debugDescription == "an item must encode as a map (M), but String encoded as S")
        #expect(try AttributeValueEncoder().encodeValue("text") == .string("text"))
        #expect(try AttributeValueEncoder().encode(["k": 1]) == ["k": 1])
    }

    static let everyType: AttributeValue = [
        "s": "héllo", "n": .number(try! DynamoNumber("-12.50")), "b": .binary([0, 1, 2, 255]), "t": true, "z": nil,
        "ss": .stringSet(["a", "b"]), "ns": .numberSet([DynamoNumber(1), DynamoNumber(2)]), "bs": .binarySet([[1], [2, 3]]),
        "l": [1, ["x": []]],
    ]

    @Test func attributeValueCodesAsDynamoDBJSONElsewhere() throws {
        let json = try JSONEncoder().encode(Self.everyType)
        #expect(try DynamoJSONDecoder.decodeValue(from: Array(json)) == Self.everyType)
        let back = try JSONDecoder().decode(AttributeValue.self, from: json)
        #expect(back == Self.everyType)
        if case .map(let members) = back, case .number(let number) = members["n"] { #expect(number.text == "-12.50") }

        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"NS":[]}"#.utf8)) }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"S":"a","N":"1"}"#.utf8))
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"N":"1E+126"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"B":"AQ="}"#.utf8)) }
        #expect(try JSONDecoder().decode(DynamoNumber.self, from: Data(#""1.0""#.utf8)) == DynamoNumber(1))
    }

    enum Payment: Codable, Equatable {
        case card(last4: String, expires: Int)
        case cash
    }

    /// Written with nested containers filled after they are handed out, and a super encoder.
    struct Polygon: Codable, Equatable {
        var name: String
        var points: [(x: Int, y: Int)]

        enum CodingKeys: String, CodingKey { case name, points }

        init(name: String, points: [(x: Int, y: Int)]) {
            self.name = name
            self.points = points
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            var list = try container.nestedUnkeyedContainer(forKey: .points)
            points = []
            while !list.isAtEnd {
                var pair = try list.nestedUnkeyedContainer()
                points.append((try pair.decode(Int.self), try pair.decode(Int.self)))
            }
            name = try String(from: try container.superDecoder(forKey: .name))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            var list = container.nestedUnkeyedContainer(forKey: .points)
            try name.encode(to: container.superEncoder(forKey: .name))
            for point in points {
                var pair = list.nestedUnkeyedContainer()
                try pair.encode(point.x)
                try pair.encode(point.y)
            }
        }

        static func == (lhs: Polygon, rhs: Polygon) -> Bool {
            lhs.name == rhs.name && lhs.points.elementsEqual(rhs.points, by: { $0 == $1 })
        }
    }

    @Test func nestedContainersAndEnumsWithPayloads() throws {
        let payments: [Payment] = [.card(last4: "4242", expires: 2031), .cash]
        let encoded = try AttributeValueEncoder().encodeValue(payments)
        #expect(encoded == [["card": ["last4": "4242", "expires": 2031]], ["cash": .map([:])]])
        #expect(try AttributeValueDecoder().decode([Payment].self, from: encoded) == payments)

        let polygon = Polygon(name: "tri", points: [(0, 0), (4, 0), (0, -3)])
        let item = try AttributeValueEncoder().encode(polygon)
        #expect(item == ["name": "tri", "points": [[0, 0], [4, 0], [0, -3]]])
        #expect(try AttributeValueDecoder().decode(Polygon.self, from: item) == polygon)
    }

    /// Asks for a keyed and an unkeyed container at the same place, which no DynamoDB value can be.
    struct Confused: Encodable {
        func encode(to encoder: any Encoder) throws {
            var keyed = encoder.container(keyedBy: CodableBridgeTests.Polygon.CodingKeys.self)
            try keyed.encode("x", forKey: .name)
            var list = encoder.unkeyedContainer()
            try list.encode(1)
        }
    }

    @Test func containerMisuseIsAnErrorNotACrash() throws {
        struct Holder: Encodable { var inner: [Confused] }
        let error = #expect(throws: EncodingError.self) { try AttributeValueEncoder().encode(Holder(inner: [Confused()])) }
        guard case .invalidValue(_, let context) = error else { throw Failure("not invalidValue") }
        #expect(
            context.debugDescription == "inner[0]: a keyed container and an unkeyed container were both encoded at the same place"
        )
    }

    private func numberText(_ value: AttributeValue?) -> String? {
        if case .number(let number) = value { number.text } else { nil }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
