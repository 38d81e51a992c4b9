extension ParquetFormat {
    /// `struct Statistics`: a column chunk's (or page's) bounds and counts.
    ///
    /// Bounds are PLAIN-encoded values (byte arrays without their length prefix), ordered by the
    /// column's `ColumnOrder`; `max`/`min` (1/2) are the deprecated signed-order pair.
    struct Statistics: Hashable, Sendable, ThriftCompactWritable {
        /// 1: optional binary max (deprecated)
        var max: [UInt8]?
        /// 2: optional binary min (deprecated)
        var min: [UInt8]?
        /// 3: optional i64 null_count
        var nullCount: Int64?
        /// 4: optional i64 distinct_count
        var distinctCount: Int64?
        /// 5: optional binary max_value
        var maxValue: [UInt8]?
        /// 6: optional binary min_value
        var minValue: [UInt8]?
        /// 7: optional bool is_max_value_exact
        var isMaxValueExact: Bool?
        /// 8: optional bool is_min_value_exact
        var isMinValueExact: Bool?

        init(
            max: [UInt8]? = nil, min: [UInt8]? = nil, nullCount: Int64? = nil, distinctCount: Int64? = nil,
            maxValue: [UInt8]? = nil, minValue: [UInt8]? = nil, isMaxValueExact: Bool? = nil, isMinValueExact: Bool? = nil
        ) {
            self.max = max
            self.min = min
            self.nullCount = nullCount
            self.distinctCount = distinctCount
            self.maxValue = maxValue
            self.minValue = minValue
            self.isMaxValueExact = isMaxValueExact
            self.isMinValueExact = isMinValueExact
        }

        func write(to writer: inout ThriftCompactWriter) {
            if let max { writer.writeField(1, binary: max) }
            if let min { writer.writeField(2, binary: min) }
            if let nullCount { writer.writeField(3, i64: nullCount) }
            if let distinctCount { writer.writeField(4, i64: distinctCount) }
            if let maxValue { writer.writeField(5, binary: maxValue) }
            if let minValue { writer.writeField(6, binary: minValue) }
            if let isMaxValueExact { writer.writeField(7, bool: isMaxValueExact) }
            if let isMinValueExact { writer.writeField(8, bool: isMinValueExact) }
        }
    }
}
