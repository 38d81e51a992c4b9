extension ParquetSchema {
    /// The footer's schema: the root (`schema`, all top-level columns as children), then every node depth-first.
    var elements: [ParquetFormat.SchemaElement] {
        var elements = [ParquetFormat.SchemaElement(name: "schema", numChildren: Int32(columns.count))]
        func visit(_ node: SchemaNode) {
            switch node {
            case .leaf(let name, let repetition, let type, let logical):
                var element = ParquetFormat.SchemaElement(type: type.format, repetitionType: repetition.format, name: name)
                if case .fixedLenByteArray(let width) = type { element.typeLength = Int32(width) }
                switch logical {
                case nil: break
                case .string:
                    element.logicalType = .string
                    element.convertedType = .utf8
                case .json:
                    element.logicalType = .json
                    element.convertedType = .json
                case .decimal(let precision, let scale):
                    element.logicalType = .decimal(.init(scale: Int32(scale), precision: Int32(precision)))
                    element.convertedType = .decimal
                    element.scale = Int32(scale)
                    element.precision = Int32(precision)
                case .timestampMillis(let utc):
                    element.logicalType = .timestamp(.init(isAdjustedToUTC: utc, unit: .millis))
                    // TIMESTAMP_MILLIS means UTC-normalized: a local timestamp has no converted type.
                    if utc { element.convertedType = .timestampMillis }
                case .list, .map: break  // refused on leaves by the schema's check
                }
                elements.append(element)
            case .group(let name, let repetition, let logical, let children):
                var element = ParquetFormat.SchemaElement(repetitionType: repetition.format, name: name, numChildren: Int32(children.count))
                switch logical {
                case .list:
                    element.logicalType = .list
                    element.convertedType = .list
                case .map:
                    element.logicalType = .map
                    element.convertedType = .map
                default: break
                }
                elements.append(element)
                children.forEach(visit)
            }
        }
        columns.forEach(visit)
        return elements
    }
}

extension Repetition {
    var format: ParquetFormat.FieldRepetitionType {
        switch self {
        case .required: .required
        case .optional: .optional
        case .repeated: .repeated
        }
    }
}

extension PhysicalType {
    var format: ParquetFormat.PhysicalType {
        switch self {
        case .boolean: .boolean
        case .int32: .int32
        case .int64: .int64
        case .byteArray: .byteArray
        case .fixedLenByteArray: .fixedLenByteArray
        }
    }
}
