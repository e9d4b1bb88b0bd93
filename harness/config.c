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
 * |  .kind         | "uniform" \| "clustered" \| "file" (required)   |                  |
 * |  .seed         | integer >= 0 (uniform, clustered)               | 42               |
 * |  .box          | number > 0: cube side (uniform, clustered)      | 1000.0           |
 * |  .path         | string, file only (required there): relative to |                  |
 * |                | the config's folder                             |                  |
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
 *
 * A strategy object may set any parameter its strategy declares (bench --list shows them);
 * a value may be a string, number or boolean and must be one of the parameter's choices when
 * it has some. Every entry needs a distinct (label, parameters) pair. Keys are checked: an
 * unknown one is an error that suggests the nearest known key. For a file input, the file is
 * read here once, so that a bad or short file fails before any run starts. */
#include "experiment.h"
#include "jsonpos.h"
#include "plugin.h"
#include "points.h"
#include "registry.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PB_MAX_SIZE 1000000000LL     /* a larger n could not be held in memory anyway */
#define PB_MAX_WORKERS 4096          /* threads and ranks */
#define PB_MAX_REPEATS 1000000
#define PB_FIELD 256                 /* longest field path in a message */

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

/* Writes known[] as "a, b, c" into buf. */
static void list_names(char *buf, size_t size, const char *const *known)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; known[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", known[i]);
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

/* A string at field. */
static int check_string(struct ctx *c, json_t *v, const char *field, const char **out)
{
    if (!json_is_string(v))
        return fail(c, field, "expected a string, got %s", describe(c, v));
    *out = json_string_value(v);
    return 0;
}

/* Index of value in choices "a|b|c", or -1. */
static int choice_index(const char *choices, const char *value)
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
    *out = json_is_string(v) ? choice_index(choices, json_string_value(v)) : -1;
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

/* Reads the whole config into c->e->text and c->len. */
static int read_config(struct ctx *c)
{
    FILE *f = fopen(c->path, "rb");
    if (!f)
        return pb_fail(c->err, -errno, "%s: cannot open config: %s", c->path, strerror(errno));
    size_t cap = 4096, len = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        char *nb = len + 1 == cap ? realloc(buf, cap *= 2) : buf;
        if (!nb)
            free(buf);
        buf = nb;
    }
    int rc = !buf ? -ENOMEM : ferror(f) ? -(errno ? errno : EIO) : 0;
    fclose(f);
    if (rc < 0) {
        free(buf);
        return pb_fail(c->err, rc, "%s: cannot read config: %s", c->path, strerror(-rc));
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
    } else {
        const char *base = strrchr(c->path, '/') ? strrchr(c->path, '/') + 1 : c->path;
        snprintf(stem, sizeof stem, "%s", base);
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
        if (!valid_name(stem, ""))
            return fail(c, "", "the file name \"%s\" cannot name results: give a \"name\" of "
                        "letters, digits, '_', '.' or '-'", stem);
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

/* "input": kind, seed, box, path. Absent means uniform with the defaults. */
static int parse_input(struct ctx *c, json_t *root)
{
    static const char *const keys[] = { "kind", "seed", "box", "path", NULL };
    struct pb_input *p = &c->e->input;
    json_t *in = json_object_get(root, "input"), *v;
    long long seed = 42;
    int kind = 0, rc;
    *p = (struct pb_input){ .kind = PB_INPUT_UNIFORM, .seed = 42, .box = 1000.0 };
    if (!in)
        return 0;
    if ((rc = check_object(c, in, "input")) || (rc = check_keys(c, in, "input", keys)) ||
        (rc = require(c, in, "input", "kind", &v)) ||
        (rc = opt_choice(c, in, "input", "kind", "uniform|clustered|file", 0, &kind)) ||
        (rc = opt_int(c, in, "input", "seed", 0, LLONG_MAX, 42, &seed)))
        return rc;
    p->kind = (enum pb_input_kind)kind;
    p->seed = (uint64_t)seed;
    if ((v = json_object_get(in, "box")) && (rc = check_number(c, v, "input.box", 0, 0, &p->box)))
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
    struct pb_bins *b = &c->e->bins;
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

/* "sizes" as an array: positive integers, each at most once; stored sorted. */
static int sizes_array(struct ctx *c, json_t *arr)
{
    char field[PB_FIELD];
    size_t n = json_array_size(arr);
    if (n == 0)
        return fail(c, "sizes", "expected at least one size");
    if (!(c->e->sizes = malloc(n * sizeof *c->e->sizes)))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        long long x;
        snprintf(field, sizeof field, "sizes[%zu]", i);
        int rc = check_int(c, json_array_get(arr, i), field, 1, PB_MAX_SIZE, &x);
        for (size_t j = 0; !rc && j < i; j++)
            if (c->e->sizes[j] == (size_t)x)
                rc = fail(c, field, "%lld is already listed at sizes[%zu]", x, j);
        if (rc)
            return rc;
        c->e->sizes[c->e->nsizes++] = (size_t)x;
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
        long long x;
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        int rc = check_int(c, json_array_get(arr, i), field, 1, PB_MAX_WORKERS, &x);
        for (size_t j = 0; !rc && j < i; j++)
            if ((*out)[j] == (int)x)
                rc = fail(c, field, "%lld is already listed at %s[%zu]", x, key, j);
        if (rc)
            return rc;
        (*out)[(*n)++] = (int)x;
    }
    return 0;
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

/* The value v of parameter spec as a string into buf, checked against its choices. */
static int param_value(struct ctx *c, json_t *v, const char *field,
                       const struct pb_param_spec *spec, char *buf, size_t size)
{
    if (json_is_string(v))
        snprintf(buf, size, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    else
        return fail(c, field, "expected a string, number or boolean, got %s", describe(c, v));
    if (spec->choices && choice_index(spec->choices, buf) < 0)
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

/* Fills sc->kv with every declared parameter (configured value or default) and sc->params
 * with the configured ones; obj may be NULL for the string form. */
static int fill_params(struct ctx *c, json_t *obj, const char *field, struct pb_strategy_cfg *sc)
{
    const struct pb_param_spec *ps = sc->strategy->params;
    char vfield[PB_FIELD], buf[256];
    size_t np = 0;
    while (ps && ps[np].name)
        np++;
    sc->params = calloc(1, 1);
    sc->kv = calloc(np ? np : 1, sizeof *sc->kv);
    if (!sc->params || !sc->kv)
        return -ENOMEM;
    for (size_t i = 0; i < np; i++) {
        json_t *v = obj ? json_object_get(obj, ps[i].name) : NULL;
        join_field(vfield, field, ps[i].name);
        int rc = v ? param_value(c, v, vfield, &ps[i], buf, sizeof buf) : 0;
        if (!rc && v)
            rc = append_param(&sc->params, ps[i].name, buf);
        if (rc)
            return rc;
        sc->kv[i].key = dup_str(ps[i].name);
        sc->kv[i].value = dup_str(v ? buf : ps[i].def ? ps[i].def : "");
        sc->nkv = i + 1;
        if (!sc->kv[i].key || !sc->kv[i].value)
            return -ENOMEM;
    }
    return 0;
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
    if (!valid_name(label, " +()/:[]@"))
        return fail(c, lfield, "expected letters, digits, spaces or _.-+()/:[]@ only, got %s",
                    describe(c, v));
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
        for (size_t j = 0; j < i; j++) {
            char field[PB_FIELD];
            if (strcmp(e->strategies[j].label, sc->label) || strcmp(e->strategies[j].params,
                                                                    sc->params))
                continue;
            snprintf(field, sizeof field, "strategies[%zu]", i);
            return fail(c, field, "same label \"%s\" and parameters \"%s\" as strategies[%zu]: "
                        "give one a distinct \"label\"", sc->label, sc->params, j);
        }
    }
    return 0;
}

/* For a file input: the file must be readable, well formed, and hold the largest size. */
static int check_points_file(struct ctx *c, json_t *root)
{
    struct pb_experiment *e = c->e;
    struct pb_points pts;
    struct pb_err perr;
    size_t largest = e->sizes[e->nsizes - 1];
    if (e->input.kind != PB_INPUT_FILE)
        return 0;
    int rc = pb_points_read(e->input.path, largest, &pts, &perr);
    if (rc < 0) {
        fail(c, "input.path", "%s", perr.msg);
        return rc;                   /* keeps the errno of an I/O failure */
    }
    size_t have = pts.n;
    pb_points_free(&pts);
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
        "limits", "plugins", "strategies", NULL,
    };
    int rc;
    if ((rc = check_keys(c, root, "", keys)) || (rc = parse_name(c, root)) ||
        (rc = parse_description(c, root)) || (rc = parse_input(c, root)) ||
        (rc = parse_output(c, root)) || (rc = parse_sizes(c, root)) ||
        (rc = parse_threads(c, root)) ||
        (rc = int_list(c, root, "ranks", &c->e->ranks, &c->e->nranks)) ||
        (rc = parse_scalars(c, root)) || (rc = parse_plugins(c, root)) ||
        (rc = parse_strategies(c, root)))
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
    for (size_t i = 0; i < e->nstrategies; i++) {
        struct pb_strategy_cfg *sc = &e->strategies[i];
        for (size_t k = 0; k < sc->nkv; k++) {
            free((char *)sc->kv[k].key);
            free((char *)sc->kv[k].value);
        }
        free(sc->kv);
        free(sc->label);
        free(sc->params);
    }
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
