/// How a column's statistics order its values (parquet.thrift's ColumnOrder, TYPE_ORDER).
enum StatisticsOrder: Sendable {
    /// false < true.
    case boolean
    /// Signed integers (INT32, INT64, and the decimals and timestamps on them).
    case signedInteger
    /// Unsigned byte-wise (strings, JSON, binary).
    case unsignedBytes
    /// Two's complement big-endian of one width (a FIXED_LEN_BYTE_ARRAY decimal): signed first byte, then unsigned.
    case signedBigEndian
}

/// One leaf column's encoder: the page being filled, the chunk's finished pages, its dictionary and
/// its statistics. A page is cut only between rows (the writer asks at `endRow`), so every page
/// starts at repetition level 0.
struct ColumnWriter: Sendable {
    let leaf: LeafColumn
    let isBoolean: Bool
    let isByteArray: Bool
    let order: StatisticsOrder
    let maxDefinition: Int
    let maxRepetition: Int
    private let definitionWidth: Int
    private let repetitionWidth: Int
    private let dictionaryLimit: Int

    // The page being filled.
    private var definitions: [UInt8] = []
    private var repetitions: [UInt8] = []
    private var pageLevels = 0
    private var pageValues = 0
    /// Dictionary indices while the chunk is dictionary-encoded.
    private var indices: [UInt32] = []
    /// PLAIN values otherwise (booleans bit-packed LSB first).
    private var plain: [UInt8] = []

    // The column chunk.
    private var dictionaryEnabled: Bool
    /// PLAIN bytes of the chunk's values so far, while the dictionary is on trial (the chunk's first
    /// ``dictionaryTrialValues`` values).
    private var trialPlainBytes = 0
    private var dictionary = DictionaryTable()
    /// Finished data pages, each a header and its (compressed) body.
    private var pages: [UInt8] = []
    private var dictionaryDataPages: Int32 = 0
    private var plainDataPages: Int32 = 0
    private var chunkLevels: Int64 = 0
    private var chunkValues: Int64 = 0
    private var pagesUncompressed: Int64 = 0
    private var pagesCompressed: Int64 = 0

    // The chunk's bounds.
    private var hasBounds = false
    private var minInteger: Int64 = 0
    private var maxInteger: Int64 = 0
    private var sawFalse = false
    private var sawTrue = false
    private var minBytes: [UInt8] = []
    private var maxBytes: [UInt8] = []

    /// Rows this column has begun (values or nulls at repetition level 0), over the whole file.
    var rowsStarted = 0

    init(leaf: LeafColumn, options: WriterOptions) {
        self.leaf = leaf
        isBoolean = leaf.type == .boolean
        isByteArray = leaf.type == .byteArray
        switch (leaf.type, leaf.logical) {
        case (.boolean, _): order = .boolean
        case (.int32, _), (.int64, _): order = .signedInteger
        case (.fixedLenByteArray, .decimal?): order = .signedBigEndian
        default: order = .unsignedBytes
        }
        maxDefinition = leaf.maxDefinitionLevel
        maxRepetition = leaf.maxRepetitionLevel
        definitionWidth = RLEHybrid.bitWidth(leaf.maxDefinitionLevel)
        repetitionWidth = RLEHybrid.bitWidth(leaf.maxRepetitionLevel)
        dictionaryLimit = options.dictionaryPageBytes
        dictionaryEnabled = !isBoolean
    }

    // MARK: Appending

    /// Every append's levels; a level-0 one begins a row (the writer has checked that it may).
    @inline(__always)
    private mutating func level(definition: Int, repetition: Int) {
        if maxDefinition > 0 { definitions.append(UInt8(truncatingIfNeeded: definition)) }
        if maxRepetition > 0 { repetitions.append(UInt8(truncatingIfNeeded: repetition)) }
        if repetition == 0 { rowsStarted &+= 1 }
        pageLevels += 1
    }

    mutating func appendNull(definition: Int, repetition: Int) {
        level(definition: definition, repetition: repetition)
    }

    mutating func append(bool value: Bool, repetition: Int) {
        level(definition: maxDefinition, repetition: repetition)
        let bit = pageValues & 7
        if bit == 0 { plain.append(0) }
        if value {
            plain[plain.count - 1] |= 1 << UInt8(bit)
            sawTrue = true
        } else {
            sawFalse = true
        }
        hasBounds = true
        pageValues += 1
    }

    /// - Returns: whether the page estimate may have grown by more than this value's bytes (see ``appendEncoded(_:bytesBounds:)``).
    mutating func append(integer value: Int64, bytes: UnsafeRawBufferPointer, repetition: Int) -> Bool {
        level(definition: maxDefinition, repetition: repetition)
        if !hasBounds {
            minInteger = value
            maxInteger = value
            hasBounds = true
        } else if value < minInteger {
            minInteger = value
        } else if value > maxInteger {
            maxInteger = value
        }
        return appendEncoded(bytes, bytesBounds: false)
    }

    /// - Returns: whether the page estimate may have grown by more than this value's bytes (see ``appendEncoded(_:bytesBounds:)``).
    mutating func append(bytes: UnsafeRawBufferPointer, repetition: Int) -> Bool {
        level(definition: maxDefinition, repetition: repetition)
        return appendEncoded(bytes, bytesBounds: true)
    }

    /// The most one value of `count` bytes adds to ``pageEstimate`` and to ``bufferedBytes`` when
    /// ``appendEncoded(_:bytesBounds:)`` says it did not jump: its levels (at most two bytes), and
    /// either its PLAIN bytes with a length prefix, or a dictionary index (at most four bytes) and
    /// the dictionary's growth (its bytes and a length prefix).
    @inline(__always)
    static func growthBound(_ count: Int) -> Int { count &+ 10 }

    /// Values a chunk's dictionary is tried on before the writer decides whether it pays.
    static let dictionaryTrialValues = 256

    /// A non-null value into the dictionary (or PLAIN once the dictionary is full or did not pay).
    ///
    /// - Returns: true when the page estimate may have jumped by more than ``growthBound(_:)``:
    ///   the page's indices became PLAIN values, or the dictionary's index width grew (every index
    ///   of the page costs more). The writer then measures every column at the row's end.
    @inline(__always)
    private mutating func appendEncoded(_ bytes: UnsafeRawBufferPointer, bytesBounds: Bool) -> Bool {
        pageValues += 1
        if dictionaryEnabled {
            if let (index, isNew) = dictionary.index(of: bytes, lengthPrefixed: isByteArray, limit: dictionaryLimit) {
                indices.append(UInt32(truncatingIfNeeded: index))
                var jumped = false
                if isNew {
                    // A value seen before is already within the bounds.
                    if bytesBounds { widenBounds(bytes) }
                    // The width is bitWidth(count - 1): it grows when count - 1 reaches a power of two.
                    let last = dictionary.count &- 1
                    jumped = last > 0 && last & (last &- 1) == 0
                }
                // On trial while no page with values was cut in this chunk yet.
                if chunkValues == 0 && pageValues <= Self.dictionaryTrialValues {
                    trialPlainBytes += bytes.count + (isByteArray ? 4 : 0)
                    if pageValues == Self.dictionaryTrialValues && !dictionaryPays {
                        fallBackToPlain()
                        jumped = true
                    }
                }
                return jumped
            }
            fallBackToPlain()
            appendPlain(bytes)
            if bytesBounds { widenBounds(bytes) }
            return true
        }
        appendPlain(bytes)
        if bytesBounds { widenBounds(bytes) }
        return false
    }

    /// Whether the dictionary makes the chunk's first values smaller than PLAIN would: its PLAIN
    /// page and the indices (at their bit width) against the values' own PLAIN bytes, as
    /// parquet-mr judges it. Columns of distinct values (`_seq`, `_eventId`, the packed layout's
    /// `_item`) fail it: hashing and copying every value into a dictionary that saves nothing costs
    /// more than the rest of the column's encoding.
    private var dictionaryPays: Bool {
        let indexBytes = (pageValues * dictionaryIndexWidth + 7) / 8
        return dictionary.plainSize(lengthPrefixed: isByteArray) + indexBytes < trialPlainBytes
    }

    /// The dictionary is full, or did not pay: this page's values so far become PLAIN, and so does
    /// the rest of the chunk (pages already cut keep their dictionary indices; the dictionary page
    /// still precedes them; a dictionary no page used is not written).
    private mutating func fallBackToPlain() {
        dictionaryEnabled = false
        for index in indices {
            dictionary.withValue(Int(index)) { appendPlain($0) }
        }
        indices.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private mutating func appendPlain(_ bytes: UnsafeRawBufferPointer) {
        if isByteArray {
            let length = UInt32(truncatingIfNeeded: bytes.count)
            withUnsafeBytes(of: length.littleEndian) { plain.append(raw: $0) }
        }
        plain.append(raw: bytes)
    }

    private mutating func widenBounds(_ bytes: UnsafeRawBufferPointer) {
        if !hasBounds {
            minBytes.append(raw: bytes)
            maxBytes.append(raw: bytes)
            hasBounds = true
            return
        }
        if Self.compare(bytes, minBytes, order) < 0 {
            minBytes.removeAll(keepingCapacity: true)
            minBytes.append(raw: bytes)
        } else if Self.compare(bytes, maxBytes, order) > 0 {
            maxBytes.removeAll(keepingCapacity: true)
            maxBytes.append(raw: bytes)
        }
    }

    /// Orders two byte strings: unsigned byte-wise (a prefix first), or for a big-endian two's
    /// complement decimal of one width, signed on the first byte.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8], _ order: StatisticsOrder) -> Int {
        b.withUnsafeBytes { b in
            let common = min(a.count, b.count)
            var i = 0
            if order == .signedBigEndian && common > 0 {
                let x = Int8(bitPattern: a[0]), y = Int8(bitPattern: b[0])
                if x != y { return x < y ? -1 : 1 }
                i = 1
            }
            // Eight bytes at a time as big-endian words (their order is the bytes' order), then the rest.
            while i &+ 8 <= common {
                let x = UInt64(bigEndian: a.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let y = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if x != y { return x < y ? -1 : 1 }
                i &+= 8
            }
            while i < common {
                if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
                i += 1
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        }
    }

    // MARK: Sizes

    private var dictionaryIndexWidth: Int { max(1, RLEHybrid.bitWidth(dictionary.count - 1)) }

    /// About what the page being filled would take encoded (before compression).
    var pageEstimate: Int {
        let levels = (definitions.count * definitionWidth + repetitions.count * repetitionWidth) / 8
        let values = dictionaryEnabled ? indices.count * dictionaryIndexWidth / 8 : plain.count
        return levels + values
    }

    /// The bytes this column holds for the row group: finished pages, the page being filled, the dictionary.
    var bufferedBytes: Int {
        let usesDictionary = dictionaryEnabled || dictionaryDataPages > 0
        return pages.count + pageEstimate + (usesDictionary ? dictionary.plainSize(lengthPrefixed: isByteArray) : 0)
    }

    // MARK: Pages

    /// Encodes the page being filled (if it has any level) into `pages`: levels (repetition, then
    /// definition, each with its 4-byte length), then RLE_DICTIONARY indices or PLAIN values.
    mutating func cutPage(compressor: inout PageCompressor, body: inout [UInt8], scratch: inout [UInt8]) throws(ParquetError) {
        guard pageLevels > 0 else { return }
        guard pageLevels <= Int(Int32.max) else {
            throw ParquetError(.tooLarge, "\(leaf.path.joined(separator: ".")): a page of \(pageLevels) levels (Parquet counts in 32 bits)")
        }
        body.removeAll(keepingCapacity: true)
        if maxRepetition > 0 {
            repetitions.withUnsafeBufferPointer { RLEHybrid.encodeWithLength($0, bitWidth: repetitionWidth, into: &body) }
        }
        if maxDefinition > 0 {
            definitions.withUnsafeBufferPointer { RLEHybrid.encodeWithLength($0, bitWidth: definitionWidth, into: &body) }
        }
        let encoding: ParquetFormat.Encoding
        if dictionaryEnabled && !indices.isEmpty {
            encoding = .rleDictionary
            let width = dictionaryIndexWidth
            body.append(UInt8(width))
            indices.withUnsafeBufferPointer { RLEHybrid.encode($0, bitWidth: width, into: &body) }
            dictionaryDataPages += 1
        } else {
            // PLAIN values, or none at all (a page of nulls while the dictionary is still empty).
            encoding = .plain
            body.append(contentsOf: plain)
            plainDataPages += 1
        }
        let header = ParquetFormat.DataPageHeader(numValues: Int32(pageLevels), encoding: encoding)
        let (headerBytes, compressedBytes) = try Self.appendPage(
            type: .dataPage, dataPageHeader: header, body: body, compressor: &compressor, scratch: &scratch, into: &pages, path: leaf.path)
        pagesUncompressed += Int64(headerBytes + body.count)
        pagesCompressed += Int64(headerBytes + compressedBytes)
        chunkLevels += Int64(pageLevels)
        chunkValues += Int64(pageValues)
        definitions.removeAll(keepingCapacity: true)
        repetitions.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
        pageLevels = 0
        pageValues = 0
    }

    /// Compresses `body` and appends its page header and the compressed bytes to `out`; returns the
    /// header's size and the compressed size.
    private static func appendPage(
        type: ParquetFormat.PageType, dataPageHeader: ParquetFormat.DataPageHeader? = nil,
        dictionaryPageHeader: ParquetFormat.DictionaryPageHeader? = nil, body: [UInt8], compressor: inout PageCompressor, scratch: inout [UInt8],
        into out: inout [UInt8], path: [String]
    ) throws(ParquetError) -> (header: Int, compressed: Int) {
        guard body.count <= Int(Int32.max) else {
            throw ParquetError(.tooLarge, "\(path.joined(separator: ".")): a page of \(body.count) bytes (Parquet sizes are 32-bit)")
        }
        var compressed = body.count
        let stored = compressor.codec == .none
        if !stored {
            let result = body.withUnsafeBytes { input in Result { () throws(ParquetError) in try compressor.compress(input, into: &scratch) } }
            compressed = try result.get()
        }
        let header = ParquetFormat.PageHeader(
            type: type, uncompressedPageSize: Int32(body.count), compressedPageSize: Int32(compressed),
            dataPageHeader: dataPageHeader, dictionaryPageHeader: dictionaryPageHeader)
        var writer = ThriftCompactWriter(capacity: 64)
        writer.writeStruct(header)
        out.append(contentsOf: writer.bytes)
        if stored {
            out.append(contentsOf: body)
        } else {
            out.append(contentsOf: scratch[0..<compressed])
        }
        return (writer.bytes.count, compressed)
    }

    /// Cuts the last page, appends the chunk (dictionary page first when a data page used it) to
    /// `file`, and starts a new chunk; returns its footer entry and its sizes.
    mutating func finishChunk(
        into file: inout [UInt8], compressor: inout PageCompressor, body: inout [UInt8], scratch: inout [UInt8]
    ) throws(ParquetError) -> (chunk: ParquetFormat.ColumnChunk, uncompressed: Int64, compressed: Int64) {
        try cutPage(compressor: &compressor, body: &body, scratch: &scratch)
        var uncompressed = pagesUncompressed
        var compressed = pagesCompressed
        var dictionaryOffset: Int64?
        var encodingStats: [ParquetFormat.PageEncodingStats] = []
        var encodings: Set<Int32> = []
        if maxDefinition > 0 || maxRepetition > 0 { encodings.insert(ParquetFormat.Encoding.rle.rawValue) }
        if dictionaryDataPages > 0 {
            dictionaryOffset = Int64(file.count)
            body.removeAll(keepingCapacity: true)
            if isByteArray {
                for index in 0..<dictionary.count {
                    dictionary.withValue(index) { value in
                        withUnsafeBytes(of: UInt32(value.count).littleEndian) { body.append(contentsOf: $0) }
                        body.append(raw: value)
                    }
                }
            } else {
                body.append(contentsOf: dictionary.data)
            }
            let (header, size) = try Self.appendPage(
                type: .dictionaryPage, dictionaryPageHeader: .init(numValues: Int32(dictionary.count), encoding: .plain), body: body,
                compressor: &compressor, scratch: &scratch, into: &file, path: leaf.path)
            uncompressed += Int64(header + body.count)
            compressed += Int64(header + size)
            encodingStats.append(.init(pageType: .dictionaryPage, encoding: .plain, count: 1))
            encodingStats.append(.init(pageType: .dataPage, encoding: .rleDictionary, count: dictionaryDataPages))
            encodings.insert(ParquetFormat.Encoding.plain.rawValue)
            encodings.insert(ParquetFormat.Encoding.rleDictionary.rawValue)
        }
        if plainDataPages > 0 {
            encodingStats.append(.init(pageType: .dataPage, encoding: .plain, count: plainDataPages))
            encodings.insert(ParquetFormat.Encoding.plain.rawValue)
        }
        let dataPageOffset = Int64(file.count)
        file.append(contentsOf: pages)
        let metadata = ParquetFormat.ColumnMetaData(
            type: leaf.type.format, encodings: encodings.sorted().map(ParquetFormat.Encoding.init(rawValue:)), pathInSchema: leaf.path,
            codec: compressor.codec.format, numValues: chunkLevels, totalUncompressedSize: uncompressed, totalCompressedSize: compressed,
            dataPageOffset: dataPageOffset, dictionaryPageOffset: dictionaryOffset, statistics: statistics, encodingStats: encodingStats)
        resetChunk()
        return (ParquetFormat.ColumnChunk(fileOffset: 0, metaData: metadata), uncompressed, compressed)
    }

    /// The chunk's statistics: the null count always, the bounds when there is a value and both
    /// fit in 64 bytes (a longer bound would bloat every footer that carries it).
    private var statistics: ParquetFormat.Statistics {
        var statistics = ParquetFormat.Statistics(nullCount: chunkLevels - chunkValues)
        guard hasBounds else { return statistics }
        let bounds: (min: [UInt8], max: [UInt8])
        switch leaf.type {
        case .boolean: bounds = ([sawFalse ? 0 : 1], [sawTrue ? 1 : 0])
        case .int32:
            bounds = (Self.littleEndian(Int32(truncatingIfNeeded: minInteger)), Self.littleEndian(Int32(truncatingIfNeeded: maxInteger)))
        case .int64: bounds = (Self.littleEndian(minInteger), Self.littleEndian(maxInteger))
        case .byteArray, .fixedLenByteArray: bounds = (minBytes, maxBytes)
        }
        guard bounds.min.count <= 64 && bounds.max.count <= 64 else { return statistics }
        statistics.minValue = bounds.min
        statistics.maxValue = bounds.max
        statistics.isMinValueExact = true
        statistics.isMaxValueExact = true
        return statistics
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private mutating func resetChunk() {
        dictionaryEnabled = !isBoolean
        trialPlainBytes = 0
        dictionary.removeAll()
        pages.removeAll(keepingCapacity: true)
        dictionaryDataPages = 0
        plainDataPages = 0
        chunkLevels = 0
        chunkValues = 0
        pagesUncompressed = 0
        pagesCompressed = 0
        hasBounds = false
        sawFalse = false
        sawTrue = false
        minBytes.removeAll(keepingCapacity: true)
        maxBytes.removeAll(keepingCapacity: true)
    }
}
