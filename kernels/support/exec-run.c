/* exec-run.c — the exec strategies' run: the files exchanged with the command, its template's
 * placeholders and the answer read back (the protocol is described in exec.h). The command
 * itself is expanded and run by launch.h's launcher. */
#include "exec.h"
#include "launch.h"
#include "pairkern.h"
#include "fdio.h"
#include "npyfmt.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef PB_SOURCE_DIR
#define PB_EXEC_SCRIPTS PB_SOURCE_DIR "/kernels/python"
#else
#define PB_EXEC_SCRIPTS "kernels/python"   /* plugin builds: relative to the working folder */
#endif

struct exec_job {
    const struct pb_problem *p;            /* the problem being run */
    const struct pb_params *prm;           /* threads, parameters, tmpdir */
    char points[PATH_MAX];                 /* TMP/points.txt */
    char edges[PATH_MAX];                  /* TMP/edges.txt */
    char out[PATH_MAX];                    /* TMP/out.csv or TMP/out.npy */
    char log[PATH_MAX];                    /* TMP/log.txt: the command's stdout and stderr */
    char time[PATH_MAX];                   /* TMP/time.txt: compute seconds (timing=script) */
    char setup[PATH_MAX];                  /* TMP/setup.txt: setup (JIT) seconds, optional */
};

const struct pb_param_spec pb_exec_params[] = {
    {.name = "command", .def = "",
     .help = "shell template: {python} {scripts}/cdist.py --points {points} --out {out} ..."},
    {.name = "python", .def = "/usr/bin/python3", .help = "interpreter substituted for {python}"},
    {.name = "timing", .def = "process", .choices = "process|script",
     .help = "process: runner's clock around everything; script: the command's {time} file"},
    {.name = "cost_factor", .def = "0",
     .help = "seconds per pair as a multiple of serial naive's, for the sweep's time estimate "
             "(pure Python loop: about 100); 0 = the default estimate",
     .type = PB_PARAM_NUMBER, .min = 0, .max = HUGE_VAL},
    {.name = NULL},
};

/* The placeholders a command template may use, in the order the refusals list them; only the
 * names count for pb_exec_template_check (exec_values fills the values of a run). */
enum { PH_N, PH_THREADS, PH_POINTS, PH_EDGES, PH_OUT, PH_OUTPUT, PH_BINS, PH_BOX, PH_PYTHON,
       PH_SCRIPTS, PH_TIME, PH_TMPDIR, PH_SETUP, PH_COUNT };
static const struct pb_placeholder exec_names[PH_COUNT + 1] = {
    [PH_N] = {.name = "n"},
    [PH_THREADS] = {.name = "threads"},
    [PH_POINTS] = {.name = "points", .quote = 1},
    [PH_EDGES] = {.name = "edges", .quote = 1},
    [PH_OUT] = {.name = "out", .quote = 1},
    [PH_OUTPUT] = {.name = "output"},
    [PH_BINS] = {.name = "bins"},
    [PH_BOX] = {.name = "box"},
    [PH_PYTHON] = {.name = "python", .quote = 1},
    [PH_SCRIPTS] = {.name = "scripts", .quote = 1},
    [PH_TIME] = {.name = "time", .quote = 1},
    [PH_TMPDIR] = {.name = "tmpdir", .quote = 1},
    [PH_SETUP] = {.name = "setup", .quote = 1},
    [PH_COUNT] = {.name = NULL},
};

/* The numbers a run substitutes, as text. */
struct exec_numbers {
    char n[32], threads[16], box[32], bins[128];
};

/* Fills v (a copy of exec_names) with the values of job j; num holds the numbers' text.
 * Paths and {python} are quoted on substitution. */
static void exec_values(const struct exec_job *j, struct exec_numbers *num,
                        struct pb_placeholder v[PH_COUNT + 1])
{
    const struct pb_problem *p = j->p;
    const char *scripts = getenv("PB_SCRIPTS_DIR");
    memcpy(v, exec_names, sizeof exec_names);
    snprintf(num->n, sizeof num->n, "%zu", p->n);
    snprintf(num->threads, sizeof num->threads, "%d", j->prm->threads);
    snprintf(num->box, sizeof num->box, "%.17g", p->box > 0 ? p->box : 0.0);
    num->bins[0] = '\0';
    if (p->output == PB_OUTPUT_HISTOGRAM)
        snprintf(num->bins, sizeof num->bins, "%.17g,%.17g,%zu,%s", p->edges[0],
                 p->edges[p->nbins], p->nbins, p->scale == PB_BINS_LOG ? "log"
                 : p->scale == PB_BINS_EXPLICIT ? "explicit" : "linear");   /* < 90 bytes */
    v[PH_N].value = num->n;
    v[PH_THREADS].value = num->threads;
    v[PH_POINTS].value = j->points;
    v[PH_EDGES].value = j->edges;
    v[PH_OUT].value = j->out;
    v[PH_OUTPUT].value = p->output == PB_OUTPUT_MATRIX ? "matrix" : "histogram";
    v[PH_BINS].value = num->bins;
    v[PH_BOX].value = num->box;
    v[PH_PYTHON].value = pb_param(j->prm, "python");
    v[PH_SCRIPTS].value = scripts && *scripts ? scripts : PB_EXEC_SCRIPTS;
    v[PH_TIME].value = j->time;
    v[PH_TMPDIR].value = j->prm->tmpdir;
    v[PH_SETUP].value = j->setup;
}

int pb_exec_template_check(const char *tpl, int parallel, char *why, size_t size)
{
    struct pb_placeholder names[PH_COUNT + 1];
    if (!tpl || !*tpl) {
        snprintf(why, size, "exec needs a \"command\" parameter");
        return -EINVAL;
    }
    memcpy(names, exec_names, sizeof names);
    if (!parallel)
        names[PH_THREADS].refuse = "exec runs its command once at 1 thread; a command that "
                                   "takes {threads} belongs to exec-parallel";
    return pb_template_check(tpl, names, why, size);
}

/* Expands tpl for job j into *cmd (malloc'd, also on error). Returns 0, -ENOMEM, or -EINVAL
 * with the note naming an unknown or unclosed placeholder. */
static int exec_expand(const struct exec_job *j, const char *tpl, char **cmd,
                       struct pb_output *out)
{
    struct exec_numbers num;
    struct pb_placeholder v[PH_COUNT + 1];
    char why[sizeof out->note - 16];
    exec_values(j, &num, v);
    int err = pb_template_expand(tpl, v, 0, cmd, why, sizeof why);
    return err == -EINVAL ? pb_out_note(out, err, "command: %s", why) : err;
}

/* Writes the points, "x y z" per line at full precision. Returns 0 or -errno. */
static int exec_write_points(const char *path, const struct pb_problem *p)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    for (size_t i = 0; i < p->n; i++)
        fprintf(f, "%.17g %.17g %.17g\n", p->x[i], p->y[i], p->z[i]);
    return fclose(f) == 0 ? 0 : -EIO;
}

/* Writes the nbins+1 histogram edges, one per line (an empty file for a matrix). */
static int exec_write_edges(const char *path, const struct pb_problem *p)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    for (size_t i = 0; p->output == PB_OUTPUT_HISTOGRAM && i <= p->nbins; i++)
        fprintf(f, "%.17g\n", p->edges[i]);
    return fclose(f) == 0 ? 0 : -EIO;
}

/* Runs cmd through /bin/sh with its output in j's log and waits. Returns 0 with *status as
 * from waitpid, or -errno. */
static int exec_shell(const struct exec_job *j, const char *cmd, int *status)
{
    struct pb_launch l = {.cmd = cmd, .log = j->log};
    return pb_launch_run(&l, status);
}

/* Maps the command's wait status to 0, -ENOTSUP (exit 77) or -EIO, with the note saying why. */
static int exec_status(const struct exec_job *j, int status, struct pb_output *out)
{
    char last[200], how[64];
    int code;
    pb_file_last_line(j->log, last, sizeof last);   /* its start, then "…", when long */
    switch (pb_exit_decode(status, &code)) {
    case PB_EXIT_OK:
        return 0;
    case PB_EXIT_MISSING:
        return pb_out_note(out, -ENOTSUP, "%s", *last ? last : "a dependency is missing");
    default:
        return pb_out_note(out, -EIO, "command %s: %s",
                           pb_exit_describe(status, how, sizeof how), last);
    }
}

/* 1 when a and b agree to 1e-9 relative (edges written with fewer digits still match). */
static int exec_same_edge(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* A count at s: blanks, then decimal digits only (no sign: strtoull would read "-1" as
 * 2^64 - 1) that fit in 64 bits. Sets *end past the digits, or to s when there are none or the
 * value overflows (so the caller sees no count). Returns the value. */
static unsigned long long exec_count(const char *s, char **end)
{
    unsigned long long c = 0;
    *end = (char *)s;
    s += strspn(s, " ");
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    c = strtoull(s, end, 10);
    if (errno == ERANGE)
        *end = (char *)s;
    return c;
}

/* Parses one "lo,hi,count" line for bin b into counts. Returns 0 or -EINVAL with note. */
static int exec_csv_line(const struct pb_problem *p, size_t b, const char *line,
                         struct pb_output *out)
{
    char *e1, *e2, *e3;
    double lo = strtod(line, &e1);
    double hi = *e1 == ',' ? strtod(e1 + 1, &e2) : (e2 = e1, NAN);
    unsigned long long c = *e2 == ',' ? exec_count(e2 + 1, &e3) : (e3 = e2, 0);
    if (e1 == line || *e1 != ',' || *e2 != ',' || e3 == e2 + 1 || strspn(e3, " \r\n") != strlen(e3))
        return pb_out_note(out, -EINVAL, "out.csv line for bin %zu is not \"lo,hi,count\": %.80s",
                         b, line);
    if (!exec_same_edge(lo, p->edges[b]) || !exec_same_edge(hi, p->edges[b + 1]))
        return pb_out_note(out, -EINVAL, "out.csv bin %zu is [%.17g, %.17g), the problem's is "
                         "[%.17g, %.17g)", b, lo, hi, p->edges[b], p->edges[b + 1]);
    out->counts[b] = c;
    return 0;
}

/* Reads the histogram CSV: an optional header line, then exactly nbins bin lines. */
static int exec_read_csv(const struct exec_job *j, struct pb_output *out)
{
    char line[512];
    size_t b = 0;
    int err = 0;
    FILE *f = fopen(j->out, "r");
    if (!f)
        return pb_out_note(out, -ENOENT, "the command exited 0 but wrote no %s", j->out);
    while (!err && fgets(line, sizeof line, f)) {
        if (line[strspn(line, " \r\n")] == '\0' || (b == 0 && strchr("lL#", line[0])))
            continue;                      /* blank lines and the "lo,hi,count" header */
        err = b < j->p->nbins ? exec_csv_line(j->p, b++, line, out)
              : pb_out_note(out, -EINVAL, "out.csv has more than %zu bins", j->p->nbins);
    }
    fclose(f);
    if (!err && b != j->p->nbins)
        err = pb_out_note(out, -EINVAL, "out.csv has %zu bins, expected %zu", b, j->p->nbins);
    return err;
}

/* Reads the n x n float64 .npy matrix into a fresh pb_matrix_alloc mapping. */
static int exec_read_npy(const struct exec_job *j, struct pb_output *out)
{
    struct pb_npy_info info = {0};
    size_t n = j->p->n;
    FILE *f = fopen(j->out, "rb");
    if (!f)
        return pb_out_note(out, -ENOENT, "the command exited 0 but wrote no %s", j->out);
    int err = pb_npy_read_header(f, &info);
    if (!err && (strcmp(info.descr, "<f8") || info.fortran || info.ndim != 2 ||
                 info.shape[0] != n || info.shape[1] != n))
        err = -EINVAL;
    if (err)
        pb_out_note(out, err, "out.npy is not a C-order float64 (%zu, %zu) array (descr '%s', "
                  "%d dimensions)", n, n, info.descr, info.ndim);
    if (!err)
        err = pb_matrix_alloc(out, n, sizeof(double), 0);
    if (!err && fread(out->matrix, sizeof(double), n * n, f) != n * n)
        err = pb_out_note(out, -EIO, "out.npy is shorter than n*n doubles");
    fclose(f);
    return err;
}

/* timing=script: the command's own compute seconds from {time} into out->self_wall_s. */
static int exec_read_time(const struct exec_job *j, struct pb_output *out)
{
    double s = -1;
    FILE *f = fopen(j->time, "r");
    int ok = f && fscanf(f, "%lf", &s) == 1 && s >= 0;
    if (f)
        fclose(f);
    if (!ok)
        return pb_out_note(out, -EIO, "timing=script but the command wrote no seconds to {time}");
    out->self_wall_s = s > 0 ? s : 1e-9;   /* 0 would mean "not self-timed" */
    return 0;
}

/* The command's setup seconds from {setup}, when it wrote them, into out->build_s. Returns 0,
 * or -EIO with the note set when the file is there but holds no seconds. */
static int exec_read_setup(const struct exec_job *j, struct pb_output *out)
{
    double s = -1;
    FILE *f = fopen(j->setup, "r");
    if (!f)
        return 0;                          /* no setup reported: build_s stays empty */
    int ok = fscanf(f, "%lf", &s) == 1 && s >= 0;
    fclose(f);
    if (!ok)
        return pb_out_note(out, -EIO, "the command's {setup} file holds no seconds");
    out->build_s = s > 0 ? s : 1e-9;       /* 0 would mean "none" */
    return 0;
}

/* Fills the per-run file names under prm->tmpdir. Returns 0, or -ENAMETOOLONG with the note
 * set when the folder's name leaves no room for them (a cut path would name another file). */
static int exec_paths(struct exec_job *j, struct pb_output *out)
{
    const char *d = j->prm->tmpdir && *j->prm->tmpdir ? j->prm->tmpdir : "/tmp";
    int m = j->p->output == PB_OUTPUT_MATRIX;
    if (strlen(d) + sizeof "/points.txt" > sizeof j->points)
        return pb_out_note(out, -ENAMETOOLONG, "the run's folder name is too long (%zu bytes)",
                         strlen(d));
    snprintf(j->points, sizeof j->points, "%s/points.txt", d);
    snprintf(j->edges, sizeof j->edges, "%s/edges.txt", d);
    snprintf(j->out, sizeof j->out, "%s/out.%s", d, m ? "npy" : "csv");
    snprintf(j->log, sizeof j->log, "%s/log.txt", d);
    snprintf(j->time, sizeof j->time, "%s/time.txt", d);
    snprintf(j->setup, sizeof j->setup, "%s/setup.txt", d);
    return 0;
}

/* Refuses what exec cannot do before anything is written. parallel: the command may use
 * {threads}. Returns 0, -EINVAL or -ENOTSUP with the note set. */
static int exec_check(const struct pb_problem *p, const char *tpl, int parallel,
                      struct pb_output *out)
{
    char why[sizeof out->note - 16];
    if (pb_exec_template_check(tpl, parallel, why, sizeof why) < 0)
        return pb_out_note(out, -EINVAL, "%s%s",
                           tpl && *tpl && strchr(tpl, '{') ? "command: " : "", why);
    if (p->precision != PB_PRECISION_DOUBLE)
        return pb_out_note(out, -ENOTSUP, "exec baselines compute in double only");
    return 0;
}

/* The steps of a run on job j with command template tpl: check, write inputs, run the
 * command, read its answer. */
static int exec_steps(struct exec_job *j, const char *tpl, int parallel, struct pb_output *out)
{
    const struct pb_problem *p = j->p;
    const struct pb_params *prm = j->prm;
    char *cmd = NULL;
    int status = 0, err = exec_check(p, tpl, parallel, out);
    if (err || (err = exec_paths(j, out)))
        return err;
    unlink(j->out);                         /* a stale answer must not pass for this one */
    unlink(j->setup);
    err = exec_expand(j, tpl, &cmd, out);
    if (!err && ((err = exec_write_points(j->points, p)) || (err = exec_write_edges(j->edges, p))))
        pb_out_note(out, err, "cannot write the inputs under %s: %s", prm->tmpdir, strerror(-err));
    if (!err && (err = exec_shell(j, cmd, &status)) < 0)
        pb_out_note(out, err, "cannot start /bin/sh: %s", strerror(-err));
    free(cmd);
    if (!err)
        err = exec_status(j, status, out);
    if (!err)
        err = p->output == PB_OUTPUT_MATRIX ? exec_read_npy(j, out) : exec_read_csv(j, out);
    const char *timing = pb_param(prm, "timing");
    if (!err && timing && strcmp(timing, "script") == 0)
        err = exec_read_time(j, out);
    if (!err)
        err = exec_read_setup(j, out);
    return err;
}

/* 1 when m's dependency is missing: `{python} -c 'import MODULE'` does not exit 0 (or cannot
 * be run). Runs only after a failed run, so a working method pays nothing for it. */
static int exec_method_missing(struct exec_job *j, const struct exec_method *m,
                               struct pb_output *out)
{
    char tpl[128], keep[sizeof out->note];
    char *cmd = NULL;
    int status = 0;
    snprintf(tpl, sizeof tpl, "{python} -c 'import %s'", m->module);
    memcpy(keep, out->note, sizeof keep);  /* the run's own reason stays when not missing */
    int err = exec_expand(j, tpl, &cmd, out);
    if (!err)
        err = exec_shell(j, cmd, &status);
    free(cmd);
    memcpy(out->note, keep, sizeof keep);
    return err < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

/* The whole run of template tpl; m (NULL for exec) names the dependency a failure is checked
 * against: when it is missing the run returns -ENOTSUP and the row reads "skipped: needs
 * PACKAGE". The job (six paths, 24 KB) lives on the heap: a run child's stack may be small. */
static int exec_job_run(const struct pb_problem *p, const struct pb_params *prm,
                        struct pb_output *out, const char *tpl, int parallel,
                        const struct exec_method *m)
{
    struct exec_job *j = calloc(1, sizeof *j);
    if (!j)
        return pb_out_note(out, -ENOMEM, "out of memory");
    j->p = p;
    j->prm = prm;
    int err = exec_steps(j, tpl, parallel, out);
    if (err && m && exec_method_missing(j, m, out))
        err = pb_out_needs(out, m->package, "%s cannot import %s", pb_param(prm, "python"),
                           m->module);
    free(j);
    return err;
}

int pb_exec_run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out,
                int parallel)
{
    return exec_job_run(p, prm, out, pb_param(prm, "command"), parallel, NULL);
}

int pb_exec_method_run(const struct pb_problem *p, const struct pb_params *prm,
                       struct pb_output *out, const struct exec_method *m)
{
    const char *tasks = pb_param(prm, "tasks");
    char tpl[512];
    if (tasks && !pb_exec_tasks_valid(tasks))
        return pb_out_note(out, -EINVAL, "tasks takes rows, workers or a positive count, got "
                           "\"%.60s\"", tasks);
    snprintf(tpl, sizeof tpl, "{python} {scripts}/%s --output {output} --points {points} "
             "--edges {edges} --box {box} --out {out} --time {time}%s%s%s", m->args,
             m->parallel ? " --threads {threads}" : "", tasks ? " --tasks " : "",
             tasks ? tasks : "");
    return exec_job_run(p, prm, out, tpl, m->parallel, m);
}

int pb_exec_tasks_valid(const char *tasks)
{
    size_t digits = strspn(tasks, "0123456789");
    if (!strcmp(tasks, "rows") || !strcmp(tasks, "workers"))
        return 1;
    return digits > 0 && digits <= 9 && !tasks[digits] && strspn(tasks, "0") < digits;
}


double pb_exec_cost_factor(const struct pb_params *prm)
{
    const char *v = pb_param(prm, "cost_factor");
    double f = v ? strtod(v, NULL) : 0;
    return f > 0 ? f : 0;
}
