/* exec.h — the body of the exec strategies: run an external command on the problem and read its
 * answer back, so baselines in other languages (scipy, numpy, multiprocessing) are measured by
 * the same runner and verified from the file they write. Included by kernels/exec.c (serial
 * commands, run once per n) and kernels/exec-parallel.c (commands that take {threads}); the
 * strategy flags are static, so the two kinds of command are two registered names.
 *
 * A run: write the points to TMP/points.txt ("x y z" per line, %.17g, the format
 * pb_points_read accepts) and the histogram edges to TMP/edges.txt (one %.17g per line, nbins+1
 * lines: scripts use these exact doubles rather than rebuilding them), expand the command
 * template, run it with /bin/sh -c in a forked child of this process (same process group, so
 * the runner's memory sampling and kill reach it), wait, then read TMP/out.csv (histogram:
 * "lo,hi,count" per bin, an optional header line) or TMP/out.npy (matrix: float64, C order,
 * shape (n, n)).
 *
 * Placeholders: {n} {threads} {points} {edges} {out} {output} (matrix|histogram) {bins}
 * ("MIN,MAX,COUNT,linear|log|explicit", "" for a matrix; explicit edges are only in {edges}) {box} (periodic side, 0 = open) {python}
 * {scripts} (kernels/python of the source tree, or $PB_SCRIPTS_DIR) {time} {setup} {tmpdir}.
 * Paths and {python} are substituted already single-quoted for the shell; do not quote them
 * again.
 *
 * Exit status 77 means "a dependency is missing": the run returns -ENOTSUP and the row reads
 * "skipped: <the command's last output line>". Any other failure returns a negative errno
 * with the exit status and that last line in out->note.
 *
 * n = 0 runs the command too, on an empty points file: the overhead row then shows what the
 * baseline costs before any pair (interpreter start, imports, file round trip).
 *
 * timing = "process" (default): the row's wall time is the runner's clock around the whole
 * run, file writing and reading included. timing = "script": the command writes its own compute
 * seconds to {time} and that is reported (out->self_wall_s), for comparing the computation
 * alone with in-process strategies.
 *
 * Setup: a command may write to {setup} the seconds it spent before its computation that a
 * reader must see apart, such as Numba's JIT compile (a warm-up call before the timed one); they
 * are reported as out->build_s (the row's build_s column). With timing = "script" they are not
 * part of the row's wall time; with timing = "process" they are.
 *
 * cost_factor (a parameter the command never sees) tells the sweep's time estimate how many
 * times slower per pair than serial naive the command is (the pure Python loop: about 100), so
 * the plan and its skip rule know it; 0 keeps the default estimate.
 */
#ifndef PAIRBENCH_EXEC_H
#define PAIRBENCH_EXEC_H

#include "pairkern.h"
#include "fdio.h"
#include "npyfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef PB_SOURCE_DIR
#define PB_EXEC_SCRIPTS PB_SOURCE_DIR "/kernels/python"
#else
#define PB_EXEC_SCRIPTS "kernels/python"   /* plugin builds: relative to the working folder */
#endif

#define PB_EXEC_DEPENDENCY_MISSING 77      /* the automake "skip" exit status */

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

static const struct pb_param_spec exec_params[] = {
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

/* struct pb_cost.pair_cost_of of the exec strategies: the row's cost_factor (seconds per pair
 * as a multiple of serial naive's), 0 when absent or not a positive number. */
static inline double exec_cost_factor(const struct pb_params *prm)
{
    const char *v = pb_param(prm, "cost_factor");
    double f = v ? strtod(v, NULL) : 0;
    return f > 0 ? f : 0;
}

/* Formats out->note and returns code, so failures read `return exec_note(out, -EINVAL, ...)`. */
__attribute__((format(printf, 3, 4)))
static int exec_note(struct pb_output *out, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->note, sizeof out->note, fmt, ap);
    va_end(ap);
    return code;
}

/* Appends src to the growing string *buf (length *len, capacity *cap). Returns 0 or -ENOMEM. */
static int exec_append(char **buf, size_t *len, size_t *cap, const char *src, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t want = (*len + n + 1) * 2;
        char *b = realloc(*buf, want);
        if (!b)
            return -ENOMEM;
        *buf = b;
        *cap = want;
    }
    memcpy(*buf + *len, src, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

/* Appends s single-quoted for /bin/sh (' becomes '\'') to the growing string. Returns 0 or
 * -ENOMEM; nothing is ever cut. */
static int exec_append_quoted(char **buf, size_t *len, size_t *cap, const char *s)
{
    int err = exec_append(buf, len, cap, "'", 1);
    while (!err && *s) {
        size_t run = strcspn(s, "'");
        err = exec_append(buf, len, cap, s, run);
        if (!err && s[run] == '\'')
            err = exec_append(buf, len, cap, "'\\''", 4);
        s += run + (s[run] == '\'');
    }
    return err ? err : exec_append(buf, len, cap, "'", 1);
}

/* The placeholders a command template may use; exec_value knows each. */
static const char *const exec_placeholders[] = {
    "n", "threads", "points", "edges", "out", "output", "bins", "box", "python", "scripts",
    "time", "tmpdir", "setup", NULL,
};

/* Formats why (size bytes) and returns -EINVAL, for exec_template_check's refusals. */
__attribute__((format(printf, 3, 4)))
static int exec_why(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* Checks a command template without running it: non-empty, every '{' closed by a '}' that
 * ends a known placeholder, and {threads} only when parallel. Returns 0, or -EINVAL with the
 * reason in why (size bytes), the same words the config loader and a run give. */
static int exec_template_check(const char *tpl, int parallel, char *why, size_t size)
{
    if (!tpl || !*tpl)
        return exec_why(why, size, "exec needs a \"command\" parameter");
    for (const char *lb = strchr(tpl, '{'); lb; lb = strchr(lb + 1, '{')) {
        const char *rb = strchr(lb, '}');
        size_t len = rb ? (size_t)(rb - lb - 1) : 0, k = 0;
        if (!rb)
            return exec_why(why, size, "unclosed '{' in \"%.60s%s\"", lb,
                            strlen(lb) > 60 ? "..." : "");
        while (exec_placeholders[k] && !(strlen(exec_placeholders[k]) == len &&
                                         strncmp(exec_placeholders[k], lb + 1, len) == 0))
            k++;
        if (!exec_placeholders[k])
            return exec_why(why, size, "unknown placeholder %.*s (known: {n} {threads} "
                            "{points} {edges} {out} {output} {bins} {box} {python} {scripts} "
                            "{time} {tmpdir} {setup})", len > 60 ? 62 : (int)len + 2, lb);
        if (!parallel && len == 7 && strncmp(lb + 1, "threads", 7) == 0)
            return exec_why(why, size, "exec runs its command once at 1 thread; a command "
                            "that takes {threads} belongs to exec-parallel");
    }
    return 0;
}

/* Appends the text for placeholder name (length len) to the growing command, or returns
 * -EINVAL for an unknown name (exec_template_check refuses those first). */
static int exec_value(const struct exec_job *j, const char *name, size_t len, char **buf,
                      size_t *blen, size_t *cap)
{
    const struct pb_problem *p = j->p;
    const char *scripts = getenv("PB_SCRIPTS_DIR");
    char val[128];
#define IS(s) (len == strlen(s) && strncmp(name, s, len) == 0)
    if (IS("points") || IS("edges") || IS("out") || IS("time") || IS("tmpdir"))
        return exec_append_quoted(buf, blen, cap, IS("points") ? j->points : IS("edges")
                                  ? j->edges : IS("out") ? j->out : IS("time") ? j->time
                                  : j->prm->tmpdir);
    if (IS("setup"))
        return exec_append_quoted(buf, blen, cap, j->setup);
    if (IS("python"))
        return exec_append_quoted(buf, blen, cap, pb_param(j->prm, "python"));
    if (IS("scripts"))
        return exec_append_quoted(buf, blen, cap, scripts && *scripts ? scripts : PB_EXEC_SCRIPTS);
    if (IS("n"))
        snprintf(val, sizeof val, "%zu", p->n);
    else if (IS("threads"))
        snprintf(val, sizeof val, "%d", j->prm->threads);
    else if (IS("output"))
        snprintf(val, sizeof val, "%s", p->output == PB_OUTPUT_MATRIX ? "matrix" : "histogram");
    else if (IS("box"))
        snprintf(val, sizeof val, "%.17g", p->box > 0 ? p->box : 0.0);
    else if (IS("bins") && p->output == PB_OUTPUT_HISTOGRAM)
        snprintf(val, sizeof val, "%.17g,%.17g,%zu,%s", p->edges[0], p->edges[p->nbins],
                 p->nbins, p->scale == PB_BINS_LOG ? "log" : p->scale == PB_BINS_EXPLICIT
                 ? "explicit" : "linear");   /* < 90 bytes */
    else if (IS("bins"))
        val[0] = '\0';
    else
        return -EINVAL;
#undef IS
    return exec_append(buf, blen, cap, val, strlen(val));
}

/* Expands the template into *cmd (malloc'd, also on error), at whatever length it takes.
 * Returns 0, -EINVAL with the note naming an unknown or unclosed placeholder, or -ENOMEM. */
static int exec_expand(const struct exec_job *j, const char *tpl, char **cmd,
                       struct pb_output *out)
{
    size_t len = 0, cap = 0;
    int err = exec_append(cmd, &len, &cap, "", 0);
    while (!err && *tpl) {
        const char *lb = strchr(tpl, '{');
        const char *rb = lb ? strchr(lb, '}') : NULL;
        if (!lb)
            return exec_append(cmd, &len, &cap, tpl, strlen(tpl));
        if (!rb)
            return exec_note(out, -EINVAL, "unclosed '{' in \"%s\"", lb);
        err = exec_append(cmd, &len, &cap, tpl, (size_t)(lb - tpl));
        if (!err && (err = exec_value(j, lb + 1, (size_t)(rb - lb - 1), cmd, &len, &cap)) ==
            -EINVAL)
            return exec_note(out, -EINVAL, "command: unknown placeholder %.*s",
                             (int)(rb - lb + 1), lb);
        tpl = rb + 1;
    }
    return err;
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

/* In the forked child: log file as stdout and stderr, no stdin, no other descriptor (the
 * command must not reach anything its caller holds), die with the parent, exec sh. */
static void exec_child(const char *cmd, const char *log, pid_t parent)
{
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || null < 0)
        _exit(126);
    dup2(null, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    syscall(SYS_close_range, 3U, ~0U, 0U);   /* kernels before 5.9: every fd is O_CLOEXEC */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(126);                           /* the parent died before the prctl */
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

/* Runs cmd through /bin/sh and waits. Returns 0 with *status as from waitpid, or -errno. */
static int exec_shell(const char *cmd, const char *log, int *status)
{
    fflush(NULL);                          /* the child must not repeat buffered output */
    pid_t parent = getpid(), pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0)
        exec_child(cmd, log, parent);
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

/* Maps the command's wait status to 0, -ENOTSUP (exit 77) or -EIO, with the note saying why. */
static int exec_status(const struct exec_job *j, int status, struct pb_output *out)
{
    char last[200];
    pb_file_last_line(j->log, last, sizeof last);   /* its start, then "…", when long */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == PB_EXEC_DEPENDENCY_MISSING)
        return exec_note(out, -ENOTSUP, "%s", *last ? last : "a dependency is missing");
    if (WIFSIGNALED(status))
        return exec_note(out, -EIO, "command killed by signal %d (%s): %s", WTERMSIG(status),
                         strsignal(WTERMSIG(status)), last);
    return exec_note(out, -EIO, "command exited %d: %s", WEXITSTATUS(status), last);
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
        return exec_note(out, -EINVAL, "out.csv line for bin %zu is not \"lo,hi,count\": %.80s",
                         b, line);
    if (!exec_same_edge(lo, p->edges[b]) || !exec_same_edge(hi, p->edges[b + 1]))
        return exec_note(out, -EINVAL, "out.csv bin %zu is [%.17g, %.17g), the problem's is "
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
        return exec_note(out, -ENOENT, "the command exited 0 but wrote no %s", j->out);
    while (!err && fgets(line, sizeof line, f)) {
        if (line[strspn(line, " \r\n")] == '\0' || (b == 0 && strchr("lL#", line[0])))
            continue;                      /* blank lines and the "lo,hi,count" header */
        err = b < j->p->nbins ? exec_csv_line(j->p, b++, line, out)
              : exec_note(out, -EINVAL, "out.csv has more than %zu bins", j->p->nbins);
    }
    fclose(f);
    if (!err && b != j->p->nbins)
        err = exec_note(out, -EINVAL, "out.csv has %zu bins, expected %zu", b, j->p->nbins);
    return err;
}

/* Reads the n x n float64 .npy matrix into a fresh pb_matrix_alloc mapping. */
static int exec_read_npy(const struct exec_job *j, struct pb_output *out)
{
    struct pb_npy_info info = {0};
    size_t n = j->p->n;
    FILE *f = fopen(j->out, "rb");
    if (!f)
        return exec_note(out, -ENOENT, "the command exited 0 but wrote no %s", j->out);
    int err = pb_npy_read_header(f, &info);
    if (!err && (strcmp(info.descr, "<f8") || info.fortran || info.ndim != 2 ||
                 info.shape[0] != n || info.shape[1] != n))
        err = -EINVAL;
    if (err)
        exec_note(out, err, "out.npy is not a C-order float64 (%zu, %zu) array (descr '%s', "
                  "%d dimensions)", n, n, info.descr, info.ndim);
    if (!err)
        err = pb_matrix_alloc(out, n, sizeof(double), 0);
    if (!err && fread(out->matrix, sizeof(double), n * n, f) != n * n)
        err = exec_note(out, -EIO, "out.npy is shorter than n*n doubles");
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
        return exec_note(out, -EIO, "timing=script but the command wrote no seconds to {time}");
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
        return exec_note(out, -EIO, "the command's {setup} file holds no seconds");
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
        return exec_note(out, -ENAMETOOLONG, "the run's folder name is too long (%zu bytes)",
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
    if (exec_template_check(tpl, parallel, why, sizeof why) < 0)
        return exec_note(out, -EINVAL, "%s%s", tpl && *tpl && strchr(tpl, '{') ? "command: " : "",
                         why);
    if (p->precision != PB_PRECISION_DOUBLE)
        return exec_note(out, -ENOTSUP, "exec baselines compute in double only");
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
        exec_note(out, err, "cannot write the inputs under %s: %s", prm->tmpdir, strerror(-err));
    if (!err && (err = exec_shell(cmd, j->log, &status)) < 0)
        exec_note(out, err, "cannot start /bin/sh: %s", strerror(-err));
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

/* What a named method (kernels/support/exec-method.h) needs to run: NULL for a configured
 * exec command. */
struct exec_method {
    const char *args;                      /* script and its own flags: "numba_loop.py --setup
                                              {setup}"; the shared arguments are added */
    int parallel;                          /* 1: the script takes {threads} */
    const char *package;                   /* the Debian package it needs: "python3-numba" */
    const char *module;                    /* what `{python} -c 'import MODULE'` proves there */
};

/* 1 when m's dependency is missing: `{python} -c 'import MODULE'` does not exit 0 (or cannot
 * be run). Runs only after a failed run, so a working method pays nothing for it. */
static inline int exec_method_missing(struct exec_job *j, const struct exec_method *m,
                                      struct pb_output *out)
{
    char tpl[128], keep[sizeof out->note];
    char *cmd = NULL;
    int status = 0;
    snprintf(tpl, sizeof tpl, "{python} -c 'import %s'", m->module);
    memcpy(keep, out->note, sizeof keep);  /* the run's own reason stays when not missing */
    int err = exec_expand(j, tpl, &cmd, out);
    if (!err)
        err = exec_shell(cmd, j->log, &status);
    free(cmd);
    memcpy(out->note, keep, sizeof keep);
    return err < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

/* The whole run of template tpl; m (NULL for exec) names the dependency a failure is checked
 * against: when it is missing the run returns -ENOTSUP and the row reads "skipped: needs
 * PACKAGE". The job (six paths, 24 KB) lives on the heap: a run child's stack may be small. */
static inline int exec_job_run(const struct pb_problem *p, const struct pb_params *prm,
                               struct pb_output *out, const char *tpl, int parallel,
                               const struct exec_method *m)
{
    struct exec_job *j = calloc(1, sizeof *j);
    if (!j)
        return exec_note(out, -ENOMEM, "out of memory");
    j->p = p;
    j->prm = prm;
    int err = exec_steps(j, tpl, parallel, out);
    if (err && m && exec_method_missing(j, m, out))
        err = exec_note(out, -ENOTSUP, "needs %s (%s cannot import %s)", m->package,
                        pb_param(prm, "python"), m->module);
    free(j);
    return err;
}

/* The run of the configured "command" (the exec and exec-parallel strategies). */
static inline int exec_run(const struct pb_problem *p, const struct pb_params *prm,
                           struct pb_output *out, int parallel)
{
    return exec_job_run(p, prm, out, pb_param(prm, "command"), parallel, NULL);
}

/* 1 when tasks is a named method's "tasks" value: rows, workers or a positive count of at
 * most 9 digits (pbcommon.py's --tasks). */
static inline int exec_tasks_valid(const char *tasks)
{
    size_t digits = strspn(tasks, "0123456789");
    if (!strcmp(tasks, "rows") || !strcmp(tasks, "workers"))
        return 1;
    return digits > 0 && digits <= 9 && !tasks[digits] && strspn(tasks, "0") < digits;
}

#endif
