/* plots.c — gnuplot scripts for a result set and their rendering. See plots.h for the
 * contract.
 *
 * A script reads NAME_summary.csv by a path relative to itself: it cds to its own folder (from
 * ARG0) first. Each series is cut out of the CSV by gnuplot itself into a datablock
 * (`with table if (...)`), because lines drawn straight from a filtered CSV break at every row
 * the filter drops. Only the list of series and their styles is fixed at write time. */
#include "plots.h"

#include "csv.h"
#include "fdio.h"
#include "results.h"
#include "stop.h"
#include "summary.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


/* Colour-blind-safe palette (Okabe–Ito, then Tableau), assigned by sorted label order. */
static const char *const palette[] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* Point types that stay distinct in the cairo and svg terminals: filled circle, square,
 * triangle, inverted triangle, diamond, pentagon, then the open ones. */
static const int point_types[] = {7, 5, 9, 11, 13, 15, 6, 4, 8, 10, 12, 14};
#define NPOINTS (sizeof point_types / sizeof point_types[0])
#define NDASHES 5                    /* gnuplot's built-in dash types 1..5, one per thread count */

/* ---------------------------------------------------------------- series of a summary */

/* One strategy label with its params: one colour and point type in every figure. */
struct pkey {
    const char *strategy;            /* label, a cell of the summary table */
    const char *params;              /* "k=v;k=v" or "" */
};

/* What the scripts need to know of a summary: its keys, thread counts and which pairs exist. */
struct series_set {
    struct pkey *keys;               /* sorted by strategy, then params */
    size_t nkeys;
    int *threads;                    /* every thread count present, ascending */
    size_t nthreads;
    unsigned char *has;              /* nkeys * nthreads: 1 when that series has a row */
    int multi;                       /* 1: some key has more than one thread count */
    int any_bad;                     /* 1: some row failed or did not verify */
    int dup_label;                   /* 1: one label appears with different params */
    const char *output;              /* "matrix" | "histogram" | "" (first counted row's) */
    long nmax;                       /* the largest n of the counted rows */
};

/* Columns of the summary the scripts use by name; checked before any script is written. */
static const enum pb_sum_col required_cols[] = {
    PB_SUM_strategy, PB_SUM_params, PB_SUM_output, PB_SUM_n, PB_SUM_threads,
    PB_SUM_wall_median_s, PB_SUM_wall_ci95_lo_s, PB_SUM_wall_ci95_hi_s, PB_SUM_peak_rss_kib,
    PB_SUM_speedup, PB_SUM_efficiency, PB_SUM_pairs_per_s,
};

/* A script's reference to summary column PB_SUM_<name>: its number, its text. */
#define GP_COL(name) "column(\"" PB_SUM_TEXT(name) "\")"
#define GP_STR(name) "strcol(\"" PB_SUM_TEXT(name) "\")"

static int cmp_key(const void *a, const void *b)
{
    const struct pkey *x = a, *y = b;
    int c = strcmp(x->strategy, y->strategy);
    return c ? c : strcmp(x->params, y->params);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..*n) of size-byte items and drops duplicates under cmp. */
static void sort_unique(void *v, size_t *n, size_t size, int (*cmp)(const void *, const void *))
{
    if (*n == 0)
        return;
    qsort(v, *n, size, cmp);
    char *b = v;
    size_t k = 1;
    for (size_t i = 1; i < *n; i++)
        if (cmp(b + (k - 1) * size, b + i * size) != 0)
            memmove(b + k++ * size, b + i * size, size);
    *n = k;
}

/* Index of x in the sorted keys, or of threads in the sorted thread counts. */
static size_t key_index(const struct series_set *s, struct pkey x)
{
    struct pkey *k = bsearch(&x, s->keys, s->nkeys, sizeof x, cmp_key);
    return (size_t)(k - s->keys);
}

static size_t thread_index(const struct series_set *s, int threads)
{
    int *k = bsearch(&threads, s->threads, s->nthreads, sizeof threads, cmp_int);
    return (size_t)(k - s->threads);
}

/* Marks which (key, threads) series exist and the set's flags, once keys and threads are
 * sorted. */
static void mark_series(const struct pb_table *t, struct series_set *s)
{
    for (size_t r = 0; r < t->nrows; r++) {
        if (!pb_summary_counted(t, r))
            continue;
        struct pkey x = {pb_summary_get(t, r, PB_SUM_strategy),
                         pb_summary_get(t, r, PB_SUM_params)};
        int th = atoi(pb_summary_get(t, r, PB_SUM_threads));
        s->has[key_index(s, x) * s->nthreads + thread_index(s, th)] = 1;
        s->any_bad |= pb_summary_failed(t, r) > 0 || pb_summary_unverified(t, r);
    }
    for (size_t k = 0; k < s->nkeys; k++) {
        size_t count = 0;
        for (size_t i = 0; i < s->nthreads; i++)
            count += s->has[k * s->nthreads + i];
        s->multi |= count > 1;
        s->dup_label |= k > 0 && strcmp(s->keys[k].strategy, s->keys[k - 1].strategy) == 0;
    }
}

static void series_free(struct series_set *s)
{
    free(s->keys);
    free(s->threads);
    free(s->has);
    memset(s, 0, sizeof *s);
}

/* Fills s from the counted rows of summary t (cells stay owned by t). Returns 0, -EINVAL when
 * there is no counted row, or -ENOMEM. */
static int collect_series(const struct pb_table *t, struct series_set *s)
{
    memset(s, 0, sizeof *s);
    s->keys = malloc((t->nrows + 1) * sizeof *s->keys);
    s->threads = malloc((t->nrows + 1) * sizeof *s->threads);
    if (!s->keys || !s->threads)
        return -ENOMEM;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!pb_summary_counted(t, r))
            continue;
        if (!s->output)
            s->output = pb_summary_get(t, r, PB_SUM_output);
        s->keys[s->nkeys++] = (struct pkey){pb_summary_get(t, r, PB_SUM_strategy),
                                            pb_summary_get(t, r, PB_SUM_params)};
        s->threads[s->nthreads++] = atoi(pb_summary_get(t, r, PB_SUM_threads));
        if (atol(pb_summary_get(t, r, PB_SUM_n)) > s->nmax)
            s->nmax = atol(pb_summary_get(t, r, PB_SUM_n));
    }
    if (s->nkeys == 0)
        return -EINVAL;
    sort_unique(s->keys, &s->nkeys, sizeof *s->keys, cmp_key);
    sort_unique(s->threads, &s->nthreads, sizeof *s->threads, cmp_int);
    s->has = calloc(s->nkeys * s->nthreads, 1);
    if (!s->has)
        return -ENOMEM;
    mark_series(t, s);
    return 0;
}

/* ---------------------------------------------------------------- script text */

/* Writes s as a gnuplot single-quoted string: no escapes and no `command` or @macro
 * substitution inside; ' doubles. A line break cannot be written in one, so every text a
 * script quotes is checked first (check_texts). */
static void gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* 1 when s holds a control character (a line break ends a gnuplot comment or string) or,
 * when quotes, what gnuplot 5.4's CSV reader does not read back as written, so that the
 * series would not be found: a comma (it splits a quoted field there), a double quote (it
 * does not undo "" doubling) or a backslash (it takes some for escapes). */
static int has_control(const char *s, int quotes)
{
    if (quotes && strpbrk(s, ",\"\\"))
        return 1;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* Refuses a result name or a strategy label or parameter string (from the summary at path)
 * that a script could not carry as it is: one with a control character (or, for the labels
 * and parameters a script selects rows by, a double quote). The name goes into
 * the scripts' comments and strings, the others into strings. Returns 0 or -EINVAL. */
static int check_texts(const char *name, const struct series_set *s, const char *path,
                       struct pb_err *err)
{
    if (has_control(name, 0))
        return pb_fail(err, -EINVAL, "the result name holds a control character (a line "
                       "break?): it cannot go into a gnuplot script");
    for (size_t k = 0; k < s->nkeys; k++)
        if (has_control(s->keys[k].strategy, 1) || has_control(s->keys[k].params, 1))
            return pb_fail(err, -EINVAL, "%s: strategy \"%.60s\" or its parameters hold a "
                           "control character, a comma, a double quote or a backslash: a "
                           "gnuplot script cannot select them", path, s->keys[k].strategy);
    return 0;
}

/* The legend text of key k, with the thread count when threads > 0 and the sweep has several. */
static void series_title(char *buf, size_t cap, const struct series_set *s, size_t k, int threads)
{
    const struct pkey *x = &s->keys[k];
    int n = snprintf(buf, cap, "%s", x->strategy);
    if (s->dup_label && x->params[0] && n >= 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, " [%s]", x->params);
    if (threads > 0 && s->nthreads > 1 && n >= 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, ", %d thread%s", threads, threads == 1 ? "" : "s");
}

/* ---------------------------------------------------------------- what one figure draws */

#define MAX_NOTES 3                  /* lines naming points not drawn; the rest are counted */

/* Points of one series left out of a figure for one reason. */
struct note {
    size_t key;                      /* index in the series set's keys */
    int threads;
    char ns[160];                    /* "1000, 2000, 4000" */
    char reason[200];                /* the summary's flag ("skipped: estimated ...") */
};

/* One figure being written: the result set, the figure, what it draws and what it leaves out.
 * Only the series with a point to draw get a table and a line, so that no gnuplot command
 * meets an empty selection; the points left out are named under the figure. */
struct figctx {
    const char *name;                /* the result name */
    const char *stem;                /* "time", or a declared figure's name */
    const char *what;                /* the script's first line: "median wall time vs n, ..." */
    const struct pb_table *t;
    struct series_set *s;            /* has[] and any_bad marked for this figure */
    const struct pb_figure_decl *decl;  /* the declared figure, or NULL for a built-in one */
    double peak;                     /* one thread's peak pairs/s; <= 0: none */
    long focus_n;                    /* the one n drawn (speedup, rmax); 0: every n */
    struct note notes[MAX_NOTES];
    size_t nnotes, more;             /* notes kept; points left out beyond them */
    size_t drawn;                    /* series with a point to draw */
};

/* 1 when the declared figure d (NULL: a built-in one) draws the series labelled label. */
static int selected(const struct pb_figure_decl *d, const char *label)
{
    for (size_t i = 0; d && i < d->nseries; i++)
        if (strcmp(d->series[i], label) == 0)
            return 1;
    return !d || d->nseries == 0;
}

/* Records point n of series (key k, threads) as left out for reason: added to the note of the
 * same series and reason, else to a new one, else counted in more. */
static void add_note(struct figctx *x, size_t k, int threads, const char *n, const char *reason)
{
    for (size_t i = 0; i < x->nnotes; i++) {
        struct note *o = &x->notes[i];
        if (o->key == k && o->threads == threads && strcmp(o->reason, reason) == 0) {
            size_t len = strlen(o->ns);
            pb_fit(o->ns + len, sizeof o->ns - len, ", %s", n);
            return;
        }
    }
    if (x->nnotes == MAX_NOTES) {
        x->more++;
        return;
    }
    struct note *o = &x->notes[x->nnotes++];
    *o = (struct note){.key = k, .threads = threads};
    pb_fit(o->ns, sizeof o->ns, "%s", n);
    pb_fit(o->reason, sizeof o->reason, "%s", reason);
}

/* Marks in x->s which series of the figure have a point to draw (a positive value in column
 * col, at x->focus_n when set) and whether one of those points failed or did not verify; the
 * other points of its series become notes, with the summary's flag as their reason. */
static void mark_figure(struct figctx *x, enum pb_sum_col col)
{
    struct series_set *s = x->s;
    const struct pb_table *t = x->t;
    memset(s->has, 0, s->nkeys * s->nthreads);
    s->any_bad = 0;
    x->nnotes = x->more = x->drawn = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        struct pkey key = {pb_summary_get(t, r, PB_SUM_strategy),
                           pb_summary_get(t, r, PB_SUM_params)};
        const char *n = pb_summary_get(t, r, PB_SUM_n), *v = pb_summary_get(t, r, col);
        if (!pb_summary_counted(t, r) || !selected(x->decl, key.strategy) ||
            (x->focus_n && atol(n) != x->focus_n))
            continue;
        int th = atoi(pb_summary_get(t, r, PB_SUM_threads));
        size_t k = key_index(s, key), at = k * s->nthreads + thread_index(s, th);
        if (*v && atof(v) > 0) {
            x->drawn += !s->has[at];
            s->has[at] = 1;
            s->any_bad |= pb_summary_failed(t, r) > 0 || pb_summary_unverified(t, r);
            continue;
        }
        char why[200];
        const char *flag = pb_summary_get(t, r, PB_SUM_flag);
        if (atoi(pb_summary_get(t, r, PB_SUM_runs)) == 0 && *flag)
            snprintf(why, sizeof why, "%s", flag);   /* a summary flag is under 160 bytes */
        else
            snprintf(why, sizeof why, "no %s", pb_summary_name(col));
        for (char *c = why; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = ' ';                /* a line break would end the script's string */
        add_note(x, k, th, n, why);
    }
}

/* The largest n of a counted row with a positive value in column col, else the largest n. */
static long largest_n_with(const struct pb_table *t, const struct series_set *s,
                           enum pb_sum_col col)
{
    long best = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *v = pb_summary_get(t, r, col);
        long n = atol(pb_summary_get(t, r, PB_SUM_n));
        if (pb_summary_counted(t, r) && *v && atof(v) > 0 && n > best)
            best = n;
    }
    return best ? best : s->nmax;
}

/* The part every script shares: what it is, finding its folder, reading the CSV, the filters
 * and the style of each key. */
static void write_head(FILE *f, const struct figctx *x)
{
    const struct pb_table *t = x->t;
    const struct series_set *s = x->s;
    const char *name = x->name, *fig = x->stem;
    fprintf(f, "# %s_%s.gp: %s.\n", name, fig, x->what);
    fprintf(f, "# Written by pairbench. It reads %s_summary.csv beside it, so it runs from any\n"
               "# folder (gnuplot path/to/%s_%s.gp) and leaves %s_%s.png, .svg and .pdf beside\n"
               "# itself. The series and their styles were fixed from the summary at writing.\n\n",
            name, name, fig, name, fig);
    fputs("here = ARG0\ni = strlen(here)\nwhile (i > 0 && here[i:i] ne \"/\") { i = i - 1 }\n"
          "if (i > 0) { cd here[1:i] }\n", f);
    fprintf(f, "name = ");
    gp_quote(f, name);
    fputs("\ncsv = name . '_summary.csv'\n\n"
          "set datafile separator comma\nset datafile columnheaders\n", f);
    fprintf(f, "counted(x) = %s" GP_COL(n) " > 0\n", pb_summary_col(t, PB_SUM_kind) >= 0
            ? GP_STR(kind) " ne \"" PB_KIND_OVERHEAD "\" && " : "");
    fputs("is(s, p) = " GP_STR(strategy) " eq s && " GP_STR(params) " eq p && counted(0)\n", f);
    fputs("ist(s, p, t) = is(s, p) && " GP_COL(threads) " == t\n", f);
    char verified[64] = "0";         /* the cell does not begin with "yes" */
    if (pb_summary_col(t, PB_SUM_verified) >= 0)
        snprintf(verified, sizeof verified, GP_STR(verified) "[1:%zu] ne \"%s\"",
                 strlen(PB_VERIFIED_YES), PB_VERIFIED_YES);
    fprintf(f, "bad(x) = counted(0) && (%s%s)\n\n",
            pb_summary_col(t, PB_SUM_failed) >= 0 ? GP_COL(failed) " > 0 || " : "", verified);
    fputs("# One colour and point type per strategy label, the same in every figure.\n", f);
    for (size_t k = 0; k < s->nkeys; k++)
        fprintf(f, "set style line %zu lc rgb '%s' pt %d ps 1.3 lw 2\n", k + 1,
                palette[k % NPALETTE], point_types[k % NPOINTS]);
    fputs("\n# n and thread ranges of the counted rows.\n"
          "stats csv using (counted(0) ? " GP_COL(n) " : NaN) nooutput\n"
          "nmin = STATS_min; nmax = STATS_max\n"
          "stats csv using (counted(0) ? " GP_COL(threads) " : NaN) nooutput\n"
          "tmin = STATS_min; tmax = STATS_max\n\n", f);
}

/* Emits one `set table` that cuts key k (and thread count threads, when > 0) out of the CSV
 * into datablock $s<k>_<threads>, with the columns of using; extra further filters rows. */
static void write_table(FILE *f, const struct series_set *s, size_t k, int threads,
                        const char *using, const char *extra)
{
    fprintf(f, "set table $s%zu_%d\nplot csv using %s with table if (", k, threads, using);
    fputs(threads > 0 ? "ist(" : "is(", f);
    gp_quote(f, s->keys[k].strategy);
    fputs(", ", f);
    gp_quote(f, s->keys[k].params);
    if (threads > 0)
        fprintf(f, ", %d", threads);
    fprintf(f, ")%s%s)\nunset table\n", extra ? " && " : "", extra ? extra : "");
}

/* Emits a table per (key, thread count) series the figure draws. */
static void write_thread_tables(FILE *f, const struct series_set *s, const char *using,
                                const char *extra)
{
    for (size_t k = 0; k < s->nkeys; k++)
        for (size_t i = 0; i < s->nthreads; i++)
            if (s->has[k * s->nthreads + i])
                write_table(f, s, k, s->threads[i], using, extra);
}

/* Switches from reading the CSV to reading the datablocks (whitespace separated). */
static void write_switch(FILE *f)
{
    fputs("\nset datafile separator whitespace\nset datafile nocolumnheaders\n\n", f);
}

/* Lines of x's note under the figure. */
static size_t note_lines(const struct figctx *x)
{
    return x->nnotes + (x->more > 0);
}

/* Emits x's note under the figure, one line per series and reason left out (bottom up), and
 * the bottom margin above it: bottom is the margin without a note (screen fraction). */
static void write_notes(FILE *f, const struct figctx *x, double bottom)
{
    size_t lines = note_lines(x);
    char title[1200], text[1800];
    for (size_t i = 0; i < x->nnotes; i++) {
        const struct note *o = &x->notes[i];
        series_title(title, sizeof title, x->s, o->key, o->threads);
        pb_fit(text, sizeof text, "not drawn: %s at n = %s (%s)", title, o->ns, o->reason);
        fprintf(f, "  set label %zu ", 101 + i);
        gp_quote(f, text);
        fprintf(f, " at screen 0.01, %.3f left font ',9' textcolor rgb '#a00000'\n",
                0.012 + 0.028 * (double)(lines - 1 - i));
    }
    if (x->more) {
        pb_fit(text, sizeof text, "and %zu more point%s not drawn: see the flag column of "
               "%s_summary.csv", x->more, x->more == 1 ? "" : "s", x->name);
        fprintf(f, "  set label %zu ", 101 + x->nnotes);
        gp_quote(f, text);
        fputs(" at screen 0.01, 0.012 left font ',9' textcolor rgb '#a00000'\n", f);
    }
    if (lines)
        fprintf(f, "  set bmargin at screen %.3f\n", bottom + 0.028 * (double)lines);
}

/* Opens the loop that draws the figure once per format, with a legend outside the data. */
static void write_loop_open(FILE *f, const char *fig)
{
    fputs("do for [fmt in \"png svg pdf\"] {\n"
          "  if (fmt eq \"png\") { set terminal pngcairo size 1200,700 font \"sans,11\" "
          "noenhanced }\n"
          "  if (fmt eq \"svg\") { set terminal svg size 1200,700 font \"sans,11\" noenhanced "
          "background \"white\" }\n"
          "  if (fmt eq \"pdf\") { set terminal pdfcairo size 9in,5.25in font \"sans,9\" "
          "noenhanced }\n", f);
    fprintf(f, "  set output name . '_%s.' . fmt\n", fig);
    fputs("  set grid xtics ytics mxtics mytics lc rgb '#e0e0e0' lw 1\n"
          "  set key outside right top vertical Left reverse samplen 3 spacing 1.2 box lc rgb "
          "'#bbbbbb'\n", f);
}

static void write_loop_close(FILE *f)
{
    fputs("  unset output\n}\n", f);
}

/* A plot command being written: clauses joined by ", \". */
struct clauses {
    FILE *f;
    int n;                           /* clauses written so far */
};

/* Starts the next clause of c's plot command. */
static FILE *clause(struct clauses *c)
{
    fputs(c->n++ ? ", \\\n    " : "  plot \\\n    ", c->f);
    return c->f;
}

/* Ends c's plot command. */
static void clauses_end(struct clauses *c)
{
    fputs("\n", c->f);
}

/* Emits a clause per (key, threads) series: a line through the points sorted by x of y (an
 * expression of the datablock's columns), and error bars from columns 3:4 when bars. */
static void write_thread_clauses(struct clauses *c, const struct series_set *s, const char *y,
                                 int bars)
{
    char title[1200];                /* label < 64, params < 1024 bytes: never cut */
    for (size_t k = 0; k < s->nkeys; k++)
        for (size_t i = 0; i < s->nthreads; i++) {
            if (!s->has[k * s->nthreads + i])
                continue;
            int th = s->threads[i];
            series_title(title, sizeof title, s, k, th);
            fprintf(clause(c), "$s%zu_%d using 1:(%s) smooth unique with linespoints ls %zu "
                    "dt %zu title ", k, th, y, k + 1, i % NDASHES + 1);
            gp_quote(c->f, title);
            if (bars)
                fprintf(clause(c), "$s%zu_%d using 1:2:3:4 with yerrorbars ls %zu notitle", k,
                        th, k + 1);
        }
}

/* Emits the clause marking failed or unverified points (datablock $bad), when there are any. */
static void write_bad_clause(struct clauses *c, const struct series_set *s)
{
    if (s->any_bad)
        fputs("$bad using 1:2 with points pt 6 ps 3 lw 2 lc rgb '#d00000' "
              "title 'failed or not verified'", clause(c));
}

/* Emits the table of the drawn series' failed or unverified points at (n, column y), when
 * there are any. */
static void write_bad_table(FILE *f, const struct figctx *x, const char *y)
{
    if (!x->s->any_bad)
        return;
    fprintf(f, "set table $bad\nplot csv using (" GP_COL(n) "):(%s) with table if (bad(0) "
               "&& %s > 0", y, y);
    if (x->decl && x->decl->nseries) {
        fputs(" && (0", f);
        for (size_t i = 0; i < x->decl->nseries; i++) {
            fputs(" || " GP_STR(strategy) " eq ", f);
            gp_quote(f, x->decl->series[i]);
        }
        fputs(")", f);
    }
    fputs(")\nunset table\n", f);
}

/* ---------------------------------------------------------------- the figures */

#define COL_MEDIAN GP_COL(wall_median_s)

/* Opens figure x's loop (write_loop_open) with the note under it and the axes every "vs n"
 * figure shares: title "NAME: WHAT vs n (OUTPUT output)" (or the declared one), log-log (or
 * the declared scales), n padded by 1.4 either side on a log axis, and ylabel. */
static void open_vs_n(FILE *f, const struct figctx *x, const char *what, const char *ylabel)
{
    const struct pb_figure_decl *d = x->decl;
    int xlog = !d || d->xlog, ylog = !d || d->ylog;
    write_loop_open(f, x->stem);
    write_notes(f, x, 0.1);
    if (d && d->title) {
        fputs("  set title ", f);
        gp_quote(f, d->title);
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
static void write_time(FILE *f, const struct figctx *x)
{
    const struct series_set *s = x->s;
    write_head(f, x);
    write_thread_tables(f, s, "(" GP_COL(n) "):(" COL_MEDIAN "):(" GP_COL(wall_ci95_lo_s) "):"
                              "(" GP_COL(wall_ci95_hi_s) ")", NULL);
    write_bad_table(f, x, COL_MEDIAN);
    fputs("# The guide passes through the geometric mean of the medians at the largest n timed.\n"
          "stats csv using (counted(0) && " COL_MEDIAN " > 0 ? " GP_COL(n) " : NaN) nooutput\n"
          "ng = STATS_max\n"
          "set table $g\nplot csv using (log(" COL_MEDIAN ")):(1) with table if (counted(0) && "
          GP_COL(n) " == ng && " COL_MEDIAN " > 0)\nunset table\n", f);
    write_switch(f);
    fputs("g = NaN\nif (|$g| > 0) { stats $g using 1 nooutput; g = exp(STATS_mean) / ng**2 }\n"
          "guide(x) = g * x**2\n"
          "guide_n(x) = g * ng * x\n\n", f);
    open_vs_n(f, x, "median wall time", "median wall time (s); bars: 95% CI of the median");
    struct clauses c = {.f = f};
    write_thread_clauses(&c, s, "$2", 1);
    write_bad_clause(&c, s);
    fputs("guide(x) with lines lc rgb '#888888' dt 3 lw 2 title 'guide: time ∝ n²'", clause(&c));
    fputs("guide_n(x) with lines lc rgb '#888888' dt 2 lw 2 title 'guide: time ∝ n'", clause(&c));
    clauses_end(&c);
    write_loop_close(f);
}

/* NAME_memory.gp: peak memory (PSS of the run's processes, MiB) vs n, log-log, with the size of
 * one n×n matrix when the output is a matrix. */
static void write_memory(FILE *f, const struct figctx *x)
{
    const struct series_set *s = x->s;
    write_head(f, x);
    write_thread_tables(f, s, "(" GP_COL(n) "):(" GP_COL(peak_rss_kib) " / 1024.0)", NULL);
    write_bad_table(f, x, GP_COL(peak_rss_kib) " / 1024.0");
    write_switch(f);
    open_vs_n(f, x, "peak memory", "peak memory of the run, PSS of all its processes (MiB)");
    struct clauses c = {.f = f};
    write_thread_clauses(&c, s, "$2", 0);
    write_bad_clause(&c, s);
    if (strcmp(s->output, "matrix") == 0) {
        int bytes = strcmp(pb_summary_get(x->t, 0, PB_SUM_precision), "float") == 0 ? 4 : 8;
        fprintf(clause(&c), "%d * x**2 / 1048576.0 with lines lc rgb '#888888' dt 3 lw 2 "
                "title 'one n×n matrix (%d n² bytes)'", bytes, bytes);
    }
    clauses_end(&c);
    write_loop_close(f);
}

/* NAME_throughput.gp: unique pairs per second vs n, with the limit lines when peak > 0. */
static void write_throughput(FILE *f, const struct figctx *x)
{
    const struct series_set *s = x->s;
    double peak = x->peak;
    write_head(f, x);
    write_thread_tables(f, s, "(" GP_COL(n) "):(" GP_COL(pairs_per_s) ")", NULL);
    write_bad_table(f, x, GP_COL(pairs_per_s));
    write_switch(f);
    if (peak > 0)
        fprintf(f, "peak = %.9g  # one thread's measured peak pairs/s, given by the harness\n\n",
                peak);
    open_vs_n(f, x, "throughput", "unique pairs i<j per second (pairs/s)");
    fputs("  set format y \"%.0s %c\"\n", f);
    struct clauses c = {.f = f};
    write_thread_clauses(&c, s, "$2", 0);
    write_bad_clause(&c, s);
    for (size_t i = 0; peak > 0 && i < s->nthreads; i++)
        fprintf(clause(&c), "peak * %d with lines lc rgb '#555555' dt %zu lw 1.5 title "
                "sprintf('measured limit, %d thread%s (%%.3g pairs/s)', peak * %d)",
                s->threads[i], i % NDASHES + 1, s->threads[i], s->threads[i] == 1 ? "" : "s",
                s->threads[i]);
    clauses_end(&c);
    write_loop_close(f);
}

/* Thread counts key k is drawn at in the figure. */
static size_t drawn_threads(const struct series_set *s, size_t k)
{
    size_t count = 0;
    for (size_t i = 0; i < s->nthreads; i++)
        count += s->has[k * s->nthreads + i];
    return count;
}

/* 1 when the speedup figure draws key k: drawn at all, and at several thread counts when some
 * key of the sweep has several. */
static int speedup_key(const struct series_set *s, size_t k)
{
    size_t count = drawn_threads(s, k);
    return count > 0 && !(s->multi && count < 2);
}

/* The speedup panel's and the efficiency panel's clauses: every key with several thread counts
 * (or every key when none has), at the largest n; column is 2 (speedup) or 3 (efficiency). */
static void write_speedup_clauses(FILE *f, const struct series_set *s, int column)
{
    char title[1200];                /* label < 64, params < 1024 bytes: never cut */
    struct clauses c = {.f = f};
    for (size_t k = 0; k < s->nkeys; k++) {
        if (!speedup_key(s, k))
            continue;
        series_title(title, sizeof title, s, k, 0);
        fprintf(clause(&c), "$s%zu_0 using 1:%d smooth unique with linespoints ls %zu title ", k,
                column, k + 1);
        gp_quote(f, title);
    }
    fprintf(clause(&c), "%s with lines lc rgb '#888888' dt 3 lw 2 title 'ideal'",
            column == 2 ? "x" : "1");
    clauses_end(&c);
}

/* NAME_speedup.gp: speedup and efficiency vs threads at the largest n, side by side, with the
 * ideal lines; the legend sits right of both panels. */
static void write_speedup(FILE *f, const struct figctx *x)
{
    const struct series_set *s = x->s;
    write_head(f, x);
    fputs("# The largest n with a speedup (a failed point has none).\n"
          "stats csv using (counted(0) && " GP_COL(speedup) " > 0 ? " GP_COL(n) " : NaN) "
          "nooutput\nns = STATS_max\n", f);
    for (size_t k = 0; k < s->nkeys; k++)
        if (speedup_key(s, k))
            write_table(f, s, k, 0, "(" GP_COL(threads) "):(" GP_COL(speedup) "):"
                                    "(" GP_COL(efficiency) ")", GP_COL(n) " == ns");
    write_switch(f);
    write_loop_open(f, "speedup");
    write_notes(f, x, 0);
    fputs("  set multiplot title sprintf('%s: speedup and efficiency vs threads at n = %d "
          "(the largest n timed), %s output', name, ns, '", f);
    fputs(s->output, f);
    fprintf(f, "')\n  set xrange [tmin - 0.5 : tmax + 0.5]\n  set xtics 1\n"
               "  if (tmax > 16) { set xtics autofreq }\n  set xlabel 'threads'\n"
               "  set tmargin at screen 0.88; set bmargin at screen %.3f\n"
               "  set lmargin at screen 0.08; set rmargin at screen 0.40\n  unset key\n"
               "  set yrange [0 : *]\n"
               "  set ylabel 'speedup over the same strategy at its fewest threads (x)'\n",
            0.12 + 0.028 * (double)note_lines(x));
    write_speedup_clauses(f, s, 2);
    fputs("  set lmargin at screen 0.48; set rmargin at screen 0.80\n"
          "  set yrange [0 : 1.2 < *]\n  set ylabel 'parallel efficiency (speedup / threads)'\n"
          "  set key at screen 0.82, 0.88 left top vertical Left reverse samplen 3 spacing 1.2 "
          "box lc rgb '#bbbbbb'\n", f);
    write_speedup_clauses(f, s, 3);
    fputs("  unset multiplot\n", f);
    write_loop_close(f);
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
static void write_rmax(FILE *f, const struct figctx *x)
{
    struct rkey *k = calloc(PB_MAX_RKEYS, sizeof *k);
    size_t nk = k ? collect_rkeys(x->t, x->s->nmax, k, PB_MAX_RKEYS) : 0;
    write_head(f, x);
    fputs("rmaxof(p) = (j = strstrt(p, \"rmax=\"), j > 0 ? p[j+5:] + 0.0 : NaN)\n"
          "base(p) = (j = strstrt(p, \"rmax=\"), j > 1 ? p[1:j-2] : \"\")\n"
          "sel(s, b, t) = " GP_STR(strategy) " eq s && base(" GP_STR(params) ") eq b && "
          GP_COL(threads) " == t && " GP_COL(n) " == nmax && counted(0)\n", f);
    for (size_t i = 0; i < nk; i++) {
        fprintf(f, "set table $r%zu\nplot csv using (rmaxof(" GP_STR(params) ")):(" COL_MEDIAN
                   ") with table if (sel(", i);
        gp_quote(f, k[i].strategy);
        fputs(", ", f);
        gp_quote(f, k[i].base);
        fprintf(f, ", %d) && " COL_MEDIAN " > 0)\nunset table\n", k[i].threads);
    }
    write_switch(f);
    write_loop_open(f, PB_FIGURE_RMAX);
    write_notes(f, x, 0.1);
    fprintf(f, "  set title sprintf('%%s: median wall time vs rmax at n = %%d', name, nmax)\n"
               "  set logscale xy\n  set xlabel 'rmax (the last bin edge)'\n"
               "  set ylabel 'median wall time (s)'\n");
    struct clauses c = {.f = f};
    for (size_t i = 0; i < nk; i++) {
        char title[512];
        snprintf(title, sizeof title, "%s%s%s%s, %d thread%s", k[i].strategy,
                 k[i].base[0] ? " [" : "", k[i].base, k[i].base[0] ? "]" : "", k[i].threads,
                 k[i].threads == 1 ? "" : "s");
        fprintf(clause(&c), "$r%zu using 1:2 smooth unique with linespoints lw 2 pt %d "
                            "dt %d title ", i, point_types[i % NPOINTS], k[i].threads > 1 ? 1 : 2);
        gp_quote(f, title);
    }
    clauses_end(&c);
    write_loop_close(f);
    free(k);
}

/* A figure with no point to draw: its title, the note naming every point left out, and an
 * empty frame saying so, so that the figure exists and tells why it is empty. */
static void write_empty(FILE *f, const struct figctx *x)
{
    write_head(f, x);
    write_switch(f);
    write_loop_open(f, x->stem);
    write_notes(f, x, 0.1);
    fprintf(f, "  set title sprintf('%%s: %s', name)\n", x->what);
    fputs("  unset border; unset tics; unset key; unset grid\n"
          "  set label 100 'nothing to draw: every point is left out (below)' at graph 0.5, 0.5 "
          "center\n  plot [0:1] [0:1] 2 notitle\n", f);
    write_loop_close(f);
}

/* ---------------------------------------------------------------- the table of figures */

/* One kind of figure: its stem, what it draws, from which column, and its writer. */
struct figure {
    const char *stem;                /* DIR/NAME_<stem>.gp; a declared figure's quantity */
    const char *what;                /* the script's first line, the title of an empty one */
    enum pb_sum_col col;             /* a point without a positive value here is left out */
    int focus;                       /* 1: drawn at one n (the largest with a value in col) */
    void (*write)(FILE *f, const struct figctx *x);
};

/* The built-in figures, in the order they are written, rendered and shown; the rmax one last,
 * drawn for an "rmax" sweep only. A declared figure draws as the entry of its quantity. */
static const struct figure figures[] = {
    {"time", "median wall time vs n, log-log, bars from the 95% CI", PB_SUM_wall_median_s, 0,
     write_time},
    {"memory", "peak memory of each run vs n, log-log", PB_SUM_peak_rss_kib, 0, write_memory},
    {"speedup", "speedup and efficiency vs threads at the largest n", PB_SUM_speedup, 1,
     write_speedup},
    {"throughput", "unique pairs per second vs n", PB_SUM_pairs_per_s, 0, write_throughput},
    {PB_FIGURE_RMAX, "median wall time vs rmax at the largest n, log-log",
     PB_SUM_wall_median_s, 1, write_rmax},
};
#define NFIGURES (sizeof figures / sizeof figures[0])

const char *const pb_figure_names[PB_FIGURE_COUNT] = {"time", "memory", "speedup", "throughput"};

/* The entry drawing quantity ("time", ...), or NULL. */
static const struct figure *figure_of(const char *quantity)
{
    for (size_t i = 0; i < NFIGURES; i++)
        if (strcmp(figures[i].stem, quantity) == 0)
            return &figures[i];
    return NULL;
}

/* See plots.h. */
size_t pb_plots_stems(const char *dir, const char *name, const struct pb_plot_opts *o,
                      const char **stems, size_t cap)
{
    size_t n = 0;
    char rmax[4096];
    snprintf(rmax, sizeof rmax, "%s/%s_%s.gp", dir, name, PB_FIGURE_RMAX);
    for (size_t i = 0; i < NFIGURES && n < cap; i++)
        if (strcmp(figures[i].stem, PB_FIGURE_RMAX) != 0 || access(rmax, F_OK) == 0)
            stems[n++] = figures[i].stem;
    for (size_t i = 0; o && i < o->nfigures && n < cap; i++)
        stems[n++] = o->figures[i].name;
    return n;
}

/* ---------------------------------------------------------------- writing and rendering */

/* Writes DIR/NAME_<x->stem>.gp with fig's writer (write_empty when nothing is drawn). Returns 0
 * or -errno with err filled. */
static int write_figure(const char *dir, const struct figure *fig, struct figctx *x,
                        struct pb_err *err)
{
    char path[4096];
    x->what = fig->what;
    x->focus_n = fig->focus ? largest_n_with(x->t, x->s, fig->col) : 0;
    mark_figure(x, fig->col);
    if (fig->write == write_rmax)
        x->drawn = collect_rkeys(x->t, x->s->nmax, (struct rkey[1]){0}, 1);
    if (snprintf(path, sizeof path, "%s/%s_%s.gp", dir, x->name, x->stem) >= (int)sizeof path)
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    FILE *f = pb_fcreate(path, 1);           /* never through a link planted in DIR */
    if (!f)
        return pb_fail(err, -errno, "%s: cannot write: %s", path, strerror(errno));
    (x->drawn ? fig->write : write_empty)(f, x);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return pb_fail(err, -EIO, "%s: write failed", path);
    return 0;
}

/* Writes DIR/NAME_rmax.gp when t comes from an "rmax" sweep, else removes a stale one. */
static int write_rmax_figure(const char *dir, struct figctx *x, struct pb_err *err)
{
    char path[4096];
    struct rkey one;
    snprintf(path, sizeof path, "%s/%s_%s.gp", dir, x->name, PB_FIGURE_RMAX);
    if (collect_rkeys(x->t, 0, &one, 1) == 0)
        return unlink(path) == 0 || errno == ENOENT ? 0
               : pb_fail(err, -errno, "%s: cannot remove: %s", path, strerror(errno));
    x->stem = PB_FIGURE_RMAX;
    return write_figure(dir, figure_of(PB_FIGURE_RMAX), x, err);
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

/* Writes every figure of the summary t (series s): the built-in ones, the rmax one or its
 * removal, then o's declared ones. Returns 0 or -errno with err filled. */
static int write_all(const char *dir, const char *name, const struct pb_table *t,
                     struct series_set *s, const struct pb_plot_opts *o, struct pb_err *err)
{
    struct figctx x = {.name = name, .t = t, .s = s, .peak = o ? o->peak_pairs_per_s : 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < PB_FIGURE_COUNT; i++) {
        x.stem = figures[i].stem;
        rc = write_figure(dir, &figures[i], &x, err);
    }
    if (rc == 0)
        rc = write_rmax_figure(dir, &x, err);
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
    struct series_set s = {0};
    rc = check_columns(&t, path, err);
    if (rc == 0) {
        rc = collect_series(&t, &s);
        if (rc == -EINVAL)
            pb_fail(err, rc, "%s: no counted rows (kind run, n > 0) to plot", path);
        else if (rc < 0)
            pb_fail(err, rc, "%s: out of memory", path);
    }
    if (rc == 0)
        rc = check_texts(name, &s, path, err);
    if (rc == 0)
        rc = write_all(dir, name, &t, &s, o, err);
    series_free(&s);
    pb_table_free(&t);
    return rc;
}

static int find_gnuplot(char *buf, size_t cap)
{
    const char *env = getenv("PB_GNUPLOT");
    if (env && *env) {
        snprintf(buf, cap, "%s", env);
        return access(buf, X_OK) == 0 ? 0 : -ENOENT;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, cap, "%.*s/gnuplot", (int)len, path);
        if (len > 0 && access(buf, X_OK) == 0)
            return 0;
        path += len + (path[len] == ':');
    }
    return -ENOENT;
}

/* Runs `gnuplot script`, its stdout discarded and its stderr's tail kept in msg. Returns the
 * exit status, 128+signal, or -errno when it could not be started. */
static int run_gnuplot(const char *gnuplot, const char *script, char *msg, size_t cap)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);    /* gnuplot dies with bench */
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        dup2(fds[1], 2);
        close(fds[0]);
        execl(gnuplot, "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    pb_read_tail(fds[0], msg, cap, pb_stop_requested);       /* SIGINT: stop reading */
    close(fds[0]);
    if (pb_stop_requested())
        kill(pid, SIGKILL);                  /* SIGINT: stop rendering at once */
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return pb_stop_requested() ? -EINTR : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
                                                         : WEXITSTATUS(st);
}

/* Checks DIR/NAME_stem.{png,svg,pdf} after gnuplot ran: each must exist and hold something.
 * An empty one is removed (a failed gnuplot leaves it so, and no empty figure stays behind).
 * Returns 0, or -EIO with why naming the first that is missing or empty. */
static int check_rendered(const char *dir, const char *name, const char *stem, char *why,
                          size_t cap)
{
    static const char *const ext[] = {"png", "svg", "pdf"};
    int rc = 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s_%s.%s", dir, name, stem, ext[i]);
        int missing = stat(path, &st) != 0;
        if (!missing && st.st_size > 0)
            continue;
        if (!missing)
            unlink(path);
        if (rc == 0)
            pb_fit(why, cap, "%s: %s by gnuplot", path, missing ? "not written" : "left empty");
        rc = -EIO;
    }
    return rc;
}

/* Renders DIR/NAME_stem.gp with gnuplot. Returns 0, -EINTR, or -errno with why naming the
 * script and gnuplot's last line of complaint. */
static int render_one(const char *gnuplot, const char *dir, const char *name, const char *stem,
                      char *why, size_t cap)
{
    char script[4096], tail[4096], line[512];
    if (snprintf(script, sizeof script, "%s/%s_%s.gp", dir, name, stem) >= (int)sizeof script)
        return -ENAMETOOLONG;
    int st = pb_stop_requested() ? -EINTR : run_gnuplot(gnuplot, script, tail, sizeof tail);
    if (st == -EINTR)
        return st;
    if (st < 0) {
        pb_fit(why, cap, "%s: cannot run gnuplot: %s", script, strerror(-st));
        return st;
    }
    if (st != 0) {
        pb_last_line(tail, strlen(tail), line, sizeof line);
        pb_fit(why, cap, "%s: gnuplot exited with %d: %s", script, st, line);
        check_rendered(dir, name, stem, tail, sizeof tail);   /* removes empty outputs */
        return -EIO;
    }
    return check_rendered(dir, name, stem, why, cap);
}

int pb_plots_render(const char *dir, const char *name, const struct pb_plot_opts *o,
                    struct pb_err *err)
{
    char gnuplot[4096], why[1024] = "", failed[512] = "";
    const char *stems[PB_FIGURE_COUNT + 1 + 16];
    size_t nfailed = 0, n = pb_plots_stems(dir, name, o, stems, sizeof stems / sizeof *stems);
    if (strlen(dir) + strlen(name) > 3900)
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    if (find_gnuplot(gnuplot, sizeof gnuplot) < 0)
        return pb_fail(err, -ENOENT, "gnuplot not found on PATH: figures not rendered");
    for (size_t i = 0; i < n; i++) {
        char one[1024];
        int rc = render_one(gnuplot, dir, name, stems[i], one, sizeof one);
        if (rc == -EINTR)
            return pb_fail(err, rc, "interrupted: figures not rendered");
        if (rc == 0)
            continue;
        if (nfailed++ == 0)
            memcpy(why, one, sizeof why);
        else
            pb_fit(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s_%s",
                   nfailed > 2 ? ", " : "", name, stems[i]);
    }
    if (nfailed > 1)
        return pb_fail(err, -EIO, "%s; %zu more figures not drawn: %s", why, nfailed - 1,
                       failed);
    return nfailed ? pb_fail(err, -EIO, "%s", why) : 0;
}
