#!/usr/bin/env bash
# Resident memory of `casefile record` over a long storm (issue 8: bounded memory).
#
# Runs the release recorder (no enrichment) while, for SECONDS (default 300), three loops run:
# fork+exec+exit of /bin/true as fast as bash can, and cgroup churn (mkdir, a process moved in,
# rmdir) that creates and removes thousands of cgroups. Every 15 s it prints the recorder's VmRSS
# and the events stored so far; at the end the growth from the first sample after warm-up.
# Usage: sudo scripts/bench-memory.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
bin=./.build/release/casefile
[ -x "$bin" ] || { echo "build first: make release" >&2; exit 1; }
v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
work=$(mktemp -d /tmp/casefile-mem.XXXXXX)
db=$work/mem.db
"$bin" record --db "$db" --no-enrichment --quiet > "$work/out" 2> "$work/err" &
rec=$!
trap 'kill $rec 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 3
end=$((SECONDS + seconds))
( while [ $SECONDS -lt $end ]; do /bin/true; done ) &
( while [ $SECONDS -lt $end ]; do /bin/true; done ) &
( i=0; while [ $SECONDS -lt $end ]; do
    d="$v2/cf-mem-$i"; mkdir "$d"; sh -c "echo \$\$ > '$d/cgroup.procs'; exec /bin/true"; rmdir "$d" 2>/dev/null || true; i=$((i+1))
  done ) &
printf '%8s %12s %10s\n' seconds events rss_MiB
first=""
t0=$SECONDS
while [ $SECONDS -lt $end ]; do
  sleep 15
  rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/$rec/status)
  events=$(sqlite3 -readonly "$db" 'SELECT coalesce(sum(events), 0) FROM sessions' 2>/dev/null || echo "?")
  printf '%8d %12s %10s\n' $((SECONDS - t0)) "$events" "$rss"
  [ -z "$first" ] && first=$rss
done
wait $(jobs -p | grep -v "^$rec\$") 2>/dev/null || true
kill -INT $rec; wait $rec || true
last_rss=$rss
cgroups=$(sqlite3 -readonly "$db" "SELECT count(*) FROM cgroups WHERE path LIKE '/cf-mem-%'")
events=$(sqlite3 -readonly "$db" 'SELECT events, lost FROM sessions')
echo "memory: ${seconds} s storm, events|lost $events, $cgroups cgroups created and removed; RSS first sample ${first} MiB, last ${last_rss} MiB"
