/* pk_tile.h — the histogram kernels: squared distances from one point to a tile of points
 * (pb_row_d2, vectorised), their look-up-table indices (vectorised, a second pass over the tile
 * in L1), the counting into a worker's lanes, and the loops strategies call over rows of the
 * i<j triangle (pb_hist_rows) and over blocks of points (pb_hist_cross, pb_hist_self: cells and
 * tree leaves of the spatial strategies). Every public function here is multi-versioned
 * (pk_dispatch.h). Part of pairkern.h. */
#ifndef PAIRBENCH_PK_TILE_H
#define PAIRBENCH_PK_TILE_H

#include "pk_bins.h"
#include "pk_dispatch.h"
#include "pk_dist.h"
#include "pk_hist.h"

#include <stdint.h>

/* ---------------------------------------------------------------------------------------------
 * Tiles: squared distances from point i to points j0..j0+m (m <= PB_TILE_J) and their lut
 * indices, then their counts. Vectorised by the compiler, except the counting (a scatter).
 */

/* Lut indices of a tile's squared distances, the fast way when the table's cells are more than
 * 2^32 keys wide (double keys over a few decades of distance, the usual case): only the top 32
 * bits of d2 matter, and with shift >= 33 the key is below 2^31, so the index and its clamp fit
 * 32-bit lanes (AVX2 has no 64-bit min/max). The value is pb_bins_index's for every bit
 * pattern. Returns 0, doing nothing, when the table does not allow it. */
PB_ALWAYS_INLINE int pb_tile_index_wide(const struct pb_bins *b, size_t m,
                                        const double *restrict d2, int32_t *restrict idx)
{
    if (b->shift < 33)
        return 0;
    const unsigned sh = b->shift - 32;
    const int32_t base = (int32_t)(b->key_lo - 1), top = (int32_t)(b->ncells - 1);
    for (size_t j = 0; j < m; j++) {
        int32_t c = (int32_t)((uint32_t)(pb_bits(d2[j]) >> 32) >> sh) - base;
        c = c < 0 ? 0 : c;
        idx[j] = c > top ? top : c;
    }
    return 1;
}

/* Lut indices of a tile's m squared distances (see pb_bins_index). */
PB_ALWAYS_INLINE void pb_tile_index(const struct pb_bins *b, size_t m, const double *restrict d2,
                                    int32_t *restrict idx)
{
    if (pb_tile_index_wide(b, m, d2, idx))
        return;
    for (size_t j = 0; j < m; j++)
        idx[j] = pb_bins_index(b, pb_bits(d2[j]));
}

/* The float twin of pb_tile_index: float keys are 32 bits, so with shift >= 1 the key is below
 * 2^31 and the whole index fits 32-bit lanes (shift 0 means bins a few ulps wide: the general
 * path). */
PB_ALWAYS_INLINE void pb_tile_index_f(const struct pb_bins *b, size_t m, const float *restrict d2,
                                      int32_t *restrict idx)
{
    if (b->shift < 1) {
        for (size_t j = 0; j < m; j++)
            idx[j] = pb_bins_index(b, pb_bits_f(d2[j]));
        return;
    }
    const unsigned sh = b->shift;
    const int32_t base = (int32_t)(b->key_lo - 1), top = (int32_t)(b->ncells - 1);
    for (size_t j = 0; j < m; j++) {
        int32_t c = (int32_t)(pb_bits_f(d2[j]) >> sh) - base;
        c = c < 0 ? 0 : c;
        idx[j] = c > top ? top : c;
    }
}

/* Squared distances from point i to points j0..j0+m (m <= PB_TILE_J) into d2[] (pb_row_d2:
 * bit-identical to naive's), and their lut indices into idx[]. */
PB_ALWAYS_INLINE void pb_tile_d2_body(const struct pb_problem *p, const struct pb_bins *b,
                                      size_t i, size_t j0, size_t m, double *restrict d2,
                                      int32_t *restrict idx)
{
    pb_row_d2(p, i, j0, m, d2);
    pb_tile_index(b, m, d2, idx);  /* a second pass over the tile, in L1 */
}

/* pb_tile_d2_body at the best level (see "Kernel levels"). */
PB_KERN_DISPATCH(pb_tile_d2, (const struct pb_problem *p, const struct pb_bins *b, size_t i,
                              size_t j0, size_t m, double *restrict d2, int32_t *restrict idx),
                 (p, b, i, j0, m, d2, idx))

/* The float twin of pb_tile_d2, from xf/yf/zf. */
PB_ALWAYS_INLINE void pb_tile_d2_f_body(const struct pb_problem *p, const struct pb_bins *b,
                                        size_t i, size_t j0, size_t m, float *restrict d2,
                                        int32_t *restrict idx)
{
    pb_row_d2_f(p, i, j0, m, d2);
    pb_tile_index_f(b, m, d2, idx);
}

/* pb_tile_d2_f_body at the best level. */
PB_KERN_DISPATCH(pb_tile_d2_f, (const struct pb_problem *p, const struct pb_bins *b, size_t i,
                                size_t j0, size_t m, float *restrict d2, int32_t *restrict idx),
                 (p, b, i, j0, m, d2, idx))

/* Counts the tile's m squared distances into h (one worker's block, PB_HIST_LANES lanes):
 * consecutive pairs go to different lanes so their increments do not wait on each other. */
PB_ALWAYS_INLINE void pb_tile_count_body(const struct pb_bins *b, size_t m, const double *d2,
                                         const int32_t *idx, uint64_t *h)
{
    const size_t s = b->nbins + 2;
    const uint32_t *lut = b->lut;
    const double *t = b->t;
    uint64_t *h0 = h, *h1 = h + s, *h2 = h + 2 * s, *h3 = h + 3 * s;
    size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        h0[pb_bins_ext_lut(lut, t, idx[j], &d2[j])]++;
        h1[pb_bins_ext_lut(lut, t, idx[j + 1], &d2[j + 1])]++;
        h2[pb_bins_ext_lut(lut, t, idx[j + 2], &d2[j + 2])]++;
        h3[pb_bins_ext_lut(lut, t, idx[j + 3], &d2[j + 3])]++;
    }
    for (; j < m; j++)
        h0[pb_bins_ext_lut(lut, t, idx[j], &d2[j])]++;
}

/* pb_tile_count_body at the best level. */
PB_KERN_DISPATCH(pb_tile_count, (const struct pb_bins *b, size_t m, const double *d2,
                                 const int32_t *idx, uint64_t *h),
                 (b, m, d2, idx, h))

/* The float twin of pb_tile_count, against the float thresholds. */
PB_ALWAYS_INLINE void pb_tile_count_f_body(const struct pb_bins *b, size_t m, const float *d2,
                                           const int32_t *idx, uint64_t *h)
{
    const size_t s = b->nbins + 2;
    const uint32_t *lut = b->lut;
    const float *t = b->tf;
    uint64_t *h0 = h, *h1 = h + s, *h2 = h + 2 * s, *h3 = h + 3 * s;
    size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        h0[pb_bins_ext_lut_f(lut, t, idx[j], &d2[j])]++;
        h1[pb_bins_ext_lut_f(lut, t, idx[j + 1], &d2[j + 1])]++;
        h2[pb_bins_ext_lut_f(lut, t, idx[j + 2], &d2[j + 2])]++;
        h3[pb_bins_ext_lut_f(lut, t, idx[j + 3], &d2[j + 3])]++;
    }
    for (; j < m; j++)
        h0[pb_bins_ext_lut_f(lut, t, idx[j], &d2[j])]++;
}

/* pb_tile_count_f_body at the best level. */
PB_KERN_DISPATCH(pb_tile_count_f, (const struct pb_bins *b, size_t m, const float *d2,
                                   const int32_t *idx, uint64_t *h),
                 (b, m, d2, idx, h))

/* Histogram of the pairs (i, j), i in [i0, i1), i < j < n, into one worker's block h (from
 * pb_hist_alloc; extended bins, see pb_hist_reduce). Tiles j so the tile stays in L1 while
 * every row of the block sweeps it. Double and float runs get separate loops. */
PB_ALWAYS_INLINE void pb_hist_rows_d_body(const struct pb_problem *p, const struct pb_bins *b,
                                          size_t i0, size_t i1, uint64_t *h)
{
    _Alignas(64) double d2[PB_TILE_J];
    _Alignas(64) int32_t idx[PB_TILE_J];
    for (size_t jt = i0 + 1; jt < p->n; jt += PB_TILE_J) {
        size_t jend = jt + PB_TILE_J < p->n ? jt + PB_TILE_J : p->n;
        size_t iend = i1 < jend - 1 ? i1 : jend - 1;
        for (size_t i = i0; i < iend; i++) {
            size_t j0 = i + 1 > jt ? i + 1 : jt;
            pb_tile_d2_body(p, b, i, j0, jend - j0, d2, idx);
            pb_tile_count_body(b, jend - j0, d2, idx, h);
        }
    }
}

/* pb_hist_rows_d_body at the best level. */
PB_KERN_DISPATCH(pb_hist_rows_d, (const struct pb_problem *p, const struct pb_bins *b, size_t i0,
                                  size_t i1, uint64_t *h),
                 (p, b, i0, i1, h))

/* The float twin of pb_hist_rows_d. */
PB_ALWAYS_INLINE void pb_hist_rows_f_body(const struct pb_problem *p, const struct pb_bins *b,
                                          size_t i0, size_t i1, uint64_t *h)
{
    _Alignas(64) float d2[PB_TILE_J];
    _Alignas(64) int32_t idx[PB_TILE_J];
    for (size_t jt = i0 + 1; jt < p->n; jt += PB_TILE_J) {
        size_t jend = jt + PB_TILE_J < p->n ? jt + PB_TILE_J : p->n;
        size_t iend = i1 < jend - 1 ? i1 : jend - 1;
        for (size_t i = i0; i < iend; i++) {
            size_t j0 = i + 1 > jt ? i + 1 : jt;
            pb_tile_d2_f_body(p, b, i, j0, jend - j0, d2, idx);
            pb_tile_count_f_body(b, jend - j0, d2, idx, h);
        }
    }
}

/* pb_hist_rows_f_body at the best level. */
PB_KERN_DISPATCH(pb_hist_rows_f, (const struct pb_problem *p, const struct pb_bins *b, size_t i0,
                                  size_t i1, uint64_t *h),
                 (p, b, i0, i1, h))

/* The histogram of rows [i0, i1) in p's precision (see pb_hist_rows_d). */
static inline void pb_hist_rows(const struct pb_problem *p, const struct pb_bins *b, size_t i0,
                                size_t i1, uint64_t *h)
{
    if (p->precision == PB_PRECISION_FLOAT)
        pb_hist_rows_f(p, b, i0, i1, h);
    else
        pb_hist_rows_d(p, b, i0, i1, h);
}

/* ---------------------------------------------------------------------------------------------
 * Blocks of points: the building block of the spatial strategies (cells, tree leaves), which
 * keep their points in one contiguous index range of a reordered copy of the problem. A pair's
 * d2 does not depend on which point comes first (pk_dist.h), so counts stay naive's.
 */

/* Histogram of the pairs (i, j), i in [i0, i1), j in [j0, j1), of p into worker block h; the
 * two ranges must not overlap. Each i sweeps the j block in L1-sized tiles. */
PB_ALWAYS_INLINE void pb_hist_cross_body(const struct pb_problem *p, const struct pb_bins *b,
                                         size_t i0, size_t i1, size_t j0, size_t j1, uint64_t *h)
{
    _Alignas(64) double d2[PB_TILE_J];
    _Alignas(64) float d2f[PB_TILE_J];
    _Alignas(64) int32_t idx[PB_TILE_J];
    int fl = p->precision == PB_PRECISION_FLOAT;
    for (size_t jt = j0; jt < j1; jt += PB_TILE_J) {
        size_t m = j1 - jt < PB_TILE_J ? j1 - jt : PB_TILE_J;
        for (size_t i = i0; i < i1; i++) {
            if (fl) {
                pb_tile_d2_f_body(p, b, i, jt, m, d2f, idx);
                pb_tile_count_f_body(b, m, d2f, idx, h);
            } else {
                pb_tile_d2_body(p, b, i, jt, m, d2, idx);
                pb_tile_count_body(b, m, d2, idx, h);
            }
        }
    }
}

/* pb_hist_cross_body at the best level. */
PB_KERN_DISPATCH(pb_hist_cross, (const struct pb_problem *p, const struct pb_bins *b, size_t i0,
                                 size_t i1, size_t j0, size_t j1, uint64_t *h),
                 (p, b, i0, i1, j0, j1, h))

/* Histogram of the pairs i < j with both in [i0, i1) into worker block h. */
PB_ALWAYS_INLINE void pb_hist_self_body(const struct pb_problem *p, const struct pb_bins *b,
                                        size_t i0, size_t i1, uint64_t *h)
{
    for (size_t i = i0; i + 1 < i1; i++)
        pb_hist_cross_body(p, b, i, i + 1, i + 1, i1, h);
}

/* pb_hist_self_body at the best level. */
PB_KERN_DISPATCH(pb_hist_self, (const struct pb_problem *p, const struct pb_bins *b, size_t i0,
                                size_t i1, uint64_t *h),
                 (p, b, i0, i1, h))

#endif
