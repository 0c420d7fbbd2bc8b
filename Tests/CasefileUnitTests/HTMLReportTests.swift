@testable import CasefileReport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The HTML report: inert with hostile strings, well-formed, every section, a timeline that stays
/// legible from 1 to 200 lanes (and says what it left out beyond), no NaN for degenerate times.
@Suite struct HTMLReportTests {
    @Test func hostileStringsComeOutInert() throws {
        let html = HTMLReport.render(HTMLReportSamples.report(containers: 3))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<img"))
        #expect(!html.contains("</style><"), "the only </style> is the one closing the style sheet")
        #expect(html.components(separatedBy: "</style>").count == 2)
        #expect(!html.contains("]]>"))
        #expect(!html.contains("\u{202E}"))
        // Every onerror= sits in escaped text: right after the escaped `<img src=x `.
        let parts = html.components(separatedBy: "onerror=")
        #expect(parts.count > 1, "the hostile strings are shown")
        for part in parts.dropLast() { #expect(part.hasSuffix("&lt;img src=x "), "\(part.suffix(60))") }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("&amp;amp;"), "an `&amp;` in recorded text stays visible as typed")
        #expect(html.contains("\\u{202E}"))
        #expect(!html.contains("href=\"javascript"))
    }

    @Test func headHasThePolicyCharsetAndTitle() {
        let html = HTMLReport.render(HTMLReportSamples.report(containers: 1))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta charset=\"utf-8\"/>"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:; script-src &#39;none&#39;; base-uri &#39;none&#39;; form-action &#39;none&#39;\"/>"))
        #expect(html.contains("<title>Incident report — case&lt;script&gt;.db</title>"))
        #expect(html.contains("@media print"))
        #expect(html.contains("overflow-wrap:anywhere"))
        // Nothing external: no URLs but in-page anchors and the SVG namespace.
        #expect(!html.contains("src=\""), "no element loads anything")
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
    }

    @Test func everySectionIsThere() {
        for report in [HTMLReportSamples.report(containers: 3), HTMLReportSamples.empty()] {
            let html = HTMLReport.render(report)
            for id in HTMLReportSamples.sectionIDs { #expect(html.contains("<section id=\"\(id)\">"), "\(id)") }
            #expect(html.contains("<div class=\"notes-box\"></div>"))
        }
    }

    /// The whole document is well-formed XML, and holds only the elements and attributes this
    /// renderer writes: no script, no event handler, no link leaving the page.
    @Test(arguments: [0, 1, 3, 40])
    func documentIsWellFormedAndInert(_ containers: Int) throws {
        let report = containers == 0 ? HTMLReportSamples.empty() : HTMLReportSamples.report(containers: containers)
        let html = HTMLReport.render(report)
        let xml = String(html.dropFirst("<!DOCTYPE html>\n".count))
        let collector = try XMLCheck.parse(xml)
        let allowed: Set<String> = ["html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "nav", "ol",
                                    "ul", "li", "a", "main", "section", "div", "dl", "dt", "dd", "code", "span", "b", "strong", "br",
                                    "table", "caption", "thead", "tbody", "tr", "th", "td", "footer", "wbr",
                                    "svg", "rect", "line", "text", "g", "circle", "polygon", "path"]
        #expect(collector.elements.subtracting(allowed).isEmpty, "\(collector.elements.subtracting(allowed))")
        #expect(!collector.attributes.contains { $0.name.lowercased().hasPrefix("on") })
        for a in collector.attributes where a.name == "href" { #expect(a.value.hasPrefix("#"), "\(a.value)") }
        for a in collector.attributes where a.name == "style" {
            #expect(!a.value.contains("url") && !a.value.contains("expression"), "\(a.value)")
        }
    }

    /// The SVG alone is well-formed XML, every number in it finite.
    @Test(arguments: [1, 3, 200])
    func svgIsWellFormedWithFiniteNumbers(_ containers: Int) throws {
        let html = HTMLReport.render(HTMLReportSamples.report(containers: containers))
        let svg = try #require(HTMLReportSamples.svg(html))
        let collector = try XMLCheck.parse(svg)
        #expect(collector.elements.contains("svg"))
        let numeric: Set<String> = ["x", "y", "x1", "x2", "y1", "y2", "width", "height", "cx", "cy", "r", "rx"]
        for a in collector.attributes where numeric.contains(a.name) {
            #expect(Double(a.value)?.isFinite == true, "\(a.name)=\(a.value)")
        }
        for a in collector.attributes where a.name == "points" || a.name == "viewBox" {
            for n in a.value.split(whereSeparator: { $0 == " " || $0 == "," }) { #expect(Double(n)?.isFinite == true, "\(a.value)") }
        }
        #expect(HTMLReportSamples.nonFinite(html) == nil)
    }

    @Test(arguments: [1, 3, 200])
    func oneLanePerContainer(_ containers: Int) throws {
        let html = HTMLReport.render(HTMLReportSamples.report(containers: containers))
        let svg = try #require(HTMLReportSamples.svg(html))
        #expect(svg.components(separatedBy: "<g class=\"lane\">").count - 1 == containers)
        #expect(svg.components(separatedBy: "class=\"life").count - 1 == containers, "a lifetime bar each")
        #expect(!html.contains("lanes left out"))
        // Legible: the lane height is fixed, so the picture grows with the lanes.
        let height = try #require(HTMLReportSamples.svgHeight(svg))
        #expect(height >= 40 + Double(containers) * 18 && height <= 40 + Double(containers) * 18 + 120)
    }

    @Test func over200LanesTheBusiestAreShownAndTheRestCounted() throws {
        let report = HTMLReportSamples.report(containers: 250)
        let html = HTMLReport.render(report)
        let svg = try #require(HTMLReportSamples.svg(html))
        #expect(svg.components(separatedBy: "<g class=\"lane\">").count - 1 == 200)
        #expect(html.contains("50 lanes left out"))
        // The samples give container i i % 7 notable events: the quietest are the ones left out.
        let shown = report.containers.filter { svg.contains("<title>\(HTMLReport.escape($0.name!)) (") }
        #expect(shown.count == 200)
        #expect(shown.map(\.notableEvents).min()! >= report.containers.map(\.notableEvents).sorted(by: >)[199])
        _ = try XMLCheck.parse(svg)
    }

    @Test func hostEventsGetAHostLane() throws {
        var report = HTMLReportSamples.report(containers: 2)
        report.notable.events.append(.init(timeNs: HTMLReportSamples.t0 + 5_000_000_000, time: "t", category: "privilege", kind: "setuid",
                                           container: nil, containerID: nil, pod: nil, pid: 1, processKey: nil, comm: "su", details: "uid 0"))
        let svg = try #require(HTMLReportSamples.svg(HTMLReport.render(report)))
        #expect(svg.components(separatedBy: "<g class=\"lane\">").count - 1 == 3)
        #expect(svg.contains(">host</text>"))
    }

    @Test func leftOutEventsAreSaid() {
        var report = HTMLReportSamples.report(containers: 1)
        report.notable.leftOut = [.init(category: "process-start", count: 12_345), .init(category: "shell", count: 2)]
        let html = HTMLReport.render(report)
        #expect(html.contains("12,347 notable events were left out"))
        #expect(html.contains("process-start: 12,345, shell: 2"))
        report.notable.leftOut = []
        #expect(!HTMLReport.render(report).contains("were left out"))
    }

    @Test func emptyReportRenders() throws {
        let html = HTMLReport.render(HTMLReportSamples.empty())
        let svg = try #require(HTMLReportSamples.svg(html))
        _ = try XMLCheck.parse(svg)
        #expect(html.contains("No containers and no notable events in scope."))
        #expect(html.contains("nothing to draw"))
        #expect(HTMLReportSamples.nonFinite(html) == nil)
    }

    /// Degenerate times: one instant, times only in the scope, one event and no activity, a
    /// container with times far outside the scope, the extremes of Int64.
    @Test(arguments: 0..<6)
    func degenerateTimesDrawWithoutNaN(_ variant: Int) throws {
        var report = HTMLReportSamples.report(containers: 2)
        let t = HTMLReportSamples.t0
        switch variant {
        case 0:  // everything at one instant
            report.summary.firstActivityNs = t
            report.summary.lastActivityNs = t
            for i in report.notable.events.indices { report.notable.events[i].timeNs = t }
            for i in report.containers.indices { report.containers[i].createdNs = t; report.containers[i].removedNs = t }
            report.dataQuality.gaps = [.init(atNs: t, at: "t", count: 1, reason: "r")]
        case 1:  // only a scope start
            report = HTMLReportSamples.empty()
            report.scope.sinceNs = t
        case 2:  // one event, nothing else
            report = HTMLReportSamples.empty()
            report.notable.events = [.init(timeNs: t, time: "t", category: "shell", kind: "exec", container: "c", containerID: "abc",
                                           pod: nil, pid: nil, processKey: nil, comm: nil, details: "")]
        case 3:  // containers far outside the scope
            report.scope.sinceNs = t
            report.scope.untilNs = t + 60_000_000_000
            report.containers[0].createdNs = 0
            report.containers[0].removedNs = .max
            report.containers[1].createdNs = .min
        case 4:  // the extremes
            report.summary.firstActivityNs = .min
            report.summary.lastActivityNs = .max
            report.notable.events[0].timeNs = .min
            report.dataQuality.unrecorded = [.init(fromNs: .min, toNs: .max, from: nil, to: nil, what: "all")]
        default:  // until before since
            report.scope.sinceNs = t + 10_000_000_000
            report.scope.untilNs = t
        }
        let html = HTMLReport.render(report)
        #expect(HTMLReportSamples.nonFinite(html) == nil, "\(HTMLReportSamples.nonFinite(html) ?? "")")
        _ = try XMLCheck.parse(try #require(HTMLReportSamples.svg(html)))
    }

    /// Ticks: about 6–10 for spans from a millisecond to years, on round times, labelled to suit.
    @Test(arguments: [10_000_000, 60_000_000, 400_000_000, 1_000_000_000, 7_000_000_000, 45_000_000_000, 600_000_000_000, 3_600_000_000_000,
                      86_400_000_000_000, 777_600_000_000_000, 34_560_000_000_000_000] as [Int64])
    func ticksSuitTheSpan(_ span: Int64) {
        let lo = HTMLReportSamples.t0 + 123_456_789
        let (step, times) = HTMLReport.Timeline.ticks((lo, lo + span))
        #expect((6...10).contains(times.count), "span \(span): \(times.count) ticks of \(step)")
        #expect(times.allSatisfy { $0 % step == 0 && $0 >= lo && $0 <= lo + span })
        let (_, clock) = HTMLReport.Timeline.label(times[0], step: step)
        if step < 1_000_000_000 { #expect(clock.count == 12) }  // HH:MM:SS.mmm
        else if step < 60_000_000_000 { #expect(clock.count == 8) }  // HH:MM:SS
        else if step < 86_400_000_000_000 { #expect(clock.count == 5) }  // HH:MM
        else { #expect(clock.count == 10) }  // YYYY-MM-DD
    }

    @Test func escapeCoversTheFiveAndInvisibleCharacters() {
        #expect(HTMLReport.escape("<a href='x'>&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
        #expect(HTMLReport.escape("a\u{202E}b\u{1B}c\u{0}d\u{FEFF}e\u{FFFE}") == "a\\u{202E}b\\u{1B}c\\u{0}d\\u{FEFF}e\\u{FFFE}")
        #expect(HTMLReport.escape("héllo ✓ 日本") == "héllo ✓ 日本")
        #expect(HTMLReport.coordinate(.nan) == "0" && HTMLReport.coordinate(.infinity) == "0")
        #expect(HTMLReport.coordinate(-0.04) == "0" && HTMLReport.coordinate(12.25) == "12.3" && HTMLReport.coordinate(-3.5) == "-3.5")
        #expect(HTMLReport.grouped(1_234_567) == "1,234,567" && HTMLReport.grouped(-1_000) == "-1,000" && HTMLReport.grouped(12) == "12")
    }

    /// With `CASEFILE_TEST_OUTPUT` set, the sample reports are kept there to look at.
    @Test func samplesAreKeptWhenAsked() throws {
        guard let dir = ProcessInfo.processInfo.environment["CASEFILE_TEST_OUTPUT"], !dir.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for n in [0, 1, 3, 200, 250] {
            let report = n == 0 ? HTMLReportSamples.empty() : HTMLReportSamples.report(containers: n)
            try HTMLReport.render(report).write(toFile: "\(dir)/html-report-sample-\(n).html", atomically: true, encoding: .utf8)
        }
    }

    @Test func longNamesAreCutInTheLaneAndWholeInTheTitle() throws {
        var report = HTMLReportSamples.report(containers: 1)
        let long = String(repeating: "very-long-container-name-", count: 8)
        report.containers[0].name = long
        for i in report.notable.events.indices { report.notable.events[i].container = long }
        let svg = try #require(HTMLReportSamples.svg(HTMLReport.render(report)))
        #expect(svg.contains(">\(long.prefix(25))…</text>"))
        #expect(svg.contains("<title>\(long) ("))
    }
}

/// Sample reports for the HTML tests (hostile strings everywhere a host string goes).
enum HTMLReportSamples {
    static let t0: Int64 = 1_796_031_818_000_000_000  // 2026-11-30T09:43:38Z
    static let hostile = [
        "<script>alert(1)</script>",
        "\"'><img src=x onerror=alert(1)>",
        "</style><script>alert(2)</script>",
        "]]>",
        "&amp;",
        "\\u{202E}gnp.exe",
        "javascript:alert(3)",
        String(repeating: "x", count: 300),
    ]
    static let sectionIDs = ["summary", "scope", "workloads", "timeline-picture", "notable", "process-trees", "network", "files",
                             "data-quality", "evidence", "analyst-notes"]

    static func h(_ i: Int) -> String { hostile[i % hostile.count] }

    static func utc(_ ns: Int64) -> String { "t+\(Double(ns - t0) / 1e9)s" }

    /// A report of `containers` containers over ten minutes; container i has i % 7 notable events.
    static func report(containers n: Int) -> Report {
        var report = empty()
        let span: Int64 = 600_000_000_000
        report.caseFile.path = "/var/evidence/case<script>.db"
        report.caseFile.walSha256 = String(repeating: "ab", count: 32)
        report.caseFile.sealHead = String(repeating: "cd", count: 32)
        report.caseFile.verification = "tampered: " + h(0)
        report.caseFile.verificationProblems = [h(1), h(2)]
        report.caseFile.verificationNotes = [h(3)]
        report.caseFile.readNotes = ["the -wal was read with it"]
        report.generated.command = ["casefile", "report", "--db", "case <x>.db", "-o", "r.html"]
        report.scope.containers = [h(0)]
        report.summary.firstActivityNs = t0
        report.summary.lastActivityNs = t0 + span
        report.summary.firstActivity = utc(t0)
        report.summary.lastActivity = utc(t0 + span)
        report.summary.hosts = ["node-1" + h(1)]
        report.summary.events = 123_456
        report.summary.countsByKind = [.init(kind: "exec", count: 100_000), .init(kind: h(0), count: 23_456)]
        report.summary.containers = n
        report.summary.lostEvents = 42
        report.summary.headlines = ["3 shells " + h(2)]
        report.sessions = [.init(id: 1, host: "node-1" + h(0), kernel: "6.1.0", startedNs: t0 - 1_000_000_000, endedNs: t0 + span,
                                 started: utc(t0 - 1_000_000_000), ended: utc(t0 + span), cleanStop: false, events: 123_456, lost: 42,
                                 casefileVersion: "casefile 0.1.0", attached: "exec, open" + h(3), notAttached: h(1),
                                 runtimes: "docker answered", eventsRecorded: "all", scope: nil, warnings: h(2))]
        for i in 0..<n {
            let id = String(format: "%012x", i + 1) + String(repeating: "e", count: 52)
            let name = "web-\(i)-" + h(i)
            let created = t0 + Int64(i % 50) * 10_000_000_000
            let shortLived = i % 5 == 1
            let removed: Int64? = shortLived ? created + 2_000_000_000 : (i % 3 == 0 ? nil : created + 200_000_000_000)
            report.containers.append(.init(id: id, name: name, runtime: "docker", image: "img:" + h(i + 1), imageDigest: "sha256:" + h(i + 2),
                                           pod: "pod-" + h(i + 3), podUID: "uid-\(i)", namespace: "ns-" + h(i + 4), createdNs: created,
                                           removedNs: removed, created: utc(created), removed: removed.map(utc), lifetimeNs: removed.map { $0 - created },
                                           existedAtStart: i % 4 == 0, confirmed: i % 2 == 0, shortLived: shortLived,
                                           enrichment: "docker: " + h(i + 5), notableEvents: i % 7))
            let categories = ["process-start", "shell", "exec-from-writable-place", "privilege", "escape", "sensitive-file", "denied",
                              "outbound-connection", "lifecycle", "loss", "new-category" + h(i)]
            for k in 0..<(i % 7) {
                let t = created + Int64(k) * 700_000_000
                report.notable.events.append(.init(timeNs: t, time: utc(t), category: categories[(i + k) % categories.count], kind: "exec",
                                                   container: name, containerID: id, pod: "pod-" + h(i), pid: Int64(100 + k),
                                                   processKey: Int64(k), comm: "sh" + h(k), details: "argv: " + h(i + k)))
            }
            report.processTrees.append(.init(container: name, containerID: id, lines: [
                .init(depth: 0, pid: 1, processKey: 1, command: "init " + h(i), startedNs: created, exitedNs: nil, exit: nil),
                .init(depth: 1, pid: 2, processKey: 2, command: "sh -c " + h(i + 1), startedNs: created, exitedNs: created + 1, exit: "exit 1"),
                .init(depth: 2, pid: 3, processKey: 3, command: h(i + 2), startedNs: nil, exitedNs: nil, exit: h(i + 3)),
            ], leftOut: i % 2))
            report.networkPeers.append(.init(container: name, containerID: id, kind: "connect", peer: "10.0.0.\(i % 250):443" + h(i),
                                             results: "ok " + h(i + 1), count: 3, firstNs: created, first: utc(created)))
            report.files.append(.init(container: name, containerID: id, action: "written", path: "/etc/" + h(i), results: "ok",
                                      count: 1, firstNs: created, first: utc(created)))
        }
        report.notable.events.sort { $0.timeNs < $1.timeNs }
        report.notable.countsByCategory = [.init(category: "shell", count: 3), .init(category: h(0), count: 1)]
        report.notable.leftOut = [.init(category: "process-start", count: 1_000)]
        report.pods = [.init(uid: "uid-0", namespace: "ns-" + h(4), name: "pod-" + h(3), labels: "app=" + h(1) + ", tier=" + h(2), containers: n)]
        report.dataQuality = .init(gaps: [.init(atNs: t0 + 100_000_000_000, at: utc(t0 + 100_000_000_000), count: 42, reason: "ring full " + h(0))],
                                   lostEvents: 42,
                                   enrichmentFailures: [.init(containerID: "deadbeef", container: h(1), error: "timeout " + h(2))],
                                   unrecorded: [.init(fromNs: t0 + 300_000_000_000, toNs: t0 + 320_000_000_000, from: utc(t0 + 300_000_000_000),
                                                      to: utc(t0 + 320_000_000_000), what: "between sessions " + h(3))],
                                   schemaDifferences: [h(4)], statements: ["Events were lost " + h(5)])
        return report
    }

    /// No containers, no events, no times.
    static func empty() -> Report {
        Report(generated: .init(atNs: t0, at: "2026-11-30T09:43:38.000000Z", by: "casefile 0.1.0", command: []),
               caseFile: .init(path: "", bytes: 0, sha256: "", walSha256: nil, schemaVersion: 1, sealHead: nil, verification: "verified",
                               verificationProblems: [], verificationNotes: [], readNotes: []),
               scope: .init(containers: [], pods: [], namespaces: [], sinceNs: nil, untilNs: nil, since: nil, until: nil),
               summary: .init(firstActivityNs: nil, lastActivityNs: nil, firstActivity: nil, lastActivity: nil, hosts: [], events: 0,
                              countsByKind: [], containers: 0, shortLivedContainers: 0, pods: 0, lostEvents: 0, headlines: []),
               sessions: [], containers: [], pods: [],
               notable: .init(events: [], cap: 1_000, countsByCategory: [], leftOut: []),
               processTrees: [], networkPeers: [], files: [],
               dataQuality: .init(gaps: [], lostEvents: 0, enrichmentFailures: [], unrecorded: [], schemaDifferences: [], statements: []))
    }

    /// The `<svg …>…</svg>` fragment.
    static func svg(_ html: String) -> String? {
        guard let start = html.range(of: "<svg "), let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func svgHeight(_ svg: String) -> Double? {
        guard let r = svg.range(of: " height=\"") else { return nil }
        return Double(svg[r.upperBound...].prefix { $0 != "\"" })
    }

    /// A `nan`/`inf` token (what Swift prints for non-finite numbers), if any.
    static func nonFinite(_ html: String) -> String? {
        let regex = try! NSRegularExpression(pattern: "(?<![A-Za-z])(nan|NaN|-?inf|Infinity)(?![A-Za-z])")
        let ns = html as NSString
        return regex.firstMatch(in: html, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }
}

/// Parses XML, collecting element names and attributes; throws when it is not well-formed.
final class XMLCheck: NSObject, XMLParserDelegate {
    var elements: Set<String> = []
    var attributes: [(name: String, value: String)] = []

    struct NotWellFormed: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ xml: String) throws -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = check
        guard parser.parse() else {
            throw NotWellFormed(description: "line \(parser.lineNumber) column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        return check
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        elements.insert(elementName)
        for (k, v) in attributeDict { attributes.append((k, v)) }
    }
}
