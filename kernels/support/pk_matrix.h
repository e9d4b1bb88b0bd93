/* pk_matrix.h — the distance matrix: its mapping, the rows of it a worker writes (squared
 * distances by pb_row_d2, then their square roots in place, tile by tile), and the page
 * population that goes before. Whole rows are computed (not mirrored) so each page is written
 * once, by the worker that owns the row. pb_matrix_rows is multi-versioned (pk_dispatch.h).
 * Part of pairkern.h. */
#ifndef PAIRBENCH_PK_MATRIX_H
#define PAIRBENCH_PK_MATRIX_H

#include "pk_dispatch.h"
#include "pk_dist.h"

#include <errno.h>
#include <math.h>
#include <sys/mman.h>

#ifdef __x86_64__
#include <immintrin.h>
#endif

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

/* ---------------------------------------------------------------------------------------------
 * Square roots of a tile in place. With errno semantics (ISO C mode) gcc will not vectorise
 * sqrt, so the vector instruction is spelt out, one function per vector width; it rounds
 * exactly like sqrt.
 */

/* Defines `static void name(T *v, size_t m)` (with attribute attr): the roots of v[0..m) in
 * place, W lanes at a time with LOAD/SQRT/STORE, the rest with SCALAR. */
#define PB_SQRT_LOOP(name, attr, T, W, LOAD, SQRT, STORE, SCALAR)                                 \
    attr __attribute__((unused)) static inline void name(T *v, size_t m)                         \
    {                                                                                             \
        size_t j = 0;                                                                             \
        for (; j + (W) <= m; j += (W))                                                            \
            STORE(v + j, SQRT(LOAD(v + j)));                                                      \
        for (; j < m; j++)                                                                        \
            v[j] = SCALAR(v[j]);                                                                  \
    }

#if defined(__AVX512F__)             /* single level, built for AVX-512 */
PB_SQRT_LOOP(pb_sqrt_build, , double, 8, _mm512_loadu_pd, _mm512_sqrt_pd, _mm512_storeu_pd, sqrt)
PB_SQRT_LOOP(pb_sqrt_build_f, , float, 16, _mm512_loadu_ps, _mm512_sqrt_ps, _mm512_storeu_ps, sqrtf)
#elif defined(__AVX__)               /* single level, built for AVX or AVX2 */
PB_SQRT_LOOP(pb_sqrt_build, , double, 4, _mm256_loadu_pd, _mm256_sqrt_pd, _mm256_storeu_pd, sqrt)
PB_SQRT_LOOP(pb_sqrt_build_f, , float, 8, _mm256_loadu_ps, _mm256_sqrt_ps, _mm256_storeu_ps, sqrtf)
#elif defined(__x86_64__)            /* the baseline, SSE2: also the x86-64 level */
PB_SQRT_LOOP(pb_sqrt_build, , double, 2, _mm_loadu_pd, _mm_sqrt_pd, _mm_storeu_pd, sqrt)
PB_SQRT_LOOP(pb_sqrt_build_f, , float, 4, _mm_loadu_ps, _mm_sqrt_ps, _mm_storeu_ps, sqrtf)
#else                                /* elsewhere: scalar, as the compiler sees fit */
static inline void pb_sqrt_build(double *v, size_t m)
{
    for (size_t j = 0; j < m; j++)
        v[j] = sqrt(v[j]);
}

static inline void pb_sqrt_build_f(float *v, size_t m)
{
    for (size_t j = 0; j < m; j++)
        v[j] = sqrtf(v[j]);
}
#endif

#if PB_KERN_MULTI
PB_SQRT_LOOP(pb_sqrt_v3, PB_TARGET_V3, double, 4, _mm256_loadu_pd, _mm256_sqrt_pd,
             _mm256_storeu_pd, sqrt)
PB_SQRT_LOOP(pb_sqrt_v3_f, PB_TARGET_V3, float, 8, _mm256_loadu_ps, _mm256_sqrt_ps,
             _mm256_storeu_ps, sqrtf)
PB_SQRT_LOOP(pb_sqrt_v4, PB_TARGET_V4, double, 8, _mm512_loadu_pd, _mm512_sqrt_pd,
             _mm512_storeu_pd, sqrt)
PB_SQRT_LOOP(pb_sqrt_v4_f, PB_TARGET_V4, float, 16, _mm512_loadu_ps, _mm512_sqrt_ps,
             _mm512_storeu_ps, sqrtf)
#endif

/* Defines `name(T *v, size_t m)`: the square roots of v[0..m) in place with the vector
 * instruction of the level the file's kernels run at (pk_dispatch.h), from the functions v4, v3
 * and build of that element type: a check per tile, negligible beside the tile's m roots. */
#if PB_KERN_MULTI
#define PB_SQRT_INPLACE(name, T, v4, v3, build)                                                   \
    PB_ALWAYS_INLINE void name(T *v, size_t m)                                                    \
    {                                                                                             \
        int level = pb_kern_level();                                                              \
        if (level == PB_KERN_V4)                                                                  \
            v4(v, m);                                                                             \
        else if (level == PB_KERN_V3)                                                             \
            v3(v, m);                                                                             \
        else                                                                                      \
            build(v, m);                                                                          \
    }
#else
#define PB_SQRT_INPLACE(name, T, v4, v3, build)                                                   \
    PB_ALWAYS_INLINE void name(T *v, size_t m)                                                    \
    {                                                                                             \
        build(v, m);                                                                              \
    }
#endif

/* pb_sqrt_inplace(v, m) in double, pb_sqrt_inplace_f in float. */
PB_SQRT_INPLACE(pb_sqrt_inplace, double, pb_sqrt_v4, pb_sqrt_v3, pb_sqrt_build)
PB_SQRT_INPLACE(pb_sqrt_inplace_f, float, pb_sqrt_v4_f, pb_sqrt_v3_f, pb_sqrt_build_f)

/* ---------------------------------------------------------------------------------------------
 * Rows of the matrix: row i holds the distance of point i to every j, as naive computes it.
 */

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
/* Row i of the matrix, in L1-sized pieces: squared distances, then their roots in place. The
 * body of pb_matrix_rows; compiled at the level of whatever calls it. */
PB_ALWAYS_INLINE void pb_matrix_row(const struct pb_problem *p, size_t i, double *row)
{
    for (size_t j0 = 0; j0 < p->n; j0 += PB_TILE_J) {
        size_t m = p->n - j0 < PB_TILE_J ? p->n - j0 : PB_TILE_J;
        pb_row_d2(p, i, j0, m, row + j0);
        pb_sqrt_inplace(row + j0, m);
    }
}

/* The float twin of pb_matrix_row. */
PB_ALWAYS_INLINE void pb_matrix_row_f(const struct pb_problem *p, size_t i, float *row)
{
    for (size_t j0 = 0; j0 < p->n; j0 += PB_TILE_J) {
        size_t m = p->n - j0 < PB_TILE_J ? p->n - j0 : PB_TILE_J;
        pb_row_d2_f(p, i, j0, m, row + j0);
        pb_sqrt_inplace_f(row + j0, m);
    }
}

/* Rows [i0, i1) of the matrix at base (out->matrix, or a private buffer holding just those
 * rows when base_row == i0), in p's precision; the rows' pages are populated first. */
PB_ALWAYS_INLINE void pb_matrix_rows_body(const struct pb_problem *p, size_t i0, size_t i1,
                                          void *base, size_t base_row)
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

/* pb_matrix_rows_body at the best level (see pk_dispatch.h). */
PB_KERN_DISPATCH(pb_matrix_rows, (const struct pb_problem *p, size_t i0, size_t i1, void *base,
                                  size_t base_row),
                 (p, i0, i1, base, base_row))

#endif
