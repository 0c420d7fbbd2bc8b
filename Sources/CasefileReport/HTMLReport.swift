import CasefileModel

/// The HTML rendering of a `Report`: one self-contained HTML5 file (inline `<style>` only, no
/// scripts, fonts or images; a Content-Security-Policy forbids loading anything), readable on
/// screen and in print, with an inline SVG swim-lane timeline.
///
/// Every string of the report came from the recorded host and is attacker-controlled: all of
/// them go through `escape` (text and attribute values alike). The output is also well-formed
/// XML (void elements closed with `/>`, only the XML entities, no raw `<` or `&` in the style
/// sheet), so an XML parser can check it and the SVG can be cut out and used on its own.
public enum HTMLReport {
    /// The policy in the page's `<meta http-equiv>`: nothing loads, nothing runs.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; base-uri 'none'; form-action 'none'"
    /// Lanes the timeline draws at most; the rest (fewest notable events) are counted under it.
    public static let maximumLanes = 200

    public static func render(_ report: Report) -> String {
        var w = Writer()
        w.s.reserveCapacity(64 * 1024 + report.notable.events.count * 600 + report.containers.count * 800)
        head(report, &w)
        w.raw("<body>\n")
        header(report, &w)
        w.raw("<main>\n")
        summary(report, &w)
        timelinePicture(report, &w) // right after the summary: the picture is what a reader looks at first
        scope(report, &w)
        workloads(report, &w)
        notable(report, &w)
        processTrees(report, &w)
        network(report, &w)
        files(report, &w)
        dataQuality(report, &w)
        evidence(report, &w)
        analystNotes(report, &w)
        w.raw("</main>\n<footer><p class=\"note\">")
        w.text("\(report.generated.by) · \(report.format) · generated \(report.generated.at)")
        w.raw("</p></footer>\n</body>\n</html>\n")
        return w.s
    }

    // MARK: - Escaping

    /// Text safe in HTML text and in (double- or single-quoted) attribute values, and valid XML:
    /// `& < > " '` as entities; control, format (bidi overrides, zero-width) and separator
    /// characters and noncharacters — which `SafeText` has already escaped, so this is defence
    /// in depth — as visible `\u{…}` text.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                    || (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE
                    || u.properties.generalCategory == .format {
                    out += "\\u{\(String(v, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// The output buffer: `raw` for markup this file wrote, `text` for everything else.
    struct Writer {
        var s = ""
        mutating func raw(_ markup: String) { s += markup }
        mutating func text(_ text: String) { s += HTMLReport.escape(text) }
        /// `<tag attrs>escaped text</tag>`.
        mutating func element(_ tag: String, _ text: String, attributes: String = "") {
            s += "<\(tag)\(attributes)>"
            s += HTMLReport.escape(text)
            s += "</\(tag)>"
        }
    }

    // MARK: - Small formatting helpers

    static let dash = "—"

    /// `12,345,678`.
    static func grouped<I: BinaryInteger>(_ value: I) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// A duration a person reads: `850 ms`, `12.3 s`, `4 min 5 s`, `3 h 12 min`, `2 d 4 h`.
    static func duration(_ ns: Int64) -> String {
        if ns < 0 { return "-" + duration(ns == .min ? .max : -ns) }
        if ns < 1_000 { return "\(ns) ns" }
        if ns < 1_000_000 { return "\(ns / 1_000) µs" }
        if ns < 1_000_000_000 { return "\(ns / 1_000_000) ms" }
        let s = ns / 1_000_000_000
        if s < 60 { return "\(s).\(ns % 1_000_000_000 / 100_000_000) s" }
        if s < 3_600 { return "\(s / 60) min \(s % 60) s" }
        if s < 86_400 { return "\(s / 3_600) h \(s % 3_600 / 60) min" }
        return "\(grouped(s / 86_400)) d \(s % 86_400 / 3_600) h"
    }

    /// `2026-11-30T09:43:38.123456Z`, or a dash.
    static func time(_ ns: Int64?, _ text: String? = nil) -> String {
        if let text, !text.isEmpty { return text }
        return ns.map(Display.utc) ?? dash
    }

    /// A time as markup: an ISO 8601 time may wrap after its `T` only (a table cell stays narrow
    /// without breaking the date or the clock apart).
    static func timeMarkup(_ text: String) -> String {
        let chars = Array(text)
        guard chars.count > 11, chars[10] == "T", chars[4] == "-" else { return escape(text) }
        return "<span class=\"nw\">\(escape(String(chars[0...10])))</span><wbr/><span class=\"nw\">\(escape(String(chars[11...])))</span>"
    }

    /// A coordinate: finite, one decimal at most, never `nan`/`inf` or exponent notation.
    static func coordinate(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let tenths = Int((min(max(v, -1e9), 1e9) * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = tenths.magnitude
        return a % 10 == 0 ? "\(sign)\(a / 10)" : "\(sign)\(a / 10).\(a % 10)"
    }

    /// At most `limit` characters, the cut marked with `…`.
    static func truncated(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(max(1, limit - 1))) + "…"
    }

    static func containerLabel(_ c: Report.Container) -> String {
        if let n = c.name, !n.isEmpty { return n }
        return String(c.id.prefix(12))
    }

    static func containerCell(_ name: String?, _ id: String?) -> String {
        if let name, !name.isEmpty { return name }
        if let id, !id.isEmpty { return String(id.prefix(12)) }
        return "(host)"
    }

    static func isVerified(_ verification: String) -> Bool {
        verification.lowercased().hasPrefix("verified")
    }

    /// A table: headers (`num` marks right-aligned columns) and rows of cells already written
    /// as markup.
    static func table(_ w: inout Writer, _ headers: [(String, Bool)], _ rows: [[String]], caption: String? = nil,
                      cssClass: String = "") {
        w.raw(cssClass.isEmpty ? "<table>" : "<table class=\"\(cssClass)\">")
        if let caption { w.element("caption", caption) }
        w.raw("<thead><tr>")
        for (h, numeric) in headers { w.element("th", h, attributes: numeric ? " class=\"num\" scope=\"col\"" : " scope=\"col\"") }
        w.raw("</tr></thead>\n<tbody>\n")
        for row in rows {
            w.raw("<tr>")
            for (i, cell) in row.enumerated() {
                let numeric = i < headers.count && headers[i].1
                w.raw(numeric ? "<td class=\"num\">" : "<td>")
                w.raw(cell)
                w.raw("</td>")
            }
            w.raw("</tr>\n")
        }
        w.raw("</tbody></table>\n")
    }

    /// A cell of escaped text (a dash when nil or empty).
    static func cell(_ s: String?) -> String {
        guard let s, !s.isEmpty else { return dash }
        return escape(s)
    }

    static func codeCell(_ s: String?) -> String {
        guard let s, !s.isEmpty else { return dash }
        return "<code>\(escape(s))</code>"
    }

    static func list(_ w: inout Writer, _ items: [String], cssClass: String = "") {
        w.raw(cssClass.isEmpty ? "<ul>" : "<ul class=\"\(cssClass)\">")
        for item in items { w.element("li", item) }
        w.raw("</ul>\n")
    }

    static func facts(_ w: inout Writer, _ pairs: [(String, String)]) {
        w.raw("<dl class=\"facts\">\n")
        for (term, markup) in pairs {
            w.element("dt", term)
            w.raw("<dd>\(markup)</dd>\n")
        }
        w.raw("</dl>\n")
    }

    static func sectionStart(_ w: inout Writer, _ id: String, _ title: String) {
        w.raw("<section id=\"\(id)\">\n")
        w.element("h2", title)
        w.raw("\n")
    }

    // MARK: - Categories: colors and shapes (the same in the picture, its legend and the tables)

    enum Shape: Sendable { case circle, square, diamond, triangle, bar, cross }

    static let categories: [(name: String, color: String, shape: Shape, label: String)] = [
        ("process-start", "#1f77b4", .circle, "process start"),
        ("shell", "#ff7f0e", .square, "shell"),
        ("exec-from-writable-place", "#d62728", .triangle, "exec from writable place"),
        ("privilege", "#9467bd", .diamond, "privilege"),
        ("escape", "#8b0000", .diamond, "escape"),
        ("sensitive-file", "#8c564b", .square, "sensitive file"),
        ("denied", "#e377c2", .triangle, "denied"),
        ("outbound-connection", "#17becf", .circle, "outbound connection"),
        ("lifecycle", "#2ca02c", .bar, "lifecycle"),
        ("loss", "#111111", .cross, "loss"),
    ]

    static func style(of category: String) -> (color: String, shape: Shape) {
        if let c = categories.first(where: { $0.name == category }) { return (c.color, c.shape) }
        return ("#7f7f7f", .circle)
    }

    static func swatch(_ category: String) -> String {
        "<span class=\"swatch\" style=\"background:\(style(of: category).color)\"></span>"
    }

    // MARK: - Head and header

    static func head(_ report: Report, _ w: inout Writer) {
        let fileName = report.caseFile.path.split(separator: "/").last.map(String.init) ?? report.caseFile.path
        w.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        w.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"\(escape(contentSecurityPolicy))\"/>\n")
        w.raw("<meta name=\"referrer\" content=\"no-referrer\"/>\n")
        w.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        w.raw("<meta name=\"generator\" content=\"\(escape(report.generated.by))\"/>\n")
        w.element("title", "Incident report — \(fileName.isEmpty ? "case file" : fileName)")
        w.raw("\n<style>\n\(css)</style>\n</head>\n")
    }

    /// No `<` or `&` in it (the document stays well-formed XML).
    static let css = """
        :root{color-scheme:light}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1240px;padding:1.2rem 2rem 3rem;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;color:#1b1f24;background:#fff}
        h1{font-size:1.7rem;margin:0 0 .2rem}
        h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-bottom:.2rem;border-bottom:2px solid #d0d7de}
        h3{font-size:1.05rem;margin:1.2rem 0 .4rem;overflow-wrap:anywhere}
        p,li,dd{overflow-wrap:anywhere}
        code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em}
        code{background:#f3f5f7;padding:0 .2em;border-radius:3px}
        table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
        table.compact{width:auto;min-width:20rem}
        caption{text-align:left;font-weight:600;padding:.2rem 0}
        th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:normal}
        th{background:#eef1f4;font-weight:600;overflow-wrap:normal}
        .nw{white-space:nowrap}
        tbody tr:nth-child(even){background:#f8f9fb}
        th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal}
        td code{background:none;padding:0}
        dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1.2rem;margin:.4rem 0 1rem}
        dl.facts dt{font-weight:600;color:#424a53}
        dl.facts dd{margin:0}
        .sub{color:#57606a;margin:0 0 .6rem}
        .note{color:#57606a}
        .warn{border-left:4px solid #c62828;background:#fdecea;padding:.45rem .8rem;margin:.6rem 0}
        .ok{border-left:4px solid #2e7d32;background:#edf7ee;padding:.45rem .8rem;margin:.6rem 0}
        .warn ul,.ok ul{margin:.2rem 0;padding-left:1.2rem}
        .badge{display:inline-block;padding:0 .35rem;margin-left:.3rem;border-radius:3px;font-size:.78em;font-weight:600;white-space:nowrap;background:#fff3cd;color:#6b4e00;border:1px solid #e0c36a}
        .badge.bad{background:#fdecea;color:#8b1a1a;border-color:#e6a3a3}
        .badge.good{background:#edf7ee;color:#1e5a22;border-color:#9ccc9f}
        .swatch{display:inline-block;width:.75em;height:.75em;border-radius:2px;margin-right:.35em;vertical-align:-.05em}
        nav.toc{border:1px solid #d0d7de;background:#f8f9fb;padding:.4rem .8rem;margin:.8rem 0}
        nav.toc ol{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.2rem 1.2rem}
        nav.toc a{color:#0a58ca;text-decoration:none}
        .timeline{overflow-x:auto;border:1px solid #d0d7de;background:#fff;padding:.3rem}
        .timeline svg{display:block;max-width:none}
        .tree{border:1px solid #d0d7de;padding:.3rem .6rem;margin:.3rem 0 1rem;font-size:.92em}
        .tree div{padding:.05rem 0;overflow-wrap:anywhere}
        .tree .pid{color:#57606a;font-variant-numeric:tabular-nums}
        .tree .when{color:#57606a;font-size:.9em}
        .notes-box{border:2px solid #57606a;border-radius:4px;min-height:18rem;padding:.6rem;white-space:pre-wrap;overflow-wrap:anywhere}
        footer{margin-top:2.5rem;border-top:1px solid #d0d7de}
        @media print{
        @page{margin:14mm}
        body{max-width:none;padding:0;font-size:9pt}
        nav.toc{display:none}
        h2{break-after:avoid;page-break-after:avoid}
        h3{break-after:avoid}
        tr,.tree div{break-inside:avoid}
        thead{display:table-header-group}
        tbody tr:nth-child(even){background:none}
        .timeline{overflow:visible;border:none;padding:0}
        .timeline svg{width:100%;height:auto}
        .warn,.ok,.badge,.swatch{print-color-adjust:exact;-webkit-print-color-adjust:exact}
        .notes-box{min-height:45vh;break-inside:avoid}
        a{color:inherit;text-decoration:none}
        }

        """

    static let sections: [(id: String, title: String)] = [
        ("summary", "Summary"),
        ("scope", "Scope and sources"),
        ("workloads", "Affected workloads"),
        ("timeline-picture", "Timeline"),
        ("notable", "Notable events"),
        ("process-trees", "Process trees"),
        ("network", "Network peers"),
        ("files", "Files written and removed"),
        ("data-quality", "Data quality"),
        ("evidence", "Evidence manifest"),
        ("analyst-notes", "Analyst notes"),
    ]

    static func header(_ report: Report, _ w: inout Writer) {
        w.raw("<header>\n")
        w.element("h1", "Incident report")
        w.raw("\n<p class=\"sub\">Case file <code>")
        w.text(report.caseFile.path)
        w.raw("</code> · generated ")
        w.text(report.generated.at)
        w.raw(" by ")
        w.text(report.generated.by)
        w.raw("</p>\n<nav class=\"toc\"><ol>")
        for s in sections { w.raw("<li><a href=\"#\(s.id)\">\(escape(s.title))</a></li>") }
        w.raw("</ol></nav>\n</header>\n")
    }

    // MARK: - Summary

    static func summary(_ report: Report, _ w: inout Writer) {
        let s = report.summary
        sectionStart(&w, "summary", "Summary")
        var warnings: [String] = []
        if !isVerified(report.caseFile.verification) {
            warnings.append("The case file did not verify: \(report.caseFile.verification). See the evidence manifest.")
        }
        if s.lostEvents > 0 {
            warnings.append("\(grouped(s.lostEvents)) events were lost while recording: what happened may be incomplete. See data quality.")
        }
        if !report.dataQuality.enrichmentFailures.isEmpty {
            warnings.append("\(report.dataQuality.enrichmentFailures.count) container(s) could not be enriched (names, images, pods may be missing).")
        }
        if !warnings.isEmpty {
            w.raw("<div class=\"warn\" role=\"note\"><strong>Read with care.</strong>")
            list(&w, warnings)
            w.raw("</div>\n")
        }
        var span = dash
        if let a = s.firstActivityNs, let b = s.lastActivityNs {
            let (d, overflow) = b.subtractingReportingOverflow(a)
            span = overflow ? dash : duration(d)
        }
        var kinds = "\(grouped(s.events)) events"
        if s.lostEvents > 0 { kinds += " (and \(grouped(s.lostEvents)) lost)" }
        facts(&w, [
            ("Case file", "<code>\(escape(report.caseFile.path))</code>"),
            ("Hosts", s.hosts.isEmpty ? dash : s.hosts.map { "<code>\(escape($0))</code>" }.joined(separator: ", ")),
            ("First activity", escape(time(s.firstActivityNs, s.firstActivity))),
            ("Last activity", escape(time(s.lastActivityNs, s.lastActivity))),
            ("Span", escape(span)),
            ("Recorded", escape(kinds)),
            ("Containers", escape("\(grouped(s.containers))" + (s.shortLivedContainers > 0 ? " (\(grouped(s.shortLivedContainers)) short-lived)" : ""))),
            ("Pods", escape(grouped(s.pods))),
            ("Verification", verificationBadge(report.caseFile.verification)),
        ])
        if !s.headlines.isEmpty {
            w.element("h3", "Notable, in short")
            list(&w, s.headlines)
        }
        if !s.countsByKind.isEmpty {
            table(&w, [("Event kind", false), ("Count", true)],
                  s.countsByKind.map { [codeCell($0.kind), escape(grouped($0.count))] },
                  caption: "Events in scope by kind", cssClass: "compact")
        }
        w.raw("</section>\n")
    }

    static func verificationBadge(_ verification: String) -> String {
        let good = isVerified(verification)
        return "<span class=\"badge \(good ? "good" : "bad")\">\(good ? "verified" : "NOT verified")</span> \(escape(verification))"
    }

    // MARK: - Scope

    static func scope(_ report: Report, _ w: inout Writer) {
        let sc = report.scope
        sectionStart(&w, "scope", "Scope and sources")
        func filter(_ values: [String]) -> String {
            values.isEmpty ? "all" : values.map { "<code>\(escape($0))</code>" }.joined(separator: ", ")
        }
        facts(&w, [
            ("Containers", filter(sc.containers)),
            ("Pods", filter(sc.pods)),
            ("Namespaces", filter(sc.namespaces)),
            ("Since", sc.sinceNs == nil && sc.since == nil ? "the beginning of the file" : escape(time(sc.sinceNs, sc.since))),
            ("Until", sc.untilNs == nil && sc.until == nil ? "the end of the file" : escape(time(sc.untilNs, sc.until))),
        ])
        w.element("h3", "Recording sessions")
        if report.sessions.isEmpty {
            w.element("p", "No recording sessions in the case file.", attributes: " class=\"note\"")
        } else {
            let rows = report.sessions.map { s -> [String] in
                var stop = s.cleanStop ? "clean stop" : "<span class=\"badge bad\">not a clean stop</span>"
                if s.endedNs == nil && s.ended == nil { stop += " (no end recorded)" }
                var recorded: [String] = []
                if let a = s.attached { recorded.append("<b>attached:</b> \(escape(a))") }
                if let n = s.notAttached { recorded.append("<b>not attached:</b> \(escape(n))") }
                if let r = s.runtimes { recorded.append("<b>runtimes:</b> \(escape(r))") }
                if let e = s.eventsRecorded { recorded.append("<b>events recorded:</b> \(escape(e))") }
                if let sc = s.scope { recorded.append("<b>scope:</b> \(escape(sc))") }
                var events = s.events.map { grouped($0) } ?? dash
                if let lost = s.lost, lost > 0 { events += " (\(grouped(lost)) lost)" }
                var warn = dash
                if let wa = s.warnings, !wa.isEmpty { warn = "<span class=\"badge bad\">warning</span> \(escape(wa))" }
                return [escape(String(s.id)), "<code>\(escape(s.host))</code><br/>\(escape(s.kernel))",
                        timeMarkup(time(s.startedNs, s.started)), timeMarkup(time(s.endedNs, s.ended)), stop, escape(events),
                        escape(s.casefileVersion), recorded.isEmpty ? dash : recorded.joined(separator: "<br/>"), warn]
            }
            table(&w, [("Session", true), ("Host and kernel", false), ("Started", false), ("Ended", false), ("Stop", false),
                       ("Events", true), ("Recorder", false), ("What was recorded", false), ("Warnings", false)], rows)
        }
        w.raw("</section>\n")
    }

    // MARK: - Workloads

    static func workloads(_ report: Report, _ w: inout Writer) {
        sectionStart(&w, "workloads", "Affected workloads")
        w.element("h3", "Containers")
        if report.containers.isEmpty {
            w.element("p", "No containers in scope.", attributes: " class=\"note\"")
        } else {
            let shortLived = report.containers.filter(\.shortLived).count
            if shortLived > 0 {
                w.element("p", "\(grouped(shortLived)) short-lived container(s) are marked: they lived briefly and may have been started to do one thing.")
            }
            let rows = report.containers.map { c -> [String] in
                var name = "<b>\(escape(containerLabel(c)))</b>"
                if c.shortLived { name += " <span class=\"badge\">short-lived</span>" }
                if c.existedAtStart { name += " <span class=\"badge good\">running at start</span>" }
                name += "<br/><code class=\"note\">\(escape(String(c.id.prefix(12))))</code>"
                var pod = dash
                if c.pod != nil || c.namespace != nil {
                    pod = (c.namespace.map { "\(escape($0))/" } ?? "") + escape(c.pod ?? c.podUID ?? "?")
                }
                let lifetime = c.lifetimeNs.map(duration) ?? (c.removedNs == nil ? "still running" : dash)
                return [name, cell(c.image), codeCell(c.imageDigest), cell(c.runtime), pod,
                        c.existedAtStart && c.createdNs == nil && c.created == nil ? "before recording" : timeMarkup(time(c.createdNs, c.created)),
                        timeMarkup(time(c.removedNs, c.removed)), escape(lifetime),
                        c.confirmed ? "yes" : "<span class=\"badge\">not confirmed</span>",
                        cell(c.enrichment), escape(grouped(c.notableEvents))]
            }
            table(&w, [("Container", false), ("Image", false), ("Digest", false), ("Runtime", false), ("Pod", false),
                       ("Created", false), ("Removed", false), ("Lifetime", false), ("Confirmed", false),
                       ("Name from", false), ("Notable", true)], rows)
            w.element("p", "Confirmed: the runtime named a process whose cgroup is the container's. Times are UTC.", attributes: " class=\"note\"")
        }
        w.element("h3", "Pods")
        if report.pods.isEmpty {
            w.element("p", "No pods in scope.", attributes: " class=\"note\"")
        } else {
            let rows = report.pods.map { p -> [String] in
                [cell(p.namespace), cell(p.name), codeCell(p.uid), codeCell(p.labels), escape(grouped(p.containers))]
            }
            table(&w, [("Namespace", false), ("Pod", false), ("UID", false), ("Labels", false), ("Containers", true)], rows)
        }
        w.raw("</section>\n")
    }

    // MARK: - Notable events

    static func notable(_ report: Report, _ w: inout Writer) {
        let n = report.notable
        sectionStart(&w, "notable", "Notable events")
        if !n.countsByCategory.isEmpty {
            table(&w, [("Category", false), ("Events", true), ("Not listed", true)], n.countsByCategory.map { c in
                let out = n.leftOut.first(where: { $0.category == c.category })?.count ?? 0
                return [swatch(c.category) + escape(c.category), escape(grouped(c.count)), out > 0 ? escape(grouped(out)) : "0"]
            }, caption: "By category", cssClass: "compact")
        }
        if !n.leftOut.isEmpty {
            let total = n.leftOut.reduce(Int64(0)) { $0 &+ $1.count }
            let each = n.leftOut.map { "\($0.category): \(grouped($0.count))" }.joined(separator: ", ")
            w.element("p", "\(grouped(total)) notable events were left out of this list (over the cap of \(grouped(n.cap))): \(each). They are counted above; query the case file for them.",
                      attributes: " class=\"warn\" id=\"notable-left-out\"")
        }
        if n.events.isEmpty {
            w.element("p", "No notable events in scope.", attributes: " class=\"note\"")
        } else {
            // In time order (stable: events at one time keep the report's order).
            let ordered = n.events.enumerated().sorted { ($0.element.timeNs, $0.offset) < ($1.element.timeNs, $1.offset) }.map(\.element)
            let rows = ordered.map { e -> [String] in
                var pod = dash
                if let p = e.pod, !p.isEmpty { pod = escape(p) }
                return ["<span class=\"mono\">\(timeMarkup(e.time))</span>", swatch(e.category) + escape(e.category), codeCell(e.kind),
                        escape(containerCell(e.container, e.containerID)), pod, e.pid.map { escape(String($0)) } ?? dash,
                        codeCell(e.comm), codeCell(e.details)]
            }
            table(&w, [("Time (UTC)", false), ("Category", false), ("Kind", false), ("Container", false), ("Pod", false),
                       ("PID", true), ("Command", false), ("Details", false)], rows)
        }
        w.raw("</section>\n")
    }

    // MARK: - Process trees, network, files

    static func processTrees(_ report: Report, _ w: inout Writer) {
        sectionStart(&w, "process-trees", "Process trees")
        if report.processTrees.isEmpty {
            w.element("p", "No processes in scope.", attributes: " class=\"note\"")
        }
        for tree in report.processTrees {
            w.raw("<h3>")
            w.text(tree.container.isEmpty ? String(tree.containerID.prefix(12)) : tree.container)
            w.raw(" <code class=\"note\">")
            w.text(String(tree.containerID.prefix(12)))
            w.raw("</code></h3>\n<div class=\"tree\">\n")
            for line in tree.lines {
                let depth = min(max(line.depth, 0), 24)
                w.raw("<div style=\"padding-left:\(coordinate(Double(depth) * 1.4))em\">")
                if depth > 0 { w.raw("<span class=\"note\">└ </span>") }
                w.raw("<span class=\"pid\">")
                w.text(line.pid.map { "[\($0)]" } ?? "[?]")
                w.raw("</span> <code>")
                w.text(line.command)
                w.raw("</code>")
                var when: [String] = []
                if let s = line.startedNs { when.append("started \(Display.utc(s))") }
                if let e = line.exitedNs { when.append("exited \(Display.utc(e))") }
                if let x = line.exit, !x.isEmpty { when.append(x) }
                if !when.isEmpty {
                    w.raw(" <span class=\"when\">")
                    w.text(when.joined(separator: " · "))
                    w.raw("</span>")
                }
                w.raw("</div>\n")
            }
            if tree.lines.isEmpty { w.element("div", "No processes recorded.", attributes: " class=\"note\"") }
            w.raw("</div>\n")
            if tree.leftOut > 0 {
                w.element("p", "\(grouped(tree.leftOut)) more process(es) of this container are not shown (over the cap).", attributes: " class=\"warn\"")
            }
        }
        w.raw("</section>\n")
    }

    static func network(_ report: Report, _ w: inout Writer) {
        sectionStart(&w, "network", "Network peers")
        if report.networkPeers.isEmpty {
            w.element("p", "No network activity in scope.", attributes: " class=\"note\"")
        } else {
            let rows = report.networkPeers.map { p -> [String] in
                [escape(containerCell(p.container, p.containerID)), codeCell(p.kind), codeCell(p.peer), cell(p.results),
                 escape(grouped(p.count)), "<span class=\"mono\">\(timeMarkup(p.first))</span>"]
            }
            table(&w, [("Container", false), ("Kind", false), ("Peer", false), ("Results", false), ("Count", true),
                       ("First (UTC)", false)], rows)
        }
        w.raw("</section>\n")
    }

    static func files(_ report: Report, _ w: inout Writer) {
        sectionStart(&w, "files", "Files written and removed")
        if report.files.isEmpty {
            w.element("p", "No file changes in scope.", attributes: " class=\"note\"")
        } else {
            let rows = report.files.map { f -> [String] in
                [escape(containerCell(f.container, f.containerID)), escape(f.action), codeCell(f.path), cell(f.results),
                 escape(grouped(f.count)), "<span class=\"mono\">\(timeMarkup(f.first))</span>"]
            }
            table(&w, [("Container", false), ("Action", false), ("Path", false), ("Results", false), ("Count", true),
                       ("First (UTC)", false)], rows)
        }
        w.raw("</section>\n")
    }

    // MARK: - Data quality

    static func dataQuality(_ report: Report, _ w: inout Writer) {
        let q = report.dataQuality
        sectionStart(&w, "data-quality", "Data quality")
        if !q.statements.isEmpty {
            w.raw("<div class=\"warn\" role=\"note\"><strong>What may be missing, and why</strong>")
            list(&w, q.statements)
            w.raw("</div>\n")
        }
        if q.lostEvents > 0 || !q.gaps.isEmpty {
            w.element("p", "\(grouped(q.lostEvents)) events were lost in \(grouped(q.gaps.count)) gap(s): the recorder could not keep up, and what happened then is not all in the file.",
                      attributes: " class=\"warn\"")
        } else {
            w.element("p", "No events were lost.", attributes: " class=\"ok\"")
        }
        if !q.gaps.isEmpty {
            table(&w, [("Time (UTC)", false), ("Lost", true), ("Reason", false)],
                  q.gaps.map { ["<span class=\"mono\">\(timeMarkup($0.at))</span>", escape(grouped($0.count)), cell($0.reason)] },
                  caption: "Gaps")
        }
        w.element("h3", "Enrichment failures")
        if q.enrichmentFailures.isEmpty {
            w.element("p", "None: every container in scope was named by its runtime.", attributes: " class=\"note\"")
        } else {
            table(&w, [("Container", false), ("ID", false), ("Error", false)], q.enrichmentFailures.map {
                [cell($0.container), codeCell($0.containerID), cell($0.error)]
            })
        }
        w.element("h3", "Periods not recorded")
        if q.unrecorded.isEmpty {
            w.element("p", "None.", attributes: " class=\"note\"")
        } else {
            table(&w, [("From (UTC)", false), ("To (UTC)", false), ("What", false)], q.unrecorded.map {
                ["<span class=\"mono\">\(timeMarkup(time($0.fromNs, $0.from)))</span>", "<span class=\"mono\">\(timeMarkup(time($0.toNs, $0.to)))</span>",
                 cell($0.what)]
            })
        }
        w.element("h3", "Schema differences")
        if q.schemaDifferences.isEmpty {
            w.element("p", "None: the file has the schema this version of casefile expects.", attributes: " class=\"note\"")
        } else {
            w.raw("<div class=\"warn\">")
            list(&w, q.schemaDifferences)
            w.raw("</div>\n")
        }
        w.raw("</section>\n")
    }

    // MARK: - Evidence and notes

    static func evidence(_ report: Report, _ w: inout Writer) {
        let f = report.caseFile
        sectionStart(&w, "evidence", "Evidence manifest")
        var verification = verificationBadge(f.verification)
        if !f.verificationProblems.isEmpty {
            verification += "<div class=\"warn\"><strong>Problems</strong><ul>"
                + f.verificationProblems.map { "<li>\(escape($0))</li>" }.joined() + "</ul></div>"
        }
        if !f.verificationNotes.isEmpty {
            verification += "<ul>" + f.verificationNotes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        }
        let command = report.generated.command.map { arg -> String in
            arg.isEmpty || arg.contains(" ") || arg.contains("'") ? "'" + arg.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'" : arg
        }.joined(separator: " ")
        facts(&w, [
            ("Case file", "<code>\(escape(f.path))</code>"),
            ("Size", escape("\(grouped(f.bytes)) bytes")),
            ("SHA-256", "<code>\(escape(f.sha256))</code>"),
            ("-wal SHA-256", f.walSha256.map { "<code>\(escape($0))</code>" } ?? "no -wal file"),
            ("Schema version", escape(String(f.schemaVersion))),
            ("Seal chain head", f.sealHead.map { "<code>\(escape($0))</code>" } ?? "no seals"),
            ("Verification", verification),
            ("How it was read", f.readNotes.isEmpty ? dash : f.readNotes.map(escape).joined(separator: "<br/>")),
            ("Sessions", report.sessions.isEmpty ? dash : report.sessions.map { escape(String($0.id)) }.joined(separator: ", ")),
            ("Report format", "<code>\(escape(report.format))</code>"),
            ("Generated at", escape(time(report.generated.atNs, report.generated.at))),
            ("Generated by", escape(report.generated.by)),
            ("Command", command.isEmpty ? dash : "<code>\(escape(command))</code>"),
        ])
        w.raw("</section>\n")
    }

    static func analystNotes(_ report: Report, _ w: inout Writer) {
        sectionStart(&w, "analyst-notes", "Analyst notes")
        w.raw("<div class=\"notes-box\">")
        w.text(report.analystNotes)
        w.raw("</div>\n</section>\n")
    }

    // MARK: - Timeline picture

    static func timelinePicture(_ report: Report, _ w: inout Writer) {
        sectionStart(&w, "timeline-picture", "Timeline")
        let picture = Timeline(report)
        w.raw("<div class=\"timeline\">\n")
        w.raw(picture.svg())
        w.raw("</div>\n")
        w.raw("<p class=\"note\">")
        w.text(picture.caption)
        w.raw("</p>\n")
        if picture.lanesLeftOut > 0 {
            w.element("p", "\(grouped(picture.lanesLeftOut)) lanes left out: the picture shows the \(grouped(picture.lanes.count)) of \(grouped(picture.lanes.count + picture.lanesLeftOut)) lanes with the most notable events; every container is in the tables.",
                      attributes: " class=\"warn\" id=\"lanes-left-out\"")
        }
        w.raw("</section>\n")
    }

    /// The swim-lane picture: geometry computed once, written as SVG.
    struct Timeline {
        struct Lane {
            var label: String
            var title: String
            var isHost = false
            var bar: (start: Int64, end: Int64)?
            var shortLived = false
            var marks: [Int] = []
            var weight = 0
            var order = 0
            /// Its index in `report.containers`.
            var container: Int?
        }

        static let width = 1120.0
        static let labelWidth = 196.0
        static let plotLeft = 206.0
        static let plotRight = width - 36
        static let axisHeight = 40.0
        static let laneHeight = 18.0
        static let labelCharacters = 26

        let report: Report
        var lanes: [Lane] = []
        var lanesLeftOut = 0
        /// The time domain drawn, or nil when the report has no times.
        var domain: (lo: Int64, hi: Int64)?
        var caption = ""

        init(_ report: Report) {
            self.report = report
            let events = report.notable.events

            // The time domain: the scope, else the activity and everything the picture draws.
            var earliest: Int64? = report.summary.firstActivityNs
            var latest: Int64? = report.summary.lastActivityNs
            func widen(_ t: Int64?) {
                guard let t else { return }
                earliest = min(earliest ?? t, t)
                latest = max(latest ?? t, t)
            }
            for e in events { widen(e.timeNs) }
            for g in report.dataQuality.gaps { widen(g.atNs) }
            for c in report.containers where !c.existedAtStart { widen(c.createdNs) }
            for c in report.containers { widen(c.removedNs) }
            let lo = report.scope.sinceNs ?? earliest ?? report.scope.untilNs
            let hi = report.scope.untilNs ?? latest ?? report.scope.sinceNs
            if var lo, var hi {
                if hi < lo { swap(&lo, &hi) }
                let (span, overflow) = hi.subtractingReportingOverflow(lo)
                if !overflow, span < 10_000_000 {
                    // A zero-length span gets a second around it, a few milliseconds get ten.
                    let window: Int64 = span < 1_000_000 ? 1_000_000_000 : 10_000_000
                    let middle = lo / 2 + hi / 2
                    lo = middle.subtractingReportingOverflow(window / 2).overflow ? middle : middle - window / 2
                    hi = lo.addingReportingOverflow(window).overflow ? .max : lo + window
                    if hi.subtractingReportingOverflow(window).overflow == false, hi - window < lo { lo = hi - window }
                }
                domain = (lo, hi)
            }

            // One lane per container, a host lane for notable events outside containers, and a
            // lane per container the events name but the container list does not hold.
            var byID: [String: Int] = [:]
            var byName: [String: Int] = [:]
            for (i, c) in report.containers.enumerated() {
                let label = HTMLReport.containerLabel(c)
                var title = label == c.id ? c.id : "\(label) (\(c.id))"
                if let image = c.image { title += " · \(image)" }
                lanes.append(Lane(label: label, title: title, shortLived: c.shortLived, weight: c.notableEvents, order: i + 1, container: i))
                if byID[c.id] == nil { byID[c.id] = i }
                if let n = c.name, !n.isEmpty, byName[n] == nil { byName[n] = i }
            }
            var host: Int?
            var unmatched: [String: Int] = [:]
            var noSuchID: Set<String> = []
            for (k, e) in events.enumerated() {
                let id = e.containerID.flatMap { $0.isEmpty ? nil : $0 }
                let name = e.container.flatMap { $0.isEmpty ? nil : $0 }
                var lane: Int?
                if let id {
                    if let known = byID[id] {
                        lane = known
                    } else if id.count >= 12, !noSuchID.contains(id) {
                        // A short id (or a longer one) of a listed container.
                        if let i = report.containers.firstIndex(where: { $0.id.hasPrefix(id) || $0.id.count >= 12 && id.hasPrefix($0.id) }) {
                            lane = i
                            byID[id] = i
                        } else {
                            noSuchID.insert(id)
                        }
                    }
                }
                if lane == nil, let name { lane = byName[name] }
                if lane == nil, id != nil || name != nil {
                    let key = id.map { "id:" + $0 } ?? "name:" + (name ?? "")
                    if let i = unmatched[key] {
                        lane = i
                    } else {
                        let label = name ?? String((id ?? "?").prefix(12))
                        lanes.append(Lane(label: label, title: "\(label) (\(id ?? "no id")) · not in the container list",
                                          order: report.containers.count + 1 + unmatched.count))
                        lane = lanes.count - 1
                        unmatched[key] = lane
                    }
                }
                if lane == nil {
                    if host == nil {
                        lanes.append(Lane(label: "host", title: "host: notable events outside any container", isHost: true, order: 0))
                        host = lanes.count - 1
                    }
                    lane = host
                }
                if let lane { lanes[lane].marks.append(k) }
            }

            // Lifetimes as bars.
            for i in lanes.indices {
                lanes[i].weight = max(lanes[i].weight, lanes[i].marks.count)
                guard let domain, !lanes[i].isHost else { continue }
                let markTimes = lanes[i].marks.map { events[$0].timeNs }
                if let ci = lanes[i].container {
                    let c = report.containers[ci]
                    let start = c.existedAtStart ? domain.lo : (c.createdNs ?? markTimes.min() ?? domain.lo)
                    var end = c.removedNs ?? report.summary.lastActivityNs ?? domain.hi
                    end = max(end, start)
                    lanes[i].bar = (start, end)
                } else if let first = markTimes.min(), let last = markTimes.max() {
                    lanes[i].bar = (first, last)
                }
            }

            // At most `maximumLanes`: the busiest, drawn in their original order (host first).
            if lanes.count > HTMLReport.maximumLanes {
                let kept = lanes.sorted { ($0.weight, -$0.order) > ($1.weight, -$1.order) }.prefix(HTMLReport.maximumLanes)
                lanesLeftOut = lanes.count - kept.count
                lanes = Array(kept)
            }
            lanes.sort { $0.order < $1.order }

            if let domain {
                let (span, overflow) = domain.hi.subtractingReportingOverflow(domain.lo)
                caption = "Times in UTC, from \(Display.utc(domain.lo)) to \(Display.utc(domain.hi))\(overflow ? "" : " (\(HTMLReport.duration(span)))"). "
                    + "One lane per container: its lifetime in scope as a bar, its notable events as marks (hover for details); "
                    + "lost-event gaps and unrecorded periods are shaded across all lanes."
            } else {
                caption = "The report holds no times: there is nothing to draw against a time axis."
            }
        }

        func x(_ t: Int64, _ domain: (lo: Int64, hi: Int64)) -> Double {
            let span = Double(domain.hi) - Double(domain.lo)
            guard span > 0, span.isFinite else { return Self.plotLeft }
            let f = (Double(t) - Double(domain.lo)) / span
            let clamped = f.isFinite ? min(max(f, 0), 1) : 0
            return Self.plotLeft + clamped * (Self.plotRight - Self.plotLeft)
        }

        /// Tick step (ns) for about 6–10 ticks, and how to label them.
        static func ticks(_ domain: (lo: Int64, hi: Int64)) -> (step: Int64, times: [Int64]) {
            let ms: Int64 = 1_000_000, s: Int64 = 1_000_000_000, m = 60 * s, h = 60 * m, d = 24 * h
            let steps: [Int64] = [1 * ms, 2 * ms, 3 * ms, 5 * ms, 10 * ms, 15 * ms, 20 * ms, 30 * ms, 50 * ms, 100 * ms, 150 * ms,
                                  200 * ms, 250 * ms, 500 * ms,
                                  s, 2 * s, 3 * s, 5 * s, 10 * s, 15 * s, 20 * s, 30 * s,
                                  m, 2 * m, 3 * m, 5 * m, 10 * m, 15 * m, 20 * m, 30 * m,
                                  h, 2 * h, 3 * h, 4 * h, 6 * h, 8 * h, 12 * h,
                                  d, 2 * d, 3 * d, 5 * d, 7 * d, 14 * d, 30 * d, 60 * d, 90 * d, 180 * d, 365 * d,
                                  730 * d, 1825 * d, 3650 * d, 7300 * d, 18250 * d, 36500 * d]
            // The finest step that puts at most ten ticks in the domain.
            func count(_ step: Int64) -> Double {
                let lo = Double(domain.lo) / Double(step), hi = Double(domain.hi) / Double(step)
                return hi.rounded(.down) - lo.rounded(.up) + 1
            }
            let step = steps.first(where: { count($0) <= 10 }) ?? steps[steps.count - 1]
            var times: [Int64] = []
            // The first multiple of the step (from the epoch, so whole minutes, hours, UTC days) in the domain.
            var t = domain.lo / step * step
            if t < domain.lo { t = t.addingReportingOverflow(step).overflow ? domain.hi : t + step }
            while t <= domain.hi, times.count < 40 {
                times.append(t)
                let (next, overflow) = t.addingReportingOverflow(step)
                if overflow { break }
                t = next
            }
            return (step, times)
        }

        func svg() -> String {
            let laneTop = Self.axisHeight
            let lanesBottom = laneTop + Double(max(lanes.count, 1)) * Self.laneHeight
            let bottomAxis = lanes.count > 20 && domain != nil
            let legendTop = lanesBottom + (bottomAxis ? 30 : 12)
            let perRow = 6
            let legendItems = legend()
            let legendRows = (legendItems.count + perRow - 1) / perRow
            let height = legendTop + Double(legendRows) * 18 + 8
            let W = Self.width
            var o = ""
            o.reserveCapacity(8_000 + lanes.count * 300 + report.notable.events.count * 260)
            o += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline-svg\" role=\"img\" width=\"\(coordinate(W))\" height=\"\(coordinate(height))\" "
            o += "viewBox=\"0 0 \(coordinate(W)) \(coordinate(height))\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"11\">\n"
            o += "<title>Timeline: \(lanes.count) lane(s), \(report.notable.events.count) notable event(s); times in UTC</title>\n"
            o += "<rect x=\"0\" y=\"0\" width=\"\(coordinate(W))\" height=\"\(coordinate(height))\" fill=\"#ffffff\"/>\n"

            // Lane backgrounds and labels.
            for i in lanes.indices {
                let y = laneTop + Double(i) * Self.laneHeight
                o += "<rect class=\"lane-bg\" x=\"0\" y=\"\(coordinate(y))\" width=\"\(coordinate(W))\" height=\"\(coordinate(Self.laneHeight))\" fill=\"\(i % 2 == 0 ? "#f6f8fa" : "#ffffff")\"/>\n"
            }
            if lanes.isEmpty {
                o += "<text x=\"\(coordinate(Self.plotLeft))\" y=\"\(coordinate(laneTop + 13))\" fill=\"#57606a\">No containers and no notable events in scope.</text>\n"
            }

            // Axis: grid lines and labels (top, and bottom too when the picture is tall).
            if let domain {
                let (step, times) = Self.ticks(domain)
                var previousDate = ""
                for t in times {
                    let tx = coordinate(x(t, domain))
                    o += "<line class=\"tick\" x1=\"\(tx)\" y1=\"\(coordinate(laneTop - 5))\" x2=\"\(tx)\" y2=\"\(coordinate(lanesBottom))\" stroke=\"#d0d7de\" stroke-width=\"1\"/>\n"
                    let (date, clock) = Self.label(t, step: step)
                    var top = ""
                    if date != previousDate { top = date; previousDate = date }
                    if !top.isEmpty {
                        o += "<text x=\"\(tx)\" y=\"13\" text-anchor=\"middle\" fill=\"#57606a\" font-size=\"10\">\(HTMLReport.escape(top))</text>\n"
                    }
                    o += "<text x=\"\(tx)\" y=\"\(coordinate(laneTop - 9))\" text-anchor=\"middle\" fill=\"#24292f\">\(HTMLReport.escape(clock))</text>\n"
                    if bottomAxis {
                        o += "<text x=\"\(tx)\" y=\"\(coordinate(lanesBottom + 14))\" text-anchor=\"middle\" fill=\"#24292f\">\(HTMLReport.escape(clock))</text>\n"
                    }
                }
                o += "<text x=\"4\" y=\"\(coordinate(laneTop - 9))\" fill=\"#57606a\" font-weight=\"bold\">UTC</text>\n"
            }
            o += "<line x1=\"\(coordinate(Self.plotLeft))\" y1=\"\(coordinate(laneTop))\" x2=\"\(coordinate(Self.plotLeft))\" y2=\"\(coordinate(lanesBottom))\" stroke=\"#8c959f\" stroke-width=\"1\"/>\n"

            // Unrecorded periods and gaps: full-height translucent bands.
            if let domain {
                for p in report.dataQuality.unrecorded {
                    let from = p.fromNs ?? domain.lo, to = p.toNs ?? domain.hi
                    guard to >= domain.lo, from <= domain.hi, to >= from else { continue }
                    let x0 = x(from, domain), x1 = x(to, domain)
                    o += "<rect class=\"unrecorded\" x=\"\(coordinate(x0))\" y=\"\(coordinate(laneTop))\" width=\"\(coordinate(max(x1 - x0, 2)))\" height=\"\(coordinate(lanesBottom - laneTop))\" fill=\"#6e7781\" fill-opacity=\"0.16\">"
                    o += "<title>Not recorded: \(HTMLReport.escape(HTMLReport.time(p.fromNs, p.from))) to \(HTMLReport.escape(HTMLReport.time(p.toNs, p.to))) — \(HTMLReport.escape(p.what))</title></rect>\n"
                }
                for g in report.dataQuality.gaps {
                    let gx = x(g.atNs, domain)
                    o += "<rect class=\"gap\" x=\"\(coordinate(gx - 2))\" y=\"\(coordinate(laneTop))\" width=\"4\" height=\"\(coordinate(lanesBottom - laneTop))\" fill=\"#d62728\" fill-opacity=\"0.22\">"
                    o += "<title>Gap at \(HTMLReport.escape(g.at)) UTC: \(HTMLReport.escape(HTMLReport.grouped(g.count))) events lost — \(HTMLReport.escape(g.reason))</title></rect>\n"
                }
            }

            // Lanes: label, lifetime bar, marks.
            let events = report.notable.events
            for (i, lane) in lanes.enumerated() {
                let y = laneTop + Double(i) * Self.laneHeight
                let mid = y + Self.laneHeight / 2
                o += "<g class=\"lane\">\n"
                o += "<text class=\"lane-label\" x=\"6\" y=\"\(coordinate(mid + 4))\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" fill=\"\(lane.isHost ? "#57606a" : "#24292f")\"\(lane.isHost ? " font-style=\"italic\"" : "")>"
                o += "<title>\(HTMLReport.escape(lane.title))</title>\(HTMLReport.escape(HTMLReport.truncated(lane.label, Self.labelCharacters)))</text>\n"
                if let domain, let bar = lane.bar {
                    let x0 = x(bar.start, domain), x1 = x(bar.end, domain)
                    let color = lane.shortLived ? "#f2b366" : "#a8c4e5"
                    var title = lane.label
                    if let ci = lane.container {
                        let c = report.containers[ci]
                        title += c.existedAtStart ? " — running at start" : " — created \(HTMLReport.time(c.createdNs, c.created))"
                        title += c.removedNs != nil || c.removed != nil ? ", removed \(HTMLReport.time(c.removedNs, c.removed))" : ", not removed in scope"
                        if let l = c.lifetimeNs { title += " (lived \(HTMLReport.duration(l)))" }
                        if c.shortLived { title += " — short-lived" }
                    } else {
                        title += " — first to last notable event"
                    }
                    o += "<rect class=\"life\(lane.shortLived ? " short-lived" : "")\" x=\"\(coordinate(x0))\" y=\"\(coordinate(y + 4))\" width=\"\(coordinate(max(x1 - x0, 2)))\" height=\"\(coordinate(Self.laneHeight - 8))\" rx=\"2\" fill=\"\(color)\" stroke=\"\(lane.shortLived ? "#c77700" : "#5b8bc4")\" stroke-width=\"0.8\">"
                    o += "<title>\(HTMLReport.escape(title))</title></rect>\n"
                }
                if let domain {
                    for k in lane.marks {
                        let e = events[k]
                        var tip = "\(e.time) UTC · \(e.category) · \(e.kind)"
                        tip += " · " + HTMLReport.containerCell(e.container, e.containerID)
                        if let pid = e.pid { tip += " · pid \(pid)" }
                        if let comm = e.comm { tip += " \(comm)" }
                        if !e.details.isEmpty { tip += " · " + HTMLReport.truncated(e.details, 400) }
                        o += Self.mark(category: e.category, x: x(e.timeNs, domain), y: mid, title: tip)
                    }
                }
                o += "</g>\n"
            }

            // Legend.
            for (j, item) in legendItems.enumerated() {
                let lx = 8 + Double(j % perRow) * 184, ly = legendTop + Double(j / perRow) * 18 + 9
                o += "<g class=\"legend\">"
                o += item.symbol(lx + 6, ly)
                o += "<text x=\"\(coordinate(lx + 16))\" y=\"\(coordinate(ly + 4))\" fill=\"#24292f\">\(HTMLReport.escape(item.label))</text></g>\n"
            }
            o += "</svg>\n"
            return o
        }

        struct LegendItem {
            var label: String
            var symbol: (Double, Double) -> String
        }

        func legend() -> [LegendItem] {
            var items: [LegendItem] = []
            items.append(LegendItem(label: "container lifetime") { x, y in
                "<rect x=\"\(coordinate(x - 6))\" y=\"\(coordinate(y - 5))\" width=\"14\" height=\"10\" rx=\"2\" fill=\"#a8c4e5\" stroke=\"#5b8bc4\" stroke-width=\"0.8\"/>"
            })
            items.append(LegendItem(label: "short-lived container") { x, y in
                "<rect x=\"\(coordinate(x - 6))\" y=\"\(coordinate(y - 5))\" width=\"14\" height=\"10\" rx=\"2\" fill=\"#f2b366\" stroke=\"#c77700\" stroke-width=\"0.8\"/>"
            })
            items.append(LegendItem(label: "events lost (gap)") { x, y in
                "<rect x=\"\(coordinate(x - 2))\" y=\"\(coordinate(y - 7))\" width=\"4\" height=\"14\" fill=\"#d62728\" fill-opacity=\"0.35\"/>"
            })
            items.append(LegendItem(label: "not recorded") { x, y in
                "<rect x=\"\(coordinate(x - 6))\" y=\"\(coordinate(y - 7))\" width=\"14\" height=\"14\" fill=\"#6e7781\" fill-opacity=\"0.25\"/>"
            })
            var names = HTMLReport.categories.map(\.name)
            for e in report.notable.events where !names.contains(e.category) { names.append(e.category) }
            for name in names {
                let label = HTMLReport.categories.first(where: { $0.name == name })?.label ?? name
                items.append(LegendItem(label: HTMLReport.truncated(label, 26)) { x, y in Self.shape(category: name, x: x, y: y) })
            }
            return items
        }

        /// A mark with its hover title.
        static func mark(category: String, x: Double, y: Double, title: String) -> String {
            let shape = Self.shape(category: category, x: x, y: y, open: true)
            return shape + "<title>\(HTMLReport.escape(title))</title>" + closing(category) + "\n"
        }

        static func closing(_ category: String) -> String {
            switch HTMLReport.style(of: category).shape {
            case .circle: "</circle>"
            case .square, .bar: "</rect>"
            case .diamond, .triangle: "</polygon>"
            case .cross: "</path>"
            }
        }

        /// The shape of a category at (x, y); `open` leaves the element open for a `<title>`.
        static func shape(category: String, x: Double, y: Double, open: Bool = false) -> String {
            let (color, shape) = HTMLReport.style(of: category)
            let end = open ? ">" : "/>"
            let cls = " class=\"mark\" data-category=\"\(HTMLReport.escape(category))\""
            let paint = " fill=\"\(color)\" stroke=\"#ffffff\" stroke-width=\"0.7\""
            let c = HTMLReport.coordinate
            switch shape {
            case .circle:
                return "<circle\(cls) cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"4\"\(paint)\(end)"
            case .square:
                return "<rect\(cls) x=\"\(c(x - 3.6))\" y=\"\(c(y - 3.6))\" width=\"7.2\" height=\"7.2\"\(paint)\(end)"
            case .bar:
                return "<rect\(cls) x=\"\(c(x - 1.5))\" y=\"\(c(y - 6.5))\" width=\"3\" height=\"13\" fill=\"\(color)\"\(end)"
            case .diamond:
                return "<polygon\(cls) points=\"\(c(x)),\(c(y - 5)) \(c(x + 5)),\(c(y)) \(c(x)),\(c(y + 5)) \(c(x - 5)),\(c(y))\"\(paint)\(end)"
            case .triangle:
                return "<polygon\(cls) points=\"\(c(x)),\(c(y - 5)) \(c(x + 5)),\(c(y + 4)) \(c(x - 5)),\(c(y + 4))\"\(paint)\(end)"
            case .cross:
                return "<path\(cls) d=\"M\(c(x - 4)) \(c(y - 4))L\(c(x + 4)) \(c(y + 4))M\(c(x + 4)) \(c(y - 4))L\(c(x - 4)) \(c(y + 4))\" stroke=\"\(color)\" stroke-width=\"2.2\" fill=\"none\"\(end)"
            }
        }

        /// The two label rows of a tick: the date (shown when it changes) and the clock.
        static func label(_ t: Int64, step: Int64) -> (date: String, clock: String) {
            let iso = Array(Display.utc(t))  // 2026-11-30T09:43:38.123456Z
            guard iso.count >= 23 else { return ("", String(iso)) }
            let date = String(iso[0..<10])
            let day: Int64 = 86_400_000_000_000
            if step >= day { return ("", date) }
            if step < 1_000_000_000 { return (date, String(iso[11..<23])) }
            if step < 60_000_000_000 { return (date, String(iso[11..<19])) }
            return (date, String(iso[11..<16]))
        }
    }
}
