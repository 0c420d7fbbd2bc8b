-- name: container-commands
-- description: Every program run inside a container, in time order, with the container, pod and image it ran in and its parent.
-- param: container = : only this container (name or id prefix); empty: every container
-- One row per successful exec in a container (execve/execveat; failed execs are not recorded).
-- filename is the file as given to exec (/proc/self/exe: busybox re-executing itself for an applet;
-- /dev/fd/N: a file descriptor, e.g. a memfd); command is argv, display-safe (argv_truncated = 1:
-- cut at the session's argv cap). uid is the process's uid at the exec. parent is the parent
-- process's name (its latest). confirmed = 0: the container's cgroup was not confirmed by its
-- runtime (see the README: claims and confirmation).
SELECT e.ts,
       strftime('%Y-%m-%dT%H:%M:%S', e.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (e.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12)) AS container,
       pd.namespace || '/' || pd.name AS pod,
       k.image,
       e.pid,
       e.uid,
       p.ppid,
       pp.comm AS parent,
       x.filename,
       x.cmdline AS command,
       x.argv_truncated,
       k.confirmed_at IS NOT NULL AS confirmed,
       k.id AS container_id,
       e.id AS event_id
FROM execs x
JOIN events e ON e.id = x.event_id
JOIN cgroups c ON c.id = e.cgroup_row
JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
LEFT JOIN processes p ON p.id = e.process_id
LEFT JOIN processes pp ON pp.id = p.parent_id
WHERE (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY e.ts, e.id;
