/* unoptimised.c — a correct plugin built the way a comparison must not be: without
 * optimisation and for the plain x86-64 baseline (tests/CMakeLists.txt adds -O0
 * -march=x86-64). bench loads it, warns, and records why its times are not comparable. */
#include "pairkern.h"

/* Unique pairs counted serially, or the full matrix; double precision only. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)prm;
    if (p->precision != PB_PRECISION_DOUBLE) {
        snprintf(out->note, sizeof out->note, "double only");
        return -ENOTSUP;
    }
    if (p->output == PB_OUTPUT_MATRIX) {
        int err = pb_matrix_alloc(out, p->n, sizeof(double), 0);
        for (size_t i = 0; !err && i < p->n; i++)
            for (size_t j = 0; j < p->n; j++)
                ((double *)out->matrix)[i * p->n + j] = pb_distance(p, i, j);
        return err;
    }
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = i + 1; j < p->n; j++) {
            long b = pb_bin_search(p->edges, p->nbins, pb_distance(p, i, j));
            if (b >= 0)
                out->counts[b]++;
        }
    return 0;
}

static const struct pb_strategy slow = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "unoptimised",
    .summary = "serial pairs, built at -O0 for x86-64",
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};

const struct pb_strategy *const pb_plugin_strategies[] = {&slow, NULL};
