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
    public private(set) var sessionID: Int64 = 0
    public let queue: DatabaseQueue
    let session: SessionInfo
    var bootID: String { clock.bootID }

    /// Row ids of process instances and cgroups written by this session (see the extension in
    /// SessionWriter+Events.swift).
    var processIDs: [ProcessKey: Int64] = [:]
    var cgroupRows: [CgroupKey: Int64] = [:]
    /// Cgroups removed (rmdir written), forgotten from `cgroupRows` 30 s (event time) later.
    var removedCgroups: [(at: Int64, key: CgroupKey)] = []
    var removedHead = 0
    /// Row ids in `comms`, by name (bounded: emptied when it grows past `commCacheLimit`).
    var commIDs: [ByteString: Int64] = [:]
    /// Row ids in `paths`, by path (bounded like `commIDs`).
    var pathIDs: [PathKey: Int64] = [:]
    struct PathKey: Hashable {
        var path: ByteString
        var truncated: Bool
    }
    static let pathCacheLimit = 65_536
    /// Row ids in `addresses` (bounded like `commIDs`).
    var addressIDs: [AddressKey: Int64] = [:]
    struct AddressKey: Hashable {
        var family: UInt16
        var address: ByteString
    }
    static let commCacheLimit = 65_536
    /// Boot clock to UTC, as last measured (process start times are converted with it).
    var clock: BootClock
    private var statements: WriterStatements?
    public private(set) var eventsWritten: UInt64 = 0
    public private(set) var eventsLost: UInt64 = 0
    /// Events stored as repeats of an identical one (`event_folds`), not as rows of their own.
    public private(set) var eventsFolded: UInt64 = 0
    /// Events whose kind this session does not store (their process and cgroup facts are kept).
    public private(set) var eventsNotChosen: UInt64 = 0

    /// What the transaction in progress wrote, for its seal (SessionWriter+Seals.swift).
    var batch = BatchRows()
    /// Its `events` and `execs` rows, encoded for its seal as they are written.
    var written = WrittenRows()
    /// Every seal is also computed from the rows read back, and must agree: on in debug builds
    /// (every test), off in release.
    #if DEBUG
    var crossCheckSeals = true
    #else
    var crossCheckSeals = false
    #endif
    /// Seals that hashed their events and execs rows as written (not read back).
    var sealsHashedAsWritten = 0
    /// The time-summary chunk the transaction in progress is filling (SessionWriter+Chunks.swift).
    var chunk = Chunk()
    /// The chain head: the digest of the file's last committed seal (32 zero bytes before the first).
    public internal(set) var sealHead: [UInt8] = SealHeader.zero
    /// `sealHead` in lowercase hex, as printed at stop and taken by `casefile verify --expect`.
    public var sealHeadHex: String { sealHead.hex }
    /// Seals this session committed.
    public internal(set) var seals = 0
    var lastSealID: Int64 = 0
    /// False only in the store benchmark, to measure what sealing costs.
    let sealing: Bool
    /// Kinds whose rows this session stores (`record --events`).
    let storedKinds: Set<EventKind>

    struct CgroupKey: Hashable {
        var hierarchy: UInt32
        var id: UInt64
    }

    /// Creates the `sessions` row, and writes what each event kind means into `event_kinds`
    /// (from `EventKind`, the one definition). A session left open by a recorder that was
    /// killed is closed first, with the time of its last committed event. This is the session's
    /// first sealed batch.
    public convenience init(queue: DatabaseQueue, session: SessionInfo) throws {
        try self.init(queue: queue, session: session, sealing: true)
    }

    package init(queue: DatabaseQueue, session: SessionInfo, sealing: Bool) throws {
        self.queue = queue
        self.session = session
        self.sealing = sealing
        self.storedKinds = session.settings.kinds
        self.clock = session.clock
        try sealedTransaction { db, _ in
            try self.begin(db)
        }
    }

    private func begin(_ db: Database) throws {
        // A session still open was not stopped: its recorder was killed (kill -9, power loss)
        // or crashed. Close it with the time of its last committed event, and say so.
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM sessions WHERE ended_at IS NULL") {
            touch(.sessions, id)
        }
        try db.execute(sql: """
            UPDATE sessions SET
                ended_at = coalesce((SELECT max(c.max_ts) FROM seals s JOIN event_chunks c ON c.first_event BETWEEN s.first_event AND s.last_event
                                     WHERE s.session_id = sessions.id), started_at),
                clean_shutdown = 0,
                warnings = coalesce(warnings || '; ', '') || :note
            WHERE ended_at IS NULL
            """, arguments: ["note": "not stopped: its recorder was killed or crashed; ended_at is its last committed event "
                                + "(closed by the session started at \(Display.utc(session.startedAt)))"])
        for kind in EventKind.allCases {
            try db.execute(sql: """
                INSERT INTO event_kinds (id, name, description, ret_means, aux_means, object_is, aux2_means, aux3_means)
                VALUES (:id, :name, :description, :ret, :aux, :object, :aux2, :aux3)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                    ret_means = excluded.ret_means, aux_means = excluded.aux_means, object_is = excluded.object_is,
                    aux2_means = excluded.aux2_means, aux3_means = excluded.aux3_means
                """, arguments: ["id": kind.rawValue, "name": kind.name, "description": kind.description,
                                 "ret": kind.retMeans, "aux": kind.auxMeans, "object": kind.objectIs,
                                 "aux2": kind.aux2Means, "aux3": kind.aux3Means])
        }
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM event_kinds") { touch(.eventKinds, id) }
        // Migrations applied to this file (by this recorder or an earlier one) are sealed too.
        for version in try Int64.fetchAll(db, sql: "SELECT version FROM schema_migrations") { touch(.schemaMigrations, version) }
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
        sessionID = db.lastInsertedRowID
        touch(.sessions, sessionID)
        let settings = session.settings
        try db.execute(sql: """
            INSERT INTO session_settings (session_id, events_recorded, scope, hooks, not_attached, argv_max, environment_captured,
                fold_window_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [sessionID, settings.eventsRecorded, settings.scope.description, settings.hooks,
                             settings.notAttached.isEmpty ? nil : settings.notAttached.joined(separator: "; "),
                             settings.argvMax, settings.captureEnvironment ? 1 : 0, settings.foldWindowMilliseconds])
        touch(.sessionSettings, sessionID)
    }

    /// Writes events and gaps in one transaction.
    public func write(_ events: [ResolvedEvent], gaps: [Gap] = []) throws {
        try write(StoreBatch(events: events, gaps: gaps))
    }

    /// Writes a batch in one sealed transaction: cgroups (and their containers and pods) first,
    /// then processes found at start, then events, enrichment answers and gaps. The session's
    /// counts move in the same transaction, and in memory only once it committed.
    public func write(_ batch: StoreBatch) throws {
        guard !batch.isEmpty else { return }
        var written = eventsWritten, lost = eventsLost, folded = eventsFolded, notChosen = eventsNotChosen
        try sealedTransaction { db, s in
            for cgroup in batch.cgroups { try upsert(cgroup, s) }
            for process in batch.processes { try upsert(process, s) }
            for process in batch.processes { try linkParent(process, s) }
            for event in batch.events {
                if try insert(event, s) {
                    written += 1
                    folded += UInt64(max(0, event.foldCount - 1))
                } else if event.storeRow {
                    notChosen += UInt64(max(1, event.foldCount)) // (out-of-scope ones the pipeline counted)
                }
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
                noteGap(s.gap.lastInsertRowID)
                lost += gap.count
            }
            s.sessionCounts.bind(.events, Int64(clamping: written))
            s.sessionCounts.bind(.lost, Int64(clamping: lost))
            s.sessionCounts.bind(.session, sessionID)
            try s.sessionCounts.run()
            touch(.sessions, sessionID)
            // what was folded and skipped so far moves with the rows, so a recorder that is
            // killed leaves them right as of its last commit
            try noteSettingsCounts(db, folded: folded)
        }
        settingsCounts = (scopeSkipped, folded)
        eventsWritten = written
        eventsLost = lost
        eventsFolded = folded
        eventsNotChosen = notChosen
        if let last = batch.events.last { forgetRemovedCgroups(before: last.time) }
    }

    /// Events not recorded because their cgroup was out of scope, so far (the recorder sets it
    /// before each write: the pipeline's count plus the kernel's); written with the next commit.
    public var scopeSkipped: UInt64 = 0
    /// What `session_settings` says now (scope skipped, folded).
    private var settingsCounts: (scope: UInt64, folded: UInt64) = (0, 0)

    private func noteSettingsCounts(_ db: Database, folded: UInt64) throws {
        guard (scopeSkipped, folded) != settingsCounts else { return }
        try db.execute(sql: "UPDATE session_settings SET scope_skipped = ?, folded = ? WHERE session_id = ?",
                       arguments: [Int64(clamping: scopeSkipped), Int64(clamping: folded), sessionID])
        touch(.sessionSettings, sessionID)
    }

    /// Memory follows the live cgroups: a removed one is forgotten after a grace period (a late
    /// event finds its row again by its key).
    private func forgetRemovedCgroups(before now: Int64) {
        while removedHead < removedCgroups.count, removedCgroups[removedHead].at + 30_000_000_000 < now {
            cgroupRows[removedCgroups[removedHead].key] = nil
            removedHead += 1
        }
        if removedHead > 4096 && removedHead * 2 > removedCgroups.count {
            removedCgroups.removeFirst(removedHead)
            removedHead = 0
        }
    }

    /// How many cgroup and process rows the writer keeps ids of (for tests and benchmarks).
    public var cachedRows: (cgroups: Int, processes: Int) { (cgroupRows.count, processIDs.count) }

    /// A new measurement of the boot-clock offset that differs from the last one: a sealed
    /// `clock_steps` row; events and process times written from now on use it.
    public func noteClockStep(offset: Int64, bootNanoseconds: Int64, at time: Int64) throws {
        let step = offset - clock.offsetNanoseconds
        try sealedTransaction { _, s in
            let c = s.clockStep
            c.bind(.session, sessionID)
            c.bind(.measuredAt, time)
            c.bind(.bootNs, bootNanoseconds)
            c.bind(.offset, offset)
            c.bind(.step, step)
            try c.run()
            touch(.clockSteps, c.lastInsertRowID)
        }
        clock.offsetNanoseconds = offset
    }

    /// Records what the recorder kept after start-up (`sessions.privileges`), sealed.
    public func notePrivileges(_ text: String) throws {
        try sealedTransaction { db, _ in
            try db.execute(sql: "UPDATE sessions SET privileges = ? WHERE id = ?", arguments: [text, sessionID])
            touch(.sessions, sessionID)
        }
    }

    /// Runs `body` in one transaction that ends with the batch's seal. A transaction that fails
    /// is rolled back: row ids cached during it may not exist, so the caches are emptied (they
    /// refill from the natural keys: upserts return the existing rows' ids), and the chain head
    /// stays where it was.
    func sealedTransaction(_ body: (Database, WriterStatements) throws -> Void) throws {
        batch = BatchRows()
        written.reset()
        var committed = false
        var sealed: (id: Int64, head: [UInt8])?
        defer {
            if !committed {
                processIDs = [:]
                cgroupRows = [:]
                commIDs = [:]
                pathIDs = [:]
                addressIDs = [:]
            }
            batch = BatchRows()
            chunk = Chunk()
        }
        try queue.inDatabase { db in
            let s = try prepared(db)
            try db.inTransaction {
                try body(db, s)
                try flushChunk(s)
                sealed = try seal(db, s)
                return .commit
            }
        }
        committed = true
        if let sealed {
            (lastSealID, sealHead) = sealed
            seals += 1
        }
    }

    /// Closes the session: what it knew about runtimes (with the enrichment counters), its end,
    /// its final counts, in one last sealed batch, then the chain head in `sessions.seal_head`. On
    /// a clean stop the WAL is folded back into the main file so the case file is one
    /// self-contained file.
    /// - Parameter scopeSkipped: events not recorded because their cgroup was out of the
    ///   session's scope (kernel and user space).
    public func finish(clean: Bool, runtimes: String? = nil, enrichmentDropped: Int = 0, scopeSkipped: UInt64? = nil,
                       at time: Int64 = nowNanoseconds()) throws {
        if let scopeSkipped { self.scopeSkipped = scopeSkipped }
        try sealedTransaction { db, _ in
            try noteSettingsCounts(db, folded: eventsFolded)
            try db.execute(sql: """
                UPDATE sessions SET ended_at = ?, clean_shutdown = ?, events = ?, lost = ?,
                    runtimes = coalesce(?, runtimes), enrichment_dropped = ? WHERE id = ?
                """, arguments: [time, clean ? 1 : 0, Int64(clamping: eventsWritten), Int64(clamping: eventsLost),
                                 runtimes, enrichmentDropped, sessionID])
            touch(.sessions, sessionID)
        }
        if sealing {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "UPDATE sessions SET seal_head = ? WHERE id = ?", arguments: [sealHead.hex, sessionID])
            }
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
        u.bind(.pathTruncated, c.pathTruncated)
        let row = try u.runReturningID()
        cgroupRows[CgroupKey(hierarchy: c.hierarchyID, id: c.id)] = row
        touch(.cgroups, row)
    }

    /// The container (and its pod) rows, before the cgroup row that points to them.
    private func upsertContainer(_ ref: ContainerRef, _ c: CgroupRecord, _ s: WriterStatements) throws {
        let seenAt = c.containerSeenAt ?? session.startedAt
        if let pod = ref.podUID {
            s.upsertPod.bindText(.uid, pod)
            s.upsertPod.bind(.seenAt, seenAt)
            try s.upsertPod.run()
            touch(.pods, text: pod)
        }
        let u = s.upsertContainer
        u.bindText(.id, ref.id)
        u.bindText(.runtime, ref.runtime.rawValue)
        u.bindText(.pod, ref.podUID)
        u.bind(.createdAt, c.containerCreatedAt)
        u.bind(.existedAtStart, c.containerExistedAtStart)
        u.bind(.seenAt, seenAt)
        u.bindText(.cgroupPath, ref.cgroupPath)
        try u.run()
        touch(.containers, text: ref.id)
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
            touch(.pods, text: pod.uid)
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
        u.bind(.pid, m.pid.map { Int64($0) })
        u.bindText(.confirmedPath, m.confirmedCgroupPath)
        try u.run()
        touch(.containers, text: m.id)
    }

    private func record(_ f: EnrichmentFailure, _ s: WriterStatements) throws {
        let u = s.enrichFailed
        u.bindText(.id, f.containerID)
        u.bind(.at, f.at)
        u.bindText(.error, f.error)
        u.bindText(.source, f.source)
        try u.run()
        touch(.containers, text: f.containerID)
    }
}
