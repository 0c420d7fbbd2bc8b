-- 0007: investigation reads events through `event_lines` (views.sql): each event as the timeline
-- shows it, a plain join of `events` that SQLite walks in events_by_time order under the CLI's own
-- filters. `timeline` is now event_lines plus the container lifecycle rows. No table changes:
-- views are re-created after every migration, and this version number says which views a file
-- should hold.
SELECT 1;
