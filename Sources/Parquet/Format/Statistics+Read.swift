extension ParquetFormat.Statistics: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        self.init()
        var copy = self
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: copy.max = try reader.readBinary(field, "max")
            case 2: copy.min = try reader.readBinary(field, "min")
            case 3: copy.nullCount = try reader.readI64(field, "null_count")
            case 4: copy.distinctCount = try reader.readI64(field, "distinct_count")
            case 5: copy.maxValue = try reader.readBinary(field, "max_value")
            case 6: copy.minValue = try reader.readBinary(field, "min_value")
            case 7: copy.isMaxValueExact = try reader.readBool(field, "is_max_value_exact")
            case 8: copy.isMinValueExact = try reader.readBool(field, "is_min_value_exact")
            default: try reader.skip(field.type)
            }
        }
        self = copy
    }
}
