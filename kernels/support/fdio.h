/* fdio.h — whole-buffer reads and writes: on file descriptors (pipes between the harness and
 * its run children, retrying short transfers and EINTR) and of whole files. */
#ifndef PAIRBENCH_FDIO_H
#define PAIRBENCH_FDIO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Writes all len bytes of buf to fd. Returns 0 or -errno. */
int pb_write_all(int fd, const void *buf, size_t len);

/* Reads exactly len bytes from fd into buf. Returns 0, -EPIPE on an early end of file, or
 * -errno. */
int pb_read_all(int fd, void *buf, size_t len);

/* Reads the whole file at path into a malloc'd NUL-terminated buffer (*out, the caller frees
 * it); *len (when non-NULL) gets its size. A FIFO, device or folder is refused with -EINVAL
 * without blocking. Returns 0 or -errno. */
int pb_read_file(const char *path, char **out, size_t *len);

/* Closes every descriptor >= 3 of the calling process except the nkeep in keep[] (a forked
 * child calls it so that it holds only what it needs: never the results CSV, the lock or a
 * sibling's pipe). Returns 0 or -errno. */
int pb_close_fds_except(const int *keep, size_t nkeep);

/* Makes the calling child die with its parent: PR_SET_PDEATHSIG(sig), and _exit(70) at once
 * when parent (the pid it was forked from) has already gone. */
void pb_die_with_parent(pid_t parent, int sig);

/* Opens path for writing as a new file: O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0644, so an
 * existing file or a symlink planted where the output goes is never written through. With
 * replace, an existing regular file is unlinked first (a symlink is still refused). Returns
 * the descriptor or -errno (-EEXIST, -ELOOP for a symlink). */
int pb_create_file(const char *path, int replace);

/* fopen(path, "w") through pb_create_file(path, replace), close-on-exec. NULL with errno set. */
FILE *pb_fcreate(const char *path, int replace);

/* 1 when the two paths name the same file (st_dev and st_ino, symlinks followed), else 0. */
int pb_same_file(const char *a, const char *b);

/* May a command save its result to path? input is the file it reads (or NULL). Returns 0;
 * -EINVAL when path is input itself (never replaced, even with force); -EEXIST when path
 * exists (a symlink included) and force is 0; -EISDIR when it is a directory or other
 * non-regular file. */
int pb_save_check(const char *path, const char *input, int force);

/* Makes a private temporary "PATH.XXXXXX" beside path (O_EXCL, close-on-exec), its name into
 * tmp (cap bytes). Returns its descriptor or -errno. */
int pb_save_begin(const char *path, char *tmp, size_t cap);

/* Moves the finished temporary tmp onto path: replacing what is there when force (a symlink
 * itself, never its target), else only when path is still free (-EEXIST otherwise). tmp is
 * removed on failure. Returns 0 or -errno. */
int pb_save_commit(const char *tmp, const char *path, int force);

/* Bytes a write error leaves to say: "the disk is full" for ENOSPC/EDQUOT, strerror else. */
const char *pb_write_error(int err);

#endif
