/*
 * Linux calls Swift's Glibc module does not expose well, wrapped once.
 * Used only by CasefilePipeline's CgroupFS.
 */
#ifndef CCASEFILELINUX_H
#define CCASEFILELINUX_H

#include <stddef.h>

/* Finds the directory of the cgroup whose kernel id is `id` in the cgroup hierarchy whose mount
 * is open as `mount_fd`, in O(1): cgroupfs (kernfs) accepts the id as a file handle for
 * open_by_handle_at(2) (needs CAP_DAC_READ_SEARCH). Writes the directory's absolute path,
 * NUL-terminated, to buf. Returns its length, or -errno (-ESTALE: no such cgroup now). */
long cf_cgroup_path_by_id(int mount_fd, unsigned long long id, char *buf, size_t len);

#endif
