extension ParquetFormat.SchemaElement: ThriftCompactReadable {
    init(reading reader: inout ThriftCompactReader) throws(ParquetError) {
        let start = reader.position
        var copy = Self(name: "")
        var name: String?
        try reader.readStruct { (reader, field) throws(ParquetError) in
            switch field.id {
            case 1: copy.type = ParquetFormat.PhysicalType(rawValue: try reader.readI32(field, "type"))
            case 2: copy.typeLength = try reader.readI32(field, "type_length")
            case 3: copy.repetitionType = ParquetFormat.FieldRepetitionType(rawValue: try reader.readI32(field, "repetition_type"))
            case 4: name = try reader.readString(field, "name")
            case 5: copy.numChildren = try reader.readI32(field, "num_children")
            case 6: copy.convertedType = ParquetFormat.ConvertedType(rawValue: try reader.readI32(field, "converted_type"))
            case 7: copy.scale = try reader.readI32(field, "scale")
            case 8: copy.precision = try reader.readI32(field, "precision")
            case 9: copy.fieldID = try reader.readI32(field, "field_id")
            case 10:
                try reader.expect(field, .struct, "logicalType")
                copy.logicalType = try ParquetFormat.LogicalType.read(from: &reader)
            default: try reader.skip(field.type)
            }
        }
        copy.name = try reader.required(name, "name", in: "SchemaElement", at: start)
        self = copy
    }
}
