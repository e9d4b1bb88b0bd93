/* fdio.c — see fdio.h. */
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

int pb_pwrite_all(int fd, const void *buf, size_t len, size_t off)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = pwrite(fd, p, len, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -EIO;
        p += w;
        off += (size_t)w;
        len -= (size_t)w;
    }
    return 0;
}

int pb_read_fd(int fd, size_t max, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    ssize_t got = 0;
    char *buf = malloc(cap);
    while (buf && n <= max &&
           ((got = read(fd, buf + n, cap - n - 1)) > 0 || (got < 0 && errno == EINTR))) {
        n += got > 0 ? (size_t)got : 0;
        char *b = n + 1 == cap ? realloc(buf, cap *= 2) : buf;
        if (!b)
            free(buf);
        buf = b;
    }
    int rc = !buf ? -ENOMEM : got < 0 ? -errno : n > max ? -EFBIG : 0;
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}

/* Opens path for reading without blocking (a FIFO's open would wait for a writer) and
 * refuses anything but a regular file with -EINVAL. Returns the descriptor or -errno. */
static int open_regular(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    int rc = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
    if (rc && fd >= 0)
        close(fd);
    return rc ? rc : fd;
}

int pb_read_file(const char *path, char **out, size_t *len)
{
    int fd = open_regular(path);
    if (fd < 0)
        return fd;
    int rc = pb_read_fd(fd, SIZE_MAX, out, len);
    close(fd);
    return rc;
}

ssize_t pb_read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    buf[0] = '\0';
    if (fd < 0)
        return -errno;
    ssize_t r = read(fd, buf, size - 1);
    if (r < 0)
        r = -errno;
    close(fd);
    buf[r > 0 ? r : 0] = '\0';
    return r;
}

int pb_write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int e = pb_write_all(fd, text, strlen(text));
    close(fd);
    return e;
}

/* pb_read_tail of a regular file: its last size-1 bytes by pread from the end. */
static ssize_t file_tail(int fd, off_t end, char *buf, size_t size)
{
    off_t from = end > (off_t)size - 1 ? end - (off_t)size + 1 : 0;
    size_t n = 0;
    while (n < size - 1) {
        ssize_t r = pread(fd, buf + n, size - 1 - n, from + (off_t)n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            buf[n] = '\0';
            return r < 0 ? -errno : (ssize_t)n;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    return (ssize_t)n;
}

/* Appends got bytes of chunk to the len bytes in buf, keeping the last size-1. Returns the
 * new length. */
static size_t keep_tail(char *buf, size_t len, size_t size, const char *chunk, size_t got)
{
    size_t keep = size - 1;
    if (got >= keep) {
        memcpy(buf, chunk + got - keep, keep);
        return keep;
    }
    if (len + got > keep) {
        memmove(buf, buf + (len + got - keep), keep - got);
        len = keep - got;
    }
    memcpy(buf + len, chunk, got);
    return len + got;
}

/* pb_read_tail of a pipe or other stream: read to its end, keeping the tail. */
static ssize_t stream_tail(int fd, char *buf, size_t size, int (*stop)(void))
{
    char chunk[4096];
    size_t len = 0;
    ssize_t got;
    while ((got = read(fd, chunk, sizeof chunk)) != 0) {
        if (got < 0 && errno == EINTR && !(stop && stop()))
            continue;
        if (got < 0)
            break;
        len = keep_tail(buf, len, size, chunk, (size_t)got);
    }
    int e = got < 0 && errno != EINTR ? -errno : 0;
    buf[len] = '\0';
    return e ? e : (ssize_t)len;
}

ssize_t pb_read_tail(int fd, char *buf, size_t size, int (*stop)(void))
{
    struct stat st;
    buf[0] = '\0';
    if (size < 2)
        return 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        return file_tail(fd, st.st_size, buf, size);
    return stream_tail(fd, buf, size, stop);
}

ssize_t pb_file_tail(const char *path, char *buf, size_t size)
{
    int fd = open_regular(path);
    buf[0] = '\0';
    if (fd < 0)
        return fd;
    ssize_t r = pb_read_tail(fd, buf, size, NULL);
    close(fd);
    return r;
}

char *pb_copy_fit(char *dst, size_t size, const char *src, size_t len)
{
    if (len < size) {
        memmove(dst, src, len);
        dst[len] = '\0';
        return dst;
    }
    size_t end = size - 4;                 /* room for the 3 bytes of U+2026 and the NUL */
    while (end > 0 && ((unsigned char)src[end] & 0xC0) == 0x80)
        end--;                             /* never split a multi-byte character */
    memmove(dst, src, end);
    memcpy(dst + end, "\xE2\x80\xA6", 4);  /* "…" and its NUL */
    return dst;
}

/* 1 for the bytes that pb_last_line drops at a line's end and counts as blank. */
static int blank_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *pb_last_line(const char *text, size_t len, char *buf, size_t size)
{
    size_t end = len;
    while (end > 0 && blank_byte(text[end - 1]))
        end--;                             /* blank lines and the line's own trailing blanks */
    size_t start = end;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    return pb_copy_fit(buf, size, text + start, end - start);
}

int pb_file_last_line(const char *path, char *buf, size_t size)
{
    char *tail = malloc(PB_LAST_LINE_WINDOW + 1);
    buf[0] = '\0';
    if (!tail)
        return -ENOMEM;
    ssize_t n = pb_file_tail(path, tail, PB_LAST_LINE_WINDOW + 1);
    if (n >= 0)
        pb_last_line(tail, (size_t)n, buf, size);
    free(tail);
    return n < 0 ? (int)n : 0;
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
