import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

struct Timeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events in time order (UTC, microseconds). Opens the case file read-only.",
        discussion: """
            Times for --since/--until: ISO-8601 UTC such as 2026-11-30T09:43:38.5Z or 2026-11-30 09:43, \
            or Unix seconds such as 1796031818.25. Text from the recorded host is shown escaped \
            (\\n, \\xNN, ...): control characters never reach your terminal.
            """
    )

    @OptionGroup var database: DatabaseOption

    @Option(help: "Only events at or after this time.", transform: TimeArgument.parse)
    var since: Int64?

    @Option(help: "Only events at or before this time.", transform: TimeArgument.parse)
    var until: Int64?

    @Option(help: "Only events of this process (and the fork that created it).")
    var pid: Int?

    @Option(help: "Only events of these kinds (repeat or comma-separate): \(Investigation.allKinds.joined(separator: ", ")).")
    var kind: [String] = []

    @Option(help: "Only events in this container: an id prefix or a name.")
    var container: String?

    @Option(help: "At most this many events.")
    var limit: Int?

    func validate() throws {
        for name in kinds where !Investigation.allKinds.contains(name) {
            throw ValidationError("unknown --kind '\(SafeText.escape(name))'; kinds are: \(Investigation.allKinds.joined(separator: ", "))")
        }
        if let container, container.isEmpty { throw ValidationError("--container needs an id prefix or a name") }
        if let limit, limit < 0 { throw ValidationError("--limit must be ≥ 0") }
    }

    private var kinds: [String] { kind.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } }

    func run() async throws {
        let investigation = try Investigation(path: database.db)
        let warning = SchemaWarning.text(path: database.db)
        if !warning.isEmpty { FileHandle.standardError.write(Data(warning.utf8)) }
        let filter = Investigation.TimelineFilter(since: since, until: until, pid: pid,
                                                  kinds: kinds, container: container, limit: limit)
        var out = BufferedOutput()
        out.write(TimelineFormat.header)
        var count = 0
        try investigation.timeline(filter) { row in
            out.write(TimelineFormat.line(row))
            count += 1
        }
        out.flush()
        if count == 0 {
            FileHandle.standardError.write(Data("casefile: no events match (try `casefile info --db \(database.db)` for the recorded time span)\n".utf8))
        }
    }
}

enum TimelineFormat {
    static let header = pad("TIME (UTC)", 27) + " " + pad("EVENT", 17) + " " + pad("PID", 7) + " " + pad("PPID", 7) + " "
        + pad("COMM", 16) + " " + pad("CONTAINER", 20) + " " + pad("POD", 20) + " DETAILS\n"

    /// One line per row: text from the recorded host is escaped; the cgroup path is shown after
    /// the details for events outside containers.
    static func line(_ r: Investigation.TimelineRow) -> String {
        let comm = r.comm.map(SafeText.escape) ?? "-"
        let container = r.container.map(SafeText.escape) ?? "-"
        let pod = r.pod.map(SafeText.escape) ?? "-"
        // exec: rendered from the exact argv (details holds an already escaped copy for sqlite3 users)
        var details = r.argv.map { Display.commandLine(argv: $0, truncated: r.argvTruncated) } ?? r.details.map(SafeText.escape) ?? ""
        if r.container == nil, let cgroup = r.cgroupPath, cgroup != [UInt8(ascii: "/")], ![EventKind.cgroupMkdir.name, EventKind.cgroupRmdir.name].contains(r.kind) {
            details += "  [cgroup " + SafeText.escape(cgroup) + "]"
        }
        return pad(Display.utc(r.time), 27) + " " + pad(SafeText.escape(r.kind), 17) + " " + pad(r.pid.map(String.init) ?? "-", 7) + " "
            + pad(r.ppid.map(String.init) ?? "-", 7) + " " + pad(comm, 16) + " " + pad(container, 20) + " " + pad(pod, 20) + " " + details + "\n"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

/// Parses the CLI's time arguments into UTC nanoseconds.
enum TimeArgument {
    static func parse(_ text: String) throws -> Int64 {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(s), !s.contains("-") || s.hasPrefix("-") == false && !s.contains("T") {
            // Int64 nanoseconds reach year 2262; anything beyond is a typo (milliseconds given as seconds?).
            guard seconds.isFinite, seconds >= 0, seconds < 9.2e9 else {
                throw ValidationError("time '\(SafeText.escape(text))' is out of range: give Unix seconds (e.g. 1796031818.5), not milliseconds")
            }
            return Int64((seconds * 1e9).rounded())
        }
        // YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH:MM|±HHMM], UTC when no zone is given.
        guard let nanoseconds = Timestamp.iso8601(s) else {
            throw ValidationError("cannot read time '\(SafeText.escape(text))': use ISO-8601 UTC like 2026-11-30T09:43:38.5Z, or Unix seconds (years 1678 to 2261)")
        }
        return nanoseconds
    }
}

/// Collects output and writes it in large chunks (timelines can be millions of lines).
struct BufferedOutput {
    private var buffer: [UInt8] = []
    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count > 1 << 16 { flush() }
    }
    mutating func flush() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
