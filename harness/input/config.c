/* config.c — a JSON config file turned into a validated struct pb_experiment. This is the only
 * file that reads JSON; every error names FILE:LINE:COL: FIELD: what is wrong, in one shape.
 *
 * Config reference (the README is written from this table):
 *
 * | key            | type / values                                   | default          |
 * |----------------|-------------------------------------------------|------------------|
 * | name           | string of [A-Za-z0-9_.-]+ (it names the results)| the file's stem  |
 * | description    | string                                          | none             |
 * | input          | object, below                                   | uniform          |
 * |  .kind         | "uniform" \| "clustered" \| "powerlaw" \|       |                  |
 * |                | "file" (required)                               |                  |
 * |  .seed         | integer >= 0 (generated kinds)                  | 42               |
 * |  .box          | number in (0, 1e150]: cube side (generated)     | 1000.0           |
 * |  .path         | string, file only (required there): relative to |                  |
 * |                | the config's folder; text or NumPy .npy (n, 3)  |                  |
 * |  .clusters     | integer 1..1e6: top-level spheres (powerlaw)    | 100              |
 * |  .levels       | integer 1..30: levels of sub-spheres (powerlaw) | 9                |
 * |  .eta          | integer 2..1000: sub-spheres per sphere         | 2                |
 * |  .lambda       | number > 1, log(eta)/log(lambda) < 3: radius    | 2^(1/1.2)        |
 * |                | ratio per level (powerlaw)                      |                  |
 * |  .radius       | number in (0, 1e150]: top-level sphere radius   | box / 10         |
 * |                | (powerlaw)                                      |                  |
 * | output         | object, required                                |                  |
 * |  .kind         | "matrix" \| "histogram" (required)              |                  |
 * |  .bins         | object, histogram only (required there)         |                  |
 * |   .min         | number >= 0 (> 0 for log): first edge (required)|                  |
 * |   .max         | number > min: last edge (required)              |                  |
 * |   .count       | integer >= 1: number of bins (required)         |                  |
 * |   .scale       | "linear" \| "log"                               | "linear"         |
 * | precision      | "double" \| "float"                             | "double"         |
 * | periodic       | number > 0: box side for minimum-image distances| absent: open     |
 * | sizes          | required: array of positive integers (sorted,   |                  |
 * |                | no duplicates), or {"from", "to", "steps",      |                  |
 * |                | "scale": "linear"\|"log"}: steps values from    |                  |
 * |                | from to to, rounded, deduplicated, ascending    |                  |
 * | threads        | array of positive integers, or "all": 1, 2, 4,  | [1]              |
 * |                | ... up to and including the online cores        |                  |
 * | ranks          | array of positive integers (distributed only)   | [1]              |
 * | repeats        | integer >= 1: measured runs per point           | 3                |
 * | warmup         | integer >= 0: uncounted runs before them        | 1                |
 * | timeout_s      | number >= 0: per run, 0 = none                  | 10x estimate+60s |
 * | pin            | "none" \| "cores"                               | "none"           |
 * | order          | "random" \| "config": runs within one n         | "random"         |
 * | order_seed     | integer >= 0: seed of the random order          | 1                |
 * | overhead       | boolean: also measure empty-work (n = 0) runs   | true             |
 * | limits         | boolean: measure the machine's limits first     | false            |
 * | plugins        | array of paths to strategy libraries, relative  | []               |
 * |                | to the config's folder, loaded before strategies|                  |
 * | strategies     | required, non-empty array; each a registered    |                  |
 * |                | name, or {"name", "label", PARAM: value ...}    |                  |
 * | rmax           | histogram only: array of up to 64 increasing    | output.bins      |
 * |                | numbers > 0: every strategy runs at each, with  |                  |
 * |                | the bins scaled so that the last edge is it     |                  |
 * |                | (min and max times rmax / bins.max); the params |                  |
 * |                | column gains "rmax=R"                           |                  |
 * | verify         | object: how runs are checked (absent: against   | naive at every n |
 * |                | naive at every n)                               |                  |
 * |  .naive_max_n  | integer >= 1 (required there): largest n checked|                  |
 * |                | against naive                                   |                  |
 * |  .reference    | array of up to 8 in-process strategy names that | []               |
 * |                | check runs above naive_max_n: a run of strategy |                  |
 * |                | S uses the first that is not S (never itself)   |                  |
 *
 * A strategy object may set any parameter its strategy declares (bench --list shows them);
 * a value may be a string, number or boolean and must be one of the parameter's choices when
 * it has some. Every entry needs a distinct (label, parameters) pair. Keys are checked: an
 * unknown one is an error that suggests the nearest known key. For a file input, the file is
 * read here once, so that a bad or short file fails before any run starts. */
#include "exec-check.h"
#include "config.h"
#include "jsonpos.h"
#include "plugin.h"
#include "points.h"
#include "registry.h"
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PB_MAX_SIZE 1000000000LL     /* a larger n could not be held in memory anyway */
#define PB_MAX_WORKERS 4096          /* threads and ranks */
#define PB_MAX_REPEATS 1000000
#define PB_FIELD 256                 /* longest field path in a message */
#define PB_MAX_NAME 200              /* bytes of "name": NAME_throughput.svg fits NAME_MAX */
#define PB_MAX_CONFIG_BYTES (4L << 20)   /* a config is text a person writes: 4 MiB is plenty */

/* A label and a parameter string go into the CSV's fixed-size columns whole or not at all. */
_Static_assert(sizeof(((struct pb_row *)0)->strategy) == PB_LABEL_MAX,
               "the CSV's strategy column holds a label of PB_LABEL_MAX bytes");

/* Everything a check needs to report an error at the right place. */
struct ctx {
    const char *path;                /* the config file as given */
    const char *text;                /* its bytes */
    size_t len;
    struct pb_err *err;
    struct pb_experiment *e;         /* filled as validation goes */
    char got[96];                    /* scratch for describe() */
};

/* Formats "FILE:L:C: LABEL: what" with L:C the position of pos_path (its key when want_key),
 * falling back to the nearest enclosing value that can be found. Returns -EINVAL. */
static int vfail_at(struct ctx *c, const char *pos_path, int want_key, const char *label,
                    const char *fmt, va_list ap)
{
    char where[PB_FIELD], what[768];
    int line = 1, col = 1;
    snprintf(where, sizeof where, "%s", pos_path);
    while (pb_jsonpos_find(c->text, c->len, where, want_key, &line, &col) < 0 && where[0]) {
        char *cut = strrchr(where, '.'), *br = strrchr(where, '[');
        cut = br > cut ? br : cut;
        if (cut)
            *cut = '\0';
        else
            where[0] = '\0';
        want_key = 0;
    }
    vsnprintf(what, sizeof what, fmt, ap);
    if (strlen(what) + 1 == sizeof what)
        memcpy(what + sizeof what - 4, "\xE2\x80\xA6", 4);   /* cut: say so ("…") */
    return pb_fail(c->err, -EINVAL, "%s:%d:%d: %s%s%s", c->path, line, col, label,
                   *label ? ": " : "", what);
}

/* An error about the value at field, labelled with field. Returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(c, field, 0, field, fmt, ap);
    va_end(ap);
    return rc;
}

/* An error placed at field's key but labelled with its enclosing object (unknown keys). */
__attribute__((format(printf, 4, 5)))
static int fail_key(struct ctx *c, const char *field, const char *parent, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(c, field, 1, parent, fmt, ap);
    va_end(ap);
    return rc;
}

/* A short description of v for "got ..." in messages; valid until the next call. */
static const char *describe(struct ctx *c, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        snprintf(c->got, sizeof c->got, "\"%.40s%s\"", s, strlen(s) > 40 ? "..." : "");
        break;
    }
    case JSON_INTEGER:
        snprintf(c->got, sizeof c->got, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: {
        double x = json_real_value(v);  /* 1e3 is a real in JSON: show it as one */
        snprintf(c->got, sizeof c->got, x == floor(x) && fabs(x) < 1e15 ? "%.1f" : "%.15g", x);
        break;
    }
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    default:
        return "null";
    }
    return c->got;
}

/* field = parent + "." + key (or key alone at the top level). */
static void join_field(char *out, const char *parent, const char *key)
{
    size_t lp = strnlen(parent, PB_FIELD / 2 - 1), lk = strnlen(key, PB_FIELD / 2 - 2), n = lp;
    memcpy(out, parent, lp);
    if (lp)
        out[n++] = '.';
    memcpy(out + n, key, lk);
    out[n + lk] = '\0';
}

/* Edit distance between a and b (for "did you mean"), capped at 99. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* The entry of known[] (NULL-terminated) nearest to key when near enough to be a typo. */
static const char *suggest(const char *key, const char *const *known)
{
    const char *best = NULL;
    size_t bestd = 99;
    for (size_t i = 0; known[i]; i++) {
        size_t d = distance(key, known[i]);
        if (d < bestd) {
            bestd = d;
            best = known[i];
        }
    }
    return bestd <= 2 || bestd * 3 <= strlen(key) ? best : NULL;
}

/* Writes known[] as "a, b, c" into buf, ending with "…" when they do not all fit. */
static void list_names(char *buf, size_t size, const char *const *known)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; known[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", known[i]);
    if (used >= size)
        memcpy(buf + size - 4, "\xE2\x80\xA6", 4);
}

/* The "unknown key" error for key of the object at parent, with a suggestion or the list. */
static int unknown_key(struct ctx *c, const char *parent, const char *key,
                       const char *const *known, const char *what)
{
    char field[PB_FIELD], names[512];
    join_field(field, parent, key);
    const char *near = suggest(key, known);
    if (near)
        return fail_key(c, field, parent, "unknown %s \"%s\" (did you mean \"%s\"?)", what, key,
                        near);
    list_names(names, sizeof names, known);
    return fail_key(c, field, parent, "unknown %s \"%s\" (known: %s)", what, key,
                    *names ? names : "none");
}

/* Checks that obj (at parent) has only keys from known[]. */
static int check_keys(struct ctx *c, json_t *obj, const char *parent, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], key) != 0)
            i++;
        if (!known[i])
            return unknown_key(c, parent, key, known, "key");
    }
    return 0;
}

/* v must be an object; field names it. */
static int check_object(struct ctx *c, json_t *v, const char *field)
{
    return json_is_object(v) ? 0 : fail(c, field, "expected an object, got %s", describe(c, v));
}

/* Member key of obj (at parent), which must be present. */
static int require(struct ctx *c, json_t *obj, const char *parent, const char *key, json_t **v)
{
    *v = json_object_get(obj, key);
    if (*v)
        return 0;
    return fail(c, parent, "missing required field \"%s\"", key);
}

/* An integer in [min, max] at field. */
static int check_int(struct ctx *c, json_t *v, const char *field, long long min, long long max,
                     long long *out)
{
    long long x = json_is_integer(v) ? (long long)json_integer_value(v) : min - 1;
    if (json_is_integer(v) && x >= min && x <= max) {
        *out = x;
        return 0;
    }
    const char *kind = min == 1 ? "a positive integer" : min == 0 ? "a non-negative integer"
                                                                   : "an integer";
    if (json_is_integer(v) && x > max)
        return fail(c, field, "expected %s of at most %lld, got %s", kind, max, describe(c, v));
    if (min > 1)
        return fail(c, field, "expected an integer >= %lld, got %s", min, describe(c, v));
    return fail(c, field, "expected %s, got %s", kind, describe(c, v));
}

/* Optional integer member key of obj in [min, max]; def when absent. */
static int opt_int(struct ctx *c, json_t *obj, const char *parent, const char *key,
                   long long min, long long max, long long def, long long *out)
{
    char field[PB_FIELD];
    json_t *v = json_object_get(obj, key);
    join_field(field, parent, key);
    *out = def;
    return v ? check_int(c, v, field, min, max, out) : 0;
}

/* A number (integer or real) at field, > lo (or >= lo when inclusive). */
static int check_number(struct ctx *c, json_t *v, const char *field, double lo, int inclusive,
                        double *out)
{
    if (!json_is_number(v))
        return fail(c, field, "expected a number, got %s", describe(c, v));
    double x = json_number_value(v);
    if (!(inclusive ? x >= lo : x > lo))
        return fail(c, field, "expected a number %s %g, got %s", inclusive ? ">=" : ">", lo,
                    describe(c, v));
    *out = x;
    return 0;
}

/* A string at field (never with a NUL inside: the parser refuses \u0000). */
static int check_string(struct ctx *c, json_t *v, const char *field, const char **out)
{
    if (!json_is_string(v))
        return fail(c, field, "expected a string, got %s", describe(c, v));
    *out = json_string_value(v);
    return 0;
}

/* See config.h. */
int pb_choice_index(const char *choices, const char *value)
{
    size_t vl = strlen(value);
    for (int i = 0; *choices; i++) {
        size_t l = strcspn(choices, "|");
        if (l == vl && strncmp(choices, value, l) == 0)
            return i;
        choices += l + (choices[l] == '|');
    }
    return -1;
}

/* Optional string member key of obj that must be one of choices; *out its index, def when
 * absent. */
static int opt_choice(struct ctx *c, json_t *obj, const char *parent, const char *key,
                      const char *choices, int def, int *out)
{
    char field[PB_FIELD];
    json_t *v = json_object_get(obj, key);
    join_field(field, parent, key);
    *out = def;
    if (!v)
        return 0;
    *out = json_is_string(v) ? pb_choice_index(choices, json_string_value(v)) : -1;
    if (*out < 0)
        return fail(c, field, "expected one of %s, got %s", choices, describe(c, v));
    return 0;
}

/* Optional boolean member key of obj; def when absent. */
static int opt_bool(struct ctx *c, json_t *obj, const char *key, int def, int *out)
{
    json_t *v = json_object_get(obj, key);
    *out = def;
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return fail(c, key, "expected true or false, got %s", describe(c, v));
    *out = json_is_true(v);
    return 0;
}

/* 1 when s is a non-empty string of [A-Za-z0-9_.-] and the characters in extra. */
static int valid_name(const char *s, const char *extra)
{
    static const char base[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr(base, *s) && !strchr(extra, *s))
            return 0;
    return 1;
}

/* A copy of s, or NULL (the caller reports -ENOMEM). */
static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* rel joined to dir unless it is absolute; malloc'd or NULL. */
static char *resolve(const char *dir, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    size_t len = strlen(dir) + strlen(rel) + 2;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%s/%s", dir, rel);
    return out;
}

/* FNV-1a 64 of the bytes, as 16 hex digits into hex[17]. */
static void fnv1a_hex(const char *text, size_t len, char hex[17])
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3ull;
    }
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

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
static int open_config(struct ctx *c)
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
static int read_config(struct ctx *c)
{
    int fd = open_config(c);
    if (fd < 0)
        return fd;
    size_t cap = 4096, len = 0;
    ssize_t got = 0;
    char *buf = malloc(cap);
    while (buf && len < (size_t)PB_MAX_CONFIG_BYTES + 1 &&
           ((got = read(fd, buf + len, cap - len - 1)) > 0 || (got < 0 && errno == EINTR))) {
        len += got > 0 ? (size_t)got : 0;
        char *nb = len + 1 == cap ? realloc(buf, cap *= 2) : buf;
        if (!nb)
            free(buf);
        buf = nb;
    }
    int rc = !buf ? -ENOMEM : got < 0 ? -errno : 0;
    close(fd);
    if (!rc && len > (size_t)PB_MAX_CONFIG_BYTES)
        rc = pb_fail(c->err, -EINVAL, "%s: the config grew past the %ld MiB a config may hold "
                     "while it was read", c->path, PB_MAX_CONFIG_BYTES >> 20);
    else if (rc < 0)
        pb_fail(c->err, rc, "%s: cannot read config: %s", c->path, strerror(-rc));
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    c->e->text = buf;
    c->text = buf;
    c->len = len;
    return 0;
}

/* Rejects an empty or blank file, bytes that are not UTF-8, and malformed JSON; *root gets
 * the parsed object. */
static int parse_text(struct ctx *c, json_t **root)
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
        return fail(c, "", "expected a JSON object at the top level, got %s",
                    describe(c, *root));
    return 0;
}

/* "name", or the file's stem; either must be usable in file names. */
static int parse_name(struct ctx *c, json_t *root)
{
    json_t *v = json_object_get(root, "name");
    const char *name = NULL;
    char stem[PB_FIELD];
    if (v) {
        int rc = check_string(c, v, "name", &name);
        if (rc)
            return rc;
        if (!valid_name(name, ""))
            return fail(c, "name", "expected letters, digits, '_', '.' or '-' only (it names "
                        "the result files), got %s", describe(c, v));
        if (strlen(name) > PB_MAX_NAME)
            return fail(c, "name", "a name takes at most %d bytes (it names the result files, "
                        "NAME_throughput.svg and others), got %zu bytes", PB_MAX_NAME,
                        strlen(name));
    } else {
        const char *base = strrchr(c->path, '/') ? strrchr(c->path, '/') + 1 : c->path;
        snprintf(stem, sizeof stem, "%s", base);
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
        if (!valid_name(stem, "") || strlen(stem) > PB_MAX_NAME)
            return fail(c, "", "the file name \"%.*s\" cannot name results: give a \"name\" "
                        "of at most %d letters, digits, '_', '.' or '-'", PB_MAX_NAME, stem,
                        PB_MAX_NAME);
        name = stem;
    }
    c->e->name = dup_str(name);
    return c->e->name ? 0 : -ENOMEM;
}

/* "description": an optional string. */
static int parse_description(struct ctx *c, json_t *root)
{
    json_t *v = json_object_get(root, "description");
    const char *s = NULL;
    if (!v)
        return 0;
    int rc = check_string(c, v, "description", &s);
    if (rc)
        return rc;
    c->e->description = dup_str(s);
    return c->e->description ? 0 : -ENOMEM;
}

/* input.path for a file input: resolved against the config's folder. */
static int parse_input_path(struct ctx *c, json_t *in)
{
    json_t *v;
    const char *rel = NULL;
    int rc = require(c, in, "input", "path", &v);
    if (!rc)
        rc = check_string(c, v, "input.path", &rel);
    if (!rc && !*rel)
        rc = fail(c, "input.path", "expected a file name, got \"\"");
    if (rc)
        return rc;
    c->e->input.path = resolve(c->e->dir, rel);
    return c->e->input.path ? 0 : -ENOMEM;
}

/* The power-law keys of input: integers in range, lambda > 1 with a correlation dimension
 * log(eta)/log(lambda) below 3, radius in (0, PB_COORD_MAX] (0 in pl means box / 10). */
static int parse_powerlaw(struct ctx *c, json_t *in, struct pb_powerlaw *pl)
{
    long long clusters, levels, eta;
    json_t *v;
    int rc;
    *pl = (struct pb_powerlaw){ .lambda = 1.7817974362806785 };   /* 2^(1/1.2): gamma 1.8 */
    if ((rc = opt_int(c, in, "input", "clusters", 1, 1000000, 100, &clusters)) ||
        (rc = opt_int(c, in, "input", "levels", 1, 30, 9, &levels)) ||
        (rc = opt_int(c, in, "input", "eta", 2, 1000, 2, &eta)))
        return rc;
    pl->clusters = (int)clusters, pl->levels = (int)levels, pl->eta = (int)eta;
    if ((v = json_object_get(in, "radius")) &&
        (rc = check_number(c, v, "input.radius", 0, 0, &pl->radius)))
        return rc;
    if (pl->radius > PB_COORD_MAX)                /* sums of offsets must stay finite */
        return fail(c, "input.radius", "%g is beyond %g", pl->radius, PB_COORD_MAX);
    if ((v = json_object_get(in, "lambda")) &&
        (rc = check_number(c, v, "input.lambda", 1, 0, &pl->lambda)))
        return rc;
    double dim = log((double)eta) / log(pl->lambda);
    if (!(dim < 3))
        return fail(c, v ? "input.lambda" : "input.eta", "correlation dimension log(eta)/"
                    "log(lambda) = log(%lld)/log(%g) = %g must be below 3: raise lambda above "
                    "eta^(1/3) = %g", eta, pl->lambda, dim, cbrt((double)eta));
    return 0;
}

/* Keys of input that only the powerlaw kind takes: refused elsewhere. */
static int refuse_powerlaw_keys(struct ctx *c, json_t *in)
{
    static const char *const only[] = { "clusters", "levels", "eta", "lambda", "radius", NULL };
    char field[PB_FIELD];
    for (const char *const *k = only; *k; k++) {
        if (!json_object_get(in, *k))
            continue;
        join_field(field, "input", *k);
        return fail(c, field, "only a \"powerlaw\" input has \"%s\"", *k);
    }
    return 0;
}

/* "input": kind, seed, box, path, and the power-law keys. Absent means uniform with the
 * defaults. */
static int parse_input(struct ctx *c, json_t *root)
{
    static const char *const keys[] = { "kind", "seed", "box", "path", "clusters", "levels",
                                        "eta", "lambda", "radius", NULL };
    struct pb_input *p = &c->e->input;
    json_t *in = json_object_get(root, "input"), *v;
    long long seed = 42;
    int kind = 0, rc;
    *p = (struct pb_input){ .kind = PB_INPUT_UNIFORM, .seed = 42, .box = 1000.0 };
    if (!in)
        return 0;
    if ((rc = check_object(c, in, "input")) || (rc = check_keys(c, in, "input", keys)) ||
        (rc = require(c, in, "input", "kind", &v)) ||
        (rc = opt_choice(c, in, "input", "kind", "uniform|clustered|file|powerlaw", 0, &kind)) ||
        (rc = opt_int(c, in, "input", "seed", 0, LLONG_MAX, 42, &seed)))
        return rc;
    p->kind = (enum pb_input_kind)kind;
    p->seed = (uint64_t)seed;
    if ((v = json_object_get(in, "box")) && (rc = check_number(c, v, "input.box", 0, 0, &p->box)))
        return rc;
    if (p->box > PB_COORD_MAX)
        return fail(c, "input.box", "%g is beyond %g: squared distances would overflow",
                    p->box, PB_COORD_MAX);
    rc = p->kind == PB_INPUT_POWERLAW ? parse_powerlaw(c, in, &p->pl)
                                      : refuse_powerlaw_keys(c, in);
    if (rc)
        return rc;
    if (p->kind == PB_INPUT_FILE)
        return parse_input_path(c, in);
    if (json_object_get(in, "path"))
        return fail(c, "input.path", "only a \"file\" input has a path");
    return 0;
}

/* "output.bins": min, max, count, scale. */
static int parse_bins(struct ctx *c, json_t *bins)
{
    static const char *const keys[] = { "min", "max", "count", "scale", NULL };
    struct pb_bin_spec *b = &c->e->bins;
    json_t *vmin, *vmax, *vcount;
    long long count;
    int scale, rc;
    if ((rc = check_object(c, bins, "output.bins")) ||
        (rc = check_keys(c, bins, "output.bins", keys)) ||
        (rc = require(c, bins, "output.bins", "min", &vmin)) ||
        (rc = require(c, bins, "output.bins", "max", &vmax)) ||
        (rc = require(c, bins, "output.bins", "count", &vcount)) ||
        (rc = check_number(c, vmin, "output.bins.min", 0, 1, &b->min)) ||
        (rc = check_number(c, vmax, "output.bins.max", 0, 1, &b->max)) ||
        (rc = check_int(c, vcount, "output.bins.count", 1, 100000000, &count)) ||
        (rc = opt_choice(c, bins, "output.bins", "scale", "linear|log", 0, &scale)))
        return rc;
    b->count = (size_t)count;
    b->scale = (enum pb_bin_scale)scale;
    if (!(b->max > b->min))
        return fail(c, "output.bins.max", "expected an edge above min = %g, got %s", b->min,
                    describe(c, vmax));
    if (b->scale == PB_BINS_LOG && !(b->min > 0))
        return fail(c, "output.bins.min", "a log scale needs min > 0, got %s",
                    describe(c, vmin));
    return 0;
}

/* "output": kind and, for a histogram, bins. */
static int parse_output(struct ctx *c, json_t *root)
{
    static const char *const keys[] = { "kind", "bins", NULL };
    json_t *out, *v;
    int kind, rc;
    if ((rc = require(c, root, "", "output", &out)) || (rc = check_object(c, out, "output")) ||
        (rc = check_keys(c, out, "output", keys)) ||
        (rc = require(c, out, "output", "kind", &v)) ||
        (rc = opt_choice(c, out, "output", "kind", "matrix|histogram", 0, &kind)))
        return rc;
    c->e->output = (enum pb_output_kind)kind;
    v = json_object_get(out, "bins");
    if (c->e->output == PB_OUTPUT_MATRIX)
        return v ? fail(c, "output.bins", "only a \"histogram\" output has bins") : 0;
    if ((rc = require(c, out, "output", "bins", &v)))
        return rc;
    return parse_bins(c, v);
}

/* qsort order for size_t, ascending. */
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Compares entries a and b of a list (by whatever the list holds) for first_repeat. */
typedef int (*entry_cmp)(size_t a, size_t b, void *list);

/* What qsort_r needs to sort indices of a list by entry_cmp, then by index. */
struct repeat_sort {
    entry_cmp cmp;                   /* compares two entries */
    void *list;                      /* the entries */
};

/* qsort_r order of two indices: by entry, equal entries by position. */
static int cmp_index(const void *a, const void *b, void *arg)
{
    const struct repeat_sort *rs = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = rs->cmp(x, y, rs->list);
    return c ? c : (x > y) - (x < y);
}

/* Finds the first entry (lowest *i) of an n-entry list equal to an earlier one (*j, the
 * first of them), in O(n log n): indices sorted by entry, equal runs compared. Returns 1 when
 * there is one, 0 when all entries differ, -ENOMEM. */
static int first_repeat(size_t n, entry_cmp cmp, void *list, size_t *i, size_t *j)
{
    struct repeat_sort rs = { cmp, list };
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    int found = 0;
    if (!idx)
        return -ENOMEM;
    for (size_t k = 0; k < n; k++)
        idx[k] = k;
    qsort_r(idx, n, sizeof *idx, cmp_index, &rs);
    for (size_t k = 1; k < n; k++) {
        if (cmp(idx[k - 1], idx[k], list) != 0)
            continue;
        /* idx[k - 1] starts a run of equal entries (runs are skipped whole below), in
         * position order: it is the first of them, idx[k] the first repeat. */
        if (!found || idx[k] < *i) {
            *i = idx[k];
            *j = idx[k - 1];
            found = 1;
        }
        while (k + 1 < n && cmp(idx[k], idx[k + 1], list) == 0)
            k++;
    }
    free(idx);
    return found;
}

/* entry_cmp over a size_t array. */
static int cmp_size_at(size_t a, size_t b, void *list)
{
    return cmp_size((const size_t *)list + a, (const size_t *)list + b);
}

/* entry_cmp over an int array. */
static int cmp_int_at(size_t a, size_t b, void *list)
{
    int x = ((const int *)list)[a], y = ((const int *)list)[b];
    return (x > y) - (x < y);
}

/* "sizes" as an array: positive integers, each at most once; stored sorted. */
static int sizes_array(struct ctx *c, json_t *arr)
{
    char field[PB_FIELD];
    size_t n = json_array_size(arr), i = 0, j = 0;
    if (n == 0)
        return fail(c, "sizes", "expected at least one size");
    if (!(c->e->sizes = malloc(n * sizeof *c->e->sizes)))
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        long long x = 0;
        snprintf(field, sizeof field, "sizes[%zu]", i);
        int rc = check_int(c, json_array_get(arr, i), field, 1, PB_MAX_SIZE, &x);
        if (rc)
            return rc;
        c->e->sizes[c->e->nsizes++] = (size_t)x;
    }
    int rep = first_repeat(n, cmp_size_at, c->e->sizes, &i, &j);
    if (rep < 0)
        return rep;
    if (rep) {
        snprintf(field, sizeof field, "sizes[%zu]", i);
        return fail(c, field, "%zu is already listed at sizes[%zu]", c->e->sizes[i], j);
    }
    qsort(c->e->sizes, n, sizeof *c->e->sizes, cmp_size);
    return 0;
}

/* "sizes" as {"from", "to", "steps", "scale"}: steps values spaced linearly or
 * logarithmically from from to to, rounded to integers, deduplicated, ascending. */
static int sizes_range(struct ctx *c, json_t *obj)
{
    static const char *const keys[] = { "from", "to", "steps", "scale", NULL };
    json_t *vf, *vt, *vs;
    long long from, to, steps;
    int scale, rc;
    if ((rc = check_keys(c, obj, "sizes", keys)) ||
        (rc = require(c, obj, "sizes", "from", &vf)) ||
        (rc = require(c, obj, "sizes", "to", &vt)) ||
        (rc = require(c, obj, "sizes", "steps", &vs)) ||
        (rc = check_int(c, vf, "sizes.from", 1, PB_MAX_SIZE, &from)) ||
        (rc = check_int(c, vt, "sizes.to", from, PB_MAX_SIZE, &to)) ||
        (rc = check_int(c, vs, "sizes.steps", 1, 100000, &steps)) ||
        (rc = opt_choice(c, obj, "sizes", "scale", "linear|log", 0, &scale)))
        return rc;
    if (steps == 1 && to != from)
        return fail(c, "sizes.steps", "expected at least 2 steps to go from %lld to %lld", from,
                    to);
    if (!(c->e->sizes = malloc((size_t)steps * sizeof *c->e->sizes)))
        return -ENOMEM;
    for (long long k = 0; k < steps; k++) {
        double t = steps > 1 ? (double)k / (double)(steps - 1) : 0.0;
        double v = scale ? from * pow((double)to / from, t) : from + t * (double)(to - from);
        size_t n = k == steps - 1 ? (size_t)to : (size_t)llround(v);
        if (c->e->nsizes == 0 || c->e->sizes[c->e->nsizes - 1] < n)
            c->e->sizes[c->e->nsizes++] = n;
    }
    return 0;
}

/* "sizes": required, an array or a range object. */
static int parse_sizes(struct ctx *c, json_t *root)
{
    json_t *v;
    int rc = require(c, root, "", "sizes", &v);
    if (rc)
        return rc;
    if (json_is_array(v))
        return sizes_array(c, v);
    if (json_is_object(v))
        return sizes_range(c, v);
    return fail(c, "sizes", "expected an array of positive integers or a range object "
                "{\"from\", \"to\", \"steps\"}, got %s", describe(c, v));
}

/* An array of distinct positive ints at key (default {1}) into *out, *n. */
static int int_list(struct ctx *c, json_t *root, const char *key, int **out, size_t *n)
{
    char field[PB_FIELD];
    json_t *arr = json_object_get(root, key);
    size_t len = arr ? json_array_size(arr) : 1;
    if (arr && (!json_is_array(arr) || len == 0))
        return fail(c, key, "expected a non-empty array of positive integers, got %s",
                    describe(c, arr));
    if (!(*out = malloc(len * sizeof **out)))
        return -ENOMEM;
    (*out)[0] = 1;
    *n = arr ? 0 : 1;
    for (size_t i = 0; arr && i < len; i++) {
        long long x = 0;
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        int rc = check_int(c, json_array_get(arr, i), field, 1, PB_MAX_WORKERS, &x);
        if (rc)
            return rc;
        (*out)[(*n)++] = (int)x;
    }
    size_t i = 0, j = 0;
    int rep = first_repeat(*n, cmp_int_at, *out, &i, &j);
    if (rep <= 0)
        return rep;
    snprintf(field, sizeof field, "%s[%zu]", key, i);
    return fail(c, field, "%d is already listed at %s[%zu]", (*out)[i], key, j);
}

/* "threads": "all" is 1, 2, 4, ... below the online core count, then that count. */
static int parse_threads(struct ctx *c, json_t *root)
{
    json_t *v = json_object_get(root, "threads");
    if (!json_is_string(v))
        return int_list(c, root, "threads", &c->e->threads, &c->e->nthreads);
    if (strcmp(json_string_value(v), "all") != 0)
        return fail(c, "threads", "expected an array of positive integers or \"all\", got %s",
                    describe(c, v));
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cores = cores < 1 ? 1 : cores > PB_MAX_WORKERS ? PB_MAX_WORKERS : cores;
    if (!(c->e->threads = malloc(32 * sizeof *c->e->threads)))
        return -ENOMEM;
    for (long t = 1; t < cores; t *= 2)
        c->e->threads[c->e->nthreads++] = (int)t;
    c->e->threads[c->e->nthreads++] = (int)cores;
    return 0;
}

/* The scalar run settings: precision, periodic, repeats, warmup, timeout_s, pin, order,
 * order_seed, overhead, limits. */
static int parse_scalars(struct ctx *c, json_t *root)
{
    struct pb_experiment *e = c->e;
    long long reps, warm, oseed;
    int prec, pin, order, rc;
    json_t *v;
    if ((rc = opt_choice(c, root, "", "precision", "double|float", 0, &prec)) ||
        (rc = opt_int(c, root, "", "repeats", 1, PB_MAX_REPEATS, 3, &reps)) ||
        (rc = opt_int(c, root, "", "warmup", 0, PB_MAX_REPEATS, 1, &warm)) ||
        (rc = opt_choice(c, root, "", "pin", "none|cores", 0, &pin)) ||
        (rc = opt_choice(c, root, "", "order", "random|config", 0, &order)) ||
        (rc = opt_int(c, root, "", "order_seed", 0, LLONG_MAX, 1, &oseed)) ||
        (rc = opt_bool(c, root, "overhead", 1, &e->overhead)) ||
        (rc = opt_bool(c, root, "limits", 0, &e->limits)))
        return rc;
    e->precision = (enum pb_precision)prec;
    e->repeats = (int)reps;
    e->warmup = (int)warm;
    e->pin = pin;
    e->order = (enum pb_order)order;
    e->order_seed = (uint64_t)oseed;
    if ((v = json_object_get(root, "periodic")) &&
        (rc = check_number(c, v, "periodic", 0, 0, &e->periodic)))
        return rc;
    if ((v = json_object_get(root, "timeout_s")) &&
        (rc = check_number(c, v, "timeout_s", 0, 1, &e->timeout_s)))
        return rc;
    e->timeout_set = v != NULL;
    return 0;
}

/* "plugins": each path resolved against the config's folder and loaded, so that the
 * strategies they bring are known before "strategies" is resolved. */
static int parse_plugins(struct ctx *c, json_t *root)
{
    char field[PB_FIELD];
    json_t *arr = json_object_get(root, "plugins");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return fail(c, "plugins", "expected an array of paths, got %s", describe(c, arr));
    if (!(c->e->plugins = calloc(json_array_size(arr) + 1, sizeof *c->e->plugins)))
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *rel = NULL;
        struct pb_err perr;
        snprintf(field, sizeof field, "plugins[%zu]", i);
        int rc = check_string(c, json_array_get(arr, i), field, &rel);
        if (rc)
            return rc;
        char *path = resolve(c->e->dir, rel);
        if (!path)
            return -ENOMEM;
        c->e->plugins[c->e->nplugins++] = path;
        if (pb_plugin_load(path, &perr) < 0)
            return fail(c, field, "%s", perr.msg);
    }
    return 0;
}

/* The names of s's declared parameters, NULL-terminated, into names[cap]. */
static void param_names(const struct pb_strategy *s, const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; s->params && s->params[i].name && n + 1 < cap; i++)
        names[n++] = s->params[i].name;
    names[n] = NULL;
}

/* The "unknown parameter" error for key of the strategy object at field. */
static int unknown_param(struct ctx *c, const char *field, const struct pb_strategy *s,
                         const char *key)
{
    const char *names[64];
    char list[512], kfield[PB_FIELD];
    param_names(s, names, 64);
    list_names(list, sizeof list, names);
    join_field(kfield, field, key);
    const char *near = suggest(key, names);
    if (!names[0])
        return fail_key(c, kfield, field, "unknown parameter \"%s\": %s declares no parameters",
                        key, s->name);
    return fail_key(c, kfield, field, "unknown parameter \"%s\" for %s (%s%s%sdeclared: %s)",
                    key, s->name, near ? "did you mean \"" : "", near ? near : "",
                    near ? "\"? " : "", list);
}

/* The value v of parameter spec as a string, whole, into *out (malloc'd; the caller frees
 * it, also on error), checked against its choices. */
static int param_value(struct ctx *c, json_t *v, const char *field,
                       const struct pb_param_spec *spec, char **out)
{
    char num[64];
    const char *text = num;
    int rc = 0;
    if (json_is_string(v))
        rc = check_string(c, v, field, &text);
    else if (json_is_integer(v))
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(num, sizeof num, "%s", json_is_true(v) ? "true" : "false");
    else
        return fail(c, field, "expected a string, number or boolean, got %s", describe(c, v));
    if (rc)
        return rc;
    if (!(*out = strdup(text)))
        return -ENOMEM;
    const char *buf = *out;
    if (spec->choices && pb_choice_index(spec->choices, buf) < 0)
        return fail(c, field, "expected one of %s, got %s", spec->choices, describe(c, v));
    if (strpbrk(buf, ";=\n\r\t\"") || !*buf)
        return fail(c, field, "a parameter value must be non-empty and hold no ';', '=', '\"' "
                    "or control characters, got %s", describe(c, v));
    return 0;
}

/* Appends "k=v" to the canonical params string *params (realloc'd). */
static int append_param(char **params, const char *k, const char *v)
{
    size_t old = strlen(*params), add = strlen(k) + strlen(v) + 3;
    char *p = realloc(*params, old + add);
    if (!p)
        return -ENOMEM;
    snprintf(p + old, add, "%s%s=%s", old ? ";" : "", k, v);
    *params = p;
    return 0;
}

/* An exec strategy's command template, checked now: a mistake in it would fail every run. */
static int check_command(struct ctx *c, const char *field, struct pb_strategy_cfg *sc)
{
    char why[512], cfield[PB_FIELD];
    const char *command = NULL;
    for (size_t i = 0; i < sc->nkv; i++)
        if (strcmp(sc->kv[i].key, "command") == 0)
            command = sc->kv[i].value;
    if (pb_exec_check_command(sc->strategy, command, why, sizeof why) == 0)
        return 0;
    join_field(cfield, field, "command");
    return fail(c, command && *command ? cfield : field, "%s", why);
}

/* Fills sc->kv with every declared parameter (configured value or default) and sc->params
 * with the configured ones; obj may be NULL for the string form. */
static int fill_params(struct ctx *c, json_t *obj, const char *field, struct pb_strategy_cfg *sc)
{
    const struct pb_param_spec *ps = sc->strategy->params;
    char vfield[PB_FIELD];
    size_t np = 0;
    while (ps && ps[np].name)
        np++;
    sc->params = calloc(1, 1);
    sc->kv = calloc(np ? np : 1, sizeof *sc->kv);
    if (!sc->params || !sc->kv)
        return -ENOMEM;
    for (size_t i = 0; i < np; i++) {
        json_t *v = obj ? json_object_get(obj, ps[i].name) : NULL;
        char *buf = NULL;
        join_field(vfield, field, ps[i].name);
        int rc = v ? param_value(c, v, vfield, &ps[i], &buf) : 0;
        if (!rc && v)
            rc = append_param(&sc->params, ps[i].name, buf);
        if (!rc && strlen(sc->params) >= sizeof(((struct pb_row *)0)->params))
            rc = fail(c, vfield, "the parameters come to %zu bytes, more than the %zu the "
                      "results' params column holds: shorten the value (a long command can "
                      "live in a script)", strlen(sc->params),
                      sizeof(((struct pb_row *)0)->params) - 1);
        sc->kv[i].key = rc ? NULL : dup_str(ps[i].name);
        sc->kv[i].value = rc ? NULL : v ? buf : dup_str(ps[i].def ? ps[i].def : "");
        if (rc || !v)
            free(buf);
        if (rc)
            return rc;
        sc->nkv = i + 1;
        if (!sc->kv[i].key || !sc->kv[i].value)
            return -ENOMEM;
    }
    return check_command(c, field, sc);
}

/* The strategy named by v (a string at field); unknown names list the known ones. */
static int find_strategy(struct ctx *c, json_t *v, const char *field,
                         const struct pb_strategy **s)
{
    const char *name = NULL;
    char known[1024];
    int rc = check_string(c, v, field, &name);
    if (rc)
        return rc;
    if ((*s = pb_registry_find(name)))
        return 0;
    pb_registry_names(known, sizeof known);
    return fail(c, field, "unknown strategy \"%s\" (known: %s)", name, known);
}

/* Checks the keys of a strategy object: name, label, or a parameter s declares. */
static int check_strategy_keys(struct ctx *c, json_t *obj, const char *field,
                               const struct pb_strategy *s)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int known = !strcmp(key, "name") || !strcmp(key, "label");
        for (size_t i = 0; !known && s->params && s->params[i].name; i++)
            known = !strcmp(key, s->params[i].name);
        if (!known)
            return unknown_param(c, field, s, key);
    }
    return 0;
}

/* The label of an entry: "label" when given (checked), else the strategy's name. */
static int set_label(struct ctx *c, json_t *obj, const char *field, struct pb_strategy_cfg *sc)
{
    char lfield[PB_FIELD];
    json_t *v = obj ? json_object_get(obj, "label") : NULL;
    const char *label = sc->strategy->name;
    join_field(lfield, field, "label");
    int rc = v ? check_string(c, v, lfield, &label) : 0;
    if (rc)
        return rc;
    if (!v && !valid_name(label, ""))       /* a plugin's name the registry let through */
        return fail(c, field, "strategy name \"%.70s\" cannot be a label: give a \"label\"",
                    label);
    if (!valid_name(label, " +()/:[]@"))
        return fail(c, lfield, "expected letters, digits, spaces or _.-+()/:[]@ only, got %s",
                    describe(c, v));
    if (strchr("=+-@ ", label[0]))
        return fail(c, lfield, "a label may not begin with '%c' (spreadsheets read a CSV field "
                    "that begins with '=', '+', '-' or '@' as a formula; a space is lost): "
                    "got %s", label[0], describe(c, v));
    if (strlen(label) >= PB_LABEL_MAX)
        return fail(c, lfield, "a label takes at most %d bytes (the results' strategy column "
                    "holds no more, and a cut label would merge two series), got %zu bytes",
                    PB_LABEL_MAX - 1, strlen(label));
    sc->label = dup_str(label);
    return sc->label ? 0 : -ENOMEM;
}

/* One entry of "strategies" at index i: a name, or an object with name, label, parameters. */
static int parse_strategy(struct ctx *c, json_t *v, size_t i, struct pb_strategy_cfg *sc)
{
    char field[PB_FIELD], nfield[PB_FIELD];
    json_t *obj = json_is_object(v) ? v : NULL, *name = v;
    int rc;
    snprintf(field, sizeof field, "strategies[%zu]", i);
    snprintf(nfield, sizeof nfield, "%s", field);
    if (!obj && !json_is_string(v))
        return fail(c, field, "expected a strategy name or an object with \"name\", got %s",
                    describe(c, v));
    if (obj && (rc = require(c, obj, field, "name", &name)))
        return rc;
    if (obj)
        join_field(nfield, field, "name");
    if ((rc = find_strategy(c, name, nfield, &sc->strategy)) ||
        (obj && (rc = check_strategy_keys(c, obj, field, sc->strategy))) ||
        (rc = fill_params(c, obj, field, sc)))
        return rc;
    return set_label(c, obj, field, sc);
}

/* entry_cmp over strategy entries: by label, then parameters. */
static int cmp_strategy_at(size_t a, size_t b, void *list)
{
    const struct pb_strategy_cfg *x = (const struct pb_strategy_cfg *)list + a;
    const struct pb_strategy_cfg *y = (const struct pb_strategy_cfg *)list + b;
    int c = strcmp(x->label, y->label);
    return c ? c : strcmp(x->params, y->params);
}

/* "strategies": required, non-empty; every (label, params) pair distinct. */
static int parse_strategies(struct ctx *c, json_t *root)
{
    struct pb_experiment *e = c->e;
    json_t *arr;
    int rc = require(c, root, "", "strategies", &arr);
    if (rc)
        return rc;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(c, "strategies", "expected a non-empty array of strategies, got %s",
                    describe(c, arr));
    if (!(e->strategies = calloc(json_array_size(arr), sizeof *e->strategies)))
        return -ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        struct pb_strategy_cfg *sc = &e->strategies[e->nstrategies++];
        if ((rc = parse_strategy(c, json_array_get(arr, i), i, sc)))
            return rc;
    }
    size_t i = 0, j = 0;
    char field[PB_FIELD];
    if ((rc = first_repeat(e->nstrategies, cmp_strategy_at, e->strategies, &i, &j)) <= 0)
        return rc;
    snprintf(field, sizeof field, "strategies[%zu]", i);
    return fail(c, field, "same label \"%s\" and parameters \"%s\" as strategies[%zu]: give one "
                "a distinct \"label\"", e->strategies[i].label, e->strategies[i].params, j);
}

#define PB_MAX_RMAX 64                /* values of an "rmax" sweep */

/* Releases what one strategy entry owns. */
static void entry_free(struct pb_strategy_cfg *sc)
{
    for (size_t k = 0; k < sc->nkv; k++) {
        free((char *)sc->kv[k].key);
        free((char *)sc->kv[k].value);
    }
    free(sc->kv);
    free(sc->label);
    free(sc->params);
}

/* *to = a deep copy of from running at rmax (index i): params gain "rmax=R". */
static int entry_at_rmax(const struct pb_strategy_cfg *from, double rmax, size_t i,
                         struct pb_strategy_cfg *to)
{
    char r[32];
    *to = (struct pb_strategy_cfg){ .strategy = from->strategy, .rmax = rmax, .rmax_index = i,
                                    .label = dup_str(from->label),
                                    .params = dup_str(from->params),
                                    .kv = calloc(from->nkv ? from->nkv : 1, sizeof *to->kv) };
    if (!to->label || !to->params || !to->kv)
        return -ENOMEM;
    for (; to->nkv < from->nkv; to->nkv++) {
        to->kv[to->nkv].key = dup_str(from->kv[to->nkv].key);
        to->kv[to->nkv].value = dup_str(from->kv[to->nkv].value);
        if (!to->kv[to->nkv].key || !to->kv[to->nkv].value)
            return -ENOMEM;
    }
    snprintf(r, sizeof r, "%.10g", rmax);
    return append_param(&to->params, "rmax", r);
}

/* Replaces every strategy entry by one per value of rmax[0..nr). */
static int expand_rmax(struct pb_experiment *e, const double *rmax, size_t nr)
{
    struct pb_strategy_cfg *all = calloc(e->nstrategies * nr, sizeof *all);
    size_t made = 0;
    int rc = all ? 0 : -ENOMEM;
    for (size_t j = 0; rc == 0 && j < e->nstrategies; j++)
        for (size_t i = 0; rc == 0 && i < nr; i++)
            rc = entry_at_rmax(&e->strategies[j], rmax[i], i, &all[made++]);
    for (size_t j = 0; j < (rc ? made : e->nstrategies); j++)
        entry_free(rc ? &all[j] : &e->strategies[j]);
    if (rc) {
        free(all);
        return rc;
    }
    free(e->strategies);
    e->strategies = all;
    e->nstrategies = made;
    e->nrmax = nr;
    return 0;
}

/* "rmax": a histogram's last edge swept over increasing values (see the table above). */
static int parse_rmax(struct ctx *c, json_t *root)
{
    json_t *arr = json_object_get(root, "rmax");
    double v[PB_MAX_RMAX];
    size_t n = arr && json_is_array(arr) ? json_array_size(arr) : 0;
    if (!arr)
        return 0;
    if (c->e->output != PB_OUTPUT_HISTOGRAM)
        return fail(c, "rmax", "only a \"histogram\" output has an rmax to sweep");
    if (n == 0 || n > PB_MAX_RMAX)
        return fail(c, "rmax", "expected an array of 1 to %d numbers > 0, got %s", PB_MAX_RMAX,
                    describe(c, arr));
    for (size_t i = 0; i < n; i++) {
        char field[PB_FIELD];
        snprintf(field, sizeof field, "rmax[%zu]", i);
        int rc = check_number(c, json_array_get(arr, i), field, 0, 0, &v[i]);
        if (rc)
            return rc;
        if (i > 0 && !(v[i] > v[i - 1]))
            return fail(c, field, "expected values in increasing order, got %g after %g", v[i],
                        v[i - 1]);
    }
    return expand_rmax(c->e, v, n);
}

/* One name of verify.reference at field: an in-process strategy that can compute this config's
 * output, not listed before. */
static int check_reference(struct ctx *c, json_t *v, const char *field, size_t i)
{
    struct pb_verify_cfg *vc = &c->e->verify;
    const struct pb_strategy *s;
    int rc = find_strategy(c, v, field, &s);
    if (rc)
        return rc;
    if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED))
        return fail(c, field, "%s runs outside the harness process: a reference must be an "
                    "in-process strategy", s->name);
    if ((s->flags & PB_HISTOGRAM_ONLY) && c->e->output == PB_OUTPUT_MATRIX)
        return fail(c, field, "%s computes histograms only and this config's output is a "
                    "matrix", s->name);
    for (size_t j = 0; j < i; j++)
        if (vc->reference[j] == s)
            return fail(c, field, "%s is listed twice (first at verify.reference[%zu])",
                        s->name, j);
    vc->reference[vc->nreference++] = s;
    return 0;
}

/* "verify": naive_max_n (required there) and reference, the independent methods above it. */
static int parse_verify(struct ctx *c, json_t *root)
{
    static const char *const keys[] = { "naive_max_n", "reference", NULL };
    json_t *v = json_object_get(root, "verify"), *arr, *max;
    long long naive_max;
    int rc;
    c->e->verify = (struct pb_verify_cfg){ 0 };
    if (!v)
        return 0;
    if ((rc = check_object(c, v, "verify")) || (rc = check_keys(c, v, "verify", keys)) ||
        (rc = require(c, v, "verify", "naive_max_n", &max)) ||
        (rc = check_int(c, max, "verify.naive_max_n", 1, PB_MAX_SIZE, &naive_max)))
        return rc;
    c->e->verify.naive_max_n = (size_t)naive_max;
    if (!(arr = json_object_get(v, "reference")))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > PB_VERIFY_MAX_REFERENCES)
        return fail(c, "verify.reference", "expected an array of at most %d strategy names, "
                    "got %s", PB_VERIFY_MAX_REFERENCES, describe(c, arr));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char field[PB_FIELD];
        snprintf(field, sizeof field, "verify.reference[%zu]", i);
        if ((rc = check_reference(c, json_array_get(arr, i), field, i)))
            return rc;
    }
    return 0;
}

/* For a file input: the file must be readable, well formed, and hold the largest size. Any
 * input of a periodic experiment learns the box its points are wrapped into. In single
 * precision, coordinates (after wrapping) must stay within PB_COORD_MAX_FLOAT. */
static int check_points_file(struct ctx *c, json_t *root)
{
    struct pb_experiment *e = c->e;
    struct pb_points pts;
    struct pb_err perr;
    size_t largest = e->sizes[e->nsizes - 1];
    e->input.periodic = e->periodic;  /* points are wrapped into the periodic box when made */
    double reach = e->periodic > 0 && e->periodic < e->input.box ? e->periodic : e->input.box;
    if (e->input.kind != PB_INPUT_FILE && e->precision == PB_PRECISION_FLOAT &&
        reach > PB_COORD_MAX_FLOAT)
        return fail(c, "input.box", "%g is beyond %g: squared distances would overflow in "
                    "single precision (\"precision\": \"float\")", reach, PB_COORD_MAX_FLOAT);
    if (e->input.kind != PB_INPUT_FILE)
        return 0;
    int rc = pb_points_read(e->input.path, largest, &pts, &perr);
    if (rc < 0) {
        fail(c, "input.path", "%s", perr.msg);
        return rc;                   /* keeps the errno of an I/O failure */
    }
    if (e->periodic > 0)
        pb_points_wrap(&pts, e->periodic);
    if (e->precision == PB_PRECISION_FLOAT)
        rc = pb_points_check_range(&pts, PB_COORD_MAX_FLOAT, e->input.path, &perr);
    size_t have = pts.n;
    pb_points_free(&pts);
    if (rc < 0)
        return fail(c, "input.path", "%s", perr.msg);
    if (have >= largest)
        return 0;
    json_t *sizes = json_object_get(root, "sizes");
    const char *shown = json_string_value(json_object_get(json_object_get(root, "input"),
                                                          "path"));
    char field[PB_FIELD] = "sizes.to";
    size_t want = largest;
    for (size_t i = 0; json_is_array(sizes) && i < json_array_size(sizes); i++) {
        want = (size_t)json_integer_value(json_array_get(sizes, i));
        if (want > have) {
            snprintf(field, sizeof field, "sizes[%zu]", i);
            break;
        }
    }
    return fail(c, field, "%zu points requested but %s holds %zu", want, shown, have);
}

/* path's folder ("." when it has none), malloc'd. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Validates root section by section, in the order the fields depend on each other: plugins
 * before strategies, sizes and input before the points file check. */
static int parse_root(struct ctx *c, json_t *root)
{
    static const char *const keys[] = {
        "name", "description", "input", "output", "precision", "periodic", "sizes", "threads",
        "ranks", "repeats", "warmup", "timeout_s", "pin", "order", "order_seed", "overhead",
        "limits", "plugins", "strategies", "verify", "rmax", NULL,
    };
    int rc;
    if ((rc = check_keys(c, root, "", keys)) || (rc = parse_name(c, root)) ||
        (rc = parse_description(c, root)) || (rc = parse_input(c, root)) ||
        (rc = parse_output(c, root)) || (rc = parse_sizes(c, root)) ||
        (rc = parse_threads(c, root)) ||
        (rc = int_list(c, root, "ranks", &c->e->ranks, &c->e->nranks)) ||
        (rc = parse_scalars(c, root)) || (rc = parse_plugins(c, root)) ||
        (rc = parse_strategies(c, root)) || (rc = parse_verify(c, root)) ||
        (rc = parse_rmax(c, root)))
        return rc;
    return check_points_file(c, root);
}

int pb_config_load(const char *path, struct pb_experiment *e, struct pb_err *err)
{
    struct ctx c = { .path = path, .err = err, .e = e };
    json_t *root = NULL;
    *e = (struct pb_experiment){ 0 };
    e->path = strdup(path);
    e->dir = folder_of(path);
    int rc = !e->path || !e->dir ? -ENOMEM : read_config(&c);
    if (!rc)
        rc = parse_text(&c, &root);
    if (!rc) {
        fnv1a_hex(c.text, c.len, e->hash);
        rc = parse_root(&c, root);
    }
    json_decref(root);
    if (rc == -ENOMEM)
        pb_fail(err, rc, "%s: out of memory while loading the config", path);
    if (rc)
        pb_experiment_free(e);
    return rc;
}

void pb_experiment_free(struct pb_experiment *e)
{
    for (size_t i = 0; i < e->nstrategies; i++)
        entry_free(&e->strategies[i]);
    for (size_t i = 0; i < e->nplugins; i++)
        free(e->plugins[i]);
    free(e->plugins);
    free(e->strategies);
    free(e->name);
    free(e->description);
    free(e->path);
    free(e->dir);
    free(e->text);
    free(e->input.path);
    free(e->sizes);
    free(e->threads);
    free(e->ranks);
    *e = (struct pb_experiment){ 0 };
}
