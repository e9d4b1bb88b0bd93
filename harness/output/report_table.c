/* report_table.c — the report's summary table and recommendation, and its HTML escaping (see
 * report_table.h). */
#include "report_table.h"

#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* See report_table.h. */
void pb_html_esc_n(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(s[i], f);
        }
    }
}

/* See report_table.h. */
void pb_html_esc(FILE *f, const char *s)
{
    pb_html_esc_n(f, s, strlen(s));
}

/* ---------------------------------------------------------------- the summary table */

/* The summary's columns a reader needs, in display order. */
static const struct column {
    enum pb_sum_col csv;             /* column of NAME_summary.csv */
    const char *head;                /* table heading, with unit */
} columns[] = {
    {PB_SUM_strategy, "strategy"}, {PB_SUM_params, "params"}, {PB_SUM_n, "n"},
    {PB_SUM_threads, "threads"}, {PB_SUM_runs, "runs"}, {PB_SUM_wall_median_s, "median (s)"},
    {PB_SUM_wall_ci95_lo_s, "95% CI low (s)"}, {PB_SUM_wall_ci95_hi_s, "95% CI high (s)"},
    {PB_SUM_wall_min_s, "min (s)"}, {PB_SUM_peak_rss_kib, "peak PSS (KiB)"},
    {PB_SUM_speedup, "speedup (x)"}, {PB_SUM_efficiency, "efficiency"},
    {PB_SUM_pairs_per_s, "pairs/s"}, {PB_SUM_fraction_of_limit, "fraction of limit"},
    {PB_SUM_build_median_s, "structure build (s, in the median)"},
    {PB_SUM_evals_per_pair, "distance evals / counted pair"},
    {PB_SUM_flag, "flag (spread, busy, capped)"},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])


/* Orders rows by n, then median (missing last), then threads. */
static int cmp_rowinfo(const void *a, const void *b)
{
    const struct pb_report_row *x = a, *y = b;
    if (x->n != y->n)
        return (x->n > y->n) - (x->n < y->n);
    int xm = x->median > 0, ym = y->median > 0;
    if (xm != ym)
        return ym - xm;
    if (xm && x->median != y->median)
        return (x->median > y->median) - (x->median < y->median);
    return (x->threads > y->threads) - (x->threads < y->threads);
}

/* 1 when the row measured cleanly: every run ok and verified, with a median. */
static int row_good(const struct pb_report_row *r)
{
    return r->counted && !r->failed && !r->unverified && r->median > 0;
}

/* See report_table.h. */
int pb_report_analyse(const struct pb_table *t, struct pb_report_row **out)
{
    struct pb_report_row *ri = calloc(t->nrows + 1, sizeof *ri);
    if (!ri)
        return -ENOMEM;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *med = pb_summary_get(t, r, PB_SUM_wall_median_s);
        int skipped = pb_summary_skipped(t, r);
        ri[r] = (struct pb_report_row){
            .row = r,
            .n = atol(pb_summary_get(t, r, PB_SUM_n)),
            .threads = atoi(pb_summary_get(t, r, PB_SUM_threads)),
            .median = *med ? strtod(med, NULL) : 0,
            .peak_kib = atof(pb_summary_get(t, r, PB_SUM_peak_rss_kib)),
            .counted = pb_summary_counted(t, r),
            .failed = pb_summary_failed(t, r),
            .skipped = skipped,
            .unverified = !skipped && pb_summary_counted(t, r) && pb_summary_unverified(t, r),
            .flagged = !skipped && *med && *pb_summary_get(t, r, PB_SUM_flag) != '\0',
        };
    }
    qsort(ri, t->nrows, sizeof *ri, cmp_rowinfo);
    for (size_t a = 0, b; a < t->nrows; a = b) {
        double best = 0;
        for (b = a; b < t->nrows && ri[b].n == ri[a].n; b++)
            if (row_good(&ri[b]) && (best == 0 || ri[b].median < best))
                best = ri[b].median;
        for (size_t i = a; i < b; i++)
            ri[i].best = row_good(&ri[i]) && ri[i].median == best;
    }
    *out = ri;
    return 0;
}

/* Writes the status cell of a row: best, failed, not verified, or verified. */
static void status_cell(FILE *f, const struct pb_table *t, const struct pb_report_row *r)
{
    const char *ver = pb_summary_get(t, r->row, PB_SUM_verified);
    fputs("<td class=\"status\">", f);
    if (r->failed) {
        fprintf(f, "<strong>FAILED</strong> (%d run%s not ok)", r->failed,
                r->failed == 1 ? "" : "s");
    } else if (r->skipped) {
        fputs("<strong>skipped</strong> (see flag)", f);
    } else if (r->unverified) {
        fputs(*ver ? "<strong>NOT VERIFIED</strong>" : "<strong>not checked</strong>", f);
    } else if (!r->counted) {
        fputs("fixed cost (no result to verify)", f);
    } else {
        size_t yes = strlen(PB_VERIFIED_YES);
        fputs("verified", f);
        if (strlen(ver) > yes)                /* " (kdtree)": the independent method */
            pb_html_esc_n(f, ver + yes, strlen(ver) - yes);
    }
    if (r->best && r->flagged)
        fputs(" <span class=\"star\">&#9733; fastest at this n, flagged: not measured "
              "cleanly</span>", f);
    else if (r->best)
        fputs(" <span class=\"star\">&#9733; best at this n</span>", f);
    fputs("</td>", f);
}

/* 1 when column c is shown: always, except the spatial strategies' columns (build time, work
 * efficiency), shown only when some row of t has a value. */
static int column_shown(const struct pb_table *t, size_t c)
{
    int optional = columns[c].csv == PB_SUM_build_median_s ||
                   columns[c].csv == PB_SUM_evals_per_pair;
    for (size_t r = 0; optional && r < t->nrows; r++)
        if (*pb_summary_get(t, r, columns[c].csv))
            return 1;
    return !optional;
}

/* Writes one <tr> of the summary table. */
static void table_row(FILE *f, const struct pb_table *t, const struct pb_report_row *r)
{
    const char *cls = r->best ? "best" : (r->failed || r->unverified) ? "bad" : "";
    if (*pb_summary_get(t, r->row, PB_SUM_flag) && !*cls)
        cls = "flagged";
    fprintf(f, "<tr class=\"%s\">", cls);
    status_cell(f, t, r);
    for (size_t c = 0; c < NCOLUMNS; c++) {
        if (!column_shown(t, c))
            continue;
        fputs(c == 0 ? "<th scope=\"row\">" : "<td>", f);
        pb_html_esc(f, pb_summary_get(t, r->row, columns[c].csv));
        fputs(c == 0 ? "</th>" : "</td>", f);
    }
    fputs("</tr>\n", f);
}

/* See report_table.h. */
void pb_report_table(FILE *f, const struct pb_table *t, const struct pb_report_row *ri, size_t n,
                     int want)
{
    fputs("<div class=\"scroll\"><table>\n<thead><tr><th>status</th>", f);
    for (size_t c = 0; c < NCOLUMNS; c++)
        if (column_shown(t, c))
            fprintf(f, "<th>%s</th>", columns[c].head);
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < n; i++)
        if (ri[i].counted == want)
            table_row(f, t, &ri[i]);
    fputs("</tbody></table></div>\n", f);
}

/* ---------------------------------------------------------------- the recommendation */

/* 1 when the row may be recommended: measured cleanly and not flagged. */
static int row_clean(const struct pb_report_row *r)
{
    return row_good(r) && !r->flagged;
}

/* Writes the point's label, HTML-escaped: strategy, (params) when any, x threads. */
static void write_label(FILE *f, const struct pb_table *t, const struct pb_report_row *r)
{
    const char *params = pb_summary_get(t, r->row, PB_SUM_params);
    pb_html_esc(f, pb_summary_get(t, r->row, PB_SUM_strategy));
    if (*params) {
        fputs(" (", f);
        pb_html_esc(f, params);
        fputc(')', f);
    }
    fprintf(f, " x%d", r->threads);
}

/* 1 when rows a and b are the same strategy with the same params. */
static int same_strategy(const struct pb_table *t, const struct pb_report_row *a,
                         const struct pb_report_row *b)
{
    return strcmp(pb_summary_get(t, a->row, PB_SUM_strategy),
                  pb_summary_get(t, b->row, PB_SUM_strategy)) == 0 &&
           strcmp(pb_summary_get(t, a->row, PB_SUM_params),
                  pb_summary_get(t, b->row, PB_SUM_params)) == 0;
}

/* The runner-up to win among the clean rows of g[0..n) (one n, sorted by median): the fastest
 * clean row of another strategy, else the next clean row; NULL when win is alone. */
static const struct pb_report_row *runner_up(const struct pb_table *t,
                                             const struct pb_report_row *g, size_t n,
                                             const struct pb_report_row *win)
{
    const struct pb_report_row *next = NULL;
    for (size_t i = 0; i < n; i++) {
        if (&g[i] == win || !row_clean(&g[i]))
            continue;
        if (!same_strategy(t, &g[i], win))
            return &g[i];
        if (!next)
            next = &g[i];
    }
    return next;
}

/* Writes the "why" cell: how much faster than next (NULL: none), the memory against it, the
 * winner's parallel efficiency, and how many faster points were left out for their flag. */
static void write_why(FILE *f, const struct pb_table *t, const struct pb_report_row *win,
                      const struct pb_report_row *next, size_t faster_flagged)
{
    const char *eff = pb_summary_get(t, win->row, PB_SUM_efficiency);
    if (!next) {
        fputs("the only point measured cleanly at this n", f);
    } else {
        double ratio = next->median / win->median;
        fprintf(f, "%.2f&times; faster than ", ratio);
        write_label(f, t, next);
        if (ratio < 1.05)
            fputs(" (within 5%: a near tie on time)", f);
        if (win->peak_kib > 0 && next->peak_kib > 0) {
            double pct = 100.0 * (1.0 - win->peak_kib / next->peak_kib);
            if (pct >= 0.5)
                fprintf(f, "; %.0f%% less memory", pct);
            else if (pct <= -0.5)
                fprintf(f, "; %.0f%% more memory", -pct);
            else
                fputs("; the same memory", f);
        }
    }
    if (win->threads > 1 && *eff) {
        fputs("; efficiency ", f);
        pb_html_esc(f, eff);
        fprintf(f, " on %d threads", win->threads);
    }
    if (faster_flagged)
        fprintf(f, "; %zu faster point%s flagged, not counted", faster_flagged,
                faster_flagged > 1 ? "s" : "");
}

/* Writes the row of n whose points are g[0..n) (sorted by median) when none may be
 * recommended: why not, and the fastest flagged point with its flag when one ran ok. */
static void write_no_pick(FILE *f, const struct pb_table *t, const struct pb_report_row *g,
                          size_t n)
{
    const struct pb_report_row *top = NULL;
    for (size_t i = 0; i < n && !top; i++)
        if (row_good(&g[i]))
            top = &g[i];
    fputs("<td colspan=\"5\" class=\"nopick\">no recommendation: ", f);
    if (!top) {
        fputs("no point at this n ran ok and verified</td>", f);
        return;
    }
    fputs("every point at this n that ran ok is flagged; rerun it on a quiet machine (fastest, "
          "not measured cleanly: ", f);
    write_label(f, t, top);
    fputs(", ", f);
    pb_html_esc(f, pb_summary_get(t, top->row, PB_SUM_wall_median_s));
    fputs(" s, flagged: ", f);
    pb_html_esc(f, pb_summary_get(t, top->row, PB_SUM_flag));
    fputs(")</td>", f);
}

/* Writes one row of the recommendation table for the points g[0..n) of one n. */
static void write_pick(FILE *f, const struct pb_table *t, const struct pb_report_row *g, size_t n)
{
    const struct pb_report_row *win = NULL;
    size_t faster_flagged = 0;
    for (size_t i = 0; i < n && !win; i++) {
        if (row_clean(&g[i]))
            win = &g[i];
        else
            faster_flagged += row_good(&g[i]);
    }
    fputs("<tr><td>", f);
    pb_html_esc(f, pb_summary_get(t, g->row, PB_SUM_n));
    fputs("</td>", f);
    if (!win) {
        write_no_pick(f, t, g, n);
        fputs("</tr>\n", f);
        return;
    }
    const struct pb_report_row *next = runner_up(t, g, n, win);
    fputs("<th scope=\"row\">", f);
    write_label(f, t, win);
    fputs("</th><td>", f);
    pb_html_esc(f, pb_summary_get(t, win->row, PB_SUM_wall_median_s));
    fputs("</td><td>", f);
    if (win->peak_kib > 0)
        fprintf(f, "%.1f", win->peak_kib / 1024.0);
    fputs("</td><td>", f);
    if (next) {
        write_label(f, t, next);
        fputs(", ", f);
        pb_html_esc(f, pb_summary_get(t, next->row, PB_SUM_wall_median_s));
        fputs(" s", f);
    }
    fputs("</td><td class=\"why\">", f);
    write_why(f, t, win, next, faster_flagged);
    fputs("</td></tr>\n", f);
}

/* See report_table.h. */
void pb_report_recommendation(FILE *f, const struct pb_table *t, const struct pb_report_row *ri,
                              size_t n)
{
    size_t a = 0;
    while (a < n && !ri[a].counted)
        a++;
    if (a == n)
        return;
    fputs("<h2 id=\"recommendation\">Recommendation</h2>\n<p>For this sweep&rsquo;s problem (",
          f);
    pb_html_esc(f, pb_summary_get(t, ri[a].row, PB_SUM_output));
    fputs(" output): the fastest point at each n whose runs all ended ok and verified and that "
          "carries no flag (spread, busy, capped, skipped); the next best is the fastest clean "
          "point of another strategy.</p>\n<div class=\"scroll\"><table class=\"pick\">\n"
          "<thead><tr><th>n</th><th>recommended</th><th>median (s)</th><th>peak (MiB)</th>"
          "<th>next best, median (s)</th><th>why</th></tr></thead>\n<tbody>\n", f);
    for (size_t b; a < n; a = b) {
        for (b = a; b < n && ri[b].n == ri[a].n; b++)
            ;
        if (ri[a].counted)
            write_pick(f, t, &ri[a], b - a);
    }
    fputs("</tbody></table></div>\n", f);
}
