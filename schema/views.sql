-- Casefile views: derived, so they are dropped and re-created after every migration.
-- They read the tables of the newest schema version.

DROP VIEW IF EXISTS events_with_container;
DROP VIEW IF EXISTS timeline;

-- Each event with the container and pod it belongs to (through the cgroup of the task that ran).
-- An event belongs to a container only when its cgroup is the container's own cgroup
-- (containers.cgroup_path) or one below it. A cgroup whose path merely claims the id elsewhere
-- (claimed_container_id without container_id) is not the container: an impostor, or unknown.
CREATE VIEW events_with_container AS
SELECT e.*,
       (SELECT comm FROM comms WHERE comms.id = e.comm_id) AS comm,
       c.path          AS cgroup_path,
       k.id            AS container_id,
       c.container_id  AS claimed_container_id,
       CASE WHEN k.id IS NULL THEN NULL ELSE k.confirmed_at IS NOT NULL END AS container_confirmed,
       k.name          AS container_name,
       k.image         AS container_image,
       k.runtime       AS container_runtime,
       k.pod_uid       AS pod_uid,
       p.name          AS pod_name,
       p.namespace     AS pod_namespace,
       k.kube_container_name AS kube_container_name,
       k.sandbox       AS container_is_sandbox
FROM events e
LEFT JOIN cgroups c ON c.id = e.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods p ON p.uid = k.pod_uid;

-- The investigator's view: every event with readable UTC time (microseconds), kind name, process,
-- container and a one-line description; plus container lifecycle rows derived from `containers`
-- (container_created, container_removed, container_existed = already running when a session
-- started). Derived rows have a NULL id. Order by ts. `container` is the container's name (or
-- short id); a cgroup that only claims an id it is not the container's cgroup for shows as
-- 'unconfirmed claim <short id>'.
CREATE VIEW timeline AS
SELECT e.id,
       strftime('%Y-%m-%dT%H:%M:%S', e.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (e.ts / 1000) % 1000000) AS ts_utc,
       k.name AS kind,
       e.pid, p.ppid, coalesce(cm.comm, p.comm) AS comm,
       coalesce(ct.name, substr(ct.id, 1, 12), 'unconfirmed claim ' || substr(cg.container_id, 1, 12)) AS container,
       CASE k.name
           WHEN 'exec' THEN x.cmdline
           WHEN 'fork' THEN 'child ' || e.aux
           WHEN 'exit' THEN CASE WHEN e.aux > 0 THEN 'killed by signal ' || (e.aux & 127) ELSE 'exit code ' || e.ret END
           WHEN 'cgroup_mkdir' THEN oc.path
           WHEN 'cgroup_rmdir' THEN oc.path
           -- open /etc/passwd O_RDONLY → fd 3; open /etc/shadow O_RDONLY → EACCES
           WHEN 'open' THEN 'open ' || coalesce(CASE WHEN e.aux3 IS NOT NULL THEN '(dirfd ' || e.aux3 || ') ' ELSE '' END || pa.path
                   || CASE WHEN pa.truncated = 1 THEN '…(cut)' ELSE '' END, '(unreadable path)')
               || ' ' || CASE e.aux & 3 WHEN 0 THEN 'O_RDONLY' WHEN 1 THEN 'O_WRONLY' ELSE 'O_RDWR' END
               || CASE WHEN e.aux & 64 THEN '|O_CREAT' ELSE '' END || CASE WHEN e.aux & 128 THEN '|O_EXCL' ELSE '' END
               || CASE WHEN e.aux & 512 THEN '|O_TRUNC' ELSE '' END || CASE WHEN e.aux & 1024 THEN '|O_APPEND' ELSE '' END
               || CASE WHEN e.aux & 64 THEN printf(' %04o', e.aux2) ELSE '' END
               || ' → ' || CASE WHEN e.ret >= 0 THEN 'fd ' || e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           -- unlink /tmp/x → 0; rename /tmp/a /tmp/b → 0; chmod /tmp/x.sh 0755 → 0; mkdir /tmp/d 0777 → EEXIST
           WHEN 'unlink' THEN 'unlink ' || coalesce(pa.path, '(unreadable path)')
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'rmdir' THEN 'rmdir ' || coalesce(pa.path, '(unreadable path)')
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'rename' THEN 'rename ' || coalesce(pa.path, '(unreadable path)') || ' ' || coalesce(pb.path, '(unreadable path)')
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'chmod' THEN 'chmod ' || coalesce(pa.path, '(unreadable path)') || printf(' %04o', e.aux)
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'mkdir' THEN 'mkdir ' || coalesce(pa.path, '(unreadable path)') || printf(' %04o', e.aux)
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'link' THEN 'link ' || coalesce(pa.path, '(unreadable path)') || ' ' || coalesce(pb.path, '(unreadable path)')
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'symlink' THEN 'symlink ' || coalesce(pa.path, '(unreadable path)') || ' ' || coalesce(pb.path, '(unreadable path)')
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'chown' THEN 'chown ' || coalesce(pa.path, '(unreadable path)') || ' ' || e.aux || ':' || e.aux2
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'truncate' THEN 'truncate ' || coalesce(pa.path, '(unreadable path)') || ' ' || e.aux
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           -- connect 127.0.0.1:9 → ECONNREFUSED; bind [::1]:8080 → 0; connect /run/x.sock → 0
           WHEN 'connect' THEN 'connect ' || coalesce(CASE WHEN e.aux = 10 THEN '[' || ad.address || ']' ELSE ad.address END
                   || CASE WHEN e.aux2 IS NOT NULL THEN ':' || e.aux2 ELSE '' END, '(unreadable address)')
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
           WHEN 'bind' THEN 'bind ' || coalesce(CASE WHEN e.aux = 10 THEN '[' || ad.address || ']' ELSE ad.address END
                   || CASE WHEN e.aux2 IS NOT NULL THEN ':' || e.aux2 ELSE '' END, '(unreadable address)')
               || ' → ' || CASE WHEN e.ret >= 0 THEN e.ret ELSE coalesce(en.name, 'errno ' || -e.ret) END
       END AS details,
       cg.path AS cgroup_path,
       e.ts, e.session_id, e.process_id, e.cgroup_row,
       ct.id AS container_id, ct.pod_uid,
       pd.namespace || '/' || pd.name AS pod,
       x.argv, x.argv_truncated
FROM events e
JOIN event_kinds k ON k.id = e.kind
LEFT JOIN processes p ON p.id = e.process_id
LEFT JOIN comms cm ON cm.id = e.comm_id
LEFT JOIN execs x ON x.event_id = e.id AND e.kind = 1
LEFT JOIN cgroups oc ON oc.id = e.object_id AND e.kind IN (4, 5)
LEFT JOIN paths pa ON pa.id = e.object_id AND e.kind IN (6, 7, 8, 9, 10, 11, 14, 15, 16, 17)
LEFT JOIN paths pb ON pb.id = e.aux2 AND e.kind IN (8, 14, 15)
LEFT JOIN addresses ad ON ad.id = e.object_id AND e.kind IN (12, 13)
LEFT JOIN (SELECT 1 AS errno, 'EPERM' AS name UNION ALL SELECT 2, 'ENOENT' UNION ALL SELECT 6, 'ENXIO'
           UNION ALL SELECT 13, 'EACCES' UNION ALL SELECT 16, 'EBUSY' UNION ALL SELECT 17, 'EEXIST' UNION ALL SELECT 18, 'EXDEV'
           UNION ALL SELECT 19, 'ENODEV' UNION ALL SELECT 20, 'ENOTDIR' UNION ALL SELECT 21, 'EISDIR' UNION ALL SELECT 22, 'EINVAL'
           UNION ALL SELECT 24, 'EMFILE' UNION ALL SELECT 26, 'ETXTBSY' UNION ALL SELECT 30, 'EROFS' UNION ALL SELECT 36, 'ENAMETOOLONG'
           UNION ALL SELECT 39, 'ENOTEMPTY' UNION ALL SELECT 40, 'ELOOP' UNION ALL SELECT 98, 'EADDRINUSE'
           UNION ALL SELECT 99, 'EADDRNOTAVAIL' UNION ALL SELECT 101, 'ENETUNREACH' UNION ALL SELECT 110, 'ETIMEDOUT'
           UNION ALL SELECT 111, 'ECONNREFUSED' UNION ALL SELECT 113, 'EHOSTUNREACH' UNION ALL SELECT 115, 'EINPROGRESS'
           UNION ALL SELECT 97, 'EAFNOSUPPORT') en ON en.errno = -e.ret AND e.kind BETWEEN 6 AND 17 AND e.ret < 0
LEFT JOIN cgroups cg ON cg.id = e.cgroup_row
LEFT JOIN containers ct ON ct.id = cg.container_id
     AND (ct.cgroup_path IS NULL OR cg.path = ct.cgroup_path OR substr(cg.path, 1, length(ct.cgroup_path) + 1) = ct.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = ct.pod_uid
UNION ALL
SELECT NULL, strftime('%Y-%m-%dT%H:%M:%S', ts / 1000000000, 'unixepoch') || printf('.%06dZ', (ts / 1000) % 1000000),
       kind, NULL, NULL, NULL, coalesce(name, substr(id, 1, 12)),
       'runtime=' || coalesce(runtime, '?') || coalesce(' image=' || image, '') || CASE WHEN confirmed_at IS NULL THEN ' (unconfirmed)' ELSE '' END || CASE WHEN sandbox = 1 THEN ' (pod sandbox)' ELSE '' END || coalesce(' pod=' || pod_uid, '')
           || CASE WHEN kind = 'container_existed' THEN coalesce(' cgroup created ' || strftime('%Y-%m-%dT%H:%M:%SZ', created_at / 1000000000, 'unixepoch'), '') ELSE '' END,
       NULL, ts, NULL, NULL, NULL, id, pod_uid,
       (SELECT namespace || '/' || name FROM pods WHERE pods.uid = pod_uid),
       NULL, NULL
FROM (
    SELECT *, 'container_created' AS kind, created_at AS ts FROM containers WHERE existed_at_start = 0 AND created_at IS NOT NULL
    UNION ALL
    SELECT *, 'container_removed', removed_at FROM containers WHERE removed_at IS NOT NULL
    UNION ALL
    SELECT *, 'container_existed', first_seen_at FROM containers WHERE existed_at_start = 1
);
