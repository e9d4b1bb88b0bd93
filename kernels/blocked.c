/* blocked.c — serial and cache-tiled: the shared tile kernels of pairkern.h on one core, the
 * single-thread baseline the parallel strategies' speedups are read against. */
#include "team.h"

/* Computes p in one pass over row blocks; the tiles inside pb_hist_rows keep the j points in L1.
 * Histogram counts are accumulated in one private block and added to out->counts at the end. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    struct pb_team tm;
    int err = pb_team_begin(&tm, p, prm, out, 1, 0);
    if (!err)
        pb_work_rows(p, &tm.b, 0, p->n, out, pb_team_hist(&tm, 0));
    return pb_team_end(&tm, out, err);
}

/* Bytes beyond the output: its one histogram block and the binning. */
static size_t extra_bytes(const struct pb_problem *p, const struct pb_params *prm)
{
    (void)prm;
    return pb_team_bytes(p, 1);
}

const struct pb_strategy pb_strategy_blocked = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "blocked",
    .summary = "serial, cache-tiled; histogram binned from squared distances without sqrt",
    .flags = PB_SERIAL,
    .run = run,
    .extra_bytes = extra_bytes,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
