/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel types Casefile's BPF programs read, declared by hand.
 *
 * Every struct carries preserve_access_index, so clang emits CO-RE relocations
 * and libbpf fixes each field offset against the running kernel's BTF
 * (/sys/kernel/btf/vmlinux) at load time. Only the fields used are declared;
 * their order and the struct sizes here do not matter. Why hand-written and
 * not generated: see "CO-RE" in the README's developer section.
 */
#ifndef CASEFILE_VMLINUX_MIN_H
#define CASEFILE_VMLINUX_MIN_H
/* Tells bpf_tracing.h these are the kernel's types (pt_regs fields named di, si, ... as in the
 * kernel's BTF, not the user-space rdi, rsi, ...). */
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef short unsigned int __u16;
typedef unsigned int __u32;
typedef long long unsigned int __u64;
typedef signed char __s8;
typedef short int __s16;
typedef int __s32;
typedef long long int __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u64 u64;
typedef __u32 u32;
typedef int pid_t;
typedef _Bool bool;
enum { false = 0, true = 1 };

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
};

enum {
	BPF_F_NO_PREALLOC = 1,              /* map flag (task storage requires it) */
	BPF_LOCAL_STORAGE_GET_F_CREATE = 1, /* bpf_task_storage_get: make the slot when absent */
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
};

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

typedef struct { int counter; } atomic_t;

struct ns_common {
	unsigned int inum;
};

struct mnt_namespace {
	struct ns_common ns;
};

struct pid_namespace {
	struct ns_common ns;
};

struct nsproxy {
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

struct signal_struct {
	atomic_t live;
};

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
};

struct kernfs_node {
	u64 id;
};

struct cgroup_root {
	int hierarchy_id;
};

struct cgroup {
	struct kernfs_node *kn;
	struct cgroup_root *root;
	int level;
};

/* Only the value we use; CO-RE reads the real one with bpf_core_enum_value(). */
enum cgroup_subsys_id {
	cpuset_cgrp_id = 0,
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
};

struct css_set {
	struct cgroup_subsys_state *subsys[16];
};

/* x86: status holds TS_COMPAT while the task is in a 32-bit (ia32) syscall. */
struct thread_info {
	u32 status;
};

struct task_struct {
	struct thread_info thread_info;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	char comm[16];
	u64 start_boottime;
	int exit_code;
	struct signal_struct *signal;
	struct nsproxy *nsproxy;
	struct pid *thread_pid;
	struct mm_struct *mm;
	struct css_set *cgroups;
};

struct linux_binprm {
	const char *filename;
};

/* Syscall arguments at tp_btf/sys_enter (bpf_tracing.h's PT_REGS_PARMn_CORE_SYSCALL read these). */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	long unsigned int di;
	long unsigned int si;
	long unsigned int dx;
	long unsigned int r10;
	long unsigned int r8;
	long unsigned int r9;
	long unsigned int orig_ax; /* the syscall number, kept for sys_exit */
};
#else
struct pt_regs {
	__u64 regs[31];
	__u64 orig_x0;
	__s32 syscallno;
};
#endif

#pragma clang attribute pop

#endif /* CASEFILE_VMLINUX_MIN_H */
