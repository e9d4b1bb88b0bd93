/* fdio.c — see fdio.h. */
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* qsort order of descriptors. */
static int cmp_fd(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* Closes fds in [lo, hi] (hi < 0: to the end), by close_range when the kernel has it. */
static void close_span(int lo, int hi)
{
    if (hi >= 0 && hi < lo)
        return;
    unsigned top = hi < 0 ? ~0U : (unsigned)hi;
    if (syscall(SYS_close_range, (unsigned)lo, top, 0) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = lo; fd <= (hi < 0 ? (max > 0 ? max : 1024) : hi); fd++)
        close((int)fd);
}

int pb_close_fds_except(const int *keep, size_t nkeep)
{
    int k[64];
    size_t n = 0;
    for (size_t i = 0; i < nkeep && n < 64; i++)
        if (keep[i] >= 3)
            k[n++] = keep[i];
    qsort(k, n, sizeof *k, cmp_fd);
    int lo = 3;
    for (size_t i = 0; i < n; i++) {
        close_span(lo, k[i] - 1);
        lo = k[i] + 1;
    }
    close_span(lo, -1);
    return 0;
}

void pb_die_with_parent(pid_t parent, int sig)
{
    prctl(PR_SET_PDEATHSIG, sig);
    if (getppid() != parent)
        _exit(70);                   /* the parent died before the prctl: nobody would signal */
}

int pb_create_file(const char *path, int replace)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        return -ELOOP;
    if (replace && lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) != 0)
        return -errno;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    return fd < 0 ? -errno : fd;
}

FILE *pb_fcreate(const char *path, int replace)
{
    int fd = pb_create_file(path, replace);
    if (fd < 0) {
        errno = -fd;
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
    }
    return f;
}

int pb_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int pb_save_check(const char *path, const char *input, int force)
{
    struct stat st;
    if (input && pb_same_file(path, input))
        return -EINVAL;
    if (lstat(path, &st) != 0)
        return 0;
    if (!force)
        return -EEXIST;
    return S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) ? 0 : -EISDIR;
}

int pb_save_begin(const char *path, char *tmp, size_t cap)
{
    if ((size_t)snprintf(tmp, cap, "%s.XXXXXX", path) >= cap)
        return -ENAMETOOLONG;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -errno;
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);        /* the mode a plain fopen would have given */
    return fd;
}

int pb_save_commit(const char *tmp, const char *path, int force)
{
    int rc = force ? rename(tmp, path) : renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
    if (rc == 0)
        return 0;
    rc = -errno;
    unlink(tmp);
    return rc;
}

const char *pb_write_error(int err)
{
    if (err < 0)
        err = -err;
    return err == ENOSPC || err == EDQUOT ? "the disk is full (no space left on the device)"
                                          : strerror(err);
}
