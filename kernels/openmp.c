/* openmp.c — an OpenMP parallel loop over row blocks of equal work. The blocks are cut by pair
 * counts for the i<j triangle (by rows for the matrix) and handed out dynamically, one at a
 * time, so a thread slowed by a neighbour on the machine does not hold the others up. */
#include "team.h"

#include <omp.h>

enum { BLOCKS_PER_THREAD = 16 };     /* dynamic schedule granularity */

/* The parallel region: each thread pins itself when asked and counts into its own padded
 * block (none for the matrix); the team sums the blocks after the region. */
static void region(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out,
                   const struct pb_team *tm)
{
    const long nblocks = (long)((size_t)prm->threads * BLOCKS_PER_THREAD < p->n
                                ? (size_t)prm->threads * BLOCKS_PER_THREAD : p->n);
#pragma omp parallel num_threads(prm->threads)
    {
        int w = omp_get_thread_num();
        uint64_t *h = pb_team_hist(tm, (size_t)w);
        pb_team_pin(tm, w);
#pragma omp for schedule(dynamic, 1)
        for (long blk = 0; blk < nblocks; blk++)
            pb_work_rows(p, &tm->b, pb_split(p, (size_t)nblocks, (size_t)blk),
                         pb_split(p, (size_t)nblocks, (size_t)blk + 1), out, h);
    }
}

/* Prepares the team, runs the region, sums the histograms. The calling thread takes part in
 * the region, so pb_team_end restores its affinity when pinning moved it. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    struct pb_team tm;
    int err = pb_team_begin(&tm, p, prm, out, (size_t)prm->threads, 0);
    if (!err)
        region(p, prm, out, &tm);
    return pb_team_end(&tm, out, err);
}

const struct pb_strategy pb_strategy_openmp = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "openmp",
    .summary = "OpenMP parallel loop over row blocks of equal work, dynamic schedule",
    .run = run,
    .extra_bytes = pb_team_extra_bytes,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
