/* exec.c — an external command as a strategy, run once per n at 1 thread: for baselines that
 * do not take a worker count (scipy cdist, pdist + numpy.histogram). See kernels/support/exec.h for the
 * command template, the files exchanged and the exit-77 "skipped" convention. A command that
 * takes {threads} is refused here; it belongs to exec-parallel, which is swept over threads.
 * This file also holds the template check the config loader runs (exec-check.h). */
#include "exec.h"
#include "exec-check.h"

#include <errno.h>
#include <stdio.h>

extern const struct pb_strategy pb_strategy_exec_parallel;

/* One serial run of the configured command. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    return pb_exec_run(p, prm, out, 0);
}

const struct pb_strategy pb_strategy_exec = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "exec",
    .summary = "external command (scipy and other baselines), run once per n; see kernels/support/exec.h",
    .flags = PB_EXTERNAL | PB_SERIAL,
    .params = pb_exec_params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost_of = pb_exec_cost_factor },
};

int pb_exec_check_command(const struct pb_strategy *s, const char *command, char *why,
                          size_t size)
{
    if (s != &pb_strategy_exec && s != &pb_strategy_exec_parallel)
        return 0;
    return pb_exec_template_check(command, s == &pb_strategy_exec_parallel, why, size);
}

int pb_exec_check_tasks(const struct pb_strategy *s, const char *tasks, char *why, size_t size)
{
    if (!(s->flags & PB_EXTERNAL) || !tasks || pb_exec_tasks_valid(tasks))
        return 0;
    snprintf(why, size, "%s: tasks takes rows, workers or a positive count, got \"%.60s\"",
             s->name, tasks);
    return -EINVAL;
}
