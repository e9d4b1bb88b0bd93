/* hang.c — a strategy that never returns, for the timeout path. */
#include "strategies.h"

#include <unistd.h>

static const struct pb_param_spec params[] = { PBTS_RECORD_PARAM, { 0 } };

/* Records its pid, then sleeps forever. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p;
    (void)out;
    pbts_record(prm, "%s %ld\n", "pid", (long)getpid());
    for (;;)
        pause();
    return 0;                          /* not reached */
}

const struct pb_strategy pb_test_strategy_hang = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-hang",
    .summary = "sleeps forever",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
