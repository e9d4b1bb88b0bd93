/* test_sweep.c — durability of a sweep: SIGINT midway leaves a valid CSV of finished runs,
 * --resume completes it to exactly the rows of an uninterrupted sweep, and a resume against
 * another config is refused. Verification above verify.naive_max_n by an independent strategy
 * (never the run's own), and brute-force runs skipped when their estimate exceeds timeout_s. */
#include "support.h"

#include "experiment.h"
#include "registry.h"
#include "results.h"
#include "strategies/strategies.h"
#include "sweep.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEY 1600                     /* bytes per row key: label, params (< 1024) and more */

/* Lines in the file at path (0 when missing). */
static int count_lines(const char *path)
{
    char *text = pbt_slurp(path);
    int n = 0;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

/* Starts bench on the smoke config into dir, in the config's order; returns its pid. */
static pid_t start_bench(const char *dir, const char *extra)
{
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(PB_BENCH_PATH, "bench", "--config", "configs/smoke.json", "--out", dir, "--quiet",
              "--order", "config", extra, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Exit status of pid (128 + signal when killed). */
static int wait_status(pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The identifying key of a row, for comparing sweeps. */
static void row_key(const struct pb_row *r, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s|%zu|%d|%d|%d|%s", r->strategy, r->params, r->n, r->threads,
             r->ranks, r->repeat, r->kind);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Reads the CSV at path and returns its sorted keys (malloc'd, KEY bytes each). */
static char *sorted_keys(const char *path, size_t *n)
{
    struct pb_row *rows;
    struct pb_err err;
    if (pb_csv_read(path, &rows, n, &err) < 0)
        fail_msg("%s", err.msg);
    char *keys = calloc(*n + 1, KEY);
    for (size_t i = 0; i < *n; i++) {
        row_key(&rows[i], keys + KEY * i, KEY);
        if (strcmp(rows[i].status, "ok") != 0)
            fail_msg("%s: row %zu: status %s", path, i + 1, rows[i].status);
    }
    qsort(keys, *n, KEY, cmp_str);
    free(rows);
    return keys;
}

/* Interrupt at about a third of the runs, resume, compare with a sweep never interrupted. */
static void test_interrupt_then_resume(void **state)
{
    (void)state;
    char dir_a[1024], dir_b[1024], csv_a[1100], csv_b[1100];
    snprintf(dir_a, sizeof dir_a, "%s", pbt_tmpdir("sweep-interrupted"));
    snprintf(dir_b, sizeof dir_b, "%s", pbt_tmpdir("sweep-whole"));
    snprintf(csv_a, sizeof csv_a, "%s/smoke.csv", dir_a);
    snprintf(csv_b, sizeof csv_b, "%s/smoke.csv", dir_b);
    pid_t pid = start_bench(dir_a, NULL);
    for (int i = 0; i < 6000 && count_lines(csv_a) < 50; i++)
        usleep(5000);
    kill(pid, SIGINT);
    assert_int_equal(wait_status(pid), 130);
    int partial = count_lines(csv_a) - 1;
    assert_true(partial >= 49 && partial < 140);
    size_t n_partial;
    free(sorted_keys(csv_a, &n_partial));      /* the interrupted CSV parses, every row ok */
    assert_int_equal((int)n_partial, partial);
    assert_int_equal(wait_status(start_bench(dir_a, "--resume")), 0);
    assert_int_equal(wait_status(start_bench(dir_b, NULL)), 0);
    size_t na, nb;
    char *ka = sorted_keys(csv_a, &na), *kb = sorted_keys(csv_b, &nb);
    assert_int_equal(na, 140);
    assert_int_equal(na, nb);
    assert_memory_equal(ka, kb, KEY * na);
    for (size_t i = 1; i < na; i++)             /* no run recorded twice */
        assert_true(strcmp(ka + KEY * (i - 1), ka + KEY * i) != 0);
    free(ka);
    free(kb);
}

/* --resume of results written by another config is refused with exit 2, file untouched. */
static void test_resume_other_config(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-other");
    char csv[1100], *out;
    snprintf(csv, sizeof csv, "%s/smoke.csv", dir);
    pbt_write(csv, PB_CSV_HEADER "\n"
              "naive,,histogram,7,1,0,1e-05,0,0,500,2.1e6,yes,ok,run,1,double,none,900,,,"
              "0123456789abcdef,,,,,\n");
    char *before = pbt_slurp(csv);
    assert_int_equal(pbt_bench(&out, "--config configs/smoke.json --out '%s' --resume", dir), 2);
    assert_non_null(strstr(out, "another config"));
    free(out);
    char *after = pbt_slurp(csv);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Sweeps the config text (written to DIR/NAME.json) in this process; *rows gets its CSV. */
static void sweep_text(const char *tag, const char *text, struct pb_row **rows, size_t *nrows)
{
    const char *dir = pbt_tmpdir(tag);
    char path[1100];
    struct pb_experiment e;
    struct pb_err err = { "" };
    struct pb_sweep_result r;
    struct pb_sweep_opts o = { .outdir = dir, .force = 1 };
    snprintf(path, sizeof path, "%s/%s.json", dir, tag);
    pbt_write(path, text);
    if (pb_config_load(path, &e, &err) != 0)
        fail_msg("%s", err.msg);
    if (pb_sweep_run(&e, &o, NULL, &r, &err) != 0)
        fail_msg("%s", err.msg);
    if (pb_csv_read(r.csv, rows, nrows, &err) != 0)
        fail_msg("%s", err.msg);
    pb_sweep_result_free(&r);
    pb_experiment_free(&e);
}

/* The row of strategy label at n (the test configs run one repeat, one thread count). */
static const struct pb_row *find_row(const struct pb_row *rows, size_t nrows, const char *label,
                                     size_t n)
{
    for (size_t i = 0; i < nrows; i++)
        if (strcmp(rows[i].strategy, label) == 0 && rows[i].n == n)
            return &rows[i];
    fail_msg("no row %s at n = %zu", label, n);
    return NULL;
}

/* Asserts the verified cell and the start of the status of label's row at n. */
static void expect_row(const struct pb_row *rows, size_t nrows, const char *label, size_t n,
                       const char *verified, const char *status)
{
    const struct pb_row *r = find_row(rows, nrows, label, n);
    if (strcmp(r->verified, verified) != 0 || strncmp(r->status, status, strlen(status)) != 0)
        fail_msg("%s n=%zu: verified \"%s\" status \"%s\", expected \"%s\" and \"%s...\"",
                 label, n, r->verified, r->status, verified, status);
}

#define VERIFY_CONFIG(REFS, STRATEGIES) \
    "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 1, \"max\": 1200, " \
    "\"count\": 12, \"scale\": \"log\"}},\n \"sizes\": [40, 300], \"repeats\": 1, " \
    "\"warmup\": 0, \"overhead\": false,\n \"verify\": {\"naive_max_n\": 100, " \
    "\"reference\": " REFS "},\n \"strategies\": " STRATEGIES "}\n"

/* Above naive_max_n a run is checked by the first listed reference that is not its own
 * strategy, and says which; naive still checks the small n; a wrong answer reads "no (...)". */
static void test_verify_independent(void **state)
{
    (void)state;
    struct pb_row *rows;
    size_t n;
    sweep_text("verify-indep", VERIFY_CONFIG("[\"blocked\", \"openmp\"]",
               "[\"blocked\", \"openmp\", \"test-wrong\"]"), &rows, &n);
    assert_int_equal(n, 6);
    expect_row(rows, n, "blocked", 40, "yes", "ok");
    expect_row(rows, n, "test-wrong", 40, "no", "ok; mismatch");
    expect_row(rows, n, "blocked", 300, "yes (openmp)", "ok");   /* never itself */
    expect_row(rows, n, "openmp", 300, "yes (blocked)", "ok");
    expect_row(rows, n, "test-wrong", 300, "no (blocked)", "ok; mismatch");
    free(rows);
}

/* References that disagree leave every run at that n unverified, saying so; a strategy whose
 * only listed reference is itself is not verified, with the reason; a reference that fails
 * leaves its runs unverified with its error. */
static void test_verify_unverifiable(void **state)
{
    (void)state;
    struct pb_row *rows;
    size_t n;
    sweep_text("verify-disagree", VERIFY_CONFIG("[\"test-wrong\", \"blocked\"]",
               "[\"blocked\", \"test-wrong\"]"), &rows, &n);
    expect_row(rows, n, "blocked", 40, "yes", "ok");
    expect_row(rows, n, "blocked", 300, "", "ok; not verified: references disagree: test-wrong "
               "and blocked disagree: bin");
    expect_row(rows, n, "test-wrong", 300, "", "ok; not verified: references disagree");
    free(rows);
    sweep_text("verify-self", VERIFY_CONFIG("[\"blocked\"]", "[\"blocked\"]"), &rows, &n);
    expect_row(rows, n, "blocked", 300, "", "ok; not verified: n 300 > verify.naive_max_n 100 "
               "and no verify.reference other than blocked");
    free(rows);
    sweep_text("verify-fail", VERIFY_CONFIG("[\"test-error\", \"blocked\"]",
               "[\"openmp\"]"), &rows, &n);
    expect_row(rows, n, "openmp", 300, "", "ok; not verified: reference: test-error failed");
    free(rows);
}

/* Brute-force runs whose estimate exceeds an explicit timeout_s are skipped with the estimate,
 * not started; those under it run. */
static void test_skip_beyond_timeout(void **state)
{
    (void)state;
    struct pb_row *rows;
    size_t n;
    sweep_text("skip-estimate",
               "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 1, \"max\": 50, "
               "\"count\": 4}},\n \"sizes\": [40, 100000], \"repeats\": 1, \"warmup\": 0,\n"
               " \"overhead\": false, \"timeout_s\": 5, \"strategies\": [\"blocked\"]}\n",
               &rows, &n);
    expect_row(rows, n, "blocked", 40, "yes", "ok");
    expect_row(rows, n, "blocked", 100000, "", "skipped: estimated 25 s > timeout_s 5 s");
    free(rows);
}

/* A spatial (histogram-only) strategy is estimated from the pairs within rmax, not n^2: at
 * n = 10^6, rmax 50 in a 1000 box, 2 threads, a few seconds against 1250 s of brute force. */
static void test_estimate_spatial(void **state)
{
    (void)state;
    static const struct pb_strategy spatial = { .abi_version = PB_STRATEGY_ABI,
                                                .name = "t-spatial",
                                                .flags = PB_HISTOGRAM_ONLY };
    struct pb_strategy_cfg sc[2] = { { .strategy = &spatial },
                                     { .strategy = pb_registry_find("blocked") } };
    struct pb_experiment e = { .output = PB_OUTPUT_HISTOGRAM, .input = { .box = 1000 },
                               .bins = { .min = 0.5, .max = 50, .count = 20 },
                               .strategies = sc, .nstrategies = 2 };
    struct pb_run run = { .strategy = 0, .n = 1000000, .threads = 2, .ranks = 1 };
    double t = pb_sweep_estimate_seconds(&e, &run);
    assert_true(t > 1 && t < 10);
    run.strategy = 1;
    assert_true(pb_sweep_estimate_seconds(&e, &run) > 1000);
    e.bins.max = 2000;                                   /* beyond the diagonal: every pair */
    run.strategy = 0;
    assert_true(pb_sweep_estimate_seconds(&e, &run) > 1000);
}

/* An "rmax" sweep runs every strategy at each rmax with the bins scaled to it, each row checked
 * against a reference made with its own edges (naive at the small n, independent above). */
static void test_rmax_sweep(void **state)
{
    (void)state;
    struct pb_row *rows;
    size_t n;
    sweep_text("rmax-sweep",
               "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 1, \"max\": 100, "
               "\"count\": 6, \"scale\": \"log\"}},\n \"sizes\": [40, 300], \"repeats\": 1, "
               "\"warmup\": 0, \"overhead\": false,\n \"rmax\": [20, 1800],\n"
               " \"verify\": {\"naive_max_n\": 100, \"reference\": [\"blocked\", \"openmp\"]},\n"
               " \"strategies\": [\"blocked\", \"openmp\"]}\n", &rows, &n);
    assert_int_equal(n, 8);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        int small = strcmp(rows[i].params, "rmax=20") == 0;
        assert_true(small || strcmp(rows[i].params, "rmax=1800") == 0);
        const char *want = rows[i].n == 40 ? "yes" : strcmp(rows[i].strategy, "blocked") == 0
                                                         ? "yes (openmp)" : "yes (blocked)";
        if (strcmp(rows[i].verified, want) != 0 || strcmp(rows[i].status, "ok") != 0)
            fail_msg("%s %s n=%zu: %s / %s", rows[i].strategy, rows[i].params, rows[i].n,
                     rows[i].verified, rows[i].status);
        if (rows[i].n == 300)      /* [0.2, 20): a handful of pairs; [18, 1800): nearly all */
            assert_true(small ? rows[i].pairs_counted < 100 : rows[i].pairs_counted > 40000);
        seen++;
    }
    assert_int_equal(seen, 8);
    free(rows);
}

/* Registers the test strategies the configs above name. */
static int setup(void **state)
{
    struct pb_err err;
    (void)state;
    if (pb_registry_add(&pb_test_strategy_wrong, &err) ||
        pb_registry_add(&pb_test_strategy_error, &err))
        return -1;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_independent),
        cmocka_unit_test(test_verify_unverifiable),
        cmocka_unit_test(test_skip_beyond_timeout),
        cmocka_unit_test(test_estimate_spatial),
        cmocka_unit_test(test_rmax_sweep),
        cmocka_unit_test(test_interrupt_then_resume),
        cmocka_unit_test(test_resume_other_config),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
