/* test_summary.c — rows in, NAME_summary.csv lines out: counts, medians, speedup and efficiency
 * against the lowest thread count, warm-ups left out, failures counted, noisy groups flagged. */
#include "support.h"

#include "summary.h"

#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct pb_row rows[64];
static size_t nrows;

/* Adds one row of the given group; wall and peak vary, the rest is fixed. */
static void add(const char *strategy, size_t n, int threads, const char *kind, double wall,
                const char *status)
{
    struct pb_row r = {
        .output = "histogram", .n = n, .threads = threads, .repeat = (int)nrows,
        .wall_s = wall, .user_s = wall, .peak_rss_kib = 1000 + (long)nrows,
        .pairs_per_s = n * (n - 1.0) / 2 / wall, .verified = "yes", .ranks = 1,
        .precision = "double", .pin = "none", .maxrss_kib = 900, .cgroup_peak_kib = -1,
        .fraction_of_limit = -1, .build_s = NAN, .dist_evals = -1, .pairs_counted = -1,
    };
    snprintf(r.strategy, sizeof r.strategy, "%s", strategy);
    snprintf(r.kind, sizeof r.kind, "%s", kind);
    snprintf(r.status, sizeof r.status, "%s", status);
    rows[nrows++] = r;
}

/* Splits line at commas into f[0..PB_SUM_COUNT) (no quoted fields in these tests). */
static void split(char *line, char **f)
{
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p && *p != '\n'; p++)
        if (*p == ',' && k < PB_SUM_COUNT) {
            *p = '\0';
            f[k++] = p + 1;
        }
    line[strcspn(line, "\n")] = '\0';
    assert_int_equal(k, PB_SUM_COUNT);
    f[PB_SUM_COUNT - 1][strcspn(f[PB_SUM_COUNT - 1], "\n")] = '\0';
}

/* Finds the summary line of (strategy, n, threads, kind) in text and splits it into f. */
static void find_line(const char *text, const char *strategy, size_t n, int threads,
                      const char *kind, char *buf, char **f)
{
    char head[128], tail[64];
    snprintf(head, sizeof head, "\n%s,,histogram,%zu,%d,", strategy, n, threads);
    snprintf(tail, sizeof tail, ",%s,1,double,", kind);
    for (const char *p = strstr(text, head); p; p = strstr(p + 1, head)) {
        size_t len = strcspn(p + 1, "\n");
        snprintf(buf, 1024, "%.*s", (int)len, p + 1);
        if (strstr(buf, tail)) {
            split(buf, f);
            return;
        }
    }
    fail_msg("no summary line for %s n=%zu threads=%d %s", strategy, n, threads, kind);
}

/* Writes the summary of rows[] and returns its text; *warn_text gets the warnings. */
static char *summarise(char **warn_text)
{
    char path[1100];
    size_t wlen = 0;
    FILE *warn = open_memstream(warn_text, &wlen);
    struct pb_err err = { .msg = "" };
    snprintf(path, sizeof path, "%s/x_summary.csv", pbt_tmpdir("summary"));
    int rc = pb_summary_write(rows, nrows, path, warn, &err);
    fclose(warn);
    if (rc != 0)
        fail_msg("pb_summary_write: %s", err.msg);
    char *text = pbt_slurp(path);
    assert_non_null(text);
    return text;
}

static void test_groups_medians_speedup(void **state)
{
    (void)state;
    nrows = 0;
    add("openmp", 1000, 1, "warmup", 5.0, "ok");          /* left out */
    add("openmp", 1000, 1, "run", 1.02, "ok");
    add("openmp", 1000, 1, "run", 0.98, "ok");
    add("openmp", 1000, 1, "run", 1.00, "ok");
    add("openmp", 1000, 2, "run", 0.51, "ok");
    add("openmp", 1000, 2, "run", 0.10, "failed: signal 9");  /* counted, not timed */
    add("openmp", 1000, 2, "run", 0.50, "ok");
    add("openmp", 1000, 2, "run", 0.49, "ok");
    add("openmp", 0, 2, "overhead", 0.001, "ok");
    snprintf(rows[6].verified, sizeof rows[6].verified, "no");  /* one run unverified */
    char *warn = NULL, *text = summarise(&warn);
    char buf[1024], *f[PB_SUM_COUNT];

    const char *header = "strategy,params,output,n,threads,runs,wall_min_s,wall_median_s,"
                              "wall_mean_s,wall_stddev_s,wall_ci95_lo_s,wall_ci95_hi_s,"
                              "peak_rss_kib,speedup,efficiency,kind,ranks,precision,cv,"
                              "mad_outliers,flag,maxrss_kib,cgroup_peak_kib,pairs_per_s,"
                              "verified,failed,fraction_of_limit,build_median_s,"
                              "evals_per_pair\n";
    assert_true(strncmp(text, header, strlen(header)) == 0);
    find_line(text, "openmp", 1000, 1, "run", buf, f);
    assert_string_equal(f[PB_SUM_runs], "3");                 /* warm-up excluded */
    assert_string_equal(f[PB_SUM_wall_min_s], "0.98");
    assert_string_equal(f[PB_SUM_wall_median_s], "1");
    assert_string_equal(f[PB_SUM_speedup], "1");
    assert_string_equal(f[PB_SUM_efficiency], "1");
    assert_string_equal(f[PB_SUM_peak_rss_kib], "1002");      /* median of 1001..1003 */
    assert_string_equal(f[PB_SUM_failed], "0");
    assert_string_equal(f[PB_SUM_verified], "yes");
    assert_string_equal(f[PB_SUM_flag], "");
    assert_string_equal(f[PB_SUM_cgroup_peak_kib], "");       /* unknown stays empty */
    assert_string_equal(f[PB_SUM_fraction_of_limit], "");
    assert_string_equal(f[PB_SUM_build_median_s], "");        /* brute force builds nothing */
    assert_string_equal(f[PB_SUM_evals_per_pair], "");
    assert_true(atof(f[PB_SUM_wall_ci95_lo_s]) <= 1.0 && atof(f[PB_SUM_wall_ci95_hi_s]) >= 1.0);

    find_line(text, "openmp", 1000, 2, "run", buf, f);
    assert_string_equal(f[PB_SUM_runs], "3");
    assert_string_equal(f[PB_SUM_failed], "1");
    assert_string_equal(f[PB_SUM_wall_median_s], "0.5");      /* the failed 0.10 is not timed */
    assert_string_equal(f[PB_SUM_wall_min_s], "0.49");
    assert_string_equal(f[PB_SUM_speedup], "2");
    assert_string_equal(f[PB_SUM_efficiency], "1");
    assert_string_equal(f[PB_SUM_verified], "no");

    find_line(text, "openmp", 0, 2, "overhead", buf, f);
    assert_string_equal(f[PB_SUM_runs], "1");
    assert_string_equal(f[PB_SUM_wall_median_s], "0.001");
    assert_string_equal(f[PB_SUM_speedup], "");
    assert_null(strstr(text, ",5,"));                      /* no trace of the warm-up */
    assert_string_equal(warn, "");
    free(text);
    free(warn);
}

/* A point whose runs shared their CPUs says how many did, one with more threads than CPUs
 * says capped with the CPUs it had, and a clean point has no flag: the same steady times in
 * each, so only the load columns differ. */
static void test_busy_and_capped_groups_flagged(void **state)
{
    (void)state;
    nrows = 0;
    const char *busy[] = { "busy", "", "busy" };
    for (int i = 0; i < 3; i++) {
        add("openmp", 2000, 1, "run", 1.0, "ok");
        snprintf(rows[nrows - 1].flag, sizeof rows[nrows - 1].flag, "%s", busy[i]);
    }
    for (int i = 0; i < 3; i++) {
        add("openmp", 2000, 4, "run", 1.0, "ok");
        rows[nrows - 1].cpus_avail = 2;
        snprintf(rows[nrows - 1].flag, sizeof rows[nrows - 1].flag, "%s",
                 i == 0 ? "busy;capped" : "capped");
    }
    for (int i = 0; i < 3; i++)
        add("openmp", 2000, 2, "run", 1.0, "ok");
    char *warn = NULL, *text = summarise(&warn);
    char buf[1024], *f[PB_SUM_COUNT];
    find_line(text, "openmp", 2000, 1, "run", buf, f);
    assert_string_equal(f[PB_SUM_flag], "busy 2/3 runs");
    find_line(text, "openmp", 2000, 4, "run", buf, f);
    assert_string_equal(f[PB_SUM_flag], "busy 1/3 runs; capped: 2 CPUs for 4 threads");
    find_line(text, "openmp", 2000, 2, "run", buf, f);
    assert_string_equal(f[PB_SUM_flag], "");
    assert_non_null(strstr(warn, "capped: 2 CPUs for 4 threads"));
    free(text);
    free(warn);
}

static void test_noisy_and_outlier_groups_flagged(void **state)
{
    (void)state;
    nrows = 0;
    const double noisy[] = { 1.0, 1.3, 0.8, 1.1, 0.9 };
    for (int i = 0; i < 5; i++)
        add("naive", 2000, 1, "run", noisy[i], "ok");
    const double steady[] = { 1.00, 1.01, 0.99, 1.00, 1.00, 1.01, 0.99, 1.00, 1.00, 1.04 };
    for (int i = 0; i < 10; i++)
        add("blocked", 2000, 1, "run", steady[i], "ok");
    add("pthread-map", 2000, 2, "run", 0.0, "timeout after 10 s");
    char *warn = NULL, *text = summarise(&warn);
    char buf[1024], *f[PB_SUM_COUNT];

    find_line(text, "naive", 2000, 1, "run", buf, f);
    assert_non_null(strstr(f[PB_SUM_flag], "cv "));
    assert_true(atof(f[PB_SUM_cv]) > 0.05);
    find_line(text, "blocked", 2000, 1, "run", buf, f);
    assert_string_equal(f[PB_SUM_mad_outliers], "1");
    assert_string_equal(f[PB_SUM_flag], "1 MAD outlier");
    assert_true(atof(f[PB_SUM_cv]) < 0.05);
    find_line(text, "pthread-map", 2000, 2, "run", buf, f);
    assert_string_equal(f[PB_SUM_runs], "0");
    assert_string_equal(f[PB_SUM_failed], "1");
    assert_string_equal(f[PB_SUM_wall_median_s], "");
    assert_string_equal(f[PB_SUM_flag], "no ok runs: timeout after 10 s");

    /* one warning line per flagged row */
    int lines = 0;
    for (const char *p = warn; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 3);
    assert_non_null(strstr(warn, "warning: naive histogram n=2000 threads=1"));
    assert_non_null(strstr(warn, "blocked"));
    free(text);
    free(warn);
}

/* A point whose runs were all skipped by the estimate is neither failed nor "0 ok runs": the
 * failed column counts 0, the flag gives the skip's reason, the warning counts it skipped; a
 * point with a skipped and a failed run counts one of each and gives the failure's reason. */
static void test_skipped_point_counted_as_skipped(void **state)
{
    (void)state;
    nrows = 0;
    add("python-loop", 4000, 1, "run", 0.0, "skipped: estimated 2.25 s > timeout_s 2 s");
    add("python-loop", 4000, 1, "run", 0.0, "skipped: estimated 2.25 s > timeout_s 2 s");
    add("naive", 4000, 1, "run", 0.0, "skipped: estimated 9 s > timeout_s 2 s");
    add("naive", 4000, 1, "run", 0.0, "timeout: after 2 s");
    char *warn = NULL, *text = summarise(&warn);
    char buf[1024], *f[PB_SUM_COUNT];
    find_line(text, "python-loop", 4000, 1, "run", buf, f);
    assert_string_equal(f[PB_SUM_runs], "0");
    assert_string_equal(f[PB_SUM_failed], "0");
    assert_string_equal(f[PB_SUM_flag], "skipped: estimated 2.25 s > timeout_s 2 s");
    find_line(text, "naive", 4000, 1, "run", buf, f);
    assert_string_equal(f[PB_SUM_failed], "1");
    assert_string_equal(f[PB_SUM_flag], "no ok runs: timeout: after 2 s");
    assert_non_null(strstr(warn, "python-loop histogram n=4000 threads=1 ranks=1 double run: "
                                 "skipped: estimated 2.25 s > timeout_s 2 s (2 skipped)\n"));
    assert_non_null(strstr(warn, "(0 ok runs, 1 failed, 1 skipped)\n"));
    assert_null(strstr(warn, "2 failed"));
    free(text);
    free(warn);
}

static void test_unwritable_path_named(void **state)
{
    (void)state;
    struct pb_err err = { .msg = "" };
    nrows = 0;
    add("naive", 10, 1, "run", 0.1, "ok");
    assert_int_equal(pb_summary_write(rows, nrows, "/nonexistent/dir/x.csv", NULL, &err),
                     -ENOENT);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.csv"));
}

/* A spatial strategy's group: the median build time over its ok runs, the median distance
 * evaluations per counted pair, and the independent method in the verified column. */
static void test_build_and_work_efficiency(void **state)
{
    (void)state;
    nrows = 0;
    const double build[] = { 0.2, 0.1, 0.3, 9.0 };
    const long evals[] = { 600, 500, 700, 100 };
    for (int i = 0; i < 4; i++) {
        add("grid", 1000, 2, "run", 1.0 + 0.001 * i, i < 3 ? "ok" : "crashed: SIGSEGV");
        rows[i].build_s = build[i];
        rows[i].dist_evals = evals[i];
        rows[i].pairs_counted = 100;
        snprintf(rows[i].verified, sizeof rows[i].verified, "%s", i < 3 ? "yes (kdtree)" : "");
    }
    rows[1].pairs_counted = -1;                            /* unknown: left out of the ratio */
    char *warn = NULL, *text = summarise(&warn);
    char buf[1024], *f[PB_SUM_COUNT];
    find_line(text, "grid", 1000, 2, "run", buf, f);
    assert_string_equal(f[PB_SUM_build_median_s], "0.2");     /* the crashed 9.0 is not counted */
    assert_string_equal(f[PB_SUM_evals_per_pair], "6.5");     /* median of 6 and 7 */
    assert_string_equal(f[PB_SUM_verified], "no");            /* one run was not checked */
    free(text);
    free(warn);
    snprintf(rows[3].verified, sizeof rows[3].verified, "yes (kdtree)");
    text = summarise(&warn);
    find_line(text, "grid", 1000, 2, "run", buf, f);
    assert_string_equal(f[PB_SUM_verified], "yes (kdtree)");
    free(text);
    free(warn);
}

/* A label that a spreadsheet would evaluate (from an edited CSV: bench never writes one) is
 * refused, not copied into the summary's first column; nothing is written. */
/* The summary read back by column name: the accessors the figures and the report share. */
static void test_read_back_by_column(void **state)
{
    (void)state;
    nrows = 0;
    add("naive", 100, 1, "run", 0.5, "ok");
    add("naive", 100, 1, "run", 0.6, "failed: signal 9");
    add("naive", 0, 1, "overhead", 0.001, "ok");
    add("blocked", 100, 1, "run", 0.4, "ok");
    snprintf(rows[3].verified, sizeof rows[3].verified, "no");
    char *warn = NULL, *text = summarise(&warn), path[1100];
    snprintf(path, sizeof path, "%s/back_summary.csv", pbt_tmpdir("summary-back"));
    pbt_write(path, text);
    struct pb_table t;
    struct pb_err err = { .msg = "" };
    assert_int_equal(pb_table_read(path, &t, &err), 0);
    assert_int_equal(t.ncols, PB_SUM_COUNT);
    for (size_t c = 0; c < PB_SUM_COUNT; c++)
        assert_int_equal(pb_summary_col(&t, (enum pb_sum_col)c), (int)c);
    assert_string_equal(pb_summary_name(PB_SUM_wall_median_s), PB_SUM_TEXT(wall_median_s));
    for (size_t r = 0; r < t.nrows; r++) {
        const char *name = pb_summary_get(&t, r, PB_SUM_strategy);
        int overhead = strcmp(pb_summary_get(&t, r, PB_SUM_kind), PB_KIND_OVERHEAD) == 0;
        assert_int_equal(pb_summary_counted(&t, r), !overhead);
        assert_int_equal(pb_summary_failed(&t, r), !strcmp(name, "naive") && !overhead);
        assert_int_equal(pb_summary_unverified(&t, r), !strcmp(name, "blocked"));
    }
    pb_table_free(&t);
    free(text);
    free(warn);
}

static void test_formula_label_refused(void **state)
{
    (void)state;
    static const char *const bad[] = { "=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)" };
    char path[1200];
    snprintf(path, sizeof path, "%s/f_summary.csv", pbt_tmpdir("summary-formula"));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pb_err err = { .msg = "" };
        nrows = 0;
        add("naive", 10, 1, "run", 0.1, "ok");
        add(bad[i], 10, 1, "run", 0.1, "ok");
        assert_int_equal(pb_summary_write(rows, nrows, path, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "run 2: strategy"));
        assert_non_null(strstr(err.msg, "a spreadsheet reads as a formula"));
        assert_int_equal(access(path, F_OK), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_medians_speedup),
        cmocka_unit_test(test_noisy_and_outlier_groups_flagged),
        cmocka_unit_test(test_busy_and_capped_groups_flagged),
        cmocka_unit_test(test_unwritable_path_named),
        cmocka_unit_test(test_skipped_point_counted_as_skipped),
        cmocka_unit_test(test_build_and_work_efficiency),
        cmocka_unit_test(test_formula_label_refused),
        cmocka_unit_test(test_read_back_by_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
