import CasefileModel
import CasefileRecorder
@testable import CasefileStore
import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// A case file may have been touched by someone else: the recorder writes only into files whose
/// schema is all Casefile's, leaves the others byte for byte as they were, keeps case files
/// private, and closes sessions whose recorder was killed.
@Suite struct CaseFileIntegrityTests {
    static let clock = BootClock(offsetNanoseconds: 1_700_000_000_000_000_000, bootID: "00000000-0000-0000-0000-000000000002")

    static func session(startedAt: Int64 = clock.utc(0)) -> SessionInfo {
        SessionInfo(host: "test-host", kernel: "6.18 test", machineID: nil, clock: clock, cgroupLayout: "v2",
                    cgroupHierarchy: 0, cgroupMount: "/sys/fs/cgroup", startedAt: startedAt, casefileVersion: "test",
                    abiVersion: 1, commandLine: "test", attached: [], attachFailures: [], ringBufferBytes: 4096)
    }

    static func exit(pid: UInt32, at t: UInt64) -> ResolvedEvent {
        let key = ProcessKey(pid: pid, startTicks: 1)
        return ResolvedEvent(event: Event(bootNanoseconds: t, pid: pid, tid: pid, cgroupID: 0,
                                          body: .exit(Exit(process: key, ppid: 1, status: 0, comm: ByteString("x")))),
                             time: clock.utc(t), process: key)
    }

    /// A recorded, cleanly closed case file with one event.
    static func recordedFile(_ name: String = #function) throws -> String {
        let path = try temporaryDirectory(name).appendingPathComponent("case.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: session())
        try writer.write([exit(pid: 7, at: 1_000)])
        try writer.finish(clean: true)
        return path
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test(arguments: [
        ("trigger", "CREATE TRIGGER t_evil AFTER INSERT ON events BEGIN DELETE FROM events WHERE id = new.id; END", "trigger t_evil is not Casefile's"),
        ("trigger named like SQLite's own", "PRAGMA writable_schema = ON; CREATE TRIGGER sqlite_x AFTER INSERT ON events BEGIN DELETE FROM events WHERE id = new.id; END",
         "trigger sqlite_x is not Casefile's"),
        ("view", "CREATE VIEW v_evil AS SELECT 1", "view v_evil is not Casefile's"),
        ("redefined view", "DROP VIEW timeline; CREATE VIEW timeline AS SELECT 1 AS id", "view timeline was changed"),
        ("table", "CREATE TABLE notes (x)", "table notes is not Casefile's"),
        ("changed table", "ALTER TABLE events ADD COLUMN extra", "table events was changed"),
        ("dropped table", "DROP TABLE event_chunk_cgroups", "table event_chunk_cgroups is missing"),
        ("planted index", "CREATE INDEX sneaky ON events (ts)", "index sneaky is not Casefile's"),
    ])
    func plantedSchemaObjectsAreRefusedAndTheFileIsUnchanged(_ what: String, _ plant: String, _ said: String) throws {
        let path = try Self.recordedFile("planted-\(what)")
        let attacker = try DatabaseQueue(path: path)
        try attacker.writeWithoutTransaction { try $0.execute(sql: plant) }
        try attacker.close()
        let before = try CaseFileIntegrityTests.bytes(path)
        #expect {
            _ = try CaseFile.openForRecording(path: path)
        } throws: { error in
            guard case StoreError.foreignSchema = error else { return false }
            return "\(error)".contains(said) && "\(error)".contains("nothing was written")
        }
        #expect(try Self.bytes(path) == before, "the file must be left byte for byte as it was")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "not even the switch to WAL")
        // The rows are still there for an investigator.
        #expect(try Investigation(path: path).summary().sessions.count == 1)
    }

    /// A view redefined in the file (same columns, rows filtered out) cannot hide evidence:
    /// investigation reads through Casefile's own definitions, and says what differs.
    @Test func aRedefinedViewHidesNothing() throws {
        let path = try Self.recordedFile()
        func timelineIDs() throws -> [Int64] {
            try Investigation(path: path).timelineRows().compactMap { $0["event_id"]?.integer }
        }
        let honest = try timelineIDs()
        #expect(!honest.isEmpty)
        #expect(try CaseFile.schemaDifferences(path: path).isEmpty)
        let attacker = try DatabaseQueue(path: path)
        try attacker.writeWithoutTransaction { db in
            let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'timeline'") ?? ""
            try db.execute(sql: "DROP VIEW timeline")
            try db.execute(sql: "CREATE VIEW timeline AS SELECT * FROM (" + definition.dropFirst("CREATE VIEW timeline AS".count) + ") WHERE 0")
            try db.execute(sql: "DROP VIEW events_with_container")
            try db.execute(sql: "CREATE VIEW events_with_container AS SELECT * FROM events WHERE 0")
        }
        try attacker.close()
        #expect(try timelineIDs() == honest, "the file's own timeline view returns nothing; Casefile's returns every row")
        let differences = try CaseFile.schemaDifferences(path: path)
        #expect(differences.contains("view timeline was changed") && differences.contains("view events_with_container was changed"),
                "\(differences)")
    }

    /// Values of the wrong type, huge or not UTF-8 are read, never trusted: no trap, no crash.
    @Test func hostileValuesDoNotCrashTheSummary() throws {
        let path = try Self.recordedFile()
        let attacker = try DatabaseQueue(path: path)
        try attacker.writeWithoutTransaction { db in
            try db.execute(sql: """
                UPDATE sessions SET host = CAST(X'66FF1B5B316D' AS TEXT), events = 'lots', lost = 1e300, started_at = 'x';
                INSERT INTO gaps (session_id, detected_at, count, reason, detail)
                VALUES (1, 0, 9223372036854775807, 'ring_buffer_full', NULL), (1, 0, 9223372036854775807, 'ring_buffer_full', NULL);
                """)
        }
        try attacker.close()
        let summary = try Investigation(path: path).summary()
        let session = try #require(summary.sessions.first)
        #expect(session.host.unicodeScalars.contains("\u{FFFD}"), "invalid UTF-8 is replaced, not trusted")
        #expect(session.lost == .max, "a huge number saturates")
        #expect(session.events == nil && session.startedAt == nil, "text where a number belongs is not a made-up 0")
        #expect(summary.gaps.first?.count == .max, "two Int64.max counts add up without a trap")
        let info = try CasefileCommand.run(["info", "--db", path])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(!info.stdout.contains("\u{1B}"), "an escape sequence from the file is shown escaped")
        #expect(info.stdout.contains("? (not a number in the file) events"), "\(info.stdout)")
    }

    @Test func ownSchemaIsAccepted() throws {
        let path = try Self.recordedFile()
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session())
        #expect(writer.sessionID == 2)
    }

    @Test func caseFilesArePrivate() throws {
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
        }
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("new.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session())
        try writer.write([Self.exit(pid: 9, at: 5)])
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        #expect(try mode(path + "-shm") == 0o600)
        try writer.finish(clean: true)

        // A case file someone left readable by all is narrowed before the recorder writes to it.
        let open = dir.appendingPathComponent("open.db").path
        let w = try SessionWriter(queue: try CaseFile.openForRecording(path: open), session: Self.session())
        try w.finish(clean: true)
        #expect(chmod(open, 0o644) == 0)
        _ = try CaseFile.openForRecording(path: open)
        #expect(try mode(open) == 0o600)
    }

    /// kill -9: the session stays open; the next recording closes it with its last committed event.
    @Test func sessionLeftOpenIsClosedByTheNext() throws {
        let path = try temporaryDirectory().appendingPathComponent("killed.db").path
        let killed = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session())
        try killed.write([Self.exit(pid: 11, at: 2_000), Self.exit(pid: 12, at: 3_000)])
        // no finish: the process died here
        let next = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Self.session(startedAt: Self.clock.utc(9_000)))
        try next.finish(clean: true)
        let q = try DatabaseQueue(path: path)
        try q.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT ended_at, clean_shutdown, warnings FROM sessions WHERE id = ?",
                                                    arguments: [killed.sessionID]))
            #expect(row["ended_at"] as Int64? == Self.clock.utc(3_000))
            #expect(row["clean_shutdown"] as Int64 == 0)
            #expect((row["warnings"] as String?)?.contains("killed or crashed") == true)
            let other = try #require(try Row.fetchOne(db, sql: "SELECT clean_shutdown, warnings FROM sessions WHERE id = ?",
                                                      arguments: [next.sessionID]))
            #expect(other["clean_shutdown"] as Int64 == 1)
            #expect(other["warnings"] as String? == nil)
        }
    }
}

/// One recorder per case file.
@Suite struct RecordingLockTests {
    @Test func aSecondRecorderIsRefusedUntilTheFirstIsDone() throws {
        let path = try temporaryDirectory().appendingPathComponent("locked.db").path
        let first = try RecordingLock(path: path)
        #expect {
            _ = try RecordingLock(path: path)
        } throws: { error in
            guard case StoreError.busy = error else { return false }
            return "\(error)".contains("another `casefile record` is writing to \(path)")
        }
        // The lock holder records; investigators read while it is locked.
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: CaseFileIntegrityTests.session())
        #expect(try Investigation(path: path).summary().sessions.count == 1)
        try writer.finish(clean: true)
        try writer.close()
        first.release()
        let second = try RecordingLock(path: path)
        second.release()
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
    }

    @Test func aMissingDirectoryIsSaid() throws {
        #expect {
            _ = try RecordingLock(path: "/nonexistent-dir/case.db")
        } throws: { "\($0)".contains("no directory /nonexistent-dir") }
    }

    /// A recording that fails to start (here: a ring size the probe refuses, before any BPF)
    /// leaves no empty file behind.
    @Test func aRecordingThatFailsToStartLeavesNoFile() async throws {
        let path = try temporaryDirectory().appendingPathComponent("never.db").path
        var options = RecorderOptions(databasePath: path)
        options.ringBufferBytes = 1000
        options.enrichment = false
        await #expect(throws: (any Error).self) {
            _ = try await withRecording(options: options, logger: testLogger) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// An empty file that claims a schema version is not taken for an empty database.
    @Test func anEmptyDatabaseWithAVersionIsRefused() throws {
        let path = try temporaryDirectory().appendingPathComponent("versioned.db").path
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = 7") }
        try q.close()
        let before = try CaseFileIntegrityTests.bytes(path)
        #expect(throws: StoreError.self) { _ = try CaseFile.openForRecording(path: path) }
        #expect(try CaseFileIntegrityTests.bytes(path) == before)
    }
}
