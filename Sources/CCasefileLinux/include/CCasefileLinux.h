/*
 * Linux calls Swift's Glibc module does not expose well, wrapped once.
 * Used by CasefilePipeline's CgroupFS, CasefileStore's RecordingLock and CasefileRecorder's
 * Privileges.
 */
#ifndef CCASEFILELINUX_H
#define CCASEFILELINUX_H

#include <stddef.h>

/* Finds the directory of the cgroup whose kernel id is `id` in the cgroup hierarchy whose mount
 * is open as `mount_fd`, in O(1): cgroupfs (kernfs) accepts the id as a file handle for
 * open_by_handle_at(2) (needs CAP_DAC_READ_SEARCH). Writes the directory's absolute path,
 * NUL-terminated, to buf. Returns its length, or -errno (-ESTALE: no such cgroup now). */
long cf_cgroup_path_by_id(int mount_fd, unsigned long long id, char *buf, size_t len);

/* Takes an open-file-description lock (F_OFD_SETLK, Linux 3.15+) for writing on one byte at
 * `offset` of the file open as `fd`, without waiting. OFD locks belong to the open file
 * description, so SQLite's own (process-associated) POSIX locks on other bytes of the same file
 * are neither taken nor released by it. Returns 0, or -errno (-EAGAIN: someone holds it). */
int cf_ofd_lock_byte(int fd, long long offset);

/* Reduces every thread of the process to the capabilities in `keep` (bit n = capability n):
 * effective and permitted = keep, inheritable and ambient empty, bounding set = keep, and sets
 * no_new_privs. See privileges.c for why this needs every thread. Returns 0, or -errno with a
 * NUL-terminated explanation in `message`. */
int cf_reduce_privileges(unsigned long long keep, char *message, size_t length);

/* Whether someone holds a lock on that byte (F_OFD_GETLK): 1 yes, 0 no, -errno on failure.
 * Takes nothing: `verify` asks whether a recorder is still writing a file it only reads. */
int cf_ofd_byte_locked(int fd, long long offset);

#endif
