import CasefileTestSupport
import Foundation
import Testing

/// `casefile report` end to end, on one real recording made by the real binary (`casefile record`
/// with enrichment): the JSON's documented shape and its facts, the Markdown of one container, the
/// HTML as headless Chromium renders it (with a screenshot kept), `--no-verify`, a bad `-o` — and
/// the case file is never changed by any of it.
///
/// The scenario (one recording, shared by the tests of this suite):
/// - `cf-rep-web-<tag>`: a long-lived busybox container labelled as pod `rep-<tag>/web-0`;
/// - `docker exec` of a shell in it that copies busybox to /tmp/x and runs it, writes
///   /etc/evil-<tag>, makes /etc/shadow 0600 and execs /bin/echo with hostile argv (`<script>`, an
///   ANSI escape, a newline, U+202E, invalid UTF-8, a quote-breaking `<img onerror>` — made by
///   printf *inside* the container, so the bytes reach execve as they are);
/// - `docker exec -u 1000 … cat /etc/shadow`: refused (EACCES);
/// - `docker run --rm cf-rep-fast-<tag> … true`: a short-lived container.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct ReportTests {
    static let baseImage = "localhost:5000/casefile/busybox:1"

    struct Scenario: Sendable {
        var dir: String
        /// The directory holding the case file and nothing else.
        var evidence: String
        var db: String
        var tag: String
        var web: String
        var fast: String
        /// SHA-256 of every file in `evidence` right after the recording stopped.
        var hashes: [String: String]

        var evilPath: String { "/etc/evil-\(tag)" }
        var pod: String { "rep-\(tag)/web-0" }
    }

    struct Failure: Error, CustomStringConvertible, Sendable {
        var description: String
    }

    /// Recorded once, by the first test that needs it.
    static let scenario: Result<Scenario, Failure> = {
        do {
            return .success(try recordReportScenario())
        } catch {
            return .failure((error as? Failure) ?? Failure(description: "\(error)"))
        }
    }()

    /// The scenario, or nil (with a failure in CI, a printed skip elsewhere) when it cannot run here.
    func recorded(sourceLocation: SourceLocation = #_sourceLocation) -> Scenario? {
        guard Requirement.root(sourceLocation: sourceLocation), Runtime.require(.docker, sourceLocation: sourceLocation) else { return nil }
        switch Self.scenario {
        case .success(let s): return s
        case .failure(let f):
            Issue.record("the scenario could not be recorded: \(f)", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: The recording

    static func recordReportScenario() throws -> Scenario {
        let started = Date()
        let tag = shortID()
        let dir = try temporaryDirectory("ReportTests").path
        let evidence = dir + "/evidence"
        try FileManager.default.createDirectory(atPath: evidence, withIntermediateDirectories: true)
        let db = evidence + "/case.db"
        let web = "cf-rep-web-\(tag)", fast = "cf-rep-fast-\(tag)"

        func must(_ command: String, _ what: String) throws -> String {
            let r = try sh(command)
            guard r.status == 0 else { throw Failure(description: "\(what) failed (\(r.status)): \(r.output)") }
            return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        defer { _ = try? sh("docker rm -f \(web) \(fast) >/dev/null 2>&1") }

        let recorder = Process()
        recorder.executableURL = URL(fileURLWithPath: CasefileCommand.binary)
        recorder.arguments = ["record", "--db", db, "--duration", "150"]  // enrichment on: names come from Docker
        let errPath = dir + "/record.stderr", outPath = dir + "/record.stdout"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        FileManager.default.createFile(atPath: outPath, contents: nil)
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        defer { try? errHandle.close(); try? outHandle.close() }
        recorder.standardError = errHandle
        recorder.standardOutput = outHandle
        try recorder.run()
        defer {
            if recorder.isRunning {
                recorder.interrupt()
                recorder.waitUntilExit()
            }
        }
        func recorderSaid() -> String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(40)
        while !recorderSaid().contains("recording into"), recorder.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        guard recorderSaid().contains("recording into") else { throw Failure(description: "the recorder did not start: \(recorderSaid())") }

        _ = try must("""
            docker run -d --name \(web) --network none --label io.kubernetes.pod.name=web-0 \
            --label io.kubernetes.pod.namespace=rep-\(tag) --label io.kubernetes.pod.uid=\(UUID().uuidString.lowercased()) \
            \(baseImage) sleep 300
            """, "docker run \(web)")
        // printf runs inside the container: the bytes reach execve as they are.
        let script = [
            "cp /bin/busybox /tmp/x", "chmod +x /tmp/x", "/tmp/x true",
            "echo evil > /etc/evil-\(tag)",
            "echo 'root:*:1:0:99999:7:::' > /etc/shadow", "chmod 0600 /etc/shadow",
            #"exec /bin/echo '<script>alert(1)</script>' "$(printf '\033[31mred')" "$(printf 'line1\nline2')" "$(printf 'rtl\342\200\256txt')" "$(printf 'bad\377\376')" "$(printf '\042\047><img src=x onerror=alert(1)>')""#,
        ].joined(separator: "; ")
        _ = try must("docker exec \(web) sh -c \(quotedWord(script))", "docker exec of the shell")
        let denied = try sh("docker exec -u 1000 \(web) cat /etc/shadow")
        guard denied.status != 0 else { throw Failure(description: "uid 1000 could read /etc/shadow: \(denied.output)") }
        _ = try must("docker run --rm --name \(fast) --network none \(baseImage) true", "docker run --rm \(fast)")

        // Until both containers are named by Docker and the short-lived one's removal is seen.
        let enriched = Date().addingTimeInterval(20)
        while Date() < enriched {
            let listing = (try? CasefileCommand.run(["containers", "--db", db, "--format", "jsonl"]))?.stdout ?? ""
            let lines = listing.split(separator: "\n")
            if lines.contains(where: { $0.contains("\"name\":\"\(web)\"") }),
               lines.contains(where: { $0.contains("\"name\":\"\(fast)\"") && !$0.contains("\"removed\":null") }) { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        Thread.sleep(forTimeInterval: 0.5)
        recorder.interrupt()
        recorder.waitUntilExit()
        guard recorder.terminationStatus == 0 else {
            throw Failure(description: "the recorder exited with \(recorder.terminationStatus): \(recorderSaid())")
        }
        let scenario = Scenario(dir: dir, evidence: evidence, db: db, tag: tag, web: web, fast: fast, hashes: try hashes(evidence))
        print("ReportTests: scenario recorded in \(String(format: "%.1f", Date().timeIntervalSince(started))) s into \(db)")
        return scenario
    }

    // MARK: The documented shape (Sources/CasefileReport/Report.swift, by hand)

    /// Every key of each object, and those of its non-optional members (always present).
    static let topKeys = ["analystNotes", "caseFile", "containers", "dataQuality", "files", "format", "generated", "networkPeers", "notable",
                          "pods", "processTrees", "scope", "sessions", "summary"]
    static let summaryKeys = ["firstActivityNs", "lastActivityNs", "firstActivity", "lastActivity", "hosts", "events", "countsByKind",
                              "containers", "shortLivedContainers", "pods", "lostEvents", "headlines"]
    static let summaryOptional: Set<String> = ["firstActivityNs", "lastActivityNs", "firstActivity", "lastActivity"]
    static let caseFileKeys = ["path", "bytes", "sha256", "walSha256", "schemaVersion", "sealHead", "verification", "verificationProblems",
                               "verificationNotes", "readNotes"]
    static let caseFileOptional: Set<String> = ["walSha256", "sealHead"]
    static let notableKeys = ["events", "cap", "countsByCategory", "leftOut"]
    static let containerKeys = ["id", "name", "runtime", "image", "imageDigest", "pod", "podUID", "namespace", "createdNs", "removedNs",
                                "created", "removed", "lifetimeNs", "existedAtStart", "confirmed", "shortLived", "enrichment", "notableEvents"]
    static let containerOptional: Set<String> = ["name", "runtime", "image", "imageDigest", "pod", "podUID", "namespace", "createdNs",
                                                 "removedNs", "created", "removed", "lifetimeNs"]
    static let notableEventKeys = ["timeNs", "time", "category", "kind", "container", "containerID", "pod", "pid", "processKey", "comm", "details"]
    static let notableEventOptional: Set<String> = ["container", "containerID", "pod", "pid", "processKey", "comm"]
    static let dataQualityKeys = ["gaps", "lostEvents", "enrichmentFailures", "unrecorded", "schemaDifferences", "statements"]

    /// The keys of `object` are the documented ones: none unknown, every non-optional one there.
    /// (Swift's encoder leaves a nil optional out rather than writing null, so an optional key
    /// may be absent.)
    func expectShape(_ object: Any?, _ name: String, _ documented: [String], optional: Set<String> = [],
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let object = object as? [String: Any] else {
            Issue.record("\(name) is an object", sourceLocation: sourceLocation)
            return
        }
        let keys = Set(object.keys), all = Set(documented)
        #expect(keys.subtracting(all).isEmpty, "\(name) has undocumented keys: \(keys.subtracting(all).sorted())", sourceLocation: sourceLocation)
        let required = all.subtracting(optional)
        #expect(required.subtracting(keys).isEmpty, "\(name) lacks keys: \(required.subtracting(keys).sorted())", sourceLocation: sourceLocation)
    }

    // MARK: 1. JSON

    @Test func jsonReportHasTheDocumentedShapeAndTheScenario() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let out = s.dir + "/r-\(shortID()).json"
        let r = try cf(["report", "--db", s.db, "-o", out])
        #expect(r.status == 0, "report -o r.json: \(r.stderr)")
        #expect(r.stderr.contains("report written to"), "it says where the report went: \(r.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect((try? FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int) == 0o600, "the report is 0600")

        // Inert bytes: valid UTF-8, no raw ESC, no raw U+202E.
        #expect(String(data: bytes, encoding: .utf8) != nil, "the JSON is valid UTF-8")
        #expect(!bytes.contains(0x1B), "no raw ESC in the JSON bytes")
        #expect(!contains(Array(bytes), [0xE2, 0x80, 0xAE]), "no raw U+202E in the JSON bytes")

        let json = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any], "the JSON parses to an object")
        #expect(json["format"] as? String == "casefile-report/1")
        #expect(Set(json.keys) == Set(Self.topKeys), "top-level keys: \(json.keys.sorted())")
        #expect(allStrings(json).allSatisfy { !$0.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" } },
                "no string of the report holds a raw ESC or U+202E once parsed")

        let summary = json["summary"] as? [String: Any]
        let caseFile = json["caseFile"] as? [String: Any]
        let notable = json["notable"] as? [String: Any]
        let containers = json["containers"] as? [[String: Any]] ?? []
        let events = notable?["events"] as? [[String: Any]] ?? []
        expectShape(summary, "summary", Self.summaryKeys, optional: Self.summaryOptional)
        expectShape(caseFile, "caseFile", Self.caseFileKeys, optional: Self.caseFileOptional)
        expectShape(notable, "notable", Self.notableKeys)
        expectShape(containers.first, "containers[0]", Self.containerKeys, optional: Self.containerOptional)
        expectShape(events.first, "notable.events[0]", Self.notableEventKeys, optional: Self.notableEventOptional)
        expectShape(json["dataQuality"], "dataQuality", Self.dataQualityKeys)
        // Every container and notable event, not only the first.
        for (i, c) in containers.enumerated() { expectShape(c, "containers[\(i)]", Self.containerKeys, optional: Self.containerOptional) }
        for (i, e) in events.enumerated() { expectShape(e, "notable.events[\(i)]", Self.notableEventKeys, optional: Self.notableEventOptional) }

        // Evidence
        #expect(caseFile?["sha256"] as? String == s.hashes["case.db"], "caseFile.sha256 is the file's SHA-256: \(caseFile?["sha256"] ?? "-") vs \(s.hashes)")
        #expect(caseFile?["verification"] as? String == "verified", "verification: \(caseFile?["verification"] ?? "-")")
        #expect((caseFile?["sealHead"] as? String).map { $0.count == 64 } == true, "a seal chain head: \(caseFile?["sealHead"] ?? "-")")
        let sessions = json["sessions"] as? [[String: Any]] ?? []
        #expect(sessions.count == 1 && bool(sessions.first?["cleanStop"]) == true, "one session, stopped cleanly: \(sessions)")

        // Workloads
        let web = containers.first { $0["name"] as? String == s.web }
        let fast = containers.first { $0["name"] as? String == s.fast }
        #expect(web != nil && fast != nil, "both containers by name: \(containers.compactMap { $0["name"] as? String })")
        #expect(bool(web?["shortLived"]) == false, "\(s.web) is not short-lived")
        #expect(web?["pod"] as? String == s.pod, "\(s.web) is in pod \(s.pod): \(web?["pod"] ?? "-")")
        #expect(bool(fast?["shortLived"]) == true, "\(s.fast) is short-lived: \(fast ?? [:])")
        #expect(int(fast?["lifetimeNs"]).map { $0 > 0 } == true, "\(s.fast) has a lifetime: \(fast?["lifetimeNs"] ?? "-")")
        #expect(int(summary?["shortLivedContainers"]).map { $0 >= 1 } == true)

        // Notable events
        func has(_ category: String, _ what: String, _ test: ([String: Any]) -> Bool) {
            #expect(events.contains { $0["category"] as? String == category && test($0) },
                    "a notable \(category) event: \(what); the \(category) events: \(clipped(events.filter { $0["category"] as? String == category }))")
        }
        func details(_ e: [String: Any]) -> String { e["details"] as? String ?? "" }
        has("shell", "the docker exec'd shell in \(s.web)") { $0["container"] as? String == s.web }
        has("exec-from-writable-place", "the exec of /tmp/x") { details($0).contains("/tmp/x") && $0["container"] as? String == s.web }
        has("sensitive-file", "the write of \(s.evilPath)") { details($0).contains(s.evilPath) }
        has("denied", "the refused read of /etc/shadow") { details($0).contains("/etc/shadow") && $0["container"] as? String == s.web }
        has("lifecycle", "\(s.web) created") { $0["kind"] as? String == "container_created" && $0["container"] as? String == s.web }
        has("lifecycle", "\(s.fast) removed") { $0["kind"] as? String == "container_removed" && $0["container"] as? String == s.fast }
        let counts = Dictionary((notable?["countsByCategory"] as? [[String: Any]] ?? []).map { ($0["category"] as? String ?? "?", int($0["count"]) ?? 0) },
                                uniquingKeysWith: +)
        for category in ["shell", "exec-from-writable-place", "sensitive-file", "denied", "lifecycle"] {
            #expect((counts[category] ?? 0) >= 1, "countsByCategory counts \(category): \(counts)")
        }

        // The hostile argv, escaped as the CLI shows it.
        // (The shell's own argv holds the script as text; the exec of /bin/echo holds the bytes printf made.)
        let hostile = events.first { $0["kind"] as? String == "exec" && details($0).hasPrefix("/bin/echo ") }
        let text = hostile.map(details) ?? ""
        #expect(hostile != nil, "the exec of /bin/echo with the hostile argv is a notable event: \(clipped(events.filter { $0["kind"] as? String == "exec" }))")
        #expect(text.contains(#"\x1B[31m"#), "the ANSI escape as text: \(text)")
        #expect(text.contains(#"\u{202E}"#), "U+202E as text: \(text)")
        #expect(text.contains(#"\xFF\xFE"#), "the invalid bytes as text: \(text)")
        #expect(text.contains(#"\n"#) && !text.contains("\n"), "the newline as text: \(text)")
        #expect(text.contains("<script>alert(1)</script>") && text.contains("><img src=x onerror=alert(1)>"),
                "the markup kept as text in the data (the formats escape it): \(text)")
        #expect(hostile?["container"] as? String == s.web, "the hostile exec is \(s.web)'s")
    }

    // MARK: 2. Markdown of one container

    @Test func markdownReportOfOneContainer() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let out = s.dir + "/r-\(shortID()).md"
        let r = try cf(["report", "--db", s.db, "--container", s.web, "-o", out])
        #expect(r.status == 0, "report --container -o r.md: \(r.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        let md = try #require(String(data: bytes, encoding: .utf8), "the Markdown is valid UTF-8")
        for heading in ["## Summary", "## Notable events", "## Data quality", "## Evidence", "## Analyst notes"] {
            #expect(md.contains("\n\(heading)\n"), "heading \(heading)")
        }
        #expect(md.contains(s.web), "the container's name")
        #expect(!bytes.contains(0x1B), "no raw ESC")
        #expect(!md.unicodeScalars.contains("\u{202E}"), "no raw U+202E")
        #expect(md.contains("&lt;script&gt;alert\\(1\\)&lt;/script&gt;"), "<script> as an entity in the notable table")
        // Outside code blocks markup is entities; inside a fenced block (the process trees) a
        // renderer shows text as it is, so it stays literal there — and no line can end the fence.
        let (prose, fenced, balanced) = splitFences(md)
        #expect(!prose.lowercased().contains("<script"), "no literal <script outside code blocks: \(lines(of: prose, containing: "<script"))")
        #expect(!prose.lowercased().contains("<img"), "no literal <img outside code blocks: \(lines(of: prose, containing: "<img"))")
        #expect(fenced.contains { $0.contains("/bin/echo <script>alert(1)</script>") },
                "the hostile exec is in \(s.web)'s process tree, as text: \(fenced.filter { $0.contains("echo") })")
        #expect(balanced, "every code block is closed")
        #expect(fenced.allSatisfy { $0.first == " " || $0.first?.isNumber == true || $0 == "?" || $0.hasPrefix("? ") },
                "every line in a code block is a tree line (indent, pid, command): \(fenced.filter { !($0.first == " " || $0.first?.isNumber == true) }.prefix(5))")

        // The notable table: only this container's rows (and lifecycle or loss rows).
        let section = md.components(separatedBy: "\n## Notable events\n").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| ") }.dropFirst()  // the header
            .map { $0.dropFirst(2).dropLast(2).components(separatedBy: " | ") }
        #expect(!rows.isEmpty, "the notable table has rows:\n\(section)")
        let strangers = rows.filter { $0.count < 4 || ($0[3] != s.web && !["lifecycle", "loss"].contains($0[1])) }
        #expect(strangers.isEmpty, "every notable row is \(s.web)'s, or lifecycle/loss: \(strangers.prefix(10))")
        #expect(rows.contains { $0.count > 1 && $0[1] == "exec-from-writable-place" }, "the exec of /tmp/x is listed")
        #expect(!md.contains(s.fast), "the other container is not in a report of \(s.web)")
    }

    // MARK: 3. HTML in Chromium

    @Test func htmlReportRendersInChromium() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let page = URL(fileURLWithPath: s.dir + "/r-\(shortID()).html")
        let r = try cf(["report", "--db", s.db, "-o", page.path])
        #expect(r.status == 0, "report -o r.html: \(r.stderr)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(!html.lowercased().contains("<script"), "no script in the file: \(lines(of: html, containing: "<script"))")
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\""), "the CSP meta")
        #expect(!html.unicodeScalars.contains("\u{1B}") && !html.unicodeScalars.contains("\u{202E}"), "no raw ESC or U+202E")

        let browser = Chromium.locate()
        guard Requirement.check(browser != nil, "chromium or chromium-browser on PATH (Debian package `chromium`)"), let browser else { return }
        let work = URL(fileURLWithPath: s.dir + "/chromium-\(shortID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let profile = work.appendingPathComponent("profile").path
        let dump = try Chromium.run(browser, ["--dump-dom", page.absoluteString], profile: profile, in: work)
        #expect(dump.status == 0, "chromium exited \(dump.status): \(dump.stderr.suffix(2_000))")
        let dom = dump.stdout
        #expect(dom.contains("</html>"), "a whole document was dumped: \(dom.prefix(300))")
        for id in ["summary", "timeline-picture", "scope", "workloads", "notable", "process-trees", "network", "files", "data-quality",
                   "evidence", "analyst-notes"] {
            #expect(dom.contains("id=\"\(id)\""), "section #\(id) in the DOM")
        }
        #expect(dom.contains(s.web) && dom.contains(s.fast), "both containers by name in the DOM")
        let lower = dom.lowercased()
        #expect(!lower.contains("<script"), "no script element in the DOM")
        #expect(!lower.contains("<img"), "no injected image element in the DOM")
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile argv is shown as text")
        for bad in Chromium.consoleTrouble {
            #expect(!dump.stderr.contains(bad), "chromium logged \(bad): \(Chromium.lines(dump.stderr, containing: bad))")
        }

        let output = try outputDirectory(fallback: work)
        let shot = output.appendingPathComponent("report-\(s.tag).png")
        try? FileManager.default.removeItem(at: shot)
        let capture = try Chromium.run(browser, ["--screenshot=\(shot.path)", "--window-size=1280,3000", "--hide-scrollbars", page.absoluteString],
                                       profile: profile, in: work)
        #expect(capture.status == 0, "chromium exited \(capture.status): \(capture.stderr.suffix(2_000))")
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(png.count > 20_000, "\(png.count) bytes: a blank page would be smaller")
        print("ReportTests: screenshot \(shot.path) (\(png.count) bytes) of \(page.path)")
    }

    // MARK: 4. --no-verify

    @Test func noVerifySaysItWasNotChecked() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let out = s.dir + "/r-\(shortID()).json"
        let r = try cf(["report", "--db", s.db, "--no-verify", "-o", out])
        #expect(r.status == 0, "report --no-verify: \(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let caseFile = json["caseFile"] as? [String: Any]
        let verification = caseFile?["verification"] as? String ?? ""
        #expect(verification.contains("not checked"), "verification says it was not checked: \(verification)")
        #expect(verification != "verified")
        #expect(caseFile?["sha256"] as? String == s.hashes["case.db"], "the SHA-256 is still given")
    }

    // MARK: 5. Bad -o

    @Test func badOutputNameIsRefused() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let out = s.dir + "/r-\(shortID()).txt"
        let r = try cf(["report", "--db", s.db, "-o", out])
        #expect(r.status != 0, "-o r.txt is refused")
        #expect(r.stderr.contains(".html") && r.stderr.contains(".md") && r.stderr.contains(".json"), "the message names the formats: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
    }

    // MARK: 6. Unchanged after all of it

    @Test func caseFileIsUnchangedByEveryReport() throws {
        guard let s = recorded() else { return }
        // Every format and filter once more, then the file's hash.
        for (args, ext) in [([], "json"), (["--container", s.web], "md"), (["--pod", s.pod], "html"), (["--no-verify"], "md")] {
            let r = try cf(["report", "--db", s.db] + args + ["-o", s.dir + "/again-\(shortID()).\(ext)"])
            #expect(r.status == 0, "report \(args) -o .\(ext): \(r.stderr)")
        }
        let now = try Self.hashes(s.evidence)
        #expect(now["case.db"] == s.hashes["case.db"], "the case file's SHA-256 is unchanged")
        #expect(now == s.hashes, "no file appeared beside it (-wal, -shm, journal): \(now.keys.sorted())")
    }

    // MARK: Helpers

    func cf(_ args: [String]) throws -> CasefileCommand.Result { try CasefileCommand.run(args) }

    /// The case file and its directory are as the recording left them.
    func expectUntouched(_ s: Scenario, sourceLocation: SourceLocation = #_sourceLocation) {
        let now = (try? Self.hashes(s.evidence)) ?? [:]
        #expect(!now.isEmpty && now == s.hashes, "the case file's directory is unchanged (SHA-256 of each file, no new file): \(now) vs \(s.hashes)",
                sourceLocation: sourceLocation)
    }

    /// SHA-256 of every file in `directory`, by name.
    static func hashes(_ directory: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let r = try sh("sha256sum \(quotedWord(directory + "/" + name))")
            result[name] = String(r.output.prefix(64))
        }
        return result
    }

    /// `$CASEFILE_TEST_OUTPUT` (created when missing), else `fallback`.
    func outputDirectory(fallback: URL) throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["CASEFILE_TEST_OUTPUT"], !path.isEmpty else { return fallback }
        let url = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A shell word for `s` (single-quoted).
private func quotedWord(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

/// Every string value in a parsed JSON document.
private func allStrings(_ value: Any) -> [String] {
    switch value {
    case let s as String: return [s]
    case let a as [Any]: return a.flatMap(allStrings)
    case let d as [String: Any]: return d.keys.map { $0 } + d.values.flatMap(allStrings)
    default: return []
    }
}

private func bool(_ value: Any?) -> Bool? {
    if let b = value as? Bool { return b }
    return (value as? NSNumber)?.boolValue
}

private func int(_ value: Any?) -> Int64? {
    switch value {
    case let v as Int: return Int64(v)
    case let v as Int64: return v
    case let v as NSNumber: return v.int64Value
    default: return nil
    }
}

private func clipped(_ objects: [[String: Any]]) -> String {
    let text = objects.map { "\($0)" }.joined(separator: "\n")
    return text.count > 3000 ? String(text.prefix(3000)) + "…" : text
}

private func lines(of text: String, containing needle: String) -> String {
    text.split(separator: "\n").filter { $0.lowercased().contains(needle) }.prefix(5).joined(separator: "\n")
}

/// Markdown split into the lines outside fenced code blocks (joined) and the lines inside them.
private func splitFences(_ md: String) -> (prose: String, fenced: [String], balanced: Bool) {
    var prose: [Substring] = [], fenced: [String] = []
    var inside = false
    for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("```") {
            inside.toggle()
            continue
        }
        if inside { fenced.append(String(line)) } else { prose.append(line) }
    }
    return (prose.joined(separator: "\n"), fenced, !inside)
}
