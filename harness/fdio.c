/* fdio.c — see fdio.h. */
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int pb_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int pb_read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -EPIPE;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

/* Opens path for reading without blocking (a FIFO's open would wait for a writer) and
 * refuses anything but a regular file with -EINVAL. Returns a stream or NULL with *rc set. */
static FILE *open_regular(const char *path, int *rc)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    *rc = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
    FILE *f = *rc ? NULL : fdopen(fd, "rb");
    if (!*rc && !f)
        *rc = -errno;
    if (!f && fd >= 0)
        close(fd);
    return f;
}

int pb_read_file(const char *path, char **out, size_t *len)
{
    int rc;
    FILE *f = open_regular(path, &rc);
    if (!f)
        return rc;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return buf ? -EIO : -ENOMEM;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}
