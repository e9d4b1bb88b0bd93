/* stats.h — robust statistics for repeated timings: order statistics, a bootstrap confidence
 * interval of the median, MAD outliers, and a two-sample test. */
#ifndef PAIRBENCH_STATS_H
#define PAIRBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct pb_stats {
    size_t n;
    double min, max, median, mean, stddev, cv;  /* cv = stddev / mean */
    double ci_lo, ci_hi;             /* 95% bootstrap (percentile) interval of the median */
    double mad;                      /* median absolute deviation, unscaled */
    size_t outliers;                 /* samples with |x - median| > 3 * 1.4826 * MAD */
};

/* Resamples drawn for every bootstrap interval: enough for stable 2.5% / 97.5% percentiles. */
#define PB_BOOTSTRAP_RESAMPLES 2000

/* Computes s from v[0..n) (v is not modified); the bootstrap uses seed so results repeat.
 * stddev is the sample one (n - 1; 0 when n = 1); n = 1 gives the interval [x, x]; n = 0 gives
 * NAN everywhere. With MAD = 0 every sample off the median counts as an outlier. */
void pb_stats_compute(const double *v, size_t n, uint64_t seed, struct pb_stats *s);

/* Median of v[0..n) (v is not modified); NAN when n = 0 or when memory runs out. */
double pb_median(const double *v, size_t n);

/* 95% percentile bootstrap interval of median(b) / median(a), a and b resampled independently
 * PB_BOOTSTRAP_RESAMPLES times from seed. Returns 0, -EINVAL for an empty sample or -ENOMEM. */
int pb_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                          double *lo, double *hi);

/* Two-sided p-value of the Mann-Whitney U test: the exact distribution of U when both samples
 * hold at most PB_MWU_EXACT_MAX values and no value repeats; otherwise the normal
 * approximation with tie and continuity corrections (as scipy.stats.mannwhitneyu). 1.0 when a
 * sample is empty or every value is equal. */
double pb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

#define PB_MWU_EXACT_MAX 10

#endif
