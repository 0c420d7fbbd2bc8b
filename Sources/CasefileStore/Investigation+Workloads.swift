import CasefileModel
import Foundation
import GRDB

/// Containers, pods and cgroups: small tables, listed with the same filters as the timeline.
extension Investigation {
    public static let containerColumns: [ListingColumn] = [
        .init("id"), .init("name"), .init("runtime"), .init("image"), .init("pod"), .init("created", .time),
        .init("removed", .time), .init("lifetime", .duration), .init("state"), .init("enrichment"),
        .init("container_id", inTable: false), .init("image_digest", inTable: false), .init("pod_uid", inTable: false),
        .init("namespace", inTable: false), .init("labels", inTable: false), .init("cgroup_path", inTable: false),
        .init("first_seen", .time, inTable: false), .init("started", .time, inTable: false),
    ]

    /// Containers in order of appearance; with a time window, those alive in it.
    public func containers(_ selection: Selection, into sink: inout some ListingSink) throws {
        try sink.begin(Self.containerColumns)
        try queue.read { db in
            let r = try resolve(selection, db)
            var conditions = ["coalesce(k.removed_at, \(Int64.max)) >= ?", "coalesce(k.created_at, k.first_seen_at, \(Int64.min)) <= ?"]
            if r.containerIDs != nil { conditions.append("k.id IN (SELECT value FROM json_each(?))") }
            let statement = try RawStatement(db, """
                SELECT substr(k.id, 1, 12), k.name, k.runtime, k.image, p.namespace || '/' || p.name, k.created_at, k.removed_at,
                       k.existed_at_start, k.confirmed_at IS NOT NULL, k.sandbox, k.enriched_from, k.enrich_error,
                       k.id, k.image_digest, k.pod_uid, p.namespace, k.labels, k.cgroup_path, k.first_seen_at, k.started_at
                FROM containers k LEFT JOIN pods p ON p.uid = k.pod_uid
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY coalesce(k.created_at, k.first_seen_at), k.id
                """)
            defer { statement.reset() }
            statement.bind(1, r.since)
            statement.bind(2, r.until)
            if let ids = r.containerIDs { statement.bindText(3, Investigation.jsonArray(ids)) }
            var count = 0
            while try statement.step() {
                count += 1
                if let limit = selection.limit, count > limit { break }
                let created = statement.value(5).integer, removed = statement.value(6).integer
                var state: [String] = []
                if statement.value(7).integer ?? 0 != 0 { state.append("running at start") }
                state.append(statement.value(8).integer ?? 0 != 0 ? "confirmed" : "unconfirmed")
                if statement.value(9).integer ?? 0 != 0 { state.append("pod sandbox") }
                let enrichment: SQLValue = statement.value(11).bytes.map { .text(Array("failed: ".utf8) + $0) }
                    ?? statement.value(10).bytes.map { .text($0) } ?? .text("not answered")
                var lifetime = SQLValue.null
                if let created, let removed, statement.value(7).integer ?? 0 == 0 {
                    let (d, overflow) = removed.subtractingReportingOverflow(created)
                    lifetime = overflow ? .null : .integer(d)
                }
                let row: [SQLValue] = [
                    statement.value(0), statement.value(1), statement.value(2), statement.value(3), statement.value(4),
                    statement.value(5), statement.value(6), lifetime, .text(state.joined(separator: ", ")), enrichment,
                    statement.value(12), statement.value(13), statement.value(14), statement.value(15), statement.value(16),
                    statement.value(17), statement.value(18), statement.value(19),
                ]
                guard try sink.row(row) else { break }
            }
        }
        try sink.end()
    }

    public static let podColumns: [ListingColumn] = [
        .init("namespace"), .init("name"), .init("uid"), .init("containers"), .init("first_seen", .time),
        .init("last_seen", .time), .init("labels", inTable: false),
    ]

    public func pods(_ selection: Selection, into sink: inout some ListingSink) throws {
        try sink.begin(Self.podColumns)
        try queue.read { db in
            let r = try resolve(selection, db)
            var conditions = ["coalesce(p.last_seen_at, \(Int64.max)) >= ?", "coalesce(p.first_seen_at, \(Int64.min)) <= ?"]
            if r.containerIDs != nil {
                conditions.append("p.uid IN (SELECT pod_uid FROM containers WHERE id IN (SELECT value FROM json_each(?)))")
            }
            let statement = try RawStatement(db, """
                SELECT p.namespace, p.name, p.uid, (SELECT count(*) FROM containers k WHERE k.pod_uid = p.uid),
                       p.first_seen_at, p.last_seen_at, p.labels
                FROM pods p WHERE \(conditions.joined(separator: " AND ")) ORDER BY p.first_seen_at, p.uid
                """)
            defer { statement.reset() }
            statement.bind(1, r.since)
            statement.bind(2, r.until)
            if let ids = r.containerIDs { statement.bindText(3, Investigation.jsonArray(ids)) }
            try stream(statement, columns: 7, limit: selection.limit, into: &sink)
        }
        try sink.end()
    }

    public static let cgroupColumns: [ListingColumn] = [
        .init("path"), .init("hierarchy"), .init("container"), .init("created", .time), .init("removed", .time), .init("existed_at_start", .flag),
        .init("session"), .init("row", inTable: false), .init("cgroup_id", inTable: false), .init("container_id", inTable: false),
        .init("claimed_container_id", inTable: false), .init("boot_id", inTable: false),
    ]

    public func cgroups(_ selection: Selection, into sink: inout some ListingSink) throws {
        try sink.begin(Self.cgroupColumns)
        try queue.read { db in
            let r = try resolve(selection, db)
            var conditions = ["coalesce(c.removed_at, \(Int64.max)) >= ?", "coalesce(c.created_at, \(Int64.min)) <= ?"]
            if r.containerIDs != nil { conditions.append("c.id IN (SELECT value FROM json_each(?))") }
            let statement = try RawStatement(db, """
                SELECT c.path, CASE c.hierarchy_id WHEN 0 THEN 'v2' ELSE 'v1 #' || c.hierarchy_id END, coalesce(k.name, substr(k.id, 1, 12), 'unconfirmed claim ' || substr(c.container_id, 1, 12)),
                       c.created_at, c.removed_at, c.existed_at_start, c.session_id, c.id, c.cgroup_id, k.id, c.container_id, c.boot_id
                FROM cgroups c LEFT JOIN containers k ON k.id = c.container_id
                     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY c.path, c.id
                """)
            defer { statement.reset() }
            statement.bind(1, r.since)
            statement.bind(2, r.until)
            if r.containerIDs != nil { statement.bindText(3, Investigation.jsonArray(r.cgroupRows)) }
            try stream(statement, columns: 12, limit: selection.limit, into: &sink)
        }
        try sink.end()
    }

    /// Passes the statement's rows to `sink` as they are.
    func stream(_ statement: RawStatement, columns: Int32, limit: Int?, into sink: inout some ListingSink) throws {
        var count = 0
        while try statement.step() {
            count += 1
            if let limit, count > limit { break }
            guard try sink.row((0..<columns).map(statement.value)) else { break }
        }
    }
}
