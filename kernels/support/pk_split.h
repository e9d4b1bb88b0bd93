/* pk_split.h — how the work is cut between workers: the i<j triangle into parts of (nearly)
 * equal pair counts for histograms, rows evenly for the matrix. Rows [0, i) of the triangle hold
 * i*(n-1) - i*(i-1)/2 pairs. Part of pairkern.h. */
#ifndef PAIRBENCH_PK_SPLIT_H
#define PAIRBENCH_PK_SPLIT_H

#include "strategy.h"

#include <stddef.h>
#include <stdint.h>

/* Pairs i<j with i in rows [0, i). */
static inline uint64_t pb_tri_pairs_before(size_t n, size_t i)
{
    uint64_t a = i, m = n;
    return i == 0 ? 0 : a * (m - 1) - a * (a - 1) / 2;
}

/* First row of part w when the triangle's pairs are cut into parts of (nearly) equal pair
 * counts: the smallest i with pairs_before(i) >= w * total / parts. part w = [row(w), row(w+1)). */
static inline size_t pb_tri_split(size_t n, size_t parts, size_t w)
{
    if (w >= parts)
        return n;
    uint64_t total = pb_tri_pairs_before(n, n);
    unsigned __int128 want128 = (unsigned __int128)total * w / parts;
    uint64_t want = (uint64_t)want128;
    size_t lo = 0, hi = n;          /* invariant: pairs_before(hi) >= want */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pb_tri_pairs_before(n, mid) >= want)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* First row of part w when rows are cut evenly (the matrix: every row costs the same). */
static inline size_t pb_row_split(size_t n, size_t parts, size_t w)
{
    return w >= parts ? n : (size_t)((unsigned __int128)n * w / parts);
}

/* First row of part w for p's output: by pairs for histograms, by rows for the matrix. */
static inline size_t pb_split(const struct pb_problem *p, size_t parts, size_t w)
{
    return p->output == PB_OUTPUT_HISTOGRAM ? pb_tri_split(p->n, parts, w)
                                            : pb_row_split(p->n, parts, w);
}

#endif
