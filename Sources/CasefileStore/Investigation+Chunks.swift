import GRDB

/// Reading the time summary of events (`event_chunks`, `event_chunk_cgroups`, schema 8): which
/// id ranges hold events of a time window, or of some cgroups. The summary is derived data of an
/// untrusted file: when its ranges do not cover the events exactly (a chunk row removed or
/// changed), it is not used and every event is read instead; `casefile verify` checks the times
/// and cgroups in it against the events.
extension Investigation {
    struct ChunkRange {
        var first: Int64
        var last: Int64
        var minTS: Int64
    }

    /// The chunks that may hold events between `since` and `until` (and, with `cgroups`, of
    /// those cgroups), in order of their first time. nil: the summary cannot be trusted to
    /// cover every event (the caller reads them all).
    func chunkRanges(since: Int64, until: Int64, cgroups: [Int64]?, _ db: Database) throws -> [ChunkRange]? {
        guard try Investigation.chunksCoverEvents(db) else { return nil }
        var sql = "SELECT c.first_event, c.last_event, c.min_ts FROM event_chunks c WHERE c.max_ts >= ? AND c.min_ts <= ?"
        var arguments: StatementArguments = [since, until]
        if let cgroups {
            sql += " AND c.first_event IN (SELECT first_event FROM event_chunk_cgroups WHERE cgroup_row IN (SELECT value FROM json_each(?)))"
            arguments += [Investigation.jsonArray(cgroups)]
        }
        sql += " ORDER BY c.min_ts, c.first_event"
        var result: [ChunkRange] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            guard let first = integer(row, 0), let last = integer(row, 1), let minTS = integer(row, 2) else { return nil }
            result.append(ChunkRange(first: first, last: last, minTS: minTS))
        }
        return result
    }

    /// Do the chunks' id ranges follow each other without overlap and cover every event id? (A
    /// scan of `event_chunks`, about 10,000 rows for 10 million events, and two rowid lookups.)
    /// Events inside a hole between two ranges would be missed: a hole must hold none.
    static func chunksCoverEvents(_ db: Database) throws -> Bool {
        // min and max apart: each is one step of the rowid b-tree (together: a scan of every event)
        guard let low = try Row.fetchOne(db, sql: "SELECT min(id) FROM events").flatMap({ integer($0, 0) }),
              let high = try Row.fetchOne(db, sql: "SELECT max(id) FROM events").flatMap({ integer($0, 0) }) else {
            return true // no events
        }
        let rows = try Row.fetchCursor(db, sql: "SELECT first_event, last_event FROM event_chunks ORDER BY first_event")
        var next: Int64? = nil   // the id after the previous range
        var holes: [(Int64, Int64)] = []
        var first: Int64? = nil
        while let row = try rows.next() {
            guard let a = integer(row, 0), let b = integer(row, 1), a <= b else { return false }
            if first == nil { first = a }
            if let next {
                if a < next { return false }                     // overlap
                if a > next { holes.append((next, a - 1)) }
            }
            next = b == .max ? b : b + 1
        }
        guard let first, let next, first <= low, next > high else { return false }
        for (a, b) in holes.prefix(1000) {
            if try Int64.fetchOne(db, sql: "SELECT count(*) FROM events WHERE id BETWEEN ? AND ?", arguments: [a, b]) != 0 { return false }
        }
        return holes.count <= 1000
    }

    /// The first and last event time from the summary (nil when it cannot be trusted).
    func chunkTimes(_ db: Database) throws -> (first: Int64?, last: Int64?)? {
        guard try Investigation.chunksCoverEvents(db) else { return nil }
        let row = try Row.fetchOne(db, sql: "SELECT min(min_ts), max(max_ts) FROM event_chunks")
        return (row.flatMap { integer($0, 0) }, row.flatMap { integer($0, 1) })
    }
}

extension Investigation {
    /// A condition on `e.id` that keeps a scan of `events` to the id span of the chunks a
    /// selection's window (and cgroups) can touch: "" when it cannot narrow anything (no window,
    /// an older file, a summary that does not cover every event).
    func idSpanCondition(_ r: ResolvedSelection, _ db: Database) throws -> String {
        guard schemaVersion >= 8, r.since != .min || r.until != .max || r.containerIDs != nil,
              let chunks = try chunkRanges(since: r.since, until: r.until, cgroups: r.containerIDs == nil ? nil : r.cgroupRows, db) else {
            return ""
        }
        guard let low = chunks.map(\.first).min(), let high = chunks.map(\.last).max() else { return " AND 0" }
        return " AND e.id BETWEEN \(low) AND \(high)"
    }
}
