/* sweep.h — the whole experiment: plan, points per n, reference, one runner call per run, a CSV
 * row per run as it ends, then the summary, figures and report. It never prints: progress and
 * warnings go to the caller's hooks and warn stream (main prints). */
#ifndef PAIRBENCH_SWEEP_H
#define PAIRBENCH_SWEEP_H

#include "closing.h"
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

struct pb_sweep_result {
    size_t runs, failed, unverified, skipped;
    int interrupted;                 /* SIGINT/SIGTERM stopped it; the CSV holds what finished */
    char csv[1024], summary[1024], meta[1024], report[1024];  /* the paths written */
    struct pb_best *best;            /* one per n (closing.h), malloc'd */
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

/* Releases r's allocations. */
void pb_sweep_result_free(struct pb_sweep_result *r);

#endif
