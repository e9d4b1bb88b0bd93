/* edges.c — explicit bin edges from a list or a file (see edges.h). */
#include "edges.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEPARATORS " \t,\r\n"

/* The edges read so far; v is malloc'd and handed to the caller at the end. */
struct acc {
    double *v;
    size_t n, cap;
    size_t max;                      /* most edges accepted */
};

/* The number in the len bytes at s (spaces around it allowed) into *x. Returns 0, or -EINVAL
 * when they are not one finite number >= 0. */
static int number(const char *s, size_t len, double *x)
{
    char buf[64], *end;
    if (len == 0 || len >= sizeof buf)
        return -EINVAL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *x = strtod(buf, &end);
    if (end == buf)
        return -EINVAL;
    end += strspn(end, " \t");
    return *end || !isfinite(*x) || *x < 0 ? -EINVAL : 0;
}

/* Appends x. Returns 0, -E2BIG beyond a->max edges, -EDOM when x is not above the last edge,
 * or -ENOMEM. */
static int push(struct acc *a, double x)
{
    if (a->n == a->max)
        return -E2BIG;
    if (a->n > 0 && !(x > a->v[a->n - 1]))
        return -EDOM;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        double *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        a->v = v, a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* Reports what push or number refused, after the place where (a "FILE:LINE" or "LABEL:
 * edges[K]"); tok is the text (len bytes) of the number. Returns -EINVAL (-ENOMEM as is). */
static int refuse(struct pb_err *err, int rc, const char *where, const struct acc *a,
                  const char *tok, size_t len, double x)
{
    if (rc == -ENOMEM)
        return pb_fail(err, rc, "%s: out of memory", where);
    if (rc == -E2BIG)
        return pb_fail(err, -EINVAL, "%s: more than %zu edges (%zu bins)", where, a->max,
                       a->max - 1);
    if (rc == -EDOM)
        return pb_fail(err, -EINVAL, "%s: edges must strictly increase: got %.17g after %.17g",
                       where, x, a->v[a->n - 1]);
    return pb_fail(err, -EINVAL, "%s: expected a finite number >= 0, got '%.*s'", where,
                   len > 40 ? 40 : (int)len, tok);
}

/* Hands the edges over: at least 2, else -EINVAL naming label. */
static int finish(struct acc *a, const char *label, double **edges, size_t *n,
                  struct pb_err *err)
{
    if (a->n < 2) {
        free(a->v);
        return pb_fail(err, -EINVAL, "%s: expected at least 2 edges (one bin), got %zu", label,
                       a->n);
    }
    *edges = a->v, *n = a->n;
    return 0;
}

int pb_edges_parse_list(const char *text, const char *label, size_t max_edges, double **edges,
                        size_t *n, struct pb_err *err)
{
    struct acc a = { .max = max_edges };
    char where[160];
    const char *s = text;
    for (;;) {
        size_t len = strcspn(s, ",");
        double x = 0;
        snprintf(where, sizeof where, "%s: edges[%zu]", label, a.n);
        int rc = number(s, len, &x);
        if (!rc)
            rc = push(&a, x);
        if (rc) {
            rc = refuse(err, rc, where, &a, s, len, x);
            free(a.v);
            return rc;
        }
        if (!s[len])
            break;
        s += len + 1;
    }
    return finish(&a, label, edges, n, err);
}

/* One data line of an edges file (NUL-terminated, not blank, not a comment) into a. *shape is
 * 0 before the first data line, then 1 (an edge per line) or 2 (a "lo hi" bin per line). */
static int file_line(char *line, const char *where, int *shape, struct acc *a,
                     struct pb_err *err)
{
    double x[2];
    const char *tok[2];
    size_t len[2], k = 0;
    for (char *s = line + strspn(line, SEPARATORS); *s; s += strspn(s, SEPARATORS), k++) {
        size_t l = strcspn(s, SEPARATORS);
        if (k < 2)
            tok[k] = s, len[k] = l;
        s += l;
    }
    if (k < 1 || k > 2 || (*shape && (int)k != *shape))
        return pb_fail(err, -EINVAL, "%s: expected %s per line, got %zu number%s", where,
                       *shape == 1 ? "one edge" : *shape == 2 ? "one \"lo hi\" bin"
                       : "one edge or one \"lo hi\" bin", k, k == 1 ? "" : "s");
    for (size_t i = 0; i < k; i++)
        if (number(tok[i], len[i], &x[i]) < 0)
            return refuse(err, -EINVAL, where, a, tok[i], len[i], 0);
    if (*shape == 2 && x[0] != a->v[a->n - 1])
        return pb_fail(err, -EINVAL, "%s: this bin starts at %.17g but the bin before ends at "
                       "%.17g: bins must touch", where, x[0], a->v[a->n - 1]);
    for (size_t i = *shape == 2 ? 1 : 0; i < k; i++) {
        int rc = push(a, x[i]);
        if (rc)
            return refuse(err, rc, where, a, tok[i], len[i], x[i]);
    }
    *shape = (int)k;
    return 0;
}

int pb_edges_read_file(const char *path, size_t max_edges, double **edges, size_t *n,
                       struct pb_err *err)
{
    struct acc a = { .max = max_edges };
    FILE *f = fopen(path, "re");
    char *line = NULL, where[4200];
    size_t cap = 0, lineno = 0;
    int shape = 0, rc = 0;
    if (!f)
        return pb_fail(err, -errno, "%s: cannot read the edges: %s", path, strerror(errno));
    while (!rc && getline(&line, &cap, f) >= 0) {
        const char *s = line + strspn(line, " \t\r\n");
        lineno++;
        if (*s == '\0' || *s == '#')
            continue;
        snprintf(where, sizeof where, "%s:%zu", path, lineno);
        rc = file_line(line, where, &shape, &a, err);
    }
    if (!rc && ferror(f))
        rc = pb_fail(err, -EIO, "%s: cannot read the edges: %s", path, strerror(errno));
    free(line);
    fclose(f);
    if (rc) {
        free(a.v);
        return rc;
    }
    return finish(&a, path, edges, n, err);
}
