/* openmp.c — an OpenMP parallel loop over row blocks of equal work. The blocks are cut by pair
 * counts for the i<j triangle (by rows for the matrix) and handed out dynamically, one at a
 * time, so a thread slowed by a neighbour on the machine does not hold the others up. */
#include "pairkern.h"

#include <omp.h>

enum { BLOCKS_PER_THREAD = 16 };     /* dynamic schedule granularity */

/* The parallel region: each thread pins itself when asked, counts into its own padded block,
 * and the blocks are summed after the region. hist is NULL for the matrix. */
static void region(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out,
                   const struct pb_bins *b, uint64_t *hist, const cpu_set_t *cpus)
{
    const long nblocks = (long)((size_t)k->threads * BLOCKS_PER_THREAD < p->n
                                ? (size_t)k->threads * BLOCKS_PER_THREAD : p->n);
#pragma omp parallel num_threads(k->threads)
    {
        int w = omp_get_thread_num();
        uint64_t *h = hist ? pb_hist_block(hist, p->nbins, (size_t)w) : NULL;
        if (cpus)
            (void)pb_pin_self(cpus, w);     /* pinning is a request: a refusal is not fatal */
#pragma omp for schedule(dynamic, 1)
        for (long blk = 0; blk < nblocks; blk++)
            pb_work_rows(p, b, pb_split(p, (size_t)nblocks, (size_t)blk),
                         pb_split(p, (size_t)nblocks, (size_t)blk + 1), out, h);
    }
}

/* Prepares the output, runs the region, sums the histograms. The calling thread takes part
 * in the region, so its affinity is restored afterwards when pinning moved it. */
static int run(const struct pb_problem *p, const struct pb_params *k, struct pb_output *out)
{
    struct pb_bins b;
    cpu_set_t cpus;
    int err = pb_prepare(p, out, &b, 0);
    if (err)
        return err;
    uint64_t *hist = NULL;
    if (p->output == PB_OUTPUT_HISTOGRAM && !(hist = pb_hist_alloc(p->nbins, (size_t)k->threads)))
        err = -ENOMEM;
    if (!err && k->pin)
        err = pb_cpus(&cpus);
    if (!err) {
        region(p, k, out, &b, hist, k->pin ? &cpus : NULL);
        for (int w = 0; hist && w < k->threads; w++)
            pb_hist_reduce(pb_hist_block(hist, p->nbins, (size_t)w), p->nbins, out->counts);
        if (k->pin)
            (void)pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus);
    }
    free(hist);
    pb_bins_free(&b);
    return err;
}

const struct pb_strategy pb_strategy_openmp = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "openmp",
    .summary = "OpenMP parallel loop over row blocks of equal work, dynamic schedule",
    .run = run,
};
