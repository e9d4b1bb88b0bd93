/* kdtree.c — a dual-tree pair counter (Moore et al. 2001): a k-d tree built once per run over a
 * reordered copy of the points, node pairs walked recursively. A node pair whose whole range of
 * separations lies in one bin adds |A|·|B| without computing a distance; one wholly below the
 * first edge or at or beyond the last is dropped; the rest split, or, when splitting cannot
 * resolve much (the bins are narrow next to the leaves), go to the exact block kernels of
 * pairkern.h on the nodes' whole index ranges, so large rmax degrades to brute force on big
 * contiguous blocks rather than to many tiny leaf pairs.
 *
 * Exactness. The node bounds are widened by the rounding slack of spatial.h before they are
 * compared with the squared-edge thresholds of struct pb_bins, so a pair counted without a
 * distance is always in the bin the kernel would have put it in: counts equal naive's bit for
 * bit. Periodic boxes use naive's minimum image (one wrap of |dx| > L/2, also for coordinates
 * outside [0, L)) on per-axis separation intervals.
 *
 * Parallel: the walk is expanded (largest pair first) into many independent node-pair tasks,
 * sorted by decreasing pair count and handed out one at a time (pb_spatial_count); each
 * thread counts into its own histogram block. The build splits large subtrees into OpenMP
 * tasks. */
#include "spatial.h"
#include "pbclock.h"

#include <stdio.h>
#include <time.h>

enum {
    DEFAULT_LEAF = 64,               /* most points per leaf: fastest of 16..128 measured at
                                        n = 1e6, uniform and clustered, rmax 50 in 1000 */
    MAX_LEAF = 1 << 16,              /* largest leaf parameter accepted */
    TASKS_PER_THREAD = 256,          /* parallel runs: tasks per thread to balance over */
    BUILD_TASK_MIN = 8192            /* parallel build: subtrees above this many points are
                                        OpenMP tasks */
};

/* An unresolved pair is split when at least this fraction of its separation range could
 * resolve in its descendants (see resolvable()); below it the pair is counted by brute force
 * on the nodes' whole ranges. */
#define RESOLVE_FRACTION 0.25

/* Brute force on a cross pair within the last edge whose separations cross at most this many
 * bin thresholds first tries each row against the other node's box (a row in one bin costs no
 * distance). Pairs reaching beyond the last edge only try rows for being beyond (cheaper). */
#define FEW_EDGES 2

struct node {
    double lo[3], hi[3];             /* bounding box of the node's points (run precision) */
    double diam;                     /* length of the box diagonal */
    double leaf_diam;                /* point-weighted mean diagonal of the leaves below */
    size_t begin, end;               /* its points: [begin, end) of the reordered copy */
    size_t right;                    /* index of the right child (left is this + 1); 0: leaf */
};

struct tree {
    const struct pb_problem *orig;   /* the problem as given */
    struct pb_spatial_copy copy;     /* the points in tree order, run precision; copy.q */
    size_t n;                        /* points */
    struct node *nodes;              /* preorder: nodes[0] is the root */
    size_t nnodes;                   /* nodes in use */
    size_t leaf;                     /* most points per leaf */
    double *thr;                     /* nbins+1 squared-edge thresholds of the run's precision */
    double L;                        /* period as the kernels see it (float for float runs); 0 */
    struct pb_slack slack;           /* rounding slack of every bound (spatial.h) */
};

/* A classified node pair, a task or a step of the walk, is a struct pb_task: nodes a and b
 * (a == b: a self pair), cost the pairs of points it holds, and these flags. */
enum {
    SPLIT = 1,                       /* split into child pairs; else brute force */
    BEYOND = 2,                      /* some of its pairs may lie at or beyond the last edge */
    FEW = 4                          /* within the last edge, its separations cross at most
                                        FEW_EDGES thresholds: single rows may fall in one bin */
};

/* One thread's working state, a cache line (or more) of its own (no false sharing). */
struct worker {
    const struct tree *t;            /* the tree, shared read-only */
    const struct pb_bins *b;         /* binning, shared read-only */
    uint64_t *h;                     /* this thread's histogram block (extended bins, lanes) */
    uint64_t evals;                  /* pair distances evaluated */
} __attribute__((aligned(64)));

/* The count phase's workers and their tasks. */
struct workers {
    struct worker *w;                /* one per thread */
    const struct pb_tasklist *tasks; /* sorted costliest first */
};

/* ---------------------------------------------------------------------------------------------
 * Building the tree.
 */

/* Swaps points i and j in the three coordinate arrays c. */
static inline void swap3(double *const c[3], ptrdiff_t i, ptrdiff_t j)
{
    for (int d = 0; d < 3; d++) {
        double v = c[d][i];
        c[d][i] = c[d][j];
        c[d][j] = v;
    }
}

/* Moves the points of [lo, hi) whose coordinate along axis a is below pivot (strict: 1) or at
 * most pivot (strict: 0) to the front, keeping the three arrays of c in step; returns where
 * the rest begins. Branch-free (Lomuto with an unconditional swap): random coordinates do not
 * mispredict. */
static size_t partition(double *const c[3], int a, size_t lo, size_t hi, double pivot, int strict)
{
    double *restrict x = c[0], *restrict y = c[1], *restrict z = c[2];
    size_t store = lo;
    for (size_t i = lo; i < hi; i++) {
        double xi = x[i], yi = y[i], zi = z[i], vi = a == 0 ? xi : a == 1 ? yi : zi;
        x[i] = x[store], y[i] = y[store], z[i] = z[store];
        x[store] = xi, y[store] = yi, z[store] = zi;
        store += strict ? vi < pivot : vi <= pivot;
    }
    return store;
}

/* A pivot for selecting rank k of [lo, hi) along v: the element of an evenly spaced sample of
 * SAMPLE values (three for small ranges) at k's relative rank (Floyd and Rivest's idea), so
 * one pass lands near k. */
static double sample_pivot(const double *v, size_t lo, size_t hi, size_t k)
{
    enum { SAMPLE = 31 };
    size_t m = hi - lo < 4 * SAMPLE ? 3 : SAMPLE;     /* small ranges: median of three */
    double s[SAMPLE];
    size_t step = (hi - lo) / m;
    for (size_t i = 0; i < m; i++) {
        double x = v[lo + i * step];
        size_t j = i;
        for (; j > 0 && s[j - 1] > x; j--)
            s[j] = s[j - 1];
        s[j] = x;
    }
    return s[(k - lo) * (m - 1) / (hi - lo - 1)];
}

/* Reorders points [lo, hi) of c so that point k holds the k-th smallest coordinate along axis
 * a, none greater before it and none smaller after it. Quickselect with sampled pivots and
 * branch-free partitions; a run of equal values is split off so duplicates cannot stall it. */
static void select_kth(double *const c[3], int a, size_t lo, size_t hi, size_t k)
{
    const double *v = c[a];
    while (hi - lo > 8) {
        double pivot = sample_pivot(v, lo, hi, k);
        size_t s = partition(c, a, lo, hi, pivot, 1);
        if (k < s) {
            hi = s;
            continue;
        }
        if (s > lo) {
            lo = s;
            continue;
        }
        size_t e = partition(c, a, s, hi, pivot, 0);   /* pivot was the least: [s, e) equal */
        if (k < e)
            return;
        lo = e;
    }
    for (size_t i = lo + 1; i < hi; i++)                /* small ranges: insertion sort */
        for (size_t j = i; j > lo && v[j - 1] > v[j]; j--)
            swap3(c, (ptrdiff_t)j, (ptrdiff_t)j - 1);
}

/* Nodes of the subtree over count points: one leaf, or a node over two halves. */
static size_t subtree_nodes(size_t count, size_t leaf)
{
    if (count <= leaf)
        return 1;
    return 1 + subtree_nodes(count / 2, leaf) + subtree_nodes(count - count / 2, leaf);
}

/* Sets nd's bounding box and diagonal from points [nd->begin, nd->end) of c. */
static void node_box(struct node *nd, double *const c[3])
{
    for (int d = 0; d < 3; d++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = nd->begin; i < nd->end; i++) {
            lo = c[d][i] < lo ? c[d][i] : lo;
            hi = c[d][i] > hi ? c[d][i] : hi;
        }
        nd->lo[d] = lo, nd->hi[d] = hi;
    }
    double dx = nd->hi[0] - nd->lo[0], dy = nd->hi[1] - nd->lo[1], dz = nd->hi[2] - nd->lo[2];
    nd->diam = nd->end > nd->begin ? sqrt(dx * dx + dy * dy + dz * dz) : 0;
}

/* Sets nd's box to the union of its children's, its diagonal, and the point-weighted mean
 * diagonal of its leaves. */
static void join_children(struct tree *t, struct node *nd, size_t id)
{
    const struct node *l = &t->nodes[id + 1], *r = &t->nodes[nd->right];
    for (int d = 0; d < 3; d++) {
        nd->lo[d] = l->lo[d] < r->lo[d] ? l->lo[d] : r->lo[d];
        nd->hi[d] = l->hi[d] > r->hi[d] ? l->hi[d] : r->hi[d];
    }
    double dx = nd->hi[0] - nd->lo[0], dy = nd->hi[1] - nd->lo[1], dz = nd->hi[2] - nd->lo[2];
    nd->diam = sqrt(dx * dx + dy * dy + dz * dz);
    double nl = (double)(l->end - l->begin), nr = (double)(r->end - r->begin);
    nd->leaf_diam = (l->leaf_diam * nl + r->leaf_diam * nr) / (nl + nr);
}

/* Builds the subtree of node id over points [begin, end) of c, in preorder: split at the
 * median of the widest axis of box (lo, hi), which holds the points (the parent's box cut at
 * the split), until at most t->leaf points remain; tight boxes are then made bottom-up, so the
 * points are scanned for boxes once, at the leaves. Subtrees above a size are built as OpenMP
 * tasks when the caller runs inside a parallel region. */
static void build_node(struct tree *t, double *const c[3], size_t id, size_t begin, size_t end,
                       const double lo[3], const double hi[3])
{
    struct node *nd = &t->nodes[id];
    *nd = (struct node){ .begin = begin, .end = end };
    if (end - begin <= t->leaf) {
        node_box(nd, c);
        nd->leaf_diam = nd->diam;
        return;
    }
    int a = 0;
    for (int d = 1; d < 3; d++)
        a = hi[d] - lo[d] > hi[a] - lo[a] ? d : a;
    size_t mid = begin + (end - begin) / 2;
    select_kth(c, a, begin, end, mid);
    double lhi[3] = { hi[0], hi[1], hi[2] }, rlo[3] = { lo[0], lo[1], lo[2] };
    lhi[a] = rlo[a] = c[a][mid];
    nd->right = id + 1 + subtree_nodes(mid - begin, t->leaf);
#pragma omp task if (end - begin > BUILD_TASK_MIN) default(shared) firstprivate(id, begin, mid)
    build_node(t, c, id + 1, begin, mid, lo, lhi);
    build_node(t, c, nd->right, mid, end, rlo, hi);
#pragma omp taskwait
    join_children(t, nd, id);
}

/* Copies p's coordinates in the run's precision (exactly, as doubles) into c[3][n]. */
static void copy_coords(const struct pb_problem *p, double *const c[3])
{
    int fl = p->precision == PB_PRECISION_FLOAT;
    for (size_t i = 0; i < p->n; i++) {
        c[0][i] = fl ? (double)p->xf[i] : p->x[i];
        c[1][i] = fl ? (double)p->yf[i] : p->y[i];
        c[2][i] = fl ? (double)p->zf[i] : p->z[i];
    }
}

/* Float runs: t->copy becomes the float coordinates of the (exact) doubles of dbl. */
static int to_float(struct tree *t, const struct pb_problem *p, const struct pb_spatial_copy *dbl)
{
    int err = pb_spatial_copy_alloc(&t->copy, p, sizeof(float));
    float *f = t->copy.mem;
    const double *d = dbl->mem;
    for (size_t i = 0; !err && i < 3 * p->n; i++)
        f[i] = (float)d[i];
    return err;
}

/* Builds t for p: the reordered copy, the nodes, the thresholds. threads > 1 builds the large
 * subtrees in parallel. Returns 0 or -errno; tree_free releases a partial tree. */
static int tree_build(struct tree *t, const struct pb_problem *p, const struct pb_bins *b,
                      size_t leaf, int threads)
{
    size_t n = p->n;
    int fl = p->precision == PB_PRECISION_FLOAT;
    double scale;
    struct pb_spatial_copy dbl = { 0 };
    t->orig = p, t->n = n, t->leaf = leaf;
    t->nnodes = subtree_nodes(n, leaf);
    t->nodes = malloc(t->nnodes * sizeof *t->nodes);
    t->thr = malloc((p->nbins + 1) * sizeof *t->thr);
    int err = t->nodes && t->thr ? pb_spatial_copy_alloc(&dbl, p, sizeof(double)) : -ENOMEM;
    if (!err) {
        (void)pb_spatial_scale(p, &scale);   /* non-finite points: bounds that resolve nothing */
        double *c[3] = { pb_spatial_axis(&dbl, 0), pb_spatial_axis(&dbl, 1),
                         pb_spatial_axis(&dbl, 2) };
        for (size_t k = 0; k <= p->nbins; k++)
            t->thr[k] = fl ? (double)b->tf[k] : b->t[k];
        copy_coords(p, c);
        t->L = fl ? (double)(float)p->box : p->box;
        t->L = t->L > 0 ? t->L : 0;
        t->slack = pb_spatial_slack(p, scale);
        struct node root = { .begin = 0, .end = n };
        node_box(&root, c);
#pragma omp parallel num_threads(threads) if (threads > 1 && n > BUILD_TASK_MIN)
#pragma omp single
        build_node(t, c, 0, 0, n, root.lo, root.hi);
    }
    if (!err && fl)
        err = to_float(t, p, &dbl);
    if (!err && !fl)
        t->copy = dbl;
    else
        pb_spatial_copy_free(&dbl);
    return err;
}

/* Releases whatever tree_build allocated. */
static void tree_free(struct tree *t)
{
    pb_spatial_copy_free(&t->copy);
    free(t->nodes);
    free(t->thr);
}

/* ---------------------------------------------------------------------------------------------
 * Separation bounds of node pairs.
 */

/* The smaller of a and b (no NaN here; fmin is a library call in ISO C mode). */
static inline double min2(double a, double b)
{
    return a < b ? a : b;
}

/* The larger of a and b. */
static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

/* The range [*g0, *g1] of naive's separation along one axis, |d| or with the minimum image
 * (|d| > L/2 becomes L - |d|, one wrap, as pb_min_image), for d in [dlo, dhi], in exact
 * arithmetic. L = 0: open. */
static inline void axis_range(double dlo, double dhi, double L, double *g0, double *g1)
{
    double umin = max2(max2(dlo, -dhi), 0);        /* least |d|: 0 when the range holds 0 */
    double umax = max2(fabs(dlo), fabs(dhi));
    if (!(L > 0) || umax <= 0.5 * L) {
        *g0 = umin, *g1 = umax;
        return;
    }
    /* |d| in [umin, umax] reaches past L/2: there the separation is |u - L|. */
    double h = 0.5 * L, from = max2(umin, h);
    double near = fabs(from - L), far = fabs(umax - L);
    double wrapped_min = from <= L && L <= umax ? 0 : min2(near, far);
    *g0 = umin <= h ? min2(umin, wrapped_min) : wrapped_min;
    *g1 = max2(umin <= h ? h : 0, max2(near, far));
}

/* Bounds [*lo2, *hi2] on the d2 the kernels compute for any pair of points from boxes
 * (alo, ahi) and (blo, bhi): the exact separation ranges widened past every rounding. */
static void sep_bounds(const struct tree *t, const double *alo, const double *ahi,
                       const double *blo, const double *bhi, double *lo2, double *hi2)
{
    double s0 = 0, s1 = 0;
    for (int d = 0; d < 3; d++) {
        double g0, g1;
        axis_range(alo[d] - bhi[d], ahi[d] - blo[d], t->L, &g0, &g1);
        g0 = pb_slack_lo(&t->slack, g0);
        g1 = pb_slack_hi(&t->slack, g1);
        s0 += g0 * g0;
        s1 += g1 * g1;
    }
    *lo2 = pb_slack_lo2(&t->slack, s0);
    *hi2 = pb_slack_hi2(&t->slack, s1);
}

/* A lower bound on the d2 the kernels compute between point pt and any point of box nd. */
static inline double point_lo2(const struct tree *t, const double pt[3], const struct node *nd)
{
    double s = 0;
    for (int d = 0; d < 3; d++) {
        double g0, g1, dlo = pt[d] - nd->hi[d], dhi = pt[d] - nd->lo[d];
        if (t->L > 0)
            axis_range(dlo, dhi, t->L, &g0, &g1);
        else
            g0 = max2(max2(dlo, -dhi), 0);
        g0 = pb_slack_lo(&t->slack, g0);
        s += g0 * g0;
    }
    return pb_slack_lo2(&t->slack, s);
}

/* The extended bin of squared separation v: the number of thresholds at or below it
 * (0: below the first edge; nbins+1: at or beyond the last). */
static size_t ext_bin(const struct tree *t, double v)
{
    size_t lo = 0, hi = t->copy.q.nbins + 1;     /* answer in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->thr[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Pairs of points between nodes a and b, or within a when a == b. */
static uint64_t pairs_of(const struct node *a, const struct node *b)
{
    uint64_t na = a->end - a->begin, nb = b->end - b->begin;
    return a == b ? na * (na ? na - 1 : 0) / 2 : na * nb;
}

/* The fraction of separations [r0, r1] (r0 < r1) that descendants with leaf pairs w wide
 * could resolve: all of the stretch at or beyond the last edge (a descendant pair wholly there
 * is dropped, however wide), and stretches of one extended bin (e0..e1) longer than w, the
 * widest (top) MAX_SCAN of them, so that a pair crossing many fine bins costs little here. */
static double resolvable(const struct tree *t, double r0, double r1, double w, size_t e0,
                         size_t e1)
{
    enum { MAX_SCAN = 64 };
    const double *edges = t->copy.q.edges;
    size_t nb = t->copy.q.nbins, top = e1 > nb ? nb : e1;
    double sum = e1 > nb ? r1 - max2(edges[nb], r0) : 0;
    for (size_t k = top; k >= e0 && k + MAX_SCAN > top; k--) {
        double from = k == 0 ? 0 : edges[k - 1], to = edges[k];
        double o = min2(to, r1) - max2(from, r0);
        sum += o > w ? o - w : 0;
        if (k == 0)
            break;
    }
    return sum / (r1 - r0);
}

/* Classifies node pair (a, b) into *pr. A pair whose bounds lie in one extended bin is
 * resolved: its pairs are added to h (in range) or dropped; returns 1 then, else 0 with
 * pr->split telling whether to split or count by brute force. */
static int classify(const struct tree *t, size_t a, size_t b, uint64_t *h, struct pb_task *pr)
{
    const struct node *na = &t->nodes[a], *nb = &t->nodes[b];
    double lo2, hi2;
    sep_bounds(t, na->lo, na->hi, nb->lo, nb->hi, &lo2, &hi2);
    size_t e0 = ext_bin(t, lo2), e1 = ext_bin(t, hi2);
    uint64_t np = pairs_of(na, nb);
    *pr = (struct pb_task){ .a = a, .b = b, .cost = (double)np };
    if (e0 == e1 || np == 0) {
        if (e0 >= 1 && e0 <= t->copy.q.nbins)
            h[e0] += np;
        return 1;
    }
    int beyond = e1 > t->copy.q.nbins;
    pr->flags = (beyond ? BEYOND : 0u) | (!beyond && e1 - e0 <= FEW_EDGES ? FEW : 0u);
    if (na->right == 0 && nb->right == 0)
        return 0;
    double w = na->leaf_diam + nb->leaf_diam;
    if (resolvable(t, sqrt(lo2), sqrt(hi2), w, e0, e1) >= RESOLVE_FRACTION)
        pr->flags |= SPLIT;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The walk.
 */

#define NO_BIN ((size_t)-1)           /* point_bin: the pairs may fall in different bins */

/* The extended bin that every pair of point i (run precision) with a point of box nd falls
 * in, or NO_BIN. full = 0 only asks whether all lie at or beyond the last edge (cheaper). */
static inline size_t point_bin(const struct tree *t, size_t i, const struct node *nd, int full)
{
    const struct pb_problem *q = &t->copy.q;
    double pt[3], lo2, hi2;
    if (q->precision == PB_PRECISION_FLOAT)
        pt[0] = q->xf[i], pt[1] = q->yf[i], pt[2] = q->zf[i];
    else
        pt[0] = q->x[i], pt[1] = q->y[i], pt[2] = q->z[i];
    if (!full)
        return point_lo2(t, pt, nd) >= t->thr[t->copy.q.nbins] ? t->copy.q.nbins + 1 : NO_BIN;
    sep_bounds(t, pt, pt, nd->lo, nd->hi, &lo2, &hi2);
    size_t e0 = ext_bin(t, lo2);
    return e0 == ext_bin(t, hi2) ? e0 : NO_BIN;
}

/* The kernel on rows [i0, i1) against all of node b (nothing when the range is empty). */
static void count_run(struct worker *w, size_t i0, size_t i1, const struct node *b)
{
    if (i1 <= i0)
        return;
    pb_hist_cross(&w->t->copy.q, w->b, i0, i1, b->begin, b->end, w->h);
    w->evals += (uint64_t)(i1 - i0) * (b->end - b->begin);
}

/* Brute force on a cross pair, row by row: a row of a whose pairs with b all fall in one
 * extended bin (full) or all lie beyond the last edge (!full) is counted or dropped without
 * distances; runs of the other rows go to the kernel. */
static void brute_rows(struct worker *w, const struct node *a, const struct node *b, int full)
{
    size_t run = a->begin, nb = b->end - b->begin, nbins = w->t->copy.q.nbins;
    for (size_t i = a->begin; i < a->end; i++) {
        size_t e = point_bin(w->t, i, b, full);
        if (e == NO_BIN)
            continue;
        count_run(w, run, i, b);
        run = i + 1;
        if (e >= 1 && e <= nbins)
            w->h[e] += nb;
    }
    count_run(w, run, a->end, b);
}

/* Brute force within node a: the triangle kernel of pb_hist_rows on the sub-problem of a's
 * points, which keeps a tile of them in L1 while every row sweeps it. The whole tree (every
 * pair wanted, rmax beyond the box) runs on the points in their given order, as `blocked`
 * does: in tree order neighbouring points fall in the same bin, and the histogram increments
 * then queue on the same counters (measured 10% slower at n = 20,000). */
static void brute_self(struct worker *w, const struct node *a)
{
    if (a->begin == 0 && a->end == w->t->n) {
        pb_hist_rows(w->t->orig, w->b, 0, w->t->n, w->h);
        return;
    }
    struct pb_problem sub = pb_spatial_view(&w->t->copy.q, a->begin, a->end);
    pb_hist_rows(&sub, w->b, 0, sub.n, w->h);
}

/* Counts every pair of unresolved node pair pr with the exact kernels. */
static void brute(struct worker *w, const struct pb_task *pr)
{
    const struct node *a = &w->t->nodes[pr->a], *b = &w->t->nodes[pr->b];
    if (pr->a != pr->b && (pr->flags & (BEYOND | FEW))) {
        brute_rows(w, a, b, (pr->flags & FEW) != 0);
        return;
    }
    if (pr->a == pr->b)
        brute_self(w, a);
    else
        pb_hist_cross(&w->t->copy.q, w->b, a->begin, a->end, b->begin, b->end, w->h);
    w->evals += pairs_of(a, b);
}

/* The child pairs of pr into out (2 or 3 of them); returns how many. A self pair gives
 * (L,L), (L,R), (R,R); a cross pair splits the node with the longer diagonal (not a leaf). */
static int children(const struct tree *t, const struct pb_task *pr, size_t out[3][2])
{
    const struct node *na = &t->nodes[pr->a], *nb = &t->nodes[pr->b];
    if (pr->a == pr->b) {
        size_t l = pr->a + 1, r = na->right;
        out[0][0] = out[0][1] = out[1][0] = l;
        out[1][1] = out[2][0] = out[2][1] = r;
        return 3;
    }
    int split_a = nb->right == 0 || (na->right != 0 && na->diam >= nb->diam);
    size_t s = split_a ? pr->a : pr->b, o = split_a ? pr->b : pr->a;
    out[0][0] = s + 1, out[0][1] = o;
    out[1][0] = t->nodes[s].right, out[1][1] = o;
    return 2;
}

static void visit(struct worker *w, const struct pb_task *pr);

/* Classifies node pair (a, b) and, unresolved, visits it. */
static void walk(struct worker *w, size_t a, size_t b)
{
    struct pb_task pr;
    if (!classify(w->t, a, b, w->h, &pr))
        visit(w, &pr);
}

/* Counts the pairs of classified, unresolved pair pr: by brute force or through its children. */
static void visit(struct worker *w, const struct pb_task *pr)
{
    if (!(pr->flags & SPLIT)) {
        brute(w, pr);
        return;
    }
    size_t ch[3][2];
    int nch = children(w->t, pr, ch);
    for (int c = 0; c < nch; c++)
        walk(w, ch[c][0], ch[c][1]);
}

/* ---------------------------------------------------------------------------------------------
 * Tasks for the threads.
 */

/* Classifies node pair (a, b): resolved ones are counted into h, others pushed onto heap ts. */
static int push_pair(const struct tree *t, size_t a, size_t b, uint64_t *h,
                     struct pb_tasklist *ts)
{
    struct pb_task pr;
    return classify(t, a, b, h, &pr) ? 0 : pb_tasks_heap_push(ts, &pr);
}

/* Expands the root pair into at least want unresolved pairs (or as many as leaves allow),
 * always splitting the costliest (brute-force ones too: their children are the same work),
 * and sorts them by decreasing cost into ts. Resolved pairs on the way are counted into h. */
static int make_tasks(const struct tree *t, size_t want, uint64_t *h, struct pb_tasklist *ts)
{
    struct pb_tasklist done = { 0 };
    int err = t->copy.q.n ? push_pair(t, 0, 0, h, ts) : 0;
    while (!err && ts->n > 0 && ts->n + done.n < want) {
        struct pb_task pr;
        pb_tasks_heap_pop(ts, &pr);
        if (t->nodes[pr.a].right == 0 && t->nodes[pr.b].right == 0) {
            err = pb_tasks_push(&done, &pr);      /* two leaves: cannot split further */
            continue;
        }
        size_t ch[3][2];
        int nch = children(t, &pr, ch);
        for (int c = 0; c < nch && !err; c++)
            err = push_pair(t, ch[c][0], ch[c][1], h, ts);
    }
    for (size_t i = 0; !err && i < done.n; i++)
        err = pb_tasks_push(ts, &done.t[i]);
    pb_tasks_free(&done);
    if (!err)
        pb_tasks_sort(ts);
    return err;
}

/* ---------------------------------------------------------------------------------------------
 * The run.
 */

/* Task ti for thread w (ctx: struct workers): visits that node pair. */
static void run_task(void *ctx, int w, size_t ti)
{
    struct workers *ws = ctx;
    visit(&ws->w[w], &ws->tasks->t[ti]);
}

/* The leaf parameter into *leaf; -EINVAL with a note when it is not an integer in range. */
static int parse_leaf(const struct pb_params *prm, size_t *leaf, struct pb_output *out)
{
    long l;
    int err = pb_spatial_param_int(prm, "leaf", DEFAULT_LEAF, 1, MAX_LEAF, "kdtree", &l, out);
    *leaf = err ? DEFAULT_LEAF : (size_t)l;
    return err;
}

/* Counts the pairs of tree t with nt threads into tm's blocks (block nt: pairs resolved while
 * making the tasks) and their distance evaluations into out->dist_evals. */
static int count(const struct tree *t, const struct pb_team *tm, size_t nt, struct pb_output *out)
{
    struct pb_tasklist ts = { 0 };
    struct workers ws = { .w = aligned_alloc(64, nt * sizeof *ws.w), .tasks = &ts };
    int err = ws.w ? 0 : -ENOMEM;
    for (size_t w = 0; !err && w < nt; w++)
        ws.w[w] = (struct worker){ .t = t, .b = &tm->b, .h = pb_team_hist(tm, w) };
    if (!err)
        err = make_tasks(t, nt > 1 ? TASKS_PER_THREAD * nt : 1, pb_team_hist(tm, nt), &ts);
    if (!err)
        err = pb_spatial_count(tm, nt, ts.n, run_task, &ws);
    for (size_t w = 0; !err && w < nt; w++)
        out->dist_evals += ws.w[w].evals;
    pb_tasks_free(&ts);
    free(ws.w);
    return err;
}

/* Builds the tree (timed into out->build_s), counts, releases. Matrix runs are skipped. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    size_t leaf, nt = (size_t)prm->threads;
    int err = pb_histogram_only(p, out, "kdtree computes pair counts only (a tree saves nothing "
                                        "on the full matrix)");
    if (err || (err = parse_leaf(prm, &leaf, out)))
        return err;
    struct pb_team tm;
    struct tree t = { 0 };
    err = pb_team_begin(&tm, p, prm, out, nt + 1, 0);
    if (!err) {
        double t0 = pb_now_s();
        err = tree_build(&t, p, &tm.b, leaf, prm->threads);
        out->build_s = pb_now_s() - t0;
    }
    if (!err)
        err = count(&t, &tm, nt, out);
    tree_free(&t);
    return pb_team_end(&tm, out, err);
}

/* The reordered copy (float runs: the doubles it is built from, then the floats), nodes, the
 * tree's own thresholds, and the team's histogram blocks (one a thread and one for the tasks'
 * setup) with the binning. */
static size_t extra_bytes(const struct pb_problem *p, const struct pb_params *prm)
{
    size_t leaf;
    struct pb_output unused;
    if (parse_leaf(prm, &leaf, &unused) < 0)
        leaf = DEFAULT_LEAF;               /* the run itself refuses it */
    size_t copy = 3 * p->n * (sizeof(double) + (p->precision == PB_PRECISION_FLOAT ? 4 : 0));
    size_t blocks = (size_t)(prm->threads > 0 ? prm->threads : 1) + 1;
    return copy + 2 * (p->n / leaf + 1) * 2 * sizeof(struct node)
           + (p->nbins + 1) * sizeof(double) + pb_team_bytes(p, blocks);
}

static const struct pb_param_spec params[] = {
    { .name = "leaf", .def = "64", .help = "most points per tree leaf (1-65536)",
      .type = PB_PARAM_INT, .min = 1, .max = MAX_LEAF },
    { .name = NULL },
};

const struct pb_strategy pb_strategy_kdtree = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "kdtree",
    .summary = "dual-tree pair counter: k-d tree node pairs within one bin counted without "
               "distances, the rest by the tile kernels; OpenMP tasks by cost",
    .flags = PB_HISTOGRAM_ONLY,
    .params = params,
    .run = run,
    .extra_bytes = extra_bytes,
    .cost = { .model = PB_COST_NEAR_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
