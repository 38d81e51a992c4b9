import SparkPlan

/// A JSON-shaped value with ordered members, rendered as JSON or as YAML: one tree for the IAM
/// policy, the event source mapping and the SAM template, so the three cannot disagree.
///
/// Strings are always quoted in YAML (a bare `2010-09-09` is a date to YAML 1.1 readers and a bare
/// account number a number); CloudFormation intrinsics use their long form (`Ref`, `Fn::GetAtt`,
/// `Fn::Sub`), which is the same in JSON and YAML.
package indirect enum InfraDocument: Sendable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case array([InfraDocument])
    case object([(key: String, value: InfraDocument)])

    /// `{"Ref": name}`.
    static func ref(_ name: String) -> InfraDocument { ["Ref": .string(name)] }

    /// `{"Fn::GetAtt": [resource, attribute]}`.
    static func getAtt(_ resource: String, _ attribute: String) -> InfraDocument {
        ["Fn::GetAtt": [.string(resource), .string(attribute)]]
    }

    /// `{"Fn::Sub": text}`.
    static func sub(_ text: String) -> InfraDocument { ["Fn::Sub": .string(text)] }

    /// The member `key` of an object.
    subscript(key: String) -> InfraDocument? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    // MARK: JSON

    /// Indented JSON (two spaces), members in order, a newline at the end.
    package var json: String {
        var out = ""
        writeJSON(to: &out, indent: 0)
        return out + "\n"
    }

    private func writeJSON(to out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent + 2)
        switch self {
        case .string(let text): out += Quote.jsonString(text)
        case .integer(let value): out += String(value)
        case .bool(let value): out += value ? "true" : "false"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            // Arrays of scalars stay on one line: ["dynamodb:GetRecords", …] reads as a list of actions.
            if items.allSatisfy(\.isScalar) {
                out += "[" + items.map { item -> String in
                    var text = ""
                    item.writeJSON(to: &text, indent: 0)
                    return text
                }.joined(separator: ", ") + "]"
                return
            }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                item.writeJSON(to: &out, indent: indent + 2)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (index, member) in members.enumerated() {
                out += pad + Quote.jsonString(member.key) + ": "
                member.value.writeJSON(to: &out, indent: indent + 2)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    // MARK: YAML

    /// Block-style YAML, members in order, strings double-quoted, a newline at the end.
    package var yaml: String {
        if isScalar || isEmptyContainer { return inlineYAML + "\n" }
        return yamlLines(indent: 0).joined(separator: "\n") + "\n"
    }

    private var isScalar: Bool {
        switch self {
        case .string, .integer, .bool: true
        case .array, .object: false
        }
    }

    private var isEmptyContainer: Bool {
        switch self {
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }

    /// A scalar or an empty container on one line.
    private var inlineYAML: String {
        switch self {
        case .string(let text): Self.yamlQuoted(text)
        case .integer(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .array: "[]"
        case .object: "{}"
        }
    }

    /// The lines of a non-empty container at `indent` spaces.
    private func yamlLines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        switch self {
        case .object(let members):
            for member in members {
                let key = Self.yamlKey(member.key)
                if member.value.isScalar || member.value.isEmptyContainer {
                    lines.append(pad + key + ": " + member.value.inlineYAML)
                } else if case .array = member.value {
                    // A sequence under a key sits at the key's own indentation (the usual CloudFormation style).
                    lines.append(pad + key + ":")
                    lines += member.value.yamlLines(indent: indent)
                } else {
                    lines.append(pad + key + ":")
                    lines += member.value.yamlLines(indent: indent + 2)
                }
            }
        case .array(let items):
            for item in items {
                if item.isScalar || item.isEmptyContainer {
                    lines.append(pad + "- " + item.inlineYAML)
                } else {
                    // The item's block, indented past the dash, with the dash put on its first line.
                    var block = item.yamlLines(indent: indent + 2)
                    block[0] = pad + "- " + block[0].dropFirst(indent + 2)
                    lines += block
                }
            }
        default:
            lines.append(pad + inlineYAML)
        }
        return lines
    }

    /// A mapping key: plain when it is a simple name (`Type`, `Fn::GetAtt`), quoted otherwise.
    private static func yamlKey(_ key: String) -> String {
        let simple =
            !key.isEmpty && key.first != ":" && key.last != ":"
            && key.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == ":" }
            && !key.contains(": ")
            && !["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"].contains(key.lowercased())
            && !(key.first.map { $0.isNumber } ?? false)
        return simple ? key : yamlQuoted(key)
    }

    /// `text` as a YAML double-quoted scalar. The escapes used (`\" \\ \n \r \t \uXXXX`) mean the
    /// same in YAML 1.1 and 1.2; characters YAML does not allow raw (C0 and C1 controls, DEL, the
    /// BOM, U+FFFE/U+FFFF, the Unicode line and paragraph separators) are escaped.
    static func yamlQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let value = scalar.value
                let unprintable =
                    value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0xFEFF || value == 0xFFFE
                    || value == 0xFFFF || value == 0x2028 || value == 0x2029
                out += unprintable ? escaped(scalar) : String(scalar)
            }
        }
        return out + "\""
    }

    /// `\uXXXX` for a scalar in the Basic Multilingual Plane (all the ones escaped here are).
    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension InfraDocument: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .integer(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: InfraDocument...) { self = .array(elements) }
    /// Members keep the literal's order.
    package init(dictionaryLiteral elements: (String, InfraDocument)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}
