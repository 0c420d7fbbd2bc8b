import ArgumentParser
import CasefileModel
import CasefileReport
import CasefileStore
import Foundation

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Writes an incident report of the case file: HTML (one file, with a timeline picture), Markdown or JSON.",
        discussion: """
            The format follows the file name given with -o (.html, .md, .json). Read-only; the report \
            says what was seen, what may be missing and why, and the evidence it rests on (SHA-256, \
            seal chain head, verify result). Notable events are capped per category, with counts of \
            what was left out.

            Examples:
              casefile report --db case.db -o report.html
              casefile report --db case.db --namespace shop --since 2h -o shop.md
              casefile report --db case.db --container web -o web.json --no-verify
            """
    )

    @OptionGroup var database: DatabaseOption
    @OptionGroup var workload: WorkloadOptions
    @OptionGroup var time: TimeOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the report: NAME.html, NAME.md or NAME.json (- for Markdown on stdout).", valueName: "file"))
    var output: String

    @Flag(help: "Do not recompute the seal chain (faster on huge files; the report then says it was not checked).")
    var noVerify = false

    @Option(help: "Notable events listed per category (the rest are counted).")
    var perCategory = 100

    @Option(help: "Containers that lived less than this many seconds are called short-lived.")
    var shortLived: Int64 = 60

    enum Kind { case html, markdown, json }

    var kind: Kind? {
        let lower = output.lowercased()
        if output == "-" || lower.hasSuffix(".md") || lower.hasSuffix(".markdown") { return .markdown }
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { return .html }
        if lower.hasSuffix(".json") { return .json }
        return nil
    }

    func validate() throws {
        guard kind != nil else { throw ValidationError("-o takes a file name ending in .html, .md or .json (or - for Markdown on stdout)") }
        guard perCategory > 0 else { throw ValidationError("--per-category must be > 0") }
        guard shortLived > 0 else { throw ValidationError("--short-lived must be > 0 seconds") }
    }

    func run() async throws {
        let investigation = try Investigate.open(database)
        var options = ReportOptions()
        workload.apply(to: &options.selection)
        try time.apply(to: &options.selection, investigation)
        options.verify = !noVerify
        options.notablePerCategory = perCategory
        options.shortLivedSeconds = shortLived
        options.command = CommandLine.arguments
        let report = try ReportBuilder.build(path: database.db, options: options)
        let data: Data
        switch kind {
        case .html: data = Data(HTMLReport.render(report).utf8)
        case .json: data = try ReportJSON.render(report) + Data("\n".utf8)
        case .markdown, nil: data = Data(MarkdownReport.render(report).utf8)
        }
        if output == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write the report to \(SafeText.escape(output)): check that its directory exists and is writable")
        }
        FileHandle.standardError.write(Data("casefile: report written to \(SafeText.escape(output)) (\(data.count) bytes; \(report.notable.events.count) notable events listed)\n".utf8))
    }
}
