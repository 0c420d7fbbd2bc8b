-- name: sensitive-file-writes
-- description: Writes, creations, renames, deletions, links and mode/owner changes (tried or done) of system files: /etc, binaries and libraries, /boot, SSH keys, cron.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- Kinds: open with write access (O_WRONLY/O_RDWR, O_CREAT or O_TRUNC), unlink, rmdir, rename (old or
-- new name), mkdir (not EEXIST), chmod, chown, truncate, link (either name), symlink (the new link).
-- Places: /etc, /bin, /sbin, /usr/bin, /usr/sbin, /usr/local/bin, /usr/local/sbin, /lib, /lib64,
-- /usr/lib, /usr/lib64, /usr/libexec, /boot, /root/.ssh, /home/*/.ssh, /var/spool/cron, and the
-- directories themselves. Inside a container these are the container's own files (its mount
-- namespace); on the host, the host's.
-- Failed attempts are listed too (result EACCES, EROFS, ...). count > 1: a folded row standing for
-- that many identical calls (until last_time_utc). comm is the thread's name at the time;
-- process_command is the process's latest command line (it may have exec'd since).
-- Limits: paths are as the process gave them: a relative path (from a working directory or a
-- directory fd, shown as '(dirfd N)'), '..' or '//' forms, or a path reached through a symlink are
-- not recognised; fchmod, fchown and ftruncate name no path and are not listed.
WITH dirs(d) AS (
    VALUES ('/etc'), ('/bin'), ('/sbin'), ('/usr/bin'), ('/usr/sbin'), ('/usr/local/bin'), ('/usr/local/sbin'),
           ('/lib'), ('/lib64'), ('/usr/lib'), ('/usr/lib64'), ('/usr/libexec'), ('/boot'), ('/root/.ssh'),
           ('/var/spool/cron')
),
sensitive AS (
    SELECT pa.id
    FROM paths pa
    WHERE EXISTS (SELECT 1 FROM dirs WHERE pa.path = dirs.d OR substr(pa.path, 1, length(dirs.d) + 1) = dirs.d || '/')
       OR pa.path GLOB '/home/*/.ssh' OR pa.path GLOB '/home/*/.ssh/*'
),
w AS (
    SELECT e.*
    FROM events e
    WHERE (((e.kind = 6 AND (e.aux & 3 != 0 OR e.aux & 64 OR e.aux & 512))
            OR e.kind IN (7, 8, 9, 11, 14, 16, 17) OR (e.kind = 10 AND coalesce(e.ret, 0) != -17))
           AND e.object_id IN (SELECT id FROM sensitive))
       OR (e.kind IN (8, 14, 15) AND e.aux2 IN (SELECT id FROM sensitive))
)
SELECT w.ts,
       strftime('%Y-%m-%dT%H:%M:%S', w.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (w.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       w.pid,
       cm.comm,
       ek.name AS action,
       CASE WHEN w.kind = 15 THEN pb.path
            ELSE CASE WHEN w.aux3 IS NOT NULL THEN '(dirfd ' || w.aux3 || ') ' ELSE '' END || coalesce(pa.path, '(unreadable path)') END AS path,
       CASE WHEN w.kind IN (8, 14) THEN pb.path WHEN w.kind = 15 THEN 'target ' || coalesce(pa.path, '(unreadable)') END AS other_path,
       CASE w.kind
           WHEN 6 THEN CASE w.aux & 3 WHEN 0 THEN 'O_RDONLY' WHEN 1 THEN 'O_WRONLY' ELSE 'O_RDWR' END
                || CASE WHEN w.aux & 64 THEN '|O_CREAT' ELSE '' END || CASE WHEN w.aux & 128 THEN '|O_EXCL' ELSE '' END
                || CASE WHEN w.aux & 512 THEN '|O_TRUNC' ELSE '' END || CASE WHEN w.aux & 1024 THEN '|O_APPEND' ELSE '' END
                || CASE WHEN w.aux & 64 THEN printf(' mode %04o', w.aux2) ELSE '' END
           WHEN 9 THEN printf('mode %04o', w.aux)
           WHEN 10 THEN printf('mode %04o', w.aux)
           WHEN 16 THEN 'owner ' || w.aux || ':' || w.aux2
           WHEN 17 THEN 'length ' || w.aux
       END AS detail,
       CASE WHEN w.ret IS NULL THEN '(no return)'
            WHEN w.ret >= 0 THEN CASE WHEN w.kind = 6 THEN 'fd ' || w.ret ELSE 'ok' END
            ELSE coalesce(CASE -w.ret WHEN 1 THEN 'EPERM' WHEN 2 THEN 'ENOENT' WHEN 13 THEN 'EACCES' WHEN 16 THEN 'EBUSY'
                 WHEN 17 THEN 'EEXIST' WHEN 18 THEN 'EXDEV' WHEN 20 THEN 'ENOTDIR' WHEN 21 THEN 'EISDIR' WHEN 22 THEN 'EINVAL'
                 WHEN 26 THEN 'ETXTBSY' WHEN 28 THEN 'ENOSPC' WHEN 30 THEN 'EROFS' WHEN 39 THEN 'ENOTEMPTY' WHEN 40 THEN 'ELOOP' END,
                 'errno ' || -w.ret) END AS result,
       coalesce(f.count, 1) AS count,
       CASE WHEN f.last_ts IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', f.last_ts / 1000000000, 'unixepoch') || printf('.%06dZ', (f.last_ts / 1000) % 1000000) END AS last_time_utc,
       p.cmdline AS process_command,
       k.id AS container_id,
       w.id AS event_id
FROM w
JOIN event_kinds ek ON ek.id = w.kind
LEFT JOIN paths pa ON pa.id = w.object_id
LEFT JOIN paths pb ON pb.id = w.aux2 AND w.kind IN (8, 14, 15)
LEFT JOIN event_folds f ON f.event_id = w.id
LEFT JOIN comms cm ON cm.id = w.comm_id
LEFT JOIN processes p ON p.id = w.process_id
LEFT JOIN cgroups c ON c.id = w.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY +w.ts, w.id;
