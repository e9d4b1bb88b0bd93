/* runchild.h — for runner.c: the state of one run the harness shares with the run child it
 * forks (pipes, private folder, sealed inputs), the records the child and the verifier send
 * back, and the run child itself: what runs inside the child process around the one strategy
 * call (runchild.c). The supervision, verification and the status are runner.c's. */
#ifndef PAIRBENCH_RUNCHILD_H
#define PAIRBENCH_RUNCHILD_H

#include "cpuload.h"
#include "memory.h"
#include "problem.h"
#include "runner.h"
#include "sealed.h"
#include "strategy.h"

#include <limits.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Sent by the child when the strategy has returned; one write, below PIPE_BUF, so atomic. */
struct pb_computed_rec {
    double wall_s, user_s, sys_s;      /* the measured call */
    int rc;                            /* strategy's return value */
    struct pb_memory_floor mem;        /* the child's own memory figures (memory.h) */
    long rank_max_kib, rank_sum_kib;   /* out's per-rank figures (distributed runs) */
    double build_s;                    /* out.build_s: structure build time, 0 = none */
    uint64_t dist_evals;               /* out.dist_evals: distances evaluated, 0 = unknown */
    char note[256];                    /* out.note */
    uint64_t counted;                  /* histogram: the pairs counted, summed over the bins */
    struct pb_cpustat cpu0, cpu1;      /* /proc/stat just before and after the call (cpuload.h) */
};

/* Sent by the verifier. */
struct pb_verified_rec {
    int verified;                      /* 1, 0, -1: could not check, or PB_VER_LOST */
    char why[192];                     /* pb_verify's reason */
};

#define PB_VER_LOST (-2)               /* the run's output stopped before its end: the run
                                          child died while sending it */

/* Everything the parent knows about the run in progress. */
struct pb_runstate {
    pid_t pid;                         /* the run child, leader of process group pid */
    pid_t parent;                      /* the harness (getpid() before the fork) */
    int res[2];                        /* child -> parent records */
    int go[2];                         /* parent -> child: "start", then "send the output" */
    int outp[2];                       /* run child -> verifier: the output (pb_output_send) */
    int verify;                        /* 1: a reference checks the run, so the child sends */
    struct pb_sealed in;               /* the read-only inputs the strategy receives */
    char tmpdir[PATH_MAX];             /* private temporary directory */
    int owner_fd;                      /* tmpdir/.owner, flock'ed while the run lasts; -1 none */
    struct pb_memory_cgroup cg;        /* the run's cgroup (memory.h) */
    struct pb_computed_rec comp;
    struct pb_verified_rec ver;
    int have_comp, have_ver;           /* which records arrived */
    int timed_out, interrupted;        /* why the runner killed the run, if it did */
    int child_exited;                  /* the run child has ended (not yet reaped) */
    int reaped;                        /* the run child was reaped: its pid may be reused */
    long cg_oom;                       /* OOM kills counted in the run's cgroup, or -1 */
    int wstatus;                       /* its wait status once reaped */
    struct rusage ru;                  /* its rusage from wait4 */
    struct pb_memory_sampler mem;      /* the PSS samples and every process of the run seen */
    long cg_peak;                      /* cgroup peak at the memory window's end */
    long oom_before;                   /* kernel OOM kills before the run */
};

/* The run child: puts itself in its own process group that dies with the harness, keeps only
 * its pipes, sends its output to tmpdir/output.log, waits for the parent's "go", runs strategy
 * s once on the sealed inputs p and k, timed, sends the computed record, then its output to
 * the verifier, and waits to be killed. Never returns. */
void pb_runchild_main(struct pb_runstate *r, const struct pb_problem *p,
                      const struct pb_strategy *s, const struct pb_params *k);

/* The child of pb_runner_call (runner.h): in its own process group that dies with the caller,
 * with default signals, runs fn(arg, r->tmpdir, rec) and sends rec's len bytes back on
 * r->res[1]. Never returns. */
void pb_runchild_call(struct pb_runstate *r, pb_runner_fn fn, void *arg, void *rec, size_t len);

#endif
