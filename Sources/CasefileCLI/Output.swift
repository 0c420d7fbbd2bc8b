import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

/// `--format`: how a listing is written.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Aligned columns for a person; text escaped; paged through `less` on a terminal.
    case table
    /// One JSON object per line; exact values (see `JSONLines`).
    case jsonl
    /// RFC 4180 CSV with a header; exact bytes.
    case csv
    /// JSON lines as Timesketch imports them (message, datetime, timestamp, timestamp_desc).
    case timesketch

    static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// The options every listing command takes.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output: table (for people), jsonl, csv or timesketch (exact values; see README).")
    var format: OutputFormat = .table

    @Option(help: "At most this many rows.")
    var limit: Int?

    @Flag(help: "Do not page the table through less (also: PAGER=cat).")
    var noPager = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be ≥ 0") }
    }

    /// Writes a listing in the chosen format to standard output (through a pager when it is a
    /// table on a terminal). Returns the number of rows written.
    @discardableResult
    func write(_ produce: (inout AnyListingSink) throws -> Void) throws -> Int {
        let output = Output.standard(paging: format == .table && !noPager)
        var sink = AnyListingSink(format: format, output: output)
        defer { output.finish() }
        try produce(&sink)
        return sink.rows
    }
}

/// Standard output, or the stdin of a pager. Writes stop quietly when the reader goes away
/// (`less` quit, `| head`): the command then stops reading the file.
final class Output {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var closed = false
    private let pager: Process?
    private let pipe: Pipe?
    let isTerminal: Bool
    let color: Bool
    /// Columns of the terminal when lines go to it directly (no pager to scroll sideways).
    var unpagedTerminalWidth: Int? {
        guard isTerminal, pager == nil else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 20 ? $0 : nil }
    }

    private init(fd: Int32, pager: Process?, pipe: Pipe?, isTerminal: Bool) {
        self.fd = fd
        self.pager = pager
        self.pipe = pipe
        self.isTerminal = isTerminal
        let env = ProcessInfo.processInfo.environment
        color = isTerminal && env["NO_COLOR"].map(\.isEmpty) ?? true && env["TERM"] != "dumb"
    }

    static func standard(paging: Bool) -> Output {
        signal(SIGPIPE, SIG_IGN)
        let terminal = isatty(1) == 1
        let env = ProcessInfo.processInfo.environment
        let pagerCommand = env["PAGER"] ?? "less"
        guard paging, terminal, !pagerCommand.isEmpty, pagerCommand != "cat" else {
            return Output(fd: 1, pager: nil, pipe: nil, isTerminal: terminal)
        }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", pagerCommand]
        var environment = env
        // -F: no pager for one screen; -R: our bold header; -S: long lines scroll sideways; -X: keep the screen
        if environment["LESS"] == nil { environment["LESS"] = "FRSX" }
        process.environment = environment
        process.standardInput = pipe
        do {
            try process.run()
        } catch {
            return Output(fd: 1, pager: nil, pipe: nil, isTerminal: terminal)
        }
        return Output(fd: pipe.fileHandleForWriting.fileDescriptor, pager: process, pipe: pipe, isTerminal: terminal)
    }

    /// False once the reader is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        guard !closed else { return false }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
        return !closed
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    func flush() {
        var offset = 0
        while offset < buffer.count, !closed {
            let n = buffer[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                closed = true // EPIPE: the reader went away
            } else {
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() {
        flush()
        if let pager, let pipe {
            try? pipe.fileHandleForWriting.close()
            pager.waitUntilExit()
        }
    }
}

/// The sink of the chosen format.
struct AnyListingSink: ListingSink {
    private var format: OutputFormat
    private let output: Output
    private var columns: [ListingColumn] = []
    private var table: TableWriter?
    private(set) var rows = 0
    private var skipped = 0

    init(format: OutputFormat, output: Output) {
        self.format = format
        self.output = output
    }

    mutating func begin(_ columns: [ListingColumn]) throws {
        self.columns = columns
        switch format {
        case .table: table = TableWriter(columns: columns, color: output.color, lineWidth: output.unpagedTerminalWidth)
        case .csv: output.write(CSV.header(columns))
        case .jsonl: break
        case .timesketch:
            guard columns.contains(where: { $0.meaning == .time }) else {
                throw ValidationError("--format timesketch needs rows with a time; this listing has none (use jsonl)")
            }
        }
    }

    mutating func row(_ values: [SQLValue]) throws -> Bool {
        rows += 1
        switch format {
        case .table:
            if let lines = table?.add(values) { output.write(lines) }
        case .jsonl:
            output.write(JSONLines.object(columns, values) + [0x0A])
        case .csv:
            output.write(CSV.row(columns, values))
        case .timesketch:
            if let line = Timesketch.line(columns, values) {
                output.write(line + [0x0A])
            } else {
                skipped += 1
            }
        }
        return !output.closed
    }

    mutating func end() throws {
        if let lines = table?.finish() { output.write(lines) }
        if skipped > 0 {
            FileHandle.standardError.write(Data("casefile: \(skipped) rows without a time were left out of the Timesketch output\n".utf8))
        }
    }
}

/// How one value reads in a table cell: escaped, one line.
enum Cell {
    static func text(_ value: SQLValue, _ meaning: ListingColumn.Meaning) -> String {
        switch (value, meaning) {
        case (.null, _): return "-"
        case (_, .time):
            return value.integer.map(Display.utc) ?? SafeText.escape(value.bytes ?? [])
        case (_, .duration):
            guard let ns = value.integer else { return SafeText.escape(value.bytes ?? []) }
            return duration(ns)
        case (_, .flag):
            return value.integer.map { $0 != 0 ? "yes" : "no" } ?? SafeText.escape(value.bytes ?? [])
        case (.blob(let b), .argv), (.text(let b), .argv):
            return Display.commandLine(argv: b)
        case (.integer(let v), _): return String(v)
        case (.real(let v), _): return String(v)
        case (.text(let b), _): return SafeText.escape(b)
        case (.blob(let b), _): return "x'" + b.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    static func duration(_ ns: Int64) -> String {
        let magnitude = ns.magnitude
        if magnitude < 1_000_000 { return "\(ns / 1000) µs" }
        if magnitude < 10_000_000_000 { return String(format: "%.1f ms", Double(ns) / 1e6) }
        if magnitude < 3_600_000_000_000 { return String(format: "%.1f s", Double(ns) / 1e9) }
        return String(format: "%.1f h", Double(ns) / 3.6e12)
    }
}

/// Aligned columns. The widths come from the first rows (up to `sample`), each capped at
/// `maxWidth` (a longer value is cut with …; jsonl and csv carry it whole); the last column is
/// cut only to fit `lineWidth` (a terminal written to directly). Later rows are written as they come.
struct TableWriter {
    static let sample = 200
    static let maxWidth = 48
    let shown: [(index: Int, column: ListingColumn)]
    let color: Bool
    let lineWidth: Int?
    private var pending: [[String]] = []
    private var widths: [Int]?

    init(columns: [ListingColumn], color: Bool, lineWidth: Int? = nil) {
        shown = columns.enumerated().filter(\.element.inTable).map { ($0.offset, $0.element) }
        self.color = color
        self.lineWidth = lineWidth
    }

    mutating func add(_ values: [SQLValue]) -> String? {
        let cells = shown.map { Cell.text(values[$0.index], $0.column.meaning) }
        if widths == nil {
            pending.append(cells)
            return pending.count >= Self.sample ? flushPending() : nil
        }
        return line(cells)
    }

    mutating func finish() -> String? {
        widths == nil ? flushPending() : nil
    }

    private mutating func flushPending() -> String {
        let header = shown.map { $0.column.name.uppercased() }
        widths = header.indices.map { i in min(Self.maxWidth, pending.reduce(header[i].count) { max($0, $1[i].count) }) }
        var text = color ? "\u{1B}[1m" + line(header).dropLast() + "\u{1B}[0m\n" : line(header)
        for cells in pending { text += line(cells) }
        pending = []
        return text
    }

    private func line(_ cells: [String]) -> String {
        guard let widths else { return cells.joined(separator: "  ") + "\n" }
        var out = ""
        for (i, cell) in cells.enumerated() {
            if i == cells.count - 1 {
                let room = (lineWidth ?? .max) - out.count
                out += cell.count > room && room > 1 ? String(cell.prefix(room - 1)) + "…" : room <= 1 && cell.count > max(room, 0) ? "…" : cell
                break
            }
            let width = max(1, widths[i]) // an empty name over empty values still gets a column
            let fitted = cell.count > width ? String(cell.prefix(width - 1)) + "…" : cell
            out += fitted + String(repeating: " ", count: width - fitted.count) + "  "
        }
        return out + "\n"
    }
}

/// JSON lines. Exact and lossless:
/// - TEXT is a JSON string. Bytes that are not valid UTF-8 are written as the lone surrogates
///   U+DC80…U+DCFF (`\udcXX` for byte XX), Python's "surrogateescape": in Python,
///   `value.encode("utf-8", "surrogateescape")` gives the recorded bytes back.
/// - argv is an array of such strings (one per argument).
/// - A time is an ISO 8601 UTC string with nanoseconds, and `<name>_ns` holds the integer.
/// - A duration is integer nanoseconds; a flag is true/false; another BLOB is {"hex": "…"}.
enum JSONLines {
    static func object(_ columns: [ListingColumn], _ values: [SQLValue]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, column) in columns.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            member(&out, column.name, values[i], column.meaning)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func member(_ out: inout [UInt8], _ name: String, _ value: SQLValue, _ meaning: ListingColumn.Meaning) {
        string(&out, Array(name.utf8))
        out.append(UInt8(ascii: ":"))
        self.value(&out, value, meaning)
        if meaning == .time {
            out += Array(",".utf8)
            string(&out, Array((name + "_ns").utf8))
            out.append(UInt8(ascii: ":"))
            out += Array((value.integer.map(String.init) ?? "null").utf8)
        }
    }

    static func value(_ out: inout [UInt8], _ value: SQLValue, _ meaning: ListingColumn.Meaning) {
        switch (value, meaning) {
        case (.null, _): out += Array("null".utf8)
        case (_, .time):
            if let ns = value.integer { string(&out, Array(iso(ns).utf8)) } else { raw(&out, value) }
        case (_, .flag): out += Array((value.integer.map { $0 != 0 ? "true" : "false" } ?? "null").utf8)
        case (.blob(let b), .argv), (.text(let b), .argv):
            // each argument ends with NUL; no bytes at all is an empty argv (execve allows it)
            var parts = b.split(separator: 0, omittingEmptySubsequences: false)
            if b.isEmpty || b.last == 0 { parts.removeLast() }
            out.append(UInt8(ascii: "["))
            for (i, part) in parts.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(&out, Array(part))
            }
            out.append(UInt8(ascii: "]"))
        default: raw(&out, value)
        }
    }

    private static func raw(_ out: inout [UInt8], _ value: SQLValue) {
        switch value {
        case .null: out += Array("null".utf8)
        case .integer(let v): out += Array(String(v).utf8)
        case .real(let v): out += Array((v.isFinite ? String(v) : "null").utf8)
        case .text(let b): string(&out, b)
        case .blob(let b):
            out += Array("{\"hex\":\"".utf8) + Array(b.map { String(format: "%02x", $0) }.joined().utf8) + Array("\"}".utf8)
        }
    }

    /// `2026-11-30T09:43:38.123456789Z`.
    static func iso(_ ns: Int64) -> String {
        let micro = Display.utc(ns) // …SS.ffffffZ
        var sub = ns % 1000
        if sub < 0 { sub += 1000 }
        return String(micro.dropLast()) + String(format: "%03d", sub) + "Z"
    }

    /// A JSON string of `bytes` (surrogateescape for invalid UTF-8; every control character escaped).
    static func string(_ out: inout [UInt8], _ bytes: [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                switch b {
                case 0x22: out += Array("\\\"".utf8)
                case 0x5C: out += Array("\\\\".utf8)
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case 0..<0x20, 0x7F: out += Array(String(format: "\\u%04x", b).utf8)
                default: out.append(b)
                }
                i += 1
                continue
            }
            let length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? (b <= 0xEF ? 3 : 0) : b >= 0xC2 ? 2 : 0
            if length > 0, i + length <= bytes.count,
               let scalar = String(validating: bytes[i..<(i + length)], as: UTF8.self)?.unicodeScalars.first {
                // C1 controls, line separators and format characters (bidi overrides, BOM, zero
                // width, tags) as \u escapes: the same text, but no JSON reader drops or obeys them
                if (0x80...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
                    || scalar.properties.generalCategory == .format {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += Array(String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)).utf8)
                    } else {
                        out += Array(String(format: "\\u%04x", scalar.value).utf8)
                    }
                } else {
                    out += bytes[i..<(i + length)]
                }
                i += length
                continue
            }
            out += Array(String(format: "\\udc%02x", b).utf8)
            i += 1
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// RFC 4180 CSV: a header, then one record per row, fields quoted when they hold a comma, quote,
/// CR or LF (quotes doubled). TEXT is written as its exact bytes (even invalid UTF-8); a time
/// is ISO 8601 with nanoseconds; argv is the JSON array of `JSONLines` (NUL bytes do not belong
/// in CSV); a BLOB is hex. A spreadsheet may read a field starting with = + - @ as a formula:
/// import as text.
enum CSV {
    static func header(_ columns: [ListingColumn]) -> [UInt8] {
        record(columns.map { Array($0.name.utf8) })
    }

    static func row(_ columns: [ListingColumn], _ values: [SQLValue]) -> [UInt8] {
        record(zip(columns, values).map { column, value in
            switch (value, column.meaning) {
            case (.null, _): return []
            case (_, .time): return Array((value.integer.map(JSONLines.iso) ?? value.string ?? "").utf8)
            case (.blob, .argv), (.text, .argv):
                var out: [UInt8] = []
                JSONLines.value(&out, value, .argv)
                return out
            case (.blob(let b), _): return Array(b.map { String(format: "%02x", $0) }.joined().utf8)
            default: return value.bytes ?? []
            }
        })
    }

    private static func record(_ fields: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                out.append(0x22)
                for b in field {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            } else {
                out += field
            }
        }
        return out + [0x0D, 0x0A]
    }
}

/// Timesketch's JSONL import: each line an object with `message`, `datetime` (ISO 8601),
/// `timestamp` (microseconds since 1970), `timestamp_desc`, and every column of the row as an
/// extra field (strings as in `JSONLines`).
enum Timesketch {
    static func line(_ columns: [ListingColumn], _ values: [SQLValue]) -> [UInt8]? {
        guard let timeIndex = columns.indices.first(where: { columns[$0].meaning == .time && values[$0].integer != nil }),
              let ns = values[timeIndex].integer else { return nil }
        let named = Dictionary(zip(columns.map(\.name), values), uniquingKeysWith: { a, _ in a })
        var message: [UInt8] = []
        if let kind = named["kind"]?.bytes {
            message = kind + Array(": ".utf8) + (named["details"]?.bytes ?? [])
            if let container = named["container"]?.bytes { message += Array(" [container ".utf8) + container + [UInt8(ascii: "]")] }
        } else {
            message = Array(zip(columns, values).filter { $0.0.inTable && $0.1 != .null }
                .map { "\($0.0.name)=\(Cell.text($0.1, $0.0.meaning))" }.joined(separator: " ").utf8)
        }
        var out: [UInt8] = Array("{\"message\":".utf8)
        JSONLines.string(&out, message)
        out += Array(",\"datetime\":".utf8)
        JSONLines.string(&out, Array(JSONLines.iso(ns).utf8))
        out += Array(",\"timestamp\":\(ns / 1000),\"timestamp_desc\":".utf8)
        JSONLines.string(&out, named["kind"]?.bytes ?? Array(columns[timeIndex].name.utf8))
        for (i, column) in columns.enumerated() where !["message", "datetime", "timestamp", "timestamp_desc"].contains(column.name) {
            out.append(UInt8(ascii: ","))
            JSONLines.member(&out, column.name, values[i], column.meaning)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
