/* points.c — the haloes a run works on: uniform or clustered from a seed, or read from a file.
 *
 * Generated inputs are specified, not just seeded, so that they can be reproduced elsewhere:
 * the seed goes through splitmix64 into xoshiro256** (rng.h), and each point takes its x, y, z
 * from the stream in turn. Every point consumes a fixed number of draws, so the first n points
 * never depend on n: a smaller run sees a prefix of a larger one.
 *
 * Points files: one point per line, the first three fields are x y z. Fields are separated by
 * any run of spaces, tabs or commas. Lines that are blank or whose first non-blank character is
 * '#' are skipped. Columns after the third are ignored, because halo catalogues usually carry
 * mass or id there. A line with fewer than three numbers, a field that is not a number, or a
 * NaN or infinity is an error naming the file, the line number and the line's text. */
#include "points.h"
#include "rng.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PB_CLUSTERS 32               /* haloes are grouped around this many centres */
#define PB_CLUSTER_SIGMA 0.02        /* spread of a group, as a fraction of the box side */
#define PB_STREAM_CENTRES 0x63656e7472657321ull  /* mixed into the seed for the centres */
#define PB_SHOW_MAX 60               /* characters of an offending line quoted in errors */

void pb_points_free(struct pb_points *pts)
{
    free(pts->x);
    free(pts->y);
    free(pts->z);
    free(pts->xf);
    free(pts->yf);
    free(pts->zf);
    *pts = (struct pb_points){ 0 };
}

/* Allocates x, y, z for cap points (n stays as it is). Returns 0 or -ENOMEM. */
static int points_reserve(struct pb_points *pts, size_t cap)
{
    double *arr[3] = { pts->x, pts->y, pts->z };
    for (int k = 0; k < 3; k++) {
        double *p = realloc(arr[k], (cap ? cap : 1) * sizeof *p);
        if (!p)
            return -ENOMEM;
        arr[k] = p;
        if (k == 0)
            pts->x = p;
        else if (k == 1)
            pts->y = p;
        else
            pts->z = p;
    }
    return 0;
}

/* v folded into [0, box): periodic wrap, and the rare round-up to box itself pulled back. */
static double wrap(double v, double box)
{
    v = fmod(v, box);
    if (v < 0)
        v += box;
    return v < box ? v : nextafter(box, 0.0);
}

/* Uniform in [0, box)^3: three draws per point, x then y then z. */
static void make_uniform(const struct pb_input *in, struct pb_points *pts)
{
    struct pb_rng r;
    pb_rng_seed(&r, in->seed);
    for (size_t i = 0; i < pts->n; i++) {
        pts->x[i] = wrap(pb_rng_unit(&r) * in->box, in->box);
        pts->y[i] = wrap(pb_rng_unit(&r) * in->box, in->box);
        pts->z[i] = wrap(pb_rng_unit(&r) * in->box, in->box);
    }
}

/* One standard normal deviate by Box–Muller from two draws (the second deviate is dropped so
 * that every call consumes exactly two draws). */
static double normal(struct pb_rng *r)
{
    double u1 = 1.0 - pb_rng_unit(r);  /* (0, 1]: log stays finite */
    double u2 = pb_rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Clustered: PB_CLUSTERS centres uniform in the box (from their own stream), then per point
 * one draw picks a centre and six draws give a Gaussian offset of PB_CLUSTER_SIGMA * box in
 * x, y, z, wrapped into the box. */
static void make_clustered(const struct pb_input *in, struct pb_points *pts)
{
    double c[PB_CLUSTERS][3];
    struct pb_rng r;
    pb_rng_seed(&r, in->seed ^ PB_STREAM_CENTRES);
    for (int k = 0; k < PB_CLUSTERS; k++)
        for (int d = 0; d < 3; d++)
            c[k][d] = pb_rng_unit(&r) * in->box;
    pb_rng_seed(&r, in->seed);
    double sigma = PB_CLUSTER_SIGMA * in->box;
    for (size_t i = 0; i < pts->n; i++) {
        const double *ctr = c[pb_rng_below(&r, PB_CLUSTERS)];
        pts->x[i] = wrap(ctr[0] + sigma * normal(&r), in->box);
        pts->y[i] = wrap(ctr[1] + sigma * normal(&r), in->box);
        pts->z[i] = wrap(ctr[2] + sigma * normal(&r), in->box);
    }
}

int pb_points_make(const struct pb_input *in, size_t n, struct pb_points *pts, struct pb_err *err)
{
    *pts = (struct pb_points){ 0 };
    if (n == 0)
        return 0;                    /* empty work: no input needed, not even the file */
    if (in->kind == PB_INPUT_FILE) {
        int rc = pb_points_read(in->path, n, pts, err);
        if (rc == 0 && pts->n < n) {
            rc = pb_fail(err, -EINVAL, "%s: %zu points requested but the file holds %zu",
                         in->path, n, pts->n);
            pb_points_free(pts);
        }
        return rc;
    }
    if (points_reserve(pts, n) < 0) {
        pb_points_free(pts);
        return pb_fail(err, -ENOMEM, "out of memory for %zu points", n);
    }
    pts->n = n;
    if (in->kind == PB_INPUT_CLUSTERED)
        make_clustered(in, pts);
    else
        make_uniform(in, pts);
    return 0;
}

/* Copies at most PB_SHOW_MAX characters of line (without its newline) into buf for messages. */
static const char *show(const char *line, char *buf, size_t size)
{
    size_t len = strcspn(line, "\r\n");
    size_t keep = len < PB_SHOW_MAX ? len : PB_SHOW_MAX;
    snprintf(buf, size, "%.*s%s", (int)keep, line, len > keep ? "..." : "");
    return buf;
}

/* Parses the first three fields of line into v. Returns 0, 1 for a line to skip (blank or
 * comment), or -EINVAL with err naming path:lineno. */
static int parse_line(const char *path, size_t lineno, char *line, size_t len, double v[3],
                      struct pb_err *err)
{
    char shown[PB_SHOW_MAX + 8];
    static const char seps[] = " \t,\r\n";
    if (strlen(line) != len)
        return pb_fail(err, -EINVAL, "%s:%zu: the line holds a NUL byte: not a text file?",
                       path, lineno);
    char *p = line + strspn(line, seps);
    if (*p == '\0' || *p == '#')
        return 1;
    for (int k = 0; k < 3; k++) {
        char *tok = p + strspn(p, seps);
        size_t tlen = strcspn(tok, seps);
        if (tlen == 0)
            return pb_fail(err, -EINVAL, "%s:%zu: expected 3 numbers \"x y z\", got \"%s\"",
                           path, lineno, show(line, shown, sizeof shown));
        char num[64], *end;
        if (tlen >= sizeof num)
            return pb_fail(err, -EINVAL, "%s:%zu: not a number: \"%.20s...\" in \"%s\"", path,
                           lineno, tok, show(line, shown, sizeof shown));
        memcpy(num, tok, tlen);
        num[tlen] = '\0';
        v[k] = strtod(num, &end);
        if (end != num + tlen || !isfinite(v[k]))
            return pb_fail(err, -EINVAL, "%s:%zu: %s \"%s\" in \"%s\"", path, lineno,
                           end != num + tlen ? "not a number:" : "not a finite number:", num,
                           show(line, shown, sizeof shown));
        p = tok + tlen;
    }
    return 0;
}

/* Appends v to pts, growing the arrays by doubling. Returns 0 or -ENOMEM. */
static int push(struct pb_points *pts, size_t *cap, const double v[3])
{
    if (pts->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 1024;
        if (points_reserve(pts, ncap) < 0)
            return -ENOMEM;
        *cap = ncap;
    }
    pts->x[pts->n] = v[0];
    pts->y[pts->n] = v[1];
    pts->z[pts->n] = v[2];
    pts->n++;
    return 0;
}

#define PB_MAX_LINE 4096             /* no halo line is longer: longer means not a points file */

/* Reads lines of f into pts until EOF or max_n points. Returns 0 or -errno with err filled. */
static int read_lines(FILE *f, const char *path, size_t max_n, struct pb_points *pts,
                      struct pb_err *err)
{
    char *line = NULL;
    size_t lcap = 0, cap = 0, lineno = 0;
    ssize_t got;
    int rc = 0;
    while ((max_n == 0 || pts->n < max_n) && (got = getline(&line, &lcap, f)) >= 0) {
        double v[3];
        if (got > PB_MAX_LINE) {
            rc = pb_fail(err, -EINVAL, "%s:%zu: line longer than %d characters", path,
                         lineno + 1, PB_MAX_LINE);
            break;
        }
        rc = parse_line(path, ++lineno, line, (size_t)got, v, err);
        if (rc == 1) {
            rc = 0;
            continue;
        }
        if (rc == 0 && push(pts, &cap, v) < 0)
            rc = pb_fail(err, -ENOMEM, "%s: out of memory after %zu points", path, pts->n);
        if (rc < 0)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = pb_fail(err, -errno ? -errno : -EIO, "%s: cannot read: %s", path, strerror(errno));
    free(line);
    return rc;
}

int pb_points_read(const char *path, size_t max_n, struct pb_points *pts, struct pb_err *err)
{
    *pts = (struct pb_points){ 0 };
    FILE *f = fopen(path, "r");
    if (!f)
        return pb_fail(err, -errno, "%s: cannot open points file: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        fclose(f);                    /* a device or pipe could be endless or block forever */
        return pb_fail(err, -EINVAL, "%s: not a regular file: a points file must be a file",
                       path);
    }
    errno = 0;
    int rc = read_lines(f, path, max_n, pts, err);
    fclose(f);
    if (rc == 0 && pts->n == 0)
        rc = pb_fail(err, -EINVAL, "%s: no points in the file (empty, or only comments and "
                     "blank lines)", path);
    if (rc < 0)
        pb_points_free(pts);
    return rc;
}

int pb_points_make_float(struct pb_points *pts)
{
    size_t bytes = (pts->n ? pts->n : 1) * sizeof(float);
    float *f[3] = { malloc(bytes), malloc(bytes), malloc(bytes) };
    if (!f[0] || !f[1] || !f[2]) {
        free(f[0]);
        free(f[1]);
        free(f[2]);
        return -ENOMEM;
    }
    for (size_t i = 0; i < pts->n; i++) {
        f[0][i] = (float)pts->x[i];
        f[1][i] = (float)pts->y[i];
        f[2][i] = (float)pts->z[i];
    }
    free(pts->xf);
    free(pts->yf);
    free(pts->zf);
    pts->xf = f[0];
    pts->yf = f[1];
    pts->zf = f[2];
    return 0;
}
