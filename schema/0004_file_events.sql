-- Casefile schema version 4: file events (open, openat, openat2, creat), with their results.

-- Paths as processes gave them, each stored once (events.object_id of file events points here).
CREATE TABLE paths (
    id         INTEGER PRIMARY KEY,
    path       TEXT NOT NULL,               -- exact bytes; relative paths are relative to the event's directory fd or working directory
    truncated  INTEGER NOT NULL DEFAULT 0,  -- 1: cut at 255 bytes by the kernel-side buffer
    UNIQUE (path, truncated)
);

-- Two more kind-specific columns (their meaning per kind is in event_kinds.aux2_means/aux3_means).
ALTER TABLE events ADD COLUMN aux2 INTEGER;
ALTER TABLE events ADD COLUMN aux3 INTEGER;
ALTER TABLE event_kinds ADD COLUMN aux2_means TEXT;
ALTER TABLE event_kinds ADD COLUMN aux3_means TEXT;
