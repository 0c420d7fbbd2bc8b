-- container-commands: every program run inside a container, in time order, with the container,
-- pod and image it ran in. Use: sqlite3 -readonly -header -column casefile.db < queries/container-commands.sql
SELECT t.ts_utc,
       t.container,
       t.pod,
       k.image,
       t.pid,
       t.comm,
       t.details AS command
FROM timeline t
LEFT JOIN containers k ON k.id = t.container_id
WHERE t.kind = 'exec' AND t.container_id IS NOT NULL
ORDER BY t.ts;
