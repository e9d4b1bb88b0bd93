/* problem.c — the bridge from experiment + points to the strategy's problem struct. */
#include "problem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int pb_edges_make(const struct pb_bin_spec *b, double **edges)
{
    if (b->count == 0 || !(b->max > b->min) || (b->scale == PB_BINS_LOG && !(b->min > 0)))
        return -EINVAL;
    double *e = malloc((b->count + 1) * sizeof *e);
    if (!e)
        return -ENOMEM;
    for (size_t k = 0; k <= b->count; k++) {
        double f = (double)k / (double)b->count;
        e[k] = b->scale == PB_BINS_LOG ? b->min * pow(b->max / b->min, f)
                                        : b->min + f * (b->max - b->min);
    }
    e[0] = b->min;
    e[b->count] = b->max;             /* no rounding drift at the ends */
    for (size_t k = 0; k < b->count; k++)
        if (!(e[k] < e[k + 1])) {
            free(e);
            return -EINVAL;           /* bins narrower than double spacing */
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
