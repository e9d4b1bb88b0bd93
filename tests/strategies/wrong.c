/* wrong.c — a strategy that returns a wrong answer: naive's, with one entry changed. */
#include "strategies.h"

#include "registry.h"

#include <errno.h>

/* Runs naive, then adds one pair to bin 0 or 1.0 to m[0,1]. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    const struct pb_strategy *naive = pb_registry_find("naive");
    int rc = naive ? naive->run(p, prm, out) : -ENOENT;
    if (rc)
        return rc;
    if (p->output == PB_OUTPUT_HISTOGRAM && p->nbins > 0)
        out->counts[0]++;
    if (p->output == PB_OUTPUT_MATRIX && p->n > 1)
        ((double *)out->matrix)[1] += 1.0;
    return 0;
}

const struct pb_strategy pb_test_strategy_wrong = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-wrong",
    .summary = "naive's answer with one entry off",
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
