/// Display helpers shared by the store (display columns) and the CLI.
public enum Display {
    /// A shell-like, display-safe rendering of NUL-separated argv: arguments escaped with
    /// `SafeText`, quoted with '' when they hold spaces or are empty.
    public static func commandLine(argv: [UInt8], truncated: Bool = false) -> String {
        var parts = argv.split(separator: 0, omittingEmptySubsequences: false)
        if argv.last == 0 { parts.removeLast() }
        let text = parts.map { part -> String in
            let escaped = SafeText.escape(part)
            if escaped.isEmpty || escaped.contains(" ") || escaped.contains("'") {
                return "'" + escaped.replacingAll("'", with: "'\\''") + "'"
            }
            return escaped
        }.joined(separator: " ")
        return truncated ? text + " …[argv cut]" : text
    }

    /// The same shell-like rendering as `commandLine`, but as the recorded bytes (quoted, not
    /// escaped): for listings, whose table escapes once and whose JSON and CSV stay exact.
    public static func commandLineBytes(argv: [UInt8], truncated: Bool = false) -> [UInt8] {
        var parts = argv.split(separator: 0, omittingEmptySubsequences: false)
        if argv.isEmpty || argv.last == 0 { parts.removeLast() }
        var out: [UInt8] = []
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: " ")) }
            if part.isEmpty || part.contains(UInt8(ascii: " ")) || part.contains(UInt8(ascii: "'")) {
                out.append(UInt8(ascii: "'"))
                for b in part {
                    if b == UInt8(ascii: "'") { out += Array("'\\''".utf8) } else { out.append(b) }
                }
                out.append(UInt8(ascii: "'"))
            } else {
                out += part
            }
        }
        return truncated ? out + Array(" …[argv cut]".utf8) : out
    }

    /// `2026-11-30T09:43:38.123456Z` from UTC nanoseconds.
    public static func utc(_ nanoseconds: Int64) -> String {
        var seconds = nanoseconds / 1_000_000_000
        var sub = nanoseconds % 1_000_000_000
        if sub < 0 { sub += 1_000_000_000; seconds -= 1 }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secOfDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2)).\(pad(sub / 1000, 6))Z"
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil);
    /// the inverse of `civil(fromDays:)`.
    public static func days(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
