@testable import CasefileCLI
import CasefileModel
import CasefileStore
import CasefileTestSupport
import Foundation
import Testing

/// The formats of investigation listings: exact (jsonl, csv, timesketch) or safe for a terminal
/// (table), each checked against inline golden output.
@Suite struct OutputFormatTests {
    static let columns: [ListingColumn] = [
        .init("time", .time), .init("kind"), .init("pid"), .init("details"), .init("lifetime", .duration),
        .init("argv", .argv, inTable: false), .init("truncated", .flag, inTable: false), .init("raw", inTable: false),
    ]
    static let rows: [[SQLValue]] = [
        [.integer(1_700_000_000_123_456_789), .text("exec"), .integer(42), .text(#"ls -la, "x""#), .integer(1_500_000),
         .text(Array("ls\0-la\0".utf8)), .integer(0), .blob([0xDE, 0xAD])],
        [.integer(1_700_000_001_000_000_000), .text("open"), .null, .text(Array("/tmp/\u{1B}[31m".utf8) + [0xFF]), .null,
         .null, .integer(1), .real(1.5)],
    ]

    static func jsonString(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        JSONLines.string(&out, bytes)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Golden output of one small listing

    @Test func goldenJSONLines() {
        let lines = Self.rows.map { String(decoding: JSONLines.object(Self.columns, $0), as: UTF8.self) }
        #expect(lines == [
            #"{"time":"2023-11-14T22:13:20.123456789Z","time_ns":1700000000123456789,"kind":"exec","pid":42,"details":"ls -la, \"x\"","lifetime":1500000,"argv":["ls","-la"],"truncated":false,"raw":{"hex":"dead"}}"#,
            #"{"time":"2023-11-14T22:13:21.000000000Z","time_ns":1700000001000000000,"kind":"open","pid":null,"details":"/tmp/\u001b[31m\udcff","lifetime":null,"argv":null,"truncated":true,"raw":1.5}"#,
        ])
    }

    @Test func goldenCSV() {
        var out = CSV.header(Self.columns)
        for row in Self.rows { out += CSV.row(Self.columns, row) }
        let expected: [UInt8] = Array("""
            time,kind,pid,details,lifetime,argv,truncated,raw\r
            2023-11-14T22:13:20.123456789Z,exec,42,"ls -la, ""x""\",1500000,"[""ls"",""-la""]",0,dead\r
            2023-11-14T22:13:21.000000000Z,open,,/tmp/\u{1B}[31m
            """.utf8) + [0xFF] + Array(",,,1,1.5\r\n".utf8)
        #expect(out == expected, "\(String(decoding: out, as: UTF8.self).debugDescription)")
    }

    @Test func goldenTable() {
        var table = TableWriter(columns: Self.columns, color: false)
        var text = ""
        for row in Self.rows { text += table.add(row) ?? "" }
        text += table.finish() ?? ""
        #expect(text == """
            TIME                         KIND  PID  DETAILS            LIFETIME
            2023-11-14T22:13:20.123456Z  exec  42   ls -la, "x"        1.5 ms
            2023-11-14T22:13:21.000000Z  open  -    /tmp/\\x1B[31m\\xFF  -

            """, "\(text.debugDescription)")
        var colored = TableWriter(columns: Self.columns, color: true)
        _ = colored.add(Self.rows[0])
        #expect(colored.finish()?.hasPrefix("\u{1B}[1mTIME") == true, "only the header is bold, and only with color")
        var empty = TableWriter(columns: Self.columns, color: false)
        #expect(empty.finish() == "TIME  KIND  PID  DETAILS  LIFETIME\n", "no rows: the header")
    }

    @Test func goldenTimesketch() throws {
        let lines = Self.rows.map { Timesketch.line(Self.columns, $0).map { String(decoding: $0, as: UTF8.self) } }
        #expect(lines == [
            #"{"message":"exec: ls -la, \"x\"","datetime":"2023-11-14T22:13:20.123456789Z","timestamp":1700000000123456,"timestamp_desc":"exec","time":"2023-11-14T22:13:20.123456789Z","time_ns":1700000000123456789,"kind":"exec","pid":42,"details":"ls -la, \"x\"","lifetime":1500000,"argv":["ls","-la"],"truncated":false,"raw":{"hex":"dead"}}"#,
            #"{"message":"open: /tmp/\u001b[31m\udcff","datetime":"2023-11-14T22:13:21.000000000Z","timestamp":1700000001000000,"timestamp_desc":"open","time":"2023-11-14T22:13:21.000000000Z","time_ns":1700000001000000000,"kind":"open","pid":null,"details":"/tmp/\u001b[31m\udcff","lifetime":null,"argv":null,"truncated":true,"raw":1.5}"#,
        ])
        // a listing that is not a timeline: the message is its table columns
        let listing: [ListingColumn] = [.init("name"), .init("created", .time), .init("removed", .time), .init("labels", inTable: false)]
        let line = try #require(Timesketch.line(listing, [.text("web"), .integer(1_700_000_000_000_000_000), .null, .text("{}")]))
        #expect(String(decoding: line, as: UTF8.self)
                == #"{"message":"name=web created=2023-11-14T22:13:20.000000Z","datetime":"2023-11-14T22:13:20.000000000Z","timestamp":1700000000000000,"timestamp_desc":"created","name":"web","created":"2023-11-14T22:13:20.000000000Z","created_ns":1700000000000000000,"removed":null,"removed_ns":null,"labels":"{}"}"#)
        #expect(Timesketch.line(listing, [.text("x"), .null, .null, .null]) == nil, "a row without a time is left out")
        let byRemoved = try #require(Timesketch.line(listing, [.text("x"), .null, .integer(5_000), .null]))
        #expect(String(decoding: byRemoved, as: UTF8.self).contains(#""timestamp":5,"timestamp_desc":"removed""#))
        // a timeline row names its container in the message
        let timeline = Investigation.timelineColumns
        var values = [SQLValue](repeating: .null, count: timeline.count)
        values[0] = .integer(1_700_000_000_000_000_000)
        values[1] = .text("exec")
        values[5] = .text("web")
        values[7] = .text("/bin/sh -c id")
        let exec = try #require(Timesketch.line(timeline, values))
        #expect(String(decoding: exec, as: UTF8.self).hasPrefix(#"{"message":"exec: /bin/sh -c id [container web]","datetime":"#))
    }

    // MARK: - JSON lines: exact and lossless

    @Test func jsonStringsAreExact() {
        #expect(Self.jsonString(Array("héllo 😀 日本".utf8)) == "\"héllo 😀 日本\"", "valid UTF-8 is kept")
        #expect(Self.jsonString(Array("\u{202E}\u{FEFF}\u{E0001}".utf8)) == #""\u202e\ufeff\udb40\udc01""#,
                "format characters (bidi override, BOM, tag) as escapes: same text, nothing for a reader to drop or obey")
        #expect(Self.jsonString(Array("\0\u{01}\t\n\r\u{1B}\u{7F}\"\\/".utf8)) == #""\u0000\u0001\t\n\r\u001b\u007f\"\\/""#)
        #expect(Self.jsonString(Array("\u{85}\u{9B}\u{2028}\u{2029}".utf8)) == #""\u0085\u009b\u2028\u2029""#, "C1 controls and line separators")
        #expect(Self.jsonString([0xFF]) == #""\udcff""#)
        #expect(Self.jsonString([0xC3, 0x28]) == #""\udcc3(""#, "a cut sequence: its lead byte")
        #expect(Self.jsonString([0xED, 0xA0, 0x80]) == #""\udced\udca0\udc80""#, "an encoded surrogate is not UTF-8")
        #expect(Self.jsonString([0xC0, 0xAF]) == #""\udcc0\udcaf""#, "overlong")
        #expect(Self.jsonString([0xF4, 0x90, 0x80, 0x80]) == #""\udcf4\udc90\udc80\udc80""#, "beyond U+10FFFF")
        #expect(Self.jsonString([0x61, 0xF0, 0x9F, 0x98]) == #""a\udcf0\udc9f\udc98""#, "cut at the end")
        #expect(Self.jsonString([]) == #""""#)
    }

    @Test func jsonArgvTimesFlagsAndBlobs() {
        func value(_ v: SQLValue, _ meaning: ListingColumn.Meaning) -> String {
            var out: [UInt8] = []
            JSONLines.value(&out, v, meaning)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(value(.blob(Array("a\0b c\0\0".utf8)), .argv) == #"["a","b c",""]"#, "one string per argument, an empty one kept")
        #expect(value(.text(Array("no-nul".utf8)), .argv) == #"["no-nul"]"#)
        // argc 0 (execve with an empty argv, as in CVE-2021-4034) is not one empty argument
        #expect(value(.text([]), .argv) == "[]", "no arguments")
        #expect(value(.text([0]), .argv) == #"[""]"#, "one empty argument")
        #expect(value(.blob([0xFF, 0x00]), .argv) == #"["\udcff"]"#)
        #expect(value(.integer(-1), .time) == #""1969-12-31T23:59:59.999999999Z""#)
        #expect(value(.integer(0), .time) == #""1970-01-01T00:00:00.000000000Z""#)
        #expect(value(.integer(.max), .time) == #""2262-04-11T23:47:16.854775807Z""#)
        #expect(value(.integer(.min), .time).hasPrefix("\"1677-09-21T00:12:43.145224192Z"))
        #expect(value(.text("not a time"), .time) == #""not a time""#, "what the file holds, not a made-up time")
        #expect(value(.integer(2), .flag) == "true" && value(.integer(0), .flag) == "false" && value(.text("x"), .flag) == "null")
        #expect(value(.real(.nan), .plain) == "null" && value(.real(.infinity), .plain) == "null")
        #expect(value(.blob([0x00, 0xAB]), .plain) == #"{"hex":"00ab"}"#)
        var member: [UInt8] = []
        JSONLines.member(&member, "started", .text("garbage"), .time)
        #expect(String(decoding: member, as: UTF8.self) == #""started":"garbage","started_ns":null"#)
        for ns: Int64 in [0, 1, 999, 1_000, 123_456_789, -1_000, 1_700_000_000_123_456_789] {
            #expect(JSONLines.iso(ns).count == 30, "\(ns): \(JSONLines.iso(ns))")
            #expect(Timestamp.iso8601(JSONLines.iso(ns)) == ns, "ISO with 9 digits reads back exactly: \(ns)")
        }
    }

    /// What Python's `json.loads(line)[k].encode("utf-8", "surrogateescape")` gives, for one
    /// JSON string literal: the recorded bytes back, for every input.
    static func pythonBytes(_ literal: [UInt8]) -> [UInt8]? {
        guard literal.count >= 2, literal.first == 0x22, literal.last == 0x22,
              let text = String(validating: literal[1..<(literal.count - 1)], as: UTF8.self) else { return nil }
        var codePoints: [UInt32] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= scalars.count else { return nil }
            return UInt32(String(scalars[at..<(at + 4)].map(Character.init)), radix: 16)
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" {
                guard i + 1 < scalars.count else { return nil }
                switch scalars[i + 1] {
                case "\"": codePoints.append(0x22)
                case "\\": codePoints.append(0x5C)
                case "/": codePoints.append(0x2F)
                case "b": codePoints.append(0x08)
                case "f": codePoints.append(0x0C)
                case "n": codePoints.append(0x0A)
                case "r": codePoints.append(0x0D)
                case "t": codePoints.append(0x09)
                case "u":
                    guard let v = hex4(i + 2) else { return nil }
                    if (0xD800...0xDBFF).contains(v), i + 11 < scalars.count, scalars[i + 6] == "\\", scalars[i + 7] == "u",
                       let low = hex4(i + 8), (0xDC00...0xDFFF).contains(low) {
                        codePoints.append(0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00))
                        i += 12
                        continue
                    }
                    codePoints.append(v)
                    i += 6
                    continue
                default: return nil
                }
                i += 2
                continue
            }
            guard c.value >= 0x20, c != "\"" else { return nil } // raw control characters are not JSON
            codePoints.append(c.value)
            i += 1
        }
        var bytes: [UInt8] = []
        for v in codePoints {
            if (0xDC80...0xDCFF).contains(v) {
                bytes.append(UInt8(v - 0xDC00))
            } else if let scalar = Unicode.Scalar(v) {
                bytes += Array(String(scalar).utf8)
            } else {
                return nil // a surrogate Python could not encode
            }
        }
        return bytes
    }

    @Test func jsonStringsRoundTripWithPythonRules() {
        var rng = SeededGenerator(seed: 0x5EED_0001)
        let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x1B, 0x22, 0x2F, 0x5C, 0x7F, 0x80, 0x85, 0x9B, 0xBF, 0xC0, 0xC1, 0xC2,
                                    0xC3, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        let pieces: [[UInt8]] = ["é", "😀", "\u{202E}", "\u{2028}", "\u{85}", "日", "\u{FEFF}"].map { Array($0.utf8) }
        for n in 0..<4000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes.append(UInt8.random(in: 0x20...0x7E, using: &rng))
                case 1: bytes.append(interesting.randomElement(using: &rng)!)
                case 2: bytes += pieces.randomElement(using: &rng)!
                default: bytes.append(UInt8.random(in: 0...255, using: &rng))
                }
            }
            var out: [UInt8] = []
            JSONLines.string(&out, bytes)
            #expect(out.allSatisfy { $0 >= 0x20 }, "no raw control byte: \(bytes)")
            let decoded = Self.pythonBytes(out)
            #expect(decoded == bytes, "case \(n): \(bytes) → \(String(decoding: out, as: UTF8.self).debugDescription)")
            if decoded != bytes { break }
            // valid UTF-8 is plain JSON: any parser reads it back (Foundation's drops U+FEFF
            // anywhere in a string, a quirk of that parser: left out here)
            if let string = String(validating: bytes, as: UTF8.self), !string.unicodeScalars.contains("\u{FEFF}") {
                let object = JSONLines.object([ListingColumn("s")], [.text(bytes)])
                let parsed = (try? JSONSerialization.jsonObject(with: Data(object))) as? [String: String]
                #expect(parsed == ["s": string], "case \(n): \(String(decoding: object, as: UTF8.self).debugDescription)")
            }
        }
    }

    static func int64(_ value: Any?) -> Int64? {
        if let v = value as? Int { return Int64(v) }
        if let v = value as? Int64 { return v }
        return (value as? NSNumber)?.int64Value
    }

    @Test func timesketchLinesParseAsJSON() throws {
        var rng = SeededGenerator(seed: 0x5EED_0002)
        let timeline = Investigation.timelineColumns
        for n in 0..<300 {
            var values = [SQLValue](repeating: .null, count: timeline.count)
            let ns = Int64.random(in: 0...4_000_000_000_000_000_000, using: &rng)
            values[0] = .integer(ns)
            values[1] = .text(["exec", "open", "connect", "container_created"].randomElement(using: &rng)!)
            values[2] = .integer(Int64.random(in: 1...4_000_000, using: &rng))
            values[5] = Bool.random(using: &rng) ? .text("web \"prod\"\n") : .null
            values[7] = .text(String((0..<Int.random(in: 0...20, using: &rng)).map { _ in
                ["a", " ", "\"", "\\", "\n", "\u{1B}", "é", "😀", "\u{202E}", "\u{7F}"].randomElement(using: &rng)!
            }.joined()))
            values[17] = .blob(Array("sh\0-c\0echo \"hi\"\0".utf8))
            values[18] = .integer(Int64.random(in: 0...1, using: &rng))
            let line = try #require(Timesketch.line(timeline, values))
            #expect(!line.contains(0x0A), "one line")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], "case \(n)")
            #expect(object["message"] is String && object["timestamp_desc"] as? String == values[1].string)
            #expect(Self.int64(object["timestamp"]) == ns / 1000, "microseconds")
            #expect(object["datetime"] as? String == JSONLines.iso(ns))
            #expect(Self.int64(object["time_ns"]) == ns)
            #expect(object["argv"] as? [String] == ["sh", "-c", "echo \"hi\""])
            #expect(object["details"] as? String == values[7].string)
            #expect(object["argv_truncated"] as? Bool == (values[18] == .integer(1)))
            for column in timeline { #expect(object.keys.contains(column.name), "\(column.name)") }
        }
    }

    // MARK: - CSV

    @Test func csvQuotesWhatItMustAndKeepsExactBytes() {
        let columns: [ListingColumn] = [.init("a"), .init("b"), .init("c"), .init("d"), .init("e"), .init("f")]
        let out = CSV.row(columns, [.text("plain"), .text("a,b"), .text("say \"hi\""), .text("cr\rx"), .text("lf\ny"), .text("")])
        #expect(String(decoding: out, as: UTF8.self) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"cr\rx\",\"lf\ny\",\r\n")
        let invalid = CSV.row([.init("x"), .init("y")], [.text([0x41, 0xFF, 0xC3, 0x28]), .text([0xFE, 0x2C])])
        #expect(invalid == [0x41, 0xFF, 0xC3, 0x28, 0x2C, 0x22, 0xFE, 0x2C, 0x22, 0x0D, 0x0A], "exact bytes, quoted around a comma")
        let typed = CSV.row([.init("n"), .init("r"), .init("b"), .init("t", .time), .init("argv", .argv), .init("null")],
                            [.integer(-7), .real(0.25), .blob([0x01, 0xFF]), .integer(5), .text(Array("a\0b\0".utf8)), .null])
        #expect(String(decoding: typed, as: UTF8.self) == "-7,0.25,01ff,1970-01-01T00:00:00.000000005Z,\"[\"\"a\"\",\"\"b\"\"]\",\r\n")
        #expect(String(decoding: CSV.header([.init("a,b"), .init("c")]), as: UTF8.self) == "\"a,b\",c\r\n")
    }

    // MARK: - Tables: escaped, one line per row, cut

    @Test func tableCellsAreEscapedAndCut() {
        let columns: [ListingColumn] = [.init("comm"), .init("details")]
        var table = TableWriter(columns: columns, color: false)
        _ = table.add([.text(Array("ev\u{1B}[2Jil\nx\u{202E}".utf8) + [0x9B, 0xFF]), .text("a\u{1B}]0;t\u{07}\r\n\u{2066}b")])
        _ = table.add([.text(String(repeating: "x", count: 100)), .text(String(repeating: "y", count: 100))])
        let text = table.finish() ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "", "header, two rows, nothing else: \(text.debugDescription)")
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "no control character: \(text.debugDescription)")
        #expect(!text.unicodeScalars.contains { $0.value == 0x7F || (0x80...0x9F).contains($0.value) })
        #expect(!text.unicodeScalars.contains { $0.properties.generalCategory == .format }, "no bidi override or isolate")
        #expect(lines[1].hasPrefix(#"ev\x1B[2Jil\nx\u{202E}\x9B\xFF "#), "\(lines[1])")
        #expect(lines[1].hasSuffix(#"a\x1B]0;t\x07\r\n\u{2066}b"#), "\(lines[1])")
        #expect(lines[2].hasPrefix(String(repeating: "x", count: TableWriter.maxWidth - 1) + "…  "), "cut at the maximum width")
        #expect(lines[2].hasSuffix(String(repeating: "y", count: 100)), "the last column is never cut")
        #expect(Cell.text(.text(Array("a\0b".utf8)), .argv) == "a b")
        #expect(Cell.text(.blob([0xAB]), .plain) == "x'ab'")
        #expect(Cell.text(.integer(1), .flag) == "yes" && Cell.text(.integer(0), .flag) == "no")
        #expect(Cell.text(.text("soon"), .time) == "soon" && Cell.text(.null, .time) == "-")
        #expect(Cell.duration(999) == "0 µs" && Cell.duration(-5_000) == "-5 µs" && Cell.duration(1_500_000) == "1.5 ms")
        #expect(Cell.duration(90_000_000_000) == "90.0 s" && Cell.duration(7_200_000_000_000) == "2.0 h")
        #expect(Cell.duration(.min).hasSuffix(" h") && Cell.duration(.max).hasSuffix(" h"))
    }

    @Test func tableWidthsComeFromTheFirstRowsThenRowsStream() {
        var table = TableWriter(columns: [.init("n"), .init("v")], color: false)
        for i in 0..<(TableWriter.sample - 1) { #expect(table.add([.integer(Int64(i)), .text("v")]) == nil, "held back for the widths") }
        let first = table.add([.integer(199), .text("v")])
        #expect(first?.split(separator: "\n").count == TableWriter.sample + 1, "header and the sample at once")
        #expect(table.add([.integer(123_456), .text("late")]) == "12…  late\n", "a later, wider value is cut to the width (3)")
        #expect(table.finish() == nil)
    }

    @Test func aTableForATerminalCutsItsLastColumnToTheLine() {
        var table = TableWriter(columns: [.init("kind"), .init("details")], color: false, lineWidth: 30)
        _ = table.add([.text("exec"), .text(String(repeating: "d", count: 100))])
        _ = table.add([.text("open"), .text("short")])
        let lines = (table.finish() ?? "").split(separator: "\n").map(String.init)
        #expect(lines == ["KIND  DETAILS", "exec  " + String(repeating: "d", count: 23) + "…", "open  short"])
        #expect(lines.allSatisfy { $0.count <= 30 })
    }

    /// A column whose name and first values are empty gets width 0; a later non-empty value must
    /// not trap (`casefile sql` names columns as the SQL says: `AS ""`, or a planted column).
    @Test func anEmptyColumnDoesNotCrashTheTable() throws {
        let sql = """
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 205)
            SELECT CASE WHEN x > 200 THEN 'late' ELSE '' END AS "", x FROM n
            """
        let r = try CasefileCommand.run(["sql", "--db", try Scenario.path(), sql, "--no-pager"])
        #expect(r.status == 0, "status \(r.status): \(r.stderr.suffix(300))")
        #expect(r.stdout.split(separator: "\n").count == 206, "header and 205 rows")
    }

    // MARK: - Times and durations on the command line

    @Test func timeArguments() throws {
        func absolute(_ text: String) throws -> Int64? {
            if case .absolute(let ns) = try TimeArgument.parse(text) { return ns }
            return nil
        }
        func relative(_ text: String) throws -> Int64? {
            if case .beforeLastEvent(let ns) = try TimeArgument.parse(text) { return ns }
            return nil
        }
        #expect(try absolute("1700000000") == 1_700_000_000_000_000_000)
        #expect(try absolute("1700000000.5") == 1_700_000_000_500_000_000)
        #expect(try absolute("2023-11-14T22:13:20Z") == 1_700_000_000_000_000_000)
        #expect(try absolute("2023-11-14T22:13:20.123456789Z") == 1_700_000_000_123_456_789)
        #expect(try absolute("2023-11-14 23:13:20+01:00") == 1_700_000_000_000_000_000)
        #expect(try absolute("2023-11-14") == 1_699_920_000_000_000_000)
        #expect(try relative("15m") == 900_000_000_000)
        #expect(try relative("250ms") == 250_000_000)
        #expect(try relative("1d") == 86_400_000_000_000)
        for bad in ["yesterday", "-5", "1e12", "nan", "", "15x", "2023-13-01", "-1m", "1e30s"] {
            #expect(throws: (any Error).self, "\(bad)") { _ = try TimeArgument.parse(bad) }
        }
        #expect(try TimeArgument.beforeLastEvent(900_000_000_000).resolve(lastEvent: 1_000_000_000_000) == 100_000_000_000)
        #expect(try TimeArgument.beforeLastEvent(10).resolve(lastEvent: .min + 5) == .min, "saturated, not a trap")
        #expect(throws: (any Error).self) { _ = try TimeArgument.beforeLastEvent(10).resolve(lastEvent: nil) }
        #expect(try DurationArgument.parse("90s").nanoseconds == 90_000_000_000)
        #expect(try DurationArgument.parse(" 2h ").nanoseconds == 7_200_000_000_000)
        #expect(try DurationArgument.parse("0.5s").nanoseconds == 500_000_000)
        for bad in ["5", "-5s", "1e30d", "s", "inf s", "nanh"] {
            #expect(throws: (any Error).self, "\(bad)") { _ = try DurationArgument.parse(bad) }
        }
    }

    @Test func timeAndWorkloadOptionsFillTheSelection() throws {
        let investigation = try Investigation(path: try Scenario.path())
        var selection = Selection()
        try TimeOptions.parse(["--around", "2023-11-14T22:13:20Z", "--window", "1m"]).apply(to: &selection, investigation)
        #expect(selection.since == 1_700_000_000_000_000_000 - 60_000_000_000 && selection.until == 1_700_000_000_000_000_000 + 60_000_000_000)
        try TimeOptions.parse(["--since", "100ms"]).apply(to: &selection, investigation)
        #expect(selection.since == Scenario.t(800) && selection.until == nil, "before the file's last event (900 ms)")
        try TimeOptions.parse(["--around", "1700000000"]).apply(to: &selection, investigation)
        #expect(selection.until.map { $0 - 1_700_000_000_000_000_000 } == 300_000_000_000, "5 minutes by default")
        #expect(throws: (any Error).self) { try TimeOptions.parse(["--around", "1h", "--since", "2h"]).validate() }
        #expect(throws: (any Error).self) { try TimeOptions.parse(["--window", "5m"]).validate() }

        var workload = Selection()
        try WorkloadOptions.parse(["--container", "web, db", "--container", "x", "--pod", " shop/web-0 ", "--image", "sha256:4f"])
            .apply(to: &workload)
        #expect(workload.containers == ["web", "db", "x"] && workload.pods == ["shop/web-0"] && workload.images == ["sha256:4f"])
        #expect(workload.namespaces.isEmpty)
        #expect(throws: (any Error).self) { try WorkloadOptions.parse(["--container", " "]).validate() }
    }
}
