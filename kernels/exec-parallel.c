/* exec-parallel.c — an external command that takes its worker count ({threads}), swept over the
 * config's thread counts like any parallel strategy: the study's multiprocessing.Pool.map.
 * Everything else is kernels/support/exec.h, shared with the serial exec strategy. */
#include "exec.h"

/* One run of the configured command with prm->threads workers. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    return pb_exec_run(p, prm, out, 1);
}

const struct pb_strategy pb_strategy_exec_parallel = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "exec-parallel",
    .summary = "external command given {threads} workers (multiprocessing.Pool.map baseline)",
    .flags = PB_EXTERNAL,
    .params = pb_exec_params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost_of = pb_exec_cost_factor },
};
