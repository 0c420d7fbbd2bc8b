-- name: shells-in-containers
-- description: Shells (sh, bash, ash, dash, zsh, ksh, busybox sh, ...) started inside containers, with who started them.
-- param: container = : only this container (name or id prefix); empty: every container
-- A shell is an exec whose program (the basename of the exec'd file, or of argv[0], a login "-sh"
-- included) is a known shell, or busybox/toybox with a shell as argv[1]. A script with a shell
-- shebang counts too (the kernel makes the shell argv[0]). Busybox shells run most applets in
-- process and re-exec others as /proc/self/exe: those are not shells and are not listed.
-- parent_outside = 1: the parent process is not in this container: someone entered it (docker or
-- kubectl exec, a runtime's exec, nsenter), or the runtime started it as the container's entry point
-- (see entered-from-outside); 0: started by the container's own processes (a script, a web shell, a
-- reverse shell); NULL: parent unknown. parent and parent_command are the parent's latest program.
-- Only successful execs are recorded: a shell that failed to start is not here.
WITH x AS (
    SELECT x.event_id, x.filename, x.cmdline, x.argv_truncated,
           CAST(CASE WHEN instr(x.argv, x'00') > 0 THEN substr(x.argv, 1, instr(x.argv, x'00') - 1) ELSE x.argv END AS TEXT) AS argv0,
           CASE WHEN instr(x.argv, x'00') > 0 THEN substr(x.argv, instr(x.argv, x'00') + 1) END AS rest
    FROM execs x
    -- a cheap superset first (every shell name ends in "sh", "ksh93" or "nu"; busybox/toybox end in "box")
    WHERE x.filename GLOB '*sh' OR x.filename GLOB '*ksh93' OR x.filename GLOB '*nu' OR x.filename GLOB '*box'
       OR instr(x.argv, x'736800') > 0 OR instr(x.argv, x'6b7368393300') > 0 OR instr(x.argv, x'6e7500') > 0
       OR substr(x.argv, -2) = x'7368' OR substr(x.argv, -5) = x'6b73683933' OR substr(x.argv, -2) = x'6e75'
),
y AS (
    SELECT x.*,
           substr(x.filename, length(rtrim(x.filename, replace(x.filename, '/', ''))) + 1) AS file_base,
           ltrim(substr(x.argv0, length(rtrim(x.argv0, replace(x.argv0, '/', ''))) + 1), '-') AS argv0_base,
           CAST(CASE WHEN instr(x.rest, x'00') > 0 THEN substr(x.rest, 1, instr(x.rest, x'00') - 1) ELSE x.rest END AS TEXT) AS argv1
    FROM x
),
shells(name) AS (
    VALUES ('sh'), ('bash'), ('rbash'), ('ash'), ('dash'), ('zsh'), ('ksh'), ('ksh93'), ('mksh'), ('pdksh'), ('oksh'),
           ('lksh'), ('yash'), ('hush'), ('csh'), ('tcsh'), ('fish'), ('posh'), ('elvish'), ('nu'), ('xonsh')
),
shell_execs AS MATERIALIZED (
    SELECT y.*,
           CASE WHEN y.file_base IN (SELECT name FROM shells) THEN y.file_base
                WHEN y.argv0_base IN (SELECT name FROM shells) THEN y.argv0_base
                ELSE y.argv0_base || ' ' || y.argv1 END AS shell
    FROM y
    WHERE y.file_base IN (SELECT name FROM shells)
       OR y.argv0_base IN (SELECT name FROM shells)
       OR ((y.file_base IN ('busybox', 'toybox') OR y.argv0_base IN ('busybox', 'toybox'))
           AND y.argv1 IN (SELECT name FROM shells))
)
SELECT e.ts,
       strftime('%Y-%m-%dT%H:%M:%S', e.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (e.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12)) AS container,
       pd.namespace || '/' || pd.name AS pod,
       k.image,
       e.pid,
       e.uid,
       s.shell,
       s.filename,
       s.cmdline AS command,
       s.argv_truncated,
       p.ppid,
       CASE WHEN pp.id IS NULL THEN NULL
            WHEN pk.id IS NOT NULL AND pk.id = k.id THEN 0 ELSE 1 END AS parent_outside,
       coalesce(pp.comm, '?') AS parent,
       pp.cmdline AS parent_command,
       k.id AS container_id,
       e.id AS event_id
FROM shell_execs s
JOIN events e ON e.id = s.event_id
JOIN cgroups c ON c.id = e.cgroup_row
JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
LEFT JOIN processes p ON p.id = e.process_id
LEFT JOIN processes pp ON pp.id = p.parent_id
LEFT JOIN cgroups pc ON pc.id = pp.cgroup_row
LEFT JOIN containers pk ON pk.id = pc.container_id
     AND (pk.cgroup_path IS NULL OR pc.path = pk.cgroup_path OR substr(pc.path, 1, length(pk.cgroup_path) + 1) = pk.cgroup_path || '/')
WHERE (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY +e.ts, e.id;
