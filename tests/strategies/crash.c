/* crash.c — a strategy that dies of SIGSEGV, as a buggy one would: a store through NULL. */
#include "strategies.h"

static int *volatile nowhere;          /* volatile: the compiler cannot see it stays NULL */

/* Writes through a null pointer. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    (void)p;
    (void)k;
    (void)out;
    *nowhere = 1;
    return 0;
}

const struct pb_strategy pb_test_strategy_crash = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-crash",
    .summary = "dies of SIGSEGV",
    .run = run,
};
