/* mpi.c — the problem run by an MPI job: pairs split over ranks, OpenMP inside each rank.
 *
 * This file has no MPI in it, so it always builds. It writes the problem into a directory,
 * starts the worker program (kernels/mpi/worker.c, built as pairbench-mpi-worker when CMake
 * finds MPI) through a launcher command, and reads the answer back. The wire format is in
 * kernels/mpi/wire.h.
 *
 * Time: the worker measures the slowest rank between two barriers (output assembled and
 * written), so MPI start-up and the file exchange are not in self_wall_s; the harness still sees
 * them in its own time and memory of the whole process tree. Memory: every rank's ru_maxrss,
 * largest and summed, in rank_max_kib and rank_sum_kib.
 *
 * Open MPI refuses to run as root unless OMPI_ALLOW_RUN_AS_ROOT and
 * OMPI_ALLOW_RUN_AS_ROOT_CONFIRM are set; they are set for the launcher when bench runs as root,
 * whatever the launcher template (other launchers ignore them).
 */
#include "pairkern.h"
#include "fdio.h"
#include "launch.h"
#include "mpi/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORKER_NAME "pairbench-mpi-worker"
#define PB_PATH 4096                  /* path buffers; longer paths are refused, not cut */

static const struct pb_param_spec params[] = {
    {.name = "launcher", .def = "mpirun --oversubscribe --bind-to none -np {ranks}",
     .help = "command that starts {ranks} processes; the worker path and directory follow it "
             "({threads} is the threads per rank)"},
    {.name = "matrix_io", .def = "gather", .choices = "gather|mpiio",
     .help = "matrix: rows gathered at rank 0 which writes the file, or each rank's rows written "
             "with MPI-IO"},
    {.name = "worker", .def = "",
     .help = "path of " WORKER_NAME "; empty: the one beside the running bench"},
    {.name = "dir", .def = "",
     .help = "directory for the exchange files (must be shared by all nodes on a cluster); "
             "empty: the run's private temporary directory"},
    {.name = NULL},
};

/* s into buf. Returns 0, or -ENAMETOOLONG when it does not fit. */
static int copy(char *buf, size_t size, const char *s)
{
    size_t len = strlen(s);
    if (len >= size)
        return -ENAMETOOLONG;
    memcpy(buf, s, len + 1);
    return 0;
}

/* dir/name into buf. Returns 0, or -ENAMETOOLONG when it does not fit. */
static int join(char *buf, size_t size, const char *dir, const char *name)
{
    int w = snprintf(buf, size, "%s/%s", dir, name);
    return w >= 0 && (size_t)w < size ? 0 : -ENAMETOOLONG;
}

/* The worker's path into buf: the "worker" parameter, or WORKER_NAME in the folder of the
 * running executable. Returns 0, or -ENOTSUP with out->note "needs pairbench-mpi-worker (...)"
 * when there is no such program. */
static int find_worker(const struct pb_params *prm, char *buf, size_t size, struct pb_output *out)
{
    const char *w = pb_param(prm, "worker");
    int rc = 0;
    if (w && *w) {
        rc = copy(buf, size, w);
    } else {
        char exe[PB_PATH];
        ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (len < 0)
            len = 0;
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        rc = join(buf, size, slash ? exe : ".", WORKER_NAME);
    }
    if (!rc && access(buf, X_OK) == 0)
        return 0;
    return pb_out_needs(out, WORKER_NAME, "%.120s not found: bench built without MPI? install "
                        "Open MPI and re-run cmake, or set the worker parameter", buf);
}

/* The matrix_io parameter as the wire's enum. */
static uint32_t matrix_io(const struct pb_params *prm)
{
    const char *v = pb_param(prm, "matrix_io");
    return v && strcmp(v, "mpiio") == 0 ? PB_MPI_MPIIO : PB_MPI_GATHER;
}

/* Writes dir/problem.bin for p. Returns 0 or -errno with out->note. */
static int write_problem(const struct pb_problem *p, const struct pb_params *prm, const char *dir,
                         struct pb_output *out)
{
    int hist = p->output == PB_OUTPUT_HISTOGRAM;
    struct pb_mpi_problem h = {
        .magic = PB_MPI_PROBLEM_MAGIC, .version = PB_MPI_WIRE_VERSION, .n = p->n,
        .output = p->output, .precision = p->precision, .matrix_io = matrix_io(prm),
        .threads = prm->threads > 0 ? prm->threads : 1, .box = p->box,
        .nbins = hist ? p->nbins : 0,
    };
    char path[PB_PATH];
    int fd = join(path, sizeof path, dir, PB_MPI_PROBLEM_FILE) ? -1
             : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto err;
    int rc = pb_write_all(fd, &h, sizeof h);
    if (!rc && hist)
        rc = pb_write_all(fd, p->edges, (p->nbins + 1) * sizeof(double));
    if (!rc)
        rc = pb_write_all(fd, p->x, p->n * sizeof(double));
    if (!rc)
        rc = pb_write_all(fd, p->y, p->n * sizeof(double));
    if (!rc)
        rc = pb_write_all(fd, p->z, p->n * sizeof(double));
    if (close(fd) != 0 && !rc)
        rc = -errno;
    if (!rc)
        return 0;
    errno = -rc;
err:
    return pb_out_note(out, -errno, "%.160s: %s", path, strerror(errno));
}

/* The shell command into *cmd (malloc'd, the caller frees it, also on error): the launcher
 * template with {ranks} and {threads} expanded (any other brace, such as the shell's ${VAR}, is
 * left as written), then the worker and the directory, quoted. Returns 0 or -ENOMEM. */
static int make_command(const struct pb_params *prm, const char *worker, const char *dir,
                        char **cmd)
{
    const char *t = pb_param(prm, "launcher");
    char ranks[16], threads[16], why[64];
    const struct pb_placeholder v[] = {
        {.name = "ranks", .value = ranks}, {.name = "threads", .value = threads},
        {.name = NULL},
    };
    snprintf(ranks, sizeof ranks, "%d", prm->ranks);
    snprintf(threads, sizeof threads, "%d", prm->threads);
    int rc = pb_template_expand(t ? t : "", v, PB_TEMPLATE_KEEP_UNKNOWN, cmd, why, sizeof why);
    struct pb_strbuf b = {*cmd, *cmd ? strlen(*cmd) : 0, *cmd ? strlen(*cmd) + 1 : 0};
    if (!rc)
        rc = pb_strbuf_add(&b, " ", 1);
    if (!rc)
        rc = pb_strbuf_add_quoted(&b, worker);
    if (!rc)
        rc = pb_strbuf_add(&b, " ", 1);
    if (!rc)
        rc = pb_strbuf_add_quoted(&b, dir);
    *cmd = b.s;
    return rc;
}

/* The last line or so of dir/launcher.log (its last 199 bytes), on one line, into note after
 * prefix. Not pb_file_last_line: mpirun's messages span several lines and often end in a rule
 * of dashes, so the last line alone would say too little. */
static void log_tail(const char *dir, const char *prefix, char *note, size_t size)
{
    char path[PB_PATH], tail[200] = "";
    if (!join(path, sizeof path, dir, "launcher.log"))
        pb_file_tail(path, tail, sizeof tail);
    for (char *c = tail; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    int head = snprintf(note, size, "%s: ", prefix);
    if (head >= 0 && (size_t)head + 5 <= size)     /* a tail that does not fit ends in "…" */
        pb_copy_fit(note + head, size - (size_t)head, tail, strlen(tail));
}

/* The program a launcher template starts (its first word, at most 40 bytes) into buf. */
static void launcher_program(const struct pb_params *prm, char *buf, size_t size)
{
    const char *t = pb_param(prm, "launcher");
    t = t ? t + strspn(t, " \t") : "";
    size_t len = strcspn(t, " \t");
    snprintf(buf, size, "%.*s", len > 40 ? 40 : (int)len, len ? t : "a launcher");
}

/* Runs cmd through the launcher (pb_launch_run) with its output in dir/launcher.log and the
 * environment the ranks need, and waits. Returns 0 when it exited 0; -ENOTSUP, "needs
 * PROGRAM (launcher could not start ...)", when the shell could not start it (126, 127);
 * -EIO for any other failure ("MPI job failed (status N): ..."); note says which. */
static int launch(const struct pb_params *prm, const char *cmd, const char *dir,
                  struct pb_output *out)
{
    char threads[32], log[PB_PATH], what[64], detail[sizeof out->note - 64], prog[48];
    const char *env[4] = {threads, NULL, NULL, NULL};
    snprintf(threads, sizeof threads, "OMP_NUM_THREADS=%d", prm->threads > 0 ? prm->threads : 1);
    if (geteuid() == 0) {
        env[1] = "OMPI_ALLOW_RUN_AS_ROOT=1";
        env[2] = "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1";
    }
    struct pb_launch l = {.cmd = cmd, .log = log, .env = env};
    int st, code, rc = join(log, sizeof log, dir, "launcher.log");
    if (!rc && (rc = pb_launch_run(&l, &st)) < 0)
        return pb_out_note(out, rc, "cannot start the launcher: %s", strerror(-rc));
    enum pb_exit_kind kind = pb_exit_decode(st, &code);
    if (kind == PB_EXIT_OK)
        return 0;
    code += kind == PB_EXIT_KILLED ? 128 : 0;
    snprintf(what, sizeof what, kind == PB_EXIT_NOSTART ? "launcher could not start (status %d)"
                                                        : "MPI job failed (status %d)", code);
    if (kind != PB_EXIT_NOSTART) {
        log_tail(dir, what, out->note, sizeof out->note);
        return -EIO;
    }
    log_tail(dir, what, detail, sizeof detail);
    launcher_program(prm, prog, sizeof prog);
    return pb_out_needs(out, prog, "%s", detail);
}

/* Opens dir/name for reading. Returns the fd, or -errno with out->note. */
static int open_in(const char *dir, const char *name, struct pb_output *out)
{
    char path[PB_PATH];
    int fd = join(path, sizeof path, dir, name) ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return pb_out_note(out, -e, "%.160s: %s", path, strerror(e));
    }
    return fd;
}

/* Reads dir/result.bin into out: times, ranks' memory and (histogram) the counts. */
static int read_result(const struct pb_problem *p, const char *dir, struct pb_output *out)
{
    int fd = open_in(dir, PB_MPI_RESULT_FILE, out);
    if (fd < 0)
        return fd;
    struct pb_mpi_result r;
    size_t nb = p->output == PB_OUTPUT_HISTOGRAM ? p->nbins : 0;
    int rc = pb_read_all(fd, &r, sizeof r);
    if (!rc && (r.magic != PB_MPI_RESULT_MAGIC || r.nbins != nb))
        rc = -EIO;
    if (!rc && nb)
        rc = pb_read_all(fd, out->counts, nb * sizeof *out->counts);
    close(fd);
    if (rc)                                 /* -EPIPE: the file ended early */
        return pb_out_note(out, rc == -EPIPE ? -EIO : rc, "%.160s/%s: malformed or short", dir,
                           PB_MPI_RESULT_FILE);
    out->self_wall_s = r.wall_s > 0 ? r.wall_s : 1e-9;  /* > 0 marks the time as self-measured */
    out->rank_max_kib = (long)r.rank_max_kib;
    out->rank_sum_kib = (long)r.rank_sum_kib;
    return 0;
}

/* Reads dir/matrix.bin into a fresh matrix in out. */
static int read_matrix(const struct pb_problem *p, const char *dir, struct pb_output *out)
{
    size_t elem = p->precision == PB_PRECISION_FLOAT ? sizeof(float) : sizeof(double);
    int fd = open_in(dir, PB_MPI_MATRIX_FILE, out);
    if (fd < 0)
        return fd;
    int rc = pb_matrix_alloc(out, p->n, elem, 0);
    if (!rc)
        rc = pb_read_all(fd, out->matrix, p->n * p->n * elem);
    close(fd);
    if (rc == -EPIPE)
        rc = -EIO;                          /* the file ended early */
    if (rc)
        pb_out_note(out, rc, "%.160s/%s: %s", dir, PB_MPI_MATRIX_FILE,
                    rc == -EIO ? "shorter than n*n entries" : strerror(-rc));
    return rc;
}

/* Removes the exchange files and, when made here, the directory. */
static void clean_dir(const char *dir, int made)
{
    static const char *const names[] = {PB_MPI_PROBLEM_FILE, PB_MPI_RESULT_FILE,
                                        PB_MPI_MATRIX_FILE, "launcher.log"};
    char path[PB_PATH];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (join(path, sizeof path, dir, names[i]) == 0)
            unlink(path);
    }
    if (made)
        rmdir(dir);
}

/* The exchange directory into dir: a fresh one under the "dir" parameter (*made = 1), or the
 * run's tmpdir. Returns 0 or -errno with out->note. */
static int pick_dir(const struct pb_params *prm, char *dir, size_t size, int *made,
                    struct pb_output *out)
{
    const char *d = pb_param(prm, "dir");
    *made = d && *d;
    if (!*made) {
        const char *t = prm->tmpdir ? prm->tmpdir : ".";
        if (strlen(t) + 32 < size)  /* room for the file names joined to it */
            return copy(dir, size, t);
        return pb_out_note(out, -ENAMETOOLONG, "tmpdir path too long");
    }
    if (join(dir, size, d, "pairbench-mpi-XXXXXX") == 0 && mkdtemp(dir))
        return 0;
    return pb_out_note(out, -errno, "%.160s: %s", dir, strerror(errno));
}

/* Writes the problem, runs the MPI job on it and reads the answer back. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    char worker[PB_PATH], dir[PB_PATH], *cmd = NULL;
    int made, rc = find_worker(prm, worker, sizeof worker, out);
    if (rc)
        return rc;
    rc = pick_dir(prm, dir, sizeof dir, &made, out);
    if (rc)
        return rc;
    rc = write_problem(p, prm, dir, out);
    if (!rc && (rc = make_command(prm, worker, dir, &cmd)) < 0)
        pb_out_note(out, rc, "out of memory for the launcher command");
    if (!rc)
        rc = launch(prm, cmd, dir, out);
    free(cmd);
    if (!rc)
        rc = read_result(p, dir, out);
    if (!rc && p->output == PB_OUTPUT_MATRIX)
        rc = read_matrix(p, dir, out);
    clean_dir(dir, made);
    return rc;
}

/* Beyond the output: the problem file, the ranks' copies of the points and the rank blocks
 * (gather: rank 0 holds the whole matrix as well; MPI-IO: each rank only its rows); for a
 * histogram, each rank's edges, counts, binning and one histogram block per thread. */
static size_t extra_bytes(const struct pb_problem *p, const struct pb_params *prm)
{
    size_t ranks = prm->ranks > 0 ? (size_t)prm->ranks : 1;
    size_t elem = p->precision == PB_PRECISION_FLOAT ? sizeof(float) : sizeof(double);
    size_t points = (ranks + 1) * 3 * p->n * sizeof(double);
    size_t threads = prm->threads > 0 ? (size_t)prm->threads : 1;
    if (p->output != PB_OUTPUT_MATRIX)
        return points + ranks * (threads * pb_hist_bytes(p->nbins) + pb_bins_bytes(p)
                                 + (2 * p->nbins + 1) * sizeof(uint64_t));
    size_t m = p->n * p->n * elem;
    return points + (matrix_io(prm) == PB_MPI_MPIIO ? m : 2 * m);
}

const struct pb_strategy pb_strategy_mpi = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "mpi",
    .summary = "MPI job (" WORKER_NAME "): pairs split over ranks, OpenMP threads in each",
    .flags = PB_EXTERNAL | PB_DISTRIBUTED,
    .params = params,
    .run = run,
    .extra_bytes = extra_bytes,
    .cost = { .model = PB_COST_ALL_PAIRS },   /* launched programs: cost unknown */
};
