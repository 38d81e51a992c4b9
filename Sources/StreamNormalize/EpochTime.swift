package import DDBTypes

/// Exact conversions of epoch times: no `Double`, so `1767225600.123` is 1767225600123 ms, not …122.
package enum EpochTime {
    /// The largest epoch-ms that fits the 13 digits of `_seq` (year 2286).
    static let maxMillis: Int64 = 9_999_999_999_999

    /// Epoch milliseconds (rounded down) from the JSON number at `position` when it is written as
    /// DynamoDB writes it: 1 to 10 integer digits, the first not zero, then maybe `.` and digits,
    /// and not the input's last byte; the position moves past it. Nil (the position unmoved) for
    /// anything else, which ``millis(fromSeconds:offset:)`` reads after the JSON grammar is checked.
    @inline(__always)
    package static func plainMillis(_ base: UnsafePointer<UInt8>, _ end: Int, _ position: inout Int) -> Int64? {
        var p = position
        guard p < end, base[p] &- UInt8(ascii: "1") < 9 else { return nil }
        var seconds: Int64 = 0
        let integerEnd = min(end, p &+ 10)
        while p < integerEnd, base[p] &- UInt8(ascii: "0") < 10 {
            seconds = seconds &* 10 &+ Int64(base[p] &- UInt8(ascii: "0"))
            p &+= 1
        }
        var millis: Int64 = 0
        if p < end, base[p] == UInt8(ascii: ".") {
            p &+= 1
            let fractionStart = p
            while p < end, base[p] &- UInt8(ascii: "0") < 10 {
                if p &- fractionStart < 3 { millis = millis &* 10 &+ Int64(base[p] &- UInt8(ascii: "0")) }
                p &+= 1
            }
            guard p > fractionStart else { return nil }
            for _ in min(p &- fractionStart, 3)..<3 { millis &*= 10 }
        }
        // The number ends here, and nothing follows that would make it longer (an 11th integer
        // digit, an exponent, a second point).
        guard p < end else { return nil }
        let next = base[p]
        guard next &- UInt8(ascii: "0") >= 10, next != UInt8(ascii: "."), next | 0x20 != UInt8(ascii: "e") else { return nil }
        position = p
        return seconds &* 1000 &+ millis
    }

    /// Epoch milliseconds (rounded down) from epoch seconds written as a JSON number.
    package static func millis(fromSeconds text: UnsafeBufferPointer<UInt8>, offset: Int) throws(DDBError) -> Int64 {
        func bad(_ why: String) -> DDBError {
            DDBError(.invalidNumber, "ApproximateCreationDateTime \(String(decoding: text, as: UTF8.self)) \(why)", offset: offset)
        }
        guard text.first != UInt8(ascii: "-") else { throw bad("is before 1970") }
        // The JSON grammar was checked by the caller: digits, maybe '.' and digits, maybe an exponent.
        var integerDigits = 0, mantissaDigits = 0, pointAt = -1, index = 0
        while index < text.count {
            let byte = text[index]
            if byte &- UInt8(ascii: "0") < 10 {
                mantissaDigits += 1
                if pointAt < 0 { integerDigits += 1 }
            } else if byte == UInt8(ascii: ".") {
                pointAt = index
            } else {
                break
            }
            index += 1
        }
        if index == text.count && integerDigits <= 13 {
            // No exponent (the usual `1767225600.123`): the integer digits, then three of the fraction.
            var millis: Int64 = 0
            for k in 0..<integerDigits { millis = millis &* 10 &+ Int64(text[k] &- UInt8(ascii: "0")) }
            let fractionDigits = mantissaDigits &- integerDigits
            for k in 0..<3 {
                millis = millis &* 10 &+ (k < fractionDigits ? Int64(text[pointAt &+ 1 &+ k] &- UInt8(ascii: "0")) : 0)
            }
            guard millis <= maxMillis else { throw bad("is after the year 2286") }
            return millis
        }
        var exponent = 0
        if index < text.count {
            index += 1
            var negative = false
            if text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                negative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            while index < text.count {
                if exponent < 1000 { exponent = exponent * 10 + Int(text[index] - UInt8(ascii: "0")) }
                index += 1
            }
            if negative { exponent = -exponent }
        }
        // The digits of value × 1000 before its decimal point.
        let wholeDigits = integerDigits + exponent + 3
        var millis: Int64 = 0
        var k = 0
        while k < wholeDigits {
            let digit = k < mantissaDigits ? Int64(text[pointAt >= 0 && k >= integerDigits ? k + 1 : k] - UInt8(ascii: "0")) : 0
            // `millis` was at most maxMillis (13 digits), so this cannot overflow; once past
            // maxMillis it only grows.
            millis = millis &* 10 &+ digit
            guard millis <= maxMillis else { throw bad("is after the year 2286") }
            k += 1
        }
        return millis
    }
}

/// ISO 8601 text from epoch milliseconds, without Foundation: `2026-01-01T00:00:00.123Z`.
package enum ISO8601 {
    package static func format(epochMillis: Int64) -> String {
        let millis = Int((epochMillis % 1000 + 1000) % 1000)
        let seconds = (epochMillis - Int64(millis)) / 1000
        let days = Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
        let secondOfDay = Int(seconds - Int64(days) * 86400)
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    package static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
