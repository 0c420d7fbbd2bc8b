#!/usr/bin/env bash
# scripts/query-scenario.sh — record a small, known attack-like scenario into a fresh case file, so every
# named query in queries/ has rows to show (and the rows it should not show are known too).
#
# Usage (as root, runtimes started by `bash scripts/runtimes.sh all`):
#   bash scripts/query-scenario.sh [DB]          # default DB: /tmp/qa/casefile.db (replaced if it exists)
# Then e.g.: sqlite3 -readonly -header -column /tmp/qa/casefile.db < queries/shells-in-containers.sql
#
# Environment: CASEFILE (recorder binary, default .build/release/casefile of this checkout),
# CASEFILE_IMAGE (busybox image for docker, default casefile/busybox:1),
# CASEFILE_CTR_IMAGE (the same image as containerd's k8s.io namespace names it, default docker.io/casefile/busybox:1).
#
# What it does, while `casefile record` runs (each line says which query should show it):
#   pod shop/web-0: docker containers cf-web (busybox httpd listening on :8080, /dev/shm mounted exec,
#       seccomp=unconfined so refused namespace/mount calls reach the kernel) and cf-side (Docker's default
#       seccomp profile), with kubelet-style labels (pod-first-activity, listeners)
#   pod shop/api-0: a kubelet-like containerd container in /kubepods/besteffort/pod<UID>/<ID> (ctr), with
#       a `ctr task exec` shell (shells-in-containers, entered-from-outside); skipped when ctr is missing
#   docker exec ... sh -c: shells entered from outside (shells-in-containers, entered-from-outside,
#       container-commands)
#   /etc/shadow made 0600, then uid 1000 reads it (cat, and 20 redirections in one shell: folded) and
#       writes /etc/passwd and /etc/evil-u (denied-accesses)
#   /etc/evil written, renamed, hard- and symlinked, chowned, truncated; /root/.ssh/authorized_keys
#       appended; /etc/crontabs/root written; /usr/bin/id dropped (sensitive-file-writes); on the host,
#       /etc/cf-qa-marker touched and removed (host rows)
#   as root in cf-web: /etc/shadow, /proc/1/environ and a service-account token read (secret-reads)
#   busybox copied to /tmp/ls, /dev/shm/true and /usr/bin/id, chmod'ed, executed, and to /tmp/.x renamed
#       to /tmp/sleep and executed (new-binaries-executed, exec-from-writable-places)
#   a static helper (compiled here with cc when there is one, `docker cp`'d to /tmp/cfhelper): execveat of a
#       memfd with AT_EMPTY_PATH, execve of /proc/self/fd/N (exec-from-writable-places), ptrace attach to
#       cf-web's pid 1 (then detach), bpf map create (kernel-interface-use), and as uid 1000 setuid 0,
#       setresuid, setgid 0, capset (privilege-changes, denied-accesses)
#   unshare -m, unshare -U, mount -t tmpfs, umount, chroot, nsenter -n, insmod, rmmod, pivot_root in cf-web
#       (kernel-interface-use, denied-accesses) and the same in cf-side, where Docker's seccomp profile stops
#       them before the kernel's tracepoints (only its execs and chroot, which the profile allows, appear);
#       on the host unshare --mount, and
#       nsenter into cf-web's namespaces (setns rows of a host process: it keeps the host cgroup)
#   su nobody as root in cf-web (privilege-changes)
#   nc to 127.0.0.1:8080 (httpd accepts), 127.0.0.1:9 (refused), ::1:9 (no IPv6 address), 10.255.255.1:443
#       (no route in --network none); on the host, bash /dev/tcp to 127.0.0.1:9 (outbound-connections)
#   docker run --rm ... true, cf-blip (sh -c 'sleep 1'), and cf-job, labelled as pod batch/migrate-1
#       without a pod UID (short-lived-containers, pod-first-activity)
#   a fake Docker cgroup /docker/c0ffee000... with a sleep in it: a "container" no runtime knows
#       (enrichment-failures, short-lived-containers)
# The recorder is stopped with SIGINT (clean shutdown: recording-health). Containers are removed after the
# recording stops (so cf-web, cf-side and the api-0 container are not "short-lived"), and at the start of the
# next run: the script can be run again.

set -euo pipefail
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"

here=$(cd "$(dirname "$0")/.." && pwd)
DB=${1:-/tmp/qa/casefile.db}
CASEFILE=${CASEFILE:-$here/.build/release/casefile}
IMAGE=${CASEFILE_IMAGE:-casefile/busybox:1}
CTR_IMAGE=${CASEFILE_CTR_IMAGE:-docker.io/casefile/busybox:1}
WORK=$(dirname "$DB")
POD_WEB_UID=5e1f0a00-0000-4000-8000-00000000web0
POD_API_UID=5e1f0a00-0000-4000-8000-00000000a901
API_ID=$(printf 'a9%062d' 1)        # 64 hex: the api-0 container's id (containerd)
FAKE_ID=$(printf 'c0ffee%058d' 0)   # 64 hex: a Docker-shaped cgroup no runtime knows
CGROOT=/sys/fs/cgroup/unified
[ -d "$CGROOT" ] || CGROOT=/sys/fs/cgroup

log() { printf '[query-scenario] %s\n' "$*" >&2; }
quiet() { timeout 30 "$@" >/dev/null 2>&1 || true; }   # failures are expected (only the recording matters); no step may hang

[ "$(id -u)" = 0 ] || { log "run as root"; exit 1; }
"$CASEFILE" --version >/dev/null || { log "no recorder at $CASEFILE"; exit 1; }
docker info >/dev/null 2>&1 || { log "docker does not answer (bash scripts/runtimes.sh all)"; exit 1; }
have_ctr=0
if command -v ctr >/dev/null; then
    ctr_images=$(ctr -n k8s.io images ls -q 2>/dev/null || true)   # read it all: grep -q would leave ctr a broken pipe
    if printf '%s\n' "$ctr_images" | grep -qxF "$CTR_IMAGE"; then have_ctr=1; fi
fi

cleanup() {
    quiet docker rm -f cf-web cf-side cf-blip cf-job
    if [ "$have_ctr" = 1 ]; then
        quiet ctr -n k8s.io task kill -s KILL "$API_ID"
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            tasks=$(ctr -n k8s.io task ls -q 2>/dev/null || true)
            printf '%s\n' "$tasks" | grep -qxF "$API_ID" || break
            quiet ctr -n k8s.io task rm -f "$API_ID"; sleep 0.5
        done
        quiet ctr -n k8s.io containers rm "$API_ID"
    fi
    if [ -d "$CGROOT/docker/$FAKE_ID" ]; then
        for p in $(cat "$CGROOT/docker/$FAKE_ID/cgroup.procs" 2>/dev/null); do quiet kill -9 "$p"; done
        sleep 0.2; quiet rmdir "$CGROOT/docker/$FAKE_ID"
    fi
    rm -f /etc/cf-qa-marker
}

mkdir -p "$WORK"
cleanup
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"

# The helper (optional): memfd execs, ptrace and bpf attempts. Static, so it runs in busybox.
helper=""
if command -v cc >/dev/null; then
    cat >"$WORK/cfhelper.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/bpf.h>
extern char **environ;
static int copy_to_memfd(const char *src) {
    int fd = memfd_create("cf-payload", 0), in = open(src, O_RDONLY);
    char buf[65536]; ssize_t n;
    if (fd < 0 || in < 0) { perror("memfd/open"); return -1; }
    while ((n = read(in, buf, sizeof buf)) > 0) if (write(fd, buf, n) != n) return -1;
    close(in);
    return fd;
}
int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "memfd")) {          /* execveat(memfd, "", AT_EMPTY_PATH) */
        int fd = copy_to_memfd(argc > 2 ? argv[2] : "/bin/busybox");
        char *a[] = { "true", NULL };
        syscall(SYS_execveat, fd, "", a, environ, AT_EMPTY_PATH);
        perror("execveat"); return 1;
    }
    if (!strcmp(argv[1], "memfd-proc")) {     /* execve("/proc/self/fd/N") */
        int fd = copy_to_memfd(argc > 2 ? argv[2] : "/bin/busybox");
        char path[64]; snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        char *a[] = { "true", NULL };
        execve(path, a, environ);
        perror("execve"); return 1;
    }
    if (!strcmp(argv[1], "privs")) {          /* as a non-root user: each is refused (EPERM) */
        printf("setuid 0: %d\n", setuid(0));
        printf("setresuid -1 0 -1: %d\n", setresuid(-1, 0, -1));
        printf("setgid 0: %d\n", setgid(0));
        struct { unsigned v; int pid; } h = { 0x20080522, 0 };      /* _LINUX_CAPABILITY_VERSION_3 */
        struct { unsigned eff, perm, inh; } d[2] = { { 1u << 21, 1u << 21, 0 }, { 0, 0, 0 } };  /* CAP_SYS_ADMIN */
        printf("capset sys_admin: %ld\n", syscall(SYS_capset, &h, d));
        return 0;
    }
    if (!strcmp(argv[1], "kernel")) {         /* ptrace pid 1 (and let it go), bpf map create (refused without CAP_BPF) */
        long r = ptrace(PTRACE_ATTACH, 1, 0, 0);
        printf("ptrace attach 1: %ld\n", r);
        if (r == 0) { int st; waitpid(1, &st, __WALL); ptrace(PTRACE_DETACH, 1, 0, 0); }
        union bpf_attr at; memset(&at, 0, sizeof at);
        at.map_type = BPF_MAP_TYPE_ARRAY; at.key_size = 4; at.value_size = 4; at.max_entries = 1;
        printf("bpf map create: %ld\n", syscall(SYS_bpf, BPF_MAP_CREATE, &at, sizeof at));
        return 0;
    }
    return 2;
}
EOF
    if cc -static -O2 -o "$WORK/cfhelper" "$WORK/cfhelper.c" 2>/dev/null; then helper="$WORK/cfhelper"; else log "no static helper (cc -static failed): memfd/ptrace/bpf steps skipped"; fi
else
    log "no cc: memfd/ptrace/bpf steps skipped"
fi

log "recording into $DB"
"$CASEFILE" record --db "$DB" --duration 600 --quiet >"$DB.log" 2>&1 &
rec=$!
# Whatever happens from here on, the recorder is stopped (SIGINT: it drains and seals) and the
# scenario's containers are removed.
stop_recorder() {
    local rc=0
    if kill -0 "$rec" 2>/dev/null; then kill -INT "$rec" 2>/dev/null || true; fi
    wait "$rec" || rc=$?
    return "$rc"
}
trap 'stop_recorder || true; cleanup' EXIT
sleep 3
kill -0 "$rec" 2>/dev/null || { log "recorder exited early:"; cat "$DB.log" >&2; exit 1; }

pod_web_labels=(--label io.kubernetes.pod.name=web-0 --label io.kubernetes.pod.namespace=shop
                --label io.kubernetes.pod.uid=$POD_WEB_UID)

log "pod shop/web-0: cf-web, cf-side"
docker run -d --name cf-web --network none --tmpfs /dev/shm:rw,exec,size=16m --security-opt seccomp=unconfined \
    "${pod_web_labels[@]}" --label io.kubernetes.container.name=web \
    "$IMAGE" busybox httpd -f -p 8080 -h /tmp >/dev/null
docker run -d --name cf-side --network none "${pod_web_labels[@]}" --label io.kubernetes.container.name=side \
    "$IMAGE" sleep 100000 >/dev/null
sleep 1

if [ "$have_ctr" = 1 ]; then
    log "pod shop/api-0: containerd container $API_ID"
    quiet ctr -n k8s.io run -d --cgroup "/kubepods/besteffort/pod$POD_API_UID/$API_ID" \
        --label io.kubernetes.pod.name=api-0 --label io.kubernetes.pod.namespace=shop \
        --label io.kubernetes.pod.uid=$POD_API_UID --label io.kubernetes.container.name=api \
        "$CTR_IMAGE" "$API_ID" sleep 100000
    sleep 1
    quiet ctr -n k8s.io task exec --exec-id qa-shell "$API_ID" sh -c 'id; busybox nc -w 1 127.0.0.1 9 </dev/null'
fi

log "shadow file, denied accesses"
docker exec cf-web sh -c 'echo "root:*:19000:0:99999:7:::" > /etc/shadow; busybox chmod 600 /etc/shadow'
quiet docker exec -u 1000 cf-web cat /etc/shadow
quiet docker exec -u 1000 cf-web sh -c 'for i in $(busybox seq 20); do read x < /etc/shadow; done'
quiet docker exec -u 1000 cf-web sh -c 'echo x >> /etc/passwd'
quiet docker exec -u 1000 cf-web touch /etc/evil-u

log "sensitive writes"
quiet docker exec cf-web sh -c 'echo x > /etc/evil; busybox mv /etc/evil /etc/evil2; busybox ln -s /etc/evil2 /etc/evil-link
    busybox ln /etc/evil2 /etc/evil-hard; busybox chown 1000:1000 /etc/evil2; busybox truncate -s 0 /etc/evil2
    busybox rm /etc/evil-link /etc/evil-hard; busybox mkdir -p /root/.ssh
    echo "ssh-ed25519 AAAAC3Nza qa@attacker" >> /root/.ssh/authorized_keys
    busybox mkdir -p /etc/crontabs; echo "* * * * * /tmp/ls" > /etc/crontabs/root'
touch /etc/cf-qa-marker; rm -f /etc/cf-qa-marker

log "secrets read"
quiet docker exec cf-web sh -c 'cat /etc/shadow >/dev/null; cat /proc/1/environ >/dev/null
    busybox mkdir -p /var/run/secrets/kubernetes.io/serviceaccount
    echo token > /var/run/secrets/kubernetes.io/serviceaccount/token
    cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null'

log "binaries dropped and executed"
quiet docker exec cf-web sh -c 'busybox cp /bin/busybox /tmp/ls; busybox chmod +x /tmp/ls; /tmp/ls / >/dev/null
    busybox cp /bin/busybox /dev/shm/true; busybox chmod 755 /dev/shm/true; /dev/shm/true
    busybox mkdir -p /usr/bin; busybox cp /bin/busybox /usr/bin/id; /usr/bin/id
    busybox cp /bin/busybox /tmp/.x; busybox mv /tmp/.x /tmp/sleep; /tmp/sleep 0'
if [ -n "$helper" ]; then
    quiet docker cp "$helper" cf-web:/tmp/cfhelper
    quiet docker exec cf-web /tmp/cfhelper memfd
    quiet docker exec cf-web /tmp/cfhelper memfd-proc
    quiet docker exec cf-web /tmp/cfhelper kernel
fi

log "namespaces, mounts, modules"
escape='busybox unshare -m true; busybox unshare -U true; busybox mkdir -p /mnt; busybox mount -t tmpfs none /mnt
    busybox umount /etc/hostname; busybox chroot / true; busybox nsenter -t 1 -n true
    busybox insmod /etc/hostname; busybox rmmod cf_nonexistent; busybox mkdir -p /tmp/old; busybox pivot_root /tmp /tmp/old'
quiet docker exec cf-web sh -c "$escape"    # seccomp=unconfined: the calls reach the kernel (and are refused)
quiet docker exec cf-side sh -c "$escape"   # Docker's default seccomp profile refuses them before any tracepoint
quiet unshare --mount true                  # the host: allowed
pid_web=$(docker inspect -f '{{.State.Pid}}' cf-web)
quiet nsenter -t "$pid_web" -m -u -i -n -p /bin/busybox true   # joins its namespaces, not its cgroup

log "privileges"
quiet docker exec cf-web busybox su nobody -s /bin/sh -c id     # root drops to nobody: allowed
[ -z "$helper" ] || quiet docker exec -u 1000 cf-web /tmp/cfhelper privs   # setuid 0, setresuid, setgid 0, capset: EPERM

log "network"
# (busybox-static's wget segfaults here; nc connects the same way)
quiet docker exec cf-web sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | busybox nc -w 2 127.0.0.1 8080
    busybox nc -w 1 127.0.0.1 9 </dev/null; busybox nc -w 1 ::1 9 </dev/null; busybox nc -w 1 10.255.255.1 443 </dev/null'
quiet bash -c 'exec 3<>/dev/tcp/127.0.0.1/9'

log "short-lived containers"
quiet docker run --rm --network none "$IMAGE" true
quiet docker run --rm --name cf-blip --network none "$IMAGE" sh -c 'sleep 1'
# a pod known only from its labels (no io.kubernetes.pod.uid): namespace batch, pod migrate-1
quiet docker run -d --name cf-job --network none --label io.kubernetes.pod.name=migrate-1 \
    --label io.kubernetes.pod.namespace=batch "$IMAGE" sh -c 'sleep 1'

log "a Docker-shaped cgroup no runtime knows"
mkdir -p "$CGROOT/docker/$FAKE_ID"
bash -c "echo \$\$ > '$CGROOT/docker/$FAKE_ID/cgroup.procs'; exec sleep 2" || true
sleep 0.3
quiet rmdir "$CGROOT/docker/$FAKE_ID"

sleep 3   # let enrichment answer and the writer commit
log "stopping the recorder"
kill -0 "$rec" 2>/dev/null || log "the recorder had already stopped (--duration 600 reached?)"
rc=0; stop_recorder || rc=$?
trap - EXIT
cat "$DB.log" >&2
cleanup
[ "$rc" = 0 ] || { log "recorder exited with $rc"; exit "$rc"; }
echo "$DB"
