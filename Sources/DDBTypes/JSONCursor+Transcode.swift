/// Reusable memory for transcoding, so the hot path allocates nothing per record.
package struct TranscodeScratch {
    /// Member names of the maps being read, innermost last, for the duplicate check.
    var names = ScratchList<StringSpan>()
    /// The top-level member names of the item last transcoded by `transcodeItem` (each value
    /// follows its name's `":`).
    package var itemNames = ScratchList<StringSpan>()
    /// Members of the set being read, and names being sorted for the duplicate check of a large map.
    var strings: [StringSpan] = []
    var numbers: [(span: StringSpan, syntax: NumberSyntax, key: NumericKey)] = []
    /// Attribute names read before, recognised without scanning them (see ``KnownNames``).
    package internal(set) var knownNames = KnownNames()
    /// The ids of `itemNames` (one bit each) when every one of them has an id
    /// (``itemNamesKnown``): a check of the names can go by their ids.
    package internal(set) var itemIDs: UInt64 = 0
    package internal(set) var itemNamesKnown = false
    /// Where `transcodeItem` writes the item before appending it to the caller's bytes (nil only
    /// while it writes).
    var writer: RowWriter? = RowWriter()

    /// - Parameter learningNames: whether attribute names are learned (``KnownNames``); only
    ///   tests turn it off, to compare.
    package init(learningNames: Bool = true) {
        knownNames = KnownNames(learning: learningNames)
        strings.reserveCapacity(64)
        numbers.reserveCapacity(64)
    }
}

extension JSONCursor {
    /// Reads an item of DynamoDB JSON and appends its row JSON members (`"name":value,…`, no braces),
    /// in input order; validates as ``DynamoJSONDecoder`` does without building values.
    ///
    /// Afterwards `scratch.itemNames` holds the item's top-level names.
    /// - Returns: the number of members written.
    package mutating func transcodeItem(
        into out: inout [UInt8], numbers: NumberOutput, scratch: inout TranscodeScratch
    ) throws(DDBError) -> Int {
        // The writer leaves the scratch while it is written, so that both can be passed inout.
        var writer = scratch.writer.take()!
        defer { scratch.writer = writer }
        writer.begin()
        let count = try transcodeItem(into: &writer, numbers: numbers, scratch: &scratch)
        out.append(contentsOf: writer.written)
        return count
    }

    /// ``transcodeItem(into:numbers:scratch:)`` appending to a ``RowWriter``: what the record
    /// readers use, so that an item is written once, where the row is.
    package mutating func transcodeItem(
        into out: inout RowWriter, numbers: NumberOutput, scratch: inout TranscodeScratch
    ) throws(DDBError) -> Int {
        let base = scratch.names.count
        // The lists are made their own here (a copy of the scratch may share them), not per append.
        if base == 0 { scratch.names.removeAll() }
        do throws(DDBError) {
            let count = try transcodeMembers(into: &out, numbers: numbers, scratch: &scratch, depth: 0)
            if base == 0 {
                // The item's names are all the names: hand them over rather than copy them.
                swap(&scratch.itemNames, &scratch.names)
                scratch.names.removeAll()
            } else {
                scratch.itemNames.removeAll()
                scratch.itemNames.append(contentsOf: scratch.names, from: base)
                scratch.names.removeLast(from: base)
            }
            return count
        } catch {
            scratch.names.removeLast(from: base)
            throw error
        }
    }

    /// Reads `{ "name": <AV>, … }`, writing `"name":<row value>` members separated by commas.
    private mutating func transcodeMembers(
        into out: inout RowWriter, numbers: NumberOutput, scratch: inout TranscodeScratch, depth: Int
    ) throws(DDBError) -> Int {
        let first = try peekAfterWhitespace("an attribute map")
        guard first == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "an item or map must be an object, found \(jsonKind(first))", offset: pos)
        }
        guard try beginObject("an attribute map") else {
            if depth == 0 { (scratch.itemIDs, scratch.itemNamesKnown) = (0, true) }
            return 0
        }
        let namesBase = scratch.names.count
        var count = 0
        // While every name of the map is a known one (nearly always), duplicates are found by their
        // ids, one bit each; from the first other name on, by comparing names as before.
        var byID = true
        var idsSeen: UInt64 = 0
        var namesSeen = NameFilter()
        repeat {
            let nameStart = pos
            let key: StringSpan, id: Int
            if let known = scratch.knownNames.match(base, end, quote: pos) {
                key = StringSpan(start: pos &+ 1, end: known.close, hasEscapes: false)
                pos = known.close &+ 2
                id = known.id
            } else {
                key = try readNewKey()
                id = scratch.knownNames.learn(key, in: base, end, compact: pos == key.end &+ 2)
            }
            if byID && id >= 0 {
                let bit: UInt64 = 1 &<< UInt64(id)
                if idsSeen & bit != 0 {
                    // A larger map is checked once, sorted, at its end (below): its error is that one's.
                    guard count >= Self.linearNameCheckLimit else { throw duplicate(key, at: nameStart) }
                    byID = false
                }
                idsSeen |= bit
            } else {
                try checkByComparing(key, at: nameStart, count: count, names: scratch.names, from: namesBase, filter: &namesSeen, first: byID)
                byID = false
            }
            scratch.names.append(key)
            if pos == key.end &+ 2 && (count == 0 || base[key.start &- 2] == UInt8(ascii: ",")) {
                // Compact input: copy `,"name":` in one go.
                appendRaw(from: count == 0 ? key.start &- 1 : key.start &- 2, to: pos, into: &out)
            } else {
                if count > 0 { out.append(UInt8(ascii: ",")) }
                appendRaw(from: key.start - 1, to: key.end + 1, into: &out)
                out.append(UInt8(ascii: ":"))
            }
            if depth < DynamoJSONDecoder.maxDepth, let next = compactScalarValue(into: &out, numbers: numbers) {
                pos = next
            } else {
                do throws(DDBError) {
                    try transcodeValue(into: &out, numbers: numbers, scratch: &scratch, depth: depth + 1)
                } catch {
                    throw prefixing(error, name: key)
                }
            }
            count += 1
        } while try nextMember(close: UInt8(ascii: "}"))
        if !byID && count > Self.linearNameCheckLimit, let twice = firstDuplicate(scratch.names[namesBase...], sortBuffer: &scratch.strings) {
            throw prefixing(
                DDBError(.duplicateAttribute, "attribute \"\(decodedString(twice))\" appears twice", offset: twice.start - 1),
                name: twice)
        }
        if depth > 0 {
            scratch.names.removeLast(from: namesBase)
        } else {
            (scratch.itemIDs, scratch.itemNamesKnown) = (idsSeen, byID)
        }
        return count
    }

    /// Checks `key` against the names of its map read before it (`names[start...]`) by comparing
    /// them: for a map with a name that has no id. `first`: the map's names were checked by id so
    /// far, and `filter` is filled with them first.
    ///
    /// Small maps (nearly all) are checked as they are read; a larger one once, sorted, at its end.
    /// The filter rules out most names without comparing them with the ones before. Out of line:
    /// the member loop stays small enough for the optimizer to inline what it calls.
    @inline(never)
    private func checkByComparing(
        _ key: StringSpan, at nameStart: Int, count: Int, names: ScratchList<StringSpan>, from start: Int, filter: inout NameFilter, first: Bool
    ) throws(DDBError) {
        if first {
            for index in start..<names.count { filter.insert(names[index], in: self) }
        }
        if count < Self.linearNameCheckLimit, filter.mayHold(key, in: self), hasName(key, among: names.buffer, from: start) {
            throw duplicate(key, at: nameStart)
        }
        filter.insert(key, in: self)
    }

    /// ``readKey()`` for a name not known (rare once the names are learned), out of line: the
    /// member loop stays small enough for the optimizer to inline what it calls.
    @inline(never)
    private mutating func readNewKey() throws(DDBError) -> StringSpan {
        try readKey()
    }

    /// The error for a member name that appears twice in one map.
    @inline(never)
    private func duplicate(_ key: StringSpan, at nameStart: Int) -> DDBError {
        prefixing(DDBError(.duplicateAttribute, "attribute \"\(decodedString(key))\" appears twice", offset: nameStart), name: key)
    }

    /// Writes the row value of a compact `{"S":"…"}`, of a `{"N":"…"}` whose text is a plain
    /// number (``plainNumberEnd(_:_:_:)``), or of a compact `{"BOOL":…}` or `{"NULL":true}`, at
    /// the cursor, and returns where it ends; nil (nothing written) for any other value, which
    /// ``transcodeValue`` reads. Its string is validated as `scanStringBody` validates, and
    /// written as it stands, as `transcodeValue` writes it.
    @_transparent
    private func compactScalarValue(into out: inout RowWriter, numbers: NumberOutput) -> Int? {
        guard pos &+ 8 <= end else { return nil }
        // `{"X":"`: the word's bytes 0-1, 3-5.
        let word = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
        guard word & 0x0000_FFFF_FF00_FFFF == 0x0000_223A_2200_227B else {
            guard let literal = Self.literalAttribute(base, end, pos) else { return nil }
            out.append(literal.text)
            return literal.next
        }
        switch UInt8(truncatingIfNeeded: word >> 16) {
        case UInt8(ascii: "S"):
            let next = Self.plainStringEnd(base, end, pos &+ 6)
            guard next >= 0, next < end, base[next] == UInt8(ascii: "}") else { return nil }
            // From the opening quote to the closing one.
            appendRaw(from: pos &+ 5, to: next, into: &out)
            return next &+ 1
        case UInt8(ascii: "N"):
            // The digits are read once, for the grammar and for the closing quote, without the
            // string scan: a number that is not plain goes to `transcodeValue`.
            let text = pos &+ 6
            let close = Self.plainNumberEnd(base, end, text)
            guard close >= 0, close &+ 1 < end, base[close &+ 1] == UInt8(ascii: "}") else { return nil }
            appendNumberText(from: text, to: close, numbers: numbers, into: &out)
            return close &+ 2
        default:
            return nil
        }
    }

    /// Where the closing quote of an `N` value's text starting at `start` lies, when the text is a
    /// plain JSON decimal of at most 38 characters: `-`?, `0` or a nonzero digit and digits, then
    /// `.` and digits or nothing; -1 otherwise.
    ///
    /// Such text is a valid DynamoDB number, and is written as it stands: at most 38 digits
    /// means at most 38 significant ones, and its adjusted exponent lies within −38…37, inside
    /// DynamoDB's range; `NumberSyntax.parse` finds it JSON grammar.
    @inline(__always)
    static func plainNumberEnd(_ base: UnsafePointer<UInt8>, _ end: Int, _ start: Int) -> Int {
        var p = start
        if p < end && base[p] == UInt8(ascii: "-") { p &+= 1 }
        guard p < end else { return -1 }
        let first = base[p]
        if first == UInt8(ascii: "0") {
            p &+= 1
        } else if first &- UInt8(ascii: "1") < 9 {
            p &+= 1
            skipDigits(base, end, &p)
        } else {
            return -1
        }
        if p < end && base[p] == UInt8(ascii: ".") {
            p &+= 1
            guard p < end && base[p] &- UInt8(ascii: "0") < 10 else { return -1 }
            skipDigits(base, end, &p)
        }
        guard p < end, base[p] == UInt8(ascii: "\""), p &- start <= 38 else { return -1 }
        return p
    }

    /// Moves `p` past the ASCII digits there, eight bytes a step.
    @inline(__always)
    static func skipDigits(_ base: UnsafePointer<UInt8>, _ end: Int, _ p: inout Int) {
        while p &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
            // A digit's byte becomes 0x33: its high nibble, and that of the byte plus 6 (which
            // carries into the next byte only past a non-digit, so the first non-digit is right).
            let marks =
                (word & 0xF0F0_F0F0_F0F0_F0F0 | ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) &>> 4) ^ 0x3333_3333_3333_3333
            if marks != 0 {
                p &+= marks.trailingZeroBitCount &>> 3
                return
            }
            p &+= 8
        }
        while p < end && base[p] &- UInt8(ascii: "0") < 10 { p &+= 1 }
    }

    /// Names checked one by one against those before them; past this many, a map is checked by sorting.
    static var linearNameCheckLimit: Int { 32 }

    /// The later of two equal names among `names`, if any: O(n log n), so that an item of 100,000
    /// attributes (legal under DynamoDB's 400 KB) costs milliseconds, not seconds.
    package func firstDuplicate(_ names: some Collection<StringSpan>, sortBuffer: inout [StringSpan]) -> StringSpan? {
        sortBuffer.removeAll(keepingCapacity: true)
        sortBuffer.append(contentsOf: names)
        let cursor = self
        sortBuffer.sort { cursor.spanPrecedes($0, $1) || (!cursor.spanPrecedes($1, $0) && $0.start < $1.start) }
        var index = 1
        while index < sortBuffer.count {
            if spansEqual(sortBuffer[index - 1], sortBuffer[index]) { return sortBuffer[index] }
            index += 1
        }
        return nil
    }

    private mutating func transcodeValue(
        into out: inout RowWriter, numbers: NumberOutput, scratch: inout TranscodeScratch, depth: Int
    ) throws(DDBError) {
        guard depth <= DynamoJSONDecoder.maxDepth else {
            throw DDBError(.nestingTooDeep, "values nested more than \(DynamoJSONDecoder.maxDepth) levels", offset: pos)
        }
        let tag = try beginAttributeValue()
        switch tag {
        case .s:
            try expectKind(UInt8(ascii: "\""), for: tag, "a string")
            let quote = pos
            pos += 1
            _ = try scanStringBody()
            appendRaw(from: quote, to: pos, into: &out)
        case .n:
            // Most numbers are plain JSON decimals of a few digits: those are valid DynamoDB
            // numbers as they stand (see `plainNumberEnd`) and are copied without parsing them.
            if let plain = plainNumberString() {
                appendNumberText(from: plain.start, to: plain.end, numbers: numbers, into: &out)
            } else {
                let (span, syntax) = try readNumberString()
                appendNumber(span, syntax, numbers: numbers, into: &out)
            }
        case .b:
            let span = try readBase64String(for: tag)
            appendRaw(from: span.start - 1, to: span.end + 1, into: &out)
        case .bool, .null:
            let first = try peekAfterWhitespace("the \(tag.name) value")
            guard first == UInt8(ascii: "t") || first == UInt8(ascii: "f") else {
                throw DDBError(.wrongJSONType, "\(tag.name) needs true or false, found \(jsonKind(first))", offset: pos)
            }
            let isTrue = try readLiteral() == UInt8(ascii: "t")
            if tag == .null {
                guard isTrue else { throw DDBError(.wrongJSONType, "NULL must be true", offset: pos) }
                out.append("null")
            } else {
                out.append(isTrue ? "true" : "false")
            }
        case .m:
            out.append(UInt8(ascii: "{"))
            _ = try transcodeMembers(into: &out, numbers: numbers, scratch: &scratch, depth: depth)
            out.append(UInt8(ascii: "}"))
        case .l:
            try expectKind(UInt8(ascii: "["), for: tag, "an array")
            out.append(UInt8(ascii: "["))
            if try beginArray("a list") {
                var index = 0
                repeat {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    if depth < DynamoJSONDecoder.maxDepth, let next = compactScalarValue(into: &out, numbers: numbers) {
                        pos = next
                        index += 1
                        continue
                    }
                    do throws(DDBError) {
                        try transcodeValue(into: &out, numbers: numbers, scratch: &scratch, depth: depth + 1)
                    } catch {
                        var error = error
                        error.path.components.insert(.index(index), at: 0)
                        throw error
                    }
                    index += 1
                } while try nextMember(close: UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        case .ss:
            try transcodeStringSet(into: &out, scratch: &scratch)
        case .ns:
            try transcodeNumberSet(into: &out, numbers: numbers, scratch: &scratch)
        case .bs:
            try transcodeBinarySet(into: &out, numbers: numbers, scratch: &scratch)
        }
        try endAttributeValue(tag)
    }

    /// Reads an `SS` and writes its members sorted by code point (UTF-8 byte order).
    private mutating func transcodeStringSet(into out: inout RowWriter, scratch: inout TranscodeScratch) throws(DDBError) {
        try expectKind(UInt8(ascii: "["), for: .ss, "an array of strings")
        let setStart = pos
        scratch.strings.removeAll(keepingCapacity: true)
        if try beginArray("a set") {
            repeat {
                do throws(DDBError) {
                    try expectKind(UInt8(ascii: "\""), for: .ss, "string members")
                } catch {
                    var error = error
                    error.path.components.insert(.index(scratch.strings.count), at: 0)
                    throw error
                }
                pos += 1
                scratch.strings.append(try scanStringBody())
            } while try nextMember(close: UInt8(ascii: "]"))
        }
        guard !scratch.strings.isEmpty else { throw DDBError(.emptySet, "SS a set must have at least one member", offset: setStart) }
        let cursor = self
        scratch.strings.sort { cursor.spanPrecedes($0, $1) }
        out.append(UInt8(ascii: "["))
        for (index, member) in scratch.strings.enumerated() {
            if index > 0 {
                guard !spansEqual(scratch.strings[index - 1], member) else {
                    throw DDBError(.duplicateSetMember, "SS set holds the member \(decodedString(member)) twice", offset: setStart)
                }
                out.append(UInt8(ascii: ","))
            }
            appendRaw(from: member.start - 1, to: member.end + 1, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Reads a `BS` and writes its members sorted by their bytes.
    ///
    /// `readBase64String` accepts canonical base64 only, which spells each byte string one way;
    /// and texts compared digit by digit in the alphabet's order, `=` first, sort as the bytes they
    /// spell. So members are sorted and written as they stand, without decoding them. A member
    /// written with escapes (rare) sends the whole set down the general path, which decodes.
    private mutating func transcodeBinarySet(
        into out: inout RowWriter, numbers: NumberOutput, scratch: inout TranscodeScratch
    ) throws(DDBError) {
        let valueStart = pos
        try expectKind(UInt8(ascii: "["), for: .bs, "an array of strings")
        let setStart = pos
        scratch.strings.removeAll(keepingCapacity: true)
        if try beginArray("a set") {
            repeat {
                let member: StringSpan
                do throws(DDBError) {
                    member = try readBase64String(for: .bs)
                } catch {
                    var error = error
                    error.path.components.insert(.index(scratch.strings.count), at: 0)
                    throw error
                }
                if member.hasEscapes {
                    pos = valueStart
                    return try transcodeDecodedBinarySet(into: &out, numbers: numbers)
                }
                scratch.strings.append(member)
            } while try nextMember(close: UInt8(ascii: "]"))
        }
        guard !scratch.strings.isEmpty else { throw DDBError(.emptySet, "BS a set must have at least one member", offset: setStart) }
        let cursor = self
        scratch.strings.sort { cursor.base64Precedes($0, $1) }
        out.append(UInt8(ascii: "["))
        for (index, member) in scratch.strings.enumerated() {
            if index > 0 {
                let previous = scratch.strings[index - 1]
                guard previous.count != member.count || !memcmpEqual(base + previous.start, base + member.start, member.count) else {
                    let bytes = (try? Base64.decode(base + member.start, count: member.count)) ?? []
                    throw DDBError(.duplicateSetMember, "BS set holds the member \(bytes) twice", offset: setStart)
                }
                out.append(UInt8(ascii: ","))
            }
            appendRaw(from: member.start - 1, to: member.end + 1, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A `BS` decoded into values and written from them: the general path.
    private mutating func transcodeDecodedBinarySet(into out: inout RowWriter, numbers: NumberOutput) throws(DDBError) {
        var bytes: [UInt8] = []
        RowJSONEncoder(numbers: numbers).append(try decodeSet(.bs), to: &bytes)
        out.append(contentsOf: bytes)
    }

    /// Whether the bytes that canonical base64 text `a` spells sort before those of `b`.
    private func base64Precedes(_ a: StringSpan, _ b: StringSpan) -> Bool {
        Base64.ranks.withUnsafeBufferPointer { rank in
            var k = 0
            while k < a.count && k < b.count {
                let x = rank[Int(base[a.start &+ k])], y = rank[Int(base[b.start &+ k])]
                if x != y { return x < y }
                k &+= 1
            }
            // One text is the other's start: it has no padding, so its bytes start the other's.
            return a.count < b.count
        }
    }

    /// Reads an `NS` and writes its members sorted numerically.
    private mutating func transcodeNumberSet(
        into out: inout RowWriter, numbers: NumberOutput, scratch: inout TranscodeScratch
    ) throws(DDBError) {
        try expectKind(UInt8(ascii: "["), for: .ns, "an array of strings")
        let setStart = pos
        scratch.numbers.removeAll(keepingCapacity: true)
        if try beginArray("a set") {
            repeat {
                do throws(DDBError) {
                    let (span, syntax) = try readNumberString()
                    let key =
                        span.hasEscapes
                        ? decodedBytes(span).withUnsafeBufferPointer { syntax.key(of: $0) } : syntax.key(of: UnsafeBufferPointer(start: base + span.start, count: span.count))
                    scratch.numbers.append((span, syntax, key))
                } catch {
                    var error = error
                    error.path.components.insert(.index(scratch.numbers.count), at: 0)
                    throw error
                }
            } while try nextMember(close: UInt8(ascii: "]"))
        }
        guard !scratch.numbers.isEmpty else { throw DDBError(.emptySet, "NS a set must have at least one member", offset: setStart) }
        scratch.numbers.sort { $0.key < $1.key }
        out.append(UInt8(ascii: "["))
        for index in scratch.numbers.indices {
            let (span, syntax, key) = scratch.numbers[index]
            if index > 0 {
                guard scratch.numbers[index - 1].key != key else {
                    throw DDBError(.duplicateSetMember, "NS set holds the member \(decodedString(span)) twice", offset: setStart)
                }
                out.append(UInt8(ascii: ","))
            }
            appendNumber(span, syntax, numbers: numbers, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// The `N` value's string at the cursor, read past, when it is a plain JSON decimal (see
    /// ``plainNumberEnd(_:_:_:)``); otherwise nil and the cursor unmoved (the caller reads it
    /// with ``readNumberString()``, which names any fault).
    @inline(__always)
    private mutating func plainNumberString() -> StringSpan? {
        guard pos < end, base[pos] == UInt8(ascii: "\"") else { return nil }
        let start = pos &+ 1
        let close = Self.plainNumberEnd(base, end, start)
        guard close >= 0 else { return nil }
        pos = close &+ 1
        return StringSpan(start: start, end: close, hasEscapes: false)
    }

    /// Appends number text from the input as it stands (a JSON number; with `.string`, in quotes).
    @inline(__always)
    private func appendNumberText(from start: Int, to end: Int, numbers: NumberOutput, into out: inout RowWriter) {
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
        appendRaw(from: start, to: end, into: &out)
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
    }

    @inline(__always)
    private func appendNumber(_ span: StringSpan, _ syntax: NumberSyntax, numbers: NumberOutput, into out: inout RowWriter) {
        if syntax.isJSONGrammar && !span.hasEscapes {
            appendNumberText(from: span.start, to: span.end, numbers: numbers, into: &out)
            return
        }
        // Other spellings (`+1`, `1e2`, `.5`, escapes) in their canonical form.
        let text = decodedBytes(span)
        var canonical: [UInt8] = []
        text.withUnsafeBufferPointer { syntax.appendCanonical(of: $0, to: &canonical) }
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
        out.append(contentsOf: canonical)
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
    }

    /// Whether string `a` sorts before `b` by code point.
    private func spanPrecedes(_ a: StringSpan, _ b: StringSpan) -> Bool {
        if !a.hasEscapes && !b.hasEscapes {
            return UnsafeBufferPointer(start: base + a.start, count: a.count)
                .lexicographicallyPrecedes(UnsafeBufferPointer(start: base + b.start, count: b.count))
        }
        return withDecoded(a) { x in withDecoded(b) { y in x.lexicographicallyPrecedes(y) } }
    }

    /// Whether `names[from...]` holds a name equal to `key`.
    @inline(__always)
    private func hasName(_ key: StringSpan, among names: UnsafeBufferPointer<StringSpan>, from start: Int) -> Bool {
        var index = start
        while index < names.count {
            let name = names[index]
            if name.count == key.count {
                if !name.hasEscapes && !key.hasEscapes {
                    if memcmpEqual(base + name.start, base + key.start, key.count) { return true }
                } else if spansEqual(name, key) {
                    return true
                }
            } else if name.hasEscapes || key.hasEscapes, spansEqual(name, key) {
                return true
            }
            index += 1
        }
        return false
    }

    /// Appends input bytes `start..<end` unchanged.
    @inline(__always)
    package func appendRaw(from start: Int, to end: Int, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
    }

    /// Appends input bytes `start..<end` unchanged.
    @inlinable @inline(__always)
    package func appendRaw(from start: Int, to end: Int, into out: inout RowWriter) {
        out.append(base + start, count: end &- start, readable: self.end &- start)
    }
}

/// A one-word Bloom filter of the member names read so far in one map: most names of a map differ
/// in length or in their first or last byte, so most are known to be new without comparing them
/// with the names before (which costs a quadratic number of comparisons).
///
/// A name with escapes has other spellings of the same value (`"a"` and `"\u0061"`): once one
/// is seen, or when the name being checked has escapes, every name is compared.
struct NameFilter {
    private var bits: UInt64 = 0

    @inline(__always)
    private static func bit(_ name: StringSpan, in cursor: JSONCursor) -> UInt64 {
        if name.hasEscapes { return ~0 }
        // The bytes around the name are its quotes, so an empty name reads only those.
        let first = UInt64(cursor.base[name.start]), last = UInt64(cursor.base[name.end &- 1])
        return 1 &<< ((first &* 7 &+ last &* 3 &+ UInt64(name.end &- name.start)) & 63)
    }

    /// Whether a name equal to `name` may have been inserted (false: certainly not).
    @inline(__always)
    func mayHold(_ name: StringSpan, in cursor: JSONCursor) -> Bool {
        bits & Self.bit(name, in: cursor) != 0
    }

    @inline(__always)
    mutating func insert(_ name: StringSpan, in cursor: JSONCursor) {
        bits |= Self.bit(name, in: cursor)
    }
}
