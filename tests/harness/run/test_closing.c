/* test_closing.c — the closing table: the fastest point per n by the median of its counted ok
 * runs, its speedup over naive, the sizes without one left out, the rows' busy flag, then the
 * summary's flags (spread included) and how many other points at n it flags.
 * (End-to-end tables are in test_sweep.) */
#include "support.h"

#include "closing.h"
#include "summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A counted ok run of strategy at n with threads and wall time wall; flag as given. */
static struct pb_row run(const char *strategy, size_t n, int threads, int repeat, double wall,
                         const char *flag)
{
    struct pb_row r = {.n = n, .threads = threads, .repeat = repeat, .ranks = 1,
                       .wall_s = wall, .user_s = wall, .sys_s = 0, .peak_rss_kib = 1000,
                       .pairs_per_s = 1, .maxrss_kib = -1, .cgroup_peak_kib = -1,
                       .fraction_of_limit = -1, .rank_max_kib = -1, .rank_sum_kib = -1,
                       .build_s = NAN, .dist_evals = -1, .pairs_counted = -1,
                       .other_cpu_s = NAN, .steal_s = NAN, .cpus_avail = NAN};
    snprintf(r.strategy, sizeof r.strategy, "%s", strategy);
    snprintf(r.output, sizeof r.output, "matrix");
    snprintf(r.verified, sizeof r.verified, "yes");
    snprintf(r.status, sizeof r.status, "ok");
    snprintf(r.kind, sizeof r.kind, "run");
    snprintf(r.precision, sizeof r.precision, "double");
    snprintf(r.pin, sizeof r.pin, "none");
    snprintf(r.flag, sizeof r.flag, "%s", flag);
    return r;
}

/* The rows of the tests: at n = 100 naive (median 3 s) and blocked x2 (median 1 s, one run
 * busy, a wide spread); at n = 200 only a failed run. */
static size_t rows_make(struct pb_row *rows)
{
    size_t k = 0;
    rows[k++] = run("naive", 100, 1, 1, 2.0, "");
    rows[k++] = run("naive", 100, 1, 2, 4.0, "");
    rows[k++] = run("blocked", 100, 2, 1, 0.5, "busy");
    rows[k++] = run("blocked", 100, 2, 2, 1.5, "");
    rows[k] = run("naive", 200, 1, 1, 9.0, "");
    snprintf(rows[k++].status, sizeof rows[0].status, "crashed: SIGSEGV");
    return k;
}

static void test_fastest_per_n(void **state)
{
    (void)state;
    struct pb_row rows[8];
    size_t n = rows_make(rows), sizes[] = {100, 200};
    struct pb_best *best = NULL;
    assert_int_equal(pb_closing_table(rows, n, sizes, 2, &best), 1);   /* n = 200: none ok */
    assert_non_null(best);
    assert_int_equal(best[0].n, 100);
    assert_string_equal(best[0].label, "blocked x2");
    assert_true(fabs(best[0].median_s - 1.0) < 1e-12);
    assert_true(fabs(best[0].speedup_vs_naive - 3.0) < 1e-12);
    assert_int_equal(best[0].peak_kib, 1000);
    assert_int_equal(best[0].threads, 2);
    assert_string_equal(best[0].strategy, "blocked");
    assert_string_equal(best[0].flags, "busy 1/2 runs");
    free(best);
}

/* The summary's flag replaces the rows' own: the spread of blocked's two runs (cv 71%) shows,
 * and naive, flagged too, is counted as another flagged point. Without a summary the rows'
 * flags stay. */
static void test_flags_from_summary(void **state)
{
    (void)state;
    struct pb_row rows[8];
    size_t n = rows_make(rows), sizes[] = {100};
    char dir[1024], path[2048];
    struct pb_best *best = NULL;
    struct pb_err err = {{0}};
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("closing-flags"));
    assert_int_equal(pb_closing_table(rows, n, sizes, 1, &best), 1);
    pb_closing_flags(dir, "c", best, 1);                  /* no summary yet */
    assert_string_equal(best[0].flags, "busy 1/2 runs");
    snprintf(path, sizeof path, "%s/c_summary.csv", dir);
    assert_int_equal(pb_summary_write(rows, n, path, NULL, &err), 0);
    pb_closing_flags(dir, "c", best, 1);
    if (!strstr(best[0].flags, "cv ") || !strstr(best[0].flags, "busy 1/2 runs") ||
        !strstr(best[0].flags, "; 1 other point flagged"))
        fail_msg("flags: %s", best[0].flags);
    free(best);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fastest_per_n),
        cmocka_unit_test(test_flags_from_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
