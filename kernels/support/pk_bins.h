/* pk_bins.h — binning of squared distances without a square root: the thresholds t_k (the
 * smallest d2 that reaches edge k), the look-up table on the top bits of d2's IEEE pattern that
 * turns a d2 into its bin, and the plain binary search on the edges that the tests use as the
 * reference. Built once per run, shared read-only by every worker. Why binning d2 against t_k
 * equals binning sqrt(d2) against the edges: "Exactness" in pk_dist.h. Part of pairkern.h.
 *
 * The bin of d2 is a table look-up on the top bits of d2's IEEE pattern (a piecewise
 * logarithmic index that suits linear and logarithmic edges alike); the few cells that hold a
 * t_k are flagged, and only pairs landing there compare d2 with the thresholds.
 */
#ifndef PAIRBENCH_PK_BINS_H
#define PAIRBENCH_PK_BINS_H

#include "pk_dist.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    PB_LUT_CAP = 32768               /* most table cells: fine enough that few pairs land in a
                                        cell holding a threshold (the slow, branchy path); the
                                        cells real distances visit stay in L1/L2 */
};

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

/* ---------------------------------------------------------------------------------------------
 * Thresholds: the smallest squared distance that reaches an edge.
 */

/* The smallest double t >= 0 with sqrt(t) >= e: sqrt(d2) >= e  <=>  d2 >= t for every d2 >= 0.
 * Starts at e*e (within an ulp or two) and steps to the boundary. */
static inline double pb_threshold(double e)
{
    if (!(e > 0))
        return 0.0;                 /* every distance reaches an edge at or below zero */
    double t = e * e;
    if (sqrt(t) >= e) {
        while (t > 0 && sqrt(nextafter(t, 0.0)) >= e)
            t = nextafter(t, 0.0);
    } else {
        while (sqrt(t) < e)
            t = nextafter(t, INFINITY);
    }
    return t;
}

/* The float twin: the smallest float t >= 0 with sqrtf(t) >= e. */
static inline float pb_threshold_f(float e)
{
    if (!(e > 0))
        return 0.0f;
    float t = e * e;
    if (sqrtf(t) >= e) {
        while (t > 0 && sqrtf(nextafterf(t, 0.0f)) >= e)
            t = nextafterf(t, 0.0f);
    } else {
        while (sqrtf(t) < e)
            t = nextafterf(t, INFINITY);
    }
    return t;
}

/* The order-preserving integer image of a non-negative double or float (IEEE bit pattern). */
PB_ALWAYS_INLINE uint64_t pb_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* The float twin of pb_bits. */
PB_ALWAYS_INLINE uint32_t pb_bits_f(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* Binning of squared distances, built once per run and shared read-only by every worker.
 * An "extended bin" b counts the thresholds at or below d2: b = 0 is below edges[0],
 * b = 1..nbins is bin b-1, b = nbins+1 is at or beyond the last edge. */
struct pb_bins {
    size_t nbins;                    /* histogram bins */
    double *t;                       /* nbins+2 thresholds; t[nbins+1] is NaN, never reached */
    float *tf;                       /* the same in float (float runs), else NULL */
    uint32_t *lut;                   /* per cell: thresholds at or below the cell's lowest key,
                                        | PB_LUT_AMBIG when a threshold lies inside the cell */
    int64_t key_lo;                  /* key of t[0]'s cell; lut[0] holds everything below it */
    int64_t ncells;                  /* lut entries, including one below and one above */
    unsigned shift;                  /* key = bit pattern >> shift */
    int steps;                       /* most thresholds inside one cell (1 when well spread) */
};

#define PB_LUT_AMBIG 0x80000000u      /* lut flag: compare d2 with the thresholds */

/* Lut entry c (c = 0 below, ncells-1 above) from threshold keys tk[0..nt). */
static inline void pb_bins_fill(struct pb_bins *b, const uint64_t *tk, size_t nt)
{
    size_t below = 0;
    int steps = 0;
    b->lut[0] = 0;
    b->lut[b->ncells - 1] = (uint32_t)nt;
    for (int64_t c = 0; c < b->ncells - 2; c++) {
        uint64_t lo = (uint64_t)(b->key_lo + c) << b->shift;
        uint64_t hi = lo + (((uint64_t)1 << b->shift) - 1);
        while (below < nt && tk[below] <= lo)
            below++;
        size_t upto = below;
        while (upto < nt && tk[upto] <= hi)
            upto++;
        b->lut[c + 1] = (uint32_t)below | (upto > below ? PB_LUT_AMBIG : 0);
        if ((int)(upto - below) > steps)
            steps = (int)(upto - below);
    }
    b->steps = steps;
}

/* Chooses the finest shift whose cells from tk[0] to tk[nt-1] fit PB_LUT_CAP, then fills the
 * table. bits: 64 for double keys, 32 for float. Returns 0 or -ENOMEM. */
static inline int pb_bins_table(struct pb_bins *b, const uint64_t *tk, size_t nt, unsigned bits)
{
    unsigned shift = 0;
    while (shift < bits - 1 && (int64_t)((tk[nt - 1] >> shift) - (tk[0] >> shift)) + 3 > PB_LUT_CAP)
        shift++;
    b->shift = shift;
    b->key_lo = (int64_t)(tk[0] >> shift);
    b->ncells = (int64_t)(tk[nt - 1] >> shift) - b->key_lo + 3;
    b->lut = malloc((size_t)b->ncells * sizeof *b->lut);
    if (!b->lut)
        return -ENOMEM;
    pb_bins_fill(b, tk, nt);
    return 0;
}

/* Releases what pb_bins_init allocated; safe on a zeroed or half-built struct. */
static inline void pb_bins_free(struct pb_bins *b)
{
    free(b->t);
    free(b->tf);
    free(b->lut);
    memset(b, 0, sizeof *b);
}

/* Builds the binning for p's edges, in p's precision: float runs use float thresholds of the
 * edges rounded to float, and float keys. Returns 0, -EINVAL without bins, or -ENOMEM. */
static inline int pb_bins_init(struct pb_bins *b, const struct pb_problem *p)
{
    size_t nt = p->nbins + 1;
    int fl = p->precision == PB_PRECISION_FLOAT;
    memset(b, 0, sizeof *b);
    if (p->nbins == 0 || !p->edges)
        return -EINVAL;
    b->nbins = p->nbins;
    b->t = malloc((nt + 1) * sizeof *b->t);
    b->tf = fl ? malloc((nt + 1) * sizeof *b->tf) : NULL;
    uint64_t *tk = malloc(nt * sizeof *tk);
    int err = -ENOMEM;
    if (!b->t || (fl && !b->tf) || !tk)
        goto out;
    for (size_t k = 0; k < nt; k++) {
        b->t[k] = pb_threshold(p->edges[k]);
        if (fl)
            b->tf[k] = pb_threshold_f((float)p->edges[k]);
        tk[k] = fl ? pb_bits_f(b->tf[k]) : pb_bits(b->t[k]);
    }
    b->t[nt] = NAN;                 /* d2 >= NaN is false: the top extended bin is final */
    if (fl)
        b->tf[nt] = NAN;
    /* A first edge at 0 (threshold <= 0) is passed by every d2 >= 0: the table then starts at
     * the next threshold, or it would span every exponent down to zero and flag most cells. */
    size_t first = nt > 2 && (fl ? b->tf[0] <= 0 : b->t[0] <= 0) ? 1 : 0;
    err = pb_bins_table(b, tk + first, nt - first, fl ? 32 : 64);
    for (int64_t c = 0; !err && first && c < b->ncells; c++)
        b->lut[c] += 1;             /* counts below the flag bit: t[0] is at or below every d2 */
out:
    free(tk);
    if (err)
        pb_bins_free(b);
    return err;
}

/* Bytes pb_bins_init holds at its peak for p (0 without bins): the thresholds (double, and
 * float for float runs), the threshold keys it builds them from, and the look-up table (at
 * most PB_LUT_CAP + 3 cells). For the memory estimates of strategies (extra_bytes). */
static inline size_t pb_bins_bytes(const struct pb_problem *p)
{
    if (p->output != PB_OUTPUT_HISTOGRAM || p->nbins == 0)
        return 0;
    size_t t = (p->nbins + 2) * (sizeof(double) + (p->precision == PB_PRECISION_FLOAT
                                                       ? sizeof(float) : 0));
    return t + (p->nbins + 1) * sizeof(uint64_t) + (PB_LUT_CAP + 3) * sizeof(uint32_t);
}

/* Lut index of a squared distance, given its bit pattern: clamped to the below/above cells.
 * Written branch-free so the tile loop vectorises. */
PB_ALWAYS_INLINE int32_t pb_bins_index(const struct pb_bins *b, uint64_t bits)
{
    int64_t c = (int64_t)(bits >> b->shift) - b->key_lo + 1;
    c = c < 0 ? 0 : c;
    c = c > b->ncells - 1 ? b->ncells - 1 : c;
    return (int32_t)c;
}

/* The scan for a pair in a cell that holds thresholds: from e, the NaN after the last threshold
 * stops it. Few pairs come here. */
static inline uint32_t pb_bins_scan(const double *t, uint32_t e, double d2)
{
    while (d2 >= t[e])
        e++;
    return e;
}

/* The float twin of pb_bins_scan. */
static inline uint32_t pb_bins_scan_f(const float *t, uint32_t e, float d2)
{
    while (d2 >= t[e])
        e++;
    return e;
}

/* Extended bin of *d2p from its lut entry (see struct pb_bins): a cell without a threshold
 * answers at once, without even loading d2 (a pointer, so the load stays on the rare path). */
PB_ALWAYS_INLINE uint32_t pb_bins_ext_lut(const uint32_t *lut, const double *t, int32_t idx,
                                          const double *d2p)
{
    uint32_t e = lut[idx];
    if (__builtin_expect(e & PB_LUT_AMBIG, 0)) {
        double d2 = *d2p;
        e = (e & ~PB_LUT_AMBIG) + (d2 >= t[e & ~PB_LUT_AMBIG]);
        e = d2 >= t[e] ? pb_bins_scan(t, e, d2) : e;
    }
    return e;
}

/* The float twin of pb_bins_ext_lut. */
PB_ALWAYS_INLINE uint32_t pb_bins_ext_lut_f(const uint32_t *lut, const float *t,
                                            int32_t idx, const float *d2p)
{
    uint32_t e = lut[idx];
    if (__builtin_expect(e & PB_LUT_AMBIG, 0)) {
        float d2 = *d2p;
        e = (e & ~PB_LUT_AMBIG) + (d2 >= t[e & ~PB_LUT_AMBIG]);
        e = d2 >= t[e] ? pb_bins_scan_f(t, e, d2) : e;
    }
    return e;
}

/* Extended bin of d2 given its lut index idx. */
static inline uint32_t pb_bins_ext(const struct pb_bins *b, int32_t idx, double d2)
{
    return pb_bins_ext_lut(b->lut, b->t, idx, &d2);
}

#endif
