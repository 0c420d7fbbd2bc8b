/* libbpf from the system (Debian: libbpf-dev). Only CCasefileBPF and CasefileProbe use it. */
#ifndef CLIBBPF_SHIM_H
#define CLIBBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#endif
