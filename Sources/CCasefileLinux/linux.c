#define _GNU_SOURCE
#include "CCasefileLinux.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CF_FILEID_KERNFS 0xfe

long cf_cgroup_path_by_id(int mount_fd, unsigned long long id, char *buf, size_t len)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[sizeof(unsigned long long)];
	} handle;
	handle.fh.handle_bytes = sizeof(id);
	handle.fh.handle_type = CF_FILEID_KERNFS;
	memcpy(handle.fh.f_handle, &id, sizeof(id));
	int fd = open_by_handle_at(mount_fd, &handle.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, len > 0 ? len - 1 : 0);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = 0;
	return n;
}

/* A write lock on the one byte at `offset`, as F_OFD_SETLK and F_OFD_GETLK take it. */
static struct flock cf_byte_lock(long long offset)
{
	struct flock lock;
	memset(&lock, 0, sizeof(lock));
	lock.l_type = F_WRLCK;
	lock.l_whence = SEEK_SET;
	lock.l_start = offset;
	lock.l_len = 1;
	return lock;
}

int cf_ofd_lock_byte(int fd, long long offset)
{
	struct flock lock = cf_byte_lock(offset);
	return fcntl(fd, F_OFD_SETLK, &lock) == 0 ? 0 : -errno;
}

int cf_ofd_byte_locked(int fd, long long offset)
{
	struct flock lock = cf_byte_lock(offset);
	if (fcntl(fd, F_OFD_GETLK, &lock) != 0)
		return -errno;
	return lock.l_type == F_UNLCK ? 0 : 1;
}
