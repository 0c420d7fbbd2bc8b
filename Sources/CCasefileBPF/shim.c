#include "CCasefileBPF.h"
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

/* What append_record returns to make libbpf stop a drain (a value no errno has). */
#define CF_SLICE_FULL (-100000)

static int append_record(void *ctx, void *data, size_t size)
{
	struct cf_batch *b = ctx;
	/* records are 8-byte aligned in the batch so Swift can load them in place */
	size_t need = (size + 7) & ~(size_t)7;
	if (b->len + need > b->cap) {
		unsigned long cap = b->cap ? b->cap : (1ul << 20);
		while (cap < b->len + need)
			cap *= 2;
		unsigned char *grown = realloc(b->data, cap);
		if (!grown) {
			b->alloc_failures++;
			return 0; /* keep draining; the loss is counted */
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, size);
	b->len += need;
	b->records++;
	if (b->slice && b->len >= b->slice)
		return CF_SLICE_FULL; /* libbpf stops here, this record consumed */
	return 0;
}

struct ring_buffer *cf_ring_buffer_new(int map_fd, struct cf_batch *batch)
{
	return ring_buffer__new(map_fd, append_record, batch, NULL);
}

int cf_ring_buffer_drain(struct ring_buffer *rb, struct cf_batch *batch)
{
	batch->more = 0;
	int rc = ring_buffer__consume(rb);
	if (rc == CF_SLICE_FULL) {
		batch->more = 1;
		return (int)batch->records;
	}
	return rc;
}

void cf_batch_free(struct cf_batch *batch)
{
	free(batch->data);
	batch->data = NULL;
	batch->cap = batch->len = batch->records = 0;
}

static char last_log[1024];

static int capture(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, args);
	if (n <= 0)
		return 0;
	/* keep the tail of the log: the last lines explain a failure */
	size_t cur = strlen(last_log), add = strlen(line);
	if (cur + add >= sizeof(last_log)) {
		size_t keep = sizeof(last_log) - 1 - add;
		if (add >= sizeof(last_log) - 1) { keep = 0; add = sizeof(last_log) - 1; }
		memmove(last_log, last_log + cur - (keep < cur ? keep : cur), keep < cur ? keep : cur);
		cur = keep < cur ? keep : cur;
	}
	memcpy(last_log + cur, line, add);
	last_log[cur + add] = 0;
	return 0;
}

void cf_libbpf_capture_logs(void)
{
	libbpf_set_print(capture);
}

const char *cf_libbpf_last_log(void)
{
	return last_log;
}

int cf_ring_buffer_wait(struct ring_buffer *rb, int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(ring_buffer__epoll_fd(rb), &ev, 1, timeout_ms);
	return n < 0 ? -errno : n;
}

int cf_set_rodata_u32(struct bpf_object *obj, const char *name, unsigned int value)
{
	return cf_set_rodata(obj, name, &value, sizeof(value));
}

int cf_set_rodata(struct bpf_object *obj, const char *name, const void *value, size_t value_size)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	if (!btf)
		return -ENOENT;
	bpf_object__for_each_map(map, obj) {
		const char *map_name = bpf_map__name(map);
		size_t n = strlen(map_name);
		if (n < 7 || strcmp(map_name + n - 7, ".rodata") != 0)
			continue;
		int sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
		if (sec_id < 0)
			return -ENOENT;
		const struct btf_type *sec = btf__type_by_id(btf, sec_id);
		const struct btf_var_secinfo *vars = btf_var_secinfos(sec);
		size_t size = 0;
		const void *initial = bpf_map__initial_value(map, &size);
		if (!initial)
			return -ENOENT;
		for (int i = 0; i < btf_vlen(sec); i++) {
			const struct btf_type *var = btf__type_by_id(btf, vars[i].type);
			if (strcmp(btf__name_by_offset(btf, var->name_off), name) != 0)
				continue;
			if (vars[i].size != value_size || vars[i].offset + value_size > size)
				return -EINVAL;
			/* copy, change, set: the documented way to change a map's initial value */
			unsigned char *data = malloc(size);
			if (!data)
				return -ENOMEM;
			memcpy(data, initial, size);
			memcpy(data + vars[i].offset, value, value_size);
			int err = bpf_map__set_initial_value(map, data, size);
			free(data);
			return err;
		}
	}
	return -ENOENT;
}
