import CasefileModel
import CasefileRecorder
import CasefileStore
import Foundation
import GRDB
import CasefileTestSupport
import Testing

/// The whole path on a real kernel: BPF tracepoints → ring buffer → decoder → pipeline →
/// SQLite, checked from the case file. Needs root (mandatory in CI).
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct RecorderIntegrationTests {
    /// `comm` is stored per event as it was then: a shell that later execs `sleep` forked as
    /// `sh`, although its process row now says `sleep`.
    @Test func commIsStoredPerEventAsItWasThen() async throws {
        guard Requirement.root() else { return }
        let marker = "cf-comm-\(shortID())"
        let queue = try await record {
            let status = try run("/bin/sh", ["-c", "/bin/true; exec /bin/sleep 0.1", marker])
            #expect(status == 0)
        }
        try await queue.read { db in
            let shell = try #require(try Int64.fetchOne(db, sql: """
                SELECT e.process_id FROM events e JOIN execs x ON x.event_id = e.id WHERE x.argv = ?
                """, arguments: [Data("/bin/sh\0-c\0/bin/true; exec /bin/sleep 0.1\0\(marker)\0".utf8)]))
            #expect(try String.fetchOne(db, sql: "SELECT comm FROM processes WHERE id = ?", arguments: [shell]) == "sleep")
            let forkComm = try String.fetchOne(db, sql: """
                SELECT c.comm FROM events e JOIN comms c ON c.id = e.comm_id WHERE e.kind = 2 AND e.process_id = ?
                """, arguments: [shell])
            #expect(forkComm == "sh")
            let exitComm = try String.fetchOne(db, sql: """
                SELECT comm FROM timeline WHERE kind = 'exit' AND process_id = ?
                """, arguments: [shell])
            #expect(exitComm == "sleep")
            // Each name once.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM comms WHERE comm = 'sh'") == 1)
        }
    }

    /// A cgroup path longer than the kernel event's buffer (1024 bytes) is looked up by id and
    /// stored whole, not cut.
    @Test func aCgroupPathLongerThanTheEventBufferIsStoredWhole() async throws {
        guard Requirement.root(), let v2 = cgroupV2Mount() else { return }
        let top = "cf-long-\(shortID())"
        let rel = "/" + ([top] + (1...5).map { "\($0)" + String(repeating: "x", count: 239) }).joined(separator: "/")
        #expect(rel.utf8.count > 1100)
        let queue = try await record {
            try FileManager.default.createDirectory(atPath: v2 + rel, withIntermediateDirectories: true)
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = try? sh("find '\(v2)/\(top)' -depth -type d -exec rmdir {} \\;")
        try await queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT path, path_truncated FROM cgroups WHERE path = ?", arguments: [rel]))
            #expect(row["path_truncated"] as Int64? == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM cgroups WHERE path_truncated = 1 AND path LIKE ?", arguments: ["/\(top)%"]) == 0)
        }
    }

    /// The boot-clock offset is measured again during a session: a step is a `clock_steps` row
    /// and later events use the new offset. (The host's clock is not the test's to step: the
    /// measurement is replaced by one 5 s ahead.)
    @Test func aClockStepIsRecordedAndUsed() async throws {
        guard Requirement.root() else { return }
        let marker = "cf-clock-\(shortID())"
        let ahead: Int64 = 5_000_000_000
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("clock.db").path
        var options = RecorderOptions(databasePath: path)
        options.clockCheckInterval = .milliseconds(100)
        options.measureBootOffset = { HostFacts.measureBootOffsetForTests() + ahead }
        let (before, _) = try await withRecording(options: options, logger: testLogger) { _ in
            try await Task.sleep(for: .milliseconds(600))
            let before = nowNanoseconds()
            let status = try run("/bin/sh", ["-c", "exit 0", marker])
            #expect(status == 0)
            try await Task.sleep(for: .milliseconds(200))
            return before
        }
        let queue = try DatabaseQueue(path: path)
        try await queue.read { db in
            let steps = try Row.fetchAll(db, sql: "SELECT step_ns, offset_ns FROM clock_steps")
            #expect(steps.count == 1)
            let step: Int64 = steps.first?["step_ns"] ?? 0
            #expect(abs(step - ahead) < 10_000_000, "step \(step)")
            let ts = try #require(try Int64.fetchOne(db, sql: """
                SELECT e.ts FROM events e JOIN execs x ON x.event_id = e.id WHERE x.argv = ?
                """, arguments: [Data("/bin/sh\0-c\0exit 0\0\(marker)\0".utf8)]))
            #expect(ts - before > ahead - 1_000_000_000 && ts - before < ahead + 1_000_000_000, "the event uses the new offset")
        }
        #expect(try CaseFileVerifier.verify(path: path).outcome == .verified)
    }

    @Test func processInACgroupIsRecordedFromExecToExit() async throws {
        guard Requirement.root() else { return }
        guard let v2 = cgroupV2Mount() else {
            Issue.record("no cgroup v2 hierarchy mounted: this test needs one (the machine notes say /sys/fs/cgroup/unified)")
            return
        }
        let dir = try temporaryDirectory()
        let db = dir.appendingPathComponent("case.db").path
        let marker = "casefile-marker-\(UUID().uuidString)"
        let cgroupName = "casefile-test-\(UUID().uuidString.prefix(8))"
        let cgroupDir = "\(v2)/\(cgroupName)"

        let (cgroupInode, summary) = try await withRecording(options: RecorderOptions(databasePath: db)) { _ in
            try FileManager.default.createDirectory(atPath: cgroupDir, withIntermediateDirectories: false)
            let cgroupInode = try inode(cgroupDir)
            // The child moves itself into the cgroup, then execs the marked shell there.
            let status = try run("/bin/sh", ["-c", "echo $$ > \(cgroupDir)/cgroup.procs && exec /bin/sh -c 'exit 3' \(marker)"])
            #expect(status == 3)
            try FileManager.default.removeItem(atPath: cgroupDir) // rmdir: the cgroup is empty now
            try await Task.sleep(for: .milliseconds(50))
            return cgroupInode
        }
        #expect(summary.eventsWritten > 0)

        let queue = try DatabaseQueue(path: db)
        try await queue.read { db in
            // exec with the marker, attributed to the new cgroup (id = its directory inode)
            let exec = try #require(try Row.fetchOne(db, sql: """
                SELECT e.id, e.pid, e.process_id, c.cgroup_id, c.path, x.filename, x.cmdline
                FROM events e JOIN execs x ON x.event_id = e.id LEFT JOIN cgroups c ON c.id = e.cgroup_row
                WHERE e.kind = 1 AND x.argv = ?
                """, arguments: [Data("/bin/sh\0-c\0exit 3\0\(marker)\0".utf8)]))
            let pid: Int64 = exec["pid"]
            let processID: Int64 = exec["process_id"]
            #expect(exec["cgroup_id"] as Int64? == Int64(bitPattern: cgroupInode))
            #expect(exec["path"] as String? == "/\(cgroupName)")
            #expect(exec["filename"] as String? == "/bin/sh")
            #expect((exec["cmdline"] as String).contains(marker))

            // the fork that made that process links it to its parent: this test process
            let fork = try #require(try Row.fetchOne(db, sql: """
                SELECT e.pid, p.pid AS parent_pid, e.aux FROM events e JOIN processes p ON p.id = e.process_id
                WHERE e.kind = 2 AND e.object_id = ?
                """, arguments: [processID]))
            #expect(fork["aux"] as Int64 == pid)
            #expect(fork["pid"] as Int64 == Int64(getpid()))
            let parent = try #require(try Row.fetchOne(db, sql: "SELECT parent_id, ppid FROM processes WHERE id = ?", arguments: [processID]))
            #expect(parent["ppid"] as Int64 == Int64(getpid()))
            #expect(parent["parent_id"] as Int64? != nil)

            // its exit with code 3
            let exit = try #require(try Row.fetchOne(db, sql: "SELECT ret, aux FROM events WHERE kind = 3 AND process_id = ?", arguments: [processID]))
            #expect(exit["ret"] as Int64? == 3)
            #expect(exit["aux"] as Int64 == 0)
            let proc = try #require(try Row.fetchOne(db, sql: "SELECT exit_code, exited_at, started_at FROM processes WHERE id = ?", arguments: [processID]))
            #expect(proc["exit_code"] as Int64? == 3)

            // the cgroup's mkdir and rmdir, with path and times, in the v2 hierarchy (id 0)
            let cg = try #require(try Row.fetchOne(db, sql: """
                SELECT id, path, created_at, removed_at, level FROM cgroups WHERE hierarchy_id = 0 AND cgroup_id = ?
                """, arguments: [Int64(bitPattern: cgroupInode)]))
            #expect(cg["path"] as String? == "/\(cgroupName)")
            let created: Int64 = try #require(cg["created_at"])
            let removed: Int64 = try #require(cg["removed_at"])
            #expect(created < removed)
            #expect(cg["level"] as Int64? == 1)
            let kinds = try Int64.fetchAll(db, sql: "SELECT kind FROM events WHERE object_id = ? AND kind IN (4, 5) AND aux = 0 ORDER BY ts", arguments: [cg["id"] as Int64])
            #expect(kinds == [4, 5])

            // times are UTC and inside the session
            let session = try #require(try Row.fetchOne(db, sql: "SELECT started_at, ended_at, lost, clean_shutdown, boot_offset_ns FROM sessions"))
            let started: Int64 = session["started_at"]
            let ended: Int64 = try #require(session["ended_at"])
            #expect(started <= created && removed <= ended)
            #expect(session["clean_shutdown"] as Int64 == 1)

            // and nothing was lost
            #expect(session["lost"] as Int64 == 0)
            #expect(try Int64.fetchOne(db, sql: "SELECT count(*) FROM gaps") == 0)
        }
    }

    @Test func recordingNeedsAWritableCaseFile() async throws {
        guard Requirement.root() else { return }
        do {
            _ = try await withRecording(options: RecorderOptions(databasePath: "/nonexistent-dir/case.db")) { _ in
                Issue.record("recording into /nonexistent-dir/case.db should not start")
            }
            Issue.record("recording into /nonexistent-dir/case.db should fail")
        } catch {
            #expect("\(error)".contains("/nonexistent-dir/case.db"), "the error names the file: \(error)")
        }
    }

    /// A full disk: what cannot be stored is counted (stored + counted = drained), the recording
    /// goes on, and writing resumes when there is space again.
    @Test func fullDiskIsCountedAndRecordingResumes() async throws {
        guard Requirement.root() else { return }
        let dir = try temporaryDirectory().path
        #expect(try sh("mount -t tmpfs -o size=4m casefile-test-tmpfs '\(dir)'").status == 0)
        defer { _ = try? sh("umount -l '\(dir)'") }
        let db = dir + "/case.db"
        let marker = "cf-resumed-\(UUID().uuidString.prefix(8))"
        let v2 = try #require(cgroupV2Mount())
        let containerID = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        let cgroup = "\(v2)/docker/\(containerID)"
        defer { try? FileManager.default.removeItem(atPath: cgroup) }
        var options = RecorderOptions(databasePath: db)
        options.enrichment = false
        let (recorder, summary) = try await withRecording(options: options, logger: testLogger) { recorder in
            try await Task.sleep(for: .milliseconds(500))
            // Fill the file system, then make events the writer cannot store: execs, and a
            // container's cgroup (its mkdir is refused too).
            _ = try sh("dd if=/dev/zero of='\(dir)/filler' bs=4k 2>/dev/null; true")
            for _ in 0..<50 { #expect(try run("/bin/true", []) == 0) }
            try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: true)
            try await Task.sleep(for: .seconds(1))
            // Space again: writing resumes, the events it could not store become a gap, and what
            // the pipeline learned from them (the container's cgroup) is written.
            try FileManager.default.removeItem(atPath: dir + "/filler")
            #expect(try run("/bin/sh", ["-c", "echo $$ > \(cgroup)/cgroup.procs && exec /bin/sh -c 'exit 0' \(marker)"]) == 0)
            try await Task.sleep(for: .milliseconds(500))
            return recorder
        }
        let stats = recorder.stats
        let queue = try DatabaseQueue(path: db)
        try await queue.read { db in
            let stored = try Int64.fetchOne(db, sql: "SELECT count(*) FROM events WHERE session_id = ?", arguments: [summary.sessionID]) ?? 0
            let failed = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM gaps WHERE reason = 'writer_failure'") ?? 0
            let backlog = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM gaps WHERE reason = 'writer_backlog'") ?? 0
            #expect(failed > 0, "the full disk made some batches fail")
            let folded = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(count - 1), 0) FROM event_folds") ?? 0
            #expect(UInt64(folded) == stats.eventsFolded)
            #expect(UInt64(stored + folded + failed + backlog) + stats.duplicateExits == stats.eventsDrained,
                    "stored \(stored) + folded \(folded) + failed \(failed) + backlog \(backlog) + duplicates \(stats.duplicateExits) = drained \(stats.eventsDrained)")
            let resumed = try Int64.fetchOne(db, sql: """
                SELECT count(*) FROM execs x JOIN events e ON e.id = x.event_id JOIN cgroups c ON c.id = e.cgroup_row
                WHERE x.argv = ? AND c.path = ? AND c.container_id = ?
                """, arguments: [Data("/bin/sh\0-c\0exit 0\0\(marker)\0".utf8), "/docker/\(containerID)", containerID]) ?? 0
            #expect(resumed == 1, "events after the disk had space again are stored, in the container the refused mkdir showed")
            let created = try Int64.fetchOne(db, sql: "SELECT created_at FROM containers WHERE id = ?", arguments: [containerID])
            #expect(created != nil, "the container's creation, learned from a refused event, is written")
            let session = try #require(try Row.fetchOne(db, sql: "SELECT lost, clean_shutdown FROM sessions WHERE id = ?", arguments: [summary.sessionID]))
            let allGaps = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM gaps WHERE session_id = ?", arguments: [summary.sessionID]) ?? 0
            #expect(session["lost"] as Int64 == allGaps)
            #expect(session["clean_shutdown"] as Int64 == 1, "everything drained was stored or counted")
        }
    }
}
