-- short-lived-containers: containers that were created and removed within 60 seconds while
-- recording, shortest first, with what their runtime said about them (or why it could not).
SELECT id,
       coalesce(name, '(unnamed)') AS name,
       runtime,
       image,
       image_digest,
       round((removed_at - created_at) / 1e6, 1) AS lived_ms,
       strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1e9, 'unixepoch') AS created_utc,
       enrich_error
FROM containers
WHERE created_at IS NOT NULL AND removed_at IS NOT NULL AND removed_at - created_at < 60e9
ORDER BY removed_at - created_at;
