/* test_stats.c — statistics on samples whose answers are known: textbook moments, medians,
 * bootstrap intervals, MAD outliers, and Mann-Whitney p-values checked once against
 * scipy.stats.mannwhitneyu 1.10.1 (values hard-coded below). */
#include "support.h"

#include "stats.h"

#include <errno.h>
#include <math.h>

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void test_median_odd_even(void **state)
{
    (void)state;
    const double odd[] = { 5, 1, 4, 2, 3 };
    const double even[] = { 8, 2, 6, 4 };
    struct pb_stats s;
    pb_stats_compute(odd, 5, 1, &s);
    NEAR(s.median, 3.0, 0);
    NEAR(s.min, 1.0, 0);
    NEAR(s.max, 5.0, 0);
    assert_true(odd[0] == 5);                  /* input untouched */
    pb_stats_compute(even, 4, 1, &s);
    NEAR(s.median, 5.0, 0);
    NEAR(pb_median(even, 4), 5.0, 0);
    assert_true(isnan(pb_median(even, 0)));
}

static void test_mean_stddev_textbook(void **state)
{
    (void)state;
    /* the classic set: mean 5, population sd 2, sample sd sqrt(32/7) */
    const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    struct pb_stats s;
    pb_stats_compute(v, 8, 7, &s);
    NEAR(s.mean, 5.0, 1e-15);
    NEAR(s.stddev, 2.138089935299395, 1e-12);
    NEAR(s.cv, 2.138089935299395 / 5.0, 1e-12);
    NEAR(s.median, 4.5, 0);
    NEAR(s.mad, 0.5, 0);                      /* |x - 4.5|: 2.5 .5 .5 .5 .5 .5 2.5 4.5 */
    assert_int_equal(s.outliers, 3);          /* 2, 7, 9 lie beyond 3 * 1.4826 * 0.5 = 2.22 */
}

static void test_single_and_empty(void **state)
{
    (void)state;
    const double one[] = { 0.42 };
    struct pb_stats s;
    pb_stats_compute(one, 1, 3, &s);
    assert_int_equal(s.n, 1);
    NEAR(s.ci_lo, 0.42, 0);
    NEAR(s.ci_hi, 0.42, 0);
    NEAR(s.stddev, 0.0, 0);
    assert_int_equal(s.outliers, 0);
    pb_stats_compute(one, 0, 3, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.median) && isnan(s.ci_lo));
}

static void test_bootstrap_ci_contains_median_and_repeats(void **state)
{
    (void)state;
    const double v[] = { 1.02, 0.98, 1.05, 1.00, 0.97, 1.01, 1.03, 0.99, 1.04, 0.96, 1.00 };
    struct pb_stats a, b, c;
    pb_stats_compute(v, 11, 42, &a);
    pb_stats_compute(v, 11, 42, &b);
    pb_stats_compute(v, 11, 43, &c);
    assert_true(a.ci_lo <= a.median && a.median <= a.ci_hi);
    assert_true(a.ci_lo < a.ci_hi);
    assert_true(a.ci_lo >= a.min && a.ci_hi <= a.max);
    assert_true(a.ci_lo == b.ci_lo && a.ci_hi == b.ci_hi);   /* same seed, same interval */
    assert_true(c.ci_lo <= c.median && c.median <= c.ci_hi);
}

static void test_mad_outlier_planted(void **state)
{
    (void)state;
    double v[] = { 1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99, 1.00, 1.50 };
    struct pb_stats s;
    pb_stats_compute(v, 10, 5, &s);
    assert_int_equal(s.outliers, 1);          /* MAD 0.01: 1.50 is 50 MADs off */
    NEAR(s.mad, 0.01, 1e-12);
    v[9] = 1.02;
    pb_stats_compute(v, 10, 5, &s);
    assert_int_equal(s.outliers, 0);
}

static void test_ratio_ci(void **state)
{
    (void)state;
    const double old[] = { 1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99, 1.00, 1.00 };
    double slow[10];
    for (int i = 0; i < 10; i++)
        slow[i] = 1.2 * old[i];
    double lo, hi, lo2, hi2;
    assert_int_equal(pb_bootstrap_ratio_ci(old, 10, slow, 10, 9, &lo, &hi), 0);
    assert_true(lo <= 1.2 + 1e-12 && 1.2 - 1e-12 <= hi);
    assert_true(lo > 1.1 && hi < 1.3);
    assert_int_equal(pb_bootstrap_ratio_ci(old, 10, slow, 10, 9, &lo2, &hi2), 0);
    assert_true(lo == lo2 && hi == hi2);
    assert_int_equal(pb_bootstrap_ratio_ci(old, 0, slow, 10, 9, &lo, &hi), -EINVAL);
}

static void test_mann_whitney_known(void **state)
{
    (void)state;
    /* exact path (no ties, <= 10 each): scipy method='exact' */
    const double a2[] = { 1.1, 2.2, 3.3, 4.4, 5.5 }, b2[] = { 3.0, 4.5, 6.1, 7.2, 8.3, 9.4 };
    NEAR(pb_mann_whitney_p(a2, 5, b2, 6), 0.05194805194805195, 1e-12);
    NEAR(pb_mann_whitney_p(b2, 6, a2, 5), 0.05194805194805195, 1e-12);
    const double a3[] = { 10.1, 10.4, 10.2, 10.3, 10.5, 10.0, 10.6, 10.7, 10.8, 10.9 };
    const double b3[] = { 10.45, 10.55, 10.65, 10.75, 10.85, 10.95, 11.05, 11.15, 11.25, 11.35 };
    NEAR(pb_mann_whitney_p(a3, 10, b3, 10), 0.006841455757864427, 1e-12);
    /* ties: normal approximation with tie and continuity corrections */
    const double a1[] = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 };
    const double b1[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 };
    NEAR(pb_mann_whitney_p(a1, 9, b1, 9), 0.13291945818531892, 1e-9);
    const double a4[] = { 1, 2, 2, 3, 3, 3, 4, 5 }, b4[] = { 3, 4, 4, 5, 5, 6, 7, 7, 8 };
    NEAR(pb_mann_whitney_p(a4, 8, b4, 9), 0.006373133838085873, 1e-9);
    /* larger than the exact limit, no ties */
    double a5[12], b5[12];
    for (int i = 0; i < 12; i++) {
        a5[i] = i + 1;
        b5[i] = i + 1 + 6.5;
    }
    NEAR(pb_mann_whitney_p(a5, 12, b5, 12), 0.0011061781840807242, 1e-9);
}

static void test_mann_whitney_identical(void **state)
{
    (void)state;
    const double v[] = { 1.0, 1.1, 0.9, 1.05, 0.95, 1.02, 0.98, 1.01, 0.99, 1.03 };
    NEAR(pb_mann_whitney_p(v, 10, v, 10), 1.0, 1e-12);
    const double same[] = { 2, 2, 2, 2 };
    NEAR(pb_mann_whitney_p(same, 4, same, 4), 1.0, 0);
    NEAR(pb_mann_whitney_p(v, 0, v, 10), 1.0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_odd_even),
        cmocka_unit_test(test_mean_stddev_textbook),
        cmocka_unit_test(test_single_and_empty),
        cmocka_unit_test(test_bootstrap_ci_contains_median_and_repeats),
        cmocka_unit_test(test_mad_outlier_planted),
        cmocka_unit_test(test_ratio_ci),
        cmocka_unit_test(test_mann_whitney_known),
        cmocka_unit_test(test_mann_whitney_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
