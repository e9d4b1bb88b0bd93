/* stats.c — statistics of repeated timings (see stats.h). Timings are few (tens) and skewed by
 * noise, so the summary leans on order statistics: the median with a bootstrap interval, MAD
 * for outliers, and a rank test for comparing two sets. Everything repeats for a given seed. */
#include "stats.h"
#include "rng.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of an already sorted array (n >= 1). */
static double sorted_median(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

double pb_median(const double *v, size_t n)
{
    double *s = n ? malloc(n * sizeof *s) : NULL;
    if (!s)
        return NAN;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double m = sorted_median(s, n);
    free(s);
    return m;
}

/* Median of one resample of v[0..n) drawn with replacement; tmp holds n doubles. */
static double resample_median(const double *v, size_t n, struct pb_rng *rng, double *tmp)
{
    for (size_t i = 0; i < n; i++)
        tmp[i] = v[pb_rng_below(rng, n)];
    qsort(tmp, n, sizeof *tmp, cmp_double);
    return sorted_median(tmp, n);
}

/* The 2.5% and 97.5% percentiles of PB_BOOTSTRAP_RESAMPLES values (sorted in place). */
static void percentiles95(double *meds, double *lo, double *hi)
{
    size_t b = PB_BOOTSTRAP_RESAMPLES, k = b / 40;   /* 2.5% of the resamples */
    qsort(meds, b, sizeof *meds, cmp_double);
    *lo = meds[k];
    *hi = meds[b - 1 - k];
}

/* 95% bootstrap interval of the median of v[0..n). Returns 0 or -ENOMEM. */
static int bootstrap_median_ci(const double *v, size_t n, uint64_t seed, double *lo, double *hi)
{
    double *meds = malloc(PB_BOOTSTRAP_RESAMPLES * sizeof *meds);
    double *tmp = malloc(n * sizeof *tmp);
    struct pb_rng rng;
    pb_rng_seed(&rng, seed);
    int rc = meds && tmp ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < PB_BOOTSTRAP_RESAMPLES; i++)
        meds[i] = resample_median(v, n, &rng, tmp);
    if (rc == 0)
        percentiles95(meds, lo, hi);
    free(meds);
    free(tmp);
    return rc;
}

int pb_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                          double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (na == 0 || nb == 0)
        return -EINVAL;
    double *ratios = malloc(PB_BOOTSTRAP_RESAMPLES * sizeof *ratios);
    double *tmp = malloc((na > nb ? na : nb) * sizeof *tmp);
    struct pb_rng rng;
    pb_rng_seed(&rng, seed);
    int rc = ratios && tmp ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < PB_BOOTSTRAP_RESAMPLES; i++) {
        double ma = resample_median(a, na, &rng, tmp);
        ratios[i] = resample_median(b, nb, &rng, tmp) / ma;
    }
    if (rc == 0)
        percentiles95(ratios, lo, hi);
    free(ratios);
    free(tmp);
    return rc;
}

/* Mean, sample standard deviation and cv of v[0..n), n >= 1. */
static void moments(const double *v, size_t n, struct pb_stats *s)
{
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    s->mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - s->mean) * (v[i] - s->mean);
    s->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    s->cv = s->mean != 0 ? s->stddev / s->mean : 0.0;
}

/* MAD of the sorted array s[0..n) around its median, and the count of samples farther than
 * 3 scaled MADs (1.4826 makes MAD estimate sigma for normal data). tmp holds n doubles. */
static void mad_outliers(const double *s, size_t n, double *tmp, struct pb_stats *st)
{
    for (size_t i = 0; i < n; i++)
        tmp[i] = fabs(s[i] - st->median);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    st->mad = sorted_median(tmp, n);
    st->outliers = 0;
    for (size_t i = 0; i < n; i++)
        st->outliers += fabs(s[i] - st->median) > 3.0 * 1.4826 * st->mad;
}

void pb_stats_compute(const double *v, size_t n, uint64_t seed, struct pb_stats *s)
{
    *s = (struct pb_stats){ .n = n, .min = NAN, .max = NAN, .median = NAN, .mean = NAN,
                            .stddev = NAN, .cv = NAN, .ci_lo = NAN, .ci_hi = NAN, .mad = NAN };
    double *sorted = n ? malloc(2 * n * sizeof *sorted) : NULL;
    if (!sorted)
        return;
    memcpy(sorted, v, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    s->min = sorted[0];
    s->max = sorted[n - 1];
    s->median = sorted_median(sorted, n);
    moments(v, n, s);
    mad_outliers(sorted, n, sorted + n, s);
    if (n == 1) {
        s->ci_lo = s->ci_hi = v[0];
    } else if (bootstrap_median_ci(v, n, seed, &s->ci_lo, &s->ci_hi) != 0) {
        s->ci_lo = s->ci_hi = NAN;
    }
    free(sorted);
}

/* ---- Mann-Whitney U --------------------------------------------------------------------- */

/* A value of the pooled sample and the sample it came from. */
struct tagged {
    double x;
    int from_a;                      /* 1: sample a, 0: sample b */
};

static int cmp_tagged(const void *p, const void *q)
{
    return cmp_double(&((const struct tagged *)p)->x, &((const struct tagged *)q)->x);
}

/* Rank-sums the pooled sorted sample t[0..n): returns the rank sum of sample a (ties get their
 * average rank) and stores sum(t^3 - t) over tie groups in *ties. */
static double rank_sum_a(const struct tagged *t, size_t n, double *ties)
{
    double ra = 0;
    *ties = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && t[j].x == t[i].x; j++)
            ;
        double len = (double)(j - i), rank = 0.5 * (double)(i + 1 + j);  /* mean of i+1..j */
        *ties += len * len * len - len;
        for (size_t k = i; k < j; k++)
            ra += t[k].from_a ? rank : 0;
    }
    return ra;
}

/* P(U <= u) under H0 for samples of na and nb without ties, from the recurrence
 * c(m, k, u) = c(m - 1, k, u - k) + c(m, k - 1, u) over arrangements. NAN if out of memory. */
static double exact_cdf(size_t na, size_t nb, size_t u)
{
    size_t umax = na * nb, w = umax + 1;
    double *c = calloc((na + 1) * (nb + 1) * w, sizeof *c);
    if (!c)
        return NAN;
#define C(m, k, x) c[((m) * (nb + 1) + (k)) * w + (x)]
    for (size_t m = 0; m <= na; m++)
        for (size_t k = 0; k <= nb; k++)
            for (size_t x = 0; x <= m * k; x++)
                C(m, k, x) = m == 0 || k == 0 ? (x == 0)
                             : (x >= k ? C(m - 1, k, x - k) : 0) + C(m, k - 1, x);
    double below = 0, total = 0;
    for (size_t x = 0; x <= umax; x++) {
        total += C(na, nb, x);
        below += x <= u ? C(na, nb, x) : 0;
    }
#undef C
    free(c);
    return below / total;
}

/* Two-sided p from the normal approximation with tie and continuity corrections. */
static double normal_p(double u, size_t na, size_t nb, double ties)
{
    double n = (double)(na + nb), mu = 0.5 * (double)na * (double)nb;
    double var = (double)na * (double)nb / 12.0 * ((n + 1) - ties / (n * (n - 1)));
    if (!(var > 0))
        return 1.0;
    double z = (u - mu - 0.5) / sqrt(var);   /* u is the larger U, so z >= -0.5/sd */
    double p = erfc(z / sqrt(2.0));
    return p > 1.0 ? 1.0 : p;
}

double pb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
    size_t n = na + nb;
    if (na == 0 || nb == 0)
        return 1.0;
    struct tagged *t = malloc(n * sizeof *t);
    if (!t)
        return NAN;
    for (size_t i = 0; i < n; i++)
        t[i] = (struct tagged){ .x = i < na ? a[i] : b[i - na], .from_a = i < na };
    qsort(t, n, sizeof *t, cmp_tagged);
    double ties, u1 = rank_sum_a(t, n, &ties) - 0.5 * (double)na * (double)(na + 1);
    double u2 = (double)na * (double)nb - u1;
    free(t);
    double umin = u1 < u2 ? u1 : u2, umax = u1 < u2 ? u2 : u1;
    if (ties == 0 && na <= PB_MWU_EXACT_MAX && nb <= PB_MWU_EXACT_MAX) {
        double p = 2.0 * exact_cdf(na, nb, (size_t)umin);
        return p > 1.0 ? 1.0 : p;
    }
    return normal_p(umax, na, nb, ties);
}
