-- name: enrichment-failures
-- description: Containers no runtime described (no name, image or pod from a runtime): the runtime asked, the last error, and how much activity they had.
-- A container is listed when its last enrichment failed (enrich_error) or no runtime ever
-- answered (enriched_at NULL). Such a container is known only from its cgroup path: runtime is
-- a guess from that path's shape; with enrich_error 'no runtime knows container ...' none of the
-- runtimes asked had it: a container of a runtime not asked (another socket, a rootless one), one
-- removed before it could be asked, or a cgroup made to look like a container. A session recorded
-- with --no-enrichment lists every container (see recording-health: runtimes).
-- events and execs count what is attributed to it; lived_ms is from its cgroup's mkdir to rmdir.
WITH unenriched AS (
    SELECT * FROM containers WHERE enrich_error IS NOT NULL OR enriched_at IS NULL
),
activity AS (
    SELECT k.id AS container_id, count(*) AS events, sum(e.kind = 1) AS execs
    FROM events e
    JOIN cgroups c ON c.id = e.cgroup_row
    JOIN unenriched k ON k.id = c.container_id
         AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
    WHERE e.cgroup_row IN (SELECT c2.id FROM cgroups c2 WHERE c2.container_id IN (SELECT id FROM unenriched))
    GROUP BY k.id
)
SELECT k.first_seen_at AS ts,
       strftime('%Y-%m-%dT%H:%M:%S', k.first_seen_at / 1000000000, 'unixepoch') || printf('.%06dZ', (k.first_seen_at / 1000) % 1000000) AS first_seen_utc,
       k.id AS container_id,
       k.runtime AS runtime_guess,
       k.cgroup_path,
       k.name,
       k.enriched_at IS NOT NULL AS enriched_once,
       k.enriched_from,
       k.enrich_error,
       k.existed_at_start,
       CASE WHEN k.created_at IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', k.created_at / 1000000000, 'unixepoch')
            || printf('.%06dZ', (k.created_at / 1000) % 1000000) END AS created_utc,
       CASE WHEN k.removed_at IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', k.removed_at / 1000000000, 'unixepoch')
            || printf('.%06dZ', (k.removed_at / 1000) % 1000000) END AS removed_utc,
       round((k.removed_at - k.created_at) / 1e6, 1) AS lived_ms,
       k.confirmed_at IS NOT NULL AS confirmed,
       k.conflicting_claims,
       coalesce(a.events, 0) AS events,
       coalesce(a.execs, 0) AS execs,
       k.pod_uid
FROM unenriched k
LEFT JOIN activity a ON a.container_id = k.id
ORDER BY k.first_seen_at, k.id;
