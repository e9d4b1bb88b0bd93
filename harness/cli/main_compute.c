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
 * the histogram's last edge is below PB_COMPUTE_AUTO_SHARE of the points' extent, else the
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
 *
 * The computing itself (the strategy by name or auto, its parameters, the default threads, the
 * edges, the points, the memory guard, the call and its failure in words) is the compute core,
 * harness/run/compute.h, shared with libpairbench (the Python package); saving the answer is
 * main_compute_save.c.
 */
#include "compute.h"
#include "fdio.h"
#include "pbclock.h"
#include "edges.h"
#include "main_commands.h"
#include "main_compute.h"
#include "plan.h"
#include "points.h"
#include "problem.h"
#include "runner.h"
#include "stop.h"

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

#define MAX_PARAMS PB_COMPUTE_MAX_PARAMS
#define MAX_BINS PB_COMPUTE_MAX_BINS         /* --bins COUNT and --edges alike */
#define EXIT_INTERRUPTED 130         /* as the sweep: stopped by SIGINT, SIGTERM or SIGHUP */
#define MAX_THREADS PB_COMPUTE_MAX_THREADS

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

/* The options of the computation a describes, for the compute core (harness/run/compute.h). */
static struct pb_compute_opts opts_of(const struct compute_args *a)
{
    return (struct pb_compute_opts){
        .strategy = a->strategy, .threads = a->threads, .box = a->box, .single = a->single,
        .output = a->output, .kv_text = a->kv_text, .nkv_text = a->nkv_text,
        .param_label = "--param"};
}

/* The strategy's parameters: every declared one, defaults replaced by --param values (one per
 * parameter: a second would silently win). kv holds MAX_PARAMS entries; the strings point into
 * the spec and argv. Returns 0 or -EINVAL (printed). */
static int resolve_params(const struct pb_strategy *s, struct compute_args *a, struct pb_kv *kv,
                          size_t *nkv)
{
    struct pb_err err = {0};
    struct pb_compute_opts o = opts_of(a);
    return pb_compute_params(s, &o, kv, nkv, &err) < 0 ? bad("%s", err.msg) : 0;
}

/* The strategy by name, or NULL after printing why, naming the known ones. */
static const struct pb_strategy *find_strategy(const char *name)
{
    struct pb_err err = {0};
    const struct pb_strategy *s = pb_compute_find(name, &err);
    if (!s)
        bad("--strategy: %s", err.msg);
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
    if ((rc = pb_compute_edges(a->min, a->max, a->count, a->scale, "--bins", edges, &err)) ==
        -EINVAL)
        bad("%s", err.msg);
    else if (rc < 0)
        fprintf(stderr, "bench compute: %s\n", err.msg);
    return rc;
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
    struct pb_err err = {0};
    o->rc = pb_compute_run(j->c->s, p, &k, &out, &o->wall_s, &err);
    if (o->rc < 0)
        fprintf(stderr, "bench compute: %s\n", err.msg);
    else
        o->rc = pb_compute_save(j->tmp[0], j->tmp[1], j->c, &out);
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
    struct pb_compute_opts o = opts_of(a);
    if ((rc = pb_compute_prepare(pts, &o, a->points, &err)) < 0)
        fprintf(stderr, "bench compute: %s\n", err.msg);
    return rc;
}

/* The sweep's memory guard for this one computation: the output, the points and the
 * strategy's own extra bytes must fit in the memory available now. Returns 0, or -ENOMEM after
 * printing "needs X GiB, Y GiB available". */
static int check_memory(const struct compute_args *a, const struct pb_strategy *s,
                        struct pb_kv *kv, size_t nkv, size_t n, const double *edges)
{
    struct pb_err err = {0};
    struct pb_compute_opts o = opts_of(a);
    if (pb_compute_memory(&o, s, kv, nkv, n, edges, a->count, &err) == 0)
        return 0;
    fprintf(stderr, "bench compute: %s (%zu points, --output %s, %s): %s\n", a->points, n,
            a->output == PB_OUTPUT_MATRIX ? "matrix" : "histogram", s->name, err.msg);
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

/* --strategy auto: the strategy for the loaded points pts and the histogram's edges (NULL for
 * a matrix), with why in a->chosen, announced on stderr in one line. Returns it, or NULL when
 * this build lacks it (printed). */
static const struct pb_strategy *choose_strategy(struct compute_args *a,
                                                 const struct pb_points *pts,
                                                 const double *edges)
{
    struct pb_compute_opts o = opts_of(a);
    const char *name = pb_compute_choose(&o, pts, edges, a->count, a->chosen, sizeof a->chosen);
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
    if (!status && check_memory(a, s, kv, k.nkv, pts.n, edges) < 0)
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
        a.threads = pb_compute_default_threads();
    return s || chosen_later ? compute(&a, s) : 2;
}
