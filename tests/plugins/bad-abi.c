/* bad-abi.c — a plugin that claims another strategy ABI version; bench must refuse it. */
#include "strategy.h"

#include <errno.h>

/* Never called: the loader refuses the plugin before any run. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p, (void)prm, (void)out;
    return -ENOTSUP;
}

static const struct pb_strategy future = {
    .abi_version = 999,              /* as if built against a newer strategy.h */
    .name = "from-the-future",
    .summary = "built for another ABI",
    .run = run,
};

const struct pb_strategy *const pb_plugin_strategies[] = {&future, NULL};
