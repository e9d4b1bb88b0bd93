/* bad-name.c — a plugin whose strategy's name is not a valid label ("fast*"): bench must
 * refuse it when it is loaded, not crash when a config names it. Built with PBT_BAD_SUMMARY,
 * its name is fine but its summary holds a terminal escape sequence, which `bench --list`
 * would print: refused too. */
#include "strategy.h"

#include <errno.h>

/* Never called: the loader refuses the plugin before any run. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p, (void)prm, (void)out;
    return -ENOTSUP;
}

static const struct pb_strategy fast = {
    .abi_version = PB_STRATEGY_ABI,
#ifdef PBT_BAD_SUMMARY
    .name = "fast",
    .summary = "sets the terminal's title: \033]0;pwned\007",
#else
    .name = "fast*",
    .summary = "a name no label may have",
#endif
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};

const struct pb_strategy *const pb_plugin_strategies[] = {&fast, NULL};
