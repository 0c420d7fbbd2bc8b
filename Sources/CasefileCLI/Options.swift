import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

/// A time on the command line: absolute (ISO 8601 UTC, Unix seconds) or relative to the file's
/// last event (`15m`: fifteen minutes before it).
enum TimeArgument: Sendable {
    case absolute(Int64)
    case beforeLastEvent(Int64)

    static func parse(_ text: String) throws -> TimeArgument {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let duration = DurationArgument.nanoseconds(s), s.last?.isLetter == true {
            return .beforeLastEvent(duration)
        }
        return .absolute(try absolute(s))
    }

    /// Parses an absolute time into UTC nanoseconds.
    static func absolute(_ text: String) throws -> Int64 {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(s), !s.contains("T"), !s.dropFirst().contains("-") {
            // Int64 nanoseconds reach year 2262; anything beyond is a typo (milliseconds given as seconds?).
            guard seconds.isFinite, seconds >= 0, seconds < 9.2e9 else {
                throw ValidationError("time '\(SafeText.escape(text))' is out of range: give Unix seconds (e.g. 1796031818.5), not milliseconds")
            }
            return Int64((seconds * 1e9).rounded())
        }
        // YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH:MM|±HHMM], UTC when no zone is given.
        guard let nanoseconds = Timestamp.iso8601(s) else {
            throw ValidationError("cannot read time '\(SafeText.escape(text))': use ISO-8601 UTC like 2026-11-30T09:43:38.5Z, Unix seconds (years 1678 to 2261), or a time before the file's last event like 15m, 2h, 1d")
        }
        return nanoseconds
    }

    func resolve(lastEvent: Int64?) throws -> Int64 {
        switch self {
        case .absolute(let ns): return ns
        case .beforeLastEvent(let ns):
            guard let lastEvent else { throw ValidationError("a relative time needs events in the file, and it holds none") }
            let (t, overflow) = lastEvent.subtractingReportingOverflow(ns)
            return overflow ? .min : t
        }
    }
}

/// A duration: `90s`, `5m`, `2h`, `1d`, `250ms`.
struct DurationArgument: Sendable {
    var nanoseconds: Int64

    init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    static func parse(_ text: String) throws -> DurationArgument {
        guard let ns = nanoseconds(text) else {
            throw ValidationError("cannot read duration '\(SafeText.escape(text))': use a number with ms, s, m, h or d, like 90s or 5m")
        }
        return DurationArgument(nanoseconds: ns)
    }

    static func nanoseconds(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9)]
        for (unit, scale) in units where s.hasSuffix(unit) {
            guard let value = Double(s.dropLast(unit.count)), value.isFinite, value >= 0 else { return nil }
            let ns = value * scale
            guard ns < 9.2e18 else { return nil }
            return Int64(ns.rounded())
        }
        return nil
    }
}

/// `--since`, `--until`, `--around`, `--window`.
struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only from this time: ISO 8601 UTC (2026-11-30T09:43Z), Unix seconds, or before the file's last event (15m, 2h).", valueName: "time"), transform: TimeArgument.parse)
    var since: TimeArgument?

    @Option(help: ArgumentHelp("Only up to this time (same forms as --since).", valueName: "time"), transform: TimeArgument.parse)
    var until: TimeArgument?

    @Option(help: ArgumentHelp("Only around this time: --window before and after it.", valueName: "time"), transform: TimeArgument.parse)
    var around: TimeArgument?

    @Option(help: ArgumentHelp("With --around: how far before and after (default 5m).", valueName: "duration"), transform: DurationArgument.parse)
    var window: DurationArgument?

    func validate() throws {
        if around != nil && (since != nil || until != nil) {
            throw ValidationError("--around replaces --since and --until: give one or the other")
        }
        if window != nil && around == nil { throw ValidationError("--window goes with --around TIME") }
    }

    var needsLastEvent: Bool {
        [since, until, around].contains { if case .beforeLastEvent = $0 { true } else { false } }
    }

    /// Fills the selection's time window (resolving relative times against the file).
    func apply(to selection: inout Selection, _ investigation: Investigation) throws {
        let last = needsLastEvent ? try investigation.lastEventTime() : nil
        if let around {
            let center = try around.resolve(lastEvent: last)
            let half = (window ?? DurationArgument(nanoseconds: 300_000_000_000)).nanoseconds
            selection.since = center.subtractingReportingOverflow(half).overflow ? .min : center - half
            selection.until = center.addingReportingOverflow(half).overflow ? .max : center + half
        } else {
            selection.since = try since?.resolve(lastEvent: last)
            selection.until = try until?.resolve(lastEvent: last)
        }
    }
}

/// `--container`, `--pod`, `--namespace`, `--image` (each repeatable or comma-separated).
struct WorkloadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this container: an id prefix or a name.", valueName: "id-or-name"))
    var container: [String] = []

    @Option(help: ArgumentHelp("Only this pod: a name, namespace/name, or uid prefix.", valueName: "pod"))
    var pod: [String] = []

    @Option(help: ArgumentHelp("Only pods of this Kubernetes namespace.", valueName: "namespace"))
    var namespace: [String] = []

    @Option(help: ArgumentHelp("Only containers of this image: a reference prefix or a digest (sha256:…) prefix.", valueName: "image"))
    var image: [String] = []

    func validate() throws {
        for (flag, values) in [("--container", container), ("--pod", pod), ("--namespace", namespace), ("--image", image)] {
            if values.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw ValidationError("\(flag) needs a value")
            }
        }
    }

    func apply(to selection: inout Selection) {
        func split(_ values: [String]) -> [String] {
            values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        }
        selection.containers = split(container)
        selection.pods = split(pod)
        selection.namespaces = split(namespace)
        selection.images = split(image)
    }
}

/// Opens the case file for investigation and says what the user must know about how it was read.
enum Investigate {
    static func open(_ database: DatabaseOption, schemaWarning: Bool = true) throws -> Investigation {
        let investigation = try Investigation(path: database.db)
        var text = investigation.notes.map { "casefile: note: \(SafeText.escape($0))\n" }.joined()
        if schemaWarning { text += SchemaWarning.text(investigation) }
        if !text.isEmpty { FileHandle.standardError.write(Data(text.utf8)) }
        return investigation
    }

    /// A listing command: opens the file, makes the selection from the workload and time options
    /// (`configure` adds the command's own), and writes what `list` produces in the chosen format.
    static func listing(_ database: DatabaseOption, _ workload: WorkloadOptions, _ time: TimeOptions?, _ output: OutputOptions,
                        configure: (inout Selection) -> Void = { _ in },
                        _ list: (Investigation, Selection, inout AnyListingSink) throws -> Void) throws {
        let investigation = try open(database)
        var selection = Selection()
        workload.apply(to: &selection)
        try time?.apply(to: &selection, investigation)
        configure(&selection)
        selection.limit = output.limit
        try output.write { try list(investigation, selection, &$0) }
    }
}
