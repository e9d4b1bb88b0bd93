/* test_machine_limits.c — harness/machine_limits.c: every measured figure is positive and finite
 * (no timing thresholds: the machine is shared), the fraction formulas on known numbers, and the
 * choice of the peak's kernel. */
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
                          .touch_bytes = 1 << 28, .kernel = "naive", .kernel_n = 1024};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    pb_limits_write_json(&l, f);
    fclose(f);
    assert_string_equal(text, "{\"store_gbs\": 12.5, \"store_gbs_all\": 24, \"first_touch_gbs\": "
                        "0.5, \"first_touch_huge_gbs\": 9, \"peak_pairs_per_s\": 1.5e+09, "
                        "\"peak_pairs_per_s_float\": 3e+09, \"threads_all\": 2, \"bytes\": "
                        "1073741824, \"touch_bytes\": 268435456, \"kernel\": \"naive\", "
                        "\"kernel_n\": 1024}");
    free(text);
    f = open_memstream(&text, &len);
    pb_limits_print(&l, f);
    fclose(f);
    assert_non_null(strstr(text, "12.50 GB/s"));
    assert_non_null(strstr(text, "1.5e+09"));
    free(text);
}

/* Fractions on known numbers: matrix = ideal store time / wall, histogram = rate / peak x T. */
static void fractions(void **state)
{
    (void)state;
    struct pb_limits l = {.store_gbs = 10, .store_gbs_all = 16, .threads_all = 4,
                          .peak_pairs_per_s = 1e9, .peak_pairs_per_s_float = 2e9};
    /* 10,000^2 doubles = 0.8 GB: 0.08 s at 10 GB/s, so 0.16 s is half the limit. */
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10000, 1, 0.16,
                                        PB_PRECISION_DOUBLE) - 0.5) < 1e-12);
    /* Float halves the bytes. */
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10000, 1, 0.16,
                                        PB_PRECISION_FLOAT) - 0.25) < 1e-12);
    /* 2 threads: min(2 x 10, 16) = 16 GB/s; 4 threads: store_gbs_all. */
    assert_true(fabs(pb_limits_store_gbs(&l, 2) - 16) < 1e-12);
    assert_true(fabs(pb_limits_store_gbs(&l, 8) - 16) < 1e-12);
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10000, 4, 0.1,
                                        PB_PRECISION_DOUBLE) - 0.5) < 1e-12);
    /* 20,000 points: 199,990,000 pairs in 0.1 s at 2 threads of 1e9 each. */
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_HISTOGRAM, 20000, 2, 0.1,
                                        PB_PRECISION_DOUBLE) - 0.99995) < 1e-12);
    assert_true(fabs(pb_limits_fraction(&l, PB_OUTPUT_HISTOGRAM, 20000, 2, 0.1,
                                        PB_PRECISION_FLOAT) - 0.499975) < 1e-12);
    /* Missing limits or no time: NAN, never a made-up number. */
    assert_true(isnan(pb_limits_fraction(&l, PB_OUTPUT_MATRIX, 10, 1, 0, PB_PRECISION_DOUBLE)));
    struct pb_limits none = {0};
    assert_true(isnan(pb_limits_fraction(&none, PB_OUTPUT_HISTOGRAM, 10, 1, 1,
                                         PB_PRECISION_DOUBLE)));
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
        cmocka_unit_test(kernel_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
