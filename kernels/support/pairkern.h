/* pairkern.h — the inner loops every strategy shares, so that strategies differ only in how they
 * split and schedule work. Everything here is static inline: a plugin gets it by including it.
 *
 * Exactness. Histogram counts must equal naive's exactly, and naive bins r = sqrt(d2) with
 * d2 = dx*dx + dy*dy + dz*dz evaluated left to right without contraction. The fast kernels
 * compute the same d2 bit for bit (same expression, same order, no FMA: the build is ISO C, where
 * gcc does not contract; clang is told so below) and never take a square root: for each edge e_k
 * they precompute t_k, the smallest d2 with sqrt(d2) >= e_k. sqrt is correctly rounded and
 * monotonic, so sqrt(d2) >= e_k exactly when d2 >= t_k, and the bin follows from d2 alone.
 * The bin of d2 is then a table look-up on the top bits of d2's IEEE pattern (a piecewise
 * logarithmic index that suits linear and logarithmic edges alike); the few cells that hold a
 * t_k are flagged, and only pairs landing there compare d2 with the thresholds.
 *
 * Float runs compute d2 in float from xf/yf/zf and compare it with the float thresholds of the
 * edges rounded to float: what a float naive loop would count. Against the double reference a
 * pair can change bin only when its distance lies within about 8 * FLT_EPSILON * (coordinate
 * scale) of an edge, about 1e-3 for coordinates up to 1000; for n = 20000 uniform points in a
 * 1000 box and 32 linear bins that moved 43 of 2e8 pairs (2e-7). Float matrix entries are
 * within the same absolute bound of the double ones.
 */
#ifndef PAIRBENCH_PAIRKERN_H
#define PAIRBENCH_PAIRKERN_H

#include "strategy.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifdef __AVX__
#include <immintrin.h>
#endif

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF   /* d2 must round like naive's: no fused multiply-add */
#endif

/* The hot helpers and tile bodies are always inlined, so that each kernel level below (x86-64,
 * x86-64-v3, x86-64-v4) compiles them anew for its own instruction set rather than calling a
 * copy built for the baseline. */
#define PB_ALWAYS_INLINE static inline __attribute__((always_inline))

enum {
    PB_TILE_J = 512,                 /* j points per tile: 3 coordinates + d2 + keys fit L1 */
    PB_HIST_LANES = 4,               /* sub-histograms, so neighbouring pairs rarely hit the
                                        same counter back to back */
    PB_LUT_CAP = 32768,              /* most table cells: fine enough that few pairs land in a
                                        cell holding a threshold (the slow, branchy path); the
                                        cells real distances visit stay in L1/L2 */
    PB_CACHE_LINE = 64               /* padding unit against false sharing */
};

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
 * sqrt(dx*dx + dy*dy + dz*dz) evaluated left to right without contraction. naive, the
 * verifier and every test reference compute it here; the tile kernels compute the same d2 in
 * vector form. */
static inline double pb_distance(const struct pb_problem *p, size_t i, size_t j)
{
    double dx = p->x[i] - p->x[j], dy = p->y[i] - p->y[j], dz = p->z[i] - p->z[j];
    if (p->box > 0) {
        dx = pb_min_image(dx, p->box);
        dy = pb_min_image(dy, p->box);
        dz = pb_min_image(dz, p->box);
    }
    return sqrt(dx * dx + dy * dy + dz * dz);
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
    return sqrtf(dx * dx + dy * dy + dz * dz);
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

/* ---------------------------------------------------------------------------------------------
 * Per-worker histograms: PB_HIST_LANES sub-histograms of nbins+2 extended bins, padded to
 * whole cache lines so two workers' counters never share a line.
 */

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

/* ---------------------------------------------------------------------------------------------
 * Work split for the i<j triangle: rows [0, i) hold i*(n-1) - i*(i-1)/2 pairs.
 */

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

/* ---------------------------------------------------------------------------------------------
 * Kernel levels. An installed bench must run on any x86-64 and be fast on each, so when a file
 * is compiled for the plain x86-64 baseline (no -march beyond it: PB_NATIVE=OFF, or a plugin
 * built with default flags) the hot functions below are compiled three times — x86-64 (SSE2),
 * x86-64-v3 (AVX2, FMA; FMA unused: contraction stays off, so d2 is the same on every level)
 * and x86-64-v4 (AVX-512 F/BW/CD/DQ/VL) — and each call goes to the highest level this CPU
 * reports, chosen once per file on first use. A file compiled for more than the baseline
 * (-march=native, the default local build) has one level, its own: the binary runs only on
 * CPUs like the one that built it anyway, its tuning is that CPU's, and a lower-level copy
 * could not inline the bodies compiled for the higher one.
 *
 * GCC/Clang target_clones would do the dispatch with an ifunc, but clang 14 emits the resolver
 * of a static function as a global symbol (two files including this header clash) and drops
 * "arch=x86-64-v3"; and an ifunc cannot be pointed at a lower level for a test or a
 * comparison. So: target attributes, one wrapper per level, and a switch on a cached level.
 *
 * The environment variable PB_KERNEL_LEVEL (x86-64, x86-64-v3 or x86-64-v4) caps the level,
 * for comparing levels on one machine; pb_kern_set_level sets it for the calling file (tests).
 */
#if defined(__x86_64__) && !defined(__AVX__) && !defined(PB_KERN_SINGLE)
#define PB_KERN_MULTI 1              /* this file carries the three levels */
#else
#define PB_KERN_MULTI 0              /* this file carries one: what it is compiled for */
#endif

enum pb_kern_level {
    PB_KERN_BUILD = 0,               /* the single level of a file built beyond the baseline */
    PB_KERN_V1 = 1,                  /* x86-64 baseline: SSE2, 128-bit vectors */
    PB_KERN_V3 = 3,                  /* x86-64-v3: AVX2, 256-bit vectors */
    PB_KERN_V4 = 4                   /* x86-64-v4: AVX-512, 512-bit vectors */
};

/* The level this file's hot functions dispatch to; -1 until chosen (relaxed atomics: every
 * thread that races to choose it chooses the same value). */
static _Atomic int pb_kern_cur __attribute__((unused)) = -1;

/* 1 when this file carries `level` and this CPU (and its OS) can run it, else 0. v3 is asked
 * for by the features the compiler uses here; the rest of v3 (F16C, LZCNT, MOVBE) comes with
 * every AVX2 CPU. */
static inline int pb_kern_supported(int level)
{
#if PB_KERN_MULTI
    __builtin_cpu_init();
    int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
             && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
             && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq")
             && __builtin_cpu_supports("avx512vl");
    return level == PB_KERN_V1 || (level == PB_KERN_V3 && v3) || (level == PB_KERN_V4 && v4);
#else
    return level == PB_KERN_BUILD;
#endif
}

/* The level's name: "x86-64", "x86-64-v3", "x86-64-v4", or for a single-level file "build"
 * with the widest vector extension it was compiled with. */
static inline const char *pb_kern_level_name(int level)
{
    switch (level) {
    case PB_KERN_V1: return "x86-64";
    case PB_KERN_V3: return "x86-64-v3";
    case PB_KERN_V4: return "x86-64-v4";
    default: break;
    }
#if defined(__AVX512F__)
    return "build (avx512)";
#elif defined(__AVX2__)
    return "build (avx2)";
#elif defined(__AVX__)
    return "build (avx)";
#else
    return "build";
#endif
}

/* The highest level this file carries and this CPU runs, capped by PB_KERNEL_LEVEL when that
 * names a level of this file (any other value is ignored). */
static inline int pb_kern_choose(void)
{
    if (!PB_KERN_MULTI)
        return PB_KERN_BUILD;
    const char *cap = getenv("PB_KERNEL_LEVEL");
    int top = PB_KERN_V4;
    for (int l = PB_KERN_V1; cap && l <= PB_KERN_V4; l++)
        if (l != 2 && strcmp(cap, pb_kern_level_name(l)) == 0)
            top = l;
    for (int l = top; l > PB_KERN_V1; l--)
        if (l != 2 && pb_kern_supported(l))
            return l;
    return PB_KERN_V1;
}

/* The level this file's hot functions run at (chosen on the first call). */
static inline int pb_kern_level(void)
{
    int l = atomic_load_explicit(&pb_kern_cur, memory_order_relaxed);
    if (l < 0) {
        l = pb_kern_choose();
        atomic_store_explicit(&pb_kern_cur, l, memory_order_relaxed);
    }
    return l;
}

/* Makes this file's hot functions run at `level` from now on (tests, comparisons); a negative
 * level restores the automatic choice. Returns 0, or -ENOTSUP when the file does not carry the
 * level or the CPU cannot run it. */
static inline int pb_kern_set_level(int level)
{
    if (level >= 0 && !pb_kern_supported(level))
        return -ENOTSUP;
    atomic_store_explicit(&pb_kern_cur, level < 0 ? -1 : level, memory_order_relaxed);
    return 0;
}

/* Defines the public function `name` from name##_body: one copy per level and a switch on the
 * level in a multi-level file; the body itself otherwise. The copies are unused in files that
 * never call `name`, and the compiler drops them there. */
#if PB_KERN_MULTI
#define PB_KERN_DISPATCH(name, params, args)                                                      \
    __attribute__((target("arch=x86-64-v4"), unused)) static void name##_v4 params               \
    {                                                                                             \
        name##_body args;                                                                         \
    }                                                                                             \
    __attribute__((target("arch=x86-64-v3"), unused)) static void name##_v3 params               \
    {                                                                                             \
        name##_body args;                                                                         \
    }                                                                                             \
    __attribute__((unused)) static void name##_v1 params                                         \
    {                                                                                             \
        name##_body args;                                                                         \
    }                                                                                             \
    static inline void name params                                                                \
    {                                                                                             \
        int level_ = pb_kern_level();                                                             \
        if (level_ == PB_KERN_V4)                                                                 \
            name##_v4 args;                                                                       \
        else if (level_ == PB_KERN_V3)                                                            \
            name##_v3 args;                                                                       \
        else                                                                                      \
            name##_v1 args;                                                                       \
    }
#else
#define PB_KERN_DISPATCH(name, params, args)                                                      \
    static inline void name params                                                                \
    {                                                                                             \
        name##_body args;                                                                         \
    }
#endif

/* ---------------------------------------------------------------------------------------------
 * Squared distances from point i to a tile of points j0..j0+m (m <= PB_TILE_J), same expression
 * and order as naive, into d2[], with their lut indices into idx[]. Vectorised by the compiler.
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

/* Squared distances from point i to points j0..j0+m (m <= PB_TILE_J) into d2[], in naive's
 * expression and order so they are bit-identical, and their lut indices into idx[]. */
PB_ALWAYS_INLINE void pb_tile_d2_body(const struct pb_problem *p, const struct pb_bins *b,
                                      size_t i, size_t j0, size_t m, double *restrict d2,
                                      int32_t *restrict idx)
{
    const double *restrict x = p->x + j0, *restrict y = p->y + j0, *restrict z = p->z + j0;
    const double xi = p->x[i], yi = p->y[i], zi = p->z[i], L = p->box;
    if (L > 0) {
        for (size_t j = 0; j < m; j++) {
            double dx = pb_min_image(xi - x[j], L), dy = pb_min_image(yi - y[j], L);
            double dz = pb_min_image(zi - z[j], L);
            d2[j] = dx * dx + dy * dy + dz * dz;
        }
    } else {
        for (size_t j = 0; j < m; j++) {
            double dx = xi - x[j], dy = yi - y[j], dz = zi - z[j];
            d2[j] = dx * dx + dy * dy + dz * dz;
        }
    }
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
    const float *restrict x = p->xf + j0, *restrict y = p->yf + j0, *restrict z = p->zf + j0;
    const float xi = p->xf[i], yi = p->yf[i], zi = p->zf[i], L = (float)p->box;
    if (L > 0) {
        for (size_t j = 0; j < m; j++) {
            float dx = pb_min_image_f(xi - x[j], L), dy = pb_min_image_f(yi - y[j], L);
            float dz = pb_min_image_f(zi - z[j], L);
            d2[j] = dx * dx + dy * dy + dz * dz;
        }
    } else {
        for (size_t j = 0; j < m; j++) {
            float dx = xi - x[j], dy = yi - y[j], dz = zi - z[j];
            d2[j] = dx * dx + dy * dy + dz * dz;
        }
    }
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
 * keep their points in one contiguous index range of a reordered copy of the problem. The d2
 * of a pair is the same whichever of the two points comes first (x_i - x_j is -(x_j - x_i)
 * exactly, and the minimum image takes fabs), so counts stay bit-identical to naive's.
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

/* ---------------------------------------------------------------------------------------------
 * Matrix rows: row i of the n*n matrix, every j, same distance as naive. Whole rows are
 * computed (not mirrored) so each page is written once, by the worker that owns the row.
 */

/* Square roots of v[0..m) in place. With errno semantics (ISO C mode) gcc will not vectorise
 * sqrt, so on AVX machines the vector instruction is spelt out; it rounds exactly like sqrt. */
static inline void pb_sqrt_inplace(double *v, size_t m)
{
    size_t j = 0;
#ifdef __AVX__
    for (; j + 4 <= m; j += 4)
        _mm256_storeu_pd(v + j, _mm256_sqrt_pd(_mm256_loadu_pd(v + j)));
#endif
    for (; j < m; j++)
        v[j] = sqrt(v[j]);
}

/* The float twin of pb_sqrt_inplace. */
static inline void pb_sqrt_inplace_f(float *v, size_t m)
{
    size_t j = 0;
#ifdef __AVX__
    for (; j + 8 <= m; j += 8)
        _mm256_storeu_ps(v + j, _mm256_sqrt_ps(_mm256_loadu_ps(v + j)));
#endif
    for (; j < m; j++)
        v[j] = sqrtf(v[j]);
}

/* Squared distances from point i to points j0..j0+m into out (same expression as naive). */
static inline void pb_row_d2(const struct pb_problem *p, size_t i, size_t j0, size_t m,
                             double *restrict out)
{
    const double *restrict x = p->x + j0, *restrict y = p->y + j0, *restrict z = p->z + j0;
    const double xi = p->x[i], yi = p->y[i], zi = p->z[i], L = p->box;
    if (L > 0) {
        for (size_t j = 0; j < m; j++) {
            double dx = pb_min_image(xi - x[j], L), dy = pb_min_image(yi - y[j], L);
            double dz = pb_min_image(zi - z[j], L);
            out[j] = dx * dx + dy * dy + dz * dz;
        }
        return;
    }
    for (size_t j = 0; j < m; j++) {
        double dx = xi - x[j], dy = yi - y[j], dz = zi - z[j];
        out[j] = dx * dx + dy * dy + dz * dz;
    }
}

/* The float twin of pb_row_d2, from xf/yf/zf. */
static inline void pb_row_d2_f(const struct pb_problem *p, size_t i, size_t j0, size_t m,
                               float *restrict out)
{
    const float *restrict x = p->xf + j0, *restrict y = p->yf + j0, *restrict z = p->zf + j0;
    const float xi = p->xf[i], yi = p->yf[i], zi = p->zf[i], L = (float)p->box;
    if (L > 0) {
        for (size_t j = 0; j < m; j++) {
            float dx = pb_min_image_f(xi - x[j], L), dy = pb_min_image_f(yi - y[j], L);
            float dz = pb_min_image_f(zi - z[j], L);
            out[j] = dx * dx + dy * dy + dz * dz;
        }
        return;
    }
    for (size_t j = 0; j < m; j++) {
        float dx = xi - x[j], dy = yi - y[j], dz = zi - z[j];
        out[j] = dx * dx + dy * dy + dz * dz;
    }
}

/* Row i of the matrix, in L1-sized pieces: squared distances, then their roots in place. */
static inline void pb_matrix_row(const struct pb_problem *p, size_t i, double *row)
{
    for (size_t j0 = 0; j0 < p->n; j0 += PB_TILE_J) {
        size_t m = p->n - j0 < PB_TILE_J ? p->n - j0 : PB_TILE_J;
        pb_row_d2(p, i, j0, m, row + j0);
        pb_sqrt_inplace(row + j0, m);
    }
}

/* The float twin of pb_matrix_row. */
static inline void pb_matrix_row_f(const struct pb_problem *p, size_t i, float *row)
{
    for (size_t j0 = 0; j0 < p->n; j0 += PB_TILE_J) {
        size_t m = p->n - j0 < PB_TILE_J ? p->n - j0 : PB_TILE_J;
        pb_row_d2_f(p, i, j0, m, row + j0);
        pb_sqrt_inplace_f(row + j0, m);
    }
}

/* Bytes of one matrix element in p's precision. */
static inline size_t pb_elem_bytes(const struct pb_problem *p)
{
    return p->precision == PB_PRECISION_FLOAT ? sizeof(float) : sizeof(double);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23       /* Linux 5.14; older kernels answer EINVAL, which is fine */
#endif

/* Faults in bytes [off, off+len) of the mapping at base for writing, in one system call rather
 * than one page fault per page: on this kind of virtual machine a fault costs microseconds, and
 * populating ran 20-30 times faster than touching page by page. Called by the worker that will
 * write the range, so first touch still happens on its CPU. Advisory: failure only means the
 * pages fault in one by one as they are written. */
static inline void pb_populate(void *base, size_t off, size_t len)
{
    const size_t page = 4096;
    size_t lo = off / page * page, hi = (off + len + page - 1) / page * page;
    if (len > 0)
        (void)madvise((char *)base + lo, hi - lo, MADV_POPULATE_WRITE);
}

/* Rows [i0, i1) of the matrix at base (out->matrix, or a private buffer holding just those
 * rows when base_row == i0), in p's precision; the rows' pages are populated first. */
static inline void pb_matrix_rows(const struct pb_problem *p, size_t i0, size_t i1, void *base,
                                  size_t base_row)
{
    size_t row_bytes = p->n * pb_elem_bytes(p);
    pb_populate(base, (i0 - base_row) * row_bytes, (i1 - i0) * row_bytes);
    for (size_t i = i0; i < i1; i++) {
        size_t off = (i - base_row) * p->n;
        if (p->precision == PB_PRECISION_FLOAT)
            pb_matrix_row_f(p, i, (float *)base + off);
        else
            pb_matrix_row(p, i, (double *)base + off);
    }
}

/* Rows [i0, i1) of p's output: matrix rows into out->matrix, or the triangle's pairs of those
 * rows into histogram block h (b built by pb_bins_init). */
static inline void pb_work_rows(const struct pb_problem *p, const struct pb_bins *b, size_t i0,
                                size_t i1, struct pb_output *out, uint64_t *h)
{
    if (p->output == PB_OUTPUT_MATRIX)
        pb_matrix_rows(p, i0, i1, out->matrix, 0);
    else
        pb_hist_rows(p, b, i0, i1, h);
}

/* ---------------------------------------------------------------------------------------------
 * Setup shared by the strategies, and pinning.
 */

/* Prepares a run: the matrix mapping (shared: MAP_SHARED for forked writers) or the binning.
 * Returns 0 or -errno; on failure nothing is left to release but what out holds. */
static inline int pb_prepare(const struct pb_problem *p, struct pb_output *out, struct pb_bins *b,
                             int shared)
{
    memset(b, 0, sizeof *b);
    if (p->output == PB_OUTPUT_MATRIX)
        return pb_matrix_alloc(out, p->n, pb_elem_bytes(p), shared);
    return pb_bins_init(b, p);
}

/* The PB_HISTOGRAM_ONLY contract: for a matrix run, why (one line) into out->note and
 * -ENOTSUP, which the harness reports as "skipped: <note>"; 0 for a histogram run. */
static inline int pb_histogram_only(const struct pb_problem *p, struct pb_output *out,
                                    const char *why)
{
    if (p->output != PB_OUTPUT_MATRIX)
        return 0;
    snprintf(out->note, sizeof out->note, "%s", why);
    return -ENOTSUP;
}

/* Pins the calling thread to the w-th CPU of set (modulo its count). Returns 0 or -errno. */
static inline int pb_pin_self(const cpu_set_t *set, int w)
{
    int count = CPU_COUNT(set), seen = -1;
    if (count <= 0)
        return -EINVAL;
    int want = w % count;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, set) && ++seen == want) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            return -pthread_setaffinity_np(pthread_self(), sizeof one, &one);
        }
    }
    return -EINVAL;
}

/* The CPUs the calling thread may use, read before any worker is pinned. Returns 0 or -errno. */
static inline int pb_cpus(cpu_set_t *set)
{
    CPU_ZERO(set);
    return -pthread_getaffinity_np(pthread_self(), sizeof *set, set);
}

#endif
