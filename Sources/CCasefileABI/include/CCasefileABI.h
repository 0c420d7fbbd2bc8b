/*
 * The event ABI as Swift sees it: the record layouts of bpf/casefile.h, the one definition shared
 * with the BPF programs. Nothing else: the decoder reads layouts and needs no libbpf.
 */
#ifndef CCASEFILEABI_H
#define CCASEFILEABI_H
#include "../../../bpf/casefile.h"
#endif
