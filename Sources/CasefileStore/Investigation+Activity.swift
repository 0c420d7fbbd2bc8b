import CasefileModel
import Foundation
import GRDB

/// One pass over what a report looks at: executions, privilege and escape calls, network calls,
/// and file calls that change something or were refused — with their strings resolved. Read
/// from `events` alone in time order (no per-event join); paths, addresses, exec file names and
/// containers come from small caches.
extension Investigation {
    public struct Activity: Sendable {
        public var eventID: Int64
        public var time: Int64
        public var kind: EventKind?
        public var pid: Int64?
        public var processKey: Int64?
        public var containerID: String?
        public var ret: Int64?
        public var aux: Int64?
        /// open: the flags; a path call: its path (exact bytes); network: the peer as shown.
        public var path: [UInt8]?
        public var peer: String?
        /// exec: the file executed and argv[0].
        public var filename: [UInt8]?
        public var argv0: [UInt8]?
        /// How many identical events this row stands for (exact folding).
        public var count: Int64
        /// The task's name when it happened (exact bytes; set by the task itself: not proof).
        public var comm: [UInt8]?
    }

    /// The pass reads every event in scope in table order (a sequential read: no per-event
    /// index lookup); strings are resolved only for the kinds a report looks at.
    static let activitySQL = """
        SELECT e.id, e.ts, e.kind, e.pid, e.process_id, e.cgroup_row, e.ret, e.aux, e.aux2, e.object_id, e.comm_id
        FROM events e
        WHERE %@ >= ? AND %@ <= ? %@
        """

    /// Whether the report looks closer at an event of this kind (and these open flags and result).
    static func looksAt(_ kind: EventKind?, aux: Int64?, ret: Int64?) -> Bool {
        guard let kind else { return false }
        switch kind {
        case .exec, .connect, .bind, .accept: return true
        case .fork, .exit, .cgroupMkdir, .cgroupRmdir: return false
        case .open:
            let flags = aux ?? 0
            return flags & 3 != 0 || flags & 576 != 0 || ret == -1 || ret == -13
        default: return true // file changes, privilege and escape calls
        }
    }

    /// Streams the events in scope a report looks closer at (`looksAt`), in table order (not
    /// time order: `time` says when), with their strings resolved; `body` returns false to stop.
    /// Returns the number of events per kind in scope (folded repeats counted), all kinds, and
    /// the times of the first and last of them.
    public struct ActivityTotals: Sendable {
        public var perKind: [EventKind: Int64]
        public var first: Int64?
        public var last: Int64?
    }

    @discardableResult
    public func activity(_ selection: Selection, _ body: (Activity) throws -> Bool) throws -> ActivityTotals {
        try queue.read { db in
            var first: Int64?, last: Int64?
            var perKind = [Int64](repeating: 0, count: EventKind.allCases.map(\.rawValue).max().map { $0 + 1 } ?? 64)
            func counted() -> ActivityTotals {
                var result: [EventKind: Int64] = [:]
                for (raw, count) in perKind.enumerated() where count > 0 {
                    if let kind = EventKind(rawValue: raw) { result[kind] = count }
                }
                return ActivityTotals(perKind: result, first: first, last: last)
            }
            let r = try resolve(selection, db)
            let containers = try cgroupContainers(db)
            // A window that covers everything: `+ts` keeps SQLite from walking the time index
            // (a lookup per event) instead of reading the table in order.
            let column = r.since == .min && r.until == .max ? "+e.ts" : "e.ts"
            let statement = try RawStatement(db, String(format: Self.activitySQL, column, column,
                                                         (r.containerIDs != nil ? "AND e.cgroup_row IN (SELECT value FROM json_each(?))" : "")
                                                            + (try idSpanCondition(r, db))))
            defer { statement.reset() }
            statement.bind(1, r.since)
            statement.bind(2, r.until)
            if r.containerIDs != nil { statement.bindText(3, Investigation.jsonArray(r.cgroupRows)) }
            var folds: [Int64: Int64] = [:]
            if try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'event_folds'") ?? false {
                let rows = try Row.fetchCursor(db, sql: "SELECT event_id, count FROM event_folds")
                while let row = try rows.next() {
                    if let id = integer(row, 0), let count = integer(row, 1), count > 1 { folds[id] = count }
                }
            }
            let pathOf = try RawStatement(db, "SELECT path FROM paths WHERE id = ?")
            let addressOf = try RawStatement(db, "SELECT address FROM addresses WHERE id = ?")
            let execOf = try RawStatement(db, "SELECT filename, argv FROM execs WHERE event_id = ?")
            let commOf = try RawStatement(db, "SELECT comm FROM comms WHERE id = ?")
            var comms: [Int64: [UInt8]] = [:]
            var paths: [Int64: [UInt8]] = [:]
            var addresses: [Int64: [UInt8]] = [:]
            func lookup(_ s: RawStatement, _ id: Int64, _ cache: inout [Int64: [UInt8]]) throws -> [UInt8]? {
                if let known = cache[id] { return known }
                s.bind(1, id)
                defer { s.reset() }
                guard try s.step(), let bytes = s.value(0).bytes else { return nil }
                if cache.count > 200_000 { cache.removeAll(keepingCapacity: true) }
                cache[id] = bytes
                return bytes
            }
            while try statement.step() {
                // Most events are only counted: two integer reads.
                let id = statement.int64(0)
                let kindID = statement.isNull(2) ? -1 : statement.int64(2)
                // folded repeats are added per kind after the loop (one join, not a lookup per event)
                if kindID >= 0 && kindID < perKind.count { perKind[Int(kindID)] &+= 1 }
                let time = statement.int64(1)
                if first.map({ time < $0 }) ?? true { first = time }
                if last.map({ time > $0 }) ?? true { last = time }
                let kind = EventKind(rawValue: Int(kindID))
                let aux = statement.value(7).integer, ret = statement.value(6).integer
                guard Self.looksAt(kind, aux: aux, ret: ret) else { continue }
                let count = folds.isEmpty ? 1 : folds[id] ?? 1
                var activity = Activity(
                    eventID: id, time: statement.value(1).integer ?? 0, kind: kind,
                    pid: statement.value(3).integer, processKey: statement.value(4).integer,
                    containerID: statement.value(5).integer.flatMap { containers[$0] },
                    ret: ret, aux: aux, count: count)
                let object = statement.value(9).integer
                if let commID = statement.value(10).integer { activity.comm = try lookup(commOf, commID, &comms) }
                switch kind?.group {
                case .process where kind == .exec:
                    execOf.bind(1, activity.eventID)
                    if try execOf.step() {
                        activity.filename = execOf.value(0).bytes
                        activity.argv0 = execOf.value(1).bytes.map { Array($0.prefix { $0 != 0 }) }
                    }
                    execOf.reset()
                case .network:
                    if let object, let address = try lookup(addressOf, object, &addresses) {
                        let family = activity.aux
                        let text = SafeText.escape(address)
                        let port = statement.value(8).integer.map { ":\($0)" } ?? ""
                        activity.peer = family == 10 ? "[\(text)]\(port)" : family == 1 ? (text.isEmpty ? "(unnamed unix socket)" : text) : text + port
                    }
                case .file, .privilege:
                    if let object, ![.fchmod, .fchown, .ftruncate, .setuid, .setgid, .setreuid, .setregid, .setresuid, .setresgid,
                                     .setfsuid, .setfsgid, .capset, .ptrace, .bpf, .unshare, .setns, .kill].contains(kind) {
                        activity.path = try lookup(pathOf, object, &paths)
                    }
                default:
                    break
                }
                guard try body(activity) else { return counted() }
            }
            if !folds.isEmpty {
                // the folds drive (CROSS JOIN, +ts): otherwise SQLite may walk every event by time
                var foldSQL = "SELECT e.kind, total(f.count - 1) FROM event_folds f CROSS JOIN events e ON e.id = f.event_id WHERE +e.ts >= ? AND +e.ts <= ?"
                var arguments: StatementArguments = [r.since, r.until]
                if r.containerIDs != nil {
                    foldSQL += " AND e.cgroup_row IN (SELECT value FROM json_each(?))"
                    arguments += [Investigation.jsonArray(r.cgroupRows)]
                }
                for row in try Row.fetchAll(db, sql: foldSQL + " GROUP BY e.kind", arguments: arguments) {
                    if let kind = integer(row, 0), kind >= 0, kind < Int64(perKind.count) { perKind[Int(kind)] &+= integer(row, 1) ?? 0 }
                }
            }
            return counted()
        }
    }

    /// How the timeline shows one event: its details, comm, container and pod (escaped text).
    public func eventLine(_ id: Int64) throws -> (details: String, comm: String?, container: String?, pod: String?)? {
        try eventLines([id])[id]
    }

    /// `eventLine` for many events: one statement prepared once (the view is large to prepare).
    public func eventLines(_ ids: [Int64]) throws -> [Int64: (details: String, comm: String?, container: String?, pod: String?)] {
        try queue.read { db in
            let statement = try RawStatement(db, "SELECT details, comm, container, pod, kind_id, argv, argv_truncated FROM event_lines WHERE id = ?")
            var lines: [Int64: (details: String, comm: String?, container: String?, pod: String?)] = [:]
            for id in ids {
                statement.bind(1, id)
                defer { statement.reset() }
                guard try statement.step() else { continue }
                var details = SafeText.escape(statement.value(0).bytes ?? [])
                if statement.value(4).integer == Int64(EventKind.exec.rawValue), let argv = statement.value(5).bytes {
                    details = Display.commandLine(argv: argv, truncated: (statement.value(6).integer ?? 0) != 0)
                }
                lines[id] = (details, statement.value(1).bytes.map(SafeText.escape), statement.value(2).bytes.map(SafeText.escape),
                             statement.value(3).bytes.map(SafeText.escape))
            }
            return lines
        }
    }

    /// The window a selection covers (after resolving it), and the containers it chose.
    public func scope(_ selection: Selection) throws -> (since: Int64, until: Int64, containerIDs: [String]?) {
        try queue.read { db in
            let r = try resolve(selection, db)
            return (r.since, r.until, r.containerIDs)
        }
    }
}

extension Investigation {
    /// Events per kind in scope (folded repeats counted), most first. Without a filter this is
    /// `summary().kinds`; with one, one scan of the scope.
    public func kindCounts(_ selection: Selection) throws -> [(kind: String, count: Int64)] {
        try queue.read { db in
            let r = try resolve(selection, db)
            var filter = "e.ts >= ? AND e.ts <= ?"
            var arguments: StatementArguments = [r.since, r.until]
            if r.containerIDs != nil {
                filter += " AND e.cgroup_row IN (SELECT value FROM json_each(?))"
                arguments += [Investigation.jsonArray(r.cgroupRows)]
            }
            filter += try idSpanCondition(r, db)
            // the folds apart: a lookup per event would cost more than the scan
            var counts: [Int64: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT e.kind, count(*) FROM events e WHERE \(filter) GROUP BY e.kind", arguments: arguments) {
                if let kind = integer(row, 0) { counts[kind] = integer(row, 1) ?? 0 }
            }
            let hasFolds = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'event_folds'") ?? false
            if hasFolds {
                for row in try Row.fetchAll(db, sql: "SELECT e.kind, total(f.count - 1) FROM event_folds f CROSS JOIN events e ON e.id = f.event_id WHERE \(filter.replacingOccurrences(of: "e.ts", with: "+e.ts")) GROUP BY e.kind", arguments: arguments) {
                    if let kind = integer(row, 0) {
                        let (sum, overflow) = counts[kind, default: 0].addingReportingOverflow(integer(row, 1) ?? 0)
                        counts[kind] = overflow ? .max : sum
                    }
                }
            }
            return counts.map { (EventKind(rawValue: Int($0.key))?.name ?? "kind \($0.key)", $0.value) }
                .sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        }
    }
}

extension Investigation {
    /// How many process instances ran in each container (by their cgroup at last exec).
    public func processCountsByContainer() throws -> [String: Int64] {
        try queue.read { db in
            let containers = try cgroupContainers(db)
            var counts: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT cgroup_row, count(*) FROM processes WHERE cgroup_row IS NOT NULL GROUP BY cgroup_row") {
                guard let cgroup = integer(row, 0), let container = containers[cgroup] else { continue }
                counts[container, default: 0] += integer(row, 1) ?? 0
            }
            return counts
        }
    }
}
