/* sweep.h — the whole experiment: plan, points per n, reference, one runner call per run, a CSV
 * row per run as it ends, then the summary, figures and report. It never prints: progress and
 * warnings go to the caller's hooks and warn stream (main prints). */
#ifndef PAIRBENCH_SWEEP_H
#define PAIRBENCH_SWEEP_H

#include "config.h"
#include "plan.h"
#include "results.h"

#include <stdio.h>

struct pb_sweep_opts {
    const char *outdir;              /* results folder, created when missing */
    int resume;                      /* keep rows of the same config hash, run only the rest */
    int force;                       /* replace existing results of this config name */
    int render;                      /* 1: render figures with gnuplot after the sweep */
    FILE *warn;                      /* where warnings go (flagged rows, threads > CPUs), or NULL */
};

/* Progress callbacks; any may be NULL. k counts from 1 over the runs this sweep executes. */
struct pb_sweep_hooks {
    void *ctx;
    void (*begin)(void *ctx, size_t total, size_t resumed);
    void (*run_start)(void *ctx, size_t k, size_t total, const struct pb_row *keys, double eta_s);
    void (*run_end)(void *ctx, size_t k, size_t total, const struct pb_row *row);
};

/* The fastest strategy at one n, for the closing table. */
struct pb_best {
    size_t n;
    char label[1200];                /* "strategy[params] xT": label < 64 and params < 1024
                                        bytes (results.h), so it is never cut */
    double median_s;
    long peak_kib;
    double speedup_vs_naive;         /* naive's median / this median; 0 when naive absent */
    char flags[200];                 /* "" when no point at n was flagged, else this point's
                                        summary flag ("cv 7.2% > 5%", "busy 3/3 runs",
                                        "capped: 2 CPUs for 4 threads") and how many other
                                        points at n the summary flags */
    char strategy[64], params[1024]; /* the point's key in NAME_summary.csv */
    int threads, ranks;
};

struct pb_sweep_result {
    size_t runs, failed, unverified, skipped;
    int interrupted;                 /* SIGINT/SIGTERM stopped it; the CSV holds what finished */
    char csv[1024], summary[1024], meta[1024], report[1024];  /* the paths written */
    struct pb_best *best;            /* one per n, malloc'd */
    size_t nbest;
    int rendered;                    /* 1: figures rendered; 0: scripts only (gnuplot missing) */
    int figures_failed;              /* 1: a figure could not be written or drawn: the sweep
                                        fails, render_note names it */
    char render_note[1024];           /* why figures were not rendered, or which failed */
};

/* The word a run of kind k has in NAME.csv's kind column (PB_KIND_RUN, _WARMUP, _OVERHEAD). */
const char *pb_run_kind_word(enum pb_run_kind k);

/* Runs experiment e. Returns 0 when the sweep ran (see r for failed runs), or -errno with err
 * filled when it could not start (output folder, existing results, resume mismatch) — nothing is
 * written in that case. */
int pb_sweep_run(const struct pb_experiment *e, const struct pb_sweep_opts *o,
                 const struct pb_sweep_hooks *h, struct pb_sweep_result *r, struct pb_err *err);

/* Takes DIR/.NAME.lock (flock, close-on-exec; the file holds the owner's pid) without waiting:
 * what a sweep holds while it writes DIR/NAME*, and `bench plot` while it rewrites the
 * summary, figures and report. *fd receives the descriptor; closing it (or exiting) releases
 * the lock. Returns 0, -EBUSY with err naming the holder's pid when another process holds it,
 * or -errno with err. */
int pb_sweep_lock(const char *dir, const char *name, int *fd, struct pb_err *err);

/* Releases r's allocations. */
void pb_sweep_result_free(struct pb_sweep_result *r);

#endif
