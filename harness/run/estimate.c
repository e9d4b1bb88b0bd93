/* estimate.c — the time model (see estimate.h). It orders nothing and measures nothing: it
 * sizes ETAs, sets the default timeout and skips brute-force runs that could not finish within
 * an explicit timeout_s. It is not a result. */
#include "estimate.h"

#include "memory.h"
#include "points.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The extent of the points file the model last measured: the volume of the bounding box of
 * its first n[i] points, for the n the model was asked about and the config's sizes. A file
 * is read once (again only when it changes or an n is not in the table), not once per run. */
static struct {
    char *path;                      /* the file, NULL: nothing measured */
    struct stat id;                  /* its device, inode, size and mtime when measured */
    size_t *n;                       /* prefix lengths, ascending */
    double *vol;                     /* bounding-box volume of the first n[i] points */
    size_t count;
} file_extent;

/* 1 when path is the file file_extent measured, unchanged since. */
static int extent_current(const char *path)
{
    struct stat st;
    const struct stat *id = &file_extent.id;
    return file_extent.path && strcmp(file_extent.path, path) == 0 && stat(path, &st) == 0 &&
           st.st_dev == id->st_dev && st.st_ino == id->st_ino && st.st_size == id->st_size &&
           st.st_mtim.tv_sec == id->st_mtim.tv_sec && st.st_mtim.tv_nsec == id->st_mtim.tv_nsec;
}

/* Fills file_extent.vol from pts: the bounding box grown point by point, its volume recorded
 * at each prefix length (a length beyond the file gets the whole file's). */
static void extent_fill(const struct pb_points *pts)
{
    double lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY };
    size_t i = 0;
    for (size_t k = 0; k < file_extent.count; k++) {
        for (; i < file_extent.n[k] && i < pts->n; i++) {
            const double v[3] = { pts->x[i], pts->y[i], pts->z[i] };
            for (int a = 0; a < 3; a++)
                lo[a] = v[a] < lo[a] ? v[a] : lo[a], hi[a] = v[a] > hi[a] ? v[a] : hi[a];
        }
        file_extent.vol[k] = i ? (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]) : -1;
    }
}

/* Measures the file of e's input at prefix lengths n and e's sizes (ascending). Returns 0, or
 * -errno when it cannot be read (the sweep reports that itself). */
static int extent_measure(const struct pb_experiment *e, size_t n)
{
    struct pb_points pts;
    struct pb_err err;
    struct stat st;
    size_t count = 0, *ns = malloc((e->nsizes + 1) * sizeof *ns);
    double *vol = malloc((e->nsizes + 1) * sizeof *vol);
    char *path = strdup(e->input.path);
    int rc = ns && vol && path ? 0 : -ENOMEM;
    for (size_t i = 0; !rc && i <= e->nsizes; i++) {
        size_t v = i < e->nsizes ? e->sizes[i] : n, at = count;
        while (at > 0 && ns[at - 1] > v)
            at--;                                /* sorted insert, n among the sizes */
        if (at > 0 && ns[at - 1] == v)
            continue;
        memmove(ns + at + 1, ns + at, (count - at) * sizeof *ns);
        ns[at] = v, count++;
    }
    if (!rc && (stat(path, &st) != 0 || (rc = pb_points_read(path, ns[count - 1], &pts, &err))))
        rc = rc ? rc : -errno;
    if (rc) {
        free(ns), free(vol), free(path);
        return rc;
    }
    free(file_extent.path), free(file_extent.n), free(file_extent.vol);
    file_extent.path = path, file_extent.id = st, file_extent.n = ns, file_extent.vol = vol;
    file_extent.count = count;
    extent_fill(&pts);
    pb_points_free(&pts);
    return 0;
}

/* The volume the first n points of e's input are spread over: the periodic box, else for a
 * file the bounding box of those points (measured once, see file_extent), else the generated
 * input's box (1000 when unset). */
static double input_volume(const struct pb_experiment *e, size_t n)
{
    double box = e->periodic > 0 ? e->periodic : e->input.box > 0 ? e->input.box : 1000.0;
    if (e->periodic > 0 || e->input.kind != PB_INPUT_FILE || !e->input.path || n == 0)
        return box * box * box;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; extent_current(e->input.path) && k < file_extent.count; k++)
            if (file_extent.n[k] == n && file_extent.vol[k] >= 0)
                return file_extent.vol[k];
        if (pass == 0 && extent_measure(e, n) < 0)
            break;
    }
    return box * box * box;                      /* unreadable: the sweep will say so */
}

/* Pair distances a PB_COST_NEAR_PAIRS strategy (a cell list, a tree) is expected to evaluate:
 * the pairs within the last edge rmax (the entry's, in an "rmax" sweep) for points uniform in
 * the volume the input fills (input_volume: the periodic box, a file's bounding box, the
 * generated input's box), n(n-1)/2 * min(1, (4/3) pi rmax^3 / volume), times 6.4, what a cell
 * list of side rmax evaluates per pair in range (27 cells / the sphere's volume), capped at
 * every pair, plus 10 pair-costs per point for building the structure. Clustered inputs have
 * more pairs in range than this uniform figure. */
static double spatial_evals(const struct pb_experiment *e, double rmax, double n, double pairs)
{
    double frac = 4.0 / 3.0 * M_PI * rmax * rmax * rmax / input_volume(e, (size_t)n);
    double evals = pairs * 6.4 * (frac < 1 ? frac : 1);
    return (evals < pairs ? evals : pairs) + 10.0 * n;
}

/* The pair cost (struct pb_cost) of strategy st run with parameters kv: the one the
 * parameters state through pair_cost_of, else the declared one; 0 when unknown (or not a
 * positive number). */
static double pair_cost(const struct pb_strategy *st, const struct pb_kv *kv, size_t nkv)
{
    struct pb_params k = {.threads = 1, .ranks = 1, .kv = kv, .nkv = nkv};
    double f = st->cost.pair_cost_of ? st->cost.pair_cost_of(&k) : 0;
    f = f > 0 && isfinite(f) ? f : st->cost.pair_cost;
    return f > 0 && isfinite(f) ? f : 0;
}

/* What the model needs to know of one run. */
struct cost {
    const struct pb_strategy *st;    /* the strategy */
    double pc;                       /* its pair cost (pair_cost), 0 = unknown */
    double rmax;                     /* the last edge of its bins */
    double n, workers;               /* points; threads x ranks */
    double extra;                    /* bytes it declares (extra_bytes) */
};

/* Seconds per byte a strategy declares (per-thread histogram blocks, copies): zeroed at first
 * touch and the blocks read back by the reduction, both in the calling thread; 0.4 GB/s, the
 * low end of first touch measured on these machines. 10^7 bins at 4 threads hold 1.5 GB and
 * took 5.8 s of CPU (2-core AMD EPYC, Zen 5). */
#define PB_EST_S_PER_EXTRA_BYTE 2.5e-9

/* Seconds per histogram bin beside its memory: its threshold (a few sqrt and nextafter), the
 * look-up table, the count's copy and its verification; 10^7 bins at 1 thread took 2.1 s of
 * CPU, 0.8 s of it beside the memory. */
#define PB_EST_S_PER_BIN 1e-7

/* The model of estimate.h for one run described by c (see pb_estimate_seconds). */
static double model_seconds(const struct pb_experiment *e, const struct cost *c)
{
    double pairs = c->n * (c->n - 1) / 2;
    double rate = 2e7 / (c->pc > 0 ? c->pc : PB_PAIR_COST_TILE) * c->workers;
    int hist = e->output == PB_OUTPUT_HISTOGRAM;
    if (c->st->cost.model == PB_COST_NEAR_PAIRS && hist)
        pairs = spatial_evals(e, c->rmax, c->n, pairs);
    double t = pairs / rate + 0.002 + c->extra * PB_EST_S_PER_EXTRA_BYTE;
    if (!hist)
        t += c->n * c->n * 8.0 / 1e9;
    else
        t += (double)e->bins.count * PB_EST_S_PER_BIN;
    return t;
}

/* A rough, documented model for the plan: 2e7 / pair_cost unique pairs/s per worker, the pair
 * cost a strategy declares in its struct pb_cost relative to serial naive's (which bins by
 * binary search; the tile kernels: a tenth of it, 2e8 pairs/s, also the figure for a cost
 * unknown), or the one its parameters state (exec's cost_factor); matrix output at 1 GB/s of
 * first touch, the strategy's declared bytes at PB_EST_S_PER_EXTRA_BYTE, PB_EST_S_PER_BIN per
 * histogram bin, and 2 ms of fixed cost per run. PB_COST_NEAR_PAIRS strategies evaluate only
 * the pairs spatial_evals() expects, at the same rate. It sizes ETAs and skips runs that would
 * exceed timeout_s. */
double pb_estimate_seconds(const struct pb_experiment *e, const struct pb_run *run)
{
    const struct pb_strategy_cfg *sc = &e->strategies[run->strategy];
    struct cost c = { .st = sc->strategy, .pc = pair_cost(sc->strategy, sc->kv, sc->nkv),
                      .rmax = sc->rmax > 0 ? sc->rmax : e->bins.max, .n = (double)run->n,
                      .workers = (double)run->threads * run->ranks,
                      .extra = pb_memory_extra_bytes(e, run) };
    return model_seconds(e, &c);
}

double pb_estimate_reference_timeout_s(const struct pb_experiment *e, const struct pb_problem *p,
                                       const struct pb_strategy *st, const struct pb_params *k)
{
    if (e->timeout_set)
        return e->timeout_s;          /* as configured; 0 = none */
    struct cost c = { .st = st, .pc = pair_cost(st, k->kv, k->nkv),
                      .rmax = p->edges && p->nbins ? p->edges[p->nbins] : e->bins.max,
                      .n = (double)p->n, .workers = (double)k->threads * k->ranks,
                      .extra = st->extra_bytes ? (double)st->extra_bytes(p, k) : 0 };
    return 10.0 * model_seconds(e, &c) + 60.0;
}

double pb_estimate_timeout_s(const struct pb_experiment *e, const struct pb_run *run)
{
    if (e->timeout_set)
        return e->timeout_s;          /* as configured; 0 = none */
    return 10.0 * pb_estimate_seconds(e, run) + 60.0;
}

/* Writes "estimated E s > timeout_s T s" into why, E with the fewest decimals (up to 6) that
 * still read above T: never "2 s > 2 s" for an estimate of 2.25 s. */
static void format_beyond(char *why, size_t cap, double est, double timeout)
{
    char num[64];
    int digits = 0;
    do
        snprintf(num, sizeof num, "%.*f", digits, est);
    while (strtod(num, NULL) <= timeout && ++digits <= 6);
    snprintf(why, cap, "estimated %s s > timeout_s %g s", num, timeout);
}

int pb_estimate_beyond_timeout(const struct pb_experiment *e, const struct pb_run *run,
                               char *why, size_t cap)
{
    const struct pb_strategy_cfg *sc = &e->strategies[run->strategy];
    int modelled = sc->strategy->cost.model == PB_COST_ALL_PAIRS &&
                   pair_cost(sc->strategy, sc->kv, sc->nkv) > 0;
    if (!(e->timeout_set && e->timeout_s > 0 && modelled &&
          pb_estimate_seconds(e, run) > e->timeout_s))
        return 0;
    if (why)
        format_beyond(why, cap, pb_estimate_seconds(e, run), e->timeout_s);
    return 1;
}
