// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's "floor", kernel side: the least an eBPF recorder of openat() and execve() can do.
 * Each event reserves one ring-buffer record (time, pid, tid, kind, path), copies the path from user
 * memory and submits it without waking the consumer (floor.c polls every 2 ms). What Casefile costs
 * on top of this is the cost of being a recorder rather than a counter.
 *
 * Attach points: classic tracepoints syscalls/sys_enter_openat and syscalls/sys_enter_execve.
 * They attach here (Debian 12, kernel 6.18) once tracefs is mounted, which it is not at boot on this
 * machine: libbpf reads the tracepoint id from /sys/kernel/tracing/events/..., so floor.c mounts
 * tracefs at /sys/kernel/tracing first when it is absent (checked: the mount works as root and both
 * programs attach and fire). No tp_btf/sys_enter fallback is needed.
 *
 * No vmlinux.h: the two tracepoint contexts below are written from
 * /sys/kernel/tracing/events/syscalls/sys_enter_{openat,execve}/format.
 *
 * Build: clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c floor.bpf.c -o floor.bpf.o
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define FLOOR_KIND_OPEN 1
#define FLOOR_KIND_EXEC 2
#define FLOOR_PATH_MAX 256

/* One ring-buffer record. floor.c has the same definition: keep the two in step. */
struct floor_event {
	__u64 ts;      /* bpf_ktime_get_boot_ns() */
	__u32 pid;     /* thread group id */
	__u32 tid;     /* thread id */
	__u32 kind;    /* FLOOR_KIND_* */
	char path[FLOOR_PATH_MAX];
};

/* syscalls/sys_enter_openat: 8 bytes of common fields, __syscall_nr at 8, then 8-byte args from 16. */
struct sys_enter_openat_ctx {
	__u64 common;        /* common_type, common_flags, common_preempt_count, common_pid */
	__s32 syscall_nr;
	__u32 pad;
	__u64 dfd;
	__u64 filename;      /* const char __user * */
	__u64 flags;
	__u64 mode;
};

/* syscalls/sys_enter_execve. */
struct sys_enter_execve_ctx {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 filename;      /* const char __user * */
	__u64 argv;
	__u64 envp;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* 16 MiB */
} events SEC(".maps");

/* Reserve failures (ring buffer full): one counter, read by floor.c at the end. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

static __always_inline int record(__u32 kind, __u64 user_path)
{
	struct floor_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&dropped, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
		return 0;
	}
	__u64 id = bpf_get_current_pid_tgid();
	e->ts = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->kind = kind;
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)user_path) < 0)
		e->path[0] = '\0';
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int floor_openat(struct sys_enter_openat_ctx *ctx)
{
	return record(FLOOR_KIND_OPEN, ctx->filename);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int floor_execve(struct sys_enter_execve_ctx *ctx)
{
	return record(FLOOR_KIND_EXEC, ctx->filename);
}

char LICENSE[] SEC("license") = "GPL";
