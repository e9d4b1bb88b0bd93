/* gpscript.h — the text every gnuplot script of a result set shares, for the figure writers
 * of plots.c: the series a summary holds and their styles (one colour and point type per
 * strategy label, a dash pattern per thread count), gnuplot quoting, the head that finds the
 * CSV beside the script, the datablocks cut out of it, the notes naming points left out, and
 * the loop drawing a figure once per format. Output stage, used by plots.c only. */
#ifndef PAIRBENCH_GPSCRIPT_H
#define PAIRBENCH_GPSCRIPT_H

#include "config.h"
#include "error.h"
#include "summary.h"

#include <stddef.h>
#include <stdio.h>

/* Point types that stay distinct in the cairo and svg terminals: filled circle, square,
 * triangle, inverted triangle, diamond, pentagon, then the open ones. */
#define PB_GP_NPOINTS 12
extern const int pb_gp_point_types[PB_GP_NPOINTS];
#define PB_GP_NDASHES 5              /* gnuplot's built-in dash types 1..5, one per thread count */

/* One strategy label with its params: one colour and point type in every figure. */
struct pb_gp_key {
    const char *strategy;            /* label, a cell of the summary table */
    const char *params;              /* "k=v;k=v" or "" */
};

/* What the scripts need to know of a summary: its keys, thread counts and which pairs exist. */
struct pb_series_set {
    struct pb_gp_key *keys;               /* sorted by strategy, then params */
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

/* A script's reference to summary column PB_SUM_<name>: its number, its text. */
#define GP_COL(name) "column(\"" PB_SUM_TEXT(name) "\")"
#define GP_STR(name) "strcol(\"" PB_SUM_TEXT(name) "\")"

#define PB_GP_MAX_NOTES 3            /* lines naming points not drawn; the rest are counted */

/* Points of one series left out of a figure for one reason. */
struct pb_gp_note {
    size_t key;                      /* index in the series set's keys */
    int threads;
    char ns[160];                    /* "1000, 2000, 4000" */
    char reason[200];                /* the summary's flag ("skipped: estimated ...") */
};

/* One figure being written: the result set, the figure, what it draws and what it leaves out.
 * Only the series with a point to draw get a table and a line, so that no gnuplot command
 * meets an empty selection; the points left out are named under the figure. */
struct pb_figctx {
    const char *name;                /* the result name */
    const char *stem;                /* "time", or a declared figure's name */
    const char *what;                /* the script's first line: "median wall time vs n, ..." */
    const struct pb_table *t;
    struct pb_series_set *s;            /* has[] and any_bad marked for this figure */
    const struct pb_figure_decl *decl;  /* the declared figure, or NULL for a built-in one */
    double peak;                     /* one thread's peak pairs/s; <= 0: none */
    long focus_n;                    /* the one n drawn (speedup, rmax); 0: every n */
    struct pb_gp_note notes[PB_GP_MAX_NOTES];
    size_t nnotes, more;             /* notes kept; points left out beyond them */
    size_t drawn;                    /* series with a point to draw */
};

/* A plot command being written: clauses joined by ", \". */
struct pb_gp_clauses {
    FILE *f;
    int n;                           /* clauses written so far */
};

/* Releases s's arrays and zeroes it. */
void pb_gp_series_free(struct pb_series_set *s);

/* Fills s from the counted rows of summary t (cells stay owned by t). Returns 0, -EINVAL when
 * there is no counted row, or -ENOMEM. */
int pb_gp_collect_series(const struct pb_table *t, struct pb_series_set *s);

/* Writes s as a gnuplot single-quoted string: no escapes and no `command` or @macro
 * substitution inside; ' doubles. A line break cannot be written in one, so every text a
 * script quotes is checked first (pb_gp_check_texts). */
void pb_gp_quote(FILE *f, const char *s);

/* Refuses a result name or a strategy label or parameter string (from the summary at path)
 * that a script could not carry as it is: one with a control character (or, for the labels
 * and parameters a script selects rows by, a double quote). The name goes into
 * the scripts' comments and strings, the others into strings. Returns 0 or -EINVAL. */
int pb_gp_check_texts(const char *name, const struct pb_series_set *s, const char *path,
                      struct pb_err *err);

/* The legend text of key k, with the thread count when threads > 0 and the sweep has several. */
void pb_gp_series_title(char *buf, size_t cap, const struct pb_series_set *s, size_t k,
                        int threads);

/* Marks in x->s which series of the figure have a point to draw (a positive value in column
 * col, at x->focus_n when set) and whether one of those points failed or did not verify; the
 * other points of its series become notes, with the summary's flag as their reason. */
void pb_gp_mark_figure(struct pb_figctx *x, enum pb_sum_col col);

/* The largest n of a counted row with a positive value in column col, else the largest n. */
long pb_gp_largest_n_with(const struct pb_table *t, const struct pb_series_set *s,
                          enum pb_sum_col col);

/* The part every script shares: what it is, finding its folder, reading the CSV, the filters
 * and the style of each key. */
void pb_gp_head(FILE *f, const struct pb_figctx *x);

/* Emits one `set table` that cuts key k (and thread count threads, when > 0) out of the CSV
 * into datablock $s<k>_<threads>, with the columns of using; extra further filters rows. */
void pb_gp_table(FILE *f, const struct pb_series_set *s, size_t k, int threads, const char *using,
                 const char *extra);

/* Emits a table per (key, thread count) series the figure draws. */
void pb_gp_thread_tables(FILE *f, const struct pb_series_set *s, const char *using,
                         const char *extra);

/* Switches from reading the CSV to reading the datablocks (whitespace separated). */
void pb_gp_switch(FILE *f);

/* Lines of x's note under the figure. */
size_t pb_gp_note_lines(const struct pb_figctx *x);

/* Emits x's note under the figure, one line per series and reason left out (bottom up), and
 * the bottom margin above it: bottom is the margin without a note (screen fraction). */
void pb_gp_notes(FILE *f, const struct pb_figctx *x, double bottom);

/* Opens the loop that draws the figure once per format, with a legend outside the data. */
void pb_gp_loop_open(FILE *f, const char *fig);

/* Closes the loop pb_gp_loop_open opened. */
void pb_gp_loop_close(FILE *f);

/* Starts the next clause of c's plot command. */
FILE *pb_gp_clause(struct pb_gp_clauses *c);

/* Ends c's plot command. */
void pb_gp_clauses_end(struct pb_gp_clauses *c);

/* Emits a clause per (key, threads) series: a line through the points sorted by x of y (an
 * expression of the datablock's columns), and error bars from columns 3:4 when bars. */
void pb_gp_thread_clauses(struct pb_gp_clauses *c, const struct pb_series_set *s, const char *y,
                          int bars);

/* Emits the clause marking failed or unverified points (datablock $bad), when there are any. */
void pb_gp_bad_clause(struct pb_gp_clauses *c, const struct pb_series_set *s);

/* Emits the table of the drawn series' failed or unverified points at (n, column y), when
 * there are any. */
void pb_gp_bad_table(FILE *f, const struct pb_figctx *x, const char *y);

#endif
