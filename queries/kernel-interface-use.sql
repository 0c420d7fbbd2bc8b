-- name: kernel-interface-use
-- description: Escape-relevant kernel calls, tried or done: ptrace, kernel module load/unload, bpf, mount, umount, unshare, setns, chroot, pivot_root, with their results.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- param: host = 1 : 0 leaves out host processes (container runtimes mount, unshare and setns all the time)
-- param: runtime_setup = 0 : 1 also lists the calls a container runtime makes while it sets up a container or an exec'd process
-- In a container most of these fail (EPERM) unless it is privileged or has extra capabilities; a
-- success there (ok, or an fd for bpf) deserves a look. On the host, dockerd, containerd, runc and
-- systemd use mount/umount/setns/unshare for every container: host = 0 hides them.
-- runtime_setup: runc sets up every container it starts (unshare, mount, pivot_root, ...) in the
-- process it then turns into the container's program: calls made before that process's first
-- exec, by a process whose last exec was in a container and whose parent is not in that container.
-- They are left out unless runtime_setup = 1 (then marked in the column setup).
-- Not seen: calls a seccomp filter refuses stop before the kernel's syscall tracepoints and leave
-- no row (Docker's default profile refuses mount, umount2, unshare, setns, pivot_root, bpf and the
-- module calls in a container without the matching capability: checked, nothing is recorded). The bpf calls of Casefile itself are
-- not recorded. count > 1: a folded row standing for that many identical calls.
WITH raw AS MATERIALIZED (
    SELECT e.*
    FROM events e
    WHERE e.kind IN (32, 33, 34, 35, 36, 37, 38, 39, 43, 44)
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
           p.cmdline AS process_command
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
       ek.name AS call,
       CASE ek.name
           WHEN 'ptrace' THEN CASE e.aux WHEN 0 THEN 'PTRACE_TRACEME' WHEN 1 THEN 'PTRACE_PEEKTEXT' WHEN 2 THEN 'PTRACE_PEEKDATA'
                   WHEN 4 THEN 'PTRACE_POKETEXT' WHEN 5 THEN 'PTRACE_POKEDATA' WHEN 7 THEN 'PTRACE_CONT' WHEN 8 THEN 'PTRACE_KILL'
                   WHEN 9 THEN 'PTRACE_SINGLESTEP' WHEN 12 THEN 'PTRACE_GETREGS' WHEN 13 THEN 'PTRACE_SETREGS' WHEN 16 THEN 'PTRACE_ATTACH'
                   WHEN 17 THEN 'PTRACE_DETACH' WHEN 24 THEN 'PTRACE_SYSCALL' WHEN 16896 THEN 'PTRACE_SETOPTIONS'
                   WHEN 16902 THEN 'PTRACE_SEIZE' WHEN 16903 THEN 'PTRACE_INTERRUPT' ELSE 'request ' || e.aux END || ' pid ' || e.aux2
           WHEN 'mount' THEN coalesce(pb.path, 'none') || ' on ' || coalesce(pa.path, '(unreadable path)')
                   || coalesce(' type ' || ft.path, '') || CASE WHEN e.aux != 0 THEN printf(' flags 0x%x', e.aux) ELSE '' END
           WHEN 'umount' THEN coalesce(pa.path, '(unreadable path)') || CASE WHEN e.aux != 0 THEN printf(' flags 0x%x', e.aux) ELSE '' END
           WHEN 'module_load' THEN CASE WHEN e.aux3 IS NOT NULL THEN 'finit_module fd ' || e.aux3 ELSE 'init_module (' || e.aux2 || ' bytes)' END
                   || CASE WHEN pa.path != '' THEN ' params ' || pa.path ELSE '' END
           WHEN 'module_unload' THEN 'delete_module ' || coalesce(pa.path, '(unreadable name)')
           WHEN 'bpf' THEN CASE e.aux WHEN 0 THEN 'BPF_MAP_CREATE' WHEN 1 THEN 'BPF_MAP_LOOKUP_ELEM' WHEN 2 THEN 'BPF_MAP_UPDATE_ELEM'
                   WHEN 3 THEN 'BPF_MAP_DELETE_ELEM' WHEN 4 THEN 'BPF_MAP_GET_NEXT_KEY' WHEN 5 THEN 'BPF_PROG_LOAD' WHEN 6 THEN 'BPF_OBJ_PIN'
                   WHEN 7 THEN 'BPF_OBJ_GET' WHEN 8 THEN 'BPF_PROG_ATTACH' WHEN 9 THEN 'BPF_PROG_DETACH' WHEN 10 THEN 'BPF_PROG_TEST_RUN'
                   WHEN 17 THEN 'BPF_RAW_TRACEPOINT_OPEN' WHEN 18 THEN 'BPF_BTF_LOAD' WHEN 28 THEN 'BPF_LINK_CREATE'
                   ELSE 'command ' || e.aux END
                   || CASE WHEN e.aux2 IS NOT NULL THEN ' type ' || e.aux2 ELSE '' END || coalesce(' name ' || ft.path, '')
           WHEN 'unshare' THEN coalesce(nullif(rtrim(
                   CASE WHEN e.aux & 131072 THEN 'CLONE_NEWNS|' ELSE '' END || CASE WHEN e.aux & 33554432 THEN 'CLONE_NEWCGROUP|' ELSE '' END
                   || CASE WHEN e.aux & 67108864 THEN 'CLONE_NEWUTS|' ELSE '' END || CASE WHEN e.aux & 134217728 THEN 'CLONE_NEWIPC|' ELSE '' END
                   || CASE WHEN e.aux & 268435456 THEN 'CLONE_NEWUSER|' ELSE '' END || CASE WHEN e.aux & 536870912 THEN 'CLONE_NEWPID|' ELSE '' END
                   || CASE WHEN e.aux & 1073741824 THEN 'CLONE_NEWNET|' ELSE '' END || CASE WHEN e.aux & 128 THEN 'CLONE_NEWTIME|' ELSE '' END,
                   '|'), ''), printf('flags 0x%x', e.aux))
           WHEN 'setns' THEN 'fd ' || e.aux || CASE e.aux2 WHEN 0 THEN ' (any type)' WHEN 131072 THEN ' CLONE_NEWNS' WHEN 33554432 THEN ' CLONE_NEWCGROUP'
                   WHEN 67108864 THEN ' CLONE_NEWUTS' WHEN 134217728 THEN ' CLONE_NEWIPC' WHEN 268435456 THEN ' CLONE_NEWUSER'
                   WHEN 536870912 THEN ' CLONE_NEWPID' WHEN 1073741824 THEN ' CLONE_NEWNET' WHEN 128 THEN ' CLONE_NEWTIME'
                   ELSE printf(' 0x%x', e.aux2) END
           WHEN 'chroot' THEN coalesce(pa.path, '(unreadable path)')
           WHEN 'pivot_root' THEN 'new root ' || coalesce(pa.path, '(unreadable path)') || ', old root to ' || coalesce(pb.path, '(unreadable path)')
       END AS details,
       CASE WHEN e.ret IS NULL THEN '(no return)'
            WHEN e.ret = 0 THEN 'ok'
            WHEN e.ret > 0 THEN CASE WHEN e.kind = 37 THEN 'fd ' || e.ret ELSE CAST(e.ret AS TEXT) END
            ELSE coalesce(CASE -e.ret WHEN 1 THEN 'EPERM' WHEN 2 THEN 'ENOENT' WHEN 3 THEN 'ESRCH' WHEN 9 THEN 'EBADF'
                 WHEN 13 THEN 'EACCES' WHEN 14 THEN 'EFAULT' WHEN 16 THEN 'EBUSY' WHEN 17 THEN 'EEXIST' WHEN 19 THEN 'ENODEV'
                 WHEN 20 THEN 'ENOTDIR' WHEN 22 THEN 'EINVAL' WHEN 28 THEN 'ENOSPC' WHEN 30 THEN 'EROFS' WHEN 38 THEN 'ENOSYS'
                 WHEN 95 THEN 'EOPNOTSUPP' WHEN 524 THEN 'ENOTSUPP' END, 'errno ' || -e.ret) END AS result,
       coalesce(f.count, 1) AS count,
       CASE WHEN e.setup = 1 THEN 'runtime setup' END AS setup,
       e.process_command,
       k.id AS container_id,
       e.id AS event_id
FROM calls e
JOIN event_kinds ek ON ek.id = e.kind
LEFT JOIN paths pa ON pa.id = e.object_id AND e.kind IN (33, 34, 35, 36, 43, 44)
LEFT JOIN paths pb ON pb.id = e.aux2 AND e.kind IN (33, 44)
LEFT JOIN paths ft ON ft.id = e.aux3 AND e.kind IN (33, 37)
LEFT JOIN event_folds f ON f.event_id = e.id
LEFT JOIN comms cm ON cm.id = e.comm_id
LEFT JOIN cgroups c ON c.id = e.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE (e.setup = 0 OR coalesce(:runtime_setup, 0) = 1)
  AND (k.id IS NOT NULL OR coalesce(:host, 1) != 0)
  AND (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY e.ts, e.id;
