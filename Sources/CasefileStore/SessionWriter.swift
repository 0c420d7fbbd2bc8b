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
    let session: SessionInfo
    var bootID: String { session.clock.bootID }

    /// Row ids of process instances and cgroups written by this session (see the extension in
    /// SessionWriter+Events.swift).
    var processIDs: [ProcessKey: Int64] = [:]
    var cgroupRows: [CgroupKey: Int64] = [:]
    private var statements: WriterStatements?
    public private(set) var eventsWritten: UInt64 = 0
    public private(set) var eventsLost: UInt64 = 0

    struct CgroupKey: Hashable {
        var hierarchy: UInt32
        var id: UInt64
    }

    /// Creates the `sessions` row, and writes what each event kind means into `event_kinds`
    /// (from `EventKind`, the one definition). A session left open by a recorder that was
    /// killed is closed first, with the time of its last committed event.
    public init(queue: DatabaseQueue, session: SessionInfo) throws {
        self.queue = queue
        self.session = session
        sessionID = try queue.write { db in
            // A session still open was not stopped: its recorder was killed (kill -9, power loss)
            // or crashed. Close it with the time of its last committed event, and say so.
            try db.execute(sql: """
                UPDATE sessions SET
                    ended_at = coalesce((SELECT max(ts) FROM events WHERE events.session_id = sessions.id), started_at),
                    clean_shutdown = 0,
                    warnings = coalesce(warnings || '; ', '') || :note
                WHERE ended_at IS NULL
                """, arguments: ["note": "not stopped: its recorder was killed or crashed; ended_at is its last committed event "
                                    + "(closed by the session started at \(Display.utc(session.startedAt)))"])
            for kind in EventKind.allCases {
                try db.execute(sql: """
                    INSERT INTO event_kinds (id, name, description, ret_means, aux_means, object_is)
                    VALUES (:id, :name, :description, :ret, :aux, :object)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                        ret_means = excluded.ret_means, aux_means = excluded.aux_means, object_is = excluded.object_is
                    """, arguments: ["id": kind.rawValue, "name": kind.name, "description": kind.description,
                                     "ret": kind.retMeans, "aux": kind.auxMeans, "object": kind.objectIs])
            }
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
        // A transaction that fails is rolled back: row ids cached during it may not exist. The
        // caches refill from the natural keys (upserts return the existing rows' ids).
        var committed = false
        defer {
            if !committed {
                processIDs = [:]
                cgroupRows = [:]
            }
        }
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
        committed = true
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

    /// Closes the case file's connection (after `finish`). Throws when SQLite cannot close it.
    public func close() throws {
        statements = nil
        try queue.close()
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
}
