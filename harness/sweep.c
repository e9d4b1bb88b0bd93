/* sweep.c — drives one experiment from plan to report.
 *
 * Order of work: check the output folder and existing results (before anything is written),
 * write the environment, build the plan, then for each run: points for its n (made once per n,
 * a prefix of the largest), the naive reference for (n, output) (made once per n), the memory
 * guard, the runner, and a CSV row appended and fsync'ed at once. At the end: the summary CSV,
 * the gnuplot scripts and figures, and the HTML report. Nothing here prints.
 */
#include "sweep.h"

#include "envinfo.h"
#include "fdio.h"
#include "machine_limits.h"
#include "plots.h"
#include "points.h"
#include "problem.h"
#include "refset.h"
#include "report.h"
#include "runner.h"
#include "stats.h"
#include "summary.h"
#include "verify.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
};

static const char *output_name(enum pb_output_kind k)
{
    return k == PB_OUTPUT_MATRIX ? "matrix" : "histogram";
}

static const char *kind_name(enum pb_run_kind k)
{
    return k == PB_RUN_WARMUP ? "warmup" : k == PB_RUN_OVERHEAD ? "overhead" : "run";
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

/* Decides what happens to an existing results file: refuse, resume from it, or replace it. */
static int open_csv(struct sweep *s, struct pb_err *err)
{
    int exists = access(s->r->csv, F_OK) == 0;
    if (exists && !s->o->resume && !s->o->force)
        return pb_fail(err, -EEXIST, "%s already exists: pass --resume to continue it or --force "
                       "to replace it", s->r->csv);
    if (exists && s->o->resume) {
        int rc = load_done(s, err);
        if (rc < 0)
            return rc;
    }
    int append = exists && s->o->resume;
    s->csv = fopen(s->r->csv, append ? "a" : "w");
    if (!s->csv)
        return pb_fail(err, -errno, "%s: %s", s->r->csv, strerror(errno));
    if (!append && pb_csv_write_header(s->csv) < 0)
        return pb_fail(err, -EIO, "%s: cannot write the header", s->r->csv);
    return 0;
}

/* True when a row with the same key as keys was recorded before (resume). */
static int already_done(const struct sweep *s, const struct pb_row *keys)
{
    for (size_t i = 0; i < s->ndone; i++) {
        const struct pb_row *d = &s->done[i];
        if (strcmp(d->strategy, keys->strategy) == 0 && strcmp(d->params, keys->params) == 0 &&
            d->n == keys->n && d->threads == keys->threads && d->ranks == keys->ranks &&
            d->repeat == keys->repeat && strcmp(d->kind, keys->kind) == 0)
            return 1;
    }
    return 0;
}

/* Fills the identifying columns of the row for run. */
static void row_keys(const struct sweep *s, const struct pb_run *run, struct pb_row *row)
{
    const struct pb_strategy_cfg *sc = &s->e->strategies[run->strategy];
    memset(row, 0, sizeof *row);
    snprintf(row->strategy, sizeof row->strategy, "%s", sc->label);
    snprintf(row->params, sizeof row->params, "%s", sc->params);
    snprintf(row->output, sizeof row->output, "%s", output_name(s->e->output));
    snprintf(row->kind, sizeof row->kind, "%s", kind_name(run->kind));
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

/* The reference that checks a run of st at the current n (refset.h), made on first use; NULL
 * with why when there is none. */
static const struct pb_reference *size_reference(struct sweep *s, const struct pb_problem *p,
                                                 const struct pb_strategy_cfg *sc, char *why,
                                                 size_t whysize)
{
    const struct pb_reference *ref;
    struct pb_problem dp = *p;
    dp.precision = PB_PRECISION_DOUBLE;
    pb_refset_get(&s->cur.refs[sc->rmax_index], s->e, &dp, sc->strategy, &ref, why, whysize);
    return ref;
}

double pb_sweep_estimate_bytes(const struct pb_experiment *e, const struct pb_run *run)
{
    double elem = e->precision == PB_PRECISION_FLOAT ? 4.0 : 8.0;
    double n = (double)run->n;
    double out = e->output == PB_OUTPUT_MATRIX ? n * n * elem : (double)e->bins.count * 8.0;
    double input = n * (24.0 + (e->precision == PB_PRECISION_FLOAT ? 12.0 : 0.0));
    const struct pb_strategy *st = e->strategies[run->strategy].strategy;
    double extra = 0;
    if (st->extra_bytes) {
        struct pb_problem p;
        pb_problem_init(&p, e, NULL, run->n, NULL);
        struct pb_params k = {.threads = run->threads, .ranks = run->ranks, .pin = e->pin,
                              .kv = e->strategies[run->strategy].kv,
                              .nkv = e->strategies[run->strategy].nkv};
        extra = (double)st->extra_bytes(&p, &k);
    }
    return out + input + extra + 8.0 * 1024 * 1024;   /* + the process itself */
}

/* Pair distances a spatial strategy (PB_HISTOGRAM_ONLY: grid, tree) is expected to evaluate: the
 * pairs within the last edge rmax (the entry's, in an "rmax" sweep) for points uniform in the box (the periodic side, else the
 * input's box), n(n-1)/2 * min(1, (4/3) pi rmax^3 / box^3), times 6.4, what a cell list of side
 * rmax evaluates per pair in range (27 cells / the sphere's volume), capped at every pair, plus
 * 10 pair-costs per point for building the structure. Clustered inputs have more pairs in range
 * than this uniform figure. */
static double spatial_evals(const struct pb_experiment *e, double rmax, double n, double pairs)
{
    double box = e->periodic > 0 ? e->periodic : e->input.box > 0 ? e->input.box : 1000.0;
    double frac = 4.0 / 3.0 * M_PI * rmax * rmax * rmax / (box * box * box);
    double evals = pairs * 6.4 * (frac < 1 ? frac : 1);
    return (evals < pairs ? evals : pairs) + 10.0 * n;
}

/* The strategy's "cost_factor" parameter (exec: seconds per pair as a multiple of serial
 * naive's), or 0 when it has none or it is not a positive number. */
static double cost_factor(const struct pb_strategy_cfg *sc)
{
    struct pb_params k = {.kv = sc->kv, .nkv = sc->nkv};
    const char *v = pb_param(&k, "cost_factor");
    double f = v ? strtod(v, NULL) : 0;
    return f > 0 ? f : 0;
}

/* A rough, documented model for the plan: 2e8 unique pairs/s per thread for histograms (with a
 * tenth of that for serial naive, which bins by binary search, and a cost_factor-th of naive's
 * per thread for a strategy that declares one), matrix output at 1 GB/s of first touch, and
 * 2 ms of fixed cost per run. Spatial strategies evaluate only the pairs spatial_evals()
 * expects, at the same rate. It orders runs, sizes ETAs and skips runs that would exceed
 * timeout_s; it is not a result. */
double pb_sweep_estimate_seconds(const struct pb_experiment *e, const struct pb_run *run)
{
    const struct pb_strategy *st = e->strategies[run->strategy].strategy;
    double n = (double)run->n, pairs = n * (n - 1) / 2;
    double rate = 2e8 * run->threads * run->ranks, cf = cost_factor(&e->strategies[run->strategy]);
    if ((st->flags & PB_HISTOGRAM_ONLY) && e->output == PB_OUTPUT_HISTOGRAM)
        pairs = spatial_evals(e, e->strategies[run->strategy].rmax > 0
                                     ? e->strategies[run->strategy].rmax : e->bins.max, n, pairs);
    if (strcmp(st->name, "naive") == 0)
        rate = 2e7;
    if (cf > 0)
        rate = 2e7 / cf * run->threads * run->ranks;
    double t = pairs / rate + 0.002;
    if (e->output == PB_OUTPUT_MATRIX)
        t += n * n * 8.0 / 1e9;
    return t;
}

/* Reads one "Key: N kB" line of /proc/meminfo in bytes; -1 when absent. */
static double meminfo_bytes(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[256];
    double v = -1;
    size_t len = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, len) == 0 && line[len] == ':') {
            v = strtod(line + len + 1, NULL) * 1024.0;
            break;
        }
    fclose(f);
    return v;
}

/* Room left under this process's memory cgroup limit (v2 memory.max or v1 limit), or -1. */
static double cgroup_room_bytes(void)
{
    static const char *pairs[][2] = {
        {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
        {"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
    };
    for (size_t i = 0; i < 2; i++) {
        FILE *fl = fopen(pairs[i][0], "r"), *fu = fopen(pairs[i][1], "r");
        double lim = -1, use = -1;
        char buf[64];
        if (fl && fgets(buf, sizeof buf, fl) && strncmp(buf, "max", 3) != 0)
            lim = strtod(buf, NULL);
        if (fu && fgets(buf, sizeof buf, fu))
            use = strtod(buf, NULL);
        if (fl)
            fclose(fl);
        if (fu)
            fclose(fu);
        if (lim > 0 && lim < 1e18 && use >= 0)
            return lim - use;
    }
    return -1;
}

double pb_sweep_available_bytes(void)
{
    double avail = meminfo_bytes("MemAvailable");
    double room = cgroup_room_bytes();
    if (room >= 0 && (avail < 0 || room < avail))
        avail = room;
    if (avail < 0)
        return 1e18;                  /* unknown: do not guard */
    return avail * 0.9 - 256.0 * 1024 * 1024;   /* margin for the harness and the page cache */
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
    row->pairs_counted = m->pairs_counted > 0 && m->pairs_counted <= (uint64_t)LONG_MAX
                             ? (long)m->pairs_counted : -1;
    snprintf(row->status, sizeof row->status, "%s", m->status);
    if (m->verified == 1 || m->verified == 0)   /* "yes (kdtree)" when not checked by naive */
        snprintf(row->verified, sizeof row->verified, "%s%s%.20s%s", m->verified ? "yes" : "no",
                 indep ? " (" : "", indep ? ref->method : "", indep ? ")" : "");
    int ok = strcmp(m->status, "ok") == 0;
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

int pb_sweep_beyond_timeout(const struct pb_experiment *e, const struct pb_run *run)
{
    const struct pb_strategy *st = e->strategies[run->strategy].strategy;
    int modelled = !(st->flags & (PB_HISTOGRAM_ONLY | PB_EXTERNAL)) ||
                   ((st->flags & PB_EXTERNAL) && cost_factor(&e->strategies[run->strategy]) > 0);
    return e->timeout_s > 0 && modelled && pb_sweep_estimate_seconds(e, run) > e->timeout_s;
}

/* 1, with row skipped and the estimate in its status, when pb_sweep_beyond_timeout. */
static int beyond_timeout(const struct pb_experiment *e, const struct pb_run *run,
                          struct pb_row *row)
{
    if (!pb_sweep_beyond_timeout(e, run))
        return 0;
    snprintf(row->status, sizeof row->status, "skipped: estimated %.0f s > timeout_s %g s",
             pb_sweep_estimate_seconds(e, run), e->timeout_s);
    return 1;
}

/* Executes one run (or records why it was not started) into row. Returns 0, -EINTR when the
 * sweep was interrupted, or -errno when the runner could not work. */
static int execute(struct sweep *s, const struct pb_run *run, struct pb_row *row)
{
    const struct pb_strategy_cfg *sc = &s->e->strategies[run->strategy];
    struct pb_err e;
    if (run->n > 0 && size_points(s, run->n, &e) < 0) {
        pb_fit(row->status, sizeof row->status, "error: points: %s", e.msg);
        return 0;
    }
    double need = pb_sweep_estimate_bytes(s->e, run), avail = pb_sweep_available_bytes();
    if (need > avail) {
        snprintf(row->status, sizeof row->status, "skipped: needs %.2f GiB, %.2f GiB available",
                 need / 1073741824.0, avail / 1073741824.0);
        return 0;
    }
    if (beyond_timeout(s->e, run, row))
        return 0;
    struct pb_problem p;
    pb_problem_init(&p, s->e, run->n ? &s->cur.pts : NULL, run->n,
                    sc->rmax > 0 ? s->rmax_edges[sc->rmax_index] : s->edges);
    const struct pb_reference *ref = NULL;
    char unref[256] = "";
    if (run->n > 0 && !(ref = size_reference(s, &p, sc, unref, sizeof unref)) &&
        pb_refset_pick(s->e, run->n, sc->strategy) == 0) {
        pb_fit(row->status, sizeof row->status, "skipped: reference: %s", unref);
        return 0;                    /* naive failed: as before, the run is not started */
    }
    struct pb_params k = {.threads = run->threads, .ranks = run->ranks, .pin = s->e->pin,
                          .kv = sc->kv, .nkv = sc->nkv};
    struct pb_measure m;
    int rc = pb_runner_run(&p, sc, &k, ref, s->e->timeout_s, &m);
    if (rc < 0)
        return rc;
    row_measured(s, &m, ref, unref, row);
    return 0;
}

/* Counts the row into the result totals. */
static void tally(struct pb_sweep_result *r, const struct pb_row *row)
{
    r->runs++;
    if (strncmp(row->status, "skipped", 7) == 0)
        r->skipped++;
    else if (strncmp(row->status, "ok", 2) != 0)
        r->failed++;
    else if (!pb_verified_ok(row->verified) && strcmp(row->kind, "overhead") != 0)
        r->unverified++;              /* empty work has no answer to verify */
}

/* Sum of estimated seconds of runs[from..n), for the ETA. */
static double remaining_estimate(const struct pb_experiment *e, const struct pb_run *runs,
                                 size_t from, size_t n)
{
    double t = 0;
    for (size_t i = from; i < n; i++)
        t += pb_sweep_estimate_seconds(e, &runs[i]);
    return t;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The loop over the plan. Returns 0, -EINTR or a runner error. */
static int run_plan(struct sweep *s, const struct pb_run *runs, size_t nruns)
{
    size_t todo = 0, resumed = 0, k = 0;
    struct pb_row row;
    for (size_t i = 0; i < nruns; i++) {
        row_keys(s, &runs[i], &row);
        already_done(s, &row) ? resumed++ : todo++;
    }
    if (s->h && s->h->begin)
        s->h->begin(s->h->ctx, todo, resumed);
    double t0 = now_s(), est_total = remaining_estimate(s->e, runs, 0, nruns), est_done = 0;
    for (size_t i = 0; i < nruns; i++) {
        row_keys(s, &runs[i], &row);
        double est = pb_sweep_estimate_seconds(s->e, &runs[i]);
        if (already_done(s, &row)) {
            est_done += est;
            continue;
        }
        double elapsed = now_s() - t0;
        double eta = est_done > 0 ? elapsed / est_done * (est_total - est_done) : est_total;
        if (s->h && s->h->run_start)
            s->h->run_start(s->h->ctx, ++k, todo, &row, eta);
        int rc = execute(s, &runs[i], &row);
        if (rc < 0)
            return rc;
        if (pb_csv_append(s->csv, &row) < 0)
            return -EIO;
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
        if (strcmp(r->kind, "run") == 0 && strcmp(r->status, "ok") == 0 &&
            strcmp(r->strategy, key->strategy) == 0 && strcmp(r->params, key->params) == 0 &&
            r->n == key->n && r->threads == key->threads && r->ranks == key->ranks)
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
    for (size_t i = 0; i < nrows; i++) {
        const struct pb_row *r = &rows[i];
        if (r->n != n || strcmp(r->kind, "run") != 0 || strcmp(r->status, "ok") != 0)
            continue;
        double med = median_of(rows, nrows, r);
        if (strcmp(r->strategy, "naive") == 0)
            naive = med;
        if (best < 0 || med < best) {
            best = med;
            b->peak_kib = r->peak_rss_kib;
            snprintf(b->label, sizeof b->label, "%s%s%s%s x%d", r->strategy,
                     r->params[0] ? "[" : "", r->params, r->params[0] ? "]" : "", r->threads);
        }
    }
    b->n = n;
    b->median_s = best;
    b->speedup_vs_naive = naive > 0 && best > 0 ? naive / best : 0;
    return best > 0;
}

/* Builds r->best from the whole CSV (this sweep's rows and resumed ones). */
static void closing_table(struct sweep *s, const struct pb_row *rows, size_t nrows)
{
    s->r->best = calloc(s->e->nsizes, sizeof *s->r->best);
    for (size_t i = 0; s->r->best && i < s->e->nsizes; i++)
        if (best_at(rows, nrows, s->e->sizes[i], &s->r->best[s->r->nbest]))
            s->r->nbest++;
}

/* Summary, figures and report from the CSV as written. Failures of the figures are notes,
 * not errors: the numbers are in the CSV whatever happens to gnuplot. */
static int finish(struct sweep *s, struct pb_err *err)
{
    struct pb_row *rows = NULL;
    size_t nrows = 0;
    int rc = pb_csv_read(s->r->csv, &rows, &nrows, err);
    if (rc < 0)
        return rc;
    rc = pb_summary_write(rows, nrows, s->r->summary, s->o->warn, err);
    closing_table(s, rows, nrows);
    free(rows);
    if (rc < 0)
        return rc;
    struct pb_plot_opts po = {.peak_pairs_per_s = s->have_limits ? s->limits.bound_pairs_per_s : 0};
    struct pb_err pe;
    rc = pb_plots_write(s->o->outdir, s->e->name, &po, &pe);
    if (rc == 0 && s->o->render)
        rc = pb_plots_render(s->o->outdir, s->e->name, &pe);
    s->r->rendered = rc == 0 && s->o->render;
    if (rc < 0)
        snprintf(s->r->render_note, sizeof s->r->render_note, "%s", pe.msg);
    return pb_report_write(s->o->outdir, s->e->name, err);
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

/* Writes NAME.json: environment, config, start time, and the limits when measured. */
static int write_meta(struct sweep *s, struct pb_err *err)
{
    struct pb_env env;
    char started[64];
    if (pb_env_collect(&env) < 0)
        return pb_fail(err, -EIO, "cannot read the environment");
    if (s->have_limits)
        env_add_limits(&env, &s->limits);
    pb_env_now_utc(started, sizeof started);
    return pb_env_write_json(s->r->meta, &env, s->e->text, s->e->hash, started, err);
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
    if (pipe(fd) != 0)
        return pb_fail(err, -errno, "limits: pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return pb_fail(err, -errno, "limits: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        struct limits_reply r = {0};
        close(fd[0]);
        r.rc = pb_limits_measure(&r.limits, &r.err);
        _exit(pb_write_all(fd[1], &r, sizeof r) == 0 ? 0 : 1);
    }
    close(fd[1]);
    struct limits_reply r;
    int rc = pb_read_all(fd[0], &r, sizeof r);
    close(fd[0]);
    waitpid(pid, NULL, 0);
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
        struct pb_bins b = e->bins;
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

/* Everything that must hold before the first byte is written. */
static int preflight(struct sweep *s, struct pb_err *err)
{
    int rc = prepare_outdir(s->o->outdir, err);
    if (rc < 0)
        return rc;
    if ((rc = set_paths(s->e, s->o->outdir, s->r, err)) < 0)
        return rc;
    if (s->e->output == PB_OUTPUT_HISTOGRAM && pb_edges_make(&s->e->bins, &s->edges) < 0)
        return pb_fail(err, -EINVAL, "%s: output.bins: cannot make %zu increasing edges from "
                       "%g to %g", s->e->path, s->e->bins.count, s->e->bins.min, s->e->bins.max);
    if ((rc = make_rmax_edges(s, err)) < 0 || (rc = make_refsets(s, err)) < 0)
        return rc;
    return open_csv(s, err);
}

int pb_sweep_run(const struct pb_experiment *e, const struct pb_sweep_opts *o,
                 const struct pb_sweep_hooks *h, struct pb_sweep_result *r, struct pb_err *err)
{
    struct sweep s = {.e = e, .o = o, .h = h, .r = r};
    struct pb_run *runs = NULL;
    size_t nruns = 0;
    memset(r, 0, sizeof *r);
    size_release(&s.cur);
    int rc = preflight(&s, err);
    if (rc < 0)
        goto out;
    if (e->limits) {
        s.have_limits = measure_limits(&s.limits, err) == 0;
        if (!s.have_limits && o->warn)
            fprintf(o->warn, "warning: machine limits not measured: %s\n", err->msg);
    }
    if ((rc = write_meta(&s, err)) < 0 || (rc = pb_plan_build(e, &runs, &nruns)) < 0)
        goto out;
    rc = run_plan(&s, runs, nruns);
    r->interrupted = rc == -EINTR;
    if (rc == -EINTR || rc == 0)
        rc = finish(&s, err);
    else
        pb_fail(err, rc, "the runner failed: %s", strerror(-rc));
out:
    size_release(&s.cur);
    free_per_rmax(&s);
    if (s.csv)
        fclose(s.csv);
    free(s.done);
    free(s.edges);
    free(runs);
    return rc;
}

void pb_sweep_result_free(struct pb_sweep_result *r)
{
    free(r->best);
    r->best = NULL;
    r->nbest = 0;
}
