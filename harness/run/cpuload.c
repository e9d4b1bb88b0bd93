/* cpuload.c — the CPU load and CPU availability of cpuload.h, from /proc/stat, the affinity
 * set, cgroup v2 cpu.max and OMP_THREAD_LIMIT. Every file is read under a root folder, so tests
 * feed fixture trees instead of depending on how busy the machine is. */
#include "cpuload.h"

#include "fdio.h"
#include "pbclock.h"
#include "results.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ROOT + rel into buf ("" or NULL root: rel as it is). Returns buf. */
static char *rooted(const char *root, const char *rel, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s", root ? root : "", rel);
    return buf;
}

/* Adds one "cpuN user nice system idle iowait irq softirq steal ..." line (at line, past
 * "cpu") to s when want accepts N. Returns 1 when counted, 0 when not a per-CPU line or
 * skipped. */
static int add_cpu_line(const char *line, int (*want)(int, void *), void *ctx,
                        struct pb_cpustat *s)
{
    char *end;
    if (*line < '0' || *line > '9')
        return 0;                      /* the aggregate "cpu " line */
    long cpu = strtol(line, &end, 10);
    if (end == line || *end != ' ' || cpu < 0 || cpu > INT_MAX || (want && !want((int)cpu, ctx)))
        return 0;
    unsigned long long v[8] = { 0 };   /* user nice system idle iowait irq softirq steal */
    const char *p = end;
    for (int i = 0; i < 8; i++, p = end) {
        v[i] = strtoull(p, &end, 10);
        if (end == p)
            break;                     /* an old kernel without steal: the rest stays 0 */
    }
    s->busy += v[0] + v[1] + v[2] + v[5] + v[6];
    s->steal += v[7];
    s->ncpu++;
    return 1;
}

int pb_cpustat_parse(const char *text, int (*want)(int cpu, void *ctx), void *ctx,
                     struct pb_cpustat *s)
{
    *s = (struct pb_cpustat){ 0 };
    for (const char *line = text; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (strncmp(line, "cpu", 3) == 0)
            add_cpu_line(line + 3, want, ctx, s);
    }
    return s->ncpu > 0 ? 0 : -EINVAL;
}

/* want() for pb_cpustat_parse: CPU cpu is in the cpu_set_t ctx. */
static int in_set(int cpu, void *ctx)
{
    return cpu < CPU_SETSIZE && CPU_ISSET(cpu, (cpu_set_t *)ctx);
}

int pb_cpustat_read(const char *root, struct pb_cpustat *s)
{
    char path[PATH_MAX], *text = NULL;
    cpu_set_t set;
    int have_set = sched_getaffinity(0, sizeof set, &set) == 0;
    *s = (struct pb_cpustat){ 0 };
    int rc = pb_read_file(rooted(root, "/proc/stat", path, sizeof path), &text, NULL);
    if (rc == 0)
        rc = pb_cpustat_parse(text, have_set ? in_set : NULL, &set, s);
    free(text);
    return rc;
}

void pb_cpuload_between(const struct pb_cpustat *a, const struct pb_cpustat *b, double own_cpu_s,
                        struct pb_cpuload *l)
{
    double tick = 1.0 / (double)sysconf(_SC_CLK_TCK);
    *l = (struct pb_cpuload){ .other_cpu_s = NAN, .steal_s = NAN };
    if (a->ncpu == 0 || a->ncpu != b->ncpu || b->busy < a->busy || b->steal < a->steal)
        return;
    l->ncpu = a->ncpu;
    l->other_cpu_s = (double)(b->busy - a->busy) * tick - own_cpu_s;
    l->steal_s = (double)(b->steal - a->steal) * tick;
}

int pb_cpuload_busy(const struct pb_cpuload *l, double wall_s, int width)
{
    if (l->ncpu <= 0 || !isfinite(l->other_cpu_s) || !isfinite(l->steal_s) || !(wall_s > 0))
        return 0;
    int used = width < l->ncpu ? (width > 0 ? width : 1) : l->ncpu;
    double idle = (double)(l->ncpu - used) * wall_s;
    double slack = PB_BUSY_SHARE * wall_s + PB_BUSY_TICKS * l->ncpu / (double)sysconf(_SC_CLK_TCK);
    return l->other_cpu_s + l->steal_s > idle + slack;
}

int pb_cpu_quota_parse(const char *text, double *cpus)
{
    char *end;
    *cpus = 0;
    if (strncmp(text, "max", 3) == 0 && (text[3] == ' ' || text[3] == '\n' || !text[3]))
        return 0;
    double quota = strtod(text, &end);
    if (end == text || *end != ' ' || !(quota > 0))
        return -EINVAL;
    const char *p = end;
    double period = strtod(p, &end);
    if (end == p || !(period > 0))
        return -EINVAL;
    *cpus = quota / period;
    return 0;
}

/* The "0::/path" line's path of ROOT/proc/self/cgroup into path (cap bytes). Returns 0, or
 * -ENOENT when there is no cgroup v2 line. */
static int cgroup2_path(const char *root, char *path, size_t cap)
{
    char file[PATH_MAX], text[8192];
    if (pb_read_text(rooted(root, "/proc/self/cgroup", file, sizeof file), text, sizeof text) <= 0)
        return -ENOENT;
    for (char *line = text; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (strncmp(line, "0::", 3) != 0)
            continue;
        size_t len = strcspn(line + 3, "\n");
        snprintf(path, cap, "%.*s", (int)len, line + 3);
        return 0;
    }
    return -ENOENT;
}

double pb_cpu_quota(const char *root)
{
    char cg[PATH_MAX / 2], file[PATH_MAX], text[128];
    double best = 0;
    if (cgroup2_path(root, cg, sizeof cg) != 0 || cg[0] != '/')
        return 0;
    for (;;) {                         /* the cgroup, then each ancestor up to the top */
        double q;
        snprintf(file, sizeof file, "%s/sys/fs/cgroup%s%scpu.max", root ? root : "", cg,
                 cg[strlen(cg) - 1] == '/' ? "" : "/");
        if (pb_read_text(file, text, sizeof text) > 0 && pb_cpu_quota_parse(text, &q) == 0 &&
            q > 0 && (best == 0 || q < best))
            best = q;
        char *slash = strrchr(cg, '/');
        if (!slash || cg[1] == '\0')
            return best;
        slash[slash == cg] = '\0';     /* "/a/b" -> "/a" -> "/" */
    }
}

int pb_cpus_available(const char *root, struct pb_cpu_avail *a)
{
    cpu_set_t set;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    const char *lim = getenv("OMP_THREAD_LIMIT");
    *a = (struct pb_cpu_avail){ .affinity = online > 0 ? (int)online : 1 };
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        a->affinity = CPU_COUNT(&set);
    a->quota = pb_cpu_quota(root);
    if (lim && atoi(lim) > 0)
        a->thread_limit = atoi(lim);
    a->cpus = a->affinity;
    if (a->quota > 0 && a->quota < a->cpus)
        a->cpus = a->quota;
    if (a->thread_limit > 0 && a->thread_limit < a->cpus)
        a->cpus = a->thread_limit;
    return 0;
}

char *pb_cpuload_flag(const struct pb_cpuload *l, double wall_s, int width, double cpus_avail,
                      char *buf, size_t cap)
{
    int busy = pb_cpuload_busy(l, wall_s, width);
    int capped = cpus_avail > 0 && width > cpus_avail;
    snprintf(buf, cap, "%s%s%s", busy ? PB_FLAG_BUSY : "", busy && capped ? ";" : "",
             capped ? PB_FLAG_CAPPED : "");
    return buf;
}

/* This process's CPU time so far, seconds (user + system). */
static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

int pb_cpuload_sample(double seconds, struct pb_cpuload *l)
{
    struct pb_cpustat a, b;
    struct timespec ts = { .tv_sec = (time_t)seconds,
                           .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };
    *l = (struct pb_cpuload){ .other_cpu_s = NAN, .steal_s = NAN };
    double c0 = self_cpu_s();
    int rc = pb_cpustat_read(NULL, &a);
    double t0 = pb_now_s();
    if (rc < 0)
        return rc;
    if (nanosleep(&ts, NULL) != 0)
        return -errno;
    if ((rc = pb_cpustat_read(NULL, &b)) < 0)
        return rc;
    pb_cpuload_between(&a, &b, self_cpu_s() - c0, l);
    l->window_s = pb_now_s() - t0;
    return 0;
}
