import CasefileModel
import Foundation
import GRDB

/// Writes one recording session into a case file. Used by one thread (the store writer); each
/// `write` call is one transaction.
///
/// Process and cgroup rows are found by their natural keys ((boot, pid, start time) and
/// (boot, hierarchy, cgroup id)) and their row ids cached, so most events cost one INSERT.
public final class SessionWriter {
    public let sessionID: Int64
    public let queue: DatabaseQueue
    private let session: SessionInfo
    private var bootID: String { session.clock.bootID }

    private var processIDs: [ProcessKey: Int64] = [:]
    private var cgroupRows: [CgroupKey: Int64] = [:]
    private var statements: Statements?
    public private(set) var eventsWritten: UInt64 = 0
    public private(set) var eventsLost: UInt64 = 0

    struct CgroupKey: Hashable {
        var hierarchy: UInt32
        var id: UInt64
    }

    /// Creates the `sessions` row.
    public init(queue: DatabaseQueue, session: SessionInfo) throws {
        self.queue = queue
        self.session = session
        sessionID = try queue.write { db in
            try db.execute(sql: """
                INSERT INTO sessions (host, kernel, machine_id, boot_id, boot_offset_ns, cgroup_layout,
                    cgroup_hierarchy, cgroup_mount, started_at, casefile_version, abi_version, command_line,
                    attached, attach_failures, ring_buffer_bytes, warnings)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [session.host, session.kernel, session.machineID, session.clock.bootID,
                                 session.clock.offsetNanoseconds, session.cgroupLayout, Int(session.cgroupHierarchy),
                                 session.cgroupMount, session.startedAt, session.casefileVersion, session.abiVersion,
                                 session.commandLine, session.attached.joined(separator: ","),
                                 session.attachFailures.isEmpty ? nil : session.attachFailures.joined(separator: "; "),
                                 session.ringBufferBytes, session.warnings])
            return db.lastInsertedRowID
        }
    }

    /// Writes events and gaps in one transaction.
    public func write(_ events: [ResolvedEvent], gaps: [Gap] = []) throws {
        try write(StoreBatch(events: events, gaps: gaps))
    }

    /// Writes a batch in one transaction: cgroups (and their containers and pods) first, then
    /// processes found at start, then events, then gaps.
    public func write(_ batch: StoreBatch) throws {
        guard !batch.isEmpty else { return }
        try queue.inDatabase { db in
            let s = try prepared(db)
            try db.inTransaction {
                for cgroup in batch.cgroups { try upsert(cgroup, s) }
                for process in batch.processes { try upsert(process, s) }
                for process in batch.processes { try linkParent(process, s) }
                for event in batch.events { try insert(event, s) }
                for metadata in batch.enrichments { try enrich(metadata, s) }
                for failure in batch.enrichmentFailures { try record(failure, s) }
                for gap in batch.gaps {
                    s.gap.bind(1, sessionID)
                    s.gap.bind(2, gap.detectedAt)
                    s.gap.bind(3, Int64(clamping: gap.count))
                    s.gap.bindText(4, gap.reason.rawValue)
                    s.gap.bindText(5, gap.detail)
                    try s.gap.run()
                    eventsLost += gap.count
                }
                s.sessionCounts.bind(1, Int64(clamping: eventsWritten))
                s.sessionCounts.bind(2, Int64(clamping: eventsLost))
                s.sessionCounts.bind(3, sessionID)
                try s.sessionCounts.run()
                return .commit
            }
        }
    }

    private func upsert(_ c: CgroupRecord, _ s: Statements) throws {
        let u = s.upsertCgroup
        u.bindText(1, bootID)
        u.bind(2, Int64(c.hierarchyID))
        u.bind(3, Int64(bitPattern: c.id))
        u.bindText(4, c.path?.bytes)
        u.bind(5, c.level.map { Int64($0) })
        u.bind(6, c.createdAt)
        u.bind(7, Int64(c.existedAtStart ? 1 : 0))
        u.bind(8, sessionID)
        u.bindText(9, c.container?.id)
        guard let row = try withContainer(c.container, createdAt: c.createdAt, existedAtStart: c.existedAtStart,
                                          tracked: c.hierarchyID == session.cgroupHierarchy, s, { try u.run() }) else {
            throw StoreError.sqlite(code: 0, message: "cgroup upsert returned no id", sql: u.sql)
        }
        cgroupRows[CgroupKey(hierarchy: c.hierarchyID, id: c.id)] = row
    }

    /// Makes sure the container (and its pod) rows exist before `body` writes a row pointing to them.
    private func withContainer<T>(_ ref: ContainerRef?, createdAt: Int64?, existedAtStart: Bool, tracked: Bool,
                                  _ s: Statements, _ body: () throws -> T) throws -> T {
        if let ref {
            // Seen at session start (walk) or at its creation (mkdir).
            let now = existedAtStart ? session.startedAt : (createdAt ?? session.startedAt)
            if let pod = ref.podUID {
                s.upsertPod.bindText(1, pod)
                s.upsertPod.bind(2, now)
                try s.upsertPod.run()
            }
            let u = s.upsertContainer
            u.bindText(1, ref.id)
            u.bindText(2, ref.runtime)
            u.bindText(3, ref.podUID)
            // Only the container's own cgroup in the tracked hierarchy says when it was created.
            u.bind(4, ref.isRoot && tracked ? createdAt : nil)
            u.bind(5, Int64(existedAtStart && ref.isRoot && tracked ? 1 : 0))
            u.bind(6, now)
            try u.run()
        }
        return try body()
    }

    /// Back-fills a container (and its pod) with what its runtime said. Events already stored
    /// point to the container through their cgroup, so they show the names from now on.
    private func enrich(_ m: ContainerMetadata, _ s: Statements) throws {
        let now = nowNanoseconds()
        if let pod = m.pod {
            let p = s.enrichPod
            p.bindText(1, pod.uid)
            p.bindText(2, pod.name)
            p.bindText(3, pod.namespace)
            p.bindText(4, pod.labels.isEmpty ? nil : Self.json(pod.labels))
            p.bind(5, now)
            try p.run()
        }
        let u = s.enrichContainer
        u.bindText(1, m.id)
        u.bindText(2, m.runtime)
        u.bindText(3, m.name)
        u.bindText(4, m.image)
        u.bindText(5, m.imageDigest)
        u.bindText(6, m.imageID)
        u.bindText(7, m.pod?.uid)
        u.bindText(8, Self.json(m.labels))
        u.bind(9, m.createdAt)
        u.bind(10, m.startedAt)
        u.bind(11, now)
        u.bindText(12, m.source)
        u.bindText(13, m.kubernetesContainerName)
        u.bind(14, Int64(m.isSandbox ? 1 : 0))
        try u.run()
    }

    private func record(_ f: EnrichmentFailure, _ s: Statements) throws {
        let u = s.enrichFailed
        u.bindText(1, f.containerID)
        u.bind(2, f.at)
        u.bindText(3, f.error)
        u.bindText(4, f.source)
        try u.run()
    }

    /// A JSON object with sorted keys (stable, diffable, readable with sqlite's json functions).
    static func json(_ labels: [String: String]) -> String {
        var out = "{"
        for (i, key) in labels.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            out += jsonString(key) + ":" + jsonString(labels[key] ?? "")
        }
        return out + "}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Records what the session knew about runtimes (at finish, with the enrichment counters).
    public func setRuntimes(_ description: String, enrichmentDropped: Int) throws {
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE sessions SET runtimes = ?, enrichment_dropped = ? WHERE id = ?",
                           arguments: [description, enrichmentDropped, sessionID])
        }
    }

    private func upsert(_ p: ProcessRecord, _ s: Statements) throws {
        let u = s.snapshotProcess
        u.bindText(1, bootID)
        u.bind(2, Int64(p.key.pid))
        u.bind(3, Int64(bitPattern: p.key.startTicks))
        u.bind(4, Int64(bitPattern: p.key.startBootNanoseconds))
        u.bind(5, session.clock.utc(p.key.startBootNanoseconds))
        u.bind(6, Int64(p.ppid))
        u.bindText(7, p.exe?.bytes)
        u.bindBlob(8, p.argv?.bytes)
        u.bindText(9, p.argv.map { Display.commandLine(argv: $0.bytes) })
        u.bindText(10, p.comm?.bytes)
        u.bind(11, p.uid.map { Int64($0) })
        u.bind(12, p.gid.map { Int64($0) })
        u.bind(13, p.namespacePID.map { Int64($0) })
        u.bind(14, p.mountNamespace.map { Int64($0) })
        u.bind(15, p.pidNamespace.map { Int64($0) })
        u.bind(16, try p.cgroupID.flatMap { try cgroupRow(hierarchy: session.cgroupHierarchy, id: $0, path: nil, s) })
        u.bind(17, sessionID)
        if let id = try u.run() {
            processIDs[p.key] = id
        }
    }

    private func linkParent(_ p: ProcessRecord, _ s: Statements) throws {
        guard let parentKey = p.parent, let parent = processIDs[parentKey], let child = processIDs[p.key] else { return }
        s.setParent.bind(1, parent)
        s.setParent.bind(2, child)
        try s.setParent.run()
    }

    /// Marks the session ended. On a clean stop the WAL is folded back into the main file so the
    /// case file is one self-contained file.
    public func finish(clean: Bool, at time: Int64 = nowNanoseconds()) throws {
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE sessions SET ended_at = ?, clean_shutdown = ?, events = ?, lost = ? WHERE id = ?",
                           arguments: [time, clean ? 1 : 0, Int64(clamping: eventsWritten), Int64(clamping: eventsLost), sessionID])
        }
        statements = nil
        if clean {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            // Back to a rollback journal: the case file is then a single file that can be copied,
            // hashed and opened read-only anywhere. Fails harmlessly while a reader has it open.
            try? queue.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
        }
    }

    // MARK: - Rows

    private func insert(_ r: ResolvedEvent, _ s: Statements) throws {
        let e = r.event
        let currentCgroup = try cgroupRow(hierarchy: session.cgroupHierarchy, id: e.cgroupID, path: nil, s)
        var processID: Int64? = nil
        var ret: Int64? = nil
        var aux: Int64? = nil
        var object: Int64? = nil
        var uid: Int64? = nil

        switch e.body {
        case .exec(let x):
            uid = Int64(x.uid)
            let parentID = try r.parent.map { try processRow($0, s) }
            let u = s.execProcess
            u.bindText(1, bootID)
            u.bind(2, Int64(x.process.pid))
            u.bind(3, Int64(bitPattern: x.process.startBootNanoseconds))
            u.bind(4, session.clock.utc(x.process.startBootNanoseconds))
            u.bind(18, Int64(bitPattern: x.process.startTicks))
            u.bind(5, Int64(x.ppid))
            u.bind(6, parentID)
            u.bindText(7, x.filename.bytes)
            u.bindBlob(8, x.argv.bytes)
            u.bindText(9, Display.commandLine(argv: x.argv.bytes, truncated: x.argvTruncated))
            u.bindText(10, x.comm.bytes)
            u.bind(11, Int64(x.uid))
            u.bind(12, Int64(x.gid))
            u.bind(13, Int64(x.namespacePID))
            u.bind(14, Int64(x.mountNamespace))
            u.bind(15, Int64(x.pidNamespace))
            u.bind(16, currentCgroup)
            u.bind(17, sessionID)
            let id = try u.run() ?? s.execProcess.lastInsertRowID
            processIDs[x.process] = id
            processID = id
            aux = Int64(x.oldPID)
        case .fork(let f):
            uid = Int64(f.uid)
            let parentID = try processRow(f.parent, s, comm: f.comm)
            let c = s.forkChild
            c.bindText(1, bootID)
            c.bind(2, Int64(f.child.pid))
            c.bind(3, Int64(bitPattern: f.child.startBootNanoseconds))
            c.bind(4, session.clock.utc(f.child.startBootNanoseconds))
            c.bind(12, Int64(bitPattern: f.child.startTicks))
            c.bind(5, Int64(f.parent.pid))
            c.bind(6, parentID)
            c.bindText(7, f.comm.bytes)
            c.bind(8, Int64(f.uid))
            c.bind(9, Int64(f.gid))
            c.bind(10, currentCgroup)
            c.bind(11, sessionID)
            let childID = try c.run() ?? c.lastInsertRowID
            processIDs[f.child] = childID
            processID = parentID
            aux = Int64(f.child.pid)
            object = childID
        case .exit(let x):
            let id = try processRow(x.process, s, comm: x.comm, ppid: x.ppid)
            let u = s.exitProcess
            u.bind(1, r.time)
            u.bind(2, x.signal == 0 ? Int64(x.code) : nil)
            u.bind(3, x.signal == 0 ? nil : Int64(x.signal))
            u.bind(4, id)
            try u.run()
            processID = id
            ret = x.signal == 0 ? Int64(x.code) : nil
            aux = Int64(x.signal) + (x.coreDumped ? 128 : 0)
            // The instance is finished: later references to it are rare, drop it from the cache.
            processIDs[x.process] = nil
        case .cgroup(let c):
            processID = try r.process.map { try processRow($0, s) }
            // mkdir: the row was written from the pipeline's CgroupRecord; rmdir may be of a cgroup never seen.
            let row = try cgroupRow(hierarchy: c.hierarchyID, id: c.id, path: c.change == .rmdir ? c.path : nil, s)
            if c.change == .rmdir {
                s.cgroupRemoved.bind(1, r.time)
                s.cgroupRemoved.bind(2, Int64(c.level))
                s.cgroupRemoved.bind(3, row)
                try s.cgroupRemoved.run()
                // The container's own cgroup in the tracked hierarchy going away = container removed.
                if let container = r.container, container.isRoot, c.hierarchyID == session.cgroupHierarchy {
                    s.containerRemoved.bind(1, r.time)
                    s.containerRemoved.bindText(2, container.id)
                    try s.containerRemoved.run()
                }
            }
            aux = Int64(c.hierarchyID)
            object = row
        }
        if processID == nil, let key = r.process { processID = try processRow(key, s) }

        let ev = s.event
        ev.bind(1, sessionID)
        ev.bind(2, r.time)
        ev.bind(3, Int64(e.kind.rawValue))
        ev.bind(4, e.pid)
        ev.bind(5, e.tid)
        ev.bind(6, uid)
        ev.bind(7, processID)
        ev.bind(8, currentCgroup)
        ev.bind(9, ret)
        ev.bind(10, aux)
        ev.bind(11, object)
        try ev.run()
        eventsWritten += 1

        if case .exec(let x) = e.body {
            let eventID = ev.lastInsertRowID
            let d = s.execDetail
            d.bind(1, eventID)
            d.bindText(2, x.filename.bytes)
            d.bindBlob(3, x.argv.bytes)
            d.bindText(4, Display.commandLine(argv: x.argv.bytes, truncated: x.argvTruncated))
            d.bind(5, Int64(x.argvTruncated ? 1 : 0))
            d.bind(6, Int64(x.filenameTruncated ? 1 : 0))
            try d.run()
        }
    }

    /// Row id of a process instance, creating a minimal row when it was never seen.
    private func processRow(_ key: ProcessKey, _ s: Statements, comm: ByteString? = nil, ppid: UInt32? = nil) throws -> Int64 {
        if let id = processIDs[key] { return id }
        let u = s.touchProcess
        u.bindText(1, bootID)
        u.bind(2, Int64(key.pid))
        u.bind(3, Int64(bitPattern: key.startBootNanoseconds))
        u.bind(4, key.startBootNanoseconds == 0 ? nil : session.clock.utc(key.startBootNanoseconds))
        u.bind(8, Int64(bitPattern: key.startTicks))
        u.bindText(5, comm?.bytes)
        u.bind(6, ppid.map { Int64($0) })
        u.bind(7, sessionID)
        guard let id = try u.run() else {
            throw StoreError.sqlite(code: 0, message: "process upsert returned no id", sql: u.sql)
        }
        processIDs[key] = id
        return id
    }

    /// Row id of a cgroup, creating a row when it was never seen (`path` may be unknown yet).
    private func cgroupRow(hierarchy: UInt32, id: UInt64, path: ByteString?, _ s: Statements) throws -> Int64? {
        guard id != 0 else { return nil }
        let key = CgroupKey(hierarchy: hierarchy, id: id)
        if let row = cgroupRows[key], path == nil { return row }
        let u = s.touchCgroup
        u.bindText(1, bootID)
        u.bind(2, Int64(hierarchy))
        u.bind(3, Int64(bitPattern: id))
        u.bindText(4, path?.bytes)
        u.bind(5, sessionID)
        guard let row = try u.run() else {
            throw StoreError.sqlite(code: 0, message: "cgroup upsert returned no id", sql: u.sql)
        }
        cgroupRows[key] = row
        return row
    }

    // MARK: - Statements

    private func prepared(_ db: Database) throws -> Statements {
        if let statements { return statements }
        let s = try Statements(db)
        statements = s
        return s
    }

    private final class Statements {
        let event, execDetail, execProcess, forkChild, exitProcess, touchProcess, touchCgroup,
            cgroupRemoved, gap, sessionCounts, upsertCgroup, upsertContainer, upsertPod, snapshotProcess, setParent,
            containerRemoved, enrichPod, enrichContainer, enrichFailed: RawStatement

        init(_ db: Database) throws {
            event = try RawStatement(db, """
                INSERT INTO events (session_id, ts, kind, pid, tid, uid, process_id, cgroup_row, ret, aux, object_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            execDetail = try RawStatement(db, """
                INSERT INTO execs (event_id, filename, argv, cmdline, argv_truncated, filename_truncated)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            execProcess = try RawStatement(db, """
                INSERT INTO processes (boot_id, pid, start_boot_ns, started_at, ppid, parent_id, exe, argv, cmdline,
                    comm, uid, gid, ns_pid, mnt_ns, pid_ns, cgroup_row, exec_count, session_id, start_ticks)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 1, ?17, ?18)
                ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                    ppid = excluded.ppid, parent_id = coalesce(excluded.parent_id, parent_id),
                    exe = excluded.exe, argv = excluded.argv, cmdline = excluded.cmdline, comm = excluded.comm,
                    uid = excluded.uid, gid = excluded.gid, ns_pid = excluded.ns_pid, mnt_ns = excluded.mnt_ns,
                    pid_ns = excluded.pid_ns, cgroup_row = excluded.cgroup_row, exec_count = exec_count + 1
                RETURNING id
                """)
            forkChild = try RawStatement(db, """
                INSERT INTO processes (boot_id, pid, start_boot_ns, started_at, ppid, parent_id, comm, uid, gid,
                    cgroup_row, session_id, start_ticks)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                    ppid = excluded.ppid, parent_id = excluded.parent_id
                RETURNING id
                """)
            exitProcess = try RawStatement(db, """
                UPDATE processes SET exited_at = ?, exit_code = ?, exit_signal = ? WHERE id = ?
                """)
            touchProcess = try RawStatement(db, """
                INSERT INTO processes (boot_id, pid, start_boot_ns, started_at, comm, ppid, session_id, start_ticks)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                    comm = coalesce(comm, excluded.comm), ppid = coalesce(ppid, excluded.ppid)
                RETURNING id
                """)
            touchCgroup = try RawStatement(db, """
                INSERT INTO cgroups (boot_id, hierarchy_id, cgroup_id, path, session_id)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (boot_id, hierarchy_id, cgroup_id) DO UPDATE SET path = coalesce(excluded.path, path)
                RETURNING id
                """)
            upsertCgroup = try RawStatement(db, """
                INSERT INTO cgroups (boot_id, hierarchy_id, cgroup_id, path, level, created_at, existed_at_start, session_id, container_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (boot_id, hierarchy_id, cgroup_id) DO UPDATE SET
                    path = coalesce(excluded.path, path), level = coalesce(excluded.level, level),
                    created_at = coalesce(created_at, excluded.created_at),
                    container_id = coalesce(excluded.container_id, container_id)
                RETURNING id
                """)
            upsertContainer = try RawStatement(db, """
                INSERT INTO containers (id, runtime, pod_uid, created_at, existed_at_start, first_seen_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    runtime = CASE WHEN runtime IS NULL OR runtime = 'unknown' THEN excluded.runtime ELSE runtime END,
                    pod_uid = coalesce(pod_uid, excluded.pod_uid),
                    created_at = coalesce(created_at, excluded.created_at)
                """)
            upsertPod = try RawStatement(db, """
                INSERT INTO pods (uid, first_seen_at, last_seen_at) VALUES (?1, ?2, ?2)
                ON CONFLICT (uid) DO UPDATE SET last_seen_at = max(coalesce(last_seen_at, 0), excluded.last_seen_at)
                """)
            snapshotProcess = try RawStatement(db, """
                INSERT INTO processes (boot_id, pid, start_ticks, start_boot_ns, started_at, ppid, exe, argv, cmdline, comm,
                    uid, gid, ns_pid, mnt_ns, pid_ns, cgroup_row, session_id, existed_at_start)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                    exe = coalesce(exe, excluded.exe), argv = coalesce(argv, excluded.argv),
                    cmdline = coalesce(cmdline, excluded.cmdline), comm = coalesce(comm, excluded.comm),
                    uid = coalesce(uid, excluded.uid), gid = coalesce(gid, excluded.gid),
                    ns_pid = coalesce(ns_pid, excluded.ns_pid), mnt_ns = coalesce(mnt_ns, excluded.mnt_ns),
                    pid_ns = coalesce(pid_ns, excluded.pid_ns), cgroup_row = coalesce(cgroup_row, excluded.cgroup_row)
                RETURNING id
                """)
            setParent = try RawStatement(db, "UPDATE processes SET parent_id = coalesce(parent_id, ?) WHERE id = ?")
            containerRemoved = try RawStatement(db, "UPDATE containers SET removed_at = coalesce(removed_at, ?) WHERE id = ?")
            enrichPod = try RawStatement(db, """
                INSERT INTO pods (uid, name, namespace, labels, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                ON CONFLICT (uid) DO UPDATE SET
                    name = coalesce(excluded.name, name), namespace = coalesce(excluded.namespace, namespace),
                    labels = coalesce(excluded.labels, labels), last_seen_at = max(coalesce(last_seen_at, 0), excluded.last_seen_at)
                """)
            enrichContainer = try RawStatement(db, """
                INSERT INTO containers (id, runtime, name, image, image_digest, image_id, pod_uid, labels, runtime_created_at, started_at,
                    first_seen_at, enriched_at, enriched_from, kube_container_name, sandbox)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14)
                ON CONFLICT (id) DO UPDATE SET
                    runtime = excluded.runtime, name = coalesce(excluded.name, name), image = coalesce(excluded.image, image),
                    image_digest = coalesce(excluded.image_digest, image_digest), image_id = coalesce(excluded.image_id, image_id),
                    pod_uid = coalesce(excluded.pod_uid, pod_uid), labels = excluded.labels,
                    runtime_created_at = coalesce(excluded.runtime_created_at, runtime_created_at),
                    started_at = coalesce(excluded.started_at, started_at),
                    enriched_at = excluded.enriched_at, enriched_from = excluded.enriched_from, enrich_error = NULL,
                    kube_container_name = coalesce(excluded.kube_container_name, kube_container_name), sandbox = excluded.sandbox
                """)
            enrichFailed = try RawStatement(db, """
                INSERT INTO containers (id, first_seen_at, enrich_error, enriched_from) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (id) DO UPDATE SET enrich_error = excluded.enrich_error, enriched_from = excluded.enriched_from
                    WHERE enriched_at IS NULL
                """)
            cgroupRemoved = try RawStatement(db, "UPDATE cgroups SET removed_at = ?, level = coalesce(level, ?) WHERE id = ?")
            gap = try RawStatement(db, "INSERT INTO gaps (session_id, detected_at, count, reason, detail) VALUES (?, ?, ?, ?, ?)")
            sessionCounts = try RawStatement(db, "UPDATE sessions SET events = ?, lost = ? WHERE id = ?")
        }
    }
}
