/* fdio.h — whole-buffer reads and writes: on file descriptors (pipes between the harness and
 * its run children, retrying short transfers and EINTR) and of whole files. */
#ifndef PAIRBENCH_FDIO_H
#define PAIRBENCH_FDIO_H

#include <stddef.h>

/* Writes all len bytes of buf to fd. Returns 0 or -errno. */
int pb_write_all(int fd, const void *buf, size_t len);

/* Reads exactly len bytes from fd into buf. Returns 0, -EPIPE on an early end of file, or
 * -errno. */
int pb_read_all(int fd, void *buf, size_t len);

/* Reads the whole file at path into a malloc'd NUL-terminated buffer (*out, the caller frees
 * it); *len (when non-NULL) gets its size. A FIFO, device or folder is refused with -EINVAL
 * without blocking. Returns 0 or -errno. */
int pb_read_file(const char *path, char **out, size_t *len);

#endif
