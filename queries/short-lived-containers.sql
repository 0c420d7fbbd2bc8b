-- name: short-lived-containers
-- description: Containers that lived less than a given number of seconds (default 60), shortest first, with what ran in them and what their runtime said (or why it could not).
-- param: seconds = 60 : longest lifetime, in seconds, that counts as short
-- lived_ms is kernel evidence: from the container's cgroup mkdir (created_at) to its rmdir
-- (removed_at). A container that already existed when recording started has the cgroup
-- directory's ctime as created_at (existed_at_start = 1). name, image and digest come from the
-- runtime (enrichment): NULL with enrich_error set means no runtime answered; NULL with no error,
-- that none had answered yet. execs: programs executed in it (counted from exec events);
-- commands: what they ran, in time order (the first 20, cut at 300 characters).
WITH short AS MATERIALIZED (
    SELECT k.*
    FROM containers k
    WHERE k.created_at IS NOT NULL AND k.removed_at IS NOT NULL
      AND k.removed_at - k.created_at < coalesce(:seconds, 60) * 1000000000
),
short_cgroups AS MATERIALIZED (
    SELECT c.id AS cgroup_row, k.id AS container_id
    FROM short k
    JOIN cgroups c ON c.container_id = k.id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
),
runs AS (
    SELECT sc.container_id, e.ts, e.id, x.cmdline
    FROM events e
    JOIN short_cgroups sc ON sc.cgroup_row = e.cgroup_row
    JOIN execs x ON x.event_id = e.id
    WHERE e.kind = 1 AND e.cgroup_row IN (SELECT cgroup_row FROM short_cgroups)
),
numbered AS (
    SELECT runs.*, row_number() OVER (PARTITION BY container_id ORDER BY ts, id) AS n
    FROM runs
),
per AS (
    SELECT container_id, count(*) AS execs,
           substr(group_concat(CASE WHEN n <= 20 THEN cmdline END, ' ; '), 1, 300) AS commands
    FROM (SELECT * FROM numbered ORDER BY container_id, n)
    GROUP BY container_id
)
SELECT k.created_at AS ts,
       strftime('%Y-%m-%dT%H:%M:%S', k.created_at / 1000000000, 'unixepoch') || printf('.%06dZ', (k.created_at / 1000) % 1000000) AS created_utc,
       strftime('%Y-%m-%dT%H:%M:%S', k.removed_at / 1000000000, 'unixepoch') || printf('.%06dZ', (k.removed_at / 1000) % 1000000) AS removed_utc,
       round((k.removed_at - k.created_at) / 1e6, 1) AS lived_ms,
       coalesce(k.name, '(unnamed)') AS name,
       k.runtime,
       k.image,
       k.image_digest,
       pd.namespace || '/' || pd.name AS pod,
       coalesce(per.execs, 0) AS execs,
       per.commands,
       k.existed_at_start,
       k.enrich_error,
       k.id AS container_id
FROM short k
LEFT JOIN per ON per.container_id = k.id
LEFT JOIN pods pd ON pd.uid = k.pod_uid
ORDER BY k.removed_at - k.created_at, k.id;
