/* pairkern.h — the inner loops every strategy shares, so that strategies differ only in how they
 * split and schedule work. Everything here is static inline: a plugin gets it by including it.
 */
#ifndef PAIRBENCH_PAIRKERN_H
#define PAIRBENCH_PAIRKERN_H

#include "strategy.h"

#include <errno.h>
#include <math.h>
#include <sys/mman.h>

/* Maps a zero-filled, untouched n*n matrix of elem-byte entries into out. shared: 1 makes the
 * mapping MAP_SHARED so forked children write it directly. Asks for transparent huge pages;
 * the pages are first touched by whoever writes them. Returns 0 or -errno. */
static inline int pb_matrix_alloc(struct pb_output *out, size_t n, size_t elem, int shared)
{
    size_t bytes = n * n * elem;
    if (bytes == 0)
        bytes = elem;               /* n = 0 still gets a valid mapping to release */
    int flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (m == MAP_FAILED)
        return -errno;
#ifdef MADV_HUGEPAGE
    (void)madvise(m, bytes, MADV_HUGEPAGE);   /* advisory: absent THP is not an error */
#endif
    out->matrix = m;
    out->matrix_bytes = bytes;
    return 0;
}

/* The bin of distance r: k with edges[k] <= r < edges[k+1], or -1 outside [edges[0], edges[nbins]).
 * Binary search: the plain, obviously correct reference. */
static inline long pb_bin_search(const double *edges, size_t nbins, double r)
{
    if (!(r >= edges[0]) || !(r < edges[nbins]))
        return -1;
    size_t lo = 0, hi = nbins;      /* invariant: edges[lo] <= r < edges[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r >= edges[mid])
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

/* Minimum-image separation along one axis of a periodic box of side L (L > 0). */
static inline double pb_min_image(double d, double L)
{
    d = fabs(d);
    return d > 0.5 * L ? L - d : d;
}

#endif
