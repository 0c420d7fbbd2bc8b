-- name: listeners
-- description: Sockets that listened for connections (bind + listen) or were bound to a local port without listening (UDP), per container and host, with the connections they accepted.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- param: unix = 0 : 1 also lists unix-socket servers (local only: runtimes, daemons)
-- what = 'listen': a successful listen, with the address of the bind on the same socket (same
-- process and fd) before it; accepts and peers count the successful accepts on that fd by that
-- process after it (a socket handed to other processes, e.g. forked workers, has its accepts
-- under them: not counted here); failed_accepts include EAGAIN of non-blocking sockets.
-- what = 'bind only': an IP address bound without a listen on that socket (a UDP server, or a
-- client choosing its source port). address '::' or '0.0.0.0': every interface.
WITH net AS MATERIALIZED (
    SELECT e.id, e.ts, e.kind, e.pid, e.process_id, e.cgroup_row, e.comm_id, e.ret, e.aux, e.aux2, e.aux3, e.object_id
    FROM events e
    WHERE e.kind IN (13, 21, 22)
),
binds AS (
    SELECT n.id, n.ts, n.process_id, n.aux3 AS fd, n.aux AS family, a.address, n.aux2 AS port
    FROM net n
    LEFT JOIN addresses a ON a.id = n.object_id
    WHERE n.kind = 13 AND n.ret = 0
),
listens AS (
    SELECT n.id, n.ts, n.pid, n.process_id, n.cgroup_row, n.comm_id, n.aux3 AS fd, n.aux AS backlog,
           max(b.ts) AS bind_ts, b.family, b.address, b.port
    FROM net n
    LEFT JOIN binds b ON b.process_id = n.process_id AND b.fd = n.aux3 AND b.ts <= n.ts
    WHERE n.kind = 22 AND n.ret = 0
    GROUP BY n.id
),
accepted AS (
    SELECT l.id AS listen_id,
           sum(CASE WHEN a.ret >= 0 THEN coalesce(f.count, 1) ELSE 0 END) AS accepts,
           sum(CASE WHEN a.ret < 0 THEN coalesce(f.count, 1) ELSE 0 END) AS failed_accepts,
           count(DISTINCT CASE WHEN a.ret >= 0 THEN ad.address END) AS peers,
           max(CASE WHEN a.ret >= 0 THEN a.ts END) AS last_accept_ts
    FROM listens l
    JOIN net a ON a.kind = 21 AND a.process_id = l.process_id AND a.aux3 = l.fd AND a.ts >= l.ts
    LEFT JOIN addresses ad ON ad.id = a.object_id
    LEFT JOIN event_folds f ON f.event_id = a.id
    GROUP BY l.id
),
rows_ AS (
    SELECT l.id, l.ts, l.pid, l.process_id, l.cgroup_row, l.comm_id, 'listen' AS what, l.family, l.address, l.port,
           l.backlog, l.fd, coalesce(ac.accepts, 0) AS accepts, coalesce(ac.failed_accepts, 0) AS failed_accepts,
           coalesce(ac.peers, 0) AS peers, ac.last_accept_ts
    FROM listens l
    LEFT JOIN accepted ac ON ac.listen_id = l.id
    UNION ALL
    SELECT b.id, b.ts, n.pid, b.process_id, n.cgroup_row, n.comm_id, 'bind only', b.family, b.address, b.port,
           NULL, b.fd, NULL, NULL, NULL, NULL
    FROM binds b
    JOIN net n ON n.id = b.id
    WHERE b.family IN (2, 10)
      AND NOT EXISTS (SELECT 1 FROM listens l WHERE l.process_id = b.process_id AND l.fd = b.fd AND l.ts >= b.ts)
)
SELECT r.ts,
       strftime('%Y-%m-%dT%H:%M:%S', r.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (r.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       r.pid,
       cm.comm,
       r.what,
       CASE r.family WHEN 2 THEN 'ipv4' WHEN 10 THEN 'ipv6' WHEN 1 THEN 'unix' ELSE 'family ' || r.family END AS family,
       CASE WHEN r.family = 10 THEN '[' || r.address || ']' WHEN r.family = 1 AND r.address = '' THEN '(unnamed)' ELSE r.address END AS address,
       r.port,
       r.backlog,
       r.accepts,
       r.peers,
       r.failed_accepts,
       CASE WHEN r.last_accept_ts IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', r.last_accept_ts / 1000000000, 'unixepoch')
            || printf('.%06dZ', (r.last_accept_ts / 1000) % 1000000) END AS last_accept_utc,
       p.cmdline AS process_command,
       k.id AS container_id,
       r.id AS event_id
FROM rows_ r
LEFT JOIN comms cm ON cm.id = r.comm_id
LEFT JOIN processes p ON p.id = r.process_id
LEFT JOIN cgroups c ON c.id = r.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE (r.family IS NULL OR r.family IN (2, 10) OR (r.family = 1 AND coalesce(:unix, 0) = 1))
  AND (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY r.ts, r.id;
