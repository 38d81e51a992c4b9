/// Reusable memory for transcoding, so the hot path allocates nothing per record.
package struct TranscodeScratch {
    /// Member names of the maps being read, innermost last, for the duplicate check.
    var names: [StringSpan] = []
    /// The top-level member names of the item last transcoded by `transcodeItem`.
    package var itemNames: [StringSpan] = []
    /// Where each of those members' attribute values lies in the input (`{"S":"…"}`), in the same
    /// order, when ``recordsItemValues`` asks for them.
    package var itemValues: [Range<Int>] = []
    /// Whether `transcodeItem` records ``itemValues`` (only the reader's check of NewImage against
    /// Keys needs them).
    package var recordsItemValues = false
    /// Members of the set being read, and names being sorted for the duplicate check of a large map.
    var strings: [StringSpan] = []
    var numbers: [(span: StringSpan, syntax: NumberSyntax, key: NumericKey)] = []

    package init() {
        names.reserveCapacity(64)
        itemNames.reserveCapacity(64)
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
        let base = scratch.names.count
        defer { scratch.names.removeSubrange(base...) }
        scratch.itemValues.removeAll(keepingCapacity: true)
        let count = try transcodeMembers(into: &out, numbers: numbers, scratch: &scratch, depth: 0)
        scratch.itemNames.removeAll(keepingCapacity: true)
        scratch.itemNames.append(contentsOf: scratch.names[base...])
        return count
    }

    /// Reads `{ "name": <AV>, … }`, writing `"name":<row value>` members separated by commas.
    private mutating func transcodeMembers(
        into out: inout [UInt8], numbers: NumberOutput, scratch: inout TranscodeScratch, depth: Int
    ) throws(DDBError) -> Int {
        let first = try peekAfterWhitespace("an attribute map")
        guard first == UInt8(ascii: "{") else {
            throw DDBError(.wrongJSONType, "an item or map must be an object, found \(jsonKind(first))", offset: pos)
        }
        guard try beginObject("an attribute map") else { return 0 }
        let namesBase = scratch.names.count
        var count = 0
        repeat {
            let nameStart = pos
            let key = try readKey()
            // Small maps (nearly all) are checked as they are read; a larger one once, sorted, at its end.
            if count < Self.linearNameCheckLimit, hasName(key, among: scratch.names, from: namesBase) {
                throw prefixing(
                    DDBError(.duplicateAttribute, "attribute \"\(decodedString(key))\" appears twice", offset: nameStart), name: key)
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
            let valueStart = pos
            do throws(DDBError) {
                try transcodeValue(into: &out, numbers: numbers, scratch: &scratch, depth: depth + 1)
            } catch {
                throw prefixing(error, name: key)
            }
            if depth == 0 && scratch.recordsItemValues { scratch.itemValues.append(valueStart..<pos) }
            count += 1
        } while try nextMember(close: UInt8(ascii: "}"))
        if count > Self.linearNameCheckLimit, let twice = firstDuplicate(scratch.names[namesBase...], sortBuffer: &scratch.strings) {
            throw prefixing(
                DDBError(.duplicateAttribute, "attribute \"\(decodedString(twice))\" appears twice", offset: twice.start - 1),
                name: twice)
        }
        if depth > 0 { scratch.names.removeSubrange(namesBase...) }
        return count
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
        into out: inout [UInt8], numbers: NumberOutput, scratch: inout TranscodeScratch, depth: Int
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
            let (span, syntax) = try readNumberString()
            appendNumber(span, syntax, numbers: numbers, into: &out)
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
                out.append(contentsOf: RowJSONEncoder.nullBytes)
            } else {
                out.append(contentsOf: isTrue ? RowJSONEncoder.trueBytes : RowJSONEncoder.falseBytes)
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
            // Binary sets sort by their bytes, not their base64 text: decode, then write canonically.
            RowJSONEncoder(numbers: numbers).append(try decodeSet(tag), to: &out)
        }
        try endAttributeValue(tag)
    }

    /// Reads an `SS` and writes its members sorted by code point (UTF-8 byte order).
    private mutating func transcodeStringSet(into out: inout [UInt8], scratch: inout TranscodeScratch) throws(DDBError) {
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

    /// Reads an `NS` and writes its members sorted numerically.
    private mutating func transcodeNumberSet(
        into out: inout [UInt8], numbers: NumberOutput, scratch: inout TranscodeScratch
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
                        ? syntax.key(of: decodedBytes(span)) : syntax.key(of: UnsafeBufferPointer(start: base + span.start, count: span.count))
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

    @inline(__always)
    private func appendNumber(_ span: StringSpan, _ syntax: NumberSyntax, numbers: NumberOutput, into out: inout [UInt8]) {
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
        if syntax.isJSONGrammar && !span.hasEscapes {
            appendRaw(from: span.start, to: span.end, into: &out)
        } else {
            let text = decodedBytes(span)
            text.withUnsafeBufferPointer { syntax.appendCanonical(of: $0, to: &out) }
        }
        if numbers == .string { out.append(UInt8(ascii: "\"")) }
    }

    /// Whether string `a` sorts before `b` by code point.
    private func spanPrecedes(_ a: StringSpan, _ b: StringSpan) -> Bool {
        if !a.hasEscapes && !b.hasEscapes {
            return UnsafeBufferPointer(start: base + a.start, count: a.count)
                .lexicographicallyPrecedes(UnsafeBufferPointer(start: base + b.start, count: b.count))
        }
        return decodedBytes(a).lexicographicallyPrecedes(decodedBytes(b))
    }

    /// Whether `names[from...]` holds a name equal to `key`.
    @inline(__always)
    private func hasName(_ key: StringSpan, among names: [StringSpan], from start: Int) -> Bool {
        names.withUnsafeBufferPointer { names in
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
    }

    /// Appends input bytes `start..<end` unchanged.
    @inline(__always)
    package func appendRaw(from start: Int, to end: Int, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
    }
}
