import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What a case file holds: sessions, counts per event kind, losses, time span. Read-only.",
        discussion: """
            Says also what each session chose to record (events, scope, folding), what was not \
            attached, which runtimes were asked, and what in the file's schema differs from \
            Casefile's.

            Examples:
              casefile info --db case.db
              casefile info --db /mnt/evidence/case.db     # a copy on a read-only medium: nothing is written
            """
    )

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let investigation = try Investigate.open(database, schemaWarning: false)
        let s = try investigation.summary()
        var out = "Case file \(SafeText.escape(database.db)) (schema version \(s.schemaVersion))\n"
        out += SchemaWarning.text(investigation)
        if let first = s.firstEvent, let last = s.lastEvent {
            out += "Events from \(Display.utc(first)) to \(Display.utc(last))\n"
        } else {
            out += "No events recorded.\n"
        }
        out += "\nSessions:\n"
        for session in s.sessions {
            let end = session.endedAt.map(Display.utc) ?? "not ended (recording, or the recorder died)"
            out += "  #\(session.id) \(SafeText.escape(session.host)) kernel \(SafeText.escape(session.kernel))\n"
            out += "     boot \(SafeText.escape(session.bootID)), cgroups \(SafeText.escape(session.cgroupLayout)), casefile \(SafeText.escape(session.version))\n"
            let unreadable = "? (not a number in the file)"
            out += "     \(session.startedAt.map(Display.utc) ?? unreadable) → \(end)\(session.cleanShutdown ? "" : " [NOT a clean shutdown]")\n"
            out += "     \(session.events.map { "\($0)" } ?? unreadable) events, \(session.lost.map { "\($0)" } ?? unreadable) lost\n"
            if let attached = session.attached { out += "     attached: \(SafeText.escape(attached))\n" }
            if let failures = session.attachFailures { out += "     NOT attached: \(SafeText.escape(failures))\n" }
            if let settings = session.settings {
                out += "     events recorded: \(SafeText.escape(settings.eventsRecorded))\n"
                if let scope = settings.scope {
                    out += "     scope: \(SafeText.escape(scope)); \(settings.scopeSkipped) events out of scope not recorded\n"
                }
                out += "     hooks: \(SafeText.escape(settings.hooks))\n"
                if let not = settings.notAttached { out += "     left unattached on purpose: \(SafeText.escape(not))\n" }
                out += settings.foldWindowMilliseconds > 0
                    ? "     exact folding within \(settings.foldWindowMilliseconds) ms: \(settings.folded) events stored as repeats of an identical row (event_folds)\n"
                    : "     folding off: every event is a row\n"
                out += "     argv kept per exec: \(settings.argvMax.map { "\($0) bytes" } ?? "?"); environment \(settings.environmentCaptured ? "CAPTURED (may hold secrets)" : "not captured")\n"
            }
            if let warnings = session.warnings { out += "     WARNING: \(SafeText.escape(warnings))\n" }
            if let runtimes = session.runtimes { out += "     container runtimes: \(SafeText.escape(runtimes))\n" }
            if session.enrichmentDropped > 0 { out += "     enrichment requests dropped (queue full): \(session.enrichmentDropped)\n" }
        }
        out += "\nEvents by kind:\n"
        for (kind, count) in s.kinds { out += "  \(pad(SafeText.escape(kind), 14)) \(count)\n" }
        let lost = s.gaps.reduce(Int64(0)) { $0.addingReportingOverflow($1.count).overflow ? .max : $0 + $1.count }
        out += "\nLost events: \(lost)\n"
        for (reason, count) in s.gaps { out += "  \(pad(SafeText.escape(reason), 20)) \(count)\n" }
        out += "\nProcesses \(s.processes), cgroups \(s.cgroups), containers \(s.containers) (\(s.enrichedContainers) named by their runtime), pods \(s.pods)\n"
        print(out, terminator: "")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

/// What `info` and `timeline` say when the file's schema is not what Casefile makes: they read on
/// (through Casefile's own view definitions when the version is current), and say what differs.
enum SchemaWarning {
    static func text(_ investigation: Investigation) -> String {
        let problems: [String]
        do {
            problems = try investigation.schemaDifferences()
        } catch {
            return "WARNING: the schema could not be compared with Casefile's: \(SafeText.escape("\(error)"))\n"
        }
        guard !problems.isEmpty else { return "" }
        let listed = problems.prefix(10).map { "  - \(SafeText.escape($0))" }.joined(separator: "\n")
        let more = problems.count > 10 ? "\n  - … and \(problems.count - 10) more" : ""
        return """
            WARNING: this file's schema is not what Casefile makes (it was changed after recording):
            \(listed)\(more)
            Casefile reads the tables through its own view definitions, never the file's; `casefile verify` says which rows changed.

            """
    }
}
