/* problem.c — the bridge from experiment + points to the strategy's problem struct. */
#include "problem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Edge k of numpy.linspace(lo, hi, count + 1) for k < count: numpy's step (hi - lo) / count
 * times k, plus lo, each operation rounded once (the build has -ffp-contract=off, so no fused
 * multiply-add merges them). */
static double linspace_at(double lo, double hi, size_t count, size_t k)
{
    double step = (hi - lo) / (double)count;
    return (double)k * step + lo;
}

/* The count+1 edges of generated bins into e: numpy.linspace(min, max, count + 1), or for log
 * bins numpy.geomspace(min, max, count + 1), which is 10 ** linspace(log10(min), log10(max),
 * count + 1) with the first and last edges set to min and max. */
static void edges_generate(const struct pb_bin_spec *b, double *e)
{
    int log_scale = b->scale == PB_BINS_LOG;
    double lo = log_scale ? log10(b->min) : b->min, hi = log_scale ? log10(b->max) : b->max;
    for (size_t k = 0; k < b->count; k++) {
        double t = linspace_at(lo, hi, b->count, k);
        e[k] = log_scale ? pow(10.0, t) : t;
    }
    e[0] = b->min;                   /* geomspace sets both ends; linspace's first is lo */
    e[b->count] = b->max;
}

/* The listed edges of explicit bins into e, multiplied by max / (the last listed edge) when
 * max differs from it (an rmax sweep moves max), the last exactly max. */
static void edges_copy(const struct pb_bin_spec *b, double *e)
{
    double last = b->edges[b->count], f = b->max / last;
    for (size_t k = 0; k < b->count; k++)
        e[k] = b->max == last ? b->edges[k] : b->edges[k] * f;
    e[b->count] = b->max;
}

size_t pb_edges_unordered(const double *e, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (!(e[k] > e[k - 1]))
            return k;
    return n;
}

int pb_edges_make(const struct pb_bin_spec *b, double **edges)
{
    int explicit = b->scale == PB_BINS_EXPLICIT;
    if (b->count == 0 || !(b->max > b->min) || (b->scale == PB_BINS_LOG && !(b->min > 0)) ||
        (explicit && !b->edges))
        return -EINVAL;
    double *e = malloc((b->count + 1) * sizeof *e);
    if (!e)
        return -ENOMEM;
    if (explicit)
        edges_copy(b, e);
    else
        edges_generate(b, e);
    if (pb_edges_unordered(e, b->count + 1) <= b->count) {
        free(e);
        return -EINVAL;              /* bins narrower than double spacing */
    }
    *edges = e;
    return 0;
}

void pb_problem_init(struct pb_problem *p, const struct pb_experiment *e,
                     const struct pb_points *pts, size_t n, const double *edges)
{
    *p = (struct pb_problem){
        .n = n,
        .precision = e->precision,
        .box = e->periodic,
        .output = e->output,
        .nbins = e->output == PB_OUTPUT_HISTOGRAM ? e->bins.count : 0,
        .edges = edges,
        .scale = e->bins.scale,
    };
    if (!pts || n == 0)
        return;
    p->x = pts->x, p->y = pts->y, p->z = pts->z;
    p->xf = pts->xf, p->yf = pts->yf, p->zf = pts->zf;
}

double pb_pairs(size_t n)
{
    return n < 2 ? 0.0 : (double)n * (double)(n - 1) / 2.0;
}
