/* bad-pointer.c — plugins that hand over pointers bench must not follow: an entry that points
 * nowhere (built with -DPBT_BAD_ENTRY), a name that points nowhere (-DPBT_BAD_NAME), or a list
 * without its NULL terminator (-DPBT_NO_END). Each must be refused with a message, not a
 * crash. */
#include "strategy.h"

#include <errno.h>
#include <stdint.h>

/* Never called: the loader refuses the plugin before any run. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    (void)p, (void)prm, (void)out;
    return -ENOTSUP;
}

__attribute__((used)) static const struct pb_strategy wild = {
    .abi_version = PB_STRATEGY_ABI,
#ifdef PBT_BAD_NAME
    .name = (const char *)(uintptr_t)0x10,
#else
    .name = "wild",
#endif
    .summary = "hands over a bad pointer",
    .run = run,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};

#if defined(PBT_BAD_ENTRY)
const struct pb_strategy *const pb_plugin_strategies[] = {
    (const struct pb_strategy *)(uintptr_t)0x10, NULL};
#elif defined(PBT_NO_END)
const struct pb_strategy *const pb_plugin_strategies[1] = {&wild};
#else
const struct pb_strategy *const pb_plugin_strategies[] = {&wild, NULL};
#endif
