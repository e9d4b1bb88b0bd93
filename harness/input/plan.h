/* plan.h — an experiment unrolled into the ordered list of runs the sweep executes. */
#ifndef PAIRBENCH_PLAN_H
#define PAIRBENCH_PLAN_H

#include "config.h"

enum pb_run_kind {
    PB_RUN_MEASURED = 0,             /* counted in the summary */
    PB_RUN_WARMUP = 1,               /* measured and written, not counted */
    PB_RUN_OVERHEAD = 2              /* empty work (n = 0): fixed cost of the strategy */
};

struct pb_run {
    size_t strategy;                 /* index into experiment.strategies */
    size_t n;                        /* points (0 for overhead runs) */
    int threads;                     /* 1 for PB_SERIAL strategies */
    int ranks;                       /* 1 unless the strategy is distributed */
    int repeat;                      /* 0-based within its kind */
    enum pb_run_kind kind;
};

/* Builds the run list: overhead runs first (one per strategy and thread count), then for each n
 * in the config's order its warm-ups and repeats of every strategy × threads (× ranks), shuffled
 * within that n when e->order is random. *runs is malloc'd. Returns 0, or -ENOMEM for a plan of
 * more than 10^8 runs (refused before allocating) or one that cannot be allocated. */
int pb_plan_build(const struct pb_experiment *e, struct pb_run **runs, size_t *nruns);

#endif
