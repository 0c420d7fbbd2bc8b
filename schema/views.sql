-- Casefile views: derived, so they are dropped and re-created after every migration.
-- They read the tables of the newest schema version.

DROP VIEW IF EXISTS events_with_container;
DROP VIEW IF EXISTS timeline;
DROP VIEW IF EXISTS event_lines;

-- Each event with the container and pod it belongs to (through the cgroup of the task that ran).
-- An event belongs to a container only when its cgroup is the container's own cgroup
-- (containers.cgroup_path) or one below it. A cgroup whose path merely claims the id elsewhere
-- (claimed_container_id without container_id) is not the container: an impostor, or unknown.
-- `tid` is the thread's id also where events.tid is NULL (the main thread: tid = pid).
CREATE VIEW events_with_container AS
SELECT e.id, e.session_id, e.ts, e.kind, e.pid, coalesce(e.tid, e.pid) AS tid, e.uid, e.process_id, e.cgroup_row,
       e.ret, e.aux, e.object_id, e.comm_id, e.aux2, e.aux3,
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

-- Each event as the timeline shows it: readable UTC time (microseconds), kind name, process,
-- container and a one-line description (`details`), with the ids to join on. A plain join of
-- `events`: `casefile timeline` reads it id range by id range of `event_chunks` (the time summary)
-- and merges them into time order. `kind_id` and `aux` are events.kind and events.aux.
CREATE VIEW event_lines AS
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
           -- Syscalls: what was asked, then ' → ' and the result (below).
           -- open /etc/passwd O_RDONLY → fd 3; open /etc/shadow O_RDONLY → EACCES
           WHEN 'open' THEN 'open ' || coalesce(CASE WHEN e.aux3 IS NOT NULL THEN '(dirfd ' || e.aux3 || ') ' ELSE '' END || pa.path
                   || CASE WHEN pa.truncated = 1 THEN '…(cut)' ELSE '' END, '(unreadable path)')
               || ' ' || CASE e.aux & 3 WHEN 0 THEN 'O_RDONLY' WHEN 1 THEN 'O_WRONLY' ELSE 'O_RDWR' END
               || CASE WHEN e.aux & 64 THEN '|O_CREAT' ELSE '' END || CASE WHEN e.aux & 128 THEN '|O_EXCL' ELSE '' END
               || CASE WHEN e.aux & 512 THEN '|O_TRUNC' ELSE '' END || CASE WHEN e.aux & 1024 THEN '|O_APPEND' ELSE '' END
               || CASE WHEN e.aux & 64 THEN printf(' %04o', e.aux2) ELSE '' END
           -- unlink /tmp/x → 0; rename /tmp/a /tmp/b → 0; chmod /tmp/x.sh 0755 → 0; mkdir /tmp/d 0777 → EEXIST
           WHEN 'unlink' THEN 'unlink ' || coalesce(pa.path, '(unreadable path)')
           WHEN 'rmdir' THEN 'rmdir ' || coalesce(pa.path, '(unreadable path)')
           WHEN 'rename' THEN 'rename ' || coalesce(pa.path, '(unreadable path)') || ' ' || coalesce(pb.path, '(unreadable path)')
           WHEN 'chmod' THEN 'chmod ' || coalesce(pa.path, '(unreadable path)') || printf(' %04o', e.aux)
           WHEN 'mkdir' THEN 'mkdir ' || coalesce(pa.path, '(unreadable path)') || printf(' %04o', e.aux)
           WHEN 'link' THEN 'link ' || coalesce(pa.path, '(unreadable path)') || ' ' || coalesce(pb.path, '(unreadable path)')
           WHEN 'symlink' THEN 'symlink ' || coalesce(pa.path, '(unreadable path)') || ' ' || coalesce(pb.path, '(unreadable path)')
           WHEN 'chown' THEN 'chown ' || coalesce(pa.path, '(unreadable path)') || ' ' || e.aux || ':' || e.aux2
           WHEN 'truncate' THEN 'truncate ' || coalesce(pa.path, '(unreadable path)') || ' ' || e.aux
           -- fchmod fd 3 0755 → 0
           WHEN 'fchmod' THEN 'fchmod fd ' || e.aux3 || printf(' %04o', e.aux)
           WHEN 'fchown' THEN 'fchown fd ' || e.aux3 || ' ' || e.aux || ':' || e.aux2
           WHEN 'ftruncate' THEN 'ftruncate fd ' || e.aux3 || ' ' || e.aux
           -- connect 127.0.0.1:9 → ECONNREFUSED; bind [::1]:8080 → 0; connect /run/x.sock → 0
           WHEN 'connect' THEN 'connect ' || coalesce(CASE WHEN e.aux = 10 THEN '[' || ad.address || ']' ELSE ad.address END
                   || CASE WHEN e.aux2 IS NOT NULL THEN ':' || e.aux2 ELSE '' END, '(unreadable address)')
           WHEN 'bind' THEN 'bind ' || coalesce(CASE WHEN e.aux = 10 THEN '[' || ad.address || ']' ELSE ad.address END
                   || CASE WHEN e.aux2 IS NOT NULL THEN ':' || e.aux2 ELSE '' END, '(unreadable address)')
           -- accept on fd 3 from 127.0.0.1:40312 → fd 4; listen fd 3 backlog 128 → 0
           WHEN 'accept' THEN 'accept on fd ' || e.aux3 || coalesce(' from ' || CASE WHEN e.aux = 1 AND ad.address = '' THEN '(unnamed unix socket)'
                   WHEN e.aux = 10 THEN '[' || ad.address || ']' ELSE ad.address END
                   || CASE WHEN e.aux2 IS NOT NULL THEN ':' || e.aux2 ELSE '' END, '')
           WHEN 'listen' THEN 'listen fd ' || e.aux3 || ' backlog ' || e.aux
           -- setuid 0 → 0; setresuid -1 0 -1 → EPERM; capset effective=0x0 ...
           WHEN 'setuid' THEN 'setuid ' || e.aux
           WHEN 'setgid' THEN 'setgid ' || e.aux
           WHEN 'setfsuid' THEN 'setfsuid ' || e.aux
           WHEN 'setfsgid' THEN 'setfsgid ' || e.aux
           WHEN 'setreuid' THEN 'setreuid ' || e.aux || ' ' || e.aux2
           WHEN 'setregid' THEN 'setregid ' || e.aux || ' ' || e.aux2
           WHEN 'setresuid' THEN 'setresuid ' || e.aux || ' ' || e.aux2 || ' ' || e.aux3
           WHEN 'setresgid' THEN 'setresgid ' || e.aux || ' ' || e.aux2 || ' ' || e.aux3
           WHEN 'capset' THEN 'capset ' || CASE WHEN e.aux IS NULL THEN '(unreadable sets)'
                   ELSE printf('effective=0x%x permitted=0x%x inheritable=0x%x', e.aux, e.aux2, e.aux3) END
           -- ptrace PTRACE_ATTACH 1234 → 0
           WHEN 'ptrace' THEN 'ptrace ' || CASE e.aux WHEN 0 THEN 'PTRACE_TRACEME' WHEN 1 THEN 'PTRACE_PEEKTEXT' WHEN 2 THEN 'PTRACE_PEEKDATA'
                   WHEN 4 THEN 'PTRACE_POKETEXT' WHEN 5 THEN 'PTRACE_POKEDATA' WHEN 7 THEN 'PTRACE_CONT' WHEN 8 THEN 'PTRACE_KILL'
                   WHEN 9 THEN 'PTRACE_SINGLESTEP' WHEN 12 THEN 'PTRACE_GETREGS' WHEN 13 THEN 'PTRACE_SETREGS' WHEN 16 THEN 'PTRACE_ATTACH'
                   WHEN 17 THEN 'PTRACE_DETACH' WHEN 24 THEN 'PTRACE_SYSCALL' WHEN 16896 THEN 'PTRACE_SETOPTIONS'
                   WHEN 16902 THEN 'PTRACE_SEIZE' WHEN 16903 THEN 'PTRACE_INTERRUPT' ELSE 'request ' || e.aux END || ' ' || e.aux2
           -- mount /dev/sda1 /mnt -t ext4 → EPERM; umount /mnt → 0
           WHEN 'mount' THEN 'mount ' || coalesce(pb.path, 'none') || ' ' || coalesce(pa.path, '(unreadable path)')
                   || coalesce(' -t ' || ft.path, '') || CASE WHEN e.aux != 0 THEN printf(' flags 0x%x', e.aux) ELSE '' END
           WHEN 'umount' THEN 'umount ' || coalesce(pa.path, '(unreadable path)') || CASE WHEN e.aux != 0 THEN printf(' flags 0x%x', e.aux) ELSE '' END
           -- finit_module fd 3 → EPERM; delete_module nf_tables → 0
           WHEN 'module_load' THEN CASE WHEN e.aux3 IS NOT NULL THEN 'finit_module fd ' || e.aux3 ELSE 'init_module (' || e.aux2 || ' bytes)' END
                   || CASE WHEN pa.path != '' THEN ' params ' || pa.path ELSE '' END
           WHEN 'module_unload' THEN 'delete_module ' || coalesce(pa.path, '(unreadable name)')
           -- bpf BPF_PROG_LOAD type 2 name probe → 7
           WHEN 'bpf' THEN 'bpf ' || CASE e.aux WHEN 0 THEN 'BPF_MAP_CREATE' WHEN 1 THEN 'BPF_MAP_LOOKUP_ELEM' WHEN 2 THEN 'BPF_MAP_UPDATE_ELEM'
                   WHEN 3 THEN 'BPF_MAP_DELETE_ELEM' WHEN 4 THEN 'BPF_MAP_GET_NEXT_KEY' WHEN 5 THEN 'BPF_PROG_LOAD' WHEN 6 THEN 'BPF_OBJ_PIN'
                   WHEN 7 THEN 'BPF_OBJ_GET' WHEN 8 THEN 'BPF_PROG_ATTACH' WHEN 9 THEN 'BPF_PROG_DETACH' WHEN 10 THEN 'BPF_PROG_TEST_RUN'
                   WHEN 17 THEN 'BPF_RAW_TRACEPOINT_OPEN' WHEN 18 THEN 'BPF_BTF_LOAD' WHEN 28 THEN 'BPF_LINK_CREATE'
                   ELSE 'command ' || e.aux END
                   || CASE WHEN e.aux2 IS NOT NULL THEN ' type ' || e.aux2 ELSE '' END || coalesce(' name ' || ft.path, '')
           -- unshare CLONE_NEWNS|CLONE_NEWUSER → 0; setns fd 3 CLONE_NEWNET → 0
           WHEN 'unshare' THEN 'unshare ' || coalesce(nullif(rtrim(
                   CASE WHEN e.aux & 131072 THEN 'CLONE_NEWNS|' ELSE '' END || CASE WHEN e.aux & 33554432 THEN 'CLONE_NEWCGROUP|' ELSE '' END
                   || CASE WHEN e.aux & 67108864 THEN 'CLONE_NEWUTS|' ELSE '' END || CASE WHEN e.aux & 134217728 THEN 'CLONE_NEWIPC|' ELSE '' END
                   || CASE WHEN e.aux & 268435456 THEN 'CLONE_NEWUSER|' ELSE '' END || CASE WHEN e.aux & 536870912 THEN 'CLONE_NEWPID|' ELSE '' END
                   || CASE WHEN e.aux & 1073741824 THEN 'CLONE_NEWNET|' ELSE '' END || CASE WHEN e.aux & 128 THEN 'CLONE_NEWTIME|' ELSE '' END,
                   '|'), ''), printf('0x%x', e.aux))
           WHEN 'setns' THEN 'setns fd ' || e.aux || CASE e.aux2 WHEN 0 THEN '' WHEN 131072 THEN ' CLONE_NEWNS' WHEN 33554432 THEN ' CLONE_NEWCGROUP'
                   WHEN 67108864 THEN ' CLONE_NEWUTS' WHEN 134217728 THEN ' CLONE_NEWIPC' WHEN 268435456 THEN ' CLONE_NEWUSER'
                   WHEN 536870912 THEN ' CLONE_NEWPID' WHEN 1073741824 THEN ' CLONE_NEWNET' WHEN 128 THEN ' CLONE_NEWTIME'
                   ELSE printf(' 0x%x', e.aux2) END
           WHEN 'memfd_create' THEN 'memfd_create ' || coalesce(pa.path, '(unreadable name)')
           -- kill 1234 SIGKILL → 0; tgkill 1234/1240 SIGTERM → ESRCH
           WHEN 'kill' THEN CASE WHEN e.aux3 IS NULL THEN 'kill ' || e.aux WHEN e.aux IS NULL THEN 'tkill ' || e.aux3
                   ELSE 'tgkill ' || e.aux || '/' || e.aux3 END || ' '
               || CASE e.aux2 WHEN 0 THEN '0 (existence check)' WHEN 1 THEN 'SIGHUP' WHEN 2 THEN 'SIGINT' WHEN 3 THEN 'SIGQUIT'
                   WHEN 6 THEN 'SIGABRT' WHEN 9 THEN 'SIGKILL' WHEN 10 THEN 'SIGUSR1' WHEN 12 THEN 'SIGUSR2' WHEN 13 THEN 'SIGPIPE'
                   WHEN 14 THEN 'SIGALRM' WHEN 15 THEN 'SIGTERM' WHEN 17 THEN 'SIGCHLD' WHEN 18 THEN 'SIGCONT' WHEN 19 THEN 'SIGSTOP'
                   WHEN 20 THEN 'SIGTSTP' ELSE 'signal ' || e.aux2 END
           WHEN 'execveat' THEN 'execveat ' || CASE WHEN e.aux3 IS NOT NULL THEN '(dirfd ' || e.aux3 || ') ' ELSE '' END
                   || coalesce(CASE WHEN pa.path = '' THEN '""' ELSE pa.path END, '(unreadable path)')
                   || CASE WHEN e.aux & 4096 THEN ' AT_EMPTY_PATH' ELSE '' END
           WHEN 'chroot' THEN 'chroot ' || coalesce(pa.path, '(unreadable path)')
           WHEN 'pivot_root' THEN 'pivot_root ' || coalesce(pa.path, '(unreadable path)') || ' ' || coalesce(pb.path, '(unreadable path)')
       END
       || CASE WHEN e.kind >= 6 THEN ' → ' || CASE WHEN e.ret IS NULL THEN '(no return: the thread exited in the call)'
               WHEN e.ret >= 0 THEN CASE WHEN e.kind IN (6, 21, 40) THEN 'fd ' ELSE '' END || e.ret
               ELSE coalesce(en.name, 'errno ' || -e.ret) END
          ELSE '' END
       -- open /etc/shadow O_RDONLY → EACCES (×5000 identical, until 2026-11-30T20:31:07.123456Z)
       || coalesce(' (×' || fo.count || ' identical, until ' || strftime('%Y-%m-%dT%H:%M:%S', fo.last_ts / 1000000000, 'unixepoch')
                   || printf('.%06dZ', (fo.last_ts / 1000) % 1000000) || ')', '') AS details,
       cg.path AS cgroup_path,
       e.ts, e.session_id, e.process_id, e.cgroup_row,
       ct.id AS container_id, ct.pod_uid,
       pd.namespace || '/' || pd.name AS pod,
       x.argv, x.argv_truncated, e.kind AS kind_id, e.aux
FROM events e
JOIN event_kinds k ON k.id = e.kind
LEFT JOIN processes p ON p.id = e.process_id
LEFT JOIN comms cm ON cm.id = e.comm_id
LEFT JOIN execs x ON x.event_id = e.id AND e.kind = 1
LEFT JOIN event_folds fo ON fo.event_id = e.id
LEFT JOIN cgroups oc ON oc.id = e.object_id AND e.kind IN (4, 5)
LEFT JOIN paths pa ON pa.id = e.object_id AND e.kind IN (6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 33, 34, 35, 36, 40, 42, 43, 44)
LEFT JOIN paths pb ON pb.id = e.aux2 AND e.kind IN (8, 14, 15, 33, 44)
LEFT JOIN paths ft ON ft.id = e.aux3 AND e.kind IN (33, 37)
LEFT JOIN addresses ad ON ad.id = e.object_id AND e.kind IN (12, 13, 21)
LEFT JOIN (SELECT 1 AS errno, 'EPERM' AS name UNION ALL SELECT 2, 'ENOENT' UNION ALL SELECT 3, 'ESRCH' UNION ALL SELECT 4, 'EINTR'
           UNION ALL SELECT 6, 'ENXIO' UNION ALL SELECT 7, 'E2BIG' UNION ALL SELECT 8, 'ENOEXEC' UNION ALL SELECT 9, 'EBADF'
           UNION ALL SELECT 11, 'EAGAIN' UNION ALL SELECT 12, 'ENOMEM' UNION ALL SELECT 13, 'EACCES' UNION ALL SELECT 14, 'EFAULT'
           UNION ALL SELECT 16, 'EBUSY' UNION ALL SELECT 17, 'EEXIST' UNION ALL SELECT 18, 'EXDEV'
           UNION ALL SELECT 19, 'ENODEV' UNION ALL SELECT 20, 'ENOTDIR' UNION ALL SELECT 21, 'EISDIR' UNION ALL SELECT 22, 'EINVAL'
           UNION ALL SELECT 24, 'EMFILE' UNION ALL SELECT 26, 'ETXTBSY' UNION ALL SELECT 28, 'ENOSPC' UNION ALL SELECT 30, 'EROFS'
           UNION ALL SELECT 36, 'ENAMETOOLONG' UNION ALL SELECT 38, 'ENOSYS'
           UNION ALL SELECT 39, 'ENOTEMPTY' UNION ALL SELECT 40, 'ELOOP' UNION ALL SELECT 88, 'ENOTSOCK' UNION ALL SELECT 95, 'EOPNOTSUPP'
           UNION ALL SELECT 97, 'EAFNOSUPPORT' UNION ALL SELECT 98, 'EADDRINUSE'
           UNION ALL SELECT 99, 'EADDRNOTAVAIL' UNION ALL SELECT 101, 'ENETUNREACH' UNION ALL SELECT 103, 'ECONNABORTED'
           UNION ALL SELECT 104, 'ECONNRESET' UNION ALL SELECT 106, 'EISCONN' UNION ALL SELECT 107, 'ENOTCONN' UNION ALL SELECT 110, 'ETIMEDOUT'
           UNION ALL SELECT 111, 'ECONNREFUSED' UNION ALL SELECT 113, 'EHOSTUNREACH' UNION ALL SELECT 115, 'EINPROGRESS'
           -- the kernel's own restart codes, seen when a signal interrupted the call (the process sees EINTR or a restart)
           UNION ALL SELECT 512, 'ERESTARTSYS' UNION ALL SELECT 513, 'ERESTARTNOINTR' UNION ALL SELECT 514, 'ERESTARTNOHAND'
           UNION ALL SELECT 516, 'ERESTART_RESTARTBLOCK') en ON en.errno = -e.ret AND e.kind >= 6 AND e.ret < 0
LEFT JOIN cgroups cg ON cg.id = e.cgroup_row
LEFT JOIN containers ct ON ct.id = cg.container_id
     AND (ct.cgroup_path IS NULL OR cg.path = ct.cgroup_path OR substr(cg.path, 1, length(ct.cgroup_path) + 1) = ct.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = ct.pod_uid;

-- The investigator's view: every event with readable UTC time (microseconds), kind name, process,
-- container and a one-line description; plus container lifecycle rows derived from `containers`
-- (container_created, container_removed, container_existed = already running when a session
-- started). Derived rows have a NULL id. Order by ts. `container` is the container's name (or
-- short id); a cgroup that only claims an id it is not the container's cgroup for shows as
-- 'unconfirmed claim <short id>'.
CREATE VIEW timeline AS
SELECT id, ts_utc, kind, pid, ppid, comm, container, details, cgroup_path, ts, session_id, process_id, cgroup_row,
       container_id, pod_uid, pod, argv, argv_truncated
FROM event_lines
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
