/* spin.c — a strategy that burns a fixed amount of its own CPU time, whatever the speed of the
 * machine or how busy it is, for the CPU-load tests. */
#include "strategies.h"

#include <time.h>

static const struct pb_param_spec params[] = {
    { .name = "cpu_ms", .def = "200", .help = "CPU milliseconds to burn" }, { 0 }
};

/* This process's CPU time, seconds. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Spins until cpu_ms of CPU time have passed; leaves the output empty (no verification). */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p;
    (void)out;
    double until = cpu_now() + 1e-3 * (double)pbts_long(prm, "cpu_ms", 200);
    while (cpu_now() < until)
        ;
    return 0;
}

const struct pb_strategy pb_test_strategy_spin = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-spin",
    .summary = "burns a fixed CPU time",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
