-- name: entered-from-outside
-- description: Processes running in a container whose parent is not in that container (docker/kubectl/ctr exec, a runtime, nsenter into its cgroup), apart from each container's first process (its entry point).
-- param: container = : only this container (name or id prefix); empty: every container
-- A process belongs to the container of its cgroup at its latest exec (processes.cgroup_row); only
-- processes that executed a program there (or were found running at start) are considered, so the
-- runtime's own helper processes that never exec are not listed. The container's first process is
-- the earliest-started one in it (or the pid the runtime named), and is left out: a runtime starts
-- it from outside by design. A container restarted in place gets a new first process, which is
-- then listed. parent_in: where the parent is ('(host)', another container, or '?' when the parent
-- is not known: it ended before recording and was not found at start). via: a guess from the
-- parent's program (runc or a shim: a runtime exec, as docker/kubectl/crictl exec do; the shim
-- when the runtime's helper already exited and the process was handed to it).
-- command is the first program the process ran in the container; latest_command its last.
-- Not seen: nsenter and setns join a container's namespaces but not its cgroup, so such a process
-- stays a host process (kernel-interface-use shows its setns calls).
WITH inside AS (
    SELECT p.*, k.id AS container_id, k.name AS container_name, k.runtime_pid, k.pod_uid,
           row_number() OVER (PARTITION BY k.id ORDER BY p.start_boot_ns, p.id) AS nth
    FROM processes p
    JOIN cgroups c ON c.id = p.cgroup_row
    JOIN containers k ON k.id = c.container_id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
    WHERE p.exec_count > 0 OR p.existed_at_start = 1
),
entered AS MATERIALIZED (
    SELECT i.*, pp.id AS parent_row, pp.comm AS parent_comm, pp.cmdline AS parent_command, pp.exe AS parent_exe,
           pk.id AS parent_container_id, pk.name AS parent_container_name
    FROM inside i
    LEFT JOIN processes pp ON pp.id = i.parent_id
    LEFT JOIN cgroups pc ON pc.id = pp.cgroup_row
    LEFT JOIN containers pk ON pk.id = pc.container_id
         AND (pk.cgroup_path IS NULL OR pc.path = pk.cgroup_path OR substr(pc.path, 1, length(pk.cgroup_path) + 1) = pk.cgroup_path || '/')
    WHERE NOT (pk.id IS NOT NULL AND pk.id = i.container_id)
      AND i.nth > 1
      AND NOT (i.runtime_pid IS NOT NULL AND i.pid = i.runtime_pid)
      AND (:container IS NULL OR i.container_name = CAST(:container AS TEXT)
           OR substr(i.container_id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
),
first_exec AS (
    SELECT e.process_id, min(e.ts) AS ts, e.id
    FROM events e
    WHERE e.kind = 1 AND e.process_id IN (SELECT id FROM entered)
    GROUP BY e.process_id
)
SELECT i.started_at AS ts,
       strftime('%Y-%m-%dT%H:%M:%S', i.started_at / 1000000000, 'unixepoch') || printf('.%06dZ', (i.started_at / 1000) % 1000000) AS started_utc,
       coalesce(i.container_name, substr(i.container_id, 1, 12)) AS container,
       pd.namespace || '/' || pd.name AS pod,
       i.pid,
       i.uid,
       coalesce(x.cmdline, i.cmdline) AS command,
       i.cmdline AS latest_command,
       i.exec_count,
       i.ppid,
       i.parent_comm,
       i.parent_command,
       CASE WHEN i.parent_row IS NULL THEN '?'
            ELSE coalesce(i.parent_container_name, substr(i.parent_container_id, 1, 12), '(host)') END AS parent_in,
       CASE WHEN i.parent_row IS NULL THEN NULL
            WHEN i.parent_exe GLOB '*/runc' OR i.parent_exe GLOB '*/crun' OR i.parent_exe GLOB '*/runsc' OR i.parent_exe GLOB '*/youki' OR i.parent_comm = 'runc' OR i.parent_comm GLOB 'runc:*'
                THEN 'runtime exec (' || coalesce(substr(i.parent_exe, length(rtrim(i.parent_exe, replace(i.parent_exe, '/', ''))) + 1), i.parent_comm) || ')'
            WHEN i.parent_exe GLOB '*/containerd-shim*' OR i.parent_exe GLOB '*/conmon' OR i.parent_comm GLOB 'containerd-shim*' OR i.parent_comm = 'conmon'
                THEN 'runtime exec, handed to ' || coalesce(substr(i.parent_exe, length(rtrim(i.parent_exe, replace(i.parent_exe, '/', ''))) + 1), i.parent_comm)
            WHEN i.parent_exe GLOB '*/nsenter' OR i.parent_comm = 'nsenter' THEN 'nsenter'
            ELSE 'other: ' || coalesce(i.parent_comm, '?') END AS via,
       i.existed_at_start,
       i.container_id,
       i.id AS process_id
FROM entered i
LEFT JOIN first_exec fx ON fx.process_id = i.id
LEFT JOIN execs x ON x.event_id = fx.id
LEFT JOIN pods pd ON pd.uid = i.pod_uid
ORDER BY i.start_boot_ns, i.id;
