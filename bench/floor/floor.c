/*
 * The benchmark's "floor", user side: a minimal libbpf ring-buffer consumer that only counts.
 * It loads floor.bpf.o (openat and execve tracepoints writing path records to a 16 MiB ring
 * buffer without wake-ups), prints `ready`, drains the ring buffer every 2 ms counting records by
 * kind, and on SIGINT/SIGTERM drains once more and prints
 *     floor: opens=N execs=N dropped=N
 * (dropped = ring-buffer reservations that failed in the kernel). The bench compares Casefile's
 * slowdown of an open()/execve() storm with this one: the cost of eBPF capture with nothing done.
 *
 * Usage (root): floor [PATH/TO/floor.bpf.o]   (default: floor.bpf.o next to this binary)
 * Build: cc -O2 -o floor floor.c -lbpf -lelf -lz   (libbpf 1.1 API, no skeleton)
 *
 * Classic tracepoints need tracefs (libbpf reads the tracepoint id from
 * /sys/kernel/tracing/events/...). It is not mounted at boot on the project's machines, so when
 * neither /sys/kernel/tracing nor /sys/kernel/debug/tracing has the events, floor mounts tracefs at
 * /sys/kernel/tracing and leaves it mounted (harmless; bpftrace needs it too).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define FLOOR_KIND_OPEN 1
#define FLOOR_KIND_EXEC 2
#define FLOOR_PATH_MAX 256

/* Same as in floor.bpf.c. */
struct floor_event {
	uint64_t ts;
	uint32_t pid;
	uint32_t tid;
	uint32_t kind;
	char path[FLOOR_PATH_MAX];
};

struct counts {
	unsigned long long opens;
	unsigned long long execs;
	unsigned long long other;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct counts *c = ctx;
	const struct floor_event *e = data;
	if (size < sizeof(*e)) {
		c->other++;
		return 0;
	}
	if (e->kind == FLOOR_KIND_OPEN)
		c->opens++;
	else if (e->kind == FLOOR_KIND_EXEC)
		c->execs++;
	else
		c->other++;
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Makes sure libbpf can find the tracepoint ids: mounts tracefs when no tracing directory has them. */
static int ensure_tracefs(void)
{
	if (access("/sys/kernel/tracing/events/syscalls/sys_enter_openat/id", R_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_openat/id", R_OK) == 0)
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0 && errno != EBUSY) {
		fprintf(stderr, "floor: tracefs is not mounted and mounting it at /sys/kernel/tracing failed: %s\n",
			strerror(errno));
		return -1;
	}
	if (access("/sys/kernel/tracing/events/syscalls/sys_enter_openat/id", R_OK) != 0) {
		fprintf(stderr, "floor: no /sys/kernel/tracing/events/syscalls/sys_enter_openat/id after mounting tracefs: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/* floor.bpf.o beside /proc/self/exe. */
static int default_object_path(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(out, len, "%s/floor.bpf.o", exe) >= len)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char path_buf[PATH_MAX];
	const char *obj_path;
	if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
		fprintf(stderr, "usage: floor [PATH/TO/floor.bpf.o]\n");
		return 2;
	}
	if (argc == 2) {
		obj_path = argv[1];
	} else {
		if (default_object_path(path_buf, sizeof(path_buf)) != 0) {
			fprintf(stderr, "floor: cannot locate floor.bpf.o next to the binary; pass its path\n");
			return 1;
		}
		obj_path = path_buf;
	}

	libbpf_set_print(libbpf_print);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
		fprintf(stderr, "floor: sigaction: %s\n", strerror(errno));
		return 1;
	}

	if (ensure_tracefs() != 0)
		return 1;

	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		fprintf(stderr, "floor: opening BPF object %s failed: %s\n", obj_path, strerror(errno));
		return 1;
	}
	int err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "floor: loading BPF object %s failed: %s\n", obj_path, strerror(-err));
		bpf_object__close(obj);
		return 1;
	}

	struct bpf_link *links[8];
	int nlinks = 0;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (nlinks == (int)(sizeof(links) / sizeof(links[0]))) {
			fprintf(stderr, "floor: too many programs in %s\n", obj_path);
			goto fail;
		}
		struct bpf_link *link = bpf_program__attach(prog);
		if (!link) {
			fprintf(stderr, "floor: attaching program %s (%s) failed: %s\n",
				bpf_program__name(prog), bpf_program__section_name(prog), strerror(errno));
			goto fail;
		}
		links[nlinks++] = link;
	}

	struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
	struct bpf_map *dropped = bpf_object__find_map_by_name(obj, "dropped");
	if (!events || !dropped) {
		fprintf(stderr, "floor: map %s not found in %s\n", events ? "dropped" : "events", obj_path);
		goto fail;
	}

	struct counts counts = {0};
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(events), handle_event, &counts, NULL);
	if (!rb) {
		fprintf(stderr, "floor: ring_buffer__new failed: %s\n", strerror(errno));
		goto fail;
	}

	printf("ready\n");
	fflush(stdout);

	const struct timespec period = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
	while (!stopping) {
		int n = ring_buffer__consume(rb);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "floor: ring_buffer__consume failed: %s\n", strerror(-n));
			ring_buffer__free(rb);
			goto fail;
		}
		nanosleep(&period, NULL); /* EINTR on a signal: the loop test sees it */
	}

	/* Stop the producers, then drain what they left. */
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	nlinks = 0;
	int n = ring_buffer__consume(rb);
	if (n < 0)
		fprintf(stderr, "floor: final ring_buffer__consume failed: %s\n", strerror(-n));

	uint32_t zero = 0;
	uint64_t drops = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(dropped), &zero, &drops) != 0) {
		fprintf(stderr, "floor: reading the dropped counter failed: %s\n", strerror(errno));
		drops = 0;
	}
	if (counts.other)
		fprintf(stderr, "floor: %llu records of unknown kind or size\n", counts.other);

	printf("floor: opens=%llu execs=%llu dropped=%llu\n", counts.opens, counts.execs,
	       (unsigned long long)drops);
	fflush(stdout);

	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;

fail:
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 1;
}
