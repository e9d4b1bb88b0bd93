/* pk_dist.h — the distance of a pair: the one squared-distance expression (pb_d2, pb_d2_f), the
 * minimum image of periodic boxes, the reference distance (pb_distance) and the squared
 * distances of one point to a run of points (pb_row_d2), which every tile and matrix kernel
 * builds on. Part of pairkern.h (the umbrella); installed for plugins.
 *
 * Exactness. Histogram counts must equal naive's exactly, and naive bins r = sqrt(d2) with d2
 * from pb_d2: dx*dx + dy*dy + dz*dz evaluated left to right without contraction. Every kernel
 * computes d2 through pb_d2 (or pb_d2_f), so the expression exists once and every strategy, at
 * every kernel level (pk_dispatch.h), rounds it the same way bit for bit: same operations, same
 * order, no FMA (the build is ISO C, where gcc does not contract; clang is told so below, and
 * -ffp-contract=off is on everywhere). A pair's d2 is also the same whichever point comes first:
 * x_i - x_j is -(x_j - x_i) exactly, its square is the same, and the minimum image takes fabs.
 * The fast kernels then never take a square root: for each edge e_k they precompute t_k, the
 * smallest d2 with sqrt(d2) >= e_k. sqrt is correctly rounded and monotonic, so sqrt(d2) >= e_k
 * exactly when d2 >= t_k, and the bin follows from d2 alone (pk_bins.h). The matrix takes
 * sqrt(d2) with the vector square-root instruction, which rounds exactly like sqrt.
 *
 * Float runs compute d2 in float (pb_d2_f from xf/yf/zf) and compare it with the float
 * thresholds of the edges rounded to float: what a float naive loop would count. Against the
 * double reference a pair can change bin only when its distance lies within about
 * 8 * FLT_EPSILON * (coordinate scale) of an edge, about 1e-3 for coordinates up to 1000; for
 * n = 20000 uniform points in a 1000 box and 32 linear bins that moved 43 of 2e8 pairs (2e-7).
 * Float matrix entries are within the same absolute bound of the double ones.
 */
#ifndef PAIRBENCH_PK_DIST_H
#define PAIRBENCH_PK_DIST_H

#include "strategy.h"

#include <math.h>
#include <stddef.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF   /* d2 must round like naive's: no fused multiply-add */
#endif

/* The hot helpers and tile bodies are always inlined, so that each kernel level (x86-64,
 * x86-64-v3, x86-64-v4; pk_dispatch.h) compiles them anew for its own instruction set rather
 * than calling a copy built for the baseline. */
#define PB_ALWAYS_INLINE static inline __attribute__((always_inline))

enum {
    PB_TILE_J = 512                  /* j points per tile: 3 coordinates + d2 + keys fit L1 */
};

/* THE squared distance of a pair from its separations: dx*dx + dy*dy + dz*dz, left to right,
 * no contraction (see "Exactness" above). Every d2 in the kernels is this expression. */
PB_ALWAYS_INLINE double pb_d2(double dx, double dy, double dz)
{
    return dx * dx + dy * dy + dz * dz;
}

/* The float twin of pb_d2, for float-precision runs. */
PB_ALWAYS_INLINE float pb_d2_f(float dx, float dy, float dz)
{
    return dx * dx + dy * dy + dz * dz;
}

/* Minimum-image separation along one axis of a periodic box of side L (L > 0). */
PB_ALWAYS_INLINE double pb_min_image(double d, double L)
{
    d = fabs(d);
    return d > 0.5 * L ? L - d : d;
}

/* The float twin of pb_min_image, for float-precision runs. */
PB_ALWAYS_INLINE float pb_min_image_f(float d, float L)
{
    d = fabsf(d);
    return d > 0.5f * L ? L - d : d;
}

/* The reference distance of points i and j of p in double, minimum-image when p->box > 0:
 * sqrt(pb_d2). naive, the verifier and every test reference compute it here; the tile kernels
 * compute the same d2 in vector form. */
static inline double pb_distance(const struct pb_problem *p, size_t i, size_t j)
{
    double dx = p->x[i] - p->x[j], dy = p->y[i] - p->y[j], dz = p->z[i] - p->z[j];
    if (p->box > 0) {
        dx = pb_min_image(dx, p->box);
        dy = pb_min_image(dy, p->box);
        dz = pb_min_image(dz, p->box);
    }
    return sqrt(pb_d2(dx, dy, dz));
}

/* The float twin of pb_distance, from xf/yf/zf: what a float run computes for the pair. */
static inline float pb_distance_f(const struct pb_problem *p, size_t i, size_t j)
{
    float dx = p->xf[i] - p->xf[j], dy = p->yf[i] - p->yf[j], dz = p->zf[i] - p->zf[j];
    const float L = (float)p->box;
    if (L > 0) {
        dx = pb_min_image_f(dx, L);
        dy = pb_min_image_f(dy, L);
        dz = pb_min_image_f(dz, L);
    }
    return sqrtf(pb_d2_f(dx, dy, dz));
}

/* Squared distances from point i to points j0..j0+m of p into out[0..m): the loop every tile
 * and matrix kernel runs, vectorised by the compiler (one lane per j). */
PB_ALWAYS_INLINE void pb_row_d2(const struct pb_problem *p, size_t i, size_t j0, size_t m,
                                double *restrict out)
{
    const double *restrict x = p->x + j0, *restrict y = p->y + j0, *restrict z = p->z + j0;
    const double xi = p->x[i], yi = p->y[i], zi = p->z[i], L = p->box;
    if (L > 0) {
        for (size_t j = 0; j < m; j++)
            out[j] = pb_d2(pb_min_image(xi - x[j], L), pb_min_image(yi - y[j], L),
                           pb_min_image(zi - z[j], L));
        return;
    }
    for (size_t j = 0; j < m; j++)
        out[j] = pb_d2(xi - x[j], yi - y[j], zi - z[j]);
}

/* The float twin of pb_row_d2, from xf/yf/zf. */
PB_ALWAYS_INLINE void pb_row_d2_f(const struct pb_problem *p, size_t i, size_t j0, size_t m,
                                  float *restrict out)
{
    const float *restrict x = p->xf + j0, *restrict y = p->yf + j0, *restrict z = p->zf + j0;
    const float xi = p->xf[i], yi = p->yf[i], zi = p->zf[i], L = (float)p->box;
    if (L > 0) {
        for (size_t j = 0; j < m; j++)
            out[j] = pb_d2_f(pb_min_image_f(xi - x[j], L), pb_min_image_f(yi - y[j], L),
                             pb_min_image_f(zi - z[j], L));
        return;
    }
    for (size_t j = 0; j < m; j++)
        out[j] = pb_d2_f(xi - x[j], yi - y[j], zi - z[j]);
}

#endif
