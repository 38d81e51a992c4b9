extension ParquetFormat {
    /// `enum Type`: the physical types.
    struct PhysicalType: RawRepresentable, Hashable, Sendable {
        var rawValue: Int32
        static let boolean = PhysicalType(rawValue: 0)
        static let int32 = PhysicalType(rawValue: 1)
        static let int64 = PhysicalType(rawValue: 2)
        static let int96 = PhysicalType(rawValue: 3)
        static let float = PhysicalType(rawValue: 4)
        static let double = PhysicalType(rawValue: 5)
        static let byteArray = PhysicalType(rawValue: 6)
        static let fixedLenByteArray = PhysicalType(rawValue: 7)
    }

    /// `enum ConvertedType` (deprecated by `LogicalType`, still written for old readers).
    struct ConvertedType: RawRepresentable, Hashable, Sendable {
        var rawValue: Int32
        static let utf8 = ConvertedType(rawValue: 0)
        static let map = ConvertedType(rawValue: 1)
        static let mapKeyValue = ConvertedType(rawValue: 2)
        static let list = ConvertedType(rawValue: 3)
        static let `enum` = ConvertedType(rawValue: 4)
        static let decimal = ConvertedType(rawValue: 5)
        static let date = ConvertedType(rawValue: 6)
        static let timeMillis = ConvertedType(rawValue: 7)
        static let timeMicros = ConvertedType(rawValue: 8)
        static let timestampMillis = ConvertedType(rawValue: 9)
        static let timestampMicros = ConvertedType(rawValue: 10)
        static let uint8 = ConvertedType(rawValue: 11)
        static let uint16 = ConvertedType(rawValue: 12)
        static let uint32 = ConvertedType(rawValue: 13)
        static let uint64 = ConvertedType(rawValue: 14)
        static let int8 = ConvertedType(rawValue: 15)
        static let int16 = ConvertedType(rawValue: 16)
        static let int32 = ConvertedType(rawValue: 17)
        static let int64 = ConvertedType(rawValue: 18)
        static let json = ConvertedType(rawValue: 19)
        static let bson = ConvertedType(rawValue: 20)
        static let interval = ConvertedType(rawValue: 21)
    }

    /// `enum FieldRepetitionType`.
    struct FieldRepetitionType: RawRepresentable, Hashable, Sendable {
        var rawValue: Int32
        static let required = FieldRepetitionType(rawValue: 0)
        static let optional = FieldRepetitionType(rawValue: 1)
        static let repeated = FieldRepetitionType(rawValue: 2)
    }

    /// `enum Encoding`.
    struct Encoding: RawRepresentable, Hashable, Sendable {
        var rawValue: Int32
        static let plain = Encoding(rawValue: 0)
        static let plainDictionary = Encoding(rawValue: 2)
        static let rle = Encoding(rawValue: 3)
        static let bitPacked = Encoding(rawValue: 4)
        static let deltaBinaryPacked = Encoding(rawValue: 5)
        static let deltaLengthByteArray = Encoding(rawValue: 6)
        static let deltaByteArray = Encoding(rawValue: 7)
        static let rleDictionary = Encoding(rawValue: 8)
        static let byteStreamSplit = Encoding(rawValue: 9)
    }

    /// `enum CompressionCodec`.
    struct CompressionCodec: RawRepresentable, Hashable, Sendable {
        var rawValue: Int32
        static let uncompressed = CompressionCodec(rawValue: 0)
        static let snappy = CompressionCodec(rawValue: 1)
        static let gzip = CompressionCodec(rawValue: 2)
        static let lzo = CompressionCodec(rawValue: 3)
        static let brotli = CompressionCodec(rawValue: 4)
        static let lz4 = CompressionCodec(rawValue: 5)
        static let zstd = CompressionCodec(rawValue: 6)
        static let lz4Raw = CompressionCodec(rawValue: 7)
    }

    /// `enum PageType`.
    struct PageType: RawRepresentable, Hashable, Sendable {
        var rawValue: Int32
        static let dataPage = PageType(rawValue: 0)
        static let indexPage = PageType(rawValue: 1)
        static let dictionaryPage = PageType(rawValue: 2)
        static let dataPageV2 = PageType(rawValue: 3)
    }
}
