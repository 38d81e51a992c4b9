extension ParquetSchema {
    /// The schema a footer's depth-first `SchemaElement` list describes.
    ///
    /// Logical types are taken from `logicalType`, else from the older `converted_type`; those the
    /// public ``LogicalType`` has no case for (dates, times, integer widths, timestamps other than
    /// milliseconds, ENUM, UUID) read as none: the physical values are still read exactly.
    /// - Throws: ``ParquetError/Code/malformedMetadata`` for a list that does not make a tree or an
    ///   element without what it needs; ``ParquetError/Code/unsupported`` for INT96, FLOAT and DOUBLE
    ///   columns; the checks of ``init(columns:)``.
    init(elements: [ParquetFormat.SchemaElement]) throws(ParquetError) {
        guard let root = elements.first else { throw ParquetError(.malformedMetadata, "footer schema: no elements") }
        guard let count = root.numChildren, count > 0 else {
            throw ParquetError(.malformedMetadata, "footer schema: the root '\(root.name)' has no children")
        }
        var next = 1
        var columns: [SchemaNode] = []
        for _ in 0..<Int(count) {
            columns.append(try Self.node(elements, &next, parent: [], depth: 1))
        }
        guard next == elements.count else {
            throw ParquetError(.malformedMetadata, "footer schema: \(elements.count - next) elements after the tree the root describes")
        }
        do {
            try self.init(columns: columns)
        } catch {
            throw ParquetError(.malformedMetadata, "footer schema: \(error.message)")
        }
    }

    private static func node(
        _ elements: [ParquetFormat.SchemaElement], _ next: inout Int, parent: [String], depth: Int
    ) throws(ParquetError) -> SchemaNode {
        guard next < elements.count else {
            throw ParquetError(.malformedMetadata, "footer schema: \(parent.joined(separator: ".")) has fewer elements than its num_children says")
        }
        guard depth <= 255 else { throw ParquetError(.malformedMetadata, "footer schema: nested deeper than 255 levels") }
        let element = elements[next]
        next += 1
        let path = (parent + [element.name]).joined(separator: ".")
        let repetition: Repetition
        switch element.repetitionType {
        case .required?: repetition = .required
        case .optional?: repetition = .optional
        case .repeated?: repetition = .repeated
        default:
            throw ParquetError(
                .malformedMetadata, "footer schema: \(path): repetition type \(element.repetitionType.map { "\($0.rawValue)" } ?? "missing")")
        }
        if let children = element.numChildren {
            guard children > 0, Int(children) <= elements.count - next else {
                throw ParquetError(.malformedMetadata, "footer schema: \(path): num_children \(children) with \(elements.count - next) elements left")
            }
            var nodes: [SchemaNode] = []
            for _ in 0..<Int(children) {
                nodes.append(try node(elements, &next, parent: parent + [element.name], depth: depth + 1))
            }
            return .group(name: element.name, repetition: repetition, logical: groupLogical(element), children: nodes)
        }
        let type: PhysicalType
        switch element.type {
        case .boolean?: type = .boolean
        case .int32?: type = .int32
        case .int64?: type = .int64
        case .byteArray?: type = .byteArray
        case .fixedLenByteArray?:
            guard let width = element.typeLength, width > 0 else {
                throw ParquetError(.malformedMetadata, "footer schema: \(path): FIXED_LEN_BYTE_ARRAY without a positive type_length")
            }
            type = .fixedLenByteArray(Int(width))
        case .int96?, .float?, .double?:
            throw ParquetError(.unsupported, "footer schema: \(path): physical type \(element.type!.rawValue) (INT96, FLOAT, DOUBLE) is not read")
        default:
            throw ParquetError(.malformedMetadata, "footer schema: \(path): a leaf without a known physical type")
        }
        return .leaf(name: element.name, repetition: repetition, type: type, logical: leafLogical(element, type))
    }

    private static func groupLogical(_ element: ParquetFormat.SchemaElement) -> LogicalType? {
        switch element.logicalType {
        case .list?: return .list
        case .map?: return .map
        case nil:
            switch element.convertedType {
            case .list?: return .list
            case .map?: return .map
            default: return nil  // MAP_KEY_VALUE marks the repeated pair, which reads as a plain group
            }
        default: return nil
        }
    }

    private static func leafLogical(_ element: ParquetFormat.SchemaElement, _ type: PhysicalType) -> LogicalType? {
        switch element.logicalType {
        case .string?: return .string
        case .json?: return .json
        case .decimal(let decimal)?: return .decimal(precision: Int(decimal.precision), scale: Int(decimal.scale))
        case .timestamp(let timestamp)? where timestamp.unit == .millis: return .timestampMillis(utc: timestamp.isAdjustedToUTC)
        case .some: return nil
        case nil:
            switch element.convertedType {
            case .utf8?: return .string
            case .json?: return .json
            case .decimal?: return .decimal(precision: Int(element.precision ?? 0), scale: Int(element.scale ?? 0))
            case .timestampMillis?: return .timestampMillis(utc: true)
            default: return nil
            }
        }
    }
}
