import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

struct Timeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events in time order (UTC), with container lifecycle, losses and recording start/stop where they happened.",
        discussion: """
            Read-only. Text from the recorded host is shown escaped (\\n, \\xNN, \\u{202E}): control \
            characters never reach your terminal; --format jsonl/csv keep the exact bytes.

            Examples:
              casefile timeline --db case.db --container web --since 15m
              casefile timeline --db case.db --pod shop/web-0 --kind process,network
              casefile timeline --db case.db --pid 4242 --descendants
              casefile timeline --db case.db --around 2026-11-30T09:43:38Z --window 2m
              casefile timeline --db case.db --namespace shop --format timesketch > shop.jsonl
            Kinds: \(Investigation.allKinds.joined(separator: ", ")); groups: \(Investigation.kindGroups.joined(separator: ", ")).
            """
    )

    @OptionGroup var database: DatabaseOption
    @OptionGroup var workload: WorkloadOptions
    @OptionGroup var time: TimeOptions

    @Option(help: "Only this process: every instance that had this PID (and the fork that made it).")
    var pid: Int64?

    @Flag(help: "With --pid: its descendants too (followed by parent links across PID reuse).")
    var descendants = false

    @Option(help: ArgumentHelp("Only these kinds or groups (repeat or comma-separate; see below).", valueName: "kind"))
    var kind: [String] = []

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try Investigation.checkKinds(kinds)
        if descendants && pid == nil { throw ValidationError("--descendants goes with --pid PID") }
    }

    private var kinds: [String] { kind.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } }

    func run() async throws {
        let investigation = try Investigate.open(database)
        var selection = Selection()
        workload.apply(to: &selection)
        try time.apply(to: &selection, investigation)
        selection.pid = pid
        selection.descendants = descendants
        selection.kinds = kinds
        selection.limit = output.limit
        let count = try output.write { sink in try investigation.timeline(selection, into: &sink) }
        if count == 0 {
            FileHandle.standardError.write(Data("casefile: no events match (try `casefile info --db \(SafeText.escape(database.db))` for the recorded time span)\n".utf8))
        }
    }
}
