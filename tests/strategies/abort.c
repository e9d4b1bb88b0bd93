/* abort.c — a strategy that fails an assertion the way C code does: abort() and SIGABRT. */
#include "strategies.h"

#include <stdio.h>
#include <stdlib.h>

/* Says why on stderr (the runner keeps the last line), then aborts. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p;
    (void)prm;
    (void)out;
    fprintf(stderr, "test-abort: invariant broken\n");
    abort();
}

const struct pb_strategy pb_test_strategy_abort = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-abort",
    .summary = "aborts (SIGABRT) after a message on stderr",
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
