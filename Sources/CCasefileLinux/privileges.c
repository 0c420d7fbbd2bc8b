/*
 * Dropping capabilities and setting no_new_privs in every thread of the process.
 *
 * Why a shim: on Linux both are per thread. capset(2), PR_CAPBSET_DROP and PR_SET_NO_NEW_PRIVS act
 * on the calling thread only, and a Swift process has many threads by the time the recorder is set
 * up (the concurrency pool, NIO's event loops, the recorder's own loops). glibc broadcasts set*id
 * calls to all threads, but has nothing for capabilities; libcap's libpsx does, and Debian 12 does
 * not ship it for static use. This does what libpsx does: every other thread is signalled and runs
 * the same raw syscalls in the handler (all async-signal-safe; see CF_PRIV_SIGNAL for which
 * signal), and the process's threads are
 * listed again until each one reports the reduced set (a thread started meanwhile by a thread not
 * yet reduced is caught on the next round).
 */
#define _GNU_SOURCE
#include "CCasefileLinux.h"
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* SIGSYS: libdispatch's worker threads (Swift's concurrency pool on Linux) block every signal but
 * the synchronous ones (SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGSYS, SIGPIPE, SIGPROF),
 * so a real-time signal never reaches them. SIGSYS is only ever raised otherwise by a seccomp
 * SECCOMP_RET_TRAP filter, which the recorder does not install; the previous action is restored
 * once every thread has answered. */
#define CF_PRIV_SIGNAL SIGSYS

static unsigned long long cf_keep;
static int cf_last_cap;
static atomic_int cf_answered;
static atomic_int cf_failure;

/* The calling thread: bounding set, ambient set, then effective/permitted/inheritable, then
 * no_new_privs. The bounding set first: dropping from it needs CAP_SETPCAP, still held then. */
static int cf_reduce_this_thread(void)
{
	for (int cap = 0; cap <= cf_last_cap; cap++) {
		if (cf_keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			return -errno;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (unsigned int)(cf_keep & 0xffffffffULL);
	data[1].effective = data[1].permitted = (unsigned int)(cf_keep >> 32);
	if (syscall(SYS_capset, &header, data) != 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	return 0;
}

static void cf_reduce_handler(int sig)
{
	(void)sig;
	int saved = errno;
	int result = cf_reduce_this_thread();
	if (result != 0)
		atomic_store(&cf_failure, -result);
	atomic_fetch_add(&cf_answered, 1);
	errno = saved;
}

/* 1 when thread `tid` of this process has exactly the kept set and no_new_privs. */
static int cf_thread_is_reduced(long tid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 1 : 0; /* gone; any other failure: not known to be reduced */
	int ok = 1, seen = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		if (sscanf(line, "CapEff: %llx", &v) == 1 || sscanf(line, "CapPrm: %llx", &v) == 1 ||
		    sscanf(line, "CapBnd: %llx", &v) == 1 || sscanf(line, "CapInh: %llx", &v) == 1 ||
		    sscanf(line, "CapAmb: %llx", &v) == 1) {
			int inh = strncmp(line, "CapInh", 6) == 0 || strncmp(line, "CapAmb", 6) == 0;
			if (v != (inh ? 0 : cf_keep))
				ok = 0;
			seen++;
		} else if (sscanf(line, "NoNewPrivs: %llu", &v) == 1) {
			if (v != 1)
				ok = 0;
			seen++;
		}
	}
	fclose(f);
	return ok && seen == 6;
}

int cf_reduce_privileges(unsigned long long keep, char *message, size_t length)
{
	message[0] = 0;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	cf_last_cap = 40;
	if (f) {
		if (fscanf(f, "%d", &cf_last_cap) != 1)
			cf_last_cap = 40;
		fclose(f);
	}
	cf_keep = keep;
	atomic_store(&cf_failure, 0);

	struct sigaction action, previous;
	memset(&action, 0, sizeof(action));
	action.sa_handler = cf_reduce_handler;
	action.sa_flags = SA_RESTART;
	sigemptyset(&action.sa_mask);
	if (sigaction(CF_PRIV_SIGNAL, &action, &previous) != 0) {
		snprintf(message, length, "sigaction: %s", strerror(errno));
		return -errno;
	}
	int result = cf_reduce_this_thread();
	if (result != 0) {
		snprintf(message, length, "in the calling thread: %s", strerror(-result));
		sigaction(CF_PRIV_SIGNAL, &previous, NULL);
		return result;
	}
	long self = syscall(SYS_gettid);
	pid_t pid = getpid();
	for (int round = 0; round < 20; round++) {
		DIR *d = opendir("/proc/self/task");
		if (!d) {
			snprintf(message, length, "/proc/self/task: %s", strerror(errno));
			result = -errno;
			break;
		}
		int sent = 0;
		atomic_store(&cf_answered, 0);
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			char *end;
			long tid = strtol(e->d_name, &end, 10);
			if (*end != 0 || tid <= 0 || tid == self || cf_thread_is_reduced(tid))
				continue;
			if (syscall(SYS_tgkill, pid, tid, CF_PRIV_SIGNAL) == 0)
				sent++;
		}
		closedir(d);
		if (sent == 0) {
			result = 0;
			message[0] = 0;
			break;
		}
		/* Wait (at most 0.5 s) for the signalled threads to run the handler. */
		for (int waited = 0; waited < 500 && atomic_load(&cf_answered) < sent; waited++) {
			struct timespec ms = { 0, 1000000 };
			nanosleep(&ms, NULL);
		}
		if (atomic_load(&cf_failure) != 0) {
			result = -atomic_load(&cf_failure);
			snprintf(message, length, "in another thread: %s", strerror(-result));
			break;
		}
		result = -EAGAIN;
		snprintf(message, length, "%d threads did not answer (signal blocked?)", sent - atomic_load(&cf_answered));
	}
	if (result == 0)
		sigaction(CF_PRIV_SIGNAL, &previous, NULL);
	/* Otherwise the handler stays installed: a late answer must not kill the process (SIGSYS's
	 * default action). */
	return result;
}
