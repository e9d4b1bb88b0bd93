/* grid.c — a cell list (the Corrfunc class of pair counter): exact pair counts up to the last
 * edge rmax in about O(n * density * rmax^3) instead of O(n^2).
 *
 * Structure. Cells of side at least rmax/refine along y and z, and XSPLIT (4) times finer
 * along x, numbered x fastest, cover the points' bounding box (open) or the periodic box. A
 * counting sort copies the points into cell order, structure of arrays, into a private
 * problem struct, so the exact tile kernels of pairkern.h apply to index ranges of the copy: a
 * cell is one contiguous range, and a run of neighbouring cells along x is one contiguous
 * range too, so a cell meets the cells of another row in one call. The thin x cells make that
 * run hug the sphere of radius rmax along x (per row of cells, the reach along x shrinks with
 * the row's distance), without sorting points inside a cell. The d2 of a pair depends neither
 * on which point comes first nor on where the points sit in memory, so counts are
 * bit-identical to naive's. The structure is the copy (24 bytes a point, 12 for float runs,
 * which copy only the float coordinates) plus 8 bytes a cell (at most n/2 + 1 cells; the sort
 * needs another 8 bytes a cell per sorting thread while it runs).
 *
 * Which pairs. Each unordered pair of cells is visited once: a cell meets itself (pairs i < j,
 * blocked's triangle kernel), the cells after it in its own row, and the rows after its own.
 * A cell pair is dropped when a lower bound of its points' separation reaches rmax: with gaps
 * of g cells along an axis, no two points are closer than (g - 1) * side there, less the
 * rounding slack of spatial.h, which also states why a dropped pair never holds a pair the
 * kernel would count. Periodic boxes: the cell index wraps (floor-mod; coordinates are not
 * moved, and no shift vectors: the kernel applies the minimum image to each pair exactly as
 * naive does, and its per-axis value is never below the circular gap the bound uses). When
 * the neighbour reach wraps onto itself (2 * reach + 1 >= cells along an axis) the offsets
 * are taken as distinct residues, whole rows at most, so no cell pair repeats. A large rmax
 * leaves one cell per axis: one triangle over all points, blocked's loop, no cliff.
 *
 * Not done: adding |A|*|B| for cell pairs whose whole separation range lies in one bin. A cell
 * pair's separation range is at least about a cell side wide (25 for rmax 50, refine 2),
 * wider than every one of the 20 log bins from 0.5 to 50, so hardly a cell pair would qualify;
 * the dual tree is the strategy built for that.
 *
 * refine (default 2) and XSPLIT (4), measured at n = 10^6 uniform points in a 1000 box, rmax
 * 50, 20 log bins, one thread (CPU seconds, best of 4 on a shared 2-core AMD EPYC): refine 2
 * evaluates 2.96 distances per counted pair in 0.94 s; x cells as thick as the others (XSPLIT
 * 1) 3.88 per pair in 1.05 s; XSPLIT 8, 2.82 per pair but 1.02 s (cells of 2 points: the
 * per-cell work eats the saving); refine 1, 5.2 per pair in 1.37 s; refine 3 reaches the cap
 * of n/2 cells and evaluates no fewer (2.98, 1.42 s).
 *
 * Parallelism: a task is a run of cells, or a range of a heavy cell's points; tasks are cut to
 * about 1/64 of a thread's share of the estimated work (a cell's points times the points it
 * meets, plus its own triangle) and handed out heaviest first (pb_spatial_count), so a
 * clustered input's dense cells are spread over the threads and the light ones fill the gaps.
 * The counting sort is shared too (up to SORT_THREADS threads, each counting and then
 * scattering its own share of the input, from 10^5 points).
 *
 * Reported: out->build_s is binning, sorting and planning (CLOCK_MONOTONIC, inside the run);
 * out->dist_evals the distances the kernels evaluated, summed over workers.
 */
#include "spatial.h"
#include "pbclock.h"

#include <stdio.h>
#include <time.h>

enum {
    REFINE_MAX = 8,                  /* largest accepted refine */
    TASKS_PER_THREAD = 64,           /* work estimate cut into this many tasks per thread */
    SORT_THREADS = 4,                /* most threads sharing the counting sort (a count array
                                        of every cell each) */
    SORT_MIN_POINTS = 100000         /* fewer points are sorted by the calling thread alone */
};

#ifndef XSPLIT
#define XSPLIT 4                     /* x cells per y (z) cell side */
#endif

/* A pair of cell rows (y, z) whose cells may meet: the row offset and how far along x. */
struct rowoff {
    long dy, dz;                     /* row offset (a residue in periodic boxes) */
    long rx;                         /* cells along x within reach for this row offset */
};

/* A contiguous range of the reordered points. */
struct range {
    size_t j0, j1;                   /* points [j0, j1) */
};

/* A row that a row meets, and how far along x. */
struct rowlink {
    size_t row;                      /* the other row (or the row itself) */
    long rx;                         /* cells along x within reach */
};

/* A worker's scratch for neighbours(): the links of the row it is in, and a cell's ranges. */
struct nbrs {
    size_t row;                      /* row the links belong to; SIZE_MAX: none yet */
    size_t nl;                       /* entries in links */
    struct rowlink *links;           /* at most noff */
    struct range *r;                 /* a cell's ranges, at most 2 * noff + 2 */
};

/* The cell list: geometry, the reordered copy and the cell offsets visited. */
struct grid {
    struct pb_spatial_copy copy;     /* the points in cell order, in the run's precision, and
                                        the problem over them (copy.q) */
    size_t *start;                   /* ncells + 1: cell c holds points [start[c], start[c+1]) */
    size_t ncells;                   /* cells in all */
    long nc[3];                      /* cells along x, y, z */
    double lo[3];                    /* lowest coordinate covered (0 in periodic boxes) */
    double side[3];                  /* cell side along each axis */
    double inv[3];                   /* nc / extent: coordinate to cell coordinate */
    struct pb_slack slack;           /* rounding slack of every lower bound (spatial.h) */
    double rmax;                     /* the last edge: pairs at or beyond it are never counted */
    int periodic;                    /* 1: cells wrap (p->box > 0) */
    struct rowoff *off;              /* row offsets visited, (0, 0) included */
    size_t noff;                     /* entries in off */
};

/* A task (struct pb_task): points [p0, p1) of cells [a, b) meet their later neighbours. */

/* One worker's state, a cache line (or more) of its own: workers update evals and their scratch
 * all the time, and neighbours sharing a line would slow each other down (false sharing). */
struct worker {
    _Alignas(64) const struct grid *g;   /* the cell list, read-only */
    const struct pb_team *tm;        /* binning and histogram blocks */
    const struct pb_task *tasks;     /* sorted heaviest first */
    uint64_t evals;                  /* distances this worker evaluated */
    struct nbrs rc;                  /* scratch for neighbours() */
};

/* The bounding box of p's points into lo/hi (NaN coordinates aside). */
static void bounds(const struct pb_problem *p, double lo[3], double hi[3])
{
    const double *c[3] = { p->x, p->y, p->z };
    for (int a = 0; a < 3; a++) {
        lo[a] = p->n ? c[a][0] : 0, hi[a] = lo[a];
        for (size_t i = 0; i < p->n; i++) {
            lo[a] = c[a][i] < lo[a] ? c[a][i] : lo[a];
            hi[a] = c[a][i] > hi[a] ? c[a][i] : hi[a];
        }
    }
}

/* Cells along each axis for the target sides: extent / side, at least 1, all axes together at
 * most cap (the sides grow by 10% steps until they fit). Fills g->nc, side, inv. */
static void choose_cells(struct grid *g, const double ext[3], const double want[3], size_t cap)
{
    for (double grow = 1;; grow *= 1.1) {
        double total = 1;
        for (int a = 0; a < 3; a++) {
            double c = ext[a] > 0 ? floor(ext[a] / (want[a] * grow)) : 1;
            g->nc[a] = c >= 1 && c <= 1e6 ? (long)c : (c > 1e6 ? 1000000 : 1);
            total *= (double)g->nc[a];
        }
        if (total <= (double)cap)
            break;
    }
    g->ncells = 1;
    for (int a = 0; a < 3; a++) {
        g->side[a] = ext[a] > 0 ? ext[a] / (double)g->nc[a] : 0;
        g->inv[a] = ext[a] > 0 ? (double)g->nc[a] / ext[a] : 0;
        g->ncells *= (size_t)g->nc[a];
    }
}

/* Sets up the cell geometry for p: one cell when rmax covers everything, a coordinate is not
 * finite, or there are no points. */
static void geometry(struct grid *g, const struct pb_problem *p, int refine)
{
    double lo[3], hi[3], scale, ext[3];
    int ok = pb_spatial_scale(p, &scale) == 0;
    bounds(p, lo, hi);
    g->periodic = p->box > 0;
    g->rmax = p->edges[p->nbins];
    g->slack = pb_spatial_slack(p, scale);
    for (int a = 0; a < 3; a++) {
        g->lo[a] = g->periodic ? 0 : lo[a];
        ext[a] = ok ? (g->periodic ? p->box : hi[a] - lo[a]) : 0;
    }
    /* side >= (rmax + 2 slack) / refine: the cell refine + 1 away is then provably beyond rmax;
     * x, the axis along which neighbours are contiguous, is cut XSPLIT times finer */
    double side = ((g->rmax > 0 ? g->rmax : 0) + 2 * g->slack.axis) / refine;
    double want[3] = { side / XSPLIT, side, side };
    choose_cells(g, ext, want, p->n / 2 + 1);
}

/* The cell coordinate of v along axis a (see struct grid). */
static long cell_coord(const struct grid *g, int a, double v)
{
    long nc = g->nc[a];
    if (nc == 1)
        return 0;
    double u = (v - g->lo[a]) * g->inv[a];
    if (!g->periodic)
        return u < (double)nc ? (long)u : nc - 1;     /* u >= 0: v >= lo */
    if (u >= 0 && u < (double)nc)
        return (long)u;
    double r = fmod(floor(u), (double)nc);            /* exact: floor(u) is an integer */
    r = r < 0 ? r + (double)nc : r;
    return r < (double)nc ? (long)r : 0;
}

/* The linear cell index of point i of p. */
static size_t cell_of(const struct grid *g, const struct pb_problem *p, size_t i)
{
    long cx = cell_coord(g, 0, p->x[i]), cy = cell_coord(g, 1, p->y[i]);
    long cz = cell_coord(g, 2, p->z[i]);
    return (size_t)cx + (size_t)g->nc[0] * ((size_t)cy + (size_t)g->nc[1] * (size_t)cz);
}

/* Copies point i of p to slot k of the reordered problem (float runs: floats only). */
static void copy_point(struct grid *g, const struct pb_problem *p, size_t i, size_t k)
{
    if (p->precision == PB_PRECISION_FLOAT) {
        float *f = g->copy.mem;
        f[k] = p->xf[i], f[p->n + k] = p->yf[i], f[2 * p->n + k] = p->zf[i];
        return;
    }
    double *d = g->copy.mem;
    d[k] = p->x[i], d[p->n + k] = p->y[i], d[2 * p->n + k] = p->z[i];
}

/* One builder thread's share of the counting sort: points [i0, i1) of p, and their cells'
 * counts, then (after the prefix sums) the next free slot of each cell for them. */
struct sorter {
    struct grid *g;                  /* the grid being built */
    const struct pb_problem *p;      /* the input */
    size_t i0, i1;                   /* points of this share */
    size_t *slot;                    /* ncells: counts, then next free slots */
    int scatter;                     /* 0: count the cells, 1: copy the points to their slots */
};

/* Thread body of the counting sort: counts or scatters one share (see struct sorter). */
static void *sort_share(void *arg)
{
    struct sorter *s = arg;
    for (size_t i = s->i0; i < s->i1; i++) {
        size_t c = cell_of(s->g, s->p, i);
        if (s->scatter)
            copy_point(s->g, s->p, i, s->slot[c]++);
        else
            s->slot[c]++;
    }
    return NULL;
}

/* Runs sort_share on the nt shares, the first on the calling thread. A share whose thread
 * cannot start runs on the calling thread too. */
static void sort_pass(struct sorter *s, size_t nt, int scatter)
{
    pthread_t tid[SORT_THREADS];
    int started[SORT_THREADS] = { 0 };
    for (size_t w = 0; w < nt; w++)
        s[w].scatter = scatter;
    for (size_t w = 1; w < nt; w++)
        started[w] = pthread_create(&tid[w], NULL, sort_share, &s[w]) == 0;
    sort_share(&s[0]);
    for (size_t w = 1; w < nt; w++) {
        if (started[w])
            pthread_join(tid[w], NULL);
        else
            sort_share(&s[w]);
    }
}

/* Turns the shares' counts into cell starts (g->start) and each share's first slot in each
 * cell: cell by cell, share 0's points first. */
static void sort_offsets(struct grid *g, struct sorter *s, size_t nt)
{
    size_t next = 0;
    for (size_t c = 0; c < g->ncells; c++) {
        g->start[c] = next;
        for (size_t w = 0; w < nt; w++) {
            size_t count = s[w].slot[c];
            s[w].slot[c] = next;
            next += count;
        }
    }
    g->start[g->ncells] = next;
}

/* Counting sort of p's points into cell order (g->start, g->copy) by up to `threads` threads
 * (at most SORT_THREADS, and only for enough points), each counting and then scattering its
 * own share of the input. Returns 0 or -ENOMEM. */
static int reorder(struct grid *g, const struct pb_problem *p, int threads)
{
    size_t nt = (size_t)threads < SORT_THREADS ? (size_t)threads : SORT_THREADS;
    nt = p->n >= SORT_MIN_POINTS && nt > 1 ? nt : 1;
    struct sorter s[SORT_THREADS] = { { 0 } };
    g->start = malloc((g->ncells + 1) * sizeof *g->start);
    int err = g->start ? pb_spatial_copy_alloc(&g->copy, p, pb_elem_bytes(p)) : -ENOMEM;
    for (size_t w = 0; w < nt; w++) {
        s[w] = (struct sorter){ .g = g, .p = p, .i0 = p->n * w / nt, .i1 = p->n * (w + 1) / nt,
                                .slot = err ? NULL : calloc(g->ncells, sizeof(size_t)) };
        err = err ? err : (s[w].slot ? 0 : -ENOMEM);
    }
    if (!err) {
        sort_pass(s, nt, 0);
        sort_offsets(g, s, nt);
        sort_pass(s, nt, 1);
    }
    for (size_t w = 0; w < nt; w++)
        free(s[w].slot);
    return err;
}

/* Signed offset d along axis a reduced to a gap in cells: |d| (open) or the circular gap. */
static long gap(const struct grid *g, int a, long d)
{
    if (!g->periodic)
        return d < 0 ? -d : d;
    long m = ((d % g->nc[a]) + g->nc[a]) % g->nc[a];
    return m < g->nc[a] - m ? m : g->nc[a] - m;
}

/* A lower bound of the separation along axis a of two points in cells gap cells apart. */
static double lower(const struct grid *g, int a, long gp)
{
    return gp <= 1 ? 0 : pb_slack_lo(&g->slack, (double)(gp - 1) * g->side[a]);
}

/* The largest gap along axis a that can hold a pair within rmax when the other axes already
 * account for base (a squared lower bound); -1 when none can. Capped at the largest gap.
 * rmax = inf reaches everything (inf compares as it should). */
static long reach(const struct grid *g, int a, double base)
{
    long most = g->periodic ? g->nc[a] / 2 : g->nc[a] - 1;
    if (pb_slack_beyond(&g->slack, base, g->rmax))
        return -1;
    long gp = 0;
    while (gp < most &&
           !pb_slack_beyond(&g->slack, lower(g, a, gp + 1) * lower(g, a, gp + 1) + base, g->rmax))
        gp++;
    return gp;
}

/* The offsets along axis a whose gap is within reach r, as distinct cells: [*d0, *d1]. In a
 * periodic box whose reach wraps onto itself these are the residues 0 .. nc-1. */
static void offsets(const struct grid *g, int a, long r, long *d0, long *d1)
{
    if (g->periodic && 2 * r + 1 >= g->nc[a])
        *d0 = 0, *d1 = g->nc[a] - 1;
    else
        *d0 = -r, *d1 = r;
}

/* Fills g->off with every row offset (dy, dz) some pair within rmax can span, and its x reach.
 * Returns 0 or -ENOMEM. */
static int row_offsets(struct grid *g)
{
    long y0, y1, z0, z1;
    offsets(g, 1, reach(g, 1, 0), &y0, &y1);
    offsets(g, 2, reach(g, 2, 0), &z0, &z1);
    g->off = malloc((size_t)(y1 - y0 + 1) * (size_t)(z1 - z0 + 1) * sizeof *g->off);
    if (!g->off)
        return -ENOMEM;
    g->noff = 0;
    for (long dz = z0; dz <= z1; dz++)
        for (long dy = y0; dy <= y1; dy++) {
            double ly = lower(g, 1, gap(g, 1, dy)), lz = lower(g, 2, gap(g, 2, dz));
            long rx = reach(g, 0, ly * ly + lz * lz);
            if (rx >= 0)
                g->off[g->noff++] = (struct rowoff){ .dy = dy, .dz = dz, .rx = rx };
        }
    return 0;
}

/* Appends the points of cells [b0, b1) of row `row` (x cells, not wrapped) to r[*nr]. */
static void add_cells(const struct grid *g, size_t row, long b0, long b1, struct range *r,
                      size_t *nr)
{
    size_t base = row * (size_t)g->nc[0];
    size_t j0 = g->start[base + (size_t)b0], j1 = g->start[base + (size_t)b1];
    if (b1 > b0 && j1 > j0)
        r[(*nr)++] = (struct range){ j0, j1 };
}

/* The cells of another row within x reach rx of cell column ax: one range, or two when the
 * window wraps, or the whole row when it wraps onto itself. */
static void other_row(const struct grid *g, size_t row, long ax, long rx, struct range *r,
                      size_t *nr)
{
    long nx = g->nc[0], lo = ax - rx, hi = ax + rx + 1;   /* [lo, hi) before wrapping */
    if (!g->periodic) {
        add_cells(g, row, lo < 0 ? 0 : lo, hi > nx ? nx : hi, r, nr);
    } else if (2 * rx + 1 >= nx) {
        add_cells(g, row, 0, nx, r, nr);
    } else if (lo < 0) {
        add_cells(g, row, lo + nx, nx, r, nr);
        add_cells(g, row, 0, hi, r, nr);
    } else {
        add_cells(g, row, lo, hi > nx ? nx : hi, r, nr);
        add_cells(g, row, 0, hi > nx ? hi - nx : 0, r, nr);
    }
}

/* The cells after column ax in its own row within x reach rx (the circular gap in a periodic
 * box, each cell once). */
static void same_row(const struct grid *g, size_t row, long ax, long rx, struct range *r,
                     size_t *nr)
{
    long nx = g->nc[0], hi = ax + rx + 1 < nx ? ax + rx + 1 : nx;
    if (g->periodic && 2 * rx + 1 >= nx) {
        add_cells(g, row, ax + 1, nx, r, nr);
        return;
    }
    add_cells(g, row, ax + 1, hi, r, nr);
    if (g->periodic && ax + nx - rx < nx)
        add_cells(g, row, ax + nx - rx > hi ? ax + nx - rx : hi, nx, r, nr);
}

/* Wraps (periodic) or bounds-checks row coordinate v + d along axis a into *out; 0 when the
 * row does not exist (open box, outside). */
static int row_coord(const struct grid *g, int a, long v, long d, long *out)
{
    long w = v + d, n = g->nc[a];
    if (g->periodic)
        w = ((w % n) + n) % n;
    *out = w;
    return w >= 0 && w < n;
}

/* The rows that row meets (itself included), each unordered pair of rows once, into rc->links. */
static void row_links(const struct grid *g, size_t row, struct nbrs *rc)
{
    long ay = (long)(row % (size_t)g->nc[1]), az = (long)(row / (size_t)g->nc[1]);
    rc->row = row, rc->nl = 0;
    for (size_t o = 0; o < g->noff; o++) {
        const struct rowoff *f = &g->off[o];
        long by, bz;
        if (!row_coord(g, 1, ay, f->dy, &by) || !row_coord(g, 2, az, f->dz, &bz))
            continue;
        size_t row2 = (size_t)by + (size_t)g->nc[1] * (size_t)bz;
        if (row2 > row || (f->dy == 0 && f->dz == 0))
            rc->links[rc->nl++] = (struct rowlink){ .row = row2, .rx = f->rx };
    }
}

/* The point ranges cell c meets after itself, into rc->r: later cells of its row and cells
 * of later rows, each unordered cell pair once. The row's links are cached in rc. Returns the
 * count. */
static size_t neighbours(const struct grid *g, size_t c, struct nbrs *rc)
{
    size_t nx = (size_t)g->nc[0], row = c / nx, nr = 0;
    long ax = (long)(c % nx);
    if (rc->row != row)
        row_links(g, row, rc);
    for (size_t k = 0; k < rc->nl; k++) {
        if (rc->links[k].row == row)
            same_row(g, row, ax, rc->links[k].rx, rc->r, &nr);
        else
            other_row(g, rc->links[k].row, ax, rc->links[k].rx, rc->r, &nr);
    }
    return nr;
}

/* Scratch for neighbours() sized for g (rc->row: none yet). Returns 0 or -ENOMEM. */
static int nbrs_init(struct nbrs *rc, const struct grid *g)
{
    rc->row = SIZE_MAX, rc->nl = 0;
    rc->links = malloc((g->noff + 1) * sizeof *rc->links);
    rc->r = malloc((2 * g->noff + 2) * sizeof *rc->r);
    return rc->links && rc->r ? 0 : -ENOMEM;
}

/* Releases nbrs_init's scratch. */
static void nbrs_free(struct nbrs *rc)
{
    free(rc->links);
    free(rc->r);
}

/* Points of all ranges r[0..nr). */
static size_t range_points(const struct range *r, size_t nr)
{
    size_t s = 0;
    for (size_t k = 0; k < nr; k++)
        s += r[k].j1 - r[k].j0;
    return s;
}

/* Builds the cell list of p: geometry, reordered copy, row offsets. Returns 0 or -errno. */
static int grid_build(struct grid *g, const struct pb_problem *p, int refine, int threads)
{
    memset(g, 0, sizeof *g);
    geometry(g, p, refine);
    int err = reorder(g, p, threads);
    return err ? err : row_offsets(g);
}

/* Releases what grid_build allocated; safe on a half-built grid. */
static void grid_free(struct grid *g)
{
    free(g->start);
    pb_spatial_copy_free(&g->copy);
    free(g->off);
    memset(g, 0, sizeof *g);
}

/* ---------------------------------------------------------------------------------------------
 * Tasks: estimated work per cell, cut and sorted heaviest first.
 */

/* Estimated evaluations of cell c: its triangle plus its points times the points it meets
 * (into *meets). */
static double cell_cost(const struct grid *g, size_t c, struct nbrs *rc, size_t *meets)
{
    double m = (double)(g->start[c + 1] - g->start[c]);
    *meets = m > 0 ? range_points(rc->r, neighbours(g, c, rc)) : 0;
    return m * (m - 1) / 2 + m * (double)*meets;
}

/* Cuts heavy cell c (points [s0, s1), each meeting `meets` points beyond the cell) into
 * tasks of about `target` estimated evaluations: point i costs (s1 - i - 1) + meets. */
static int split_cell(struct pb_tasklist *l, size_t c, size_t s0, size_t s1, size_t meets,
                      double target)
{
    struct pb_task t = { .a = c, .b = c + 1, .p0 = s0 };
    for (size_t i = s0; i < s1; i++) {
        t.cost += (double)(s1 - i - 1) + (double)meets;
        if (t.cost >= target || i + 1 == s1) {
            t.p1 = i + 1;
            int err = pb_tasks_push(l, &t);
            if (err)
                return err;
            t = (struct pb_task){ .a = c, .b = c + 1, .p0 = i + 1 };
        }
    }
    return 0;
}

/* Closes the open run of cells cur into l (if it holds any work) and starts an empty one at
 * cell c (c <= ncells). */
static int flush(struct pb_tasklist *l, struct pb_task *cur, const struct grid *g, size_t c)
{
    int err = cur->cost > 0 ? pb_tasks_push(l, cur) : 0;
    *cur = (struct pb_task){ .a = c, .b = c, .p0 = g->start[c], .p1 = g->start[c] };
    return err;
}

/* The task list for g: runs of cells of about total / (threads * TASKS_PER_THREAD) estimated
 * evaluations each, heavy cells split by points, sorted heaviest first. The costs are worked
 * out twice (total, then cuts) rather than stored: no array per cell. Returns 0 or -ENOMEM
 * (l then holds what to free). */
static int plan(const struct grid *g, int threads, struct pb_tasklist *l)
{
    struct nbrs rc;
    size_t meets;
    double total = 0;
    int err = nbrs_init(&rc, g);
    for (size_t c = 0; !err && c < g->ncells; c++)
        total += cell_cost(g, c, &rc, &meets);
    double target = total / ((double)threads * TASKS_PER_THREAD);
    target = target > 1000 ? target : 1000;
    struct pb_task cur = { 0 };
    for (size_t c = 0; !err && c < g->ncells; c++) {
        double cost = cell_cost(g, c, &rc, &meets);
        if (cost > target) {
            err = flush(l, &cur, g, c + 1);
            err = err ? err : split_cell(l, c, g->start[c], g->start[c + 1], meets, target);
            continue;
        }
        if (cur.cost + cost > target)
            err = flush(l, &cur, g, c);
        cur.b = c + 1, cur.p1 = g->start[c + 1], cur.cost += cost;
    }
    if (!err && cur.cost > 0)
        err = pb_tasks_push(l, &cur);
    if (!err)
        pb_tasks_sort(l);
    nbrs_free(&rc);
    return err;
}

/* ---------------------------------------------------------------------------------------------
 * Workers.
 */

/* The triangle of cell c's points i in [i0, i1) with every later point j of the cell, into h:
 * blocked's loop on a view of the cell. Returns the distances evaluated. */
static uint64_t cell_self(const struct grid *g, const struct pb_bins *b, size_t c, size_t i0,
                          size_t i1, uint64_t *h)
{
    size_t s0 = g->start[c];
    struct pb_problem v = pb_spatial_view(&g->copy.q, s0, g->start[c + 1]);
    pb_hist_rows(&v, b, i0 - s0, i1 - s0, h);
    return pb_tri_pairs_before(v.n, i1 - s0) - pb_tri_pairs_before(v.n, i0 - s0);
}

/* Task ti for worker w (ctx: the workers): each cell's owned points meet the rest of their
 * cell and the cells after it, into w's histogram block. Adds the distances evaluated to the
 * worker's evals. */
static void do_task(void *ctx, int w, size_t ti)
{
    struct worker *wk = (struct worker *)ctx + w;
    const struct grid *g = wk->g;
    const struct pb_task *t = &wk->tasks[ti];
    const struct pb_bins *b = &wk->tm->b;
    uint64_t *h = pb_team_hist(wk->tm, (size_t)w);
    for (size_t c = t->a; c < t->b; c++) {
        size_t i0 = g->start[c] > t->p0 ? g->start[c] : t->p0;
        size_t i1 = g->start[c + 1] < t->p1 ? g->start[c + 1] : t->p1;
        if (i0 >= i1)
            continue;
        wk->evals += cell_self(g, b, c, i0, i1, h);
        size_t nr = neighbours(g, c, &wk->rc);
        for (size_t k = 0; k < nr; k++) {
            const struct range *r = &wk->rc.r[k];
            pb_hist_cross(&g->copy.q, b, i0, i1, r->j0, r->j1, h);
            wk->evals += (uint64_t)(i1 - i0) * (r->j1 - r->j0);
        }
    }
}

/* Starts nt workers on the tasks (even when there are none), joins them, and sums their
 * evaluations into out->dist_evals (their histograms stay in tm's blocks). Returns 0 or
 * -errno; workers already started are joined either way. */
static int run_workers(const struct grid *g, const struct pb_team *tm,
                       const struct pb_tasklist *l, size_t nt, struct pb_output *out)
{
    struct worker *wk = aligned_alloc(_Alignof(struct worker), nt * sizeof *wk);
    if (wk)
        memset(wk, 0, nt * sizeof *wk);
    int err = wk ? 0 : -ENOMEM;
    for (size_t w = 0; !err && w < nt; w++) {
        wk[w].g = g, wk[w].tm = tm, wk[w].tasks = l->t;
        err = nbrs_init(&wk[w].rc, g);
    }
    if (!err)
        err = pb_spatial_count(tm, nt, l->n, do_task, wk);
    uint64_t evals = 0;
    for (size_t w = 0; wk && w < nt; w++) {
        evals += wk[w].evals;
        nbrs_free(&wk[w].rc);
    }
    out->dist_evals = evals;
    free(wk);
    return err;
}

/* Builds the cell list and the task list (timed as out->build_s), then counts with tm's
 * blocks. Returns 0 or -errno. */
static int build_and_count(const struct pb_problem *p, size_t nt, int refine,
                           const struct pb_team *tm, struct pb_output *out)
{
    double t0 = pb_now_s();
    struct grid g;
    struct pb_tasklist l = { 0 };
    int err = grid_build(&g, p, refine, (int)nt);
    if (!err)
        err = plan(&g, (int)nt, &l);
    out->build_s = pb_now_s() - t0;
    if (!err)
        err = run_workers(&g, tm, &l, nt, out);
    pb_tasks_free(&l);
    grid_free(&g);
    return err;
}

/* Reads refine, prepares the team, builds and counts. The matrix is not this strategy's
 * business: -ENOTSUP with a note. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    long refine;
    int err = pb_histogram_only(p, out, "grid computes pair counts only (histogram output), "
                                        "not the distance matrix");
    if (err || (err = pb_spatial_param_int(prm, "refine", 2, 1, REFINE_MAX, "grid", &refine, out)))
        return err;
    struct pb_team tm;
    err = pb_team_begin(&tm, p, prm, out, (size_t)prm->threads, 0);
    if (!err)
        err = build_and_count(p, (size_t)prm->threads, (int)refine, &tm, out);
    return pb_team_end(&tm, out, err);
}

/* Bytes beyond the input: the reordered copy, two words a cell (at most n/2 + 1 cells), the
 * task list (a few hundred entries a thread, plus heavy cells' pieces), and the team's
 * histogram block per thread with the binning. */
static size_t extra_bytes(const struct pb_problem *p, const struct pb_params *prm)
{
    size_t coord = p->precision == PB_PRECISION_FLOAT ? sizeof(float) : sizeof(double);
    size_t cells = p->n / 2 + 2;
    return 3 * p->n * coord + 2 * cells * sizeof(size_t)
           + (size_t)prm->threads * TASKS_PER_THREAD * 4 * sizeof(struct pb_task)
           + pb_team_bytes(p, (size_t)prm->threads);
}

static const struct pb_param_spec params[] = {
    { .name = "refine", .def = "2", .choices = "1|2|3|4|5|6|7|8",
      .help = "cells per rmax along y and z (x is cut 4x finer): finer cells evaluate fewer "
              "distances beyond rmax but cost more per point" },
    { .name = NULL },
};

const struct pb_strategy pb_strategy_grid = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "grid",
    .summary = "cell list to the last edge (Corrfunc class): cells of rmax/refine, pruned cell "
               "pairs, dynamic load balance over pthreads; pair counts only",
    .flags = PB_HISTOGRAM_ONLY,
    .params = params,
    .run = run,
    .extra_bytes = extra_bytes,
    .cost = { .model = PB_COST_NEAR_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
