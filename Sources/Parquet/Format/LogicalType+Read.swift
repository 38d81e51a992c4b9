extension ParquetFormat.DecimalType: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var scale: Int32?, precision: Int32?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: scale = try reader.readI32(field, "scale")
            case 2: precision = try reader.readI32(field, "precision")
            default: try reader.skip(field.type)
            }
        }
        self.init(
            scale: try reader.required(scale, "scale", in: "DecimalType", at: start),
            precision: try reader.required(precision, "precision", in: "DecimalType", at: start))
    }
}

extension ParquetFormat.TimeUnit: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var unit: Self?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: _ = try reader.readStruct(field, "MILLIS", as: ThriftEmptyStruct.self); unit = .millis
            case 2: _ = try reader.readStruct(field, "MICROS", as: ThriftEmptyStruct.self); unit = .micros
            case 3: _ = try reader.readStruct(field, "NANOS", as: ThriftEmptyStruct.self); unit = .nanos
            default: try reader.skip(field.type)
            }
        }
        self = try reader.required(unit, "known unit", in: "TimeUnit", at: start)
    }
}

extension ParquetFormat.TimestampType: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var adjusted: Bool?, unit: ParquetFormat.TimeUnit?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: adjusted = try reader.readBool(field, "isAdjustedToUTC")
            case 2: unit = try reader.readStruct(field, "unit")
            default: try reader.skip(field.type)
            }
        }
        self.init(
            isAdjustedToUTC: try reader.required(adjusted, "isAdjustedToUTC", in: "TimestampType", at: start),
            unit: try reader.required(unit, "unit", in: "TimestampType", at: start))
    }
}

extension ParquetFormat.IntType: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var bitWidth: Int8?, signed: Bool?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: bitWidth = try reader.readI8(field, "bitWidth")
            case 2: signed = try reader.readBool(field, "isSigned")
            default: try reader.skip(field.type)
            }
        }
        self.init(
            bitWidth: try reader.required(bitWidth, "bitWidth", in: "IntType", at: start),
            isSigned: try reader.required(signed, "isSigned", in: "IntType", at: start))
    }
}

extension ParquetFormat.LogicalType {
    /// Reads the union; nil for a member this package does not know (a newer logical type, which
    /// a reader treats as no logical type), after reading past it.
    static func read(from reader: inout ThriftCompactReader) throws(ParquetError) -> Self? {
        var value: Self?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            func empty(_ name: String, _ type: Self) throws(ParquetError) -> Self {
                _ = try reader.readStruct(field, name, as: ThriftEmptyStruct.self)
                return type
            }
            switch field.id {
            case 1: value = try empty("STRING", .string)
            case 2: value = try empty("MAP", .map)
            case 3: value = try empty("LIST", .list)
            case 4: value = try empty("ENUM", .enum)
            case 5: value = .decimal(try reader.readStruct(field, "DECIMAL"))
            case 6: value = try empty("DATE", .date)
            case 7: value = .time(try reader.readStruct(field, "TIME"))
            case 8: value = .timestamp(try reader.readStruct(field, "TIMESTAMP"))
            case 10: value = .integer(try reader.readStruct(field, "INTEGER"))
            case 11: value = try empty("UNKNOWN", .unknown)
            case 12: value = try empty("JSON", .json)
            case 13: value = try empty("BSON", .bson)
            case 14: value = try empty("UUID", .uuid)
            default: try reader.skip(field.type)
            }
        }
        return value
    }
}
