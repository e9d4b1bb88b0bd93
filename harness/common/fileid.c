/* fileid.c — a file's identity (see fileid.h): stat, then its bytes hashed in chunks. */
#include "fileid.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int pb_file_identify(const char *path, struct pb_file_id *id)
{
    enum { CHUNK = 1 << 16 };
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -errno;
    unsigned char *buf = malloc(CHUNK);      /* not on the stack, which may be small */
    if (!buf || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        free(buf);
        close(fd);
        return buf ? -EINVAL : -ENOMEM;
    }
    uint64_t h = PB_FNV1A64_INIT;            /* as the config hash */
    ssize_t got;
    while ((got = read(fd, buf, CHUNK)) > 0 || (got < 0 && errno == EINTR))
        h = pb_fnv1a64(h, buf, got > 0 ? (size_t)got : 0);
    int e = got < 0 ? -errno : 0;
    free(buf);
    close(fd);
    id->size = (long long)st.st_size;
    id->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    pb_fnv1a64_hex(h, id->hash);
    return e;
}
