/// Dates and times written as text, to UTC nanoseconds: one parser for what container runtimes
/// write (RFC 3339, strictly) and what an investigator types (ISO 8601, leniently).
///
/// Every result is range-checked: a time outside what Int64 nanoseconds since 1970 can hold
/// (1677-09-21 to 2262-04-11) is nil, never a trap. Go's zero time (`0001-01-01T00:00:00Z`,
/// which runtimes send for "unset") is out of that range, so it is nil too.
public enum Timestamp {
    /// RFC 3339 as Go writes it: `2026-11-30T10:03:56.937271979Z`, `…+01:00`. `T`, `t` or a space
    /// between date and time; any number of fraction digits (beyond nanoseconds they are
    /// dropped); a zone (`Z`, `z` or `±HH:MM`) is required.
    public static func rfc3339(_ text: String) -> Int64? {
        parse(Array(text.utf8), lenient: false)
    }

    /// ISO 8601 as a person types it: `2026-11-30`, `2026-11-30 09:43`, `2026-11-30T09:43:38.5Z`,
    /// `…+01:00` or `…+0100`. Without a zone the time is UTC; without a time it is midnight UTC.
    public static func iso8601(_ text: String) -> Int64? {
        parse(Array(text.utf8), lenient: true)
    }

    private static func parse(_ b: [UInt8], lenient: Bool) -> Int64? {
        func number(_ at: Int, _ length: Int) -> Int64? {
            guard at + length <= b.count else { return nil }
            var value: Int64 = 0
            for i in at..<(at + length) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int64(b[i] - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"),
              let month = number(5, 2), b[7] == UInt8(ascii: "-"), let day = number(8, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var i = 10
        var (hour, minute, second, nanos, offset): (Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0)
        if i == b.count {
            guard lenient else { return nil }
        } else {
            let separators: [UInt8] = lenient ? [UInt8(ascii: "T"), UInt8(ascii: " ")] : [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]
            guard separators.contains(b[i]), let h = number(11, 2), i + 3 < b.count, b[13] == UInt8(ascii: ":"),
                  let m = number(14, 2) else { return nil }
            (hour, minute) = (h, m)
            i = 16
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let s = number(17, 2) else { return nil }
                second = s
                i = 19
                if i < b.count, b[i] == UInt8(ascii: ".") {
                    i += 1
                    var digits = 0
                    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                        if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 0x30) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in min(digits, 9)..<9 { nanos *= 10 }
                }
            } else if !lenient {
                return nil // RFC 3339 always has seconds
            }
            guard hour < 24, minute < 60, second <= 60 else { return nil }
            if i < b.count {
                switch b[i] {
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    i += 1
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
                    guard let hh = number(i + 1, 2) else { return nil }
                    var mmAt = i + 3
                    if mmAt < b.count, b[mmAt] == UInt8(ascii: ":") {
                        mmAt += 1
                    } else if !lenient {
                        return nil
                    }
                    guard let mm = number(mmAt, 2), hh < 24, mm < 60 else { return nil }
                    offset = sign * (hh * 3600 + mm * 60)
                    i = mmAt + 2
                default:
                    return nil
                }
            } else if !lenient {
                return nil // RFC 3339 always has a zone
            }
        }
        guard i == b.count else { return nil }
        let seconds = Display.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = ns.addingReportingOverflow(nanos)
        return overflow2 ? nil : total
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
