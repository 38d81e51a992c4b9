// libFuzzer target: DynamoDB JSON items, read by both of DDBTypes' readers.
//
// The same bytes go through DynamoJSONDecoder.decodeItem (which builds AttributeValues) and
// JSONCursor.transcodeItem (which writes row JSON straight from the input, the hot path), and the
// two must agree, which makes each the other's oracle:
// - one accepts exactly when the other does (they promise the same validation);
// - where both accept, the transcoder's row JSON is valid JSON and means what RowJSONEncoder writes
//   for the decoded item: the same members, strings, booleans, nulls and lists, sets in the same
//   canonical order, numbers numerically equal; with `numbers: .string` each number is the same
//   text as a string; its member count and top-level names are the item's.
// The same bytes are also skipped: `skipItem` and `skipAttributeValue` (the fast skips of images a
// row does not use) must end where `skipValue` ends, or fail with its error at its offset.
// A disagreement traps, which libFuzzer reports as a crash and saves the input.
import DDBTypes

private func fail(_ message: String, _ input: UnsafeBufferPointer<UInt8>) -> Never {
    print("transcoder disagrees with decoder: \(message)")
    print("input (\(input.count) bytes): \(String(decoding: input.prefix(2000), as: UTF8.self).debugDescription)")
    fatalError(message)
}

/// A JSON value with strings decoded, objects as maps: what a reader of the row sees.
private indirect enum JSON: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string([UInt8])
    case array([JSON])
    case object([[UInt8]: JSON])
}

/// A strict RFC 8259 parser for the rows written (no duplicate names, UTF-8 left to the readers
/// that produced it); nil where the text is not JSON.
private struct Parser {
    let bytes: [UInt8]
    var pos = 0

    static func parse(_ bytes: [UInt8]) -> JSON? {
        var parser = Parser(bytes: bytes)
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.pos == bytes.count ? value : nil
    }

    mutating func skipSpace() {
        while pos < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[pos]) { pos += 1 }
    }

    mutating func literal(_ text: String) -> Bool {
        let word = Array(text.utf8)
        guard pos + word.count <= bytes.count, bytes[pos..<pos + word.count].elementsEqual(word) else { return false }
        pos += word.count
        return true
    }

    mutating func value(depth: Int) -> JSON? {
        guard depth < 200 else { return nil }
        skipSpace()
        guard pos < bytes.count else { return nil }
        switch bytes[pos] {
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "["):
            pos += 1
            var elements: [JSON] = []
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
                pos += 1
                return .array(elements)
            }
            while true {
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
                skipSpace()
                guard pos < bytes.count else { return nil }
                pos += 1
                if bytes[pos - 1] == UInt8(ascii: "]") { return .array(elements) }
                guard bytes[pos - 1] == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "{"):
            pos += 1
            var members: [[UInt8]: JSON] = [:]
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\""), let name = string() else { return nil }
                skipSpace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { return nil }
                pos += 1
                guard let member = value(depth: depth + 1), members.updateValue(member, forKey: name) == nil else { return nil }
                skipSpace()
                guard pos < bytes.count else { return nil }
                pos += 1
                if bytes[pos - 1] == UInt8(ascii: "}") { return .object(members) }
                guard bytes[pos - 1] == UInt8(ascii: ",") else { return nil }
            }
        default: return number()
        }
    }

    mutating func number() -> JSON? {
        let start = pos
        func digits() -> Int {
            let from = pos
            while pos < bytes.count, bytes[pos] >= UInt8(ascii: "0"), bytes[pos] <= UInt8(ascii: "9") { pos += 1 }
            return pos - from
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        let intStart = pos
        let intDigits = digits()
        guard intDigits > 0, intDigits == 1 || bytes[intStart] != UInt8(ascii: "0") else { return nil }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard digits() > 0 else { return nil }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard digits() > 0 else { return nil }
        }
        return .number(String(decoding: bytes[start..<pos], as: UTF8.self))
    }

    func hex(_ at: Int) -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[at..<at + 4] {
            guard let digit = Int(String(UnicodeScalar(byte)), radix: 16) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The decoded bytes of the string at `pos` (its opening quote).
    mutating func string() -> [UInt8]? {
        pos += 1
        var out: [UInt8] = []
        while pos < bytes.count {
            let byte = bytes[pos]
            pos += 1
            switch byte {
            case UInt8(ascii: "\""): return out
            case 0..<0x20: return nil
            case UInt8(ascii: "\\"):
                guard pos < bytes.count else { return nil }
                let escape = bytes[pos]
                pos += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex(pos) else { return nil }
                    pos += 4
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard pos + 6 <= bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u"),
                            let low = hex(pos + 2), low >= 0xDC00, low < 0xE000
                        else { return nil }
                        pos += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        return nil
                    }
                    out.append(contentsOf: String(Character(UnicodeScalar(scalar)!)).utf8)
                default: return nil
                }
            default: out.append(byte)
            }
        }
        return nil
    }
}

/// Whether `row` (the transcoder's) means what `expected` (RowJSONEncoder's) does.
private func same(_ row: JSON, _ expected: JSON, quotedNumbers: Bool) -> Bool {
    switch (row, expected) {
    case (.object(let a), .object(let b)):
        return a.count == b.count && a.allSatisfy { name, value in b[name].map { same(value, $0, quotedNumbers: quotedNumbers) } ?? false }
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy { same($0, $1, quotedNumbers: quotedNumbers) }
    case (.number(let a), .number(let b)) where !quotedNumbers:
        guard let x = try? DynamoNumber(a), let y = try? DynamoNumber(b) else { return false }
        return x == y
    case (.string(let a), .number(let b)) where quotedNumbers:
        guard let x = try? DynamoNumber(String(decoding: a, as: UTF8.self)), let y = try? DynamoNumber(b) else { return false }
        return x == y
    default:
        return row == expected
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTranscoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // libFuzzer's own copy, exactly `size` bytes long: AddressSanitizer sees any read past it.
    let input = UnsafeBufferPointer(start: size == 0 ? nil : data, count: size)

    let decoded = Result { () throws(DDBError) in try DynamoJSONDecoder.decodeItem(from: input) }
    var scratch = TranscodeScratch()
    func transcode(_ numbers: NumberOutput) -> Result<(row: [UInt8], members: Int, names: [String]), DDBError> {
        var cursor = JSONCursor(input)
        var out: [UInt8] = [UInt8(ascii: "{")]
        do throws(DDBError) {
            let members = try cursor.transcodeItem(into: &out, numbers: numbers, scratch: &scratch)
            cursor.skipWhitespace()
            guard cursor.pos == cursor.end else { throw cursor.malformed("the end of the input") }
            out.append(UInt8(ascii: "}"))
            return .success((out, members, scratch.itemNames.map { cursor.decodedString($0) }))
        } catch {
            return .failure(error)
        }
    }
    let exact = transcode(.exact)
    let quoted = transcode(.string)
    // Read again with the names the reads above learned, and without learning any: the very same
    // row, names and error (KnownNames).
    let learnedAgain = transcode(.exact)
    scratch = TranscodeScratch(learningNames: false)
    let unlearned = transcode(.exact)
    for (other, what) in [(learnedAgain, "with learned names"), (unlearned, "without learning names")] {
        switch (exact, other) {
        case (.success(let row), .success(let again)) where row.row == again.row && row.members == again.members && row.names == again.names: break
        case (.failure(let error), .failure(let again)) where error == again && error.message == again.message: break
        default: fail("transcoder gives \(exact), \(what) \(other)", input)
        }
    }

    func skipped(_ skip: (inout JSONCursor) throws(DDBError) -> Void) -> Result<Int, DDBError> {
        var cursor = JSONCursor(input)
        do throws(DDBError) {
            try skip(&cursor)
            return .success(cursor.pos)
        } catch {
            return .failure(error)
        }
    }
    let general = skipped { cursor throws(DDBError) in try cursor.skipValue() }
    let asItem = skipped { cursor throws(DDBError) in try cursor.skipItem() }
    let generalMember = skipped { cursor throws(DDBError) in try cursor.skipValue(depth: 1) }
    let asMember = skipped { cursor throws(DDBError) in try cursor.skipAttributeValue() }
    for (fast, reference, what) in [(asItem, general, "skipItem"), (asMember, generalMember, "skipAttributeValue")] {
        switch (fast, reference) {
        case (.success(let end), .success(let expected)) where end == expected: break
        case (.failure(let error), .failure(let expected)) where error == expected: break
        default: fail("\(what) gives \(fast), skipValue \(reference)", input)
        }
    }

    switch (decoded, exact, quoted) {
    case (.failure(let error), .failure(let other), .failure):
        // Both refuse; the messages must render (they end up in _errors objects).
        _ = "\(error) \(other) \(error.path) \(other.path)"
        guard error.offset >= 0, error.offset <= size, other.offset >= 0, other.offset <= size else {
            fail("error offset outside the input: decoder \(error.offset), transcoder \(other.offset)", input)
        }
    case (.success(let item), .success(let row), .success(let quotedRow)):
        guard let rowJSON = Parser.parse(row.row) else {
            fail("transcoder wrote invalid JSON \(String(decoding: row.row, as: UTF8.self).debugDescription)", input)
        }
        guard let quotedJSON = Parser.parse(quotedRow.row) else {
            fail("transcoder (numbers as strings) wrote invalid JSON \(String(decoding: quotedRow.row, as: UTF8.self).debugDescription)", input)
        }
        let expectedBytes = RowJSONEncoder(numbers: .exact).encode(item)
        guard let expected = Parser.parse(expectedBytes) else {
            fail("RowJSONEncoder wrote invalid JSON \(String(decoding: expectedBytes, as: UTF8.self).debugDescription)", input)
        }
        guard same(rowJSON, expected, quotedNumbers: false) else {
            fail(
                "transcoder wrote \(String(decoding: row.row, as: UTF8.self).debugDescription), decode and re-encode gives \(String(decoding: expectedBytes, as: UTF8.self).debugDescription)",
                input)
        }
        guard same(quotedJSON, expected, quotedNumbers: true) else {
            fail(
                "transcoder (numbers as strings) wrote \(String(decoding: quotedRow.row, as: UTF8.self).debugDescription), decode and re-encode gives \(String(decoding: expectedBytes, as: UTF8.self).debugDescription)",
                input)
        }
        guard row.members == item.count, Set(row.names) == Set(item.keys), row.names.count == item.count else {
            fail("transcoder counts \(row.members) members named \(row.names), the decoder \(item.count): \(item.keys.sorted())", input)
        }
    default:
        func describe<T>(_ result: Result<T, DDBError>) -> String {
            switch result {
            case .success: "accepts"
            case .failure(let error): "refuses (\(error.code) at \(error.offset): \(error))"
            }
        }
        fail("decoder \(describe(decoded)), transcoder \(describe(exact)), transcoder with quoted numbers \(describe(quoted))", input)
    }
    return 0
}
