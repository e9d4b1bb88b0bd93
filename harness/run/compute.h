/* compute.h — one computation of the all-pairs problem, the core that `bench compute`
 * (harness/cli/main_compute.c) and the shared library libpairbench (python/capi, the Python
 * package `pairbench`) both use, so that the two give the same answer and the same messages:
 * the strategy by name or chosen by `auto` (and why), its parameters resolved against its
 * spec, the threads by default, the histogram's edges (NumPy's linspace / geomspace, or
 * explicit), the points prepared (wrapped into a periodic box, float copies), the memory
 * guard, and one call of the strategy with its failure put into words.
 *
 * Nothing here prints. Every function that can fail returns 0 or a negative errno and fills a
 * struct pb_err with one line, "where: what", without the caller's prefix ("bench compute: "
 * or the Python exception); the caller adds its own. Running a strategy in this process
 * (pb_compute_run) is for strategies without PB_EXTERNAL or PB_DISTRIBUTED when the caller
 * cannot supervise a child (the library); `bench compute` runs the same call in a supervised
 * child (pb_runner_call). */
#ifndef PAIRBENCH_COMPUTE_H
#define PAIRBENCH_COMPUTE_H

#include "error.h"
#include "points.h"
#include "strategy.h"

#include <stddef.h>
#include <stdint.h>

#define PB_COMPUTE_MAX_BINS 1000000      /* bins of one histogram: counted or explicit */
#define PB_COMPUTE_MAX_THREADS 4096
#define PB_COMPUTE_MAX_PARAMS 16         /* KEY=VALUE parameters of one computation */
#define PB_COMPUTE_AUTO_SHARE 0.5        /* auto: grid while the last edge is below this share
                                            of the points' extent (README: grid is 2-15x faster
                                            than brute force up to rmax 200 in a 1000 box,
                                            level at 500-1000) */

/* What to compute, besides the points and the edges. */
struct pb_compute_opts {
    const char *strategy;            /* a registered name, or "auto" */
    int threads;                     /* >= 1; 0: pb_compute_default_threads() */
    double box;                      /* periodic cube side; 0: open */
    int single;                      /* 1: float precision (xf/yf/zf) */
    enum pb_output_kind output;
    char *const *kv_text;            /* "KEY=VALUE" parameters, nkv_text of them */
    size_t nkv_text;
    const char *param_label;         /* prefixes parameter messages ("--param") */
};

/* The threads when none are given: the online CPUs, capped by the CPUs this process may use
 * (pb_cpus_available: the affinity set, the cgroup quota, OMP_THREAD_LIMIT); at least 1, at
 * most PB_COMPUTE_MAX_THREADS. */
int pb_compute_default_threads(void);

/* The registered strategy called name, or NULL with err "unknown strategy 'NAME' (known:
 * ...)". */
const struct pb_strategy *pb_compute_find(const char *name, struct pb_err *err);

/* Checks that s can run inside the calling process (neither PB_EXTERNAL nor PB_DISTRIBUTED).
 * Returns 0 or -ENOTSUP with err saying why and what to use instead. */
int pb_compute_in_process(const struct pb_strategy *s, struct pb_err *err);

/* The parameters of s into kv (PB_COMPUTE_MAX_PARAMS entries) and *nkv: every declared one,
 * its default replaced by the o->kv_text value given for it (one per parameter). The values
 * point into the spec and into o->kv_text, which must outlive kv. Returns 0 or -EINVAL with
 * err naming the parameter (prefixed by o->param_label). */
int pb_compute_params(const struct pb_strategy *s, const struct pb_compute_opts *o,
                      struct pb_kv *kv, size_t *nkv, struct pb_err *err);

/* `auto` for a histogram of nbins over edges (NULL for a matrix) of pts under o (o->threads
 * already set): grid when the last edge is below PB_COMPUTE_AUTO_SHARE of the extent (the box
 * side, else the points' bounding box), else the all-range strategy measured fastest for the
 * threads; the fastest matrix strategy for a matrix. Writes why into why (cap bytes) and
 * returns the strategy's name. */
const char *pb_compute_choose(const struct pb_compute_opts *o, const struct pb_points *pts,
                              const double *edges, size_t nbins, char *why, size_t cap);

/* Checks --bins style bins (count from 1 to PB_COMPUTE_MAX_BINS, finite 0 <= min < max, min > 0
 * for log) and makes their count+1 edges into *edges (malloc'd) bit for bit as NumPy's
 * linspace or geomspace (pb_edges_make). Returns 0, -EINVAL with err prefixed by label, or
 * -ENOMEM. */
int pb_compute_edges(double min, double max, size_t count, enum pb_bin_scale scale,
                     const char *label, double **edges, struct pb_err *err);

/* Checks explicit edges: from 2 to PB_COMPUTE_MAX_BINS + 1 of them, finite, >= 0 and strictly
 * increasing. Returns 0 or -EINVAL with err naming label[K]. */
int pb_compute_check_edges(const double *edges, size_t n, const char *label,
                           struct pb_err *err);

/* Wraps pts into [0, o->box) when the box is periodic and, for float precision, checks the
 * range and makes the float copies; what names the points in messages. Returns 0, -EINVAL or
 * -ENOMEM with err. */
int pb_compute_prepare(struct pb_points *pts, const struct pb_compute_opts *o,
                       const char *what, struct pb_err *err);

/* The sweep's memory guard for one computation of n points by s with kv under o (nbins for a
 * histogram, over edges from min to max): the output, the points and the strategy's own extra
 * bytes must fit in the memory available now. Returns 0, or -ENOMEM with err "needs X GiB, Y
 * GiB available". */
int pb_compute_memory(const struct pb_compute_opts *o, const struct pb_strategy *s,
                      struct pb_kv *kv, size_t nkv, size_t n, const double *edges,
                      size_t nbins, struct pb_err *err);

/* Calls s->run(p, k, out) once (out->counts zeroed nbins + 1 by the caller for a histogram)
 * and sets *wall_s to the call's seconds. The note is made safe to print. Returns 0, or the
 * strategy's -errno with err "NAME cannot run here: NOTE" (-ENOTSUP) or "NAME failed: NOTE". */
int pb_compute_run(const struct pb_strategy *s, const struct pb_problem *p,
                   const struct pb_params *k, struct pb_output *out, double *wall_s,
                   struct pb_err *err);

/* What pb_compute_histogram used. */
struct pb_compute_info {
    const struct pb_strategy *strategy;
    int threads;                     /* 1 for a serial strategy */
    char why[256];                   /* auto: what it chose and why; else "" */
    double wall_s;                   /* the strategy's call */
};

/* Counts the unique pairs of pts (owned by the caller; wrapped in place into a periodic box)
 * into counts[nbins] for the nbins + 1 checked edges under o, in this process: the strategy
 * found or chosen, its parameters, the threads, the memory guard and the call, each as above.
 * Strategies that run outside the process are refused (pb_compute_in_process). Returns 0 or
 * -errno with err. */
int pb_compute_histogram(const struct pb_compute_opts *o, struct pb_points *pts,
                         const double *edges, size_t nbins, uint64_t *counts,
                         struct pb_compute_info *info, struct pb_err *err);

#endif
