-- Casefile schema version 8: a summary of events by time and cgroup in place of the time index.
--
-- events_by_time cost as much as the events row of a file event (19.5 of 58 bytes) and an index
-- insert per event. Events arrive almost in time order, so a summary of each run of consecutive
-- events does the same work for a fraction of a byte per event: a time query reads the chunks whose
-- [min_ts, max_ts] meet its window and scans those id ranges (`casefile timeline` merges them into
-- time order); a container query reads only the chunks its cgroups appear in.
--
-- The recorder writes a chunk for at most 1024 consecutive events of one transaction, in the same
-- transaction. The chunks are derived from `events` (not sealed): `casefile verify` recomputes
-- them and reports any difference; plain sqlite3 still answers `ORDER BY ts` (by sorting).
CREATE TABLE event_chunks (
    first_event INTEGER PRIMARY KEY,  -- events.id range of the chunk (ranges follow each other without gaps or overlaps)
    last_event  INTEGER NOT NULL,
    min_ts      INTEGER NOT NULL,     -- smallest and largest events.ts in the range (UTC ns)
    max_ts      INTEGER NOT NULL
);

-- Which cgroups (events.cgroup_row) have events in which chunk.
CREATE TABLE event_chunk_cgroups (
    cgroup_row  INTEGER NOT NULL,
    first_event INTEGER NOT NULL,     -- event_chunks.first_event
    PRIMARY KEY (cgroup_row, first_event)
) WITHOUT ROWID;

-- The events already in the file, in chunks of 1024 ids.
INSERT INTO event_chunks (first_event, last_event, min_ts, max_ts)
    SELECT ((id - 1) / 1024) * 1024 + 1, max(id), min(ts), max(ts) FROM events GROUP BY (id - 1) / 1024;
INSERT INTO event_chunk_cgroups (cgroup_row, first_event)
    SELECT DISTINCT e.cgroup_row, c.first_event FROM event_chunks c JOIN events e ON e.id BETWEEN c.first_event AND c.last_event
    WHERE e.cgroup_row IS NOT NULL;

DROP INDEX events_by_time;
