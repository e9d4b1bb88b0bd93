/* error.c — a strategy that fails cleanly: a negative errno (default -EIO) with a note. */
#include "strategies.h"

#include <errno.h>
#include <stdio.h>

static const struct pb_param_spec params[] = {
    { .name = "errno", .def = "5", .help = "the errno to return, negated (95: ENOTSUP)" },
    { 0 },
};

/* Returns -errno and explains in out->note. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    (void)p;
    snprintf(out->note, sizeof out->note, "simulated device failure");
    return -(int)pbts_long(k, "errno", EIO);
}

const struct pb_strategy pb_test_strategy_error = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-error",
    .summary = "returns a negative errno (default -EIO) with a note",
    .params = params,
    .run = run,
};
