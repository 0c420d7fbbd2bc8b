#!/usr/bin/env bash
# scripts/runtimes.sh — install, start and stock the real container runtimes Casefile is tested against
# (Docker, containerd with CRI, Podman), on a Debian 12 machine with no registry reachable.
#
# Usage: bash scripts/runtimes.sh [all|install|start|images|check|status|stop]
#   all      (default) install, start, images
#   install  apt-get install what is missing (apt-get update only when something is missing;
#            python3 makes the sockets of the network event tests)
#   start    start the daemons that do not answer yet, wait until each socket answers
#   images   build/import the local images where missing
#   check    smoke test: run a container through each runtime, check containerd's CRI plugin
#   status   print which runtimes answer (exit 1 if any does not)
#   stop     stop the daemons this script started (pid files in /run/casefile-ci/)
#
# Idempotent: a second `all` only checks that things answer and exist. Runs as root, from any cwd,
# with no interaction. Daemons are started with setsid+nohup so they outlive this script.
# Environment: CASEFILE_RUNTIMES_TIMEOUT (seconds to wait for each daemon, default 90).
#
# What runs, and why this way (checked on Debian 12: docker.io 20.10.24, containerd 1.6.20, podman 4.3.1,
# no systemd, cgroup v1+v2 hybrid, no CAP_SYS_RESOURCE):
#
#   containerd  standalone, socket /run/containerd/containerd.sock, root /var/lib/containerd, state
#               /run/containerd. Config: `containerd config default` (the CRI plugin is enabled there)
#               with `restrict_oom_score_adj = true` (without it CRI sandbox creation fails with
#               "can't get final child's PID from pipe": setting oom_score_adj needs CAP_SYS_RESOURCE).
#               The generated config lives in /run/casefile-ci/containerd.toml; Debian's own
#               /etc/containerd/config.toml is not used.
#   dockerd     --iptables=false --bridge=none, socket /var/run/docker.sock, cgroupfs driver, API 1.41.
#               It is pointed explicitly at the standalone containerd (--containerd=/run/containerd/containerd.sock),
#               as Debian's own docker.service does. Docker's containers then live in that containerd's
#               "moby" namespace, next to the kubelet-like ones in "k8s.io"; there is one containerd, one
#               set of shims. Without --containerd, dockerd 20.10 uses /run/containerd/containerd.sock if that
#               socket exists when it starts, and otherwise spawns its own embedded containerd at
#               /var/run/docker/containerd/containerd.sock (checked: its generated config has
#               disabled_plugins = ["cri"]; own root /var/lib/docker/containerd); that can run beside ours,
#               but which one dockerd uses would then depend on start order, so we do not leave it to chance.
#               Order: containerd first, then dockerd; stop goes the other way (dockerd stops its containers,
#               up to 10 s; containers started with ctr keep running in their shims when containerd stops).
#   podman      `podman system service --time=0 unix:///run/podman/podman.sock` (Docker-compatible and
#               libpod API), cgroupfs manager. Runs by root need
#               `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024` (runc cannot raise rlimits here: without
#               them "error setting rlimit type 7: operation not permitted"); through the API the client must send
#               HostConfig.Ulimits the same way (checked: the compat create+start gives 500 without, 204 with).
#
# Images (made locally from busybox-static; nothing is pulled):
#   docker:      casefile/busybox:1, registry.k8s.io/pause:3.6 (ENTRYPOINT ["/bin/sleep","2147483647"])
#   containerd:  namespace k8s.io: docker.io/casefile/busybox:1, registry.k8s.io/pause:3.6 (pause is
#                containerd's default sandbox_image, so CRI RunPodSandbox finds it locally)
#   podman:      loaded from `docker save`, named localhost/casefile/busybox:1 (`casefile/busybox:1` resolves to it)
#
# Cgroup paths (v2 hierarchy at /sys/fs/cgroup/unified, same path in each v1 controller):
#   docker /docker/<64hex>; `ctr run --cgroup X`: X (checked); CRI with cgroup_parent P: P/<64hex> (machine notes);
#   podman /libpod_parent/libpod-<64hex>.

set -euo pipefail

export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a NEEDRESTART_SUSPEND=1
# Daemons find their helpers through PATH (containerd-shim-runc-v2, runc in /usr/sbin, docker-init, conmon).
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"
# Never let the caller's environment redirect our clients.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_CONFIG CONTAINERD_ADDRESS CONTAINERD_NAMESPACE CONTAINER_HOST CONTAINERS_CONF || true

STATE_DIR=/run/casefile-ci
LOG_DIR=/var/log/casefile-ci
TIMEOUT="${CASEFILE_RUNTIMES_TIMEOUT:-90}"

DOCKERD_BIN=/usr/sbin/dockerd
# Debian's CLI, matching dockerd's API; a newer `docker` may sit earlier in PATH (/usr/local/bin on some images).
DOCKER_BIN=/usr/bin/docker
CONTAINERD_BIN=/usr/bin/containerd
CTR_BIN=/usr/bin/ctr
PODMAN_BIN=/usr/bin/podman

DOCKER_SOCK=/var/run/docker.sock
CONTAINERD_SOCK=/run/containerd/containerd.sock
PODMAN_SOCK=/run/podman/podman.sock
CONTAINERD_CONFIG="$STATE_DIR/containerd.toml"

BUSYBOX_IMAGE=casefile/busybox:1
PAUSE_IMAGE=registry.k8s.io/pause:3.6
CTR_BUSYBOX_IMAGE=docker.io/casefile/busybox:1       # how containerd names the imported image
PODMAN_BUSYBOX_IMAGE=localhost/casefile/busybox:1    # how podman names it after `podman load`
CTR_NAMESPACE=k8s.io
BUSYBOX_APPLETS=(sh ls cat sleep echo true false wget id ps env mkdir touch rm head tail)

PACKAGES=(docker.io containerd runc podman busybox-static curl util-linux docker-registry python3)

# A local image registry on loopback (Debian's docker-registry): pushing an image through it gives it
# a real repo digest (RepoDigests / containerd target digest), which locally imported images lack.
REGISTRY_BIN=/usr/bin/docker-registry
REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_CONFIG="$STATE_DIR/registry.yml"
REGISTRY_IMAGE=localhost:5000/casefile/busybox:1

log() { printf '[runtimes] %s\n' "$*" >&2; }
die() { printf '[runtimes] ERROR: %s\n' "$*" >&2; exit 1; }

docker_cli() { "$DOCKER_BIN" --host "unix://$DOCKER_SOCK" "$@"; }
ctr_cli() { "$CTR_BIN" --address "$CONTAINERD_SOCK" "$@"; }
podman_cli() { "$PODMAN_BIN" --cgroup-manager=cgroupfs "$@"; }

# ---------------------------------------------------------------------------------------------- install

pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

cmd_install() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "install: all packages present (${PACKAGES[*]})"
  else
    log "install: installing ${missing[*]}"
    # Keep packages from starting their own daemons (docker.io ships a SysV script; without systemd
    # invoke-rc.d would run it): we start them ourselves with our flags.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made_policy=1
    fi
    local rc=0
    {
      apt-get -o DPkg::Lock::Timeout=300 update -q &&
      apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
    } || rc=$?
    [ "$made_policy" = 1 ] && rm -f "$policy"
    [ "$rc" = 0 ] || die "apt-get failed (exit $rc) installing: ${missing[*]}"
  fi
  local b
  for b in "$DOCKERD_BIN" "$DOCKER_BIN" "$CONTAINERD_BIN" "$CTR_BIN" "$PODMAN_BIN" /usr/sbin/runc /bin/busybox /usr/bin/curl; do
    [ -x "$b" ] || die "install: $b is missing after installing ${PACKAGES[*]}"
  done
}

# ------------------------------------------------------------------------------------- process helpers

pidfile() { echo "$STATE_DIR/$1.pid"; }

# Prints the pid recorded for NAME if that process is still alive and still runs BINARY.
our_pid() {
  local name="$1" bin="$2" f pid exe
  f="$(pidfile "$name")"
  [ -s "$f" ] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  [ "${exe% (deleted)}" = "$bin" ] || return 1
  echo "$pid"
}

# True if some process listens on the unix socket PATH (flag 00010000 = listening, in /proc/net/unix).
sock_listening() { awk -v p="$1" '$NF == p && $4 == "00010000" { found = 1 } END { exit !found }' /proc/net/unix; }

docker_answers() { [ "$(curl -fsS --max-time 5 --unix-socket "$DOCKER_SOCK" http://localhost/_ping 2>/dev/null)" = "OK" ]; }
registry_answers() { curl -fsS --max-time 5 "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }
podman_answers() { [ "$(curl -fsS --max-time 5 --unix-socket "$PODMAN_SOCK" http://localhost/_ping 2>/dev/null)" = "OK" ]; }
# ctr retries a missing socket until its timeout: test the socket file first.
containerd_answers() {
  [ -S "$CONTAINERD_SOCK" ] &&
    timeout 10 "$CTR_BIN" --address "$CONTAINERD_SOCK" --connect-timeout 3s version >/dev/null 2>&1
}
containerd_cri_status() {
  timeout 10 "$CTR_BIN" --address "$CONTAINERD_SOCK" plugins ls 2>/dev/null |
    awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" { print $NF }'
}

api_field() { # api_field SOCK PATH FIELD: a top-level string field of a JSON answer
  curl -fsS --max-time 5 --unix-socket "$1" "http://localhost$2" 2>/dev/null |
    sed -n "s/.*\"$3\":\"\\([^\"]*\\)\".*/\\1/p"
}

# wait_answering NAME LOG CHECKFN [PID]: wait until CHECKFN succeeds; fail naming LOG.
wait_answering() {
  local name="$1" logf="$2" check="$3" pid="${4:-}" deadline=$((SECONDS + TIMEOUT))
  while ! "$check"; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logf" >&2 2>/dev/null || true
      die "$name (pid $pid) exited before answering; see $logf"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$logf" >&2 2>/dev/null || true
      die "$name did not answer within ${TIMEOUT}s; see $logf"
    fi
    sleep 0.5
  done
}

# spawn NAME LOG CMD...: start CMD detached (own session, no tty, stdin /dev/null), record its pid.
spawn() {
  local name="$1" logf="$2"; shift 2
  printf '\n==== %s: starting %s: %s\n' "$(date -Is)" "$name" "$*" >>"$logf"
  # Not a process-group leader here (no job control), so setsid and nohup exec in place and $! is the daemon.
  # 9>&- : the daemon must not inherit (and so hold forever) our lock.
  setsid nohup "$@" >>"$logf" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid" >"$(pidfile "$name")"
  SPAWNED_PID=$pid
}

# ensure_daemon NAME BIN SOCK CHECKFN LOG CMD...: the common start logic.
ensure_daemon() {
  local name="$1" bin="$2" sock="$3" check="$4" logf="$5"; shift 5
  local pid
  if "$check"; then
    if pid="$(our_pid "$name" "$bin")"; then log "start: $name already answers on $sock (pid $pid)"
    else log "start: $name already answers on $sock (not started by this script; left as it is)"; fi
    return 0
  fi
  if pid="$(our_pid "$name" "$bin")"; then
    log "start: $name (pid $pid) runs but does not answer yet; waiting"
    wait_answering "$name" "$logf" "$check" "$pid"
    return 0
  fi
  if [ -S "$sock" ] && sock_listening "$sock"; then
    log "start: something listens on $sock but does not answer yet; waiting"
    wait_answering "$name" "$logf" "$check"
    return 0
  fi
  rm -f "$sock" # stale socket file from a dead daemon
  spawn "$name" "$logf" "$@"
  log "start: $name started (pid $SPAWNED_PID), log $logf; waiting for $sock"
  wait_answering "$name" "$logf" "$check" "$SPAWNED_PID"
  log "start: $name answers"
}

# ------------------------------------------------------------------------------------------------ start

write_containerd_config() {
  local tmp="$CONTAINERD_CONFIG.tmp"
  "$CONTAINERD_BIN" config default >"$tmp"
  sed -i -e 's/^\([[:space:]]*\)restrict_oom_score_adj = false/\1restrict_oom_score_adj = true/' \
         -e 's/^disabled_plugins = .*/disabled_plugins = []/' "$tmp"
  grep -q '^[[:space:]]*restrict_oom_score_adj = true' "$tmp" ||
    die "could not set restrict_oom_score_adj = true in $tmp (containerd config format changed?)"
  grep -q "address = \"$CONTAINERD_SOCK\"" "$tmp" ||
    die "containerd's default config does not use $CONTAINERD_SOCK; see $tmp"
  mv "$tmp" "$CONTAINERD_CONFIG"
}

start_containerd() {
  write_containerd_config
  ensure_daemon containerd "$CONTAINERD_BIN" "$CONTAINERD_SOCK" containerd_answers "$LOG_DIR/containerd.log" \
    "$CONTAINERD_BIN" --config "$CONTAINERD_CONFIG"
  # The CRI plugin registers asynchronously right after the socket answers; give it a moment.
  local st="" deadline=$((SECONDS + 20))
  while :; do
    st="$(containerd_cri_status || true)"
    [ "$st" = "ok" ] && break
    [ "$SECONDS" -ge "$deadline" ] && break
    sleep 0.5
  done
  [ "$st" = "ok" ] ||
    die "containerd on $CONTAINERD_SOCK answers but its CRI plugin is '${st:-absent}', not ok (a containerd not started by this script, or a CRI init error); see $LOG_DIR/containerd.log"
}

start_dockerd() {
  ensure_daemon dockerd "$DOCKERD_BIN" "$DOCKER_SOCK" docker_answers "$LOG_DIR/dockerd.log" \
    "$DOCKERD_BIN" --iptables=false --bridge=none \
      --host "unix://$DOCKER_SOCK" \
      --containerd "$CONTAINERD_SOCK" \
      --exec-opt native.cgroupdriver=cgroupfs \
      --pidfile /var/run/docker.pid
}

start_podman() {
  mkdir -p "$(dirname "$PODMAN_SOCK")"
  ensure_daemon podman "$PODMAN_BIN" "$PODMAN_SOCK" podman_answers "$LOG_DIR/podman.log" \
    "$PODMAN_BIN" --cgroup-manager=cgroupfs --log-level=info system service --time=0 "unix://$PODMAN_SOCK"
}

start_registry() {
  mkdir -p /var/lib/casefile-ci/registry
  cat >"$REGISTRY_CONFIG" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/casefile-ci/registry
http:
  addr: $REGISTRY_ADDR
YML
  if registry_answers; then log "start: registry already answers on $REGISTRY_ADDR"; return 0; fi
  spawn registry "$LOG_DIR/registry.log" "$REGISTRY_BIN" serve "$REGISTRY_CONFIG"
  local deadline=$((SECONDS + TIMEOUT))
  until registry_answers; do
    [ "$SECONDS" -ge "$deadline" ] && die "registry did not answer on $REGISTRY_ADDR; see $LOG_DIR/registry.log"
    sleep 0.3
  done
  log "start: registry answers on $REGISTRY_ADDR"
}

cmd_start() {
  [ -x "$DOCKERD_BIN" ] && [ -x "$CONTAINERD_BIN" ] && [ -x "$PODMAN_BIN" ] ||
    die "runtimes are not installed; run: bash $0 install"
  if ! grep -q ' /sys/fs/cgroup/' /proc/self/mountinfo; then
    log "start: no cgroup hierarchy mounted under /sys/fs/cgroup; trying cgroupfs-mount"
    if ! command -v cgroupfs-mount >/dev/null || ! cgroupfs-mount; then die "no cgroups mounted under /sys/fs/cgroup"; fi
  fi
  start_containerd
  start_dockerd
  start_podman
  start_registry
}

# ----------------------------------------------------------------------------------------------- images

make_rootfs() { # make_rootfs DIR: busybox-static plus applet links and a minimal /etc
  local dir="$1" a
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/root"
  chmod 1777 "$dir/tmp"
  cp /bin/busybox "$dir/bin/busybox"
  for a in "${BUSYBOX_APPLETS[@]}"; do ln -sf busybox "$dir/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
}

docker_has() { docker_cli image inspect "$1" >/dev/null 2>&1; }
# (No `producer | grep -q` under pipefail: grep quitting early makes the producer die of SIGPIPE.)
ctr_has() {
  local refs
  refs="$(ctr_cli -n "$CTR_NAMESPACE" images ls -q 2>/dev/null)" || return 1
  grep -qxF "$1" <<<"$refs"
}
podman_has() { podman_cli image exists "$1" 2>/dev/null; }

cmd_images() {
  docker_answers || die "dockerd does not answer on $DOCKER_SOCK; run: bash $0 start"
  containerd_answers || die "containerd does not answer on $CONTAINERD_SOCK; run: bash $0 start"
  local work
  work="$(mktemp -d /tmp/casefile-images.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT

  if docker_has "$BUSYBOX_IMAGE" && docker_has "$PAUSE_IMAGE"; then
    log "images: docker has $BUSYBOX_IMAGE and $PAUSE_IMAGE"
  else
    make_rootfs "$work/rootfs"
    if ! docker_has "$BUSYBOX_IMAGE"; then
      log "images: docker import $BUSYBOX_IMAGE"
      tar -C "$work/rootfs" -c . | docker_cli import - "$BUSYBOX_IMAGE" >/dev/null
    fi
    if ! docker_has "$PAUSE_IMAGE"; then
      # CRI starts the sandbox with the image's own entrypoint and no command: it needs one.
      log "images: docker import $PAUSE_IMAGE"
      tar -C "$work/rootfs" -c . |
        docker_cli import --change 'ENTRYPOINT ["/bin/sleep","2147483647"]' - "$PAUSE_IMAGE" >/dev/null
    fi
  fi

  if ctr_has "$CTR_BUSYBOX_IMAGE" && ctr_has "$PAUSE_IMAGE"; then
    log "images: containerd ($CTR_NAMESPACE) has $CTR_BUSYBOX_IMAGE and $PAUSE_IMAGE"
  else
    log "images: docker save | ctr -n $CTR_NAMESPACE images import"
    docker_cli save -o "$work/images.tar" "$BUSYBOX_IMAGE" "$PAUSE_IMAGE"
    ctr_cli -n "$CTR_NAMESPACE" images import "$work/images.tar" >/dev/null
    { ctr_has "$CTR_BUSYBOX_IMAGE" && ctr_has "$PAUSE_IMAGE"; } ||
      die "after import, containerd ($CTR_NAMESPACE) lacks $CTR_BUSYBOX_IMAGE or $PAUSE_IMAGE: $(ctr_cli -n "$CTR_NAMESPACE" images ls -q | tr '\n' ' ')"
  fi

  if podman_has "$PODMAN_BUSYBOX_IMAGE"; then
    log "images: podman has $PODMAN_BUSYBOX_IMAGE"
  else
    log "images: docker save | podman load"
    docker_cli save -o "$work/busybox.tar" "$BUSYBOX_IMAGE"
    podman_cli load -q -i "$work/busybox.tar" >/dev/null
    podman_has "$PODMAN_BUSYBOX_IMAGE" ||
      die "after podman load, podman lacks $PODMAN_BUSYBOX_IMAGE: $(podman_cli images --format '{{.Repository}}:{{.Tag}}' | tr '\n' ' ')"
  fi

  # The same busybox through the local registry, so every runtime holds it with a repo digest.
  registry_answers || die "the registry does not answer on $REGISTRY_ADDR; run: bash $0 start"
  if docker_cli image inspect --format '{{join .RepoDigests " "}}' "$REGISTRY_IMAGE" 2>/dev/null | grep -q '@sha256:'; then
    log "images: docker has $REGISTRY_IMAGE with a repo digest"
  else
    log "images: docker push $REGISTRY_IMAGE"
    docker_cli tag "$BUSYBOX_IMAGE" "$REGISTRY_IMAGE"
    docker_cli push "$REGISTRY_IMAGE" >/dev/null
    docker_cli image inspect --format '{{join .RepoDigests " "}}' "$REGISTRY_IMAGE" | grep -q '@sha256:' ||
      die "after docker push, $REGISTRY_IMAGE has no repo digest"
  fi
  if ctr_has "$REGISTRY_IMAGE"; then
    log "images: containerd ($CTR_NAMESPACE) has $REGISTRY_IMAGE"
  else
    log "images: ctr pull $REGISTRY_IMAGE"
    ctr_cli -n "$CTR_NAMESPACE" images pull --plain-http "$REGISTRY_IMAGE" >/dev/null
  fi
  if podman_has "$REGISTRY_IMAGE"; then
    log "images: podman has $REGISTRY_IMAGE"
  else
    log "images: podman pull $REGISTRY_IMAGE"
    podman_cli pull -q --tls-verify=false "$REGISTRY_IMAGE" >/dev/null
  fi

  rm -rf "$work"
  trap - EXIT
}

# ------------------------------------------------------------------------------------------------ check

cmd_check() {
  local out id uid=11111111-2222-3333-4444-555555555555 fails=0
  # check_out NAME REGEX: the container printed "hi" and a v2 cgroup line matching REGEX
  check_out() {
    if grep -qx hi <<<"$out" && grep -Eqx "$2" <<<"$out"; then log "check: $1 ok ($(grep '^0::' <<<"$out"))"
    else log "check: $1 FAILED: $out"; fails=1; fi
  }
  out="$(docker_cli run --rm --network none "$BUSYBOX_IMAGE" sh -c 'echo hi; cat /proc/self/cgroup' 2>&1)" || true
  check_out "docker run" '0::/docker/[0-9a-f]{64}'

  id="casefile-check-$$"
  out="$(ctr_cli -n "$CTR_NAMESPACE" run --rm --cgroup "/kubepods/besteffort/pod$uid/$id" \
          --label io.kubernetes.pod.uid=$uid "$CTR_BUSYBOX_IMAGE" "$id" sh -c 'echo hi; cat /proc/self/cgroup' 2>&1)" || true
  check_out "ctr -n $CTR_NAMESPACE run" "0::/kubepods/besteffort/pod$uid/$id"

  if [ "$(containerd_cri_status || true)" = ok ]; then log "check: containerd CRI plugin ok"
  else log "check: containerd CRI plugin not ok"; fails=1; fi

  out="$(podman_cli run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none \
          "$BUSYBOX_IMAGE" sh -c 'echo hi; cat /proc/self/cgroup' 2>&1)" || true
  check_out "podman run" '0::/libpod_parent/libpod-[0-9a-f]{64}'

  [ "$fails" = 0 ] || die "check failed"
}

# ----------------------------------------------------------------------------------------------- status

cmd_status() {
  local down=0 v
  if docker_answers; then
    echo "docker:     answers on $DOCKER_SOCK (engine $(api_field "$DOCKER_SOCK" /version Version), API $(api_field "$DOCKER_SOCK" /version ApiVersion))"
  else echo "docker:     DOWN ($DOCKER_SOCK; log $LOG_DIR/dockerd.log)"; down=1; fi
  if containerd_answers; then
    v="$(ctr_cli version 2>/dev/null | awk '/Server:/ { s = 1 } s && $1 == "Version:" && !v { v = $2 } END { print v }')"
    echo "containerd: answers on $CONTAINERD_SOCK (version $v, CRI plugin: $(containerd_cri_status || echo '?'))"
  else echo "containerd: DOWN ($CONTAINERD_SOCK; log $LOG_DIR/containerd.log)"; down=1; fi
  if podman_answers; then
    echo "podman:     answers on $PODMAN_SOCK (version $(api_field "$PODMAN_SOCK" /version Version), compat API $(api_field "$PODMAN_SOCK" /version ApiVersion))"
  else echo "podman:     DOWN ($PODMAN_SOCK; log $LOG_DIR/podman.log)"; down=1; fi
  if registry_answers; then echo "registry:   answers on $REGISTRY_ADDR"
  else echo "registry:   DOWN ($REGISTRY_ADDR; log $LOG_DIR/registry.log)"; down=1; fi
  return "$down"
}

# ------------------------------------------------------------------------------------------------- stop

stop_one() { # stop_one NAME BIN: stop the process whose pid file this script wrote
  local name="$1" bin="$2" pid i
  if ! pid="$(our_pid "$name" "$bin")"; then
    rm -f "$(pidfile "$name")"
    log "stop: $name not running (from this script)"
    return 0
  fi
  log "stop: $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 120; i++)); do # dockerd stops its containers first (10 s grace each, in parallel)
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "stop: $name (pid $pid) still alive after 60 s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pidfile "$name")"
}

cmd_stop() {
  stop_one registry "$REGISTRY_BIN"
  stop_one podman "$PODMAN_BIN"
  stop_one dockerd "$DOCKERD_BIN"
  stop_one containerd "$CONTAINERD_BIN"
}

# ------------------------------------------------------------------------------------------------- main

main() {
  local cmd="${1:-all}"
  case "$cmd" in
    all | install | start | images | check | status | stop) ;;
    -h | --help | help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; return 0 ;;
    *) die "unknown subcommand '$cmd' (all|install|start|images|check|status|stop)" ;;
  esac
  [ "$(id -u)" = 0 ] || die "must run as root"
  mkdir -p "$STATE_DIR" "$LOG_DIR"
  # One invocation at a time (CI and test setup may race); status does not need the lock.
  if [ "$cmd" != status ]; then
    exec 9>"$STATE_DIR/lock"
    flock -w 900 9 || die "another runtimes.sh holds $STATE_DIR/lock"
  fi
  case "$cmd" in
    all) cmd_install; cmd_start; cmd_images ;;
    install) cmd_install ;;
    start) cmd_start ;;
    images) cmd_images ;;
    check) cmd_check ;;
    status) cmd_status ;;
    stop) cmd_stop ;;
  esac
}

main "$@"
