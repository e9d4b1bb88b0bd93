/* config_text.c — a config file's bytes into a JSON document (see config_text.h): opened
 * without blocking, read whole within the size limit, checked as UTF-8, parsed by jansson
 * refusing duplicate keys. */
#include "config_text.h"
#include "fdio.h"
#include "jsonpos.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PB_MAX_CONFIG_BYTES (4L << 20)   /* a config is text a person writes: 4 MiB is plenty */

/* Offset of the first byte that breaks UTF-8 (overlongs, surrogates and code points past
 * U+10FFFF included), or len when the text is valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    static const uint32_t least[4] = { 0, 0x80, 0x800, 0x10000 };
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 0;
        if (need == 0 || i + need >= len)
            return i;
        uint32_t cp = b & (0x7Fu >> (need + 1));
        int ok = 1;
        for (size_t k = 1; k <= need; k++) {
            ok &= (s[i + k] & 0xC0) == 0x80;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (!ok || cp < least[need] || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += need + 1;
    }
    return len;
}

/* Opens the config without blocking (a FIFO or a device would block the open or the reads)
 * and refuses anything but a regular file of at most PB_MAX_CONFIG_BYTES. Returns the
 * descriptor or -errno / -EINVAL with the message set. */
static int open_config(struct cfg *c)
{
    struct stat st;
    int fd = open(c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return pb_fail(c->err, -errno, "%s: cannot open config: %s", c->path, strerror(errno));
    int rc = fstat(fd, &st) < 0 ? pb_fail(c->err, -errno, "%s: cannot read config: %s",
                                          c->path, strerror(errno)) : 0;
    if (!rc && !S_ISREG(st.st_mode))
        rc = pb_fail(c->err, -EINVAL, "%s: not a regular file (%s): a config must be a JSON "
                     "file", c->path, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode)
                     ? "a directory" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                     : "a socket or special file");
    if (!rc && st.st_size > PB_MAX_CONFIG_BYTES)
        rc = pb_fail(c->err, -EINVAL, "%s: the config is %lld bytes, more than the %ld MiB a "
                     "config may hold", c->path, (long long)st.st_size, PB_MAX_CONFIG_BYTES >> 20);
    if (rc) {
        close(fd);
        return rc;
    }
    return fd;
}

/* Reads the whole config into c->e->text and c->len (at most PB_MAX_CONFIG_BYTES, also when
 * the file grows while it is read). */
static int read_config(struct cfg *c)
{
    int fd = open_config(c);
    if (fd < 0)
        return fd;
    char *buf = NULL;
    size_t len = 0;
    int rc = pb_read_fd(fd, (size_t)PB_MAX_CONFIG_BYTES, &buf, &len);
    close(fd);
    if (rc == -EFBIG)
        return pb_fail(c->err, -EINVAL, "%s: the config grew past the %ld MiB a config may hold "
                       "while it was read", c->path, PB_MAX_CONFIG_BYTES >> 20);
    if (rc < 0)
        return pb_fail(c->err, rc, "%s: cannot read config: %s", c->path, strerror(-rc));
    c->e->text = buf;
    c->text = buf;
    c->len = len;
    return 0;
}

/* Rejects an empty or blank file, bytes that are not UTF-8, and malformed JSON; *root gets
 * the parsed object. */
static int parse_text(struct cfg *c, json_t **root)
{
    int line, col;
    if (c->len == strspn(c->text, " \t\r\n"))
        return pb_fail(c->err, -EINVAL, "%s: empty config file: expected a JSON object",
                       c->path);
    size_t bad = utf8_invalid_at((const unsigned char *)c->text, c->len);
    if (bad < c->len) {
        pb_jsonpos_linecol(c->text, bad, &line, &col);
        return pb_fail(c->err, -EINVAL, "%s:%d:%d: not valid UTF-8 (byte 0x%02X): a config "
                       "must be UTF-8 text", c->path, line, col, (unsigned char)c->text[bad]);
    }
    json_error_t je;
    *root = json_loadb(c->text, c->len, JSON_REJECT_DUPLICATES, &je);
    if (!*root)
        return pb_fail(c->err, -EINVAL, "%s:%d:%d: invalid JSON: %s", c->path, je.line,
                       je.column, je.text);
    if (!json_is_object(*root))
        return cfg_fail(c, "", "expected a JSON object at the top level, got %s",
                        cfg_describe(c, *root));
    return 0;
}

int cfg_read_text(struct cfg *c, json_t **root)
{
    int rc = read_config(c);
    return rc ? rc : parse_text(c, root);
}
