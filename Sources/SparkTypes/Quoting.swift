/// Quoting and escaping for every language the generated artifacts are written in.
///
/// Each function turns an arbitrary Swift string into a token of the target language that reads
/// back as exactly that string, so a hostile catalog, table, column name or path can neither
/// break the generated code nor inject into it.
package enum Quote {
    /// A Spark SQL identifier: in backticks, a backtick doubled (`` a`b `` → `` `a``b` ``).
    package static func sqlIdentifier(_ name: String) -> String {
        "`" + name.replacing("`", with: "``") + "`"
    }

    /// A dotted name of quoted parts (`` `cat`.`schema`.`table` ``).
    package static func sqlName(_ parts: [String]) -> String {
        parts.map(sqlIdentifier).joined(separator: ".")
    }

    /// An ANSI SQL identifier (DuckDB, PostgreSQL): in double quotes, a double quote doubled.
    package static func ansiIdentifier(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    /// A Spark SQL string literal: single quotes; backslash, quote and control characters
    /// escaped with backslashes (Spark's default, `spark.sql.parser.escapedStringLiterals=false`).
    package static func sqlString(_ text: String) -> String {
        escaped(text, quote: "'") { $0.value > 0xFFFF ? String($0) : "\\u" + hex($0.value, width: 4) }
    }

    /// A Python string literal in double quotes. Control, format and separator characters (the
    /// ones that could hide code from a reader: bidi overrides, U+2028) become `\u` escapes;
    /// other non-ASCII text stays readable.
    package static func pythonString(_ text: String) -> String {
        escaped(text, quote: "\"") {
            $0.value > 0xFFFF ? "\\U" + hex($0.value, width: 8) : "\\u" + hex($0.value, width: 4)
        }
    }

    /// A JSON string (also a YAML double-quoted scalar): `"`, `\`, control, format and separator
    /// characters escaped.
    package static func jsonString(_ text: String) -> String {
        escaped(text, quote: "\"") { scalar in
            guard scalar.value > 0xFFFF else { return "\\u" + hex(scalar.value, width: 4) }
            // JSON has only \u escapes of UTF-16 units: a surrogate pair.
            let v = scalar.value - 0x10000
            return "\\u" + hex(0xD800 + (v >> 10), width: 4) + "\\u" + hex(0xDC00 + (v & 0x3FF), width: 4)
        }
    }

    /// `text` between `quote`s with C-style backslash escapes, which Spark SQL, Python and JSON
    /// share: `\\`, the quote, `\n`, `\r`, `\t`; a scalar `needsEscape` names is written by
    /// `escape` (each language spells code points its own way); anything else is itself.
    private static func escaped(_ text: String, quote: Unicode.Scalar, escape: (Unicode.Scalar) -> String) -> String {
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case quote: out += "\\" + String(quote)
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if needsEscape(scalar) {
                    out += escape(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.unicodeScalars.append(quote)
        return out
    }

    /// Text safe inside a one-line comment or Markdown line: no line breaks or hidden characters.
    package static func commentText(_ text: String) -> String {
        let json = jsonString(text)
        return String(json.dropFirst().dropLast())
    }

    /// Whether a scalar is shown as an escape rather than itself: C0 and C1 controls, DEL, and
    /// the format (bidi, zero-width), separator, surrogate, private-use and unassigned classes.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) { return true }
        if scalar.isASCII { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return true
        default:
            return false
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
