/* session.c — what a sweep records of its session besides the runs (see session.h). */
#include "session.h"

#include "fdio.h"
#include "results.h"
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Adds the measured machine limits to the environment record. */
static void env_add_limits(struct pb_env *env, const struct pb_limits *l)
{
    pb_env_add_num(env, "limit_store_gbs_1thread", l->store_gbs);
    pb_env_add_num(env, "limit_store_gbs_all", l->store_gbs_all);
    pb_env_add_num(env, "limit_first_touch_gbs", l->first_touch_gbs);
    pb_env_add_num(env, "limit_first_touch_huge_gbs", l->first_touch_huge_gbs);
    pb_env_add_num(env, "limit_peak_pairs_per_s", l->peak_pairs_per_s);
    pb_env_add_num(env, "limit_d2_arith_pairs_per_s", l->arith_pairs_per_s);
    pb_env_add_num(env, "limit_bin_incr_per_s", l->bin_incr_per_s);
    pb_env_add_num(env, "limit_bound_pairs_per_s", l->bound_pairs_per_s);
    pb_env_add_num(env, "limit_vector_bits", l->vector_bits);
}

/* See session.h. */
void pb_session_busy_start(FILE *warn, const char *csv, struct pb_cpuload *l)
{
    if (pb_cpuload_sample(PB_CPULOAD_SAMPLE_S, l) < 0 || !warn ||
        !pb_cpuload_busy(l, l->window_s, l->ncpu))
        return;
    fprintf(warn, "warning: the machine is busy: over %.2f s before the first run, other "
            "processes used %.2f of the %d CPUs this sweep may use (steal %.2f); runs that "
            "share their CPUs are flagged \"%s\" in %s\n", l->window_s,
            l->other_cpu_s / l->window_s, l->ncpu, l->steal_s / l->window_s, PB_FLAG_BUSY,
            csv);
}

/* Adds the sample before the first run (CPUs' worth of others' use and steal, and 1 in
 * "start_busy" when it passed the threshold) to the environment record, when it was taken. */
static void env_add_start_load(struct pb_env *env, const struct pb_cpuload *l)
{
    if (l->ncpu <= 0 || !isfinite(l->other_cpu_s) || !(l->window_s > 0))
        return;
    pb_env_add_num(env, "start_other_cpus", l->other_cpu_s / l->window_s);
    pb_env_add_num(env, "start_steal_cpus", l->steal_s / l->window_s);
    pb_env_add_num(env, "start_cpus_counted", l->ncpu);
    pb_env_add_num(env, "start_busy", pb_cpuload_busy(l, l->window_s, l->ncpu));
}

/* See session.h. */
int pb_session_write(const char *path, const struct pb_session *s, struct pb_err *err)
{
    struct pb_env *env = malloc(sizeof *env);   /* 27 KB: not on the stack */
    char started[64];
    if (!env)
        return pb_fail(err, -ENOMEM, "cannot read the environment: out of memory");
    if (pb_env_collect(env) < 0) {
        free(env);
        return pb_fail(err, -EIO, "cannot read the environment");
    }
    if (s->limits)
        env_add_limits(env, s->limits);
    env_add_start_load(env, s->start_load);
    pb_env_now_utc(started, sizeof started);
    struct pb_env_meta m = {.config_text = s->e->text, .config_hash = s->e->hash,
                            .started = started,
                            .input_path = s->input ? s->e->input.path : NULL,
                            .input = s->input, .workload = s->e};
    int rc = pb_env_write_session(path, env, &m, s->resume, err);
    free(env);
    return rc;
}

/* What the limits child sends back. */
struct limits_reply {
    int rc;
    struct pb_limits limits;
    struct pb_err err;
};

/* See session.h. */
int pb_session_limits(struct pb_limits *l, struct pb_err *err)
{
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0)
        return pb_fail(err, -errno, "limits: pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return pb_fail(err, -errno, "limits: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        struct limits_reply r = {0};
        pb_die_with_parent(parent, SIGKILL);
        pb_close_fds_except(&fd[1], 1);
        r.rc = pb_limits_measure(&r.limits, &r.err);
        _exit(pb_write_all(fd[1], &r, sizeof r) == 0 ? 0 : 1);
    }
    close(fd[1]);
    struct limits_reply r;
    int rc = pb_runner_wait_readable(fd[0]);   /* SIGINT: stop measuring at once */
    if (rc < 0)
        kill(pid, SIGKILL);
    else
        rc = pb_read_all(fd[0], &r, sizeof r);
    close(fd[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    if (rc == -EINTR)
        return pb_fail(err, rc, "limits: interrupted");
    if (rc < 0)
        return pb_fail(err, -EIO, "limits: the measuring process ended without a result");
    if (r.rc < 0)
        return pb_fail(err, r.rc, "%s", r.err.msg);
    *l = r.limits;
    return 0;
}
