-- name: privilege-changes
-- description: Calls that change (or try to change) user ids, group ids or capabilities (setuid, setreuid, setresuid, setfsuid, the gid forms, capset), with their results.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- param: runtime_setup = 0 : 1 also lists the calls a container runtime makes while it sets up a process it starts in a container
-- to_root = 1: the call asks for uid 0 (or gid 0, for the gid forms) in one of its ids; with result
-- EPERM it was refused. capset shows the sets asked for (bit 21 = CAP_SYS_ADMIN). The caller's own
-- ids at the time are not recorded with these calls: process_uid is the uid of the process's latest
-- exec. count > 1: a folded row standing for that many identical calls.
-- runtime_setup: runc (or another runtime) sets ids and capabilities in the process it is about to
-- turn into the container's program (docker/kubectl exec, container start): calls made before that
-- process's first exec, by a process whose last exec was in a container and whose parent is not in
-- that container. They are left out unless runtime_setup = 1 (then marked in the column setup).
-- Programs that drop privileges themselves (busybox applets call setgid/setuid with their own ids,
-- su, sshd, cron) are listed: to_root and result tell them apart from an escalation.
WITH raw AS MATERIALIZED (
    SELECT e.*
    FROM events e
    WHERE e.kind BETWEEN 23 AND 31
),
first_exec AS (
    SELECT e.process_id, min(e.ts) AS ts
    FROM events e
    WHERE e.kind = 1 AND e.process_id IN (SELECT process_id FROM raw)
    GROUP BY e.process_id
),
calls AS (
    SELECT e.*,
           CASE WHEN lk.id IS NOT NULL AND (fx.ts IS NULL OR e.ts < fx.ts)
                     AND NOT (pk.id IS NOT NULL AND pk.id = lk.id) AND pp.id IS NOT NULL
                THEN 1 ELSE 0 END AS setup,
           p.uid AS process_uid, p.cmdline AS process_command
    FROM raw e
    LEFT JOIN first_exec fx ON fx.process_id = e.process_id
    LEFT JOIN processes p ON p.id = e.process_id
    LEFT JOIN cgroups lc ON lc.id = p.cgroup_row
    LEFT JOIN containers lk ON lk.id = lc.container_id
         AND (lk.cgroup_path IS NULL OR lc.path = lk.cgroup_path OR substr(lc.path, 1, length(lk.cgroup_path) + 1) = lk.cgroup_path || '/')
    LEFT JOIN processes pp ON pp.id = p.parent_id
    LEFT JOIN cgroups pc ON pc.id = pp.cgroup_row
    LEFT JOIN containers pk ON pk.id = pc.container_id
         AND (pk.cgroup_path IS NULL OR pc.path = pk.cgroup_path OR substr(pc.path, 1, length(pk.cgroup_path) + 1) = pk.cgroup_path || '/')
)
SELECT e.ts,
       strftime('%Y-%m-%dT%H:%M:%S', e.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (e.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       e.pid,
       cm.comm,
       e.process_uid,
       ek.name AS call,
       CASE e.kind
           WHEN 23 THEN 'uid ' || e.aux
           WHEN 24 THEN 'ruid ' || e.aux || ' euid ' || e.aux2
           WHEN 25 THEN 'ruid ' || e.aux || ' euid ' || e.aux2 || ' suid ' || e.aux3
           WHEN 26 THEN 'fsuid ' || e.aux
           WHEN 27 THEN 'gid ' || e.aux
           WHEN 28 THEN 'rgid ' || e.aux || ' egid ' || e.aux2
           WHEN 29 THEN 'rgid ' || e.aux || ' egid ' || e.aux2 || ' sgid ' || e.aux3
           WHEN 30 THEN 'fsgid ' || e.aux
           WHEN 31 THEN CASE WHEN e.aux IS NULL THEN '(unreadable sets)'
                        ELSE printf('effective=0x%x permitted=0x%x inheritable=0x%x', e.aux, e.aux2, e.aux3) END
       END AS asks,
       CASE WHEN e.kind IN (23, 26, 27, 30) THEN e.aux = 0
            WHEN e.kind IN (24, 28) THEN e.aux = 0 OR e.aux2 = 0
            WHEN e.kind IN (25, 29) THEN e.aux = 0 OR e.aux2 = 0 OR e.aux3 = 0
       END AS to_root,
       CASE WHEN e.ret IS NULL THEN '(no return)'
            WHEN e.kind IN (26, 30) THEN 'previous ' || e.ret
            WHEN e.ret >= 0 THEN 'ok'
            ELSE coalesce(CASE -e.ret WHEN 1 THEN 'EPERM' WHEN 11 THEN 'EAGAIN' WHEN 14 THEN 'EFAULT' WHEN 22 THEN 'EINVAL' END,
                          'errno ' || -e.ret) END AS result,
       coalesce(f.count, 1) AS count,
       CASE WHEN e.setup = 1 THEN 'runtime setup' END AS setup,
       e.process_command,
       k.id AS container_id,
       e.id AS event_id
FROM calls e
JOIN event_kinds ek ON ek.id = e.kind
LEFT JOIN event_folds f ON f.event_id = e.id
LEFT JOIN comms cm ON cm.id = e.comm_id
LEFT JOIN cgroups c ON c.id = e.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE (e.setup = 0 OR coalesce(:runtime_setup, 0) = 1)
  AND (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY e.ts, e.id;
