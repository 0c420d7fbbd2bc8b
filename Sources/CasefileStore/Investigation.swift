import CasefileModel
import Foundation
import GRDB

/// Read-only questions to a case file, for the CLI and reports. Opening it never writes.
public struct Investigation: Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// What the user must be told about how the file was read (`OpenedCaseFile.notes`).
    public let notes: [String]
    public let schemaVersion: Int

    public init(path: String) throws {
        self.path = path
        let opened = try CaseFile.openForReading(path: path)
        queue = opened.queue
        notes = opened.notes
        schemaVersion = opened.schemaVersion
    }

    /// What differs between the file's schema and Casefile's (`CaseFile.schemaDifferences`),
    /// read on this connection: no second open of the file.
    public func schemaDifferences() throws -> [String] {
        try queue.read { try CaseFile.schemaDifferences($0, path: path) }
    }

    /// The time of the last event (a folded row's last repeat included); nil when there is none.
    public func lastEventTime() throws -> Int64? {
        try queue.read { db in
            let last = try eventTimes(db).last
            let folded = try Row.fetchOne(db, sql: "SELECT max(last_ts) FROM event_folds").flatMap { integer($0, 0) }
            return [last, folded].compactMap { $0 }.max()
        }
    }

    /// The first and last event time: from the time summary (schema 8 on, when it covers every
    /// event), else from events_by_time (older files; min and max apart: each one index step).
    func eventTimes(_ db: Database) throws -> (first: Int64?, last: Int64?) {
        if schemaVersion >= 8, let times = try chunkTimes(db) { return times }
        let first = try Row.fetchOne(db, sql: "SELECT min(ts) FROM events").flatMap { integer($0, 0) }
        let last = try Row.fetchOne(db, sql: "SELECT max(ts) FROM events").flatMap { integer($0, 0) }
        return (first, last)
    }

    public struct SessionSummary: Sendable {
        public var id: Int64
        public var host: String
        public var kernel: String
        public var bootID: String
        public var cgroupLayout: String
        /// nil when the file holds something that is not a time or a count there: shown as such,
        /// never as a made-up 0 or 1970.
        public var startedAt: Int64?
        public var endedAt: Int64?
        public var cleanShutdown: Bool
        public var events: Int64?
        public var lost: Int64?
        public var version: String
        public var attached: String?
        public var attachFailures: String?
        public var warnings: String?
        public var runtimes: String?
        public var enrichmentDropped: Int64
        /// From `session_settings` (schema 6 on; nil before).
        public var settings: Settings?
    }

    /// What a session chose to record and how (`session_settings`).
    public struct Settings: Sendable {
        public var eventsRecorded: String
        public var scope: String?
        public var scopeSkipped: Int64
        public var hooks: String
        public var notAttached: String?
        public var argvMax: Int64?
        public var environmentCaptured: Bool
        public var foldWindowMilliseconds: Int64
        /// Events stored as repeats of an identical row (`event_folds`), as of the session's end.
        public var folded: Int64
    }

    public struct Summary: Sendable {
        public var schemaVersion: Int
        public var sessions: [SessionSummary]
        public var kinds: [(kind: String, count: Int64)]
        public var gaps: [(reason: String, count: Int64)]
        public var firstEvent: Int64?
        public var lastEvent: Int64?
        public var processes: Int64
        public var cgroups: Int64
        public var containers: Int64
        public var enrichedContainers: Int64
        public var pods: Int64
    }

    /// `countingKinds`: count events per kind (a scan of every event); false leaves `kinds` empty.
    public func summary(countingKinds: Bool = true) throws -> Summary {
        try queue.read { db in
            // Every value is read as what it is, never trusted to be what the column says: a text
            // in an integer column, a huge number or invalid UTF-8 is shown, not a trap.
            var sessions = try Row.fetchAll(db, sql: """
                SELECT id, host, kernel, boot_id, cgroup_layout, started_at, ended_at, clean_shutdown, events, lost,
                       casefile_version, attached, attach_failures, warnings, runtimes, enrichment_dropped FROM sessions ORDER BY id
                """).map { r in
                SessionSummary(id: integer(r, 0) ?? 0, host: text(r, 1) ?? "?", kernel: text(r, 2) ?? "?",
                               bootID: text(r, 3) ?? "?", cgroupLayout: text(r, 4) ?? "?", startedAt: integer(r, 5),
                               endedAt: integer(r, 6), cleanShutdown: (integer(r, 7) ?? 0) != 0, events: integer(r, 8),
                               lost: integer(r, 9), version: text(r, 10) ?? "?", attached: text(r, 11),
                               attachFailures: text(r, 12), warnings: text(r, 13), runtimes: text(r, 14),
                               enrichmentDropped: integer(r, 15) ?? 0, settings: nil)
            }
            let hasSettings = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'session_settings'") ?? 0 > 0
            if hasSettings {
                var byID: [Int64: Settings] = [:]
                for r in try Row.fetchAll(db, sql: """
                    SELECT session_id, events_recorded, scope, scope_skipped, hooks, not_attached, argv_max, environment_captured,
                           fold_window_ms, folded
                    FROM session_settings
                    """) {
                    guard let id = integer(r, 0) else { continue }
                    byID[id] = Settings(eventsRecorded: text(r, 1) ?? "?", scope: text(r, 2), scopeSkipped: integer(r, 3) ?? 0,
                                        hooks: text(r, 4) ?? "?", notAttached: text(r, 5), argvMax: integer(r, 6),
                                        environmentCaptured: (integer(r, 7) ?? 0) != 0,
                                        foldWindowMilliseconds: integer(r, 8) ?? 0, folded: integer(r, 9) ?? 0)
                }
                for i in sessions.indices { sessions[i].settings = byID[sessions[i].id] }
            }
            // Folded rows count for every event they stand for (event_folds, schema 6 on): one
            // scan of events by kind, and the (few) folds looked up on their own — not a join per event.
            var perKind: [Int64: Int64] = [:]
            for r in countingKinds ? try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM events GROUP BY kind") : [] {
                if let kind = integer(r, 0) { perKind[kind, default: 0] = perKind[kind, default: 0].addingReportingOverflow(integer(r, 1) ?? 0).partialValue }
            }
            if hasSettings && countingKinds {
                for r in try Row.fetchAll(db, sql: "SELECT e.kind, total(f.count - 1) FROM event_folds f CROSS JOIN events e ON e.id = f.event_id GROUP BY e.kind") {
                    if let kind = integer(r, 0) {
                        let (sum, overflow) = perKind[kind, default: 0].addingReportingOverflow(integer(r, 1) ?? 0)
                        perKind[kind] = overflow ? .max : sum
                    }
                }
            }
            let kinds = try Row.fetchAll(db, sql: "SELECT id, name FROM event_kinds ORDER BY id").map { r in
                (kind: text(r, 1) ?? "?", count: integer(r, 0).flatMap { perKind[$0] } ?? 0)
            }
            // total() sums in floating point: a planted Int64.max cannot make SQLite's sum() fail
            let gaps = try Row.fetchAll(db, sql: "SELECT reason, total(count) FROM gaps GROUP BY reason ORDER BY reason")
                .map { (reason: text($0, 0) ?? "?", count: integer($0, 1) ?? 0) }
            var (first, last) = try eventTimes(db)
            if hasSettings, let folded = try Row.fetchOne(db, sql: "SELECT max(last_ts) FROM event_folds").flatMap({ integer($0, 0) }) {
                last = max(last ?? folded, folded)
            }
            func count(_ table: String) throws -> Int64 { try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
            return Summary(schemaVersion: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                           sessions: sessions, kinds: kinds, gaps: gaps,
                           firstEvent: first, lastEvent: last,
                           processes: try count("processes"), cgroups: try count("cgroups"),
                           containers: try count("containers"),
                           enrichedContainers: try Int64.fetchOne(db, sql: "SELECT count(*) FROM containers WHERE enriched_at IS NOT NULL") ?? 0,
                           pods: try count("pods"))
        }
    }
}

/// A value of an untrusted file as an integer: whatever its storage, saturated, never a trap
/// (nil for NULL, a blob, or text that is not a number).
func integer(_ row: Row, _ index: Int) -> Int64? {
    switch (row[index] as DatabaseValue).storage {
    case .int64(let v): return v
    case .double(let d):
        if d.isNaN { return nil }
        return d >= 9.223372036854775e18 ? .max : d <= -9.223372036854775e18 ? .min : Int64(d)
    case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
    case .blob, .null: return nil
    }
}

/// A value of an untrusted file as text (invalid UTF-8 replaced; render it with `SafeText`).
func text(_ row: Row, _ index: Int) -> String? {
    bytes(row, index).map { String(decoding: $0, as: UTF8.self) }
}

/// Raw bytes of a TEXT or BLOB column (never re-encoded), nil for NULL.
func bytes(_ row: Row, _ index: Int) -> [UInt8]? {
    switch (row[index] as DatabaseValue).storage {
    case .null: return nil
    case .string(let s): return Array(s.utf8)
    case .blob(let data): return Array(data)
    case .int64(let v): return Array(String(v).utf8)
    case .double(let v): return Array(String(v).utf8)
    }
}
