-- name: pod-first-activity
-- description: Per Kubernetes pod: its first recorded event in any of its containers (when, what, where) and its first program run, with how many containers it has.
-- param: namespace = : only pods in this namespace
-- param: pod = : only this pod: its name, namespace/name or UID
-- A pod is a pods row (UID from the cgroup path or the io.kubernetes.pod.uid label), or, for
-- containers without one, the io.kubernetes.pod.namespace/name labels the runtime reported (uid
-- NULL). first_*: the pod's earliest event in the recording, in any of its containers (often the
-- runtime setting the container up: runc's opens before the first exec); first_exec_*: its first
-- program run. A pod whose containers already ran when recording started (existed_at_start = 1)
-- began before the recording: its first event is only the first one recorded.
-- containers counts the containers Casefile saw for it (sandbox "pause" containers included,
-- sandboxes says how many of them were).
WITH pod_containers AS (
    SELECT k.id AS container_id, k.name, k.sandbox, k.existed_at_start, k.created_at,
           coalesce(k.pod_uid, 'labels:' || coalesce(lns, '') || '/' || lname) AS pod_key, k.pod_uid AS uid,
           coalesce(pd.namespace, lns) AS namespace, coalesce(pd.name, lname) AS pod_name
    FROM (SELECT k.*,
                 CASE WHEN json_valid(k.labels) THEN json_extract(k.labels, '$."io.kubernetes.pod.namespace"') END AS lns,
                 CASE WHEN json_valid(k.labels) THEN json_extract(k.labels, '$."io.kubernetes.pod.name"') END AS lname
          FROM containers k) k
    LEFT JOIN pods pd ON pd.uid = k.pod_uid
    WHERE k.pod_uid IS NOT NULL OR k.lname IS NOT NULL
),
selected AS (
    SELECT *
    FROM pod_containers
    WHERE (:namespace IS NULL OR namespace = CAST(:namespace AS TEXT))
      AND (:pod IS NULL OR pod_name = CAST(:pod AS TEXT) OR uid = CAST(:pod AS TEXT)
           OR namespace || '/' || pod_name = CAST(:pod AS TEXT))
),
pod_cgroups AS (
    SELECT c.id AS cgroup_row, s.pod_key, s.container_id
    FROM selected s
    JOIN containers k ON k.id = s.container_id
    JOIN cgroups c ON c.container_id = k.id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
),
first_per_cgroup AS (
    SELECT e.cgroup_row, min(e.ts) AS ts, e.id, e.kind, e.pid, e.comm_id, e.object_id, e.aux, e.aux2, e.ret
    FROM events e
    WHERE e.cgroup_row IN (SELECT cgroup_row FROM pod_cgroups)
    GROUP BY e.cgroup_row
),
first_per_pod AS (
    SELECT pc.pod_key, min(f.ts) AS ts, f.id, f.kind, f.pid, f.comm_id, f.object_id, f.aux, f.aux2, f.ret, pc.container_id
    FROM first_per_cgroup f
    JOIN pod_cgroups pc ON pc.cgroup_row = f.cgroup_row
    GROUP BY pc.pod_key
),
first_exec AS (
    SELECT pc.pod_key, min(e.ts) AS ts, e.id, e.pid, x.cmdline, pc.container_id
    FROM execs x
    JOIN events e ON e.id = x.event_id
    JOIN pod_cgroups pc ON pc.cgroup_row = e.cgroup_row
    GROUP BY pc.pod_key
),
pods_seen AS (
    SELECT pod_key, uid, namespace, pod_name, count(*) AS containers, sum(sandbox) AS sandboxes,
           max(existed_at_start) AS existed_at_start, min(created_at) AS first_container_created_at
    FROM selected
    GROUP BY pod_key
)
SELECT f.ts,
       strftime('%Y-%m-%dT%H:%M:%S', f.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (f.ts / 1000) % 1000000) AS first_utc,
       ps.namespace,
       ps.pod_name AS pod,
       ps.containers,
       ps.sandboxes,
       ps.existed_at_start,
       coalesce(fk.name, substr(fk.id, 1, 12)) AS first_container,
       ek.name AS first_kind,
       f.pid AS first_pid,
       cm.comm AS first_comm,
       CASE WHEN f.kind = 1 THEN fx.cmdline
            WHEN f.kind IN (12, 13, 21) THEN coalesce(CASE WHEN ad.family = 10 THEN '[' || ad.address || ']' ELSE ad.address END
                 || CASE WHEN f.aux2 IS NOT NULL THEN ':' || f.aux2 ELSE '' END, '')
            WHEN f.kind = 2 THEN 'child ' || f.aux
            WHEN f.kind IN (4, 5) THEN oc.path
            ELSE coalesce(pa.path, '') END
       || CASE WHEN f.kind >= 6 THEN ' → ' || coalesce(f.ret, '(no return)') ELSE '' END AS first_details,
       strftime('%Y-%m-%dT%H:%M:%S', e1.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (e1.ts / 1000) % 1000000) AS first_exec_utc,
       coalesce(ek1.name, substr(ek1.id, 1, 12)) AS first_exec_container,
       e1.cmdline AS first_exec_command,
       strftime('%Y-%m-%dT%H:%M:%S', ps.first_container_created_at / 1000000000, 'unixepoch')
           || printf('.%06dZ', (ps.first_container_created_at / 1000) % 1000000) AS first_container_created_utc,
       ps.uid AS pod_uid,
       f.id AS first_event_id
FROM pods_seen ps
LEFT JOIN first_per_pod f ON f.pod_key = ps.pod_key
LEFT JOIN containers fk ON fk.id = f.container_id
LEFT JOIN event_kinds ek ON ek.id = f.kind
LEFT JOIN comms cm ON cm.id = f.comm_id
LEFT JOIN execs fx ON fx.event_id = f.id AND f.kind = 1
LEFT JOIN paths pa ON pa.id = f.object_id AND f.kind IN (6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 33, 34, 35, 36, 40, 42, 43, 44)
LEFT JOIN addresses ad ON ad.id = f.object_id AND f.kind IN (12, 13, 21)
LEFT JOIN cgroups oc ON oc.id = f.object_id AND f.kind IN (4, 5)
LEFT JOIN first_exec e1 ON e1.pod_key = ps.pod_key
LEFT JOIN containers ek1 ON ek1.id = e1.container_id
ORDER BY f.ts IS NULL, f.ts, ps.namespace, ps.pod_name;
