/* chunked-fork.c — fork() k worker processes, each computing one contiguous chunk of work
 * (rows cut by pair counts for the histogram's i<j triangle, by rows for the matrix): the
 * "chunking" model of a process pool. How results come back is the `transport` parameter,
 * because the two cost very different memory:
 *   shm  — the matrix is a MAP_SHARED mapping the children write directly, and the histogram
 *          blocks live in a small shared mapping: no copy at all;
 *   pipe — each child computes its whole chunk into private memory, then writes it through a
 *          pipe that the parent reads, concurrently from all children, into the matrix. Holding
 *          the whole chunk before sending is the honest model of multiprocessing pickling a
 *          worker's result: the matrix exists twice at the peak (children's chunks + parent's).
 * Children leave with _exit; the parent reaps every child it forked, on every path, and a child
 * that fails or dies makes the run fail with a note naming the worker and the signal. */
#include "team.h"
#include "fdio.h"
#include "launch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the parent knows of one child. */
struct child {
    pid_t pid;                       /* 0 until forked */
    int fd;                          /* pipe read end (pipe transport), -1 otherwise/closed */
    size_t i0, i1;                   /* rows of its chunk */
    char *dst;                       /* where its bytes go in the parent */
    size_t left;                     /* bytes still expected through the pipe */
};

/* Shared by the parent and (copied by fork into) the children. */
struct job {
    const struct pb_problem *p;      /* the problem */
    struct pb_output *out;           /* matrix (shared mapping under shm) and counts */
    const struct pb_team *tm;        /* binning (histogram) and pinning */
    uint64_t *shm_hist;              /* shm transport: k shared histogram blocks */
    int pipe;                        /* 1: pipe transport, 0: shm */
};

/* A private anonymous mapping of bytes (at least one) into out, with huge pages asked for, as
 * pb_matrix_alloc does for the matrix. Returns 0 or -errno. */
static int chunk_alloc(struct pb_output *out, size_t bytes)
{
    return pb_matrix_alloc(out, 1, bytes ? bytes : 1, 0);
}

/* Pipe transport, child side: the whole chunk into a private buffer, then through fd. */
static int child_pipe(const struct job *j, const struct child *c, int fd)
{
    const struct pb_problem *p = j->p;
    if (p->output == PB_OUTPUT_HISTOGRAM) {
        uint64_t *h = pb_hist_alloc(p->nbins, 1), *counts = calloc(p->nbins, sizeof *counts);
        if (!h || !counts)
            return -ENOMEM;
        pb_hist_rows(p, &j->tm->b, c->i0, c->i1, h);
        pb_hist_reduce(h, p->nbins, counts);
        return pb_write_all(fd, counts, p->nbins * sizeof *counts);
    }
    struct pb_output chunk = { 0 };            /* private rows, huge pages like the matrix */
    size_t bytes = (c->i1 - c->i0) * p->n * pb_elem_bytes(p);
    int err = chunk_alloc(&chunk, bytes);
    if (err)
        return err;
    pb_matrix_rows(p, c->i0, c->i1, chunk.matrix, c->i0);
    return pb_write_all(fd, chunk.matrix, bytes);
}

/* Restores the default action of the fatal signals in a child: a handler inherited from the
 * parent (a test framework's, say) must not run the parent's logic in the worker; a crashing
 * worker dies, and the parent reports the signal. */
static void default_fatal_signals(void)
{
    const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
}

/* Child w's whole life after fork: pin, compute, send (pipe), _exit. Never returns. */
static void child_main(const struct job *j, const struct child *c, int w, int fd)
{
    int err = 0;
    default_fatal_signals();
    pb_team_pin(j->tm, w);
    if (j->pipe)
        err = child_pipe(j, c, fd);
    else if (j->p->output == PB_OUTPUT_HISTOGRAM)
        pb_hist_rows(j->p, &j->tm->b, c->i0, c->i1,
                     pb_hist_block(j->shm_hist, j->p->nbins, (size_t)w));
    else
        pb_matrix_rows(j->p, c->i0, c->i1, j->out->matrix, 0);
    _exit(err ? 1 : 0);
}

/* Forks child w (with its pipe under the pipe transport). Returns 0 or -errno. */
static int spawn(const struct job *j, struct child *c, int w, const struct child *all)
{
    int fds[2] = { -1, -1 };
    if (j->pipe && pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    if (j->pipe)
        (void)fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);  /* fewer wake-ups; the default is kept
                                                        when the system allows less */
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        int err = -errno;
        if (j->pipe) {
            close(fds[0]);
            close(fds[1]);
        }
        return err;
    }
    if (pid == 0) {
        pb_die_with_parent(parent, SIGKILL);  /* a worker dies with the run that forked it */
        for (int s = 0; s < w; s++)         /* earlier siblings' read ends are not ours */
            if (all[s].fd >= 0)
                close(all[s].fd);
        if (j->pipe)
            close(fds[0]);
        child_main(j, c, w, fds[1]);
    }
    c->pid = pid;
    if (j->pipe) {
        close(fds[1]);
        c->fd = fds[0];
    }
    return 0;
}

/* Reads every child's pipe until each has sent its chunk or closed it, polling all of them so no
 * child blocks on a full pipe. Returns 0, or -EPIPE when a child closed early (it failed; the
 * reaping says how). */
static int drain(struct child *cs, int k)
{
    struct pollfd *pf = calloc((size_t)k, sizeof *pf);
    int open = 0, err = 0;
    if (!pf)
        return -ENOMEM;
    for (int w = 0; w < k; w++)
        open += cs[w].fd >= 0;
    while (open > 0) {
        for (int w = 0; w < k; w++)
            pf[w] = (struct pollfd){ .fd = cs[w].fd, .events = POLLIN };
        if (poll(pf, (nfds_t)k, -1) < 0 && errno != EINTR) {
            err = -errno;
            break;
        }
        for (int w = 0; w < k; w++) {
            if (cs[w].fd < 0 || !(pf[w].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char spare;                     /* catches bytes beyond the chunk */
            ssize_t r = cs[w].left ? read(cs[w].fd, cs[w].dst, cs[w].left)
                                   : read(cs[w].fd, &spare, 1);
            if (r < 0 && errno == EINTR)
                continue;
            if (r > 0 && (size_t)r <= cs[w].left) {
                cs[w].dst += r;
                cs[w].left -= (size_t)r;
                continue;
            }
            if (r != 0 || cs[w].left != 0)
                err = -EPIPE;               /* short, oversized or failed: the child failed */
            close(cs[w].fd);
            cs[w].fd = -1;
            open--;
        }
    }
    free(pf);
    return err;
}

/* Waits for every forked child; the first failure is described in out->note. Returns 0, or
 * -ECHILD when a child exited non-zero or was killed. */
static int reap(struct child *cs, int k, struct pb_output *out)
{
    int err = 0;
    for (int w = 0; w < k; w++) {
        int st = 0;
        if (cs[w].pid <= 0)
            continue;
        while (waitpid(cs[w].pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (cs[w].fd >= 0)
            close(cs[w].fd);
        cs[w].fd = -1;
        if ((WIFEXITED(st) && WEXITSTATUS(st) == 0) || err)
            continue;
        char how[64];
        err = pb_out_note(out, -ECHILD, "worker %d (pid %d) %s", w, (int)cs[w].pid,
                          pb_exit_describe(st, how, sizeof how));
    }
    return err;
}

/* Forks the k children over their chunks, collects the pipe data, reaps them all. A failed
 * fork kills the children already started before reaping them. Returns 0 or -errno. */
static int run_children(const struct job *j, int k)
{
    const struct pb_problem *p = j->p;
    struct child *cs = calloc((size_t)k, sizeof *cs);
    if (!cs)
        return -ENOMEM;
    int err = 0;
    for (int w = 0; w < k && !err; w++) {
        cs[w] = (struct child){ .fd = -1, .i0 = pb_split(p, (size_t)k, (size_t)w),
                                .i1 = pb_split(p, (size_t)k, (size_t)w + 1) };
        cs[w].dst = p->output == PB_OUTPUT_HISTOGRAM
                        ? (char *)(j->shm_hist) + (size_t)w * p->nbins * sizeof(uint64_t)
                        : (char *)j->out->matrix + cs[w].i0 * p->n * pb_elem_bytes(p);
        cs[w].left = p->output == PB_OUTPUT_HISTOGRAM ? p->nbins * sizeof(uint64_t)
                                                       : (cs[w].i1 - cs[w].i0) * p->n * pb_elem_bytes(p);
        err = spawn(j, &cs[w], w, cs);
    }
    for (int w = 0; err && w < k; w++)
        if (cs[w].pid > 0)
            kill(cs[w].pid, SIGKILL);
    if (!err && j->pipe && p->output == PB_OUTPUT_MATRIX)   /* while the children compute */
        pb_populate(j->out->matrix, 0, p->n * p->n * pb_elem_bytes(p));
    int derr = (!err && j->pipe) ? drain(cs, k) : 0;
    int rerr = reap(cs, k, j->out);
    free(cs);
    return err ? err : rerr ? rerr : derr;
}

/* Bytes of the shared (shm) or parent-side (pipe) histogram area for k workers: padded blocks
 * for shm, plain counts per worker for pipe. */
static size_t hist_area(const struct pb_problem *p, int k, int use_pipe)
{
    return use_pipe ? (size_t)k * p->nbins * sizeof(uint64_t) : pb_hist_bytes(p->nbins) * (size_t)k;
}

/* Sums the per-worker histograms the children left in area into out->counts. */
static void collect(const struct pb_problem *p, int k, int use_pipe, uint64_t *area,
                    struct pb_output *out)
{
    for (int w = 0; w < k; w++) {
        if (!use_pipe) {
            pb_hist_reduce(pb_hist_block(area, p->nbins, (size_t)w), p->nbins, out->counts);
            continue;
        }
        for (size_t b = 0; b < p->nbins; b++)
            out->counts[b] += area[(size_t)w * p->nbins + b];
    }
}

/* Histogram run: the per-worker area is a MAP_SHARED mapping (written by shm children) or the
 * parent's own memory (filled from the pipes); summed after every child is reaped. */
static int run_histogram(struct job *j, int k)
{
    size_t bytes = hist_area(j->p, k, j->pipe);
    int flags = MAP_ANONYMOUS | (j->pipe ? MAP_PRIVATE : MAP_SHARED);
    void *area = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (area == MAP_FAILED)
        return -errno;
    j->shm_hist = area;
    int err = run_children(j, k);
    if (!err)
        collect(j->p, k, j->pipe, area, j->out);
    munmap(area, bytes ? bytes : 1);
    return err;
}

/* Reads the transport, prepares the team (shared matrix under shm; the histogram blocks are
 * the children's area, not the team's), runs the children. */
static int run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out)
{
    const char *tr = pb_param(prm, "transport");
    struct pb_team tm;
    struct job j = { .p = p, .out = out, .tm = &tm, .pipe = tr && strcmp(tr, "pipe") == 0 };
    if (tr && !j.pipe && strcmp(tr, "shm") != 0)
        return pb_out_note(out, -EINVAL, "transport '%s': expected shm or pipe", tr);
    int err = pb_team_begin(&tm, p, prm, out, 0, !j.pipe);
    if (!err)
        err = p->output == PB_OUTPUT_HISTOGRAM ? run_histogram(&j, prm->threads)
                                               : run_children(&j, prm->threads);
    return pb_team_end(&tm, out, err);
}

/* Pipe transport: the children's private chunks add up to a second copy of the output (plus
 * one histogram block each); shm makes no copy beyond the shared per-worker blocks. A
 * histogram run also holds the binning (the children share the parent's). */
static size_t extra_bytes(const struct pb_problem *p, const struct pb_params *prm)
{
    const char *tr = pb_param(prm, "transport");
    size_t workers = (size_t)(prm->threads > 0 ? prm->threads : 1);
    size_t hist = workers * (pb_hist_bytes(p->nbins) + p->nbins * sizeof(uint64_t));
    if (p->output == PB_OUTPUT_HISTOGRAM)
        return hist + pb_bins_bytes(p);
    if (tr && strcmp(tr, "pipe") == 0)
        return p->n * p->n * pb_elem_bytes(p);
    return 0;
}

static const struct pb_param_spec params[] = {
    { .name = "transport", .def = "shm", .choices = "shm|pipe",
      .help = "how results return: shared mapping written in place, or a pipe copy per child" },
    { .name = NULL },
};

const struct pb_strategy pb_strategy_chunked_fork = {
    .abi_version = PB_STRATEGY_ABI,
    .name = "chunked-fork",
    .summary = "fork k processes, one contiguous chunk each (by pair count for the triangle); "
               "results via shared memory or pipe",
    .params = params,
    .run = run,
    .extra_bytes = extra_bytes,
    .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE },
};
