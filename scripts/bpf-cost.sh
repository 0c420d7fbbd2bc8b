#!/bin/bash
# The kernel-side cost of recording: average run time of each BPF program of `casefile record`
# during open()+close() storms, from the kernel's own statistics (kernel.bpf_stats_enabled, then
# run_time_ns / run_cnt in /proc/PID/fdinfo of each program). Robust where wall-clock ratios on a
# noisy VM are not. Usage (as root): scripts/bpf-cost.sh [OPENS] [casefile record flags...]
set -euo pipefail
opens=${1:-1000000}; shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
casefile=$root/.build/release/casefile
[ -x "$casefile" ] || { echo "bpf-cost: build first: swift build -c release --product casefile" >&2; exit 1; }
work=$(mktemp -d /tmp/casefile-bpf-cost.XXXXXX)
trap 'sysctl -qw kernel.bpf_stats_enabled=0; rm -rf "$work"' EXIT
cat > "$work/storm.c" <<'C'
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
	int n = atoi(argv[1]);
	for (int i = 0; i < n; i++) { int fd = open(argv[2], O_RDONLY); if (fd >= 0) close(fd); }
	return 0;
}
C
cc -O2 -o "$work/storm" "$work/storm.c"
echo x > "$work/target"
sysctl -qw kernel.bpf_stats_enabled=1
"$casefile" record --db "$work/c.db" --quiet --no-enrichment "$@" >/dev/null 2>&1 &
pid=$!
sleep 2
"$work/storm" "$opens" "$work/target"
for fd in /proc/$pid/fdinfo/*; do
  grep -q '^prog_type' "$fd" 2>/dev/null || continue
  ns=$(awk '/^run_time_ns/{print $2}' "$fd"); cnt=$(awk '/^run_cnt/{print $2}' "$fd")
  id=$(awk '/^prog_id/{print $2}' "$fd")
  [ -n "$cnt" ] && [ "$cnt" -gt 1000 ] || continue
  awk -v id="$id" -v ns="$ns" -v cnt="$cnt" -v n="$opens" \
    'BEGIN { printf "prog id %s: %d runs, %.0f ns per run, %.0f ns per open+close\n", id, cnt, ns / cnt, ns / n }'
done
kill -INT $pid; wait $pid || true
