import CasefileTestSupport
import Foundation
import Testing

/// The investigation CLI end to end, on one real recording: `casefile record` (with enrichment)
/// records a small attack-like scenario in real Docker containers, then every investigation
/// command reads the case file as an investigator would — filters, formats, hostile strings,
/// listings, named queries, `sql` refusals, reading as another user and while a recorder writes —
/// and the file is never changed by any of it.
///
/// The scenario (one recording, shared by the tests of this suite):
/// - `cf-inv-web-<tag>`: a long-lived busybox container, labelled as pod `inv-<tag>/web-0`, from
///   an image tag of its own (`cf-inv-<tag>/busybox:1`, so `--image` picks only it);
/// - `docker exec` of a shell in it that copies busybox to /tmp/x and runs it, writes
///   /etc/evil-<tag>, makes /etc/shadow 0600, creates a file whose name holds an ANSI escape, a
///   U+202E and an invalid byte, and execs /bin/echo with hostile argv (HTML, an ANSI escape, a
///   newline, U+202E, invalid UTF-8 — made by printf *inside* the container: Docker's exec API is
///   JSON and would turn invalid bytes into U+FFFD on the way);
/// - `docker exec -u 1000 … cat /etc/shadow`: refused (EACCES);
/// - `docker run --rm cf-inv-fast-<tag> … true`: a short-lived container;
/// - some host activity.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct InvestigationCLITests {
    /// Pushed through the local registry by scripts/runtimes.sh, so it has a real repo digest.
    static let baseImage = "localhost:5000/casefile/busybox:1"

    /// What the recording left, and the state of the case file right after it stopped.
    struct Scenario: Sendable {
        var dir: String
        /// The directory holding the case file and nothing else.
        var evidence: String
        var db: String
        var tag: String
        var podUID: String
        var web: String
        var fast: String
        var webID: String
        var image: String
        /// SHA-256 of every file in `evidence` right after the recording stopped.
        var hashes: [String: String]

        var namespace: String { "inv-\(tag)" }
        var pod: String { "inv-\(tag)/web-0" }
        var evilPath: String { "/etc/evil-\(tag)" }
    }

    struct Failure: Error, CustomStringConvertible, Sendable {
        var description: String
    }

    /// Recorded once, by the first test that needs it.
    static let scenario: Result<Scenario, Failure> = {
        do {
            return .success(try recordScenario())
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

    static func recordScenario() throws -> Scenario {
        let started = Date()
        let tag = shortID()
        let dir = try temporaryDirectory("InvestigationCLI").path
        let evidence = dir + "/evidence"
        try FileManager.default.createDirectory(atPath: evidence, withIntermediateDirectories: true)
        let db = evidence + "/case.db"
        let web = "cf-inv-web-\(tag)", fast = "cf-inv-fast-\(tag)", image = "cf-inv-\(tag)/busybox:1"
        let podUID = UUID().uuidString.lowercased()

        func must(_ command: String, _ what: String) throws -> String {
            let r = try sh(command)
            guard r.status == 0 else { throw Failure(description: "\(what) failed (\(r.status)): \(r.output)") }
            return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try must("docker tag \(baseImage) \(image)", "docker tag")
        defer { _ = try? sh("docker rm -f \(web) \(fast) >/dev/null 2>&1; docker rmi \(image) >/dev/null 2>&1") }

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

        let webID = try must("""
            docker run -d --name \(web) --network none --label io.kubernetes.pod.name=web-0 \
            --label io.kubernetes.pod.namespace=inv-\(tag) --label io.kubernetes.pod.uid=\(podUID) \(image) sleep 300
            """, "docker run \(web)")
        // printf runs inside the container: the bytes reach execve as they are.
        let script = [
            "cp /bin/busybox /tmp/x", "chmod +x /tmp/x", "/tmp/x true",
            "echo evil > /etc/evil-\(tag)",
            "echo 'root:*:1:0:99999:7:::' > /etc/shadow", "chmod 0600 /etc/shadow",
            #": > "/tmp/f$(printf '\033[31m\342\200\256\377')""#,
            #"exec /bin/echo '<script>alert(1)</script>' "$(printf '\033[31mred')" "$(printf 'line1\nline2')" "$(printf 'rtl\342\200\256txt')" "$(printf 'bad\377\376')""#,
        ].joined(separator: "; ")
        _ = try must("docker exec \(web) sh -c \(quoted(script))", "docker exec of the shell")
        let denied = try sh("docker exec -u 1000 \(web) cat /etc/shadow")
        guard denied.status != 0 else { throw Failure(description: "uid 1000 could read /etc/shadow: \(denied.output)") }
        _ = try must("docker run --rm --name \(fast) --network none \(baseImage) true", "docker run --rm \(fast)")
        _ = try must("ls / > /dev/null; cat /etc/hostname > /dev/null", "host activity")

        // Until both containers are named by Docker and the short-lived one's cgroup is gone
        // (read while the recorder writes).
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
        let scenario = Scenario(dir: dir, evidence: evidence, db: db, tag: tag, podUID: podUID, web: web, fast: fast,
                                webID: webID, image: image, hashes: try hashes(evidence))
        print("InvestigationCLITests: scenario recorded in \(String(format: "%.1f", Date().timeIntervalSince(started))) s into \(db)")
        return scenario
    }

    // MARK: 1. Timeline filters

    @Test func timelineFiltersNarrowToTheScenario() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        #expect(s.hashes.keys.sorted() == ["case.db"], "a clean stop leaves the case file alone in its directory (the -wal folded back): \(s.hashes.keys.sorted())")
        let f = try facts(s)

        let byContainer = try cf(["timeline", "--db", s.db, "--container", s.web, "--format", "jsonl"])
        #expect(byContainer.status == 0, "timeline --container: \(byContainer.stderr)")
        let rows = jsonRows(byContainer)
        #expect(rows.contains { $0.string("kind") == "exec" && $0.argv?.first == "/tmp/x" }, "the exec of /tmp/x is in the container's timeline")
        #expect(rows.contains { $0.string("kind") == "open" && ($0.string("details") ?? "").contains("open \(s.evilPath) O_WRONLY|O_CREAT") },
                "the write of \(s.evilPath) (open O_WRONLY|O_CREAT) is in the container's timeline")
        #expect(rows.contains { $0.string("kind") == "container_created" && $0.string("container") == s.web }, "container_created is in the container's timeline")
        let strangers = rows.filter { $0.string("container") != s.web && !Self.sessionKinds.contains($0.string("kind") ?? "") }
        #expect(strangers.isEmpty, "every row of --container \(s.web) is that container's (or a recording row): \(clip(strangers.map(\.text)))")

        // Every way of naming the same workload gives the same rows.
        for filter in [["--pod", "web-0"], ["--pod", s.pod], ["--pod", String(s.podUID.prefix(8))], ["--namespace", s.namespace],
                       ["--image", s.image], ["--container", String(s.webID.prefix(12))]] {
            let other = try cf(["timeline", "--db", s.db] + filter + ["--format", "jsonl"])
            #expect(other.status == 0, "timeline \(filter): \(other.stderr)")
            #expect(other.stdoutBytes == byContainer.stdoutBytes,
                    "timeline \(filter.joined(separator: " ")) gives the rows of --container \(s.web): \(jsonRows(other).count) vs \(rows.count) rows")
        }

        let process = jsonRows(try cf(["timeline", "--db", s.db, "--container", s.web, "--kind", "process", "--format", "jsonl"]))
        #expect(!process.isEmpty && process.allSatisfy { ["exec", "fork", "exit"].contains($0.string("kind") ?? "") },
                "--kind process gives only exec, fork and exit rows: \(Set(process.compactMap { $0.string("kind") }))")
        #expect(process.contains { $0.argv?.first == "/tmp/x" }, "--kind process keeps the exec of /tmp/x")

        // --since/--until: exactly one instant, then the window from the shell's exec to its echo.
        let instant = jsonRows(try cf(["timeline", "--db", s.db, "--since", f.xTime, "--until", f.xTime, "--format", "jsonl"]))
        #expect(instant.contains { $0.argv?.first == "/tmp/x" } && instant.allSatisfy { $0.int("time_ns") == f.xTimeNS },
                "--since T --until T (T = the exec of /tmp/x, \(f.xTime)) gives the rows of that nanosecond: \(clip(instant.map(\.text)))")
        let window = jsonRows(try cf(["timeline", "--db", s.db, "--container", s.web, "--since", f.shellTime, "--until", f.echoTime, "--format", "jsonl"]))
        let times = window.compactMap { $0.int("time_ns") }
        #expect(times.count == window.count && times.allSatisfy { $0 >= f.shellTimeNS && $0 <= f.echoTimeNS },
                "--since/--until bound the rows to [\(f.shellTime), \(f.echoTime)]: \(times.min() ?? 0)...\(times.max() ?? 0)")
        #expect(times.contains(f.shellTimeNS) && times.contains(f.echoTimeNS), "--since and --until are inclusive")
        #expect(window.contains { $0.argv?.first == "/tmp/x" } && window.contains { ($0.string("details") ?? "").contains(s.evilPath) },
                "the window holds the exec of /tmp/x and the write of \(s.evilPath)")
        #expect(!window.contains { $0.string("kind") == "container_created" }, "the container's creation is before the window")

        let around = jsonRows(try cf(["timeline", "--db", s.db, "--container", s.web, "--around", f.xTime, "--window", "1s", "--format", "jsonl"]))
        #expect(around.contains { $0.argv?.first == "/tmp/x" }, "--around T --window 1s holds the exec at T")
        #expect(around.allSatisfy { abs(($0.int("time_ns") ?? 0) - f.xTimeNS) <= 1_000_000_000 },
                "--around T --window 1s keeps to T ± 1 s: \(clip(around.filter { abs(($0.int("time_ns") ?? 0) - f.xTimeNS) > 1_000_000_000 }.map(\.text)))")

        // --pid: the shell alone, then with its descendants (its children's execs), never its sibling cat.
        let alone = jsonRows(try cf(["timeline", "--db", s.db, "--pid", "\(f.shellPid)", "--format", "jsonl"]))
        #expect(alone.contains { $0.string("kind") == "exec" && $0.int("pid") == f.shellPid }, "--pid \(f.shellPid) holds the shell's exec")
        #expect(!alone.contains { $0.int("pid") == f.xPid && $0.string("kind") == "exec" }, "--pid without --descendants leaves the child's exec out")
        let tree = jsonRows(try cf(["timeline", "--db", s.db, "--pid", "\(f.shellPid)", "--descendants", "--format", "jsonl"]))
        #expect(tree.contains { $0.string("kind") == "exec" && $0.int("pid") == f.xPid && $0.argv?.first == "/tmp/x" },
                "--pid \(f.shellPid) --descendants holds the child's exec of /tmp/x")
        #expect(tree.contains { $0.string("kind") == "exec" && $0.text.contains("\"argv\":[\"/bin/echo\"") }, "--descendants holds the shell's own exec of echo")
        #expect(!tree.contains { $0.int("pid") == f.catPid }, "--descendants leaves out the sibling `docker exec` (cat, pid \(f.catPid))")

        let limited = try cf(["timeline", "--db", s.db, "--limit", "5", "--format", "jsonl"])
        #expect(limited.status == 0 && jsonRows(limited).count == 5, "--limit 5 gives 5 rows: \(jsonRows(limited).count)")
        let limitedTable = try cf(["timeline", "--db", s.db, "--limit", "5", "--no-pager"])
        #expect(limitedTable.status == 0 && lines(limitedTable.stdoutBytes).count == 6, "--limit 5 as a table: a header and 5 rows:\n\(limitedTable.stdout)")
    }

    // MARK: 2. Every format

    @Test func everyFormatOfTimelineAndListings() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let listings: [(name: String, args: [String], columns: [String])] = [
            ("timeline", ["timeline", "--db", s.db, "--container", s.web], Self.timelineColumns),
            ("containers", ["containers", "--db", s.db], Self.containerColumns),
            ("ps", ["ps", "--db", s.db, "--container", s.web], Self.processColumns),
        ]
        for listing in listings {
            var results: [String: CasefileCommand.Result] = [:]
            for format in ["table", "jsonl", "csv", "timesketch"] {
                let r = try cf(listing.args + ["--format", format, "--no-pager"])
                #expect(r.status == 0, "\(listing.name) --format \(format) exits 0: \(r.stderr)")
                results[format] = r
            }
            let json = jsonRows(try #require(results["jsonl"]))
            #expect(!json.isEmpty, "\(listing.name) has rows")
            for row in json {
                if row.mayHoldInvalidUTF8 { continue }  // lone surrogates: checked byte by byte below
                guard let object = row.object else {
                    Issue.record("\(listing.name) jsonl: a line JSONSerialization cannot read: \(row.text)")
                    continue
                }
                let expected = Set(listing.columns)
                #expect(Set(object.keys).isSuperset(of: expected), "\(listing.name) jsonl carries every column; missing: \(expected.subtracting(object.keys))")
            }
            let csv = csvRecords(try #require(results["csv"]).stdoutBytes)
            #expect(csv.first.map { $0.map { String(decoding: $0, as: UTF8.self) } } == listing.columns.filter { !$0.hasSuffix("_ns") },
                    "\(listing.name) csv starts with the header: \(csv.first.map { $0.map { String(decoding: $0, as: UTF8.self) } } ?? [])")
            #expect(csv.count - 1 == json.count, "\(listing.name) csv has as many records as jsonl rows: \(csv.count - 1) vs \(json.count)")
            #expect(csv.allSatisfy { $0.count == csv.first?.count }, "\(listing.name) csv records all have \(csv.first?.count ?? 0) fields")

            let table = try #require(results["table"])
            #expect(lines(table.stdoutBytes).count == json.count + 1, "\(listing.name) table: a header and one line per row (no row breaks a line)")

            let sketch = jsonRows(try #require(results["timesketch"]))
            #expect(!sketch.isEmpty, "\(listing.name) timesketch has rows")
            for row in sketch where !row.mayHoldInvalidUTF8 {
                guard let object = row.object else {
                    Issue.record("\(listing.name) timesketch: a line JSONSerialization cannot read: \(row.text)")
                    continue
                }
                let required = ["message", "datetime", "timestamp", "timestamp_desc"]
                #expect(required.allSatisfy { object[$0] != nil }, "\(listing.name) timesketch line has \(required): \(row.text)")
                if listing.name == "timeline" {
                    let fields = ["container", "container_id", "pod", "namespace", "image_digest", "process_key"]
                    #expect(fields.allSatisfy { object.keys.contains($0) }, "timesketch line has \(fields): \(row.text)")
                }
            }
            if listing.name == "timeline" {
                #expect(sketch.count == json.count, "every timeline row has a time, so every row is in the timesketch output")
                let x = sketch.first { $0.string("timestamp_desc") == "exec" && $0.argv?.first == "/tmp/x" }
                #expect(x?.string("message") == "exec: /tmp/x true [container \(s.web)]", "the timesketch message of the exec: \(x?.text ?? "missing")")
                #expect(x?.string("container") == s.web && x?.string("pod") == s.pod && x?.string("namespace") == s.namespace
                        && x?.string("container_id") == s.webID && x?.int("process_key") != nil,
                        "the timesketch line carries container, pod, namespace, container_id and process_key: \(x?.text ?? "missing")")
                #expect(x?.string("image_digest")?.contains("sha256:") == true, "the image digest from Docker: \(x?.text ?? "missing")")
                if let x, let ns = json.first(where: { $0.int("event_id") == x.int("event_id") })?.int("time_ns") {
                    #expect(x.int("timestamp") == ns / 1000, "timestamp is the time in µs")
                }
            }
        }
    }

    // MARK: 3. Hostile strings

    @Test func hostileStringsAreEscapedInTablesAndExactInJSONAndCSV() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let rtl: [UInt8] = [0xE2, 0x80, 0xAE]
        let args = ["timeline", "--db", s.db, "--container", s.web]

        let table = try cf(args + ["--no-pager"])
        #expect(table.status == 0)
        #expect(!table.stdoutBytes.contains(0x1B), "no raw ESC reaches the terminal")
        #expect(!find(table.stdoutBytes, rtl), "no raw U+202E reaches the terminal")
        let tableLines = table.stdout.split(separator: "\n").map(String.init)
        let echo = tableLines.first { $0.contains("/bin/echo <script>") }
        #expect(echo?.contains("<script>alert(1)</script>") == true, "the <script> is shown as text")
        #expect(echo?.contains("line1") == true && echo?.contains("line2") == true, "the argv's newline does not break the line")
        // The open of the file with the hostile name: escaped once.
        let open = tableLines.first { $0.contains(" open ") && $0.contains("/tmp/f") }
        #expect(open?.contains(#"open /tmp/f\x1B[31m\u{202E}\xFF O_WRONLY|O_CREAT|O_TRUNC"#) == true,
                #"the hostile file name is escaped once (\x1B, \u{202E}, \xFF): \#(open ?? "missing")"#)
        // The exec's details: the argv escaped once, as the README shows it (`\x1B`, `\n`, `\u{202E}`).
        let expectedEcho = #"/bin/echo <script>alert(1)</script> \x1B[31mred line1\nline2 rtl\u{202E}txt bad\xFF\xFE"#
        #expect(echo?.hasSuffix(expectedEcho) == true,
                #"timeline table: the hostile argv is escaped once, ending "\#(expectedEcho)"; got: \#(echo ?? "missing") — exec details are rendered by Display.commandLine (escaped) and escaped again by the table (\\x1B, \\xFF)"#)
        let ps = try cf(["ps", "--db", s.db, "--container", s.web, "--no-pager"])
        #expect(!ps.stdoutBytes.contains(0x1B) && !find(ps.stdoutBytes, rtl), "ps: no raw ESC or U+202E")
        let psEcho = ps.stdout.split(separator: "\n").first { $0.contains("/bin/echo <script>") }.map(String.init)
        #expect(psEcho?.hasSuffix(expectedEcho) == true, #"ps table: the command is escaped once; got: \#(psEcho ?? "missing")"#)
        let tree = try cf(["tree", "--db", s.db, "--container", s.web, "--no-pager"])
        #expect(tree.status == 0 && !tree.stdoutBytes.contains(0x1B) && !find(tree.stdoutBytes, rtl), "tree: no raw ESC or U+202E")

        // jsonl: the exact argv; invalid bytes as lone surrogates; one line per row.
        let jsonl = try cf(args + ["--format", "jsonl"])
        // U+202E as \u202e: the same text, nothing for a JSON reader to drop or obey
        let argvJSON = Array(#"["/bin/echo","<script>alert(1)</script>","\u001b[31mred","line1\nline2","rtl\u202etxt","bad\udcff\udcfe"]"#.utf8)
        let echoLine = jsonRows(jsonl).first { find($0.raw, Array(#""argv":["/bin/echo""#.utf8)) }
        #expect(echoLine.map { find($0.raw, Array(#""argv":"#.utf8) + argvJSON) } == true,
                "jsonl argv holds the exact strings, invalid bytes as \\udcff\\udcfe: \(echoLine?.text ?? "missing")")
        #expect(echoLine.map { !$0.raw.contains(0x1B) && !$0.raw.contains(0x0A) } == true, "jsonl escapes ESC and newline")
        let openJSON = Array(#""details":"open /tmp/f\u001b[31m\u202e\udcff O_WRONLY|O_CREAT|O_TRUNC"#.utf8)
        #expect(find(jsonl.stdoutBytes, openJSON), "jsonl details of the open: the path's exact text (\\u001b, \\u202e, \\udcff)")
        #expect(!find(jsonl.stdoutBytes, rtl), "jsonl: no raw U+202E")
        // JSON readers that refuse lone surrogates still read every other line.
        for row in jsonRows(jsonl) where !row.mayHoldInvalidUTF8 {
            #expect(row.object != nil, "jsonl line parses: \(row.text)")
        }

        // csv: the exact bytes (the path as recorded; argv as the JSON array of the jsonl).
        let csv = try cf(args + ["--format", "csv"])
        let path = Array("/tmp/f".utf8) + [0x1B] + Array("[31m".utf8) + rtl + [0xFF]
        #expect(find(csv.stdoutBytes, Array("open ".utf8) + path + Array(" O_WRONLY".utf8)), "csv holds the file name's exact bytes")
        let records = csvRecords(csv.stdoutBytes)
        let argvIndex = records.first?.firstIndex(of: Array("argv".utf8))
        let echoRecord = records.first { record in argvIndex.map { $0 < record.count && record[$0].starts(with: Array(#"["/bin/echo""#.utf8)) } ?? false }
        #expect(echoRecord.flatMap { record in argvIndex.map { record[$0] } } == argvJSON, "csv argv is the JSON array, exactly")
    }

    // MARK: 4. Listings

    @Test func listingsShowTheScenario() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let f = try facts(s)

        let containers = jsonRows(try cf(["containers", "--db", s.db, "--format", "jsonl"]))
        let web = containers.first { $0.string("name") == s.web }
        #expect(web?.string("container_id") == s.webID && web?.string("runtime") == "docker" && web?.string("image") == s.image
                && web?.string("pod") == s.pod && web?.string("namespace") == s.namespace && web?.string("pod_uid") == s.podUID,
                "containers lists \(s.web) with runtime, image and pod: \(web?.text ?? "missing")")
        #expect(web?.object?["removed"] is NSNull, "the long-lived container was not removed while recording")
        let fast = containers.first { $0.string("name") == s.fast }
        let created = fast?.int("created_ns"), removed = fast?.int("removed_ns"), lifetime = fast?.int("lifetime")
        #expect(created != nil && removed != nil && lifetime != nil && lifetime == (removed ?? 0) - (created ?? 0) && (lifetime ?? 0) > 0,
                "containers lists \(s.fast) with created, removed and its lifetime: \(fast?.text ?? "missing")")
        let onlyFast = jsonRows(try cf(["containers", "--db", s.db, "--container", s.fast, "--format", "jsonl"]))
        #expect(onlyFast.map { $0.string("name") } == [s.fast], "containers --container \(s.fast)")
        let inNamespace = jsonRows(try cf(["containers", "--db", s.db, "--namespace", s.namespace, "--format", "jsonl"]))
        #expect(inNamespace.map { $0.string("name") } == [s.web], "containers --namespace \(s.namespace)")

        let pods = jsonRows(try cf(["pods", "--db", s.db, "--namespace", s.namespace, "--format", "jsonl"]))
        #expect(pods.count == 1 && pods.first?.string("name") == "web-0" && pods.first?.string("uid") == s.podUID
                && pods.first?.int("containers") == 1, "pods --namespace \(s.namespace): \(clip(pods.map(\.text)))")
        #expect(jsonRows(try cf(["pods", "--db", s.db, "--format", "jsonl"])).contains { $0.string("uid") == s.podUID }, "pods lists the pod")

        let cgroups = jsonRows(try cf(["cgroups", "--db", s.db, "--container", s.web, "--format", "jsonl"]))
        #expect(!cgroups.isEmpty && cgroups.allSatisfy { $0.string("container") == s.web && $0.string("path") == "/docker/\(s.webID)" },
                "cgroups --container: the container's cgroup(s): \(clip(cgroups.map(\.text)))")
        let allCgroups = try cf(["cgroups", "--db", s.db, "--no-pager"])
        #expect(allCgroups.status == 0 && allCgroups.stdout.contains(s.fast), "cgroups lists the short-lived container's cgroup too")

        let ps = jsonRows(try cf(["ps", "--db", s.db, "--container", s.web, "--format", "jsonl"]))
        let pids = Set(ps.compactMap { $0.int("pid") })
        #expect(pids.isSuperset(of: [f.shellPid, f.xPid, f.catPid]), "ps --container lists the shell, /tmp/x and cat: \(pids)")
        #expect(ps.allSatisfy { $0.string("container") == s.web }, "every ps row is the container's")
        #expect(ps.first { $0.int("pid") == f.xPid }?.string("command") == "/tmp/x true", "ps: the command of /tmp/x")
        #expect(ps.first { $0.int("pid") == f.catPid }?.int("uid") == 1000, "ps: cat ran as uid 1000")

        let tree = jsonRows(try cf(["tree", "--db", s.db, "--container", s.web, "--format", "jsonl"]))
        let shell = tree.first { $0.int("pid") == f.shellPid }
        let child = tree.first { $0.int("pid") == f.xPid }
        #expect(shell?.string("relation") == "root", "tree: the exec'd shell is a root of the container (its parent is outside)")
        #expect(child?.string("relation") == "descendant" && child?.int("depth") == 1 && child?.int("parent_key") == shell?.int("process_key"),
                "tree: /tmp/x is the shell's child: \(child?.text ?? "missing")")
        let treeTable = try cf(["tree", "--db", s.db, "--container", s.web, "--no-pager"])
        #expect(treeTable.stdout.split(separator: "\n").contains { ($0.contains("└─ \(f.xPid) ") || $0.contains("├─ \(f.xPid) ")) && $0.contains("/tmp/x true") },
                "tree table draws /tmp/x under the shell:\n\(treeTable.stdout)")
    }

    // MARK: 5. Named queries

    @Test func everyNamedQueryRunsAndTheScenarioShows() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let f = try facts(s)

        let list = try cf(["query", "--list", "--format", "jsonl"])
        let names = jsonRows(list).compactMap { $0.string("name") }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/queries"))?.filter { $0.hasSuffix(".sql") } ?? []
        #expect(list.status == 0 && names.count == files.count && !names.isEmpty, "query --list names every file of queries/: \(names) vs \(files)")
        var results: [String: [JSONRow]] = [:]
        for name in names {
            let r = try cf(["query", "--db", s.db, name, "--format", "jsonl"])
            #expect(r.status == 0, "query \(name) exits 0: \(r.stderr)")
            results[name] = jsonRows(r)
            for row in results[name] ?? [] where !row.mayHoldInvalidUTF8 {
                #expect(row.object != nil, "query \(name): a jsonl line parses: \(row.text)")
            }
        }
        for name in Self.scenarioQueries {
            #expect(names.contains(name), "query --list has \(name)")
            let table = try cf(["query", "--db", s.db, name, "--no-pager"])
            #expect(table.status == 0 && !table.stdoutBytes.contains(0x1B) && !find(table.stdoutBytes, [0xE2, 0x80, 0xAE]),
                    "query \(name) as a table: exit 0, no raw ESC or U+202E")
        }
        func rows(_ name: String) -> [JSONRow] { results[name] ?? [] }

        let shell = rows("shells-in-containers").first { $0.int("pid") == f.shellPid }
        #expect(shell?.string("container") == s.web && shell?.string("pod") == s.pod && shell?.string("shell") == "sh"
                && shell?.int("parent_outside") == 1 && shell?.string("command")?.contains("cp /bin/busybox /tmp/x") == true,
                "shells-in-containers: the exec'd sh in \(s.web), entered from outside: \(shell?.text ?? clip(rows("shells-in-containers").map(\.text)))")
        let scoped = jsonRows(try cf(["query", "--db", s.db, "shells-in-containers", "--param", "container=\(s.web)", "--format", "jsonl"]))
        #expect(!scoped.isEmpty && scoped.allSatisfy { $0.string("container") == s.web }, "shells-in-containers --param container=\(s.web)")

        let writable = rows("exec-from-writable-places").first { $0.string("path") == "/tmp/x" }
        #expect(writable?.string("container") == s.web && writable?.string("place") == "/tmp" && writable?.string("what") == "exec"
                && writable?.int("pid") == f.xPid, "exec-from-writable-places: /tmp/x in \(s.web): \(writable?.text ?? "missing")")

        let evil = rows("sensitive-file-writes").first { $0.string("path") == s.evilPath }
        #expect(evil?.string("container") == s.web && evil?.string("action") == "open"
                && evil?.string("detail")?.hasPrefix("O_WRONLY|O_CREAT") == true && evil?.string("result")?.hasPrefix("fd ") == true,
                "sensitive-file-writes: \(s.evilPath) written in \(s.web): \(evil?.text ?? "missing")")

        let dropped = rows("new-binaries-executed").first { $0.string("filename") == "/tmp/x" && $0.string("container") == s.web }
        #expect(dropped?.int("pid") == f.xPid && dropped?.string("made_by")?.contains("O_CREAT") == true,
                "new-binaries-executed: /tmp/x, written then executed: \(dropped?.text ?? clip(rows("new-binaries-executed").map(\.text)))")

        let refused = rows("denied-accesses").first { $0.string("container") == s.web && ($0.string("target") ?? "").hasPrefix("/etc/shadow") }
        #expect(refused?.string("kind") == "open" && refused?.string("error") == "EACCES" && refused?.string("comms")?.contains("cat") == true,
                "denied-accesses: /etc/shadow refused to uid 1000 with EACCES: \(refused?.text ?? clip(rows("denied-accesses").map(\.text)))")

        let short = rows("short-lived-containers")
        let fast = short.first { $0.string("name") == s.fast }
        #expect(fast?.string("runtime") == "docker" && (fast?.double("lived_ms") ?? 0) > 0 && (fast?.int("execs") ?? 0) >= 1
                && fast?.int("existed_at_start") == 0, "short-lived-containers: \(s.fast): \(fast?.text ?? clip(short.map(\.text)))")
        #expect(!short.contains { $0.string("name") == s.web }, "the long-lived container is not short-lived")

        let entered = rows("entered-from-outside").filter { $0.string("container") == s.web }
        let enteredShell = entered.first { $0.int("pid") == f.shellPid }
        #expect(enteredShell?.string("parent_in") == "(host)" && enteredShell?.string("command")?.hasPrefix("sh -c ") == true,
                "entered-from-outside: the docker exec'd shell: \(enteredShell?.text ?? clip(entered.map(\.text)))")
        #expect(entered.contains { $0.int("pid") == f.catPid && $0.int("uid") == 1000 }, "entered-from-outside: the docker exec'd cat as uid 1000")
        #expect(!entered.contains { $0.string("command") == "sleep 300" }, "the container's entry point is not 'entered from outside'")

        let health = rows("recording-health")
        #expect(health.count == 1 && health.first?.int("session") == 1 && health.first?.int("clean_shutdown") == 1
                && health.first?.int("lost") == 0 && health.first?.string("problems") == "none",
                "recording-health: one session, stopped cleanly, nothing lost: \(clip(health.map(\.text)))")

        let commands = jsonRows(try cf(["query", "--db", s.db, "container-commands", "--param", "container=\(s.web)", "--format", "jsonl"]))
        let programs = Set(commands.compactMap { $0.string("filename") })
        #expect(programs.isSuperset(of: ["/bin/sleep", "/bin/sh", "/tmp/x", "/bin/echo", "/bin/cat"]), "container-commands: what ran in \(s.web): \(programs)")
        #expect(commands.allSatisfy { $0.string("container") == s.web && $0.string("pod") == s.pod }, "container-commands --param container: only \(s.web)")
        #expect(rows("container-commands").contains { $0.string("container") == s.fast && $0.string("filename") == "/bin/true" },
                "container-commands: the short-lived container's true")
    }

    // MARK: 6. sql only reads; nothing changes the file

    @Test func sqlRefusesAnythingButReading() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let attached = s.dir + "/attached.db"
        let refused = ["DELETE FROM events", "CREATE TEMP TABLE t(x)", "ATTACH '\(attached)' AS x", "PRAGMA user_version = 9",
                       "SELECT 1; SELECT 2", "UPDATE sessions SET clean_shutdown = 1", "DROP TABLE events", "PRAGMA journal_mode = DELETE"]
        for statement in refused {
            let r = try cf(["sql", "--db", s.db, statement])
            #expect(r.status != 0 && r.stdout.isEmpty, "sql refuses \(statement): \(r.status) \(r.stdout)")
            #expect(r.stderr.contains("refused") || r.stderr.contains("one statement"), "sql says why it refuses \(statement): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: attached), "ATTACH made no file")
        let count = jsonRows(try cf(["sql", "--db", s.db, "SELECT count(*) AS n FROM events", "--format", "jsonl"]))
        #expect((count.first?.int("n") ?? 0) > 0, "sql runs a SELECT: \(clip(count.map(\.text)))")
        let named = jsonRows(try cf(["sql", "--db", s.db, "SELECT name FROM containers WHERE name = :n", "--param", "n=\(s.web)", "--format", "jsonl"]))
        #expect(named.map { $0.string("name") } == [s.web], "sql binds --param")
        let info = try cf(["info", "--db", s.db])
        #expect(info.status == 0 && info.stdout.contains("#1 ") && !info.stdout.contains("#2 ") && !info.stdout.contains("NOT a clean shutdown"),
                "info: one session, clean: \(info.stdout)")
        let verify = try cf(["verify", "--db", s.db])
        #expect(verify.status == 0, "verify: the seals still hold: \(verify.stdout)")
    }

    // MARK: 7. Read-only, as another user

    @Test func anotherUserReadsACopyWithoutChangingIt() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let binary = try nobodysBinary(s)
        defer { try? FileManager.default.removeItem(atPath: s.dir + "/bin") }
        let copy = s.dir + "/copy-\(shortID())"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        for name in s.hashes.keys {
            try FileManager.default.copyItem(atPath: s.evidence + "/" + name, toPath: copy + "/" + name)
            #expect(chmod(copy + "/" + name, 0o644) == 0)
        }
        #expect(chmod(copy, 0o555) == 0)
        defer { _ = chmod(copy, 0o755) }
        let before = try Self.hashes(copy)
        let readDirs = casefileReadDirectories()
        let r = try sh("su nobody -s /bin/sh -c 'TMPDIR=/tmp \(binary) timeline --db \(copy)/case.db --limit 3 --no-pager'")
        #expect(r.status == 0, "nobody reads the copy: \(r.output)")
        #expect(r.output.contains("TIME") && r.output.split(separator: "\n").filter { $0.hasPrefix("20") }.count == 3,
                "the header and the first 3 rows of the timeline:\n\(r.output)")
        #expect(try Self.hashes(copy) == before, "the read left the copy's directory byte-identical (no -shm, -wal or journal)")
        #expect(casefileReadDirectories() == readDirs, "nothing was left in /tmp")
    }

    // MARK: 8. While a recorder writes

    @Test func readingWhileRecordingAndAnotherUsersCopyOfTheWAL() throws {
        guard let s = recorded() else { return }
        defer { expectUntouched(s) }
        let dir = s.dir + "/live-\(shortID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let db = dir + "/live.db"
        let recorder = try CasefileCommand.startRecording(db: db, duration: 120)
        defer {
            if recorder.isRunning {
                recorder.interrupt()
                recorder.waitUntilExit()
            }
        }
        var info = try cf(["info", "--db", db])
        let deadline = Date().addingTimeInterval(40)
        while !info.stdout.contains("Events from"), recorder.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            info = try cf(["info", "--db", db])
        }
        try #require(info.stdout.contains("Events from"), "the second recording wrote events: \(info.stdout) \(info.stderr)")
        #expect(recorder.isRunning, "the recorder is still writing")
        let timeline = try cf(["timeline", "--db", db, "--limit", "5", "--format", "jsonl"])
        #expect(timeline.status == 0 && jsonRows(timeline).count == 5, "timeline while recording: \(timeline.stderr)")
        #expect(timeline.stderr.contains("-wal holds"), "timeline says it read the -wal: \(timeline.stderr)")
        info = try cf(["info", "--db", db])
        #expect(info.status == 0 && info.stdout.contains("not ended (recording"), "info while recording: \(info.stdout)")
        #expect(info.stderr.contains("-wal holds"), "info says it read the -wal: \(info.stderr)")

        // A copy of the file and its -wal (taken with the recorder paused: a consistent pair), in
        // a directory another user cannot write: read through a private copy that is then removed.
        let copy = dir + "/ro"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        kill(recorder.processIdentifier, SIGSTOP)
        var copied = true
        for name in ["live.db", "live.db-wal"] {
            do { try FileManager.default.copyItem(atPath: dir + "/" + name, toPath: copy + "/" + name) } catch { copied = false }
        }
        kill(recorder.processIdentifier, SIGCONT)
        try #require(copied, "copied the live file and its -wal")
        for name in ["live.db", "live.db-wal"] { #expect(chmod(copy + "/" + name, 0o644) == 0) }
        #expect(chmod(copy, 0o555) == 0)
        defer { _ = chmod(copy, 0o755) }
        let before = try Self.hashes(copy)
        let readDirs = casefileReadDirectories()
        let binary = try nobodysBinary(s)
        defer { try? FileManager.default.removeItem(atPath: s.dir + "/bin") }
        let r = try sh("su nobody -s /bin/sh -c 'TMPDIR=/tmp \(binary) timeline --db \(copy)/live.db --limit 3 --no-pager'")
        #expect(r.status == 0, "nobody reads the copy with its -wal: \(r.output)")
        #expect(r.output.contains("-wal holds") && r.output.contains("private copy"), "it says it read the -wal, from a private copy: \(r.output)")
        #expect(try Self.hashes(copy) == before, "the copy's directory is byte-identical afterwards")
        #expect(casefileReadDirectories() == readDirs, "the private copy is gone from /tmp")

        recorder.interrupt()
        recorder.waitUntilExit()
        #expect(recorder.terminationStatus == 0, "the second recorder stops cleanly")
        let after = try cf(["info", "--db", db])
        #expect(after.status == 0 && !after.stdout.contains("NOT a clean shutdown"), "the reads did not disturb the recording: \(after.stdout)")
    }

    // MARK: Helpers

    static let sessionKinds: Set<String> = ["recording_started", "recording_stopped", "events_lost"]
    static let scenarioQueries = ["shells-in-containers", "exec-from-writable-places", "sensitive-file-writes", "new-binaries-executed",
                                  "denied-accesses", "short-lived-containers", "entered-from-outside", "recording-health", "container-commands"]
    static let timelineColumns = ["time", "time_ns", "kind", "pid", "ppid", "comm", "container", "pod", "details", "event_id", "session",
                                  "process_key", "container_id", "pod_uid", "namespace", "image", "image_digest", "cgroup_path", "argv", "argv_truncated"]
    static let containerColumns = ["id", "name", "runtime", "image", "pod", "created", "created_ns", "removed", "removed_ns", "lifetime", "state",
                                   "enrichment", "container_id", "image_digest", "pod_uid", "namespace", "labels", "cgroup_path",
                                   "first_seen", "first_seen_ns", "started", "started_ns"]
    static let processColumns = ["pid", "ppid", "started", "started_ns", "exited", "exited_ns", "exit", "uid", "container", "comm", "command",
                                 "process_key", "parent_key", "exe", "argv", "container_id", "pod", "session", "existed_at_start"]

    /// Pids and times of the scenario's processes, from the container's timeline.
    struct Facts {
        var shellPid: Int64, xPid: Int64, catPid: Int64
        var xTime: String, xTimeNS: Int64
        var shellTime: String, shellTimeNS: Int64
        var echoTime: String, echoTimeNS: Int64
    }

    func facts(_ s: Scenario) throws -> Facts {
        let r = try cf(["timeline", "--db", s.db, "--container", s.web, "--kind", "exec", "--format", "jsonl"])
        let rows = jsonRows(r)
        let shell = try #require(rows.first { $0.argv?.count == 3 && $0.argv?.first == "sh" && $0.argv?[2].hasPrefix("cp /bin/busybox /tmp/x") == true },
                                 "the exec of the docker exec'd shell: \(clip(rows.map(\.text)))")
        let x = try #require(rows.first { $0.argv?.first == "/tmp/x" }, "the exec of /tmp/x")
        let cat = try #require(rows.first { $0.argv == ["cat", "/etc/shadow"] }, "the exec of cat /etc/shadow")
        let echo = try #require(rows.first { find($0.raw, Array(#""argv":["/bin/echo""#.utf8)) }, "the exec of /bin/echo")
        return Facts(shellPid: try #require(shell.int("pid")), xPid: try #require(x.int("pid")), catPid: try #require(cat.int("pid")),
                     xTime: try #require(x.string("time")), xTimeNS: try #require(x.int("time_ns")),
                     shellTime: try #require(shell.string("time")), shellTimeNS: try #require(shell.int("time_ns")),
                     echoTime: try #require(echo.string("time")), echoTimeNS: try #require(echo.int("time_ns")))
    }

    func cf(_ args: [String]) throws -> CasefileCommand.Result { try CasefileCommand.run(args) }

    /// The case file and its directory are as the recording left them.
    func expectUntouched(_ s: Scenario, sourceLocation: SourceLocation = #_sourceLocation) {
        let now = (try? Self.hashes(s.evidence)) ?? [:]
        #expect(!now.isEmpty && now == s.hashes, "the case file's directory is unchanged by every command (SHA-256 of each file, no new file): \(now) vs \(s.hashes)",
                sourceLocation: sourceLocation)
    }

    /// SHA-256 of every file in `directory`, by name.
    static func hashes(_ directory: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let r = try sh("sha256sum \(quoted(directory + "/" + name))")
            result[name] = String(r.output.prefix(64))
        }
        return result
    }

    /// /tmp's `casefile-read-*` directories (private copies of a case file and its -wal).
    func casefileReadDirectories() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("casefile-read-") })
    }

    /// The casefile binary where `nobody` can run it (a 0755 copy when the build folder is closed to it).
    func nobodysBinary(_ s: Scenario) throws -> String {
        if try sh("su nobody -s /bin/sh -c 'test -x \(CasefileCommand.binary)'").status == 0 { return CasefileCommand.binary }
        let dir = s.dir + "/bin"
        let copy = dir + "/casefile"
        if !FileManager.default.fileExists(atPath: copy) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CasefileCommand.binary, toPath: copy)
            _ = chmod(dir, 0o755)
            _ = chmod(copy, 0o755)
        }
        return copy
    }
}

/// A shell word for `s` (single-quoted).
private func quoted(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

private func clip(_ lines: [String]) -> String {
    let text = lines.joined(separator: "\n")
    return text.count > 3000 ? String(text.prefix(3000)) + "…" : text
}

private func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: 0x0A)
}

/// Whether `needle` occurs in `haystack`.
private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard let first = needle.first, needle.count <= haystack.count else { return needle.isEmpty }
    var i = 0
    while i <= haystack.count - needle.count {
        if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}

/// One line of jsonl output: its bytes, and the object when JSONSerialization reads it.
private struct JSONRow {
    var raw: [UInt8]
    var object: [String: Any]?

    var text: String { String(decoding: raw, as: UTF8.self) }
    /// Lone surrogates (`\udcXX`) stand for invalid UTF-8: a strict JSON reader may refuse the line.
    var mayHoldInvalidUTF8: Bool { find(raw, Array(#"\udc"#.utf8)) }
    var argv: [String]? { object?["argv"] as? [String] }

    func string(_ key: String) -> String? {
        if let object { return object[key] as? String }
        return rawValue(key).flatMap { $0.hasPrefix("\"") ? String($0.dropFirst().dropLast()) : nil }
    }

    func int(_ key: String) -> Int64? {
        if let object {
            switch object[key] {
            case let v as Int: return Int64(v)
            case let v as Int64: return v
            case let v as NSNumber: return v.int64Value
            default: return nil
            }
        }
        return rawValue(key).flatMap { Int64($0) }
    }

    func double(_ key: String) -> Double? {
        switch object?[key] {
        case let v as Double: return v
        case let v as Int: return Double(v)
        case let v as NSNumber: return v.doubleValue
        default: return nil
        }
    }

    /// The raw JSON of a simple member (a string with its quotes, or a number) of a line that
    /// JSONSerialization did not read.
    private func rawValue(_ key: String) -> String? {
        let pattern = Array("\"\(key)\":".utf8)
        guard pattern.count <= raw.count else { return nil }
        var i = 0
        while i <= raw.count - pattern.count {
            if raw[i..<(i + pattern.count)].elementsEqual(pattern) {
                var j = i + pattern.count
                let start = j
                if j < raw.count, raw[j] == 0x22 {
                    j += 1
                    while j < raw.count, raw[j] != 0x22 { j += raw[j] == 0x5C ? 2 : 1 }
                    return String(decoding: raw[start..<min(j + 1, raw.count)], as: UTF8.self)
                }
                while j < raw.count, raw[j] != 0x2C, raw[j] != 0x7D { j += 1 }
                return String(decoding: raw[start..<j], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }
}

private func jsonRows(_ r: CasefileCommand.Result) -> [JSONRow] {
    lines(r.stdoutBytes).map { line in
        JSONRow(raw: Array(line), object: (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any])
    }
}

/// RFC 4180 records (fields as bytes), CRLF-separated, quotes doubled inside quoted fields.
private func csvRecords(_ bytes: [UInt8]) -> [[[UInt8]]] {
    var records: [[[UInt8]]] = []
    var record: [[UInt8]] = []
    var field: [UInt8] = []
    var quoted = false
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if quoted {
            if b == 0x22 {
                if i + 1 < bytes.count, bytes[i + 1] == 0x22 {
                    field.append(0x22)
                    i += 2
                    continue
                }
                quoted = false
            } else {
                field.append(b)
            }
        } else if b == 0x22 {
            quoted = true
        } else if b == 0x2C {
            record.append(field)
            field = []
        } else if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A {
            record.append(field)
            records.append(record)
            record = []
            field = []
            i += 2
            continue
        } else {
            field.append(b)
        }
        i += 1
    }
    if !field.isEmpty || !record.isEmpty {
        record.append(field)
        records.append(record)
    }
    return records
}
