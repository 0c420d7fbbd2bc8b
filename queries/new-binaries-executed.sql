-- name: new-binaries-executed
-- description: Programs executed from a file that was created, written, renamed into place, linked or chmod'ed earlier in the recording (a dropped binary), with how it got there.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- Each row is an exec whose filename is exactly a path that, earlier in the case file and in the
-- same container (or both on the host), was successfully: opened with write access or
-- O_CREAT/O_TRUNC, the new name of a rename, link or symlink, chmod'ed or truncated. made_by lists
-- those steps, oldest first (the first five: kind, flags or mode, where a rename or link came
-- from, pid, comm); first_write_utc is when the first of them happened.
-- Limits: the match is on the path string, as processes gave it: a file written as 'x' from /tmp
-- and run as /tmp/x, written through another path, a symlink, another mount namespace (docker cp
-- writes from the host), or with fchmod (no path) is not matched, and a different file that later
-- took the same path in the same container matches. Writes before the recording are not seen.
WITH exec_paths AS MATERIALIZED (
    SELECT pa.id AS path_id, pa.path
    FROM (SELECT DISTINCT filename FROM execs) f
    JOIN paths pa ON pa.path = f.filename AND pa.truncated = 0
),
writes AS MATERIALIZED (
    SELECT e.id, e.ts, e.kind, e.pid, e.comm_id, e.aux, e.aux2, e.cgroup_row,
           CASE WHEN e.kind IN (8, 14, 15) THEN e.aux2 ELSE e.object_id END AS path_id
    FROM events e
    WHERE ((e.kind = 6 AND (e.aux & 3 != 0 OR e.aux & 64 OR e.aux & 512) AND e.ret >= 0
            AND e.object_id IN (SELECT path_id FROM exec_paths))
        OR (e.kind IN (9, 17) AND e.ret = 0 AND e.object_id IN (SELECT path_id FROM exec_paths))
        OR (e.kind IN (8, 14, 15) AND e.ret = 0 AND e.aux2 IN (SELECT path_id FROM exec_paths)))
),
runs AS MATERIALIZED (
    SELECT e.id, e.ts, e.pid, e.uid, e.cgroup_row, e.comm_id, x.filename, x.cmdline, ep.path_id,
           k.id AS container_id
    FROM execs x
    JOIN exec_paths ep ON ep.path = x.filename
    JOIN events e ON e.id = x.event_id
    LEFT JOIN cgroups c ON c.id = e.cgroup_row
    LEFT JOIN containers k ON k.id = c.container_id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
    WHERE x.filename IN (SELECT path FROM exec_paths WHERE path_id IN (SELECT path_id FROM writes))
      AND (:container IS NULL OR k.name = CAST(:container AS TEXT)
           OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
),
attributed AS (
    SELECT w.*, k.id AS container_id
    FROM writes w
    LEFT JOIN cgroups c ON c.id = w.cgroup_row
    LEFT JOIN containers k ON k.id = c.container_id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
),
steps AS (
    SELECT r.id AS run_id, w.ts, w.id,
           ek.name || CASE w.kind
               WHEN 6 THEN ' ' || CASE w.aux & 3 WHEN 0 THEN 'O_RDONLY' WHEN 1 THEN 'O_WRONLY' ELSE 'O_RDWR' END
                    || CASE WHEN w.aux & 64 THEN '|O_CREAT' ELSE '' END || CASE WHEN w.aux & 512 THEN '|O_TRUNC' ELSE '' END
                    || CASE WHEN w.aux & 64 THEN printf(' %04o', w.aux2) ELSE '' END
               WHEN 9 THEN printf(' %04o', w.aux)
               WHEN 8 THEN ' from ' || coalesce(po.path, '?')
               WHEN 14 THEN ' of ' || coalesce(po.path, '?')
               WHEN 15 THEN ' to ' || coalesce(po.path, '?')
               ELSE '' END
           || ' (pid ' || w.pid || coalesce(' ' || cm.comm, '') || ')' AS step
    FROM runs r
    JOIN attributed w ON w.path_id = r.path_id AND w.ts <= r.ts AND w.id < r.id
         AND w.container_id IS r.container_id
    JOIN event_kinds ek ON ek.id = w.kind
    LEFT JOIN events we ON we.id = w.id AND w.kind IN (8, 14, 15)
    LEFT JOIN paths po ON po.id = we.object_id
    LEFT JOIN comms cm ON cm.id = w.comm_id
),
made AS (
    SELECT run_id, min(ts) AS first_ts, count(*) AS steps,
           group_concat(CASE WHEN n <= 5 THEN step END, '; ') || CASE WHEN count(*) > 5 THEN '; ...' ELSE '' END AS made_by
    FROM (SELECT steps.*, row_number() OVER (PARTITION BY run_id ORDER BY ts, id) AS n FROM steps ORDER BY run_id, ts, id)
    GROUP BY run_id
)
SELECT r.ts,
       strftime('%Y-%m-%dT%H:%M:%S', r.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (r.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12), '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       r.pid,
       r.uid,
       r.filename,
       r.cmdline AS command,
       strftime('%Y-%m-%dT%H:%M:%S', m.first_ts / 1000000000, 'unixepoch') || printf('.%06dZ', (m.first_ts / 1000) % 1000000) AS first_write_utc,
       round((r.ts - m.first_ts) / 1e9, 3) AS seconds_after,
       m.steps,
       m.made_by,
       k.id AS container_id,
       r.id AS event_id
FROM runs r
JOIN made m ON m.run_id = r.id
LEFT JOIN containers k ON k.id = r.container_id
LEFT JOIN pods pd ON pd.uid = k.pod_uid
ORDER BY r.ts, r.id;
