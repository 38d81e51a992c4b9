extension ParquetFormat {
    /// `struct DecimalType`.
    struct DecimalType: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required i32 scale
        var scale: Int32
        /// 2: required i32 precision
        var precision: Int32

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i32: scale)
            writer.writeField(2, i32: precision)
        }
    }

    /// `union TimeUnit`: 1 MILLIS, 2 MICROS, 3 NANOS (each an empty struct).
    enum TimeUnit: Hashable, Sendable, ThriftCompactWritable {
        case millis, micros, nanos

        func write(to writer: inout ThriftCompactWriter) {
            switch self {
            case .millis: writer.writeField(1, struct: ThriftEmptyStruct())
            case .micros: writer.writeField(2, struct: ThriftEmptyStruct())
            case .nanos: writer.writeField(3, struct: ThriftEmptyStruct())
            }
        }
    }

    /// `struct TimestampType` (and `TimeType`, the same fields).
    struct TimestampType: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required bool isAdjustedToUTC
        var isAdjustedToUTC: Bool
        /// 2: required TimeUnit unit
        var unit: TimeUnit

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, bool: isAdjustedToUTC)
            writer.writeField(2, struct: unit)
        }
    }

    /// `struct IntType`.
    struct IntType: Hashable, Sendable, ThriftCompactWritable {
        /// 1: required i8 bitWidth
        var bitWidth: Int8
        /// 2: required bool isSigned
        var isSigned: Bool

        func write(to writer: inout ThriftCompactWriter) {
            writer.writeField(1, i8: bitWidth)
            writer.writeField(2, bool: isSigned)
        }
    }

    /// `union LogicalType`: the members this package writes or a reader is likely to meet.
    enum LogicalType: Hashable, Sendable, ThriftCompactWritable {
        /// 1: StringType STRING
        case string
        /// 2: MapType MAP
        case map
        /// 3: ListType LIST
        case list
        /// 4: EnumType ENUM
        case `enum`
        /// 5: DecimalType DECIMAL
        case decimal(DecimalType)
        /// 6: DateType DATE
        case date
        /// 7: TimeType TIME
        case time(TimestampType)
        /// 8: TimestampType TIMESTAMP
        case timestamp(TimestampType)
        /// 10: IntType INTEGER
        case integer(IntType)
        /// 11: NullType UNKNOWN
        case unknown
        /// 12: JsonType JSON
        case json
        /// 13: BsonType BSON
        case bson
        /// 14: UUIDType UUID
        case uuid

        func write(to writer: inout ThriftCompactWriter) {
            switch self {
            case .string: writer.writeField(1, struct: ThriftEmptyStruct())
            case .map: writer.writeField(2, struct: ThriftEmptyStruct())
            case .list: writer.writeField(3, struct: ThriftEmptyStruct())
            case .enum: writer.writeField(4, struct: ThriftEmptyStruct())
            case .decimal(let decimal): writer.writeField(5, struct: decimal)
            case .date: writer.writeField(6, struct: ThriftEmptyStruct())
            case .time(let time): writer.writeField(7, struct: time)
            case .timestamp(let timestamp): writer.writeField(8, struct: timestamp)
            case .integer(let integer): writer.writeField(10, struct: integer)
            case .unknown: writer.writeField(11, struct: ThriftEmptyStruct())
            case .json: writer.writeField(12, struct: ThriftEmptyStruct())
            case .bson: writer.writeField(13, struct: ThriftEmptyStruct())
            case .uuid: writer.writeField(14, struct: ThriftEmptyStruct())
            }
        }
    }

    /// `union ColumnOrder`: 1 TYPE_ORDER (TypeDefinedOrder, empty), the only one this package writes.
    enum ColumnOrder: Hashable, Sendable, ThriftCompactWritable {
        /// 1: TypeDefinedOrder TYPE_ORDER
        case typeDefinedOrder

        func write(to writer: inout ThriftCompactWriter) {
            switch self {
            case .typeDefinedOrder: writer.writeField(1, struct: ThriftEmptyStruct())
            }
        }
    }
}
