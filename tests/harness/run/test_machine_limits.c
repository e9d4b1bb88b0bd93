/* test_machine_limits.c — harness/run/machine_limits.c: every measured figure is positive and finite
 * (no timing thresholds: the machine is shared), the pair-rate bound lies at or above what the
 * project's own kernel achieves in the same process (the model check: a bound below a measured
 * rate is no bound), the fraction formulas on known numbers, and the choice of the peak's
 * kernel. */
#include "support.h"

#include "machine_limits.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sane(double v)
{
    return isfinite(v) && v > 0;
}

/* A small measurement: every figure positive and finite, the defaults filled in. */
static void measures_positive(void **state)
{
    (void)state;
    struct pb_limits_opts o = {.bytes = 16 << 20, .kernel_n = 64, .min_time_s = 0.01};
    struct pb_limits l;
    struct pb_err err = {0};
    assert_int_equal(pb_limits_measure_with(&o, &l, &err), 0);
    assert_true(sane(l.store_gbs));
    assert_true(sane(l.store_gbs_all));
    assert_true(sane(l.first_touch_gbs));
    assert_true(sane(l.first_touch_huge_gbs));
    assert_true(sane(l.peak_pairs_per_s));
    assert_true(sane(l.peak_pairs_per_s_float));
    assert_true(sane(l.fp_ops_per_s[0]));            /* 128-bit: every x86-64 has it */
    assert_true(sane(l.fp_ops_per_s_float[0]));
    assert_true(l.vector_bits == 128 || l.vector_bits == 256 || l.vector_bits == 512);
    assert_true(sane(l.arith_pairs_per_s));
    assert_true(sane(l.bin_incr_per_s));
    assert_true(sane(l.bound_pairs_per_s));
    assert_true(l.bound_pairs_per_s <= l.bin_incr_per_s);
    assert_true(l.bound_pairs_per_s <= l.arith_pairs_per_s);
    assert_true(l.level[0] != '\0');
    assert_true(l.threads_all >= 1);
    assert_int_equal(l.bytes, 16 << 20);
    assert_int_equal(l.touch_bytes, 4 << 20);
    assert_int_equal(l.kernel_n, 64);
    assert_non_null(pb_limits_kernel(l.kernel, NULL));
}

/* The JSON and table name every figure. */
static void reports(void **state)
{
    (void)state;
    struct pb_limits l = {.store_gbs = 12.5, .store_gbs_all = 24, .first_touch_gbs = 0.5,
                          .first_touch_huge_gbs = 9, .peak_pairs_per_s = 1.5e9,
                          .peak_pairs_per_s_float = 3e9, .threads_all = 2, .bytes = 1 << 30,
                          .touch_bytes = 1 << 28, .kernel = "naive", .kernel_n = 1024,
                          .fp_ops_per_s = {1e10, 2e10, 4e10},
                          .fp_ops_per_s_float = {2e10, 4e10, 8e10},
                          .vector_bits = 512, .arith_pairs_per_s = 5e9, .bin_incr_per_s = 3e9,
                          .bound_pairs_per_s = 3e9, .level = "x86-64-v4"};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    pb_limits_write_json(&l, f);
    fclose(f);
    assert_string_equal(text, "{\"store_gbs\": 12.5, \"store_gbs_all\": 24, \"first_touch_gbs\": "
                        "0.5, \"first_touch_huge_gbs\": 9, \"peak_pairs_per_s\": 1.5e+09, "
                        "\"peak_pairs_per_s_float\": 3e+09, \"threads_all\": 2, \"bytes\": "
                        "1073741824, \"touch_bytes\": 268435456, \"kernel\": \"naive\", "
                        "\"kernel_n\": 1024, \"arith_pairs_per_s\": 5e+09, \"fp_ops_per_s\": "
                        "{\"128\": 1e+10, \"256\": 2e+10, \"512\": 4e+10}, \"fp_ops_per_s_float\": "
                        "{\"128\": 2e+10, \"256\": 4e+10, \"512\": 8e+10}, \"vector_bits\": 512, "
                        "\"d2_ops_per_pair\": 8, \"min_image_ops_per_pair\": 12, "
                        "\"bin_incr_per_s\": 3e+09, \"bound_pairs_per_s\": 3e+09, "
                        "\"bound_pairs_per_s_float\": 3e+09, \"bound_pairs_per_s_periodic\": "
                        "2e+09, \"kernel_level\": \"x86-64-v4\"}");
    free(text);
    f = open_memstream(&text, &len);
    pb_limits_print(&l, f);
    fclose(f);
    assert_non_null(strstr(text, "12.50 GB/s"));
    assert_non_null(strstr(text, "1.5e+09"));
    assert_non_null(strstr(text, "d2 arithmetic, 512-bit"));
    assert_non_null(strstr(text, "histogram increments"));
    assert_non_null(strstr(text, "3e+09 pairs/s  (min of the two, 512-bit"));
    assert_non_null(strstr(text, "50% of the bound"));
    free(text);
}

/* Fractions on known numbers: matrix = ideal store time / wall, histogram = rate / peak x T. */
static void fractions(void **state)
{
    (void)state;
    struct pb_limits l = {.store_gbs = 10, .store_gbs_all = 16, .threads_all = 4,
                          .peak_pairs_per_s = 5e8, .peak_pairs_per_s_float = 6e8,
                          .fp_ops_per_s = {8e9, 16e9, 0}, .fp_ops_per_s_float = {16e9, 32e9, 0},
                          .vector_bits = 256, .bin_incr_per_s = 3e9};
    /* 10,000^2 doubles = 0.8 GB: 0.08 s at 10 GB/s, so 0.16 s is half the limit. */
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10000, 1, 0.16,
                                        PB_PRECISION_DOUBLE, 0, 0) - 0.5) < 1e-12);
    /* Float halves the bytes. */
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10000, 1, 0.16,
                                        PB_PRECISION_FLOAT, 0, 0) - 0.25) < 1e-12);
    /* 2 threads: min(2 x 10, 16) = 16 GB/s; 4 threads: store_gbs_all. */
    assert_true(fabs(pb_limits_store_gbs(&l, 2) - 16) < 1e-12);
    assert_true(fabs(pb_limits_store_gbs(&l, 8) - 16) < 1e-12);
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10000, 4, 0.1,
                                        PB_PRECISION_DOUBLE, 0, 0) - 0.5) < 1e-12);
    /* Bound: double, 256-bit: 16e9 ops / 8 = 2e9 pairs/s, below 3e9 increments/s. 20,000
     * points: 199,990,000 pairs in 0.1 s at 2 threads of 2e9 each is half of it. */
    assert_true(fabs(pb_limits_pair_bound(&l, PB_PRECISION_DOUBLE, 0, 0) - 2e9) < 1);
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_HISTOGRAM, 20000, 2, 0.1,
                                        PB_PRECISION_DOUBLE, 0, 0) - 0.499975) < 1e-12);
    /* Float: 32e9 / 8 = 4e9, so the 3e9 increments bind. */
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_HISTOGRAM, 20000, 2, 0.1,
                                        PB_PRECISION_FLOAT, 0, 0) - 199990000 / 0.1 / 6e9)
                < 1e-12);
    /* Periodic: 16e9 / (8 + 12) = 8e8 pairs/s. At 128 bits: 8e9 / 8 = 1e9. */
    assert_true(fabs(pb_limits_pair_bound(&l, PB_PRECISION_DOUBLE, 1, 0) - 8e8) < 1);
    assert_true(fabs(pb_limits_pair_bound(&l, PB_PRECISION_DOUBLE, 0, 128) - 1e9) < 1);
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_HISTOGRAM, 20000, 1, 0.5,
                                        PB_PRECISION_DOUBLE, 1, 0) - 0.499975) < 1e-12);
    /* A strategy that evaluated 1e8 of the pairs is judged on those. */
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_HISTOGRAM, 20000, 1, 0.1,
                                        PB_PRECISION_DOUBLE, 0, 100000000) - 0.5) < 1e-12);
    /* Missing limits or no time: NAN, never a made-up number. */
    assert_true(isnan(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10, 1, 0, PB_PRECISION_DOUBLE,
                                         0, 0)));
    assert_true(pb_limits_pair_bound(&l, PB_PRECISION_DOUBLE, 0, 512) == 0);
    struct pb_limits none = {0};
    assert_true(isnan(pb_limits_fraction(&none, PB_OUTPUT_HISTOGRAM, 10, 1, 1,
                                         PB_PRECISION_DOUBLE, 0, 0)));
}

/* The model check: the hardware bound is at or above what pairbench's fastest serial kernel
 * reaches on L1-sized input, in the same process (both best-of-passes, so a busy machine
 * slows both). Double and float, 1 core. No speed is asserted, only the order. */
static void bound_above_kernel(void **state)
{
    (void)state;
    struct pb_limits_opts o = {.bytes = 8 << 20, .kernel_n = 1024, .min_time_s = 0.1};
    struct pb_limits l;
    struct pb_err err = {0};
    assert_int_equal(pb_limits_measure_with(&o, &l, &err), 0);
    if (!(l.bound_pairs_per_s >= l.peak_pairs_per_s))
        fail_msg("bound %.3g pairs/s below %s's %.3g", l.bound_pairs_per_s, l.kernel,
                 l.peak_pairs_per_s);
    double bound_f = pb_limits_pair_bound(&l, PB_PRECISION_FLOAT, 0, 0);
    if (!(bound_f >= l.peak_pairs_per_s_float))
        fail_msg("float bound %.3g pairs/s below %s's %.3g", bound_f, l.kernel,
                 l.peak_pairs_per_s_float);
}

/* The peak's kernel: default blocked else naive; unknown and external ones refused. */
static void kernel_choice(void **state)
{
    (void)state;
    struct pb_err err = {0};
    const struct pb_strategy *s = pb_limits_kernel(NULL, &err);
    assert_non_null(s);
    assert_true(strcmp(s->name, "blocked") == 0 || strcmp(s->name, "naive") == 0);
    assert_string_equal(pb_limits_kernel("naive", &err)->name, "naive");
    assert_null(pb_limits_kernel("no-such", &err));
    assert_non_null(strstr(err.msg, "no-such"));
    assert_null(pb_limits_kernel("exec", &err));
    assert_non_null(strstr(err.msg, "in-process"));
    struct pb_limits_opts o = {.bytes = 1 << 20, .strategy = "no-such"};
    struct pb_limits l;
    assert_int_equal(pb_limits_measure_with(&o, &l, &err), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(measures_positive),
        cmocka_unit_test(reports),
        cmocka_unit_test(fractions),
        cmocka_unit_test(bound_above_kernel),
        cmocka_unit_test(kernel_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
