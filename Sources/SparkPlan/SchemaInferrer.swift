/// Infers the Spark schema of ddbcdc rows (flat layout) from observed rows.
///
/// The row JSON does not say which arrays were DynamoDB sets or lists, nor which strings were
/// binaries, so they infer as `ARRAY<…>` and `STRING`. Numbers are the point: every number of a
/// column is measured (digits left of the point, digits right of it, after its exponent), and
/// the column becomes `DECIMAL(38,s)` when every value fits 38 digits, or `STRING` (the exact JSON
/// text, which Spark's JSON reader keeps) when one does not, such as `1E+125` or `1E-130`.
/// Nothing becomes `DOUBLE`.
///
/// `s` is the largest scale seen plus `scaleHeadroom`: DynamoDB drops trailing zeros, so prices
/// sampled as `19.9` say nothing about a later `19.95`. The headroom gives way to integer digits
/// (at least `integerHeadroom` more than seen are kept), never below the largest scale seen. A
/// later value that still does not fit is not rounded: the notebook quarantines its row.
public struct SchemaInferrer: Sendable {
    /// How numbers are typed.
    public enum NumberMode: String, Sendable, CaseIterable {
        /// `DECIMAL(38,s)` where every observed value fits, `STRING` where one does not.
        case decimal
        /// Always `STRING`: the exact text of every number, whatever comes later.
        case string
    }

    /// The metadata columns ddbcdc writes by default (the seed's names), with their fixed types.
    public static let metadataColumns: [StructField] = metadataColumns(prefix: nil)

    /// The metadata columns under `--metadata-prefix`: the seed's names for nil, else the prefix
    /// before every base name (`eventName`, `eventId`, `seq`, `approxStreamTs`, `ingestTs`,
    /// `is_deleted`, `ttlDelete`), the rule the row writer follows.
    public static func metadataColumns(prefix: String?) -> [StructField] {
        let types: [(String, String, SparkType)] = [
            ("_eventName", "eventName", .string), ("_eventId", "eventId", .string), ("_seq", "seq", .string),
            ("_approxStreamTs", "approxStreamTs", .bigint), ("_ingestTs", "ingestTs", .bigint), ("is_deleted", "is_deleted", .boolean),
            ("_ttlDelete", "ttlDelete", .boolean),
        ]
        return types.map { seed, base, type in StructField(prefix.map { $0 + base } ?? seed, type) }
    }

    /// The metadata columns this inferrer types as ddbcdc writes them.
    public var metadataColumns: [StructField]

    /// A struct with more member names than this becomes `MAP<STRING, …>`.
    public var maxStructFields = 200
    /// Decimal places declared beyond the largest scale seen.
    public var scaleHeadroom = 4
    /// Integer digits kept beyond the widest integer part seen, before scale headroom is granted.
    public var integerHeadroom = 4
    /// How numbers are typed.
    public var numberMode: NumberMode
    /// Rows observed so far.
    public private(set) var rows = 0

    private var top = ObservedObject()

    /// Creates an inferrer; `metadataPrefix` as given to the row writer (`--metadata-prefix`).
    public init(numberMode: NumberMode = .decimal, metadataPrefix: String? = nil) {
        self.numberMode = numberMode
        metadataColumns = Self.metadataColumns(prefix: metadataPrefix)
    }

    /// Observes one row: a line of `ddbcdc transform` / `ddbcdc run` output.
    /// - Throws: `SparkPlanError` if the line is not a JSON object.
    public mutating func observe(line: [UInt8]) throws(SparkPlanError) {
        let value = try JSONValue.parse(line)
        guard case .object(let members) = value else {
            throw SparkPlanError(.malformedJSON, "a row is a JSON object, not \(value.jsonText.prefix(40))")
        }
        top.merge(members)
        rows += 1
    }

    /// Observes one parsed row.
    mutating func observe(row members: [(String, JSONValue)]) {
        top.merge(members)
        rows += 1
    }

    /// The inferred schema: columns in the order first seen, metadata columns typed as ddbcdc
    /// writes them.
    public var schema: SparkSchema {
        SparkSchema(top.names.map { name in
            if let fixed = metadataColumns.first(where: { $0.name.utf8.elementsEqual(name.utf8) }) { return fixed }
            return StructField(name, sparkType(top[name]))
        })
    }

    /// One line per column path with what was seen: value counts and, for numbers, the widest
    /// integer part and scale (so a reader can tell how much room a DECIMAL has).
    public var report: [String] {
        var lines: [String] = []
        func walk(_ path: String, _ observed: Observed) {
            switch observed {
            case .number(let stats):
                let type = numberType(stats)
                lines.append("\(path)\t\(type.ddl)\tnumbers=\(stats.count) max_integer_digits=\(stats.maxIntegerDigits) max_scale=\(stats.maxScale)"
                    + (stats.minScale != stats.maxScale ? " min_scale=\(stats.minScale)" : "")
                    + (stats.fits ? "" : " (a value needs more than 38 digits: kept as text)"))
            case .array(let element):
                walk(path + "[]", element)
            case .object(let object):
                for name in object.names { walk(path + "." + Quote.sqlIdentifier(name), object[name]) }
            default:
                break
            }
        }
        for name in top.names where !metadataColumns.contains(where: { $0.name.utf8.elementsEqual(name.utf8) }) {
            walk(Quote.sqlIdentifier(name), top[name])
        }
        return lines
    }

    /// Warnings for number columns whose observed scales vary (`19.9` and `19.95`): DynamoDB drops
    /// trailing zeros, so the scale seen is a sample, and a later value may need more places than
    /// the declared type has. One line per column path.
    public var scaleWarnings: [String] {
        var lines: [String] = []
        func walk(_ path: String, _ observed: Observed) {
            switch observed {
            case .number(let stats) where stats.minScale != stats.maxScale:
                let type = numberType(stats)
                let declared: String
                if case .decimal(_, let scale) = type {
                    declared = "declared \(type.ddl): a later value with more than \(scale) decimal place(s) is quarantined, not rounded; "
                        + "widen the type if values can have more"
                } else {
                    declared = "declared \(type.ddl) (exact text)"
                }
                lines.append("column \(path): observed scales vary from \(stats.minScale) to \(stats.maxScale); \(declared)")
            case .array(let element):
                walk(path + "[]", element)
            case .object(let object):
                for name in object.names { walk(path + "." + Quote.sqlIdentifier(name), object[name]) }
            default:
                break
            }
        }
        for name in top.names where !metadataColumns.contains(where: { $0.name.utf8.elementsEqual(name.utf8) }) {
            walk(Quote.sqlIdentifier(name), top[name])
        }
        return lines
    }

    /// Names of top-level columns that Spark, case-insensitive by default, would confuse.
    public var caseCollisions: [[String]] {
        var groups: [ExactName: [String]] = [:]
        for name in top.names { groups[ExactName(name.lowercased()), default: []].append(name) }
        return groups.values.filter { $0.count > 1 }.sorted { $0[0].utf8.lexicographicallyPrecedes($1[0].utf8) }
    }

    private func numberType(_ stats: NumberStats) -> SparkType {
        guard numberMode == .decimal, stats.fits else { return .string }
        let room = 38 - stats.maxIntegerDigits - integerHeadroom
        return .decimal(precision: 38, scale: max(stats.maxScale, min(stats.maxScale + scaleHeadroom, room)))
    }

    private func sparkType(_ observed: Observed) -> SparkType {
        switch observed {
        case .null, .string, .conflict: return .string
        case .bool: return .boolean
        case .number(let stats): return numberType(stats)
        case .array(let element): return .array(sparkType(element))
        case .object(let object):
            if object.names.isEmpty { return .string }  // only `{}` seen: its JSON text
            let lowered = object.names.map { ExactName($0.lowercased()) }
            if object.names.count > maxStructFields || object.names.contains(where: \.isEmpty) || Set(lowered).count != lowered.count {
                // Member names that are data (or that Spark cannot tell apart): a map.
                var value = Observed.null
                for name in object.names { value = value.merged(with: object[name]) }
                return .map(sparkType(value))
            }
            return .struct(object.names.map { StructField($0, sparkType(object[$0])) })
        }
    }
}

/// What the values at one path have been.
indirect enum Observed: Sendable {
    case null
    case bool
    case number(NumberStats)
    case string
    case array(Observed)
    case object(ObservedObject)
    /// Values of different kinds: read as text.
    case conflict

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool: self = .bool
        case .number(let text): self = .number(NumberStats(text))
        case .string: self = .string
        case .array(let items):
            var element = Observed.null
            for item in items { element = element.merged(with: Observed(item)) }
            self = .array(element)
        case .object(let members):
            var object = ObservedObject()
            object.merge(members)
            self = .object(object)
        }
    }

    func merged(with other: Observed) -> Observed {
        switch (self, other) {
        case (.null, _): return other
        case (_, .null): return self
        case (.conflict, _), (_, .conflict): return .conflict
        case (.bool, .bool): return .bool
        case (.string, .string): return .string
        case (.number(let a), .number(let b)): return .number(a.merged(with: b))
        case (.array(let a), .array(let b)): return .array(a.merged(with: b))
        case (.object(var a), .object(let b)):
            a.merge(b)
            return .object(a)
        default: return .conflict
        }
    }
}

/// A name compared by its Unicode scalars, as DynamoDB and Spark compare names (Swift's `==`
/// on `String` would take `café` spelt with U+00E9 and with U+0301 for one name).
struct ExactName: Hashable, Sendable {
    var text: String
    init(_ text: String) { self.text = text }
    static func == (a: ExactName, b: ExactName) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }
    func hash(into hasher: inout Hasher) { for byte in text.utf8 { hasher.combine(byte) } }
}

/// The members seen at one object path, in first-seen order.
struct ObservedObject: Sendable {
    var names: [String] = []
    private var values: [ExactName: Observed] = [:]

    /// The observations of a member.
    subscript(name: String) -> Observed { values[ExactName(name)]! }

    mutating func merge(_ members: [(String, JSONValue)]) {
        for (name, value) in members { add(name, Observed(value)) }
    }

    mutating func merge(_ other: ObservedObject) {
        for name in other.names { add(name, other[name]) }
    }

    private mutating func add(_ name: String, _ observed: Observed) {
        let key = ExactName(name)
        if let existing = values[key] {
            values[key] = existing.merged(with: observed)
        } else {
            names.append(name)
            values[key] = observed
        }
    }
}

/// The digits numbers of one path need, measured on their decimal text.
struct NumberStats: Sendable, Hashable {
    /// Numbers seen.
    var count = 0
    /// The most significant digits left of the decimal point (`1E+5` has 6, `0.5` has 0).
    var maxIntegerDigits = 0
    /// The most digits right of the decimal point (`2.5e-3` has 4, `100.00` has 2).
    var maxScale = 0
    /// The fewest digits right of the decimal point: where it differs from `maxScale`, the scale
    /// seen is a sample (DynamoDB drops trailing zeros) and a later value may need more.
    var minScale = 0

    /// Measures one JSON number's text.
    init(_ text: String) {
        count = 1
        var integer = 0, fraction = 0, exponent = 0, negativeExponent = false
        var leadingZeros = 0, sawNonZero = false
        var part = 0  // 0: integer part, 1: fraction, 2: exponent
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "."): part = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"): part = 2
            case UInt8(ascii: "-"): if part == 2 { negativeExponent = true }
            case UInt8(ascii: "+"): break
            default:
                let digit = Int(byte) - 48
                guard digit >= 0 && digit <= 9 else { continue }
                if part == 2 {
                    exponent = min(exponent * 10 + digit, 100_000)
                    continue
                }
                if part == 0 { integer += 1 } else { fraction += 1 }
                if digit != 0 { sawNonZero = true } else if !sawNonZero { leadingZeros += 1 }
            }
        }
        if negativeExponent { exponent = -exponent }
        let pointPosition = integer + exponent
        maxIntegerDigits = sawNonZero ? max(0, pointPosition - leadingZeros) : 0
        maxScale = max(0, fraction - exponent)
        minScale = maxScale
    }

    /// Whether every value fits `DECIMAL(38, maxScale)`.
    var fits: Bool { maxIntegerDigits + maxScale <= 38 }

    func merged(with other: NumberStats) -> NumberStats {
        var out = self
        out.count += other.count
        out.maxIntegerDigits = max(maxIntegerDigits, other.maxIntegerDigits)
        out.maxScale = max(maxScale, other.maxScale)
        out.minScale = min(minScale, other.minScale)
        return out
    }
}
