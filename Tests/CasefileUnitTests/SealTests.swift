import CasefileModel
@testable import CasefileStore
import Foundation
import GRDB
import CasefileTestSupport
import Testing

/// Seals and `verify`: each way of touching a sealed file is named, down to the batch.
@Suite struct SealTests {
    static let clock = StoreTests.clock

    /// A finished case file with three event batches (exits of pids 1–3, 4–6, 7–9), a gap and a
    /// container; returns its path and the head printed at stop.
    static func sealedFile(_ name: String = #function) throws -> (path: String, head: String) {
        let path = try temporaryDirectory().appendingPathComponent("\(name.prefix(40)).db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: StoreTests.session())
        for batch in 0..<3 {
            let events = (1...3).map { CaseFileIntegrityTests.exit(pid: UInt32(batch * 3 + $0), at: UInt64(batch * 3 + $0) * 1_000) }
            try writer.write(StoreBatch(events: events, gaps: batch == 1 ? [Gap(detectedAt: 5, count: 2, reason: .ringBufferFull)] : []))
        }
        try writer.write(StoreBatch(enrichments: [ContainerMetadata(id: String(repeating: "ab", count: 32), runtime: .docker,
                                                                    source: "test", name: "web")]))
        try writer.finish(clean: true)
        return (path, writer.sealHeadHex)
    }

    static func tamper(_ path: String, _ sql: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { try $0.execute(sql: sql) }
        try q.close()
    }

    /// The batch holding events row `id`.
    static func batch(ofEvent id: Int64, _ path: String) throws -> Int64 {
        try DatabaseQueue(path: path).read {
            try #require(try Int64.fetchOne($0, sql: "SELECT id FROM seals WHERE ? BETWEEN first_event AND last_event", arguments: [id]))
        }
    }

    /// The writer seals the events and execs rows it inserts from the values it bound, without
    /// reading them back; in debug builds (every test) each seal is computed both ways and must
    /// agree. Here: hostile and empty exec values, and a batch too big to keep encoded (read back).
    @Test func rowsAreSealedAsWrittenAndAgreeWithWhatIsStored() throws {
        let path = try temporaryDirectory().appendingPathComponent("as-written.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: StoreTests.session())
        #expect(writer.crossCheckSeals, "tests are built in debug, where every seal is also read back")
        let a = Scenario.key(4242, 1), b = Scenario.key(4243, 2)
        try writer.write([
            Scenario.fork(3, a, b, cgroup: 7, comm: "sh"),
            Scenario.exec(4, b, parent: a, ppid: 4242, cgroup: 7, comm: Scenario.hostileComm, file: "/tmp/\u{1B}]0;x", argv: Scenario.hostileArgv),
            Scenario.exec(5, b, parent: a, ppid: 4242, cgroup: 7, comm: [], file: "", argv: []),
            Scenario.open(6, b, cgroup: 7, comm: Scenario.hostileComm, path: Scenario.hostilePath, flags: 0o101, mode: 0o644, result: -13),
            Scenario.connect(7, b, cgroup: 7, comm: "sh", family: 2, address: "10.0.0.1", port: 443, result: 0),
            Scenario.exit(8, b, ppid: 4242, cgroup: 7, comm: [0xFF], status: 9),
        ])
        let asWritten = writer.sealsHashedAsWritten
        #expect(asWritten == 1)
        // ~104 encoded bytes an exit: 50,000 pass the 4 MiB kept for them, and are read back
        try writer.write((0..<50_000).map { CaseFileIntegrityTests.exit(pid: UInt32(10_000 + $0), at: UInt64(10_000 + $0)) })
        #expect(!writer.written.complete && writer.sealsHashedAsWritten == asWritten)
        try writer.write([CaseFileIntegrityTests.exit(pid: 9, at: 90_000)])
        #expect(writer.sealsHashedAsWritten == asWritten + 1)
        try writer.finish(clean: true)
        let report = try CaseFileVerifier.verify(path: path, expectedHead: writer.sealHeadHex)
        #expect(report.outcome == .verified, "\(report.problems)")
        #expect(report.events == 50_007)
    }

    @Test func anUntouchedFileVerifiesWithItsHead() throws {
        let (path, head) = try Self.sealedFile()
        let report = try CaseFileVerifier.verify(path: path, expectedHead: head)
        #expect(report.outcome == .verified, "\(report.problems)")
        #expect(report.head == head && report.expectedHeadAt == report.seals)
        #expect(report.events == 9 && report.gaps == 1 && report.firstBadSeal == nil)
        try DatabaseQueue(path: path).read { db in
            #expect(try String.fetchOne(db, sql: "SELECT seal_head FROM sessions") == head)
            // start, three event batches, the enrichment, the stop: six batches, ids 1...6, chained.
            #expect(try Int64.fetchAll(db, sql: "SELECT id FROM seals ORDER BY id") == Array(1...6))
            let chained = try Row.fetchAll(db, sql: "SELECT a.digest = b.prev AS ok FROM seals a JOIN seals b ON b.id = a.id + 1")
            #expect(chained.allSatisfy { $0["ok"] as Bool })
        }
    }

    @Test func anEditedEventNamesItsBatch() throws {
        let (path, _) = try Self.sealedFile()
        try Self.tamper(path, "UPDATE events SET pid = 666 WHERE id = 5")
        let batch = try Self.batch(ofEvent: 5, path)
        let report = try CaseFileVerifier.verify(path: path)
        #expect(report.outcome == .tampered)
        #expect(report.firstBadSeal == batch)
        #expect(report.problems.first?.contains("do not match its seal") == true)
    }

    @Test func aDeletedEventNamesItsBatch() throws {
        let (path, _) = try Self.sealedFile()
        let batch = try Self.batch(ofEvent: 7, path)
        try Self.tamper(path, "DELETE FROM events WHERE id = 7")
        let report = try CaseFileVerifier.verify(path: path)
        #expect(report.outcome == .tampered && report.firstBadSeal == batch)
        #expect(report.problems.contains { $0.contains("says it stored 9 events, but 8") })
    }

    @Test func anInsertedEventIsFound() throws {
        let (path, _) = try Self.sealedFile()
        // Inside a batch's range (re-using a deleted id) and past the last one.
        let batch = try Self.batch(ofEvent: 2, path)
        try Self.tamper(path, "DELETE FROM events WHERE id = 2; INSERT INTO events (id, session_id, ts, kind, pid) VALUES (2, 1, 5, 3, 77)")
        var report = try CaseFileVerifier.verify(path: path)
        #expect(report.outcome == .tampered && report.firstBadSeal == batch)
        let (other, _) = try Self.sealedFile("appended")
        try Self.tamper(other, "INSERT INTO events (session_id, ts, kind, pid) VALUES (1, 5, 3, 77)")
        report = try CaseFileVerifier.verify(path: other)
        #expect(report.outcome == .tampered)
        #expect(report.problems.contains { $0.contains("1 events rows are in no seal (the first: id 10)") })
    }

    @Test func reorderedEventsAreFound() throws {
        let (path, _) = try Self.sealedFile()
        let batch = try Self.batch(ofEvent: 4, path)
        try Self.tamper(path, "UPDATE events SET id = -1 WHERE id = 4; UPDATE events SET id = 4 WHERE id = 5; UPDATE events SET id = 5 WHERE id = -1")
        let report = try CaseFileVerifier.verify(path: path)
        #expect(report.outcome == .tampered && report.firstBadSeal == batch)
    }

    @Test func aBackFilledRowChangedLaterIsFound() throws {
        let (path, _) = try Self.sealedFile()
        try Self.tamper(path, "UPDATE containers SET name = 'innocent'")
        let report = try CaseFileVerifier.verify(path: path)
        #expect(report.outcome == .tampered)
        #expect(report.problems.first?.contains("containers row \(String(repeating: "ab", count: 32)) was changed after batch 5 sealed it") == true,
                "\(report.problems)")
        #expect(report.firstBadSeal == 5)
    }

    @Test func aCutTailIsFound() throws {
        let (path, head) = try Self.sealedFile()
        // The attacker removes the last batches and makes the session look killed.
        try Self.tamper(path, """
            DELETE FROM events WHERE id >= 7; DELETE FROM seal_rows WHERE seal_id >= 4; DELETE FROM seals WHERE id >= 4;
            UPDATE sessions SET ended_at = NULL, seal_head = NULL, events = 6, clean_shutdown = 0
            """)
        let report = try CaseFileVerifier.verify(path: path, expectedHead: head)
        #expect(report.outcome == .tampered)
        #expect(report.problems.contains { $0.contains("is not in this file: its last batches were cut off") })
        // Without the head: intact so far, but unfinished, and said so.
        let alone = try CaseFileVerifier.verify(path: path)
        #expect(alone.notes.contains { $0.contains("no closing batch") })
        #expect(alone.outcome != .verified)
    }

    @Test func aRewrittenSealIsFound() throws {
        let (path, _) = try Self.sealedFile()
        try Self.tamper(path, "UPDATE seals SET digest = zeroblob(32) WHERE id = 2")
        let report = try CaseFileVerifier.verify(path: path)
        #expect(report.outcome == .tampered && report.firstBadSeal == 2)
        #expect(report.problems.contains { $0.hasPrefix("batch 3") && $0.contains("does not chain") })
    }

    @Test func aKilledSessionIsUnfinishedThenClosedByTheNext() throws {
        let path = try temporaryDirectory().appendingPathComponent("killed.db").path
        let killed = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: StoreTests.session())
        try killed.write([CaseFileIntegrityTests.exit(pid: 1, at: 1_000)])
        try killed.close()
        #expect(try CaseFileVerifier.verify(path: path).outcome == .unfinished)
        let next = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: StoreTests.session())
        try next.finish(clean: true)
        let report = try CaseFileVerifier.verify(path: path, expectedHead: next.sealHeadHex)
        #expect(report.outcome == .verified, "\(report.problems)")
        #expect(report.notes.contains { $0.contains("session 1 did not stop cleanly") })
    }

    /// A forged seal_rows entry (of no seal) cannot vouch for an edited row.
    @Test func aForgedSealRowsEntryIsFound() throws {
        let (path, head) = try Self.sealedFile()
        let id = String(repeating: "ab", count: 32)
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE containers SET name = 'innocent'")
            // The digest the edited row now has, computed with the documented encoding.
            let digest = try SealReader(db).rowDigest(SealedRow(table: .containers, key: .text(Array(id.utf8)))) ?? []
            try db.execute(sql: "INSERT INTO seal_rows VALUES (999, 'containers', ?, ?)", arguments: [id, Data(digest)])
        }
        try q.close()
        let report = try CaseFileVerifier.verify(path: path, expectedHead: head)
        #expect(report.outcome == .tampered)
        #expect(report.problems.contains { $0.contains("1 seal_rows entries belong to no seal") }, "\(report.problems)")
        #expect(report.problems.contains { $0.contains("was changed after batch 5 sealed it") }, "\(report.problems)")
    }

    /// A container id of 64 decimal digits (valid hex) stays text in seal_rows: it verifies, and
    /// two such ids alike in their first digits do not collide.
    @Test func allDigitContainerIDsStayText() throws {
        let path = try temporaryDirectory().appendingPathComponent("digits.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: StoreTests.session())
        let a = String(repeating: "1", count: 63) + "2", b = String(repeating: "1", count: 63) + "3"
        try writer.write(StoreBatch(enrichments: [a, b].map { ContainerMetadata(id: $0, runtime: .docker, source: "test", name: "n\($0.suffix(1))") }))
        try writer.finish(clean: true)
        let report = try CaseFileVerifier.verify(path: path, expectedHead: writer.sealHeadHex)
        #expect(report.outcome == .verified, "\(report.problems)")
        let types = try DatabaseQueue(path: path).read {
            try String.fetchAll($0, sql: "SELECT DISTINCT typeof(row_key) FROM seal_rows WHERE table_name = 'containers'")
        }
        #expect(types == ["text"])
    }

    /// A head kept from earlier vouches only up to itself: later batches make the result
    /// unfinished, not verified.
    @Test func anEarlierHeadVouchesOnlyUpToItself() throws {
        let path = try temporaryDirectory().appendingPathComponent("earlier.db").path
        let first = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: StoreTests.session())
        try first.write([CaseFileIntegrityTests.exit(pid: 1, at: 1_000)])
        try first.finish(clean: true)
        let kept = first.sealHeadHex
        try first.close()
        let second = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: StoreTests.session())
        try second.finish(clean: true)
        let report = try CaseFileVerifier.verify(path: path, expectedHead: kept)
        #expect(report.outcome == .unfinished)
        #expect(report.notes.contains { $0.contains("no head you kept vouches for them") }, "\(report.notes)")
        #expect(try CaseFileVerifier.verify(path: path, expectedHead: second.sealHeadHex).outcome == .verified)
    }

    /// A tampered column type is a finding, never a crash; a planted view stops verify before it reads.
    @Test func malformedSealsAndPlantedViewsAreFindingsNotCrashes() throws {
        let (path, _) = try Self.sealedFile()
        try Self.tamper(path, "PRAGMA foreign_keys = OFF; UPDATE seals SET session_id = 'x' WHERE id = 2; UPDATE sessions SET seal_head = x'00'")
        let report = try CaseFileVerifier.verify(path: path)
        #expect(report.outcome == .tampered)
        #expect(report.firstBadSeal == 2)
        let (other, _) = try Self.sealedFile("planted")
        try Self.tamper(other, "CREATE VIEW v AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r")
        let planted = try CaseFileVerifier.verify(path: other)
        #expect(planted.outcome == .tampered && planted.problems.first?.contains("view v is not Casefile's") == true, "\(planted.problems)")
        #expect(planted.seals == 0, "nothing else was read")
    }

    /// The canonical encoding is fixed: a change to it is a new format, not an edit.
    @Test func encodingIsStable() {
        var e = SealEncoder()
        e.beginRow(table: "t", columns: 4)
        e.null()
        e.integer(-2)
        e.text("é")
        e.blob([0, 255])
        #expect(e.finish().hex == Self.pinnedRowDigest)
    }

    // Computed independently (Python hashlib over the bytes docs/SEALS.md describes).
    static let pinnedRowDigest = "9eabb7a259749ac0a26910dc742192398cbd2b82339f2d21857bbde91a169b07"
}
