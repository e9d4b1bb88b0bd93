/* blocked.c — serial and cache-tiled: the shared tile kernels of pairkern.h on one core, the
 * single-thread baseline the parallel strategies' speedups are read against. */
#include "pairkern.h"

/* Computes p in one pass over row blocks; the tiles inside pb_hist_rows keep the j points in L1.
 * Histogram counts are accumulated in a private block and added to out->counts at the end. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    (void)k;
    struct pb_bins b;
    int err = pb_prepare(p, out, &b, 0);
    if (err)
        return err;
    if (p->output == PB_OUTPUT_MATRIX) {
        pb_matrix_rows(p, 0, p->n, out->matrix, 0);
        return 0;
    }
    uint64_t *h = pb_hist_alloc(p->nbins, 1);
    if (!h) {
        pb_bins_free(&b);
        return -ENOMEM;
    }
    pb_hist_rows(p, &b, 0, p->n, h);
    pb_hist_reduce(h, p->nbins, out->counts);
    free(h);
    pb_bins_free(&b);
    return 0;
}

const struct pb_strategy pb_strategy_blocked = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "blocked",
    .summary = "serial, cache-tiled; histogram binned from squared distances without sqrt",
    .flags = PB_SERIAL,
    .run = run,
};
