/*
 * The event ABI as Swift sees it: the record layouts of bpf/casefile.h, the one definition shared
 * with the BPF programs. Nothing else: the decoder reads layouts and needs no libbpf.
 */
#ifndef CCASEFILEABI_H
#define CCASEFILEABI_H
#include "../../../bpf/casefile.h"
#include <stddef.h>

/* Swift does not import C arrays this large (cf_exec.argv holds argv and the environment), so it
 * reads them from the record at this offset. */
static inline size_t cf_exec_argv_offset(void) { return offsetof(struct cf_exec, argv); }
#endif
