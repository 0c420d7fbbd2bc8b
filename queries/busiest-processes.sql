-- name: busiest-processes
-- description: The processes with the most recorded events (folded repeats counted), with their container, their mix of event kinds and how many calls failed: where the activity, and the noise, came from.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- param: limit = 25 : how many processes to show
-- Ranked by events (rows plus the identical repeats folded into them). kinds lists the five most
-- frequent kinds with their counts; failed counts syscall events with a negative result. A process
-- is one instance (pid and start time), across its execs: command is its latest command line, and
-- container the one its latest exec ran in.
-- It reads every event (twice: totals, then the kinds of the top processes): about 5-10 s per 10 million events.
WITH folds AS MATERIALIZED (
    SELECT e.process_id, e.kind, f.count - 1 AS extra, e.kind >= 6 AND e.ret < 0 AS failed, f.last_ts
    FROM event_folds f
    JOIN events e ON e.id = f.event_id
    WHERE e.process_id IS NOT NULL
),
totals AS (
    SELECT t.process_id, t.n + coalesce(fo.extra, 0) AS events, t.failed + coalesce(fo.failed, 0) AS failed,
           t.first_ts, max(t.last_ts, coalesce(fo.last_ts, 0)) AS last_ts
    FROM (SELECT e.process_id, count(*) AS n, sum(e.kind >= 6 AND e.ret < 0) AS failed, min(e.ts) AS first_ts, max(e.ts) AS last_ts
          FROM events e
          WHERE e.process_id IS NOT NULL
          GROUP BY e.process_id) t
    LEFT JOIN (SELECT process_id, sum(extra) AS extra, sum(CASE WHEN failed THEN extra ELSE 0 END) AS failed, max(last_ts) AS last_ts
               FROM folds GROUP BY process_id) fo ON fo.process_id = t.process_id
),
top AS MATERIALIZED (
    SELECT t.*
    FROM totals t
    WHERE :container IS NULL
       OR EXISTS (SELECT 1 FROM processes p
                  JOIN cgroups c ON c.id = p.cgroup_row
                  JOIN containers k ON k.id = c.container_id
                       AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
                  WHERE p.id = t.process_id
                    AND (k.name = CAST(:container AS TEXT) OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT)))
    ORDER BY t.events DESC, t.process_id
    LIMIT coalesce(:limit, 25)
),
per_kind AS (
    SELECT k.process_id, k.kind, k.n + coalesce((SELECT sum(fo.extra) FROM folds fo WHERE fo.process_id = k.process_id AND fo.kind = k.kind), 0) AS n
    FROM (SELECT e.process_id, e.kind, count(*) AS n
          FROM events e
          WHERE e.process_id IN (SELECT process_id FROM top)
          GROUP BY e.process_id, e.kind) k
),
kinds AS (
    SELECT DISTINCT pk.process_id,
           group_concat(CASE WHEN pk.r <= 5 THEN ek.name || '=' || pk.n END, ' ') OVER w AS kinds
    FROM (SELECT per_kind.*, row_number() OVER (PARTITION BY process_id ORDER BY n DESC, kind) AS r FROM per_kind) pk
    JOIN event_kinds ek ON ek.id = pk.kind
    WINDOW w AS (PARTITION BY pk.process_id ORDER BY pk.r ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT t.events,
       t.failed,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       p.pid,
       p.uid,
       p.comm,
       ks.kinds,
       strftime('%Y-%m-%dT%H:%M:%S', t.first_ts / 1000000000, 'unixepoch') || printf('.%06dZ', (t.first_ts / 1000) % 1000000) AS first_utc,
       strftime('%Y-%m-%dT%H:%M:%S', t.last_ts / 1000000000, 'unixepoch') || printf('.%06dZ', (t.last_ts / 1000) % 1000000) AS last_utc,
       p.cmdline AS command,
       k.id AS container_id,
       t.process_id,
       t.first_ts AS ts
FROM top t
JOIN processes p ON p.id = t.process_id
LEFT JOIN kinds ks ON ks.process_id = t.process_id
LEFT JOIN cgroups c ON c.id = p.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
ORDER BY t.events DESC, t.process_id;
