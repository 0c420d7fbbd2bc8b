-- Casefile schema version 6: file-descriptor, accept/listen, privilege and escape events (their
-- kinds are rows of event_kinds, written by the recorder), what a session chose to record, and
-- the environment of execs when asked for.
--
-- New facts go into new tables, not new columns of sealed tables: a seal covers every column of
-- its rows, so a column added later would change the digest of rows sealed before it.

-- What a session recorded and how (one row per session from version 6 on).
CREATE TABLE session_settings (
    session_id           INTEGER PRIMARY KEY REFERENCES sessions(id),
    events_recorded      TEXT NOT NULL,               -- 'all', or the kinds stored, comma-separated (`record --events`)
    scope                TEXT,                        -- NULL: the whole host; else what was in scope, e.g. 'containers only'
    scope_skipped        INTEGER NOT NULL DEFAULT 0,  -- events not recorded because their cgroup was out of scope
    hooks                TEXT NOT NULL,               -- the kernel hooks used per event family, and richer ones not used (why)
    not_attached         TEXT,                        -- programs left unattached on purpose, and why
    argv_max             INTEGER NOT NULL,            -- argv bytes kept per exec (`--argv-max`)
    environment_captured INTEGER NOT NULL DEFAULT 0,  -- 1: exec_environments holds the environment of execs
    fold_window_ms       INTEGER NOT NULL DEFAULT 0,  -- exact folding of identical repeated syscall events (0: off; `--fold-window-ms`)
    folded               INTEGER NOT NULL DEFAULT 0   -- events stored as repeats in event_folds rather than rows of their own
);

-- Exact folding: an events row that stands for `count` identical syscall events of one thread, one
-- right after the other (same process, thread, comm, cgroup, kind, arguments, strings and result;
-- nothing else of that thread between them), the first at events.ts, the last at last_ts, all
-- within the session's fold window. Only their individual times in between are not kept.
CREATE TABLE event_folds (
    event_id  INTEGER PRIMARY KEY REFERENCES events(id),
    count     INTEGER NOT NULL,                       -- events this row stands for (2 or more)
    last_ts   INTEGER NOT NULL                        -- UTC ns of the last of them
);

-- The environment of an exec, when the session captured it (`--capture-environment`; it may hold
-- secrets, so it is off by default).
CREATE TABLE exec_environments (
    event_id  INTEGER PRIMARY KEY REFERENCES events(id),
    env       BLOB NOT NULL,                          -- NUL-separated NAME=value, exact bytes, possibly cut
    truncated INTEGER NOT NULL DEFAULT 0,             -- 1: cut at the capture cap
    unreadable INTEGER NOT NULL DEFAULT 0             -- 1: the kernel could not read it (env is then empty)
);
