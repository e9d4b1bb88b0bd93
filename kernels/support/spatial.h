/* spatial.h — what the spatial pair counters (grid.c, a cell list; kdtree.c, a k-d tree) share,
 * so that each file keeps only its structure and its walk:
 *
 *   struct pb_spatial_copy  the points in the structure's order, in one huge-page mapping, and
 *                           the problem viewing them (pb_spatial_copy_alloc, _free);
 *   pb_spatial_view         a problem over points [j0, j1) of another;
 *   pb_spatial_scale        the largest |coordinate|, and whether every one is finite;
 *   struct pb_slack         the rounding slack of every pruning bound, with the argument that
 *                           pruning with it never changes a count (pb_spatial_slack);
 *   pb_spatial_param_int    an integer parameter within a range, or -EINVAL with a note;
 *   struct pb_tasklist      units of work with an estimated cost: appended, or kept as a
 *                           max-heap, then sorted costliest first;
 *   pb_spatial_count        the count phase: the run's workers take the tasks costliest first.
 *
 * In-tree only (not installed), compiled into the core library with spatial.c.
 */
#ifndef PAIRBENCH_SPATIAL_H
#define PAIRBENCH_SPATIAL_H

#include "team.h"

#include <float.h>

/* ---------------------------------------------------------------------------------------------
 * The reordered copy.
 */

/* Three arrays of n elements (x, then y, then z) in one mapping, and a problem over them. */
struct pb_spatial_copy {
    struct pb_problem q;             /* the problem with its coordinates replaced by the copy's:
                                        x, y, z for 8-byte elements, xf, yf, zf for 4-byte */
    void *mem;                       /* the arrays: mem, mem + n, mem + 2n elements */
    void *map;                       /* the mapping that holds them (2 MB aligned inside) */
    size_t map_bytes;                /* its length */
};

/* Maps room for 3 x p->n elements of elem (4 or 8) bytes, aligned for transparent huge pages
 * (first touch of the copy then faults 2 MB at a time) and faulted in with one call, and sets
 * c->q to p with the coordinates of elem's precision pointing into it (the others NULL).
 * Returns 0 or -ENOMEM; pb_spatial_copy_free releases it either way. */
int pb_spatial_copy_alloc(struct pb_spatial_copy *c, const struct pb_problem *p, size_t elem);

/* Releases what pb_spatial_copy_alloc mapped (nothing on a zeroed copy) and zeroes c. */
void pb_spatial_copy_free(struct pb_spatial_copy *c);

/* Axis a (0, 1, 2) of a copy of 8-byte elements. */
static inline double *pb_spatial_axis(const struct pb_spatial_copy *c, int a)
{
    return (double *)c->mem + (size_t)a * c->q.n;
}

/* The problem q restricted to its points [j0, j1): a view, nothing copied. */
static inline struct pb_problem pb_spatial_view(const struct pb_problem *q, size_t j0, size_t j1)
{
    struct pb_problem v = *q;
    v.n = j1 - j0;
    if (v.x)
        v.x += j0, v.y += j0, v.z += j0;
    if (v.xf)
        v.xf += j0, v.yf += j0, v.zf += j0;
    return v;
}

/* The largest |coordinate| of p's points (double arrays) into *scale. Returns 0 when every
 * coordinate is finite, -EDOM otherwise. */
int pb_spatial_scale(const struct pb_problem *p, double *scale);

/* ---------------------------------------------------------------------------------------------
 * Exactness, and the one rounding slack.
 *
 * A spatial counter drops a group of pairs (a cell pair, a node pair, a row against a node) or
 * adds it to one bin without computing its distances. Its counts equal naive's bit for bit
 * when every pair so handled would have met naive's comparisons the same way: the d2 the
 * kernels of pairkern.h compute for it is below exactly the thresholds t[k] of struct pb_bins
 * that it is placed below (d2 < t[k] is naive's sqrt(d2) < edges[k]). The structures know
 * separations in real arithmetic (a box gap, (g - 1) cell sides); the kernels round. With
 * u = eps / 2 of the run's precision, S the largest |coordinate| and L the period (0: open):
 *
 *   - per axis, the kernels' |dx| (minimum image included) differs from the exact separation
 *     by under 3 eps (S + L): rounding each coordinate to float in float runs (u S each), the
 *     subtraction (u 2S), the wrap |dx| - L (u (2S + L)) and L's own rounding (u L); the
 *     structure's own arithmetic (a cell index (v - lo) * inv, a side ext / nc times g - 1, a
 *     box bound lo - hi) adds at most about 12 eps (S + L) in double. slack.axis = 32 eps
 *     (S + L) covers both with a margin of two;
 *   - the sum, fl(fl(dx*dx) + fl(dy*dy) + fl(dz*dz)) with no fused multiply-add
 *     (-ffp-contract=off), is within (1 +- 3u) of the exact sum of the rounded squares; a
 *     threshold is within a few u of its edge squared (pb_threshold, and a float edge's own
 *     rounding), and a bound's own products and sums are a few u more. slack.rel = 16 eps
 *     covers them with a margin of two.
 *
 * So, for per-axis exact separations in [g0, g1]: lo2 = sum max(g0 - axis, 0)^2 * (1 - rel) is
 * never above the kernels' d2 and hi2 = sum (g1 + axis)^2 * (1 + rel) never below it, and a
 * group whose lo2 reaches rmax^2 * (1 + rel) holds no pair the kernels would count (see
 * pb_slack_beyond). A wider slack costs only pruning, never exactness: at S = 1000 the axis
 * slack is 7e-12 in double runs and 0.004 in float runs. Coordinates and edges are assumed
 * well above the underflow range (1e-150), where squares keep their relative precision.
 */
struct pb_slack {
    double axis;                     /* absolute widening of each per-axis separation */
    double rel;                      /* relative widening of a sum of squares */
};

/* The slack of a run of p whose largest |coordinate| is scale (pb_spatial_scale). */
static inline struct pb_slack pb_spatial_slack(const struct pb_problem *p, double scale)
{
    double eps = p->precision == PB_PRECISION_FLOAT ? (double)FLT_EPSILON : DBL_EPSILON;
    double box = p->box > 0 ? p->box : 0;
    return (struct pb_slack){ .axis = 32 * eps * (scale + box), .rel = 16 * eps };
}

/* A lower bound of the kernels' per-axis separation when the exact one is at least g. */
static inline double pb_slack_lo(const struct pb_slack *s, double g)
{
    return g > s->axis ? g - s->axis : 0;
}

/* An upper bound of the kernels' per-axis separation when the exact one is at most g. */
static inline double pb_slack_hi(const struct pb_slack *s, double g)
{
    return g + s->axis;
}

/* Bounds of the kernels' d2 from sums of squared per-axis bounds (pb_slack_lo, pb_slack_hi). */
static inline double pb_slack_lo2(const struct pb_slack *s, double sum)
{
    return sum * (1 - s->rel);
}

static inline double pb_slack_hi2(const struct pb_slack *s, double sum)
{
    return sum * (1 + s->rel);
}

/* 1 when pairs whose squared per-axis lower bounds (pb_slack_lo) sum to sum all lie at or
 * beyond rmax: none is counted. rmax = inf is never reached. */
static inline int pb_slack_beyond(const struct pb_slack *s, double sum, double rmax)
{
    return pb_slack_lo2(s, sum) > rmax * rmax * (1 + s->rel);
}

/* ---------------------------------------------------------------------------------------------
 * Parameters.
 */

/* The integer parameter key of prm (NULL: def) into *out. Returns 0, or -EINVAL with a note
 * "WHO: KEY: expected an integer from MIN to MAX, got 'V'" when it is not a decimal integer
 * (nothing after the digits) within [min, max]. */
int pb_spatial_param_int(const struct pb_params *prm, const char *key, long def, long min,
                         long max, const char *who, long *out, struct pb_output *o);

/* ---------------------------------------------------------------------------------------------
 * Tasks and the count phase.
 */

/* One unit of work with its estimated cost. What a, b, p0, p1 and flags mean is the strategy's
 * (grid: cells [a, b) and their points [p0, p1); kdtree: node a against node b). */
struct pb_task {
    double cost;                     /* estimated distance evaluations */
    size_t a, b;                     /* the strategy's two indices */
    size_t p0, p1;                   /* a range of points, when the strategy uses one */
    unsigned flags;                  /* the strategy's own bits */
};

/* A growable list of tasks. Zero-initialised: empty. */
struct pb_tasklist {
    struct pb_task *t;               /* the tasks */
    size_t n, cap;                   /* in use, allocated */
};

/* Appends *t to l. Returns 0 or -ENOMEM. */
int pb_tasks_push(struct pb_tasklist *l, const struct pb_task *t);

/* Adds *t to l kept as a max-heap on cost. Returns 0 or -ENOMEM. */
int pb_tasks_heap_push(struct pb_tasklist *l, const struct pb_task *t);

/* Removes the costliest task of max-heap l (not empty) into *out. */
void pb_tasks_heap_pop(struct pb_tasklist *l, struct pb_task *out);

/* Sorts l costliest first; equal costs by a, then b, then p0, so the order is reproducible. */
void pb_tasks_sort(struct pb_tasklist *l);

/* Releases l's storage and empties it. */
void pb_tasks_free(struct pb_tasklist *l);

/* The count phase: nt workers (started even when there are no tasks), each pinned when tm asks,
 * take tasks 0 .. ntasks-1 in order (the list sorted costliest first) one at a time and run
 * task(ctx, w, t) for each, w the worker's index. Returns 0, or -errno when a worker could not
 * be started (the tasks are then not all done). */
int pb_spatial_count(const struct pb_team *tm, size_t nt, size_t ntasks,
                     void (*task)(void *ctx, int w, size_t t), void *ctx);

#endif
