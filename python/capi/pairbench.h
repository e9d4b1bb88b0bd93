/* pairbench.h — the C API of libpairbench: pair counts of 3-D points computed in the calling
 * process by the same kernels and compute core (harness/run/compute.h) as `bench compute`,
 * with plain types only (pointers, sizes, byte strides), so that any language's arrays pass
 * without copying where their layout allows. The Python package `pairbench` calls it through
 * ctypes.
 *
 * Every function is safe to call from several threads at once. A function that can fail
 * returns 0 or a negative errno and leaves its message, one line, in pairbench_error() of the
 * calling thread: -EINVAL bad input, -ENOTSUP a strategy that cannot run in this process,
 * -ENOMEM not enough memory, another -errno the strategy's failure. */
#ifndef PAIRBENCH_CAPI_H
#define PAIRBENCH_CAPI_H

#include <stddef.h>
#include <stdint.h>

#define PAIRBENCH_API_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/* PAIRBENCH_API_VERSION of the library. */
int pairbench_api_version(void);

/* The message of the last failure in the calling thread ("" before any). */
const char *pairbench_error(void);

/* The strategies this library holds: their number, and the name, one-line summary and
 * whether it runs in this process (1) or needs `bench compute` (0) of the i-th (NULL / -1
 * past the end). */
size_t pairbench_strategy_count(void);
const char *pairbench_strategy_name(size_t i);
const char *pairbench_strategy_summary(size_t i);
int pairbench_strategy_in_process(size_t i);

/* The threads used when none are given: `bench compute`'s default. */
int pairbench_default_threads(void);

/* Writes the count + 1 edges of count bins from lo to hi into edges, bit for bit as
 * numpy.linspace(lo, hi, count + 1) (log = 0) or numpy.geomspace (log = 1) and `bench compute
 * --bins`. Returns 0 or -EINVAL / -ENOMEM. */
int pairbench_edges(double lo, double hi, size_t count, int log, double *edges);

/* What pairbench_count used. */
struct pairbench_info {
    char strategy[64];               /* the strategy's name (auto's choice) */
    int threads;                     /* threads it ran with (1 for a serial strategy) */
    char why[256];                   /* strategy "auto": what it chose and why; else "" */
    double seconds;                  /* wall time of the strategy's call */
};

/* Counts the unique pairs i<j of the n points whose distance falls in each half-open bin
 * [edges[k], edges[k+1]) into counts[nedges - 1]. Point i's coordinate d (0..2) is the
 * float64 (itemsize 8) or float32 (itemsize 4) at points + i * row_stride + d * col_stride
 * bytes: a C-ordered (n, 3) array has strides (3 * itemsize, itemsize), an F-ordered one
 * (itemsize, n * itemsize); float64 columns of stride 8 are used in place, anything else is
 * converted once. Coordinates must be finite; box > 0 is a periodic cube of that side (points
 * wrapped into [0, box) on a copy, never in place). strategy: a name or "auto" (NULL: auto);
 * threads 0: the default; params: nparams "KEY=VALUE" texts. info may be NULL. Returns 0 or
 * -errno (pairbench_error). */
int pairbench_count(const void *points, size_t n, ptrdiff_t row_stride, ptrdiff_t col_stride,
                    int itemsize, const double *edges, size_t nedges, const char *strategy,
                    int threads, double box, const char *const *params, size_t nparams,
                    uint64_t *counts, struct pairbench_info *info);

#ifdef __cplusplus
}
#endif

#endif
