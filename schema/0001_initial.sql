-- Casefile case file, schema version 1.
--
-- One SQLite file holds everything `casefile record` saw. Conventions:
--   * Times are INTEGER nanoseconds since 1970-01-01 UTC (column names end in `_at` or are `ts`).
--     The `*_utc` columns of the views show them as ISO-8601 text with microseconds.
--   * Kernel clock: events are stamped with CLOCK_BOOTTIME in the kernel and converted with
--     sessions.boot_offset_ns (utc = boot_ns + boot_offset_ns), recorded once per session.
--   * Strings from the observed system (paths, argv, comm) are stored exactly as the kernel gave
--     them, even when they are not valid UTF-8; `cmdline` columns are a display-safe rendering.
--   * Nothing is ever deleted: removed cgroups/containers keep their rows with a removed_at time.
--   * PRAGMA application_id = 0x43415345 ('CASE') marks a Casefile file; PRAGMA user_version and
--     the schema_migrations table give the schema version.

CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,  -- migration number (the NNNN of schema/NNNN_name.sql)
    name        TEXT NOT NULL,        -- migration file name
    applied_at  INTEGER NOT NULL      -- when it was applied (UTC ns)
);

-- One row per `casefile record` run.
CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY,
    host               TEXT NOT NULL,     -- host name of the recorded machine
    kernel             TEXT NOT NULL,     -- uname -r and -v of the recorded machine
    machine_id         TEXT,              -- /etc/machine-id, when readable
    boot_id            TEXT NOT NULL,     -- /proc/sys/kernel/random/boot_id: which boot the kernel ids below belong to
    boot_offset_ns     INTEGER NOT NULL,  -- UTC ns at boot-clock zero: utc = kernel boot ns + this
    cgroup_layout      TEXT NOT NULL,     -- 'v2', 'v1' or 'hybrid' (v1 controllers plus a v2 hierarchy)
    cgroup_hierarchy   INTEGER NOT NULL,  -- hierarchy id whose cgroup ids events carry (0 = v2)
    cgroup_mount       TEXT,              -- where that hierarchy is mounted, e.g. /sys/fs/cgroup/unified
    started_at         INTEGER NOT NULL,  -- recording start (UTC ns)
    ended_at           INTEGER,           -- recording end; NULL while recording or after a crash
    clean_shutdown     INTEGER NOT NULL DEFAULT 0, -- 1 when the recorder drained everything and stopped normally
    events             INTEGER NOT NULL DEFAULT 0, -- events stored by this session
    lost               INTEGER NOT NULL DEFAULT 0, -- events known lost (sum of gaps.count for this session)
    casefile_version   TEXT NOT NULL,     -- version of the recorder
    abi_version        INTEGER NOT NULL,  -- CF_ABI_VERSION of bpf/casefile.h
    command_line       TEXT,              -- how the recorder was started
    attached           TEXT,              -- BPF programs attached, comma-separated
    attach_failures    TEXT,              -- programs that failed to attach and why (events of those kinds are missing)
    ring_buffer_bytes  INTEGER,           -- size of the kernel ring buffer
    warnings           TEXT               -- what the recorder warned about at start (e.g. non-host cgroup namespace)
);

-- What each value of events.kind means, and what its generic columns hold.
CREATE TABLE event_kinds (
    id          INTEGER PRIMARY KEY,  -- events.kind
    name        TEXT NOT NULL UNIQUE, -- e.g. 'exec' (what `casefile timeline --kind` takes)
    description TEXT NOT NULL,
    ret_means   TEXT,                 -- meaning of events.ret for this kind
    aux_means   TEXT,                 -- meaning of events.aux for this kind
    object_is   TEXT                  -- what events.object_id points to for this kind
);
INSERT INTO event_kinds (id, name, description, ret_means, aux_means, object_is) VALUES
    (1, 'exec', 'A process replaced its program (execve/execveat succeeded). Details in execs (execs.event_id = events.id).', NULL, 'pid before exec (differs when a thread called exec)', NULL),
    (2, 'fork', 'A process created a new process (fork/vfork/clone without CLONE_THREAD). pid is the parent.', NULL, 'child pid', 'processes.id of the child'),
    (3, 'exit', 'The last thread of a process exited. pid is the process.', 'exit code (0-255), when not killed by a signal', 'signal that killed it, or 0 (+128 when it dumped core)', NULL),
    (4, 'cgroup_mkdir', 'A cgroup directory was created, in any hierarchy. pid is the task that created it.', NULL, 'hierarchy id', 'cgroups.id of the new cgroup'),
    (5, 'cgroup_rmdir', 'A cgroup directory was removed, in any hierarchy. pid is the task that removed it.', NULL, 'hierarchy id', 'cgroups.id of the removed cgroup');

-- Every cgroup seen: from the start-up walk, from mkdir/rmdir events, or looked up by id.
CREATE TABLE cgroups (
    id               INTEGER PRIMARY KEY,
    boot_id          TEXT NOT NULL,     -- kernel cgroup ids are unique within one boot only
    hierarchy_id     INTEGER NOT NULL,  -- 0 = cgroup v2; v1 hierarchies have their own ids
    cgroup_id        INTEGER NOT NULL,  -- kernel id (kernfs node id = directory inode on v2)
    path             TEXT,              -- path inside the hierarchy, e.g. /docker/<64 hex>
    level            INTEGER,           -- depth below the root
    created_at       INTEGER,           -- mkdir time (event), or directory ctime for pre-existing ones
    removed_at       INTEGER,           -- rmdir time
    existed_at_start INTEGER NOT NULL DEFAULT 0, -- 1 when it already existed when the session that first saw it started
    session_id       INTEGER NOT NULL REFERENCES sessions(id), -- session that first saw it
    container_id     TEXT REFERENCES containers(id), -- container this cgroup belongs to, if any
    UNIQUE (boot_id, hierarchy_id, cgroup_id)
);

-- Containers, from cgroup paths and (when reachable) the container runtimes.
CREATE TABLE containers (
    id               TEXT PRIMARY KEY,  -- full container id (usually 64 hex)
    runtime          TEXT,              -- 'docker', 'containerd', 'crio', 'podman', ... (guess from the path or the runtime that answered)
    name             TEXT,
    image            TEXT,              -- image reference as the runtime reports it
    image_digest     TEXT,              -- repo digest (sha256:...) when known
    pod_uid          TEXT REFERENCES pods(uid),
    labels           TEXT,              -- JSON object
    created_at       INTEGER,           -- when its cgroup was made (kernel mkdir event, or the cgroup directory's ctime)
    started_at       INTEGER,           -- when the runtime says it started
    removed_at       INTEGER,           -- when its cgroup was removed (kernel rmdir event)
    existed_at_start INTEGER NOT NULL DEFAULT 0, -- 1 when it already ran when the first session that saw it started
    first_seen_at    INTEGER,           -- when Casefile first saw it
    enriched_at      INTEGER,           -- when runtime metadata arrived
    enriched_from    TEXT,              -- which source answered (e.g. 'docker:/var/run/docker.sock')
    enrich_error     TEXT               -- last enrichment error, if any
);

-- Kubernetes pods.
CREATE TABLE pods (
    uid           TEXT PRIMARY KEY,
    name          TEXT,
    namespace     TEXT,
    labels        TEXT,                 -- JSON object
    first_seen_at INTEGER,
    last_seen_at  INTEGER
);

-- Process instances. A PID is reused; (boot_id, pid, start_ticks) is not.
CREATE TABLE processes (
    id               INTEGER PRIMARY KEY,
    boot_id          TEXT NOT NULL,
    pid              INTEGER NOT NULL,
    start_ticks      INTEGER NOT NULL,  -- start time in 1/100 s since boot, as /proc/PID/stat gives it (identity, with pid)
    start_boot_ns    INTEGER NOT NULL,  -- start time on the boot clock in ns (exact from kernel events; tick-rounded for processes found at start)
    started_at       INTEGER,           -- the same as UTC ns
    ppid             INTEGER,
    parent_id        INTEGER REFERENCES processes(id),
    exe              TEXT,              -- last executed file (exact bytes)
    argv             BLOB,              -- last argv, NUL-separated, exact bytes
    cmdline          TEXT,              -- display-safe rendering of argv
    comm             TEXT,
    uid              INTEGER,
    gid              INTEGER,
    ns_pid           INTEGER,           -- pid inside its pid namespace
    mnt_ns           INTEGER,           -- mount namespace inode
    pid_ns           INTEGER,           -- pid namespace inode
    cgroup_row       INTEGER REFERENCES cgroups(id), -- cgroup at last exec
    exec_count       INTEGER NOT NULL DEFAULT 0,
    exited_at        INTEGER,
    exit_code        INTEGER,
    exit_signal      INTEGER,
    existed_at_start INTEGER NOT NULL DEFAULT 0,
    session_id       INTEGER NOT NULL REFERENCES sessions(id), -- session that first saw it
    UNIQUE (boot_id, pid, start_ticks)
);

-- Every event, one narrow row. Kind-specific meaning of ret/aux/object_id is in event_kinds.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    ts          INTEGER NOT NULL,  -- UTC ns
    kind        INTEGER NOT NULL REFERENCES event_kinds(id),
    pid         INTEGER,           -- process (thread group) running when it happened
    tid         INTEGER,           -- thread
    uid         INTEGER,
    process_id  INTEGER REFERENCES processes(id),
    cgroup_row  INTEGER REFERENCES cgroups(id), -- cgroup of the running task (tracked hierarchy)
    ret         INTEGER,
    aux         INTEGER,
    object_id   INTEGER
);
CREATE INDEX events_by_time ON events (ts);

-- exec details, one per exec event.
CREATE TABLE execs (
    event_id           INTEGER PRIMARY KEY REFERENCES events(id),
    filename           TEXT,              -- path given to execve (exact bytes)
    argv               BLOB,              -- NUL-separated, exact bytes, cut at the capture cap
    cmdline            TEXT,              -- display-safe rendering of argv
    argv_truncated     INTEGER NOT NULL DEFAULT 0,
    filename_truncated INTEGER NOT NULL DEFAULT 0
);

-- Lost events: every loss is counted here, never silent.
CREATE TABLE gaps (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    detected_at INTEGER NOT NULL,  -- when the loss was noticed (UTC ns); the loss happened since the previous check
    count       INTEGER NOT NULL,  -- events lost
    reason      TEXT NOT NULL,     -- 'ring_buffer_full', 'user_space_memory', 'undecodable', 'writer_backlog'
    detail      TEXT
);

-- Views are in schema/views.sql (re-created after every migration).
