/* envinfo.h — the machine, build and timer a result set was measured with, written beside the
 * CSV as NAME.json, so a number can be judged later (was turbo/THP/affinity what we think?).
 *
 * NAME.json keys (the contract for readers):
 *   bench_version, started (ISO 8601 UTC), config_hash, config (the config file as a JSON
 *   object; "config_text" holds the raw text instead if it does not parse),
 *   every real written with 17 significant digits, so that it reads back as the same double
 *   (a config's explicit bin edges included),
 *   cpu {model, family, model_number, stepping (decimal, as /proc/cpuinfo gives them; -1
 *   unknown), flags [..], online, allowed, affinity ("0-3,8")},
 *   kernel_level (the instruction-set level the hot kernels run at: "x86-64", "x86-64-v3",
 *   "x86-64-v4" when the build dispatches, "build (avx512)" etc. when it is built for one CPU;
 *   see kernels/support/pairkern.h),
 *   memory {total_kib, available_kib},
 *   transparent_hugepage {enabled, defrag}   ("always" | "madvise" | "never" | "unknown"),
 *   governor (string, null when unreadable),
 *   kernel {sysname, release, version, machine},
 *   compiler {id, flags},
 *   openmp {version (the _OPENMP macro, yyyymm; 0 without OpenMP), max_threads, env {OMP_*,
 *   GOMP_*}},
 *   git {commit ("unknown" outside a repository), dirty (true/false, null when unknown)},
 *   timer {clock, resolution_s, call_overhead_s (median of consecutive clock_gettime)},
 *   extra {key: string | number}  (whatever the caller added, e.g. measured limits),
 *   input {path, size, mtime_ns, hash}   (a points file: its identity when the sweep began;
 *   absent for generated points),
 *   workload {input {kind, seed, box, periodic, powerlaw {..} | hash}, output, bins {count,
 *   min, max, scale} (histogram), precision, periodic}   (what every run computed, defaults
 *   resolved: bench compare refuses to compare result sets whose workloads differ),
 *   plugins [ {path, realpath, size, mtime_ns, hash, strategies [..], build {optimized, isa,
 *   fast_math, compiler} (null when the library records none), warning (null, or why its
 *   times are not comparable with the built-in kernels')} ]   (every plugin library loaded),
 *   sessions [ {started, and the environment keys above except config*} ]  (one per session:
 *   the first when the file is written, one appended by each --resume; the top-level keys stay
 *   those of the first session).
 * memory.available_kib is pb_memory_available (memory.h): the smaller of MemAvailable and the
 * room left under every memory cgroup limit above this process.
 */
#ifndef PAIRBENCH_ENVINFO_H
#define PAIRBENCH_ENVINFO_H

#include "config.h"
#include "error.h"
#include "fileid.h"

#include <stddef.h>

#define PB_ENV_MAX_VARS 32           /* OMP_* / GOMP_* variables kept */
#define PB_ENV_MAX_EXTRA 32          /* caller-added key/values */

struct pb_env_var {
    char name[64];
    char value[256];
};

struct pb_env_extra {
    char key[64];
    int is_num;                      /* 1: num holds the value, 0: str does */
    double num;
    char str[256];
};

struct pb_env {
    char cpu_model[256];             /* "unknown" when /proc/cpuinfo has none */
    char cpu_flags[4096];            /* space-separated, as /proc/cpuinfo lists them */
    int cpu_family, cpu_model_number, cpu_stepping;  /* /proc/cpuinfo; -1 unknown */
    char kernel_level[32];           /* pb_kern_level_name of the level the kernels run at */
    int cpus_online;                 /* sysconf(_SC_NPROCESSORS_ONLN) */
    int cpus_allowed;                /* CPUs in this process's affinity mask */
    char affinity[512];              /* the mask as a CPU list, "0-1" */
    long mem_total_kib, mem_available_kib;  /* /proc/meminfo; -1 unknown */
    char thp_enabled[16], thp_defrag[16];   /* the bracketed word of the sysfs files */
    char governor[64];               /* cpu0's scaling governor; "" when unreadable */
    char sysname[65], release[128], version[256], machine[65];  /* uname (65: utsname) */
    char compiler[128], cflags[512]; /* PB_COMPILER, PB_CFLAGS of this build */
    int openmp_version;              /* _OPENMP, 0 without OpenMP */
    int omp_max_threads;             /* omp_get_max_threads(), 1 without OpenMP */
    struct pb_env_var omp_env[PB_ENV_MAX_VARS];
    size_t nomp_env;
    char git_commit[64];             /* "unknown" outside a git checkout */
    int git_dirty;                   /* 1 dirty, 0 clean, -1 unknown */
    double timer_resolution_s;       /* clock_getres(CLOCK_MONOTONIC) */
    double timer_overhead_s;         /* median cost of one clock_gettime call */
    char bench_version[32];
    struct pb_env_extra extra[PB_ENV_MAX_EXTRA];
    size_t nextra;
};

/* Fills env (zeroed first) from /proc, /sys, uname, the build and git. Fields that cannot be
 * read are "unknown", "" or -1, never an error: a result set without a governor is still a
 * result set. Runs git and times ~10^5 clock_gettime calls, so it takes tens of milliseconds.
 * Returns 0. */
int pb_env_collect(struct pb_env *env);

/* Number of CPUs this process may run on (its affinity mask); the online count if the mask
 * cannot be read. Callers warn when a run asks for more threads than this. */
int pb_env_allowed_cpus(void);

/* Adds (or replaces) key in env's "extra" object. Returns 0, -EINVAL for an empty or too long
 * key or value, -ENOSPC when PB_ENV_MAX_EXTRA keys are already set. */
int pb_env_add_str(struct pb_env *env, const char *key, const char *value);
int pb_env_add_num(struct pb_env *env, const char *key, double value);

/* Reads the "input" object of an existing NAME.json into id. Returns 1 when present, 0 when the
 * file has none (generated points, or written before inputs were recorded), -errno when the
 * file cannot be read or parsed. */
int pb_env_read_input(const char *meta_path, struct pb_file_id *id);

/* What NAME.json records besides the environment. */
struct pb_env_meta {
    const char *config_text;         /* the config file's bytes */
    const char *config_hash;
    const char *started;             /* this session's start, ISO 8601 UTC */
    const char *input_path;          /* the points file, or NULL for generated points */
    const struct pb_file_id *input;  /* its identity (with input_path) */
    const struct pb_experiment *workload;  /* the experiment, for "workload"; NULL: none */
};

/* Writes NAME.json for one session through a private temporary renamed into place. resume = 0
 * (or no readable file at path): a fresh document with sessions = [this one]. resume = 1: the
 * existing document is kept as it is (the first session's start, environment, commit and
 * machine) and this session is appended to its "sessions". Returns 0 or -errno with err. */
int pb_env_write_session(const char *path, const struct pb_env *env, const struct pb_env_meta *m,
                         int resume, struct pb_err *err);

/* Writes the current time as ISO 8601 UTC ("2024-05-01T12:34:56Z") into buf (>= 21 bytes).
 * Returns 0 or -errno. */
int pb_env_now_utc(char *buf, size_t cap);

/* Writes env, the config (config_text, parsed and embedded) and its hash, and the start time
 * to path as JSON (via path.tmp, renamed into place). Returns 0 or -errno with err naming the
 * file. */
int pb_env_write_json(const char *path, const struct pb_env *env, const char *config_text,
                      const char *config_hash, const char *started, struct pb_err *err);

#endif
