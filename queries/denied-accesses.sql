-- name: denied-accesses
-- description: Calls the kernel refused with EACCES or EPERM (files, sockets, ids, capabilities, namespaces, modules, signals), per container, kind and target, with how often and when.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- One row per container (or host), kind, target and error. attempts counts folded repeats as the
-- calls they stand for; first_utc/last_utc bound them; pids and comms say who tried. target is the
-- path, address or arguments (relative paths as given, with '(dirfd N)' when given against one).
-- EACCES: permission bits, an LSM (AppArmor, SELinux) or a read-only mount said no; EPERM: a
-- missing capability or an operation not allowed at all. Calls a seccomp filter refuses return
-- EPERM too but never reach the tracepoints, so they are not here (see kernel-interface-use).
-- Only refusals of calls Casefile records are here (file, network, privilege and escape kinds).
WITH refused AS (
    SELECT e.*
    FROM events e
    WHERE e.kind >= 6 AND e.kind NOT IN (26, 30) AND e.ret IN (-13, -1)
)
SELECT min(e.ts) AS ts,
       strftime('%Y-%m-%dT%H:%M:%S', min(e.ts) / 1000000000, 'unixepoch') || printf('.%06dZ', (min(e.ts) / 1000) % 1000000) AS first_utc,
       strftime('%Y-%m-%dT%H:%M:%S', max(coalesce(f.last_ts, e.ts)) / 1000000000, 'unixepoch')
           || printf('.%06dZ', (max(coalesce(f.last_ts, e.ts)) / 1000) % 1000000) AS last_utc,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       ek.name AS kind,
       CASE
           WHEN e.kind = 6 THEN CASE WHEN e.aux3 IS NOT NULL THEN '(dirfd ' || e.aux3 || ') ' ELSE '' END || coalesce(pa.path, '(unreadable path)')
                || ' ' || CASE e.aux & 3 WHEN 0 THEN 'O_RDONLY' WHEN 1 THEN 'O_WRONLY' ELSE 'O_RDWR' END
                || CASE WHEN e.aux & 64 THEN '|O_CREAT' ELSE '' END || CASE WHEN e.aux & 512 THEN '|O_TRUNC' ELSE '' END
                || CASE WHEN e.aux & 1024 THEN '|O_APPEND' ELSE '' END
           WHEN e.kind IN (8, 14) THEN coalesce(pa.path, '(unreadable path)') || ' -> ' || coalesce(pb.path, '(unreadable path)')
           WHEN e.kind = 15 THEN coalesce(pb.path, '(unreadable path)') || ' -> ' || coalesce(pa.path, '(unreadable target)')
           WHEN e.kind = 9 THEN coalesce(pa.path, '(unreadable path)') || printf(' mode %04o', e.aux)
           WHEN e.kind = 16 THEN coalesce(pa.path, '(unreadable path)') || ' owner ' || e.aux || ':' || e.aux2
           WHEN e.kind IN (7, 10, 11, 17) THEN CASE WHEN e.aux3 IS NOT NULL THEN '(dirfd ' || e.aux3 || ') ' ELSE '' END || coalesce(pa.path, '(unreadable path)')
           WHEN e.kind IN (18, 19, 20) THEN 'fd ' || e.aux3
           WHEN e.kind IN (12, 13, 21) THEN coalesce(CASE WHEN e.aux = 10 THEN '[' || ad.address || ']' ELSE ad.address END
                || CASE WHEN e.aux2 IS NOT NULL THEN ':' || e.aux2 ELSE '' END, '(unreadable address)')
           WHEN e.kind IN (23, 27) THEN 'id ' || e.aux
           WHEN e.kind IN (24, 28) THEN 'ids ' || e.aux || ' ' || e.aux2
           WHEN e.kind IN (25, 29) THEN 'ids ' || e.aux || ' ' || e.aux2 || ' ' || e.aux3
           WHEN e.kind = 31 THEN printf('effective=0x%x permitted=0x%x inheritable=0x%x', e.aux, e.aux2, e.aux3)
           WHEN e.kind = 32 THEN CASE e.aux WHEN 0 THEN 'PTRACE_TRACEME' WHEN 16 THEN 'PTRACE_ATTACH' WHEN 16902 THEN 'PTRACE_SEIZE'
                   WHEN 4 THEN 'PTRACE_POKETEXT' WHEN 5 THEN 'PTRACE_POKEDATA' ELSE 'request ' || e.aux END || ' pid ' || e.aux2
           WHEN e.kind = 33 THEN coalesce(pb.path, 'none') || ' on ' || coalesce(pa.path, '(unreadable path)') || coalesce(' type ' || ft.path, '')
           WHEN e.kind IN (34, 36, 40, 43) THEN coalesce(pa.path, '(unreadable)')
           WHEN e.kind = 35 THEN CASE WHEN e.aux3 IS NOT NULL THEN 'finit_module fd ' || e.aux3 ELSE 'init_module' END
           WHEN e.kind = 37 THEN CASE e.aux WHEN 0 THEN 'BPF_MAP_CREATE' WHEN 5 THEN 'BPF_PROG_LOAD' WHEN 6 THEN 'BPF_OBJ_PIN'
                   WHEN 7 THEN 'BPF_OBJ_GET' WHEN 8 THEN 'BPF_PROG_ATTACH' WHEN 17 THEN 'BPF_RAW_TRACEPOINT_OPEN' WHEN 18 THEN 'BPF_BTF_LOAD'
                   WHEN 28 THEN 'BPF_LINK_CREATE' ELSE 'command ' || e.aux END || coalesce(' name ' || ft.path, '')
           WHEN e.kind = 38 THEN coalesce(nullif(rtrim(
                   CASE WHEN e.aux & 131072 THEN 'CLONE_NEWNS|' ELSE '' END || CASE WHEN e.aux & 33554432 THEN 'CLONE_NEWCGROUP|' ELSE '' END
                   || CASE WHEN e.aux & 67108864 THEN 'CLONE_NEWUTS|' ELSE '' END || CASE WHEN e.aux & 134217728 THEN 'CLONE_NEWIPC|' ELSE '' END
                   || CASE WHEN e.aux & 268435456 THEN 'CLONE_NEWUSER|' ELSE '' END || CASE WHEN e.aux & 536870912 THEN 'CLONE_NEWPID|' ELSE '' END
                   || CASE WHEN e.aux & 1073741824 THEN 'CLONE_NEWNET|' ELSE '' END || CASE WHEN e.aux & 128 THEN 'CLONE_NEWTIME|' ELSE '' END,
                   '|'), ''), printf('flags 0x%x', e.aux))
           WHEN e.kind = 39 THEN 'fd ' || e.aux || CASE e.aux2 WHEN 0 THEN ' (any type)' WHEN 131072 THEN ' CLONE_NEWNS'
                   WHEN 33554432 THEN ' CLONE_NEWCGROUP' WHEN 67108864 THEN ' CLONE_NEWUTS' WHEN 134217728 THEN ' CLONE_NEWIPC'
                   WHEN 268435456 THEN ' CLONE_NEWUSER' WHEN 536870912 THEN ' CLONE_NEWPID' WHEN 1073741824 THEN ' CLONE_NEWNET'
                   WHEN 128 THEN ' CLONE_NEWTIME' ELSE printf(' type 0x%x', e.aux2) END
           WHEN e.kind = 41 THEN 'pid ' || coalesce(e.aux, e.aux3) || ' signal ' || e.aux2
           WHEN e.kind = 42 THEN coalesce(pa.path, '') || CASE WHEN e.aux & 4096 THEN ' AT_EMPTY_PATH' ELSE '' END
           WHEN e.kind = 44 THEN coalesce(pa.path, '?') || ' ' || coalesce(pb.path, '?')
           ELSE ''
       END AS target,
       CASE e.ret WHEN -13 THEN 'EACCES' ELSE 'EPERM' END AS error,
       sum(coalesce(f.count, 1)) AS attempts,
       count(DISTINCT e.pid) AS pids,
       group_concat(DISTINCT cm.comm) AS comms,
       k.id AS container_id
FROM refused e
JOIN event_kinds ek ON ek.id = e.kind
LEFT JOIN paths pa ON pa.id = e.object_id AND e.kind IN (6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 33, 34, 35, 36, 40, 42, 43, 44)
LEFT JOIN paths pb ON pb.id = e.aux2 AND e.kind IN (8, 14, 15, 33, 44)
LEFT JOIN paths ft ON ft.id = e.aux3 AND e.kind IN (33, 37)
LEFT JOIN addresses ad ON ad.id = e.object_id AND e.kind IN (12, 13, 21)
LEFT JOIN event_folds f ON f.event_id = e.id
LEFT JOIN comms cm ON cm.id = e.comm_id
LEFT JOIN cgroups c ON c.id = e.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
GROUP BY container, k.id, e.kind, target, e.ret
ORDER BY min(e.ts);
