/* sweep.c — drives one experiment from plan to report.
 *
 * Order of work: check the output folder and existing results (before anything is written),
 * write the environment, build the plan, then for each run: points for its n (made once per n,
 * a prefix of the largest), the reference that checks it (refset.h: naive, or an independent
 * strategy above verify.naive_max_n; made when a run first asks, once per n), the memory
 * guard (memory.h) and the time estimate's skip (estimate.h), the runner, and a CSV row
 * appended and fsync'ed at once. At the end: the closing table (closing.h), then the summary
 * CSV, the gnuplot scripts and figures, and the HTML report by the sequence `bench plot` runs
 * too (resultset.h, which also owns the result set's files, lock and pre-write checks). The
 * session record in NAME.json and the machine limits are session.h's. Nothing here prints.
 */
#include "sweep.h"

#include "estimate.h"
#include "fdio.h"
#include "pbclock.h"
#include "memory.h"
#include "points.h"
#include "problem.h"
#include "refset.h"
#include "resultset.h"
#include "runner.h"
#include "fileid.h"
#include "stop.h"
#include "session.h"
#include "verify.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    struct pb_file_id input;        /* the points file's identity (file input) */
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

/* The closing table from the CSV as written, then the summary, figures and report by the one
 * sequence `bench plot` runs too (resultset.h). A figure that cannot be drawn is noted in r
 * (the sweep then fails, naming it); gnuplot missing is a note only. */
static int finish(struct sweep *s, struct pb_err *err)
{
    struct pb_row *rows = NULL;
    size_t nrows = 0;
    int rc = pb_csv_read(s->r->csv, &rows, &nrows, err);
    if (rc < 0)
        return rc;
    s->r->nbest = pb_closing_table(rows, nrows, s->e->sizes, s->e->nsizes, &s->r->best);
    free(rows);
    struct pb_resultset_opts po = {.render = s->o->render && !pb_stop_requested(),
                                   .fresh = 1, .warn = s->o->warn,
                                   .stop = pb_stop_requested};
    struct pb_resultset_result pr;
    rc = pb_resultset_finish(s->o->outdir, s->e->name, &po, &pr, err);
    if (rc == 0)
        pb_closing_flags(s->o->outdir, s->e->name, s->r->best, s->r->nbest);
    if (pr.interrupted || (s->o->render && pb_stop_requested()))
        s->r->interrupted = 1;           /* SIGINT while rendering: stop there, exit 130 */
    s->r->rendered = pr.rendered;
    s->r->figures_failed = pr.scripts_failed || pr.figures_failed;
    if (s->o->render || s->r->figures_failed)
        snprintf(s->r->render_note, sizeof s->r->render_note, "%s", pr.note);
    return rc;
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

/* The output folder, the paths in r, the lock (held for the whole sweep, so that a second
 * sweep of the same name into the same folder, a --force included, is refused while this one
 * runs) and every file of the result set, by resultset.h. Returns 0 or -errno with err. */
static int prepare_output(struct sweep *s, struct pb_err *err)
{
    const struct pb_experiment *e = s->e;
    struct pb_resultset_writer w = {
        .resume = s->o->resume, .force = s->o->force, .figures = e->figures,
        .nfigures = e->nfigures,
        .inputs = {e->path, e->input.kind == PB_INPUT_FILE ? e->input.path : NULL}};
    struct pb_resultset_paths p;
    memset(&p, 0, sizeof p);
    int rc = pb_resultset_prepare(s->o->outdir, e->name, &w, &p, &s->lock_fd, err);
    memcpy(s->r->csv, p.csv, sizeof p.csv);
    memcpy(s->r->summary, p.summary, sizeof p.summary);
    memcpy(s->r->meta, p.meta, sizeof p.meta);
    memcpy(s->r->report, p.report, sizeof p.report);
    return rc;
}

/* Writes NAME.json's record of this session (session.h). */
static int write_meta(struct sweep *s, struct pb_err *err)
{
    struct pb_session m = {.e = s->e, .limits = s->have_limits ? &s->limits : NULL,
                           .start_load = &s->start_load,
                           .input = s->have_input ? &s->input : NULL, .resume = s->o->resume};
    s->made_meta = !(s->o->resume && access(s->r->meta, F_OK) == 0);
    return pb_session_write(s->r->meta, &m, err);
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
    if ((rc = prepare_output(s, err)) < 0 || (rc = check_input(s, err)) < 0)
        return rc;
    if (s->o->resume && (rc = pb_resultset_resume(s->r->csv, s->e->hash, s->o->warn, &s->done,
                                                  &s->ndone, err)) < 0)
        return rc;
    return pb_resultset_open_csv(s->r->csv, s->o->resume, s->o->force, &s->csv, &s->made_csv,
                                 err);                /* appended to on --resume, else new */
}

/* After a failure before this sweep recorded any row: removes the CSV and NAME.json it created
 * anew (a header and an environment, no result), so that a plain rerun is not refused as if
 * results were there. Files it found, and any row, stay. The lock file stays (see
 * pb_resultset_lock); it refuses nothing once released. */
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
    pb_session_busy_start(o->warn, r->csv, &s.start_load);
    if (e->limits) {
        s.have_limits = pb_session_limits(&s.limits, err) == 0;
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
