import DDBTypes
import Parquet

/// Shreds row-JSON lines into a ``ParquetWriter``'s columns as a ``ParquetLayout`` says: every
/// value at its definition and repetition levels, misfits (typed layout) into `_rescued_data`.
///
/// Rows are the row writer's own output (one compact JSON object per line, numbers as their exact
/// text), so they are scanned in place with `JSONCursor`, never decoded into a tree.
struct RowShredder {
    let layout: ParquetLayout
    var writer: ParquetWriter
    /// Attributes set aside into `_rescued_data` so far (typed layout).
    private(set) var rescued = 0
    /// Rows with at least one attribute rescued.
    private(set) var rowsWithRescued = 0
    /// `_item` or `_rescued_data` of the row being shredded.
    private var text: [UInt8] = []
    /// A decoded string with escapes.
    private var scratch: [UInt8] = []
    private var seenMetadata: [Bool]
    private var seenColumns: [Bool]
    /// Where the next member's column is most likely found: rows list attributes in a stable order.
    private var hint = 0
    /// The metadata columns' names back to back, and where each starts (one more: the end). Every
    /// key of every row is looked up here; searching `layout.metadata` itself retained and released
    /// each plan's name and shape per comparison, a quarter of a packed run's CPU.
    private let metadataNameBytes: [UInt8]
    private let metadataNameStarts: [Int]
    /// The typed layout's column names, the same way (a fifth of a typed run's CPU went to
    /// reference counting in the search of `layout.columns`).
    private let columnNameBytes: [UInt8]
    private let columnNameStarts: [Int]

    init(layout: ParquetLayout, writer: ParquetWriter) {
        self.layout = layout
        self.writer = writer
        seenMetadata = Array(repeating: false, count: layout.metadata.count)
        seenColumns = Array(repeating: false, count: layout.columns.count)
        text.reserveCapacity(4096)
        metadataNameBytes = layout.metadata.flatMap(\.name)
        metadataNameStarts = layout.metadata.reduce(into: [0]) { starts, plan in starts.append(starts.last! + plan.name.count) }
        columnNameBytes = layout.columns.flatMap(\.name)
        columnNameStarts = layout.columns.reduce(into: [0]) { starts, plan in starts.append(starts.last! + plan.name.count) }
    }

    /// Adds one row (a JSON object; a trailing newline is allowed).
    /// - Parameter index: the row's place in its batch, from 0, for error messages.
    mutating func add(row: UnsafeBufferPointer<UInt8>, index: Int) throws(ParquetRowsError) {
        do throws(DDBError) {
            try shred(row)
        } catch {
            throw ParquetRowsError(.malformedRow, "row \(index + 1) of the batch is not a JSON object: \(error)")
        }
        do { try writer.endRow() } catch {
            throw ParquetRowsError(.writeFailed, "row \(index + 1) of the batch: \(error)")
        }
    }

    private mutating func shred(_ row: UnsafeBufferPointer<UInt8>) throws(DDBError) {
        for i in seenMetadata.indices { seenMetadata[i] = false }
        for i in seenColumns.indices { seenColumns[i] = false }
        text.removeAll(keepingCapacity: true)
        var rowRescued = false
        var cursor = JSONCursor(row)
        if try cursor.beginObject("a row (a JSON object)") {
            repeat {
                cursor.skipWhitespace()
                let memberStart = cursor.pos
                let key = try cursor.readKey()
                cursor.skipWhitespace()
                let valueStart = cursor.pos
                if let m = metadataIndex(key, cursor), !seenMetadata[m], try fits(layout.metadata[m], cursor) {
                    seenMetadata[m] = true
                    try write(layout.metadata[m], &cursor, definition: 0, repetition: 0)
                    continue
                }
                if layout.kind == .typed, let c = columnIndex(key, cursor), !seenColumns[c], try fits(layout.columns[c], cursor) {
                    seenColumns[c] = true
                    try write(layout.columns[c], &cursor, definition: 0, repetition: 0)
                    continue
                }
                // Packed: every other member is the item's. Typed: a member the schema does not
                // have, or whose value does not fit, is rescued as it was written.
                cursor.pos = valueStart
                try cursor.skipValue()
                text.append(text.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
                text.append(contentsOf: UnsafeBufferPointer(rebasing: row[memberStart..<cursor.pos]))
                if layout.kind == .typed {
                    rescued += 1
                    rowRescued = true
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        }
        if rowRescued { rowsWithRescued += 1 }
        for (m, seen) in seenMetadata.enumerated() where !seen { nulls(layout.metadata[m].leaves, definition: 0, repetition: 0) }
        for (c, seen) in seenColumns.enumerated() where !seen { nulls(layout.columns[c].leaves, definition: 0, repetition: 0) }
        if text.isEmpty && layout.kind == .packed { text.append(UInt8(ascii: "{")) }
        if text.isEmpty {
            writer.appendNull(leaf: layout.textLeaf, definition: 0, repetition: 0)
        } else {
            text.append(UInt8(ascii: "}"))
            text.withUnsafeBytes { writer.append(leaf: layout.textLeaf, bytes: $0, repetition: 0) }
        }
    }

    // MARK: Names

    private func metadataIndex(_ key: StringSpan, _ cursor: JSONCursor) -> Int? {
        if key.hasEscapes {
            let decoded = cursor.decodedBytes(key)
            return layout.metadata.firstIndex { $0.name == decoded }
        }
        return Self.index(of: key, cursor, in: metadataNameBytes, metadataNameStarts, from: 0)
    }

    private mutating func columnIndex(_ key: StringSpan, _ cursor: JSONCursor) -> Int? {
        let found: Int?
        if key.hasEscapes {
            let decoded = cursor.decodedBytes(key)
            found = layout.columns.firstIndex { $0.name == decoded }
        } else if let atHint = Self.index(of: key, cursor, in: columnNameBytes, columnNameStarts, from: hint, only: true) {
            found = atHint
        } else {
            found = Self.index(of: key, cursor, in: columnNameBytes, columnNameStarts, from: 0)
        }
        guard let found else { return nil }
        hint = found + 1
        return found
    }

    /// The first name at or after `from` (only that one when `only`) equal to the key's bytes (no escapes).
    private static func index(of key: StringSpan, _ cursor: JSONCursor, in bytes: [UInt8], _ starts: [Int], from: Int, only: Bool = false) -> Int? {
        bytes.withUnsafeBufferPointer { names in
            starts.withUnsafeBufferPointer { starts in
                let end = only ? min(from + 1, starts.count - 1) : starts.count - 1
                var i = from
                while i < end {
                    let start = starts[i]
                    if starts[i + 1] - start == key.count, key.count == 0 || memcmpEqual(cursor.base + key.start, names.baseAddress! + start, key.count) {
                        return i
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    private func matches(_ key: StringSpan, _ name: [UInt8], _ cursor: JSONCursor) -> Bool {
        if !key.hasEscapes {
            guard key.count == name.count else { return false }
            return name.withUnsafeBufferPointer { memcmpEqual(cursor.base + key.start, $0.baseAddress!, name.count) }
        }
        return cursor.decodedBytes(key) == name
    }

    // MARK: Fitting

    /// Whether the value at the cursor fits `plan` (the cursor is a copy: nothing is consumed).
    private func fits(_ plan: ColumnPlan, _ start: JSONCursor) throws(DDBError) -> Bool {
        var cursor = start
        return try fits(plan, &cursor)
    }

    private func fits(_ plan: ColumnPlan, _ cursor: inout JSONCursor) throws(DDBError) -> Bool {
        let byte = try cursor.peekAfterWhitespace("a value")
        if byte == UInt8(ascii: "n") {
            _ = try cursor.readLiteral()
            return true
        }
        switch plan.shape {
        case .string:
            // Any value fits a STRING column: a string as itself, anything else as its exact row-JSON
            // text (a number's digits as written, an object or array as its JSON), as Spark's JSON
            // reader gives a STRING column and as `ddbcdc schema` declares it ("STRING (exact text)").
            try cursor.skipValue()
            return true
        case .boolean:
            guard byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f") else { return false }
            _ = try cursor.readLiteral()
            return true
        case .int64:
            guard byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 else { return false }
            return Int64(exactly: try number(&cursor, precision: 19, scale: 0) ?? Int128.max) != nil
        case .decimal(_, let precision, let scale, _):
            guard byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 else { return false }
            return try number(&cursor, precision: precision, scale: scale) != nil
        case .list(let element, _):
            guard byte == UInt8(ascii: "[") else { return false }
            guard try cursor.beginArray("an array") else { return true }
            repeat {
                guard try fits(element, &cursor) else { return false }
            } while try cursor.nextMember(close: UInt8(ascii: "]"))
            return true
        case .map(_, let value, _):
            guard byte == UInt8(ascii: "{") else { return false }
            guard try cursor.beginObject("an object") else { return true }
            repeat {
                _ = try cursor.readKey()
                guard try fits(value, &cursor) else { return false }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
            return true
        case .structure(let fields):
            guard byte == UInt8(ascii: "{") else { return false }
            guard try cursor.beginObject("an object") else { return true }
            var seen = Array(repeating: false, count: fields.count)
            repeat {
                let key = try cursor.readKey()
                let snapshot = cursor
                guard let f = fields.firstIndex(where: { matches(key, $0.name, snapshot) }), !seen[f] else { return false }
                seen[f] = true
                guard try fits(fields[f].plan, &cursor) else { return false }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
            return true
        }
    }

    private func number(_ cursor: inout JSONCursor, precision: Int, scale: Int) throws(DDBError) -> Int128? {
        let range = try cursor.scanNumberToken()
        return ExactDecimal.unscaled(UnsafeBufferPointer(start: cursor.base + range.lowerBound, count: range.count), precision: precision, scale: scale)
    }

    // MARK: Writing

    private mutating func nulls(_ leaves: Range<Int>, definition: Int, repetition: Int) {
        for leaf in leaves { writer.appendNull(leaf: leaf, definition: definition, repetition: repetition) }
    }

    /// Writes the value at the cursor, which ``fits(_:_:)`` accepted, at `definition` (the level its
    /// ancestors reached) and `repetition` (for its first leaf value).
    private mutating func write(_ plan: ColumnPlan, _ cursor: inout JSONCursor, definition: Int, repetition: Int) throws(DDBError) {
        let byte = try cursor.peekAfterWhitespace("a value")
        if byte == UInt8(ascii: "n") {
            _ = try cursor.readLiteral()
            nulls(plan.leaves, definition: definition, repetition: repetition)
            return
        }
        switch plan.shape {
        case .string(let leaf):
            guard byte == UInt8(ascii: "\"") else {
                // Not a string: the value's exact text (rows are compact: no whitespace to trim).
                let start = cursor.pos
                try cursor.skipValue()
                writer.append(leaf: leaf, bytes: UnsafeRawBufferPointer(start: cursor.base + start, count: cursor.pos - start), repetition: repetition)
                return
            }
            cursor.pos += 1
            let span = try cursor.scanStringBody()
            if span.hasEscapes {
                scratch.removeAll(keepingCapacity: true)
                cursor.appendDecoded(span, to: &scratch)
                scratch.withUnsafeBytes { writer.append(leaf: leaf, bytes: $0, repetition: repetition) }
            } else {
                writer.append(leaf: leaf, bytes: UnsafeRawBufferPointer(start: cursor.base + span.start, count: span.count), repetition: repetition)
            }
        case .boolean(let leaf):
            writer.append(leaf: leaf, bool: try cursor.readLiteral() == UInt8(ascii: "t"), repetition: repetition)
        case .int64(let leaf):
            writer.append(leaf: leaf, int64: Int64(try number(&cursor, precision: 19, scale: 0)!), repetition: repetition)
        case .decimal(let leaf, let precision, let scale, let storage):
            let value = try number(&cursor, precision: precision, scale: scale)!
            switch storage {
            case .int32: writer.append(leaf: leaf, int32: Int32(value), repetition: repetition)
            case .int64: writer.append(leaf: leaf, int64: Int64(value), repetition: repetition)
            case .fixed16: withUnsafeBytes(of: value.bigEndian) { writer.append(leaf: leaf, bytes: $0, repetition: repetition) }
            }
        case .list(let element, let level):
            guard try cursor.beginArray("an array") else {
                nulls(plan.leaves, definition: definition + 1, repetition: repetition)
                return
            }
            var next = repetition
            repeat {
                try write(element, &cursor, definition: definition + 2, repetition: next)
                next = level
            } while try cursor.nextMember(close: UInt8(ascii: "]"))
        case .map(let keyLeaf, let value, let level):
            guard try cursor.beginObject("an object") else {
                nulls(plan.leaves, definition: definition + 1, repetition: repetition)
                return
            }
            var next = repetition
            repeat {
                let key = try cursor.readKey()
                if key.hasEscapes {
                    scratch.removeAll(keepingCapacity: true)
                    cursor.appendDecoded(key, to: &scratch)
                    scratch.withUnsafeBytes { writer.append(leaf: keyLeaf, bytes: $0, repetition: next) }
                } else {
                    writer.append(leaf: keyLeaf, bytes: UnsafeRawBufferPointer(start: cursor.base + key.start, count: key.count), repetition: next)
                }
                try write(value, &cursor, definition: definition + 2, repetition: next)
                next = level
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        case .structure(let fields):
            var seen = Array(repeating: false, count: fields.count)
            if try cursor.beginObject("an object") {
                repeat {
                    let key = try cursor.readKey()
                    let snapshot = cursor
                    let f = fields.firstIndex { matches(key, $0.name, snapshot) }!
                    seen[f] = true
                    try write(fields[f].plan, &cursor, definition: definition + 1, repetition: repetition)
                } while try cursor.nextMember(close: UInt8(ascii: "}"))
            }
            for (f, wasSeen) in seen.enumerated() where !wasSeen {
                nulls(fields[f].plan.leaves, definition: definition + 1, repetition: repetition)
            }
        }
    }
}
