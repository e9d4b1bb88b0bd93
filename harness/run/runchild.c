/* runchild.c — the run child (see runchild.h): default signals, no core dump, the output
 * redirected, the strategy called once between two clock and rusage readings, the records
 * sent, and the death of its whole process group with the harness. */
#include "runchild.h"

#include "fdio.h"
#include "verify.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Seconds of user and system CPU between two rusage readings. */
static double tv_s(struct timeval a, struct timeval b)
{
    return (double)(b.tv_sec - a.tv_sec) + 1e-6 * (double)(b.tv_usec - a.tv_usec);
}

/* Gives the strategy default signal dispositions and an empty signal mask, and turns core dumps
 * off. */
static void child_defaults(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGSEGV, SIGBUS, SIGILL,
                                SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGCHLD };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);      /* a crash must end the run, not reach the harness's
                                          (or a test framework's) handler */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);  /* a crash in a sweep must not write a matrix-sized core */
}

/* Sends the run's stdout and stderr to <tmpdir>/output.log, then child_defaults. */
static void child_setup(const char *tmpdir)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/output.log", tmpdir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    child_defaults();
}

/* Runs the strategy once, timed, and fills c. out receives the answer. */
static void child_compute(const struct pb_problem *p, const struct pb_strategy *s,
                          const struct pb_params *k, struct pb_output *out,
                          struct pb_computed_rec *c)
{
    struct rusage s0, s1, c0, c1;
    struct timespec t0, t1;
    pb_memory_floor_start(&c->mem);
    pb_cpustat_read(NULL, &c->cpu0);
    getrusage(RUSAGE_SELF, &s0);
    getrusage(RUSAGE_CHILDREN, &c0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    c->rc = s->run(p, k, out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &s1);
    getrusage(RUSAGE_CHILDREN, &c1);
    pb_cpustat_read(NULL, &c->cpu1);
    c->wall_s = out->self_wall_s > 0 ? out->self_wall_s
                                     : (double)(t1.tv_sec - t0.tv_sec) +
                                           1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    c->user_s = tv_s(s0.ru_utime, s1.ru_utime) + tv_s(c0.ru_utime, c1.ru_utime);
    c->sys_s = tv_s(s0.ru_stime, s1.ru_stime) + tv_s(c0.ru_stime, c1.ru_stime);
    pb_memory_floor_end(&c->mem, c->rc == 0 ? out->matrix : NULL, out->matrix_bytes);
    c->rank_max_kib = out->rank_max_kib;
    c->rank_sum_kib = out->rank_sum_kib;
    c->build_s = out->build_s;
    c->dist_evals = out->dist_evals;
    snprintf(c->note, sizeof c->note, "%s", out->note);
    for (size_t b = 0; c->rc == 0 && out->counts && b < p->nbins; b++)
        c->counted += out->counts[b];
}

/* Sent to the run child when the harness dies: it kills its whole process group (exec'd
 * commands, their own children and fork workers included), then itself. */
static void on_parent_death(int sig)
{
    (void)sig;
    kill(0, SIGKILL);
}

/* Arms on_parent_death as the run child's parent-death signal (SIGRTMAX - 1: no strategy uses
 * it, and unlike SIGRTMAX valgrind leaves it to the program) when it leads its own process
 * group, else plain SIGKILL (killing the group it shares would reach the harness's caller);
 * _exits at once when the harness is already gone. */
static void child_die_with_group(pid_t parent)
{
    struct sigaction sa = { .sa_handler = on_parent_death };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGRTMAX - 1, &sa, NULL);
    pb_die_with_parent(parent, getpgrp() == getpid() ? SIGRTMAX - 1 : SIGKILL);
}

/* The run child's last act: sends its output (rc 0, a reference waiting) to the verifier, then
 * waits to be killed, so that its end before that always means it died while sending. A
 * verifier that has stopped reading (its verdict is in) gives EPIPE, not SIGPIPE. */
static void child_send_output(const struct pb_runstate *r, const struct pb_problem *p,
                              const struct pb_output *out, int rc)
{
    char go;
    signal(SIGPIPE, SIG_IGN);
    if (rc == 0 && r->verify)
        pb_output_send(r->outp[1], p, out);
    close(r->outp[1]);
    while (pb_read_all(r->go[0], &go, 1) == 0)
        ;
}

/* See runchild.h. */
void pb_runchild_main(struct pb_runstate *r, const struct pb_problem *p,
                      const struct pb_strategy *s, const struct pb_params *k)
{
    struct pb_output out = { 0 };
    struct pb_computed_rec c = { 0 };
    char go;
    int keep[] = { r->res[1], r->go[0], r->outp[1] };  /* not the reference: the strategy
                                                          never sees its answer */
    close(r->res[0]);
    close(r->go[1]);
    close(r->outp[0]);
    setpgid(0, 0);
    child_die_with_group(r->parent);             /* a killed harness takes its run along */
    pb_close_fds_except(keep, sizeof keep / sizeof keep[0]);  /* never the CSV or the lock */
    child_setup(r->tmpdir);
    pb_sealed_arm(&r->in);                       /* a write into the inputs names itself */
    if (pb_read_all(r->go[0], &go, 1) != 0)
        _exit(70);                               /* the parent gave up before the start */
    if (p->output == PB_OUTPUT_HISTOGRAM)
        out.counts = calloc(p->nbins ? p->nbins : 1, sizeof *out.counts);
    if (p->output == PB_OUTPUT_HISTOGRAM && !out.counts)
        _exit(71);
    child_compute(p, s, k, &out, &c);
    if (pb_write_all(r->res[1], &c, sizeof c) != 0 || pb_read_all(r->go[0], &go, 1) != 0)
        _exit(72);
    child_send_output(r, p, &out, c.rc);
    _exit(0);
}

/* See runchild.h. */
void pb_runchild_call(struct pb_runstate *r, pb_runner_fn fn, void *arg, void *rec, size_t len)
{
    close(r->res[0]);
    setpgid(0, 0);
    child_die_with_group(r->parent);             /* a killed caller takes the call along */
    child_defaults();
    fn(arg, r->tmpdir, rec);
    fflush(NULL);
    _exit(pb_write_all(r->res[1], rec, len) == 0 ? 0 : 72);
}
