import CasefileModel
import Foundation
import GRDB

/// What an investigator narrows a listing to. Every field is optional; within one field the
/// values are alternatives (any of), across fields they all apply.
public struct Selection: Sendable {
    /// UTC nanoseconds, inclusive.
    public var since: Int64?
    public var until: Int64?
    /// Container id prefixes or names.
    public var containers: [String] = []
    /// Pod names, `namespace/name`, or pod uid prefixes.
    public var pods: [String] = []
    public var namespaces: [String] = []
    /// Image reference prefixes (`nginx`, `docker.io/library/nginx:1.27`) or digest prefixes
    /// (`sha256:4f…`, or the hex alone).
    public var images: [String] = []
    /// A process id: every process instance that had it (PIDs are reused).
    public var pid: Int64?
    /// With `pid`: their descendants too, followed by parent links, not PIDs.
    public var descendants = false
    /// Kind names, groups (`process`, `file`, `network`, `privilege`, `cgroup`, `lifecycle`) or
    /// derived kinds (`Investigation.derivedKinds`).
    public var kinds: [String] = []
    public var limit: Int?

    public init() {}

    var workloadFilter: Bool { !containers.isEmpty || !pods.isEmpty || !namespaces.isEmpty || !images.isEmpty }
}

/// A selection made concrete against one file: the rows it stands for.
struct ResolvedSelection {
    /// nil: no workload filter. Otherwise the containers it chose (may be empty).
    var containerIDs: [String]?
    /// The cgroups of those containers (rows of `cgroups`) by the attribution rule of the views.
    var cgroupRows: [Int64] = []
    /// nil: no pid filter. Otherwise the chosen process instances (rows of `processes`).
    var processRows: [Int64]?
    /// Stored kinds (`events.kind`) and derived kind names chosen; nil: all.
    var storedKinds: Set<Int>?
    var derivedKinds: Set<String>?
    var since: Int64
    var until: Int64
}

extension Investigation {
    /// Timeline rows derived from other tables than `events` (no `events` row behind them).
    public static let derivedKinds = ["container_created", "container_removed", "container_existed",
                                      "events_lost", "recording_started", "recording_stopped"]

    /// Groups `--kind` takes besides single kinds: the recorder's groups plus `lifecycle`.
    public static var kindGroups: [String] { EventGroup.allCases.map(\.rawValue) + ["lifecycle"] }

    /// Every kind name the timeline can show.
    public static var allKinds: [String] { EventKind.allCases.map(\.name) + derivedKinds }

    /// Checks kind names and groups; the message lists what exists.
    public static func checkKinds(_ names: [String]) throws {
        for name in names where !allKinds.contains(name) && !kindGroups.contains(name) {
            throw StoreError.badQuery("unknown --kind '\(SafeText.escape(name))'; kinds are: \(allKinds.joined(separator: ", ")); groups: \(kindGroups.joined(separator: ", "))")
        }
    }

    static func expandKinds(_ names: [String]) -> (stored: Set<Int>, derived: Set<String>)? {
        guard !names.isEmpty else { return nil }
        var stored = Set<Int>(), derived = Set<String>()
        for name in names {
            if let group = EventGroup(rawValue: name) {
                stored.formUnion(group.kinds.map(\.rawValue))
            } else if name == "lifecycle" {
                derived.formUnion(derivedKinds)
            } else if let kind = EventKind.allCases.first(where: { $0.name == name }) {
                stored.insert(kind.rawValue)
            } else {
                derived.insert(name)
            }
        }
        return (stored, derived)
    }

    /// Resolves workload, process and kind filters to rows of this file. Throws `noMatch` when
    /// a workload or pid named matches nothing: the investigator typed it, and should know.
    func resolve(_ selection: Selection, _ db: Database) throws -> ResolvedSelection {
        try Investigation.checkKinds(selection.kinds)
        var resolved = ResolvedSelection(since: selection.since ?? .min, until: selection.until ?? .max)
        if let kinds = Investigation.expandKinds(selection.kinds) {
            resolved.storedKinds = kinds.stored
            resolved.derivedKinds = kinds.derived
        }
        if selection.workloadFilter {
            var conditions: [String] = []
            var arguments: StatementArguments = []
            func anyOf(_ values: [String], _ condition: String, _ per: Int) {
                guard !values.isEmpty else { return }
                conditions.append("(" + values.map { _ in condition }.joined(separator: " OR ") + ")")
                for value in values { for _ in 0..<per { arguments += [value] } }
            }
            anyOf(selection.containers, "(substr(k.id, 1, length(?)) = ? OR k.name = ?)", 3)
            anyOf(selection.pods, "(p.name = ? OR p.namespace || '/' || p.name = ? OR substr(k.pod_uid, 1, length(?)) = ?)", 4)
            anyOf(selection.namespaces, "p.namespace = ?", 1)
            // image reference prefix; digest prefix, also inside a repo digest (repo@sha256:…),
            // with or without 'sha256:'; or the image id
            let digest = "(CASE WHEN instr(k.image_digest, '@') > 0 THEN substr(k.image_digest, instr(k.image_digest, '@') + 1) ELSE k.image_digest END)"
            anyOf(selection.images, "(substr(k.image, 1, length(?)) = ? OR substr(k.image_digest, 1, length(?)) = ? OR substr(\(digest), 1, length(?)) = ? OR substr(\(digest), 8, length(?)) = ? OR substr(k.image_id, 1, length(?)) = ?)", 10)
            let ids = try String.fetchAll(db, sql: """
                SELECT k.id FROM containers k LEFT JOIN pods p ON p.uid = k.pod_uid
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY k.id
                """, arguments: arguments)
            guard !ids.isEmpty else {
                var named: [String] = []
                if !selection.containers.isEmpty { named.append("--container " + selection.containers.joined(separator: ",")) }
                if !selection.pods.isEmpty { named.append("--pod " + selection.pods.joined(separator: ",")) }
                if !selection.namespaces.isEmpty { named.append("--namespace " + selection.namespaces.joined(separator: ",")) }
                if !selection.images.isEmpty { named.append("--image " + selection.images.joined(separator: ",")) }
                throw StoreError.noMatch("no container in \(path) matches \(named.joined(separator: " ")); `casefile containers` and `casefile pods` list what it holds")
            }
            resolved.containerIDs = ids
            resolved.cgroupRows = try Int64.fetchAll(db, sql: """
                SELECT c.id FROM cgroups c JOIN containers k ON k.id = c.container_id
                     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
                WHERE k.id IN (SELECT value FROM json_each(?)) ORDER BY c.id
                """, arguments: [Investigation.jsonArray(ids)])
        }
        if let pid = selection.pid {
            let roots = try Int64.fetchAll(db, sql: "SELECT id FROM processes WHERE pid = ? ORDER BY id", arguments: [pid])
            guard !roots.isEmpty else {
                throw StoreError.noMatch("no process with PID \(pid) in \(path); `casefile ps` lists the processes it holds")
            }
            resolved.processRows = selection.descendants ? try descendants(of: roots, db) : roots
        }
        try narrowToLifetimes(&resolved, db)
        return resolved
    }

    /// Events of a process happen between its start and its exit, and events of a cgroup between
    /// its mkdir and its rmdir: the time window shrinks to those lifetimes, so the walk of the
    /// time index covers only them. Both ends come from kernel events on the events' own clock;
    /// a margin of a second covers tick-rounded starts. A cgroup that already existed when
    /// recording started keeps the window's start (its time is the directory's ctime, another clock).
    func narrowToLifetimes(_ resolved: inout ResolvedSelection, _ db: Database) throws {
        let margin: Int64 = 1_000_000_000
        func narrow(_ row: Row?) {
            guard let row else { return }
            if let start = integer(row, 0), start > .min + margin { resolved.since = max(resolved.since, start - margin) }
            if (integer(row, 2) ?? 1) == 0, let end = integer(row, 1), end < .max - margin { resolved.until = min(resolved.until, end + margin) }
        }
        if let rows = resolved.processRows {
            // (min start, max exit, how many have not exited)
            narrow(try Row.fetchOne(db, sql: """
                SELECT min(started_at), max(exited_at), count(*) - count(exited_at) FROM processes
                WHERE id IN (SELECT value FROM json_each(?))
                """, arguments: [Investigation.jsonArray(rows)]))
        }
        if resolved.containerIDs != nil {
            narrow(try Row.fetchOne(db, sql: """
                SELECT CASE WHEN max(existed_at_start) = 0 THEN min(created_at) END, max(removed_at), count(*) - count(removed_at)
                FROM cgroups WHERE id IN (SELECT value FROM json_each(?))
                """, arguments: [Investigation.jsonArray(resolved.cgroupRows)]))
        }
    }

    /// `roots` and every process below them, by parent links. SQLite walks them (with a
    /// transient index on parent_id); UNION, not UNION ALL: a parent cycle planted in the file
    /// ends the walk instead of looping.
    func descendants(of roots: [Int64], _ db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: """
            WITH RECURSIVE tree(id) AS (
                SELECT value FROM json_each(?)
                UNION
                SELECT p.id FROM processes p JOIN tree ON p.parent_id = tree.id
            )
            SELECT id FROM tree
            """, arguments: [Investigation.jsonArray(roots)])
    }

    static func jsonArray(_ values: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: values)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func jsonArray(_ values: [Int64]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }
}
