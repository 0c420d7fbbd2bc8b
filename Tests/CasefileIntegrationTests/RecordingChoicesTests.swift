import CasefileModel
import CasefileStore
import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// What a recording chooses to keep — kinds (`--events`), scope (`--exclude-host`, `--container`),
/// the argv cap and environment capture — performed for real against the kernel and Docker, and
/// what the case file then says about it (`session_settings`).
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct RecordingChoicesTests {
    static let image = "casefile/busybox:1"

    static func settings(_ db: Database) throws -> Row {
        try #require(try Row.fetchOne(db, sql: "SELECT * FROM session_settings ORDER BY session_id DESC LIMIT 1"))
    }

    static func count(_ db: Database, _ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1
    }

    /// A python3 script that opens a marked file, connects to a closed port and calls setuid(0).
    static func script(_ marker: String) throws -> String {
        let file = try temporaryDirectory().appendingPathComponent("choices.py").path
        try Data("""
            import os, socket
            open('/etc/hostname').close()
            try: open('/nonexistent-\(marker)')
            except OSError: pass
            try: socket.socket().connect(('127.0.0.1', 9))
            except OSError: pass
            os.setuid(0)
            """.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    @Test func chosenKindsOnlyAndTheRestNeverWritten() async throws {
        guard Requirement.root() else { return }
        let marker = shortID()
        let file = try Self.script(marker)
        let queue = try await record(options: {
            $0.events = (try? EventSelection.parse("process,file").get())?.kinds ?? []
            $0.enrichment = false
        }) {
            let status = try run("/usr/bin/python3", [file])
            #expect(status == 0)
        }
        try await queue.read { db in
            #expect(try Self.count(db, "SELECT count(*) FROM events e JOIN paths p ON p.id = e.object_id WHERE e.kind = 6 AND p.path = ?",
                                   ["/nonexistent-\(marker)"]) == 1, "the chosen file kind is recorded")
            #expect(try Self.count(db, "SELECT count(*) FROM events WHERE kind IN (12, 13, 21, 22) OR kind >= 23") == 0,
                    "network and privilege kinds are not written at all")
            #expect(try Self.count(db, "SELECT count(*) FROM events WHERE kind IN (4, 5)") == 0, "cgroup rows are left out")
            #expect(try Self.count(db, "SELECT count(*) FROM events WHERE kind = 1") > 0, "process rows are kept")
            let s = try Self.settings(db)
            let recorded = (s["events_recorded"] as String?) ?? ""
            #expect(recorded.split(separator: ",").contains("open") && !recorded.contains("connect") && !recorded.contains("cgroup_mkdir"),
                    "\(recorded)")
            #expect((s["hooks"] as String?)?.contains("tp_btf/sys_enter") == true)
        }
    }

    @Test func processOnlyLeavesTheSyscallProgramsUnloaded() async throws {
        guard Requirement.root() else { return }
        let marker = shortID()
        let file = try Self.script(marker)
        let queue = try await record(options: {
            $0.events = EventGroup.process.kinds.reduce(into: Set<EventKind>()) { $0.insert($1) }
            $0.enrichment = false
        }) {
            let status = try run("/usr/bin/python3", [file])
            #expect(status == 0)
        }
        try await queue.read { db in
            #expect(try Self.count(db, "SELECT count(*) FROM events WHERE kind >= 6") == 0)
            #expect(try Self.count(db, "SELECT count(*) FROM events e JOIN execs x ON x.event_id = e.id WHERE x.cmdline LIKE ?",
                                   ["%choices.py%"]) == 1)
            let attached = try String.fetchOne(db, sql: "SELECT attached FROM sessions ORDER BY id DESC LIMIT 1") ?? ""
            #expect(!attached.contains("cf_sys_enter"), "\(attached)")
            let s = try Self.settings(db)
            #expect((s["not_attached"] as String?)?.contains("cf_sys_enter: no file, network or privilege event kind was chosen") == true,
                    "\(s["not_attached"] as String? ?? "nil")")
            #expect((s["hooks"] as String?)?.contains("sys_enter + sys_exit") == true)
            #expect((s["hooks"] as String?)?.contains("NOT attached") == true, "the hooks say the syscall family is off")
        }
    }

    /// Two running containers; only the one named (or given by id prefix) is recorded, the host
    /// and the other are skipped in the kernel and counted.
    @Test(arguments: ["name", "id-prefix"])
    func scopeKeepsOneContainer(selector: String) async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let tag = shortID()
        let (a, b) = ("cf-scope-a-\(tag)", "cf-scope-b-\(tag)")
        defer { _ = try? sh("docker rm -f \(a) \(b)") }
        let startedA = try sh("docker run -d --name \(a) \(Self.image) sleep 120")
        let startedB = try sh("docker run -d --name \(b) \(Self.image) sleep 120")
        #expect(startedA.status == 0 && startedB.status == 0, "\(startedA.output) \(startedB.output)")
        let idA = startedA.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let idB = startedB.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let queue = try await record(options: {
            $0.scope = RecordingScope(containersOnly: true, containers: [selector == "name" ? a : String(idA.prefix(12))])
            // by id prefix, the kernel filter needs no runtime answer at all
            $0.enrichment = selector == "name"
        }) {
            // the names arrive from the runtime shortly after the start; until then a named
            // container is recorded (a scope never loses what is in it)
            try await Task.sleep(for: .seconds(2))
            for _ in 0..<3 {
                _ = try sh("docker exec \(a) cat /etc/hostname")
                _ = try sh("docker exec \(b) ls /etc/hostname")
                _ = try run("/bin/sh", ["-c", "cat /etc/hostname > /dev/null"])
            }
            // the other container goes away while out of scope: its removal is still recorded
            _ = try sh("docker rm -f \(b)")
            try await Task.sleep(for: .milliseconds(500))
        }
        try await queue.read { db in
            let inA = try Self.count(db, """
                SELECT count(*) FROM events_with_container w JOIN paths p ON p.id = w.object_id
                WHERE w.kind = 6 AND p.path = '/etc/hostname' AND w.comm = 'cat' AND w.container_id = ?
                """, [idA])
            #expect(inA == 3, "every open in the chosen container is recorded")
            #expect(try Self.count(db, "SELECT count(*) FROM events_with_container WHERE container_id = ? AND kind >= 6", [idB]) == 0,
                    "nothing from the other container")
            #expect(try Self.count(db, """
                SELECT count(*) FROM events_with_container w JOIN paths p ON p.id = w.object_id
                WHERE w.kind = 6 AND p.path = '/etc/hostname' AND w.container_id IS NULL
                """) == 0, "nothing from the host")
            let s = try Self.settings(db)
            #expect((s["scope_skipped"] as Int64? ?? 0) > 0, "what was skipped is counted")
            #expect((s["scope"] as String?)?.hasPrefix("containers: ") == true)
            // the other container is still known (its cgroup was seen), only its events are not recorded;
            // what happened to it (its removal) is
            #expect(try Self.count(db, "SELECT count(*) FROM containers WHERE id = ? AND removed_at IS NOT NULL", [idB]) == 1)
            #expect(try Self.count(db, "SELECT count(*) FROM events WHERE kind = 5 AND object_id IN (SELECT id FROM cgroups WHERE container_id = ?)",
                                   [idB]) == 0, "but no cgroup_rmdir row of it")
        }
    }

    @Test func excludeHostKeepsEveryContainer() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let tag = shortID()
        let name = "cf-nohost-\(tag)"
        defer { _ = try? sh("docker rm -f \(name)") }
        let started = try sh("docker run -d --name \(name) \(Self.image) sleep 120")
        #expect(started.status == 0, "\(started.output)")
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let marker = "/nonexistent-\(tag)"
        let queue = try await record(options: { $0.scope = RecordingScope(containersOnly: true) }) {
            _ = try sh("docker exec \(name) cat \(marker)")
            _ = try run("/bin/sh", ["-c", "cat \(marker) 2>/dev/null; true"])
        }
        try await queue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT w.container_id FROM events_with_container w JOIN paths p ON p.id = w.object_id
                WHERE w.kind = 6 AND p.path = ? AND w.comm = 'cat'
                """, arguments: [marker])
            #expect(rows.count == 1 && rows.first?["container_id"] as String? == id,
                    "the container's open is recorded, the host's is not: \(rows)")
            #expect((try Self.settings(db)["scope"] as String?) == "containers only (host processes excluded)")
        }
    }

    @Test func argvCapAndEnvironmentCapture() async throws {
        guard Requirement.root() else { return }
        let tag = shortID()
        let captured = try await record(options: {
            $0.argvMax = 8
            $0.captureEnvironment = true
            $0.enrichment = false
        }) {
            let status = try run("/usr/bin/env", ["CF_MARK_\(tag)=secret", "/bin/echo", "abcdefghijkl"])
            #expect(status == 0)
        }
        try await captured.read { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT x.argv, x.argv_truncated, v.env, v.truncated FROM execs x
                JOIN exec_environments v ON v.event_id = x.event_id WHERE x.filename = '/bin/echo'
                """))
            #expect((row["argv"] as Data?).map { Array($0) } == Array("/bin/ech".utf8), "argv cut at 8 bytes")
            #expect(row["argv_truncated"] as Int64? == 1)
            let env = String(decoding: (row["env"] as Data?) ?? Data(), as: UTF8.self)
            #expect(env.split(separator: "\0").contains("CF_MARK_\(tag)=secret"[...]), "the environment is kept exactly")
            #expect(row["truncated"] as Int64? == 0)
            let s = try Self.settings(db)
            #expect(s["argv_max"] as Int64? == 8 && s["environment_captured"] as Int64? == 1)
        }
        #expect(try CaseFileVerifier.verify(path: captured.path).outcome == .verified, "settings and environments are sealed")

        // By default, no environment is kept at all.
        let plain = try await record(options: { $0.enrichment = false }) {
            let status = try run("/usr/bin/env", ["CF_MARK_\(tag)=secret", "/bin/true"])
            #expect(status == 0)
        }
        try await plain.read { db in
            let environments = try Self.count(db, "SELECT count(*) FROM exec_environments")
            let settings = try Self.settings(db)
            #expect(environments == 0)
            #expect(settings["environment_captured"] as Int64? == 0)
        }
    }

    /// A storm of identical opens: folded into few rows whose counts add up exactly; with folding
    /// off, every open is a row.
    @Test(arguments: [1000, 0])
    func openStormFoldsExactly(windowMilliseconds: Int) async throws {
        guard Requirement.root() else { return }
        let tag = shortID()
        let target = try temporaryDirectory().appendingPathComponent("storm-\(tag)").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: target))
        let script = try temporaryDirectory().appendingPathComponent("storm.py").path
        try Data("""
            import os
            for _ in range(3000):
                os.close(os.open('\(target)', os.O_RDONLY))
            for _ in range(500):
                try: os.open('\(target)-missing', os.O_RDONLY)
                except OSError: pass
            """.utf8).write(to: URL(fileURLWithPath: script))
        let queue = try await record(options: {
            $0.foldWindowMilliseconds = windowMilliseconds
            $0.enrichment = false
        }) {
            let status = try run("/usr/bin/python3", [script])
            #expect(status == 0)
        }
        try await queue.read { db in
            func tally(_ path: String) throws -> (rows: Int, events: Int) {
                let row = try Row.fetchOne(db, sql: """
                    SELECT count(*) AS rows, coalesce(sum(coalesce(f.count, 1)), 0) AS events
                    FROM events e JOIN paths p ON p.id = e.object_id LEFT JOIN event_folds f ON f.event_id = e.id
                    WHERE e.kind = 6 AND p.path = ?
                    """, arguments: [path])
                return ((row?["rows"] as Int?) ?? -1, (row?["events"] as Int?) ?? -1)
            }
            let hits = try tally(target), misses = try tally(target + "-missing")
            #expect(hits.events == 3000 && misses.events == 500, "every open is a row or counted in one: \(hits) \(misses)")
            let folded = try Self.settings(db)["folded"] as Int64? ?? -1
            if windowMilliseconds == 0 {
                #expect(hits.rows == 3000 && misses.rows == 500)
                #expect(folded == 0)
            } else {
                #expect(hits.rows < 100 && misses.rows < 50, "folded: \(hits.rows) and \(misses.rows) rows")
                #expect(folded >= Int64(3500 - hits.rows - misses.rows), "the session counts what it folded")
                let line = try String.fetchOne(db, sql: """
                    SELECT t.details FROM timeline t JOIN events e ON e.id = t.id JOIN event_folds f ON f.event_id = e.id
                    JOIN paths p ON p.id = e.object_id WHERE p.path = ? LIMIT 1
                    """, arguments: [target + "-missing"]) ?? ""
                #expect(line.hasPrefix("open \(target)-missing O_RDONLY → ENOENT (×") && line.contains(" identical, until "), "\(line)")
            }
            #expect(try Self.settings(db)["fold_window_ms"] as Int64? == Int64(windowMilliseconds))
        }
        #expect(try CaseFileVerifier.verify(path: queue.path).outcome == .verified, "fold rows are sealed")
    }
}
