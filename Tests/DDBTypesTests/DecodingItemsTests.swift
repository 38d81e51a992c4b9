import DDBTypes
import Foundation
import Testing

// The code of Sources/DDBTypes/DDBTypes.docc/DecodingItems.md, run and checked: every ```swift block
// of the article appears here verbatim (scripts/check-docs.sh compares them), followed by what the
// article says it gives.

struct Order: Codable, Equatable {
    var pk: String
    var quantity: Int
    var price: DynamoNumber
    var tags: Set<String>
    var note: String?
}

@Suite struct DecodingItemsTests {
    @Test func decodesAnItemAndWritesItBack() throws {
        let json = #"""
            {"pk": {"S": "order#1"}, "quantity": {"N": "3"},
             "price": {"N": "12345678901234567890.123456789"}, "tags": {"SS": ["new", "gift"]}}
            """#
        let item = try DynamoJSONDecoder.decodeItem(json)
        let order = try AttributeValueDecoder().decode(Order.self, from: item)

        #expect(order.pk == "order#1" && order.quantity == 3 && order.tags == ["new", "gift"])
        #expect(order.price.text == "12345678901234567890.123456789")
        #expect(order.note == nil)

        let encoded = try AttributeValueEncoder().encode(order)
        let roundTrip = try AttributeValueDecoder().decode(Order.self, from: encoded)

        #expect(roundTrip == order)
        #expect(encoded == item, "the missing note stays missing; the set comes back a set")
        let dynamoJSON = try JSONEncoder().encode(encoded)
        #expect(try DynamoJSONDecoder.decodeItem(from: dynamoJSON) == item, "JSONEncoder writes DynamoDB JSON again")
    }

    @Test func comparesNumbersNumerically() throws {
        let one = try DynamoNumber("1.0")
        let same = one == DynamoNumber(1)
        let bigger = try DynamoNumber("1E+1") > one

        #expect(same && bigger)
        #expect(one.text == "1.0", "the text stays as written")
    }

    @Test func refusesAThirtyNinthDigit() {
        var printed: [String] = []
        func print(_ value: Any) { printed.append("\(value)") }

        do throws(DDBError) {
            _ = try DynamoNumber("1.00000000000000000000000000000000000001")
        } catch {
            print(error.code)  // number-too-precise
        }

        #expect(printed == ["number-too-precise"])
    }

    @Test func namesTheAttributeOfBadInput() {
        var printed: [String] = []
        func print(_ value: Any) { printed.append("\(value)") }

        do throws(DDBError) {
            _ = try DynamoJSONDecoder.decodeItem(#"{"pk": {"S": "a"}, "price": {"N": "12,5"}}"#)
        } catch {
            print(error.path)  // price
        }

        #expect(printed == ["price"])
    }
}
