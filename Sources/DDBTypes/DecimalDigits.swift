/// Up to 19 ASCII digits read as one `UInt64`, eight at a time.
@usableFromInline package enum DecimalDigits {
    /// The value of eight ASCII digits loaded as one word (the first digit at the lowest address).
    @inlinable @inline(__always)
    package static func eight(_ loaded: UInt64) -> UInt64 {
        // Pairs, then fours, then all eight: the first digit of each pair is the more significant.
        var value = UInt64(littleEndian: loaded) &- 0x3030_3030_3030_3030
        value = (value &* 10 &+ (value &>> 8)) & 0x00FF_00FF_00FF_00FF
        value = (value &* 100 &+ (value &>> 16)) & 0x0000_FFFF_0000_FFFF
        return (value &* 10_000 &+ (value &>> 32)) & 0xFFFF_FFFF
    }

    /// Whether each of the eight bytes of a word is an ASCII digit.
    @inlinable @inline(__always)
    package static func areDigits(_ loaded: UInt64) -> Bool {
        let word = UInt64(littleEndian: loaded)
        // Every byte 0x30…0x39: its high nibble is 3, and adding 6 does not carry into it.
        let highNibbles = word & 0xF0F0_F0F0_F0F0_F0F0
        let carried = ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) &>> 4
        return highNibbles | carried == 0x3333_3333_3333_3333
    }

    /// The value of the `count` (at most 19) ASCII digits at `digits`, already known to be digits.
    @inlinable @inline(__always)
    package static func value(_ digits: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        read(digits, count: count, checking: false).unsafelyUnwrapped
    }

    /// The value of the `count` (at most 19) bytes at `digits`, or nil if one is not an ASCII digit.
    @inlinable @inline(__always)
    package static func checkedValue(_ digits: UnsafePointer<UInt8>, count: Int) -> UInt64? {
        read(digits, count: count, checking: true)
    }

    /// The one loop of both: `checking` is a constant where it is inlined.
    @inlinable @inline(__always)
    static func read(_ digits: UnsafePointer<UInt8>, count: Int, checking: Bool) -> UInt64? {
        var value: UInt64 = 0
        var index = 0
        while count &- index >= 8 {
            let word = UnsafeRawPointer(digits + index).loadUnaligned(as: UInt64.self)
            if checking && !areDigits(word) { return nil }
            value = value &* 100_000_000 &+ eight(word)
            index &+= 8
        }
        while index < count {
            let digit = digits[index] &- UInt8(ascii: "0")
            if checking && digit >= 10 { return nil }
            value = value &* 10 &+ UInt64(digit)
            index &+= 1
        }
        return value
    }
}
