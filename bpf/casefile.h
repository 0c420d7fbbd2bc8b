/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Casefile event ABI: the one definition of every record the BPF programs write
 * into the ring buffer. Included by bpf/casefile.bpf.c (BPF side) and by the
 * CCasefileABI C target (Swift side), so both sides always agree on layout.
 *
 * Rules for changing it:
 *  - every record starts with struct cf_header; `size` is the record's length
 *    in bytes, so a reader can skip kinds it does not know;
 *  - append fields, never reorder; bump CF_ABI_VERSION when a layout changes;
 *  - variable-length data (paths, argv) is the last member and is cut to the
 *    length actually written, so records are as small as their content.
 */
#ifndef CASEFILE_ABI_H
#define CASEFILE_ABI_H

#ifdef __BPF__
/* vmlinux_min.h provides the __u8.. __u64 types on the BPF side. */
#else
#include <linux/types.h>
#endif

#define CF_ABI_VERSION 3 /* 2: comm in the header; unreadable and truncated flags. 3: accept, listen, fd file calls, privilege and escape calls (cf_call), "no return" results */

#define CF_COMM_LEN 16
#define CF_FILENAME_MAX 256
#define CF_ARGV_MAX 4096 /* the most argv bytes kept per exec (the loader may set a lower cap); longer argv is cut and flagged */
#define CF_ENV_MAX 4096  /* the most environment bytes kept per exec, when the loader turns capture on */
#define CF_CGROUP_PATH_MAX 1024

enum cf_kind {
	CF_KIND_EXEC = 1,
	CF_KIND_FORK = 2,
	CF_KIND_EXIT = 3,
	CF_KIND_CGROUP_MKDIR = 4,
	CF_KIND_CGROUP_RMDIR = 5,
	CF_KIND_OPEN = 6, /* open, openat, openat2, creat: written at the syscall's exit, with what its entry saw */
	CF_KIND_UNLINK = 7, /* unlink, unlinkat (without AT_REMOVEDIR) */
	CF_KIND_RENAME = 8, /* rename, renameat, renameat2 */
	CF_KIND_CHMOD = 9,  /* chmod, fchmodat */
	CF_KIND_MKDIR = 10, /* mkdir, mkdirat */
	CF_KIND_RMDIR = 11, /* rmdir, unlinkat with AT_REMOVEDIR */
	CF_KIND_CONNECT = 12, /* connect: the address asked for, and the result */
	CF_KIND_BIND = 13,    /* bind */
	CF_KIND_LINK = 14,    /* link, linkat: path = the existing file, path2 = the new name */
	CF_KIND_SYMLINK = 15, /* symlink, symlinkat: path = the target text, path2 = the new link */
	CF_KIND_CHOWN = 16,   /* chown, lchown, fchownat: arg = uid | gid << 32 (each -1 = unchanged) */
	CF_KIND_TRUNCATE = 17, /* truncate: arg = the new length */
	CF_KIND_FCHMOD = 18,   /* fchmod: dfd = the file descriptor, no path */
	CF_KIND_FCHOWN = 19,   /* fchown: dfd = the file descriptor, arg as chown */
	CF_KIND_FTRUNCATE = 20, /* ftruncate: dfd = the file descriptor, arg = the new length */
	CF_KIND_ACCEPT = 21,   /* accept, accept4: the peer's address (read at exit from the caller's buffer) */
	CF_KIND_LISTEN = 22,   /* listen: arg = backlog */
	/* Privilege and escape calls: struct cf_call. */
	CF_KIND_SETUID = 23,
	CF_KIND_SETREUID = 24,
	CF_KIND_SETRESUID = 25,
	CF_KIND_SETFSUID = 26,
	CF_KIND_SETGID = 27,
	CF_KIND_SETREGID = 28,
	CF_KIND_SETRESGID = 29,
	CF_KIND_SETFSGID = 30,
	CF_KIND_CAPSET = 31,   /* args: effective, permitted, inheritable (64-bit masks); str_flags UNREADABLE if not read */
	CF_KIND_PTRACE = 32,   /* args: request, pid, addr */
	CF_KIND_MOUNT = 33,    /* str = target, str2 = source, name = fstype, args[0] = flags */
	CF_KIND_UMOUNT = 34,   /* str = target, args[0] = flags */
	CF_KIND_MODULE_LOAD = 35,   /* init_module: args[1] = image length, str = params; finit_module: args[2] = fd, args[0] = flags, str = params */
	CF_KIND_MODULE_UNLOAD = 36, /* delete_module: str = name, args[0] = flags */
	CF_KIND_BPF = 37,      /* args: cmd, prog/map type (PROG_LOAD, MAP_CREATE), attr size; name = prog/map name */
	CF_KIND_UNSHARE = 38,  /* args[0] = flags */
	CF_KIND_SETNS = 39,    /* args: fd, nstype */
	CF_KIND_MEMFD_CREATE = 40, /* str = name, args[0] = flags */
	CF_KIND_KILL = 41,     /* kill, tkill, tgkill: args: pid (kill) or tgid (tgkill), signal, tid (tkill, tgkill) */
	CF_KIND_EXECVEAT = 42, /* str = path, args[0] = flags, args[2] = dirfd */
	CF_KIND_CHROOT = 43,   /* str = path */
	CF_KIND_PIVOT_ROOT = 44, /* str = new_root, str2 = put_old */
	CF_KIND_MAX = 45,
};

/* cf_syscall_head.ret of a syscall whose thread exited before it returned (kill of itself, a
 * fatal signal while blocked): the record is written at the thread's exit, without a result. */
#define CF_RET_NONE ((__s64)0x8000000000000000ULL)

#define CF_SOCKADDR_MAX 112 /* enough for sockaddr_in6 and sockaddr_un (110 bytes) */

/* Which syscall a file event came from (the syscall family of one kind). */
enum cf_syscall {
	CF_SYS_OPEN = 1,
	CF_SYS_OPENAT = 2,
	CF_SYS_OPENAT2 = 3,
	CF_SYS_CREAT = 4,
};

#define CF_PATH_MAX 256
#define CF_PATH_TRUNCATED (1u << 0)  /* the path did not fit in CF_PATH_MAX */
#define CF_PATH_UNREADABLE (1u << 1) /* reading the path from the process's memory failed */
#define CF_PATH_ABSENT (1u << 4)     /* cf_call: no str was given (a NULL pointer) */
#define CF_PATH2_ABSENT (1u << 5)    /* cf_call: no str2 was given */

/* Indices of the per-CPU counters in the `cf_counters` map. */
enum cf_counter {
	CF_COUNTER_RINGBUF_DROPS = 0, /* bpf_ringbuf_output failed: ring buffer full */
	CF_COUNTER_EVENTS = 1,        /* records successfully written */
	CF_COUNTER_PENDING_DROPS = 2, /* a syscall's entry could not be kept until its exit, or was not its exit's */
	CF_COUNTER_SCOPE_SKIPS = 3,   /* events not recorded because their cgroup is out of the recording's scope */
	CF_COUNTER_COMPAT_SKIPS = 4,  /* 32-bit (ia32) syscalls: other numbers and registers, not recorded, counted */
	CF_COUNTER_MAX = 5,
};

/* Flags in cf_exec.flags */
#define CF_EXEC_ARGV_TRUNCATED (1u << 0)
#define CF_EXEC_FILENAME_TRUNCATED (1u << 1)
#define CF_EXEC_ARGV_UNREADABLE (1u << 2)     /* reading argv from the new program's memory failed */
#define CF_EXEC_FILENAME_UNREADABLE (1u << 3) /* reading the filename failed */
#define CF_EXEC_ENV_TRUNCATED (1u << 4)       /* the environment was cut at the capture cap */
#define CF_EXEC_ENV_UNREADABLE (1u << 5)      /* reading the environment failed */

#define CF_CGROUP_PATH_TRUNCATED (1u << 0)    /* the path did not fit in CF_CGROUP_PATH_MAX */

struct cf_header {
	__u64 ts_boot_ns; /* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME of the event */
	__u64 cgroup_id;  /* cgroup id of the current task in the tracked hierarchy (v2, or v1 cpuset when cf_cgroup_v1_cpuset) */
	__u32 kind;       /* enum cf_kind */
	__u32 size;       /* length of the whole record in bytes */
	__u32 pid;        /* tgid of the current task (what user space calls the PID) */
	__u32 tid;        /* pid of the current task (thread id) */
	char comm[CF_COMM_LEN]; /* the current thread's name (bpf_get_current_comm), NUL-padded */
};

/* sched_process_exec: `current` has just replaced its image. */
struct cf_exec {
	struct cf_header h;
	__u64 start_boot_ns; /* task->start_boottime: identifies the process with pid */
	__u32 ppid;          /* tgid of real_parent */
	__u32 uid;
	__u32 gid;
	__u32 ns_pid;        /* pid as seen inside its own pid namespace */
	__u32 mnt_ns;        /* inode number of the mount namespace */
	__u32 pid_ns;        /* inode number of the pid namespace */
	__u32 old_pid;       /* pid before exec (differs when a thread execs) */
	__u32 flags;         /* CF_EXEC_* */
	__u16 filename_len;  /* bytes in filename, without the NUL */
	__u16 argv_len;      /* bytes of argv that follow, NUL-separated */
	__u16 env_len;       /* bytes of environment after argv (0 unless capture is on) */
	__u16 reserved;
	char filename[CF_FILENAME_MAX];
	char argv[CF_ARGV_MAX + CF_ENV_MAX]; /* variable: argv_len bytes of argv, then env_len bytes of environment */
};

/* sched_process_fork, only when a new process (not a thread) is created. */
struct cf_fork {
	struct cf_header h;          /* the parent's context */
	__u64 parent_start_boot_ns;
	__u64 child_start_boot_ns;
	__u32 child_pid;
	__u32 child_tid;
	__u32 uid;
	__u32 gid;
};

/* sched_process_exit of the last thread of a process (the group is dead). */
struct cf_exit {
	struct cf_header h;
	__u64 start_boot_ns;
	__u32 exit_code;  /* wait status: (code << 8) | signal (| 0x80 when core dumped) */
	__u32 ppid;
};

/* cgroup_mkdir / cgroup_rmdir in any hierarchy. */
struct cf_cgroup {
	struct cf_header h;      /* context of the task that made or removed the cgroup */
	__u64 id;                /* kernfs node id of the cgroup (= directory inode on v2) */
	__u32 hierarchy_id;      /* cgroup_root->hierarchy_id: which hierarchy (v2 is 0) */
	__u32 level;             /* depth below the hierarchy root */
	__u16 path_len;          /* bytes of path, without the NUL */
	__u16 flags;             /* CF_CGROUP_* */
	__u16 reserved[2];
	char path[CF_CGROUP_PATH_MAX]; /* variable: path inside the hierarchy, e.g. /docker/<id> */
};

/* The start of every syscall record (open, path, net): the exit program fills ret and the header
 * whatever the kind. Each record below begins with these three fields, in this order. */
struct cf_syscall_head {
	struct cf_header h;
	__s64 ret;
	__u64 enter_ns;
};

/* CF_KIND_OPEN. h.pid/tid/comm/cgroup are the caller's at the syscall's entry; h.ts_boot_ns = enter_ns
 * (the exit's time is not read). Syscall records below follow the same rules. */
struct cf_open {
	struct cf_header h;
	__s64 ret;        /* the new fd, or -errno */
	__u64 enter_ns;   /* boot clock at the syscall's entry */
	__s32 dfd;        /* directory fd a relative path is resolved against (AT_FDCWD = -100) */
	__u32 flags;      /* O_* flags (openat2: how.flags, low 32 bits) */
	__u32 mode;       /* creation mode */
	__u16 syscall;    /* enum cf_syscall */
	__u16 path_flags; /* CF_PATH_* */
	__u16 path_len;   /* bytes of path, without the NUL */
	__u16 reserved[3];
	char path[CF_PATH_MAX]; /* variable: the path as the process gave it */
};

/* CF_KIND_UNLINK, _RENAME, _CHMOD, _MKDIR, _RMDIR, _LINK, _SYMLINK, _CHOWN, _TRUNCATE: path
 * syscalls, one record at exit (fixed size). */
struct cf_path2 {
	struct cf_header h;
	__s64 ret;         /* 0, or -errno */
	__u64 enter_ns;    /* boot clock at the syscall's entry */
	__s64 arg;         /* mode (chmod, mkdir) or flags (unlinkat, renameat2) */
	__s32 dfd;         /* directory fd of path (AT_FDCWD = -100) */
	__s32 dfd2;        /* directory fd of path2 (rename) */
	__u32 syscall_nr;  /* which syscall (this architecture's number) */
	__u16 path_flags;  /* CF_PATH_* of path, and of path2 shifted left by 2 */
	__u16 path_len;
	__u16 path2_len;
	__u16 reserved[3];
	char path[CF_PATH_MAX];
	char path2[CF_PATH_MAX]; /* rename: the new path */
};

/* CF_KIND_CONNECT, _BIND: the socket address as the process passed it (read at entry).
 * CF_KIND_ACCEPT: the peer's address the kernel wrote into the caller's buffer (read at exit).
 * CF_KIND_LISTEN: no address; arg = backlog. */
struct cf_net {
	struct cf_header h;
	__s64 ret;        /* 0, or -errno (-EINPROGRESS for a non-blocking connect under way); accept: the new fd */
	__u64 enter_ns;
	__s32 fd;         /* the socket */
	__u32 addr_len;   /* the length the process passed (accept: the length the kernel wrote); 0: no address */
	__u8 addr[CF_SOCKADDR_MAX]; /* struct sockaddr, as given (family in its first two bytes) */
	__u64 uaddr;      /* accept: the caller's address buffer and its length's address (entry to exit) */
	__u64 uaddr_len;
	__s32 arg;        /* accept4 flags, listen backlog */
	__u32 reserved;
};

#define CF_CALL_NAME_MAX 16
#define CF_CALL_STR_MAX 256

/* The privilege and escape calls (CF_KIND_SETUID .. CF_KIND_PIVOT_ROOT): up to four numeric
 * arguments and two strings (paths or names, as the process gave them), one record at exit. The
 * meaning of each field per kind is next to the kind above. The record is cut after str when
 * str2 is empty. */
struct cf_call {
	struct cf_header h;
	__s64 ret;
	__u64 enter_ns;
	__s64 args[4];
	__u32 syscall_nr;  /* which syscall (this architecture's number) */
	__u16 str_flags;   /* CF_PATH_* of str, of str2 shifted left by 2; CF_PATH_ABSENT, CF_PATH2_ABSENT */
	__u16 str_len;
	__u16 str2_len;
	__u16 name_len;
	__u32 reserved;
	char name[CF_CALL_NAME_MAX];
	char str[CF_CALL_STR_MAX];
	char str2[CF_CALL_STR_MAX];
};

/* The exit program treats every syscall record as a struct cf_syscall_head: checked here. */
#define CF_SAME_HEAD(T) \
	_Static_assert(__builtin_offsetof(struct T, ret) == __builtin_offsetof(struct cf_syscall_head, ret) && \
		       __builtin_offsetof(struct T, enter_ns) == __builtin_offsetof(struct cf_syscall_head, enter_ns), \
		       #T " must begin like struct cf_syscall_head")
CF_SAME_HEAD(cf_open);
CF_SAME_HEAD(cf_path2);
CF_SAME_HEAD(cf_net);
CF_SAME_HEAD(cf_call);

#endif /* CASEFILE_ABI_H */
