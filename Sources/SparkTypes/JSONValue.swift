/// A parsed JSON document, members in their written order and numbers as their exact text.
///
/// SparkPlan reads configuration files, Spark schema documents and observed rows with it; it
/// is small on purpose (no Foundation) and never turns a number into a `Double`.
public indirect enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number as written (`12.50`, `1E+5`).
    case number(String)
    /// A string, unescaped.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// Members in the order written; a repeated name keeps each occurrence.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let x): hasher.combine(x)
        case .number(let x): hasher.combine(x)
        case .string(let x): hasher.combine(x)
        case .array(let x): hasher.combine(x)
        case .object(let members):
            for (name, value) in members {
                hasher.combine(name)
                hasher.combine(value)
            }
        }
    }

    /// The member named `name` (the last, if repeated), for an object.
    public subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == name })?.1
    }

    /// The text of a string value.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The compact JSON text of this value.
    public var jsonText: String {
        var out = ""
        write(to: &out, indent: nil, level: 0)
        return out
    }

    /// The JSON text with two-space indentation, a member per line.
    public var prettyText: String {
        var out = ""
        write(to: &out, indent: "  ", level: 0)
        return out + "\n"
    }

    private func write(to out: inout String, indent: String?, level: Int) {
        func newline(_ level: Int) {
            if let indent { out += "\n" + String(repeating: indent, count: level) }
        }
        switch self {
        case .null: out += "null"
        case .bool(let x): out += x ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): out += Quote.jsonString(text)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += "," }
                newline(level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
            }
            newline(level)
            out += "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{"
            for (k, (name, value)) in members.enumerated() {
                if k > 0 { out += "," }
                newline(level + 1)
                out += Quote.jsonString(name) + (indent == nil ? ":" : ": ")
                value.write(to: &out, indent: indent, level: level + 1)
            }
            newline(level)
            out += "}"
        }
    }

    /// Parses one JSON document (RFC 8259; surrounding whitespace allowed).
    /// - Throws: `SparkPlanError` with code `malformedJSON`, naming the byte offset.
    public static func parse(_ text: String) throws(SparkPlanError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses one JSON document from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws(SparkPlanError) -> JSONValue {
        var reader = JSONReader(bytes)
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.pos == bytes.count else { throw reader.error("end of input") }
        return value
    }
}

/// A recursive-descent JSON reader over bytes.
struct JSONReader {
    let bytes: [UInt8]
    var pos = 0
    static let maxDepth = 256

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func error(_ expected: String) -> SparkPlanError {
        let found = pos < bytes.count ? "byte 0x\(String(bytes[pos], radix: 16))" : "the end"
        return SparkPlanError(.malformedJSON, "expected \(expected) at byte \(pos), found \(found)")
    }

    mutating func skipWhitespace() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 { pos += 1 }
    }

    mutating func value(depth: Int) throws(SparkPlanError) -> JSONValue {
        guard depth < Self.maxDepth else { throw SparkPlanError(.malformedJSON, "JSON nested deeper than \(Self.maxDepth) levels") }
        skipWhitespace()
        guard pos < bytes.count else { throw error("a JSON value") }
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            pos += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw error("a member name") }
                let name = try string()
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw error("':'") }
                pos += 1
                members.append((name, try value(depth: depth + 1)))
                skipWhitespace()
                guard pos < bytes.count else { throw error("',' or '}'") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
                throw error("',' or '}'")
            }
        case UInt8(ascii: "["):
            pos += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard pos < bytes.count else { throw error("',' or ']'") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                throw error("',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return .number(try number())
        }
    }

    mutating func literal(_ word: StaticString) throws(SparkPlanError) {
        let count = word.utf8CodeUnitCount
        guard pos + count <= bytes.count else { throw error("'\(word)'") }
        for k in 0..<count where bytes[pos + k] != word.utf8Start[k] { throw error("'\(word)'") }
        pos += count
    }

    mutating func number() throws(SparkPlanError) -> String {
        let start = pos
        func digits() -> Int {
            let from = pos
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
            return pos - from
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 else { throw error("a JSON value") }
        if bytes[pos] == 0x30 { pos += 1 } else { _ = digits() }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard digits() > 0 else { throw error("a digit after '.'") }
        }
        if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard digits() > 0 else { throw error("a digit in an exponent") }
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    mutating func string() throws(SparkPlanError) -> String {
        pos += 1  // the opening quote
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw error("the end of a string") }
            let byte = bytes[pos]
            if byte == UInt8(ascii: "\"") { pos += 1; break }
            if byte < 0x20 { throw error("no raw control character in a string") }
            if byte != UInt8(ascii: "\\") { out.append(byte); pos += 1; continue }
            pos += 1
            guard pos < bytes.count else { throw error("an escape") }
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
                var unit = try hex4()
                if unit >= 0xD800 && unit < 0xDC00 {
                    // A high surrogate: its low half must follow as another \u escape.
                    guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                        throw error("the low half of a surrogate pair")
                    }
                    pos += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("the low half of a surrogate pair") }
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else if unit >= 0xDC00 && unit < 0xE000 {
                    throw error("no lone low surrogate")
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(unit)!)).utf8)
            default:
                pos -= 1
                throw error("a valid escape")
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw error("valid UTF-8 in a string") }
        return text
    }

    mutating func hex4() throws(SparkPlanError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw error("four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[pos] | 0x20
            let digit: UInt8
            if byte >= 0x30 && byte <= 0x39 { digit = byte - 0x30 } else if byte >= 0x61 && byte <= 0x66 { digit = byte - 0x61 + 10 } else {
                throw error("four hex digits")
            }
            value = value << 4 | UInt32(digit)
            pos += 1
        }
        return value
    }
}
