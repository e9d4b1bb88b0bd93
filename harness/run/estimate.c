/* estimate.c — the time model (see estimate.h). It orders nothing and measures nothing: it
 * sizes ETAs, sets the default timeout and skips brute-force runs that could not finish within
 * an explicit timeout_s. It is not a result. */
#include "estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pair distances a spatial strategy (PB_HISTOGRAM_ONLY: grid, tree) is expected to evaluate: the
 * pairs within the last edge rmax (the entry's, in an "rmax" sweep) for points uniform in the
 * box (the periodic side, else the input's box), n(n-1)/2 * min(1, (4/3) pi rmax^3 / box^3),
 * times 6.4, what a cell list of side rmax evaluates per pair in range (27 cells / the sphere's
 * volume), capped at every pair, plus 10 pair-costs per point for building the structure.
 * Clustered inputs have more pairs in range than this uniform figure. */
static double spatial_evals(const struct pb_experiment *e, double rmax, double n, double pairs)
{
    double box = e->periodic > 0 ? e->periodic : e->input.box > 0 ? e->input.box : 1000.0;
    double frac = 4.0 / 3.0 * M_PI * rmax * rmax * rmax / (box * box * box);
    double evals = pairs * 6.4 * (frac < 1 ? frac : 1);
    return (evals < pairs ? evals : pairs) + 10.0 * n;
}

/* The strategy's "cost_factor" parameter (exec: seconds per pair as a multiple of serial
 * naive's), or 0 when it has none or it is not a positive number. */
static double cost_factor(const struct pb_strategy_cfg *sc)
{
    struct pb_params k = {.kv = sc->kv, .nkv = sc->nkv};
    const char *v = pb_param(&k, "cost_factor");
    double f = v ? strtod(v, NULL) : 0;
    return f > 0 ? f : 0;
}

/* A rough, documented model for the plan: 2e8 unique pairs/s per thread for histograms (with a
 * tenth of that for serial naive, which bins by binary search, and a cost_factor-th of naive's
 * per thread for a strategy that declares one), matrix output at 1 GB/s of first touch, and
 * 2 ms of fixed cost per run. Spatial strategies evaluate only the pairs spatial_evals()
 * expects, at the same rate. It sizes ETAs and skips runs that would exceed timeout_s. */
double pb_estimate_seconds(const struct pb_experiment *e, const struct pb_run *run)
{
    const struct pb_strategy *st = e->strategies[run->strategy].strategy;
    double n = (double)run->n, pairs = n * (n - 1) / 2;
    double rate = 2e8 * run->threads * run->ranks, cf = cost_factor(&e->strategies[run->strategy]);
    if ((st->flags & PB_HISTOGRAM_ONLY) && e->output == PB_OUTPUT_HISTOGRAM)
        pairs = spatial_evals(e, e->strategies[run->strategy].rmax > 0
                                     ? e->strategies[run->strategy].rmax : e->bins.max, n, pairs);
    if (strcmp(st->name, "naive") == 0)
        rate = 2e7;
    if (cf > 0)
        rate = 2e7 / cf * run->threads * run->ranks;
    double t = pairs / rate + 0.002;
    if (e->output == PB_OUTPUT_MATRIX)
        t += n * n * 8.0 / 1e9;
    return t;
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
    const struct pb_strategy *st = e->strategies[run->strategy].strategy;
    int modelled = !(st->flags & (PB_HISTOGRAM_ONLY | PB_EXTERNAL)) ||
                   ((st->flags & PB_EXTERNAL) && cost_factor(&e->strategies[run->strategy]) > 0);
    if (!(e->timeout_set && e->timeout_s > 0 && modelled &&
          pb_estimate_seconds(e, run) > e->timeout_s))
        return 0;
    if (why)
        format_beyond(why, cap, pb_estimate_seconds(e, run), e->timeout_s);
    return 1;
}
