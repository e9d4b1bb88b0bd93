/* sweep.c — drives one experiment from plan to report.
 *
 * Order of work: check the output folder and existing results (before anything is written),
 * write the environment, build the plan, then for each run: points for its n (made once per n,
 * a prefix of the largest), the reference that checks it (refset.h: naive, or an independent
 * strategy above verify.naive_max_n; made when a run first asks, once per n), the memory
 * guard (memory.h) and the time estimate's skip (estimate.h), the runner, and a CSV row
 * appended and fsync'ed at once. At the end: the closing table, then the summary CSV, the
 * gnuplot scripts and figures, and the HTML report by the sequence `bench plot` runs too
 * (pipeline.h). Nothing here prints.
 */
#include "sweep.h"

#include "envinfo.h"
#include "cpuload.h"
#include "estimate.h"
#include "fdio.h"
#include "pbclock.h"
#include "machine_limits.h"
#include "memory.h"
#include "pipeline.h"
#include "plots.h"
#include "points.h"
#include "problem.h"
#include "refset.h"
#include "runner.h"
#include "stats.h"
#include "stop.h"
#include "summary.h"
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the loop keeps for the current n. */
struct size_state {
    size_t n;                        /* points made for this n (0: none yet) */
    struct pb_points pts;
    struct pb_refset *refs;          /* naive or independent references for n (refset.h), one
                                        set per rmax of an "rmax" sweep (kept across n) */
    size_t nrefs;
};

/* The state of one sweep. */
struct sweep {
    const struct pb_experiment *e;
    const struct pb_sweep_opts *o;
    const struct pb_sweep_hooks *h;
    struct pb_sweep_result *r;
    double *edges;                   /* histogram edges, or NULL */
    double **rmax_edges;             /* "rmax" sweep: the edges scaled to each rmax, or NULL */
    struct size_state cur;
    FILE *csv;
    struct pb_row *done;             /* rows recorded before (resume) */
    size_t ndone;
    struct pb_limits limits;
    int have_limits;
    struct pb_run *runs;             /* the plan, built before anything is written */
    size_t nruns;
    int lock_fd;                     /* DIR/.NAME.lock, flock'ed for the sweep; -1 none */
    struct pb_file_id input;         /* the points file's identity (file input) */
    int have_input;
    struct pb_cpuload start_load;    /* others' use of the CPUs just before the first run */
    int made_csv, made_meta;         /* 1: this sweep created the CSV, NAME.json anew */
    size_t appended;                 /* rows this sweep appended to the CSV */
};

static const char *output_name(enum pb_output_kind k)
{
    return k == PB_OUTPUT_MATRIX ? "matrix" : "histogram";
}

/* See sweep.h. */
const char *pb_run_kind_word(enum pb_run_kind k)
{
    return k == PB_RUN_WARMUP ? PB_KIND_WARMUP : k == PB_RUN_OVERHEAD ? PB_KIND_OVERHEAD
                              : PB_KIND_RUN;
}

/* Checks that the runs' temporary folder (pb_runner_tmp_root) is a folder this process may
 * write, before anything is written: else every run would fail after the CSV was begun. */
static int check_tmpdir(struct pb_err *err)
{
    const char *t = pb_runner_tmp_root(), *var = t == getenv("TMPDIR") ? "TMPDIR=" : "";
    struct stat st;
    if (stat(t, &st) != 0)
        return pb_fail(err, -errno, "%s%s: the folder for the runs' temporary files: %s", var, t,
                       strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return pb_fail(err, -ENOTDIR, "%s%s: the folder for the runs' temporary files is not a "
                       "folder", var, t);
    if (access(t, W_OK | X_OK) != 0)
        return pb_fail(err, -errno, "%s%s: the folder for the runs' temporary files is not "
                       "writable: %s", var, t, strerror(errno));
    return 0;
}

/* Creates dir (one level) when missing and checks it is a writable folder. */
static int prepare_outdir(const char *dir, struct pb_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0)
        return pb_fail(err, -errno, "%s: cannot create output folder: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return pb_fail(err, -ENOTDIR, "%s: output path is not a folder", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return pb_fail(err, -EACCES, "%s: output folder is not writable", dir);
    return 0;
}

/* Loads the rows already in the CSV for resume, refusing rows of another config. */
static int load_done(struct sweep *s, struct pb_err *err)
{
    struct pb_err e;
    if (pb_csv_read(s->r->csv, &s->done, &s->ndone, &e) < 0)
        return pb_fail(err, -EINVAL, "--resume: %s", e.msg);
    for (size_t i = 0; i < s->ndone; i++)
        if (strcmp(s->done[i].config_hash, s->e->hash) != 0)
            return pb_fail(err, -EINVAL, "--resume: %s was written by another config (hash %s, "
                           "this config is %s); use --force to start over", s->r->csv,
                           s->done[i].config_hash, s->e->hash);
    return 0;
}

/* Opens the results CSV: appended to for --resume, else created new (--force: replacing the
 * old one), never through a symlink, close-on-exec so no run or command inherits it. */
static int open_csv(struct sweep *s, struct pb_err *err)
{
    int append = s->o->resume && access(s->r->csv, F_OK) == 0;
    int fd = append ? open(s->r->csv, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
                    : pb_create_file(s->r->csv, s->o->force);
    if (fd < 0 && !append)
        errno = -fd;
    s->made_csv = !append && fd >= 0;
    s->csv = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (!s->csv) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return pb_fail(err, -e, "%s: cannot write: %s", s->r->csv, pb_write_error(e));
    }
    int rc = append ? 0 : pb_csv_write_header(s->csv);
    if (rc < 0)
        return pb_fail(err, rc, "%s: cannot write the header: %s", s->r->csv,
                       pb_write_error(rc));
    return 0;
}

/* The row with the same key as keys recorded before (resume), or NULL. */
static const struct pb_row *already_done(const struct sweep *s, const struct pb_row *keys)
{
    for (size_t i = 0; i < s->ndone; i++) {
        const struct pb_row *d = &s->done[i];
        if (strcmp(d->strategy, keys->strategy) == 0 && strcmp(d->params, keys->params) == 0 &&
            d->n == keys->n && d->threads == keys->threads && d->ranks == keys->ranks &&
            d->repeat == keys->repeat && strcmp(d->kind, keys->kind) == 0)
            return d;
    }
    return NULL;
}

/* Fills the identifying columns of the row for run. */
static void row_keys(const struct sweep *s, const struct pb_run *run, struct pb_row *row)
{
    const struct pb_strategy_cfg *sc = &s->e->strategies[run->strategy];
    memset(row, 0, sizeof *row);
    snprintf(row->strategy, sizeof row->strategy, "%s", sc->label);
    snprintf(row->params, sizeof row->params, "%s", sc->params);
    snprintf(row->output, sizeof row->output, "%s", output_name(s->e->output));
    snprintf(row->kind, sizeof row->kind, "%s", pb_run_kind_word(run->kind));
    snprintf(row->precision, sizeof row->precision, "%s",
             s->e->precision == PB_PRECISION_FLOAT ? "float" : "double");
    snprintf(row->pin, sizeof row->pin, "%s", s->e->pin ? "cores" : "none");
    snprintf(row->config_hash, sizeof row->config_hash, "%s", s->e->hash);
    row->n = run->n;
    row->threads = run->threads;
    row->ranks = run->ranks;
    row->repeat = run->repeat;
    row->maxrss_kib = row->peak_rss_kib = row->cgroup_peak_kib = -1;
    row->rank_max_kib = row->rank_sum_kib = -1;
    row->build_s = NAN;
    row->dist_evals = -1;
    row->pairs_counted = -1;
    row->fraction_of_limit = -1;
    row->wall_s = row->user_s = row->sys_s = row->pairs_per_s = NAN;  /* empty until measured */
    row->other_cpu_s = row->steal_s = row->cpus_avail = NAN;
}

/* Drops the points and references of the previous n (the reference sets stay allocated). */
static void size_release(struct size_state *c)
{
    struct pb_refset *refs = c->refs;
    size_t nrefs = c->nrefs;
    if (c->n)
        pb_points_free(&c->pts);
    for (size_t i = 0; i < nrefs; i++)
        pb_refset_free(&refs[i]);
    memset(c, 0, sizeof *c);
    c->refs = refs;
    c->nrefs = nrefs;
}

/* Makes the points for n (once per n). Returns 0 or -errno with err filled. */
static int size_points(struct sweep *s, size_t n, struct pb_err *err)
{
    if (s->cur.n == n)
        return 0;
    size_release(&s->cur);
    int rc = pb_points_make(&s->e->input, n, &s->cur.pts, err);
    if (rc == 0 && s->e->precision == PB_PRECISION_FLOAT)
        rc = pb_points_make_float(&s->cur.pts);
    if (rc < 0) {
        pb_points_free(&s->cur.pts);
        return rc;
    }
    s->cur.n = n;
    return 0;
}

/* The reference that checks a run of st at the current n (refset.h), made on first use, into
 * *ref. Returns 0, or pb_refset_get's negative errno with *ref NULL and why filled. */
static int size_reference(struct sweep *s, const struct pb_problem *p,
                          const struct pb_strategy_cfg *sc, const struct pb_reference **ref,
                          char *why, size_t whysize)
{
    struct pb_problem dp = *p;
    dp.precision = PB_PRECISION_DOUBLE;
    return pb_refset_get(&s->cur.refs[sc->rmax_index], s->e, &dp, sc->strategy, ref, why,
                         whysize);
}

/* Fills row's CPU-load columns from m and flags the run when it shared its CPUs or had fewer
 * than its threads x ranks (cpuload.h). */
static void row_load(const struct pb_measure *m, struct pb_row *row)
{
    struct pb_cpuload l = { .other_cpu_s = m->other_cpu_s, .steal_s = m->steal_s,
                            .ncpu = m->load_cpus };
    row->other_cpu_s = m->other_cpu_s;
    row->steal_s = m->steal_s;
    row->cpus_avail = m->cpus_avail > 0 ? m->cpus_avail : NAN;
    pb_cpuload_flag(&l, m->wall_s, row->threads * row->ranks, m->cpus_avail, row->flag,
                    sizeof row->flag);
}

/* Fills the measured columns of row from m; ref checked it (NULL: none could, unref says
 * why). */
static void row_measured(const struct sweep *s, const struct pb_measure *m,
                         const struct pb_reference *ref, const char *unref, struct pb_row *row)
{
    int indep = ref && strcmp(ref->method, "naive") != 0;
    row->wall_s = m->wall_s;
    row->user_s = m->user_s;
    row->sys_s = m->sys_s;
    row->peak_rss_kib = m->peak_pss_kib;
    row->maxrss_kib = m->maxrss_kib;
    row->cgroup_peak_kib = m->cgroup_peak_kib;
    row->rank_max_kib = m->rank_max_kib;
    row->rank_sum_kib = m->rank_sum_kib;
    row->build_s = m->build_s;
    row->dist_evals = m->dist_evals > 0 && m->dist_evals <= (uint64_t)LONG_MAX
                          ? (long)m->dist_evals : -1;
    row->pairs_counted = s->e->output == PB_OUTPUT_HISTOGRAM && pb_status_ok(m->status) &&
                         m->pairs_counted <= (uint64_t)LONG_MAX ? (long)m->pairs_counted : -1;
    snprintf(row->status, sizeof row->status, "%s", m->status);
    row_load(m, row);
    if (m->verified == 1 || m->verified == 0)   /* "yes (kdtree)" when not checked by naive */
        snprintf(row->verified, sizeof row->verified, "%s%s%.20s%s",
                 m->verified ? PB_VERIFIED_YES : PB_VERIFIED_NO, indep ? " (" : "",
                 indep ? ref->method : "", indep ? ")" : "");
    int ok = pb_status_ok(m->status);
    if (ok && m->verified == 0 && m->verify_note[0])
        pb_fit(row->status, sizeof row->status, "ok; mismatch: %s", m->verify_note);
    if (ok && !ref && row->n > 0)
        pb_fit(row->status, sizeof row->status, "ok; not verified: %s", unref);
    if (ok && m->wall_s > 0)
        row->pairs_per_s = pb_pairs(row->n) / m->wall_s;
    if (ok && s->have_limits && row->n > 1)
        row->fraction_of_limit = pb_limits_fraction(&s->limits, s->e->output, row->n,
                                                    row->threads * row->ranks, m->wall_s,
                                                    s->e->precision, s->e->periodic > 0,
                                                    m->dist_evals);
}

/* Executes one run (or records why it was not started) into row. Returns 0, -EINTR when the
 * sweep was interrupted, or -errno when the runner could not work. */
static int execute(struct sweep *s, const struct pb_run *run, struct pb_row *row)
{
    const struct pb_strategy_cfg *sc = &s->e->strategies[run->strategy];
    struct pb_err e;
    char why[128];
    int reference_pending = s->cur.n != run->n;   /* made (or tried) at this n's first run */
    if (pb_memory_guard(s->e, run, reference_pending, why, sizeof why) < 0 ||
        pb_estimate_beyond_timeout(s->e, run, why, sizeof why)) {
        snprintf(row->status, sizeof row->status, "skipped: %s", why);
        return 0;                        /* decided before the points or reference exist */
    }
    if (run->n > 0 && size_points(s, run->n, &e) < 0) {
        pb_fit(row->status, sizeof row->status, "error: points: %s", e.msg);
        return 0;
    }
    struct pb_problem p;
    pb_problem_init(&p, s->e, run->n ? &s->cur.pts : NULL, run->n,
                    sc->rmax > 0 ? s->rmax_edges[sc->rmax_index] : s->edges);
    const struct pb_reference *ref = NULL;
    char unref[256] = "";
    int refrc = run->n > 0 ? size_reference(s, &p, sc, &ref, unref, sizeof unref) : 0;
    if (refrc < 0 && refrc != -ETIMEDOUT && pb_refset_pick(s->e, run->n, sc->strategy) == 0) {
        if (pb_stop_requested())
            return -EINTR;
        pb_fit(row->status, sizeof row->status, "error: reference: %s", unref);
        return 0;                        /* unverifiable: a failed row, never a quiet skip */
    }
    struct pb_params k = {.threads = run->threads, .ranks = run->ranks, .pin = s->e->pin,
                          .kv = sc->kv, .nkv = sc->nkv};
    struct pb_measure m;
    int rc = pb_runner_run(&p, sc, &k, ref, pb_estimate_timeout_s(s->e, run), &m);
    if (rc < 0)
        return rc;
    row_measured(s, &m, ref, unref, row);
    return 0;
}

/* Counts the row into the result totals. */
static void tally(struct pb_sweep_result *r, const struct pb_row *row)
{
    r->runs++;
    if (pb_status_skipped(row->status))
        r->skipped++;
    else if (strncmp(row->status, PB_STATUS_OK, strlen(PB_STATUS_OK)) != 0)
        r->failed++;
    else if (!pb_verified_ok(row->verified) && !pb_row_is(row, PB_KIND_OVERHEAD))
        r->unverified++;              /* empty work has no answer to verify */
}

/* Sum of estimated seconds of runs[from..n), for the ETA. */
static double remaining_estimate(const struct pb_experiment *e, const struct pb_run *runs,
                                 size_t from, size_t n)
{
    double t = 0;
    for (size_t i = from; i < n; i++)
        t += pb_estimate_seconds(e, &runs[i]);
    return t;
}

/* The loop over the plan. Rows recorded by an earlier session count in the totals, so the
 * exit status describes the whole result set. Returns 0, -EINTR or -errno with err filled. */
static int run_plan(struct sweep *s, struct pb_err *err)
{
    const struct pb_run *runs = s->runs;
    size_t nruns = s->nruns, todo = 0, resumed = 0, k = 0;
    struct pb_row row;
    for (size_t i = 0; i < nruns; i++) {
        row_keys(s, &runs[i], &row);
        already_done(s, &row) ? resumed++ : todo++;
    }
    if (s->h && s->h->begin)
        s->h->begin(s->h->ctx, todo, resumed);
    double t0 = pb_now_s(), est_total = remaining_estimate(s->e, runs, 0, nruns), est_done = 0;
    for (size_t i = 0; i < nruns; i++) {
        row_keys(s, &runs[i], &row);
        double est = pb_estimate_seconds(s->e, &runs[i]);
        const struct pb_row *done = already_done(s, &row);
        if (done) {
            tally(s->r, done);
            est_done += est;
            continue;
        }
        double elapsed = pb_now_s() - t0;
        double eta = est_done > 0 ? elapsed / est_done * (est_total - est_done) : est_total;
        if (s->h && s->h->run_start)
            s->h->run_start(s->h->ctx, ++k, todo, &row, eta);
        int rc = execute(s, &runs[i], &row);
        if (rc == -EINTR)
            return rc;
        if (rc < 0)
            return pb_fail(err, rc, "the runner failed: %s (a run's temporary folder goes in "
                           "%s)", strerror(-rc), pb_runner_tmp_root());
        if ((rc = pb_csv_append(s->csv, &row)) < 0)
            return pb_fail(err, rc, "%s: cannot append a row: %s; the file holds every row "
                           "before it, and --resume continues once there is room", s->r->csv,
                           pb_write_error(rc));
        s->appended++;
        tally(s->r, &row);
        est_done += est;
        if (s->h && s->h->run_end)
            s->h->run_end(s->h->ctx, k, todo, &row);
    }
    return 0;
}

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

/* Gives the closing table the summary's flags (written by the pipeline after the table was
 * built from the rows): a point flagged for its spread is not shown clean. */
static void closing_flags(struct sweep *s)
{
    struct pb_table t;
    struct pb_err err = {{0}};
    char path[4096];
    if (pb_summary_read(s->o->outdir, s->e->name, &t, path, sizeof path, &err) < 0)
        return;                          /* no summary: the rows' busy/capped flags stay */
    for (size_t i = 0; i < s->r->nbest; i++)
        best_flags_from_summary(&t, &s->r->best[i]);
    pb_table_free(&t);
}

/* Builds r->best from the whole CSV (this sweep's rows and resumed ones). */
static void closing_table(struct sweep *s, const struct pb_row *rows, size_t nrows)
{
    s->r->best = calloc(s->e->nsizes, sizeof *s->r->best);
    for (size_t i = 0; s->r->best && i < s->e->nsizes; i++)
        if (best_at(rows, nrows, s->e->sizes[i], &s->r->best[s->r->nbest]))
            s->r->nbest++;
}

/* The closing table from the CSV as written, then the summary, figures and report by the one
 * sequence `bench plot` runs too (pipeline.h). A figure that cannot be drawn is noted in r
 * (the sweep then fails, naming it); gnuplot missing is a note only. */
static int finish(struct sweep *s, struct pb_err *err)
{
    struct pb_row *rows = NULL;
    size_t nrows = 0;
    int rc = pb_csv_read(s->r->csv, &rows, &nrows, err);
    if (rc < 0)
        return rc;
    closing_table(s, rows, nrows);
    free(rows);
    struct pb_pipeline_opts po = {.render = s->o->render && !pb_stop_requested(),
                                  .fresh = 1, .warn = s->o->warn};
    struct pb_pipeline_result pr;
    rc = pb_pipeline_run(s->o->outdir, s->e->name, &po, &pr, err);
    if (rc == 0)
        closing_flags(s);
    if (pr.interrupted || (s->o->render && pb_stop_requested()))
        s->r->interrupted = 1;           /* SIGINT while rendering: stop there, exit 130 */
    s->r->rendered = pr.rendered;
    s->r->figures_failed = pr.scripts_failed || pr.figures_failed;
    if (s->o->render || s->r->figures_failed)
        snprintf(s->r->render_note, sizeof s->r->render_note, "%s", pr.note);
    return rc;
}

/* Adds the measured machine limits to the environment record. */
static void env_add_limits(struct pb_env *env, const struct pb_limits *l)
{
    pb_env_add_num(env, "limit_store_gbs_1thread", l->store_gbs);
    pb_env_add_num(env, "limit_store_gbs_all", l->store_gbs_all);
    pb_env_add_num(env, "limit_first_touch_gbs", l->first_touch_gbs);
    pb_env_add_num(env, "limit_first_touch_huge_gbs", l->first_touch_huge_gbs);
    pb_env_add_num(env, "limit_peak_pairs_per_s", l->peak_pairs_per_s);
    pb_env_add_num(env, "limit_d2_arith_pairs_per_s", l->arith_pairs_per_s);
    pb_env_add_num(env, "limit_bin_incr_per_s", l->bin_incr_per_s);
    pb_env_add_num(env, "limit_bound_pairs_per_s", l->bound_pairs_per_s);
    pb_env_add_num(env, "limit_vector_bits", l->vector_bits);
}

/* Samples what other processes use of the CPUs for PB_CPULOAD_SAMPLE_S before the first run
 * into s->start_load, and warns when it passes the busy threshold of a run as wide as the CPUs
 * counted (cpuload.h): every run would then share its CPUs. */
static void check_busy_start(struct sweep *s)
{
    struct pb_cpuload *l = &s->start_load;
    if (pb_cpuload_sample(PB_CPULOAD_SAMPLE_S, l) < 0 || !s->o->warn ||
        !pb_cpuload_busy(l, l->window_s, l->ncpu))
        return;
    fprintf(s->o->warn, "warning: the machine is busy: over %.2f s before the first run, other "
            "processes used %.2f of the %d CPUs this sweep may use (steal %.2f); runs that "
            "share their CPUs are flagged \"%s\" in %s\n", l->window_s,
            l->other_cpu_s / l->window_s, l->ncpu, l->steal_s / l->window_s, PB_FLAG_BUSY,
            s->r->csv);
}

/* Adds the sample before the first run (CPUs' worth of others' use and steal, and 1 in
 * "start_busy" when it passed the threshold) to the environment record, when it was taken. */
static void env_add_start_load(struct pb_env *env, const struct pb_cpuload *l)
{
    if (l->ncpu <= 0 || !isfinite(l->other_cpu_s) || !(l->window_s > 0))
        return;
    pb_env_add_num(env, "start_other_cpus", l->other_cpu_s / l->window_s);
    pb_env_add_num(env, "start_steal_cpus", l->steal_s / l->window_s);
    pb_env_add_num(env, "start_cpus_counted", l->ncpu);
    pb_env_add_num(env, "start_busy", pb_cpuload_busy(l, l->window_s, l->ncpu));
}

/* Writes NAME.json: environment, config, start time, the input's identity, and the limits
 * when measured; a resumed sweep keeps the first session's and appends its own. */
static int write_meta(struct sweep *s, struct pb_err *err)
{
    struct pb_env *env = malloc(sizeof *env);   /* 27 KB: not on the stack */
    char started[64];
    if (!env)
        return pb_fail(err, -ENOMEM, "cannot read the environment: out of memory");
    if (pb_env_collect(env) < 0) {
        free(env);
        return pb_fail(err, -EIO, "cannot read the environment");
    }
    if (s->have_limits)
        env_add_limits(env, &s->limits);
    env_add_start_load(env, &s->start_load);
    pb_env_now_utc(started, sizeof started);
    struct pb_env_meta m = {.config_text = s->e->text, .config_hash = s->e->hash,
                            .started = started,
                            .input_path = s->have_input ? s->e->input.path : NULL,
                            .input = s->have_input ? &s->input : NULL, .workload = s->e};
    s->made_meta = !(s->o->resume && access(s->r->meta, F_OK) == 0);
    int rc = pb_env_write_session(s->r->meta, env, &m, s->o->resume, err);
    free(env);
    return rc;
}

/* What the limits child sends back. */
struct limits_reply {
    int rc;
    struct pb_limits limits;
    struct pb_err err;
};

/* Measures the machine limits in a child process. The bandwidth passes start an OpenMP team,
 * and a process whose OpenMP runtime has threads cannot fork children that use OpenMP again
 * (they wait forever on the parent's team): the sweep's own process must never start one.
 * Returns 0 or -errno with err filled. */
static int measure_limits(struct pb_limits *l, struct pb_err *err)
{
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0)
        return pb_fail(err, -errno, "limits: pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return pb_fail(err, -errno, "limits: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        struct limits_reply r = {0};
        pb_die_with_parent(parent, SIGKILL);
        pb_close_fds_except(&fd[1], 1);
        r.rc = pb_limits_measure(&r.limits, &r.err);
        _exit(pb_write_all(fd[1], &r, sizeof r) == 0 ? 0 : 1);
    }
    close(fd[1]);
    struct limits_reply r;
    int rc = pb_runner_wait_readable(fd[0]);   /* SIGINT: stop measuring at once */
    if (rc < 0)
        kill(pid, SIGKILL);
    else
        rc = pb_read_all(fd[0], &r, sizeof r);
    close(fd[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    if (rc == -EINTR)
        return pb_fail(err, rc, "limits: interrupted");
    if (rc < 0)
        return pb_fail(err, -EIO, "limits: the measuring process ended without a result");
    if (r.rc < 0)
        return pb_fail(err, r.rc, "%s", r.err.msg);
    *l = r.limits;
    return 0;
}

/* Paths of the four outputs in r. Returns 0, or -ENAMETOOLONG with err set when one does not
 * fit (a cut path would name another file). */
static int set_paths(const struct pb_experiment *e, const char *dir, struct pb_sweep_result *r,
                     struct pb_err *err)
{
    snprintf(r->csv, sizeof r->csv, "%s/%s.csv", dir, e->name);
    snprintf(r->meta, sizeof r->meta, "%s/%s.json", dir, e->name);
    snprintf(r->report, sizeof r->report, "%s/%s.html", dir, e->name);
    if (snprintf(r->summary, sizeof r->summary, "%s/%s_summary.csv", dir, e->name) >=
        (int)sizeof r->summary)
        return pb_fail(err, -ENAMETOOLONG, "--out %.60s...: the folder and name come to more "
                       "than %zu bytes", dir, sizeof r->summary - 16);
    return 0;
}

/* For an "rmax" sweep: the edges of each rmax, output.bins scaled by rmax / bins.max. Returns 0 or
 * -errno with err. */
static int make_rmax_edges(struct sweep *s, struct pb_err *err)
{
    const struct pb_experiment *e = s->e;
    if (e->nrmax == 0)
        return 0;
    if (!(s->rmax_edges = calloc(e->nrmax, sizeof *s->rmax_edges)))
        return pb_fail(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < e->nstrategies && i < e->nrmax; i++) {
        const struct pb_strategy_cfg *sc = &e->strategies[i];   /* entries 0..nrmax-1: rmax i */
        struct pb_bin_spec b = e->bins;
        b.min *= sc->rmax / e->bins.max;
        b.max = sc->rmax;
        if (pb_edges_make(&b, &s->rmax_edges[sc->rmax_index]) < 0)
            return pb_fail(err, -EINVAL, "%s: rmax %g: cannot make %zu increasing edges from "
                           "%g to %g", e->path, sc->rmax, b.count, b.min, b.max);
    }
    return 0;
}

/* Reference sets: one per rmax of an "rmax" sweep, else one. */
static int make_refsets(struct sweep *s, struct pb_err *err)
{
    s->cur.nrefs = s->e->nrmax ? s->e->nrmax : 1;
    if (!(s->cur.refs = calloc(s->cur.nrefs, sizeof *s->cur.refs)))
        return pb_fail(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < s->cur.nrefs; i++)
        pb_refset_init(&s->cur.refs[i]);
    return 0;
}

/* Frees what make_rmax_edges and make_refsets made. */
static void free_per_rmax(struct sweep *s)
{
    for (size_t i = 0; s->rmax_edges && i < s->e->nrmax; i++)
        free(s->rmax_edges[i]);
    free(s->rmax_edges);
    free(s->cur.refs);
}

/* See sweep.h. The file stays: removing it would let two processes lock two different
 * files. */
int pb_sweep_lock(const char *dir, const char *name, int *fd_out, struct pb_err *err)
{
    char path[PATH_MAX], pid[32] = "";
    snprintf(path, sizeof path, "%s/.%s.lock", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return pb_fail(err, -errno, "%s: cannot make the lock file: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        ssize_t got = pread(fd, pid, sizeof pid - 1, 0);
        pid[got > 0 ? got : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(fd);
        if (e != EWOULDBLOCK)
            return pb_fail(err, -e, "%s: cannot lock: %s", path, strerror(e));
        return pb_fail(err, -EBUSY, "%s/%s: another sweep (or bench plot)%s%s is writing these "
                       "results now; wait until it ends or give another --out", dir, name,
                       pid[0] ? " (pid " : "", pid[0] ? strcat(pid, ")") : "");
    }
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) == 0)
        (void)!pwrite(fd, pid, (size_t)len, 0);
    *fd_out = fd;
    return 0;
}

/* Takes the output lock (pb_sweep_lock) for the whole sweep, so that a second sweep of the
 * same name into the same folder (a --force included) is refused while this one runs.
 * Returns 0 or -errno. */
static int lock_output(struct sweep *s, struct pb_err *err)
{
    return pb_sweep_lock(s->o->outdir, s->e->name, &s->lock_fd, err);
}

/* 1 when path starts with the results CSV header (the raw rows of some sweep). */
static int is_results_csv(const char *path)
{
    char head[64] = "";
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, head, sizeof head - 1) : -1;
    if (fd >= 0)
        close(fd);
    head[got > 0 ? got : 0] = '\0';
    return strncmp(head, PB_CSV_HEADER, strlen(head)) == 0 && got > 40;
}

/* Checks one file the sweep will write (suffix after DIR/NAME; temporary when tmp): a symlink
 * or anything but a regular file is refused always; an existing file is refused unless this
 * sweep continues (fresh = 0) or --force replaces it, and another sweep's results CSV is
 * refused unless --force. Returns 0 or -errno with err. */
static int check_output(const struct sweep *s, const char *suffix, int tmp, int fresh,
                        struct pb_err *err)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s%s", s->o->outdir, s->e->name, suffix);
    if (lstat(path, &st) != 0)
        return 0;
    if (S_ISLNK(st.st_mode))
        return pb_fail(err, -ELOOP, "%s is a symbolic link: bench writes results only into "
                       "files of its own, never through a link; remove it", path);
    if (!S_ISREG(st.st_mode))
        return pb_fail(err, -EEXIST, "%s exists and is not a regular file; remove it", path);
    if (pb_same_file(path, s->e->path) ||
        (s->e->input.kind == PB_INPUT_FILE && pb_same_file(path, s->e->input.path)))
        return pb_fail(err, -EEXIST, "%s is an input of this sweep (its config or points file) "
                       "and a sweep of \"%s\" would replace it: keep inputs outside --out or "
                       "rename them", path, s->e->name);
    if (tmp || s->o->force)
        return 0;
    if (fresh && strcmp(suffix, ".csv") == 0)
        return pb_fail(err, -EEXIST, "%s already exists: pass --resume to continue it or "
                       "--force to replace it", path);
    if (fresh || (strcmp(suffix, ".csv") != 0 && is_results_csv(path)))
        return pb_fail(err, -EEXIST, "%s already exists and a sweep of \"%s\" would replace it "
                       "(another result set's file?); move it away, give another --out, or "
                       "pass --force", path, s->e->name);
    return 0;
}

/* Every file the sweep writes, checked before the first byte is written. */
static int check_outputs(const struct sweep *s, struct pb_err *err)
{
    static const char *const files[] = {".csv", "_summary.csv", ".json", ".html"};
    static const char *const tmps[] = {"_summary.csv.tmp", ".html.tmp"};
    static const char *const figs[] = {".gp", ".png", ".svg", ".pdf"};
    int fresh = !(s->o->resume && access(s->r->csv, F_OK) == 0);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof files / sizeof *files; i++)
        rc = check_output(s, files[i], 0, fresh, err);
    for (size_t i = 0; rc == 0 && i < sizeof tmps / sizeof *tmps; i++)
        rc = check_output(s, tmps[i], 1, fresh, err);
    for (size_t f = 0; rc == 0 && f < (PB_FIGURE_COUNT + 1) * 4; f++) {   /* + the rmax one */
        char suffix[64];
        snprintf(suffix, sizeof suffix, "_%s%s",
                 f / 4 < PB_FIGURE_COUNT ? pb_figure_names[f / 4] : PB_FIGURE_RMAX, figs[f % 4]);
        rc = check_output(s, suffix, 0, fresh, err);
    }
    for (size_t f = 0; rc == 0 && f < s->e->nfigures * 4; f++) {   /* the declared figures */
        char suffix[128];
        snprintf(suffix, sizeof suffix, "_%s%s", s->e->figures[f / 4].name, figs[f % 4]);
        rc = check_output(s, suffix, 0, fresh, err);
    }
    return rc;
}

/* Records the points file's identity and, on --resume, refuses a file that changed since the
 * result set was begun (its rows would mix two data sets). Returns 0 or -errno with err. */
static int check_input(struct sweep *s, struct pb_err *err)
{
    const char *path = s->e->input.path;
    struct pb_file_id old;
    if (s->e->input.kind != PB_INPUT_FILE)
        return 0;
    int rc = pb_file_identify(path, &s->input);
    if (rc < 0)
        return pb_fail(err, rc, "%s: cannot read the points file: %s", path,
                       rc == -EINVAL ? "not a regular file" : strerror(-rc));
    s->have_input = 1;
    if (!s->o->resume || access(s->r->csv, F_OK) != 0 || access(s->r->meta, F_OK) != 0)
        return 0;
    if (pb_env_read_input(s->r->meta, &old) == 1 &&
        (old.size != s->input.size || strcmp(old.hash, s->input.hash) != 0))
        return pb_fail(err, -EINVAL, "--resume: the points file %s changed since %s was begun "
                       "(%lld bytes, hash %s; now %lld bytes, hash %s): its rows would mix two "
                       "data sets; restore the file or use --force to start over", path,
                       s->r->csv, old.size, old.hash, s->input.size, s->input.hash);
    return 0;
}

/* --resume: drops an incomplete last line (with a warning), then loads the rows. */
static int resume_rows(struct sweep *s, struct pb_err *err)
{
    long dropped = 0;
    if (!s->o->resume || access(s->r->csv, F_OK) != 0)
        return 0;
    int rc = pb_csv_trim_partial(s->r->csv, &dropped);
    if (rc < 0)
        return pb_fail(err, rc, "--resume: %s: %s", s->r->csv, strerror(-rc));
    if (rc > 0 && s->o->warn)
        fprintf(s->o->warn, "warning: %s: dropped an incomplete last line (%ld bytes) left by "
                "an interrupted write\n", s->r->csv, dropped);
    return load_done(s, err);
}

/* Everything that must hold before the first byte is written: a valid plan, the runs'
 * temporary folder, the output folder, the lock, every output file, the input, the rows to
 * resume. */
static int preflight(struct sweep *s, struct pb_err *err)
{
    int rc = pb_plan_build(s->e, &s->runs, &s->nruns);
    if (rc < 0)
        return pb_fail(err, rc, "%s: the plan (sizes x threads x ranks x strategies x runs per "
                       "point) is too large: more than 10^8 runs, or more than memory holds",
                       s->e->path);
    if (s->e->output == PB_OUTPUT_HISTOGRAM && pb_edges_make(&s->e->bins, &s->edges) < 0)
        return pb_fail(err, -EINVAL, "%s: output.bins: cannot make %zu increasing edges from "
                       "%g to %g", s->e->path, s->e->bins.count, s->e->bins.min, s->e->bins.max);
    if ((rc = make_rmax_edges(s, err)) < 0 || (rc = make_refsets(s, err)) < 0 ||
        (rc = check_tmpdir(err)) < 0)
        return rc;
    if ((rc = prepare_outdir(s->o->outdir, err)) < 0)
        return rc;
    if ((rc = set_paths(s->e, s->o->outdir, s->r, err)) < 0)
        return rc;
    if ((rc = lock_output(s, err)) < 0 || (rc = check_outputs(s, err)) < 0 ||
        (rc = check_input(s, err)) < 0 || (rc = resume_rows(s, err)) < 0)
        return rc;
    return open_csv(s, err);
}

/* After a failure before this sweep recorded any row: removes the CSV and NAME.json it created
 * anew (a header and an environment, no result), so that a plain rerun is not refused as if
 * results were there. Files it found, and any row, stay. The lock file stays (see
 * lock_output); it refuses nothing once released. */
static void drop_unstarted(const struct sweep *s)
{
    if (s->appended > 0)
        return;
    if (s->made_csv)
        unlink(s->r->csv);
    if (s->made_meta)
        unlink(s->r->meta);
}

int pb_sweep_run(const struct pb_experiment *e, const struct pb_sweep_opts *o,
                 const struct pb_sweep_hooks *h, struct pb_sweep_result *r, struct pb_err *err)
{
    struct sweep s = {.e = e, .o = o, .h = h, .r = r, .lock_fd = -1};
    memset(r, 0, sizeof *r);
    size_release(&s.cur);
    int rc = preflight(&s, err);
    if (rc < 0)
        goto out;
    int stale = pb_runner_clean_stale();
    if (stale > 0 && o->warn)
        fprintf(o->warn, "note: removed %d temporary files of killed sweeps\n", stale);
    check_busy_start(&s);
    if (e->limits) {
        s.have_limits = measure_limits(&s.limits, err) == 0;
        if (!s.have_limits && o->warn)
            fprintf(o->warn, "warning: machine limits not measured: %s\n", err->msg);
    }
    if ((rc = write_meta(&s, err)) < 0)
        goto out;
    rc = run_plan(&s, err);
    r->interrupted = rc == -EINTR;
    if (rc == -EINTR || rc == 0)
        rc = finish(&s, err);
out:
    size_release(&s.cur);
    free_per_rmax(&s);
    if (s.csv)
        fclose(s.csv);
    if (rc < 0 && rc != -EINTR)
        drop_unstarted(&s);
    if (s.lock_fd >= 0)
        close(s.lock_fd);                /* releases the lock */
    free(s.done);
    free(s.edges);
    free(s.runs);
    return rc;
}

void pb_sweep_result_free(struct pb_sweep_result *r)
{
    free(r->best);
    r->best = NULL;
    r->nbest = 0;
}
