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

/* Computes s from v[0..n) (v is not modified); the bootstrap uses seed so results repeat. */
void pb_stats_compute(const double *v, size_t n, uint64_t seed, struct pb_stats *s);

/* Two-sided p-value of the Mann-Whitney U test (normal approximation with tie correction;
 * exact enumeration for small samples). */
double pb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

#endif
