/* runner.c — one run in its own child process, measured from outside, cleaned up whatever
 * happens.
 *
 * The parent (the harness) makes a private temporary directory, a memory cgroup where the
 * machine allows it, and forks. The child puts itself in its own process group, waits for the
 * parent's "go" (sent once the child sits in the cgroup), resets its RSS high-water mark and
 * calls the strategy once between two CLOCK_MONOTONIC readings and two getrusage pairs (SELF and
 * CHILDREN, so fork workers it reaped count). It then sends a fixed-size "computed" record
 * through a pipe and waits: the parent takes its last memory sample with the output still in
 * place and tells the child to go on. Only then is the output checked, and not by the child:
 * the parent forks a verifier from itself, the child sends its output to it through a pipe,
 * and the verifier compares it with the reference (reading the reference memfd, which is why
 * its pages never enter the memory figure) and sends the verdict.
 *
 * What a strategy cannot touch. The strategy receives its problem and parameters in a sealed,
 * read-only copy (sealed.h); the harness's own copy, from which the verifier works, is in
 * another process. A write into the copy kills the run and its status names what was written
 * ("crashed: wrote into its input points"). The run child closes the reference memfd before
 * the call, and the verdict travels on a pipe the run never had: nothing the strategy does
 * can change its verdict except its output.
 *
 * Memory: the parent samples the run's process tree while the strategy runs, the child
 * records its own floor around the call, and the run has a cgroup where the machine allows
 * one; what is counted, and why, is memory.h's (the memory method, in one place).
 *
 * CPU load: the child reads /proc/stat just outside its two clock readings; what other
 * processes used of this process's CPUs then, and the CPUs the run could use, are cpuload.h's.
 *
 * Cleanup: after every run the process group is killed, every descendant of the harness is
 * killed and reaped (repeated until none is left), the cgroup is removed, and the temporary
 * directory is deleted with everything in it. Memory shared through MAP_ANONYMOUS dies with the
 * processes. Strategies must keep other state under params->tmpdir: files there go with the
 * directory, and POSIX shared-memory objects named "/<basename of tmpdir>..." are unlinked from
 * /dev/shm after the run, as are the LLVM OpenMP runtime's per-process registration files of
 * the run's processes. Objects named otherwise, and System V segments, are not attributable
 * to a run and are not removed.
 *
 * Output: the run's stdout and stderr go to a file in its temporary directory; the last line is
 * kept in output_tail and appended to the status of a failed run. Nothing is printed.
 *
 * Files: this one supervises (the parent's side, the verifier, the status); the run child's
 * code is runchild.c's, the temporary folders and their cleanup runtmp.c's.
 */
#include "runner.h"

#include "cpuload.h"
#include "fdio.h"
#include "pbclock.h"
#include "memory.h"
#include "runchild.h"
#include "runtmp.h"
#include "sealed.h"
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PB_VERIFY_MIN_S 60.0           /* verification is given at least this long */

int pb_runner_wait_readable(int fd)
{
    return pb_runner_wait_readable_for(fd, 0);
}

int pb_runner_wait_readable_for(int fd, double limit_s)
{
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    double end = pb_now_s() + limit_s;
    while (!pb_stop_requested()) {
        if (poll(&pf, 1, 100) > 0)
            return 0;
        if (limit_s > 0 && pb_now_s() > end)
            return -ETIMEDOUT;
    }
    return -EINTR;
}

/* ---- the parent ------------------------------------------------------------------------ */

/* Writes one byte to the child without dying of SIGPIPE when it has gone. */
static void send_byte(int fd)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    if (write(fd, "g", 1) < 0 && errno == EPIPE) {
        struct timespec zero = { 0 };
        sigtimedwait(&pipe_set, NULL, &zero);   /* consume the pending SIGPIPE */
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* 1 when the run child has ended (it stays unreaped, so its pid and group stay reserved). */
static int child_ended(struct pb_runstate *r)
{
    siginfo_t si = { 0 };
    if (!r->child_exited && waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        si.si_pid == r->pid)
        r->child_exited = 1;
    return r->child_exited;
}

/* Waits until fd is readable or ms pass. Returns 1 readable, 0 not. */
static int wait_readable(int fd, int ms)
{
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    return poll(&pf, 1, ms) > 0;
}

/* Waits for the child's next record on the result pipe into buf (len bytes; *have = 1 when it
 * came whole) until it comes, the child ends, limit seconds pass (0: no limit; r->timed_out set)
 * or a stop signal comes (r->interrupted set). With sample, the run's memory is sampled between
 * waits at the sampler's interval; otherwise the wait polls every ms. Returns 0 or -EINTR. */
static int watch(struct pb_runstate *r, int sample, int ms, double limit, void *buf, size_t len,
                 int *have)
{
    double start = pb_now_s();
    for (;;) {
        int ready = wait_readable(r->res[0], sample ? r->mem.interval_ms : ms);
        if (pb_stop_requested())
            return r->interrupted = 1, -EINTR;
        if (ready) {
            *have = pb_read_all(r->res[0], buf, len) == 0;
            return 0;
        }
        if (child_ended(r))
            return 0;
        if (sample)
            pb_memory_sample(&r->mem);
        if (limit > 0 && pb_now_s() - start > limit)
            return r->timed_out = 1, 0;
    }
}

/* Samples the run's memory while it computes, until its measurements come back, the child
 * ends, the deadline passes or a stop signal comes. Returns 0 or -EINTR. */
static int watch_compute(struct pb_runstate *r, double timeout_s)
{
    return watch(r, 1, 0, timeout_s, &r->comp, sizeof r->comp, &r->have_comp);
}

/* The verifier, a child of the harness forked after the strategy returned, so nothing the run
 * did reaches it: checks the output the run child sends through r->outp against ref, with p
 * the harness's own problem (the pristine points and edges), and sends its verdict through
 * wfd. Never returns. */
static void verifier_main(const struct pb_runstate *r, const struct pb_problem *p,
                          const struct pb_reference *ref, int wfd)
{
    struct pb_verified_rec v = { 0 };
    int keep[] = { wfd, r->outp[0], ref->matrix_fd };
    pb_die_with_parent(r->parent, SIGKILL);
    pb_close_fds_except(keep, sizeof keep / sizeof keep[0]);
    v.verified = pb_verify_stream(p, r->outp[0], ref, v.why, sizeof v.why);
    if (v.verified == -EPIPE)
        v.verified = PB_VER_LOST;
    else if (v.verified < 0)
        v.verified = -1;
    pb_write_all(wfd, &v, sizeof v);
    _exit(0);
}

/* Starts the verifier when the run is to be checked (it returned 0 and ref is set); its
 * verdict then arrives on r->res[0], which replaces the run child's pipe (that child has
 * nothing more to report). Otherwise, or when it cannot start, sets the verdict "could not
 * check" at once (r->have_ver). */
static void verifier_start(struct pb_runstate *r, const struct pb_problem *p,
                           const struct pb_reference *ref)
{
    int v[2];
    r->ver = (struct pb_verified_rec){ .verified = -1 };
    r->have_ver = 1;
    if (r->comp.rc != 0 || !ref)
        return;
    if (pipe2(v, O_CLOEXEC) != 0) {
        snprintf(r->ver.why, sizeof r->ver.why, "verifier: pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);                              /* the child must not repeat buffered output */
    pid_t pid = fork();
    if (pid == 0)
        verifier_main(r, p, ref, v[1]);
    int e = errno;
    close(v[1]);
    if (pid < 0) {
        close(v[0]);
        snprintf(r->ver.why, sizeof r->ver.why, "verifier: fork: %s", strerror(e));
        return;
    }
    close(r->res[0]);
    close(r->outp[0]);
    r->res[0] = v[0];
    r->outp[0] = -1;
    r->have_ver = 0;
}

/* Ends the memory window (last sample, cgroup peak), starts the verifier on p's pristine
 * problem, lets the child send its output and waits for the verdict. Returns 0 or -EINTR. */
static int watch_verify(struct pb_runstate *r, const struct pb_problem *p,
                        const struct pb_reference *ref, double timeout_s)
{
    pb_memory_sample(&r->mem);
    r->cg_peak = pb_memory_cgroup_peak_kib(&r->cg);
    verifier_start(r, p, ref);
    send_byte(r->go[1]);
    if (r->have_ver)
        return 0;                              /* nothing to wait for */
    double limit = timeout_s > PB_VERIFY_MIN_S ? timeout_s : PB_VERIFY_MIN_S;
    int e = watch(r, 0, 20, limit, &r->ver, sizeof r->ver, &r->have_ver);
    if (r->have_ver && r->ver.verified == PB_VER_LOST)
        r->have_ver = 0;                       /* the child's end decides the status */
    return e;
}

/* Kills everything of the run and reaps it: the process group, then every descendant of the
 * harness, repeated until none is left (orphans come back to the subreaper harness as their
 * parents die). Fills r->wstatus and r->ru from the run child. */
static void kill_and_reap(struct pb_runstate *r)
{
    pid_t t[PB_MEMORY_MAX_TREE];
    for (int round = 0; round < 2000; round++) {
        if (!r->reaped)
            kill(-r->pid, SIGKILL);            /* the unreaped leader keeps the group id ours */
        int n = pb_memory_tree(t, PB_MEMORY_MAX_TREE);
        pb_memory_remember(&r->mem, t, n);
        for (int i = 0; i < n; i++)
            kill(t[i], SIGKILL);
        struct rusage ru;
        int st;
        for (pid_t w; (w = wait4(-1, &st, WNOHANG, &ru)) > 0;) {
            if (w == r->pid)
                r->wstatus = st, r->ru = ru, r->reaped = 1;
        }
        if (n == 0 && r->reaped)
            return;
        usleep(n ? 2000 : 200);
    }
}

/* The name of a signal, "SIGSEGV" style. */
static void signal_name(int sig, char *buf, size_t size)
{
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(buf, size, "SIG%s", abbrev);
    else
        snprintf(buf, size, "signal %d", sig);
}

/* The status of a run whose child ended before reporting its result. */
static void status_lost(const struct pb_runstate *r, struct pb_measure *m, const char *when)
{
    char sig[32];
    if (!WIFSIGNALED(r->wstatus)) {
        snprintf(m->status, sizeof m->status, "error: exited with status %d %s",
                 WEXITSTATUS(r->wstatus), when);
        return;
    }
    signal_name(WTERMSIG(r->wstatus), sig, sizeof sig);
    if (WTERMSIG(r->wstatus) != SIGKILL) {
        snprintf(m->status, sizeof m->status, "crashed: %s%s%s", sig, *when ? " " : "", when);
        return;
    }
    long oom = pb_memory_oom_kills();
    int was_oom = r->cg_oom > 0 || (r->oom_before >= 0 && oom > r->oom_before);
    snprintf(m->status, sizeof m->status, "killed: SIGKILL (%s)",
             was_oom ? "out of memory: the kernel's OOM killer ran" : "out of memory?");
}

/* The status of a run that reported: ok, skipped, error. */
static void status_reported(const struct pb_runstate *r, struct pb_measure *m)
{
    const struct pb_computed_rec *c = &r->comp;
    const char *sep = c->note[0] ? ": " : "";
    if (c->rc == -ENOTSUP)
        pb_fit(m->status, sizeof m->status, "skipped: %s", c->note);
    else if (c->rc < 0)
        pb_fit(m->status, sizeof m->status, "error: %s%s%s", strerror(-c->rc), sep, c->note);
    else if (c->rc > 0)
        pb_fit(m->status, sizeof m->status, "error: strategy returned %d%s%s", c->rc, sep,
               c->note);
    else
        snprintf(m->status, sizeof m->status, "ok");
}

/* Fills m from what the run left: status, verdict, times, memory. */
static void fill_measure(const struct pb_runstate *r, double timeout_s, struct pb_measure *m)
{
    if (r->interrupted)
        snprintf(m->status, sizeof m->status, "interrupted");
    else if (r->timed_out && !r->have_comp)
        snprintf(m->status, sizeof m->status, "timeout: after %g s", timeout_s);
    else if (!r->have_comp)
        status_lost(r, m, "");
    else if (r->comp.rc == 0 && r->timed_out)
        snprintf(m->status, sizeof m->status, "timeout: verification did not finish");
    else if (r->comp.rc == 0 && !r->have_ver)
        status_lost(r, m, "while verifying");
    else
        status_reported(r, m);
    if (r->have_comp) {
        m->wall_s = r->comp.wall_s;
        m->user_s = r->comp.user_s;
        m->sys_s = r->comp.sys_s;
    }
    m->peak_pss_kib = pb_memory_peak_kib(r->mem.peak_pss_kib,
                                         r->have_comp ? &r->comp.mem : NULL);
    int ok = strcmp(m->status, "ok") == 0;
    m->verified = ok && r->have_ver ? r->ver.verified : -1;
    if (ok && r->have_ver && r->ver.verified != 1)
        snprintf(m->verify_note, sizeof m->verify_note, "%s", r->ver.why);
    m->sampled_pss_kib = r->mem.peak_pss_kib;
    m->maxrss_kib = r->ru.ru_maxrss;
    m->cgroup_peak_kib = r->cg_peak;
    m->rank_max_kib = r->have_comp && r->comp.rank_max_kib > 0 ? r->comp.rank_max_kib : -1;
    m->rank_sum_kib = r->have_comp && r->comp.rank_sum_kib > 0 ? r->comp.rank_sum_kib : -1;
    m->build_s = r->have_comp && r->comp.build_s > 0 ? r->comp.build_s : NAN;
    m->dist_evals = r->have_comp ? r->comp.dist_evals : 0;
    m->pairs_counted = r->have_comp ? r->comp.counted : 0;
    m->samples = r->mem.samples;
    m->sampler_cpu_s = r->mem.cpu_s;
}

/* Fills m's CPU-load figures: what others used of this process's CPUs during the strategy
 * call (the run's own CPU and the harness's memory sampling taken out) and the CPUs the run
 * could use (cpuload.h). */
static void measure_load(const struct pb_runstate *r, struct pb_measure *m)
{
    struct pb_cpuload l = { .other_cpu_s = NAN, .steal_s = NAN };
    struct pb_cpu_avail a;
    if (r->have_comp)
        pb_cpuload_between(&r->comp.cpu0, &r->comp.cpu1,
                           r->comp.user_s + r->comp.sys_s + r->mem.cpu_s, &l);
    m->other_cpu_s = l.other_cpu_s;
    m->steal_s = l.steal_s;
    m->load_cpus = l.ncpu;
    pb_cpus_available(NULL, &a);
    m->cpus_avail = a.cpus;
}

/* A run whose strategy (or a worker of it) wrote into its read-only inputs failed, whatever
 * it returned: its status names what it wrote into, and it has no verdict. */
static void status_input_written(const struct pb_runstate *r, struct pb_measure *m)
{
    const char *part = pb_sealed_written(&r->in);
    if (!part || r->interrupted)
        return;
    snprintf(m->status, sizeof m->status, "crashed: wrote into its input %s", part);
    m->verified = -1;
    m->verify_note[0] = '\0';
}

/* Appends the run's last output line to the status of a failed run, where it fits. */
static void add_tail(struct pb_measure *m)
{
    size_t len = strlen(m->status);
    if (!m->output_tail[0] || strcmp(m->status, "ok") == 0 || len + 8 >= sizeof m->status)
        return;
    pb_fit(m->status + len, sizeof m->status - len, " [%s]", m->output_tail);
}

/* Makes the temporary directory, pipes and cgroup. Returns 0 or -errno. */
static int run_setup(struct pb_runstate *r)
{
    int e = pb_runtmp_make(r->tmpdir, sizeof r->tmpdir, &r->owner_fd);
    if (e)
        return e;
    if (pipe2(r->res, O_CLOEXEC) != 0 || pipe2(r->go, O_CLOEXEC) != 0) {
        e = -errno;
        pb_runtmp_remove(r->tmpdir, &r->mem);
        close(r->owner_fd);
        r->owner_fd = -1;
        return e;
    }
    pb_memory_sampler_init(&r->mem);
    pb_memory_cgroup_create(&r->cg);
    prctl(PR_SET_CHILD_SUBREAPER, 1);          /* orphans of the run come back to us */
    r->oom_before = pb_memory_oom_kills();
    return 0;
}

/* Makes the run's read-only inputs (sealed.h) from p and k and the pipe its output goes to the
 * verifier through. Returns 0 or -errno. */
static int inputs_setup(struct pb_runstate *r, const struct pb_problem *p,
                        const struct pb_params *k)
{
    if (pipe2(r->outp, O_CLOEXEC) != 0)
        return -errno;
    return pb_sealed_make(&r->in, p, k);
}

/* Closes whichever pipe ends are still open. */
static void close_pipes(struct pb_runstate *r)
{
    int *fds[] = { &r->res[0], &r->res[1], &r->go[0], &r->go[1], &r->outp[0], &r->outp[1] };
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (*fds[i] >= 0)
            close(*fds[i]), *fds[i] = -1;
}

int pb_runner_run(const struct pb_problem *p, const struct pb_strategy_cfg *s,
                  const struct pb_params *k, const struct pb_reference *ref, double timeout_s,
                  struct pb_measure *m)
{
    struct pb_runstate r = { .res = { -1, -1 }, .go = { -1, -1 }, .outp = { -1, -1 }, .cg_peak = -1,
                     .owner_fd = -1, .verify = ref != NULL };
    *m = (struct pb_measure){ .verified = -1, .cgroup_peak_kib = -1, .rank_max_kib = -1,
                              .rank_sum_kib = -1, .build_s = NAN, .other_cpu_s = NAN,
                              .steal_s = NAN };
    if (pb_stop_requested())
        return snprintf(m->status, sizeof m->status, "interrupted"), -EINTR;
    int e = run_setup(&r);
    if (e)
        return snprintf(m->status, sizeof m->status, "error: runner: %s", strerror(-e)), e;
    struct pb_params kp = *k;
    kp.tmpdir = r.tmpdir;
    r.parent = getpid();
    e = inputs_setup(&r, p, &kp);
    fflush(NULL);                              /* the child must not repeat buffered output */
    r.pid = e ? -1 : fork();
    if (r.pid == 0) {
        pb_sealed_drop_original(p);            /* the input counts once: the sealed copy */
        pb_runchild_main(&r, r.in.p, s->strategy, r.in.k);
    }
    if (r.pid < 0) {
        e = e ? e : -errno;
        snprintf(m->status, sizeof m->status, "error: runner: %s: %s",
                 r.in.p ? "fork" : "inputs", strerror(-e));
        pb_sealed_free(&r.in);
        close_pipes(&r);
        pb_memory_cgroup_remove(&r.cg);
        pb_runtmp_remove(r.tmpdir, &r.mem);
        close(r.owner_fd);
        return e;
    }
    close(r.res[1]);
    close(r.go[0]);
    close(r.outp[1]);
    r.res[1] = r.go[0] = r.outp[1] = -1;
    setpgid(r.pid, r.pid);                     /* also done by the child: whichever runs first */
    pb_memory_remember(&r.mem, &r.pid, 1);
    pb_memory_cgroup_attach(&r.cg, r.pid);
    send_byte(r.go[1]);
    e = watch_compute(&r, timeout_s);
    if (e == 0 && r.have_comp)
        e = watch_verify(&r, p, ref, timeout_s);
    kill_and_reap(&r);
    r.cg_oom = pb_memory_cgroup_oom_kills(&r.cg);
    if (r.cg_peak < 0)
        r.cg_peak = pb_memory_cgroup_peak_kib(&r.cg);
    pb_memory_cgroup_remove(&r.cg);
    close_pipes(&r);
    pb_runtmp_tail(r.tmpdir, m->output_tail, sizeof m->output_tail);
    pb_runtmp_remove(r.tmpdir, &r.mem);
    if (r.owner_fd >= 0)
        close(r.owner_fd);                     /* the directory is gone: release the lock */
    fill_measure(&r, timeout_s, m);
    measure_load(&r, m);
    status_input_written(&r, m);
    pb_sealed_free(&r.in);
    add_tail(m);
    pb_safe_text(m->status, sizeof m->status);   /* notes and output come from outside */
    return e;
}

/* ---- a supervised call ------------------------------------------------------------------ */

/* Waits for the child's record into rec, or for its end or a stop signal; then kills and reaps
 * everything it left. Returns 0 (the record came whole), -EINTR or -ECHILD. */
static int call_wait(struct pb_runstate *r, void *rec, size_t len)
{
    int have = 0, e = watch(r, 0, 100, 0, rec, len, &have);
    if (e == 0 && !have && wait_readable(r->res[0], 0))   /* written just before it ended */
        have = pb_read_all(r->res[0], rec, len) == 0;
    kill_and_reap(r);
    return e < 0 ? e : have ? 0 : -ECHILD;
}

int pb_runner_call(pb_runner_fn fn, void *arg, void *rec, size_t len, int *wstatus)
{
    struct pb_runstate r = { .res = { -1, -1 }, .go = { -1, -1 }, .outp = { -1, -1 },
                             .owner_fd = -1 };
    int e = pb_stop_requested() ? -EINTR : pb_runtmp_make(r.tmpdir, sizeof r.tmpdir, &r.owner_fd);
    if (e)
        return e;
    pb_memory_sampler_init(&r.mem);
    prctl(PR_SET_CHILD_SUBREAPER, 1);          /* orphans of the call come back to us */
    r.parent = getpid();
    fflush(NULL);                              /* the child must not repeat buffered output */
    if (pipe2(r.res, O_CLOEXEC) != 0 || (r.pid = fork()) < 0)
        e = -errno;
    else if (r.pid == 0)
        pb_runchild_call(&r, fn, arg, rec, len);
    if (e == 0) {
        close(r.res[1]);
        r.res[1] = -1;
        setpgid(r.pid, r.pid);                 /* also done by the child: whichever runs first */
        pb_memory_remember(&r.mem, &r.pid, 1);
        e = call_wait(&r, rec, len);
        *wstatus = r.wstatus;
    }
    close_pipes(&r);
    pb_runtmp_remove(r.tmpdir, &r.mem);
    if (r.owner_fd >= 0)
        close(r.owner_fd);                     /* the directory is gone: release the lock */
    return e;
}
