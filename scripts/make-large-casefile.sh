#!/usr/bin/env bash
# scripts/make-large-casefile.sh — a realistic large case file (default 10 million events) for
# performance work, made from a real recording.
#
# Usage:
#   scripts/make-large-casefile.sh --record SOURCE.db
#       Step 1 (root, docker running: `bash scripts/runtimes.sh all`): a real ~30 s recording.
#       Starts `casefile record --db SOURCE.db`, then 5 busybox containers (casefile/busybox:1,
#       --network none) looping `ls /etc; cat /etc/passwd; wget -T1 http://127.0.0.1:9/ || nc ...;
#       sleep 0.2`, plus a host loop (ls, cat, mkdir/echo>/chmod/mv/rm/rmdir, a bash /dev/tcp
#       connect, sh -c id/uname); after RECORD_SECONDS (30) it removes the containers, stops the
#       recorder with SIGINT and waits for it. (Busybox-static's wget segfaults here before it
#       connects, so `nc` makes the connect.) Whatever else runs on the host is recorded too.
#   scripts/make-large-casefile.sh [--events N] [--containers C] [--hours H] [--host-share F]
#                                  [--check] SOURCE.db OUT.db
#       Step 2: OUT.db = a copy of SOURCE.db (sqlite3 .backup) grown to exactly N events
#       (default 10000000) over C synthetic containers (default 200) spanning about H hours
#       (default 4). Plain SQL in the sqlite3 CLI, one transaction, journal off while building.
#       --check also verifies ids, pids and processes of every event afterwards (slower).
#       Example: scripts/make-large-casefile.sh /var/tmp/large/source.db /var/tmp/large/10m.db
#
# What OUT holds:
#   * The source recording unchanged (its events, ids and seals), then K copies of its events
#     (the last one partial) with shifted and stretched times: copy k occupies its own window
#     after the source, windows back to back, so ts increases with the copies and the whole file
#     spans ~H hours at a steady rate. Times inside a copy are stretched by window/source span
#     (x3.5 for 10M events from a 33 s, 50k-event source over 4 h: a 0.2 s sleep lasts 0.7 s).
#   * C containers (64-hex ids): busy-1 (the heaviest), rare-1 (~100 events spread over the
#     whole span), and role-n names (web-1 .. web-17, api-.., db-.., ...); every third one a
#     Kubernetes container (runtime containerd, cgroup /kubepods/besteffort/pod<uid>/<id>, a
#     pods row, a sandbox "pause" container per pod, some pods with two containers), the rest
#     docker (/docker/<id>). ~45% existed when the session started, the others are created
#     during it; ~35% are removed before the end, some after only 5-20 minutes. Their cgroups
#     rows are made like the recorder makes them (a row per hierarchy and kernel cgroup_mkdir/
#     cgroup_rmdir events, with the timing pattern of the source's own containers, for cgroups
#     created or removed while recording; one row in the tracked hierarchy for cgroups that
#     existed at start), cgroups.container_id and containers.cgroup_path set so that every event
#     in the cgroup is attributed (views.sql).
#   * Processes: long-lived host processes (existed at start, never exited, not in a container)
#     keep their identity in every copy; every other process is copied per copy with a new
#     processes row (new id, new pid = pid + k*stride, tid shifted alike, times shifted, parent
#     mapped within the copy), so events.pid always equals processes.pid of events.process_id
#     and fork events point to the copied child (aux and object_id). Each copied process goes
#     whole into one container (all its events, processes.cgroup_row): container processes of
#     the source always, other copied host processes unless they stay on the host (--host-share,
#     default 0.1: then they keep their host cgroup). The container is drawn among those alive
#     at the process's start (and until well after it ends) with Zipf weights 1/rank^1.2
#     (busy-1 rank 1; a skewed distribution: a few busy containers, a long tail of quiet ones).
#     A fork event stays with the parent, so a parent and child may be in different containers.
#   * execs, event_folds and exec_environments rows for the copied events; paths, addresses and
#     comms are shared (interned, as the recorder does).
#   * seals and seal_rows for the copies, one seal per copied source seal (same batch sizes,
#     rows for processes, event_folds, sessions and session_settings, random digests chained by
#     prev), plus rows for the new containers, cgroups and pods: the file has the size and shape
#     of a recorder's file. It does NOT pass `casefile verify`: the digests are random, and the
#     session's row is changed (events, lost, ended_at) without a seal. Fine for performance.
#   * A few gaps rows (ring_buffer_full, writer_backlog, undecodable) at times in the span, the
#     session's lost = their sum, events = N, ended_at after the last event; session_settings.folded
#     recounted.
#   * PRAGMA user_version, application_id and the schema objects unchanged (the CLI opens it
#     without schema warnings); no ANALYZE, no sqlite_stat1 (the recorder never runs ANALYZE);
#     the journal mode the source had.
#
# The schema version is the source's: record the source with the binary whose schema you want
# (a newer binary opens older case files for investigation).
# Pseudo-random choices are a deterministic hash: the same source and options give the same
# file (but for the random seal digests).
# Environment: CASEFILE_BIN (recorder, default .build/release/casefile of this checkout);
# for --record: RECORD_SECONDS (30), RECORD_CONTAINERS (5), RECORD_IMAGE (casefile/busybox:1).
# Needs: sqlite3 (3.40, with math functions: Debian's has them), bash. One core; 10M events take
# ~45 s of SQL (~1 min with the report) and ~1.4 GB of memory (temp tables are kept in memory).
# Only OUT (mode 0600, as the recorder makes its files) is written.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${CASEFILE_BIN:-$repo/.build/release/casefile}

die() { echo "make-large-casefile: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# --record SOURCE.db: a real recording to copy from.
# ---------------------------------------------------------------------------------------------
record_source() {
    local out=$1 secs=${RECORD_SECONDS:-30} image=${RECORD_IMAGE:-casefile/busybox:1} n=${RECORD_CONTAINERS:-5}
    [ -x "$bin" ] || die "no recorder at $bin (build first: swift build -c release)"
    [ ! -e "$out" ] || die "$out exists; record into a new file"
    [ "$(id -u)" = 0 ] || die "--record needs root (the recorder loads eBPF programs)"
    docker info >/dev/null 2>&1 || die "docker does not answer (start it: bash scripts/runtimes.sh all)"
    docker image inspect "$image" >/dev/null 2>&1 || die "no image $image (make it: bash scripts/runtimes.sh images)"
    mkdir -p "$(dirname "$out")"
    local work; work=$(mktemp -d /var/tmp/make-large-rec.XXXXXX)
    local tag=cf-large-$$ rec host_pid i
    "$bin" record --db "$out" --quiet >"$work/record.out" 2>"$work/record.err" &
    rec=$!
    # shellcheck disable=SC2064
    trap "docker rm -f \$(docker ps -aq --filter label=$tag) >/dev/null 2>&1 || true; kill \$host_pid 2>/dev/null || true; kill -INT $rec 2>/dev/null || true" EXIT
    for _ in $(seq 1 100); do
        grep -q 'recording into' "$work/record.err" 2>/dev/null && break
        kill -0 $rec 2>/dev/null || { cat "$work/record.err" >&2; die "the recorder stopped at start"; }
        sleep 0.2
    done
    grep -q 'recording into' "$work/record.err" || die "the recorder did not start in 20 s: $(cat "$work/record.err")"
    local t0=$SECONDS
    # Host activity: execs, file events (open, create, chmod, rename, unlink, mkdir, rmdir) and connects.
    (
        d=$work/host
        while [ $((SECONDS - t0)) -lt "$secs" ]; do
            ls /etc >/dev/null; cat /etc/os-release >/dev/null
            mkdir -p "$d"; echo x >"$d/a"; chmod 0644 "$d/a"; mv "$d/a" "$d/b"; rm -f "$d/b"; rmdir "$d"
            (exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null || true
            sh -c 'id >/dev/null; uname -a >/dev/null'
            sleep 0.5
        done
    ) &
    host_pid=$!
    for i in $(seq 1 "$n"); do
        docker run -d --network none --label "$tag=1" --name "$tag-$i" "$image" \
            sh -c 'while :; do ls /etc; cat /etc/passwd; wget -T1 http://127.0.0.1:9/ || nc -w1 127.0.0.1 9 </dev/null || true; sleep 0.2; done' >/dev/null
    done
    while [ $((SECONDS - t0)) -lt "$secs" ]; do sleep 1; done
    # shellcheck disable=SC2046
    docker rm -f $(docker ps -aq --filter "label=$tag") >/dev/null
    wait $host_pid 2>/dev/null || true
    sleep 1
    kill -INT $rec
    wait $rec || die "the recorder failed: $(cat "$work/record.err")"
    trap - EXIT
    cat "$work/record.err" >&2
    rm -rf "$work"
    sqlite3 -readonly "$out" "SELECT 'source: ' || count(*) || ' events, ' || (SELECT count(*) FROM containers) || ' containers, '
        || (SELECT count(*) FROM processes) || ' processes' FROM events"
}

if [ "${1:-}" = --record ]; then
    [ $# -eq 2 ] || die "usage: $0 --record SOURCE.db"
    record_source "$2"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Generation.
# ---------------------------------------------------------------------------------------------
events=10000000 containers=200 hours=4 host_share=0.1 slices=8 check=0
while [ $# -gt 0 ]; do
    case $1 in
        --events) events=$2; shift 2 ;;
        --containers) containers=$2; shift 2 ;;
        --hours) hours=$2; shift 2 ;;
        --host-share) host_share=$2; shift 2 ;;
        --check) check=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || die "usage: $0 [--events N] [--containers C] [--hours H] [--host-share F] [--check] SOURCE.db OUT.db (or --record SOURCE.db)"
source_db=$1 out=$2
[[ $events =~ ^[0-9]+$ ]] || die "--events takes a number"
[[ $containers =~ ^[0-9]+$ && $containers -ge 3 ]] || die "--containers takes a number >= 3"
[[ $hours =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--hours takes a number"
[[ $host_share =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || die "--host-share takes a number between 0 and 1"
command -v sqlite3 >/dev/null || die "needs the sqlite3 CLI (apt-get install -y sqlite3)"
[ -f "$source_db" ] || die "no $source_db (make one: $0 --record $source_db)"
[ ! -e "$out" ] || die "$out exists; remove it first"
[ "$(sqlite3 -readonly "$source_db" 'PRAGMA application_id')" = 1128354629 ] || die "$source_db is not a case file"
sqlite3 -readonly "$source_db" "SELECT pow(2, 1.2)" >/dev/null 2>&1 || die "this sqlite3 has no math functions (pow)"

start=$(date +%s.%N)
mkdir -p "$(dirname "$out")"
trap 'rm -f "$out" "$out-journal"' EXIT
sqlite3 "$source_db" ".backup '$out'"
chmod 0600 "$out"  # as the recorder makes its files
journal=$(sqlite3 "$out" 'PRAGMA journal_mode')
version=$(sqlite3 "$out" 'PRAGMA user_version')

# SQL building blocks (expanded into the statements below).
# h(x): a 31-bit hash, not linear (two squarings modulo the prime 2^31-1, which is 3 mod 4);
# u(a, b): a deterministic pseudo-random number in [0, 1), independent for different a or b.
sq() { echo "(((($1) % 2147483647) * (($1) % 2147483647)) % 2147483647)"; }
h() { echo "$(sq "$(sq "($1) + 12345") + 628175011")"; }
u() { echo "($(h "($1) * 97 + ($2) * 1299709") / 2147483647.0)"; }
# f(k, t): UTC time t of the source, as it is in copy k (needs the row g in the FROM clause).
f() { echo "(CASE WHEN ($2) >= g.t0 THEN g.w1 + (($1) - 1) * g.p + CAST((($2) - g.t0) * g.stretch AS INTEGER) ELSE ($2) + g.w1 + (($1) - 1) * g.p - g.t0 END)"; }
# newid(seq): events.id of the seq-th copied event (synthetic cgroup events are interleaved).
newid() { echo "(g.base + ($1) + coalesce((SELECT sp.cum FROM synpos sp WHERE sp.pos <= ($1) ORDER BY sp.pos DESC LIMIT 1), 0))"; }
hex64() { local i=$1 s=$2; echo "printf('%08x%08x%08x%08x%08x%08x%08x%08x', $(h "$i * 16 + $s + 1"), $(h "$i * 16 + $s + 2"), $(h "$i * 16 + $s + 3"), $(h "$i * 16 + $s + 4"), $(h "$i * 16 + $s + 5"), $(h "$i * 16 + $s + 6"), $(h "$i * 16 + $s + 7"), $(h "$i * 16 + $s + 8"))"; }
SEQ_K="(c.k - 1) * g.et + t.rn"

# From schema 8 on, the time summary of the events added (event_chunks) is written too.
chunks_sql=""
if [ "$version" -ge 8 ]; then
    chunks_sql=$(cat <<'CHUNKS'
-- the time summary (schema 8): chunks of 1024 ids for the events added here, as the recorder writes them
INSERT INTO main.event_chunks (first_event, last_event, min_ts, max_ts)
SELECT min(e.id), max(e.id), min(e.ts), max(e.ts) FROM main.events e CROSS JOIN g WHERE e.id > g.base GROUP BY (e.id - g.base - 1) / 1024;
INSERT INTO main.event_chunk_cgroups (cgroup_row, first_event)
SELECT DISTINCT e.cgroup_row, c.first_event FROM g CROSS JOIN main.event_chunks c JOIN main.events e ON e.id BETWEEN c.first_event AND c.last_event
WHERE c.first_event > g.base AND e.cgroup_row IS NOT NULL;
CHUNKS
)
fi
sql=$(cat <<SQL
.bail on
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1048576;
PRAGMA temp_store = MEMORY;
BEGIN;

-- g: one row of globals ------------------------------------------------------------------------
CREATE TEMP TABLE g AS SELECT
    s.id AS sid, s.boot_id AS boot_id, s.boot_offset_ns AS boff, s.cgroup_hierarchy AS hier, s.started_at AS sess_start,
    (SELECT count(*) FROM main.events) AS e0, 0 AS et,
    (SELECT min(ts) FROM main.events) AS t0,
    max((SELECT max(ts) FROM main.events), coalesce((SELECT max(last_ts) FROM main.event_folds), 0)) AS t1,
    0 AS s0, $events AS n, $containers AS c, CAST($hours * 3600e9 AS INTEGER) AS span, $host_share AS host_share,
    $slices AS m, 4194304 AS pid_max,
    (SELECT max(id) FROM main.events) AS base, (SELECT max(id) FROM main.processes) AS pbase,
    (SELECT max(id) FROM main.cgroups) AS cgbase, (SELECT max(id) FROM main.seals) AS smax,
    (SELECT coalesce(max(id), 0) FROM main.gaps) AS gbase,
    0 AS nsyn, 0 AS need, 0 AS kk, 0 AS r, 0 AS w1, 0 AS p, 0.0 AS stretch, 0 AS tend, 0 AS total,
    0 AS pmin, 0 AS stride, 0 AS busy_cg, 0 AS rare_cg
FROM main.sessions s ORDER BY s.id DESC LIMIT 1;
UPDATE g SET s0 = t1 - t0 + 1000000;

-- the source: container cgroups, events, the template of a copy ----------------------------------
CREATE TEMP TABLE ccg (id INTEGER PRIMARY KEY);
INSERT INTO ccg SELECT id FROM main.cgroups WHERE container_id IS NOT NULL;
CREATE TEMP TABLE src (id INTEGER PRIMARY KEY, ts INTEGER, kind INTEGER, pid INTEGER, tid INTEGER, uid INTEGER,
    process_id INTEGER, cgroup_row INTEGER, ret INTEGER, aux INTEGER, object_id INTEGER, comm_id INTEGER,
    aux2 INTEGER, aux3 INTEGER, rn INTEGER, in_ctr INTEGER);
INSERT INTO src SELECT e.id, e.ts, e.kind, e.pid, e.tid, e.uid, e.process_id, e.cgroup_row, e.ret, e.aux, e.object_id,
    e.comm_id, e.aux2, e.aux3, NULL, coalesce(e.cgroup_row IN (SELECT id FROM ccg), 0) FROM main.events e ORDER BY e.id;
-- A copy is every source event but the cgroup_mkdir/rmdir of the source's containers (the new
-- containers get their own), in id order.
CREATE TEMP TABLE tpl (rn INTEGER PRIMARY KEY, old INTEGER NOT NULL UNIQUE, ts INTEGER NOT NULL);
INSERT INTO tpl (old, ts) SELECT id, ts FROM src
    WHERE NOT (kind IN (4, 5) AND coalesce(object_id IN (SELECT id FROM ccg), 0)) ORDER BY id;
UPDATE src SET rn = (SELECT rn FROM tpl WHERE tpl.old = src.id);
CREATE INDEX tpl_ts ON tpl (ts);
UPDATE g SET et = (SELECT count(*) FROM tpl);

-- source processes: which are copied, which container-bound ----------------------------------------
CREATE TEMP TABLE sproc (id INTEGER PRIMARY KEY, pid INTEGER, start_utc INTEGER, in_ctr INTEGER, kept INTEGER,
    nev INTEGER, firstrn INTEGER, maxrn INTEGER, j INTEGER);
INSERT INTO sproc
SELECT p.id, p.pid, p.start_boot_ns + g.boff,
       max(coalesce(p.cgroup_row IN (SELECT id FROM ccg), 0), coalesce(a.in_ctr, 0)),
       p.existed_at_start = 1 AND p.exited_at IS NULL,
       coalesce(a.nev, 0),
       CASE WHEN a.minrn IS NULL THEN fk.rn WHEN fk.rn IS NULL THEN a.minrn ELSE min(a.minrn, fk.rn) END,
       a.maxrn, 0
FROM main.processes p CROSS JOIN g
LEFT JOIN (SELECT process_id, count(*) AS nev, max(in_ctr) AS in_ctr, min(rn) AS minrn, max(rn) AS maxrn
           FROM src WHERE rn IS NOT NULL GROUP BY process_id) a ON a.process_id = p.id
LEFT JOIN (SELECT object_id, min(rn) AS rn FROM src WHERE kind = 2 AND rn IS NOT NULL GROUP BY object_id) fk ON fk.object_id = p.id;
UPDATE sproc SET kept = 0 WHERE in_ctr;
UPDATE sproc SET j = min((SELECT m FROM g) - 1, max(0, (start_utc - (SELECT t0 FROM g)) * (SELECT m FROM g) / (SELECT s0 FROM g)));
UPDATE g SET pmin = coalesce((SELECT min(pid) FROM sproc WHERE NOT kept AND firstrn IS NOT NULL), 300),
             stride = coalesce((SELECT max(pid) - min(pid) + 1 FROM sproc WHERE NOT kept AND firstrn IS NOT NULL), 1);

-- the containers to make -------------------------------------------------------------------------------
CREATE TEMP TABLE roles (r INTEGER PRIMARY KEY, role TEXT, image TEXT, ns TEXT);
INSERT INTO roles VALUES
    (0, 'web', 'nginx:1.27.3', 'shop'), (1, 'api', 'registry.example.com/shop/api:2.14.0', 'shop'),
    (2, 'worker', 'registry.example.com/shop/worker:2.14.0', 'shop'), (3, 'db', 'postgres:16.4', 'data'),
    (4, 'cache', 'redis:7.2.5', 'data'), (5, 'queue', 'rabbitmq:3.13-management', 'data'),
    (6, 'cron', 'registry.example.com/ops/cron:1.3.0', 'ops'), (7, 'auth', 'registry.example.com/shop/auth:0.9.2', 'shop'),
    (8, 'search', 'opensearchproject/opensearch:2.15.0', 'data'), (9, 'metrics', 'prom/node-exporter:v1.8.2', 'monitoring'),
    (10, 'ingest', 'fluent/fluent-bit:3.1.4', 'monitoring'), (11, 'proxy', 'envoyproxy/envoy:v1.31.0', 'shop');
-- grp: containers of one pod share a lifetime (kube containers i % 3 = 0; pod i / 6: some pods have two).
CREATE TEMP TABLE ctr (i INTEGER PRIMARY KEY, id TEXT, name TEXT, role TEXT, image TEXT, ns TEXT, kube INTEGER,
    pod INTEGER, grp INTEGER, sandbox INTEGER, existed INTEGER, short INTEGER, removed INTEGER, cfrac REAL, rfrac REAL,
    w REAL, tc INTEGER, tr INTEGER, cg0 INTEGER, lid INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $containers)
INSERT INTO ctr (i, id, name, role, image, ns, kube, pod, grp, sandbox)
SELECT n.i, $(hex64 n.i 0),
       CASE n.i WHEN 1 THEN 'busy-1' WHEN 2 THEN 'rare-1' ELSE ro.role || '-' || ((n.i - 3) / 12 + 1) END,
       CASE n.i WHEN 1 THEN 'busy' WHEN 2 THEN 'rare' ELSE ro.role END,
       CASE n.i WHEN 1 THEN 'registry.example.com/batch/busy:1.0' WHEN 2 THEN 'registry.example.com/ops/rare:1.0' ELSE ro.image END,
       CASE WHEN n.i <= 2 THEN 'batch' ELSE ro.ns END,
       n.i > 2 AND n.i % 3 = 0, CASE WHEN n.i > 2 AND n.i % 3 = 0 THEN n.i / 6 END,
       CASE WHEN n.i > 2 AND n.i % 3 = 0 THEN 100000 + n.i / 6 ELSE n.i END, 0
FROM n LEFT JOIN roles ro ON ro.r = (n.i - 3) % 12;
-- one sandbox ("pause") container per pod, after the C containers
INSERT INTO ctr (i, id, name, role, image, ns, kube, pod, grp, sandbox)
SELECT $containers + row_number() OVER (ORDER BY pod), $(hex64 "(100000 + pod)" 0), NULL, 'POD', 'registry.k8s.io/pause:3.6',
       (SELECT c2.ns FROM ctr c2 WHERE c2.pod = ctr.pod AND c2.kube ORDER BY c2.i LIMIT 1), 1, pod, 100000 + pod, 1
FROM ctr WHERE kube GROUP BY pod;
UPDATE ctr SET short = i > 2 AND $(u grp 3) < 0.12,
               removed = i > 2 AND $(u grp 3) < 0.35;
UPDATE ctr SET existed = i <= 2 OR (NOT short AND $(u grp 1) < 0.45);
UPDATE ctr SET cfrac = CASE WHEN existed THEN 0 ELSE $(u grp 2) * 0.85 END;
UPDATE ctr SET rfrac = CASE WHEN removed AND NOT short THEN cfrac + $(u grp 4) * (0.98 - cfrac) END;
-- Zipf weights: busy-1 rank 1, the others ranked in a pseudo-random order; rare-1 and sandboxes 0.
UPDATE ctr SET w = CASE WHEN i = 1 THEN 1.0 ELSE 0.0 END;
UPDATE ctr SET w = (SELECT 1.0 / pow(1 + rk, 1.2) FROM (SELECT i AS ii, row_number() OVER (ORDER BY $(u i 6)) AS rk
                    FROM ctr WHERE i > 2 AND NOT sandbox) WHERE ii = ctr.i) WHERE i > 2 AND NOT sandbox;

-- logical cgroups: each pod's cgroup, each container's (sandboxes included)
CREATE TEMP TABLE lcg (lid INTEGER PRIMARY KEY, path TEXT, level INTEGER, container_id TEXT, grp INTEGER, ord INTEGER,
    existed INTEGER, removed INTEGER, tc INTEGER, tr INTEGER);
INSERT INTO lcg (path, level, container_id, grp, ord, existed, removed)
SELECT path, level, container_id, grp, ord, existed, removed FROM (
    SELECT '/kubepods/besteffort/pod' || p.uid AS path, 3 AS level, NULL AS container_id, c.grp, 0 AS ord, c.existed, c.removed, c.i
    FROM ctr c JOIN (SELECT pod, printf('%08x-%04x-4%03x-%04x-%04x%08x', $(h "pod * 7 + 1"), $(h "pod * 7 + 2") % 65536,
                            $(h "pod * 7 + 3") % 4096, 32768 + $(h "pod * 7 + 4") % 16384, $(h "pod * 7 + 5") % 65536, $(h "pod * 7 + 6")) AS uid
                     FROM ctr WHERE kube GROUP BY pod) p ON p.pod = c.pod WHERE c.sandbox
    UNION ALL
    SELECT CASE WHEN c.kube THEN (SELECT '/kubepods/besteffort/pod' || printf('%08x-%04x-4%03x-%04x-%04x%08x', $(h "c.pod * 7 + 1"), $(h "c.pod * 7 + 2") % 65536,
                            $(h "c.pod * 7 + 3") % 4096, 32768 + $(h "c.pod * 7 + 4") % 16384, $(h "c.pod * 7 + 5") % 65536, $(h "c.pod * 7 + 6")))
                     || '/' || c.id ELSE '/docker/' || c.id END,
           CASE WHEN c.kube THEN 4 ELSE 2 END, c.id, c.grp, CASE WHEN c.sandbox THEN 1 ELSE 2 + c.i END, c.existed, c.removed, c.i
    FROM ctr c)
ORDER BY grp, ord;
UPDATE ctr SET lid = (SELECT lid FROM lcg WHERE lcg.container_id = ctr.id);

-- the source's own containers give the pattern of cgroup_mkdir/rmdir events (per hierarchy: offset,
-- and the process that made them)
CREATE TEMP TABLE pat (kind INTEGER, hier INTEGER, dt INTEGER, pid INTEGER, tid INTEGER, uid INTEGER, process_id INTEGER,
    cgroup_row INTEGER, comm_id INTEGER, PRIMARY KEY (kind, hier));
INSERT OR IGNORE INTO pat
SELECT e.kind, e.aux, e.ts - (SELECT e2.ts FROM src e2 JOIN main.cgroups c2 ON c2.id = e2.object_id
                               WHERE e2.kind = e.kind AND c2.container_id = c.container_id AND e2.aux = g.hier ORDER BY e2.id LIMIT 1),
       e.pid, e.tid, e.uid, e.process_id, e.cgroup_row, e.comm_id
FROM src e JOIN main.cgroups c ON c.id = e.object_id CROSS JOIN g
WHERE e.kind IN (4, 5) AND c.container_id = (SELECT c3.container_id FROM src e3 JOIN main.cgroups c3 ON c3.id = e3.object_id
      WHERE e3.kind = 4 AND c3.container_id IS NOT NULL GROUP BY c3.container_id ORDER BY count(*) DESC, min(e3.id) LIMIT 1)
ORDER BY e.id;
DELETE FROM pat WHERE dt IS NULL;
INSERT OR IGNORE INTO pat (kind, hier, dt) SELECT 4, hier, 0 FROM g;
-- an rmdir for every hierarchy with a mkdir
INSERT OR IGNORE INTO pat (kind, hier, dt, pid, tid, uid, process_id, cgroup_row, comm_id)
SELECT 5, hier, 0, pid, tid, uid, process_id, cgroup_row, comm_id FROM pat WHERE kind = 4;
DELETE FROM pat WHERE kind = 5 AND hier NOT IN (SELECT hier FROM pat WHERE kind = 4);

-- how many copies ------------------------------------------------------------------------------------
UPDATE g SET nsyn = (SELECT coalesce(sum(CASE WHEN existed THEN 0 ELSE (SELECT count(*) FROM pat WHERE kind = 4) END
                                         + CASE WHEN NOT removed THEN 0 WHEN existed THEN 1 ELSE (SELECT count(*) FROM pat WHERE kind = 5) END), 0)
                     FROM lcg);
UPDATE g SET need = n - e0 - nsyn;
CREATE TEMP TABLE assertion (ok INTEGER CONSTRAINT events_must_exceed_what_the_source_holds CHECK (ok),
                             ok2 INTEGER CONSTRAINT hours_must_exceed_the_source_span CHECK (ok2));
INSERT INTO assertion SELECT need > 0, 1 FROM g;
UPDATE g SET kk = (need + et - 1) / et;
UPDATE g SET r = need - (kk - 1) * et, total = need, w1 = t1 + 1000000000;
UPDATE g SET p = (t0 + span - w1) / kk;
INSERT INTO assertion SELECT 1, p > 0 FROM g;
UPDATE g SET stretch = p * 1.0 / s0;
UPDATE g SET tend = (SELECT $(f g.kk "(SELECT max(ts) FROM tpl WHERE rn <= g.r)") FROM g AS g);
CREATE TEMP TABLE copies (k INTEGER PRIMARY KEY);
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < (SELECT kk FROM g)) INSERT INTO copies SELECT k FROM n;

-- lifetimes (h0 mkdir = tc, h0 rmdir = tr): pod cgroup 400 ms before its first container, the sandbox
-- 250 ms before, a pod's second container 150 ms after its first; removals the other way round.
UPDATE lcg SET tc = (SELECT CASE WHEN c.existed THEN g.t0 - 3600000000000 - CAST($(u c.grp 5) * 71 * 3600e9 AS INTEGER)
                                 ELSE g.w1 + CAST(c.cfrac * (g.tend - g.w1) AS INTEGER) END
                     FROM ctr c CROSS JOIN g WHERE c.grp = lcg.grp ORDER BY c.i LIMIT 1)
                + CASE WHEN ord = 0 THEN -400000000 WHEN ord = 1 THEN -250000000 ELSE 150000000 * (ord - (SELECT min(ord) FROM lcg l2 WHERE l2.grp = lcg.grp AND l2.ord >= 2)) END;
UPDATE lcg SET tr = (SELECT CASE WHEN NOT c.removed THEN NULL
                                 WHEN c.short THEN min(lcg.tc + 300000000000 + CAST($(u c.grp 4) * 900e9 AS INTEGER), g.w1 + CAST(0.98 * (g.tend - g.w1) AS INTEGER))
                                 ELSE g.w1 + CAST(c.rfrac * (g.tend - g.w1) AS INTEGER) END
                     FROM ctr c CROSS JOIN g WHERE c.grp = lcg.grp ORDER BY c.i LIMIT 1)
                + CASE WHEN ord = 0 THEN 500000000 WHEN ord = 1 THEN 300000000 ELSE 0 END;
UPDATE ctr SET tc = (SELECT tc FROM lcg WHERE lcg.lid = ctr.lid), tr = (SELECT tr FROM lcg WHERE lcg.lid = ctr.lid);

-- cgroups rows: one per hierarchy for cgroups made while recording, one in the tracked hierarchy
-- for those that existed at start
CREATE TEMP TABLE cgmap (row_id INTEGER PRIMARY KEY, lid INTEGER, hier INTEGER, created_at INTEGER, removed_at INTEGER, UNIQUE (lid, hier));
INSERT INTO cgmap (row_id, lid, hier, created_at, removed_at)
SELECT g.cgbase + row_number() OVER (ORDER BY l.lid, pm.hier), l.lid, pm.hier, l.tc + pm.dt,
       l.tr + coalesce((SELECT pr.dt FROM pat pr WHERE pr.kind = 5 AND pr.hier = pm.hier), 0)
FROM lcg l CROSS JOIN g JOIN pat pm ON pm.kind = 4 AND (NOT l.existed OR pm.hier = g.hier);
INSERT INTO main.cgroups (id, boot_id, hierarchy_id, cgroup_id, path, level, created_at, removed_at, existed_at_start, session_id, container_id, path_truncated)
SELECT m.row_id, g.boot_id, m.hier,
       coalesce((SELECT max(cgroup_id) FROM main.cgroups c WHERE c.hierarchy_id = m.hier), 0) + 1000 + row_number() OVER (PARTITION BY m.hier ORDER BY m.row_id),
       l.path, l.level, m.created_at, m.removed_at, l.existed, g.sid, l.container_id, 0
FROM cgmap m JOIN lcg l ON l.lid = m.lid CROSS JOIN g ORDER BY m.row_id;
UPDATE ctr SET cg0 = (SELECT row_id FROM cgmap WHERE cgmap.lid = ctr.lid AND cgmap.hier = (SELECT hier FROM g));
UPDATE g SET busy_cg = (SELECT cg0 FROM ctr WHERE i = 1), rare_cg = (SELECT cg0 FROM ctr WHERE i = 2);

-- pods and containers rows, as enrichment leaves them
INSERT INTO main.pods (uid, name, namespace, labels, first_seen_at, last_seen_at)
SELECT substr(l.path, length('/kubepods/besteffort/pod') + 1), c.role || '-' || substr(printf('%08x', $(h "c.pod * 7 + 11")), 1, 6)
           || '-' || substr(printf('%08x', $(h "c.pod * 7 + 12")), 3, 5),
       c.ns, '{"app":"' || c.role || '","pod-template-hash":"' || substr(printf('%08x', $(h "c.pod * 7 + 11")), 1, 6) || '"}',
       CASE WHEN l.existed THEN g.sess_start ELSE l.tc END, CASE WHEN l.existed THEN g.sess_start ELSE l.tc END + 400000000
FROM lcg l JOIN ctr c ON c.grp = l.grp AND NOT c.sandbox AND c.i = (SELECT min(i) FROM ctr c2 WHERE c2.grp = l.grp AND NOT c2.sandbox)
CROSS JOIN g WHERE l.ord = 0;
CREATE TEMP TABLE podof (grp INTEGER PRIMARY KEY, uid TEXT, name TEXT, ns TEXT);
INSERT INTO podof SELECT l.grp, p.uid, p.name, p.namespace FROM lcg l JOIN main.pods p ON '/kubepods/besteffort/pod' || p.uid = l.path WHERE l.ord = 0;
INSERT INTO main.containers (id, runtime, name, image, image_digest, pod_uid, labels, created_at, started_at, removed_at,
    existed_at_start, first_seen_at, enriched_at, enriched_from, enrich_error, image_id, kube_container_name, sandbox,
    runtime_created_at, cgroup_path, confirmed_at, runtime_pid, conflicting_claims)
SELECT c.id, CASE WHEN c.kube THEN 'containerd' ELSE 'docker' END,
       CASE WHEN c.sandbox THEN 'k8s_POD_' || po.name || '_' || po.ns ELSE c.name END,
       CASE WHEN c.sandbox THEN NULL WHEN c.kube THEN 'docker.io/library/' || c.image ELSE c.image END,
       CASE WHEN c.sandbox THEN NULL WHEN c.kube THEN 'sha256:' || $(hex64 c.i 8)
            ELSE substr(c.image, 1, instr(c.image, ':') - 1) || '@sha256:' || $(hex64 c.i 8) END,
       po.uid,
       CASE WHEN c.kube THEN json_object('io.kubernetes.container.name', CASE WHEN c.sandbox THEN 'POD' ELSE c.role END,
                                         'io.kubernetes.pod.name', po.name, 'io.kubernetes.pod.namespace', po.ns, 'io.kubernetes.pod.uid', po.uid)
            ELSE json_object('com.docker.compose.project', c.ns, 'com.docker.compose.service', c.role) END,
       c.tc, CASE WHEN c.existed AND NOT c.kube THEN c.tc + 170000000 END, c.tr, c.existed,
       CASE WHEN c.existed THEN g.sess_start ELSE c.tc - 80000000 END,
       CASE WHEN c.existed THEN g.sess_start + 90000000 ELSE c.tc - 80000000 END,
       CASE WHEN c.kube THEN 'containerd:/run/containerd/containerd.sock namespace k8s.io' ELSE 'docker:/var/run/docker.sock' END,
       NULL, CASE WHEN c.sandbox THEN NULL ELSE 'sha256:' || $(hex64 c.i 9) END,
       CASE WHEN c.kube AND NOT c.sandbox THEN c.role END, c.sandbox, c.tc - 150000000,
       (SELECT path FROM lcg WHERE lcg.lid = c.lid),
       CASE WHEN c.existed AND NOT c.kube THEN g.sess_start + 130000000 END,
       CASE WHEN c.existed AND NOT c.kube THEN 2000 + c.i * 37 END, 0
FROM ctr c CROSS JOIN g LEFT JOIN podof po ON po.grp = c.grp ORDER BY c.i;

-- synthetic cgroup_mkdir/rmdir events, and where they go between the copies -----------------------------
CREATE TEMP TABLE syn (j INTEGER PRIMARY KEY, pos INTEGER, ts INTEGER, kind INTEGER, hier INTEGER, object_id INTEGER,
    pid INTEGER, tid INTEGER, uid INTEGER, process_id INTEGER, cgroup_row INTEGER, comm_id INTEGER);
CREATE TEMP TABLE syn0 (ts INTEGER, kind INTEGER, hier INTEGER, object_id INTEGER, pid INTEGER, tid INTEGER, uid INTEGER,
    process_id INTEGER, cgroup_row INTEGER, comm_id INTEGER, k INTEGER, pos INTEGER);
INSERT INTO syn0 (ts, kind, hier, object_id, pid, tid, uid, process_id, cgroup_row, comm_id)
SELECT m.created_at, 4, m.hier, m.row_id, pt.pid, pt.tid, pt.uid, pt.process_id, pt.cgroup_row, pt.comm_id
FROM cgmap m JOIN lcg l ON l.lid = m.lid JOIN pat pt ON pt.kind = 4 AND pt.hier = m.hier WHERE NOT l.existed
UNION ALL
SELECT m.removed_at, 5, m.hier, m.row_id, pt.pid, pt.tid, pt.uid, pt.process_id, pt.cgroup_row, pt.comm_id
FROM cgmap m JOIN pat pt ON pt.kind = 5 AND pt.hier = m.hier WHERE m.removed_at IS NOT NULL;
UPDATE syn0 SET k = (SELECT min(g.kk, max(1, 1 + (syn0.ts - g.w1) / g.p)) FROM g);
UPDATE syn0 SET pos = (SELECT (syn0.k - 1) * g.et + coalesce((SELECT rn FROM tpl WHERE tpl.ts > g.t0 + CAST((syn0.ts - g.w1 - (syn0.k - 1) * g.p) / g.stretch AS INTEGER)
                                                             ORDER BY tpl.ts LIMIT 1), g.et + 1) FROM g);
UPDATE syn0 SET pos = (SELECT total + 1 FROM g) WHERE pos > (SELECT total FROM g);
INSERT INTO syn (pos, ts, kind, hier, object_id, pid, tid, uid, process_id, cgroup_row, comm_id)
SELECT pos, ts, kind, hier, object_id, pid, tid, uid, process_id, cgroup_row, comm_id FROM syn0 ORDER BY pos, ts, kind, object_id;
CREATE TEMP TABLE synpos (pos INTEGER PRIMARY KEY, cum INTEGER);
INSERT INTO synpos SELECT pos, max(j) FROM syn GROUP BY pos;

-- process copies and the container each goes to -------------------------------------------------------
CREATE TEMP TABLE bk (b INTEGER PRIMARY KEY, bs INTEGER, be INTEGER, total REAL);
WITH RECURSIVE n(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM n WHERE b + 1 < (SELECT kk * m FROM g))
INSERT INTO bk SELECT b, g.w1 + (b / g.m) * g.p + (b % g.m) * g.p / g.m, g.w1 + (b / g.m) * g.p + (b % g.m + 1) * g.p / g.m, 0 FROM n CROSS JOIN g;
CREATE TEMP TABLE cum (b INTEGER, hi REAL, cg INTEGER, PRIMARY KEY (b, hi)) WITHOUT ROWID;
INSERT OR IGNORE INTO cum SELECT bk.b, sum(c.w) OVER (PARTITION BY bk.b ORDER BY c.i), c.cg0
FROM bk CROSS JOIN g JOIN ctr c ON c.w > 0 AND c.tc <= bk.bs AND (c.tr IS NULL OR c.tr >= bk.be + g.p);
UPDATE bk SET total = coalesce((SELECT max(hi) FROM cum WHERE cum.b = bk.b), 0);
CREATE TEMP TABLE pmap (k INTEGER, old INTEGER, seq INTEGER, new_pid INTEGER, tgt INTEGER, PRIMARY KEY (k, old)) WITHOUT ROWID;
INSERT INTO pmap
SELECT c.k, p.id, row_number() OVER (ORDER BY c.k, p.id),
       CASE WHEN p.pid + c.k * g.stride < g.pid_max THEN p.pid + c.k * g.stride
            ELSE g.pmin + (p.pid + c.k * g.stride - g.pmin) % (g.pid_max - g.pmin) END,
       CASE WHEN p.in_ctr OR $(u "c.k * 100003 + p.id" 11) >= g.host_share THEN
           coalesce((SELECT cu.cg FROM cum cu WHERE cu.b = (c.k - 1) * g.m + p.j
                      AND cu.hi > $(u "c.k * 100003 + p.id" 7) * (SELECT bk.total FROM bk WHERE bk.b = (c.k - 1) * g.m + p.j)
                      ORDER BY cu.hi LIMIT 1), g.busy_cg) END
FROM g CROSS JOIN copies c CROSS JOIN sproc p
WHERE NOT p.kept AND p.firstrn IS NOT NULL AND (c.k < g.kk OR p.firstrn <= g.r);
-- rare-1: small container processes (2 to 6 events each, ~100 events in all) spread evenly over the copies
WITH cand AS (SELECT id, nev, row_number() OVER (ORDER BY id) - 1 AS ci FROM sproc
              WHERE in_ctr AND NOT kept AND nev BETWEEN 2 AND 6 AND firstrn IS NOT NULL AND maxrn <= (SELECT CASE WHEN kk = 1 THEN r ELSE et END FROM g)),
     cnt AS (SELECT max(1, CAST(round(100.0 / avg(nev)) AS INTEGER)) AS m, count(*) AS nc FROM cand),
     picks(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM picks, cnt WHERE i + 1 < cnt.m)
UPDATE pmap SET tgt = (SELECT rare_cg FROM g)
WHERE (k, old) IN (SELECT CASE WHEN g.kk <= 2 THEN 1 ELSE 1 + (picks.i * (g.kk - 2)) / max(1, cnt.m - 1) END,
                          (SELECT id FROM cand WHERE cand.ci = (picks.i * 7919) % cnt.nc)
                   FROM picks CROSS JOIN cnt CROSS JOIN g WHERE cnt.nc > 0);

INSERT INTO main.processes (id, boot_id, pid, start_ticks, start_boot_ns, started_at, ppid, parent_id, exe, argv, cmdline, comm,
    uid, gid, ns_pid, mnt_ns, pid_ns, cgroup_row, exec_count, exited_at, exit_code, exit_signal, existed_at_start, session_id)
SELECT g.pbase + m.seq, p.boot_id, m.new_pid,
       ($(f m.k "p.start_boot_ns + g.boff") - g.boff) / 10000000, $(f m.k "p.start_boot_ns + g.boff") - g.boff,
       CASE WHEN p.started_at IS NOT NULL THEN $(f m.k "p.start_boot_ns + g.boff") END,
       coalesce(mp.new_pid, p.ppid), coalesce(g.pbase + mp.seq, p.parent_id), p.exe, p.argv, p.cmdline, p.comm,
       p.uid, p.gid, p.ns_pid, p.mnt_ns, p.pid_ns, coalesce(m.tgt, p.cgroup_row), p.exec_count, $(f m.k p.exited_at),
       p.exit_code, p.exit_signal, 0, g.sid
FROM g CROSS JOIN pmap m JOIN main.processes p ON p.id = m.old LEFT JOIN pmap mp ON mp.k = m.k AND mp.old = p.parent_id
ORDER BY m.seq;

-- the events ---------------------------------------------------------------------------------------------
INSERT INTO main.events (id, session_id, ts, kind, pid, tid, uid, process_id, cgroup_row, ret, aux, object_id, comm_id, aux2, aux3)
SELECT $(newid "$SEQ_K"), g.sid, $(f c.k t.ts), e.kind,
       coalesce(m.new_pid, e.pid), e.tid + coalesce(m.new_pid - e.pid, 0), e.uid,
       CASE WHEN m.seq IS NOT NULL THEN g.pbase + m.seq ELSE e.process_id END,
       coalesce(m.tgt, e.cgroup_row), e.ret,
       CASE e.kind WHEN 2 THEN coalesce(mc.new_pid, e.aux) WHEN 1 THEN e.aux + coalesce(m.new_pid - e.pid, 0) ELSE e.aux END,
       CASE WHEN e.kind = 2 AND mc.seq IS NOT NULL THEN g.pbase + mc.seq ELSE e.object_id END,
       e.comm_id, e.aux2, e.aux3
FROM g CROSS JOIN copies c CROSS JOIN tpl t JOIN src e ON e.id = t.old
LEFT JOIN pmap m ON m.k = c.k AND m.old = e.process_id
LEFT JOIN pmap mc ON e.kind = 2 AND mc.k = c.k AND mc.old = e.object_id
WHERE c.k < g.kk OR t.rn <= g.r;
INSERT INTO main.events (id, session_id, ts, kind, pid, tid, uid, process_id, cgroup_row, ret, aux, object_id, comm_id, aux2, aux3)
SELECT g.base + s.pos + s.j - 1, g.sid, s.ts, s.kind, s.pid, s.tid, s.uid, s.process_id, s.cgroup_row, NULL, s.hier, s.object_id, s.comm_id, NULL, NULL
FROM syn s CROSS JOIN g ORDER BY s.j;

-- exec details, folds, environments of the copies
CREATE TEMP TABLE xt AS SELECT t.rn AS rn, t.old AS old FROM tpl t JOIN main.execs x ON x.event_id = t.old;
INSERT INTO main.execs (event_id, filename, argv, cmdline, argv_truncated, filename_truncated, argv_unreadable, filename_unreadable)
SELECT $(newid "$SEQ_K"), x.filename, x.argv, x.cmdline, x.argv_truncated, x.filename_truncated, x.argv_unreadable, x.filename_unreadable
FROM g CROSS JOIN copies c CROSS JOIN xt t JOIN main.execs x ON x.event_id = t.old WHERE c.k < g.kk OR t.rn <= g.r ORDER BY c.k, t.rn;
CREATE TEMP TABLE xe AS SELECT t.rn AS rn, t.old AS old FROM tpl t JOIN main.exec_environments x ON x.event_id = t.old;
INSERT INTO main.exec_environments (event_id, env, truncated, unreadable)
SELECT $(newid "$SEQ_K"), x.env, x.truncated, x.unreadable
FROM g CROSS JOIN copies c CROSS JOIN xe t JOIN main.exec_environments x ON x.event_id = t.old WHERE c.k < g.kk OR t.rn <= g.r ORDER BY c.k, t.rn;
CREATE TEMP TABLE ft AS SELECT t.rn AS rn, t.old AS old FROM tpl t JOIN main.event_folds x ON x.event_id = t.old;
INSERT INTO main.event_folds (event_id, count, last_ts)
SELECT $(newid "$SEQ_K"), x.count, $(f c.k x.last_ts)
FROM g CROSS JOIN copies c CROSS JOIN ft t JOIN main.event_folds x ON x.event_id = t.old WHERE c.k < g.kk OR t.rn <= g.r ORDER BY c.k, t.rn;

-- gaps: a few losses at times in the span
INSERT INTO main.gaps (session_id, detected_at, count, reason, detail)
SELECT g.sid, g.w1 + CAST(v.frac * (g.tend - g.w1) AS INTEGER), v.cnt, v.reason,
       CASE v.reason WHEN 'ring_buffer_full' THEN 'kernel ring buffer (' || coalesce((SELECT ring_buffer_bytes FROM main.sessions WHERE id = g.sid), 16777216) || ' bytes) was full'
                     WHEN 'writer_backlog' THEN 'writer more than 256 MiB of events behind'
                     ELSE 'records of unknown kind or bad length' END
FROM g CROSS JOIN (SELECT 0.13 AS frac, 312 AS cnt, 'ring_buffer_full' AS reason UNION ALL SELECT 0.37, 4096, 'ring_buffer_full'
                   UNION ALL SELECT 0.52, 17, 'undecodable' UNION ALL SELECT 0.78, 20480, 'writer_backlog'
                   UNION ALL SELECT 0.91, 1290, 'ring_buffer_full') v ORDER BY v.frac;

-- seals: one per copied source seal, same event ranges, rows for processes, folds, session ---------------------------
CREATE TEMP TABLE sseal AS SELECT s.id AS id, s.sealed_at AS sealed_at,
    (SELECT min(rn) FROM src WHERE src.id BETWEEN s.first_event AND s.last_event) AS rnlo,
    (SELECT max(rn) FROM src WHERE src.id BETWEEN s.first_event AND s.last_event) AS rnhi
FROM main.seals s WHERE s.first_event IS NOT NULL;
DELETE FROM sseal WHERE rnlo IS NULL;
CREATE TEMP TABLE nseal (seq INTEGER PRIMARY KEY, k INTEGER, old INTEGER, sealed_at INTEGER, first_event INTEGER, last_event INTEGER, digest BLOB);
INSERT INTO nseal (k, old, sealed_at, first_event, last_event, digest)
SELECT c.k, s.id, max($(f c.k s.sealed_at), $(f c.k "(SELECT max(ts) FROM tpl WHERE tpl.rn BETWEEN s.rnlo AND s.rnhi)")),
       $(newid "(c.k - 1) * g.et + s.rnlo - 1") + 1,
       $(newid "(c.k - 1) * g.et + min(s.rnhi, CASE WHEN c.k = g.kk THEN g.r ELSE g.et END)"),
       randomblob(32)
FROM g CROSS JOIN copies c CROSS JOIN sseal s WHERE c.k < g.kk OR s.rnlo <= g.r ORDER BY c.k, s.id;
CREATE INDEX nseal_at ON nseal (sealed_at);
INSERT INTO main.seals (id, session_id, sealed_at, first_event, last_event, first_gap, last_gap, changed_rows, prev, digest)
SELECT g.smax + n.seq, g.sid, n.sealed_at, n.first_event, n.last_event, NULL, NULL, 0,
       coalesce(lag(n.digest) OVER (ORDER BY n.seq), (SELECT digest FROM main.seals WHERE id = g.smax), zeroblob(32)), n.digest
FROM nseal n CROSS JOIN g ORDER BY n.seq;
INSERT INTO main.seal_rows (seal_id, table_name, row_key, row_digest)
SELECT g.smax + n.seq, r.table_name,
       CASE r.table_name WHEN 'processes' THEN coalesce(g.pbase + pm.seq, r.row_key)
                         WHEN 'event_folds' THEN $(newid "(n.k - 1) * g.et + fe.rn") ELSE r.row_key END,
       randomblob(32)
FROM g CROSS JOIN nseal n JOIN main.seal_rows r ON r.seal_id = n.old
LEFT JOIN pmap pm ON r.table_name = 'processes' AND pm.k = n.k AND pm.old = r.row_key
LEFT JOIN src fe ON r.table_name = 'event_folds' AND fe.id = r.row_key
WHERE r.table_name IN ('sessions', 'session_settings', 'processes', 'event_folds')
  AND (r.table_name != 'processes' OR pm.seq IS NOT NULL OR r.row_key IN (SELECT id FROM sproc WHERE kept))
  AND (r.table_name != 'event_folds' OR (fe.rn IS NOT NULL AND (n.k < g.kk OR fe.rn <= g.r)))
ORDER BY n.seq;
-- the new containers, cgroups and pods: in the first copied seal after they were seen (existing ones: the first copied seal)
INSERT OR IGNORE INTO main.seal_rows (seal_id, table_name, row_key, row_digest)
SELECT coalesce((SELECT g.smax + n.seq FROM nseal n WHERE n.sealed_at >= x.at ORDER BY n.sealed_at LIMIT 1), g.smax + 1), x.tbl,
       CASE WHEN x.tbl = 'cgroups' THEN CAST(x.key AS INTEGER) ELSE x.key END, randomblob(32)
FROM g CROSS JOIN (SELECT 'containers' AS tbl, c.id AS key, CASE WHEN c.existed THEN 0 ELSE c.tc END AS at FROM ctr c
                   UNION ALL SELECT 'cgroups', m.row_id, coalesce(m.created_at, 0) * (1 - l.existed) FROM cgmap m JOIN lcg l ON l.lid = m.lid
                   UNION ALL SELECT 'cgroups', m.row_id, m.removed_at FROM cgmap m WHERE m.removed_at IS NOT NULL
                   UNION ALL SELECT 'containers', c.id, c.tr FROM ctr c WHERE c.tr IS NOT NULL
                   UNION ALL SELECT 'pods', p.uid, l.tc * (1 - l.existed) FROM podof p JOIN lcg l ON l.grp = p.grp AND l.ord = 0) x
ORDER BY 1;
CREATE TEMP TABLE gs AS SELECT gp.id AS gap_id,
    (SELECT g.smax + n.seq FROM nseal n WHERE n.sealed_at >= gp.detected_at ORDER BY n.sealed_at LIMIT 1) AS seal_id
FROM main.gaps gp CROSS JOIN g WHERE gp.id > g.gbase;
UPDATE main.seals SET first_gap = (SELECT min(gap_id) FROM gs WHERE gs.seal_id = seals.id),
                      last_gap = (SELECT max(gap_id) FROM gs WHERE gs.seal_id = seals.id)
WHERE id IN (SELECT seal_id FROM gs);
UPDATE main.seals SET changed_rows = (SELECT count(*) FROM main.seal_rows r WHERE r.seal_id = seals.id) WHERE id > (SELECT smax FROM g);

$chunks_sql

-- the session: what it holds now
UPDATE main.sessions SET events = (SELECT count(*) FROM main.events e WHERE e.session_id = sessions.id),
    lost = (SELECT coalesce(sum(count), 0) FROM main.gaps gp WHERE gp.session_id = sessions.id),
    ended_at = max(coalesce(ended_at, 0), (SELECT max(ts) FROM main.events) + 40000000)
WHERE id = (SELECT sid FROM g);
UPDATE main.session_settings SET folded = (SELECT coalesce(sum(f.count - 1), 0) FROM main.event_folds f) WHERE session_id = (SELECT sid FROM g);
COMMIT;
SQL
)

echo "make-large-casefile: building $out from $source_db ($events events, $containers containers, ~$hours h) ..." >&2
sqlite3 "$out" <<<"$sql" >/dev/null || die "the SQL failed; $out removed"
sqlite3 "$out" "PRAGMA journal_mode = $journal" >/dev/null
[ "$(sqlite3 "$out" 'PRAGMA user_version')" = "$version" ] || die "user_version changed"
trap - EXIT
end=$(date +%s.%N)

# ---------------------------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------------------------
n_events=$(sqlite3 -readonly "$out" "SELECT count(*) FROM events")
size=$(stat -c %s "$out")
echo "rows per table:"
for t in $(sqlite3 -readonly "$out" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
    printf '  %-20s %12s\n' "$t" "$(sqlite3 -readonly "$out" "SELECT count(*) FROM \"$t\"")"
done
sqlite3 -readonly "$out" <<'SQL'
.mode list
.separator ' '
SELECT 'containers: ' || count(*) || ' (' || sum(sandbox) || ' pod sandboxes), ' || (SELECT count(*) FROM pods) || ' pods' FROM containers;
SELECT 'events by container (top 5, then rare-1): ' || group_concat(n, ', ') FROM (
    SELECT coalesce(k.name, '(host)') || ' ' || count(*) AS n FROM events e JOIN cgroups c ON c.id = e.cgroup_row
    LEFT JOIN containers k ON k.id = c.container_id GROUP BY c.container_id ORDER BY count(*) DESC LIMIT 6);
SELECT 'rare-1: ' || count(*) || ' events from ' || strftime('%Y-%m-%dT%H:%M:%SZ', min(e.ts) / 1000000000, 'unixepoch')
       || ' to ' || strftime('%Y-%m-%dT%H:%M:%SZ', max(e.ts) / 1000000000, 'unixepoch')
FROM events e JOIN cgroups c ON c.id = e.cgroup_row JOIN containers k ON k.id = c.container_id WHERE k.name = 'rare-1';
SELECT 'span: ' || strftime('%Y-%m-%dT%H:%M:%SZ', min(ts) / 1000000000, 'unixepoch') || ' to '
       || strftime('%Y-%m-%dT%H:%M:%SZ', max(ts) / 1000000000, 'unixepoch') || ' (' || printf('%.2f', (max(ts) - min(ts)) / 3600e9) || ' h)'
FROM events;
SELECT 'e.g. --since ' || strftime('%Y-%m-%dT%H:%M:%SZ', (min(ts) + max(ts)) / 2 / 1000000000, 'unixepoch')
       || ' --until ' || strftime('%Y-%m-%dT%H:%M:%SZ', (min(ts) + max(ts)) / 2 / 1000000000 + 60, 'unixepoch') FROM events;
SQL
awk -v s="$size" -v n="$n_events" -v a="$start" -v b="$end" \
    'BEGIN { printf "file: %d bytes (%.1f MiB), %d events, %.1f bytes/event; generated in %.1f s\n", s, s / 1048576, n, s / n, b - a }'
if [ "$check" = 1 ]; then
    echo "checking ..."
    sqlite3 -readonly "$out" <<'SQL'
.mode list
SELECT 'ids dense: ' || (max(id) = count(*)) FROM events;
SELECT 'events whose pid is not their process''s pid: ' || count(*) FROM events e JOIN processes p ON p.id = e.process_id WHERE e.pid != p.pid;
SELECT 'events whose process row is missing: ' || count(*) FROM events e LEFT JOIN processes p ON p.id = e.process_id WHERE e.process_id IS NOT NULL AND p.id IS NULL;
SELECT 'events whose cgroup row is missing: ' || count(*) FROM events e LEFT JOIN cgroups c ON c.id = e.cgroup_row WHERE e.cgroup_row IS NOT NULL AND c.id IS NULL;
SELECT 'exec events without execs row: ' || count(*) FROM events e LEFT JOIN execs x ON x.event_id = e.id WHERE e.kind = 1 AND x.event_id IS NULL;
SELECT 'events outside their container''s lifetime: ' || count(*) FROM events e JOIN cgroups c ON c.id = e.cgroup_row JOIN containers k ON k.id = c.container_id
    WHERE e.kind NOT IN (4, 5) AND (e.ts < k.created_at OR e.ts > coalesce(k.removed_at, e.ts));
SELECT 'events over 1 s earlier than an event before them in id order (the source''s own inversions times the stretch; 0 at 10M): ' || count(*) FROM (SELECT ts, lag(ts) OVER (ORDER BY id) AS prev FROM events) WHERE ts < prev - 1000000000;
PRAGMA foreign_key_check;
PRAGMA quick_check;
SQL
fi
