/* test_sweep.c — durability of a sweep: SIGINT midway leaves a valid CSV of finished runs,
 * --resume completes it to exactly the rows of an uninterrupted sweep, and a resume against
 * another config is refused. Hardening: every output file is checked before anything is
 * written (name collisions, symlinks, inputs inside --out), the output is locked, descriptors
 * do not leak into runs, a full disk is named and leaves no partial row, resumed sessions are
 * recorded and counted, a changed points file is refused, signals stop the sweep promptly and
 * nothing of a killed sweep survives it. Verification above verify.naive_max_n by an
 * independent strategy (never the run's own), and brute-force runs skipped when their estimate
 * exceeds timeout_s. */
/* ctest-labels: slow */
#include "support.h"

#include "config.h"
#include "experiment.h"
#include "registry.h"
#include "results.h"
#include "strategies/strategies.h"
#include "summary.h"
#include "sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
              "0123456789abcdef,,,,,,,,,\n");
    char *before = pbt_slurp(csv);
    assert_int_equal(pbt_bench(&out, "--config configs/smoke.json --out '%s' --resume", dir), 2);
    assert_non_null(strstr(out, "another config"));
    free(out);
    char *after = pbt_slurp(csv);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Sweeps the config text (written to DIR/NAME.config, outside the names a sweep writes) in
 * this process; *rows gets its CSV. */
static void sweep_text(const char *tag, const char *text, struct pb_row **rows, size_t *nrows)
{
    const char *dir = pbt_tmpdir(tag);
    char path[1100];
    struct pb_experiment e;
    struct pb_err err = { "" };
    struct pb_sweep_result r;
    struct pb_sweep_opts o = { .outdir = dir, .force = 1 };
    snprintf(path, sizeof path, "%s/%s.config", dir, tag);
    pbt_write(path, text);
    if (pb_experiment_load(path, &e, &err) != 0)
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

/* With OMP_THREAD_LIMIT=1 the rows of 2 threads are capped, 1 CPU available, and say so; the
 * rows of 1 thread are not; the closing table never shows n's fastest point without the flag:
 * either its own ("capped") or the flagged point beside it. No timing decides anything here:
 * whichever thread count was faster, the table's flags are not empty. */
static void test_capped_rows_flagged(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("capped");
    char path[1100];
    struct pb_experiment e;
    struct pb_err err = { "" };
    struct pb_sweep_result r;
    struct pb_sweep_opts o = { .outdir = dir, .force = 1 };
    struct pb_row *rows;
    size_t n;
    snprintf(path, sizeof path, "%s/capped.config", dir);
    pbt_write(path, "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 1, "
                    "\"max\": 50, \"count\": 4}},\n \"sizes\": [40], \"threads\": [1, 2], "
                    "\"repeats\": 2, \"warmup\": 0, \"overhead\": false,\n"
                    " \"strategies\": [\"openmp\"]}\n");
    setenv("OMP_THREAD_LIMIT", "1", 1);
    assert_int_equal(pb_experiment_load(path, &e, &err), 0);
    int rc = pb_sweep_run(&e, &o, NULL, &r, &err);
    unsetenv("OMP_THREAD_LIMIT");
    assert_int_equal(rc, 0);
    assert_int_equal(pb_csv_read(r.csv, &rows, &n, &err), 0);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows[i].status, "ok");
        assert_true(rows[i].cpus_avail == 1);
        assert_int_equal(pb_row_flagged(&rows[i], PB_FLAG_CAPPED), rows[i].threads == 2);
    }
    assert_int_equal(r.nbest, 1);
    assert_true(strstr(r.best[0].flags, "capped: 1 CPU") ||
                strstr(r.best[0].flags, "1 other point flagged"));
    free(rows);
    pb_sweep_result_free(&r);
    pb_experiment_free(&e);
}

/* The closing table's flags are the summary's for the same point, whatever the timings: the
 * picked point's flag column (spread and outliers included, not only busy and capped) begins
 * them, and they are empty only when no measured point at that n is flagged. */
static void test_closing_flags_match_summary(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("closing-flags");
    char path[1100], sumpath[4096];
    struct pb_experiment e;
    struct pb_err err = { "" };
    struct pb_sweep_result r;
    struct pb_sweep_opts o = { .outdir = dir, .force = 1 };
    struct pb_table t;
    snprintf(path, sizeof path, "%s/cf.config", dir);
    pbt_write(path, "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 1, "
                    "\"max\": 50, \"count\": 4}},\n \"sizes\": [300], \"threads\": [1], "
                    "\"repeats\": 3, \"warmup\": 0, \"overhead\": false,\n"
                    " \"strategies\": [\"naive\", \"blocked\", \"openmp\"]}\n");
    assert_int_equal(pb_experiment_load(path, &e, &err), 0);
    assert_int_equal(pb_sweep_run(&e, &o, NULL, &r, &err), 0);
    assert_int_equal(r.nbest, 1);
    assert_int_equal(pb_summary_read(dir, "cf", &t, sumpath, sizeof sumpath, &err), 0);
    const struct pb_best *b = &r.best[0];
    const char *own = NULL;
    size_t flagged = 0;
    for (size_t i = 0; i < t.nrows; i++) {
        const char *flag = pb_summary_get(&t, i, PB_SUM_flag);
        flagged += *flag != '\0';
        if (strcmp(pb_summary_get(&t, i, PB_SUM_strategy), b->strategy) == 0)
            own = flag;
    }
    assert_non_null(own);
    print_message("closing table: %s, flags '%s'\n", b->label, b->flags);
    assert_memory_equal(b->flags, own, strlen(own));
    assert_int_equal(b->flags[0] == '\0', flagged == 0);
    pb_table_free(&t);
    pb_sweep_result_free(&r);
    pb_experiment_free(&e);
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

/* A histogram run that counts no pair says 0 in pairs_counted (a sum over the column must
 * not take it for a missing run); a matrix run leaves the column empty. */
static void test_zero_pairs_counted(void **state)
{
    (void)state;
    struct pb_row *rows;
    size_t n;
    sweep_text("zero-pairs",
               "{\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 0.001, \"max\": "
               "0.002, \"count\": 2}},\n \"sizes\": [20], \"repeats\": 1, \"warmup\": 0,\n"
               " \"overhead\": false, \"strategies\": [\"blocked\"]}\n", &rows, &n);
    assert_int_equal(n, 1);
    expect_row(rows, n, "blocked", 20, "yes", "ok");
    assert_int_equal(rows[0].pairs_counted, 0);
    free(rows);
    sweep_text("matrix-pairs",
               "{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [20], \"repeats\": 1,\n"
               " \"warmup\": 0, \"overhead\": false, \"strategies\": [\"blocked\"]}\n",
               &rows, &n);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].pairs_counted, -1);
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

/* ---- hardening ------------------------------------------------------------------------- */

/* A one-run histogram config named name (strategies: the JSON list text) written as
 * DIR/NAME.config (outside the names a sweep writes); returns its path (static). */
static const char *tiny_config(const char *dir, const char *name, const char *strategies,
                               const char *extra)
{
    static char path[2048];
    char text[4096];
    snprintf(path, sizeof path, "%s/%s.config", dir, name);
    snprintf(text, sizeof text, "{\"name\": \"%s\", \"output\": {\"kind\": \"histogram\",\n"
             " \"bins\": {\"min\": 0, \"max\": 2000, \"count\": 8}}, \"sizes\": [50],\n"
             " \"repeats\": 1, \"warmup\": 0, \"overhead\": false%s,\n \"strategies\": %s}\n",
             name, extra ? extra : "", strategies);
    pbt_write(path, text);
    return path;
}

/* Runs bench on config cfg into dir with extra arguments; returns the exit status and the
 * output in *out (the caller frees it). */
static int sweep(char **out, const char *cfg, const char *dir, const char *extra)
{
    return pbt_bench(out, "--config '%s' --out '%s' --quiet --no-render %s", cfg, dir,
                     extra ? extra : "");
}

/* Config "x_summary", then "x" into the same folder: x's summary would replace x_summary's raw
 * rows. Refused with exit 2 before anything is written; with --force it goes ahead. */
static void test_output_name_collision(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-collide");
    char *out, path[1100], cfg_a[2048], cfg_b[2048];
    snprintf(cfg_a, sizeof cfg_a, "%s", tiny_config(dir, "x_summary", "[\"naive\"]", NULL));
    snprintf(cfg_b, sizeof cfg_b, "%s", tiny_config(dir, "x", "[\"naive\"]", NULL));
    assert_int_equal(sweep(&out, cfg_a, dir, NULL), 0);
    free(out);
    snprintf(path, sizeof path, "%s/x_summary.csv", dir);
    char *before = pbt_slurp(path);
    assert_int_equal(sweep(&out, cfg_b, dir, NULL), 2);
    assert_non_null(strstr(out, "x_summary.csv already exists"));
    free(out);
    snprintf(path, sizeof path, "%s/x.csv", dir);
    assert_int_equal(access(path, F_OK), -1);            /* nothing written */
    snprintf(path, sizeof path, "%s/x_summary.csv", dir);
    char *after = pbt_slurp(path);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(sweep(&out, cfg_b, dir, "--resume"), 2);   /* a raw CSV: refused too */
    assert_non_null(strstr(out, "x_summary.csv already exists"));
    free(out);
    assert_int_equal(sweep(&out, cfg_b, dir, "--force"), 0);
    free(out);
    free(before);
}

/* A config or points file inside --out named like an output is never replaced, not even with
 * --force. */
static void test_input_inside_out_refused(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-input-out");
    char cfg[1100], text[512], *out;
    snprintf(cfg, sizeof cfg, "%s/y.json", dir);
    snprintf(text, sizeof text, "{\"name\": \"y\", \"output\": {\"kind\": \"histogram\", "
             "\"bins\": {\"min\": 0, \"max\": 9, \"count\": 2}}, \"sizes\": [5], "
             "\"strategies\": [\"naive\"]}\n");
    pbt_write(cfg, text);
    assert_int_equal(sweep(&out, cfg, dir, "--force"), 2);
    assert_non_null(strstr(out, "is an input of this sweep"));
    free(out);
    char *kept = pbt_slurp(cfg);
    assert_string_equal(kept, text);
    free(kept);
}

/* A symlink planted where a result goes (a figure script, the summary's temporary) is refused
 * and its target never written, with or without --force. */
static void test_symlink_in_out_refused(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-symlink");
    char cfg[2048], link[1100], target[1100], *out;
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "s", "[\"naive\"]", NULL));
    snprintf(target, sizeof target, "%s/precious.txt", dir);
    pbt_write(target, "precious\n");
    const char *names[] = {"s_time.gp", "s_summary.csv.tmp", "s.html"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(link, sizeof link, "%s/%s", dir, names[i]);
        assert_int_equal(symlink(target, link), 0);
        assert_int_equal(sweep(&out, cfg, dir, i == 1 ? "--force" : NULL), 2);
        assert_non_null(strstr(out, "is a symbolic link"));
        free(out);
        unlink(link);
    }
    char *kept = pbt_slurp(target);
    assert_string_equal(kept, "precious\n");
    free(kept);
}

/* Locks DIR/.NAME.lock as a running sweep holds it; returns the descriptor (close releases). */
static int hold_lock(const char *dir, const char *name)
{
    char lock[1100];
    snprintf(lock, sizeof lock, "%s/.%s.lock", dir, name);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    return fd;
}

/* While one sweep holds DIR/.NAME.lock, a second (--force included) is refused with exit 2
 * and writes nothing. */
static void test_second_sweep_locked_out(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-lock");
    char cfg[2048], csv[1100], *out;
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "l", "[\"naive\"]", NULL));
    snprintf(csv, sizeof csv, "%s/l.csv", dir);
    int fd = hold_lock(dir, "l");
    assert_int_equal(sweep(&out, cfg, dir, NULL), 2);
    assert_non_null(strstr(out, "another sweep"));
    free(out);
    assert_int_equal(sweep(&out, cfg, dir, "--force"), 2);
    free(out);
    assert_int_equal(access(csv, F_OK), -1);
    close(fd);
    assert_int_equal(sweep(&out, cfg, dir, NULL), 0);    /* free again */
    free(out);
}

/* `bench plot` takes the same lock: while a sweep holds it, plot is refused with exit 2 and
 * rewrites nothing (summary, scripts, report); once free, it goes ahead. */
static void test_plot_locked_out(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-plot-lock");
    char cfg[2048], gp[1100], *out;
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "p", "[\"naive\"]", NULL));
    snprintf(gp, sizeof gp, "%s/p_time.gp", dir);
    assert_int_equal(sweep(&out, cfg, dir, NULL), 0);
    free(out);
    assert_int_equal(unlink(gp), 0);
    int fd = hold_lock(dir, "p");
    assert_int_equal(pbt_bench(&out, "plot '%s/p.csv' --no-render", dir), 2);
    assert_non_null(strstr(out, "another sweep"));
    free(out);
    assert_int_equal(access(gp, F_OK), -1);
    close(fd);
    assert_int_equal(pbt_bench(&out, "plot '%s/p.csv' --no-render", dir), 0);
    free(out);
    assert_int_equal(access(gp, F_OK), 0);
}

/* Starts bench with argv-style arguments and extra environment, no descriptor but stdin and
 * stdout+stderr (to log). */
static pid_t spawn_bench(const char *log, const char *env, char *const *args)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (env)
            putenv((char *)env);
        freopen(log, "w", stdout);
        dup2(1, 2);
        syscall(SYS_close_range, 3U, ~0U, 0U);   /* bench starts with 0, 1, 2 only */
        execv(PB_BENCH_PATH, args);
        _exit(127);
    }
    return pid;
}

/* Counts the lines of text holding needle. */
static int lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* An exec command that writes to every descriptor 3..19 cannot add a line to the results;
 * and while a run is going, every descriptor the harness and the run child hold is
 * close-on-exec (checked from inside the command through /proc/PID/fdinfo of each "bench"
 * above it). */
static void test_descriptors_do_not_leak(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-fds");
    char cfg[2048], strategies[2048], path[1100], script[2048];
    snprintf(path, sizeof path, "%s/forge.sh", dir);
    snprintf(script, sizeof script, "p=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n"
             "  [ \"$(cat /proc/$p/comm)\" = bench ] && grep -H flags /proc/$p/fdinfo/* "
             ">> '%s/fdinfo.txt'\n  p=$(cut -d' ' -f4 /proc/$p/stat)\ndone\n"
             "for fd in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do\n"
             "  eval \"echo FORGED,row >&$fd\" 2>/dev/null\ndone\nexit 3\n", dir);
    pbt_write(path, script);
    snprintf(strategies, sizeof strategies, "[\"naive\", {\"name\": \"exec\", \"label\": "
             "\"forger\", \"command\": \"sh %s\"}]", path);
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "f", strategies, NULL));
    char log[1100];
    snprintf(log, sizeof log, "%s/log", dir);
    char *args[] = {"bench", "--config", cfg, "--out", (char *)dir, "--quiet", "--no-render",
                    NULL};
    assert_int_equal(wait_status(spawn_bench(log, NULL, args)), 1);   /* forger's row failed */
    snprintf(path, sizeof path, "%s/f.csv", dir);
    char *csv = pbt_slurp(path);
    assert_null(strstr(csv, "FORGED"));
    assert_int_equal(lines_with(csv, "\n"), 3);         /* header, naive, forger */
    free(csv);
    snprintf(path, sizeof path, "%s/fdinfo.txt", dir);
    char *info = pbt_slurp(path);
    assert_non_null(info);
    int checked = 0;
    for (char *l = strtok(info, "\n"); l; l = strtok(NULL, "\n")) {
        const char *fd = strstr(l, "/fdinfo/"), *fl = strstr(l, "flags:");
        assert_true(fd && fl);
        if (atoi(fd + 8) < 3)
            continue;
        unsigned long flags = strtoul(fl + 6, NULL, 8);
        if (!(flags & 02000000))
            fail_msg("the harness holds descriptor %d without close-on-exec: %s", atoi(fd + 8), l);
        checked++;
    }
    assert_true(checked >= 6);   /* run child: 2 pipes; harness: CSV, lock, 2 pipes at least */
    free(info);
}

/* A full disk (a 256 KiB tmpfs as --out, 240 KiB of it taken): the message says so and names the
 * file; the CSV keeps whole rows only, and --resume after making room completes it. Skipped
 * where tmpfs cannot be mounted. */
static void test_disk_full(void **state)
{
    (void)state;
    char dir[1024], cfg[2048], csv[1400], *out;
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("sweep-full"));
    snprintf(cfg, sizeof cfg, "%s/cfg/d.config", dir);
    char mnt[1100];
    snprintf(mnt, sizeof mnt, "%s/out", dir);
    mkdir(mnt, 0755);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=256k") != 0)
        skip();
    char sub[1200];
    snprintf(sub, sizeof sub, "%s/cfg", dir);
    mkdir(sub, 0755);
    snprintf(cfg, sizeof cfg, "%s/d.config", sub);
    pbt_write(cfg, "{\"name\": \"d\", \"output\": {\"kind\": \"histogram\", \"bins\": "
              "{\"min\": 0, \"max\": 100, \"count\": 4}}, \"sizes\": [20], \"repeats\": 150, "
              "\"warmup\": 0, \"overhead\": false, \"strategies\": [\"naive\", \"blocked\"]}\n");
    char filler[1400], *out2;
    snprintf(filler, sizeof filler, "dd if=/dev/zero of='%s/filler' bs=1k count=240 "
             "2>/dev/null", mnt);
    int filled = system(filler);
    int rc = sweep(&out, cfg, mnt, NULL);
    snprintf(csv, sizeof csv, "%s/d.csv", mnt);
    struct pb_row *rows = NULL;
    size_t n = 0, n2 = 0;
    struct pb_err err;
    int read1 = pb_csv_read(csv, &rows, &n, &err);      /* whole rows only */
    free(rows);
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    unlink(filler);
    int rc2 = sweep(&out2, cfg, mnt, "--resume");       /* room again: completes it */
    int read2 = pb_csv_read(csv, &rows, &n2, &err);
    free(rows);
    umount2(mnt, MNT_DETACH);                           /* before any assertion can fail */
    assert_int_equal(filled, 0);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "the disk is full"));
    assert_non_null(strstr(out, "d.csv"));
    assert_int_equal(read1, 0);
    assert_true(n > 0 && n < 300);
    assert_int_equal(rc2, 0);
    assert_int_equal(read2, 0);
    assert_int_equal(n2, 300);
    free(out);
    free(out2);
}

/* A naive reference that cannot finish within timeout_s (n = 30000: some seconds) is killed
 * at it; the grid run it would check goes ahead and its row reads "ok; not verified: reference
 * timed out" (exit 1: a row not verified), instead of the sweep waiting for naive. */
static void test_reference_timeout(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-reftimeout");
    char cfg[2048], csv[1100], *out;
    struct pb_row *rows = NULL;
    size_t n = 0;
    struct pb_err err;
    snprintf(cfg, sizeof cfg, "%s/rt.config", dir);
    snprintf(csv, sizeof csv, "%s/rt.csv", dir);
    pbt_write(cfg, "{\"name\": \"rt\", \"sizes\": [30000], \"repeats\": 1, \"warmup\": 0, "
              "\"overhead\": false, \"timeout_s\": 1, \"output\": {\"kind\": \"histogram\", "
              "\"bins\": {\"min\": 1, \"max\": 20, \"count\": 8}}, \"strategies\": [\"grid\"]}\n");
    assert_int_equal(sweep(&out, cfg, dir, NULL), 1);
    free(out);
    assert_int_equal(pb_csv_read(csv, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].status, "ok; not verified: reference timed out (naive, after 1 s)");
    free(rows);
}

/* TMPDIR naming no folder: refused with exit 2 and a message naming TMPDIR and the path before
 * anything is written (not even --out is made), so the rerun with a good TMPDIR needs nothing
 * more. */
static void test_missing_tmpdir(void **state)
{
    (void)state;
    char dir[1100], *out;
    snprintf(dir, sizeof dir, "%s/out", pbt_tmpdir("sweep-tmpdir"));
    const char *cfg = tiny_config(pbt_tmpdir("sweep-tmpdir"), "t", "[\"naive\"]", NULL);
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", "/no/such/folder", 1);
    int rc = sweep(&out, cfg, dir, NULL);
    old ? setenv("TMPDIR", old, 1) : unsetenv("TMPDIR");
    free(old);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "TMPDIR=/no/such/folder"));
    assert_non_null(strstr(out, "No such file or directory"));
    assert_int_equal(access(dir, F_OK), -1);
    free(out);
    assert_int_equal(sweep(&out, cfg, dir, NULL), 0);
    free(out);
}

/* A disk that fills up at NAME.json (a 256 KiB tmpfs as --out with 8 KiB left: the lock and
 * the CSV header fit): the message names NAME.json, and the header-only CSV is removed, so a
 * plain rerun (no --force) goes ahead once there is room. Skipped where tmpfs cannot be
 * mounted. */
static void test_disk_full_at_meta(void **state)
{
    (void)state;
    char mnt[1100], filler[1400], csv[1200], *out, *out2;
    const char *dir = pbt_tmpdir("sweep-full-meta");
    const char *cfg = tiny_config(dir, "m", "[\"naive\"]", NULL);
    snprintf(mnt, sizeof mnt, "%s/out", dir);
    mkdir(mnt, 0755);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=256k") != 0)
        skip();
    snprintf(filler, sizeof filler, "dd if=/dev/zero of='%s/filler' bs=1k count=248 "
             "2>/dev/null", mnt);
    int filled = system(filler);
    int rc = sweep(&out, cfg, mnt, NULL);
    snprintf(csv, sizeof csv, "%s/m.csv", mnt);
    int csv_left = access(csv, F_OK) == 0;
    snprintf(filler, sizeof filler, "%s/filler", mnt);
    unlink(filler);
    int rc2 = sweep(&out2, cfg, mnt, NULL);
    int csv_made = access(csv, F_OK) == 0;
    umount2(mnt, MNT_DETACH);                           /* before any assertion can fail */
    assert_int_equal(filled, 0);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "m.json: cannot write: the disk is full"));
    assert_false(csv_left);
    assert_int_equal(rc2, 0);
    assert_true(csv_made);
    free(out);
    free(out2);
}

/* --resume drops an incomplete last line with a warning and carries on. */
static void test_resume_drops_partial_line(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-partial");
    char cfg[2048], csv[1100], *out;
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "p", "[\"naive\", \"blocked\"]", NULL));
    snprintf(csv, sizeof csv, "%s/p.csv", dir);
    assert_int_equal(sweep(&out, cfg, dir, NULL), 0);
    free(out);
    char *text = pbt_slurp(csv);
    char *second = strchr(strchr(text, '\n') + 1, '\n') + 1;   /* after the first row */
    second[20] = '\0';                                  /* the second row, cut short */
    pbt_write(csv, text);
    free(text);
    assert_int_equal(sweep(&out, cfg, dir, "--resume"), 0);
    assert_non_null(strstr(out, "dropped an incomplete last line"));
    free(out);
    struct pb_row *rows;
    size_t n;
    struct pb_err err;
    assert_int_equal(pb_csv_read(csv, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    free(rows);
}

/* --resume keeps the first session's metadata and appends its own to "sessions". */
static void test_resume_keeps_first_session(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-sessions");
    char cfg[2048], meta[1100], *out;
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "m", "[\"naive\"]", NULL));
    snprintf(meta, sizeof meta, "%s/m.json", dir);
    assert_int_equal(sweep(&out, cfg, dir, NULL), 0);
    free(out);
    json_error_t jerr;
    json_t *first = json_load_file(meta, 0, &jerr);
    assert_non_null(first);
    json_object_set_new(first, "started", json_string("2001-01-01T00:00:00Z"));  /* marker */
    json_dump_file(first, meta, 0);
    sleep(1);
    assert_int_equal(sweep(&out, cfg, dir, "--resume"), 0);
    free(out);
    json_t *now = json_load_file(meta, 0, &jerr);
    assert_non_null(now);
    assert_string_equal(json_string_value(json_object_get(now, "started")),
                        "2001-01-01T00:00:00Z");
    json_t *sessions = json_object_get(now, "sessions");
    assert_int_equal(json_array_size(sessions), 2);
    const char *s2 = json_string_value(json_object_get(json_array_get(sessions, 1), "started"));
    assert_non_null(s2);
    assert_true(strcmp(s2, "2001-01-01T00:00:00Z") != 0);
    assert_non_null(json_object_get(json_array_get(sessions, 1), "git"));
    json_decref(first);
    json_decref(now);
}

/* Failed runs of an earlier session keep --resume's exit status at 1: the status describes
 * the whole result set. */
static void test_resume_counts_earlier_failures(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-resume-fail");
    char cfg[2048], *out;
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "r", "[\"naive\", {\"name\": \"exec\", "
             "\"label\": \"broken\", \"command\": \"exit 3\"}]", NULL));
    assert_int_equal(sweep(&out, cfg, dir, NULL), 1);
    free(out);
    assert_int_equal(sweep(&out, cfg, dir, "--resume"), 1);
    assert_non_null(strstr(out, "1 failed"));
    free(out);
}

/* A points file changed between sessions is refused by --resume (exit 2, nothing written);
 * NAME.json records its size, mtime and hash. */
static void test_resume_refuses_changed_points(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-points-changed");
    char cfg[1100], pts[1100], csv[1100], meta[1100], *out;
    snprintf(pts, sizeof pts, "%s/pts.txt", dir);
    FILE *f = fopen(pts, "w");
    for (int i = 0; i < 60; i++)
        fprintf(f, "%d %d %d\n", i, (i * 7) % 50, (i * 13) % 50);
    fclose(f);
    snprintf(cfg, sizeof cfg, "%s/c.config", dir);
    char text[1024];
    snprintf(text, sizeof text, "{\"name\": \"c\", \"input\": {\"kind\": \"file\", \"path\": \"pts.txt\"}, "
             "\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 0, \"max\": 100, "
             "\"count\": 4}}, \"sizes\": [20, 50], \"repeats\": 1, \"warmup\": 0, "
             "\"overhead\": false, \"strategies\": [\"naive\"]}\n");
    pbt_write(cfg, text);
    assert_int_equal(sweep(&out, cfg, dir, NULL), 0);
    free(out);
    snprintf(meta, sizeof meta, "%s/c.json", dir);
    char *m = pbt_slurp(meta);
    assert_non_null(strstr(m, "\"mtime_ns\""));
    assert_non_null(strstr(m, "\"hash\""));
    free(m);
    f = fopen(pts, "a");
    fprintf(f, "1 2 3\n");
    fclose(f);
    snprintf(csv, sizeof csv, "%s/c.csv", dir);
    char *before = pbt_slurp(csv);
    assert_int_equal(sweep(&out, cfg, dir, "--resume"), 2);
    assert_non_null(strstr(out, "changed since"));
    free(out);
    char *after = pbt_slurp(csv);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* The memory guard decides before the points exist: an n = 10^8 matrix is skipped without
 * first making its 2.4 GB of points (under a 2 GB address-space limit, making them first
 * failed the row with "out of memory"). Not in sanitizer builds (their shadow needs more). */
static void test_guard_before_points(void **state)
{
    (void)state;
#if defined(PB_SANITIZED)
    skip();
#endif
    const char *dir = pbt_tmpdir("sweep-guard");
    char cfg[2048], csv[1100], cmd[8192];
    snprintf(cfg, sizeof cfg, "%s/g.config", dir);
    pbt_write(cfg, "{\"name\": \"g\", \"output\": {\"kind\": \"matrix\"}, \"sizes\": "
              "[100000000], \"repeats\": 1, \"warmup\": 0, \"overhead\": false, "
              "\"timeout_s\": 0, \"strategies\": [\"blocked\"]}\n");
    snprintf(cmd, sizeof cmd, "ulimit -v 2000000; '%s' --config '%s' --out '%s' --quiet "
             "--no-render > '%s/log' 2>&1", PB_BENCH_PATH, cfg, dir, dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
    snprintf(csv, sizeof csv, "%s/g.csv", dir);
    char *text = pbt_slurp(csv);
    assert_non_null(strstr(text, "skipped: needs"));
    free(text);
}

/* Waits (bounded) until path exists. Returns 1 when it does. */
static int wait_for_file(const char *path)
{
    for (int i = 0; i < 12000 && access(path, F_OK) != 0; i++)
        usleep(10000);
    return access(path, F_OK) == 0;
}

/* SIGINT while figures render (a gnuplot that takes long) stops at once: exit 130, one
 * gnuplot started, not four. */
static void test_sigint_while_rendering(void **state)
{
    (void)state;
    char dir[1100], cfg[2048], fake[1200], mark[1200], env[1300], log[1200], script[2600];
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("sweep-render-int"));
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "g", "[\"naive\"]", NULL));
    snprintf(fake, sizeof fake, "%s/gnuplot", dir);
    snprintf(mark, sizeof mark, "%s/calls", dir);
    snprintf(script, sizeof script, "#!/bin/sh\necho x >> '%s'\nsleep 20\n", mark);
    pbt_write(fake, script);
    chmod(fake, 0755);
    snprintf(env, sizeof env, "PB_GNUPLOT=%s", fake);
    snprintf(log, sizeof log, "%s/log", dir);
    char *args[] = {"bench", "--config", cfg, "--out", dir, "--quiet", NULL};
    pid_t pid = spawn_bench(log, env, args);
    assert_true(wait_for_file(mark));
    kill(pid, SIGINT);
    assert_int_equal(wait_status(pid), 130);
    char *calls = pbt_slurp(mark);
    assert_string_equal(calls, "x\n");
    free(calls);
}

/* The first child of pid (0: none). */
static pid_t first_child(pid_t pid)
{
    char path[64];
    long c = 0;
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    if (f && fscanf(f, "%ld", &c) != 1)
        c = 0;
    if (f)
        fclose(f);
    return (pid_t)c;
}

/* Signal sig to bench while the naive reference computes (~1000 s of work): SIGINT stops the
 * sweep with 130 at once; SIGKILL takes the reference child along. */
static void signal_during_reference(int sig, const char *tag)
{
    char dir[1024], cfg[1100], log[1100];
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir(tag));
    snprintf(cfg, sizeof cfg, "%s/r.config", dir);
    pbt_write(cfg, "{\"name\": \"r\", \"output\": {\"kind\": \"histogram\", \"bins\": "
              "{\"min\": 0, \"max\": 100, \"count\": 4}}, \"sizes\": [300000], "
              "\"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"timeout_s\": 0, "
              "\"strategies\": [\"blocked\"]}\n");
    snprintf(log, sizeof log, "%s/log", dir);
    char *args[] = {"bench", "--config", cfg, "--out", dir, "--quiet", "--no-render", NULL};
    pid_t pid = spawn_bench(log, NULL, args), ref = 0;
    for (int i = 0; i < 12000 && !(ref = first_child(pid)); i++)
        usleep(10000);
    assert_true(ref > 0);                               /* the reference child runs */
    usleep(200000);
    kill(pid, sig);
    assert_int_equal(wait_status(pid), sig == SIGINT ? 130 : 128 + sig);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", (int)ref);
    for (int i = 0; i < 3000 && access(path, F_OK) == 0; i++)
        usleep(10000);
    assert_int_equal(access(path, F_OK), -1);           /* gone, not computing on */
}

static void test_sigint_during_reference(void **state)
{
    (void)state;
    signal_during_reference(SIGINT, "sweep-ref-int");
}

static void test_sigkill_during_reference(void **state)
{
    (void)state;
    signal_during_reference(SIGKILL, "sweep-ref-kill");
}

/* Pids of processes whose command line contains needle. */
static int count_processes(const char *needle)
{
    DIR *d = opendir("/proc");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        char path[300], buf[4096];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "r");
        size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        for (size_t i = 0; i < len; i++)
            buf[i] = buf[i] ? buf[i] : ' ';
        buf[len] = '\0';
        n += strstr(buf, needle) != NULL;
    }
    if (d)
        closedir(d);
    return n;
}

/* Number of entries of dir whose name starts with prefix. */
static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

/* SIGKILL (or SIGHUP) of bench mid-run: the run child and the exec command's own children
 * die with it; SIGHUP ends the sweep like SIGINT (130, temporary directory removed); after
 * SIGKILL the next sweep removes the dead sweep's temporary directory. */
static void kill_mid_run(int sig, const char *tag)
{
    char dir[1024], tmp[1100], cfg[2048], strategies[1400], env[1200], log[1100], mark[1100];
    char needle[64];
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir(tag));
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    mkdir(tmp, 0755);
    snprintf(mark, sizeof mark, "%s/started", dir);
    snprintf(needle, sizeof needle, "sleep 987%d", sig);
    char script[1400], path[1100];
    snprintf(path, sizeof path, "%s/run.sh", dir);
    snprintf(script, sizeof script, "%s &\ntouch '%s'\n%s\n", needle, mark, needle);
    pbt_write(path, script);
    snprintf(strategies, sizeof strategies, "[{\"name\": \"exec\", \"command\": \"sh %s\"}]",
             path);
    snprintf(cfg, sizeof cfg, "%s", tiny_config(dir, "k", strategies, ", \"timeout_s\": 0"));
    snprintf(env, sizeof env, "TMPDIR=%s", tmp);
    snprintf(log, sizeof log, "%s/log", dir);
    char *args[] = {"bench", "--config", cfg, "--out", dir, "--quiet", "--no-render", NULL};
    pid_t pid = spawn_bench(log, env, args);
    assert_true(wait_for_file(mark));
    for (int i = 0; i < 3000 && count_processes(needle) < 2; i++)
        usleep(10000);
    assert_int_equal(count_processes(needle), 2);
    kill(pid, sig);
    int st = wait_status(pid);
    assert_int_equal(st, sig == SIGKILL ? 128 + SIGKILL : 130);
    for (int i = 0; i < 3000 && count_processes(needle) > 0; i++)
        usleep(10000);
    assert_int_equal(count_processes(needle), 0);       /* nothing of the run survives */
    if (sig != SIGKILL) {
        assert_int_equal(count_entries(tmp, "pb-run-"), 0);
        return;
    }
    assert_int_equal(count_entries(tmp, "pb-run-"), 1); /* a SIGKILL'ed sweep leaves it */
    char cfg2[2048], cmd[8192];
    snprintf(cfg2, sizeof cfg2, "%s", tiny_config(dir, "k2", "[\"naive\"]", NULL));
    snprintf(cmd, sizeof cmd, "TMPDIR='%s' '%s' --config '%s' --out '%s' --quiet --no-render "
             ">/dev/null 2>&1", tmp, PB_BENCH_PATH, cfg2, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(count_entries(tmp, "pb-run-"), 0); /* removed by the next sweep */
}

static void test_sigkill_leaves_nothing(void **state)
{
    (void)state;
    kill_mid_run(SIGKILL, "sweep-sigkill");
}

static void test_sighup_stops_cleanly(void **state)
{
    (void)state;
    kill_mid_run(SIGHUP, "sweep-sighup");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_independent),
        cmocka_unit_test(test_verify_unverifiable),
        cmocka_unit_test(test_skip_beyond_timeout),
        cmocka_unit_test(test_capped_rows_flagged),
        cmocka_unit_test(test_closing_flags_match_summary),
        cmocka_unit_test(test_rmax_sweep),
        cmocka_unit_test(test_zero_pairs_counted),
        cmocka_unit_test(test_interrupt_then_resume),
        cmocka_unit_test(test_resume_other_config),
        cmocka_unit_test(test_output_name_collision),
        cmocka_unit_test(test_input_inside_out_refused),
        cmocka_unit_test(test_symlink_in_out_refused),
        cmocka_unit_test(test_second_sweep_locked_out),
        cmocka_unit_test(test_plot_locked_out),
        cmocka_unit_test(test_descriptors_do_not_leak),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_missing_tmpdir),
        cmocka_unit_test(test_reference_timeout),
        cmocka_unit_test(test_disk_full_at_meta),
        cmocka_unit_test(test_resume_drops_partial_line),
        cmocka_unit_test(test_resume_keeps_first_session),
        cmocka_unit_test(test_resume_counts_earlier_failures),
        cmocka_unit_test(test_resume_refuses_changed_points),
        cmocka_unit_test(test_guard_before_points),
        cmocka_unit_test(test_sigint_while_rendering),
        cmocka_unit_test(test_sigint_during_reference),
        cmocka_unit_test(test_sigkill_during_reference),
        cmocka_unit_test(test_sigkill_leaves_nothing),
        cmocka_unit_test(test_sighup_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
