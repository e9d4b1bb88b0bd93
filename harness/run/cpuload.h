/* cpuload.h — what else used the CPUs while a run ran, and how many CPUs the run could use.
 *
 * Other load (other_cpu_s): the busy CPU time /proc/stat counts on the CPUs this process may
 * run on (user + nice + system + irq + softirq; guest time is inside user), between two
 * readings taken just outside the run's two clock readings, minus the run's own CPU time (its
 * process and every process it reaped) and the harness's memory sampling. Steal (steal_s): the
 * time the hypervisor gave those CPUs to other guests in the same window. /proc/stat counts
 * whole clock ticks (1/sysconf(_SC_CLK_TCK) s, 10 ms here), charged to whoever runs when a
 * tick fires, so other_cpu_s may be off by about a tick per CPU either way, slightly negative
 * included; the threshold below allows for it.
 *
 * A run shared its CPUs ("busy") when
 *
 *     other_cpu_s + steal_s > (ncpu - min(width, ncpu)) * wall_s       CPUs the run left idle
 *                             + PB_BUSY_SHARE * wall_s                  a tenth of one CPU
 *                             + PB_BUSY_TICKS * ncpu / ticks per second  the tick rounding
 *
 * with ncpu the CPUs counted and width the run's threads x ranks: others used more than the
 * CPUs the run did not need, by more than a tenth of one CPU over the run. Runs shorter than
 * a few ticks are rarely judged busy; the sample before the first run (pb_cpuload_sample)
 * covers a machine that was busy from the start.
 *
 * CPUs available (cpus_avail): the fewest of the CPUs in this process's affinity set
 * (sched_getaffinity), the cgroup v2 quota (cpu.max quota / period, in CPUs, the smallest along
 * the process's cgroup and its ancestors) and OMP_THREAD_LIMIT (OpenMP runs no more threads at
 * once). A run is "capped" when its width exceeds it: its threads could not all run at once.
 */
#ifndef PAIRBENCH_CPULOAD_H
#define PAIRBENCH_CPULOAD_H

#include <stddef.h>

#define PB_BUSY_SHARE 0.10           /* others may use this much of one CPU over a run */
#define PB_BUSY_TICKS 2              /* plus this many ticks per CPU counted: tick rounding */
#define PB_CPULOAD_SAMPLE_S 0.25     /* the sample before a sweep's first run, seconds */

/* Totals of /proc/stat's per-CPU lines over the CPUs counted, in clock ticks. */
struct pb_cpustat {
    unsigned long long busy;         /* user + nice + system + irq + softirq */
    unsigned long long steal;        /* given to other guests by the hypervisor */
    int ncpu;                        /* CPUs counted; 0: nothing read */
};

/* What else used the counted CPUs over one window. */
struct pb_cpuload {
    double other_cpu_s;              /* busy time not the run's own; NAN: unknown */
    double steal_s;                  /* stolen time; NAN: unknown */
    int ncpu;                        /* CPUs counted; 0: unknown */
    double window_s;                 /* the window's length where pb_cpuload_sample measured
                                        it; 0 otherwise */
};

/* The CPUs a run may use, and why. */
struct pb_cpu_avail {
    int affinity;                    /* CPUs in the affinity set */
    double quota;                    /* cgroup v2 cpu.max quota in CPUs; 0: no quota */
    int thread_limit;                /* OMP_THREAD_LIMIT; 0: unset */
    double cpus;                     /* the fewest of the three that are set */
};

/* Sums the "cpuN" lines of /proc/stat text into s, counting CPU N only when want(N, ctx) is
 * nonzero (want NULL: every CPU). Returns 0, or -EINVAL when no CPU line was counted. */
int pb_cpustat_parse(const char *text, int (*want)(int cpu, void *ctx), void *ctx,
                     struct pb_cpustat *s);

/* Reads ROOT/proc/stat (root NULL or "": the machine's) into s, counting the CPUs of this
 * process's affinity set. Returns 0 or -errno. */
int pb_cpustat_read(const char *root, struct pb_cpustat *s);

/* The load between readings a and b of one window: own_cpu_s (the run's CPU time, and any
 * harness CPU spent on it) is taken out of the busy time. NAN fields when either reading
 * failed (ncpu 0) or they count different CPUs. */
void pb_cpuload_between(const struct pb_cpustat *a, const struct pb_cpustat *b, double own_cpu_s,
                        struct pb_cpuload *l);

/* 1 when load l over a run of wall_s seconds and width threads x ranks passes the threshold
 * above; 0 when it does not or l is unknown. */
int pb_cpuload_busy(const struct pb_cpuload *l, double wall_s, int width);

/* Parses cgroup v2 cpu.max text ("max 100000" or "150000 100000") into *cpus (quota / period;
 * 0 for "max"). Returns 0, or -EINVAL when the text is neither. */
int pb_cpu_quota_parse(const char *text, double *cpus);

/* The smallest cpu.max quota, in CPUs, along the cgroup v2 path of ROOT/proc/self/cgroup's
 * "0::" line and its ancestors under ROOT/sys/fs/cgroup (root NULL or "": the machine's);
 * 0 when there is none or the machine has no cgroup v2. */
double pb_cpu_quota(const char *root);

/* Fills a with this process's affinity CPUs, the quota under root (as pb_cpu_quota) and
 * OMP_THREAD_LIMIT, and their minimum in a->cpus. Returns 0. */
int pb_cpus_available(const char *root, struct pb_cpu_avail *a);

/* Writes a run's flag into buf (cap bytes): "" when clean, else the words "busy"
 * (pb_cpuload_busy) and "capped" (width > cpus_avail, when cpus_avail > 0) joined by ";".
 * Returns buf. */
char *pb_cpuload_flag(const struct pb_cpuload *l, double wall_s, int width, double cpus_avail,
                      char *buf, size_t cap);

/* Samples the machine for seconds (sleeping; this process uses nothing) into l, with its own
 * CPU time taken out and l->window_s the time between the two readings. Returns 0 or -errno
 * (-EINTR when a signal cut the sleep short). */
int pb_cpuload_sample(double seconds, struct pb_cpuload *l);

#endif
