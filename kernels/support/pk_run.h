/* pk_run.h — what a strategy's run does around the kernels: preparing the output (the matrix
 * mapping or the binning), the work of a range of rows in either output (pb_work_rows), the
 * PB_HISTOGRAM_ONLY refusal of matrix runs, and pinning workers to CPUs. Part of pairkern.h. */
#ifndef PAIRBENCH_PK_RUN_H
#define PAIRBENCH_PK_RUN_H

#include "pk_bins.h"
#include "pk_matrix.h"
#include "pk_tile.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

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
