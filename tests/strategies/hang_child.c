/* hang_child.c — a strategy whose forked child leaves the process group (setsid) and hangs,
 * while the parent hangs too: killing the run's process group alone would miss the child. */
#include "strategies.h"

#include <errno.h>
#include <unistd.h>

static const struct pb_param_spec params[] = { PBTS_RECORD_PARAM, { 0 } };

/* Forks the escaping child, records both pids once the child has left the group, hangs. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p;
    (void)out;
    int fds[2];
    char c;
    if (pipe(fds) != 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        setsid();
        pbts_record(prm, "%s %ld\n", "pid", (long)getpid());
        (void)!write(fds[1], "x", 1);
        for (;;)
            pause();
    }
    (void)!read(fds[0], &c, 1);
    pbts_record(prm, "%s %ld\n", "pid", (long)getpid());
    for (;;)
        pause();
}

const struct pb_strategy pb_test_strategy_hang_child = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-hang-child",
    .summary = "forks a child that escapes the process group; both hang",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
