-- Casefile schema version 3: sealed batches, and container attribution kept apart from claims.

-- Seals: every committed batch of the recorder (one transaction) has one row here, chained.
-- `digest` = SHA-256 over the seal's header (with `prev`, the digest of the seal before it) and
-- the canonical encoding of every row the batch wrote: the events, execs and gaps rows in its
-- id ranges, and the rows of the other tables it inserted or changed, listed in seal_rows.
-- The encoding is documented in docs/SEALS.md; `casefile verify` recomputes the chain.
CREATE TABLE seals (
    id           INTEGER PRIMARY KEY,  -- batch number in this file: 1, 2, 3, ... with no holes
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    sealed_at    INTEGER NOT NULL,     -- commit time (UTC ns)
    first_event  INTEGER,              -- events.id range the batch inserted (execs by event_id); NULL when none
    last_event   INTEGER,
    first_gap    INTEGER,              -- gaps.id range the batch inserted; NULL when none
    last_gap     INTEGER,
    changed_rows INTEGER NOT NULL,     -- rows listed in seal_rows for this batch
    prev         BLOB NOT NULL,        -- digest of seal id-1 (32 zero bytes for the first seal of the file)
    digest       BLOB NOT NULL         -- SHA-256, 32 bytes: the chain head after this batch
);

-- Rows of the updatable tables (sessions, event_kinds, schema_migrations, cgroups, containers,
-- pods, processes, comms, clock_steps) a batch inserted or changed: the row's digest as it stood after the batch.
-- The newest entry of a row is what the row must still hash to.
CREATE TABLE seal_rows (
    seal_id     INTEGER NOT NULL,      -- seals.id of the batch (written just before its seals row)
    table_name  TEXT NOT NULL,
    row_key     BLOB NOT NULL,         -- the row's primary key as stored (integer id, or text id for containers and pods; BLOB: no affinity, so a text id of digits stays text)
    row_digest  BLOB NOT NULL,         -- SHA-256 of the row's canonical encoding
    PRIMARY KEY (seal_id, table_name, row_key)
) WITHOUT ROWID;

-- The chain head after the session's last batch (hex), written when it stops. Not itself sealed
-- (it is the seal); `casefile verify` checks it against the seals.
ALTER TABLE sessions ADD COLUMN seal_head TEXT;

-- Attribution. cgroups.container_id is a claim: the cgroup's path has the shape of a runtime's
-- container cgroup. The container's own cgroup is the one below; events are attributed to the
-- container only in that cgroup (or below it).
-- The container's cgroup path in the tracked hierarchy: the runtime's answer when it gave the
-- container's pid (confirmed), else the path of the first cgroup that claimed the id.
ALTER TABLE containers ADD COLUMN cgroup_path TEXT;
-- When the runtime confirmed it: it named a pid for this id whose cgroup is cgroup_path (or below).
ALTER TABLE containers ADD COLUMN confirmed_at INTEGER;
-- The pid the runtime gave for the container (its init process) when it answered.
ALTER TABLE containers ADD COLUMN runtime_pid INTEGER;
-- Claims this container's path did not win: another cgroup with the same id in a different path
-- (an impostor, or a second runtime). Counted, never merged.
ALTER TABLE containers ADD COLUMN conflicting_claims INTEGER NOT NULL DEFAULT 0;

-- What the recorder kept after start-up: e.g. 'capabilities CAP_DAC_READ_SEARCH; no_new_privs', or
-- why it could not reduce them (NULL: it was not asked to, e.g. a test or benchmark in-process).
ALTER TABLE sessions ADD COLUMN privileges TEXT;

-- Exact bytes. Process names (comm, at most 15 bytes) as the kernel gave them, each stored once.
CREATE TABLE comms (
    id    INTEGER PRIMARY KEY,
    comm  TEXT NOT NULL UNIQUE      -- exact bytes, may be invalid UTF-8
);
-- The name of the thread that caused the event, as it was then (processes.comm is the latest).
ALTER TABLE events ADD COLUMN comm_id INTEGER REFERENCES comms(id);
-- 1 when the kernel could not read the exec's argv (or filename) at all: an empty argv is then not
-- an empty command line.
ALTER TABLE execs ADD COLUMN argv_unreadable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE execs ADD COLUMN filename_unreadable INTEGER NOT NULL DEFAULT 0;
-- 1 when the path is cut (the kernel event's path buffer was full and the cgroup could not be
-- looked up by id any more).
ALTER TABLE cgroups ADD COLUMN path_truncated INTEGER NOT NULL DEFAULT 0;

-- Exact times. The boot-clock-to-UTC offset is measured again during a session (every minute);
-- when it moved (NTP step, manual clock change, suspend), a row says by how much. Events are
-- converted with the offset measured last before they were written.
CREATE TABLE clock_steps (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    measured_at  INTEGER NOT NULL,  -- UTC ns (with the new offset)
    boot_ns      INTEGER NOT NULL,  -- boot clock at the measurement
    offset_ns    INTEGER NOT NULL,  -- the new offset: utc = boot ns + this
    step_ns      INTEGER NOT NULL   -- new offset minus the previous one
);
