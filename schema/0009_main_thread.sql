-- Casefile schema version 9: events.tid is NULL when the event's thread is its process's main
-- thread (tid = pid), as it is for most events.
--
-- The events row is most of a case file (a file event is ~40 bytes, all of it this row), and a
-- repeated pid cost 2-3 bytes of it. NULL says "the same as pid": nothing is lost. A thread other
-- than the main one keeps its own id. Rows of files written before version 9 keep the tid they
-- had; both read the same through coalesce(tid, pid), which is what the `events_with_container`
-- view shows as `tid`. No table changes.
SELECT 1;
