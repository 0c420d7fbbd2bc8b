import GRDB

/// Every statement `SessionWriter` runs, each next to the names of its parameters. Prepared once
/// per connection; `Statement` checks each enum against its SQL.
final class WriterStatements {
    // MARK: events and their side tables

    enum Event: Int32, StatementParameter { case session = 1, ts, kind, pid, tid, uid, process, cgroup, ret, aux, object, comm, aux2, aux3 }
    let event: Statement<Event>

    enum ExecDetail: Int32, StatementParameter {
        case event = 1, filename, argv, cmdline, argvTruncated, filenameTruncated, argvUnreadable, filenameUnreadable
    }
    let execDetail: Statement<ExecDetail>

    enum EventFold: Int32, StatementParameter { case event = 1, count, lastTS }
    let eventFold: Statement<EventFold>

    enum ExecEnvironment: Int32, StatementParameter { case event = 1, env, truncated, unreadable }
    let execEnvironment: Statement<ExecEnvironment>

    enum Gap: Int32, StatementParameter { case session = 1, detectedAt, count, reason, detail }
    let gap: Statement<Gap>

    enum InternAddress: Int32, StatementParameter { case family = 1, address }
    let internAddress: Statement<InternAddress>

    enum InternPath: Int32, StatementParameter { case path = 1, truncated }
    let internPath: Statement<InternPath>

    enum InternComm: Int32, StatementParameter { case comm = 1 }
    let internComm: Statement<InternComm>

    enum ClockStep: Int32, StatementParameter { case session = 1, measuredAt, bootNs, offset, step }
    let clockStep: Statement<ClockStep>

    enum SessionCounts: Int32, StatementParameter { case events = 1, lost, session }
    let sessionCounts: Statement<SessionCounts>

    enum EventChunk: Int32, StatementParameter { case first = 1, last, minTS, maxTS }
    let eventChunk: Statement<EventChunk>
    enum EventChunkCgroup: Int32, StatementParameter { case cgroup = 1, first }
    let eventChunkCgroup: Statement<EventChunkCgroup>

    // MARK: processes

    enum ExecProcess: Int32, StatementParameter {
        case bootID = 1, pid, startBootNs, startedAt, ppid, parent, exe, argv, cmdline, comm, uid, gid, nsPID, mntNS, pidNS,
             cgroup, session, startTicks
    }
    let execProcess: Statement<ExecProcess>

    enum ForkChild: Int32, StatementParameter {
        case bootID = 1, pid, startBootNs, startedAt, ppid, parent, comm, uid, gid, cgroup, session, startTicks
    }
    let forkChild: Statement<ForkChild>

    enum ExitProcess: Int32, StatementParameter { case exitedAt = 1, code, signal, process }
    let exitProcess: Statement<ExitProcess>

    enum TouchProcess: Int32, StatementParameter { case bootID = 1, pid, startBootNs, startedAt, comm, ppid, session, startTicks }
    let touchProcess: Statement<TouchProcess>

    enum SnapshotProcess: Int32, StatementParameter {
        case bootID = 1, pid, startTicks, startBootNs, startedAt, ppid, exe, argv, cmdline, comm, uid, gid, nsPID, mntNS, pidNS,
             cgroup, session
    }
    let snapshotProcess: Statement<SnapshotProcess>

    enum SetParent: Int32, StatementParameter { case parent = 1, process }
    let setParent: Statement<SetParent>

    // MARK: cgroups, containers, pods

    enum TouchCgroup: Int32, StatementParameter { case bootID = 1, hierarchy, cgroupID, path, session }
    let touchCgroup: Statement<TouchCgroup>

    enum UpsertCgroup: Int32, StatementParameter {
        case bootID = 1, hierarchy, cgroupID, path, level, createdAt, existedAtStart, session, container, pathTruncated
    }
    let upsertCgroup: Statement<UpsertCgroup>

    enum CgroupRemoved: Int32, StatementParameter { case removedAt = 1, level, cgroup }
    let cgroupRemoved: Statement<CgroupRemoved>

    enum UpsertContainer: Int32, StatementParameter { case id = 1, runtime, pod, createdAt, existedAtStart, seenAt, cgroupPath }
    let upsertContainer: Statement<UpsertContainer>

    enum ContainerRemoved: Int32, StatementParameter { case removedAt = 1, id, path }
    let containerRemoved: Statement<ContainerRemoved>

    enum UpsertPod: Int32, StatementParameter { case uid = 1, seenAt }
    let upsertPod: Statement<UpsertPod>

    // MARK: enrichment back-fills

    enum EnrichPod: Int32, StatementParameter { case uid = 1, name, namespace, labels, now }
    let enrichPod: Statement<EnrichPod>

    enum EnrichContainer: Int32, StatementParameter {
        case id = 1, runtime, name, image, imageDigest, imageID, pod, labels, runtimeCreatedAt, startedAt, now, source,
             kubeContainerName, sandbox, pid, confirmedPath
    }
    let enrichContainer: Statement<EnrichContainer>

    enum EnrichFailed: Int32, StatementParameter { case id = 1, at, error, source }
    let enrichFailed: Statement<EnrichFailed>

    // MARK: seals

    enum SealInsert: Int32, StatementParameter {
        case id = 1, session, sealedAt, firstEvent, lastEvent, firstGap, lastGap, changed, prev, digest
    }
    let sealInsert: Statement<SealInsert>

    enum SealRow: Int32, StatementParameter { case seal = 1, table, key, digest }
    let sealRow: Statement<SealRow>

    /// Reads back what a batch wrote, to seal it.
    let seals: SealReader
    /// The file's `events` and `execs` columns are the ones the writer encodes as it binds them
    /// (`SessionWriter.WrittenRows`): its seals need not read those rows back.
    let encodesWrittenRows: Bool

    init(_ db: Database) throws {
        sealInsert = try Statement(db, """
            INSERT INTO seals (id, session_id, sealed_at, first_event, last_event, first_gap, last_gap, changed_rows, prev, digest)
            VALUES (:id, :session, :sealedAt, :firstEvent, :lastEvent, :firstGap, :lastGap, :changed, :prev, :digest)
            """)
        sealRow = try Statement(db, """
            INSERT INTO seal_rows (seal_id, table_name, row_key, row_digest) VALUES (:seal, :table, :key, :digest)
            """)
        seals = try SealReader(db)
        encodesWrittenRows = seals.columns[.events] == SessionWriter.WrittenRows.eventColumns
            && seals.columns[.execs] == SessionWriter.WrittenRows.execColumns
        event = try Statement(db, """
            INSERT INTO events (session_id, ts, kind, pid, tid, uid, process_id, cgroup_row, ret, aux, object_id, comm_id, aux2, aux3)
            VALUES (:session, :ts, :kind, :pid, :tid, :uid, :process, :cgroup, :ret, :aux, :object, :comm, :aux2, :aux3)
            """)
        internAddress = try Statement(db, """
            INSERT INTO addresses (family, address) VALUES (:family, :address)
            ON CONFLICT (family, address) DO UPDATE SET address = excluded.address RETURNING id
            """)
        internPath = try Statement(db, """
            INSERT INTO paths (path, truncated) VALUES (:path, :truncated)
            ON CONFLICT (path, truncated) DO UPDATE SET path = excluded.path RETURNING id
            """)
        internComm = try Statement(db, """
            INSERT INTO comms (comm) VALUES (:comm) ON CONFLICT (comm) DO UPDATE SET comm = excluded.comm RETURNING id
            """)
        clockStep = try Statement(db, """
            INSERT INTO clock_steps (session_id, measured_at, boot_ns, offset_ns, step_ns) VALUES (:session, :measuredAt, :bootNs, :offset, :step)
            """)
        execDetail = try Statement(db, """
            INSERT INTO execs (event_id, filename, argv, cmdline, argv_truncated, filename_truncated, argv_unreadable, filename_unreadable)
            VALUES (:event, :filename, :argv, :cmdline, :argvTruncated, :filenameTruncated, :argvUnreadable, :filenameUnreadable)
            """)
        eventFold = try Statement(db, """
            INSERT INTO event_folds (event_id, count, last_ts) VALUES (:event, :count, :lastTS)
            """)
        execEnvironment = try Statement(db, """
            INSERT INTO exec_environments (event_id, env, truncated, unreadable) VALUES (:event, :env, :truncated, :unreadable)
            """)
        gap = try Statement(db, """
            INSERT INTO gaps (session_id, detected_at, count, reason, detail) VALUES (:session, :detectedAt, :count, :reason, :detail)
            """)
        sessionCounts = try Statement(db, "UPDATE sessions SET events = :events, lost = :lost WHERE id = :session")
        eventChunk = try Statement(db, """
            INSERT INTO event_chunks (first_event, last_event, min_ts, max_ts) VALUES (:first, :last, :minTS, :maxTS)
            """)
        eventChunkCgroup = try Statement(db, """
            INSERT INTO event_chunk_cgroups (cgroup_row, first_event) VALUES (:cgroup, :first)
            """)

        execProcess = try Statement(db, """
            INSERT INTO processes (boot_id, pid, start_boot_ns, started_at, ppid, parent_id, exe, argv, cmdline,
                comm, uid, gid, ns_pid, mnt_ns, pid_ns, cgroup_row, exec_count, session_id, start_ticks)
            VALUES (:bootID, :pid, :startBootNs, :startedAt, :ppid, :parent, :exe, :argv, :cmdline,
                :comm, :uid, :gid, :nsPID, :mntNS, :pidNS, :cgroup, 1, :session, :startTicks)
            ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                ppid = excluded.ppid, parent_id = coalesce(excluded.parent_id, parent_id),
                exe = excluded.exe, argv = excluded.argv, cmdline = excluded.cmdline, comm = excluded.comm,
                uid = excluded.uid, gid = excluded.gid, ns_pid = excluded.ns_pid, mnt_ns = excluded.mnt_ns,
                pid_ns = excluded.pid_ns, cgroup_row = excluded.cgroup_row, exec_count = exec_count + 1
            RETURNING id
            """)
        forkChild = try Statement(db, """
            INSERT INTO processes (boot_id, pid, start_boot_ns, started_at, ppid, parent_id, comm, uid, gid,
                cgroup_row, session_id, start_ticks)
            VALUES (:bootID, :pid, :startBootNs, :startedAt, :ppid, :parent, :comm, :uid, :gid, :cgroup, :session, :startTicks)
            ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                ppid = excluded.ppid, parent_id = excluded.parent_id
            RETURNING id
            """)
        exitProcess = try Statement(db, """
            UPDATE processes SET exited_at = :exitedAt, exit_code = :code, exit_signal = :signal WHERE id = :process
            """)
        touchProcess = try Statement(db, """
            INSERT INTO processes (boot_id, pid, start_boot_ns, started_at, comm, ppid, session_id, start_ticks)
            VALUES (:bootID, :pid, :startBootNs, :startedAt, :comm, :ppid, :session, :startTicks)
            ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                comm = coalesce(comm, excluded.comm), ppid = coalesce(ppid, excluded.ppid)
            RETURNING id
            """)
        snapshotProcess = try Statement(db, """
            INSERT INTO processes (boot_id, pid, start_ticks, start_boot_ns, started_at, ppid, exe, argv, cmdline, comm,
                uid, gid, ns_pid, mnt_ns, pid_ns, cgroup_row, session_id, existed_at_start)
            VALUES (:bootID, :pid, :startTicks, :startBootNs, :startedAt, :ppid, :exe, :argv, :cmdline, :comm,
                :uid, :gid, :nsPID, :mntNS, :pidNS, :cgroup, :session, 1)
            ON CONFLICT (boot_id, pid, start_ticks) DO UPDATE SET
                exe = coalesce(exe, excluded.exe), argv = coalesce(argv, excluded.argv),
                cmdline = coalesce(cmdline, excluded.cmdline), comm = coalesce(comm, excluded.comm),
                uid = coalesce(uid, excluded.uid), gid = coalesce(gid, excluded.gid),
                ns_pid = coalesce(ns_pid, excluded.ns_pid), mnt_ns = coalesce(mnt_ns, excluded.mnt_ns),
                pid_ns = coalesce(pid_ns, excluded.pid_ns), cgroup_row = coalesce(cgroup_row, excluded.cgroup_row)
            RETURNING id
            """)
        setParent = try Statement(db, "UPDATE processes SET parent_id = coalesce(parent_id, :parent) WHERE id = :process")

        touchCgroup = try Statement(db, """
            INSERT INTO cgroups (boot_id, hierarchy_id, cgroup_id, path, session_id)
            VALUES (:bootID, :hierarchy, :cgroupID, :path, :session)
            ON CONFLICT (boot_id, hierarchy_id, cgroup_id) DO UPDATE SET path = coalesce(excluded.path, path)
            RETURNING id
            """)
        upsertCgroup = try Statement(db, """
            INSERT INTO cgroups (boot_id, hierarchy_id, cgroup_id, path, level, created_at, existed_at_start, session_id, container_id,
                path_truncated)
            VALUES (:bootID, :hierarchy, :cgroupID, :path, :level, :createdAt, :existedAtStart, :session, :container, :pathTruncated)
            ON CONFLICT (boot_id, hierarchy_id, cgroup_id) DO UPDATE SET
                path_truncated = CASE WHEN excluded.path IS NULL THEN path_truncated ELSE excluded.path_truncated END,
                path = coalesce(excluded.path, path), level = coalesce(excluded.level, level),
                created_at = coalesce(created_at, excluded.created_at),
                container_id = coalesce(excluded.container_id, container_id)
            RETURNING id
            """)
        cgroupRemoved = try Statement(db, "UPDATE cgroups SET removed_at = :removedAt, level = coalesce(level, :level) WHERE id = :cgroup")
        // A claim (a cgroup whose path has the shape of this container's) adds to the container
        // only when it is at the container's own cgroup path (or has no path: another
        // hierarchy); a claim elsewhere is counted in conflicting_claims and changes nothing else.
        upsertContainer = try Statement(db, """
            INSERT INTO containers (id, runtime, pod_uid, created_at, existed_at_start, first_seen_at, cgroup_path)
            VALUES (:id, :runtime, :pod, :createdAt, :existedAtStart, :seenAt, :cgroupPath)
            ON CONFLICT (id) DO UPDATE SET
                runtime = CASE WHEN (runtime IS NULL OR runtime = 'unknown')
                    AND (excluded.cgroup_path IS NULL OR cgroup_path IS NULL OR cgroup_path = excluded.cgroup_path)
                    THEN excluded.runtime ELSE runtime END,
                pod_uid = CASE WHEN excluded.cgroup_path IS NULL OR cgroup_path IS NULL OR cgroup_path = excluded.cgroup_path
                    THEN coalesce(pod_uid, excluded.pod_uid) ELSE pod_uid END,
                created_at = CASE WHEN excluded.cgroup_path IS NULL OR cgroup_path IS NULL OR cgroup_path = excluded.cgroup_path
                    THEN coalesce(created_at, excluded.created_at) ELSE created_at END,
                conflicting_claims = conflicting_claims
                    + (excluded.cgroup_path IS NOT NULL AND cgroup_path IS NOT NULL AND cgroup_path <> excluded.cgroup_path),
                cgroup_path = coalesce(cgroup_path, excluded.cgroup_path)
            """)
        // Only the container's own cgroup going away removes it.
        containerRemoved = try Statement(db, """
            UPDATE containers SET removed_at = coalesce(removed_at, :removedAt)
            WHERE id = :id AND (cgroup_path IS NULL OR cgroup_path = :path)
            """)
        upsertPod = try Statement(db, """
            INSERT INTO pods (uid, first_seen_at, last_seen_at) VALUES (:uid, :seenAt, :seenAt)
            ON CONFLICT (uid) DO UPDATE SET last_seen_at = max(coalesce(last_seen_at, 0), excluded.last_seen_at)
            """)

        enrichPod = try Statement(db, """
            INSERT INTO pods (uid, name, namespace, labels, first_seen_at, last_seen_at) VALUES (:uid, :name, :namespace, :labels, :now, :now)
            ON CONFLICT (uid) DO UPDATE SET
                name = coalesce(excluded.name, name), namespace = coalesce(excluded.namespace, namespace),
                labels = coalesce(excluded.labels, labels), last_seen_at = max(coalesce(last_seen_at, 0), excluded.last_seen_at)
            """)
        enrichContainer = try Statement(db, """
            INSERT INTO containers (id, runtime, name, image, image_digest, image_id, pod_uid, labels, runtime_created_at, started_at,
                first_seen_at, enriched_at, enriched_from, kube_container_name, sandbox, runtime_pid, cgroup_path, confirmed_at)
            VALUES (:id, :runtime, :name, :image, :imageDigest, :imageID, :pod, :labels, :runtimeCreatedAt, :startedAt,
                :now, :now, :source, :kubeContainerName, :sandbox, :pid, :confirmedPath, CASE WHEN :confirmedPath IS NULL THEN NULL ELSE :now END)
            ON CONFLICT (id) DO UPDATE SET
                runtime = excluded.runtime, name = coalesce(excluded.name, name), image = coalesce(excluded.image, image),
                image_digest = coalesce(excluded.image_digest, image_digest), image_id = coalesce(excluded.image_id, image_id),
                pod_uid = coalesce(excluded.pod_uid, pod_uid), labels = excluded.labels,
                runtime_created_at = coalesce(excluded.runtime_created_at, runtime_created_at),
                started_at = coalesce(excluded.started_at, started_at),
                runtime_pid = coalesce(excluded.runtime_pid, runtime_pid),
                confirmed_at = CASE WHEN excluded.cgroup_path IS NOT NULL THEN excluded.enriched_at ELSE confirmed_at END,
                -- Confirmed elsewhere than the first claim said: the claim was not the container's
                -- own cgroup, so what it told (created, existed, removed) is replaced by what the
                -- confirmed cgroup's row says. (Right-hand sides read the row as it was.)
                created_at = CASE WHEN excluded.cgroup_path IS NOT NULL AND cgroup_path IS NOT excluded.cgroup_path
                    THEN (SELECT g.created_at FROM cgroups g WHERE g.container_id = excluded.id AND g.path = excluded.cgroup_path ORDER BY g.id DESC LIMIT 1)
                    ELSE created_at END,
                existed_at_start = CASE WHEN excluded.cgroup_path IS NOT NULL AND cgroup_path IS NOT excluded.cgroup_path
                    THEN coalesce((SELECT g.existed_at_start FROM cgroups g WHERE g.container_id = excluded.id AND g.path = excluded.cgroup_path ORDER BY g.id DESC LIMIT 1), 0)
                    ELSE existed_at_start END,
                removed_at = CASE WHEN excluded.cgroup_path IS NOT NULL AND cgroup_path IS NOT excluded.cgroup_path THEN NULL ELSE removed_at END,
                conflicting_claims = conflicting_claims + (excluded.cgroup_path IS NOT NULL AND cgroup_path IS NOT NULL AND cgroup_path <> excluded.cgroup_path),
                cgroup_path = coalesce(excluded.cgroup_path, cgroup_path),
                enriched_at = excluded.enriched_at, enriched_from = excluded.enriched_from, enrich_error = NULL,
                kube_container_name = coalesce(excluded.kube_container_name, kube_container_name), sandbox = excluded.sandbox
            """)
        enrichFailed = try Statement(db, """
            INSERT INTO containers (id, first_seen_at, enrich_error, enriched_from) VALUES (:id, :at, :error, :source)
            ON CONFLICT (id) DO UPDATE SET enrich_error = excluded.enrich_error, enriched_from = excluded.enriched_from
                WHERE enriched_at IS NULL
            """)
    }
}
