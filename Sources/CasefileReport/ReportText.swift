import CasefileModel
import Foundation

/// The report as JSON: `Report`'s shape exactly (keys sorted; documented in Report.swift; an
/// optional field without a value is left out, not written as null).
public enum ReportJSON {
    public static func render(_ report: Report) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }
}

/// The report as Markdown: the same sections as the HTML, readable as plain text. Text from the
/// recorded host is already escaped (`SafeText`); here Markdown's own characters are escaped too,
/// so a name like `<script>` or `[x](javascript:…)` stays text in any renderer.
public enum MarkdownReport {
    public static func render(_ r: Report) -> String {
        var out = "# Incident report — \(md(URL(fileURLWithPath: r.caseFile.path).lastPathComponent))\n\n"
        out += "Generated \(r.generated.at) by \(md(r.generated.by)): `\(code(r.generated.command.joined(separator: " ")))`\n\n"
        out += "## Summary\n\n"
        out += "- When: \(r.summary.firstActivity ?? "?") → \(r.summary.lastActivity ?? "?") (UTC)\n"
        out += "- Where: \(r.summary.hosts.map(md).joined(separator: ", "))\n"
        out += "- What: \(r.summary.events) events; \(r.summary.containers) containers (\(r.summary.shortLivedContainers) short-lived), \(r.summary.pods) pods; \(r.summary.lostEvents) events lost\n"
        if !r.summary.headlines.isEmpty { out += "- Notable: \(r.summary.headlines.map(md).joined(separator: "; "))\n" }
        out += "\n" + table(["kind", "events"], r.summary.countsByKind.map { [$0.kind, "\($0.count)"] })

        out += "\n## Scope and sources\n\n"
        let filters = (r.scope.containers.map { "container \($0)" } + r.scope.pods.map { "pod \($0)" } + r.scope.namespaces.map { "namespace \($0)" }
            + [r.scope.since.map { "since \($0)" }, r.scope.until.map { "until \($0)" }].compactMap { $0 })
        out += "Filters: \(filters.isEmpty ? "none (the whole file)" : filters.map(md).joined(separator: ", "))\n\n"
        out += table(["session", "host", "kernel", "from", "to", "clean stop", "events", "lost", "attached", "not attached", "runtimes"],
                     r.sessions.map { s in
                         ["\(s.id)", s.host, s.kernel, s.started ?? "?", s.ended ?? "not ended", s.cleanStop ? "yes" : "NO",
                          s.events.map(String.init) ?? "?", s.lost.map(String.init) ?? "?", s.attached ?? "-", s.notAttached ?? "-", s.runtimes ?? "-"]
                     })

        out += "\n## Affected workloads\n\n"
        out += table(["container", "image", "digest", "runtime", "pod", "created", "removed", "lifetime", "confirmed", "notable"],
                     r.containers.map { c in
                         [(c.name ?? String(c.id.prefix(12))) + (c.shortLived ? " (short-lived)" : ""), c.image ?? "-", c.imageDigest ?? "-",
                          c.runtime ?? "-", c.pod ?? "-", c.created ?? (c.existedAtStart ? "before recording" : "-"), c.removed ?? "-",
                          c.lifetimeNs.map(ReportBuilder.duration) ?? "-", c.confirmed ? "yes" : "no", "\(c.notableEvents)"]
                     })
        if !r.pods.isEmpty {
            out += "\n" + table(["namespace", "pod", "uid", "containers", "labels"],
                                r.pods.map { [$0.namespace ?? "-", $0.name ?? "-", $0.uid, "\($0.containers)", $0.labels ?? "-"] })
        }

        out += "\n## Notable events\n\n"
        if !r.notable.leftOut.isEmpty {
            out += "At most \(r.notable.cap) per category are listed; left out: "
                + r.notable.leftOut.map { "\($0.count) \($0.category)" }.joined(separator: ", ") + ".\n\n"
        }
        out += table(["time (UTC)", "category", "kind", "container", "pid", "details"],
                     r.notable.events.map { [$0.time, $0.category, $0.kind, $0.container ?? "host", $0.pid.map(String.init) ?? "-", $0.details] })

        out += "\n## Process trees\n"
        for tree in r.processTrees {
            out += "\n### \(md(tree.container))\n\n```\n"
            for line in tree.lines {
                out += String(repeating: "  ", count: line.depth) + "\(line.pid.map(String.init) ?? "?") \(fence(line.command))"
                    + (line.exit.map { " [\($0)]" } ?? "") + "\n"
            }
            out += "```\n"
            if tree.leftOut > 0 { out += "\n\(tree.leftOut) more processes not shown.\n" }
        }

        out += "\n## Network peers\n\n"
        out += table(["container", "call", "peer", "results", "count", "first"],
                     r.networkPeers.map { [$0.container ?? "host", $0.kind, $0.peer, $0.results, "\($0.count)", $0.first] })

        out += "\n## Files written and deleted\n\n"
        out += table(["container", "action", "path", "results", "count", "first"],
                     r.files.map { [$0.container ?? "host", $0.action, $0.path, $0.results, "\($0.count)", $0.first] })

        out += "\n## Data quality\n\n"
        for statement in r.dataQuality.statements { out += "- \(md(statement))\n" }
        if r.dataQuality.statements.isEmpty { out += "- Nothing lost, every session stopped cleanly, every container named.\n" }
        if !r.dataQuality.gaps.isEmpty {
            out += "\n" + table(["lost at (UTC)", "events", "reason"], r.dataQuality.gaps.map { [$0.at, "\($0.count)", $0.reason] })
        }
        if !r.dataQuality.enrichmentFailures.isEmpty {
            out += "\n" + table(["container", "enrichment"], r.dataQuality.enrichmentFailures.map { [$0.container ?? String($0.containerID.prefix(12)), $0.error] })
        }
        for period in r.dataQuality.unrecorded { out += "- Not recorded: \(period.from ?? "?") → \(period.to ?? "?"): \(md(period.what))\n" }
        for difference in r.dataQuality.schemaDifferences { out += "- Schema: \(md(difference))\n" }

        out += "\n## Evidence\n\n"
        out += "- Case file: `\(code(r.caseFile.path))`, \(r.caseFile.bytes) bytes, schema version \(r.caseFile.schemaVersion)\n"
        out += "- SHA-256: `\(r.caseFile.sha256)`\n"
        if let wal = r.caseFile.walSha256 { out += "- SHA-256 of its -wal: `\(wal)`\n" }
        out += "- Seal chain head: `\(r.caseFile.sealHead ?? "none")`\n"
        out += "- verify: \(md(r.caseFile.verification))\n"
        for problem in r.caseFile.verificationProblems { out += "  - \(md(problem))\n" }
        for note in r.caseFile.verificationNotes + r.caseFile.readNotes { out += "  - note: \(md(note))\n" }
        out += "- Sessions: \(r.sessions.map { "\($0.id)" }.joined(separator: ", "))\n"
        out += "- Generated at \(r.generated.at) by \(md(r.generated.by)): `\(code(r.generated.command.joined(separator: " ")))`\n"

        out += "\n## Analyst notes\n\n\(r.analystNotes.isEmpty ? "_(none yet)_" : md(r.analystNotes))\n"
        return out
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        guard !rows.isEmpty else { return "_(none)_\n" }
        var out = "| " + header.map(md).joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
        for row in rows { out += "| " + row.map(md).joined(separator: " | ") + " |\n" }
        return out
    }

    /// Markdown's special characters escaped; `<` and `>` as entities (raw HTML in Markdown renders).
    static func md(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", "#", "+", "!", "|", "~": out += "\\" + String(c)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n": out += " "
            default: out.append(c)
            }
        }
        return out
    }

    /// Inside a code span: backticks would end it.
    static func code(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "'") }

    /// Inside a fenced block: a line of backticks would end it.
    static func fence(_ s: String) -> String { s.replacingOccurrences(of: "```", with: "'''") }
}
