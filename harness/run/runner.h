/* runner.h — one run in its own child process: wall time around the strategy call alone, CPU
 * time, the memory of every process the run creates, verification, and the status. A crash,
 * hang or error in the strategy costs this one run, never the sweep. */
#ifndef PAIRBENCH_RUNNER_H
#define PAIRBENCH_RUNNER_H

#include "config.h"
#include "verify.h"

#include <stdint.h>

struct pb_measure {
    double wall_s;                   /* CLOCK_MONOTONIC around strategy->run */
    double user_s, sys_s;            /* CPU of the run and every process it reaped */
    long peak_pss_kib;               /* peak of the summed PSS over the run's process tree */
    long maxrss_kib;                 /* largest single process's ru_maxrss (wait4) */
    long cgroup_peak_kib;            /* the run's cgroup peak; -1 where unavailable */
    long rank_max_kib;               /* distributed runs: largest peak RSS of one rank, else -1 */
    long rank_sum_kib;               /* distributed runs: peak RSS summed over ranks, else -1 */
    int verified;                    /* 1 yes, 0 no, -1 not checked (the run failed) */
    char status[192];                /* "ok", "crashed: SIGSEGV", "timeout: 30 s", "error: ..." */
    char verify_note[192];           /* why verification failed, else "" */
    /* Added after the first version of this struct: */
    long sampled_pss_kib;            /* largest PSS sum actually sampled (peak_pss_kib may be
                                        raised above it by the run child's own high-water mark) */
    int samples;                     /* memory samples taken during the run */
    double sampler_cpu_s;            /* CPU seconds the runner spent sampling memory */
    char output_tail[160];           /* last line the run wrote to stdout/stderr, else "" */
    double build_s;                  /* seconds the strategy spent building a spatial structure
                                        (inside wall_s); NAN when it built none */
    uint64_t dist_evals;             /* pair distances the strategy evaluated; 0 = unknown */
    uint64_t pairs_counted;          /* histogram: pairs the run counted in its bins (within
                                        the last edge); 0 for a matrix or a failed run */
    double other_cpu_s;              /* CPU seconds others used on this process's CPUs during
                                        the strategy call (cpuload.h); NAN unknown */
    double steal_s;                  /* CPU seconds stolen from those CPUs then; NAN unknown */
    int load_cpus;                   /* CPUs those two count; 0 unknown */
    double cpus_avail;               /* CPUs the run could use (pb_cpus_available) */
};

/* Runs strategy s on p with k in a fresh child process, kills it past timeout_s (0 = never),
 * verifies against ref when ref is non-NULL, and fills m. Returns 0 when the run was carried out
 * (whatever its status), -EINTR when the sweep was interrupted, or -errno when the runner itself
 * could not work (fork failed). */
int pb_runner_run(const struct pb_problem *p, const struct pb_strategy_cfg *s,
                  const struct pb_params *k, const struct pb_reference *ref, double timeout_s,
                  struct pb_measure *m);

/* Memory (peak_pss_kib, sampled_pss_kib, maxrss_kib, cgroup_peak_kib) is measured by the
 * method memory.h states: the PSS of the run's whole process tree, sampled, with the run
 * child's own floor and the run's cgroup peak beside it.
 * While a run is in progress the runner treats every child of the calling process as part of
 * the run (the process is made a child subreaper so orphans of the run come back to it): call it
 * from a process with no other children. */

/* Removes what runs of dead harness processes left behind: "pb-run-PID-*" temporary
 * directories under $TMPDIR (or /tmp), POSIX shared-memory objects and run cgroups named after
 * them, wherever the process PID no longer exists (a harness killed by SIGKILL cannot clean up
 * after itself). Returns how many entries were removed. */
int pb_runner_clean_stale(void);

/* The folder every run's (and call's) private temporary folder is made in: $TMPDIR when set
 * and not empty, else /tmp. The sweep checks it before writing anything. */
const char *pb_runner_tmp_root(void);

/* The work of pb_runner_call, in its child: arg as given, tmpdir the call's private folder; it
 * fills rec (whose bytes are sent back whatever it returns). */
typedef void (*pb_runner_fn)(void *arg, const char *tmpdir, void *rec);

/* Runs fn in a child process of its own process group, supervised as a run is: a private
 * "pb-run-PID-XXXXXX" folder under $TMPDIR (or /tmp) for it, known to pb_runner_clean_stale;
 * on a stop signal (pb_stop_install_signals) or when the child ends, the child and every
 * process it started are killed and reaped and the folder removed; the caller's death takes
 * them along. The child keeps stdout and stderr. Returns 0 when rec (len bytes) came back
 * whole, -EINTR on a stop signal, -ECHILD when the child ended without sending it (*wstatus:
 * its wait status), or -errno when it could not start. Call it from a process with no other
 * children. */
int pb_runner_call(pb_runner_fn fn, void *arg, void *rec, size_t len, int *wstatus);

/* Waits until fd is readable (data or end of file). Returns 0, or -EINTR as soon as SIGINT,
 * SIGTERM or SIGHUP arrived: for the harness's own children (reference, limits), which the
 * caller then kills. */
int pb_runner_wait_readable(int fd);

/* The same, giving up with -ETIMEDOUT after limit_s seconds (0: never). */
int pb_runner_wait_readable_for(int fd, double limit_s);

#endif
