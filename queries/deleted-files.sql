-- name: deleted-files
-- description: Files and directories removed, renamed away or emptied inside containers (unlink, rmdir, rename, truncate to 0), e.g. a dropped tool deleting itself or logs being wiped.
-- param: container = : only this container (name or id prefix); empty: every container
-- param: host = 0 : 1 also lists host processes (busy: package managers, builds and daemons delete all the time)
-- param: runtime_setup = 0 : 1 also lists what a container runtime removes while it sets up a container or an exec'd process
-- action: unlink, rmdir, rename (path is the old name, new_path where it went), truncate (only to
-- length 0, by path), and open with O_TRUNC of an existing file for writing (emptied; the
-- recording cannot tell an existing file from a new one, so O_CREAT|O_TRUNC opens are left out).
-- Failed attempts are listed with their error. written_earlier = 1: the same path was opened for
-- writing or created earlier in the recording by that container (or the host): a file made during
-- the session and then removed. count > 1: a folded row standing for that many identical calls.
-- runtime_setup: calls made before a process's first exec, by a process whose last exec was in a
-- container and whose parent is not in that container (runc preparing the container): left out
-- unless runtime_setup = 1.
-- Limits: paths are as the process gave them (relative ones with '(dirfd N)' when given against a
-- directory fd); ftruncate and deletions through file descriptors name no path.
WITH gone AS MATERIALIZED (
    SELECT e.*
    FROM events e
    WHERE e.kind IN (7, 8, 11)
       OR (e.kind = 17 AND e.aux = 0)
       OR (e.kind = 6 AND e.aux & 512 AND NOT e.aux & 64 AND e.aux & 3 != 0)
),
first_exec AS (
    SELECT e.process_id, min(e.ts) AS ts
    FROM events e
    WHERE e.kind = 1 AND e.process_id IN (SELECT process_id FROM gone)
    GROUP BY e.process_id
),
attributed AS (
    SELECT g.*, k.id AS container_id, k.name AS container_name, k.pod_uid, c.container_id AS claimed
    FROM gone g
    LEFT JOIN cgroups c ON c.id = g.cgroup_row
    LEFT JOIN containers k ON k.id = c.container_id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
    LEFT JOIN first_exec fx ON fx.process_id = g.process_id
    LEFT JOIN processes p ON p.id = g.process_id
    LEFT JOIN cgroups lc ON lc.id = p.cgroup_row
    LEFT JOIN containers lk ON lk.id = lc.container_id
         AND (lk.cgroup_path IS NULL OR lc.path = lk.cgroup_path OR substr(lc.path, 1, length(lk.cgroup_path) + 1) = lk.cgroup_path || '/')
    LEFT JOIN processes pp ON pp.id = p.parent_id
    LEFT JOIN cgroups pc ON pc.id = pp.cgroup_row
    LEFT JOIN containers pk ON pk.id = pc.container_id
         AND (pk.cgroup_path IS NULL OR pc.path = pk.cgroup_path OR substr(pc.path, 1, length(pk.cgroup_path) + 1) = pk.cgroup_path || '/')
    WHERE (k.id IS NOT NULL OR coalesce(:host, 0) = 1)
      AND (coalesce(:runtime_setup, 0) = 1
           OR NOT (lk.id IS NOT NULL AND (fx.ts IS NULL OR g.ts < fx.ts) AND NOT (pk.id IS NOT NULL AND pk.id = lk.id) AND pp.id IS NOT NULL))
      AND (:container IS NULL OR k.name = CAST(:container AS TEXT)
           OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
),
made AS MATERIALIZED (
    SELECT e.object_id AS path_id, e.ts, k.id AS container_id
    FROM events e
    LEFT JOIN cgroups c ON c.id = e.cgroup_row
    LEFT JOIN containers k ON k.id = c.container_id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
    WHERE e.kind = 6 AND (e.aux & 3 != 0 OR e.aux & 64) AND e.ret >= 0
      AND e.object_id IN (SELECT object_id FROM attributed)
)
SELECT g.ts,
       strftime('%Y-%m-%dT%H:%M:%S', g.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (g.ts / 1000) % 1000000) AS time_utc,
       coalesce(g.container_name, substr(g.container_id, 1, 12), CASE WHEN g.claimed IS NOT NULL THEN 'unconfirmed claim ' || substr(g.claimed, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       g.pid,
       cm.comm,
       CASE WHEN g.kind = 6 THEN 'open O_TRUNC' ELSE ek.name END AS action,
       CASE WHEN g.aux3 IS NOT NULL AND g.kind != 17 THEN '(dirfd ' || g.aux3 || ') ' ELSE '' END || coalesce(pa.path, '(unreadable path)') AS path,
       CASE WHEN g.kind = 8 THEN pb.path END AS new_path,
       CASE WHEN g.ret IS NULL THEN '(no return)'
            WHEN g.ret >= 0 THEN 'ok'
            ELSE coalesce(CASE -g.ret WHEN 1 THEN 'EPERM' WHEN 2 THEN 'ENOENT' WHEN 13 THEN 'EACCES' WHEN 16 THEN 'EBUSY'
                 WHEN 20 THEN 'ENOTDIR' WHEN 21 THEN 'EISDIR' WHEN 22 THEN 'EINVAL' WHEN 30 THEN 'EROFS' WHEN 39 THEN 'ENOTEMPTY' END,
                 'errno ' || -g.ret) END AS result,
       EXISTS (SELECT 1 FROM made m WHERE m.path_id = g.object_id AND m.ts < g.ts AND m.container_id IS g.container_id) AS written_earlier,
       coalesce(f.count, 1) AS count,
       p.cmdline AS process_command,
       g.container_id,
       g.id AS event_id
FROM attributed g
JOIN event_kinds ek ON ek.id = g.kind
LEFT JOIN paths pa ON pa.id = g.object_id
LEFT JOIN paths pb ON pb.id = g.aux2 AND g.kind = 8
LEFT JOIN event_folds f ON f.event_id = g.id
LEFT JOIN comms cm ON cm.id = g.comm_id
LEFT JOIN processes p ON p.id = g.process_id
LEFT JOIN pods pd ON pd.uid = g.pod_uid
ORDER BY g.ts, g.id;
