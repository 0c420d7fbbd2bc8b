#if canImport(Glibc)
import Glibc
#endif
/// Bytes that came from the observed system and are meant to be read as text: paths, argv,
/// comm. They may be invalid UTF-8 or hold control characters, so they are kept as bytes and
/// stored exactly. `displayText` is the only way they become text for a terminal or report.
public struct ByteString: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    // Hashed as one buffer, not byte by byte (the synthesized conformance combined each byte
    // separately: 5 % of the recorder's time at full load, interning paths and comms).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (a: ByteString, b: ByteString) -> Bool {
        guard a.bytes.count == b.bytes.count else { return false }
        return a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in
                guard let p = x.baseAddress, let q = y.baseAddress else { return true } // both empty
                return memcmp(p, q, x.count) == 0
            }
        }
    }

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The bytes as a Swift string when they are valid UTF-8, else nil.
    public var utf8String: String? { String(validating: bytes, as: UTF8.self) }

    /// A lossless, safe rendering for terminals and reports: printable UTF-8 as is; control
    /// characters, DEL, C1 controls, invalid bytes and backslash escaped as `\n`, `\t`,
    /// `\xNN`, `\u{NNNN}`, `\\`. No ANSI escape or newline from the observed system ever
    /// reaches the investigator's terminal raw.
    public var displayText: String { SafeText.escape(bytes) }

    public var description: String { displayText }
}

public enum SafeText {
    /// Escapes bytes for display; see `ByteString.displayText`.
    public static func escape<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = ""
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b < 0x80 {
                switch b {
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x09: out += "\\t"
                case 0x0D: out += "\\r"
                case 0x00: out += "\\0"
                case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
                default: out += hex(b)
                }
                i = bytes.index(after: i)
                continue
            }
            // Multi-byte UTF-8 sequence: decode it, or escape the lead byte when invalid.
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
            var scalar: Unicode.Scalar?
            if length > 0, let end = bytes.index(i, offsetBy: length, limitedBy: bytes.endIndex) {
                scalar = String(validating: bytes[i..<end], as: UTF8.self)?.unicodeScalars.first
                if let s = scalar {
                    if (0x80...0x9F).contains(s.value) || s.properties.generalCategory == .format
                        || s.value == 0x2028 || s.value == 0x2029 {
                        out += "\\u{\(String(s.value, radix: 16, uppercase: true))}"
                    } else {
                        out.unicodeScalars.append(s)
                    }
                    i = end
                    continue
                }
            }
            out += hex(b)
            i = bytes.index(after: i)
        }
        return out
    }

    /// Escapes a Swift string for display (same rules as bytes).
    public static func escape(_ string: String) -> String { escape(Array(string.utf8)) }

    /// A message for the terminal that may quote something from a case file (an error, a help
    /// text): newlines and tabs stay, every other control character, C1 control and bidi or
    /// other format character is escaped as in `escape`; backslashes and the rest stay as they
    /// are (the message's own escapes are not doubled).
    public static func terminalSafe(_ message: String) -> String {
        var out = ""
        out.reserveCapacity(message.utf8.count)
        for scalar in message.unicodeScalars {
            let v = scalar.value
            if v == 0x0A || v == 0x09 {
                out.unicodeScalars.append(scalar)
            } else if v < 0x20 || v == 0x7F {
                out += hex(UInt8(v))
            } else if (0x80...0x9F).contains(v) || scalar.properties.generalCategory == .format || v == 0x2028 || v == 0x2029 {
                out += "\\u{\(String(v, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "\\x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xF)])
    }
}
