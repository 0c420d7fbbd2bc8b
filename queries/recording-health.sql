-- recording-health: can this case file be trusted? Per session: clean stop, events, losses and
-- why, BPF programs that did not attach, warnings, runtimes asked, enrichment requests dropped.
SELECT s.id AS session,
       s.host,
       strftime('%Y-%m-%dT%H:%M:%SZ', s.started_at / 1e9, 'unixepoch') AS started_utc,
       strftime('%Y-%m-%dT%H:%M:%SZ', s.ended_at / 1e9, 'unixepoch') AS ended_utc,
       s.clean_shutdown,
       s.events,
       s.lost,
       (SELECT group_concat(reason || '=' || total, ', ')
          FROM (SELECT reason, sum(count) AS total FROM gaps WHERE session_id = s.id GROUP BY reason)) AS losses,
       s.attach_failures,
       s.warnings,
       s.runtimes,
       s.enrichment_dropped
FROM sessions s
ORDER BY s.id;
