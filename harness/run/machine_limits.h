/* machine_limits.h — this machine's limits, measured in the same run as the strategies they judge:
 * store bandwidth on memory already touched (1 thread and all cores), first-touch bandwidth of
 * fresh anonymous memory (with and without transparent huge pages), and for histograms the
 * pair rate one core can reach, from two microbenchmarks that are not pairbench's kernels:
 *
 *   (a) vector arithmetic: the d2 mix of one pair (3 sub, 3 mul, 2 add; no FMA, contraction is
 *       off so counts match naive) on independent vectors at every width the CPU has, in
 *       operations per second (lanes x instructions);
 *   (b) binning: read-modify-write increments of a 34-counter table in L1 at uniform random
 *       keys, per second (the best of one table and four tables used in turn).
 *
 * Model (per core): pairs/s <= min(a / ops per pair, b), ops per pair = PB_D2_OPS, plus
 * PB_MIN_IMAGE_OPS in a periodic box; a run on T threads is bounded by T times that. Each
 * result row gets fraction_of_limit from pb_limits_fraction. The best pass of pairbench's own
 * kernel on L1-sized input is kept beside it (peak_pairs_per_s) as the model check: a bound
 * below what a kernel achieves would be no bound.
 *
 * Method (STREAM-like): every figure is the best of several timed passes after an untimed
 * warm-up; bandwidth counts bytes written only, no read-for-ownership traffic; GB = 1e9 bytes.
 * The kernel peak runs a registered histogram strategy in this process at 1 thread on kernel_n
 * uniform points, 32 linear bins, repeatedly for at least min_time_s, and keeps the best pass.
 *
 * Not named limits.h: every harness folder is on the include path, where that name would hide
 * the C library's <limits.h> from every file that includes it.
 */
#ifndef PAIRBENCH_MACHINE_LIMITS_H
#define PAIRBENCH_MACHINE_LIMITS_H

#include "error.h"
#include "strategy.h"

#include <stddef.h>
#include <stdio.h>

#define PB_D2_OPS 8                  /* vector ops of one pair's d2: 3 sub, 3 mul, 2 add */
#define PB_MIN_IMAGE_OPS 12          /* added in a periodic box: abs, compare, sub, select x 3 */
#define PB_LIMITS_WIDTHS 3           /* vector widths measured: 128, 256, 512 bits */

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
    double peak_pairs_per_s;         /* best pass of the kernel, double, 1 thread (the
                                        model check, not the limit) */
    double peak_pairs_per_s_float;   /* the same in float precision */
    double fp_ops_per_s[PB_LIMITS_WIDTHS];  /* (a), double lanes, 1 core, at 128/256/512 bits;
                                        0 where the CPU lacks the width */
    double fp_ops_per_s_float[PB_LIMITS_WIDTHS];  /* the same in float lanes */
    int vector_bits;                 /* widest width the CPU runs: the one the bound uses */
    double arith_pairs_per_s;        /* (a) at vector_bits / PB_D2_OPS: double, open box */
    double bin_incr_per_s;           /* (b), counter increments per second, 1 core */
    double bound_pairs_per_s;        /* min((a) at vector_bits / PB_D2_OPS, (b)): double,
                                        open box, 1 core; the histogram limit */
    char level[32];                  /* kernel level the kernels of this build run at */
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

/* The pair-rate bound of one core: min(fp_ops_per_s at `bits` (0: vector_bits) in prec's
 * lanes / ops per pair, bin_incr_per_s), ops per pair PB_D2_OPS plus PB_MIN_IMAGE_OPS when
 * periodic. 0 when a figure is missing. */
double pb_limits_pair_bound(const struct pb_limits *l, enum pb_precision prec, int periodic,
                            int bits);

/* How close one run came to the limit, 1.0 = at it:
 *   matrix:    (n*n*elem bytes / pb_limits_store_gbs(l, threads)) / wall_s, elem 8 for double
 *              and 4 for float: the time stores alone would need over the time taken;
 *   histogram: (pairs / wall_s) / (pb_limits_pair_bound(l, prec, periodic, 0) x threads), pairs
 *              = evals when the strategy reported the distances it evaluated (a spatial one
 *              skips most), else n(n-1)/2.
 * Returns NAN when a needed limit is missing (zero) or wall_s <= 0. */
double pb_limits_fraction(const struct pb_limits *l, enum pb_output_kind out, size_t n,
                          int threads, double wall_s, enum pb_precision prec, int periodic,
                          uint64_t evals);

/* Writes l as one JSON object (no trailing newline) to f, for NAME.json and `--json`. */
void pb_limits_write_json(const struct pb_limits *l, FILE *f);

/* Writes l as an aligned table for people to f. */
void pb_limits_print(const struct pb_limits *l, FILE *f);

#endif
