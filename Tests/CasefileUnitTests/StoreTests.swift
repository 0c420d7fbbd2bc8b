import CasefileModel
@testable import CasefileStore
import Foundation
import GRDB
import CasefileTestSupport
import Testing

@Suite struct StoreTests {
    static let clock = BootClock(offsetNanoseconds: 1_700_000_000_000_000_000, bootID: "00000000-0000-0000-0000-000000000001")

    static func session() -> SessionInfo {
        SessionInfo(host: "test-host", kernel: "6.18 test", machineID: nil, clock: clock, cgroupLayout: "v2",
                    cgroupHierarchy: 0, cgroupMount: "/sys/fs/cgroup", startedAt: clock.utc(0), casefileVersion: "test",
                    abiVersion: 1, commandLine: "test", attached: ["cf_exec"], attachFailures: [], ringBufferBytes: 4096)
    }

    @Test func migrationsSetVersionAndApplicationID() throws {
        let path = try temporaryDirectory().appendingPathComponent("a.db").path
        let queue = try CaseFile.openForRecording(path: path)
        try queue.read { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "PRAGMA user_version") == CaseFile.schemaVersion)
            #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == CaseFile.applicationID)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM schema_migrations") == CaseFile.migrations.count)
            for table in ["sessions", "cgroups", "containers", "pods", "processes", "events", "gaps", "execs", "event_kinds"] {
                #expect(try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = ?", arguments: [table]) == true, "table \(table)")
            }
        }
        // Opening again is a no-op.
        _ = try CaseFile.openForRecording(path: path)
        // A session writes what every EventKind means into event_kinds.
        let writer = try SessionWriter(queue: queue, session: Self.session())
        try writer.finish(clean: true)
        try queue.read { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM event_kinds ORDER BY id")
            #expect(names == EventKind.allCases.map(\.name))
            let aux2 = try String.fetchOne(db, sql: "SELECT aux2_means FROM event_kinds WHERE name = 'open'")
            #expect(aux2 == EventKind.open.aux2Means)
        }
    }

    @Test func missingCaseFileIsAClearError() throws {
        let path = try temporaryDirectory().appendingPathComponent("nope.db").path
        #expect {
            _ = try Investigation(path: path)
        } throws: { error in
            guard case StoreError.missing = error else { return false }
            return "\(error)".contains("no case file at \(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: path), "reading must not create the file")
    }

    @Test func otherFilesAreRefusedUntouched() throws {
        let dir = try temporaryDirectory()
        let text = dir.appendingPathComponent("notes.txt").path
        try Data("hello, not a database\n".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: StoreError.self) { _ = try Investigation(path: text) }
        #expect(throws: StoreError.self) { _ = try CaseFile.openForRecording(path: text) }
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "hello, not a database\n")

        let other = dir.appendingPathComponent("other.db").path
        let q = try DatabaseQueue(path: other)
        try q.write { try $0.execute(sql: "CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
        #expect {
            _ = try Investigation(path: other)
        } throws: { "\($0)".contains("not a Casefile case file") }
        #expect {
            _ = try CaseFile.openForRecording(path: other)
        } throws: { "\($0)".contains("refusing to add tables") }
        let tables = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
        #expect(tables == 1)
    }

    @Test func newerSchemaIsRefused() throws {
        let path = try temporaryDirectory().appendingPathComponent("future.db").path
        let queue = try CaseFile.openForRecording(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = \(CaseFile.schemaVersion + 1)") }
        #expect {
            _ = try Investigation(path: path)
        } throws: { error in
            guard case StoreError.newerSchema(_, let file, let supported) = error else { return false }
            return file == CaseFile.schemaVersion + 1 && supported == CaseFile.schemaVersion && "\(error)".contains("newer casefile")
        }
        #expect(throws: StoreError.self) { _ = try CaseFile.openForRecording(path: path) }
    }

    @Test func investigationCannotWrite() throws {
        let path = try temporaryDirectory().appendingPathComponent("ro.db").path
        _ = try CaseFile.openForRecording(path: path)
        let investigation = try Investigation(path: path)
        #expect(throws: (any Error).self) {
            try investigation.queue.writeWithoutTransaction { try $0.execute(sql: "DELETE FROM event_kinds") }
        }
    }

    /// Hostile strings from the observed system are stored byte for byte and shown escaped.
    @Test func hostileStringsAreStoredExactlyAndDisplayedSafely() throws {
        let path = try temporaryDirectory().appendingPathComponent("hostile.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session())
        let argv: [UInt8] = Array("/bin/x\0<script>alert(1)</script>\0\u{1B}[31mred\u{1B}[0m\0line1\nline2\0".utf8) + [0xFF, 0xFE, 0x00]
        let filename: [UInt8] = Array("/tmp/\u{1B}]0;pwned\u{07}".utf8) + [0xC3, 0x28]
        let comm: [UInt8] = [0x65, 0x76, 0x69, 0x6C, 0x0A, 0x9B]
        let key = ProcessKey(pid: 4242, startBootNanoseconds: 1_000)
        let exec = Exec(process: key, ppid: 1, uid: 0, gid: 0, namespacePID: 4242, mountNamespace: 1, pidNamespace: 2,
                        oldPID: 4242, comm: ByteString(comm), filename: ByteString(filename), argv: ByteString(argv),
                        argvTruncated: false, filenameTruncated: false)
        let event = Event(bootNanoseconds: 5_000, pid: 4242, tid: 4242, cgroupID: 0, body: .exec(exec))
        try writer.write([ResolvedEvent(event: event, time: Self.clock.utc(5_000), process: key)])
        try writer.finish(clean: true)

        let q = try DatabaseQueue(path: path)
        try q.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT argv, CAST(filename AS BLOB) AS f, cmdline FROM execs"))
            #expect(Array(row["argv"] as Data) == argv)
            #expect(Array(row["f"] as Data) == filename)
            let cmdline: String = row["cmdline"]
            #expect(!cmdline.contains("\u{1B}") && !cmdline.contains("\n"))
            #expect(cmdline.contains("\\x1B[31mred") && cmdline.contains("\\xFF\\xFE") && cmdline.contains("line1\\nline2"))
            let storedComm = try #require(try Data.fetchOne(db, sql: "SELECT CAST(comm AS BLOB) FROM processes WHERE pid = 4242"))
            #expect(Array(storedComm) == comm)
        }

        let rows = try Investigation(path: path).timelineRows().filter { $0["event_id"] != .null }
        #expect(rows.count == 1)
        #expect(rows.first?["comm"]?.bytes == comm)
        let shown = SafeText.escape(rows.first?["comm"]?.bytes ?? [])
        #expect(shown == "evil\\n\\x9B")
    }

    @Test func gapsAreCountedInTheSession() throws {
        let path = try temporaryDirectory().appendingPathComponent("gaps.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session())
        try writer.write([], gaps: [Gap(detectedAt: 1, count: 7, reason: .ringBufferFull), Gap(detectedAt: 2, count: 3, reason: .undecodable)])
        try writer.finish(clean: false)
        let summary = try Investigation(path: path).summary()
        #expect(summary.sessions.first?.lost == 10)
        #expect(summary.sessions.first?.cleanShutdown == false)
        #expect(summary.gaps.map(\.count).reduce(0, +) == 10)
    }

    /// A PID that is reused is a different process: (pid, start time) keys the row.
    @Test func pidReuseMakesTwoProcesses() throws {
        let path = try temporaryDirectory().appendingPathComponent("reuse.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session())
        let first = ProcessKey(pid: 100, startTicks: 10)
        let second = ProcessKey(pid: 100, startTicks: 20)
        func exit(_ key: ProcessKey, code: UInt32, at t: UInt64) -> ResolvedEvent {
            ResolvedEvent(event: Event(bootNanoseconds: t, pid: key.pid, tid: key.pid, cgroupID: 0,
                                       body: .exit(Exit(process: key, ppid: 1, status: code << 8, comm: ByteString("x")))),
                          time: Self.clock.utc(t), process: key)
        }
        try writer.write([exit(first, code: 1, at: 15), exit(second, code: 2, at: 25)])
        let q = try DatabaseQueue(path: path)
        try q.read { db in
            let codes = try Int.fetchAll(db, sql: "SELECT exit_code FROM processes WHERE pid = 100 ORDER BY start_ticks")
            #expect(codes == [1, 2])
            #expect(try Int.fetchAll(db, sql: "SELECT start_boot_ns FROM processes WHERE pid = 100 ORDER BY start_ticks") == [100_000_000, 200_000_000])
        }
    }

    /// Schema 9: the main thread's id is not repeated (events.tid NULL: tid = pid); another
    /// thread keeps its own; the view gives both.
    @Test func theMainThreadIsNotRepeatedAndTheViewGivesItBack() throws {
        let path = try temporaryDirectory().appendingPathComponent("tid.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session())
        let key = ProcessKey(pid: 300, startTicks: 5)
        func open(tid: UInt32, at t: UInt64) -> ResolvedEvent {
            ResolvedEvent(event: Event(bootNanoseconds: t, pid: 300, tid: tid, cgroupID: 0,
                                       body: .open(FileOpen(syscall: .openat, result: 3, dirFD: FileOpen.atFDCWD, flags: 0, mode: 0,
                                                            path: ByteString("/etc/hosts")))),
                          time: Self.clock.utc(t), process: key)
        }
        try writer.write([open(tid: 300, at: 10), open(tid: 301, at: 20)])
        try writer.finish(clean: true)
        let (stored, shown) = try DatabaseQueue(path: path).read { db in
            (try Row.fetchAll(db, sql: "SELECT tid FROM events WHERE kind = 6 ORDER BY id").map { $0[0] as Int64? },
             try Int64.fetchAll(db, sql: "SELECT tid FROM events_with_container WHERE kind = 6 ORDER BY id"))
        }
        #expect(stored == [nil, 301])
        #expect(shown == [300, 301])
        #expect(try CaseFileVerifier.verify(path: path).outcome == .verified)
    }
}
