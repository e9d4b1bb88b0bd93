/* test_compare.c — `bench compare` on synthetic result files written here: a strategy slowed by
 * 20% is caught (exit 1), an unchanged set passes (exit 0), a 2% slowdown under the 5%
 * threshold passes, keys in one file only are listed, and bad input exits 2. Ten runs a key
 * with 0.5% noise make every verdict decisive. */
#include "support.h"

#include "compare.h"
#include "main_commands.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixed noise in [-1, 1]; NEW files read it in another order so no copy is byte-identical. */
static const double noise[10] = { 0.3, -0.8, 0.1, 0.9, -0.4, -0.1, 0.6, -0.6, 0.0, 0.45 };

struct key {
    const char *strategy;
    int threads;
    double base_s;                   /* median wall time */
};

static const struct key keys[] = {
    { "naive", 1, 2.0 }, { "openmp", 1, 2.0 }, { "openmp", 2, 1.05 }, { "pthread-map", 2, 1.1 },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* Writes a result file: every key but `skip` with 10 runs, key `slowed` times `factor`; a
 * warm-up row per key (slow, must be ignored) and, when fail_key >= 0, that key failing. */
static void write_set(const char *path, int shift, int slowed, double factor, int skip,
                      int fail_key)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(pb_csv_write_header(f), 0);
    for (int k = 0; k < (int)NKEYS; k++) {
        for (int i = -1; i < 10 && k != skip; i++) {
            struct pb_row r = {
                .output = "histogram", .n = 20000, .threads = keys[k].threads, .repeat = i,
                .peak_rss_kib = 2048, .verified = "yes", .status = "ok", .kind = "run",
                .ranks = 1, .precision = "double", .pin = "none", .maxrss_kib = -1,
                .cgroup_peak_kib = -1, .fraction_of_limit = -1,
            };
            snprintf(r.strategy, sizeof r.strategy, "%s", keys[k].strategy);
            r.wall_s = keys[k].base_s * (1 + 0.005 * noise[(i + 10 + shift) % 10]);
            r.wall_s *= k == slowed ? factor : 1.0;
            if (i < 0)
                snprintf(r.kind, sizeof r.kind, "warmup"), r.wall_s *= 3;
            if (k == fail_key)
                snprintf(r.status, sizeof r.status, "failed: signal 11, \"Segmentation\"");
            r.pairs_per_s = 20000.0 * 19999 / 2 / r.wall_s;
            assert_int_equal(pb_csv_append(f, &r), 0);
        }
    }
    fclose(f);
}

static char oldp[1100], newp[1100];

static int setup(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("compare");
    snprintf(oldp, sizeof oldp, "%s/old.csv", dir);
    snprintf(newp, sizeof newp, "%s/new.csv", dir);
    write_set(oldp, 0, -1, 1.0, -1, -1);
    return 0;
}

/* Runs `bench compare OLD NEW extra...` through pb_main_compare; returns the exit status. */
static int run_compare(const char *extra1, const char *extra2)
{
    char *argv[] = { "compare", oldp, newp, (char *)extra1, (char *)extra2, NULL };
    int argc = 3 + (extra1 != NULL) + (extra2 != NULL);
    fflush(stdout);
    return pb_main_compare(argc, argv);
}

/* Compares the files and returns the table as text (caller frees); *res gets the results. */
static char *table(struct pb_cmp_result **res, size_t *n)
{
    struct pb_cmp_opts o = PB_CMP_OPTS_DEFAULT;
    struct pb_err err = { .msg = "" };
    char *text = NULL;
    size_t len = 0;
    if (pb_compare_files(oldp, newp, &o, res, n, &err) != 0)
        fail_msg("pb_compare_files: %s", err.msg);
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(pb_compare_write_table(f, *res, *n, &o), 0);
    fclose(f);
    return text;
}

/* The table line of (strategy, threads). */
static const char *line_of(const char *text, const char *strategy, int threads, char *buf)
{
    char head[64];
    snprintf(head, sizeof head, "\n%-16s - ", strategy);
    for (const char *p = strstr(text, head); p; p = strstr(p + 1, head)) {
        snprintf(buf, 512, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
        int t = 0;
        if (sscanf(buf + 38, "%*s %*u %d", &t) == 1 && t == threads)
            return buf;
    }
    fail_msg("no line for %s threads=%d in\n%s", strategy, threads, text);
    return NULL;
}

static void test_slowed_strategy_fails(void **state)
{
    (void)state;
    write_set(newp, 3, 2, 1.20, -1, -1);             /* openmp at 2 threads, 20% slower */
    assert_int_equal(run_compare(NULL, NULL), 1);
    struct pb_cmp_result *res = NULL;
    size_t n = 0;
    char buf[512], *text = table(&res, &n);
    assert_int_equal(n, NKEYS);
    assert_int_equal(pb_compare_count(res, n, PB_CMP_SLOWER), 1);
    assert_int_equal(pb_compare_count(res, n, PB_CMP_SAME), NKEYS - 1);
    assert_non_null(strstr(line_of(text, "openmp", 2, buf), "slower"));
    assert_non_null(strstr(line_of(text, "openmp", 1, buf), "same"));
    for (size_t i = 0; i < n; i++) {
        if (res[i].verdict != PB_CMP_SLOWER)
            continue;
        assert_string_equal(res[i].key.strategy, "openmp");
        assert_int_equal(res[i].runs_old, 10);             /* warm-ups left out */
        assert_int_equal(res[i].runs_new, 10);
        assert_true(fabs(res[i].ratio - 1.2) < 0.01);
        assert_true(res[i].ratio_lo <= res[i].ratio && res[i].ratio <= res[i].ratio_hi);
        assert_true(res[i].ratio_lo > 1.15);
        assert_true(res[i].p < 1e-4);                       /* complete separation, 10 vs 10 */
    }
    free(res);
    free(text);
}

static void test_unchanged_passes(void **state)
{
    (void)state;
    write_set(newp, 7, -1, 1.0, -1, -1);
    assert_int_equal(run_compare(NULL, NULL), 0);
    struct pb_cmp_result *res = NULL;
    size_t n = 0;
    char *text = table(&res, &n);
    assert_int_equal(pb_compare_count(res, n, PB_CMP_SAME), NKEYS);
    for (size_t i = 0; i < n; i++)
        assert_true(res[i].p > 0.5 && fabs(res[i].ratio - 1) < 0.005);
    free(res);
    free(text);
}

static void test_small_slowdown_under_threshold_passes(void **state)
{
    (void)state;
    write_set(newp, 5, 0, 1.02, -1, -1);             /* naive 2% slower: real, but tolerated */
    assert_int_equal(run_compare(NULL, NULL), 0);
    struct pb_cmp_result *res = NULL;
    size_t n = 0;
    char buf[512], *text = table(&res, &n);
    assert_non_null(strstr(line_of(text, "naive", 1, buf), "same"));
    assert_int_equal(pb_compare_count(res, n, PB_CMP_SLOWER), 0);
    /* the same files with a 1% threshold: now it is a slowdown */
    assert_int_equal(run_compare("--threshold", "0.01"), 1);
    assert_int_equal(run_compare("--threshold=0.01", NULL), 1);
    free(res);
    free(text);
}

static void test_keys_in_one_file_and_failures(void **state)
{
    (void)state;
    write_set(newp, 1, -1, 1.0, 3, -1);              /* pthread-map gone from NEW */
    assert_int_equal(run_compare(NULL, NULL), 0);
    struct pb_cmp_result *res = NULL;
    size_t n = 0;
    char buf[512], *text = table(&res, &n);
    assert_non_null(strstr(line_of(text, "pthread-map", 2, buf), "only in OLD"));
    free(res);
    free(text);

    write_set(newp, 1, -1, 1.0, -1, 0);              /* naive now crashes every run */
    assert_int_equal(run_compare(NULL, NULL), 1);
    text = table(&res, &n);
    assert_non_null(strstr(line_of(text, "naive", 1, buf), "failed in NEW"));
    assert_non_null(strstr(buf, "10/0 (0/10 failed)"));
    free(res);
    free(text);
}

static void test_bad_input_exits_2(void **state)
{
    (void)state;
    write_set(newp, 1, -1, 1.0, -1, -1);
    assert_int_equal(run_compare("--threshold", "abc"), 2);
    assert_int_equal(run_compare("--bogus", NULL), 2);
    char *one[] = { "compare", oldp, NULL };
    assert_int_equal(pb_main_compare(2, one), 2);
    char *twice[] = { "compare", oldp, newp, "--threshold", "0.5", "--threshold=0.01", NULL };
    assert_int_equal(pb_main_compare(6, twice), 2);   /* the second would silently win */

    FILE *f = fopen(newp, "a");
    fputs("naive,,histogram,20000,1,99,not-a-time\n", f);
    fclose(f);
    struct pb_cmp_opts o = PB_CMP_OPTS_DEFAULT;
    struct pb_err err = { .msg = "" };
    struct pb_cmp_result *res = NULL;
    size_t n = 0;
    assert_int_equal(pb_compare_files(oldp, newp, &o, &res, &n, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "new.csv:46:"));   /* header, 4 keys * (10 runs + 1 warm-up) */
    assert_int_equal(run_compare(NULL, NULL), 2);
    char missing[1200];
    snprintf(missing, sizeof missing, "%s.none", oldp);
    char *argv[] = { "compare", missing, newp, NULL };
    assert_int_equal(pb_main_compare(3, argv), 2);
}


/* A NEW file with only a header, or whose every run failed, never passes the gate; a key with
 * no ok run on either side is "no ok run", not "only in NEW". */
static void test_empty_or_failed_new_fails_gate(void **state)
{
    (void)state;
    FILE *f = fopen(newp, "w");
    assert_int_equal(pb_csv_write_header(f), 0);
    fclose(f);
    assert_int_equal(run_compare(NULL, NULL), 1);
    write_set(newp, 1, -1, 1.0, -1, 0);              /* naive fails in NEW ... */
    char keep[1080];
    snprintf(keep, sizeof keep, "%.1070s", oldp);
    snprintf(oldp, sizeof oldp, "%.1070s.failed", keep);
    write_set(oldp, 0, -1, 1.0, -1, 0);              /* ... and in OLD */
    struct pb_cmp_result *res = NULL;
    size_t n = 0;
    char buf[512], *text = table(&res, &n);
    assert_non_null(strstr(line_of(text, "naive", 1, buf), "no ok run"));
    free(res);
    free(text);
    assert_int_equal(run_compare(NULL, NULL), 1);
    snprintf(oldp, sizeof oldp, "%s", keep);
    struct pb_cmp_result none = { .runs_old = 3, .runs_new = 0 };
    struct pb_err err;
    assert_int_equal(pb_compare_gate_data(&none, 1, "o", "n", &err), -ENODATA);
    assert_non_null(strstr(err.msg, "n holds no ok counted run"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slowed_strategy_fails),
        cmocka_unit_test(test_unchanged_passes),
        cmocka_unit_test(test_small_slowdown_under_threshold_passes),
        cmocka_unit_test(test_keys_in_one_file_and_failures),
        cmocka_unit_test(test_bad_input_exits_2),
        cmocka_unit_test(test_empty_or_failed_new_fails_gate),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
