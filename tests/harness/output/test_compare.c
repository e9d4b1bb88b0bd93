/* test_compare.c — `bench compare` on synthetic result files written here: a strategy slowed by
 * 20% is caught (exit 1), an unchanged set passes (exit 0), a 2% slowdown under the 5%
 * threshold passes, keys in one file only are listed, and bad input exits 2. Ten runs a key
 * with 0.5% noise make every verdict decisive. A wide interval across the threshold is
 * inconclusive; different workloads (NAME.json) are refused, a different environment warned
 * about, and --json parses. */
#include "support.h"

#include "compare.h"
#include "main_commands.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* A FIFO (or anything but a regular file) on either side is refused at once with exit 2, never
 * waited on for a writer. */
static void test_fifo_refused(void **state)
{
    (void)state;
    char fifo[1200];
    snprintf(fifo, sizeof fifo, "%s.fifo", oldp);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    write_set(newp, 1, -1, 1.0, -1, -1);
    char *argv[] = { "compare", fifo, newp, NULL }, *back[] = { "compare", newp, fifo, NULL };
    alarm(20);
    assert_int_equal(pb_main_compare(3, argv), 2);
    assert_int_equal(pb_main_compare(3, back), 2);
    alarm(0);
    unlink(fifo);
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

/* A ratio whose interval reaches across 1 + threshold, without significance, is inconclusive
 * (it read "same"); a tight interval under the threshold stays "same". */
static void test_wide_interval_is_inconclusive(void **state)
{
    (void)state;
    static const double wide_old[] = { 1.0, 1.3, 0.8, 1.1, 0.9, 1.2 };
    static const double wide_new[] = { 1.06, 1.35, 0.82, 1.17, 0.95, 1.28 };
    struct pb_row old[6], new[6];
    for (int i = 0; i < 6; i++) {
        old[i] = (struct pb_row){ .strategy = "naive", .output = "histogram", .n = 1000,
                                  .threads = 1, .ranks = 1, .precision = "double",
                                  .status = "ok", .kind = "run", .wall_s = wide_old[i] };
        new[i] = old[i];
        new[i].wall_s = wide_new[i];
    }
    struct pb_cmp_opts o = PB_CMP_OPTS_DEFAULT;
    struct pb_cmp_result *res = NULL;
    size_t n = 0;
    assert_int_equal(pb_compare_rows(old, 6, new, 6, &o, &res, &n), 0);
    assert_int_equal(n, 1);
    print_message("ratio %.3f [%.3f, %.3f] p %.3f\n", res[0].ratio, res[0].ratio_lo,
                  res[0].ratio_hi, res[0].p);
    assert_true(res[0].ratio_lo < 1 + o.threshold && res[0].ratio_hi > 1 + o.threshold);
    assert_int_equal(res[0].verdict, PB_CMP_INCONCLUSIVE);
    assert_string_equal(pb_compare_verdict_name(res[0].verdict), "inconclusive");
    free(res);
}

/* Writes NAME.json beside the CSV at csv: the given workload and environment members. */
static void write_meta(const char *csv, const char *workload, const char *cpu,
                       const char *commit, const char *plugin_hash)
{
    char path[1200], text[4096];
    pb_compare_meta_path(csv, path, sizeof path);
    snprintf(text, sizeof text, "{\"workload\": %s, \"cpu\": {\"model\": \"%s\", "
             "\"family\": 25, \"model_number\": 1}, \"kernel_level\": \"build (avx2)\", "
             "\"compiler\": {\"id\": \"GNU 12.2.0\", \"flags\": \"-O3\"}, "
             "\"git\": {\"commit\": \"%s\", \"dirty\": false}, \"plugins\": "
             "[{\"strategies\": [\"mine\"], \"hash\": \"%s\", \"build\": null}]}\n",
             workload, cpu, commit, plugin_hash);
    pbt_write(path, text);
}

static const char uniform32[] = "{\"input\": {\"kind\": \"uniform\", \"seed\": 42, "
    "\"box\": 1000.0, \"periodic\": 0.0}, \"output\": \"histogram\", \"bins\": "
    "{\"count\": 32, \"min\": 0.0, \"max\": 1800.0, \"scale\": \"linear\"}, "
    "\"precision\": \"double\", \"periodic\": 0.0}";

/* Removes the NAME.json files beside oldp and newp, so later tests see none. */
static void remove_meta(void)
{
    char path[1200];
    remove(pb_compare_meta_path(oldp, path, sizeof path));
    remove(pb_compare_meta_path(newp, path, sizeof path));
}

/* Same workload, another CPU, commit and plugin build: compared, with one warning for each.
 * --json prints the table as a JSON document that parses, with the warnings in it. */
static void test_environment_differences_warned(void **state)
{
    (void)state;
    char *out;
    write_set(newp, 1, -1, 1.0, -1, -1);
    write_meta(oldp, uniform32, "AMD EPYC 7B13", "aaaa", "0123456789abcdef");
    write_meta(newp, uniform32, "AMD EPYC 9B14", "bbbb", "fedcba9876543210");
    assert_int_equal(pbt_bench(&out, "compare '%s' '%s'", oldp, newp), 0);
    assert_non_null(strstr(out, "warning: cpu.model: \"AMD EPYC 7B13\" in OLD, \"AMD EPYC "
                                "9B14\" in NEW"));
    assert_non_null(strstr(out, "warning: git.commit: \"aaaa\" in OLD, \"bbbb\" in NEW"));
    assert_non_null(strstr(out, "warning: plugins.[\"mine\"].hash: "));
    assert_null(strstr(out, "kernel_level"));
    free(out);
    char json_path[1200];
    snprintf(json_path, sizeof json_path, "%s.out.json", newp);
    char cmd[4000];                                   /* stdout alone: the warnings go to stderr */
    snprintf(cmd, sizeof cmd, "'%s' compare '%s' '%s' --json >'%s' 2>/dev/null", PB_BENCH_PATH,
             oldp, newp, json_path);
    assert_int_equal(system(cmd), 0);
    out = pbt_slurp(json_path);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    if (!doc)
        fail_msg("not JSON (%s): %s", jerr.text, out);
    assert_int_equal(json_array_size(json_object_get(doc, "keys")), NKEYS);
    json_t *k = json_array_get(json_object_get(doc, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(k, "verdict")), "same");
    assert_true(json_is_real(json_object_get(k, "ratio")));
    assert_int_equal(json_integer_value(json_object_get(k, "runs_old")), 10);
    assert_int_equal(json_array_size(json_object_get(doc, "warnings")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "totals"), "same")),
                     NKEYS);
    json_decref(doc);
    free(out);
    remove_meta();
}

/* Workloads that differ (input kind, seed, bin count) are refused with exit 2 and one message
 * naming each difference; nothing is judged. */
static void test_different_workloads_refused(void **state)
{
    (void)state;
    char *out, other[1024];
    write_set(newp, 1, 3, 1.3, -1, -1);               /* would read "slower" */
    snprintf(other, sizeof other, "%s", uniform32);
    write_meta(oldp, uniform32, "AMD EPYC", "aaaa", "0");
    static const char *const edits[][2] = { { "uniform", "clustered" }, { "42", "43" },
                                            { "32", "4" } };
    char *pos;
    for (size_t i = 0; i < 3; i++) {
        pos = strstr(other, edits[i][0]);
        assert_non_null(pos);
        memmove(pos + strlen(edits[i][1]), pos + strlen(edits[i][0]),
                strlen(pos + strlen(edits[i][0])) + 1);
        memcpy(pos, edits[i][1], strlen(edits[i][1]));
    }
    write_meta(newp, other, "AMD EPYC", "aaaa", "0");
    assert_int_equal(pbt_bench(&out, "compare '%s' '%s'", oldp, newp), 2);
    print_message("%s", out);
    assert_non_null(strstr(out, "measured different workloads"));
    assert_non_null(strstr(out, "input.kind: \"uniform\" in OLD, \"clustered\" in NEW"));
    assert_non_null(strstr(out, "input.seed: 42 in OLD, 43 in NEW"));
    assert_non_null(strstr(out, "bins.count: 32 in OLD, 4 in NEW"));
    assert_null(strstr(out, "slower"));
    free(out);
    remove_meta();
}

/* Two real sweeps, uniform seed 42 with 32 bins and clustered seed 43 with 4 bins: their
 * NAME.json files record the workloads and compare refuses them; a third sweep of the first
 * config compares without a workload complaint. */
static void test_real_sweeps_like_with_like(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("compare-sweeps");
    static const char *const names[] = { "a", "b", "c" };
    static const char *const inputs[] = { "\"uniform\", \"seed\": 42", "\"clustered\", "
                                          "\"seed\": 43", "\"uniform\", \"seed\": 42" };
    static const int bins[] = { 32, 4, 32 };
    char cfg[1200], text[1024], *out;
    for (int i = 0; i < 3; i++) {
        snprintf(cfg, sizeof cfg, "%s/%s.json", dir, names[i]);
        snprintf(text, sizeof text, "{\"input\": {\"kind\": %s}, \"output\": {\"kind\": "
                 "\"histogram\", \"bins\": {\"min\": 0, \"max\": 1800, \"count\": %d}}, "
                 "\"sizes\": [300], \"threads\": [1], \"repeats\": 2, \"overhead\": false, "
                 "\"strategies\": [\"naive\"]}\n", inputs[i], bins[i]);
        pbt_write(cfg, text);
        assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s/res' --quiet --no-render",
                                   cfg, dir), 0);
        free(out);
    }
    assert_int_equal(pbt_bench(&out, "compare '%s/res/a.csv' '%s/res/b.csv'", dir, dir), 2);
    assert_non_null(strstr(out, "input.kind: \"uniform\" in OLD, \"clustered\" in NEW"));
    assert_non_null(strstr(out, "input.seed: 42 in OLD, 43 in NEW"));
    assert_non_null(strstr(out, "bins.count: 32 in OLD, 4 in NEW"));
    free(out);
    int rc = pbt_bench(&out, "compare '%s/res/a.csv' '%s/res/c.csv'", dir, dir);
    assert_true(rc == 0 || rc == 1);                  /* judged; timing decides which */
    assert_null(strstr(out, "different workloads"));
    assert_null(strstr(out, "warning"));
    free(out);
}

/* Explicit edges that share their count, first and last edge but differ inside: two sweeps
 * that binned differently, refused by the edges' hash in NAME.json's workload. */
static void test_explicit_edges_compared(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("compare-edges");
    static const char *const edges[] = { "0, 100, 400, 1800", "0, 200, 400, 1800" };
    char cfg[1200], text[1024], *out;
    for (int i = 0; i < 2; i++) {
        snprintf(cfg, sizeof cfg, "%s/e%d.json", dir, i);
        snprintf(text, sizeof text, "{\"input\": {\"kind\": \"uniform\"}, \"output\": {\"kind\": "
                 "\"histogram\", \"bins\": {\"edges\": [%s]}}, \"sizes\": [200], "
                 "\"threads\": [1], \"repeats\": 2, \"overhead\": false, "
                 "\"strategies\": [\"naive\"]}\n", edges[i]);
        pbt_write(cfg, text);
        assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s/res' --quiet --no-render",
                                   cfg, dir), 0);
        free(out);
    }
    assert_int_equal(pbt_bench(&out, "compare '%s/res/e0.csv' '%s/res/e1.csv'", dir, dir), 2);
    assert_non_null(strstr(out, "bins.edges_fnv1a64: "));
    assert_null(strstr(out, "bins.count"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slowed_strategy_fails),
        cmocka_unit_test(test_unchanged_passes),
        cmocka_unit_test(test_small_slowdown_under_threshold_passes),
        cmocka_unit_test(test_keys_in_one_file_and_failures),
        cmocka_unit_test(test_bad_input_exits_2),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_explicit_edges_compared),
        cmocka_unit_test(test_empty_or_failed_new_fails_gate),
        cmocka_unit_test(test_wide_interval_is_inconclusive),
        cmocka_unit_test(test_environment_differences_warned),
        cmocka_unit_test(test_different_workloads_refused),
        cmocka_unit_test(test_real_sweeps_like_with_like),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
