/* exec.c — an external command as a strategy, run once per n at 1 thread: for baselines that
 * do not take a worker count (scipy cdist, pdist + numpy.histogram). See kernels/exec.h for the
 * command template, the files exchanged and the exit-77 "skipped" convention. A command that
 * takes {threads} is refused here; it belongs to exec-parallel, which is swept over threads. */
#include "exec.h"

/* One serial run of the configured command. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    return exec_run(p, k, out, 0);
}

const struct pb_strategy pb_strategy_exec = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "exec",
    .summary = "external command (scipy and other baselines), run once per n; see kernels/exec.h",
    .flags = PB_EXTERNAL | PB_SERIAL,
    .params = exec_params,
    .run = run,
};
