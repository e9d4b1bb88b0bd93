/* test_runner.c — the runner: statuses of crashing, aborting, failing, lying and hanging
 * strategies; no process, file or shared-memory object of a run survives it; the memory
 * figures against known allocations; the matrix and histogram memory checks of every
 * registered strategy; and an interrupted run. */
#include "support.h"

#include "registry.h"
#include "runner.h"
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

#define NB 32
#define MIB 1024L                      /* KiB in a MiB */

/* A problem with its own storage. */
struct prob {
    struct pb_problem p;
    double *x, *y, *z, edges[NB + 1];
};

/* Deterministic uniform numbers in [0, 1): a 64-bit LCG, top 53 bits. */
static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* n uniform points in a 1000-side cube; NB linear bins over [0.1, 1750). */
static void make(struct prob *q, size_t n, enum pb_output_kind out)
{
    uint64_t s = 7;
    q->x = malloc((n + 1) * sizeof(double));
    q->y = malloc((n + 1) * sizeof(double));
    q->z = malloc((n + 1) * sizeof(double));
    for (size_t i = 0; i < n; i++)
        q->x[i] = 1000 * rnd(&s), q->y[i] = 1000 * rnd(&s), q->z[i] = 1000 * rnd(&s);
    for (int k = 0; k <= NB; k++)
        q->edges[k] = 0.1 + (1750.0 - 0.1) * k / NB;
    q->p = (struct pb_problem){ .n = n, .x = q->x, .y = q->y, .z = q->z, .output = out,
                                .nbins = NB, .edges = q->edges };
}

static void unmake(struct prob *q)
{
    free(q->x), free(q->y), free(q->z);
}

/* Runs strategy name on q with threads and "k=v" overrides (NULL-terminated pairs) of its
 * declared parameters' defaults, verifying against ref when given. Returns pb_runner_run's. */
static int run(const char *name, const struct prob *q, int threads, const char *const *over,
               const struct pb_reference *ref, double timeout_s, struct pb_measure *m)
{
    const struct pb_strategy *s = pb_registry_find(name);
    assert_non_null(s);
    struct pb_kv kv[16];
    size_t nkv = 0;
    for (const struct pb_param_spec *ps = s->params; ps && ps->name && nkv < 16; ps++) {
        kv[nkv] = (struct pb_kv){ .key = ps->name, .value = ps->def };
        for (const char *const *o = over; o && o[0]; o += 2)
            if (strcmp(o[0], ps->name) == 0)
                kv[nkv].value = o[1];
        nkv++;
    }
    struct pb_strategy_cfg cfg = { .strategy = s, .label = (char *)name, .kv = kv, .nkv = nkv };
    struct pb_params k = { .threads = threads, .ranks = 1, .kv = kv, .nkv = nkv };
    return pb_runner_run(&q->p, &cfg, &k, ref, timeout_s, m);
}

/* The run left no child of this process behind, zombie or alive. */
static void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

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
        &pb_test_strategy_wrong, &pb_test_strategy_alloc,
    };
    struct pb_err err;
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
        if (pb_registry_add(mine[i], &err) != 0)
            return -1;
    pb_runner_install_signals();
    return 0;
}

static void test_ok_run_verifies(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_measure m;
    make(&q, 400, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    assert_int_equal(run("naive", &q, 1, NULL, &ref, 0, &m), 0);
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
    assert_no_children();
    pb_reference_free(&ref);
    unmake(&q);
}

static void test_crash_status(void **state)
{
    (void)state;
    struct prob q;
    struct pb_measure m;
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-crash", &q, 1, NULL, NULL, 0, &m), 0);
    assert_true(strncmp(m.status, "crashed: SIGSEGV", 16) == 0);   /* a sanitizer adds its
                                                                       message after it */
    assert_int_equal(m.verified, -1);
    assert_no_children();
    unmake(&q);
}

static void test_other_signals(void **state)
{
    (void)state;
    struct prob q;
    struct pb_measure m;
    const char *bus[] = { "signal", "7", NULL }, *fpe[] = { "signal", "8", NULL };
    const char *kill9[] = { "signal", "9", NULL };
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-crash", &q, 1, bus, NULL, 0, &m), 0);
    assert_string_equal(m.status, "crashed: SIGBUS");
    assert_int_equal(run("test-crash", &q, 1, fpe, NULL, 0, &m), 0);
    assert_string_equal(m.status, "crashed: SIGFPE");
    assert_int_equal(run("test-crash", &q, 1, kill9, NULL, 0, &m), 0);
    assert_string_equal(m.status, "killed: SIGKILL (out of memory?)");   /* not the runner's */
    assert_int_equal(m.verified, -1);
    assert_no_children();
    unmake(&q);
}

static void test_abort_status_keeps_output(void **state)
{
    (void)state;
    struct prob q;
    struct pb_measure m;
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-abort", &q, 1, NULL, NULL, 0, &m), 0);
    assert_string_equal(m.status, "crashed: SIGABRT [test-abort: invariant broken]");
    assert_string_equal(m.output_tail, "test-abort: invariant broken");
    assert_int_equal(m.verified, -1);
    assert_no_children();
    unmake(&q);
}

static void test_error_status_with_note(void **state)
{
    (void)state;
    struct prob q;
    struct pb_measure m;
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-error", &q, 1, NULL, NULL, 0, &m), 0);
    assert_string_equal(m.status, "error: Input/output error: simulated device failure");
    assert_int_equal(m.verified, -1);
    const char *notsup[] = { "errno", "95", NULL };
    assert_int_equal(run("test-error", &q, 1, notsup, NULL, 0, &m), 0);
    assert_string_equal(m.status, "skipped: simulated device failure");
    assert_int_equal(m.verified, -1);
    const char *longer[] = { "long_note", "1", NULL };   /* a note the status cannot hold */
    assert_int_equal(run("test-error", &q, 1, longer, NULL, 0, &m), 0);
    size_t len = strlen(m.status);
    assert_true(len + 1 <= sizeof m.status && len > 150);
    assert_string_equal(m.status + len - 3, "\xE2\x80\xA6");     /* cut, and says so: "…" */
    assert_true(strncmp(m.status, "error: Input/output error: simulated device failure detail",
                        58) == 0);
    unmake(&q);
}

static void test_wrong_answer_not_verified(void **state)
{
    (void)state;
    struct prob q, r;
    struct pb_reference ref, mref;
    struct pb_err err;
    struct pb_measure m;
    make(&q, 100, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    assert_int_equal(run("test-wrong", &q, 1, NULL, &ref, 0, &m), 0);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.verified, 0);
    assert_true(strncmp(m.verify_note, "bin 0: ", 7) == 0);
    make(&r, 100, PB_OUTPUT_MATRIX);
    assert_int_equal(pb_reference_make(&r.p, &mref, &err), 0);
    assert_int_equal(run("test-wrong", &r, 1, NULL, &mref, 0, &m), 0);
    assert_int_equal(m.verified, 0);
    assert_true(strncmp(m.verify_note, "m[0,1] = ", 9) == 0);
    pb_reference_free(&ref);
    pb_reference_free(&mref);
    unmake(&q);
    unmake(&r);
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
    struct prob q;
    struct pb_measure m;
    const char *rec = record_path("runner-hang");
    const char *over[] = { "record", rec, NULL };
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-hang", &q, 1, over, NULL, 0.5, &m), 0);
    assert_string_equal(m.status, "timeout: after 0.5 s");
    assert_int_equal(m.verified, -1);
    assert_pids_gone(rec, 1);
    assert_no_children();
    unmake(&q);
}

static void test_hang_child_all_killed(void **state)
{
    (void)state;
    struct prob q;
    struct pb_measure m;
    const char *rec = record_path("runner-hang-child");
    const char *over[] = { "record", rec, NULL };
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-hang-child", &q, 1, over, NULL, 0.5, &m), 0);
    assert_string_equal(m.status, "timeout: after 0.5 s");
    assert_pids_gone(rec, 2);               /* the parent and the child that left the group */
    assert_no_children();
    unmake(&q);
}

static void test_leak_cleaned(void **state)
{
    (void)state;
    struct prob q;
    struct pb_measure m;
    char words[4][4096];
    long tags[4];
    const char *rec = record_path("runner-leak");
    const char *over[] = { "record", rec, NULL };
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-leak", &q, 1, over, NULL, 0, &m), 0);
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
    assert_no_children();
    unmake(&q);
}

/* test-alloc's peak with the given parameters, in KiB; also returns the measure. */
static long alloc_peak(const char *mib, const char *children, const char *shared_mib,
                       struct pb_measure *m)
{
    struct prob q;
    const char *over[] = { "mib", mib, "children", children, "shared_mib", shared_mib, NULL };
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(run("test-alloc", &q, 1, over, NULL, 0, m), 0);
    assert_string_equal(m->status, "ok");
    unmake(&q);
    return m->peak_pss_kib;
}

/* Shadow memory an AddressSanitizer build may add for touched KiB: at most an eighth. Whether
 * a machine's PSS shows it depends on the kernel (a shadow page that is only read can stay the
 * shared zero page, or be backed by a huge page), so it only widens the upper bound; 0 in
 * other builds. */
#if defined(__SANITIZE_ADDRESS__)
#define PBT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PBT_ASAN 1
#endif
#endif
#ifdef PBT_ASAN
#define SHADOW(touched_kib) ((touched_kib) / 8)
#else
#define SHADOW(touched_kib) 0L
#endif

/* Asserts that a run's peak grew over its baseline (a run of the same build, the same
 * processes, without the allocation) by alloc KiB, within 10%: between 0.9 * alloc and
 * 1.1 * (alloc + what a sanitizer's shadow may add). The baseline itself is not part of the
 * assertion, so however a sanitizer's runtime and shadow are accounted, only the increment
 * counts. Says the numbers. */
static void assert_increment(const char *what, long got, long base, long alloc)
{
    long inc = got - base;
    double ratio = (double)inc / (double)alloc;
    double hi = 1.1 * (double)(alloc + SHADOW(alloc)) / (double)alloc;
    print_message("%-36s peak %7ld KiB, baseline %7ld KiB, increment %7ld KiB for %7ld KiB "
                  "allocated, ratio %.3f (accepted 0.900..%.3f)\n", what, got, base, inc, alloc,
                  ratio, hi);
    assert_true(ratio >= 0.9 && ratio <= hi);
}

static void test_memory_known_allocations(void **state)
{
    (void)state;
    struct pb_measure m;
    long base = alloc_peak("0", "0", "0", &m);
    long base2 = alloc_peak("0", "2", "0", &m);   /* two idle children: their own baseline */
    print_message("baseline %ld KiB (with 2 idle children %ld KiB)\n", base, base2);
    long one = alloc_peak("128", "0", "0", &m);
    assert_increment("128 MiB in the parent", one, base, 128 * MIB);
    assert_true(m.maxrss_kib >= 128 * MIB);
    long three = alloc_peak("128", "2", "0", &m);
    assert_increment("128 MiB in the parent and 2 children", three, base2, 384 * MIB);
    assert_true(m.maxrss_kib >= 128 * MIB && m.maxrss_kib < three);  /* one process, not all */
    print_message("  maxrss %ld KiB, cgroup peak %ld KiB, %d samples, sampler %.4f s CPU\n",
                  m.maxrss_kib, m.cgroup_peak_kib, m.samples, m.sampler_cpu_s);
    if (m.cgroup_peak_kib >= 0)
        assert_true(m.cgroup_peak_kib >= 384 * MIB * 9 / 10 &&
                    m.cgroup_peak_kib <= (384 * MIB + SHADOW(384 * MIB)) * 13 / 10);
    long shared = alloc_peak("0", "2", "128", &m);
    assert_increment("128 MiB shared by 3 processes", shared, base2, 128 * MIB);
    assert_no_children();
}

/* Runs one strategy on the n = 6000 matrix problem and returns its peak (KiB) after checking
 * it is ok and verified. */
static long matrix_peak(const char *name, const char *const *over, const struct prob *q,
                        const struct pb_reference *ref)
{
    struct pb_measure m;
    assert_int_equal(run(name, q, 2, over, ref, 0, &m), 0);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.verified, 1);
    print_message("%-14s %s=%-14s peak %7ld KiB (sampled %7ld, maxrss %7ld, cgroup %7ld), "
                  "%d samples, sampler %.4f s CPU for %.3f s wall\n", name,
                  over ? over[0] : "", over ? over[1] : "", m.peak_pss_kib, m.sampled_pss_kib, m.maxrss_kib,
                  m.cgroup_peak_kib, m.samples, m.sampler_cpu_s, m.wall_s);
    return m.peak_pss_kib;
}

/* The choices of a parameter spec "a|b" as separate strings in buf; returns how many. */
static int split_choices(const char *choices, char out[][32], int max)
{
    int n = 0;
    for (const char *c = choices; c && *c && n < max; n++) {
        size_t len = strcspn(c, "|");
        snprintf(out[n], 32, "%.*s", (int)len, c);
        c += len + (c[len] == '|');
    }
    return n;
}

/* Peaks (KiB) of strategy s over every choice of its "transport" parameter, or once with the
 * defaults; each within 1.0x..1.4x of expect unless it is the pipe transport (an extra copy),
 * which must exceed the shared-memory one. */
static void check_matrix_strategy(const struct pb_strategy *s, const struct prob *q,
                                  const struct pb_reference *ref, double expect)
{
    char choices[4][32];
    int nc = 0;
    for (const struct pb_param_spec *ps = s->params; ps && ps->name; ps++)
        if (strcmp(ps->name, "transport") == 0)
            nc = split_choices(ps->choices, choices, 4);
    long shm = -1, pipe = -1;
    for (int i = 0; i < (nc ? nc : 1); i++) {
        const char *over[] = { "transport", nc ? choices[i] : "", NULL };
        long peak = matrix_peak(s->name, nc ? over : NULL, q, ref);
        if (nc && strcmp(choices[i], "pipe") == 0) {
            pipe = peak;
            continue;
        }
        shm = nc && strcmp(choices[i], "shm") == 0 ? peak : shm;
        assert_true(peak >= expect && peak <= 1.4 * expect);
    }
    if (pipe >= 0 && shm >= 0)
        assert_true(pipe > shm);
}

/* Issue 3's check: the n = 6000 matrix (288 MB) costs every in-process strategy between 1.0x
 * and 1.4x of matrix plus input; a pipe transport shows its extra copy. */
static void test_memory_matrix_6000(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    size_t n = 6000;
    make(&q, n, PB_OUTPUT_MATRIX);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    double expect = (double)(n * n * 8 + n * 3 * 8) / 1024;
    int checked = 0;
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED | PB_HISTOGRAM_ONLY) || strncmp(s->name, "test-", 5) == 0)
            continue;
        check_matrix_strategy(s, &q, &ref, expect);
        checked++;
    }
    assert_true(checked >= 1);
    const char *over[] = { "mib", "0", NULL };   /* the tree machinery of test-alloc, idle */
    long peak = matrix_peak("test-alloc", over, &q, &ref);
    assert_true(peak >= expect && peak <= 1.4 * expect);
    /* Workers that write a shared matrix and exit before the strategy returns: their pages
     * are mapped by no live process then, and must still be counted. */
    const char *workers[] = { "matrix_workers", "2", "mib", "0", NULL };
    peak = matrix_peak("test-alloc", workers, &q, &ref);
    assert_true(peak >= expect && peak <= 1.4 * expect);
    pb_reference_free(&ref);
    unmake(&q);
}

/* A Python multiprocessing.Pool as an exec run: each of its 2 workers holds 96 MiB (allocated
 * in the pool's initializer, so both hold it whichever takes the tasks) while the parent holds
 * little. The run's memory is the whole tree, so both workers count; ru_maxrss, one process,
 * sees one. The points are then answered by the pure loop, so the run verifies. */
static void test_memory_python_pool_workers(void **state)
{
    (void)state;
    char script[2048], cmd[4096];
    snprintf(script, sizeof script, "%s/pool_alloc.py", pbt_tmpdir("runner-pool"));
    pbt_write(script, "import multiprocessing as mp, time\n"
                      "def hold():\n"
                      "    global block\n"
                      "    block = b'x' * (96 << 20)\n"
                      "def wait(_):\n"
                      "    time.sleep(1)\n"
                      "if __name__ == '__main__':\n"
                      "    mp.set_start_method('fork')\n"
                      "    with mp.Pool(2, initializer=hold) as pool:\n"
                      "        pool.map(wait, range(2), chunksize=1)\n");
    snprintf(cmd, sizeof cmd, "{python} '%s' && {python} {scripts}/python_loop.py --output "
             "{output} --points {points} --edges {edges} --out {out}", script);
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_measure m;
    make(&q, 50, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    const char *over[] = { "command", cmd, NULL };
    assert_int_equal(run("exec-parallel", &q, 2, over, &ref, 0, &m), 0);
    print_message("pool of 2 x 96 MiB: peak PSS %ld KiB, maxrss %ld KiB, status %s\n",
                  m.peak_pss_kib, m.maxrss_kib, m.status);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.verified, 1);
    assert_true(m.peak_pss_kib >= 2 * 96 * MIB * 95 / 100);
    assert_true(m.maxrss_kib < m.peak_pss_kib - 64 * MIB);
    pb_reference_free(&ref);
    unmake(&q);
}

/* Issue 3's other check: a histogram at n = 20000 stays under 64 MiB for every strategy. */
static void test_memory_histogram_20000(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_measure m;
    make(&q, 20000, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED) || strncmp(s->name, "test-", 5) == 0)
            continue;
        assert_int_equal(run(s->name, &q, 2, NULL, &ref, 0, &m), 0);
        print_message("%-14s histogram n=20000: peak %ld KiB, %s, verified %d\n", s->name,
                      m.peak_pss_kib, m.status, m.verified);
        assert_string_equal(m.status, "ok");
        assert_int_equal(m.verified, 1);
        assert_true(m.peak_pss_kib > 0 && m.peak_pss_kib < 64 * MIB);
    }
    pb_reference_free(&ref);
    unmake(&q);
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
    struct prob q;
    struct pb_measure m;
    pthread_t t;
    const char *rec = record_path("runner-interrupt");
    const char *over[] = { "record", rec, NULL };
    make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pthread_create(&t, NULL, send_stop, NULL), 0);
    assert_int_equal(run("test-hang-child", &q, 1, over, NULL, 0, &m), -EINTR);
    pthread_join(t, NULL);
    assert_true(pb_runner_interrupted());
    assert_string_equal(m.status, "interrupted");
    assert_pids_gone(rec, 2);
    assert_no_children();
    assert_int_equal(run("naive", &q, 1, NULL, NULL, 0, &m), -EINTR);   /* nothing starts */
    unmake(&q);
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
    struct prob q;
    make(&q, 400000, PB_OUTPUT_HISTOGRAM);
    pid_t pid = fork();
    if (pid == 0) {
        const struct pb_strategy *s = pb_registry_find("chunked-fork");
        struct pb_kv kv[] = { { .key = "transport", .value = "shm" } };
        struct pb_params k = { .threads = 2, .ranks = 1, .kv = kv, .nkv = 1, .tmpdir = "/tmp" };
        struct pb_output out = { .counts = calloc(NB, sizeof(uint64_t)) };
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
    unmake(&q);
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
        cmocka_unit_test(test_hang_times_out),
        cmocka_unit_test(test_hang_child_all_killed),
        cmocka_unit_test(test_leak_cleaned),
        cmocka_unit_test(test_memory_known_allocations),
        cmocka_unit_test(test_memory_matrix_6000),
        cmocka_unit_test(test_memory_histogram_20000),
        cmocka_unit_test(test_memory_python_pool_workers),
        cmocka_unit_test(test_interrupt_kills_run),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
