/* report_table.h — for report.c: the summary's rows as the report sees them (sorted by n,
 * then median; the best per n marked), the summary table of the page and its recommendation
 * (the fastest clean point per n, and why), and the HTML escaping every section uses. */
#ifndef PAIRBENCH_REPORT_TABLE_H
#define PAIRBENCH_REPORT_TABLE_H

#include "summary.h"

#include <stddef.h>
#include <stdio.h>

/* Writes len bytes of s HTML-escaped (text and attribute safe). */
void pb_html_esc_n(FILE *f, const char *s, size_t len);

/* pb_html_esc_n of the whole string s. */
void pb_html_esc(FILE *f, const char *s);

/* What the report knows of one summary row. */
struct pb_report_row {
    size_t row;                      /* index in the summary table */
    long n;
    int threads;
    double median;                   /* wall_median_s; <= 0 or NaN when none */
    double peak_kib;                 /* peak_rss_kib; <= 0 when none */
    int counted;                     /* 1: kind run (not overhead), n > 0 */
    int failed;                      /* runs that started and did not end ok */
    int skipped;                     /* 1: no run started (the flag says why) */
    int unverified;                  /* 1: verified is not "yes" (and the point not skipped) */
    int best;                        /* 1: lowest median of the good rows at this n */
    int flagged;                     /* 1: the summary flags it (spread, busy, capped) */
};

/* Reads summary t into a malloc'd, sorted array of row facts (*out, t->nrows long; the caller
 * frees it) and marks the best row per n. Returns 0 or -ENOMEM. */
int pb_report_analyse(const struct pb_table *t, struct pb_report_row **out);

/* Writes the rows of ri[0..n) for which counted == want as one table. */
void pb_report_table(FILE *f, const struct pb_table *t, const struct pb_report_row *ri, size_t n,
                     int want);

/* Writes the recommendation: per n of the counted points (ri[0..n), sorted by n then median),
 * the fastest point that ran ok, verified and carries no flag, and why it wins; an n whose
 * points are all flagged or bad gets no recommendation, and says so. */
void pb_report_recommendation(FILE *f, const struct pb_table *t, const struct pb_report_row *ri,
                              size_t n);

#endif
