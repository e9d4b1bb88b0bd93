/* fdio.h — whole-buffer reads and writes: on file descriptors (pipes between the harness and
 * its run children, retrying short transfers and EINTR), of whole files, and of the last line
 * of a log; output files created or replaced without writing through a planted link
 * (pb_create_file, pb_save_*); and what a forked child drops (pb_close_fds_except,
 * pb_die_with_parent). Common ground (harness/common/): used by every stage of the harness and
 * by the strategies, and needs nothing but the C library. */
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

/* Writes all len bytes of buf to fd at offset off (the file offset is not moved), retrying
 * short writes and EINTR. Returns 0, -EIO when pwrite writes nothing, or -errno. */
int pb_pwrite_all(int fd, const void *buf, size_t len, size_t off);

/* Reads fd to its end into a malloc'd NUL-terminated buffer (*out, the caller frees it); *len
 * (when non-NULL) gets its size. More than max bytes is -EFBIG (whatever fd still holds is not
 * read, and nothing is returned). Returns 0 or -errno (-ENOMEM, a read error). */
int pb_read_fd(int fd, size_t max, char **out, size_t *len);

/* Reads the whole file at path into a malloc'd NUL-terminated buffer (*out, the caller frees
 * it); *len (when non-NULL) gets its size. A FIFO, device or folder is refused with -EINVAL
 * without blocking. Returns 0 or -errno. */
int pb_read_file(const char *path, char **out, size_t *len);

/* Reads a small file (proc, sysfs, cgroup) with one read of at most size-1 bytes into buf,
 * NUL-terminated (buf is "" on failure). Returns the bytes read or -errno. */
ssize_t pb_read_text(const char *path, char *buf, size_t size);

/* Writes text to the existing file at path (proc, sysfs, cgroup: never created). Returns 0
 * or -errno. */
int pb_write_text(const char *path, const char *text);

/* The last size-1 bytes fd yields (all of them when fewer), NUL-terminated in buf (size >= 1):
 * a regular file is read from its end at once; a pipe is read to its end, keeping the tail.
 * EINTR is retried, unless stop is non-NULL and stop() returns nonzero, which ends the read
 * with what was kept. Returns the bytes kept (strlen(buf) when they hold no NUL) or -errno
 * (buf then holds what was kept before the error). */
ssize_t pb_read_tail(int fd, char *buf, size_t size, int (*stop)(void));

/* pb_read_tail of the file at path: its last size-1 bytes. Returns their count or -errno
 * (buf "" when the file cannot be opened). */
ssize_t pb_file_tail(const char *path, char *buf, size_t size);

/* Copies len bytes of src into dst (size >= 5) NUL-terminated; when they do not fit, the
 * start that does, cut on a UTF-8 character boundary, followed by "…" (U+2026), so that a
 * shortened text says so. Returns dst. */
char *pb_copy_fit(char *dst, size_t size, const char *src, size_t len);

/* The last non-blank line of text[0..len) (lines end at '\n'; a line of only spaces, tabs and
 * '\r' is blank; the trailing spaces, tabs and '\r' of the line, a CRLF's included, are
 * dropped) into buf (size >= 5) through pb_copy_fit: its start, then "…", when it does not
 * fit. buf is "" when text holds no such line. Returns buf. */
char *pb_last_line(const char *text, size_t len, char *buf, size_t size);

/* Reads at most this many bytes from the end of a log for pb_file_last_line: a longer last
 * line is seen from this far before the end. */
#define PB_LAST_LINE_WINDOW 65536

/* pb_last_line of the end of the file at path (its last PB_LAST_LINE_WINDOW bytes): how a
 * run's output log, a command's log or a launcher's log says what went wrong. Returns 0 or
 * -errno (buf is then ""). */
int pb_file_last_line(const char *path, char *buf, size_t size);

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
