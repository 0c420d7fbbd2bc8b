-- name: outbound-connections
-- description: Outgoing connections (connect calls) per container and on the host: destination address and port, result, how many, when, by which programs.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- param: unix = 0 : 1 also lists connects to unix sockets (local: the docker socket, syslog, nscd, ...)
-- One row per container (or host), destination and result. attempts counts folded repeats
-- (event_folds) as the calls they stand for. result: ok, EINPROGRESS (a non-blocking connect under
-- way: its outcome is not recorded), ECONNREFUSED, ENETUNREACH, ... A connect on a UDP socket (DNS)
-- is listed too: it sends nothing by itself. comms: the process names that called it (at the time).
-- Only connect is recorded: data sent with sendto/sendmsg without connect is not here.
SELECT min(e.ts) AS ts,
       strftime('%Y-%m-%dT%H:%M:%S', min(e.ts) / 1000000000, 'unixepoch') || printf('.%06dZ', (min(e.ts) / 1000) % 1000000) AS first_utc,
       strftime('%Y-%m-%dT%H:%M:%S', max(coalesce(f.last_ts, e.ts)) / 1000000000, 'unixepoch')
           || printf('.%06dZ', (max(coalesce(f.last_ts, e.ts)) / 1000) % 1000000) AS last_utc,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       CASE e.aux WHEN 2 THEN 'ipv4' WHEN 10 THEN 'ipv6' WHEN 1 THEN 'unix' ELSE 'family ' || e.aux END AS family,
       coalesce(CASE WHEN e.aux = 10 THEN '[' || a.address || ']' ELSE a.address END, '(unreadable address)') AS address,
       e.aux2 AS port,
       CASE WHEN e.ret IS NULL THEN '(no return)' WHEN e.ret >= 0 THEN 'ok'
            ELSE coalesce(CASE -e.ret WHEN 1 THEN 'EPERM' WHEN 2 THEN 'ENOENT' WHEN 4 THEN 'EINTR' WHEN 11 THEN 'EAGAIN'
                 WHEN 13 THEN 'EACCES' WHEN 22 THEN 'EINVAL' WHEN 97 THEN 'EAFNOSUPPORT' WHEN 98 THEN 'EADDRINUSE'
                 WHEN 99 THEN 'EADDRNOTAVAIL' WHEN 101 THEN 'ENETUNREACH' WHEN 104 THEN 'ECONNRESET' WHEN 106 THEN 'EISCONN'
                 WHEN 110 THEN 'ETIMEDOUT' WHEN 111 THEN 'ECONNREFUSED' WHEN 113 THEN 'EHOSTUNREACH' WHEN 114 THEN 'EALREADY'
                 WHEN 115 THEN 'EINPROGRESS' WHEN 512 THEN 'ERESTARTSYS' END,
                 'errno ' || -e.ret) END AS result,
       sum(coalesce(f.count, 1)) AS attempts,
       count(DISTINCT e.process_id) AS processes,
       group_concat(DISTINCT cm.comm) AS comms,
       k.id AS container_id
FROM events e
LEFT JOIN addresses a ON a.id = e.object_id
LEFT JOIN event_folds f ON f.event_id = e.id
LEFT JOIN comms cm ON cm.id = e.comm_id
LEFT JOIN cgroups c ON c.id = e.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE e.kind = 12
  AND (e.aux IS NULL OR e.aux != 1 OR coalesce(:unix, 0) = 1)
  AND (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
GROUP BY container, k.id, e.aux, a.address, e.aux2, result
ORDER BY min(e.ts);
