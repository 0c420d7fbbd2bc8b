import CasefileModel
import Foundation
import GRDB

/// The timeline: events in time order, with the rows derived from other tables (container
/// lifecycle, losses, recording start and stop) where they happened.
///
/// Events are read from `event_lines` (Casefile's own TEMP view) with the filters on columns of
/// `events` itself — time, cgroup rows, process rows, kinds — chunk by chunk of the time summary
/// (`event_chunks`, schema 8), so the first page comes without reading the rest. Workload and
/// process filters are resolved to row ids first (`resolve`), never matched per event on joined text.
extension Investigation {
    public static let timelineColumns: [ListingColumn] = [
        .init("time", .time), .init("kind"), .init("pid"), .init("ppid"), .init("comm"), .init("container"),
        .init("pod"), .init("details"),
        .init("event_id", inTable: false), .init("session", inTable: false), .init("process_key", inTable: false),
        .init("container_id", inTable: false), .init("pod_uid", inTable: false), .init("namespace", inTable: false),
        .init("image", inTable: false), .init("image_digest", inTable: false), .init("cgroup_path", inTable: false),
        .init("argv", .argv, inTable: false), .init("argv_truncated", .flag, inTable: false),
    ]

    /// What is known of a container for labelling rows (from `containers` and `pods`).
    struct Workload {
        var id: String
        var display: [UInt8]
        var runtime: [UInt8]?
        var image: [UInt8]?
        var digest: [UInt8]?
        var podUID: [UInt8]?
        var pod: [UInt8]?
        var namespace: [UInt8]?
        var confirmed: Bool
        var sandbox: Bool
        var createdAt: Int64?
        var removedAt: Int64?
        var existedAtStart: Bool
        var firstSeenAt: Int64?
    }

    func workloads(_ db: Database) throws -> [String: Workload] {
        var result: [String: Workload] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT k.id, k.name, k.runtime, k.image, k.image_digest, k.pod_uid, p.name, p.namespace, k.confirmed_at IS NOT NULL,
                   k.sandbox, k.created_at, k.removed_at, k.existed_at_start, k.first_seen_at
            FROM containers k LEFT JOIN pods p ON p.uid = k.pod_uid
            """)
        while let r = try rows.next() {
            guard let id = text(r, 0) else { continue }
            let name = bytes(r, 1)
            let podName = bytes(r, 6), namespace = bytes(r, 7)
            result[id] = Workload(
                id: id, display: name ?? Array(id.utf8.prefix(12)), runtime: bytes(r, 2), image: bytes(r, 3), digest: bytes(r, 4),
                podUID: bytes(r, 5), pod: podName.map { (namespace ?? []) + [UInt8(ascii: "/")] + $0 }, namespace: namespace,
                confirmed: (integer(r, 8) ?? 0) != 0, sandbox: (integer(r, 9) ?? 0) != 0, createdAt: integer(r, 10),
                removedAt: integer(r, 11), existedAtStart: (integer(r, 12) ?? 0) != 0, firstSeenAt: integer(r, 13))
        }
        return result
    }

    /// Events and derived rows in time order, filtered, into `sink`.
    public func timeline(_ selection: Selection, into sink: inout some ListingSink) throws {
        try sink.begin(Self.timelineColumns)
        try queue.read { db in
            let r = try resolve(selection, db)
            let workloads = try workloads(db)
            var derived = try derivedRows(r, workloads, db)[...]
            var emitted = 0
            let limit = selection.limit ?? .max
            func emit(_ values: [SQLValue]) throws -> Bool {
                guard emitted < limit else { return false }
                emitted += 1
                return try sink.row(values) && emitted < limit
            }
            var more = true
            if r.storedKinds.map({ !$0.isEmpty }) ?? true {
                try eachEvent(r, selection, workloads, db) { ts, values in
                    while let next = derived.first, next.ts <= ts {
                        derived.removeFirst()
                        more = try emit(next.values)
                        if !more { return false }
                    }
                    more = try emit(values)
                    return more
                }
            }
            while more, let next = derived.popFirst() {
                more = try emit(next.values)
            }
        }
        try sink.end()
    }

    /// The chosen events in (ts, id) order, each as a row of `timelineColumns`, until `body`
    /// returns false. From schema 8 on, the time summary (`event_chunks`) picks the id ranges to
    /// read and the chunks are merged into time order here; older files walk events_by_time.
    private func eachEvent(_ r: ResolvedSelection, _ selection: Selection, _ workloads: [String: Workload], _ db: Database,
                           _ body: (Int64, [SQLValue]) throws -> Bool) throws {
        let chunks = schemaVersion >= 8 ? try chunkRanges(since: r.since, until: r.until, cgroups: r.containerIDs == nil ? nil : r.cgroupRows, db) : nil
        let statement = try RawStatement(db, eventSQL(r, chunked: chunks != nil))
        var index: Int32 = 1
        statement.bind(index, r.since); index += 1
        statement.bind(index, r.until); index += 1
        if r.containerIDs != nil { statement.bindText(index, Investigation.jsonArray(r.cgroupRows)); index += 1 }
        if let processes = r.processRows {
            statement.bindText(index, Investigation.jsonArray(processes)); index += 1
            if let pid = selection.pid { statement.bind(index, pid); index += 1 }
        }
        defer { statement.reset() }
        guard let chunks else {
            while try statement.step() {
                guard try body(statement.value(1).integer ?? 0, eventValues(statement, workloads)) else { return }
            }
            return
        }
        // Chunks in order of their first time: once the next chunk starts at T, every row before T
        // that is loaded is final (no chunk still unread holds anything earlier).
        var pending: [(ts: Int64, id: Int64, values: [SQLValue])] = []
        var head = 0
        for chunk in chunks {
            while head < pending.count, pending[head].ts < chunk.minTS {
                guard try body(pending[head].ts, pending[head].values) else { return }
                head += 1
            }
            statement.reset()
            statement.bind(index, chunk.first)
            statement.bind(index + 1, chunk.last)
            var loaded: [(ts: Int64, id: Int64, values: [SQLValue])] = []
            while try statement.step() {
                loaded.append((statement.value(1).integer ?? 0, statement.value(0).integer ?? 0, eventValues(statement, workloads)))
            }
            guard !loaded.isEmpty else { continue }
            pending.removeFirst(head)
            head = 0
            pending = Investigation.merged(pending, loaded)
        }
        while head < pending.count {
            guard try body(pending[head].ts, pending[head].values) else { return }
            head += 1
        }
    }

    /// Two lists sorted by (ts, id), as one.
    static func merged<T>(_ a: [(ts: Int64, id: Int64, values: T)], _ b: [(ts: Int64, id: Int64, values: T)]) -> [(ts: Int64, id: Int64, values: T)] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var out: [(ts: Int64, id: Int64, values: T)] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if (a[i].ts, a[i].id) <= (b[j].ts, b[j].id) { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    private func eventSQL(_ r: ResolvedSelection, chunked: Bool) -> String {
        var sql = """
            SELECT id, ts, kind, pid, ppid, comm, container, details, session_id, process_id, container_id, pod_uid, pod,
                   cgroup_path, argv, argv_truncated, kind_id
            FROM event_lines WHERE ts >= ? AND ts <= ?
            """
        if r.containerIDs != nil { sql += " AND cgroup_row IN (SELECT value FROM json_each(?))" }
        if r.processRows != nil {
            // the process itself (every instance with that PID, or the tree), and the fork that made it
            sql += " AND (process_id IN (SELECT value FROM json_each(?)) OR (kind_id = \(EventKind.fork.rawValue) AND aux = ?))"
        }
        if let kinds = r.storedKinds { sql += " AND kind_id IN (\(kinds.sorted().map(String.init).joined(separator: ",")))" }
        if chunked { sql += " AND id BETWEEN ? AND ?" }
        return sql + " ORDER BY ts, id"
    }

    /// One event row in `timelineColumns` order.
    private func eventValues(_ s: RawStatement, _ workloads: [String: Workload]) -> [SQLValue] {
        let containerID = s.value(10)
        let workload = containerID.string.flatMap { workloads[$0] }
        var details = s.value(7)
        let argv = s.value(14)
        let kind = s.value(2)
        if case .integer(let kindID) = s.value(16), kindID == Int64(EventKind.exec.rawValue), let argvBytes = argv.bytes {
            // rendered from the exact argv here, not from the file's display copy
            details = .text(Display.commandLineBytes(argv: argvBytes, truncated: (s.value(15).integer ?? 0) != 0))
        }
        if workload == nil, let cgroup = s.value(13).bytes, cgroup != [UInt8(ascii: "/")],
           ![EventKind.cgroupMkdir.name, EventKind.cgroupRmdir.name].contains(kind.string ?? "") {
            details = .text((details.bytes ?? []) + Array("  [cgroup ".utf8) + cgroup + [UInt8(ascii: "]")])
        }
        return [
            s.value(1), kind, s.value(3), s.value(4), s.value(5), s.value(6), s.value(12), details,
            s.value(0), s.value(8), s.value(9), containerID, s.value(11), .optional(workload?.namespace),
            .optional(workload?.image), .optional(workload?.digest), s.value(13), argv, s.value(15),
        ]
    }

    private struct DerivedRow {
        var ts: Int64
        var values: [SQLValue]
    }

    /// Container lifecycle, losses and recording sessions as timeline rows, sorted by time.
    /// Losses and sessions are shown under every filter (a loss may hide any event); container
    /// rows only for the containers chosen, and not under a process filter.
    private func derivedRows(_ r: ResolvedSelection, _ workloads: [String: Workload], _ db: Database) throws -> [DerivedRow] {
        func wanted(_ kind: String, _ ts: Int64) -> Bool {
            ts >= r.since && ts <= r.until && (r.derivedKinds == nil || r.derivedKinds?.contains(kind) == true)
        }
        func row(_ ts: Int64, _ kind: String, container: Workload? = nil, session: Int64? = nil, details: String) -> DerivedRow {
            DerivedRow(ts: ts, values: [
                .integer(ts), .text(kind), .null, .null, .null, .optional(container?.display), .optional(container?.pod),
                .text(details), .null, .optional(session), .null, container.map { .text($0.id) } ?? .null,
                .optional(container?.podUID), .optional(container?.namespace), .optional(container?.image),
                .optional(container?.digest), .null, .null, .null,
            ])
        }
        var rows: [DerivedRow] = []
        if r.processRows == nil {
            let chosen = r.containerIDs.map(Set.init)
            for workload in workloads.values where chosen?.contains(workload.id) ?? true {
                var details = "runtime=" + SafeText.escape(workload.runtime ?? Array("?".utf8))
                if let image = workload.image { details += " image=" + SafeText.escape(image) }
                if !workload.confirmed { details += " (unconfirmed)" }
                if workload.sandbox { details += " (pod sandbox)" }
                if let uid = workload.podUID { details += " pod=" + SafeText.escape(uid) }
                if !workload.existedAtStart, let created = workload.createdAt, wanted("container_created", created) {
                    rows.append(row(created, "container_created", container: workload, details: details))
                }
                if let removed = workload.removedAt, wanted("container_removed", removed) {
                    rows.append(row(removed, "container_removed", container: workload, details: details))
                }
                if workload.existedAtStart, let seen = workload.firstSeenAt, wanted("container_existed", seen) {
                    let created = workload.createdAt.map { " cgroup created " + Display.utc($0) } ?? ""
                    rows.append(row(seen, "container_existed", container: workload, details: details + created))
                }
            }
        }
        let gaps = try Row.fetchCursor(db, sql: "SELECT detected_at, count, reason, session_id FROM gaps")
        while let g = try gaps.next() {
            guard let ts = integer(g, 0), wanted("events_lost", ts) else { continue }
            let count = integer(g, 1).map(String.init) ?? "? (not a number in the file)"
            rows.append(row(ts, "events_lost", session: integer(g, 3),
                            details: "\(count) events lost (\(SafeText.escape(bytes(g, 2) ?? []))) since the previous check: any event may be missing before this"))
        }
        let sessions = try Row.fetchCursor(db, sql: "SELECT id, started_at, ended_at, clean_shutdown, host FROM sessions")
        while let s = try sessions.next() {
            let id = integer(s, 0)
            let host = SafeText.escape(bytes(s, 4) ?? [])
            if let start = integer(s, 1), wanted("recording_started", start) {
                rows.append(row(start, "recording_started", session: id, details: "session \(id.map(String.init) ?? "?") on \(host)"))
            }
            if let end = integer(s, 2), wanted("recording_stopped", end) {
                let clean = (integer(s, 3) ?? 0) != 0 ? "clean stop" : "NOT a clean stop: events after the last commit may be missing"
                rows.append(row(end, "recording_stopped", session: id, details: "session \(id.map(String.init) ?? "?") on \(host), \(clean)"))
            }
        }
        // Same time: a fixed order (kind, then container id, then session), never the order of a dictionary.
        func key(_ r: DerivedRow) -> (Int64, String, String, Int64) {
            (r.ts, r.values[1].string ?? "", r.values[11].string ?? "", r.values[9].integer ?? 0)
        }
        return rows.sorted { key($0) < key($1) }
    }
}
