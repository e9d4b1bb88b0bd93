/* error.c — a strategy that fails cleanly: a negative errno (default -EIO) with a note. */
#include "strategies.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct pb_param_spec params[] = {
    { .name = "errno", .def = "5", .help = "the errno to return, negated (95: ENOTSUP)" },
    { .name = "long_note", .def = "0", .help = "1: a note as long as out->note holds" },
    { 0 },
};

/* Returns -errno and explains in out->note (with long_note, 255 bytes of it). */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p;
    snprintf(out->note, sizeof out->note, "simulated device failure");
    if (pbts_long(prm, "long_note", 0)) {
        size_t start = strlen(out->note), i = start;
        for (; i + 1 < sizeof out->note; i++)
            out->note[i] = " detail"[(i - start) % 7];
        out->note[i] = '\0';
    }
    return -(int)pbts_long(prm, "errno", EIO);
}

const struct pb_strategy pb_test_strategy_error = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "test-error",
    .summary = "returns a negative errno (default -EIO) with a note",
    .params = params,
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
