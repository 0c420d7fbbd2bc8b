#!/usr/bin/env bash
# scripts/bench-tools.sh — what the bench needs besides Casefile itself, made ready (idempotent).
#
#   1. Installs what is missing of the peers the bench compares against (bpftrace, auditd) and of
#      the headers the tools below build against (libbpf-dev libelf-dev zlib1g-dev libsqlite3-dev).
#      apt-get update/install run only when something is missing.
#   2. Leaves auditd installed but not running and not enabled at boot: the bench starts it only
#      for its own run. If the install started an auditd (its postinst does where services may
#      start), that daemon is stopped and auditing switched off (auditctl -e 0); the kernel is left
#      with no audit rules (auditctl -D) unless an auditd is running.
#      Beware: once auditing has been enabled since boot (any auditd start), every process forked
#      afterwards carries an audit context and pays ~150 ns more per syscall (measured: getppid
#      200 -> 350 ns, open+close storm ~+12%), even with auditing off and no rules, until reboot or
#      until a `-a never,task` rule is loaded (auditctl -D removes that rule too).
#   3. Builds into .build/bench-tools/ (only what is older than its source):
#        floor.bpf.o, floor    bench/floor/: the minimal libbpf ring-buffer consumer (the "floor")
#        sqlite-insert         bench/sqlite-insert.c: raw SQLite insert rate for the events row shape
#
# Usage (root, from the repo root or anywhere): scripts/bench-tools.sh
# Prints nothing on success except what apt-get prints; exits non-zero with a message on failure.
# Environment: BPF_CLANG (default /opt/swift/usr/bin/clang, else clang on PATH), CC (default cc).
set -euo pipefail

die() { echo "bench-tools: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (installs packages, stops auditd)"
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build/bench-tools

# --- 1. packages ----------------------------------------------------------------------------------
packages="bpftrace auditd libbpf-dev libelf-dev zlib1g-dev libsqlite3-dev"
missing=$(for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
done)
if [ -n "$missing" ]; then
	auditd_was_running=0
	pgrep -x auditd >/dev/null 2>&1 && auditd_was_running=1
	# shellcheck disable=SC2086
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } ||
		die "apt-get install of $(echo $missing) failed"

	# --- 2. auditd: installed, not running, not enabled, no rules --------------------------------
	case " $(echo $missing) " in
	*" auditd "*)
		if [ "$auditd_was_running" = 0 ]; then
			for pid in $(pgrep -x auditd || true); do
				# The daemon the postinst just started: the init script if there is one, else its pid.
				if [ -x /etc/init.d/auditd ]; then /etc/init.d/auditd stop >/dev/null 2>&1 || true; fi
				kill -TERM "$pid" 2>/dev/null || true
				for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
				kill -0 "$pid" 2>/dev/null && die "auditd (pid $pid) started by the install did not stop"
				auditctl -e 0 >/dev/null 2>&1 || true
			done
		fi
		# Not at boot: systemd unit (works offline too) and SysV links, whichever exist.
		if command -v systemctl >/dev/null 2>&1; then systemctl disable auditd >/dev/null 2>&1 || true; fi
		if command -v update-rc.d >/dev/null 2>&1 && [ -e /etc/init.d/auditd ]; then
			update-rc.d auditd disable >/dev/null 2>&1 || true
		fi
		;;
	esac
fi
# No audit rules left in the kernel (unless an auditd is running: then they are its run's rules).
if command -v auditctl >/dev/null 2>&1 && ! pgrep -x auditd >/dev/null 2>&1; then
	auditctl -D >/dev/null || die "auditctl -D failed"
	[ "$(auditctl -l 2>&1)" = "No rules" ] || die "audit rules remain after auditctl -D: $(auditctl -l 2>&1)"
fi

# --- 3. tools -------------------------------------------------------------------------------------
bpf_clang=${BPF_CLANG:-/opt/swift/usr/bin/clang}
[ -x "$bpf_clang" ] || bpf_clang=$(command -v clang || true)
[ -n "$bpf_clang" ] || die "no clang for -target bpf (set BPF_CLANG; the Swift toolchain has one in /opt/swift/usr/bin)"
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || die "no C compiler ($cc)"
mkdir -p "$out" || die "cannot create $out"

# stale TARGET SOURCE...: true when TARGET is missing or older than a source.
stale() {
	local target=$1; shift
	[ -e "$target" ] || return 0
	local src
	for src in "$@"; do [ "$src" -nt "$target" ] && return 0; done
	return 1
}

src=$root/bench
[ -f "$src/floor/floor.bpf.c" ] && [ -f "$src/floor/floor.c" ] && [ -f "$src/sqlite-insert.c" ] ||
	die "sources missing under $src (floor/floor.bpf.c, floor/floor.c, sqlite-insert.c)"

if stale "$out/floor.bpf.o" "$src/floor/floor.bpf.c"; then
	"$bpf_clang" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu \
		-c "$src/floor/floor.bpf.c" -o "$out/floor.bpf.o.tmp" ||
		die "compiling bench/floor/floor.bpf.c with $bpf_clang failed"
	mv -f "$out/floor.bpf.o.tmp" "$out/floor.bpf.o"
fi
if stale "$out/floor" "$src/floor/floor.c"; then
	"$cc" -O2 -Wall -o "$out/floor.tmp" "$src/floor/floor.c" -lbpf -lelf -lz ||
		die "building bench/floor/floor.c failed (needs libbpf-dev libelf-dev zlib1g-dev)"
	mv -f "$out/floor.tmp" "$out/floor"
fi
if stale "$out/sqlite-insert" "$src/sqlite-insert.c"; then
	"$cc" -O2 -Wall -o "$out/sqlite-insert.tmp" "$src/sqlite-insert.c" -lsqlite3 ||
		die "building bench/sqlite-insert.c failed (needs libsqlite3-dev)"
	mv -f "$out/sqlite-insert.tmp" "$out/sqlite-insert"
fi
