/* config_strategies.h — the config's strategy sections, parsed in config_strategies.c for
 * config.c: "strategies" (names, labels and parameters), "rmax" (one entry per strategy and
 * value) and "verify" (which strategies check runs above naive). Used by config.c only. */
#ifndef PAIRBENCH_CONFIG_STRATEGIES_H
#define PAIRBENCH_CONFIG_STRATEGIES_H

#include "config_check.h"

/* "strategies" of root into c->e: required, non-empty; every (label, params) pair distinct.
 * Names are looked up in c->lk (the config's plugins loaded before). Returns 0 or a negative
 * errno with the message in c. */
int cfg_parse_strategies(struct cfg *c, json_t *root);

/* "rmax" of root: replaces every strategy entry by one per value (histogram output only). */
int cfg_parse_rmax(struct cfg *c, json_t *root);

/* "verify" of root: naive_max_n and the reference strategies above it. */
int cfg_parse_verify(struct cfg *c, json_t *root);

/* Releases what one strategy entry owns. */
void cfg_entry_free(struct pb_strategy_cfg *sc);

#endif
