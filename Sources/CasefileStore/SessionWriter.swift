import CasefileModel
import Foundation
import GRDB

/// Writes one recording session into a case file. Used by one thread (the store writer); each
/// `write` call is one transaction. It only writes: what a row means (a container created,
/// removed, seen) is decided by the pipeline and arrives in the batch; the SQL is in
/// `WriterStatements`.
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
    private var statements: WriterStatements?
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
                VALUES (:host, :kernel, :machineID, :bootID, :bootOffset, :cgroupLayout,
                    :cgroupHierarchy, :cgroupMount, :startedAt, :version, :abi, :commandLine,
                    :attached, :attachFailures, :ringBufferBytes, :warnings)
                """, arguments: [
                    "host": session.host, "kernel": session.kernel, "machineID": session.machineID,
                    "bootID": session.clock.bootID, "bootOffset": session.clock.offsetNanoseconds,
                    "cgroupLayout": session.cgroupLayout, "cgroupHierarchy": Int(session.cgroupHierarchy),
                    "cgroupMount": session.cgroupMount, "startedAt": session.startedAt, "version": session.casefileVersion,
                    "abi": session.abiVersion, "commandLine": session.commandLine,
                    "attached": session.attached.joined(separator: ","),
                    "attachFailures": session.attachFailures.isEmpty ? nil : session.attachFailures.joined(separator: "; "),
                    "ringBufferBytes": session.ringBufferBytes, "warnings": session.warnings,
                ])
            return db.lastInsertedRowID
        }
    }

    /// Writes events and gaps in one transaction.
    public func write(_ events: [ResolvedEvent], gaps: [Gap] = []) throws {
        try write(StoreBatch(events: events, gaps: gaps))
    }

    /// Writes a batch in one transaction: cgroups (and their containers and pods) first, then
    /// processes found at start, then events, enrichment answers and gaps. The session's counts
    /// move in the same transaction.
    public func write(_ batch: StoreBatch) throws {
        guard !batch.isEmpty else { return }
        var written = eventsWritten, lost = eventsLost
        try queue.inDatabase { db in
            let s = try prepared(db)
            try db.inTransaction {
                for cgroup in batch.cgroups { try upsert(cgroup, s) }
                for process in batch.processes { try upsert(process, s) }
                for process in batch.processes { try linkParent(process, s) }
                for event in batch.events {
                    try insert(event, s)
                    written += 1
                }
                for metadata in batch.enrichments { try enrich(metadata, s) }
                for failure in batch.enrichmentFailures { try record(failure, s) }
                for gap in batch.gaps {
                    s.gap.bind(.session, sessionID)
                    s.gap.bind(.detectedAt, gap.detectedAt)
                    s.gap.bind(.count, Int64(clamping: gap.count))
                    s.gap.bindText(.reason, gap.reason.rawValue)
                    s.gap.bindText(.detail, gap.detail)
                    try s.gap.run()
                    lost += gap.count
                }
                s.sessionCounts.bind(.events, Int64(clamping: written))
                s.sessionCounts.bind(.lost, Int64(clamping: lost))
                s.sessionCounts.bind(.session, sessionID)
                try s.sessionCounts.run()
                return .commit
            }
        }
        eventsWritten = written
        eventsLost = lost
    }

    /// Records what the session knew about runtimes (at finish, with the enrichment counters).
    public func setRuntimes(_ description: String, enrichmentDropped: Int) throws {
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE sessions SET runtimes = ?, enrichment_dropped = ? WHERE id = ?",
                           arguments: [description, enrichmentDropped, sessionID])
        }
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

    private func prepared(_ db: Database) throws -> WriterStatements {
        if let statements { return statements }
        let s = try WriterStatements(db)
        statements = s
        return s
    }

    // MARK: - Cgroups, containers, pods

    private func upsert(_ c: CgroupRecord, _ s: WriterStatements) throws {
        if let ref = c.container { try upsertContainer(ref, c, s) }
        let u = s.upsertCgroup
        u.bindText(.bootID, bootID)
        u.bind(.hierarchy, Int64(c.hierarchyID))
        u.bind(.cgroupID, Int64(bitPattern: c.id))
        u.bindText(.path, c.path?.bytes)
        u.bind(.level, c.level.map { Int64($0) })
        u.bind(.createdAt, c.createdAt)
        u.bind(.existedAtStart, c.existedAtStart)
        u.bind(.session, sessionID)
        u.bindText(.container, c.container?.id)
        cgroupRows[CgroupKey(hierarchy: c.hierarchyID, id: c.id)] = try u.runReturningID()
    }

    /// The container (and its pod) rows, before the cgroup row that points to them.
    private func upsertContainer(_ ref: ContainerRef, _ c: CgroupRecord, _ s: WriterStatements) throws {
        let seenAt = c.containerSeenAt ?? session.startedAt
        if let pod = ref.podUID {
            s.upsertPod.bindText(.uid, pod)
            s.upsertPod.bind(.seenAt, seenAt)
            try s.upsertPod.run()
        }
        let u = s.upsertContainer
        u.bindText(.id, ref.id)
        u.bindText(.runtime, ref.runtime.rawValue)
        u.bindText(.pod, ref.podUID)
        u.bind(.createdAt, c.containerCreatedAt)
        u.bind(.existedAtStart, c.containerExistedAtStart)
        u.bind(.seenAt, seenAt)
        try u.run()
    }

    /// Back-fills a container (and its pod) with what its runtime said. Events already stored
    /// point to the container through their cgroup, so they show the names from now on.
    private func enrich(_ m: ContainerMetadata, _ s: WriterStatements) throws {
        let now = nowNanoseconds()
        if let pod = m.pod {
            let p = s.enrichPod
            p.bindText(.uid, pod.uid)
            p.bindText(.name, pod.name)
            p.bindText(.namespace, pod.namespace)
            p.bindText(.labels, pod.labels.isEmpty ? nil : LabelsJSON.encode(pod.labels))
            p.bind(.now, now)
            try p.run()
        }
        let u = s.enrichContainer
        u.bindText(.id, m.id)
        u.bindText(.runtime, m.runtime.rawValue)
        u.bindText(.name, m.name)
        u.bindText(.image, m.image)
        u.bindText(.imageDigest, m.imageDigest)
        u.bindText(.imageID, m.imageID)
        u.bindText(.pod, m.pod?.uid)
        u.bindText(.labels, LabelsJSON.encode(m.labels))
        u.bind(.runtimeCreatedAt, m.createdAt)
        u.bind(.startedAt, m.startedAt)
        u.bind(.now, now)
        u.bindText(.source, m.source)
        u.bindText(.kubeContainerName, m.kubernetesContainerName)
        u.bind(.sandbox, m.isSandbox)
        try u.run()
    }

    private func record(_ f: EnrichmentFailure, _ s: WriterStatements) throws {
        let u = s.enrichFailed
        u.bindText(.id, f.containerID)
        u.bind(.at, f.at)
        u.bindText(.error, f.error)
        u.bindText(.source, f.source)
        try u.run()
    }

    // MARK: - Processes found at start

    private func upsert(_ p: ProcessRecord, _ s: WriterStatements) throws {
        let u = s.snapshotProcess
        u.bindText(.bootID, bootID)
        u.bind(.pid, Int64(p.key.pid))
        u.bind(.startTicks, Int64(bitPattern: p.key.startTicks))
        u.bind(.startBootNs, Int64(bitPattern: p.key.startBootNanoseconds))
        u.bind(.startedAt, session.clock.utc(p.key.startBootNanoseconds))
        u.bind(.ppid, Int64(p.ppid))
        u.bindText(.exe, p.exe?.bytes)
        u.bindBlob(.argv, p.argv?.bytes)
        u.bindText(.cmdline, p.argv.map { Display.commandLine(argv: $0.bytes) })
        u.bindText(.comm, p.comm?.bytes)
        u.bind(.uid, p.uid.map { Int64($0) })
        u.bind(.gid, p.gid.map { Int64($0) })
        u.bind(.nsPID, p.namespacePID.map { Int64($0) })
        u.bind(.mntNS, p.mountNamespace.map { Int64($0) })
        u.bind(.pidNS, p.pidNamespace.map { Int64($0) })
        u.bind(.cgroup, try p.cgroupID.flatMap { try cgroupRow(hierarchy: session.cgroupHierarchy, id: $0, path: nil, s) })
        u.bind(.session, sessionID)
        processIDs[p.key] = try u.runReturningID()
    }

    private func linkParent(_ p: ProcessRecord, _ s: WriterStatements) throws {
        guard let parentKey = p.parent, let parent = processIDs[parentKey], let child = processIDs[p.key] else { return }
        s.setParent.bind(.parent, parent)
        s.setParent.bind(.process, child)
        try s.setParent.run()
    }

    // MARK: - Events

    private func insert(_ r: ResolvedEvent, _ s: WriterStatements) throws {
        let e = r.event
        let currentCgroup = try cgroupRow(hierarchy: session.cgroupHierarchy, id: e.cgroupID, path: nil, s)
        var row = EventRow()

        switch e.body {
        case .exec(let x):
            row.uid = Int64(x.uid)
            row.process = try upsertExec(x, parent: try r.parent.map { try processRow($0, s) }, cgroup: currentCgroup, s)
            row.aux = Int64(x.oldPID)
        case .fork(let f):
            row.uid = Int64(f.uid)
            let parentID = try processRow(f.parent, s, comm: f.comm)
            row.process = parentID
            row.aux = Int64(f.child.pid)
            row.object = try insertChild(f, parent: parentID, cgroup: currentCgroup, s)
        case .exit(let x):
            let id = try processRow(x.process, s, comm: x.comm, ppid: x.ppid)
            let u = s.exitProcess
            u.bind(.exitedAt, r.time)
            u.bind(.code, x.signal == 0 ? Int64(x.code) : nil)
            u.bind(.signal, x.signal == 0 ? nil : Int64(x.signal))
            u.bind(.process, id)
            try u.run()
            row.process = id
            row.ret = x.signal == 0 ? Int64(x.code) : nil
            row.aux = Int64(x.signal) + (x.coreDumped ? 128 : 0)
            // The instance is finished: later references to it are rare, drop it from the cache.
            processIDs[x.process] = nil
        case .cgroup(let c):
            row.process = try r.process.map { try processRow($0, s) }
            // mkdir: the row was written from the pipeline's CgroupRecord; rmdir may be of a cgroup never seen.
            let cgroup = try cgroupRow(hierarchy: c.hierarchyID, id: c.id, path: c.change == .rmdir ? c.path : nil, s)
            if c.change == .rmdir {
                s.cgroupRemoved.bind(.removedAt, r.time)
                s.cgroupRemoved.bind(.level, Int64(c.level))
                s.cgroupRemoved.bind(.cgroup, cgroup)
                try s.cgroupRemoved.run()
            }
            if let removed = r.removesContainer {
                s.containerRemoved.bind(.removedAt, r.time)
                s.containerRemoved.bindText(.id, removed)
                try s.containerRemoved.run()
            }
            row.aux = Int64(c.hierarchyID)
            row.object = cgroup
        }
        if row.process == nil, let key = r.process { row.process = try processRow(key, s) }

        let ev = s.event
        ev.bind(.session, sessionID)
        ev.bind(.ts, r.time)
        ev.bind(.kind, Int64(e.kind.rawValue))
        ev.bind(.pid, Int64(e.pid))
        ev.bind(.tid, Int64(e.tid))
        ev.bind(.uid, row.uid)
        ev.bind(.process, row.process)
        ev.bind(.cgroup, currentCgroup)
        ev.bind(.ret, row.ret)
        ev.bind(.aux, row.aux)
        ev.bind(.object, row.object)
        try ev.run()

        if case .exec(let x) = e.body {
            let d = s.execDetail
            d.bind(.event, ev.lastInsertRowID)
            d.bindText(.filename, x.filename.bytes)
            d.bindBlob(.argv, x.argv.bytes)
            d.bindText(.cmdline, Display.commandLine(argv: x.argv.bytes, truncated: x.argvTruncated))
            d.bind(.argvTruncated, x.argvTruncated)
            d.bind(.filenameTruncated, x.filenameTruncated)
            try d.run()
        }
    }

    /// The kind-specific columns of an `events` row (their meaning per kind is in `event_kinds`).
    private struct EventRow {
        var uid: Int64?
        var process: Int64?
        var ret: Int64?
        var aux: Int64?
        var object: Int64?
    }

    /// The process row an exec makes or updates.
    private func upsertExec(_ x: Exec, parent: Int64?, cgroup: Int64?, _ s: WriterStatements) throws -> Int64 {
        let u = s.execProcess
        u.bindText(.bootID, bootID)
        u.bind(.pid, Int64(x.process.pid))
        u.bind(.startBootNs, Int64(bitPattern: x.process.startBootNanoseconds))
        u.bind(.startedAt, session.clock.utc(x.process.startBootNanoseconds))
        u.bind(.ppid, Int64(x.ppid))
        u.bind(.parent, parent)
        u.bindText(.exe, x.filename.bytes)
        u.bindBlob(.argv, x.argv.bytes)
        u.bindText(.cmdline, Display.commandLine(argv: x.argv.bytes, truncated: x.argvTruncated))
        u.bindText(.comm, x.comm.bytes)
        u.bind(.uid, Int64(x.uid))
        u.bind(.gid, Int64(x.gid))
        u.bind(.nsPID, Int64(x.namespacePID))
        u.bind(.mntNS, Int64(x.mountNamespace))
        u.bind(.pidNS, Int64(x.pidNamespace))
        u.bind(.cgroup, cgroup)
        u.bind(.session, sessionID)
        u.bind(.startTicks, Int64(bitPattern: x.process.startTicks))
        let id = try u.runReturningID()
        processIDs[x.process] = id
        return id
    }

    /// The process row a fork makes.
    private func insertChild(_ f: Fork, parent: Int64, cgroup: Int64?, _ s: WriterStatements) throws -> Int64 {
        let c = s.forkChild
        c.bindText(.bootID, bootID)
        c.bind(.pid, Int64(f.child.pid))
        c.bind(.startBootNs, Int64(bitPattern: f.child.startBootNanoseconds))
        c.bind(.startedAt, session.clock.utc(f.child.startBootNanoseconds))
        c.bind(.ppid, Int64(f.parent.pid))
        c.bind(.parent, parent)
        c.bindText(.comm, f.comm.bytes)
        c.bind(.uid, Int64(f.uid))
        c.bind(.gid, Int64(f.gid))
        c.bind(.cgroup, cgroup)
        c.bind(.session, sessionID)
        c.bind(.startTicks, Int64(bitPattern: f.child.startTicks))
        let id = try c.runReturningID()
        processIDs[f.child] = id
        return id
    }

    /// Row id of a process instance, creating a minimal row when it was never seen.
    private func processRow(_ key: ProcessKey, _ s: WriterStatements, comm: ByteString? = nil, ppid: UInt32? = nil) throws -> Int64 {
        if let id = processIDs[key] { return id }
        let u = s.touchProcess
        u.bindText(.bootID, bootID)
        u.bind(.pid, Int64(key.pid))
        u.bind(.startBootNs, Int64(bitPattern: key.startBootNanoseconds))
        u.bind(.startedAt, key.startBootNanoseconds == 0 ? nil : session.clock.utc(key.startBootNanoseconds))
        u.bindText(.comm, comm?.bytes)
        u.bind(.ppid, ppid.map { Int64($0) })
        u.bind(.session, sessionID)
        u.bind(.startTicks, Int64(bitPattern: key.startTicks))
        let id = try u.runReturningID()
        processIDs[key] = id
        return id
    }

    /// Row id of a cgroup, creating a row when it was never seen (`path` may be unknown yet).
    private func cgroupRow(hierarchy: UInt32, id: UInt64, path: ByteString?, _ s: WriterStatements) throws -> Int64? {
        guard id != 0 else { return nil }
        let key = CgroupKey(hierarchy: hierarchy, id: id)
        if let row = cgroupRows[key], path == nil { return row }
        let u = s.touchCgroup
        u.bindText(.bootID, bootID)
        u.bind(.hierarchy, Int64(hierarchy))
        u.bind(.cgroupID, Int64(bitPattern: id))
        u.bindText(.path, path?.bytes)
        u.bind(.session, sessionID)
        let row = try u.runReturningID()
        cgroupRows[key] = row
        return row
    }
}
