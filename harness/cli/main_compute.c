/* main_compute.c — `bench compute`: one computation with any strategy on a points file, saved
 * for people and other tools: pair counts as CSV ("lo,hi,count" per bin, unique pairs i<j,
 * half-open bins [lo, hi)) or the distance matrix as a NumPy .npy file that numpy.load reads.
 * The saved file describes itself (description()): '#' lines after the CSV header, or the
 * sidecar SAVE.json beside a matrix.
 *
 * The strategy runs once, untimed beyond the summary (measurement is the sweep's job; here only
 * the answer matters), in a child supervised as the sweep's runs are (pb_runner_call): its own
 * process group and a private "pb-run-PID-XXXXXX" folder under $TMPDIR (exec strategies write
 * the points there), both gone when it ends; SIGINT, SIGTERM or SIGHUP stop it and every
 * process it started, remove the folder and the unfinished file beside --save, and exit 130.
 * Folders that killed computations or sweeps left are removed at the start
 * (pb_runner_clean_stale: their owner is dead, never a live one's).
 *
 * Defaults: --threads is the online CPUs capped by those this process may use
 * (pb_cpus_available); --strategy auto (or none) chooses once the points are loaded: grid when
 * the histogram's last edge is below AUTO_SPATIAL_SHARE of the points' extent, else the
 * all-range strategy the README's measurements show fastest, and says why on stderr. --format
 * npy saves a histogram as a structured .npy of (lo, hi, count) records with a SAVE.json.
 *
 * Edges: --bins makes them bit for bit as NumPy does (linear numpy.linspace(MIN, MAX, COUNT+1),
 * log numpy.geomspace(MIN, MAX, COUNT+1); pb_edges_make); --edges gives them explicitly, as a
 * list "e0,e1,..." or a file (harness/input/edges.h), used exactly as written. A histogram
 * needs one of the two (no range is guessed from the data).
 *
 * Points: text or NumPy .npy (see harness/input/points.h); with --box they are wrapped into [0, L)^3
 * first. Timings on stdout after the summary, so that they can be set beside other tools':
 * loading the points, building the strategy's structure (out.build_s, inside its call; 0 when
 * it builds none) and counting (the call's wall time less the build), and the distance
 * evaluations per counted pair when the strategy reports them (out.dist_evals).
 */
#include "cpuload.h"
#include "fdio.h"
#include "pbclock.h"
#include "edges.h"
#include "main_commands.h"
#include "memory.h"
#include "npy.h"
#include "pairkern.h"
#include "plan.h"
#include "points.h"
#include "problem.h"
#include "registry.h"
#include "runner.h"
#include "stop.h"

#include <jansson.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARAMS 16
#define MAX_BINS 1000000             /* --bins COUNT and --edges alike */
#define EXIT_INTERRUPTED 130         /* as the sweep: stopped by SIGINT, SIGTERM or SIGHUP */
#define MAX_THREADS 4096
#define AUTO_SPATIAL_SHARE 0.5       /* auto: grid while the last edge is below this share of
                                        the points' extent (README: grid is 2-15x faster than
                                        brute force up to rmax 200 in a 1000 box, level at
                                        500-1000) */
#define AUTO_ALL_RANGE_SERIAL "blocked"     /* auto, every pair in range, 1 thread: the fastest
                                               1-thread histogram measured (README) */
#define AUTO_ALL_RANGE "pthread-async"      /* auto, every pair in range, threads > 1 */
#define AUTO_MATRIX "pthread-async"         /* auto, --output matrix: the fastest measured */
#define NPY_RECORD "[('lo', '<f8'), ('hi', '<f8'), ('count', '<u8')]"

enum save_format { FORMAT_DEFAULT, FORMAT_CSV, FORMAT_NPY };

/* One bin of a histogram saved with --format npy: a record of NPY_RECORD (24 bytes). */
struct npy_bin {
    double lo, hi;
    uint64_t count;
};
_Static_assert(sizeof(struct npy_bin) == 24, "NPY_RECORD has no padding");

static const char usage[] =
    "usage: " PB_COMPUTE_SYNOPSIS "\n"
    "  histogram: --bins or --edges is required; saves lo,hi,count per bin (unique pairs i<j,\n"
    "             half-open [lo, hi); edges printed with %.17g, so they read back exactly),\n"
    "             described by '#' lines after the header\n"
    "  --format   histogram: csv (the default) or npy: a structured .npy of (lo, hi, count)\n"
    "             records, dtype [('lo','<f8'),('hi','<f8'),('count','<u8')], described by\n"
    "             PATH.json beside it\n"
    "  --strategy a name from bench --list, or auto (the default): grid when the last edge is\n"
    "             below half the points' extent (the --box side when given), else blocked on 1\n"
    "             thread and pthread-async on more; pthread-async for a matrix. Says on stderr\n"
    "             which it chose and why\n"
    "  --threads  default: the online CPUs, capped by those this process may use (affinity\n"
    "             set, cgroup quota, OMP_THREAD_LIMIT); a serial strategy uses 1\n"
    "  --bins     edges as numpy.linspace (linear) or numpy.geomspace (log) of MIN, MAX, COUNT+1\n"
    "  --edges    explicit edges, used exactly: e0,e1,... (a value with a comma) or a FILE with\n"
    "             one edge per line or one \"lo hi\" bin per line (bins must touch); '#' lines\n"
    "             are skipped\n"
    "  matrix:    saves the n x n distances as .npy (float64; float32 with --float where the\n"
    "             strategy computes in float), described by PATH.json beside it\n"
    "  --box L    periodic cube of side L: points wrapped into [0, L), minimum-image distances\n"
    "  --points   text (x y z per line) or NumPy .npy (n, 3) float64/float32\n"
    "  --param    a strategy parameter, as in a config (see bench --list)\n"
    "  --force    replace an existing PATH (never the --points file)\n"
    "exit status: 0 saved; 1 the computation or the save failed; 2 bad arguments, input or not\n"
    "  enough memory; 130 stopped by SIGINT, SIGTERM or SIGHUP (nothing saved)\n";

struct compute_args {
    const char *points, *strategy, *save; /* required paths; the name, "auto" by default */
    int threads;                     /* >= 1; 0 until given or defaulted (default_threads) */
    int format;                      /* enum save_format */
    int output;                      /* enum pb_output_kind, -1 until given */
    double min, max;                 /* --bins range */
    size_t count;                    /* --bins count; 0: not given */
    enum pb_bin_scale scale;
    const char *edges;               /* --edges as given (a list or a file), or NULL */
    double box;                      /* 0: open */
    int single;                      /* --float */
    int force;                       /* --force: --save may replace an existing file */
    char *kv_text[MAX_PARAMS];       /* "KEY=VALUE" as given (argv storage) */
    char sidecar[4096];              /* matrix or npy: SAVE.json, the description; else "" */
    char chosen[256];                /* --strategy auto: what it chose and why; else "" */
    size_t nkv_text;
};

/* Prints "bench compute: <what> (see bench compute --help)" on one line; returns -EINVAL. */
__attribute__((format(printf, 1, 2)))
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench compute: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see bench compute --help)\n", stderr);
    return -EINVAL;
}

/* A positive finite double from text, or -EINVAL after naming opt. zero_ok allows 0. */
static int parse_double(const char *opt, const char *text, int zero_ok, double *v)
{
    char *end;
    *v = strtod(text, &end);
    if (end == text || *end || !isfinite(*v) || *v < 0 || (*v == 0 && !zero_ok))
        return bad("%s: expected a positive number, got '%s'", opt, text);
    return 0;
}

/* "MIN,MAX,COUNT[,log|linear]" into a. Returns 0 or -EINVAL naming what is wrong. */
static int parse_bins(const char *text, struct compute_args *a)
{
    char buf[256], *save = NULL;
    if (strlen(text) >= sizeof buf)        /* cut, it could read as other bins */
        return bad("--bins: expected MIN,MAX,COUNT[,log], got %zu bytes", strlen(text));
    snprintf(buf, sizeof buf, "%s", text);
    char *lo = strtok_r(buf, ",", &save), *hi = strtok_r(NULL, ",", &save);
    char *n = strtok_r(NULL, ",", &save), *scale = strtok_r(NULL, ",", &save), *end;
    if (!lo || !hi || !n || strtok_r(NULL, ",", &save))
        return bad("--bins: expected MIN,MAX,COUNT[,log], got '%s'", text);
    a->scale = !scale || strcmp(scale, "linear") == 0 ? PB_BINS_LINEAR : PB_BINS_LOG;
    if (scale && strcmp(scale, "linear") && strcmp(scale, "log"))
        return bad("--bins: scale must be linear or log, got '%s'", scale);
    if (parse_double("--bins MIN", lo, 1, &a->min) || parse_double("--bins MAX", hi, 0, &a->max))
        return -EINVAL;
    unsigned long long c = strtoull(n, &end, 10);
    if (*n == '-' || end == n || *end || c == 0 || c > MAX_BINS)
        return bad("--bins: COUNT must be an integer from 1 to %d, got '%s'", MAX_BINS, n);
    a->count = (size_t)c;
    if (!(a->max > a->min) || (a->scale == PB_BINS_LOG && !(a->min > 0)))
        return bad("--bins: need MIN < MAX%s, got '%s'",
                   a->scale == PB_BINS_LOG ? " and MIN > 0 for log bins" : "", text);
    return 0;
}

/* --box L: positive, and small enough that squared distances of wrapped points stay finite. */
static int parse_box(const char *v, struct compute_args *a)
{
    if (parse_double("--box", v, 0, &a->box) < 0)
        return -EINVAL;
    if (a->box > PB_COORD_MAX)
        return bad("--box: %g is beyond %g: squared distances would overflow", a->box,
                   PB_COORD_MAX);
    return 0;
}

/* --threads T: an integer from 1 to MAX_THREADS. */
static int parse_threads(const char *v, struct compute_args *a)
{
    char *end;
    long t = strtol(v, &end, 10);
    if (end == v || *end || t < 1 || t > MAX_THREADS)
        return bad("--threads: expected an integer from 1 to %d, got '%s'", MAX_THREADS, v);
    a->threads = (int)t;
    return 0;
}

/* --output histogram|matrix. */
static int parse_output(const char *v, struct compute_args *a)
{
    a->output = !strcmp(v, "matrix") ? PB_OUTPUT_MATRIX
                : !strcmp(v, "histogram") ? PB_OUTPUT_HISTOGRAM : -1;
    if (a->output < 0)
        return bad("--output: expected histogram or matrix, got '%s'", v);
    return 0;
}

/* --format csv|npy. */
static int parse_format(const char *v, struct compute_args *a)
{
    a->format = !strcmp(v, "csv") ? FORMAT_CSV : !strcmp(v, "npy") ? FORMAT_NPY : -1;
    if (a->format < 0)
        return bad("--format: expected csv or npy, got '%s'", v);
    return 0;
}

/* --param KEY=VALUE, repeatable; checked against the strategy later (resolve_params). */
static int parse_param(const char *v, struct compute_args *a)
{
    if (a->nkv_text == MAX_PARAMS || !strchr(v, '='))
        return bad("--param: expected KEY=VALUE (at most %d), got '%s'", MAX_PARAMS, v);
    a->kv_text[a->nkv_text++] = (char *)v;
    return 0;
}

/* One option of the command line. A value option given twice is refused (the last one would
 * silently win: --points a --points b computed b alone) unless it is repeatable. */
struct option {
    const char *name;
    int takes_value;                 /* 1: a value follows; 0: a flag */
    int repeatable;                  /* 1: may be given more than once */
    size_t field;                    /* where a plain option's value goes in compute_args */
    int (*parse)(const char *v, struct compute_args *a);   /* else: parses and stores v */
};

#define PATH_OPTION(opt, member) {opt, 1, 0, offsetof(struct compute_args, member), NULL}
#define FLAG_OPTION(opt, member) {opt, 0, 1, offsetof(struct compute_args, member), NULL}

static const struct option options[] = {
    PATH_OPTION("--points", points),
    PATH_OPTION("--strategy", strategy),
    PATH_OPTION("--save", save),
    PATH_OPTION("--edges", edges),
    {"--threads", 1, 0, 0, parse_threads},
    {"--output", 1, 0, 0, parse_output},
    {"--format", 1, 0, 0, parse_format},
    {"--bins", 1, 0, 0, parse_bins},
    {"--box", 1, 0, 0, parse_box},
    {"--param", 1, 1, 0, parse_param},
    FLAG_OPTION("--float", single),
    FLAG_OPTION("--force", force),
};

#define NOPTIONS (sizeof options / sizeof options[0])

/* The option named opt, or NULL. */
static const struct option *find_option(const char *opt)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strcmp(options[i].name, opt) == 0)
            return &options[i];
    return NULL;
}

/* Applies option o with value v (NULL for a flag) to a. Returns 0 or -EINVAL (printed). */
static int apply_option(const struct option *o, const char *v, struct compute_args *a)
{
    if (o->parse)
        return o->parse(v, a);
    if (o->takes_value)
        *(const char **)((char *)a + o->field) = v;
    else
        *(int *)((char *)a + o->field) = 1;
    return 0;
}

/* path (--save, or the SAVE.json beside a matrix) may be written: not the --points input
 * (ever), not an existing file without --force. Checked before anything is computed. */
static int check_save(const struct compute_args *a, const char *path)
{
    int rc = pb_save_check(path, a->points, a->force);
    if (rc == -EINVAL)
        return bad("--save %s is the --points input: it is never replaced", path);
    if (rc == -EEXIST)
        return bad("--save %s already exists: pass --force to replace it", path);
    if (rc < 0)
        return bad("--save %s exists and is not a regular file", path);
    return 0;
}

/* The required options are there and agree with each other; --strategy defaults to auto. */
static int check_args(struct compute_args *a)
{
    const char *missing = !a->points ? "--points" : a->output < 0 ? "--output"
                          : !a->save ? "--save" : NULL;
    if (missing)
        return bad("%s is required", missing);
    if (!a->strategy)
        a->strategy = "auto";
    if (!strcmp(a->strategy, "auto") && a->nkv_text > 0)
        return bad("--param %s: --strategy auto chooses the strategy, so its parameters are "
                   "unknown: name the strategy", a->kv_text[0]);
    if (a->output == PB_OUTPUT_MATRIX && a->format == FORMAT_CSV)
        return bad("--format csv applies to --output histogram only (a matrix is saved as .npy)");
    if (a->count > 0 && a->edges)
        return bad("--bins and --edges both give the edges: pass one of them");
    if (a->output == PB_OUTPUT_HISTOGRAM && a->count == 0 && !a->edges)
        return bad("--output histogram needs --bins MIN,MAX,COUNT[,log] or --edges");
    if (a->output == PB_OUTPUT_MATRIX && (a->count > 0 || a->edges))
        return bad("%s applies to --output histogram only", a->edges ? "--edges" : "--bins");
    if ((a->output == PB_OUTPUT_MATRIX || a->format == FORMAT_NPY) &&
        (size_t)snprintf(a->sidecar, sizeof a->sidecar, "%s.json", a->save) >= sizeof a->sidecar)
        return bad("--save: the path is too long");
    return check_save(a, a->save) < 0 || (a->sidecar[0] && check_save(a, a->sidecar) < 0)
           ? -EINVAL : 0;
}

/* argv (argv[0] is "compute") into a. Returns 0, 1 for --help, or -EINVAL (printed). */
static int parse_args(int argc, char **argv, struct compute_args *a)
{
    const char *given[NOPTIONS] = {0};   /* the value each option got, to refuse a second */
    *a = (struct compute_args){.output = -1};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        const struct option *o = find_option(argv[i]);
        if (!o)
            return bad("unexpected argument '%s'", argv[i]);
        if (o->takes_value && i + 1 == argc)
            return bad("%s needs a value", argv[i]);
        const char *v = o->takes_value ? argv[++i] : NULL;
        size_t k = (size_t)(o - options);
        if (given[k] && !o->repeatable)
            return bad("%s given twice ('%s', then '%s'): give it once", o->name, given[k], v);
        given[k] = o->takes_value ? v : o->name;
        if (apply_option(o, v, a) < 0)
            return -EINVAL;
    }
    return check_args(a);
}

/* The strategy's parameters: every declared one, defaults replaced by --param values (one per
 * parameter: a second would silently win). kv holds MAX_PARAMS entries; the strings point into
 * the spec and argv. */
static int resolve_params(const struct pb_strategy *s, struct compute_args *a, struct pb_kv *kv,
                          size_t *nkv)
{
    int given[MAX_PARAMS] = {0};
    *nkv = 0;
    for (const struct pb_param_spec *p = s->params; p && p->name && *nkv < MAX_PARAMS; p++)
        kv[(*nkv)++] = (struct pb_kv){.key = p->name, .value = p->def};
    for (size_t i = 0; i < a->nkv_text; i++) {
        char *eq = strchr(a->kv_text[i], '=');
        size_t j = 0;
        *eq = '\0';                                    /* argv is ours to split */
        while (j < *nkv && strcmp(kv[j].key, a->kv_text[i]) != 0)
            j++;
        if (j == *nkv)
            return bad("--param: %s has no parameter '%s'", s->name, a->kv_text[i]);
        char what[256];
        if (pb_param_check(&s->params[j], eq + 1, what, sizeof what) < 0)
            return bad("--param: %s: '%s' is not %s", a->kv_text[i], eq + 1, what);
        if (given[j]++)
            return bad("--param: %s given twice ('%s', then '%s')", kv[j].key, kv[j].value,
                       eq + 1);
        kv[j].value = eq + 1;
    }
    return 0;
}

/* The strategy by name, or -EINVAL naming the known ones. */
static const struct pb_strategy *find_strategy(const char *name)
{
    char names[1024];
    const struct pb_strategy *s = pb_registry_find(name);
    if (!s) {
        pb_registry_names(names, sizeof names);
        bad("--strategy: unknown strategy '%s' (known: %s)", name, names);
    }
    return s;
}

/* The histogram's edges into *edges (malloc'd): --edges read as a list (it has a comma) or a
 * file, else made from --bins; a->count, min, max and scale follow them. Returns 0, or
 * -EINVAL / -ENOMEM after printing why. */
static int make_edges(struct compute_args *a, double **edges)
{
    struct pb_err err = {0};
    size_t n = 0;
    int rc = !a->edges ? 0 : strchr(a->edges, ',')
        ? pb_edges_parse_list(a->edges, "--edges", MAX_BINS + 1, edges, &n, &err)
        : pb_edges_read_file(a->edges, MAX_BINS + 1, edges, &n, &err);
    if (rc < 0) {
        fprintf(stderr, "bench compute: %s\n", err.msg);
        return rc;
    }
    if (a->edges) {
        a->count = n - 1, a->min = (*edges)[0], a->max = (*edges)[n - 1];
        a->scale = PB_BINS_EXPLICIT;
        return 0;
    }
    struct pb_bin_spec b = {.min = a->min, .max = a->max, .count = a->count, .scale = a->scale};
    if ((rc = pb_edges_make(&b, edges)) == -EINVAL)
        bad("--bins: %zu bins between %g and %g are narrower than a double's spacing",
            a->count, a->min, a->max);
    else if (rc < 0)
        fputs("bench compute: out of memory for the bin edges\n", stderr);
    return rc;
}

/* What was computed, for the saved file to describe itself: the strategy and its resolved
 * parameters beside the arguments and the problem. */
struct computed {
    const struct compute_args *a;
    const struct pb_strategy *s;
    const struct pb_params *k;       /* threads and every parameter, defaults included */
    const struct pb_problem *p;
};

/* Sets key of d to v (a new reference, NULL when it could not be made). Returns 0 or -ENOMEM. */
static int put(json_t *d, const char *key, json_t *v)
{
    return v && json_object_set_new(d, key, v) == 0 ? 0 : -ENOMEM;
}

/* The object of the bins: count, scale, first and last edge, and what the counts are (explicit
 * edges are in the lo/hi columns). */
static json_t *bins_json(const struct compute_args *a)
{
    const char *scale = a->scale == PB_BINS_LOG ? "log"
                        : a->scale == PB_BINS_EXPLICIT ? "explicit" : "linear";
    return json_pack("{s:I, s:s, s:f, s:f, s:s}", "count", (json_int_t)a->count,
                     "scale", scale, "min", a->min, "max", a->max, "counts", "unique pairs i<j in half-open bins [lo, hi)");
}

/* The strategy's parameters, every one, defaults included, as strings. */
static json_t *params_json(const struct pb_params *k)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < k->nkv; i++)
        if (put(o, k->kv[i].key, json_string(k->kv[i].value ? k->kv[i].value : "")) < 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

/* What c computed, as a JSON object (the caller owns it; NULL when out of memory): enough to
 * compute ξ from the saved file alone (n, box, precision, bins) and to say how it was made
 * (strategy, threads used, and why --strategy auto chose it). dtype: the saved .npy's, or NULL
 * for CSV. */
static json_t *description(const struct computed *c, const char *dtype)
{
    const struct compute_args *a = c->a;
    int matrix = a->output == PB_OUTPUT_MATRIX;
    json_t *d = json_object();
    int rc = !d || put(d, "points", json_string(a->points)) ||
             put(d, "n", json_integer((json_int_t)c->p->n)) ||
             put(d, "box", a->box > 0 ? json_real(a->box) : json_null()) ||
             put(d, "periodic", json_boolean(a->box > 0)) ||
             put(d, "precision", json_string(a->single ? "float" : "double")) ||
             put(d, "output", json_string(matrix ? "matrix" : "histogram")) ||
             put(d, matrix ? "dtype" : "bins", matrix ? json_string(dtype) : bins_json(a)) ||
             (!matrix && dtype && put(d, "dtype", json_string(dtype))) ||
             put(d, "strategy", json_string(c->s->name)) || put(d, "params", params_json(c->k)) ||
             put(d, "threads", json_integer(c->k->threads)) ||
             put(d, "kernel_level", json_string(pb_kern_level_name(pb_kern_level()))) ||
             put(d, "version", json_string(PB_VERSION)) ||
             put(d, "strategy_abi", json_integer(PB_STRATEGY_ABI)) ||
             (a->chosen[0] && put(d, "strategy_auto", json_string(a->chosen)));
    if (rc && d)
        json_decref(d);
    return rc ? NULL : d;
}

/* Writes the description of c to f as "# key: JSON value" lines. Returns 0 or -ENOMEM. */
static int describe(FILE *f, const struct computed *c)
{
    json_t *d = description(c, NULL), *v;
    const char *key;
    if (!d)
        return -ENOMEM;
    json_object_foreach(d, key, v) {
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
        fprintf(f, "# %s: %s\n", key, text ? text : "?");
        free(text);
    }
    json_decref(d);
    return 0;
}

/* Writes the description of the .npy c saved as dtype to path, as JSON (the sidecar
 * SAVE.json that the .npy itself has no room for). Returns 0 or -errno (printed). */
static int save_sidecar(const char *path, const struct computed *c, const char *dtype)
{
    json_t *d = description(c, dtype);
    int rc = d ? json_dump_file(d, path, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : -1;
    json_decref(d);
    if (rc == 0)
        return 0;
    fprintf(stderr, "bench compute: %s: cannot write the description\n", path);
    return -EIO;
}

/* Writes the pair counts as CSV: the header line, the description as '#' lines (which
 * numpy.loadtxt and pandas' read_csv(comment='#') skip), then one line per bin. Returns 0 or
 * -errno (printed). */
static int save_csv(const char *path, const struct computed *c, const uint64_t *counts)
{
    const struct pb_problem *p = c->p;
    FILE *f = fopen(path, "we");
    if (!f) {
        int e = errno;
        fprintf(stderr, "bench compute: %s: %s\n", path, strerror(e));
        return -e;
    }
    fputs("lo,hi,count\n", f);
    int e = describe(f, c) < 0 ? ENOMEM : 0;
    for (size_t b = 0; b < p->nbins; b++)
        fprintf(f, "%.17g,%.17g,%llu\n", p->edges[b], p->edges[b + 1],
                (unsigned long long)counts[b]);
    errno = 0;
    if (!e && (ferror(f) || fflush(f) != 0))
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e)
        e = errno;
    if (e) {
        fprintf(stderr, "bench compute: %s: cannot write: %s\n", path, pb_write_error(e));
        return -e;
    }
    return 0;
}

/* Writes the pair counts as a .npy of NPY_RECORD records (lo, hi, count per bin: the edges
 * exactly, the counts as exact integers) to path and their description to json. Returns 0 or
 * -errno (printed). */
static int save_npy_hist(const char *path, const char *json, const struct computed *c,
                         const uint64_t *counts)
{
    const struct pb_problem *p = c->p;
    struct pb_err err = {0};
    struct npy_bin *r = malloc((p->nbins ? p->nbins : 1) * sizeof *r);
    if (!r) {
        fprintf(stderr, "bench compute: no memory for %zu bins\n", p->nbins);
        return -ENOMEM;
    }
    for (size_t b = 0; b < p->nbins; b++)
        r[b] = (struct npy_bin){.lo = p->edges[b], .hi = p->edges[b + 1], .count = counts[b]};
    int rc = pb_npy_write_records(path, r, NPY_RECORD, sizeof *r, p->nbins, &err);
    free(r);
    if (rc < 0)
        fprintf(stderr, "bench compute: %s\n", err.msg);
    return rc < 0 ? rc : save_sidecar(json, c, NPY_RECORD);
}

/* Writes the answer of a successful run to tmp, the private file beside --save that the caller
 * moves into place, and for a .npy its description to tmp_json (the same beside SAVE.json).
 * Returns 0 or -errno (printed). With --float the matrix is saved as float32 when the strategy
 * made one; a strategy that computes in double regardless (naive, the reference) left n*n
 * doubles, saved as such. */
static int save_to(const char *tmp, const char *tmp_json, const struct computed *c,
                   const struct pb_output *out)
{
    struct pb_err err = {0};
    const struct pb_problem *p = c->p;
    size_t cells = p->n * p->n;
    int f4 = c->a->single && cells > 0 && out->matrix_bytes < cells * sizeof(double);
    if (p->output == PB_OUTPUT_HISTOGRAM && c->a->format == FORMAT_NPY)
        return save_npy_hist(tmp, tmp_json, c, out->counts);
    if (p->output == PB_OUTPUT_HISTOGRAM)
        return save_csv(tmp, c, out->counts);
    int rc = pb_npy_write(tmp, out->matrix, f4 ? "<f4" : "<f8", 2, p->n, p->n, &err);
    if (rc < 0)
        fprintf(stderr, "bench compute: %s\n", err.msg);
    return rc < 0 ? rc : save_sidecar(tmp_json, c, f4 ? "<f4" : "<f8");
}

/* What the computing child sends back: its outcome and the figures print_summary shows. */
struct outcome {
    int rc;                          /* 0 computed and written, else -errno (printed) */
    double wall_s;                   /* the strategy's call */
    double build_s;                  /* out.build_s */
    uint64_t dist_evals;             /* out.dist_evals */
    double counted;                  /* pairs counted (all n(n-1)/2 for a matrix) */
};

/* What the computing child works on: c, and the private files beside --save and SAVE.json it
 * writes (tmp[1] "" for a CSV). */
struct job {
    const struct computed *c;
    char tmp[2][4096];
};

/* Prints why the strategy failed, from its return value and note. */
static void print_failure(const struct pb_strategy *s, int rc, const struct pb_output *out)
{
    if (rc == -ENOTSUP)
        fprintf(stderr, "bench compute: %s cannot run here: %s\n", s->name,
                out->note[0] ? out->note : "not supported");
    else
        fprintf(stderr, "bench compute: %s failed: %s\n", s->name,
                out->note[0] ? out->note : strerror(-rc));
}

/* pb_runner_fn: in the child, runs the strategy once with the call's private folder, writes
 * the answer to job->tmp and fills the outcome (rec). */
static void compute_child(void *arg, const char *tmpdir, void *rec)
{
    const struct job *j = arg;
    const struct pb_problem *p = j->c->p;
    struct outcome *o = rec;
    struct pb_params k = *j->c->k;
    struct pb_output out = {0};
    k.tmpdir = tmpdir;
    if (!(out.counts = calloc(p->nbins + 1, sizeof *out.counts))) {
        o->rc = -ENOMEM;
        fprintf(stderr, "bench compute: no memory for %zu bins\n", p->nbins);
        return;
    }
    double t0 = pb_now_s();
    o->rc = j->c->s->run(p, &k, &out);
    o->wall_s = pb_now_s() - t0;
    pb_safe_text(out.note, sizeof out.note);   /* a command's output: no escapes */
    if (o->rc < 0)
        print_failure(j->c->s, o->rc, &out);
    else
        o->rc = save_to(j->tmp[0], j->tmp[1], j->c, &out);
    o->build_s = out.build_s;
    o->dist_evals = out.dist_evals;
    for (size_t b = 0; p->output == PB_OUTPUT_HISTOGRAM && b < p->nbins; b++)
        o->counted += (double)out.counts[b];
    if (p->output == PB_OUTPUT_MATRIX)
        o->counted = (double)p->n * (double)(p->n - 1) / 2;
}

/* Prints why the computing child gave no outcome: a stop signal, or its end. */
static void print_lost(int rc, int wstatus)
{
    if (rc == -EINTR)
        fputs("bench compute: interrupted: the computation and every process it started were "
              "stopped; nothing saved\n", stderr);
    else if (rc == -ECHILD && WIFSIGNALED(wstatus))
        fprintf(stderr, "bench compute: the computation was killed by signal %d (%s); nothing "
                "saved\n", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    else if (rc == -ECHILD)
        fprintf(stderr, "bench compute: the computation ended (status %d) without a result; "
                "nothing saved\n", WEXITSTATUS(wstatus));
    else
        fprintf(stderr, "bench compute: cannot start the computation: %s\n", strerror(-rc));
}

/* Removes the private files of j that were begun. */
static void drop_files(const struct job *j)
{
    for (int i = 0; i < 2; i++)
        if (j->tmp[i][0])
            unlink(j->tmp[i]);
}

/* Begins the private files beside --save and, for a .npy, SAVE.json. Returns 0 or -errno
 * (printed; none left). */
static int begin_files(const struct compute_args *a, struct job *j)
{
    const char *paths[2] = {a->save, a->sidecar};
    for (int i = 0; i < 2 && paths[i][0]; i++) {
        int fd = pb_save_begin(paths[i], j->tmp[i], sizeof j->tmp[i]);
        if (fd < 0) {
            j->tmp[i][0] = '\0';
            fprintf(stderr, "bench compute: %s: %s\n", paths[i], strerror(-fd));
            drop_files(j);
            return fd;
        }
        close(fd);
    }
    return 0;
}

/* Moves the finished private files of j onto --save and SAVE.json. Returns 0 or -errno
 * (printed; what is not moved is removed). */
static int commit_files(const struct compute_args *a, struct job *j)
{
    const char *paths[2] = {a->save, a->sidecar};
    int rc = 0;
    for (int i = 0; i < 2 && paths[i][0]; i++) {
        int e = rc < 0 ? (unlink(j->tmp[i]), rc) : pb_save_commit(j->tmp[i], paths[i], a->force);
        if (e < 0 && rc == 0)
            fprintf(stderr, "bench compute: %s: %s\n", paths[i], e == -EEXIST
                    ? "appeared while computing: not replaced without --force" : strerror(-e));
        rc = e < 0 ? e : rc;
    }
    return rc;
}

/* Runs the strategy in a supervised child (pb_runner_call: its own process group and private
 * folder under $TMPDIR, both gone when it ends or a stop signal comes), the answer written to
 * private files beside --save (and SAVE.json) that are moved into place only when all went
 * well. Returns 0, -EINTR, or another -errno (printed). */
static int run_and_save(const struct computed *c, struct outcome *o)
{
    struct job j = {.c = c};
    int ws = 0, rc = begin_files(c->a, &j);
    if (rc < 0)
        return rc;
    *o = (struct outcome){.rc = -EIO};
    rc = pb_runner_call(compute_child, &j, o, sizeof *o, &ws);
    if (rc < 0)
        print_lost(rc, ws);
    if (rc == 0)
        rc = o->rc;
    if (rc < 0) {
        drop_files(&j);
        return rc;
    }
    return commit_files(c->a, &j);
}

/* Reads the points, wraps them into the --box, makes float copies for --float; prints why on
 * failure. */
static int load_points(const struct compute_args *a, struct pb_points *pts)
{
    struct pb_err err = {0};
    int rc = pb_points_read(a->points, 0, pts, &err);
    if (rc < 0) {
        fprintf(stderr, "bench compute: %s\n", err.msg);
        return rc;
    }
    if (a->box > 0)
        pb_points_wrap(pts, a->box);
    if (a->single && pb_points_check_range(pts, PB_COORD_MAX_FLOAT, a->points, &err) < 0) {
        fprintf(stderr, "bench compute: %s\n", err.msg);
        return -EINVAL;
    }
    if (a->single && pb_points_make_float(pts) < 0) {
        fprintf(stderr, "bench compute: no memory for float copies of %zu points\n", pts->n);
        return -ENOMEM;
    }
    return 0;
}

/* The sweep's memory guard for this one computation: the output, the points and the
 * strategy's own extra bytes must fit in the memory available now. Returns 0, or -ENOMEM after
 * printing "needs X GiB, Y GiB available". */
static int check_memory(const struct compute_args *a, const struct pb_strategy *s,
                        struct pb_kv *kv, size_t nkv, size_t n)
{
    struct pb_strategy_cfg sc = {.strategy = s, .kv = kv, .nkv = nkv};
    struct pb_experiment e = {
        .output = a->output, .periodic = a->box, .strategies = &sc, .nstrategies = 1,
        .precision = a->single ? PB_PRECISION_FLOAT : PB_PRECISION_DOUBLE,
        .bins = {.min = a->min, .max = a->max, .count = a->count, .scale = a->scale},
    };
    struct pb_run run = {.n = n, .threads = a->threads, .ranks = 1};
    char why[160];
    if (pb_memory_guard(&e, &run, 0, why, sizeof why) == 0)
        return 0;
    fprintf(stderr, "bench compute: %s (%zu points, --output %s, %s): %s\n", a->points, n,
            a->output == PB_OUTPUT_MATRIX ? "matrix" : "histogram", s->name, why);
    return -ENOMEM;
}

/* Prints what was saved and where the time went: loading, building the structure, counting;
 * and the distance evaluations per counted pair when the strategy reported them. */
static void print_summary(const struct computed *c, const struct outcome *o, double load_s)
{
    const struct compute_args *a = c->a;
    double build = o->build_s > 0 ? o->build_s : 0;
    printf("%s: %zu points, %s, %s, %d thread%s\n", a->save, c->p->n, c->s->name,
           a->output == PB_OUTPUT_MATRIX ? "matrix" : "histogram", a->threads,
           a->threads == 1 ? "" : "s");
    printf("time: load %.6f s, build %.6f s%s, count %.6f s\n", load_s, build,
           o->build_s > 0 ? "" : " (no structure)", o->wall_s - build);
    if (o->dist_evals == 0)
        return;
    printf("work: %llu distance evaluations, %.0f pairs counted: %.3g per counted pair\n",
           (unsigned long long)o->dist_evals, o->counted,
           o->counted > 0 ? (double)o->dist_evals / o->counted : NAN);
}

/* The threads when --threads is not given: the online CPUs, capped by the CPUs this process
 * may use (pb_cpus_available: the affinity set, the cgroup quota, OMP_THREAD_LIMIT); at least
 * 1, at most MAX_THREADS. */
static int default_threads(void)
{
    struct pb_cpu_avail av;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    double t = online > 0 ? (double)online : 1;
    pb_cpus_available(NULL, &av);
    if (av.cpus > 0 && av.cpus < t)
        t = floor(av.cpus) >= 1 ? floor(av.cpus) : 1;
    return t > MAX_THREADS ? MAX_THREADS : (int)t;
}

/* The largest side of the bounding box of pts (0 for fewer than two distinct points). */
static double points_extent(const struct pb_points *pts)
{
    const double *axis[3] = {pts->x, pts->y, pts->z};
    double ext = 0;
    for (int d = 0; d < 3 && pts->n > 0; d++) {
        double lo = axis[d][0], hi = axis[d][0];
        for (size_t i = 1; i < pts->n; i++) {
            lo = axis[d][i] < lo ? axis[d][i] : lo;
            hi = axis[d][i] > hi ? axis[d][i] : hi;
        }
        ext = hi - lo > ext ? hi - lo : ext;
    }
    return ext;
}

/* For a histogram of edges (a->count bins) over pts: grid when the last edge is below
 * AUTO_SPATIAL_SHARE of the extent (the --box side, else the points' bounding box), else the
 * all-range strategy for a->threads. Writes why into a->chosen; returns the name. */
static const char *choose_histogram(struct compute_args *a, const struct pb_points *pts,
                                    const double *edges)
{
    double rmax = edges[a->count], ext = a->box > 0 ? a->box : points_extent(pts);
    const char *of = a->box > 0 ? "the box side" : "the points' extent";
    int spatial = ext > 0 && rmax < AUTO_SPATIAL_SHARE * ext;
    if (ext > 0)
        snprintf(a->chosen, sizeof a->chosen, "last edge %g is %.3g%% of %s %g (%s %g%%%s)",
                 rmax, 100 * rmax / ext, of, ext, spatial ? "below" : "not below",
                 100 * AUTO_SPATIAL_SHARE, spatial ? ": a spatial strategy pays"
                 : ": nearly every pair is in range");
    else
        snprintf(a->chosen, sizeof a->chosen, "%s is 0: every pair is in range", of);
    return spatial ? "grid" : a->threads == 1 ? AUTO_ALL_RANGE_SERIAL : AUTO_ALL_RANGE;
}

/* --strategy auto: the strategy for the loaded points pts and the histogram's edges (NULL for
 * a matrix), with why in a->chosen, announced on stderr in one line. Returns it, or NULL when
 * this build lacks it (printed). */
static const struct pb_strategy *choose_strategy(struct compute_args *a,
                                                 const struct pb_points *pts,
                                                 const double *edges)
{
    const char *name = AUTO_MATRIX;
    if (a->output == PB_OUTPUT_HISTOGRAM)
        name = choose_histogram(a, pts, edges);
    else
        snprintf(a->chosen, sizeof a->chosen, "--output matrix writes every distance; %s was "
                 "the fastest matrix strategy measured (README)", name);
    fprintf(stderr, "bench compute: strategy auto → %s: %s\n", name, a->chosen);
    return find_strategy(name);
}

/* Computes and saves, given parsed arguments and the strategy (NULL: --strategy auto, chosen
 * once the points are loaded). Exit status as in main. */
static int compute(struct compute_args *a, const struct pb_strategy *s)
{
    struct pb_kv kv[MAX_PARAMS];
    struct pb_points pts = {0};
    struct pb_params k = {.ranks = 1, .kv = kv};
    struct outcome o;
    double *edges = NULL;
    if (s && resolve_params(s, a, kv, &k.nkv) < 0)
        return 2;
    if (a->output == PB_OUTPUT_HISTOGRAM && make_edges(a, &edges) < 0)
        return 2;
    double t0 = pb_now_s();
    int status = load_points(a, &pts) < 0 ? 2 : 0;
    if (!status && !s && (!(s = choose_strategy(a, &pts, edges)) ||
                          resolve_params(s, a, kv, &k.nkv) < 0))
        status = 2;
    if (!status && (s->flags & PB_SERIAL))
        a->threads = 1;                   /* what it uses, so the description says so */
    k.threads = a->threads;
    if (!status && check_memory(a, s, kv, k.nkv, pts.n) < 0)
        status = 2;
    double load_s = pb_now_s() - t0;
    struct pb_problem p = {.n = pts.n, .x = pts.x, .y = pts.y, .z = pts.z, .xf = pts.xf,
                           .yf = pts.yf, .zf = pts.zf, .precision = a->single,
                           .box = a->box, .output = a->output, .nbins = a->count,
                           .edges = edges, .scale = a->scale};
    struct computed c = {.a = a, .s = s, .k = &k, .p = &p};
    int rc = status ? 0 : run_and_save(&c, &o);
    if (!status)
        status = rc == -EINTR ? EXIT_INTERRUPTED : rc < 0 ? 1 : 0;
    if (!status)
        print_summary(&c, &o, load_s);
    free(edges);
    pb_points_free(&pts);
    return status;
}

/* Entry from main: argv[0] is "compute". Exit status: 0 saved, 1 the computation or the save
 * failed, 2 bad arguments or input, 130 stopped by a signal. */
int pb_main_compute(int argc, char **argv)
{
    struct compute_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc > 0)
        fputs(usage, stdout);
    if (rc)
        return rc > 0 ? 0 : 2;
    pb_stop_install_signals();            /* a stop signal ends the computation's processes */
    pb_runner_clean_stale();              /* folders of computations and sweeps killed before */
    int chosen_later = strcmp(a.strategy, "auto") == 0;
    const struct pb_strategy *s = chosen_later ? NULL : find_strategy(a.strategy);
    if (!a.threads)
        a.threads = default_threads();
    return s || chosen_later ? compute(&a, s) : 2;
}
