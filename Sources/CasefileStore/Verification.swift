import CasefileModel
import Foundation
import GRDB

/// What `casefile verify` found.
public struct VerificationReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Every row is as its batch sealed it, and the chain is whole.
        case verified
        /// Intact as far as it goes, but the last session has no closing batch: its recorder is
        /// still running, was killed, or batches were cut off the end. A head kept off the host
        /// (`--expect`) tells which.
        case unfinished
        /// Rows or seals were changed, removed or added after sealing, or the expected head is
        /// not this file's.
        case tampered
    }

    public var outcome: Outcome = .verified
    /// What is wrong, the first bad batch first.
    public var problems: [String] = []
    /// What the investigator should know besides (sessions not closed, a running recorder, ...).
    public var notes: [String] = []
    /// The first batch whose rows do not match its seal, or whose rows were changed afterwards.
    public var firstBadSeal: Int64?
    public var seals: Int64 = 0
    public var sessions = 0
    public var events = 0
    public var execs = 0
    public var gaps = 0
    public var otherRows = 0
    /// The file's chain head (hex): the digest of its last seal.
    public var head: String?
    /// Where the head given with `--expect` was found (seal id), if it was.
    public var expectedHeadAt: Int64?
}

/// Recomputes a case file's seal chain (see Seals.swift, docs/SEALS.md). Reads the file
/// read-only, with its own SQL, from base tables only: nothing stored in the file is executed.
public enum CaseFileVerifier {
    /// How many bad batches are named one by one (the rest are counted).
    static let listed = 10

    public static func verify(path: String, expectedHead: String? = nil) throws -> VerificationReport {
        // Before SQLite opens the file: closing our descriptor later would drop SQLite's locks.
        let recording = RecordingLock.isHeld(path: path) ?? false
        let queue = try CaseFile.openForReading(path: path, throughCasefileViews: false).queue
        defer { try? queue.close() }
        var report = VerificationReport()
        try queue.read { db in
            do {
                try CaseFile.checkSchema(db, path: path)
            } catch let error as StoreError {
                // Nothing is read from a file whose tables or views are not Casefile's: a view
                // in a table's place would run, a changed table would be misread.
                report.problems.append("schema: \(error)")
                report.outcome = .tampered
                return
            }
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            guard version >= 3 else {
                report.problems.append("the file has schema version \(version): it was written before seals existed (version 3), so it cannot be verified")
                report.outcome = .tampered
                return
            }
            // A file recorded before seals existed (schema < 3), then recorded into again: its
            // first seal is not its first session's. What those sessions wrote cannot be verified.
            let firstSealed = try Int64.fetchOne(db, sql: "SELECT session_id FROM seals ORDER BY id LIMIT 1")
            let firstSession = try Int64.fetchOne(db, sql: "SELECT min(id) FROM sessions")
            var predates = false
            if let firstSealed, let firstSession { predates = firstSession < firstSealed }
            var unsealed: [String] = []
            try verifyChain(db, &report)
            try verifyFinalState(db, &report, unsealed: &unsealed)
            try verifyCoverage(db, &report, unsealed: &unsealed)
            if predates {
                report.notes.append("sessions before \(firstSealed ?? 0) were recorded before seals existed (schema < 3): "
                                    + "what is in no seal cannot be verified: " + unsealed.joined(separator: "; "))
                if !unsealed.isEmpty && report.outcome == .verified { report.outcome = .unfinished }
            } else {
                report.problems += unsealed
            }
            try verifySessions(db, recording: recording, &report)
            if let expectedHead { try checkExpected(db, expectedHead.lowercased(), &report) }
            try verifyStructure(db, &report)
            if version >= 8 { try verifyTimeSummary(db, &report) }
        }
        if !report.problems.isEmpty { report.outcome = .tampered }
        return report
    }

    // MARK: - The structure: indexes agree with their tables

    /// Seals cover the rows of the tables, not SQLite's b-trees around them: a changed index
    /// entry (a key of a UNIQUE index: a path, a container id) would make every lookup through the
    /// index misread the file while every row still matches its seal. `PRAGMA integrity_check` compares every
    /// index with its table (quick_check does not); on 10 M events it reads the file once more
    /// (6.5 s measured).
    private static func verifyStructure(_ db: Database, _ report: inout VerificationReport) throws {
        let findings = try String.fetchAll(db, sql: "PRAGMA integrity_check(\(listed))")
        guard findings != ["ok"] else { return }
        for finding in findings {
            report.problems.append("file structure: \(SafeText.escape(finding)) (an index or page does not agree with its table: what walks it would misread the file)")
        }
    }

    // MARK: - The time summary agrees with the events

    /// `event_chunks` and `event_chunk_cgroups` are derived from `events` and not sealed, but
    /// every time and container query goes through them: a chunk's times or cgroups changed
    /// would hide its events from those queries. Recomputed here from the events (one join
    /// scan of the events per check).
    private static func verifyTimeSummary(_ db: Database, _ report: inout VerificationReport) throws {
        let problem = " (the time summary is how time and container queries find events: what it misdescribes they would not show)"
        guard try Investigation.chunksCoverEvents(db) else {
            report.problems.append("time summary: the id ranges of event_chunks do not cover every event exactly" + problem)
            return
        }
        let wrong = try Row.fetchAll(db, sql: """
            SELECT c.first_event, c.min_ts, c.max_ts, min(e.ts), max(e.ts) FROM event_chunks c
            LEFT JOIN events e ON e.id BETWEEN c.first_event AND c.last_event
            GROUP BY c.first_event HAVING min(e.ts) IS NOT c.min_ts OR max(e.ts) IS NOT c.max_ts
            ORDER BY c.first_event LIMIT \(listed + 1)
            """)
        for row in wrong.prefix(listed) {
            report.problems.append("time summary: the chunk of events from id \(integer(row, 0).map(String.init) ?? "?") says \(integer(row, 1).map(String.init) ?? "?")…\(integer(row, 2).map(String.init) ?? "?") but its events span \(integer(row, 3).map(String.init) ?? "none")…\(integer(row, 4).map(String.init) ?? "none")" + problem)
        }
        if wrong.count > listed { report.problems.append("time summary: more chunks with wrong times") }
        let actual = """
            SELECT DISTINCT e.cgroup_row, c.first_event FROM event_chunks c JOIN events e ON e.id BETWEEN c.first_event AND c.last_event
            WHERE e.cgroup_row IS NOT NULL
            """
        let missing = try Int64.fetchOne(db, sql: "SELECT count(*) FROM (\(actual) EXCEPT SELECT cgroup_row, first_event FROM event_chunk_cgroups)") ?? 0
        let extra = try Int64.fetchOne(db, sql: "SELECT count(*) FROM (SELECT cgroup_row, first_event FROM event_chunk_cgroups EXCEPT \(actual))") ?? 0
        if missing > 0 { report.problems.append("time summary: \(missing) (cgroup, chunk) pairs with events are missing from event_chunk_cgroups" + problem) }
        if extra > 0 { report.problems.append("time summary: event_chunk_cgroups lists \(extra) (cgroup, chunk) pairs without events") }
    }

    // MARK: - The chain: every batch hashes to its seal, and each seal to the one before

    private static func verifyChain(_ db: Database, _ report: inout VerificationReport) throws {
        let reader = try SealReader(db)
        var expectedID: Int64 = 1
        var prev = SealHeader.zero
        var bad = 0
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, session_id, sealed_at, first_event, last_event, first_gap, last_gap, changed_rows, prev, digest
            FROM seals ORDER BY id
            """)
        while let row = try rows.next() {
            // Every column is read as what it holds: a wrong type is a finding, never a crash.
            guard let id = int(row, "id"), let session = int(row, "session_id"), let sealedAt = int(row, "sealed_at"),
                  let changed = int(row, "changed_rows") else {
                bad += 1
                report.firstBadSeal = report.firstBadSeal.map { min($0, expectedID) } ?? expectedID
                report.problems.append("the seal after batch \(expectedID &- 1) has a column of the wrong type (the seals table was edited)")
                expectedID &+= 1
                continue
            }
            let header = SealHeader(
                id: id, sessionID: session, sealedAt: sealedAt,
                events: range(int(row, "first_event"), int(row, "last_event")), gaps: range(int(row, "first_gap"), int(row, "last_gap")),
                changedRows: changed, prev: bytes(row["prev"]))
            let stored = bytes(row["digest"])
            var wrong: [String] = []
            if header.id != expectedID {
                wrong.append(header.id > expectedID ? "seals \(expectedID)–\(header.id &- 1) are missing" : "seal \(header.id) is out of order")
            }
            if header.prev != prev { wrong.append("it does not chain to the seal before it") }
            let (digest, covered) = try reader.digest(header)
            if digest != stored {
                wrong.append("its rows do not match its seal (rows of this batch were edited, deleted, inserted or reordered)")
            } else if covered.changed != Int(header.changedRows) {
                wrong.append("it lists \(covered.changed) changed rows where it sealed \(header.changedRows)")
            }
            if !wrong.isEmpty {
                bad += 1
                report.firstBadSeal = report.firstBadSeal.map { min($0, header.id) } ?? header.id
                if bad <= listed { report.problems.append("\(describe(header)): " + wrong.joined(separator: "; ")) }
            }
            report.events += covered.events
            report.execs += covered.execs
            report.gaps += covered.gaps
            report.seals += 1
            prev = stored
            expectedID = header.id &+ 1 // an edited id of Int64.max is a finding above, not a trap here
        }
        if bad > listed { report.problems.append("… and \(bad - listed) more batches that do not match their seals") }
        report.head = report.seals > 0 ? prev.hex : nil
    }

    // MARK: - Rows of updatable tables: each is as its newest seal says

    private static func verifyFinalState(_ db: Database, _ report: inout VerificationReport, unsealed unsealedRows: inout [String]) throws {
        // The newest entry per row (SQLite returns the bare columns of the max() row).
        var sealed: [SealedRow: (seal: Int64, digest: [UInt8])] = [:]
        // Only entries of seals that exist: those were hashed with their batch. An entry of no
        // seal was never hashed by anyone, and would otherwise vouch for whatever it names.
        let orphans = try Int.fetchOne(db, sql: "SELECT count(*) FROM seal_rows WHERE seal_id NOT IN (SELECT id FROM seals)") ?? 0
        if orphans > 0 {
            report.problems.append("\(orphans) seal_rows entries belong to no seal: added outside the recorder")
        }
        let entries = try Row.fetchCursor(db, sql: """
            SELECT table_name, row_key, max(seal_id) AS seal_id, row_digest FROM seal_rows
            WHERE seal_id IN (SELECT id FROM seals) GROUP BY table_name, row_key
            """)
        var unknownTables: Set<String> = []
        while let row = try entries.next() {
            guard let name = text(row, "table_name"), let table = SealedTable(rawValue: name), !table.isAppendOnly,
                  let seal = int(row, "seal_id") else {
                unknownTables.insert(text(row, "table_name") ?? "(not text)")
                continue
            }
            let key: SQLValue = (row["row_key"] as DatabaseValue).sqlValue
            sealed[SealedRow(table: table, key: key)] = (seal, bytes(row["row_digest"]))
        }
        for name in unknownTables.sorted() {
            report.problems.append("seal_rows names a table that is not sealed this way: \(SafeText.escape(name))")
        }
        let reader = try SealReader(db)
        var changed: [(seal: Int64, text: String)] = []
        var unsealed: [String: (count: Int, first: String)] = [:]
        for table in SealedTable.updatable {
            try reader.forEachRow(of: table, in: db) { key, digest in
                let row = SealedRow(table: table, key: key)
                guard let entry = sealed.removeValue(forKey: row) else {
                    let found = unsealed[table.rawValue]
                    unsealed[table.rawValue] = ((found?.count ?? 0) + 1, found?.first ?? key.display)
                    return
                }
                if entry.digest != digest {
                    changed.append((entry.seal, "\(table.rawValue) row \(key.display) was changed after batch \(entry.seal) sealed it"))
                }
                report.otherRows += 1
            }
        }
        for (row, entry) in sealed {
            changed.append((entry.seal, "\(row.table.rawValue) row \(row.key.display), sealed by batch \(entry.seal), was deleted"))
        }
        changed.sort { ($0.seal, $0.text) < ($1.seal, $1.text) }
        for item in changed.prefix(listed) { report.problems.append(item.text) }
        if changed.count > listed { report.problems.append("… and \(changed.count - listed) more rows changed or deleted after sealing") }
        if let first = changed.first?.seal {
            report.firstBadSeal = report.firstBadSeal.map { min($0, first) } ?? first
        }
        for (table, u) in unsealed.sorted(by: { $0.key < $1.key }) {
            unsealedRows.append("\(u.count) \(table) rows are in no seal (the first: \(u.first)): added outside the recorder")
        }
    }

    // MARK: - Append-only rows: all inside some batch's ranges

    private static func verifyCoverage(_ db: Database, _ report: inout VerificationReport, unsealed: inout [String]) throws {
        let parts: [(table: String, key: String, covered: Int, first: String, last: String)] = [
            ("events", "id", report.events, "first_event", "last_event"),
            ("execs", "event_id", report.execs, "first_event", "last_event"),
            ("gaps", "id", report.gaps, "first_gap", "last_gap"),
        ]
        for part in parts {
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(part.table)") ?? 0
            guard total != part.covered else { continue }
            // Only on a mismatch: the rows outside every sealed range.
            let outside = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, min(\(part.key)) AS first FROM \(part.table) t
                WHERE NOT EXISTS (SELECT 1 FROM seals s WHERE t.\(part.key) BETWEEN s.\(part.first) AND s.\(part.last))
                """)
            let n = outside.flatMap { int($0, "n") } ?? 0
            if n > 0 {
                let first = outside.flatMap { int($0, "first") } ?? 0
                unsealed.append("\(n) \(part.table) rows are in no seal (the first: \(part.key) \(first)): added outside the recorder")
            }
        }
    }

    // MARK: - Sessions: closed, and their heads as sealed

    private static func verifySessions(_ db: Database, recording: Bool, _ report: inout VerificationReport) throws {
        let sessions = try Row.fetchAll(db, sql: """
            SELECT s.id, s.ended_at, s.clean_shutdown, s.seal_head, s.events,
                   (SELECT digest FROM seals WHERE session_id = s.id ORDER BY id DESC LIMIT 1) AS last_digest,
                   (SELECT id FROM seals WHERE session_id = s.id ORDER BY id DESC LIMIT 1) AS last_seal
            FROM sessions s ORDER BY s.id
            """)
        report.sessions = sessions.count
        let counts = Dictionary(try Row.fetchAll(db, sql: "SELECT session_id, count(*) AS n FROM events GROUP BY session_id").map {
            (int($0, "session_id") ?? 0, Int(int($0, "n") ?? 0))
        }, uniquingKeysWith: +)
        for (index, s) in sessions.enumerated() {
            let id = int(s, "id") ?? 0
            let head = text(s, "seal_head")
            let lastDigest = (s["last_digest"] as DatabaseValue).isNull ? nil : bytes(s["last_digest"]).hex
            if let head, head != lastDigest {
                report.problems.append("session \(id): its recorded seal head \(SafeText.escape(head)) is not the digest of its last seal"
                                       + (lastDigest.map { " (\($0))" } ?? " (it has no seals)") + ": batches were removed or rewritten")
            }
            let stored = int(s, "events") ?? -1
            if stored != Int64(counts[id] ?? 0) {
                report.problems.append("session \(id) says it stored \(stored) events, but \(counts[id] ?? 0) are in the file")
            }
            let ended = !(s["ended_at"] as DatabaseValue).isNull
            let isLast = index == sessions.count - 1
            if !ended && isLast {
                if recording {
                    report.notes.append("session \(id) is still being recorded: verified up to its latest committed batch")
                } else {
                    report.notes.append("session \(id) has no closing batch: its recorder was killed, or batches were cut off the end of the file. A head kept off the host tells which: --expect HEAD")
                }
                if report.outcome == .verified { report.outcome = .unfinished }
            } else if head == nil && ended {
                report.notes.append("session \(id) did not stop cleanly (closed by a later session); its last sealed batch is \(int(s, "last_seal").map(String.init) ?? "none")")
            }
        }
    }

    private static func checkExpected(_ db: Database, _ expected: String, _ report: inout VerificationReport) throws {
        var at: Int64?
        let rows = try Row.fetchCursor(db, sql: "SELECT id, digest FROM seals ORDER BY id")
        while at == nil, let row = try rows.next() {
            if bytes(row["digest"]).hex == expected { at = int(row, "id") }
        }
        report.expectedHeadAt = at
        guard let at else {
            report.problems.append("the head you expect (\(SafeText.escape(expected))) is not in this file: its last batches were cut off, or the chain was rewritten")
            return
        }
        if at < report.seals {
            // Later batches are chained to it, but nothing kept off the host vouches for them,
            // and they may have re-sealed rows sealed before.
            let resealed = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT table_name, row_key FROM seal_rows WHERE seal_id IN (SELECT id FROM seals)
                    GROUP BY table_name, row_key HAVING max(seal_id) > ? AND min(seal_id) <= ?)
                """, arguments: [at, at]) ?? 0
            report.notes.append("the head you expect is batch \(at): batches \(at &+ 1)–\(report.seals) were sealed after it, and no head you kept vouches for them"
                                + (resealed > 0 ? "; they changed \(resealed) rows sealed before it" : ""))
            if report.outcome == .verified { report.outcome = .unfinished }
        } else if report.outcome == .unfinished {
            // The head kept off the host is the file's last: nothing was cut.
            report.outcome = .verified
            report.notes.append("the head you expect is this file's last: nothing was cut off")
        }
    }

    // MARK: - Helpers

    private static func describe(_ h: SealHeader) -> String {
        var parts = ["session \(h.sessionID)", "sealed \(Display.utc(h.sealedAt))"]
        if let e = h.events { parts.append("events \(e.lowerBound)–\(e.upperBound)") }
        if let g = h.gaps { parts.append("gaps \(g.lowerBound)–\(g.upperBound)") }
        if h.changedRows > 0 { parts.append("\(h.changedRows) other rows") }
        return "batch \(h.id) (" + parts.joined(separator: ", ") + ")"
    }

    private static func range(_ a: Int64?, _ b: Int64?) -> ClosedRange<Int64>? {
        guard let a, let b, a <= b else { return nil }
        return a...b
    }

    private static func int(_ row: Row, _ column: String) -> Int64? {
        if case .int64(let v) = (row[column] as DatabaseValue).storage { return v }
        return nil
    }

    private static func text(_ row: Row, _ column: String) -> String? {
        if case .string(let v) = (row[column] as DatabaseValue).storage { return v }
        return nil
    }

    private static func bytes(_ value: DatabaseValue) -> [UInt8] {
        switch value.storage {
        case .blob(let data): [UInt8](data)
        case .string(let s): Array(s.utf8)
        default: []
        }
    }
}

extension DatabaseValue {
    var sqlValue: SQLValue {
        switch storage {
        case .null: .null
        case .int64(let v): .integer(v)
        case .double(let v): .real(v)
        case .string(let s): .text(Array(s.utf8))
        case .blob(let d): .blob([UInt8](d))
        }
    }
}

extension SQLValue {
    /// For messages: numbers as they are, text made safe to print.
    var display: String {
        switch self {
        case .null: "NULL"
        case .integer(let v): "\(v)"
        case .real(let v): "\(v)"
        case .text(let b): SafeText.escape(String(decoding: b, as: UTF8.self))
        case .blob(let b): "x'\(b.hex)'"
        }
    }
}
