-- name: exec-from-writable-places
-- description: Programs executed from writable or memory-only places (/tmp, /var/tmp, /dev/shm, /run/user, a memfd or other file descriptor), in containers and on the host.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- what = 'exec': a successful exec whose file is there (execs.filename, the path as given to
-- execve, or /dev/fd/N when execveat ran an fd with AT_EMPTY_PATH: memfd, fexecve);
-- what = 'execveat attempt': an execveat that failed, of an fd (AT_EMPTY_PATH) or a path there.
-- uid: at the exec (for attempts: the process's latest known uid). memfd: the name of the memfd the same process created (memfd_create) with that fd number before
-- the exec, when it did. note: the host's runc re-executes a protected copy of itself through an fd
-- for every container start and exec (CVE-2019-5736 mitigation); such rows are marked, not hidden.
-- Limits: paths are as the process gave them, so a relative path (./x run from /tmp) or a path
-- reached through a symlink or another mount is not recognised; failed execve calls are not recorded.
WITH hits AS (
    SELECT e.id, e.ts, e.pid, e.uid, e.process_id, e.cgroup_row, 'exec' AS what, x.filename AS path,
           x.cmdline AS command, NULL AS ret
    FROM execs x
    JOIN events e ON e.id = x.event_id
    WHERE x.filename GLOB '/tmp/*' OR x.filename GLOB '/var/tmp/*' OR x.filename GLOB '/dev/shm/*'
       OR x.filename GLOB '/run/shm/*' OR x.filename GLOB '/run/user/*' OR x.filename GLOB '/var/run/user/*'
       OR x.filename GLOB '/dev/mqueue/*' OR x.filename GLOB '/dev/fd/*' OR x.filename GLOB '/proc/self/fd/*'
       OR x.filename GLOB '/proc/thread-self/fd/*' OR x.filename GLOB '/proc/[0-9]*/fd/*' OR x.filename GLOB 'memfd:*'
    UNION ALL
    SELECT e.id, e.ts, e.pid, e.uid, e.process_id, e.cgroup_row, 'execveat attempt',
           CASE WHEN e.aux & 4096 AND coalesce(pa.path, '') = '' THEN 'fd ' || e.aux3 || ' (AT_EMPTY_PATH)'
                ELSE coalesce(CASE WHEN e.aux3 IS NOT NULL THEN '(dirfd ' || e.aux3 || ') ' ELSE '' END || pa.path, '(unreadable path)') END,
           NULL, e.ret
    FROM events e
    LEFT JOIN paths pa ON pa.id = e.object_id
    WHERE e.kind = 42 AND e.ret < 0
      AND (e.aux & 4096 OR pa.path GLOB '/tmp/*' OR pa.path GLOB '/var/tmp/*' OR pa.path GLOB '/dev/shm/*'
           OR pa.path GLOB '/run/shm/*' OR pa.path GLOB '/run/user/*' OR pa.path GLOB '/dev/fd/*'
           OR pa.path GLOB '/proc/*/fd/*' OR pa.path GLOB 'memfd:*')
),
memfds AS (
    SELECT e.process_id, e.ret AS fd, e.ts, coalesce(pa.path, '(unreadable name)') AS name
    FROM events e
    LEFT JOIN paths pa ON pa.id = e.object_id
    WHERE e.kind = 40 AND e.ret >= 0
),
named AS (
    SELECT h.*, max(m.ts) AS memfd_ts, m.name AS memfd
    FROM hits h
    LEFT JOIN memfds m ON m.process_id = h.process_id AND m.ts <= h.ts
         AND h.what = 'exec' AND h.path GLOB '/*/fd/[0-9]*'
         AND m.fd = CAST(substr(h.path, length(rtrim(h.path, replace(h.path, '/', ''))) + 1) AS INTEGER)
    GROUP BY h.id, h.what
)
SELECT h.ts,
       strftime('%Y-%m-%dT%H:%M:%S', h.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (h.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       h.pid,
       coalesce(h.uid, p.uid) AS uid,
       cm.comm,
       h.what,
       CASE WHEN h.path GLOB '/dev/fd/*' OR h.path GLOB '/proc/*/fd/*' OR h.path GLOB 'memfd:*' OR h.path GLOB 'fd *'
                 THEN 'file descriptor (memfd, fexecve, execveat AT_EMPTY_PATH)'
            WHEN h.path GLOB '/tmp/*' THEN '/tmp'
            WHEN h.path GLOB '/var/tmp/*' THEN '/var/tmp'
            WHEN h.path GLOB '/dev/shm/*' OR h.path GLOB '/run/shm/*' THEN 'shared memory (/dev/shm)'
            WHEN h.path GLOB '/run/user/*' OR h.path GLOB '/var/run/user/*' THEN '/run/user'
            WHEN h.path GLOB '/dev/mqueue/*' THEN '/dev/mqueue'
            ELSE 'writable place' END AS place,
       h.path,
       h.memfd,
       h.command,
       CASE WHEN h.ret IS NULL THEN NULL
            ELSE coalesce(CASE -h.ret WHEN 1 THEN 'EPERM' WHEN 2 THEN 'ENOENT' WHEN 8 THEN 'ENOEXEC' WHEN 9 THEN 'EBADF'
                 WHEN 13 THEN 'EACCES' WHEN 14 THEN 'EFAULT' WHEN 20 THEN 'ENOTDIR' WHEN 22 THEN 'EINVAL' WHEN 26 THEN 'ETXTBSY'
                 WHEN 40 THEN 'ELOOP' END, 'errno ' || -h.ret) END AS error,
       CASE WHEN k.id IS NULL AND h.what = 'exec' AND h.command = 'runc init' AND h.path GLOB '/dev/fd/[0-9]*'
            THEN 'looks like runc running its protected copy (expected on container start/exec)' END AS note,
       k.id AS container_id,
       h.id AS event_id
FROM named h
LEFT JOIN events ev ON ev.id = h.id
LEFT JOIN comms cm ON cm.id = ev.comm_id
LEFT JOIN processes p ON p.id = h.process_id
LEFT JOIN cgroups c ON c.id = h.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY h.ts, h.id;
