import DDBTypes
import Parquet

/// Shreds row-JSON lines into a ``ParquetWriter``'s columns as a ``ParquetLayout`` says: every
/// value at its definition and repetition levels, misfits (typed layout) into `_rescued_data`.
///
/// Rows are the row writer's own output (one compact JSON object per line, numbers as their exact
/// text), so they are scanned in place with `JSONCursor`, never decoded into a tree, and in one
/// pass: each value is checked as it is written. A top-level value that decides whether it fits
/// before its first append (a scalar, a list or map of strings) goes straight to the writer; one
/// that can still turn out not to fit after some appends (a struct, a list or map of anything
/// else; ``ShredPlan/Node/staged``) is staged and handed to the writer only when all of it fits.
/// On a misfit the attribute's exact text goes to `_rescued_data` instead. The writer sees the
/// same appends, in the same order per leaf, as checking the whole value first would give it.
///
/// The plan is read through raw pointers (``PlanPointers``, valid inside
/// ``ShredPlan/withPointers(_:)``), so walking it costs no reference counting per value.
struct RowShredder {
    let kind: ParquetLayout.Kind
    let plan: PlanPointers
    var writer: ParquetWriter
    /// Attributes set aside into `_rescued_data` so far (typed layout).
    private(set) var rescued = 0
    /// Rows with at least one attribute rescued.
    private(set) var rowsWithRescued = 0
    /// `_item` or `_rescued_data` of the row being shredded.
    private var text: [UInt8] = []
    /// A decoded string with escapes, on its way to the writer.
    private var scratch: [UInt8] = []
    /// A member name with escapes, decoded.
    private var keyScratch: [UInt8] = []
    /// The row (1, 2, …) in which each top-level column last had its value.
    private var seenTop: [Int]
    private var row = 0
    /// The struct visit (1, 2, …) in which each struct field last had its value.
    private var seenField: [Int]
    private var visit = 0

    // The stage: the appends of the top-level value being shredded, when it is staged.
    private var staging = false
    private var stage: [Staged] = []
    /// Decoded strings and FIXED_LEN_BYTE_ARRAY decimals of the staged appends.
    private var arena: [UInt8] = []
    /// The row being shredded (staged byte values from the row are offsets into it).
    private var rowBase: UnsafePointer<UInt8>?

    init(kind: ParquetLayout.Kind, plan: PlanPointers, writer: ParquetWriter) {
        self.kind = kind
        self.plan = plan
        self.writer = writer
        seenTop = Array(repeating: 0, count: plan.top.count)
        seenField = Array(repeating: 0, count: plan.fields.count)
        text.reserveCapacity(4096)
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

    private mutating func shred(_ bytes: UnsafeBufferPointer<UInt8>) throws(DDBError) {
        row += 1
        text.removeAll(keepingCapacity: true)
        var rowRescued = false
        // Members kept as text that follow one another in the row (only a comma between them) are
        // copied as one run of bytes: `{"a":1,"b":2}` either way, in fewer appends.
        var runStart = 0
        var runEnd = -1
        var cursor = JSONCursor(bytes)
        rowBase = cursor.base
        if try cursor.beginObject("a row (a JSON object)") {
            repeat {
                cursor.skipWhitespace()
                let memberStart = cursor.pos
                let key = try cursor.readKey()
                cursor.skipWhitespace()
                let valueStart = cursor.pos
                // Packed: the metadata columns are the only top-level ones. Typed: the schema's too.
                if let t = topIndex(key, cursor), seenTop[t] != row {
                    let node = Int(plan.top[t].node)
                    if plan.nodes[node].staged {
                        staging = true
                        stage.removeAll(keepingCapacity: true)
                        arena.removeAll(keepingCapacity: true)
                    }
                    let fits = try write(node, &cursor, definition: 0, repetition: 0)
                    if staging {
                        staging = false
                        if fits { replay() }
                    }
                    if fits {
                        seenTop[t] = row
                        continue
                    }
                }
                // Packed: every other member is the item's. Typed: a member the schema does not
                // have, or whose value does not fit, is rescued as it was written.
                cursor.pos = valueStart
                try cursor.skipValue()
                if runEnd >= 0 && memberStart == runEnd &+ 1 && bytes[runEnd] == UInt8(ascii: ",") {
                    runEnd = cursor.pos
                } else {
                    if runEnd >= 0 { appendText(bytes, runStart, runEnd) }
                    runStart = memberStart
                    runEnd = cursor.pos
                }
                if kind == .typed {
                    rescued += 1
                    rowRescued = true
                }
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        }
        if runEnd >= 0 { appendText(bytes, runStart, runEnd) }
        if rowRescued { rowsWithRescued += 1 }
        for t in 0..<plan.top.count where seenTop[t] != row {
            nulls(plan.nodes[Int(plan.top[t].node)], definition: 0, repetition: 0)
        }
        if text.isEmpty && kind == .packed { text.append(UInt8(ascii: "{")) }
        if text.isEmpty {
            writer.appendNull(leaf: plan.textLeaf, definition: 0, repetition: 0)
        } else {
            text.append(UInt8(ascii: "}"))
            text.withUnsafeBytes { writer.append(leaf: plan.textLeaf, bytes: $0, repetition: 0) }
        }
    }

    /// Appends members `bytes[start..<end]` (one or more, comma-separated) to the row's text object.
    @inline(__always)
    private mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        text.append(text.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
        text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    // MARK: Names

    /// The top-level column named `key`, if any (the first of that name).
    @inline(__always)
    private mutating func topIndex(_ key: StringSpan, _ cursor: JSONCursor) -> Int? {
        if key.hasEscapes {
            keyScratch.removeAll(keepingCapacity: true)
            cursor.appendDecoded(key, to: &keyScratch)
            return keyScratch.withUnsafeBufferPointer { decoded in
                plan.topIndex(decoded.baseAddress ?? UnsafePointer(bitPattern: 1)!, decoded.count)
            }
        }
        return plan.topIndex(cursor.base + key.start, key.end - key.start)
    }

    /// The field of the struct `node` named `key`, if any.
    @inline(__always)
    private mutating func fieldIndex(_ node: ShredPlan.Node, _ key: StringSpan, _ cursor: JSONCursor) -> Int? {
        if key.hasEscapes {
            keyScratch.removeAll(keepingCapacity: true)
            cursor.appendDecoded(key, to: &keyScratch)
            return keyScratch.withUnsafeBufferPointer { decoded in
                plan.fieldIndex(node, decoded.baseAddress ?? UnsafePointer(bitPattern: 1)!, decoded.count)
            }
        }
        return plan.fieldIndex(node, cursor.base + key.start, key.end - key.start)
    }

    // MARK: Writing

    /// Writes the value at the cursor as `node` says, at `definition` (the level its ancestors
    /// reached) and `repetition` (for its first leaf value); false at the first part of it that
    /// does not fit (the cursor is then inside the value: the caller goes back to its start).
    private mutating func write(_ index: Int, _ cursor: inout JSONCursor, definition: Int, repetition: Int) throws(DDBError) -> Bool {
        let node = plan.nodes[index]
        let byte = try cursor.peekAfterWhitespace("a value")
        if byte == UInt8(ascii: "n") {
            _ = try cursor.readLiteral()
            nulls(node, definition: definition, repetition: repetition)
            return true
        }
        switch node.kind {
        case .string:
            // Any value fits a STRING column: a string as itself, anything else as its exact row-JSON
            // text (a number's digits as written, an object or array as its JSON), as Spark's JSON
            // reader gives a STRING column and as `ddbcdc schema` declares it ("STRING (exact text)").
            guard byte == UInt8(ascii: "\"") else {
                // Rows are compact: no whitespace to trim.
                let start = cursor.pos
                try cursor.skipValue()
                appendRowBytes(node.leaf, start, cursor.pos - start, repetition)
                return true
            }
            cursor.pos += 1
            let span = try cursor.scanStringBody()
            if span.hasEscapes {
                appendDecoded(node.leaf, span, cursor, repetition)
            } else {
                appendRowBytes(node.leaf, span.start, span.end - span.start, repetition)
            }
        case .boolean:
            guard byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f") else { return false }
            let value = try cursor.readLiteral() == UInt8(ascii: "t")
            if staging {
                stage.append(Staged(leaf: node.leaf, tag: .bool, value: value ? 1 : 0, repetition: repetition))
            } else {
                writer.append(leaf: Int(node.leaf), bool: value, repetition: repetition)
            }
        case .int64:
            guard byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 else { return false }
            guard let unscaled = try number(&cursor, precision: 19, scale: 0), let value = Int64(exactly: unscaled) else { return false }
            appendInt64(node.leaf, value, repetition)
        case .decimal:
            guard byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 else { return false }
            guard let value = try number(&cursor, precision: Int(node.precision), scale: Int(node.scale)) else { return false }
            switch node.storage {
            case .int32:
                if staging {
                    stage.append(Staged(leaf: node.leaf, tag: .int32, value: Int64(value), repetition: repetition))
                } else {
                    writer.append(leaf: Int(node.leaf), int32: Int32(value), repetition: repetition)
                }
            case .int64: appendInt64(node.leaf, Int64(value), repetition)
            case .fixed16:
                if staging {
                    let offset = arena.count
                    withUnsafeBytes(of: value.bigEndian) { arena.append(contentsOf: $0) }
                    stage.append(Staged(leaf: node.leaf, tag: .arenaBytes, value: Int64(offset), count: 16, repetition: repetition))
                } else {
                    withUnsafeBytes(of: value.bigEndian) { writer.append(leaf: Int(node.leaf), bytes: $0, repetition: repetition) }
                }
            }
        case .list:
            guard byte == UInt8(ascii: "[") else { return false }
            guard try cursor.beginArray("an array") else {
                nulls(node, definition: definition + 1, repetition: repetition)
                return true
            }
            var next = repetition
            repeat {
                guard try write(Int(node.child), &cursor, definition: definition + 2, repetition: next) else { return false }
                next = Int(node.level)
            } while try cursor.nextMember(close: UInt8(ascii: "]"))
        case .map:
            guard byte == UInt8(ascii: "{") else { return false }
            guard try cursor.beginObject("an object") else {
                nulls(node, definition: definition + 1, repetition: repetition)
                return true
            }
            var next = repetition
            repeat {
                let key = try cursor.readKey()
                if key.hasEscapes {
                    appendDecoded(node.leaf, key, cursor, next)
                } else {
                    appendRowBytes(node.leaf, key.start, key.end - key.start, next)
                }
                guard try write(Int(node.child), &cursor, definition: definition + 2, repetition: next) else { return false }
                next = Int(node.level)
            } while try cursor.nextMember(close: UInt8(ascii: "}"))
        case .structure:
            guard byte == UInt8(ascii: "{") else { return false }
            visit += 1
            let stamp = visit
            if try cursor.beginObject("an object") {
                repeat {
                    let key = try cursor.readKey()
                    // A member the struct does not have, or has twice, does not fit.
                    guard let f = fieldIndex(node, key, cursor), seenField[f] != stamp else { return false }
                    seenField[f] = stamp
                    guard try write(Int(plan.fields[f].node), &cursor, definition: definition + 1, repetition: repetition) else { return false }
                } while try cursor.nextMember(close: UInt8(ascii: "}"))
            }
            for f in Int(node.child)..<Int(node.child + node.fieldCount) where seenField[f] != stamp {
                nulls(plan.nodes[Int(plan.fields[f].node)], definition: definition + 1, repetition: repetition)
            }
        }
        return true
    }

    private func number(_ cursor: inout JSONCursor, precision: Int, scale: Int) throws(DDBError) -> Int128? {
        let range = try cursor.scanNumberToken()
        return ExactDecimal.unscaled(UnsafeBufferPointer(start: cursor.base + range.lowerBound, count: range.count), precision: precision, scale: scale)
    }

    // MARK: Appends, to the writer or to the stage

    private mutating func nulls(_ node: ShredPlan.Node, definition: Int, repetition: Int) {
        if staging {
            for leaf in node.leafStart..<node.leafEnd {
                stage.append(Staged(leaf: leaf, tag: .null, value: Int64(definition), repetition: repetition))
            }
        } else {
            for leaf in Int(node.leafStart)..<Int(node.leafEnd) {
                writer.appendNull(leaf: leaf, definition: definition, repetition: repetition)
            }
        }
    }

    @inline(__always)
    private mutating func appendInt64(_ leaf: Int32, _ value: Int64, _ repetition: Int) {
        if staging {
            stage.append(Staged(leaf: leaf, tag: .int64, value: value, repetition: repetition))
        } else {
            writer.append(leaf: Int(leaf), int64: value, repetition: repetition)
        }
    }

    /// Appends `count` bytes of the row from `offset`.
    @inline(__always)
    private mutating func appendRowBytes(_ leaf: Int32, _ offset: Int, _ count: Int, _ repetition: Int) {
        if staging {
            stage.append(Staged(leaf: leaf, tag: .rowBytes, value: Int64(offset), count: count, repetition: repetition))
        } else {
            writer.append(leaf: Int(leaf), bytes: UnsafeRawBufferPointer(start: rowBase! + offset, count: count), repetition: repetition)
        }
    }

    /// Appends the value of a string with escapes.
    private mutating func appendDecoded(_ leaf: Int32, _ span: StringSpan, _ cursor: JSONCursor, _ repetition: Int) {
        if staging {
            let offset = arena.count
            cursor.appendDecoded(span, to: &arena)
            stage.append(Staged(leaf: leaf, tag: .arenaBytes, value: Int64(offset), count: arena.count - offset, repetition: repetition))
        } else {
            scratch.removeAll(keepingCapacity: true)
            cursor.appendDecoded(span, to: &scratch)
            scratch.withUnsafeBytes { writer.append(leaf: Int(leaf), bytes: $0, repetition: repetition) }
        }
    }

    /// Hands the staged appends to the writer, in order.
    private mutating func replay() {
        let base = rowBase!
        arena.withUnsafeBytes { arena in
            for staged in stage {
                let leaf = Int(staged.leaf), repetition = Int(staged.repetition)
                switch staged.tag {
                case .null: writer.appendNull(leaf: leaf, definition: Int(staged.value), repetition: repetition)
                case .bool: writer.append(leaf: leaf, bool: staged.value != 0, repetition: repetition)
                case .int32: writer.append(leaf: leaf, int32: Int32(truncatingIfNeeded: staged.value), repetition: repetition)
                case .int64: writer.append(leaf: leaf, int64: staged.value, repetition: repetition)
                case .rowBytes:
                    writer.append(leaf: leaf, bytes: UnsafeRawBufferPointer(start: base + Int(staged.value), count: Int(staged.count)), repetition: repetition)
                case .arenaBytes:
                    writer.append(leaf: leaf, bytes: UnsafeRawBufferPointer(rebasing: arena[Int(staged.value)..<Int(staged.value) + Int(staged.count)]), repetition: repetition)
                }
            }
        }
        stage.removeAll(keepingCapacity: true)
    }
}

/// One append held back until its top-level value is known to fit.
private struct Staged {
    enum Tag: UInt8 { case null, bool, int32, int64, rowBytes, arenaBytes }
    var leaf: Int32
    var tag: Tag
    var repetition: Int32
    var count: Int32
    /// A null's definition level, a boolean (0 or 1), an integer, or the bytes' offset in the row or the arena.
    var value: Int64

    init(leaf: Int32, tag: Tag, value: Int64, count: Int = 0, repetition: Int) {
        self.leaf = leaf
        self.tag = tag
        self.value = value
        self.count = Int32(truncatingIfNeeded: count)
        self.repetition = Int32(truncatingIfNeeded: repetition)
    }
}

/// A ``ShredPlan``'s arrays as raw pointers, valid inside ``ShredPlan/withPointers(_:)``.
struct PlanPointers {
    let nodes: UnsafeBufferPointer<ShredPlan.Node>
    let fields: UnsafeBufferPointer<ShredPlan.Field>
    let top: UnsafeBufferPointer<ShredPlan.Field>
    let names: UnsafePointer<UInt8>
    let slots: UnsafeBufferPointer<Int32>
    let textLeaf: Int
    /// ``ShredPlan/lengths`` and ``ShredPlan/firstBytes``.
    let lengths: UInt64
    let firstBytes: SIMD4<UInt64>

    /// The first top-level column named by these bytes.
    @inline(__always)
    func topIndex(_ key: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        guard lengths & (1 &<< UInt64(min(count, 63))) != 0 else { return nil }
        if count > 0 {
            guard firstBytes[Int(key[0] &>> 6)] & (1 &<< UInt64(key[0] & 63)) != 0 else { return nil }
        }
        let mask = slots.count &- 1
        var slot = ShredPlan.hash(key, count) & mask
        while true {
            let found = Int(slots[slot])
            if found < 0 { return nil }
            let field = top[found]
            if Int(field.nameEnd &- field.nameStart) == count && (count == 0 || memcmpEqual(names + Int(field.nameStart), key, count)) {
                return found
            }
            slot = (slot &+ 1) & mask
        }
    }

    /// The field of the struct `node` named by these bytes (structs are small: a linear search).
    @inline(__always)
    func fieldIndex(_ node: ShredPlan.Node, _ key: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        var f = Int(node.child)
        let end = f + Int(node.fieldCount)
        while f < end {
            let field = fields[f]
            if Int(field.nameEnd &- field.nameStart) == count && (count == 0 || memcmpEqual(names + Int(field.nameStart), key, count)) {
                return f
            }
            f += 1
        }
        return nil
    }
}

extension ShredPlan {
    /// Calls `body` with the plan's arrays as raw pointers, valid only inside it.
    func withPointers<R, E: Error>(_ body: (PlanPointers) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = nodes.withUnsafeBufferPointer { nodes in
            fields.withUnsafeBufferPointer { fields in
                top.withUnsafeBufferPointer { top in
                    names.withUnsafeBufferPointer { names in
                        slots.withUnsafeBufferPointer { slots in
                            let pointers = PlanPointers(
                                nodes: nodes, fields: fields, top: top, names: names.baseAddress ?? UnsafePointer(bitPattern: 1)!, slots: slots,
                                textLeaf: textLeaf, lengths: lengths, firstBytes: firstBytes)
                            do throws(E) { return .success(try body(pointers)) } catch { return .failure(error) }
                        }
                    }
                }
            }
        }
        return try result.get()
    }
}
