/* pk_hist.h — per-worker histogram blocks: PB_HIST_LANES sub-histograms of nbins+2 extended
 * bins (see struct pb_bins in pk_bins.h) per worker, padded to whole cache lines so two
 * workers' counters never share a line, and their reduction into the nbins counts. Part of
 * pairkern.h. */
#ifndef PAIRBENCH_PK_HIST_H
#define PAIRBENCH_PK_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    PB_HIST_LANES = 4,               /* sub-histograms, so neighbouring pairs rarely hit the
                                        same counter back to back */
    PB_CACHE_LINE = 64               /* padding unit against false sharing */
};

/* Bytes of one worker's histogram block (a multiple of the cache line). */
static inline size_t pb_hist_bytes(size_t nbins)
{
    size_t b = PB_HIST_LANES * (nbins + 2) * sizeof(uint64_t);
    return (b + PB_CACHE_LINE - 1) / PB_CACHE_LINE * PB_CACHE_LINE;
}

/* nworkers zeroed, cache-line-aligned histogram blocks; free() releases them. NULL when out of
 * memory. Worker w's block starts at (char *)result + w * pb_hist_bytes(nbins). */
static inline uint64_t *pb_hist_alloc(size_t nbins, size_t nworkers)
{
    size_t bytes = pb_hist_bytes(nbins) * (nworkers ? nworkers : 1);
    void *h = NULL;
    if (posix_memalign(&h, PB_CACHE_LINE, bytes))
        return NULL;
    memset(h, 0, bytes);
    return h;
}

/* Worker w's block within a pb_hist_alloc result. */
static inline uint64_t *pb_hist_block(uint64_t *all, size_t nbins, size_t w)
{
    return (uint64_t *)((char *)all + w * pb_hist_bytes(nbins));
}

/* Adds one worker's block (all lanes, in-range bins only) into counts[nbins]. */
static inline void pb_hist_reduce(const uint64_t *block, size_t nbins, uint64_t *counts)
{
    for (size_t l = 0; l < PB_HIST_LANES; l++)
        for (size_t k = 0; k < nbins; k++)
            counts[k] += block[l * (nbins + 2) + k + 1];
}

#endif
