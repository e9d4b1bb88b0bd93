/* gpscript.c — the shared text of the gnuplot scripts (see gpscript.h).
 *
 * A script reads NAME_summary.csv by a path relative to itself: it cds to its own folder (from
 * ARG0) first. Each series is cut out of the CSV by gnuplot itself into a datablock
 * (`with table if (...)`), because lines drawn straight from a filtered CSV break at every row
 * the filter drops. Only the list of series and their styles is fixed at write time. */
#include "gpscript.h"

#include "results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Colour-blind-safe palette (Okabe–Ito, then Tableau), assigned by sorted label order. */
static const char *const palette[] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* Point types that stay distinct in the cairo and svg terminals: filled circle, square,
 * triangle, inverted triangle, diamond, pentagon, then the open ones. */
const int pb_gp_point_types[PB_GP_NPOINTS] = {7, 5, 9, 11, 13, 15, 6, 4, 8, 10, 12, 14};

/* ---------------------------------------------------------------- series of a summary */

static int cmp_key(const void *a, const void *b)
{
    const struct pb_gp_key *x = a, *y = b;
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
static size_t key_index(const struct pb_series_set *s, struct pb_gp_key x)
{
    struct pb_gp_key *k = bsearch(&x, s->keys, s->nkeys, sizeof x, cmp_key);
    return (size_t)(k - s->keys);
}

static size_t thread_index(const struct pb_series_set *s, int threads)
{
    int *k = bsearch(&threads, s->threads, s->nthreads, sizeof threads, cmp_int);
    return (size_t)(k - s->threads);
}

/* Marks which (key, threads) series exist and the set's flags, once keys and threads are
 * sorted. */
static void mark_series(const struct pb_table *t, struct pb_series_set *s)
{
    for (size_t r = 0; r < t->nrows; r++) {
        if (!pb_summary_counted(t, r))
            continue;
        struct pb_gp_key x = {pb_summary_get(t, r, PB_SUM_strategy),
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

void pb_gp_series_free(struct pb_series_set *s)
{
    free(s->keys);
    free(s->threads);
    free(s->has);
    memset(s, 0, sizeof *s);
}

/* Fills s from the counted rows of summary t (cells stay owned by t). Returns 0, -EINVAL when
 * there is no counted row, or -ENOMEM. */
int pb_gp_collect_series(const struct pb_table *t, struct pb_series_set *s)
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
        s->keys[s->nkeys++] = (struct pb_gp_key){pb_summary_get(t, r, PB_SUM_strategy),
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
 * script quotes is checked first (pb_gp_check_texts). */
void pb_gp_quote(FILE *f, const char *s)
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
int pb_gp_check_texts(const char *name, const struct pb_series_set *s, const char *path,
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
void pb_gp_series_title(char *buf, size_t cap, const struct pb_series_set *s, size_t k,
                        int threads)
{
    const struct pb_gp_key *x = &s->keys[k];
    int n = snprintf(buf, cap, "%s", x->strategy);
    if (s->dup_label && x->params[0] && n >= 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, " [%s]", x->params);
    if (threads > 0 && s->nthreads > 1 && n >= 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, ", %d thread%s", threads, threads == 1 ? "" : "s");
}

/* ---------------------------------------------------------------- what one figure draws */

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
static void add_note(struct pb_figctx *x, size_t k, int threads, const char *n, const char *reason)
{
    for (size_t i = 0; i < x->nnotes; i++) {
        struct pb_gp_note *o = &x->notes[i];
        if (o->key == k && o->threads == threads && strcmp(o->reason, reason) == 0) {
            size_t len = strlen(o->ns);
            pb_fit(o->ns + len, sizeof o->ns - len, ", %s", n);
            return;
        }
    }
    if (x->nnotes == PB_GP_MAX_NOTES) {
        x->more++;
        return;
    }
    struct pb_gp_note *o = &x->notes[x->nnotes++];
    *o = (struct pb_gp_note){.key = k, .threads = threads};
    pb_fit(o->ns, sizeof o->ns, "%s", n);
    pb_fit(o->reason, sizeof o->reason, "%s", reason);
}

/* Marks in x->s which series of the figure have a point to draw (a positive value in column
 * col, at x->focus_n when set) and whether one of those points failed or did not verify; the
 * other points of its series become notes, with the summary's flag as their reason. */
void pb_gp_mark_figure(struct pb_figctx *x, enum pb_sum_col col)
{
    struct pb_series_set *s = x->s;
    const struct pb_table *t = x->t;
    memset(s->has, 0, s->nkeys * s->nthreads);
    s->any_bad = 0;
    x->nnotes = x->more = x->drawn = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        struct pb_gp_key key = {pb_summary_get(t, r, PB_SUM_strategy),
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
long pb_gp_largest_n_with(const struct pb_table *t, const struct pb_series_set *s,
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
void pb_gp_head(FILE *f, const struct pb_figctx *x)
{
    const struct pb_table *t = x->t;
    const struct pb_series_set *s = x->s;
    const char *name = x->name, *fig = x->stem;
    fprintf(f, "# %s_%s.gp: %s.\n", name, fig, x->what);
    fprintf(f, "# Written by pairbench. It reads %s_summary.csv beside it, so it runs from any\n"
               "# folder (gnuplot path/to/%s_%s.gp) and leaves %s_%s.png, .svg and .pdf beside\n"
               "# itself. The series and their styles were fixed from the summary at writing.\n\n",
            name, name, fig, name, fig);
    fputs("here = ARG0\ni = strlen(here)\nwhile (i > 0 && here[i:i] ne \"/\") { i = i - 1 }\n"
          "if (i > 0) { cd here[1:i] }\n", f);
    fprintf(f, "name = ");
    pb_gp_quote(f, name);
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
                palette[k % NPALETTE], pb_gp_point_types[k % PB_GP_NPOINTS]);
    fputs("\n# n and thread ranges of the counted rows.\n"
          "stats csv using (counted(0) ? " GP_COL(n) " : NaN) nooutput\n"
          "nmin = STATS_min; nmax = STATS_max\n"
          "stats csv using (counted(0) ? " GP_COL(threads) " : NaN) nooutput\n"
          "tmin = STATS_min; tmax = STATS_max\n\n", f);
}

/* Emits one `set table` that cuts key k (and thread count threads, when > 0) out of the CSV
 * into datablock $s<k>_<threads>, with the columns of using; extra further filters rows. */
void pb_gp_table(FILE *f, const struct pb_series_set *s, size_t k, int threads, const char *using,
                 const char *extra)
{
    fprintf(f, "set table $s%zu_%d\nplot csv using %s with table if (", k, threads, using);
    fputs(threads > 0 ? "ist(" : "is(", f);
    pb_gp_quote(f, s->keys[k].strategy);
    fputs(", ", f);
    pb_gp_quote(f, s->keys[k].params);
    if (threads > 0)
        fprintf(f, ", %d", threads);
    fprintf(f, ")%s%s)\nunset table\n", extra ? " && " : "", extra ? extra : "");
}

/* Emits a table per (key, thread count) series the figure draws. */
void pb_gp_thread_tables(FILE *f, const struct pb_series_set *s, const char *using,
                         const char *extra)
{
    for (size_t k = 0; k < s->nkeys; k++)
        for (size_t i = 0; i < s->nthreads; i++)
            if (s->has[k * s->nthreads + i])
                pb_gp_table(f, s, k, s->threads[i], using, extra);
}

/* Switches from reading the CSV to reading the datablocks (whitespace separated). */
void pb_gp_switch(FILE *f)
{
    fputs("\nset datafile separator whitespace\nset datafile nocolumnheaders\n\n", f);
}

/* Lines of x's note under the figure. */
size_t pb_gp_note_lines(const struct pb_figctx *x)
{
    return x->nnotes + (x->more > 0);
}

/* Emits x's note under the figure, one line per series and reason left out (bottom up), and
 * the bottom margin above it: bottom is the margin without a note (screen fraction). */
void pb_gp_notes(FILE *f, const struct pb_figctx *x, double bottom)
{
    size_t lines = pb_gp_note_lines(x);
    char title[1200], text[1800];
    for (size_t i = 0; i < x->nnotes; i++) {
        const struct pb_gp_note *o = &x->notes[i];
        pb_gp_series_title(title, sizeof title, x->s, o->key, o->threads);
        pb_fit(text, sizeof text, "not drawn: %s at n = %s (%s)", title, o->ns, o->reason);
        fprintf(f, "  set label %zu ", 101 + i);
        pb_gp_quote(f, text);
        fprintf(f, " at screen 0.01, %.3f left font ',9' textcolor rgb '#a00000'\n",
                0.012 + 0.028 * (double)(lines - 1 - i));
    }
    if (x->more) {
        pb_fit(text, sizeof text, "and %zu more point%s not drawn: see the flag column of "
               "%s_summary.csv", x->more, x->more == 1 ? "" : "s", x->name);
        fprintf(f, "  set label %zu ", 101 + x->nnotes);
        pb_gp_quote(f, text);
        fputs(" at screen 0.01, 0.012 left font ',9' textcolor rgb '#a00000'\n", f);
    }
    if (lines)
        fprintf(f, "  set bmargin at screen %.3f\n", bottom + 0.028 * (double)lines);
}

/* Opens the loop that draws the figure once per format, with a legend outside the data. */
void pb_gp_loop_open(FILE *f, const char *fig)
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

void pb_gp_loop_close(FILE *f)
{
    fputs("  unset output\n}\n", f);
}

/* Starts the next clause of c's plot command. */
FILE *pb_gp_clause(struct pb_gp_clauses *c)
{
    fputs(c->n++ ? ", \\\n    " : "  plot \\\n    ", c->f);
    return c->f;
}

/* Ends c's plot command. */
void pb_gp_clauses_end(struct pb_gp_clauses *c)
{
    fputs("\n", c->f);
}

/* Emits a clause per (key, threads) series: a line through the points sorted by x of y (an
 * expression of the datablock's columns), and error bars from columns 3:4 when bars. */
void pb_gp_thread_clauses(struct pb_gp_clauses *c, const struct pb_series_set *s, const char *y,
                          int bars)
{
    char title[1200];                /* label < 64, params < 1024 bytes: never cut */
    for (size_t k = 0; k < s->nkeys; k++)
        for (size_t i = 0; i < s->nthreads; i++) {
            if (!s->has[k * s->nthreads + i])
                continue;
            int th = s->threads[i];
            pb_gp_series_title(title, sizeof title, s, k, th);
            fprintf(pb_gp_clause(c), "$s%zu_%d using 1:(%s) smooth unique with linespoints ls %zu "
                    "dt %zu title ", k, th, y, k + 1, i % PB_GP_NDASHES + 1);
            pb_gp_quote(c->f, title);
            if (bars)
                fprintf(pb_gp_clause(c), "$s%zu_%d using 1:2:3:4 with yerrorbars ls %zu notitle", k,
                        th, k + 1);
        }
}

/* Emits the clause marking failed or unverified points (datablock $bad), when there are any. */
void pb_gp_bad_clause(struct pb_gp_clauses *c, const struct pb_series_set *s)
{
    if (s->any_bad)
        fputs("$bad using 1:2 with points pt 6 ps 3 lw 2 lc rgb '#d00000' "
              "title 'failed or not verified'", pb_gp_clause(c));
}

/* Emits the table of the drawn series' failed or unverified points at (n, column y), when
 * there are any. */
void pb_gp_bad_table(FILE *f, const struct pb_figctx *x, const char *y)
{
    if (!x->s->any_bad)
        return;
    fprintf(f, "set table $bad\nplot csv using (" GP_COL(n) "):(%s) with table if (bad(0) "
               "&& %s > 0", y, y);
    if (x->decl && x->decl->nseries) {
        fputs(" && (0", f);
        for (size_t i = 0; i < x->decl->nseries; i++) {
            fputs(" || " GP_STR(strategy) " eq ", f);
            pb_gp_quote(f, x->decl->series[i]);
        }
        fputs(")", f);
    }
    fputs(")\nunset table\n", f);
}
