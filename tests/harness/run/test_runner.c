/* test_runner.c — the runner: statuses of crashing, aborting, failing, lying and hanging
 * strategies; no process, file or shared-memory object of a run survives it; and an
 * interrupted run. The memory figures of runs are test_memory.c's. */
#include "support.h"

#include "registry.h"
#include "runner.h"
#include "stop.h"
#include "strategies/strategies.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads the "WORD NUMBER" lines a test strategy recorded; returns how many, up to max. */
static int read_record(const char *path, char words[][4096], long *nums, int max)
{
    FILE *f = fopen(path, "r");
    int n = 0;
    while (f && n < max && fscanf(f, "%4095s %ld", words[n], &nums[n]) == 2)
        n++;
    if (f)
        fclose(f);
    return n;
}

/* A fresh record file path under the test's scratch directory. */
static const char *record_path(const char *tag)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/record", pbt_tmpdir(tag));
    return path;
}

static int setup(void **state)
{
    (void)state;
    const struct pb_strategy *mine[] = {
        &pb_test_strategy_crash, &pb_test_strategy_abort, &pb_test_strategy_hang,
        &pb_test_strategy_hang_child, &pb_test_strategy_leak, &pb_test_strategy_error,
        &pb_test_strategy_wrong, &pb_test_strategy_scribble,
    };
    struct pb_err err;
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
        if (pb_registry_add(mine[i], &err) != 0)
            return -1;
    pb_stop_install_signals();
    return 0;
}

static void test_ok_run_verifies(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_measure m;
    pbt_prob_make(&q, 400, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    assert_int_equal(pbt_run("naive", &q, 1, NULL, &ref, 0, &m), 0);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.verified, 1);
    assert_string_equal(m.verify_note, "");
    assert_true(m.wall_s > 0);
    assert_true(m.user_s + m.sys_s > 0);
    assert_true(m.peak_pss_kib > 0 && m.peak_pss_kib >= m.sampled_pss_kib);
    assert_true(m.maxrss_kib > 0);
    assert_true(m.samples >= 1);
    uint64_t counted = 0;                        /* the run's own counts, summed */
    for (size_t b = 0; b < ref.nbins; b++)
        counted += ref.counts[b];
    assert_true(counted > 0);
    assert_true(m.pairs_counted == counted);
    pbt_assert_no_children();
    pb_reference_free(&ref);
    pbt_prob_free(&q);
}

static void test_crash_status(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-crash", &q, 1, NULL, NULL, 0, &m), 0);
    assert_true(strncmp(m.status, "crashed: SIGSEGV", 16) == 0);   /* a sanitizer adds its
                                                                       message after it */
    assert_int_equal(m.verified, -1);
    pbt_assert_no_children();
    pbt_prob_free(&q);
}

static void test_other_signals(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    const char *bus[] = { "signal", "7", NULL }, *fpe[] = { "signal", "8", NULL };
    const char *kill9[] = { "signal", "9", NULL };
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-crash", &q, 1, bus, NULL, 0, &m), 0);
    assert_string_equal(m.status, "crashed: SIGBUS");
    assert_int_equal(pbt_run("test-crash", &q, 1, fpe, NULL, 0, &m), 0);
    assert_string_equal(m.status, "crashed: SIGFPE");
    assert_int_equal(pbt_run("test-crash", &q, 1, kill9, NULL, 0, &m), 0);
    assert_string_equal(m.status, "killed: SIGKILL (out of memory?)");   /* not the runner's */
    assert_int_equal(m.verified, -1);
    pbt_assert_no_children();
    pbt_prob_free(&q);
}

static void test_abort_status_keeps_output(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-abort", &q, 1, NULL, NULL, 0, &m), 0);
    assert_string_equal(m.status, "crashed: SIGABRT [test-abort: invariant broken]");
    assert_string_equal(m.output_tail, "test-abort: invariant broken");
    assert_int_equal(m.verified, -1);
    pbt_assert_no_children();
    pbt_prob_free(&q);
}

static void test_error_status_with_note(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-error", &q, 1, NULL, NULL, 0, &m), 0);
    assert_string_equal(m.status, "error: Input/output error: simulated device failure");
    assert_int_equal(m.verified, -1);
    const char *notsup[] = { "errno", "95", NULL };
    assert_int_equal(pbt_run("test-error", &q, 1, notsup, NULL, 0, &m), 0);
    assert_string_equal(m.status, "skipped: simulated device failure");
    assert_int_equal(m.verified, -1);
    const char *longer[] = { "long_note", "1", NULL };   /* a note the status cannot hold */
    assert_int_equal(pbt_run("test-error", &q, 1, longer, NULL, 0, &m), 0);
    size_t len = strlen(m.status);
    assert_true(len + 1 <= sizeof m.status && len > 150);
    assert_string_equal(m.status + len - 3, "\xE2\x80\xA6");     /* cut, and says so: "…" */
    assert_true(strncmp(m.status, "error: Input/output error: simulated device failure detail",
                        58) == 0);
    pbt_prob_free(&q);
}

static void test_wrong_answer_not_verified(void **state)
{
    (void)state;
    struct pbt_prob q, r;
    struct pb_reference ref, mref;
    struct pb_err err;
    struct pb_measure m;
    pbt_prob_make(&q, 100, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    assert_int_equal(pbt_run("test-wrong", &q, 1, NULL, &ref, 0, &m), 0);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.verified, 0);
    assert_true(strncmp(m.verify_note, "bin 0: ", 7) == 0);
    pbt_prob_make(&r, 100, PB_OUTPUT_MATRIX);
    assert_int_equal(pb_reference_make(&r.p, &mref, &err), 0);
    assert_int_equal(pbt_run("test-wrong", &r, 1, NULL, &mref, 0, &m), 0);
    assert_int_equal(m.verified, 0);
    assert_true(strncmp(m.verify_note, "m[0,1] = ", 9) == 0);
    pb_reference_free(&ref);
    pb_reference_free(&mref);
    pbt_prob_free(&q);
    pbt_prob_free(&r);
}

/* The float copies of q's points, for a float-precision run of q (free with free_float). */
static void make_float(struct pbt_prob *q, float **f)
{
    const double *src[3] = { q->x, q->y, q->z };
    for (int c = 0; c < 3; c++) {
        f[c] = malloc((q->p.n + 1) * sizeof(float));
        assert_non_null(f[c]);
        for (size_t i = 0; i < q->p.n; i++)
            f[c][i] = (float)src[c][i];
    }
    q->p.xf = f[0], q->p.yf = f[1], q->p.zf = f[2];
    q->p.precision = PB_PRECISION_FLOAT;
}

/* Runs test-scribble on q with over, expecting status and no verdict. */
static void assert_scribble_fails(const struct pbt_prob *q, const struct pb_reference *ref,
                                  const char *const *over, const char *status)
{
    struct pb_measure m;
    assert_int_equal(pbt_run("test-scribble", q, 1, over, ref, 0, &m), 0);
    assert_string_equal(m.status, status);
    assert_int_equal(m.verified, -1);
    pbt_assert_no_children();
}

/* A strategy that writes 1e150 into x[0] and returns wrong counts is caught writing, never
 * verified: the check's coordinate scale and near-edge counts come from the points as they
 * were before the call, which the strategy cannot change. The same wrong counts without the
 * write read "no". Writes into the edges, the parameters and the problem itself fail the same
 * way, also from a forked worker and after an attempt to make the pages writable. */
static void test_input_writes_never_verify(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_measure m;
    float *f[3];
    pbt_prob_make(&q, 300, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    make_float(&q, f);
    const char *points[] = { "into", "points", NULL };
    assert_scribble_fails(&q, &ref, points, "crashed: wrote into its input points");
    const char *none[] = { "into", "none", NULL };
    assert_int_equal(pbt_run("test-scribble", &q, 1, none, &ref, 0, &m), 0);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.verified, 0);
    const char *unprot[] = { "into", "points", "unprotect", "1", NULL };
    assert_scribble_fails(&q, &ref, unprot, "crashed: wrote into its input points");
    const char *worker[] = { "into", "points", "worker", "1", NULL };
    assert_scribble_fails(&q, &ref, worker, "crashed: wrote into its input points");
    const char *edges[] = { "into", "edges", NULL };
    assert_scribble_fails(&q, &ref, edges, "crashed: wrote into its input edges");
    const char *params[] = { "into", "params", NULL };
    assert_scribble_fails(&q, &ref, params, "crashed: wrote into its input parameters");
    const char *problem[] = { "into", "problem", NULL };
    assert_scribble_fails(&q, &ref, problem, "crashed: wrote into its input problem");
    q.p.precision = PB_PRECISION_DOUBLE;         /* double runs are guarded the same way */
    assert_scribble_fails(&q, &ref, points, "crashed: wrote into its input points");
    for (int c = 0; c < 3; c++)
        free(f[c]);
    pb_reference_free(&ref);
    pbt_prob_free(&q);
}

/* naive computes a float problem in float (a float matrix, float counts) and verifies
 * against its own double run, within the float tolerance. */
static void test_naive_float_verifies(void **state)
{
    (void)state;
    for (int out = 0; out <= 1; out++) {
        struct pbt_prob q;
        struct pb_reference ref;
        struct pb_err err;
        struct pb_measure m;
        float *f[3];
        pbt_prob_make(&q, 200, (enum pb_output_kind)out);
        assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
        make_float(&q, f);
        assert_int_equal(pbt_run("naive", &q, 1, NULL, &ref, 0, &m), 0);
        assert_string_equal(m.status, "ok");
        assert_string_equal(m.verify_note, "");
        assert_int_equal(m.verified, 1);
        for (int c = 0; c < 3; c++)
            free(f[c]);
        pb_reference_free(&ref);
        pbt_prob_free(&q);
    }
}

/* Every pid a test strategy recorded is gone: killed and reaped. */
static void assert_pids_gone(const char *record, int expect)
{
    char words[4][4096];
    long pids[4];
    int n = read_record(record, words, pids, 4);
    assert_int_equal(n, expect);
    for (int i = 0; i < n; i++) {
        assert_string_equal(words[i], "pid");
        errno = 0;
        assert_int_equal(kill((pid_t)pids[i], 0), -1);
        assert_int_equal(errno, ESRCH);
    }
}

static void test_hang_times_out(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    const char *rec = record_path("runner-hang");
    const char *over[] = { "record", rec, NULL };
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-hang", &q, 1, over, NULL, 0.5, &m), 0);
    assert_string_equal(m.status, "timeout: after 0.5 s");
    assert_int_equal(m.verified, -1);
    assert_pids_gone(rec, 1);
    pbt_assert_no_children();
    pbt_prob_free(&q);
}

static void test_hang_child_all_killed(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    const char *rec = record_path("runner-hang-child");
    const char *over[] = { "record", rec, NULL };
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-hang-child", &q, 1, over, NULL, 0.5, &m), 0);
    assert_string_equal(m.status, "timeout: after 0.5 s");
    assert_pids_gone(rec, 2);               /* the parent and the child that left the group */
    pbt_assert_no_children();
    pbt_prob_free(&q);
}

static void test_leak_cleaned(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    char words[4][4096];
    long tags[4];
    const char *rec = record_path("runner-leak");
    const char *over[] = { "record", rec, NULL };
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-leak", &q, 1, over, NULL, 0, &m), 0);
    assert_true(strncmp(m.status, "crashed: SIGSEGV", 16) == 0);
    assert_int_equal(read_record(rec, words, tags, 4), 3);
    assert_int_equal(tags[0], 0);           /* the run's tmpdir, with a file in it */
    assert_true(strstr(words[0], "/pb-run-") != NULL);
    assert_int_equal(access(words[0], F_OK), -1);
    assert_int_equal(tags[1], 1);           /* the shm object named after the tmpdir */
    errno = 0;
    assert_int_equal(shm_open(words[1], O_RDONLY, 0), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(tags[2], 2);           /* the OpenMP runtime's object for the run's pid */
    errno = 0;
    assert_int_equal(shm_open(words[2], O_RDONLY, 0), -1);
    assert_int_equal(errno, ENOENT);
    pbt_assert_no_children();
    pbt_prob_free(&q);
}

/* Sends SIGTERM to this process after a short while, as a user stopping the sweep would. */
static void *send_stop(void *arg)
{
    (void)arg;
    usleep(300 * 1000);
    kill(getpid(), SIGTERM);
    return NULL;
}

/* Must run last: the stop flag stays set, as it does in a sweep. */
static void test_interrupt_kills_run(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_measure m;
    pthread_t t;
    const char *rec = record_path("runner-interrupt");
    const char *over[] = { "record", rec, NULL };
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pthread_create(&t, NULL, send_stop, NULL), 0);
    assert_int_equal(pbt_run("test-hang-child", &q, 1, over, NULL, 0, &m), -EINTR);
    pthread_join(t, NULL);
    assert_true(pb_stop_requested());
    assert_string_equal(m.status, "interrupted");
    assert_pids_gone(rec, 2);
    pbt_assert_no_children();
    assert_int_equal(pbt_run("naive", &q, 1, NULL, NULL, 0, &m), -EINTR);   /* nothing starts */
    pbt_prob_free(&q);
}

/* The pids of pid's children (up to max) from /proc; returns how many. */
static int children_of(pid_t pid, pid_t *out, int max)
{
    char path[64];
    int n = 0;
    long c;
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    while (f && n < max && fscanf(f, "%ld", &c) == 1)
        out[n++] = (pid_t)c;
    if (f)
        fclose(f);
    return n;
}

/* 1 while pid exists and is not a zombie. */
static int alive(pid_t pid)
{
    char path[64], state = 'X', buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f && fgets(buf, sizeof buf, f)) {
        char *paren = strrchr(buf, ')');
        state = paren && paren[1] ? paren[2] : 'X';
    }
    if (f)
        fclose(f);
    return state != 'X' && state != 'Z';
}

/* A process running chunked-fork (2 workers, a long histogram) killed with SIGKILL takes its
 * workers along (PR_SET_PDEATHSIG): none keeps computing. */
static void test_fork_workers_die_with_run(void **state)
{
    (void)state;
    struct pbt_prob q;
    pbt_prob_make(&q, 400000, PB_OUTPUT_HISTOGRAM);
    pid_t pid = fork();
    if (pid == 0) {
        const struct pb_strategy *s = pb_registry_find("chunked-fork");
        struct pb_kv kv[] = { { .key = "transport", .value = "shm" } };
        struct pb_params k = { .threads = 2, .ranks = 1, .kv = kv, .nkv = 1, .tmpdir = "/tmp" };
        struct pb_output out = { .counts = calloc(PBT_NB, sizeof(uint64_t)) };
        setpgid(0, 0);                   /* a group of its own: only its workers share it */
        _exit(s->run(&q.p, &k, &out) == 0 ? 0 : 1);
    }
    pid_t w[8];
    int n = 0;
    for (int i = 0; i < 3000 && (n = children_of(pid, w, 8)) < 2; i++)
        usleep(10000);
    assert_int_equal(n, 2);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    for (int i = 0; i < 3000 && (alive(w[0]) || alive(w[1])); i++)
        usleep(10000);
    assert_false(alive(w[0]));
    assert_false(alive(w[1]));
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;                                /* any worker that came back to us (a subreaper) */
    pbt_prob_free(&q);
}

/* pb_runner_clean_stale removes "pb-run-PID-*" folders of dead harnesses under $TMPDIR, but
 * keeps one whose .owner is still locked (a live run seen from another pid namespace) and
 * one of a live pid. */
static void test_clean_stale(void **state)
{
    (void)state;
    char tmp[1100], dead_dir[1200], locked_dir[1200], live_dir[1200], owner[1300];
    snprintf(tmp, sizeof tmp, "%s", pbt_tmpdir("runner-stale"));
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);                  /* a pid that no longer exists */
    snprintf(dead_dir, sizeof dead_dir, "%s/pb-run-%d-aaaaaa", tmp, (int)dead);
    snprintf(locked_dir, sizeof locked_dir, "%s/pb-run-%d-bbbbbb", tmp, (int)dead);
    snprintf(live_dir, sizeof live_dir, "%s/pb-run-%d-cccccc", tmp, (int)getpid());
    assert_int_equal(mkdir(dead_dir, 0700), 0);
    assert_int_equal(mkdir(locked_dir, 0700), 0);
    assert_int_equal(mkdir(live_dir, 0700), 0);
    snprintf(owner, sizeof owner, "%s/input.csv", dead_dir);
    pbt_write(owner, "left behind\n");
    snprintf(owner, sizeof owner, "%s/.owner", locked_dir);
    int fd = open(owner, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", tmp, 1);
    assert_true(pb_runner_clean_stale() >= 1);
    old ? setenv("TMPDIR", old, 1) : unsetenv("TMPDIR");
    free(old);
    assert_int_equal(access(dead_dir, F_OK), -1);
    assert_int_equal(access(locked_dir, F_OK), 0);
    assert_int_equal(access(live_dir, F_OK), 0);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_workers_die_with_run),
        cmocka_unit_test(test_clean_stale),
        cmocka_unit_test(test_ok_run_verifies),
        cmocka_unit_test(test_crash_status),
        cmocka_unit_test(test_other_signals),
        cmocka_unit_test(test_abort_status_keeps_output),
        cmocka_unit_test(test_error_status_with_note),
        cmocka_unit_test(test_wrong_answer_not_verified),
        cmocka_unit_test(test_input_writes_never_verify),
        cmocka_unit_test(test_naive_float_verifies),
        cmocka_unit_test(test_hang_times_out),
        cmocka_unit_test(test_hang_child_all_killed),
        cmocka_unit_test(test_leak_cleaned),
        cmocka_unit_test(test_interrupt_kills_run),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
