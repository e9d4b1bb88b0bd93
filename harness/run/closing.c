/* closing.c — the closing table of a sweep (see closing.h). */
#include "closing.h"

#include "stats.h"
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Median wall time of the counted ok runs matching key (label, params, n, threads, ranks). */
static double median_of(const struct pb_row *rows, size_t nrows, const struct pb_row *key)
{
    double *v = malloc((nrows + 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; v && i < nrows; i++) {
        const struct pb_row *r = &rows[i];
        if (pb_row_is(r, PB_KIND_RUN) && pb_row_ok(r) && pb_row_cmp_key(r, key, 1) == 0)
            v[m++] = r->wall_s;
    }
    double med = m ? pb_median(v, m) : -1;   /* the median only: no bootstrap per row */
    free(v);
    return med;
}

/* The fastest configuration at n among rows, into b. Returns 1 when one was found. */
static int best_at(const struct pb_row *rows, size_t nrows, size_t n, struct pb_best *b)
{
    double best = -1, naive = -1;
    const struct pb_row *pick = NULL;
    for (size_t i = 0; i < nrows; i++) {
        const struct pb_row *r = &rows[i];
        if (r->n != n || !pb_row_is(r, PB_KIND_RUN) || !pb_row_ok(r))
            continue;
        double med = median_of(rows, nrows, r);
        if (strcmp(r->strategy, "naive") == 0)
            naive = med;
        if (best < 0 || med < best) {
            best = med;
            pick = r;
            b->peak_kib = r->peak_rss_kib;
            char label[1100];
            snprintf(b->label, sizeof b->label, "%s x%d", pb_row_label(r, label, sizeof label),
                     r->threads);
        }
    }
    b->n = n;
    b->median_s = best;
    b->speedup_vs_naive = naive > 0 && best > 0 ? naive / best : 0;
    if (pick) {
        snprintf(b->strategy, sizeof b->strategy, "%s", pick->strategy);
        snprintf(b->params, sizeof b->params, "%s", pick->params);
        b->threads = pick->threads, b->ranks = pick->ranks;
        pb_rows_point_flags(rows, nrows, pick, b->flags, sizeof b->flags);
    }
    return best > 0;
}

/* 1: summary row r of t is the point of b (strategy, params, threads, ranks at b's n). */
static int summary_is(const struct pb_table *t, size_t r, const struct pb_best *b)
{
    return strtoul(pb_summary_get(t, r, PB_SUM_n), NULL, 10) == b->n &&
           strcmp(pb_summary_get(t, r, PB_SUM_strategy), b->strategy) == 0 &&
           strcmp(pb_summary_get(t, r, PB_SUM_params), b->params) == 0 &&
           atoi(pb_summary_get(t, r, PB_SUM_threads)) == b->threads &&
           atoi(pb_summary_get(t, r, PB_SUM_ranks)) == b->ranks;
}

/* Rewrites b->flags from the summary t, whose flag column holds every reason a point's timing
 * is doubtful (spread and outliers as well as busy and capped): the picked point's flag, then
 * how many other measured points at n are flagged. Leaves b as it is when t lacks the point. */
static void best_flags_from_summary(const struct pb_table *t, struct pb_best *b)
{
    const char *own = NULL;
    size_t others = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!pb_summary_counted(t, r) ||
            strtoul(pb_summary_get(t, r, PB_SUM_n), NULL, 10) != b->n)
            continue;
        const char *flag = pb_summary_get(t, r, PB_SUM_flag);
        if (summary_is(t, r, b))
            own = flag;
        else
            others += *flag != '\0' && *pb_summary_get(t, r, PB_SUM_wall_median_s) != '\0';
    }
    if (!own)
        return;
    int len = snprintf(b->flags, sizeof b->flags, "%s", own);
    if (others && len >= 0 && (size_t)len < sizeof b->flags)
        snprintf(b->flags + len, sizeof b->flags - (size_t)len, "%s%zu other point%s flagged",
                 len ? "; " : "", others, others > 1 ? "s" : "");
}

/* See closing.h. */
void pb_closing_flags(const char *dir, const char *name, struct pb_best *best, size_t nbest)
{
    struct pb_table t;
    struct pb_err err = {{0}};
    char path[4096];
    if (pb_summary_read(dir, name, &t, path, sizeof path, &err) < 0)
        return;                          /* no summary: the rows' busy/capped flags stay */
    for (size_t i = 0; i < nbest; i++)
        best_flags_from_summary(&t, &best[i]);
    pb_table_free(&t);
}

/* See closing.h. */
size_t pb_closing_table(const struct pb_row *rows, size_t nrows, const size_t *sizes, size_t nsizes,
                        struct pb_best **best)
{
    size_t nbest = 0;
    *best = calloc(nsizes ? nsizes : 1, sizeof **best);
    for (size_t i = 0; *best && i < nsizes; i++)
        if (best_at(rows, nrows, sizes[i], &(*best)[nbest]))
            nbest++;
    return nbest;
}
