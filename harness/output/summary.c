/* summary.c — NAME_summary.csv from the per-run rows (see summary.h for the columns). Rows are
 * grouped by (strategy, params, output, kind, ranks, precision, n, threads); warm-ups are left
 * out; runs whose status is not ok are counted in `failed` and kept out of every timing figure,
 * so one crash never drags a median. The file is written beside and renamed into place, so a
 * reader never sees half a summary. */
#include "summary.h"
#include "fdio.h"
#include "hash.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CV_LIMIT 0.05                /* spread above which a group is flagged */

/* One summary line being built. */
struct group {
    const struct pb_row *first;      /* carries the key */
    size_t runs, failed, skipped;    /* ok runs counted; runs neither ok nor skipped; runs
                                        skipped before they started */
    struct pb_stats wall;            /* over the ok runs */
    double peak_kib, maxrss_kib, cgroup_kib;  /* medians over ok runs that know them; NAN */
    double pairs_per_s;              /* median over ok runs */
    double fraction;                 /* largest fraction_of_limit; NAN: none measured */
    double build_s;                  /* median build_s over ok runs that report one; NAN */
    double evals_per_pair;           /* median dist_evals / pairs_counted over ok runs that
                                        report both; NAN */
    const char *verified;            /* "yes" | "yes (METHOD)" | "no" | "" */
    double speedup;                  /* NAN: not applicable */
    size_t busy;                     /* ok runs flagged busy (results.h PB_FLAG_BUSY) */
    size_t capped;                   /* ok runs flagged capped (PB_FLAG_CAPPED) */
    double capped_cpus;              /* fewest cpus_avail among them; NAN: none known */
    char flag[160];                  /* "" or the reasons */
};

static int cmp_rowptr(const void *p, const void *q)
{
    const struct pb_row *a = *(const struct pb_row *const *)p;
    const struct pb_row *b = *(const struct pb_row *const *)q;
    int c = pb_row_cmp_key(a, b, 1);
    return c ? c : (a > b) - (a < b);   /* file order within a group: a stable sort */
}

/* FNV-1a 64 of the group key "strategy|params|output|kind|precision|ranks|n|threads", so a
 * group's bootstrap does not depend on its neighbours; hashed piece by piece, whole at any
 * length. */
static uint64_t key_seed(const struct pb_row *r)
{
    char nums[96];
    uint64_t h = PB_FNV1A64_INIT;
    const char *text[] = { r->strategy, "|", r->params, "|", r->output, "|", r->kind, "|",
                           r->precision, "|" };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        h = pb_fnv1a64(h, text[i], strlen(text[i]));
    snprintf(nums, sizeof nums, "%d|%zu|%d", r->ranks, r->n, r->threads);
    return pb_fnv1a64(h, nums, strlen(nums));
}

/* Median of the non-negative values among the kib figures picked by get; NAN if none. */
static double median_known(const struct pb_row *const *r, size_t n, double *tmp,
                           long (*get)(const struct pb_row *))
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (get(r[i]) >= 0)
            tmp[k++] = (double)get(r[i]);
    return k ? pb_median(tmp, k) : NAN;
}

static long get_peak(const struct pb_row *r) { return r->peak_rss_kib; }
static long get_maxrss(const struct pb_row *r) { return r->maxrss_kib; }
static long get_cgroup(const struct pb_row *r) { return r->cgroup_peak_kib; }

/* When every run verified: their cell ("yes", or "yes (kdtree)" when all were checked by the
 * same independent method; plain "yes" when methods differ). "" when none was checked, "no"
 * otherwise. The result points into r or is a literal. */
static const char *verified_all(const struct pb_row *const *r, size_t n)
{
    size_t yes = 0, unchecked = 0, same = 0;
    for (size_t i = 0; i < n; i++) {
        yes += pb_verified_ok(r[i]->verified);
        unchecked += r[i]->verified[0] == '\0';
        same += strcmp(r[i]->verified, r[0]->verified) == 0;
    }
    if (yes == n)
        return same == n ? r[0]->verified : PB_VERIFIED_YES;
    return unchecked == n ? "" : PB_VERIFIED_NO;
}

/* Median of the finite values get gives for the n rows; NAN when none is. */
static double median_finite(const struct pb_row *const *r, size_t n, double *tmp,
                            double (*get)(const struct pb_row *))
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(get(r[i])))
            tmp[k++] = get(r[i]);
    return k ? pb_median(tmp, k) : NAN;
}

static double get_build(const struct pb_row *r) { return r->build_s; }

/* Distances evaluated per pair counted (work efficiency); NAN when either is unknown. */
static double get_evals_per_pair(const struct pb_row *r)
{
    return r->dist_evals > 0 && r->pairs_counted > 0
               ? (double)r->dist_evals / (double)r->pairs_counted : NAN;
}

/* Keeps in ok[] the rows that ran and were timed (status ok, finite wall). */
static size_t pick_ok(const struct pb_row *const *r, size_t n, const struct pb_row **ok)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (pb_row_timed(r[i]))
            ok[k++] = r[i];
    return k;
}

/* Counts into g the ok runs ok[0..k) that shared their CPUs (busy) and the fewest CPUs of
 * those that had fewer than their threads x ranks (capped). */
static void count_load_flags(const struct pb_row *const *ok, size_t k, struct group *g)
{
    for (size_t i = 0; i < k; i++) {
        g->busy += pb_row_flagged(ok[i], PB_FLAG_BUSY);
        if (!pb_row_flagged(ok[i], PB_FLAG_CAPPED))
            continue;
        g->capped++;
        if (!(ok[i]->cpus_avail >= g->capped_cpus))   /* NAN-safe minimum */
            g->capped_cpus = isfinite(ok[i]->cpus_avail) ? ok[i]->cpus_avail : g->capped_cpus;
    }
}

/* Appends to g->flag (len bytes used) the CPU-load reasons: "busy 2/3 runs" when runs shared
 * their CPUs with other processes, "capped: 2 CPUs for 4 threads" when the threads (x ranks)
 * outnumbered the CPUs the runs could use. */
static void set_load_flag(struct group *g, size_t len)
{
    const struct pb_row *r = g->first;
    if (g->busy && len < sizeof g->flag)
        len += (size_t)snprintf(g->flag + len, sizeof g->flag - len, "%s%s %zu/%zu runs",
                                len ? "; " : "", PB_FLAG_BUSY, g->busy, g->runs);
    if (g->capped && len < sizeof g->flag)
        snprintf(g->flag + len, sizeof g->flag - len, "%s%s: %g CPU%s for %d threads",
                 len ? "; " : "", PB_FLAG_CAPPED, g->capped_cpus,
                 g->capped_cpus == 1 ? "" : "s", r->threads * r->ranks);
}

/* Writes the reasons a group's timing is doubtful into g->flag; a group with no ok run says
 * why with the first of its runs' statuses: "skipped: estimated ..." when every run was
 * skipped, else "no ok runs: timeout: ...". */
static void set_flag(struct group *g, const struct pb_row *const *r, size_t n)
{
    size_t len = 0;
    g->flag[0] = '\0';
    if (g->runs == 0) {
        size_t i = 0;
        while (i + 1 < n && g->failed && pb_status_skipped(r[i]->status))
            i++;                         /* a failed run's reason before a skip's */
        pb_fit(g->flag, sizeof g->flag, "%s%s", g->failed ? "no ok runs: " : "",
               n ? r[i]->status : "");
        return;
    }
    if (g->wall.cv > CV_LIMIT)
        len = (size_t)snprintf(g->flag, sizeof g->flag, "cv %.1f%% > %.0f%%", 100 * g->wall.cv,
                               100 * CV_LIMIT);
    if (g->wall.outliers > 0)
        len += (size_t)snprintf(g->flag + len, sizeof g->flag - len, "%s%zu MAD outlier%s",
                                len ? "; " : "", g->wall.outliers,
                                g->wall.outliers > 1 ? "s" : "");
    set_load_flag(g, len);
}

/* Summarises the n rows r[0..n) of one group into g; tmp and ok hold n entries each. */
static void summarise(const struct pb_row *const *r, size_t n, double *tmp,
                      const struct pb_row **ok, struct group *g)
{
    size_t k = pick_ok(r, n, ok);
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++)
        skipped += pb_status_skipped(r[i]->status);
    *g = (struct group){ .first = r[0], .runs = k, .failed = n - k - skipped,
                         .skipped = skipped, .fraction = NAN, .capped_cpus = NAN, .speedup = NAN,
                         .verified = verified_all(r, n) };
    for (size_t i = 0; i < k; i++)
        tmp[i] = ok[i]->wall_s;
    pb_stats_compute(tmp, k, key_seed(r[0]), &g->wall);
    g->peak_kib = median_known(ok, k, tmp, get_peak);
    g->maxrss_kib = median_known(ok, k, tmp, get_maxrss);
    g->cgroup_kib = median_known(ok, k, tmp, get_cgroup);
    for (size_t i = 0; i < k; i++)
        tmp[i] = ok[i]->pairs_per_s;
    g->pairs_per_s = k ? pb_median(tmp, k) : NAN;
    g->build_s = median_finite(ok, k, tmp, get_build);
    g->evals_per_pair = median_finite(ok, k, tmp, get_evals_per_pair);
    for (size_t i = 0; i < n; i++)
        if (r[i]->fraction_of_limit >= 0 && !(r[i]->fraction_of_limit <= g->fraction))
            g->fraction = r[i]->fraction_of_limit;
    count_load_flags(ok, k, g);
    set_flag(g, r, n);
}

/* Sets speedup for every counted group: the median at the lowest thread count with ok runs of
 * the same key (groups arrive sorted, threads ascending) over this median. */
static void set_speedups(struct group *g, size_t ng)
{
    for (size_t i = 0, j; i < ng; i = j) {
        const struct group *base = NULL;
        for (j = i; j < ng && pb_row_cmp_key(g[j].first, g[i].first, 0) == 0; j++)
            if (!base && g[j].runs > 0)
                base = &g[j];
        for (size_t k = i; base && k < j; k++)
            if (g[k].runs > 0 && pb_row_is(g[k].first, PB_KIND_RUN))
                g[k].speedup = base->wall.median / g[k].wall.median;
    }
}

/* NAME_summary.csv's columns: name and number format (NULL: text), by enum pb_sum_col. */
static const struct scol {
    const char *name, *format;
} cols[PB_SUM_COUNT] = {
#define SCOL(name, format) { #name, format },
    PB_SUMMARY_COLUMNS(SCOL, SCOL)
#undef SCOL
};

/* Writes one summary line: each column's text or number by enum pb_sum_col, then the fields in
 * file order, numbers in their column's format. */
static void write_group(FILE *f, const struct group *g)
{
    const struct pb_row *r = g->first;
    const struct pb_stats *s = &g->wall;
    const char *text[PB_SUM_COUNT] = {
        [PB_SUM_strategy] = r->strategy, [PB_SUM_params] = r->params, [PB_SUM_output] = r->output,
        [PB_SUM_kind] = r->kind, [PB_SUM_precision] = r->precision, [PB_SUM_flag] = g->flag,
        [PB_SUM_verified] = g->verified,
    };
    const double num[PB_SUM_COUNT] = {
        [PB_SUM_n] = (double)r->n, [PB_SUM_threads] = r->threads, [PB_SUM_runs] = (double)g->runs,
        [PB_SUM_wall_min_s] = s->min, [PB_SUM_wall_median_s] = s->median,
        [PB_SUM_wall_mean_s] = s->mean, [PB_SUM_wall_stddev_s] = s->stddev,
        [PB_SUM_wall_ci95_lo_s] = s->ci_lo, [PB_SUM_wall_ci95_hi_s] = s->ci_hi,
        [PB_SUM_peak_rss_kib] = g->peak_kib, [PB_SUM_speedup] = g->speedup,
        [PB_SUM_efficiency] = g->speedup / r->threads, [PB_SUM_ranks] = r->ranks,
        [PB_SUM_cv] = s->cv, [PB_SUM_mad_outliers] = g->runs ? (double)s->outliers : 0,
        [PB_SUM_maxrss_kib] = g->maxrss_kib, [PB_SUM_cgroup_peak_kib] = g->cgroup_kib,
        [PB_SUM_pairs_per_s] = g->pairs_per_s, [PB_SUM_failed] = (double)g->failed,
        [PB_SUM_fraction_of_limit] = g->fraction, [PB_SUM_build_median_s] = g->build_s,
        [PB_SUM_evals_per_pair] = g->evals_per_pair,
    };
    char buf[32];
    for (size_t c = 0; c < PB_SUM_COUNT; c++) {
        buf[0] = '\0';
        if (cols[c].format && isfinite(num[c]))
            snprintf(buf, sizeof buf, cols[c].format, num[c]);
        pb_csv_put_field(f, cols[c].format ? buf : text[c]);
        putc(c + 1 < PB_SUM_COUNT ? ',' : '\n', f);
    }
}

/* One line on warn for a flagged group, with its counts as the sweep's tally counts them:
 * "(3 ok runs)", "(0 ok runs, 2 failed)", "(2 skipped)". */
static void warn_group(FILE *warn, const struct group *g)
{
    const struct pb_row *r = g->first;
    char counts[96] = "";
    int len = 0;
    if (g->runs || g->failed || !g->skipped)
        len = snprintf(counts, sizeof counts, "%zu ok run%s", g->runs, g->runs == 1 ? "" : "s");
    if (g->failed)
        len += snprintf(counts + len, sizeof counts - (size_t)len, ", %zu failed", g->failed);
    if (g->skipped)
        snprintf(counts + len, sizeof counts - (size_t)len, "%s%zu skipped", len ? ", " : "",
                 g->skipped);
    fprintf(warn, "warning: %s%s%s%s %s n=%zu threads=%d ranks=%d %s %s: %s (%s)\n",
            r->strategy, r->params[0] ? " (" : "", r->params, r->params[0] ? ")" : "",
            r->output, r->n, r->threads, r->ranks, r->precision, r->kind, g->flag, counts);
}

/* Groups the sorted rows and summarises each; *groups is malloc'd. Returns 0 or -ENOMEM. */
static int build_groups(const struct pb_row **sorted, size_t n, struct group **groups,
                        size_t *ng)
{
    double *tmp = malloc((n ? n : 1) * sizeof *tmp);
    const struct pb_row **ok = malloc((n ? n : 1) * sizeof *ok);
    *groups = malloc((n ? n : 1) * sizeof **groups);
    *ng = 0;
    if (!tmp || !ok || !*groups) {
        free(tmp);
        free(ok);
        free(*groups);
        *groups = NULL;
        return -ENOMEM;
    }
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && pb_row_cmp_key(sorted[j], sorted[i], 1) == 0; j++)
            ;
        summarise(sorted + i, j - i, tmp, ok, &(*groups)[(*ng)++]);
    }
    free(tmp);
    free(ok);
    set_speedups(*groups, *ng);
    return 0;
}

/* Warning lines printed in full; the rest are counted (every one is in the flag column). */
#define MAX_WARNINGS 8

/* Writes the header and every group to path via path.tmp, renamed into place. */
static int write_file(const char *path, const struct group *g, size_t ng, FILE *warn,
                      struct pb_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = pb_fcreate(tmp, 1);            /* never through a link planted in DIR */
    if (!f)
        return pb_fail(err, -errno, "%s: %s", tmp, strerror(errno));
    fputs(PB_SUMMARY_HEADER "\n", f);
    size_t flagged = 0;
    for (size_t i = 0; i < ng; i++) {
        write_group(f, &g[i]);
        if (warn && g[i].flag[0] && flagged++ < MAX_WARNINGS)
            warn_group(warn, &g[i]);
    }
    if (warn && flagged > MAX_WARNINGS)
        fprintf(warn, "warning: %zu more flagged points: see the flag column of %s\n",
                flagged - MAX_WARNINGS, path);
    errno = 0;
    int bad = ferror(f) || fflush(f) != 0 ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !bad)
        bad = errno;
    if (bad) {
        remove(tmp);
        return pb_fail(err, -bad, "%s: cannot write: %s", tmp, pb_write_error(bad));
    }
    if (rename(tmp, path) != 0)
        return pb_fail(err, -errno, "%s: %s", path, strerror(errno));
    return 0;
}

/* Refuses a row whose label begins as a spreadsheet formula does ('=', '+', '-', '@'): bench
 * never writes one (the config refuses such labels), so it comes from an edited CSV, and the
 * summary would carry it into its first column. Returns 0 or -EINVAL naming the row. */
static int check_labels(const struct pb_row *rows, size_t nrows, const char *path,
                        struct pb_err *err)
{
    for (size_t i = 0; i < nrows; i++)
        if (rows[i].strategy[0] && strchr("=+-@", rows[i].strategy[0]))
            return pb_fail(err, -EINVAL, "%s: run %zu: strategy \"%.40s\" begins with '%c', "
                           "which a spreadsheet reads as a formula: not a label bench writes",
                           path, i + 1, rows[i].strategy, rows[i].strategy[0]);
    return 0;
}

int pb_summary_write(const struct pb_row *rows, size_t nrows, const char *path, FILE *warn,
                     struct pb_err *err)
{
    int bad = check_labels(rows, nrows, path, err);
    if (bad)
        return bad;
    const struct pb_row **sorted = malloc((nrows ? nrows : 1) * sizeof *sorted);
    struct group *groups = NULL;
    size_t n = 0, ng = 0;
    int rc = sorted ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < nrows; i++)
        if (!pb_row_is(&rows[i], PB_KIND_WARMUP))
            sorted[n++] = &rows[i];
    if (rc == 0) {
        qsort(sorted, n, sizeof *sorted, cmp_rowptr);
        rc = build_groups(sorted, n, &groups, &ng);
    }
    if (rc == 0)
        rc = write_file(path, groups, ng, warn, err);
    else
        pb_fail(err, rc, "%s: out of memory", path);
    free(groups);
    free(sorted);
    return rc;
}

/* ---------------------------------------------------------------- reading the summary */

const char *pb_summary_name(enum pb_sum_col c)
{
    return cols[c].name;
}

int pb_summary_read(const char *dir, const char *name, struct pb_table *t, char *path,
                    size_t cap, struct pb_err *err)
{
    memset(t, 0, sizeof *t);
    if (strlen(dir) + strlen(name) + 32 > cap)   /* room for every file's suffix */
        return pb_fail(err, -ENAMETOOLONG, "%.60s...: the folder and name are too long", dir);
    snprintf(path, cap, "%s/%s_summary.csv", dir, name);
    return pb_table_read(path, t, err);
}

int pb_summary_col(const struct pb_table *t, enum pb_sum_col c)
{
    return pb_table_col(t, cols[c].name);
}

const char *pb_summary_get(const struct pb_table *t, size_t row, enum pb_sum_col c)
{
    return pb_table_get(t, row, pb_summary_col(t, c));
}

int pb_summary_counted(const struct pb_table *t, size_t r)
{
    return strcmp(pb_summary_get(t, r, PB_SUM_kind), PB_KIND_OVERHEAD) != 0
        && atol(pb_summary_get(t, r, PB_SUM_n)) > 0;
}

int pb_summary_failed(const struct pb_table *t, size_t r)
{
    return atoi(pb_summary_get(t, r, PB_SUM_failed));
}

int pb_summary_skipped(const struct pb_table *t, size_t r)
{
    return atoi(pb_summary_get(t, r, PB_SUM_runs)) == 0 && pb_summary_failed(t, r) == 0
        && pb_status_skipped(pb_summary_get(t, r, PB_SUM_flag));
}

int pb_summary_unverified(const struct pb_table *t, size_t r)
{
    return pb_summary_col(t, PB_SUM_verified) >= 0
        && !pb_verified_ok(pb_summary_get(t, r, PB_SUM_verified));
}
