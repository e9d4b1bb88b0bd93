/* test_pipeline.c — the end of a result set, run by a sweep and by `bench plot` alike: `bench
 * plot DIR/NAME.csv` rewrites every script of the sweep byte for byte (measured limits, an rmax
 * sweep, skipped points, declared figures), and a figure gnuplot cannot draw fails the sweep
 * with the figure named and no empty file left. */
#include "support.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plot_reproduces_sweep_scripts),
        cmocka_unit_test(test_failed_figure_fails_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
