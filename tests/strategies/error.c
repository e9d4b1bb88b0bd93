/* error.c — a strategy that fails cleanly: -EIO with a note saying why. */
#include "strategies.h"

#include <errno.h>
#include <stdio.h>

/* Returns -EIO and explains in out->note. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    (void)p;
    (void)k;
    snprintf(out->note, sizeof out->note, "simulated device failure");
    return -EIO;
}

const struct pb_strategy pb_test_strategy_error = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-error",
    .summary = "returns -EIO with a note",
    .run = run,
};
