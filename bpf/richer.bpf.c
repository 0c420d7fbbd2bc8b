// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Richer hooks, probed at start: can this kernel load and attach an LSM program and an fentry
 * program? They would give what the syscall tracepoints cannot (resolved absolute paths, the
 * socket's real addresses, a decision point). Each program here does nothing (an LSM program
 * returning 0 allows); the recorder loads one, attaches it for a moment, detaches it, and
 * writes the outcome into the session's settings (`hooks`). This version records through the
 * tracepoints either way.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct file;

SEC("lsm/file_open")
int BPF_PROG(cf_probe_lsm_file_open, struct file *file)
{
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(cf_probe_fentry_unlinkat)
{
	return 0;
}
