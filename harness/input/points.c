/* points.c — the haloes a run works on: uniform, clustered or power-law clustered from a seed,
 * or read from a file.
 *
 * Generated inputs are specified, not just seeded, so that they can be reproduced elsewhere:
 * the seed goes through splitmix64 into xoshiro256** (rng.h), and each point takes its x, y, z
 * from the stream in turn. Every point consumes a fixed number of draws, so the first n points
 * never depend on n: a smaller run sees a prefix of a larger one.
 *
 * Power law (Soneira & Peebles 1978): point i is drawn on its own from a counter-based stream,
 * splitmix64 outputs keyed by (seed, i), so points never depend on n either. It picks one of
 * `clusters` top-level spheres of radius R (centres uniform in the box), then at each of
 * `levels` levels one of `eta` sub-spheres of radius R/lambda^l, and lands uniformly in the
 * last one. A sphere's centre is uniform in the ball of its parent's radius around the parent's
 * centre, drawn from a stream keyed by its path from the top (so every point on that path sees
 * the same centre; when the spheres are no more than the points, their centres are tabulated
 * once with the same arithmetic, so the points are bit for bit those of the walk). The
 * correlation dimension is D = log(eta) / log(lambda) and
 * xi(r) ~ r^-(3-D) between about R/lambda^levels and R; the defaults (100 clusters, 9 levels,
 * eta 2, lambda 2^(1/1.2), R = box/10) give gamma = 1.8 from about 0.6 to 50 in a 1000 box.
 *
 * Points files: a NumPy .npy (n, 3) table of little-endian float64 or float32 (C or Fortran
 * order), recognised by its magic bytes, or text: one point per line, the first three fields
 * are x y z. Fields are separated by any run of spaces, tabs or commas. Lines that are blank or
 * whose first non-blank character is '#' are skipped. Columns after the third are ignored,
 * because halo catalogues usually carry mass or id there. A line with fewer than three numbers,
 * a field that is not a number, a NaN or infinity, or a coordinate beyond PB_COORD_MAX is an
 * error naming the file, the line number and the line's text (the 0-based row for .npy).
 * Only regular files are read: a FIFO is opened without blocking and refused.
 *
 * A periodic experiment (input->periodic > 0) wraps every point into [0, L)^3 when it is made,
 * so that minimum-image distances are right for points given outside the box. */
#include "points.h"
#include "npy.h"
#include "npyfmt.h"
#include "rng.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PB_CLUSTERS 32               /* haloes are grouped around this many centres */
#define PB_CLUSTER_SIGMA 0.02        /* spread of a group, as a fraction of the box side */
#define PB_STREAM_CENTRES 0x63656e7472657321ull  /* mixed into the seed for the centres */
#define PB_STREAM_TOP 0x746f702d6c657665ull  /* mixed into the seed for power-law top centres */
#define PB_PL_CLUSTERS 100           /* power-law defaults: top-level spheres */
#define PB_PL_LEVELS 9               /* levels below them */
#define PB_PL_ETA 2                  /* sub-spheres per sphere */
#define PB_PL_LAMBDA 1.7817974362806785  /* 2^(1/1.2): D = 1.2, gamma = 1.8 */
#define PB_PL_RADIUS 0.1             /* top-level radius as a fraction of the box side */
#define PB_HUGE (2u << 20)           /* transparent huge page size */
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

/* Asks for transparent huge pages on the 2 MiB-aligned interior of a large fresh array: first
 * touch of 4 KiB pages, not reading, dominates filling millions of points on these machines. */
static void advise_huge(void *p, size_t bytes)
{
    uintptr_t lo = ((uintptr_t)p + PB_HUGE - 1) & ~(uintptr_t)(PB_HUGE - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)(PB_HUGE - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);   /* a hint: failure changes nothing */
}

/* Allocates x, y, z for cap points (n stays as it is). Returns 0 or -ENOMEM. */
static int points_reserve(struct pb_points *pts, size_t cap)
{
    double *arr[3] = { pts->x, pts->y, pts->z };
    for (int k = 0; k < 3; k++) {
        double *p = realloc(arr[k], (cap ? cap : 1) * sizeof *p);
        if (!p)
            return -ENOMEM;
        if (cap * sizeof *p >= 2 * PB_HUGE)
            advise_huge(p, cap * sizeof *p);
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

/* A 64-bit key from two: splitmix64 of a + b times an odd constant. */
static uint64_t key2(uint64_t a, uint64_t b)
{
    uint64_t s = a + b * 0xD1B54A32D192ED03ull;
    return pb_splitmix64(&s);
}

/* An integer in [0, bound), bound < 2^32, from the top 32 bits of x (multiply-shift). */
static uint64_t pick(uint64_t x, uint64_t bound)
{
    return ((x >> 32) * bound) >> 32;
}

/* Adds to v a point uniform in the ball of radius r, drawn from stream *s by rejection: each
 * splitmix64 output gives a point of the cube (-1, 1)^3, 21 bits per coordinate (x from the
 * low bits), until one falls inside the unit ball (on average 1.9 outputs). */
static void add_in_ball(uint64_t *s, double r, double v[3])
{
    double u[3];
    do {
        uint64_t x = pb_splitmix64(s);
        for (int d = 0; d < 3; d++)
            u[d] = ((double)((x >> (21 * d)) & 0x1FFFFF) + 0.5) * 0x1.0p-20 - 1.0;
    } while (u[0] * u[0] + u[1] * u[1] + u[2] * u[2] > 1.0);
    for (int d = 0; d < 3; d++)
        v[d] += r * u[d];
}

/* The power-law parameters of in with every 0 replaced by its default. */
static struct pb_powerlaw powerlaw_params(const struct pb_input *in)
{
    struct pb_powerlaw pl = in->pl;
    pl.clusters = pl.clusters > 0 ? pl.clusters : PB_PL_CLUSTERS;
    pl.levels = pl.levels > 0 ? pl.levels : PB_PL_LEVELS;
    pl.eta = pl.eta > 0 ? pl.eta : PB_PL_ETA;
    pl.lambda = pl.lambda > 1 ? pl.lambda : PB_PL_LAMBDA;
    pl.radius = pl.radius > 0 ? pl.radius : PB_PL_RADIUS * in->box;
    return pl;
}

/* Point i of the power-law input (see the top of the file), before wrapping. The stream of
 * the point, keyed by (seed, i), picks the cluster and each level's sub-sphere (one splitmix64
 * output each) and finally the place in the last sphere; a sphere's key is key2 of its
 * parent's key and 1 + its index, the top spheres' key2(seed ^ PB_STREAM_TOP, cluster).
 * radii[l] is the radius of the spheres of level l: radius / lambda^l (l = 0 the top). */
static void powerlaw_point(uint64_t seed, double box, const struct pb_powerlaw *pl,
                           const double *radii, uint64_t i, double v[3])
{
    uint64_t s = key2(seed, i);
    uint64_t node = key2(seed ^ PB_STREAM_TOP, pick(pb_splitmix64(&s), (uint64_t)pl->clusters));
    uint64_t ns = node;
    for (int d = 0; d < 3; d++)
        v[d] = (double)(pb_splitmix64(&ns) >> 11) * 0x1.0p-53 * box;
    for (int l = 0; l < pl->levels; l++) {
        node = key2(node, 1 + pick(pb_splitmix64(&s), (uint64_t)pl->eta));
        ns = node;
        add_in_ball(&ns, radii[l], v);
    }
    add_in_ball(&s, radii[pl->levels], v);
}

/* Centres of every sphere of the hierarchy, level by level: the same sums as powerlaw_point
 * makes on its walk, done once per sphere instead of once per point. */
struct pl_tree {
    double (*centre)[3];             /* all spheres, top level first, children of sphere k of
                                        a level at eta*k .. eta*k+eta-1 of the next (owned) */
    size_t leaves_at;                /* index of the first sphere of the deepest level */
};

/* Number of spheres in the hierarchy, or SIZE_MAX when there are more than cap. */
static size_t pl_spheres(const struct pb_powerlaw *pl, size_t cap)
{
    size_t level = (size_t)pl->clusters, total = 0;
    for (int l = 0; l <= pl->levels; l++) {
        if (level > cap - total)
            return SIZE_MAX;
        total += level;
        if (l < pl->levels && level > cap / (size_t)pl->eta)
            return SIZE_MAX;
        level *= (size_t)pl->eta;
    }
    return total;
}

/* Fills t for a hierarchy of at most cap spheres; returns 0, or -1 (t empty) when it has more
 * or memory is short: the points are then made by walking the hierarchy for each. */
static int pl_tree_make(uint64_t seed, double box, const struct pb_powerlaw *pl,
                        const double *radii, size_t cap, struct pl_tree *t)
{
    size_t total = pl_spheres(pl, cap), at = 0, width = (size_t)pl->clusters;
    uint64_t *key = total == SIZE_MAX ? NULL : malloc(total * sizeof *key);
    t->centre = key ? malloc(total * sizeof *t->centre) : NULL;
    if (!t->centre) {
        free(key);
        return -1;
    }
    for (size_t k = 0; k < width; k++) {
        uint64_t ns = key[k] = key2(seed ^ PB_STREAM_TOP, k);
        for (int d = 0; d < 3; d++)
            t->centre[k][d] = (double)(pb_splitmix64(&ns) >> 11) * 0x1.0p-53 * box;
    }
    for (int l = 0; l < pl->levels; l++, at += width, width *= (size_t)pl->eta) {
        for (size_t k = 0, child = at + width; k < width * (size_t)pl->eta; k++, child++) {
            size_t parent = at + k / (size_t)pl->eta;
            uint64_t ns = key[child] = key2(key[parent], 1 + k % (size_t)pl->eta);
            memcpy(t->centre[child], t->centre[parent], sizeof t->centre[child]);
            add_in_ball(&ns, radii[l], t->centre[child]);
        }
    }
    t->leaves_at = at;
    free(key);
    return 0;
}

/* Point i of the power-law input from the sphere table: the same draws as powerlaw_point. */
static void powerlaw_point_tree(uint64_t seed, const struct pb_powerlaw *pl,
                                const double *radii, const struct pl_tree *t, uint64_t i,
                                double v[3])
{
    uint64_t s = key2(seed, i);
    size_t k = pick(pb_splitmix64(&s), (uint64_t)pl->clusters);
    for (int l = 0; l < pl->levels; l++)
        k = k * (size_t)pl->eta + pick(pb_splitmix64(&s), (uint64_t)pl->eta);
    memcpy(v, t->centre[t->leaves_at + k], 3 * sizeof *v);
    add_in_ball(&s, radii[pl->levels], v);
}

/* Power law: a Soneira-Peebles hierarchy, each point wrapped into the box. The spheres'
 * centres are tabulated first when there are no more of them than points. */
static void make_powerlaw(const struct pb_input *in, struct pb_points *pts)
{
    struct pb_powerlaw pl = powerlaw_params(in);
    struct pl_tree t = { 0 };
    double radii[32];                /* levels <= 30, as the config allows */
    pl.levels = pl.levels < 31 ? pl.levels : 31;
    radii[0] = pl.radius;
    for (int l = 1; l <= pl.levels; l++)
        radii[l] = radii[l - 1] / pl.lambda;
    int tree = pl_tree_make(in->seed, in->box, &pl, radii, pts->n, &t) == 0;
    for (size_t i = 0; i < pts->n; i++) {
        double v[3];
        if (tree)
            powerlaw_point_tree(in->seed, &pl, radii, &t, i, v);
        else
            powerlaw_point(in->seed, in->box, &pl, radii, i, v);
        pts->x[i] = v[0] >= 0 && v[0] < in->box ? v[0] : wrap(v[0], in->box);
        pts->y[i] = v[1] >= 0 && v[1] < in->box ? v[1] : wrap(v[1], in->box);
        pts->z[i] = v[2] >= 0 && v[2] < in->box ? v[2] : wrap(v[2], in->box);
    }
    free(t.centre);
}

void pb_points_wrap(struct pb_points *pts, double box)
{
    double *c[3] = { pts->x, pts->y, pts->z };
    for (int d = 0; d < 3; d++)
        for (size_t i = 0; i < pts->n; i++)
            if (!(c[d][i] >= 0 && c[d][i] < box))
                c[d][i] = wrap(c[d][i], box);
}

/* The points of a generated kind into pts (n set). Returns 0 or -ENOMEM with err filled. */
static int make_generated(const struct pb_input *in, size_t n, struct pb_points *pts,
                          struct pb_err *err)
{
    if (points_reserve(pts, n) < 0) {
        pb_points_free(pts);
        return pb_fail(err, -ENOMEM, "out of memory for %zu points", n);
    }
    pts->n = n;
    if (in->kind == PB_INPUT_CLUSTERED)
        make_clustered(in, pts);
    else if (in->kind == PB_INPUT_POWERLAW)
        make_powerlaw(in, pts);
    else
        make_uniform(in, pts);
    return 0;
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
        if (rc == 0 && in->periodic > 0)
            pb_points_wrap(pts, in->periodic);
        return rc;
    }
    int rc = make_generated(in, n, pts, err);
    if (rc == 0 && in->periodic > 0 && in->periodic != in->box)
        pb_points_wrap(pts, in->periodic);
    return rc;
}

/* Copies at most PB_SHOW_MAX characters of line (without its newline) into buf for messages. */
static const char *show(const char *line, char *buf, size_t size)
{
    size_t len = strcspn(line, "\r\n");
    size_t keep = len < PB_SHOW_MAX ? len : PB_SHOW_MAX;
    snprintf(buf, size, "%.*s%s", (int)keep, line, len > keep ? "..." : "");
    return buf;
}

/* The fields of a text line: the first three (start, length), how many there are in all, and
 * what separates them. */
struct fields {
    const char *at[3];
    size_t len[3];
    int n;                           /* every field of the line, not only the first three */
    int bare_commas, blank_gaps;     /* gaps that are one comma alone / blanks only */
    int empty;                       /* 1: a gap holds two commas or more (an empty field) */
};

/* Splits p, which starts at a field, into fields at blanks and commas. */
static void split_fields(const char *p, const char *seps, struct fields *f)
{
    *f = (struct fields){0};
    while (*p) {
        size_t len = strcspn(p, seps), gap, commas = 0;
        if (f->n < 3) {
            f->at[f->n] = p;
            f->len[f->n] = len;
        }
        f->n++;
        p += len;
        gap = strspn(p, seps);
        for (size_t i = 0; i < gap; i++)
            commas += p[i] == ',';
        if (p[gap] != '\0') {           /* between two fields, not trailing */
            f->bare_commas += commas == 1 && gap == 1;
            f->blank_gaps += commas == 0;
            f->empty |= commas > 1;
        }
        p += gap;
    }
}

/* Checks that line's fields are three numbers: more or fewer fields, an empty field (",,") or
 * a bare comma between two numbers that blanks alone separate elsewhere on the line
 * ("1,5 2,5 3,5" or "1,5 2": decimal commas, which would read as other columns) are refused;
 * "1, 2\t3" is not. Returns 0 or -EINVAL with err. */
static int check_fields(const char *path, size_t lineno, const char *line,
                        const struct fields *f, struct pb_err *err)
{
    char shown[PB_SHOW_MAX + 8];
    int mixed = f->bare_commas > 0 && f->blank_gaps > 0;
    const char *hint = mixed ? " (decimal commas? bare commas and blanks both separate them)"
                             : "";
    if (f->empty)
        return pb_fail(err, -EINVAL, "%s:%zu: an empty field between two commas in \"%s\"",
                       path, lineno, show(line, shown, sizeof shown));
    if (f->n != 3 || mixed)
        return pb_fail(err, -EINVAL, "%s:%zu: expected 3 numbers (x y z), found %d%s in \"%s\"",
                       path, lineno, f->n, hint, show(line, shown, sizeof shown));
    return 0;
}

/* Parses line, three numbers "x y z", into v. Returns 0, 1 for a line to skip (blank or
 * comment), or -EINVAL with err naming path:lineno. */
static int parse_line(const char *path, size_t lineno, char *line, size_t len, double v[3],
                      struct pb_err *err)
{
    char shown[PB_SHOW_MAX + 8];
    static const char seps[] = " \t,\r\n";
    struct fields f;
    if (strlen(line) != len)
        return pb_fail(err, -EINVAL, "%s:%zu: the line holds a NUL byte: not a text file?",
                       path, lineno);
    char *p = line + strspn(line, seps);
    if (*p == '\0' || *p == '#')
        return 1;
    split_fields(p, seps, &f);
    if (check_fields(path, lineno, line, &f, err) < 0)
        return -EINVAL;
    for (int k = 0; k < 3; k++) {
        char num[64], *end;
        if (f.len[k] >= sizeof num)
            return pb_fail(err, -EINVAL, "%s:%zu: not a number: \"%.20s...\" in \"%s\"", path,
                           lineno, f.at[k], show(line, shown, sizeof shown));
        memcpy(num, f.at[k], f.len[k]);
        num[f.len[k]] = '\0';
        v[k] = strtod(num, &end);
        if (end != num + f.len[k] || !isfinite(v[k]))
            return pb_fail(err, -EINVAL, "%s:%zu: %s \"%s\" in \"%s\"", path, lineno,
                           end != num + f.len[k] ? "not a number:" : "not a finite number:", num,
                           show(line, shown, sizeof shown));
        if (fabs(v[k]) > PB_COORD_MAX)
            return pb_fail(err, -EINVAL, "%s:%zu: coordinate %s beyond +-%g (squared distances "
                           "would overflow) in \"%s\"", path, lineno, num, PB_COORD_MAX,
                           show(line, shown, sizeof shown));
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

/* What kind of file st describes, for the message that refuses it. */
static const char *file_kind(const struct stat *st)
{
    if (S_ISDIR(st->st_mode))
        return "a folder";
    if (S_ISFIFO(st->st_mode))
        return "a FIFO";
    if (S_ISSOCK(st->st_mode))
        return "a socket";
    return "a device";
}

/* Opens path for reading without blocking (a FIFO with no writer would block an ordinary
 * open forever) and refuses anything but a regular file. Returns 0 or -errno with err filled. */
static int open_regular(const char *path, FILE **out, struct pb_err *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc = 0;
    if (fd < 0)
        return pb_fail(err, -errno, "%s: cannot open points file: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || fcntl(fd, F_SETFL, 0) != 0)   /* reads block again */
        rc = pb_fail(err, -errno, "%s: cannot open points file: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = pb_fail(err, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL, "%s: not a regular file "
                     "but %s: a points file must be a file", path, file_kind(&st));
    else if (!(*out = fdopen(fd, "r")))
        rc = pb_fail(err, -errno, "%s: cannot open points file: %s", path, strerror(errno));
    if (rc < 0)
        close(fd);
    return rc;
}

/* 1 when f starts with the .npy magic, 0 when not; f is left at its start. */
static int is_npy(FILE *f)
{
    char magic[6];
    int yes = fread(magic, 1, sizeof magic, f) == sizeof magic &&
              memcmp(magic, "\x93NUMPY", sizeof magic) == 0;
    rewind(f);
    return yes;
}

/* 1 when path ends in ".npy". */
static int npy_name(const char *path)
{
    size_t len = strlen(path);
    return len >= 4 && strcmp(path + len - 4, ".npy") == 0;
}

/* Checks every coordinate of pts read from path: finite and within limit. Returns 0 or
 * -EINVAL naming the first bad point as "<noun> I (0-based)" and its column. */
static int check_rows(const char *path, const struct pb_points *pts, double limit,
                      const char *noun, struct pb_err *err)
{
    const double *c[3] = { pts->x, pts->y, pts->z };
    for (size_t i = 0; i < pts->n; i++) {
        for (int d = 0; d < 3; d++) {
            if (fabs(c[d][i]) <= limit)
                continue;
            if (!isfinite(c[d][i]))
                return pb_fail(err, -EINVAL, "%s: %s %zu (0-based), %c: not a finite number: "
                               "%g", path, noun, i, "xyz"[d], c[d][i]);
            return pb_fail(err, -EINVAL, "%s: %s %zu (0-based), %c: coordinate %g beyond "
                           "+-%g (squared distances would overflow%s)", path, noun, i, "xyz"[d],
                           c[d][i], limit, limit < PB_COORD_MAX ? " in single precision" : "");
        }
    }
    return 0;
}

int pb_points_check_range(const struct pb_points *pts, double limit, const char *path,
                          struct pb_err *err)
{
    return check_rows(path, pts, limit, "point", err);
}

/* Reads up to max_n rows of the .npy (n, 3) table open as f into pts. */
static int read_npy(FILE *f, const char *path, size_t max_n, struct pb_points *pts,
                    struct pb_err *err)
{
    struct pb_npy_info info;
    int rc = pb_npy_table_open(f, path, 3, &info, err);
    if (rc)
        return rc;
    size_t rows = max_n && info.shape[0] > max_n ? max_n : info.shape[0];
    if (points_reserve(pts, rows) < 0)
        return pb_fail(err, -ENOMEM, "%s: out of memory for %zu points", path, rows);
    double *const cols[3] = { pts->x, pts->y, pts->z };
    if ((rc = pb_npy_table_read(f, path, &info, rows, cols, err)))
        return rc;
    pts->n = rows;
    return check_rows(path, pts, PB_COORD_MAX, "row", err);
}

int pb_points_read(const char *path, size_t max_n, struct pb_points *pts, struct pb_err *err)
{
    FILE *f = NULL;
    *pts = (struct pb_points){ 0 };
    int rc = open_regular(path, &f, err);
    if (rc < 0)
        return rc;
    errno = 0;
    if (is_npy(f))
        rc = read_npy(f, path, max_n, pts, err);
    else if (npy_name(path))
        rc = pb_fail(err, -EINVAL, "%s: not a .npy file: it does not start with the magic "
                     "\"\\x93NUMPY\"", path);
    else
        rc = read_lines(f, path, max_n, pts, err);
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
