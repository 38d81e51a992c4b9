/// Where a value sits inside a record: `NewImage.lines[3].price`.
public struct AttributePath: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// An attribute (or map member, or record field) name.
        case name(String)
        /// A list position, from zero.
        case index(Int)
    }

    /// The steps, outermost first.
    public var components: [Component]

    /// Creates a path from its steps.
    public init(_ components: [Component] = []) { self.components = components }

    /// Creates a path from its steps.
    public init(arrayLiteral elements: Component...) { self.components = elements }

    /// Whether the path has no steps.
    public var isEmpty: Bool { components.isEmpty }

    /// This path followed by `other`.
    public func appending(_ other: AttributePath) -> AttributePath {
        AttributePath(components + other.components)
    }

    /// This path followed by one more step.
    public func appending(_ component: Component) -> AttributePath {
        AttributePath(components + [component])
    }

    /// The path as DynamoDB documents write it; names that are not plain identifiers are quoted:
    /// `NewImage["order id"].lines[3]`.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .name(let name):
                if Self.isPlain(name) {
                    if !text.isEmpty { text += "." }
                    text += name
                } else {
                    text += "[\"" + name.replacingQuotes() + "\"]"
                }
            }
        }
        return text
    }

    private static func isPlain(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
