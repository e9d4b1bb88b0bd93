/* kdtree.c — a dual-tree pair counter (Moore et al. 2001): a k-d tree built once per run over a
 * reordered copy of the points, node pairs walked recursively. A node pair whose whole range of
 * separations lies in one bin adds |A|·|B| without computing a distance; one wholly below the
 * first edge or at or beyond the last is dropped; the rest split, or, when splitting cannot
 * resolve much (the bins are narrow next to the leaves), go to the exact block kernels of
 * pairkern.h on the nodes' whole index ranges, so large rmax degrades to brute force on big
 * contiguous blocks rather than to many tiny leaf pairs.
 *
 * Exactness. The kernels' d2 of a pair differs from the true squared separation by rounding:
 * each axis by a few ulps of the coordinate scale, the sum by a few ulps of itself. The node
 * bounds are widened by far more than that (absolute per axis, relative on the sum) before
 * comparing them with the exact squared-edge thresholds of struct pb_bins, so a pair counted
 * without a distance is always in the bin the kernel would have put it in: counts equal
 * naive's bit for bit. Periodic boxes use naive's minimum image (one wrap of |dx| > L/2, also
 * for coordinates outside [0, L)) on per-axis separation intervals.
 *
 * Parallel: the walk is expanded (largest pair first) into many independent node-pair tasks,
 * sorted by decreasing pair count and handed out by an OpenMP dynamic schedule, one task at a
 * time; each thread counts into its own histogram block. OpenMP rather than pthreads because
 * its dynamic schedule is exactly the atomic task counter needed, and its thread team
 * persists across the run's parallel regions (the build's and the count's), so the count does
 * not pay thread creation again. */
#include "team.h"
#include "pbclock.h"

#include <float.h>
#include <omp.h>
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
    struct pb_problem q;             /* the problem over the reordered copy */
    double *x, *y, *z;               /* reordered coordinates (double runs), else NULL */
    float *xf, *yf, *zf;             /* reordered coordinates (float runs), else NULL */
    size_t n;                        /* points */
    struct node *nodes;              /* preorder: nodes[0] is the root */
    size_t nnodes;                   /* nodes in use */
    size_t leaf;                     /* most points per leaf */
    double *thr;                     /* nbins+1 squared-edge thresholds of the run's precision */
    double L;                        /* period as the kernels see it (float for float runs); 0 */
    double slack;                    /* absolute widening of each axis separation (rounding) */
    double rel;                      /* relative widening of the squared separation bounds */
};

/* One classified node pair: a task, or a step of the walk. */
struct pair {
    size_t a, b;                     /* node indices; a == b for a self pair */
    uint64_t cost;                   /* pairs of points it holds (the task's cost estimate) */
    int split;                       /* 1: split into child pairs; 0: brute force */
    int beyond;                      /* 1: some of its pairs may lie at or beyond the last edge */
    int few;                         /* 1: within the last edge, its separations cross at most
                                        FEW_EDGES thresholds: single rows may fall in one bin */
};

/* One thread's working state. */
struct worker {
    const struct tree *t;            /* the tree, shared read-only */
    const struct pb_bins *b;         /* binning, shared read-only */
    uint64_t *h;                     /* this thread's histogram block (extended bins, lanes) */
    uint64_t evals;                  /* pair distances evaluated */
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

/* The largest |coordinate| in c[0..n): the scale of the kernels' rounding errors. */
static double coord_scale(double *const c[3], size_t n)
{
    double m = 0;
    for (int d = 0; d < 3; d++)
        for (size_t i = 0; i < n; i++)
            m = fabs(c[d][i]) > m ? fabs(c[d][i]) : m;
    return m;
}

/* Bytes of fresh anonymous memory asking for transparent huge pages: first touch of the
 * copy then faults 2 MB at a time rather than 4 kB (page faults were a third of the build).
 * NULL when out of memory; big_free releases it. */
static void *big_alloc(size_t bytes)
{
    void *m = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(m, bytes ? bytes : 1, MADV_HUGEPAGE);   /* advisory */
#endif
    return m;
}

/* Releases a big_alloc of bytes (NULL: nothing). */
static void big_free(void *m, size_t bytes)
{
    if (m)
        munmap(m, bytes ? bytes : 1);
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

/* Float runs: the reordered float coordinates from the (exact) doubles c, which are freed. */
static int to_float(struct tree *t, double *c[3], size_t n)
{
    float **f[3] = { &t->xf, &t->yf, &t->zf };
    for (int d = 0; d < 3; d++) {
        if (!(*f[d] = big_alloc(n * sizeof(float))))
            return -ENOMEM;
        for (size_t i = 0; i < n; i++)
            (*f[d])[i] = (float)c[d][i];
        big_free(c[d], n * sizeof(double));
        c[d] = NULL;
    }
    return 0;
}

/* Rounding bounds: the kernels' per-axis separation is within a few ulps of the coordinate
 * scale of the exact one, their d2 within a few relative ulps of the exact sum of squares. */
static void set_rounding(struct tree *t, const struct pb_problem *p, double scale)
{
    int fl = p->precision == PB_PRECISION_FLOAT;
    double eps = fl ? (double)FLT_EPSILON : DBL_EPSILON;
    t->L = fl ? (double)(float)p->box : p->box;
    t->L = t->L > 0 ? t->L : 0;
    t->slack = 8 * eps * (scale + t->L);
    t->rel = 16 * eps;
}

/* Builds t for p: the reordered copy, the nodes, the thresholds. threads > 1 builds the large
 * subtrees in parallel. Returns 0 or -ENOMEM; tree_free releases a partial tree. */
static int tree_build(struct tree *t, const struct pb_problem *p, const struct pb_bins *b,
                      size_t leaf, int threads)
{
    size_t n = p->n;
    t->n = n;
    t->leaf = leaf;
    t->nnodes = subtree_nodes(n, leaf);
    t->nodes = malloc(t->nnodes * sizeof *t->nodes);
    t->thr = malloc((p->nbins + 1) * sizeof *t->thr);
    double *c[3] = { big_alloc(n * sizeof(double)), big_alloc(n * sizeof(double)),
                     big_alloc(n * sizeof(double)) };
    t->x = c[0], t->y = c[1], t->z = c[2];
    if (!t->nodes || !t->thr || !c[0] || !c[1] || !c[2])
        return -ENOMEM;
    int fl = p->precision == PB_PRECISION_FLOAT;
    for (size_t k = 0; k <= p->nbins; k++)
        t->thr[k] = fl ? (double)b->tf[k] : b->t[k];
    copy_coords(p, c);
    set_rounding(t, p, coord_scale(c, n));
    struct node root = { .begin = 0, .end = n };
    node_box(&root, c);
#pragma omp parallel num_threads(threads) if (threads > 1 && n > BUILD_TASK_MIN)
#pragma omp single
    build_node(t, c, 0, 0, n, root.lo, root.hi);
    t->orig = p;
    t->q = *p;
    t->q.x = t->x, t->q.y = t->y, t->q.z = t->z;
    if (!fl)
        return 0;
    t->x = t->y = t->z = NULL;
    t->q.x = t->q.y = t->q.z = NULL;
    int err = to_float(t, c, n);
    for (int d = 0; d < 3; d++)
        big_free(c[d], n * sizeof(double));
    t->q.xf = t->xf, t->q.yf = t->yf, t->q.zf = t->zf;
    return err;
}

/* Releases whatever tree_build allocated. */
static void tree_free(struct tree *t)
{
    size_t nd = t->n * sizeof(double), nf = t->n * sizeof(float);
    big_free(t->x, nd), big_free(t->y, nd), big_free(t->z, nd);
    big_free(t->xf, nf), big_free(t->yf, nf), big_free(t->zf, nf);
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
        g0 = g0 > t->slack ? g0 - t->slack : 0;
        g1 += t->slack;
        s0 += g0 * g0;
        s1 += g1 * g1;
    }
    *lo2 = s0 * (1 - t->rel);
    *hi2 = s1 * (1 + t->rel);
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
        g0 = g0 > t->slack ? g0 - t->slack : 0;
        s += g0 * g0;
    }
    return s * (1 - t->rel);
}

/* The extended bin of squared separation v: the number of thresholds at or below it
 * (0: below the first edge; nbins+1: at or beyond the last). */
static size_t ext_bin(const struct tree *t, double v)
{
    size_t lo = 0, hi = t->q.nbins + 1;     /* answer in [lo, hi] */
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
    const double *edges = t->q.edges;
    size_t nb = t->q.nbins, top = e1 > nb ? nb : e1;
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
static int classify(const struct tree *t, size_t a, size_t b, uint64_t *h, struct pair *pr)
{
    const struct node *na = &t->nodes[a], *nb = &t->nodes[b];
    double lo2, hi2;
    sep_bounds(t, na->lo, na->hi, nb->lo, nb->hi, &lo2, &hi2);
    size_t e0 = ext_bin(t, lo2), e1 = ext_bin(t, hi2);
    *pr = (struct pair){ .a = a, .b = b, .cost = pairs_of(na, nb) };
    if (e0 == e1 || pr->cost == 0) {
        if (e0 >= 1 && e0 <= t->q.nbins)
            h[e0] += pr->cost;
        return 1;
    }
    pr->beyond = e1 > t->q.nbins;
    pr->few = !pr->beyond && e1 - e0 <= FEW_EDGES;
    if (na->right == 0 && nb->right == 0)
        return 0;
    double w = na->leaf_diam + nb->leaf_diam;
    pr->split = resolvable(t, sqrt(lo2), sqrt(hi2), w, e0, e1) >= RESOLVE_FRACTION;
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
    double pt[3], lo2, hi2;
    if (t->q.precision == PB_PRECISION_FLOAT)
        pt[0] = t->xf[i], pt[1] = t->yf[i], pt[2] = t->zf[i];
    else
        pt[0] = t->x[i], pt[1] = t->y[i], pt[2] = t->z[i];
    if (!full)
        return point_lo2(t, pt, nd) >= t->thr[t->q.nbins] ? t->q.nbins + 1 : NO_BIN;
    sep_bounds(t, pt, pt, nd->lo, nd->hi, &lo2, &hi2);
    size_t e0 = ext_bin(t, lo2);
    return e0 == ext_bin(t, hi2) ? e0 : NO_BIN;
}

/* The kernel on rows [i0, i1) against all of node b (nothing when the range is empty). */
static void count_run(struct worker *w, size_t i0, size_t i1, const struct node *b)
{
    if (i1 <= i0)
        return;
    pb_hist_cross(&w->t->q, w->b, i0, i1, b->begin, b->end, w->h);
    w->evals += (uint64_t)(i1 - i0) * (b->end - b->begin);
}

/* Brute force on a cross pair, row by row: a row of a whose pairs with b all fall in one
 * extended bin (full) or all lie beyond the last edge (!full) is counted or dropped without
 * distances; runs of the other rows go to the kernel. */
static void brute_rows(struct worker *w, const struct node *a, const struct node *b, int full)
{
    size_t run = a->begin, nb = b->end - b->begin, nbins = w->t->q.nbins;
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
    struct pb_problem sub = w->t->q;
    size_t o = a->begin;
    sub.n = a->end - a->begin;
    if (sub.precision == PB_PRECISION_FLOAT)
        sub.xf += o, sub.yf += o, sub.zf += o;
    else
        sub.x += o, sub.y += o, sub.z += o;
    pb_hist_rows(&sub, w->b, 0, sub.n, w->h);
}

/* Counts every pair of unresolved node pair pr with the exact kernels. */
static void brute(struct worker *w, const struct pair *pr)
{
    const struct node *a = &w->t->nodes[pr->a], *b = &w->t->nodes[pr->b];
    if (pr->a != pr->b && (pr->beyond || pr->few)) {
        brute_rows(w, a, b, pr->few);
        return;
    }
    if (pr->a == pr->b)
        brute_self(w, a);
    else
        pb_hist_cross(&w->t->q, w->b, a->begin, a->end, b->begin, b->end, w->h);
    w->evals += pr->cost;
}

/* The child pairs of pr into out (2 or 3 of them); returns how many. A self pair gives
 * (L,L), (L,R), (R,R); a cross pair splits the node with the longer diagonal (not a leaf). */
static int children(const struct tree *t, const struct pair *pr, size_t out[3][2])
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

static void visit(struct worker *w, const struct pair *pr);

/* Classifies node pair (a, b) and, unresolved, visits it. */
static void walk(struct worker *w, size_t a, size_t b)
{
    struct pair pr;
    if (!classify(w->t, a, b, w->h, &pr))
        visit(w, &pr);
}

/* Counts the pairs of classified, unresolved pair pr: by brute force or through its children. */
static void visit(struct worker *w, const struct pair *pr)
{
    if (!pr->split) {
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

/* A growable list of unresolved pairs, kept as a max-heap on cost while expanding. */
struct tasks {
    struct pair *v;                  /* the pairs */
    size_t len, cap;                 /* in use, allocated */
};

/* Appends pr to ts, sifting it up the heap. Returns 0 or -ENOMEM. */
static int heap_push(struct tasks *ts, const struct pair *pr)
{
    if (ts->len == ts->cap) {
        size_t cap = ts->cap ? 2 * ts->cap : 64;
        struct pair *v = realloc(ts->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        ts->v = v, ts->cap = cap;
    }
    size_t i = ts->len++;
    for (; i > 0 && ts->v[(i - 1) / 2].cost < pr->cost; i = (i - 1) / 2)
        ts->v[i] = ts->v[(i - 1) / 2];
    ts->v[i] = *pr;
    return 0;
}

/* Removes the costliest pair of heap ts into *out. ts must not be empty. */
static void heap_pop(struct tasks *ts, struct pair *out)
{
    *out = ts->v[0];
    struct pair last = ts->v[--ts->len];
    size_t i = 0;
    for (size_t c = 1; c < ts->len; i = c, c = 2 * c + 1) {
        if (c + 1 < ts->len && ts->v[c + 1].cost > ts->v[c].cost)
            c++;
        if (ts->v[c].cost <= last.cost)
            break;
        ts->v[i] = ts->v[c];
    }
    if (ts->len > 0)
        ts->v[i] = last;
}

/* Classifies node pair (a, b): resolved ones are counted into h, others pushed onto ts. */
static int push_pair(const struct tree *t, size_t a, size_t b, uint64_t *h, struct tasks *ts)
{
    struct pair pr;
    return classify(t, a, b, h, &pr) ? 0 : heap_push(ts, &pr);
}

/* Sorts pairs by decreasing cost (qsort comparator). */
static int by_cost_desc(const void *x, const void *y)
{
    uint64_t a = ((const struct pair *)x)->cost, b = ((const struct pair *)y)->cost;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Expands the root pair into at least want unresolved pairs (or as many as leaves allow),
 * always splitting the costliest (brute-force ones too: their children are the same work),
 * and sorts them by decreasing cost into ts. Resolved pairs on the way are counted into h. */
static int make_tasks(const struct tree *t, size_t want, uint64_t *h, struct tasks *ts)
{
    struct tasks done = { 0 };
    int err = t->q.n ? push_pair(t, 0, 0, h, ts) : 0;
    while (!err && ts->len > 0 && ts->len + done.len < want) {
        struct pair pr;
        heap_pop(ts, &pr);
        if (t->nodes[pr.a].right == 0 && t->nodes[pr.b].right == 0) {
            err = heap_push(&done, &pr);          /* two leaves: cannot split further */
            continue;
        }
        size_t ch[3][2];
        int nch = children(t, &pr, ch);
        for (int c = 0; c < nch && !err; c++)
            err = push_pair(t, ch[c][0], ch[c][1], h, ts);
    }
    for (size_t i = 0; !err && i < done.len; i++)
        err = heap_push(ts, &done.v[i]);
    free(done.v);
    if (!err && ts->len > 1)
        qsort(ts->v, ts->len, sizeof *ts->v, by_cost_desc);
    return err;
}

/* ---------------------------------------------------------------------------------------------
 * The run.
 */

/* The parallel region: each thread pins itself when asked and takes tasks one at a time,
 * costliest first, counting into its own block of tm; evals[w] gets its distance evaluations. */
static void region(const struct tree *t, const struct pb_team *tm, const struct tasks *ts,
                   int threads, uint64_t *evals)
{
#pragma omp parallel num_threads(threads)
    {
        int id = omp_get_thread_num();
        struct worker w = { .t = t, .b = &tm->b, .h = pb_team_hist(tm, (size_t)id) };
        pb_team_pin(tm, id);
#pragma omp for schedule(dynamic, 1)
        for (long i = 0; i < (long)ts->len; i++)
            visit(&w, &ts->v[i]);
        evals[id] = w.evals;
    }
}

/* The leaf parameter into *leaf; -EINVAL with a note when it is not an integer in range. */
static int parse_leaf(const struct pb_params *prm, size_t *leaf, struct pb_output *out)
{
    const char *v = pb_param(prm, "leaf");
    char *end = NULL;
    long l = v ? strtol(v, &end, 10) : DEFAULT_LEAF;
    if (v && (end == v || *end || l < 1 || l > MAX_LEAF)) {
        snprintf(out->note, sizeof out->note, "leaf '%s': expected an integer from 1 to %d", v,
                 MAX_LEAF);
        return -EINVAL;
    }
    *leaf = (size_t)l;
    return 0;
}

/* Counts the pairs of tree t with nt threads into tm's blocks (block nt: pairs resolved while
 * making the tasks) and their distance evaluations into out->dist_evals. */
static int count(const struct tree *t, const struct pb_team *tm, size_t nt, struct pb_output *out)
{
    uint64_t *evals = calloc(nt, sizeof *evals);
    struct tasks ts = { 0 };
    int err = evals ? 0 : -ENOMEM;
    if (!err)
        err = make_tasks(t, nt > 1 ? TASKS_PER_THREAD * nt : 1, pb_team_hist(tm, nt), &ts);
    if (!err) {
        region(t, tm, &ts, (int)nt, evals);
        for (size_t w = 0; w < nt; w++)
            out->dist_evals += evals[w];
    }
    free(ts.v);
    free(evals);
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
