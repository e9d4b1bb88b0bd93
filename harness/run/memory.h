/* memory.h — the memory method: how bench measures a run's peak memory, and how it decides
 * that a run fits in the memory it has. Every memory figure of a result set comes from here.
 *
 * What is counted. A run is one strategy call in a fresh child process of the harness (see
 * runner.h). Its peak (the CSV's peak_rss_kib, pb_measure.peak_pss_kib) is the largest sum,
 * over every live process of the run, of the "Pss:" line of /proc/PID/smaps_rollup: the run
 * child, its fork or thread workers, external programs and their children, and orphans (the
 * harness is a child subreaper, so orphans of the run come back to it and stay in view). While
 * a run is in progress every descendant of the harness belongs to it.
 *
 * Why PSS. Proportional set size splits each shared page between the processes that map it, so
 * a MAP_SHARED matrix written by k workers counts once, not k times (RSS would count it k
 * times; ru_maxrss, kept as maxrss_kib, sees only the largest single process).
 *
 * Why a fresh process per run. The child starts from what it inherits at fork: nothing of an
 * earlier run's heap, allocator caches or page tables, and its high-water mark is reset
 * (/proc/self/clear_refs) before the strategy is called. Everything the run maps dies with
 * its processes, so each run is measured from the same floor.
 *
 * Sampling, and what it can miss. The harness samples the tree every 1 ms at first, backing off
 * to 20 ms (a page-faulting peak grows slowly), and never more often than 10 times the last
 * sample's CPU cost (at most 250 ms): a sample walks the page tables of every process, and on a
 * 2-core machine the sampler must not steal the run's CPU; its cost is measured and returned.
 * It can miss:
 *   - a short peak between two samples. As a floor the run child reports its own VmHWM when
 *     the strategy returns. VmHWM is RSS, not PSS: it fully counts the pages inherited from
 *     the harness, which PSS splits, so the floor is VmHWM - (RSS - PSS at the start), a lower
 *     bound of the run's PSS peak whenever the pages the child shares are shared with
 *     processes of the run or inherited ones. The peak is the larger of the sampled maximum
 *     and that floor; sampled_pss_kib keeps the sampled one alone.
 *   - pages a worker wrote into shared memory and then unmapped by exiting: no live process
 *     maps them, so PSS shows none. Before the last sample the child faults its whole output
 *     matrix into its page tables (MADV_POPULATE_READ, outside the timed window: no new
 *     memory, only mappings), and the last sample is taken with the output still in place.
 *   - memory of a process that is not a descendant of the harness (a daemon the run asks to
 *     work for it), and System V or named shared memory no run process maps.
 *
 * What the cgroup peak adds. Where the machine lets bench make a memory cgroup under its own,
 * each run gets one (cgroup v1 memory.max_usage_in_bytes or v2 memory.peak): the kernel's own
 * peak of the run's charged memory, continuous rather than sampled, and including page cache
 * and kernel memory the run causes (files it writes, page tables). It is recorded beside the
 * PSS peak as cgroup_peak_kib (-1 where unavailable) and also counts OOM kills of the run.
 *
 * Memory available. "Memory available to me" is the smallest of /proc/meminfo MemAvailable and,
 * for bench's own memory cgroup (found through /proc/self/cgroup, the one way bench finds its
 * cgroup) and every ancestor, limit - usage (v1 memory.limit_in_bytes - memory.usage_in_bytes,
 * v2 memory.max - memory.current). The guard, the dry run and NAME.json all use this one
 * figure.
 *
 * The guard. Before a run starts (before its points or reference exist) its estimated bytes
 * (output, input with the bin edges, the strategy's declared extra: copies, and for histograms
 * the per-thread histogram blocks, thresholds and look-up table, which grow with bins x
 * threads; the process itself) plus the reference still to be made are compared with 90% of the available memory less 256 MiB; a run that
 * does not fit is skipped with both figures in its status. The byte estimate lives here, with
 * the memory it is compared against; the time model (estimate.h) is a separate concern.
 */
#ifndef PAIRBENCH_MEMORY_H
#define PAIRBENCH_MEMORY_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct pb_experiment;                  /* config.h, plan.h: declared only, as the guard and */
struct pb_run;                         /* the byte estimate take them by pointer alone */

#define PB_MEMORY_MAX_TREE 1024        /* processes of one run the sampler follows */

/* ---- the process-tree sampler (harness side) ---------------------------------------------- */

struct pb_memory_sampler {
    long peak_pss_kib;                 /* largest PSS sum sampled so far */
    int samples;                       /* samples taken */
    double cpu_s;                      /* CPU seconds spent sampling */
    int interval_ms;                   /* how long to wait before the next sample */
    pid_t seen[PB_MEMORY_MAX_TREE];    /* every process of the run seen (the set stops growing
                                          when full), for cleanup of what they leave */
    int nseen;
};

/* Readies s for a new run: nothing sampled, the first interval (1 ms). */
void pb_memory_sampler_init(struct pb_memory_sampler *s);

/* Takes one sample: the PSS sum over every descendant of the calling process, folded into
 * s->peak_pss_kib; the processes join s->seen; the sample's CPU cost is added to s->cpu_s and
 * sets s->interval_ms (pb_memory_next_interval). */
void pb_memory_sample(struct pb_memory_sampler *s);

/* The sampling interval (ms) after one of ms whose sample cost cost seconds: backs off by half
 * again up to 20 ms, and never below 10 times the sample's cost (capped at 250 ms), so the
 * sampler takes about a tenth of a core at worst. */
int pb_memory_next_interval(int ms, double cost);

/* Every descendant of the calling process, breadth first, into t (at most max). Returns how
 * many. */
int pb_memory_tree(pid_t *t, int max);

/* Adds the n pids in t to s->seen (once each). */
void pb_memory_remember(struct pb_memory_sampler *s, const pid_t *t, int n);

/* 1 when pid is in s->seen. */
int pb_memory_seen(const struct pb_memory_sampler *s, pid_t pid);

/* ---- the run child's own figures (the floor under missed peaks) --------------------------- */

struct pb_memory_floor {
    long start_rss_kib, start_pss_kib; /* before the strategy call: what the child inherited */
    long hwm_kib;                      /* VmHWM when the strategy returned */
};

/* In the run child, just before the strategy call: resets its RSS high-water mark (an
 * inherited one must not count) and records its RSS and PSS. */
void pb_memory_floor_start(struct pb_memory_floor *f);

/* In the run child, after the strategy call: faults the output matrix (NULL: none) of bytes
 * bytes into its page tables, so the last sample sees shared pages written by workers that
 * have exited, and records VmHWM. */
void pb_memory_floor_end(struct pb_memory_floor *f, void *matrix, size_t bytes);

/* The run's peak (KiB): the larger of the sampled maximum and the floor VmHWM - (RSS - PSS at
 * the start); f NULL (the child never reported): the sampled maximum. */
long pb_memory_peak_kib(long sampled_kib, const struct pb_memory_floor *f);

/* ---- the run's cgroup, OOM kills ---------------------------------------------------------- */

struct pb_memory_cgroup {
    int version;                       /* 1 or 2; 0: none for this run */
    char dir[PATH_MAX];                /* the run's cgroup directory */
};

/* The folder of this process's memory cgroup ("/sys/fs/cgroup/memory/<path>" for v1,
 * "/sys/fs/cgroup/<path>" for v2), under root ("" for the live system; tests pass a folder
 * holding a fake tree). Returns the version (1, 2), or 0 with dir "". */
int pb_memory_cgroup_find(const char *root, char *dir, size_t cap);

/* Makes a fresh cgroup "pb-run-PID-SEQ" for a run under this process's own; cg->version 0 when
 * the machine does not allow it. The first failure is remembered: later runs do not retry. */
void pb_memory_cgroup_create(struct pb_memory_cgroup *cg);

/* Moves pid into the run's cgroup; on failure the run goes without one (cg->version 0). */
void pb_memory_cgroup_attach(struct pb_memory_cgroup *cg, pid_t pid);

/* The cgroup's peak in KiB, or -1. */
long pb_memory_cgroup_peak_kib(const struct pb_memory_cgroup *cg);

/* OOM kills inside the cgroup, or -1. */
long pb_memory_cgroup_oom_kills(const struct pb_memory_cgroup *cg);

/* Removes the (by now empty) cgroup, waiting briefly while it drains its last task. */
void pb_memory_cgroup_remove(struct pb_memory_cgroup *cg);

/* Kernel OOM kills so far on the machine (/proc/vmstat oom_kill), or -1. */
long pb_memory_oom_kills(void);

/* ---- memory available, and the guard ------------------------------------------------------ */

/* The machine's memory (/proc/meminfo MemTotal) in KiB, or -1. */
long pb_memory_total_kib(void);

/* Bytes of memory this process may still take: the smallest of /proc/meminfo MemAvailable and,
 * for its memory cgroup and each of its ancestors, limit - usage. -1 when none of them can be
 * read. */
double pb_memory_available(void);

/* The same, with every path ("/proc/self/cgroup", "/proc/meminfo", "/sys/fs/cgroup/...")
 * prefixed by root ("" for the live system). */
double pb_memory_available_at(const char *root);

/* Bytes a new run may use now: pb_memory_available less a safety margin (90% of it, less
 * 256 MiB for the harness and the page cache); 1e18 (no guard) when it is unknown. */
double pb_memory_room(void);

/* Bytes the run's strategy declares beyond output and input (its extra_bytes for the run's n,
 * bins, threads, ranks and parameters): copies, buffers, per-thread histogram blocks and the
 * binning. 0 when it declares none. */
double pb_memory_extra_bytes(const struct pb_experiment *e, const struct pb_run *run);

/* Estimated bytes a run needs at its peak: output, input (points; the bin edges), the
 * strategy's pb_memory_extra_bytes, and 8 MiB for the process itself. */
double pb_memory_estimate_bytes(const struct pb_experiment *e, const struct pb_run *run);

/* The guard: does run fit now? reference_pending: the reference for run's n (naive, or an
 * independent one) is still to be made (a matrix reference adds n^2 doubles beside the run's
 * own, a histogram one its counts). Returns 0 when the estimate (plus that reference) fits in pb_memory_room, else -ENOMEM
 * with why set to "needs X GiB, Y GiB available". */
int pb_memory_guard(const struct pb_experiment *e, const struct pb_run *run,
                    int reference_pending, char *why, size_t cap);

#endif
