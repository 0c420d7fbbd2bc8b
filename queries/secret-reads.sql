-- name: secret-reads
-- description: Opens (tried or done) of credential files: password hashes, sudoers, SSH keys, Kubernetes service-account tokens and kubeconfigs, cloud credentials, other processes' environments and memory.
-- param: container = : only this container (name or id prefix); empty: every container (host rows are left out when set)
-- param: missing = 0 : 1 also lists opens that failed with ENOENT (the file was not there: the docker CLI looks for its config.json every time)
-- Paths: /etc/shadow, /etc/gshadow, /etc/sudoers(.d), /root/.ssh, /home/*/.ssh, /etc/ssh/*key*,
-- /var/run/secrets and /run/secrets (Kubernetes service-account tokens, Docker secrets),
-- /etc/kubernetes, /var/lib/kubelet/pki, */.kube/config, */.aws/credentials, */.docker/config.json,
-- */.git-credentials, /proc/<pid>/environ and /proc/<pid>/mem (of another process: a number, not
-- self). Any access mode; result shows fd N (opened) or the error (EACCES: tried and refused).
-- count > 1: a folded row standing for that many identical opens. Programs that read these as part
-- of their job (sshd, su, login, the kubelet, a pod reading its own token) appear too: comm,
-- container and process_command say who it was.
-- Limits: paths as the process gave them (relative paths, symlinks and '..' forms are missed).
WITH secret AS (
    SELECT pa.id
    FROM paths pa
    WHERE pa.path IN ('/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-', '/etc/sudoers', '/etc/master.passwd')
       OR pa.path GLOB '/etc/sudoers.d/*' OR pa.path GLOB '/root/.ssh/*' OR pa.path GLOB '/home/*/.ssh/*'
       OR pa.path GLOB '/etc/ssh/*key*' OR pa.path GLOB '/var/run/secrets/*' OR pa.path GLOB '/run/secrets/*'
       OR pa.path GLOB '/etc/kubernetes/*' OR pa.path GLOB '/var/lib/kubelet/pki/*'
       OR pa.path GLOB '*/.kube/config' OR pa.path GLOB '*/.aws/credentials' OR pa.path GLOB '*/.docker/config.json'
       OR pa.path GLOB '*/.git-credentials'
       OR pa.path GLOB '/proc/[0-9]*/environ' OR pa.path GLOB '/proc/[0-9]*/mem'
)
SELECT e.ts,
       strftime('%Y-%m-%dT%H:%M:%S', e.ts / 1000000000, 'unixepoch') || printf('.%06dZ', (e.ts / 1000) % 1000000) AS time_utc,
       coalesce(k.name, substr(k.id, 1, 12), CASE WHEN c.container_id IS NOT NULL THEN 'unconfirmed claim ' || substr(c.container_id, 1, 12) END, '(host)') AS container,
       pd.namespace || '/' || pd.name AS pod,
       e.pid,
       cm.comm,
       CASE WHEN e.aux3 IS NOT NULL THEN '(dirfd ' || e.aux3 || ') ' ELSE '' END || pa.path AS path,
       CASE e.aux & 3 WHEN 0 THEN 'O_RDONLY' WHEN 1 THEN 'O_WRONLY' ELSE 'O_RDWR' END
           || CASE WHEN e.aux & 64 THEN '|O_CREAT' ELSE '' END || CASE WHEN e.aux & 512 THEN '|O_TRUNC' ELSE '' END AS access,
       CASE WHEN e.ret IS NULL THEN '(no return)' WHEN e.ret >= 0 THEN 'fd ' || e.ret
            ELSE coalesce(CASE -e.ret WHEN 1 THEN 'EPERM' WHEN 2 THEN 'ENOENT' WHEN 13 THEN 'EACCES' WHEN 20 THEN 'ENOTDIR'
                 WHEN 21 THEN 'EISDIR' WHEN 40 THEN 'ELOOP' END, 'errno ' || -e.ret) END AS result,
       coalesce(f.count, 1) AS count,
       p.uid AS process_uid,
       p.cmdline AS process_command,
       k.id AS container_id,
       e.id AS event_id
FROM events e
JOIN paths pa ON pa.id = e.object_id
LEFT JOIN event_folds f ON f.event_id = e.id
LEFT JOIN comms cm ON cm.id = e.comm_id
LEFT JOIN processes p ON p.id = e.process_id
LEFT JOIN cgroups c ON c.id = e.cgroup_row
LEFT JOIN containers k ON k.id = c.container_id
     AND (k.cgroup_path IS NULL OR c.path = k.cgroup_path OR substr(c.path, 1, length(k.cgroup_path) + 1) = k.cgroup_path || '/')
LEFT JOIN pods pd ON pd.uid = k.pod_uid
WHERE e.kind = 6 AND e.object_id IN (SELECT id FROM secret)
  AND (e.ret IS NULL OR e.ret != -2 OR coalesce(:missing, 0) = 1)
  AND (:container IS NULL OR k.name = CAST(:container AS TEXT)
       OR substr(k.id, 1, length(CAST(:container AS TEXT))) = CAST(:container AS TEXT))
ORDER BY +e.ts, e.id;
