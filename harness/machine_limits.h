/* machine_limits.h — this machine's limits, measured in the same run as the strategies they judge:
 * store bandwidth on memory already touched (1 thread and all cores), first-touch bandwidth of
 * fresh anonymous memory (with and without transparent huge pages), and the peak unique pairs/s of
 * the best inner kernel on points that fit in L1. Each result row then gets fraction_of_limit from
 * pb_limits_fraction.
 *
 * Method (STREAM-like): every bandwidth is bytes written / the best of several timed passes
 * (the first pass of touched-memory stores is an untimed warm-up); bytes written only, no
 * read-for-ownership traffic counted; GB = 1e9 bytes. The peak pairs/s runs a registered
 * histogram strategy in this process at 1 thread on kernel_n uniform points, 32 linear bins,
 * repeatedly for at least min_time_s, and keeps the best pass.
 *
 * Not named limits.h: the harness folder is on the include path, where that name would hide
 * the C library's <limits.h> from every file that includes it.
 */
#ifndef PAIRBENCH_MACHINE_LIMITS_H
#define PAIRBENCH_MACHINE_LIMITS_H

#include "error.h"
#include "strategy.h"

#include <stddef.h>
#include <stdio.h>

struct pb_limits_opts {
    size_t bytes;                    /* buffer per bandwidth pass; 0 = 1 GiB */
    const char *strategy;            /* kernel for the peak pairs/s; NULL = "blocked", falling
                                        back to "naive" when it is not registered */
    int threads_all;                 /* threads for the all-core figures; 0 = online cores */
    size_t kernel_n;                 /* points for the peak; 0 = 1024 (24 KiB of doubles) */
    double min_time_s;               /* least time spent on the peak; 0 = 0.3 s */
};

struct pb_limits {
    double store_gbs;                /* stores to touched memory, 1 thread, GB/s */
    double store_gbs_all;            /* the same with threads_all threads */
    double first_touch_gbs;          /* first writes to a fresh mapping, threads_all threads */
    double first_touch_huge_gbs;     /* the same after madvise(MADV_HUGEPAGE) */
    double peak_pairs_per_s;         /* best pass of the kernel, double, 1 thread */
    double peak_pairs_per_s_float;   /* the same in float precision */
    int threads_all;                 /* threads behind the _all and first-touch figures */
    size_t bytes;                    /* buffer of the touched-memory store passes */
    size_t touch_bytes;              /* fresh mapping per first-touch pass: bytes / 4 (the
                                        fault cost is per page, and 0.3 GB/s is slow) */
    size_t kernel_n;                 /* points behind the peak */
    char kernel[64];                 /* strategy behind the peak */
};

/* Measures every field of l with options o (NULL: the defaults); maps up to o->bytes at a
 * time. Returns 0, or -errno with err filled (no memory, unknown or external strategy, a
 * kernel that failed). */
int pb_limits_measure_with(const struct pb_limits_opts *o, struct pb_limits *l,
                           struct pb_err *err);

/* pb_limits_measure_with(NULL, l, err): what a config's "limits": true measures. */
int pb_limits_measure(struct pb_limits *l, struct pb_err *err);

/* The in-process strategy the peak runs: name, or with name NULL "blocked", else "naive".
 * NULL with err filled when it is unknown, external or distributed. */
const struct pb_strategy *pb_limits_kernel(const char *name, struct pb_err *err);

/* Store bandwidth available to `threads` threads, GB/s: store_gbs at 1, store_gbs_all at
 * threads_all or more, min(threads * store_gbs, store_gbs_all) between. */
double pb_limits_store_gbs(const struct pb_limits *l, int threads);

/* How close one run came to the limit, 1.0 = at it:
 *   matrix:    (n*n*elem bytes / pb_limits_store_gbs(l, threads)) / wall_s, elem 8 for double
 *              and 4 for float: the time stores alone would need over the time taken;
 *   histogram: (n(n-1)/2 / wall_s) / (peak pairs/s of that precision x threads).
 * Returns NAN when a needed limit is missing (zero) or wall_s <= 0. */
double pb_limits_fraction(const struct pb_limits *l, enum pb_output_kind out, size_t n,
                          int threads, double wall_s, enum pb_precision prec);

/* Writes l as one JSON object (no trailing newline) to f, for NAME.json and `--json`. */
void pb_limits_write_json(const struct pb_limits *l, FILE *f);

/* Writes l as an aligned table for people to f. */
void pb_limits_print(const struct pb_limits *l, FILE *f);

#endif
