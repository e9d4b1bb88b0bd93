/* estimate.h — the time model of a run: estimated seconds, the default timeout derived from
 * them, and the runs skipped because their estimate exceeds the configured timeout_s. Used by
 * the sweep (ETA, timeout, skip) and the dry run. The byte estimate is memory.h's. */
#ifndef PAIRBENCH_ESTIMATE_H
#define PAIRBENCH_ESTIMATE_H

#include "config.h"
#include "plan.h"

#include <stddef.h>

/* Estimated seconds for a run, from a deliberately simple model (see estimate.c). */
double pb_estimate_seconds(const struct pb_experiment *e, const struct pb_run *run);

/* The timeout of a run: timeout_s when the config sets it (0 = none), else a generous default
 * derived from the estimate: 10 x pb_estimate_seconds + 60 s. */
double pb_estimate_timeout_s(const struct pb_experiment *e, const struct pb_run *run);

/* The time limit of a reference (refset.h) computed by strategy st with k on p: timeout_s when
 * the config sets it (0 = none), else 10 x the model's estimate for it + 60 s, as a run's. */
double pb_estimate_reference_timeout_s(const struct pb_experiment *e, const struct pb_problem *p,
                                       const struct pb_strategy *st, const struct pb_params *k);

/* 1 when run's strategy declares every pair at a known cost (struct pb_cost: PB_COST_ALL_PAIRS
 * and a pair cost, declared or stated by the row's parameters such as exec's cost_factor; a
 * spatial strategy's near-pair count or an external program's unknown cost is not trusted)
 * and its estimate exceeds the config's explicit timeout_s: the sweep skips it with the estimate rather than let it be killed at the
 * timeout after costing it in full. why (NULL: not wanted) then gets "estimated S s >
 * timeout_s T s". Else 0. */
int pb_estimate_beyond_timeout(const struct pb_experiment *e, const struct pb_run *run,
                               char *why, size_t cap);

#endif
