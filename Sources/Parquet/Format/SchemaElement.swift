extension ParquetFormat {
    /// `struct SchemaElement`: one node of the schema, listed depth-first after the root.
    struct SchemaElement: Hashable, Sendable, ThriftCompactWritable {
        /// 1: optional Type type (leaves only)
        var type: PhysicalType?
        /// 2: optional i32 type_length (FIXED_LEN_BYTE_ARRAY's width)
        var typeLength: Int32?
        /// 3: optional FieldRepetitionType repetition_type (all but the root)
        var repetitionType: FieldRepetitionType?
        /// 4: required string name
        var name: String
        /// 5: optional i32 num_children (groups only)
        var numChildren: Int32?
        /// 6: optional ConvertedType converted_type
        var convertedType: ConvertedType?
        /// 7: optional i32 scale
        var scale: Int32?
        /// 8: optional i32 precision
        var precision: Int32?
        /// 9: optional i32 field_id
        var fieldID: Int32?
        /// 10: optional LogicalType logicalType
        var logicalType: LogicalType?

        init(
            type: PhysicalType? = nil, typeLength: Int32? = nil, repetitionType: FieldRepetitionType? = nil, name: String,
            numChildren: Int32? = nil, convertedType: ConvertedType? = nil, scale: Int32? = nil, precision: Int32? = nil,
            fieldID: Int32? = nil, logicalType: LogicalType? = nil
        ) {
            self.type = type
            self.typeLength = typeLength
            self.repetitionType = repetitionType
            self.name = name
            self.numChildren = numChildren
            self.convertedType = convertedType
            self.scale = scale
            self.precision = precision
            self.fieldID = fieldID
            self.logicalType = logicalType
        }

        func write(to writer: inout ThriftCompactWriter) {
            if let type { writer.writeField(1, i32: type.rawValue) }
            if let typeLength { writer.writeField(2, i32: typeLength) }
            if let repetitionType { writer.writeField(3, i32: repetitionType.rawValue) }
            writer.writeField(4, string: name)
            if let numChildren { writer.writeField(5, i32: numChildren) }
            if let convertedType { writer.writeField(6, i32: convertedType.rawValue) }
            if let scale { writer.writeField(7, i32: scale) }
            if let precision { writer.writeField(8, i32: precision) }
            if let fieldID { writer.writeField(9, i32: fieldID) }
            if let logicalType { writer.writeField(10, struct: logicalType) }
        }
    }
}
