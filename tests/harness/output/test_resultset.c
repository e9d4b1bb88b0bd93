/* test_resultset.c — the files of a result set: the checks before a sweep writes (what is
 * refused, what --resume and --force allow, every figure file of the table and of the declared
 * figures, inputs, links), the lock, the rows --resume keeps; and the end of a result set, run
 * by a sweep and by `bench plot` alike: `bench plot DIR/NAME.csv` rewrites every script of the
 * sweep byte for byte (measured limits, an rmax sweep, skipped points, declared figures), and
 * a figure gnuplot cannot draw fails the sweep with the figure named and no empty file left. */
#include "support.h"

#include "plots.h"
#include "resultset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes config text as DIR/NAME.config in a fresh folder for tag; returns the folder. */
static const char *write_config(const char *tag, const char *name, const char *text)
{
    char path[2048];
    const char *dir = pbt_tmpdir(tag);
    snprintf(path, sizeof path, "%s/%s.config", dir, name);    /* not NAME.json: an output */
    pbt_write(path, text);
    return dir;
}

/* The scripts a sweep named "rep" writes: the built-in ones, the rmax one, the declared ones. */
static const char *const scripts[] = {"time", "memory", "speedup", "throughput", "rmax",
                                      "naive_throughput", "both_time"};
#define NSCRIPTS (sizeof scripts / sizeof scripts[0])

/* The sweep's scripts, read back, then removed; `bench plot` writes the same bytes again. */
static void test_plot_reproduces_sweep_scripts(void **state)
{
    (void)state;
    const char *dir = write_config("pipeline-same", "rep",
        "{\"name\": \"rep\", \"output\": {\"kind\": \"histogram\",\n"
        " \"bins\": {\"min\": 1, \"max\": 100, \"count\": 8}}, \"rmax\": [50, 100],\n"
        " \"sizes\": [200, 30000], \"threads\": [1], \"repeats\": 2, \"warmup\": 0,\n"
        " \"overhead\": false, \"limits\": true, \"timeout_s\": 2,\n"
        " \"strategies\": [\"naive\", \"blocked\"],\n"
        " \"figures\": [{\"name\": \"naive_throughput\", \"quantity\": \"throughput\",\n"
        "                \"series\": [\"naive\"], \"xscale\": \"linear\"},\n"
        "               {\"name\": \"both_time\", \"quantity\": \"time\",\n"
        "                \"title\": \"it's both\"}]}\n");
    char *out, path[2048], *text[NSCRIPTS];
    int rc = pbt_bench(&out, "--config '%s/rep.config' --out '%s' --quiet --no-render", dir, dir);
    if (rc != 0)
        fail_msg("sweep exited %d: %s", rc, out);
    assert_non_null(strstr(out, "8 skipped"));      /* n = 30000: 2 strategies, 2 rmax, 2 repeats */
    free(out);
    for (size_t i = 0; i < NSCRIPTS; i++) {
        snprintf(path, sizeof path, "%s/rep_%s.gp", dir, scripts[i]);
        text[i] = pbt_slurp(path);
        if (!text[i])
            fail_msg("the sweep wrote no %s", path);
        assert_int_equal(unlink(path), 0);
    }
    assert_non_null(strstr(text[3], "peak = "));            /* the measured limit's lines */
    assert_non_null(strstr(text[5], "peak = "));
    assert_non_null(strstr(text[0], "(skipped: estimated "));
    assert_non_null(strstr(text[6], "set title 'it''s both'"));
    rc = pbt_bench(&out, "plot '%s/rep.csv' --no-render", dir);
    if (rc != 0)
        fail_msg("bench plot exited %d: %s", rc, out);
    free(out);
    for (size_t i = 0; i < NSCRIPTS; i++) {
        snprintf(path, sizeof path, "%s/rep_%s.gp", dir, scripts[i]);
        char *again = pbt_slurp(path);
        if (!again || strcmp(again, text[i]) != 0)
            fail_msg("bench plot wrote %s otherwise than the sweep", path);
        free(again);
        free(text[i]);
    }
}

/* Size of dir/name, or -1 when it does not exist. */
static long file_size(const char *dir, const char *name)
{
    char path[2048];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* A gnuplot that fails on the memory figure (leaving an empty PNG, as a crash would) fails the
 * sweep: exit 1, the script and gnuplot's complaint named, no empty file left, and the other
 * figures drawn all the same. */
static void test_failed_figure_fails_sweep(void **state)
{
    (void)state;
    const char *dir = write_config("pipeline-fail", "ff",
        "{\"name\": \"ff\", \"output\": {\"kind\": \"matrix\"}, \"sizes\": [50, 100],\n"
        " \"repeats\": 1, \"warmup\": 0, \"overhead\": false, \"strategies\": [\"naive\"]}\n");
    char fake[2048], *out;
    snprintf(fake, sizeof fake, "%s/gnuplot", dir);
    pbt_write(fake, "#!/bin/sh\ncase \"$1\" in *_memory.gp) : > \"${1%.gp}.png\"\n"
                    "  echo 'line 3: simulated failure' >&2; exit 1;; esac\n"
                    "exec gnuplot \"$@\"\n");
    assert_int_equal(chmod(fake, 0755), 0);
    setenv("PB_GNUPLOT", fake, 1);
    int rc = pbt_bench(&out, "--config '%s/ff.config' --out '%s' --quiet", dir, dir);
    unsetenv("PB_GNUPLOT");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "error: figures not drawn: "));
    assert_non_null(strstr(out, "ff_memory.gp: gnuplot exited with 1: line 3: simulated failure"));
    assert_non_null(strstr(out, "0 failed, 0 not verified, 0 skipped"));
    free(out);
    assert_int_equal(file_size(dir, "ff_memory.png"), -1);
    assert_true(file_size(dir, "ff_time.png") > 1000);
    assert_true(file_size(dir, "ff_throughput.png") > 1000);
    char path[2048];
    snprintf(path, sizeof path, "%s/ff.html", dir);
    char *html = pbt_slurp(path);
    assert_non_null(strstr(html, "simulated failure"));       /* the report says why */
    free(html);
}

/* Writes text as dir/file. */
static void put(const char *dir, const char *file, const char *text)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    pbt_write(path, text);
}

/* pb_resultset_prepare of result set "x" in dir with w; the lock is released again. */
static int prepare(const char *dir, const struct pb_resultset_writer *w, struct pb_err *err)
{
    struct pb_resultset_paths p;
    int fd = -1, rc = pb_resultset_prepare(dir, "x", w, &p, &fd, err);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* A fresh folder is made and its paths given; an existing NAME.csv is refused unless --resume
 * continues it or --force replaces it; the other files of a fresh set likewise, every figure
 * file of the table (the conditional rmax one included) and of a declared figure. */
static void test_prepare_refuses_existing_files(void **state)
{
    (void)state;
    char dir[1024];
    struct pb_err err = {{0}};
    struct pb_resultset_paths p;
    struct pb_resultset_writer w = {0};
    snprintf(dir, sizeof dir, "%s/new", pbt_tmpdir("resultset-prepare"));
    int fd = -1;
    assert_int_equal(pb_resultset_prepare(dir, "x", &w, &p, &fd, &err), 0);
    assert_true(fd >= 0);
    close(fd);
    assert_non_null(strstr(p.csv, "/new/x.csv"));
    assert_non_null(strstr(p.summary, "/new/x_summary.csv"));
    assert_non_null(strstr(p.meta, "/new/x.json"));
    assert_non_null(strstr(p.report, "/new/x.html"));
    put(dir, "x.csv", PB_CSV_HEADER "\n");
    assert_int_equal(prepare(dir, &w, &err), -EEXIST);
    assert_non_null(strstr(err.msg, "x.csv already exists: pass --resume"));
    w.resume = 1;
    assert_int_equal(prepare(dir, &w, &err), 0);
    w.resume = 0, w.force = 1;
    assert_int_equal(prepare(dir, &w, &err), 0);
    assert_int_equal(unlink(p.csv), 0);
    char file[128];
    struct pb_figure_decl d = {.name = "mine"};
    w = (struct pb_resultset_writer){.figures = &d, .nfigures = 1};
    for (size_t i = 0; i <= pb_figure_count(); i++)
        for (size_t f = 0; f < PB_FIGURE_NFILES; f++) {
            snprintf(file, sizeof file, "x_%s%s",
                     i < pb_figure_count() ? pb_figure_stem(i) : "mine", pb_figure_files[f]);
            put(dir, file, "old");
            w.force = 0;
            assert_int_equal(prepare(dir, &w, &err), -EEXIST);
            assert_non_null(strstr(err.msg, file));
            w.force = 1;
            assert_int_equal(prepare(dir, &w, &err), 0);
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, file);
            assert_int_equal(unlink(path), 0);
        }
}

/* A link or an input of the sweep is refused even with --force; on --resume, another sweep's
 * runs under one of NAME's other names are refused, plain leftovers are not. */
static void test_prepare_refuses_links_and_inputs(void **state)
{
    (void)state;
    char dir[1024], path[2048], target[2048];
    struct pb_err err = {{0}};
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("resultset-links"));
    snprintf(path, sizeof path, "%s/x.html", dir);
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    assert_int_equal(symlink(target, path), 0);
    struct pb_resultset_writer w = {.force = 1};
    assert_int_equal(prepare(dir, &w, &err), -ELOOP);
    assert_non_null(strstr(err.msg, "x.html is a symbolic link"));
    assert_int_equal(unlink(path), 0);
    put(dir, "x.json", "{}");
    snprintf(path, sizeof path, "%s/x.json", dir);
    w.inputs[1] = path;
    assert_int_equal(prepare(dir, &w, &err), -EEXIST);
    assert_non_null(strstr(err.msg, "is an input of this sweep"));
    w = (struct pb_resultset_writer){.resume = 1};
    put(dir, "x.csv", PB_CSV_HEADER "\n");
    assert_int_equal(prepare(dir, &w, &err), 0);      /* x.json: this set's own, continued */
    put(dir, "x_summary.csv", PB_CSV_HEADER "\nnaive,,matrix,10,1,1,1,1,1,1,1,yes,ok\n");
    assert_int_equal(prepare(dir, &w, &err), -EEXIST);
    assert_non_null(strstr(err.msg, "another result set's file?"));
}

/* The lock refuses a second holder, naming the first's pid; a folder and name too long for
 * their paths are refused rather than cut. */
static void test_lock_and_long_names(void **state)
{
    (void)state;
    char dir[1024], pid[32], name[1100];
    struct pb_err err = {{0}};
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("resultset-lock"));
    int fd = -1, fd2 = -1;
    assert_int_equal(pb_resultset_lock(dir, "x", &fd, &err), 0);
    assert_int_equal(pb_resultset_lock(dir, "x", &fd2, &err), -EBUSY);
    snprintf(pid, sizeof pid, "(pid %d)", (int)getpid());
    assert_non_null(strstr(err.msg, pid));
    close(fd);
    assert_int_equal(pb_resultset_lock(dir, "x", &fd2, &err), 0);
    close(fd2);
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    struct pb_resultset_paths p;
    struct pb_resultset_writer w = {0};
    fd = -1;
    assert_int_equal(pb_resultset_prepare(dir, name, &w, &p, &fd, &err), -ENAMETOOLONG);
    assert_int_equal(fd, -1);
}

/* --resume keeps the rows of this config, drops an incomplete last line with a warning, and
 * refuses rows of another config. */
static void test_resume_rows(void **state)
{
    (void)state;
    char dir[1024], csv[2048], warned[256] = "";
    struct pb_err err = {{0}};
    struct pb_row *rows = NULL;
    size_t n = 0;
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("resultset-resume"));
    snprintf(csv, sizeof csv, "%s/x.csv", dir);
    assert_int_equal(pb_resultset_resume(csv, "h1", NULL, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    FILE *f = NULL;
    int made = 0;
    assert_int_equal(pb_resultset_open_csv(csv, 0, 0, &f, &made, &err), 0);
    assert_int_equal(made, 1);
    struct pb_row r = {.strategy = "naive", .output = "matrix", .n = 10, .threads = 1,
                       .repeat = 1, .status = "ok", .kind = "run", .ranks = 1,
                       .precision = "double", .pin = "none", .config_hash = "h1",
                       .wall_s = 1, .user_s = 1, .sys_s = 0, .pairs_per_s = 45,
                       .peak_rss_kib = 1, .maxrss_kib = -1, .cgroup_peak_kib = -1,
                       .fraction_of_limit = -1, .rank_max_kib = -1, .rank_sum_kib = -1,
                       .build_s = NAN, .dist_evals = -1, .pairs_counted = -1,
                       .other_cpu_s = NAN, .steal_s = NAN, .cpus_avail = NAN};
    assert_int_equal(pb_csv_append(f, &r), 0);
    fputs("naive,,mat", f);                              /* a write cut short */
    fclose(f);
    FILE *warn = fmemopen(warned, sizeof warned, "w");
    assert_int_equal(pb_resultset_resume(csv, "h1", warn, &rows, &n, &err), 0);
    fclose(warn);
    assert_int_equal(n, 1);
    assert_non_null(strstr(warned, "dropped an incomplete last line (10 bytes)"));
    free(rows);
    rows = NULL;
    assert_int_equal(pb_resultset_resume(csv, "h2", NULL, &rows, &n, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "written by another config (hash h1"));
    free(rows);
    assert_int_equal(pb_resultset_open_csv(csv, 0, 0, &f, &made, &err), -EEXIST);
    assert_int_equal(pb_resultset_open_csv(csv, 1, 0, &f, &made, &err), 0);
    assert_int_equal(made, 0);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_refuses_existing_files),
        cmocka_unit_test(test_prepare_refuses_links_and_inputs),
        cmocka_unit_test(test_lock_and_long_names),
        cmocka_unit_test(test_resume_rows),
        cmocka_unit_test(test_plot_reproduces_sweep_scripts),
        cmocka_unit_test(test_failed_figure_fails_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
