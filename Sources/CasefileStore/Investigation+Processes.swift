import CasefileModel
import Foundation
import GRDB

/// Process instances (`processes`: one row per PID and start time, so a reused PID is another
/// row) listed, and drawn as trees by their parent links.
extension Investigation {
    public static let processColumns: [ListingColumn] = [
        .init("pid"), .init("ppid"), .init("started", .time), .init("exited", .time), .init("exit"), .init("uid"),
        .init("container"), .init("comm"), .init("command"),
        .init("process_key", inTable: false), .init("parent_key", inTable: false), .init("exe", inTable: false),
        .init("argv", .argv, inTable: false), .init("container_id", inTable: false), .init("pod", inTable: false),
        .init("session", inTable: false), .init("existed_at_start", .flag, inTable: false),
    ]

    private static let processSelect = """
        SELECT p.pid, p.ppid, p.started_at, p.exited_at, p.exit_code, p.exit_signal, p.uid, p.comm, p.argv, p.cmdline,
               p.id, p.parent_id, p.exe, p.session_id, p.existed_at_start, p.cgroup_row
        FROM processes p
        """

    /// Processes that ran in the window (started before its end, not exited before its start),
    /// in order of start.
    public func processes(_ selection: Selection, into sink: inout some ListingSink) throws {
        try sink.begin(Self.processColumns)
        try queue.read { db in
            let r = try resolve(selection, db)
            let containers = try cgroupContainers(db)
            let workloads = try workloads(db)
            var conditions = ["coalesce(p.exited_at, \(Int64.max)) >= ?", "coalesce(p.started_at, \(Int64.min)) <= ?"]
            if r.containerIDs != nil { conditions.append("p.cgroup_row IN (SELECT value FROM json_each(?))") }
            if r.processRows != nil { conditions.append("p.id IN (SELECT value FROM json_each(?))") }
            let statement = try RawStatement(db, Self.processSelect + " WHERE " + conditions.joined(separator: " AND ")
                                             + " ORDER BY p.started_at, p.id")
            defer { statement.reset() }
            var index: Int32 = 1
            statement.bind(index, r.since); index += 1
            statement.bind(index, r.until); index += 1
            if r.containerIDs != nil { statement.bindText(index, Investigation.jsonArray(r.cgroupRows)); index += 1 }
            if let rows = r.processRows { statement.bindText(index, Investigation.jsonArray(rows)); index += 1 }
            var count = 0
            while try statement.step() {
                count += 1
                if let limit = selection.limit, count > limit { break }
                guard try sink.row(processValues(statement, containers, workloads)) else { break }
            }
        }
        try sink.end()
    }

    /// cgroup row → container id, by the attribution rule of the views.
    func cgroupContainers(_ db: Database) throws -> [Int64: String] {
        var result: [Int64: String] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT c.id, k.id FROM cgroups c JOIN containers k ON k.id = c.container_id
                 AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
            """)
        while let row = try rows.next() {
            if let id = integer(row, 0), let container = text(row, 1) { result[id] = container }
        }
        return result
    }

    private func processValues(_ s: RawStatement, _ containers: [Int64: String], _ workloads: [String: Workload]) -> [SQLValue] {
        let workload = s.value(15).integer.flatMap { containers[$0] }.flatMap { workloads[$0] }
        var exit = SQLValue.null
        if let signal = s.value(5).integer, signal > 0 {
            exit = .text("signal \(signal & 127)")
        } else if let code = s.value(4).integer {
            exit = .text("code \(code)")
        }
        let argv = s.value(8)
        let command: SQLValue = argv.bytes.map { .text(Display.commandLineBytes(argv: $0)) } ?? s.value(9)
        return [
            s.value(0), s.value(1), s.value(2), s.value(3), exit, s.value(6), .optional(workload?.display), s.value(7), command,
            s.value(10), s.value(11), s.value(12), argv, workload.map { .text($0.id) } ?? .null, .optional(workload?.pod),
            s.value(13), s.value(14),
        ]
    }

    public static let treeColumns: [ListingColumn] = [
        .init("tree"), .init("started", .time), .init("exited", .time), .init("exit"), .init("container"),
        .init("depth", inTable: false), .init("relation", inTable: false),
    ] + processColumns.map { ListingColumn($0.name, $0.meaning, inTable: false) }

    /// Process trees: for `--pid`, each process instance with that PID with its ancestry above it
    /// and all its descendants below; for a container, every process of it whose parent is not
    /// in it (its entry point, `docker exec`, nsenter), with their descendants. Children in order
    /// of start; a parent cycle planted in the file is cut, not followed.
    public func tree(_ selection: Selection, into sink: inout some ListingSink) throws {
        try sink.begin(Self.treeColumns)
        try queue.read { db in
            var narrowed = selection
            narrowed.descendants = false
            let r = try resolve(narrowed, db)
            // Only the processes shown are loaded: the PID's instances and everything below
            // them, or a container's processes (roots: those whose parent is not one of them).
            var roots: [Int64] = []
            var members: Set<Int64> = []
            if let rows = r.processRows {
                roots = rows
            } else if r.containerIDs != nil {
                members = Set(try Int64.fetchAll(db, sql: "SELECT id FROM processes WHERE cgroup_row IN (SELECT value FROM json_each(?))",
                                                 arguments: [Investigation.jsonArray(r.cgroupRows)]))
            } else {
                throw StoreError.badQuery("tree needs --pid PID or --container/--pod/--namespace/--image (ps lists every process)")
            }
            // A container's processes are those of its cgroups (one that moved out is not followed).
            let shownRows = roots.isEmpty ? members.sorted() : try descendants(of: roots, db)
            var parents: [Int64: Int64] = [:]
            var children: [Int64: [Int64]] = [:]
            let links = try Row.fetchCursor(db, sql: """
                SELECT id, parent_id FROM processes WHERE id IN (SELECT value FROM json_each(?)) ORDER BY started_at, id
                """, arguments: [Investigation.jsonArray(shownRows)])
            var ordered: [Int64] = []
            while let row = try links.next() {
                guard let id = integer(row, 0) else { continue }
                ordered.append(id)
                if let parent = integer(row, 1), parent != id {
                    parents[id] = parent
                    children[parent, default: []].append(id)
                }
            }
            if roots.isEmpty {
                roots = ordered.filter { members.contains($0) && !(parents[$0].map(members.contains) ?? false) }
            }
            let parentOf = try RawStatement(db, "SELECT parent_id FROM processes WHERE id = ?")
            func parent(_ id: Int64) throws -> Int64? {
                if let known = parents[id] { return known }
                parentOf.bind(1, id)
                defer { parentOf.reset() }
                guard try parentOf.step(), let p = parentOf.value(0).integer, p != id else { return nil }
                return p
            }
            let containers = try cgroupContainers(db)
            let workloads = try workloads(db)
            let lookup = try RawStatement(db, Self.processSelect + " WHERE p.id = ?")
            var emitted = 0
            func emit(_ id: Int64, depth: Int, relation: String, last: Bool) throws -> Bool {
                if let limit = selection.limit, emitted >= limit { return false }
                lookup.bind(1, id)
                defer { lookup.reset() }
                guard try lookup.step() else { return true }
                let values = processValues(lookup, containers, workloads)
                let indent = String(repeating: "   ", count: max(0, depth - 1)) + (depth == 0 ? "" : last ? "└─ " : "├─ ")
                let label = relation == "ancestor" ? " (ancestor)" : ""
                let tree = SQLValue.text(Array(indent.utf8) + Array("\(values[0].integer.map(String.init) ?? "?") ".utf8)
                                         + (values[8].bytes ?? values[7].bytes ?? []) + Array(label.utf8))
                emitted += 1
                return try sink.row([tree, values[2], values[3], values[4], values[6], .integer(Int64(depth)), .text(relation)] + values)
            }
            var shown = Set<Int64>()
            // (depth is bounded: the walk runs on GRDB's queue, whose thread has a small stack)
            func descend(_ id: Int64, depth: Int, relation: String, last: Bool) throws -> Bool {
                guard shown.insert(id).inserted, depth < 1000 else { return true }
                guard try emit(id, depth: depth, relation: relation, last: last) else { return false }
                let kids = children[id] ?? []
                for (i, kid) in kids.enumerated() {
                    guard try descend(kid, depth: depth + 1, relation: "descendant", last: i == kids.count - 1) else { return false }
                }
                return true
            }
            for root in roots where !shown.contains(root) {
                var ancestry: [Int64] = []
                var seen: Set<Int64> = [root]
                var cursor = try parent(root)
                while let next = cursor, seen.insert(next).inserted, ancestry.count < 1000 {
                    ancestry.append(next)
                    cursor = try parent(next)
                }
                if r.processRows != nil {
                    for (depth, ancestor) in ancestry.reversed().enumerated() {
                        guard try emit(ancestor, depth: depth, relation: "ancestor", last: true) else { return }
                    }
                } else {
                    ancestry = []
                }
                guard try descend(root, depth: ancestry.count, relation: "root", last: true) else { return }
            }
        }
        try sink.end()
    }
}

extension Investigation {
    /// The process trees of several containers at once (one scan of `processes`, not one per
    /// container): for each, its first `lines` processes depth first (children in order of
    /// start) as `treeColumns` rows, and how many processes it has in all.
    public func trees(ofContainers ids: [String], lines: Int) throws -> [String: (rows: [[String: SQLValue]], total: Int)] {
        try queue.read { db in
            let containers = try cgroupContainers(db)
            let wanted = Set(ids)
            let cgroups = containers.filter { wanted.contains($0.value) }.map(\.key).sorted()
            var members: [String: [Int64]] = [:]
            var parentOf: [Int64: Int64] = [:]
            var containerOf: [Int64: String] = [:]
            let scan = try Row.fetchCursor(db, sql: """
                SELECT id, parent_id, cgroup_row FROM processes WHERE cgroup_row IN (SELECT value FROM json_each(?)) ORDER BY started_at, id
                """, arguments: [Investigation.jsonArray(cgroups)])
            while let row = try scan.next() {
                guard let id = integer(row, 0), let cgroup = integer(row, 2), let container = containers[cgroup] else { continue }
                members[container, default: []].append(id)
                containerOf[id] = container
                if let parent = integer(row, 1), parent != id { parentOf[id] = parent }
            }
            let workloads = try workloads(db)
            let lookup = try RawStatement(db, Self.processSelect + " WHERE p.id = ?")
            var result: [String: (rows: [[String: SQLValue]], total: Int)] = [:]
            for (container, ids) in members {
                var children: [Int64: [Int64]] = [:]
                for id in ids { if let parent = parentOf[id], containerOf[parent] == container { children[parent, default: []].append(id) } }
                let roots = ids.filter { parentOf[$0].map { containerOf[$0] != container } ?? true }
                var rows: [[String: SQLValue]] = []
                var stack: [(id: Int64, depth: Int, last: Bool)] = roots.reversed().map { ($0, 0, true) }
                var seen = Set<Int64>()
                while let (id, depth, last) = stack.popLast(), rows.count < lines {
                    guard seen.insert(id).inserted else { continue }
                    lookup.bind(1, id)
                    defer { lookup.reset() }
                    guard try lookup.step() else { continue }
                    let values = processValues(lookup, containers, workloads)
                    let indent = String(repeating: "   ", count: max(0, depth - 1)) + (depth == 0 ? "" : last ? "└─ " : "├─ ")
                    let tree = SQLValue.text(Array(indent.utf8) + Array("\(values[0].integer.map(String.init) ?? "?") ".utf8)
                                             + (values[8].bytes ?? values[7].bytes ?? []))
                    let all = [tree, values[2], values[3], values[4], values[6], .integer(Int64(depth)), .text(depth == 0 ? "root" : "descendant")] + values
                    rows.append(Dictionary(zip(Self.treeColumns.map(\.name), all), uniquingKeysWith: { a, _ in a }))
                    let kids = children[id] ?? []
                    for (i, kid) in kids.enumerated().reversed() where depth < 1000 { stack.append((kid, depth + 1, i == kids.count - 1)) }
                }
                result[container] = (rows, ids.count)
            }
            return result
        }
    }
}
