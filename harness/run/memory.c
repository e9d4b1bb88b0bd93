/* memory.c — the memory method (see memory.h for what is counted and why): the process-tree
 * PSS sampler, the run child's floor, the per-run cgroup, OOM kills, the memory available to
 * this process, and the guard with the byte estimate it uses.
 *
 * The byte estimate is here rather than beside the time estimate (estimate.c) because its only
 * use is to be compared with the memory available (the guard, the dry run): one decision, one
 * module. The time model serves other decisions (ETA, default timeout, skip by estimate) and
 * knows nothing of memory, so it is a module of its own.
 */
#include "memory.h"

#include "config.h"
#include "fdio.h"
#include "pbclock.h"
#include "plan.h"
#include "problem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22          /* Linux 5.14; older kernels return EINVAL, harmlessly */
#endif

#define PB_SAMPLE_MIN_MS 1             /* first sampling interval */
#define PB_SAMPLE_MAX_MS 20            /* interval the sampler backs off to */
#define PB_SAMPLE_SHARE 10             /* interval >= 10x a sample's CPU cost */
#define PB_SAMPLE_CAP_MS 250           /* ...but never longer than this */

/* ---- reading /proc, /sys ----------------------------------------------------------------- */

/* The number after "key" in a "key value" text (proc status, smaps_rollup, meminfo, memory.stat),
 * or -1. */
static long field_value(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, key, kl) == 0)
            return strtol(l + kl, NULL, 10);
    return -1;
}

/* One field of /proc/PID/FILE (pid 0: self) in kB, or -1 when unreadable (process gone). */
static long proc_field(pid_t pid, const char *file, const char *key)
{
    char path[64], buf[4096];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    else
        snprintf(path, sizeof path, "/proc/self/%s", file);
    if (pb_read_text(path, buf, sizeof buf) <= 0)
        return -1;
    return field_value(buf, key);
}

/* Reads the number at the start of dir/file into *v. Returns 1 when it holds one ("max" and
 * unreadable files: 0). */
static int read_number(const char *dir, const char *file, double *v)
{
    char path[PATH_MAX + 256], buf[64], *end;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (pb_read_text(path, buf, sizeof buf) <= 0)
        return 0;
    *v = strtod(buf, &end);
    return end != buf;
}

/* ---- the process-tree sampler ------------------------------------------------------------ */

void pb_memory_sampler_init(struct pb_memory_sampler *s)
{
    memset(s, 0, sizeof *s);
    s->interval_ms = PB_SAMPLE_MIN_MS;
}

/* Appends the children of pid (all its threads' children) to t[*n..max). */
static void add_children(pid_t pid, pid_t *t, int *n, int max)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", (int)pid, e->d_name);
        if (pb_read_text(path, buf, sizeof buf) <= 0)
            continue;
        for (char *s = buf, *end; *n < max; s = end) {
            long c = strtol(s, &end, 10);
            if (end == s)
                break;
            t[(*n)++] = (pid_t)c;
        }
    }
    closedir(d);
}

int pb_memory_tree(pid_t *t, int max)
{
    int n = 0;
    add_children(getpid(), t, &n, max);
    for (int i = 0; i < n; i++)
        add_children(t[i], t, &n, max);
    return n;
}

void pb_memory_remember(struct pb_memory_sampler *s, const pid_t *t, int n)
{
    for (int i = 0; i < n && s->nseen < PB_MEMORY_MAX_TREE; i++)
        if (!pb_memory_seen(s, t[i]))
            s->seen[s->nseen++] = t[i];
}

int pb_memory_seen(const struct pb_memory_sampler *s, pid_t pid)
{
    for (int i = 0; i < s->nseen; i++)
        if (s->seen[i] == pid)
            return 1;
    return 0;
}

void pb_memory_sample(struct pb_memory_sampler *s)
{
    double c0 = pb_clock_s(CLOCK_THREAD_CPUTIME_ID);
    pid_t t[PB_MEMORY_MAX_TREE];
    int n = pb_memory_tree(t, PB_MEMORY_MAX_TREE);
    pb_memory_remember(s, t, n);
    long sum = 0;
    for (int i = 0; i < n; i++) {
        long pss = proc_field(t[i], "smaps_rollup", "Pss:");
        sum += pss > 0 ? pss : 0;              /* a zombie or a process just gone: nothing */
    }
    if (sum > s->peak_pss_kib)
        s->peak_pss_kib = sum;
    s->samples++;
    double cost = pb_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    s->cpu_s += cost;
    s->interval_ms = pb_memory_next_interval(s->interval_ms, cost);
}

/* smaps_rollup walks page tables: with 4 KiB pages a 3 GB process costs tens of ms a sample,
 * hence the floor of PB_SAMPLE_SHARE times the last cost. */
int pb_memory_next_interval(int ms, double cost)
{
    int next = ms * 3 / 2 + 1 < PB_SAMPLE_MAX_MS ? ms * 3 / 2 + 1 : PB_SAMPLE_MAX_MS;
    int floor_ms = (int)(cost * 1000 * PB_SAMPLE_SHARE) + 1;
    if (floor_ms > PB_SAMPLE_CAP_MS)
        floor_ms = PB_SAMPLE_CAP_MS;
    return next > floor_ms ? next : floor_ms;
}

/* ---- the run child's floor --------------------------------------------------------------- */

void pb_memory_floor_start(struct pb_memory_floor *f)
{
    pb_write_text("/proc/self/clear_refs", "5");     /* an inherited high-water mark must not count */
    f->start_rss_kib = proc_field(0, "smaps_rollup", "Rss:");
    f->start_pss_kib = proc_field(0, "smaps_rollup", "Pss:");
}

void pb_memory_floor_end(struct pb_memory_floor *f, void *matrix, size_t bytes)
{
    if (matrix)
        madvise(matrix, bytes, MADV_POPULATE_READ);
    f->hwm_kib = proc_field(0, "status", "VmHWM:");
}

long pb_memory_peak_kib(long sampled_kib, const struct pb_memory_floor *f)
{
    if (!f)
        return sampled_kib;
    long floor = f->hwm_kib - (f->start_rss_kib - f->start_pss_kib);
    return floor > sampled_kib ? floor : sampled_kib;
}

/* ---- the run's cgroup -------------------------------------------------------------------- */

int pb_memory_cgroup_find(const char *root, char *dir, size_t cap)
{
    enum { PATH_CAP = 4096 };
    char *path = malloc(2 * PATH_CAP), *ctl = path + PATH_CAP, *line = NULL;   /* not on the
                                          stack: the runner calls this at its deepest */
    size_t len = 0;
    int version = 0;
    dir[0] = '\0';
    if (!path)
        return 0;
    snprintf(path, PATH_CAP, "%s/proc/self/cgroup", root);
    snprintf(ctl, PATH_CAP, "%s/sys/fs/cgroup/cgroup.controllers", root);
    FILE *f = fopen(path, "re");
    while (f && version != 1 && getline(&line, &len, f) > 0) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        c2[1 + strcspn(c2 + 1, "\n")] = '\0';
        const char *rel = strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1;
        if (strncmp(c1, ":memory:", 8) == 0)
            version = 1, snprintf(dir, cap, "%s/sys/fs/cgroup/memory%s", root, rel);
        else if (strncmp(line, "0::", 3) == 0 && access(ctl, F_OK) == 0)
            version = 2, snprintf(dir, cap, "%s/sys/fs/cgroup%s", root, rel);
    }
    free(line);
    free(path);
    if (f)
        fclose(f);
    return version;
}

void pb_memory_cgroup_create(struct pb_memory_cgroup *cg)
{
    static int state;                  /* 0 unknown, 1 works, -1 does not */
    static int version;
    static char base[PATH_MAX - 64];
    static unsigned seq;
    cg->version = 0;
    if (state == 0)
        version = pb_memory_cgroup_find("", base, sizeof base);
    if (state < 0 || version == 0) {
        state = -1;
        return;
    }
    snprintf(cg->dir, sizeof cg->dir, "%s/pb-run-%d-%u", base, (int)getpid(), seq++);
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/%s", cg->dir,
             version == 1 ? "memory.max_usage_in_bytes" : "memory.peak");
    if (mkdir(cg->dir, 0755) != 0 || access(probe, R_OK) != 0) {
        rmdir(cg->dir);
        state = -1;
        return;
    }
    state = 1;
    cg->version = version;
}

void pb_memory_cgroup_attach(struct pb_memory_cgroup *cg, pid_t pid)
{
    char path[PATH_MAX + 32], text[32];
    if (!cg->version)
        return;
    snprintf(path, sizeof path, "%s/cgroup.procs", cg->dir);
    snprintf(text, sizeof text, "%d\n", (int)pid);
    if (pb_write_text(path, text) != 0) {
        rmdir(cg->dir);
        cg->version = 0;
    }
}

/* Reads one number from a file of the run's cgroup ("key" NULL: the whole file is the number),
 * or -1. */
static long cgroup_read(const struct pb_memory_cgroup *cg, const char *file, const char *key)
{
    char path[PATH_MAX + 32], buf[4096];
    if (!cg->version)
        return -1;
    snprintf(path, sizeof path, "%s/%s", cg->dir, file);
    if (pb_read_text(path, buf, sizeof buf) <= 0)
        return -1;
    return key ? field_value(buf, key) : strtol(buf, NULL, 10);
}

long pb_memory_cgroup_peak_kib(const struct pb_memory_cgroup *cg)
{
    long b = cgroup_read(cg, cg->version == 1 ? "memory.max_usage_in_bytes" : "memory.peak",
                         NULL);
    return b < 0 ? -1 : b / 1024;
}

long pb_memory_cgroup_oom_kills(const struct pb_memory_cgroup *cg)
{
    return cgroup_read(cg, cg->version == 1 ? "memory.oom_control" : "memory.events",
                       "oom_kill ");
}

void pb_memory_cgroup_remove(struct pb_memory_cgroup *cg)
{
    if (!cg->version)
        return;
    for (int i = 0; i < 200 && rmdir(cg->dir) != 0 && errno == EBUSY; i++)
        usleep(5000);
    cg->version = 0;
}

/* field_value of key in the small file at path, read at once into a heap buffer of size
 * bytes (not the stack, which may be small); -1 when unreadable or out of memory. */
static long file_field(const char *path, size_t size, const char *key)
{
    char *buf = malloc(size);
    long v = buf && pb_read_text(path, buf, size) > 0 ? field_value(buf, key) : -1;
    free(buf);
    return v;
}

long pb_memory_oom_kills(void)
{
    return file_field("/proc/vmstat", 16384, "oom_kill ");
}

/* ---- memory available -------------------------------------------------------------------- */

/* The least limit - usage over dir and its ancestors down to its first base_len characters
 * (the hierarchy's root), or -1 when no level has a limit. dir is cut in place. */
static double cgroup_room(int version, char *dir, size_t base_len)
{
    const char *lim = version == 1 ? "memory.limit_in_bytes" : "memory.max";
    const char *use = version == 1 ? "memory.usage_in_bytes" : "memory.current";
    double room = -1;
    for (;;) {
        double l, u;
        if (read_number(dir, lim, &l) && read_number(dir, use, &u) && l < 1e18) {
            double r = l > u ? l - u : 0;
            room = room < 0 || r < room ? r : room;
        }
        char *slash = strrchr(dir, '/');
        if (strlen(dir) <= base_len || !slash || (size_t)(slash - dir) < base_len)
            return room;
        *slash = '\0';
    }
}

/* The figure key ("MemTotal:") of root's /proc/meminfo in kB, or -1. */
static long meminfo_kib(const char *root, const char *key)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/proc/meminfo", root);
    return file_field(path, 8192, key);
}

long pb_memory_total_kib(void)
{
    return meminfo_kib("", "MemTotal:");
}

double pb_memory_available_at(const char *root)
{
    char dir[4096];
    long kib = meminfo_kib(root, "MemAvailable:");
    double avail = kib < 0 ? -1 : (double)kib * 1024;
    int version = pb_memory_cgroup_find(root, dir, sizeof dir);
    if (!version)
        return avail;
    size_t base = strlen(root) + strlen(version == 1 ? "/sys/fs/cgroup/memory"
                                                     : "/sys/fs/cgroup");
    double room = cgroup_room(version, dir, base);
    return room >= 0 && (avail < 0 || room < avail) ? room : avail;
}

double pb_memory_available(void)
{
    return pb_memory_available_at("");
}

/* ---- the guard --------------------------------------------------------------------------- */

double pb_memory_room(void)
{
    double avail = pb_memory_available();   /* MemAvailable and every cgroup limit */
    if (avail < 0)
        return 1e18;                  /* unknown: do not guard */
    return avail * 0.9 - 256.0 * 1024 * 1024;   /* margin for the harness and the page cache */
}

double pb_memory_extra_bytes(const struct pb_experiment *e, const struct pb_run *run)
{
    const struct pb_strategy *st = e->strategies[run->strategy].strategy;
    if (!st->extra_bytes)
        return 0;
    struct pb_problem p;
    pb_problem_init(&p, e, NULL, run->n, NULL);
    struct pb_params k = {.threads = run->threads, .ranks = run->ranks, .pin = e->pin,
                          .kv = e->strategies[run->strategy].kv,
                          .nkv = e->strategies[run->strategy].nkv};
    return (double)st->extra_bytes(&p, &k);
}

double pb_memory_estimate_bytes(const struct pb_experiment *e, const struct pb_run *run)
{
    double elem = e->precision == PB_PRECISION_FLOAT ? 4.0 : 8.0;
    double n = (double)run->n, bins = (double)e->bins.count;
    int hist = e->output == PB_OUTPUT_HISTOGRAM;
    double out = hist ? bins * 8.0 : n * n * elem;
    double input = n * (24.0 + (e->precision == PB_PRECISION_FLOAT ? 12.0 : 0.0)) +
                   (hist ? (bins + 1) * 8.0 : 0);          /* the points, and the edges */
    return out + input + pb_memory_extra_bytes(e, run) + 8.0 * 1024 * 1024;  /* + the process */
}

/* Bytes the reference for run's n adds when it is still to be made: what the harness keeps
 * beside the run's own, the matrix in a memfd or the histogram's counts. */
static double reference_bytes(const struct pb_experiment *e, const struct pb_run *run,
                              int pending)
{
    if (run->n == 0 || !pending)
        return 0;
    if (e->output == PB_OUTPUT_HISTOGRAM)
        return (double)e->bins.count * sizeof(uint64_t);
    return (double)run->n * (double)run->n * sizeof(double);
}

int pb_memory_guard(const struct pb_experiment *e, const struct pb_run *run,
                    int reference_pending, char *why, size_t cap)
{
    double need = pb_memory_estimate_bytes(e, run) + reference_bytes(e, run, reference_pending);
    double avail = pb_memory_room();
    if (need <= avail)
        return 0;
    snprintf(why, cap, "needs %.2f GiB, %.2f GiB available", need / 1073741824.0,
             avail / 1073741824.0);
    return -ENOMEM;
}
