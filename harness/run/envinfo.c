/* envinfo.c — collects the environment of a result set and writes NAME.json (see envinfo.h).
 * Everything is best effort: a field the machine hides is recorded as unknown rather than
 * failing the sweep, because a missing governor must not cost an hour of measurements. */
#include "envinfo.h"
#include "pairkern.h"
#include "fdio.h"
#include "hash.h"
#include "memory.h"
#include "plugin.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef PB_COMPILER
#define PB_COMPILER "unknown"
#endif
#ifndef PB_CFLAGS
#define PB_CFLAGS "unknown"
#endif
#ifndef PB_VERSION
#define PB_VERSION "unknown"
#endif
#ifndef PB_SOURCE_DIR
#define PB_SOURCE_DIR "."
#endif

#define TIMER_CALLS 100000           /* clock_gettime calls timed for the overhead median */

/* ---- reading the machine ---------------------------------------------------------------- */

/* Copies the value after "key<spaces>:" of the first matching line of a /proc file into out,
 * without the trailing newline. Returns 0, or -ENOENT when absent or unreadable. */
static int proc_field(const char *path, const char *key, char *out, size_t cap)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t len = 0, klen = strlen(key);
    int rc = -ENOENT;
    while (f && rc != 0 && getline(&line, &len, f) > 0) {
        const char *p = line + klen;
        if (strncmp(line, key, klen) != 0 || (*p != ' ' && *p != '\t' && *p != ':'))
            continue;
        p += strspn(p, " \t");
        if (*p++ != ':')
            continue;
        p += strspn(p, " \t");
        snprintf(out, cap, "%.*s", (int)strcspn(p, "\n"), p);
        rc = 0;
    }
    free(line);
    if (f)
        fclose(f);
    return rc;
}

/* A decimal /proc/cpuinfo field, or -1. */
static int cpuinfo_int(const char *key)
{
    char buf[64], *end;
    if (proc_field("/proc/cpuinfo", key, buf, sizeof buf) != 0)
        return -1;
    long v = strtol(buf, &end, 10);
    return end == buf || v < 0 || v > 1 << 20 ? -1 : (int)v;
}

/* The first line of a small file, or "" when unreadable. */
static void first_line(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "re");
    out[0] = '\0';
    if (f && fgets(out, (int)cap, f))
        out[strcspn(out, "\n")] = '\0';
    if (f)
        fclose(f);
}

/* The [selected] word of a sysfs choice file such as "always [madvise] never". */
static void bracketed(const char *path, char *out, size_t cap)
{
    char line[256];
    first_line(path, line, sizeof line);
    const char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
    if (open && close)
        snprintf(out, cap, "%.*s", (int)(close - open - 1), open + 1);
    else
        snprintf(out, cap, "%s", line[0] ? line : "unknown");
}

/* The affinity mask as a CPU list ("0-3,8"); returns how many CPUs it holds (0 if unknown). */
static int affinity_list(char *out, size_t cap)
{
    cpu_set_t set;
    size_t len = 0;
    out[0] = '\0';
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set))
            continue;
        int last = c;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
            last++;
        int w = last > c ? snprintf(out + len, cap - len, "%s%d-%d", len ? "," : "", c, last)
                         : snprintf(out + len, cap - len, "%s%d", len ? "," : "", c);
        len = len + (size_t)w < cap ? len + (size_t)w : cap - 1;
        c = last;
    }
    return CPU_COUNT(&set);
}

int pb_env_allowed_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Runs a shell command and keeps the first line of its output; returns its exit status, or
 * -1 when it could not run. */
static int command_line(const char *cmd, char *out, size_t cap, int *any_output)
{
    FILE *p = popen(cmd, "re");
    out[0] = '\0';
    *any_output = 0;
    if (!p)
        return -1;
    char line[512];
    while (fgets(line, sizeof line, p)) {
        if (!*any_output)
            snprintf(out, cap, "%.*s", (int)strcspn(line, "\n"), line);
        *any_output = 1;
    }
    int st = pclose(p);
    return st == -1 ? -1 : WEXITSTATUS(st);
}

/* The source tree's commit and whether it differs from it (untracked files included: an
 * untracked file under kernels/ is built into bench). */
static void git_state(struct pb_env *env)
{
    int any = 0;
    char status[512];
    snprintf(env->git_commit, sizeof env->git_commit, "unknown");
    env->git_dirty = -1;
    if (command_line("git -C '" PB_SOURCE_DIR "' rev-parse HEAD 2>/dev/null", env->git_commit,
                     sizeof env->git_commit, &any) != 0 || !any) {
        snprintf(env->git_commit, sizeof env->git_commit, "unknown");
        return;
    }
    if (command_line("git -C '" PB_SOURCE_DIR "' status --porcelain 2>/dev/null", status,
                     sizeof status, &any) == 0)
        env->git_dirty = any;
}

/* The OMP_* and GOMP_* variables of the environment. */
static void omp_environment(struct pb_env *env)
{
    extern char **environ;
    for (char **e = environ; e && *e && env->nomp_env < PB_ENV_MAX_VARS; e++) {
        if (strncmp(*e, "OMP_", 4) != 0 && strncmp(*e, "GOMP_", 5) != 0)
            continue;
        struct pb_env_var *v = &env->omp_env[env->nomp_env++];
        size_t eq = strcspn(*e, "=");
        snprintf(v->name, sizeof v->name, "%.*s", (int)eq, *e);
        snprintf(v->value, sizeof v->value, "%s", (*e)[eq] ? *e + eq + 1 : "");
    }
#ifdef _OPENMP
    env->openmp_version = _OPENMP;
    env->omp_max_threads = omp_get_max_threads();
#else
    env->openmp_version = 0;
    env->omp_max_threads = 1;
#endif
}

static double ts_seconds(const struct timespec *t)
{
    return (double)t->tv_sec + 1e-9 * (double)t->tv_nsec;
}

/* The clock's resolution and the median gap between consecutive clock_gettime calls: the
 * floor under any single timing this harness reports. It measures the clock itself, so it
 * calls clock_gettime directly rather than pb_now_s (pbclock.h). */
static void timer_costs(struct pb_env *env)
{
    struct timespec res = { 0 };
    double *gap = malloc(TIMER_CALLS * sizeof *gap);
    clock_getres(CLOCK_MONOTONIC, &res);
    env->timer_resolution_s = ts_seconds(&res);
    env->timer_overhead_s = -1;
    if (!gap)
        return;
    struct timespec prev, now;
    clock_gettime(CLOCK_MONOTONIC, &prev);
    for (size_t i = 0; i < TIMER_CALLS; i++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        gap[i] = (double)(now.tv_sec - prev.tv_sec) + 1e-9 * (double)(now.tv_nsec - prev.tv_nsec);
        prev = now;
    }
    env->timer_overhead_s = pb_median(gap, TIMER_CALLS);
    free(gap);
}

int pb_env_collect(struct pb_env *env)
{
    struct utsname u;
    *env = (struct pb_env){ .git_dirty = -1 };
    if (proc_field("/proc/cpuinfo", "model name", env->cpu_model, sizeof env->cpu_model) != 0)
        snprintf(env->cpu_model, sizeof env->cpu_model, "unknown");
    if (proc_field("/proc/cpuinfo", "flags", env->cpu_flags, sizeof env->cpu_flags) != 0)
        proc_field("/proc/cpuinfo", "Features", env->cpu_flags, sizeof env->cpu_flags);
    env->cpu_family = cpuinfo_int("cpu family");
    env->cpu_model_number = cpuinfo_int("model");
    env->cpu_stepping = cpuinfo_int("stepping");
    snprintf(env->kernel_level, sizeof env->kernel_level, "%s",
             pb_kern_level_name(pb_kern_level()));
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    env->cpus_online = online > 0 ? (int)online : -1;
    env->cpus_allowed = affinity_list(env->affinity, sizeof env->affinity);
    env->mem_total_kib = pb_memory_total_kib();
    double room = pb_memory_available();   /* the figure the guard uses */
    env->mem_available_kib = room < 0 ? -1 : (long)(room / 1024);
    bracketed("/sys/kernel/mm/transparent_hugepage/enabled", env->thp_enabled,
              sizeof env->thp_enabled);
    bracketed("/sys/kernel/mm/transparent_hugepage/defrag", env->thp_defrag,
              sizeof env->thp_defrag);
    first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", env->governor,
               sizeof env->governor);
    if (uname(&u) == 0) {
        snprintf(env->sysname, sizeof env->sysname, "%s", u.sysname);
        snprintf(env->release, sizeof env->release, "%s", u.release);
        snprintf(env->version, sizeof env->version, "%s", u.version);
        snprintf(env->machine, sizeof env->machine, "%s", u.machine);
    }
    snprintf(env->compiler, sizeof env->compiler, "%s", PB_COMPILER);
    snprintf(env->cflags, sizeof env->cflags, "%s", PB_CFLAGS);
    snprintf(env->bench_version, sizeof env->bench_version, "%s", PB_VERSION);
    omp_environment(env);
    git_state(env);
    timer_costs(env);
    return 0;
}

/* ---- extra key/values ------------------------------------------------------------------- */

/* The slot for key: its existing entry, else a fresh one; NULL when full or key is bad. */
static struct pb_env_extra *extra_slot(struct pb_env *env, const char *key, int *rc)
{
    *rc = -EINVAL;
    if (!key || !key[0] || strlen(key) >= sizeof env->extra[0].key)
        return NULL;
    for (size_t i = 0; i < env->nextra; i++)
        if (strcmp(env->extra[i].key, key) == 0)
            return &env->extra[i];
    *rc = -ENOSPC;
    if (env->nextra == PB_ENV_MAX_EXTRA)
        return NULL;
    struct pb_env_extra *x = &env->extra[env->nextra++];
    snprintf(x->key, sizeof x->key, "%s", key);
    return x;
}

int pb_env_add_str(struct pb_env *env, const char *key, const char *value)
{
    int rc;
    if (!value || strlen(value) >= sizeof env->extra[0].str)
        return -EINVAL;
    struct pb_env_extra *x = extra_slot(env, key, &rc);
    if (!x)
        return rc;
    x->is_num = 0;
    snprintf(x->str, sizeof x->str, "%s", value);
    return 0;
}

int pb_env_add_num(struct pb_env *env, const char *key, double value)
{
    int rc;
    struct pb_env_extra *x = extra_slot(env, key, &rc);
    if (!x)
        return rc;
    x->is_num = 1;
    x->num = value;
    return 0;
}

int pb_env_now_utc(char *buf, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || !gmtime_r(&now, &tm))
        return -errno;
    return strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) ? 0 : -ERANGE;
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* A JSON array of the space-separated words of s. */
static json_t *word_array(const char *s)
{
    json_t *a = json_array();
    while (a && *s) {
        size_t skip = strspn(s, " \t"), len = strcspn(s + skip, " \t");
        if (len)
            json_array_append_new(a, json_stringn(s + skip, len));
        s += skip + len;
    }
    return a;
}

static json_t *cpu_json(const struct pb_env *e)
{
    return json_pack("{s:s, s:i, s:i, s:i, s:o, s:i, s:i, s:s}", "model", e->cpu_model,
                     "family", e->cpu_family, "model_number", e->cpu_model_number, "stepping",
                     e->cpu_stepping, "flags", word_array(e->cpu_flags), "online",
                     e->cpus_online, "allowed", e->cpus_allowed, "affinity", e->affinity);
}

static json_t *openmp_json(const struct pb_env *e)
{
    json_t *vars = json_object();
    for (size_t i = 0; vars && i < e->nomp_env; i++)
        json_object_set_new(vars, e->omp_env[i].name, json_string(e->omp_env[i].value));
    return json_pack("{s:i, s:i, s:o}", "version", e->openmp_version, "max_threads",
                     e->omp_max_threads, "env", vars);
}

static json_t *extra_json(const struct pb_env *e)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < e->nextra; i++) {
        const struct pb_env_extra *x = &e->extra[i];
        json_object_set_new(o, x->key, x->is_num ? json_real(x->num) : json_string(x->str));
    }
    return o;
}

/* The config as an object when it parses; the raw text otherwise, so nothing is lost. */
static int add_config(json_t *root, const char *text)
{
    json_error_t jerr;
    json_t *cfg = text ? json_loads(text, 0, &jerr) : NULL;
    if (cfg)
        return json_object_set_new(root, "config", cfg);
    return json_object_set_new(root, "config_text", json_string(text ? text : ""));
}

/* Where the points of e come from, defaults resolved; in (may be NULL) is the input file's
 * identity. */
static json_t *workload_input_json(const struct pb_experiment *e, const struct pb_file_id *in)
{
    static const char *const kinds[] = {
        [PB_INPUT_UNIFORM] = "uniform", [PB_INPUT_CLUSTERED] = "clustered",
        [PB_INPUT_FILE] = "file", [PB_INPUT_POWERLAW] = "powerlaw",
    };
    const struct pb_input *i = &e->input;
    json_t *o = json_pack("{s:s, s:f}", "kind", (unsigned)i->kind < 4 ? kinds[i->kind] : "?",
                          "periodic", i->periodic);
    if (o && i->kind == PB_INPUT_FILE)
        json_object_set_new(o, "hash", in ? json_string(in->hash) : json_null());
    else if (o) {
        json_object_set_new(o, "seed", json_integer((json_int_t)i->seed));
        json_object_set_new(o, "box", json_real(i->box));
    }
    if (o && i->kind == PB_INPUT_POWERLAW)
        json_object_set_new(o, "powerlaw", json_pack("{s:i, s:i, s:i, s:f, s:f}", "clusters",
                            i->pl.clusters, "levels", i->pl.levels, "eta", i->pl.eta, "lambda",
                            i->pl.lambda, "radius", i->pl.radius));
    return o;
}

/* The bins of e for the workload record: count, first and last edge, scale; explicit edges
 * also by the FNV-1a 64 of their bytes, so two lists that differ inside their range differ. */
static json_t *workload_bins_json(const struct pb_experiment *e)
{
    static const char *const scales[] = { [PB_BINS_LINEAR] = "linear", [PB_BINS_LOG] = "log",
                                          [PB_BINS_EXPLICIT] = "explicit" };
    const struct pb_bin_spec *b = &e->bins;
    json_t *o = json_pack("{s:I, s:f, s:f, s:s}", "count", (json_int_t)b->count, "min", b->min,
                          "max", b->max, "scale", (unsigned)b->scale < 3 ? scales[b->scale] : "?");
    if (o && b->scale == PB_BINS_EXPLICIT && b->edges) {
        char hex[17];
        pb_fnv1a64_hex(pb_fnv1a64(PB_FNV1A64_INIT, b->edges, (b->count + 1) * sizeof *b->edges),
                       hex);
        json_object_set_new(o, "edges_fnv1a64", json_string(hex));
    }
    return o;
}

/* What every run of e computed, defaults resolved, for bench compare's like-with-like check. */
static json_t *workload_json(const struct pb_experiment *e, const struct pb_file_id *in)
{
    int hist = e->output == PB_OUTPUT_HISTOGRAM;
    return json_pack("{s:o, s:s, s:o, s:s, s:f}", "input", workload_input_json(e, in), "output",
                     hist ? "histogram" : "matrix", "bins", hist ? workload_bins_json(e)
                     : json_null(), "precision",
                     e->precision == PB_PRECISION_FLOAT ? "float" : "double", "periodic",
                     e->periodic);
}

/* One plugin library's identity and build (plugin.h). */
static json_t *plugin_json(const struct pb_plugin_id *p)
{
    json_t *build = p->has_build
        ? json_pack("{s:b, s:s, s:b, s:s}", "optimized", p->optimized, "isa",
                    pb_plugin_isa_name(p->isa), "fast_math", p->fast_math, "compiler", p->compiler)
        : json_null();
    return json_pack("{s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:o}", "path", p->path, "realpath",
                     p->real, "size", (json_int_t)p->file.size, "mtime_ns",
                     (json_int_t)p->file.mtime_ns, "hash", p->file.hash, "strategies",
                     word_array(p->strategies), "build", build, "warning",
                     p->warning[0] ? json_string(p->warning) : json_null());
}

/* Every plugin library loaded so far, in load order. */
static json_t *plugins_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < pb_plugin_count(); i++)
        json_array_append_new(a, plugin_json(pb_plugin_get(i)));
    return a;
}

/* Builds the whole document; NULL when jansson runs out of memory. */
static json_t *env_json(const struct pb_env *e, const char *config_text, const char *hash,
                        const char *started)
{
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:o, s:{s:I, s:I}, s:{s:s, s:s}, s:o, s:{s:s, s:s, s:s, s:s},"
        " s:{s:s, s:s}, s:o, s:{s:s, s:o}, s:{s:s, s:f, s:f}, s:o}",
        "bench_version", e->bench_version, "started", started ? started : "", "config_hash",
        hash ? hash : "", "cpu", cpu_json(e), "memory", "total_kib",
        (json_int_t)e->mem_total_kib, "available_kib", (json_int_t)e->mem_available_kib,
        "transparent_hugepage", "enabled", e->thp_enabled, "defrag", e->thp_defrag,
        "governor", e->governor[0] ? json_string(e->governor) : json_null(), "kernel",
        "sysname", e->sysname, "release", e->release, "version", e->version, "machine",
        e->machine, "compiler", "id", e->compiler, "flags", e->cflags, "openmp", openmp_json(e),
        "git", "commit", e->git_commit, "dirty",
        e->git_dirty < 0 ? json_null() : json_boolean(e->git_dirty), "timer", "clock",
        "CLOCK_MONOTONIC", "resolution_s", e->timer_resolution_s, "call_overhead_s",
        e->timer_overhead_s, "extra", extra_json(e));
    if (root && (json_object_set_new(root, "kernel_level", json_string(e->kernel_level)) != 0 ||
                 json_object_set_new(root, "plugins", plugins_json()) != 0)) {
        json_decref(root);
        return NULL;
    }
    if (root && add_config(root, config_text) != 0) {
        json_decref(root);
        root = NULL;
    }
    return root;
}

/* Gives a file made by mkostemp (0600) the mode fopen would have: 0666 less the umask. */
static int fchmod_path(const char *path)
{
    mode_t mask = umask(0);
    umask(mask);
    return chmod(path, 0666 & ~mask);
}

/* Writes root to path through a private temporary (O_EXCL, never through a planted link)
 * renamed into place. Returns 0 or -errno with err. */
static int dump_into_place(json_t *root, const char *path, struct pb_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return pb_fail(err, -errno, "%s: cannot write: %s", path, pb_write_error(errno));
    int rc = json_dumpfd(root, fd, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    int e = rc != 0 ? (errno ? errno : EIO) : 0;
    if (!e && (pb_write_all(fd, "\n", 1) != 0 || fsync(fd) != 0))
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && fchmod_path(tmp) != 0)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        return pb_fail(err, -e, "%s: cannot write: %s", path, pb_write_error(e));
    }
    return 0;
}

/* dump_into_place for a document built by the caller (NULL: out of memory), then released. */
static int dump_owned(json_t *root, const char *path, struct pb_err *err)
{
    if (!root)
        return pb_fail(err, -ENOMEM, "%s: cannot build the environment record", path);
    int rc = dump_into_place(root, path, err);
    json_decref(root);
    return rc;
}

int pb_env_write_json(const char *path, const struct pb_env *env, const char *config_text,
                      const char *config_hash, const char *started, struct pb_err *err)
{
    return dump_owned(env_json(env, config_text, config_hash, started), path, err);
}

int pb_env_read_input(const char *meta_path, struct pb_file_id *id)
{
    json_error_t jerr;
    json_t *root = json_load_file(meta_path, 0, &jerr), *in;
    if (!root)
        return -EINVAL;
    in = json_object_get(root, "input");
    const char *hash = json_string_value(json_object_get(in, "hash"));
    int present = json_is_object(in) && hash;
    if (present) {
        id->size = json_integer_value(json_object_get(in, "size"));
        id->mtime_ns = json_integer_value(json_object_get(in, "mtime_ns"));
        snprintf(id->hash, sizeof id->hash, "%s", hash);
    }
    json_decref(root);
    return present;
}

/* This session's record: the environment keys, without the config. */
static json_t *session_json(const struct pb_env *env, const char *started)
{
    json_t *s = env_json(env, NULL, NULL, started);
    if (s) {
        json_object_del(s, "config");
        json_object_del(s, "config_text");
        json_object_del(s, "config_hash");
    }
    return s;
}

/* The document this session writes: the existing one (resume) or a fresh one, with the
 * input and sessions keys in place. NULL when out of memory. */
static json_t *session_document(const char *path, const struct pb_env *env,
                                const struct pb_env_meta *m, int resume)
{
    json_error_t jerr;
    json_t *root = resume ? json_load_file(path, 0, &jerr) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        root = env_json(env, m->config_text, m->config_hash, m->started);
        if (root && m->input_path && m->input)
            json_object_set_new(root, "input", json_pack("{s:s, s:I, s:I, s:s}", "path",
                m->input_path, "size", (json_int_t)m->input->size, "mtime_ns",
                (json_int_t)m->input->mtime_ns, "hash", m->input->hash));
        if (root && m->workload)
            json_object_set_new(root, "workload", workload_json(m->workload, m->input));
    }
    json_t *sessions = root ? json_object_get(root, "sessions") : NULL;
    if (root && !json_is_array(sessions)) {
        sessions = json_array();
        json_object_set_new(root, "sessions", sessions);
    }
    if (root && json_array_append_new(sessions, session_json(env, m->started)) != 0) {
        json_decref(root);
        root = NULL;
    }
    return root;
}

int pb_env_write_session(const char *path, const struct pb_env *env, const struct pb_env_meta *m,
                         int resume, struct pb_err *err)
{
    return dump_owned(session_document(path, env, m, resume), path, err);
}
