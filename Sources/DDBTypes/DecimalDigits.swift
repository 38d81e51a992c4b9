/// ASCII digits already known to be digits, read eight at a time.
package enum DecimalDigits {
    /// The value of eight ASCII digits loaded as one word (the first digit at the lowest address).
    @inlinable @inline(__always)
    package static func eight(_ loaded: UInt64) -> UInt64 {
        // Pairs, then fours, then all eight: the first digit of each pair is the more significant.
        var value = UInt64(littleEndian: loaded) &- 0x3030_3030_3030_3030
        value = (value &* 10 &+ (value &>> 8)) & 0x00FF_00FF_00FF_00FF
        value = (value &* 100 &+ (value &>> 16)) & 0x0000_FFFF_0000_FFFF
        return (value &* 10_000 &+ (value &>> 32)) & 0xFFFF_FFFF
    }

    /// The value of the `count` (at most 19) ASCII digits at `digits`.
    @inlinable @inline(__always)
    package static func value(_ digits: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        var value: UInt64 = 0
        var index = 0
        while count &- index >= 8 {
            value = value &* 100_000_000 &+ eight(UnsafeRawPointer(digits + index).loadUnaligned(as: UInt64.self))
            index &+= 8
        }
        while index < count {
            value = value &* 10 &+ UInt64(digits[index] &- UInt8(ascii: "0"))
            index &+= 1
        }
        return value
    }
}
