// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Casefile's kernel side: tp_btf programs that write one record per event into
 * a ring buffer. Layouts come from casefile.h (shared with Swift).
 *
 * Hot-path policy: records are submitted without waking the consumer
 * (BPF_RB_NO_WAKEUP); user space drains the ring on a short timer. Only when the
 * ring is more than half full do we force a wake-up, so bursts are drained early.
 * A failed write is counted per CPU in cf_counters and reaches the case file as
 * a gap.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "casefile.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* resized by the loader before load */
} cf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CF_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cf_counters SEC(".maps");

/* Per-CPU scratch space: records are built here, then copied to the ring with
 * their real length (exec and cgroup records are mostly shorter than the max). */
union cf_scratch {
	struct cf_exec exec;
	struct cf_cgroup cgroup;
};

/* What a thread keeps between a syscall's entry and exit (h.kind says which). */
union cf_pending_value {
	struct cf_open open;
	struct cf_path2 path2;
	struct cf_net net;
	struct cf_call call;
};

/* A thread's syscall in progress: the record being built, and the user pointers of its strings,
 * to read again at exit when the entry could not (a page not yet resident: by the exit the kernel
 * has read the string itself, so it is). */
struct cf_slot {
	union cf_pending_value rec;
	__u64 upath;
	__u64 upath2;   /* accept: the size of the caller's address buffer, read at entry */
	long nr;        /* the syscall this entry is for (its exit must be the same one's) */
};

/* Syscalls between entry and exit, per thread: the entry's arguments and strings (read at entry,
 * before the kernel uses them), completed with the result at exit. Task-local storage: no hashing,
 * no copy (the entry is built in place), freed with the thread. h.kind = 0 marks a slot with
 * nothing in progress. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cf_slot);
} cf_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union cf_scratch);
} cf_scratch_map SEC(".maps");

/* Set by the loader before load (read-only at run time). 0: cgroup ids come from the v2
 * hierarchy (bpf_get_current_cgroup_id). 1: from the v1 cpuset hierarchy, for hosts with no v2
 * hierarchy (bpf_get_current_cgroup_id would always say "root" there). */
const volatile __u32 cf_cgroup_v1_cpuset = 0;

/* Set by the loader: the recorder's own tgid, whose file syscalls are not recorded (its reads of
 * /proc and of the case file would otherwise feed back into the recording). */
const volatile __u32 cf_self_tgid = 0;

/* Set by the loader: bit k set = events of kind k are recorded (`record --events`). Syscall kinds
 * that are off cost one table lookup and one test per syscall. */
const volatile __u64 cf_enabled_kinds = ~0ULL;

/* Set by the loader: argv bytes kept per exec (at most CF_ARGV_MAX), and environment bytes (0: the
 * environment is not captured; it may hold secrets). */
const volatile __u32 cf_argv_max = CF_ARGV_MAX;
const volatile __u32 cf_env_max = 0;

/* Set by the loader: 1 when the recording has a scope (`--exclude-host`, `--container`, `--pod`).
 * User space then puts every cgroup it finds out of scope into cf_skip_cgroups; events of tasks in
 * those cgroups are counted (CF_COUNTER_SCOPE_SKIPS) and not written. Cgroups not yet judged are
 * recorded: a scope narrows, it never loses what is in it. */
const volatile __u32 cf_scoped = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);  /* cgroup id (tracked hierarchy) */
	__type(value, __u8);
} cf_skip_cgroups SEC(".maps");

static __always_inline __u64 current_cgroup_id(void)
{
	if (!cf_cgroup_v1_cpuset)
		return bpf_get_current_cgroup_id();
	struct task_struct *task = bpf_get_current_task_btf();
	struct css_set *cgroups = BPF_CORE_READ(task, cgroups);
	struct cgroup_subsys_state *css = NULL;
	__u32 idx = bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id);
	bpf_core_read(&css, sizeof(css), &cgroups->subsys[idx & 15]);
	if (!css)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&cf_counters, &which);
	if (v)
		*v += 1;
}

static __always_inline __u64 wakeup_flags(void)
{
	__u64 avail = bpf_ringbuf_query(&cf_events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&cf_events, BPF_RB_RING_SIZE);
	return avail > size / 2 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void emit(void *rec, __u64 size)
{
	/* The fill level is asked every 64th record per CPU (two helper calls saved on the others):
	 * a wake-up for a filling ring comes at most 63 records later. */
	__u32 which = CF_COUNTER_EVENTS;
	__u64 *written = bpf_map_lookup_elem(&cf_counters, &which);
	__u64 flags = written && (*written & 63) == 0 ? wakeup_flags() : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&cf_events, rec, size, flags) == 0) {
		if (written)
			*written += 1;
	} else {
		count(CF_COUNTER_RINGBUF_DROPS);
	}
}

static __always_inline int enabled(__u32 kind)
{
	return kind < 64 && ((cf_enabled_kinds >> kind) & 1);
}

/* True when the current task's cgroup was judged out of the recording's scope (counted). */
static __always_inline int out_of_scope(void)
{
	if (!cf_scoped)
		return 0;
	__u64 cgroup = current_cgroup_id();
	if (!bpf_map_lookup_elem(&cf_skip_cgroups, &cgroup))
		return 0;
	count(CF_COUNTER_SCOPE_SKIPS);
	return 1;
}

static __always_inline void fill_header(struct cf_header *h, __u32 kind, __u32 size)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	h->ts_boot_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = current_cgroup_id();
	h->kind = kind;
	h->size = size;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(cf_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0;
	struct cf_exec *e = bpf_map_lookup_elem(&cf_scratch_map, &zero);
	if (!e)
		return 0;

	__u64 uid_gid = bpf_get_current_uid_gid();
	e->start_boot_ns = BPF_CORE_READ(task, start_boottime);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	unsigned int level = BPF_CORE_READ(task, thread_pid, level);
	e->ns_pid = BPF_CORE_READ(task, thread_pid, numbers[level].nr);
	e->pid_ns = BPF_CORE_READ(task, thread_pid, numbers[level].ns, ns.inum);
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->old_pid = old_pid;
	e->flags = 0;

	long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	if (n < 0) {
		e->flags |= CF_EXEC_FILENAME_UNREADABLE;
		n = 0;
	}
	else if (n > 0)
		n -= 1; /* drop the NUL */
	if (n >= CF_FILENAME_MAX - 1)
		e->flags |= CF_EXEC_FILENAME_TRUNCATED;
	e->filename_len = n;

	unsigned long arg_start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long arg_end = BPF_CORE_READ(task, mm, arg_end);
	unsigned long len = arg_end > arg_start ? arg_end - arg_start : 0;
	unsigned long cap = cf_argv_max < CF_ARGV_MAX ? cf_argv_max : CF_ARGV_MAX;
	if (len > cap) {
		len = cap;
		e->flags |= CF_EXEC_ARGV_TRUNCATED;
	}
	if (len > CF_ARGV_MAX) /* again, in a form the verifier tracks as a bound */
		len = CF_ARGV_MAX;
	if (len > 0 && bpf_probe_read_user(e->argv, len, (const void *)arg_start) != 0) {
		e->flags |= CF_EXEC_ARGV_UNREADABLE;
		len = 0;
	}
	e->argv_len = len;

	/* The environment, after argv, only when capture is on. */
	unsigned long env_len = 0;
	if (cf_env_max) {
		unsigned long env_start = BPF_CORE_READ(task, mm, env_start);
		unsigned long env_end = BPF_CORE_READ(task, mm, env_end);
		env_len = env_end > env_start ? env_end - env_start : 0;
		unsigned long env_cap = cf_env_max < CF_ENV_MAX ? cf_env_max : CF_ENV_MAX;
		if (env_len > env_cap) {
			env_len = env_cap;
			e->flags |= CF_EXEC_ENV_TRUNCATED;
		}
		if (env_len > CF_ENV_MAX)
			env_len = CF_ENV_MAX;
		unsigned long at = len;
		if (at > CF_ARGV_MAX)
			at = CF_ARGV_MAX;
		if (env_len > 0 && bpf_probe_read_user(e->argv + at, env_len, (const void *)env_start) != 0) {
			e->flags |= CF_EXEC_ENV_UNREADABLE;
			env_len = 0;
		}
	}
	e->env_len = env_len;
	e->reserved = 0;

	__u64 size = __builtin_offsetof(struct cf_exec, argv) + len + env_len;
	if (size > sizeof(*e))
		size = sizeof(*e);
	fill_header(&e->h, CF_KIND_EXEC, size);
	emit(e, size);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(cf_fork, struct task_struct *parent, struct task_struct *child)
{
	pid_t child_pid = BPF_CORE_READ(child, pid);
	pid_t child_tgid = BPF_CORE_READ(child, tgid);
	if (child_pid != child_tgid)
		return 0; /* a new thread, not a new process */

	struct cf_fork e = {};
	__u64 uid_gid = bpf_get_current_uid_gid();
	fill_header(&e.h, CF_KIND_FORK, sizeof(e));
	e.parent_start_boot_ns = BPF_CORE_READ(parent, group_leader, start_boottime);
	e.child_start_boot_ns = BPF_CORE_READ(child, start_boottime);
	e.child_pid = child_tgid;
	e.child_tid = child_pid;
	e.uid = (__u32)uid_gid;
	e.gid = uid_gid >> 32;
	emit(&e, sizeof(e));
	return 0;
}

static __always_inline int emit_cgroup(__u32 kind, struct cgroup *cgrp, const char *path)
{
	__u32 zero = 0;
	union cf_scratch *s = bpf_map_lookup_elem(&cf_scratch_map, &zero);
	if (!s)
		return 0;
	struct cf_cgroup *e = &s->cgroup;
	e->id = BPF_CORE_READ(cgrp, kn, id);
	e->hierarchy_id = BPF_CORE_READ(cgrp, root, hierarchy_id);
	e->level = BPF_CORE_READ(cgrp, level);
	long n = bpf_probe_read_kernel_str(e->path, sizeof(e->path), path);
	e->flags = 0;
	if (n < 0)
		n = 0;
	else if (n > 0)
		n -= 1;
	if (n >= CF_CGROUP_PATH_MAX - 1)
		e->flags |= CF_CGROUP_PATH_TRUNCATED;
	e->path_len = n;
	__u64 size = __builtin_offsetof(struct cf_cgroup, path) + (n & (CF_CGROUP_PATH_MAX - 1));
	if (size > sizeof(*e))
		size = sizeof(*e);
	fill_header(&e->h, kind, size);
	emit(e, size);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cf_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return emit_cgroup(CF_KIND_CGROUP_MKDIR, cgrp, path);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(cf_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return emit_cgroup(CF_KIND_CGROUP_RMDIR, cgrp, path);
}

/* ---- Syscalls: entry remembered per thread, one record at exit ----
 *
 * Two generic programs serve every recorded syscall: sys_enter looks the syscall number up in
 * cf_syscall_kind (one load; 0 = not recorded), reads the arguments and the strings the process
 * passed (at entry, before the kernel acts on them) and keeps them per thread in cf_pending;
 * sys_exit adds the result and writes one record. */

#define CF_NR_TABLE 512

/* Syscall arguments from the tracepoint's pt_regs. In a tp_btf program regs is a trusted kernel
 * pointer, so on x86 each argument is a plain load (no helper call per argument); elsewhere they
 * go through CO-RE reads. */
#if defined(__TARGET_ARCH_x86)
#define CF_ARG(n, regs) PT_REGS_PARM##n##_SYSCALL(regs)
#else
#define CF_ARG(n, regs) PT_REGS_PARM##n##_CORE_SYSCALL(regs)
#endif

#if defined(__TARGET_ARCH_x86)
#define CF_NR_OPEN 2
#define CF_NR_CREAT 85
#define CF_NR_OPENAT 257
#define CF_NR_OPENAT2 437
#define CF_NR_UNLINK 87
#define CF_NR_UNLINKAT 263
#define CF_NR_RENAME 82
#define CF_NR_RENAMEAT 264
#define CF_NR_RENAMEAT2 316
#define CF_NR_CHMOD 90
#define CF_NR_FCHMODAT 268
#define CF_NR_MKDIR 83
#define CF_NR_MKDIRAT 258
#define CF_NR_RMDIR 84
#define CF_NR_LINK 86
#define CF_NR_LINKAT 265
#define CF_NR_SYMLINK 88
#define CF_NR_SYMLINKAT 266
#define CF_NR_CHOWN 92
#define CF_NR_LCHOWN 94
#define CF_NR_FCHOWNAT 260
#define CF_NR_TRUNCATE 76
#define CF_NR_FCHMOD 91
#define CF_NR_FCHOWN 93
#define CF_NR_FTRUNCATE 77
#define CF_NR_CONNECT 42
#define CF_NR_BIND 49
#define CF_NR_ACCEPT 43
#define CF_NR_ACCEPT4 288
#define CF_NR_LISTEN 50
#define CF_NR_SETUID 105
#define CF_NR_SETGID 106
#define CF_NR_SETREUID 113
#define CF_NR_SETREGID 114
#define CF_NR_SETRESUID 117
#define CF_NR_SETRESGID 119
#define CF_NR_SETFSUID 122
#define CF_NR_SETFSGID 123
#define CF_NR_CAPSET 126
#define CF_NR_PTRACE 101
#define CF_NR_MOUNT 165
#define CF_NR_UMOUNT2 166
#define CF_NR_INIT_MODULE 175
#define CF_NR_FINIT_MODULE 313
#define CF_NR_DELETE_MODULE 176
#define CF_NR_BPF 321
#define CF_NR_UNSHARE 272
#define CF_NR_SETNS 308
#define CF_NR_MEMFD_CREATE 319
#define CF_NR_KILL 62
#define CF_NR_TKILL 200
#define CF_NR_TGKILL 234
#define CF_NR_EXECVEAT 322
#define CF_NR_CHROOT 161
#define CF_NR_PIVOT_ROOT 155
#else /* the generic syscall table (arm64, riscv64): no open, creat, unlink, ... (-1: absent) */
#define CF_NR_OPEN -1
#define CF_NR_CREAT -1
#define CF_NR_OPENAT 56
#define CF_NR_OPENAT2 437
#define CF_NR_UNLINK -1
#define CF_NR_UNLINKAT 35
#define CF_NR_RENAME -1
#define CF_NR_RENAMEAT 38
#define CF_NR_RENAMEAT2 276
#define CF_NR_CHMOD -1
#define CF_NR_FCHMODAT 53
#define CF_NR_MKDIR -1
#define CF_NR_MKDIRAT 34
#define CF_NR_RMDIR -1
#define CF_NR_LINK -1
#define CF_NR_LINKAT 37
#define CF_NR_SYMLINK -1
#define CF_NR_SYMLINKAT 36
#define CF_NR_CHOWN -1
#define CF_NR_LCHOWN -1
#define CF_NR_FCHOWNAT 54
#define CF_NR_TRUNCATE 45
#define CF_NR_FCHMOD 52
#define CF_NR_FCHOWN 55
#define CF_NR_FTRUNCATE 46
#define CF_NR_CONNECT 203
#define CF_NR_BIND 200
#define CF_NR_ACCEPT 202
#define CF_NR_ACCEPT4 242
#define CF_NR_LISTEN 201
#define CF_NR_SETUID 146
#define CF_NR_SETGID 144
#define CF_NR_SETREUID 145
#define CF_NR_SETREGID 143
#define CF_NR_SETRESUID 147
#define CF_NR_SETRESGID 149
#define CF_NR_SETFSUID 151
#define CF_NR_SETFSGID 152
#define CF_NR_CAPSET 91
#define CF_NR_PTRACE 117
#define CF_NR_MOUNT 40
#define CF_NR_UMOUNT2 39
#define CF_NR_INIT_MODULE 105
#define CF_NR_FINIT_MODULE 273
#define CF_NR_DELETE_MODULE 106
#define CF_NR_BPF 280
#define CF_NR_UNSHARE 97
#define CF_NR_SETNS 268
#define CF_NR_MEMFD_CREATE 279
#define CF_NR_KILL 129
#define CF_NR_TKILL 130
#define CF_NR_TGKILL 131
#define CF_NR_EXECVEAT 281
#define CF_NR_CHROOT 51
#define CF_NR_PIVOT_ROOT 41
#endif
#define CF_NR_FCHMODAT2 452 /* Linux 6.6; the same number everywhere */

/* Syscall number → kind (0: not recorded), this architecture. */
static const volatile __u8 cf_syscall_kind[CF_NR_TABLE] = {
#if defined(__TARGET_ARCH_x86)
	[CF_NR_OPEN] = CF_KIND_OPEN, [CF_NR_CREAT] = CF_KIND_OPEN,
	[CF_NR_UNLINK] = CF_KIND_UNLINK, [CF_NR_RENAME] = CF_KIND_RENAME, [CF_NR_CHMOD] = CF_KIND_CHMOD,
	[CF_NR_MKDIR] = CF_KIND_MKDIR, [CF_NR_RMDIR] = CF_KIND_RMDIR, [CF_NR_LINK] = CF_KIND_LINK,
	[CF_NR_SYMLINK] = CF_KIND_SYMLINK, [CF_NR_CHOWN] = CF_KIND_CHOWN, [CF_NR_LCHOWN] = CF_KIND_CHOWN,
#endif
	[CF_NR_OPENAT] = CF_KIND_OPEN, [CF_NR_OPENAT2] = CF_KIND_OPEN,
	[CF_NR_UNLINKAT] = CF_KIND_UNLINK, /* CF_KIND_RMDIR with AT_REMOVEDIR */
	[CF_NR_RENAMEAT] = CF_KIND_RENAME, [CF_NR_RENAMEAT2] = CF_KIND_RENAME,
	[CF_NR_FCHMODAT] = CF_KIND_CHMOD, [CF_NR_FCHMODAT2] = CF_KIND_CHMOD, [CF_NR_MKDIRAT] = CF_KIND_MKDIR,
	[CF_NR_LINKAT] = CF_KIND_LINK, [CF_NR_SYMLINKAT] = CF_KIND_SYMLINK, [CF_NR_FCHOWNAT] = CF_KIND_CHOWN,
	[CF_NR_TRUNCATE] = CF_KIND_TRUNCATE,
	[CF_NR_FCHMOD] = CF_KIND_FCHMOD, [CF_NR_FCHOWN] = CF_KIND_FCHOWN, [CF_NR_FTRUNCATE] = CF_KIND_FTRUNCATE,
	[CF_NR_CONNECT] = CF_KIND_CONNECT, [CF_NR_BIND] = CF_KIND_BIND,
	[CF_NR_ACCEPT] = CF_KIND_ACCEPT, [CF_NR_ACCEPT4] = CF_KIND_ACCEPT, [CF_NR_LISTEN] = CF_KIND_LISTEN,
	[CF_NR_SETUID] = CF_KIND_SETUID, [CF_NR_SETREUID] = CF_KIND_SETREUID, [CF_NR_SETRESUID] = CF_KIND_SETRESUID,
	[CF_NR_SETFSUID] = CF_KIND_SETFSUID, [CF_NR_SETGID] = CF_KIND_SETGID, [CF_NR_SETREGID] = CF_KIND_SETREGID,
	[CF_NR_SETRESGID] = CF_KIND_SETRESGID, [CF_NR_SETFSGID] = CF_KIND_SETFSGID,
	[CF_NR_CAPSET] = CF_KIND_CAPSET, [CF_NR_PTRACE] = CF_KIND_PTRACE,
	[CF_NR_MOUNT] = CF_KIND_MOUNT, [CF_NR_UMOUNT2] = CF_KIND_UMOUNT,
	[CF_NR_INIT_MODULE] = CF_KIND_MODULE_LOAD, [CF_NR_FINIT_MODULE] = CF_KIND_MODULE_LOAD,
	[CF_NR_DELETE_MODULE] = CF_KIND_MODULE_UNLOAD, [CF_NR_BPF] = CF_KIND_BPF,
	[CF_NR_UNSHARE] = CF_KIND_UNSHARE, [CF_NR_SETNS] = CF_KIND_SETNS, [CF_NR_MEMFD_CREATE] = CF_KIND_MEMFD_CREATE,
	[CF_NR_KILL] = CF_KIND_KILL, [CF_NR_TKILL] = CF_KIND_KILL, [CF_NR_TGKILL] = CF_KIND_KILL,
	[CF_NR_EXECVEAT] = CF_KIND_EXECVEAT, [CF_NR_CHROOT] = CF_KIND_CHROOT, [CF_NR_PIVOT_ROOT] = CF_KIND_PIVOT_ROOT,
};

#define CF_AT_REMOVEDIR 0x200

/* The current thread's slot for a recorded syscall's entry (made on its first one), with the
 * common head filled: kind, entry time, and who called. NULL when no memory is left for a new
 * slot (counted). (The recorder's own syscalls never get here: cf_sys_enter leaves them out.) */
static __always_inline struct cf_slot *entry_scratch(__u64 pid_tgid, long id, __u32 kind)
{
	struct cf_slot *slot = bpf_task_storage_get(&cf_pending, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot) {
		count(CF_COUNTER_PENDING_DROPS);
		return 0;
	}
	/* Who called, as it was at entry (an exec during the call changes comm, and the tid of a
	 * thread that is not the leader); the exit adds the time, kind and size. */
	struct cf_header *h = &((struct cf_syscall_head *)&slot->rec)->h;
	h->kind = kind;
	((struct cf_syscall_head *)&slot->rec)->enter_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = current_cgroup_id();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	/* comm by two plain loads from the (trusted) task pointer, not a helper call */
	struct task_struct *task = bpf_get_current_task_btf();
	__builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
	slot->upath = 0;
	slot->upath2 = 0;
	slot->nr = id;
	return slot;
}

/* connect, bind: the socket address at entry; accept: where the kernel will write the peer's;
 * listen: the backlog. */
static __always_inline int enter_net(struct pt_regs *regs, __u32 kind, __u64 pid_tgid, long id)
{
	struct cf_slot *slot = entry_scratch(pid_tgid, id, kind);
	if (!slot)
		return 0;
	struct cf_net *e = &slot->rec.net;
	e->fd = (__s32)CF_ARG(1, regs);
	e->addr_len = 0;
	e->uaddr = 0;
	e->uaddr_len = 0;
	e->arg = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	if (kind == CF_KIND_ACCEPT) {
		e->uaddr = (__u64)CF_ARG(2, regs);
		e->uaddr_len = (__u64)CF_ARG(3, regs);
		/* the buffer's size: the kernel writes the peer's full length back, but copies at most this */
		__u32 room = 0;
		if (e->uaddr_len)
			bpf_probe_read_user(&room, sizeof(room), (const void *)e->uaddr_len);
		slot->upath2 = room;
		if (id == CF_NR_ACCEPT4)
			e->arg = (__s32)CF_ARG(4, regs);
	} else if (kind == CF_KIND_LISTEN) {
		e->arg = (__s32)CF_ARG(2, regs);
	} else {
		__u64 len = (__u32)CF_ARG(3, regs);
		e->addr_len = len;
		if (len > CF_SOCKADDR_MAX)
			len = CF_SOCKADDR_MAX;
		if (len > CF_SOCKADDR_MAX) /* again, in a form the verifier tracks as a bound */
			len = CF_SOCKADDR_MAX;
		if (len > 0 && bpf_probe_read_user(e->addr, len, (const void *)CF_ARG(2, regs)) != 0)
			e->addr_len = 0;
	}
	return 0;
}

static __always_inline __u16 read_path(char *dst, const char *src, __u16 *len)
{
	long n = bpf_probe_read_user_str(dst, CF_PATH_MAX, src);
	__u16 flags = 0;
	if (n < 0) {
		flags |= CF_PATH_UNREADABLE;
		n = 0;
	} else if (n > 0) {
		n -= 1;
	}
	if (n >= CF_PATH_MAX - 1)
		flags |= CF_PATH_TRUNCATED;
	*len = n;
	return flags;
}

/* The path syscalls (unlink, rename, chmod, mkdir, rmdir, link, symlink, chown, truncate) and
 * their fd forms (fchmod, fchown, ftruncate: dfd is the file, no path): arguments and paths at
 * entry. */
static __always_inline int enter_path2(struct pt_regs *regs, __u32 kind, long id, __u64 pid_tgid)
{
	struct cf_slot *slot = entry_scratch(pid_tgid, id, kind);
	if (!slot)
		return 0;
	struct cf_path2 *e = &slot->rec.path2;
	e->syscall_nr = (__u32)id;
	e->dfd = -100;
	e->dfd2 = -100;
	e->arg = 0;
	e->path_len = 0;
	e->path2_len = 0;
	e->path_flags = 0;
	const char *p1 = 0, *p2 = 0;
	if (kind == CF_KIND_FCHMOD || kind == CF_KIND_FTRUNCATE) {
		e->dfd = (__s32)CF_ARG(1, regs);
		e->arg = (__s64)CF_ARG(2, regs);
	} else if (kind == CF_KIND_FCHOWN) {
		e->dfd = (__s32)CF_ARG(1, regs);
		e->arg = (__s64)((__u64)(__u32)CF_ARG(2, regs) | ((__u64)(__u32)CF_ARG(3, regs) << 32));
	} else if (id == CF_NR_UNLINKAT) {
		e->dfd = (__s32)CF_ARG(1, regs);
		p1 = (const char *)CF_ARG(2, regs);
		e->arg = (__s64)CF_ARG(3, regs);
		if (e->arg & CF_AT_REMOVEDIR) {
			e->h.kind = CF_KIND_RMDIR;
			if (!enabled(CF_KIND_RMDIR)) {
				e->h.kind = 0;
				return 0;
			}
		}
	} else if (id == CF_NR_RENAMEAT || id == CF_NR_RENAMEAT2) {
		e->dfd = (__s32)CF_ARG(1, regs);
		p1 = (const char *)CF_ARG(2, regs);
		e->dfd2 = (__s32)CF_ARG(3, regs);
		p2 = (const char *)CF_ARG(4, regs);
		if (id == CF_NR_RENAMEAT2)
			e->arg = (__s64)CF_ARG(5, regs);
	} else if (id == CF_NR_RENAME || id == CF_NR_LINK || id == CF_NR_SYMLINK) {
		p1 = (const char *)CF_ARG(1, regs);
		p2 = (const char *)CF_ARG(2, regs);
	} else if (id == CF_NR_LINKAT) {
		e->dfd = (__s32)CF_ARG(1, regs);
		p1 = (const char *)CF_ARG(2, regs);
		e->dfd2 = (__s32)CF_ARG(3, regs);
		p2 = (const char *)CF_ARG(4, regs);
		e->arg = (__s64)CF_ARG(5, regs);
	} else if (id == CF_NR_SYMLINKAT) { /* symlinkat(target, newdirfd, linkpath) */
		p1 = (const char *)CF_ARG(1, regs);
		e->dfd2 = (__s32)CF_ARG(2, regs);
		p2 = (const char *)CF_ARG(3, regs);
	} else if (id == CF_NR_CHOWN || id == CF_NR_LCHOWN) {
		p1 = (const char *)CF_ARG(1, regs);
		e->arg = (__s64)((__u64)(__u32)CF_ARG(2, regs) | ((__u64)(__u32)CF_ARG(3, regs) << 32));
	} else if (id == CF_NR_FCHOWNAT) {
		e->dfd = (__s32)CF_ARG(1, regs);
		p1 = (const char *)CF_ARG(2, regs);
		e->arg = (__s64)((__u64)(__u32)CF_ARG(3, regs) | ((__u64)(__u32)CF_ARG(4, regs) << 32));
	} else if (id == CF_NR_TRUNCATE) {
		p1 = (const char *)CF_ARG(1, regs);
		e->arg = (__s64)CF_ARG(2, regs);
	} else if (id == CF_NR_FCHMODAT || id == CF_NR_FCHMODAT2 || id == CF_NR_MKDIRAT) {
		e->dfd = (__s32)CF_ARG(1, regs);
		p1 = (const char *)CF_ARG(2, regs);
		e->arg = (__s64)CF_ARG(3, regs);
	} else if (id == CF_NR_CHMOD || id == CF_NR_MKDIR) {
		p1 = (const char *)CF_ARG(1, regs);
		e->arg = (__s64)CF_ARG(2, regs);
	} else { /* unlink, rmdir */
		p1 = (const char *)CF_ARG(1, regs);
	}
	if (p1)
		e->path_flags = read_path(e->path, p1, &e->path_len);
	if (p2) {
		__u16 len2 = 0;
		e->path_flags |= read_path(e->path2, p2, &len2) << 2;
		e->path2_len = len2;
	}
	slot->upath = (__u64)p1;
	slot->upath2 = (__u64)p2;
	return 0;
}

struct cf_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

static __always_inline int enter_open(struct pt_regs *regs, long id, __u64 pid_tgid)
{
	struct cf_slot *slot = entry_scratch(pid_tgid, id, CF_KIND_OPEN);
	if (!slot)
		return 0;
	__u16 which = id == CF_NR_OPENAT ? CF_SYS_OPENAT : id == CF_NR_OPENAT2 ? CF_SYS_OPENAT2
		: id == CF_NR_OPEN ? CF_SYS_OPEN : CF_SYS_CREAT;
	struct cf_open *e = &slot->rec.open;
	e->syscall = which;
	e->dfd = -100; /* AT_FDCWD */
	e->mode = 0;
	const char *path;
	if (which == CF_SYS_OPENAT || which == CF_SYS_OPENAT2) {
		e->dfd = (__s32)CF_ARG(1, regs);
		path = (const char *)CF_ARG(2, regs);
		if (which == CF_SYS_OPENAT) {
			e->flags = (__u32)CF_ARG(3, regs);
			e->mode = (__u32)CF_ARG(4, regs);
		} else {
			struct cf_open_how how = {};
			bpf_probe_read_user(&how, sizeof(how), (const void *)CF_ARG(3, regs));
			e->flags = (__u32)how.flags;
			e->mode = (__u32)how.mode;
		}
	} else if (which == CF_SYS_OPEN) {
		path = (const char *)CF_ARG(1, regs);
		e->flags = (__u32)CF_ARG(2, regs);
		e->mode = (__u32)CF_ARG(3, regs);
	} else { /* creat(path, mode) = open(path, O_CREAT|O_WRONLY|O_TRUNC, mode) */
		path = (const char *)CF_ARG(1, regs);
		e->flags = 0x40 | 0x1 | 0x200;
		e->mode = (__u32)CF_ARG(2, regs);
	}
	e->path_flags = read_path(e->path, path, &e->path_len);
	slot->upath = (__u64)path;
	return 0;
}

/* A string argument of a privilege call: read when given, CF_PATH_ABSENT when NULL. */
static __always_inline __u16 read_call_str(char *dst, const char *src, __u16 *len, __u16 absent)
{
	*len = 0;
	if (!src)
		return absent;
	return read_path(dst, src, len);
}

#define CF_BPF_MAP_CREATE 0
#define CF_BPF_PROG_LOAD 5
#define CF_BPF_ATTR_MAP_NAME 28  /* offsetof(union bpf_attr, map_name) */
#define CF_BPF_ATTR_PROG_NAME 48 /* offsetof(union bpf_attr, prog_name) */

/* Privilege and escape calls: the numeric arguments and strings each kind keeps (see
 * casefile.h next to the kinds). */
static __always_inline int enter_call(struct pt_regs *regs, __u32 kind, long id, __u64 pid_tgid)
{
	struct cf_slot *slot = entry_scratch(pid_tgid, id, kind);
	if (!slot)
		return 0;
	struct cf_call *e = &slot->rec.call;
	e->syscall_nr = (__u32)id;
	e->str_flags = CF_PATH_ABSENT | CF_PATH2_ABSENT;
	e->str_len = 0;
	e->str2_len = 0;
	e->name_len = 0;
	e->args[0] = (__s64)CF_ARG(1, regs);
	e->args[1] = (__s64)CF_ARG(2, regs);
	e->args[2] = (__s64)CF_ARG(3, regs);
	e->args[3] = 0;
	const char *p1 = 0, *p2 = 0;
	if (kind == CF_KIND_SETUID || kind == CF_KIND_SETGID || kind == CF_KIND_SETFSUID || kind == CF_KIND_SETFSGID) {
		e->args[0] = (__s32)e->args[0]; /* ids are 32-bit; -1 = unchanged */
		e->args[1] = 0;
		e->args[2] = 0;
	} else if (kind == CF_KIND_SETREUID || kind == CF_KIND_SETREGID) {
		e->args[0] = (__s32)e->args[0];
		e->args[1] = (__s32)e->args[1];
		e->args[2] = 0;
	} else if (kind == CF_KIND_SETRESUID || kind == CF_KIND_SETRESGID) {
		e->args[0] = (__s32)e->args[0];
		e->args[1] = (__s32)e->args[1];
		e->args[2] = (__s32)e->args[2];
	} else if (kind == CF_KIND_CAPSET) {
		/* capset(header, data): data is two {effective, permitted, inheritable} (version 2, 3) */
		__u32 data[6] = {};
		const void *datap = (const void *)e->args[1];
		if (!datap || bpf_probe_read_user(data, sizeof(data), datap) != 0) {
			e->str_flags |= CF_PATH_UNREADABLE;
			e->args[0] = e->args[1] = e->args[2] = 0;
		} else {
			e->args[0] = (__s64)((__u64)data[0] | (__u64)data[3] << 32);
			e->args[1] = (__s64)((__u64)data[1] | (__u64)data[4] << 32);
			e->args[2] = (__s64)((__u64)data[2] | (__u64)data[5] << 32);
		}
	} else if (kind == CF_KIND_PTRACE) {
		e->args[1] = (__s32)e->args[1];
	} else if (kind == CF_KIND_MOUNT) { /* mount(source, target, fstype, flags, data) */
		p2 = (const char *)e->args[0];
		p1 = (const char *)e->args[1];
		const char *fstype = (const char *)e->args[2];
		e->args[0] = (__s64)CF_ARG(4, regs);
		e->args[1] = e->args[2] = 0;
		if (fstype) {
			long n = bpf_probe_read_user_str(e->name, sizeof(e->name), fstype);
			e->name_len = n > 0 ? n - 1 : 0;
		}
	} else if (kind == CF_KIND_UMOUNT) { /* umount2(target, flags) */
		p1 = (const char *)e->args[0];
		e->args[0] = e->args[1];
		e->args[1] = e->args[2] = 0;
	} else if (kind == CF_KIND_MODULE_LOAD) {
		if (id == CF_NR_FINIT_MODULE) { /* finit_module(fd, params, flags) */
			p1 = (const char *)e->args[1];
			__s64 fd = (__s32)e->args[0];
			e->args[0] = e->args[2];
			e->args[1] = 0;
			e->args[2] = fd;
			e->args[3] = 1;
		} else { /* init_module(image, len, params) */
			p1 = (const char *)e->args[2];
			e->args[0] = 0;
			e->args[2] = 0;
		}
	} else if (kind == CF_KIND_MODULE_UNLOAD) { /* delete_module(name, flags) */
		p1 = (const char *)e->args[0];
		e->args[0] = e->args[1];
		e->args[1] = e->args[2] = 0;
	} else if (kind == CF_KIND_BPF) { /* bpf(cmd, attr, size) */
		const char *attr = (const char *)e->args[1];
		__u32 cmd = (__u32)e->args[0];
		e->args[0] = cmd;
		e->args[1] = 0;
		if (attr && (cmd == CF_BPF_PROG_LOAD || cmd == CF_BPF_MAP_CREATE)) {
			__u32 type = 0;
			bpf_probe_read_user(&type, sizeof(type), attr);
			e->args[1] = type;
			long n = bpf_probe_read_user_str(e->name, sizeof(e->name),
				attr + (cmd == CF_BPF_PROG_LOAD ? CF_BPF_ATTR_PROG_NAME : CF_BPF_ATTR_MAP_NAME));
			e->name_len = n > 0 ? n - 1 : 0;
		}
	} else if (kind == CF_KIND_UNSHARE) {
		e->args[1] = e->args[2] = 0;
	} else if (kind == CF_KIND_SETNS) {
		e->args[0] = (__s32)e->args[0];
		e->args[2] = 0;
	} else if (kind == CF_KIND_MEMFD_CREATE) { /* memfd_create(name, flags) */
		p1 = (const char *)e->args[0];
		e->args[0] = e->args[1];
		e->args[1] = e->args[2] = 0;
	} else if (kind == CF_KIND_KILL) {
		if (id == CF_NR_KILL) { /* kill(pid, sig) */
			e->args[0] = (__s32)e->args[0];
			e->args[1] = (__s32)e->args[1];
			e->args[2] = 0;
		} else if (id == CF_NR_TKILL) { /* tkill(tid, sig) */
			e->args[2] = (__s32)e->args[0];
			e->args[0] = 0;
			e->args[1] = (__s32)e->args[1];
			e->args[3] = 1;
		} else { /* tgkill(tgid, tid, sig) */
			__s64 tid = (__s32)e->args[1];
			e->args[0] = (__s32)e->args[0];
			e->args[1] = (__s32)e->args[2];
			e->args[2] = tid;
			e->args[3] = 2;
		}
	} else if (kind == CF_KIND_EXECVEAT) { /* execveat(dirfd, path, argv, envp, flags) */
		__s64 dirfd = (__s32)e->args[0];
		p1 = (const char *)e->args[1];
		e->args[0] = (__s64)CF_ARG(5, regs);
		e->args[1] = 0;
		e->args[2] = dirfd;
	} else if (kind == CF_KIND_CHROOT) {
		p1 = (const char *)e->args[0];
		e->args[0] = e->args[1] = e->args[2] = 0;
	} else if (kind == CF_KIND_PIVOT_ROOT) {
		p1 = (const char *)e->args[0];
		p2 = (const char *)e->args[1];
		e->args[0] = e->args[1] = e->args[2] = 0;
	}
	if (p1) {
		e->str_flags &= ~CF_PATH_ABSENT;
		e->str_flags |= read_call_str(e->str, p1, &e->str_len, 0);
	}
	slot->upath = (__u64)p1;
	slot->upath2 = (__u64)p2;
	if (p2) {
		__u16 len2 = 0;
		e->str_flags &= ~CF_PATH2_ABSENT;
		e->str_flags |= read_call_str(e->str2, p2, &len2, 0) << 2;
		e->str2_len = len2;
	}
	return 0;
}

/* A 32-bit (ia32) syscall of a 64-bit kernel: its number is from another table and its
 * arguments in other registers, so reading it with this one would invent events. */
static __always_inline int compat_syscall(void)
{
#if defined(__TARGET_ARCH_x86)
	struct task_struct *task = bpf_get_current_task_btf();
	if (bpf_core_field_exists(task->thread_info.status))
		return (task->thread_info.status & 0x0002 /* TS_COMPAT */) != 0; /* a plain load: task is trusted */
#endif
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(cf_sys_enter, struct pt_regs *regs, long id)
{
	if (compat_syscall()) {
		count(CF_COUNTER_COMPAT_SKIPS);
		return 0;
	}
	if ((unsigned long)id >= CF_NR_TABLE)
		return 0;
	__u32 kind = cf_syscall_kind[id];
	if (!kind || !enabled(kind))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((__u32)(pid_tgid >> 32) == cf_self_tgid || out_of_scope())
		return 0;
	if (kind == CF_KIND_OPEN)
		return enter_open(regs, id, pid_tgid);
	if (kind == CF_KIND_CONNECT || kind == CF_KIND_BIND || kind == CF_KIND_ACCEPT || kind == CF_KIND_LISTEN)
		return enter_net(regs, kind, pid_tgid, id);
	if (kind >= CF_KIND_SETUID)
		return enter_call(regs, kind, id, pid_tgid);
	return enter_path2(regs, kind, id, pid_tgid);
}

/* Completes a remembered entry with its result, writes it, and frees the slot. */
/* A string the entry could not read, read again now (the kernel has read it meanwhile, so its
 * page is resident); the flags keep CF_PATH_UNREADABLE only when this fails too. */
static __always_inline __u16 reread(char *dst, __u64 src, __u16 *len, __u16 flags)
{
	if (!(flags & CF_PATH_UNREADABLE) || !src)
		return flags;
	return (flags & ~(CF_PATH_UNREADABLE | CF_PATH_TRUNCATED)) | read_path(dst, (const char *)src, len);
}

static __always_inline void finish_syscall(struct cf_slot *slot, __s64 ret)
{
	union cf_pending_value *v = &slot->rec;
	/* Every syscall record starts with struct cf_syscall_head (see casefile.h). */
	struct cf_syscall_head *head = (struct cf_syscall_head *)v;
	head->ret = ret;
	__u32 kind = head->h.kind;
	__u64 size;
	if (kind == CF_KIND_OPEN) {
		v->open.path_flags = reread(v->open.path, slot->upath, &v->open.path_len, v->open.path_flags);
		size = __builtin_offsetof(struct cf_open, path) + (v->open.path_len & (CF_PATH_MAX - 1));
		if (size > sizeof(v->open))
			size = sizeof(v->open);
	} else if (kind == CF_KIND_CONNECT || kind == CF_KIND_BIND || kind == CF_KIND_ACCEPT || kind == CF_KIND_LISTEN) {
		if (kind == CF_KIND_ACCEPT && ret >= 0 && ret != CF_RET_NONE && v->net.uaddr && v->net.uaddr_len) {
			/* the kernel has written the peer's address and its length into the caller's memory */
			__u32 len = 0;
			bpf_probe_read_user(&len, sizeof(len), (const void *)v->net.uaddr_len);
			if (len > slot->upath2) /* only what the kernel copied: at most the buffer's size */
				len = slot->upath2;
			if (len > CF_SOCKADDR_MAX)
				len = CF_SOCKADDR_MAX;
			if (len > CF_SOCKADDR_MAX)
				len = CF_SOCKADDR_MAX;
			if (len > 0 && bpf_probe_read_user(v->net.addr, len, (const void *)v->net.uaddr) == 0)
				v->net.addr_len = len;
		}
		size = sizeof(v->net);
	} else if (kind >= CF_KIND_SETUID) {
		__u16 f = v->call.str_flags;
		__u16 absent = f & (CF_PATH_ABSENT | CF_PATH2_ABSENT);
		/* after a successful exec the caller's memory is gone: nothing is read again */
		int gone = kind == CF_KIND_EXECVEAT && ret == 0;
		__u16 f1 = gone ? (f & 3) : reread(v->call.str, slot->upath, &v->call.str_len, f & 3);
		__u16 len2 = v->call.str2_len;
		__u16 f2 = gone ? ((f >> 2) & 3) : reread(v->call.str2, slot->upath2, &len2, (f >> 2) & 3);
		v->call.str2_len = len2;
		v->call.str_flags = absent | f1 | (f2 << 2);
		/* cut after str when there is no str2 */
		if (v->call.str2_len == 0) {
			size = __builtin_offsetof(struct cf_call, str) + (v->call.str_len & (CF_CALL_STR_MAX - 1));
			if (size > sizeof(v->call))
				size = sizeof(v->call);
		} else {
			size = sizeof(v->call);
		}
	} else {
		__u16 f = v->path2.path_flags;
		__u16 len2 = v->path2.path2_len;
		__u16 f1 = reread(v->path2.path, slot->upath, &v->path2.path_len, f & 3);
		__u16 f2 = reread(v->path2.path2, slot->upath2, &len2, (f >> 2) & 3);
		v->path2.path2_len = len2;
		v->path2.path_flags = f1 | (f2 << 2);
		size = sizeof(v->path2);
	}
	/* The caller's identity was filled at entry. The record's time is its entry's: the exit's is
	 * not read (a clock read per event, and nothing stores it). */
	head->h.ts_boot_ns = head->enter_ns;
	head->h.kind = kind;
	head->h.size = size;
	emit(v, size);
	head->h.kind = 0; /* the slot is free again */
}

/* The syscall a sys_exit is for (the original number, kept by the kernel in pt_regs). */
static __always_inline long exiting_syscall(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return (long)regs->orig_ax;
#else
	return (long)BPF_CORE_READ(regs, syscallno);
#endif
}

SEC("tp_btf/sys_exit")
int BPF_PROG(cf_sys_exit, struct pt_regs *regs, long ret)
{
	/* A thread that never entered a recorded syscall has no slot; one that is not in one has an
	 * empty slot. (The syscall number in regs is not used: a successful exec resets it.) */
	struct cf_slot *slot = bpf_task_storage_get(&cf_pending, bpf_get_current_task_btf(), 0, 0);
	if (!slot)
		return 0;
	__u32 kind = ((struct cf_syscall_head *)&slot->rec)->h.kind;
	if (kind == 0)
		return 0;
	/* The entry must be this exit's syscall: an entry whose exit was missed (the programs were
	 * being attached) would otherwise take another call's result. A successful exec leaves no
	 * trustworthy number behind, so an execveat entry is taken as it is. */
	if (kind != CF_KIND_EXECVEAT && exiting_syscall(regs) != slot->nr) {
		((struct cf_syscall_head *)&slot->rec)->h.kind = 0;
		count(CF_COUNTER_PENDING_DROPS);
		return 0;
	}
	finish_syscall(slot, ret);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(cf_exit, struct task_struct *task)
{
	/* Every exiting thread: a syscall it entered and never returned from is written now, without
	 * a result (CF_RET_NONE). Its slot goes with the thread. */
	struct cf_slot *slot = bpf_task_storage_get(&cf_pending, task, 0, 0);
	if (slot && ((struct cf_syscall_head *)&slot->rec)->h.kind != 0)
		finish_syscall(slot, CF_RET_NONE);

	/* do_exit() decrements signal->live before this tracepoint: zero means the
	 * thread group is dead. Works on kernels with and without the tracepoint's
	 * later `group_dead` argument. Threads exiting at once on several CPUs can each
	 * read zero here; user space (Pipeline) keeps the first exit of a process. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;

	struct cf_exit e = {};
	fill_header(&e.h, CF_KIND_EXIT, sizeof(e));
	e.start_boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	e.exit_code = BPF_CORE_READ(task, exit_code);
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	emit(&e, sizeof(e));
	return 0;
}
