/* plots.c — the figures of a result set: the table of figures (one row per figure: its stem,
 * what it draws, from which column, its writer, and for a conditional one when it is drawn),
 * each figure's script writer, and pb_plots_write, which writes every row's script from the
 * summary. See plots.h for the contract; the text the scripts share is gpscript.h's, their
 * rendering render.c's. */
#include "plots.h"

#include "fdio.h"
#include "gpscript.h"
#include "results.h"
#include "summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Columns of the summary the scripts use by name; checked before any script is written. */
static const enum pb_sum_col required_cols[] = {
    PB_SUM_strategy, PB_SUM_params, PB_SUM_output, PB_SUM_n, PB_SUM_threads,
    PB_SUM_wall_median_s, PB_SUM_wall_ci95_lo_s, PB_SUM_wall_ci95_hi_s, PB_SUM_peak_rss_kib,
    PB_SUM_speedup, PB_SUM_efficiency, PB_SUM_pairs_per_s,
};

/* ---------------------------------------------------------------- the figures */

#define COL_MEDIAN GP_COL(wall_median_s)

/* Opens figure x's loop (pb_gp_loop_open) with the note under it and the axes every "vs n"
 * figure shares: title "NAME: WHAT vs n (OUTPUT output)" (or the declared one), log-log (or
 * the declared scales), n padded by 1.4 either side on a log axis, and ylabel. */
static void open_vs_n(FILE *f, const struct pb_figctx *x, const char *what, const char *ylabel)
{
    const struct pb_figure_decl *d = x->decl;
    int xlog = !d || d->xlog, ylog = !d || d->ylog;
    pb_gp_loop_open(f, x->stem);
    pb_gp_notes(f, x, 0.1);
    if (d && d->title) {
        fputs("  set title ", f);
        pb_gp_quote(f, d->title);
        fputs("\n", f);
    } else {
        fprintf(f, "  set title sprintf('%%s: %s vs n (%s output)', name)\n", what,
                x->s->output);
    }
    fprintf(f, "%s%s%s\n", xlog || ylog ? "  set logscale " : "", xlog ? "x" : "",
            ylog ? "y" : "");
    fprintf(f, "  set xrange [%s]\n  set xlabel 'n (points)'\n  set ylabel '%s'\n",
            xlog ? "nmin / 1.4 : nmax * 1.4" : "0 : nmax * 1.05", ylabel);
}

/* NAME_time.gp: median wall time vs n, log-log, CI bars, an n² guide (brute force) and an n guide
 * (what a spatial strategy at fixed rmax approaches) through the geometric mean of the medians at
 * the largest n. */
static void write_time(FILE *f, const struct pb_figctx *x)
{
    const struct pb_series_set *s = x->s;
    pb_gp_head(f, x);
    pb_gp_thread_tables(f, s, "(" GP_COL(n) "):(" COL_MEDIAN "):(" GP_COL(wall_ci95_lo_s) "):"
                              "(" GP_COL(wall_ci95_hi_s) ")", NULL);
    pb_gp_bad_table(f, x, COL_MEDIAN);
    fputs("# The guide passes through the geometric mean of the medians at the largest n timed.\n"
          "stats csv using (counted(0) && " COL_MEDIAN " > 0 ? " GP_COL(n) " : NaN) nooutput\n"
          "ng = STATS_max\n"
          "set table $g\nplot csv using (log(" COL_MEDIAN ")):(1) with table if (counted(0) && "
          GP_COL(n) " == ng && " COL_MEDIAN " > 0)\nunset table\n", f);
    pb_gp_switch(f);
    fputs("g = NaN\nif (|$g| > 0) { stats $g using 1 nooutput; g = exp(STATS_mean) / ng**2 }\n"
          "guide(x) = g * x**2\n"
          "guide_n(x) = g * ng * x\n\n", f);
    open_vs_n(f, x, "median wall time", "median wall time (s); bars: 95% CI of the median");
    struct pb_gp_clauses c = {.f = f};
    pb_gp_thread_clauses(&c, s, "$2", 1);
    pb_gp_bad_clause(&c, s);
    fputs("guide(x) with lines lc rgb '#888888' dt 3 lw 2 title 'guide: time ∝ n²'",
          pb_gp_clause(&c));
    fputs("guide_n(x) with lines lc rgb '#888888' dt 2 lw 2 title 'guide: time ∝ n'",
          pb_gp_clause(&c));
    pb_gp_clauses_end(&c);
    pb_gp_loop_close(f);
}

/* NAME_memory.gp: peak memory (PSS of the run's processes, MiB) vs n, log-log, with the size of
 * one n×n matrix when the output is a matrix. */
static void write_memory(FILE *f, const struct pb_figctx *x)
{
    const struct pb_series_set *s = x->s;
    pb_gp_head(f, x);
    pb_gp_thread_tables(f, s, "(" GP_COL(n) "):(" GP_COL(peak_rss_kib) " / 1024.0)", NULL);
    pb_gp_bad_table(f, x, GP_COL(peak_rss_kib) " / 1024.0");
    pb_gp_switch(f);
    open_vs_n(f, x, "peak memory", "peak memory of the run, PSS of all its processes (MiB)");
    struct pb_gp_clauses c = {.f = f};
    pb_gp_thread_clauses(&c, s, "$2", 0);
    pb_gp_bad_clause(&c, s);
    if (strcmp(s->output, "matrix") == 0) {
        int bytes = strcmp(pb_summary_get(x->t, 0, PB_SUM_precision), "float") == 0 ? 4 : 8;
        fprintf(pb_gp_clause(&c), "%d * x**2 / 1048576.0 with lines lc rgb '#888888' dt 3 lw 2 "
                "title 'one n×n matrix (%d n² bytes)'", bytes, bytes);
    }
    pb_gp_clauses_end(&c);
    pb_gp_loop_close(f);
}

/* NAME_throughput.gp: unique pairs per second vs n, with the limit lines when peak > 0. */
static void write_throughput(FILE *f, const struct pb_figctx *x)
{
    const struct pb_series_set *s = x->s;
    double peak = x->peak;
    pb_gp_head(f, x);
    pb_gp_thread_tables(f, s, "(" GP_COL(n) "):(" GP_COL(pairs_per_s) ")", NULL);
    pb_gp_bad_table(f, x, GP_COL(pairs_per_s));
    pb_gp_switch(f);
    if (peak > 0)
        fprintf(f, "peak = %.9g  # one thread's measured peak pairs/s, given by the harness\n\n",
                peak);
    open_vs_n(f, x, "throughput", "unique pairs i<j per second (pairs/s)");
    fputs("  set format y \"%.0s %c\"\n", f);
    struct pb_gp_clauses c = {.f = f};
    pb_gp_thread_clauses(&c, s, "$2", 0);
    pb_gp_bad_clause(&c, s);
    for (size_t i = 0; peak > 0 && i < s->nthreads; i++)
        fprintf(pb_gp_clause(&c), "peak * %d with lines lc rgb '#555555' dt %zu lw 1.5 title "
                "sprintf('measured limit, %d thread%s (%%.3g pairs/s)', peak * %d)",
                s->threads[i], i % PB_GP_NDASHES + 1, s->threads[i], s->threads[i] == 1 ? "" : "s",
                s->threads[i]);
    pb_gp_clauses_end(&c);
    pb_gp_loop_close(f);
}

/* Thread counts key k is drawn at in the figure. */
static size_t drawn_threads(const struct pb_series_set *s, size_t k)
{
    size_t count = 0;
    for (size_t i = 0; i < s->nthreads; i++)
        count += s->has[k * s->nthreads + i];
    return count;
}

/* 1 when the speedup figure draws key k: drawn at all, and at several thread counts when some
 * key of the sweep has several. */
static int speedup_key(const struct pb_series_set *s, size_t k)
{
    size_t count = drawn_threads(s, k);
    return count > 0 && !(s->multi && count < 2);
}

/* The speedup panel's and the efficiency panel's clauses: every key with several thread counts
 * (or every key when none has), at the largest n; column is 2 (speedup) or 3 (efficiency). */
static void write_speedup_clauses(FILE *f, const struct pb_series_set *s, int column)
{
    char title[1200];                /* label < 64, params < 1024 bytes: never cut */
    struct pb_gp_clauses c = {.f = f};
    for (size_t k = 0; k < s->nkeys; k++) {
        if (!speedup_key(s, k))
            continue;
        pb_gp_series_title(title, sizeof title, s, k, 0);
        fprintf(pb_gp_clause(&c), "$s%zu_0 using 1:%d smooth unique with linespoints ls %zu "
                "title ", k, column, k + 1);
        pb_gp_quote(f, title);
    }
    fprintf(pb_gp_clause(&c), "%s with lines lc rgb '#888888' dt 3 lw 2 title 'ideal'",
            column == 2 ? "x" : "1");
    pb_gp_clauses_end(&c);
}

/* NAME_speedup.gp: speedup and efficiency vs threads at the largest n, side by side, with the
 * ideal lines; the legend sits right of both panels. */
static void write_speedup(FILE *f, const struct pb_figctx *x)
{
    const struct pb_series_set *s = x->s;
    pb_gp_head(f, x);
    fputs("# The largest n with a speedup (a failed point has none).\n"
          "stats csv using (counted(0) && " GP_COL(speedup) " > 0 ? " GP_COL(n) " : NaN) "
          "nooutput\nns = STATS_max\n", f);
    for (size_t k = 0; k < s->nkeys; k++)
        if (speedup_key(s, k))
            pb_gp_table(f, s, k, 0, "(" GP_COL(threads) "):(" GP_COL(speedup) "):"
                                    "(" GP_COL(efficiency) ")", GP_COL(n) " == ns");
    pb_gp_switch(f);
    pb_gp_loop_open(f, "speedup");
    pb_gp_notes(f, x, 0);
    fputs("  set multiplot title sprintf('%s: speedup and efficiency vs threads at n = %d "
          "(the largest n timed), %s output', name, ns, '", f);
    fputs(s->output, f);
    fprintf(f, "')\n  set xrange [tmin - 0.5 : tmax + 0.5]\n  set xtics 1\n"
               "  if (tmax > 16) { set xtics autofreq }\n  set xlabel 'threads'\n"
               "  set tmargin at screen 0.88; set bmargin at screen %.3f\n"
               "  set lmargin at screen 0.08; set rmargin at screen 0.40\n  unset key\n"
               "  set yrange [0 : *]\n"
               "  set ylabel 'speedup over the same strategy at its fewest threads (x)'\n",
            0.12 + 0.028 * (double)pb_gp_note_lines(x));
    write_speedup_clauses(f, s, 2);
    fputs("  set lmargin at screen 0.48; set rmargin at screen 0.80\n"
          "  set yrange [0 : 1.2 < *]\n  set ylabel 'parallel efficiency (speedup / threads)'\n"
          "  set key at screen 0.82, 0.88 left top vertical Left reverse samplen 3 spacing 1.2 "
          "box lc rgb '#bbbbbb'\n", f);
    write_speedup_clauses(f, s, 3);
    fputs("  unset multiplot\n", f);
    pb_gp_loop_close(f);
}

/* The part of params before "rmax=" (without its ';'), into buf; 0 when params has no rmax. */
static int rmax_base(const char *params, char *buf, size_t cap)
{
    const char *r = strstr(params, "rmax=");
    if (!r)
        return 0;
    size_t len = (size_t)(r - params);
    snprintf(buf, cap, "%.*s", (int)(len > 0 ? len - 1 : 0), params);
    return 1;
}

/* One line of the rmax figure: a strategy label, its other params and a thread count. */
struct rkey {
    char strategy[128], base[256];
    int threads;
};

/* The distinct rkeys of t's counted rows with an rmax and a median at n = nmax, up to cap,
 * into k (every key when nmax is 0); returns how many. */
static size_t collect_rkeys(const struct pb_table *t, long nmax, struct rkey *k, size_t cap)
{
    size_t nk = 0;
    for (size_t r = 0; r < t->nrows && nk < cap; r++) {
        struct rkey x = { .threads = atoi(pb_summary_get(t, r, PB_SUM_threads)) };
        const char *med = pb_summary_get(t, r, PB_SUM_wall_median_s);
        if (!pb_summary_counted(t, r) ||
            !rmax_base(pb_summary_get(t, r, PB_SUM_params), x.base, sizeof x.base) ||
            (nmax && (atol(pb_summary_get(t, r, PB_SUM_n)) != nmax || !*med || atof(med) <= 0)))
            continue;
        snprintf(x.strategy, sizeof x.strategy, "%s",
                 pb_summary_get(t, r, PB_SUM_strategy));
        size_t i = 0;
        while (i < nk && (strcmp(k[i].strategy, x.strategy) || strcmp(k[i].base, x.base) ||
                          k[i].threads != x.threads))
            i++;
        if (i == nk)
            k[nk++] = x;
    }
    return nk;
}

#define PB_MAX_RKEYS 64

/* NAME_rmax.gp: median wall time vs rmax at the largest n, log-log, one line per strategy label,
 * other params and thread count (points sorted by rmax): which strategy wins at which rmax.
 * The keys live on the heap (25 KB; the stack may be small); without memory the figure is
 * written without lines. */
static void write_rmax(FILE *f, const struct pb_figctx *x)
{
    struct rkey *k = calloc(PB_MAX_RKEYS, sizeof *k);
    size_t nk = k ? collect_rkeys(x->t, x->s->nmax, k, PB_MAX_RKEYS) : 0;
    pb_gp_head(f, x);
    fputs("rmaxof(p) = (j = strstrt(p, \"rmax=\"), j > 0 ? p[j+5:] + 0.0 : NaN)\n"
          "base(p) = (j = strstrt(p, \"rmax=\"), j > 1 ? p[1:j-2] : \"\")\n"
          "sel(s, b, t) = " GP_STR(strategy) " eq s && base(" GP_STR(params) ") eq b && "
          GP_COL(threads) " == t && " GP_COL(n) " == nmax && counted(0)\n", f);
    for (size_t i = 0; i < nk; i++) {
        fprintf(f, "set table $r%zu\nplot csv using (rmaxof(" GP_STR(params) ")):(" COL_MEDIAN
                   ") with table if (sel(", i);
        pb_gp_quote(f, k[i].strategy);
        fputs(", ", f);
        pb_gp_quote(f, k[i].base);
        fprintf(f, ", %d) && " COL_MEDIAN " > 0)\nunset table\n", k[i].threads);
    }
    pb_gp_switch(f);
    pb_gp_loop_open(f, PB_FIGURE_RMAX);
    pb_gp_notes(f, x, 0.1);
    fprintf(f, "  set title sprintf('%%s: median wall time vs rmax at n = %%d', name, nmax)\n"
               "  set logscale xy\n  set xlabel 'rmax (the last bin edge)'\n"
               "  set ylabel 'median wall time (s)'\n");
    struct pb_gp_clauses c = {.f = f};
    for (size_t i = 0; i < nk; i++) {
        char title[512];
        snprintf(title, sizeof title, "%s%s%s%s, %d thread%s", k[i].strategy,
                 k[i].base[0] ? " [" : "", k[i].base, k[i].base[0] ? "]" : "", k[i].threads,
                 k[i].threads == 1 ? "" : "s");
        fprintf(pb_gp_clause(&c), "$r%zu using 1:2 smooth unique with linespoints lw 2 pt %d "
                "dt %d title ", i, pb_gp_point_types[i % PB_GP_NPOINTS],
                k[i].threads > 1 ? 1 : 2);
        pb_gp_quote(f, title);
    }
    pb_gp_clauses_end(&c);
    pb_gp_loop_close(f);
    free(k);
}

/* A figure with no point to draw: its title, the note naming every point left out, and an
 * empty frame saying so, so that the figure exists and tells why it is empty. */
static void write_empty(FILE *f, const struct pb_figctx *x)
{
    pb_gp_head(f, x);
    pb_gp_switch(f);
    pb_gp_loop_open(f, x->stem);
    pb_gp_notes(f, x, 0.1);
    fprintf(f, "  set title sprintf('%%s: %s', name)\n", x->what);
    fputs("  unset border; unset tics; unset key; unset grid\n"
          "  set label 100 'nothing to draw: every point is left out (below)' at graph 0.5, 0.5 "
          "center\n  plot [0:1] [0:1] 2 notitle\n", f);
    pb_gp_loop_close(f);
}

/* 1 when summary t comes from an "rmax" sweep: a counted row's params hold "rmax=". */
static int is_rmax_sweep(const struct pb_table *t)
{
    struct rkey one;
    return collect_rkeys(t, 0, &one, 1) != 0;
}

/* Lines the rmax figure draws (0: it is drawn empty). */
static size_t rmax_lines(const struct pb_figctx *x)
{
    struct rkey one;
    return collect_rkeys(x->t, x->s->nmax, &one, 1);
}

/* ---------------------------------------------------------------- the table of figures */

/* One figure: a row of the table. */
struct figure {
    const char *stem;                /* DIR/NAME_<stem>.gp; a declared figure's quantity */
    const char *what;                /* the script's first line, the title of an empty one */
    enum pb_sum_col col;             /* a point without a positive value here is left out */
    int focus;                       /* 1: drawn at one n (the largest with a value in col) */
    void (*write)(FILE *f, const struct pb_figctx *x);
    int (*when)(const struct pb_table *t);       /* conditional row: 1 when the summary t
                                                    has the figure; NULL: always drawn */
    size_t (*lines)(const struct pb_figctx *x);  /* what it draws when not the marked series
                                                    (0: drawn empty); NULL: those */
};

/* The figures, in the order they are written, rendered and shown. Adding a figure is adding a
 * row; a conditional row (when) is written only for a summary that has it, and its stale
 * script is removed otherwise. A declared figure draws as the row of its quantity. */
static const struct figure figures[] = {
    {"time", "median wall time vs n, log-log, bars from the 95% CI", PB_SUM_wall_median_s, 0,
     write_time, NULL, NULL},
    {"memory", "peak memory of each run vs n, log-log", PB_SUM_peak_rss_kib, 0, write_memory,
     NULL, NULL},
    {"speedup", "speedup and efficiency vs threads at the largest n", PB_SUM_speedup, 1,
     write_speedup, NULL, NULL},
    {"throughput", "unique pairs per second vs n", PB_SUM_pairs_per_s, 0, write_throughput,
     NULL, NULL},
    {PB_FIGURE_RMAX, "median wall time vs rmax at the largest n, log-log",
     PB_SUM_wall_median_s, 1, write_rmax, is_rmax_sweep, rmax_lines},
};
#define NFIGURES (sizeof figures / sizeof figures[0])

/* See plots.h. */
const char *const pb_figure_files[PB_FIGURE_NFILES] = {".gp", ".png", ".svg", ".pdf"};

/* See plots.h. */
size_t pb_figure_count(void)
{
    return NFIGURES;
}

/* See plots.h. */
const char *pb_figure_stem(size_t i)
{
    return i < NFIGURES ? figures[i].stem : NULL;
}

/* See plots.h. */
int pb_figure_conditional(size_t i)
{
    return i < NFIGURES && figures[i].when != NULL;
}

/* The row drawing quantity ("time", ...), or NULL. */
static const struct figure *figure_of(const char *quantity)
{
    for (size_t i = 0; i < NFIGURES; i++)
        if (strcmp(figures[i].stem, quantity) == 0)
            return &figures[i];
    return NULL;
}

/* Writes DIR/NAME_<stem>.gp's path into buf (cap bytes). Returns 0 or -ENAMETOOLONG with err. */
static int script_path(const char *dir, const char *name, const char *stem, char *buf, size_t cap,
                       struct pb_err *err)
{
    if (snprintf(buf, cap, "%s/%s_%s.gp", dir, name, stem) >= (int)cap)
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    return 0;
}

/* See plots.h. */
size_t pb_plots_stems(const char *dir, const char *name, const struct pb_plot_opts *o,
                      const char **stems, size_t cap)
{
    size_t n = 0;
    char path[4096];
    for (size_t i = 0; i < NFIGURES && n < cap; i++)
        if (!figures[i].when ||
            (script_path(dir, name, figures[i].stem, path, sizeof path, NULL) == 0 &&
             access(path, F_OK) == 0))
            stems[n++] = figures[i].stem;
    for (size_t i = 0; o && i < o->nfigures && n < cap; i++)
        stems[n++] = o->figures[i].name;
    return n;
}

/* ---------------------------------------------------------------- writing */

/* Writes DIR/NAME_<x->stem>.gp with fig's writer (write_empty when nothing is drawn). Returns 0
 * or -errno with err filled. */
static int write_figure(const char *dir, const struct figure *fig, struct pb_figctx *x,
                        struct pb_err *err)
{
    char path[4096];
    x->what = fig->what;
    x->focus_n = fig->focus ? pb_gp_largest_n_with(x->t, x->s, fig->col) : 0;
    pb_gp_mark_figure(x, fig->col);
    if (fig->lines)
        x->drawn = fig->lines(x);
    int rc = script_path(dir, x->name, x->stem, path, sizeof path, err);
    if (rc < 0)
        return rc;
    FILE *f = pb_fcreate(path, 1);           /* never through a link planted in DIR */
    if (!f)
        return pb_fail(err, -errno, "%s: cannot write: %s", path, strerror(errno));
    (x->drawn ? fig->write : write_empty)(f, x);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return pb_fail(err, -EIO, "%s: write failed", path);
    return 0;
}

/* Writes the script of row fig, or removes a stale one when it is a conditional row the
 * summary lacks. Returns 0 or -errno with err filled. */
static int write_row(const char *dir, const struct figure *fig, struct pb_figctx *x,
                     struct pb_err *err)
{
    char path[4096];
    x->stem = fig->stem;
    if (!fig->when || fig->when(x->t))
        return write_figure(dir, fig, x, err);
    int rc = script_path(dir, x->name, fig->stem, path, sizeof path, err);
    if (rc == 0 && unlink(path) != 0 && errno != ENOENT)
        rc = pb_fail(err, -errno, "%s: cannot remove: %s", path, strerror(errno));
    return rc;
}

/* Checks that summary t (read from path) has every column the scripts use. */
static int check_columns(const struct pb_table *t, const char *path, struct pb_err *err)
{
    for (size_t i = 0; i < sizeof required_cols / sizeof required_cols[0]; i++)
        if (pb_summary_col(t, required_cols[i]) < 0)
            return pb_fail(err, -EINVAL, "%s: no column \"%s\" in the header", path,
                           pb_summary_name(required_cols[i]));
    return 0;
}

/* Writes every figure of the summary t (series s): each row of the table (a conditional one
 * written or its stale script removed), then o's declared ones. Returns 0 or -errno with err
 * filled. */
static int write_all(const char *dir, const char *name, const struct pb_table *t,
                     struct pb_series_set *s, const struct pb_plot_opts *o, struct pb_err *err)
{
    struct pb_figctx x = {.name = name, .t = t, .s = s, .peak = o ? o->peak_pairs_per_s : 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < NFIGURES; i++)
        rc = write_row(dir, &figures[i], &x, err);
    for (size_t i = 0; rc == 0 && o && i < o->nfigures; i++) {
        x.decl = &o->figures[i];
        x.stem = x.decl->name;
        const struct figure *fig = figure_of(x.decl->quantity);
        rc = fig ? write_figure(dir, fig, &x, err)
                 : pb_fail(err, -EINVAL, "figure %s: no quantity \"%s\"", x.decl->name,
                           x.decl->quantity);
    }
    return rc;
}

int pb_plots_write(const char *dir, const char *name, const struct pb_plot_opts *o,
                   struct pb_err *err)
{
    char path[4096];
    struct pb_table t;
    int rc = pb_summary_read(dir, name, &t, path, sizeof path, err);
    if (rc < 0)
        return rc;
    struct pb_series_set s = {0};
    rc = check_columns(&t, path, err);
    if (rc == 0) {
        rc = pb_gp_collect_series(&t, &s);
        if (rc == -EINVAL)
            pb_fail(err, rc, "%s: no counted rows (kind run, n > 0) to plot", path);
        else if (rc < 0)
            pb_fail(err, rc, "%s: out of memory", path);
    }
    if (rc == 0)
        rc = pb_gp_check_texts(name, &s, path, err);
    if (rc == 0)
        rc = write_all(dir, name, &t, &s, o, err);
    pb_gp_series_free(&s);
    pb_table_free(&t);
    return rc;
}