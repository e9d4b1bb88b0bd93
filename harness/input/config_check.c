/* config_check.c — the checks of config_check.h: one error shape ("FILE:LINE:COL: FIELD: what
 * is wrong", placed by jsonpos), "did you mean" suggestions, and the type and range checks,
 * those of the cfg_key_* family driven by the schema table (config_schema.c). */
#include "config_check.h"
#include "jsonpos.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Formats "FILE:L:C: LABEL: what" with L:C the position of pos_path (its key when want_key),
 * falling back to the nearest enclosing value that can be found. Returns -EINVAL. */
static int vfail_at(struct cfg *c, const char *pos_path, int want_key, const char *label,
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
int cfg_fail(struct cfg *c, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(c, field, 0, field, fmt, ap);
    va_end(ap);
    return rc;
}

/* An error placed at field's key but labelled with its enclosing object (unknown keys). */
int cfg_fail_key(struct cfg *c, const char *field, const char *parent, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(c, field, 1, parent, fmt, ap);
    va_end(ap);
    return rc;
}

/* A short description of v for "got ..." in messages; valid until the next call. */
const char *cfg_describe(struct cfg *c, const json_t *v)
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
void cfg_join(char *out, const char *parent, const char *key)
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
const char *cfg_suggest(const char *key, const char *const *known)
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
void cfg_list_names(char *buf, size_t size, const char *const *known)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; known[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", known[i]);
    if (used >= size)
        memcpy(buf + size - 4, "\xE2\x80\xA6", 4);
}

/* The "unknown key" error for key of the object at parent, with a suggestion or the list. */
static int unknown_key(struct cfg *c, const char *parent, const char *key,
                       const char *const *known, const char *what)
{
    char field[PB_FIELD], names[512];
    cfg_join(field, parent, key);
    const char *near = cfg_suggest(key, known);
    if (near)
        return cfg_fail_key(c, field, parent, "unknown %s \"%s\" (did you mean \"%s\"?)", what,
                            key, near);
    cfg_list_names(names, sizeof names, known);
    return cfg_fail_key(c, field, parent, "unknown %s \"%s\" (known: %s)", what, key,
                        *names ? names : "none");
}

/* See config_check.h. */
const struct pb_config_key *cfg_schema(struct cfg *c, const char *path)
{
    const struct pb_config_key *k = pb_config_key_find(path);
    if (!k)
        pb_fail(c->err, -EINVAL, "%s: the config schema has no key %s", c->path, path);
    return k;
}

/* See config_check.h. */
int cfg_check_keys(struct cfg *c, json_t *obj, const char *parent)
{
    return cfg_check_keys_at(c, obj, parent, parent);
}

/* See config_check.h. */
int cfg_check_keys_at(struct cfg *c, json_t *obj, const char *schema, const char *parent)
{
    const char *known[64], *key;
    json_t *v;
    pb_config_key_children(schema, known, 64);
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], key) != 0)
            i++;
        if (!known[i])
            return unknown_key(c, parent, key, known, "key");
    }
    return 0;
}

/* See config_check.h. */
int cfg_check_required(struct cfg *c, json_t *obj, const char *parent)
{
    const char *known[64];
    json_t *v;
    char path[PB_FIELD];
    pb_config_key_children(parent, known, 64);
    for (size_t i = 0; known[i]; i++) {
        cfg_join(path, parent, known[i]);
        const struct pb_config_key *k = pb_config_key_find(path);
        int rc = k && (k->flags & PB_KEY_REQUIRED) ? cfg_require(c, obj, parent, known[i], &v)
                                                   : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* The last component of a schema path: the key inside its object. */
static const char *key_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* See config_check.h. */
int cfg_key(struct cfg *c, json_t *obj, const char *path, json_t **v)
{
    const struct pb_config_key *k = cfg_schema(c, path);
    const char *name = key_name(path);
    char parent[PB_FIELD];
    if (!k)
        return -EINVAL;
    *v = json_object_get(obj, name);
    if (*v || !(k->flags & PB_KEY_REQUIRED))
        return 0;
    snprintf(parent, sizeof parent, "%.*s", (int)(name == path ? 0 : name - path - 1), path);
    return cfg_require(c, obj, parent, name, v);
}

/* A number v at field within the range of k (lo, and hi when it has one). */
static int number_in(struct cfg *c, json_t *v, const char *field,
                     const struct pb_config_key *k, double *out)
{
    int rc = cfg_number(c, v, field, k->lo, (k->flags & PB_KEY_LO_INCLUSIVE) != 0, out);
    if (rc || !(k->hi > 0) || *out <= k->hi)
        return rc;
    return cfg_fail(c, field, "%g is beyond %g%s%s", *out, k->hi, k->hi_why ? ": " : "",
                    k->hi_why ? k->hi_why : "");
}

/* A string v at field among the choices of k: *out gets its index. */
static int choice_in(struct cfg *c, json_t *v, const char *field,
                     const struct pb_config_key *k, long long *out)
{
    *out = json_is_string(v) ? pb_choice_index(k->choices, json_string_value(v)) : -1;
    if (*out < 0)
        return cfg_fail(c, field, "expected one of %s, got %s", k->choices, cfg_describe(c, v));
    return 0;
}

/* A boolean v at field: *out gets 0 or 1. */
static int bool_in(struct cfg *c, json_t *v, const char *field, long long *out)
{
    if (!json_is_boolean(v))
        return cfg_fail(c, field, "expected true or false, got %s", cfg_describe(c, v));
    *out = json_is_true(v);
    return 0;
}

/* The member of obj for the scalar schema key path, checked as its row says, or the row's
 * default when absent: a number into *x, an integer, choice index or boolean into *i (the
 * caller passes the one its row's type needs). */
static int key_value(struct cfg *c, json_t *obj, const char *path, long long *i, double *x)
{
    const struct pb_config_key *k = cfg_schema(c, path);
    json_t *v;
    int rc = k ? cfg_key(c, obj, path, &v) : -EINVAL;
    if (rc)
        return rc;
    if ((k->type == PB_KEY_NUMBER) != (x != NULL))
        return pb_fail(c->err, -EINVAL, "%s: config key %s read as the wrong type", c->path,
                       path);
    if (x)
        *x = k->def;
    else
        *i = (long long)k->def;
    if (!v)
        return 0;
    switch (k->type) {
    case PB_KEY_NUMBER:
        return number_in(c, v, path, k, x);
    case PB_KEY_INT:
        return cfg_int(c, v, path, k->imin, k->imax, i);
    case PB_KEY_CHOICE:
        return choice_in(c, v, path, k, i);
    case PB_KEY_BOOL:
        return bool_in(c, v, path, i);
    default:
        return pb_fail(c->err, -EINVAL, "%s: config key %s is no scalar", c->path, path);
    }
}

/* See config_check.h. */
int cfg_key_int(struct cfg *c, json_t *obj, const char *path, long long *out)
{
    return key_value(c, obj, path, out, NULL);
}

/* See config_check.h. */
int cfg_key_number(struct cfg *c, json_t *obj, const char *path, double *out)
{
    return key_value(c, obj, path, NULL, out);
}

/* See config_check.h. */
int cfg_key_choice(struct cfg *c, json_t *obj, const char *path, int *out)
{
    long long i = 0;
    int rc = key_value(c, obj, path, &i, NULL);
    *out = (int)i;
    return rc;
}

/* See config_check.h. */
int cfg_key_bool(struct cfg *c, json_t *obj, const char *path, int *out)
{
    long long i = 0;
    int rc = key_value(c, obj, path, &i, NULL);
    *out = (int)i;
    return rc;
}

/* See config_check.h. */
int cfg_item_int(struct cfg *c, json_t *v, const char *field, const char *path, long long *out)
{
    const struct pb_config_key *k = cfg_schema(c, path);
    return k ? cfg_int(c, v, field, k->imin, k->imax, out) : -EINVAL;
}

/* See config_check.h. */
int cfg_item_number(struct cfg *c, json_t *v, const char *field, const char *path, double *out)
{
    const struct pb_config_key *k = cfg_schema(c, path);
    return k ? number_in(c, v, field, k, out) : -EINVAL;
}

/* What qsort_r needs to sort indices of a list by cfg_entry_cmp, then by index. */
struct repeat_sort {
    cfg_entry_cmp cmp;                   /* compares two entries */
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

/* See config_check.h; O(n log n): indices sorted by entry, equal runs compared. */
int cfg_first_repeat(size_t n, cfg_entry_cmp cmp, void *list, size_t *i, size_t *j)
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

/* v must be an object; field names it. */
int cfg_object(struct cfg *c, json_t *v, const char *field)
{
    return json_is_object(v) ? 0 : cfg_fail(c, field, "expected an object, got %s",
                                            cfg_describe(c, v));
}

/* Member key of obj (at parent), which must be present. */
int cfg_require(struct cfg *c, json_t *obj, const char *parent, const char *key, json_t **v)
{
    *v = json_object_get(obj, key);
    if (*v)
        return 0;
    return cfg_fail(c, parent, "missing required field \"%s\"", key);
}

/* An integer in [min, max] at field. */
int cfg_int(struct cfg *c, json_t *v, const char *field, long long min, long long max,
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
        return cfg_fail(c, field, "expected %s of at most %lld, got %s", kind, max,
                        cfg_describe(c, v));
    if (min > 1)
        return cfg_fail(c, field, "expected an integer >= %lld, got %s", min,
                        cfg_describe(c, v));
    return cfg_fail(c, field, "expected %s, got %s", kind, cfg_describe(c, v));
}

/* A number (integer or real) at field, > lo (or >= lo when inclusive). */
int cfg_number(struct cfg *c, json_t *v, const char *field, double lo, int inclusive,
               double *out)
{
    if (!json_is_number(v))
        return cfg_fail(c, field, "expected a number, got %s", cfg_describe(c, v));
    double x = json_number_value(v);
    if (!(inclusive ? x >= lo : x > lo))
        return cfg_fail(c, field, "expected a number %s %g, got %s", inclusive ? ">=" : ">",
                        lo, cfg_describe(c, v));
    *out = x;
    return 0;
}

/* A string at field (never with a NUL inside: the parser refuses \u0000). */
int cfg_string(struct cfg *c, json_t *v, const char *field, const char **out)
{
    if (!json_is_string(v))
        return cfg_fail(c, field, "expected a string, got %s", cfg_describe(c, v));
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

/* 1 when s is a non-empty string of [A-Za-z0-9_.-] and the characters in extra. */
int cfg_valid_name(const char *s, const char *extra)
{
    static const char base[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr(base, *s) && !strchr(extra, *s))
            return 0;
    return 1;
}
