/* test_plots.c — the gnuplot scripts: what they hold, that they render to PNG, SVG and PDF from
 * any working directory, and how missing inputs and a missing or failing gnuplot are reported.
 * The fixtures in tests/data/plots/ follow the documented summary and run CSV columns. */
#include "support.h"

#include "experiment.h"
#include "plots.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURES "tests/data/plots"

/* Copies fixture file src into dir under the name dst. */
static void copy_fixture(const char *src, const char *dir, const char *dst)
{
    char path[2048];
    snprintf(path, sizeof path, FIXTURES "/%s", src);
    char *text = pbt_slurp(path);
    assert_non_null(text);
    snprintf(path, sizeof path, "%s/%s", dir, dst);
    pbt_write(path, text);
    free(text);
}

/* Size of dir/name_fig.ext in bytes, or -1 when it does not exist. */
static long figure_size(const char *dir, const char *name, const char *fig, const char *ext)
{
    char path[2048];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s_%s.%s", dir, name, fig, ext);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The text of dir/name_fig.gp (malloc'd). */
static char *script_text(const char *dir, const char *name, const char *fig)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s_%s.gp", dir, name, fig);
    char *text = pbt_slurp(path);
    assert_non_null(text);
    return text;
}

/* The first bytes of a file match magic. */
static void assert_magic(const char *dir, const char *name, const char *fig, const char *ext,
                         const char *magic)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s_%s.%s", dir, name, fig, ext);
    char *text = pbt_slurp(path);
    assert_non_null(text);
    if (strstr(text, magic) == NULL || (size_t)(strstr(text, magic) - text) > 64)
        fail_msg("%s does not start with %s", path, magic);
    free(text);
}

/* Rows of the table of figures drawn for every summary (the unconditional ones). */
static size_t always_drawn(void)
{
    size_t n = 0;
    for (size_t i = 0; i < pb_figure_count(); i++)
        n += !pb_figure_conditional(i);
    return n;
}

static void test_scripts_hold_series_and_relative_csv(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-write");
    copy_fixture("sweep_summary.csv", dir, "sweep_summary.csv");
    struct pb_err err = {{0}};
    assert_int_equal(pb_plots_write(dir, "sweep", NULL, &err), 0);
    for (size_t i = 0; i < always_drawn(); i++) {
        char *gp = script_text(dir, "sweep", pb_figure_stem(i));
        assert_non_null(strstr(gp, "csv = name . '_summary.csv'"));
        assert_non_null(strstr(gp, "cd here[1:i]"));
        assert_null(strstr(gp, dir));                  /* no absolute path: the folder moves */
        assert_non_null(strstr(gp, "set datafile separator comma"));
        assert_non_null(strstr(gp, "'fork-pipe', 'transport=pipe'"));
        assert_non_null(strstr(gp, "'openmp', ''"));
        assert_non_null(strstr(gp, "set terminal pdfcairo"));
        free(gp);
    }
    char *time = script_text(dir, "sweep", "time");
    assert_non_null(strstr(time, "ist('openmp', '', 2)"));
    assert_non_null(strstr(time, "with yerrorbars"));
    assert_non_null(strstr(time, "set logscale xy"));
    assert_non_null(strstr(time, "guide(x) = g * x**2"));
    assert_non_null(strstr(time, "guide_n(x) = g * ng * x"));    /* the spatial strategies' n */
    assert_non_null(strstr(time, "title 'guide: time ∝ n'"));
    assert_non_null(strstr(time, "title 'openmp, 2 threads'"));
    assert_non_null(strstr(time, "title 'failed or not verified'"));
    /* the same label keeps its style in every figure: openmp is the 4th label in sorted order */
    assert_non_null(strstr(time, "set style line 4 lc rgb '#CC79A7' pt 11"));
    free(time);
    char *speed = script_text(dir, "sweep", "speedup");
    assert_non_null(strstr(speed, "set style line 4 lc rgb '#CC79A7' pt 11"));
    assert_null(strstr(speed, "title 'naive'"));        /* serial: no speedup curve */
    assert_non_null(strstr(speed, "title 'ideal'"));
    free(speed);
    char *thr = script_text(dir, "sweep", "throughput");
    assert_null(strstr(thr, "peak ="));                /* no limit given */
    free(thr);
}

static void test_render_png_svg_pdf(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-render");
    copy_fixture("sweep_summary.csv", dir, "sweep_summary.csv");
    struct pb_err err = {{0}};
    struct pb_plot_opts o = {.peak_pairs_per_s = 1.2e9};
    assert_int_equal(pb_plots_write(dir, "sweep", &o, &err), 0);
    int rc = pb_plots_render(dir, "sweep", NULL, &err);
    if (rc != 0)
        fail_msg("render: %d %s", rc, err.msg);
    for (size_t i = 0; i < always_drawn(); i++) {
        const char *stem = pb_figure_stem(i);
        assert_true(figure_size(dir, "sweep", stem, "png") > 10000);
        assert_true(figure_size(dir, "sweep", stem, "svg") > 5000);
        assert_true(figure_size(dir, "sweep", stem, "pdf") > 5000);
        assert_magic(dir, "sweep", stem, "png", "PNG");
        assert_magic(dir, "sweep", stem, "svg", "<svg");
        assert_magic(dir, "sweep", stem, "pdf", "%PDF");
    }
    char *thr = script_text(dir, "sweep", "throughput");
    assert_non_null(strstr(thr, "peak = 1.2e+09"));
    assert_non_null(strstr(thr, "measured limit, 2 threads"));
    free(thr);
}

static void test_script_runs_from_another_folder_after_a_move(void **state)
{
    (void)state;
    char dir[1024], moved[1100], cmd[4600];
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("plots-move"));
    copy_fixture("sweep_summary.csv", dir, "it's_summary.csv");
    struct pb_err err = {{0}};
    assert_int_equal(pb_plots_write(dir, "it's", NULL, &err), 0);
    snprintf(moved, sizeof moved, "%s-moved", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mv '%s' '%s' && cd / && gnuplot \"%s/it's_time.gp\"",
             moved, dir, moved, moved);
    assert_int_equal(system(cmd), 0);
    assert_true(figure_size(moved, "it's", "time", "png") > 10000);
    assert_true(figure_size(moved, "it's", "time", "svg") > 5000);
    assert_true(figure_size(moved, "it's", "time", "pdf") > 5000);
}

static void test_one_thread_count_still_renders(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-single");
    char path[2048];
    snprintf(path, sizeof path, "%s/one_summary.csv", dir);
    pbt_write(path,
              "strategy,params,output,n,threads,runs,wall_min_s,wall_median_s,wall_mean_s,"
              "wall_stddev_s,wall_ci95_lo_s,wall_ci95_hi_s,peak_rss_kib,speedup,efficiency,kind,"
              "pairs_per_s,verified,failed\n"
              "naive,,histogram,100,1,1,0.001,0.001,0.001,0,0.001,0.001,2000,1,1,run,"
              "4.95e6,yes,0\n"
              "naive,,histogram,200,1,1,0.004,0.004,0.004,0,0.004,0.004,2100,1,1,run,"
              "4.97e6,yes,0\n");
    struct pb_err err = {{0}};
    assert_int_equal(pb_plots_write(dir, "one", NULL, &err), 0);
    int rc = pb_plots_render(dir, "one", NULL, &err);
    if (rc != 0)
        fail_msg("render: %d %s", rc, err.msg);
    assert_true(figure_size(dir, "one", "speedup", "png") > 5000);
    char *mem = script_text(dir, "one", "memory");
    assert_null(strstr(mem, "n×n matrix"));             /* histogram output: no matrix guide */
    assert_non_null(strstr(mem, "title 'naive'"));      /* one thread count: no thread suffix */
    free(mem);
}

/* An "rmax" sweep gets the crossover figure: time vs rmax, one line per strategy label, other
 * params and thread count, rendered with the others; without one a stale script is removed. */
/* The header of the summaries written by the rmax tests. */
static const char rmax_head[] = "strategy,params,output,n,threads,runs,wall_min_s,wall_median_s,"
                                "wall_mean_s,wall_stddev_s,wall_ci95_lo_s,wall_ci95_hi_s,"
                                "peak_rss_kib,speedup,efficiency,kind,pairs_per_s,verified,"
                                "failed\n";

/* Writes DIR/r_summary.csv of an "rmax" sweep into dir. */
static void write_rmax_summary(const char *dir)
{
    char path[2048], text[4096];
    snprintf(path, sizeof path, "%s/r_summary.csv", dir);
    snprintf(text, sizeof text, "%s"
             "grid,rmax=1000,histogram,2000,2,1,4,4,4,0,4,4,2000,1,1,run,1e6,yes (kdtree),0\n"
             "grid,rmax=20,histogram,2000,2,1,.1,.1,.1,0,.1,.1,2000,1,1,run,1e6,yes (kdtree),0\n"
             "grid,leaf=8;rmax=20,histogram,2000,2,1,.2,.2,.2,0,.2,.2,2000,1,1,run,1e6,yes,0\n"
             "pthread-map,rmax=20,histogram,2000,2,1,3,3,3,0,3,3,2000,1,1,run,1e6,yes,0\n"
             "pthread-map,rmax=1000,histogram,2000,2,1,3,3,3,0,3,3,2000,1,1,run,1e6,yes,0\n",
             rmax_head);
    pbt_write(path, text);
}

static void test_rmax_figure(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-rmax");
    char path[2048], text[4096];
    const char *head = rmax_head;
    write_rmax_summary(dir);
    snprintf(path, sizeof path, "%s/r_summary.csv", dir);
    struct pb_err err = {{0}};
    assert_int_equal(pb_plots_write(dir, "r", NULL, &err), 0);
    int rc = pb_plots_render(dir, "r", NULL, &err);
    if (rc != 0)
        fail_msg("render: %d %s", rc, err.msg);
    assert_true(figure_size(dir, "r", PB_FIGURE_RMAX, "png") > 5000);
    char *gp = script_text(dir, "r", PB_FIGURE_RMAX);
    assert_non_null(strstr(gp, "sel('grid', '', 2)"));
    assert_non_null(strstr(gp, "sel('grid', 'leaf=8', 2)"));
    assert_non_null(strstr(gp, "sel('pthread-map', '', 2)"));
    assert_non_null(strstr(gp, "smooth unique"));             /* sorted by rmax, not by text */
    assert_non_null(strstr(gp, "title 'grid [leaf=8], 2 threads'"));
    free(gp);
    snprintf(text, sizeof text, "%sgrid,,histogram,2000,2,1,4,4,4,0,4,4,2000,1,1,run,1e6,yes,0\n",
             head);
    pbt_write(path, text);
    assert_int_equal(pb_plots_write(dir, "r", NULL, &err), 0);
    snprintf(path, sizeof path, "%s/r_%s.gp", dir, PB_FIGURE_RMAX);
    assert_int_equal(access(path, F_OK), -1);               /* the stale script is gone */
}

static void test_bad_inputs_are_named(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-bad");
    struct pb_err err = {{0}};
    assert_int_equal(pb_plots_write(dir, "none", NULL, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "none_summary.csv"));
    char path[2048];
    snprintf(path, sizeof path, "%s/cols_summary.csv", dir);
    pbt_write(path, "strategy,params,output,n,threads\nnaive,,matrix,10,1\n");
    assert_int_equal(pb_plots_write(dir, "cols", NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "cols_summary.csv: no column \"wall_median_s\""));
    snprintf(path, sizeof path, "%s/empty_summary.csv", dir);
    copy_fixture("sweep_summary.csv", dir, "empty_summary.csv");
    char *text = pbt_slurp(path);
    *strchr(text, '\n') = '\0';                          /* the header alone */
    pbt_write(path, text);
    free(text);
    assert_int_equal(pb_plots_write(dir, "empty", NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "no counted rows"));
}

/* 1 when dir (or the working folder) holds a file called PWNED: a hostile string ran. */
static int pwned(const char *dir)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/PWNED", dir);
    return access(path, F_OK) == 0 || access("PWNED", F_OK) == 0;
}

/* The summary fixture under dir/name_summary.csv with every "naive" label replaced by label
 * (an RFC 4180 quoted field when it holds a comma, quote or line break). */
static void hostile_fixture(const char *dir, const char *name, const char *label)
{
    char path[2048], *text, *out, *p, *q;
    snprintf(path, sizeof path, FIXTURES "/sweep_summary.csv");
    text = pbt_slurp(path);
    assert_non_null(text);
    out = calloc(1, strlen(text) * 8 + 1);
    assert_non_null(out);
    for (p = text, q = out; *p; ) {
        if (strncmp(p, "\nnaive,", 7) == 0) {
            int quote = strpbrk(label, ",\"\n") != NULL;   /* as pb_csv_put_field does */
            q += sprintf(q, "\n%s", quote ? "\"" : "");
            for (const char *l = label; *l; l++)
                q += sprintf(q, *l == '"' ? "\"\"" : "%c", *l);
            q += sprintf(q, "%s", quote ? "\"" : "");
            p += 6;
        } else {
            *q++ = *p++;
        }
    }
    snprintf(path, sizeof path, "%s/%s_summary.csv", dir, name);
    pbt_write(path, out);
    free(text);
    free(out);
}

/* Hostile strategy labels (single quotes, gnuplot's `command` and system(), @macros, HTML)
 * are carried as text: the scripts render and nothing runs. A line break in a label or in the
 * result name is refused (no script could carry it), and so are a comma, a double quote and a
 * backslash in a label (gnuplot's CSV reader would not give them back as written). */
static void test_hostile_strings(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-hostile");
    struct pb_err err = {{0}};
    hostile_fixture(dir, "evil", "x'); system('touch PWNED'); print(' `touch PWNED` @name "
                    "<script>alert(2)</script>");
    assert_int_equal(pb_plots_write(dir, "evil", NULL, &err), 0);
    if (access("/usr/bin/gnuplot", X_OK) == 0 || getenv("PB_GNUPLOT")) {
        if (pb_plots_render(dir, "evil", NULL, &err) != 0)
            fail_msg("render: %s", err.msg);
        assert_true(figure_size(dir, "evil", "time", "svg") > 0);
    }
    assert_false(pwned(dir));
    hostile_fixture(dir, "nl", "a\nsystem(\"touch PWNED\")");
    assert_int_equal(pb_plots_write(dir, "nl", NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "control character"));
    assert_int_equal(figure_size(dir, "nl", "time", "gp"), -1);
    hostile_fixture(dir, "dq", "say \"hi\"");
    assert_int_equal(pb_plots_write(dir, "dq", NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "a double quote"));
    hostile_fixture(dir, "bs", "a\\ b");
    assert_int_equal(pb_plots_write(dir, "bs", NULL, &err), -EINVAL);
    hostile_fixture(dir, "comma", "a, b");
    assert_int_equal(pb_plots_write(dir, "comma", NULL, &err), -EINVAL);
    static const char evil_name[] = "n\nsystem(\"touch PWNED\")\n#";
    copy_fixture("sweep_summary.csv", dir, "n\nsystem(\"touch PWNED\")\n#_summary.csv");
    assert_int_equal(pb_plots_write(dir, evil_name, NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "the result name holds a control character"));
    assert_int_equal(figure_size(dir, evil_name, "time", "gp"), -1);
    assert_false(pwned(dir));
}

/* `bench plot` on a CSV whose file name holds a line break and system(): exit 2, nothing
 * written, nothing run (the name once went raw into the scripts' comments). */
static void test_plot_cli_refuses_hostile_name(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-cli-name");
    char name[512], *out;
    snprintf(name, sizeof name, "x\nsystem(\"touch PWNED\")\n#");
    char file[1200];
    snprintf(file, sizeof file, "%s_summary.csv", name);
    copy_fixture("sweep_summary.csv", dir, file);
    snprintf(file, sizeof file, "%s.csv", name);
    copy_fixture("sweep.csv", dir, file);
    assert_int_equal(pbt_bench(&out, "plot '%s/%s.csv'", dir, name), 2);
    assert_non_null(strstr(out, "NAME of letters, digits"));
    free(out);
    assert_false(pwned(dir));
    assert_int_equal(pbt_bench(&out, "plot '%s/it'\\''s.csv'", dir), 2);
    free(out);
}

/* A FIFO where the summary should be is refused at once (its open blocked for a writer). */
static void test_fifo_summary_refused(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-fifo");
    char path[2048];
    struct pb_err err = {{0}};
    snprintf(path, sizeof path, "%s/f_summary.csv", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(20);                                   /* a hang fails the test instead */
    assert_int_equal(pb_plots_write(dir, "f", NULL, &err), -EINVAL);
    alarm(0);
    assert_non_null(strstr(err.msg, "f_summary.csv: cannot read"));
}

static void test_missing_or_failing_gnuplot(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-gnuplot");
    copy_fixture("sweep_summary.csv", dir, "sweep_summary.csv");
    struct pb_err err = {{0}};
    assert_int_equal(pb_plots_write(dir, "sweep", NULL, &err), 0);
    setenv("PB_GNUPLOT", "/nonexistent/gnuplot", 1);
    assert_int_equal(pb_plots_render(dir, "sweep", NULL, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "gnuplot"));
    unsetenv("PB_GNUPLOT");
    char path[2048];
    snprintf(path, sizeof path, "%s/sweep_memory.gp", dir);
    pbt_write(path, "plot $nosuchblock using 1:2\n");
    assert_int_equal(pb_plots_render(dir, "sweep", NULL, &err), -EIO);
    assert_non_null(strstr(err.msg, "sweep_memory.gp"));
    assert_non_null(strstr(err.msg, "nosuchblock"));
}

/* The columns of the summaries written below. */
#define HEAD "strategy,params,output,n,threads,runs,wall_min_s,wall_median_s,wall_mean_s," \
             "wall_stddev_s,wall_ci95_lo_s,wall_ci95_hi_s,peak_rss_kib,speedup,efficiency," \
             "kind,pairs_per_s,verified,failed,flag\n"

/* Renders every figure of dir/name (o: declared ones) and checks each output holds something. */
static void render_all(const char *dir, const char *name, const struct pb_plot_opts *o)
{
    struct pb_err err = {{0}};
    const char *stems[16];
    assert_int_equal(pb_plots_write(dir, name, o, &err), 0);
    int rc = pb_plots_render(dir, name, o, &err);
    if (rc != 0)
        fail_msg("render: %d %s", rc, err.msg);
    size_t n = pb_plots_stems(dir, name, o, stems, 16);
    for (size_t i = 0; i < n; i++) {
        assert_true(figure_size(dir, name, stems[i], "png") > 1000);
        assert_true(figure_size(dir, name, stems[i], "svg") > 1000);
        assert_true(figure_size(dir, name, stems[i], "pdf") > 1000);
    }
}

/* A point skipped by the estimate and one whose runs all timed out are left out of every
 * figure and named under it with their reason; the figures still render, every one. */
static void test_skipped_and_failed_points_named(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-skipped");
    char path[2048];
    snprintf(path, sizeof path, "%s/sk_summary.csv", dir);
    pbt_write(path, HEAD
        "naive,,matrix,100,2,2,.01,.01,.01,0,.01,.01,900,1,.5,run,5e5,yes,0,\n"
        "naive,,matrix,400,2,0,,,,,,,,,,run,,,0,skipped: estimated 2.25 s > timeout_s 2 s\n"
        "naive,,matrix,800,2,0,,,,,,,,,,run,,,0,skipped: estimated 9.1 s > timeout_s 2 s\n"
        "blocked,,matrix,100,2,2,.01,.01,.01,0,.01,.01,900,1,.5,run,5e5,yes,0,\n"
        "blocked,,matrix,400,2,0,,,,,,,,,,run,,,2,no ok runs: timeout:\tafter 2 s\n"
        "odd,,matrix,400,2,0,,,,,,,,,,run,,,1,no ok runs: error: it's\tbroken\n");
    render_all(dir, "sk", NULL);
    char *gp = script_text(dir, "sk", "time");
    assert_non_null(strstr(gp, "'not drawn: naive at n = 400 (skipped: estimated 2.25 s > "
                               "timeout_s 2 s)'"));
    assert_non_null(strstr(gp, "'not drawn: naive at n = 800 (skipped: estimated 9.1 s"));
    assert_non_null(strstr(gp, "'not drawn: blocked at n = 400 (no ok runs: timeout: after "
                               "2 s)'"));                   /* the tab made a space */
    assert_non_null(strstr(gp, "'and 1 more point not drawn: see the flag column of "
                               "sk_summary.csv'"));         /* past 3 lines: counted */
    free(gp);
    gp = script_text(dir, "sk", "speedup");                  /* only the largest n with one */
    assert_null(strstr(gp, "not drawn"));
    free(gp);
}

/* n = 1 has no pair (no throughput) and a strategy whose every run failed has no value at
 * all: such figures are an empty frame naming every point, never a gnuplot error. */
static void test_nothing_to_draw(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-nothing");
    char path[2048];
    snprintf(path, sizeof path, "%s/one_summary.csv", dir);
    pbt_write(path, HEAD "naive,,matrix,1,1,1,1e-4,1e-4,1e-4,0,1e-4,1e-4,500,1,1,run,0,yes,0,\n");
    render_all(dir, "one", NULL);
    char *gp = script_text(dir, "one", "throughput");
    assert_non_null(strstr(gp, "nothing to draw"));
    assert_non_null(strstr(gp, "'not drawn: naive at n = 1 (no pairs_per_s)'"));
    free(gp);
    snprintf(path, sizeof path, "%s/bad_summary.csv", dir);
    pbt_write(path, HEAD "bad,,matrix,100,1,0,,,,,,,,,,run,,,1,no ok runs: error: exited 1\n"
                         "bad,,matrix,200,1,0,,,,,,,,,,run,,,1,no ok runs: error: exited 1\n");
    render_all(dir, "bad", NULL);
    gp = script_text(dir, "bad", "time");
    assert_non_null(strstr(gp, "'not drawn: bad at n = 100, 200 (no ok runs: error: exited 1)'"));
    free(gp);
}

/* A declared figure draws its quantity for its series only, with its title and scales, after
 * the built-in ones. */
static void test_declared_figure(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-declared");
    copy_fixture("sweep_summary.csv", dir, "sweep_summary.csv");
    char *series[] = {"naive"};
    struct pb_figure_decl d = {.name = "naive_time", .quantity = "time", .series = series,
                               .nseries = 1, .xlog = 0, .ylog = 1, .title = "Naive's time"};
    struct pb_plot_opts o = {.figures = &d, .nfigures = 1};
    const char *stems[16];
    assert_int_equal(pb_plots_stems(dir, "sweep", &o, stems, 16), always_drawn() + 1);
    assert_string_equal(stems[always_drawn()], "naive_time");
    render_all(dir, "sweep", &o);
    char *gp = script_text(dir, "sweep", "naive_time");
    assert_non_null(strstr(gp, "set title 'Naive''s time'"));
    assert_non_null(strstr(gp, "set logscale y\n"));
    assert_non_null(strstr(gp, "set xrange [0 : nmax * 1.05]"));
    assert_non_null(strstr(gp, "ist('naive', "));
    assert_null(strstr(gp, "ist('blocked', "));
    free(gp);
}

/* 1 when dir/name_stem.gp exists. */
static int has_script(const char *dir, const char *name, const char *stem)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s_%s.gp", dir, name, stem);
    return access(path, F_OK) == 0;
}

/* The table of figures: distinct stems; every row writes its script and is listed by
 * pb_plots_stems in table order, a conditional row (the rmax one, the only one) only for a
 * summary that has it: an "rmax" sweep's. */
static void test_figure_table(void **state)
{
    (void)state;
    char plain[1024], rmax[1024];                  /* pbt_tmpdir's buffer is reused */
    const char *stems[16];
    snprintf(plain, sizeof plain, "%s", pbt_tmpdir("plots-table"));
    snprintf(rmax, sizeof rmax, "%s", pbt_tmpdir("plots-table-rmax"));
    struct pb_err err = {{0}};
    size_t rows = pb_figure_count(), conditional = 0;
    assert_true(rows >= 5 && rows < 16);
    assert_null(pb_figure_stem(rows));
    copy_fixture("sweep_summary.csv", plain, "r_summary.csv");
    write_rmax_summary(rmax);
    assert_int_equal(pb_plots_write(plain, "r", NULL, &err), 0);
    assert_int_equal(pb_plots_write(rmax, "r", NULL, &err), 0);
    assert_int_equal(pb_plots_stems(rmax, "r", NULL, stems, 16), rows);
    for (size_t i = 0; i < rows; i++) {
        const char *stem = pb_figure_stem(i);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(stem, pb_figure_stem(j));
        assert_string_equal(stems[i], stem);
        assert_true(has_script(rmax, "r", stem));
        assert_int_equal(has_script(plain, "r", stem), !pb_figure_conditional(i));
        conditional += pb_figure_conditional(i);
    }
    assert_int_equal(conditional, 1);
    assert_true(pb_figure_conditional(rows - 1));
    assert_string_equal(pb_figure_stem(rows - 1), PB_FIGURE_RMAX);
    assert_int_equal(pb_plots_stems(plain, "r", NULL, stems, 16), rows - 1);
}

/* A config may not declare a figure under the stem of a row of the table (the config loader
 * keeps its own list of those names: this keeps the two together). */
static void test_table_stems_reserved(void **state)
{
    (void)state;
    char dir[1024], path[2048], text[1024];
    snprintf(dir, sizeof dir, "%s", pbt_tmpdir("plots-reserved"));
    snprintf(path, sizeof path, "%s/c.json", dir);
    for (size_t i = 0; i < pb_figure_count(); i++) {
        struct pb_experiment e;
        struct pb_err err = {{0}};
        snprintf(text, sizeof text, "{\"name\": \"c\", \"output\": {\"kind\": \"matrix\"}, "
                 "\"sizes\": [10], \"strategies\": "
                 "[\"naive\"], \"figures\": [{\"name\": \"%s\", \"quantity\": \"time\"}]}\n",
                 pb_figure_stem(i));
        pbt_write(path, text);
        memset(&e, 0, sizeof e);
        assert_true(pb_experiment_load(path, &e, &err) < 0);
        if (!strstr(err.msg, "is a built-in figure's name"))
            fail_msg("figure \"%s\": %s", pb_figure_stem(i), err.msg);
    }                                 /* a config that fails to load is freed by the loader */
}

/* A figure gnuplot fails on does not stop the others, leaves no empty file and is named. */
static void test_failing_figure_named_others_drawn(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("plots-onefails");
    copy_fixture("sweep_summary.csv", dir, "sweep_summary.csv");
    struct pb_err err = {{0}};
    char path[2048], text[4096];
    assert_int_equal(pb_plots_write(dir, "sweep", NULL, &err), 0);
    snprintf(path, sizeof path, "%s/sweep_memory.gp", dir);
    snprintf(text, sizeof text, "set terminal pngcairo\nset output '%s/sweep_memory.png'\n"
             "plot $nosuchblock using 1:2\n", dir);
    pbt_write(path, text);
    assert_int_equal(pb_plots_render(dir, "sweep", NULL, &err), -EIO);
    assert_non_null(strstr(err.msg, "sweep_memory.gp: gnuplot exited with 1"));
    assert_int_equal(figure_size(dir, "sweep", "memory", "png"), -1);
    assert_true(figure_size(dir, "sweep", "speedup", "png") > 1000);
    assert_true(figure_size(dir, "sweep", "throughput", "png") > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripts_hold_series_and_relative_csv),
        cmocka_unit_test(test_render_png_svg_pdf),
        cmocka_unit_test(test_script_runs_from_another_folder_after_a_move),
        cmocka_unit_test(test_one_thread_count_still_renders),
        cmocka_unit_test(test_rmax_figure),
        cmocka_unit_test(test_bad_inputs_are_named),
        cmocka_unit_test(test_missing_or_failing_gnuplot),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_plot_cli_refuses_hostile_name),
        cmocka_unit_test(test_fifo_summary_refused),
        cmocka_unit_test(test_skipped_and_failed_points_named),
        cmocka_unit_test(test_nothing_to_draw),
        cmocka_unit_test(test_declared_figure),
        cmocka_unit_test(test_failing_figure_named_others_drawn),
        cmocka_unit_test(test_figure_table),
        cmocka_unit_test(test_table_stems_reserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
