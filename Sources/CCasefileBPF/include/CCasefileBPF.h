/*
 * The libbpf shim: the ring-buffer batching callback and the few libbpf calls that are easier
 * in C. Only CasefileProbe imports this module (the record layouts are in CCasefileABI).
 */
#ifndef CCASEFILEBPF_H
#define CCASEFILEBPF_H

#include <bpf/libbpf.h> /* from the CLibBPF system-library target */
#include <bpf/bpf.h>

/* libbpf's ring buffer callback that appends each record to a cf_batch.
 * Kept in C so the per-record path is a memcpy, not a Swift closure call. */
struct cf_batch {
	unsigned char *data;   /* malloc'd, grown as needed; free with cf_batch_free */
	unsigned long cap;     /* its capacity */
	unsigned long len;     /* bytes used; records are 8-byte aligned */
	unsigned long records; /* records appended since the last reset */
	unsigned long alloc_failures; /* records lost because memory ran out */
	unsigned long slice;   /* a drain stops once len reaches this (0: no limit) */
	int more;              /* set by a drain that stopped at `slice` with records left */
};

void cf_batch_free(struct cf_batch *batch);

/* Creates a ring buffer manager whose callback appends records to *batch. */
struct ring_buffer *cf_ring_buffer_new(int map_fd, struct cf_batch *batch);

/* Appends the records now in the ring to the batch given to cf_ring_buffer_new, up to
 * batch->slice bytes (then batch->more is set and the rest stays in the ring for the next
 * drain): returns records consumed or -errno. libbpf advances past a record before its callback
 * runs, so the callback never refuses one: it stops the drain after appending. */
int cf_ring_buffer_drain(struct ring_buffer *rb, struct cf_batch *batch);

/* Sleeps until the kernel wakes the ring's consumer or timeout_ms pass; consumes nothing.
 * Returns >0 when woken, 0 on timeout, -errno on error (EINTR included). */
int cf_ring_buffer_wait(struct ring_buffer *rb, int timeout_ms);

/* Before load: sets the `const volatile __u32 name` of the object's .rodata to value.
 * Returns 0 or -errno (-ENOENT when there is no such variable). */
int cf_set_rodata_u32(struct bpf_object *obj, const char *name, unsigned int value);
/* Sets a `const volatile` global of `value_size` bytes (it must have exactly that size). */
int cf_set_rodata(struct bpf_object *obj, const char *name, const void *value, size_t value_size);

/* Routes libbpf's log lines to a buffer callers can read (last error text). */
void cf_libbpf_capture_logs(void);
const char *cf_libbpf_last_log(void);

#endif
