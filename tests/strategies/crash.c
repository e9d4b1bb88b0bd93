/* crash.c — a strategy that dies of a signal, as a buggy one would: by default a store through
 * NULL (SIGSEGV); with "signal" set, it raises that signal number (e.g. 9 to play an OOM kill). */
#include "strategies.h"

#include <signal.h>

static const struct pb_param_spec params[] = {
    { .name = "signal", .def = "", .help = "signal number to raise instead of a NULL store" },
    { 0 },
};

static int *volatile nowhere;          /* volatile: the compiler cannot see it stays NULL */

/* Raises the configured signal, or writes through a null pointer. */
/* no_sanitize: the null store must reach the kernel as SIGSEGV, not as a UBSan report. */
__attribute__((no_sanitize("null")))
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p;
    (void)out;
    long sig = pbts_long(prm, "signal", 0);
    if (sig > 0)
        raise((int)sig);
    *nowhere = 1;
    return 0;
}

const struct pb_strategy pb_test_strategy_crash = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-crash",
    .summary = "dies of SIGSEGV, or of the signal configured",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
