/* example.c — a strategy kept outside the pairbench tree: rows handed out to an OpenMP team.
 *
 * It includes the installed pairkern.h (and through it strategy.h), exactly as an in-tree kernel
 * does, and exports pb_plugin_strategies, the NULL-terminated list bench --plugin registers.
 * Double precision only: a float problem is reported as skipped, not computed wrongly. */
#include "pairkern.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

/* The full matrix, one row per iteration; rows are equal work, so a static schedule. */
static int run_matrix(const struct pb_problem *p, const struct pb_params *prm,
                      struct pb_output *out)
{
    int err = pb_matrix_alloc(out, p->n, sizeof(double), 0);
    if (err)
        return err;
    double *m = out->matrix;
    long n = (long)p->n;
#pragma omp parallel for schedule(static) num_threads(prm->threads)
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++)
            m[i * n + j] = pb_distance(p, (size_t)i, (size_t)j);
    return 0;
}

/* Row i's pairs (i, j>i) into counts. */
static void count_row(const struct pb_problem *p, size_t i, uint64_t *counts)
{
    for (size_t j = i + 1; j < p->n; j++) {
        long b = pb_bin_search(p->edges, p->nbins, pb_distance(p, i, j));
        if (b >= 0)
            counts[b]++;
    }
}

/* Adds one thread's counts into the total, or marks the run failed when the thread had none
 * (its allocation failed). Called inside a critical section. */
static void merge(uint64_t *counts, const uint64_t *mine, size_t nbins, int *failed)
{
    if (!mine) {
        *failed = 1;
        return;
    }
    for (size_t b = 0; b < nbins; b++)
        counts[b] += mine[b];
}

/* Unique pairs counted per thread, rows dealt out dynamically (row i has n-1-i pairs), then the
 * threads' counts summed. */
static int run_histogram(const struct pb_problem *p, const struct pb_params *prm,
                         struct pb_output *out)
{
    int failed = 0;
    long n = (long)p->n;
#pragma omp parallel num_threads(prm->threads)
    {
        uint64_t *mine = calloc(p->nbins, sizeof *mine);
#pragma omp for schedule(dynamic, 16)
        for (long i = 0; i < n; i++)
            if (mine)
                count_row(p, (size_t)i, mine);
#pragma omp critical
        merge(out->counts, mine, p->nbins, &failed);
        free(mine);
    }
    return failed ? -ENOMEM : 0;
}

/* Double precision only; the rest is the two loops above. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    if (p->precision != PB_PRECISION_DOUBLE) {
        snprintf(out->note, sizeof out->note, "example-rows computes in double only");
        return -ENOTSUP;
    }
    return p->output == PB_OUTPUT_MATRIX ? run_matrix(p, prm, out) : run_histogram(p, prm, out);
}

static const struct pb_strategy example_rows = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "example-rows",
    .summary = "out-of-tree example: rows over an OpenMP team (kernels/plugin-example)",
    .run = run,
    /* for the time estimate: every pair, each a distance and a binary search like naive's */
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_NAIVE },
};

/* What bench --plugin looks up: every strategy this library provides, then NULL. */
const struct pb_strategy *const pb_plugin_strategies[] = {&example_rows, NULL};
