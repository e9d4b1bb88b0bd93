/* test_memory.c — the memory method (memory.h): the sampler's intervals and its PSS sum over a
 * process tree, the floor under missed peaks, a run's figures against known allocations (in
 * one process, in several, shared), the matrix and histogram footprints of every registered
 * strategy, a Python pool's workers, memory available on fake cgroup v1/v2 trees and inside a
 * real cgroup, and the guard's estimate and message. */
/* ctest-labels: slow */
#include "support.h"

#include "config.h"
#include "memory.h"
#include "plan.h"
#include "problem.h"
#include "registry.h"
#include "runner.h"
#include "stop.h"
#include "strategies/strategies.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB 1024L                      /* KiB in a MiB */

static int setup(void **state)
{
    (void)state;
    struct pb_err err;
    if (pb_registry_add(&pb_test_strategy_alloc, &err) != 0)
        return -1;
    pb_stop_install_signals();
    return 0;
}

/* ---- the sampler ---- */

/* The interval backs off by half again from 1 ms to 20 ms, and stays above 10 times a sample's
 * cost, at most 250 ms. */
static void test_next_interval(void **state)
{
    (void)state;
    static const int backoff[] = { 1, 2, 4, 7, 11, 17, 20, 20 };
    for (size_t i = 0; i + 1 < sizeof backoff / sizeof *backoff; i++)
        assert_int_equal(pb_memory_next_interval(backoff[i], 0), backoff[i + 1]);
    assert_int_equal(pb_memory_next_interval(20, 0.0078125), 79);    /* 78.125 ms + 1 */
    assert_int_equal(pb_memory_next_interval(1, 1.0), 250);
    struct pb_memory_sampler s;
    pb_memory_sampler_init(&s);
    assert_int_equal(s.interval_ms, 1);
    assert_int_equal(s.samples, 0);
    assert_int_equal(s.peak_pss_kib, 0);
}

/* Forks a child that touches mib MiB of its own, says so on ready[1], and waits until every
 * write end of go is closed. Returns its pid. */
static pid_t holder(int mib, const int ready[2], const int go[2])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid > 0)
        return pid;
    char c = 'r';
    size_t bytes = (size_t)mib << 20;
    close(go[1]);
    close(ready[0]);
    void *p = bytes ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0) : NULL;
    if (p != MAP_FAILED && p)
        memset(p, 1, bytes);
    if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
        _exit(1);
    _exit(0);
}

/* One sample over two children holding mib MiB each, once both are ready; the children are
 * then released and reaped. Returns the sampled PSS sum (KiB) and checks both were seen. */
static long tree_sample(int mib)
{
    int ready[2], go[2];
    char c;
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid_t a = holder(mib, ready, go), b = holder(mib, ready, go);
    assert_int_equal(read(ready[0], &c, 1) + read(ready[0], &c, 1), 2);
    pid_t t[8];
    assert_int_equal(pb_memory_tree(t, 8), 2);
    struct pb_memory_sampler s;
    pb_memory_sampler_init(&s);
    pb_memory_sample(&s);
    assert_int_equal(s.samples, 1);
    assert_true(pb_memory_seen(&s, a) && pb_memory_seen(&s, b));
    assert_true(s.cpu_s >= 0 && s.interval_ms >= 2);
    close(go[1]);
    waitpid(a, NULL, 0);
    waitpid(b, NULL, 0);
    close(go[0]), close(ready[0]), close(ready[1]);
    assert_int_equal(pb_memory_tree(t, 8), 0);
    pbt_assert_no_children();
    return s.peak_pss_kib;
}

/* The sample is the PSS sum over the whole tree: two children touching 64 MiB each add about
 * 128 MiB over the same two children idle. */
static void test_sampler_sums_the_tree(void **state)
{
    (void)state;
    long base = tree_sample(0), held = tree_sample(64);
    print_message("two idle children %ld KiB, holding 64 MiB each %ld KiB\n", base, held);
    assert_true(held - base >= 128 * MIB * 9 / 10 && held - base <= 128 * MIB * 12 / 10);
}

/* The peak is the larger of the sampled maximum and VmHWM less what the child inherited
 * (RSS - PSS at the start); without the child's figures, the sampled maximum. */
static void test_peak_floor(void **state)
{
    (void)state;
    struct pb_memory_floor f = { .start_rss_kib = 5000, .start_pss_kib = 2000,
                                 .hwm_kib = 6000 };
    assert_int_equal(pb_memory_peak_kib(1000, NULL), 1000);
    assert_int_equal(pb_memory_peak_kib(1000, &f), 3000);
    assert_int_equal(pb_memory_peak_kib(4000, &f), 4000);
    pb_memory_floor_start(&f);                 /* this process's own figures */
    pb_memory_floor_end(&f, NULL, 0);
    assert_true(f.start_rss_kib > 0 && f.start_pss_kib > 0);
    assert_true(f.start_pss_kib <= f.start_rss_kib && f.hwm_kib > 0);
}

/* ---- a run's figures ---- */

/* test-alloc's peak with the given parameters, in KiB; also returns the measure. */
static long alloc_peak(const char *mib, const char *children, const char *shared_mib,
                       struct pb_measure *m)
{
    struct pbt_prob q;
    const char *over[] = { "mib", mib, "children", children, "shared_mib", shared_mib, NULL };
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pbt_run("test-alloc", &q, 1, over, NULL, 0, m), 0);
    assert_string_equal(m->status, "ok");
    pbt_prob_free(&q);
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
 * 1.1 * (alloc + what a sanitizer's shadow may add: its own shadow in each of the procs
 * processes that touch the allocation). The baseline itself is not part of the
 * assertion, so however a sanitizer's runtime and shadow are accounted, only the increment
 * counts. Says the numbers. */
static void assert_increment(const char *what, long got, long base, long alloc, int procs)
{
    long inc = got - base;
    double ratio = (double)inc / (double)alloc;
    double hi = 1.1 * (double)(alloc + procs * SHADOW(alloc)) / (double)alloc;
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
    assert_increment("128 MiB in the parent", one, base, 128 * MIB, 1);
    assert_true(m.maxrss_kib >= 128 * MIB);
    long three = alloc_peak("128", "2", "0", &m);
    assert_increment("128 MiB in the parent and 2 children", three, base2, 384 * MIB, 1);
    assert_true(m.maxrss_kib >= 128 * MIB && m.maxrss_kib < three);  /* one process, not all */
    print_message("  maxrss %ld KiB, cgroup peak %ld KiB, %d samples, sampler %.4f s CPU\n",
                  m.maxrss_kib, m.cgroup_peak_kib, m.samples, m.sampler_cpu_s);
    if (m.cgroup_peak_kib >= 0)
        assert_true(m.cgroup_peak_kib >= 384 * MIB * 9 / 10 &&
                    m.cgroup_peak_kib <= (384 * MIB + SHADOW(384 * MIB)) * 13 / 10);
    long shared = alloc_peak("0", "2", "128", &m);
    assert_increment("128 MiB shared by 3 processes", shared, base2, 128 * MIB, 3);
    pbt_assert_no_children();
}

/* Runs one strategy on the n = 6000 matrix problem and returns its peak (KiB) after checking
 * it is ok and verified. */
static long matrix_peak(const char *name, const char *const *over, const struct pbt_prob *q,
                        const struct pb_reference *ref)
{
    struct pb_measure m;
    assert_int_equal(pbt_run(name, q, 2, over, ref, 0, &m), 0);
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
static void check_matrix_strategy(const struct pb_strategy *s, const struct pbt_prob *q,
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
    struct pbt_prob q;
    struct pb_reference ref;
    struct pb_err err;
    size_t n = 6000;
    pbt_prob_make(&q, n, PB_OUTPUT_MATRIX);
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
    pbt_prob_free(&q);
}

/* A Python multiprocessing.Pool as an exec run: each of its 2 workers holds 96 MiB (allocated
 * in the pool's initializer, so both hold it whichever takes the tasks) while the parent holds
 * little. The run's memory is the whole tree, so both workers count; ru_maxrss, one process,
 * sees one. The points are then answered by the pure loop, so the run verifies. */
static void test_memory_python_pool_workers(void **state)
{
    (void)state;
    char script[2048], cmd[4096];
    snprintf(script, sizeof script, "%s/pool_alloc.py", pbt_tmpdir("memory-pool"));
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
    struct pbt_prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_measure m;
    pbt_prob_make(&q, 50, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    const char *over[] = { "command", cmd, NULL };
    assert_int_equal(pbt_run("exec-parallel", &q, 2, over, &ref, 0, &m), 0);
    print_message("pool of 2 x 96 MiB: peak PSS %ld KiB, maxrss %ld KiB, status %s\n",
                  m.peak_pss_kib, m.maxrss_kib, m.status);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.verified, 1);
    assert_true(m.peak_pss_kib >= 2 * 96 * MIB * 95 / 100);
    assert_true(m.maxrss_kib < m.peak_pss_kib - 64 * MIB);
    pb_reference_free(&ref);
    pbt_prob_free(&q);
}

/* Issue 3's other check: a histogram at n = 20000 stays under 64 MiB for every strategy. */
static void test_memory_histogram_20000(void **state)
{
    (void)state;
    struct pbt_prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_measure m;
    pbt_prob_make(&q, 20000, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED) || strncmp(s->name, "test-", 5) == 0)
            continue;
        assert_int_equal(pbt_run(s->name, &q, 2, NULL, &ref, 0, &m), 0);
        print_message("%-14s histogram n=20000: peak %ld KiB, %s, verified %d\n", s->name,
                      m.peak_pss_kib, m.status, m.verified);
        assert_string_equal(m.status, "ok");
        assert_int_equal(m.verified, 1);
        assert_true(m.peak_pss_kib > 0 && m.peak_pss_kib < 64 * MIB);
    }
    pb_reference_free(&ref);
    pbt_prob_free(&q);
}

/* Runs strategy name at n = 200 over nbins bins with threads threads and checks the guard's
 * estimate against the run's measured peak: never below it (the guard would let a run through
 * that does not fit), and within 1.5 times it (nor so far above that it skips runs that fit). */
static void check_estimate_covers(const char *name, size_t nbins, int threads)
{
    struct pb_strategy_cfg sc = { .strategy = pb_registry_find(name) };
    struct pb_experiment e = { .output = PB_OUTPUT_HISTOGRAM, .strategies = &sc,
                               .nstrategies = 1,
                               .bins = { .min = 0.1, .max = 1750, .count = nbins } };
    struct pb_run run = { .strategy = 0, .n = 200, .threads = threads, .ranks = 1 };
    struct pbt_prob q;
    struct pb_measure m;
    double *edges;
    assert_non_null(sc.strategy);
    pbt_prob_make(&q, run.n, PB_OUTPUT_HISTOGRAM);
    assert_int_equal(pb_edges_make(&e.bins, &edges), 0);
    q.p.nbins = nbins;
    q.p.edges = edges;
    assert_int_equal(pbt_run(name, &q, threads, NULL, NULL, 0, &m), 0);
    double est = pb_memory_estimate_bytes(&e, &run) / 1024, peak = (double)m.peak_pss_kib;
    print_message("%-14s %8zu bins T=%d: peak %7ld KiB (cgroup %7ld), estimate %7.0f KiB, "
                  "ratio %.2f\n", name, nbins, threads, m.peak_pss_kib, m.cgroup_peak_kib, est,
                  est / peak);
    assert_string_equal(m.status, "ok");
#ifndef PBT_ASAN   /* ASan's redzones and quarantine around the blocks are in no estimate */
    assert_true(peak > 0 && peak <= est);
    assert_true(est <= 1.5 * peak);
#endif
    free(edges);
    pbt_prob_free(&q);
}

/* The estimate follows what the strategies allocate per thread and per bin (a histogram block
 * of 4 lanes x (bins + 2) counters per worker, thresholds, the look-up table): at 10^6 bins
 * the blocks, not the output, decide the peak, for 1 and for 4 threads. */
static void test_estimate_covers_bins_threads(void **state)
{
    (void)state;
    static const char *const names[] = { "pthread-map", "kdtree", "grid", "chunked-fork" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        check_estimate_covers(names[i], 1000000, 1);
        check_estimate_covers(names[i], 1000000, 4);
    }
    pbt_assert_no_children();
}

/* ---- memory available ---- */

/* Writes text to root/rel, making the folders on the way. */
static void put(const char *root, const char *rel, const char *text)
{
    char path[2048], cmd[4200];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    pbt_write(path, text);
}

/* The memory available to this process is the least of MemAvailable and every cgroup limit
 * from its own cgroup (found through /proc/self/cgroup) up: v1 and v2, on fake trees. */
static void test_memory_available_cgroups(void **state)
{
    (void)state;
    char root[1100];
    snprintf(root, sizeof root, "%s", pbt_tmpdir("memory-cg1"));
    put(root, "proc/meminfo", "MemTotal: 33554432 kB\nMemAvailable: 20971520 kB\n");
    put(root, "proc/self/cgroup", "5:cpu:/\n4:memory:/jobs/bench\n0::/\n");
    put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
    put(root, "sys/fs/cgroup/memory/memory.usage_in_bytes", "1000000000\n");
    put(root, "sys/fs/cgroup/memory/jobs/memory.limit_in_bytes", "1073741824\n");
    put(root, "sys/fs/cgroup/memory/jobs/memory.usage_in_bytes", "536870912\n");
    put(root, "sys/fs/cgroup/memory/jobs/bench/memory.limit_in_bytes", "314572800\n");
    put(root, "sys/fs/cgroup/memory/jobs/bench/memory.usage_in_bytes", "104857600\n");
    assert_true(pb_memory_available_at(root) == 314572800.0 - 104857600.0);
    put(root, "sys/fs/cgroup/memory/jobs/memory.usage_in_bytes", "1000000000\n");
    assert_true(pb_memory_available_at(root) == 1073741824.0 - 1000000000.0);  /* parent */
    char dir[2048];
    assert_int_equal(pb_memory_cgroup_find(root, dir, sizeof dir), 1);
    assert_non_null(strstr(dir, "/sys/fs/cgroup/memory/jobs/bench"));

    snprintf(root, sizeof root, "%s", pbt_tmpdir("memory-cg2"));
    put(root, "proc/meminfo", "MemAvailable: 1048576 kB\n");
    put(root, "proc/self/cgroup", "0::/user.slice/bench\n");
    put(root, "sys/fs/cgroup/cgroup.controllers", "memory\n");
    put(root, "sys/fs/cgroup/user.slice/memory.max", "max\n");
    put(root, "sys/fs/cgroup/user.slice/memory.current", "5\n");
    put(root, "sys/fs/cgroup/user.slice/bench/memory.max", "314572800\n");
    put(root, "sys/fs/cgroup/user.slice/bench/memory.current", "14572800\n");
    assert_true(pb_memory_available_at(root) == 300000000.0);
    put(root, "sys/fs/cgroup/user.slice/bench/memory.max", "max\n");
    assert_true(pb_memory_available_at(root) == 1048576.0 * 1024);   /* MemAvailable */
}


/* ---- the guard ---- */

/* A strategy declaring 1 MiB per thread of its own. */
static size_t mib_per_thread(const struct pb_problem *p, const struct pb_params *k)
{
    (void)p;
    return (size_t)k->threads << 20;
}

/* The byte estimate: output (n^2 elements or the bins), input (24 bytes a point, 12 more for
 * float copies; the bins + 1 edges), the strategy's extra_bytes, and 8 MiB for the process.
 * A team strategy declares one histogram block (4 lanes x (bins + 2) counters) a thread. */
static void test_estimate_bytes(void **state)
{
    (void)state;
    static const struct pb_strategy plain = { .abi_version = PB_STRATEGY_ABI, .name = "t-plain" };
    static const struct pb_strategy extra = { .abi_version = PB_STRATEGY_ABI, .name = "t-extra",
                                              .extra_bytes = mib_per_thread };
    struct pb_strategy_cfg sc[2] = { { .strategy = &plain }, { .strategy = &extra } };
    struct pb_experiment e = { .output = PB_OUTPUT_MATRIX, .bins = { .min = 1, .max = 10,
                               .count = 20 }, .strategies = sc, .nstrategies = 2 };
    struct pb_run run = { .strategy = 0, .n = 1000, .threads = 4, .ranks = 1 };
    double self = 8.0 * 1024 * 1024;
    assert_true(pb_memory_estimate_bytes(&e, &run) == 8e6 + 24000 + self);
    e.precision = PB_PRECISION_FLOAT;
    assert_true(pb_memory_estimate_bytes(&e, &run) == 4e6 + 36000 + self);
    e.output = PB_OUTPUT_HISTOGRAM;
    assert_true(pb_memory_estimate_bytes(&e, &run) == 160 + 36000 + 168 + self);
    run.strategy = 1;
    assert_true(pb_memory_estimate_bytes(&e, &run) == 160 + 36000 + 168 + 4.0 * 1048576 + self);
    sc[1].strategy = pb_registry_find("pthread-map");
    e.precision = PB_PRECISION_DOUBLE;
    e.bins.count = 10000000;
    run.n = 100;
    double block = 4.0 * (1e7 + 2) * 8, four = pb_memory_estimate_bytes(&e, &run);
    assert_true(four >= 4 * block + 2 * 8e7);     /* the blocks, the thresholds and keys */
    run.threads = 1;
    assert_true(four - pb_memory_estimate_bytes(&e, &run) == 3 * block);
}

/* The live figures are sane (available within the machine's total); the guard lets a small run
 * through and skips one that cannot fit, naming what it needs (with the matrix reference still
 * to be made, n^2 doubles more) and what is available. */
static void test_guard(void **state)
{
    (void)state;
    static const struct pb_strategy plain = { .abi_version = PB_STRATEGY_ABI, .name = "t-plain" };
    struct pb_strategy_cfg sc = { .strategy = &plain };
    struct pb_experiment e = { .output = PB_OUTPUT_MATRIX, .strategies = &sc, .nstrategies = 1 };
    struct pb_run run = { .n = 1000, .threads = 1, .ranks = 1 };
    char why[128] = "", expect[64];
    assert_true(pb_memory_total_kib() > 0);
    double avail = pb_memory_available();
    assert_true(avail > 0 && avail <= pb_memory_total_kib() * 1024.0);
    assert_true(pb_memory_room() > 0);
    assert_int_equal(pb_memory_guard(&e, &run, 1, why, sizeof why), 0);
    assert_string_equal(why, "");
    run.n = 100000000;
    double need = pb_memory_estimate_bytes(&e, &run);
    assert_int_equal(pb_memory_guard(&e, &run, 0, why, sizeof why), -ENOMEM);
    snprintf(expect, sizeof expect, "needs %.2f GiB, ", need / 1073741824.0);
    assert_true(strncmp(why, expect, strlen(expect)) == 0);
    assert_non_null(strstr(why, " GiB available"));
    assert_int_equal(pb_memory_guard(&e, &run, 1, why, sizeof why), -ENOMEM);
    snprintf(expect, sizeof expect, "needs %.2f GiB, ", (need + 8e16) / 1073741824.0);
    assert_true(strncmp(why, expect, strlen(expect)) == 0);
}

/* Runs bench on DIR/cg.config (holding config) inside a fresh memory cgroup of limit bytes
 * made under bench's own, and checks it exits 0 with DIR/cg.csv reading "skipped: needs".
 * Skips the test where the machine does not allow the cgroup. */
static void bench_in_cgroup(const char *dir, const char *config, const char *limit)
{
    char base[2048], cg[2300], file[2400], cfg[2048], cmd[8192];
    int version = pb_memory_cgroup_find("", base, sizeof base);
    snprintf(cg, sizeof cg, "%s/pbt-limit-%d", base, (int)getpid());
    if (!version || mkdir(cg, 0755) != 0)
        skip();
    snprintf(file, sizeof file, "%s/%s", cg, version == 1 ? "memory.limit_in_bytes"
                                                            : "memory.max");
    FILE *f = fopen(file, "w");
    int limited = f && fprintf(f, "%s\n", limit) > 0;
    if (f && fclose(f) != 0)
        limited = 0;
    if (!limited) {
        rmdir(cg);
        skip();
    }
    snprintf(cfg, sizeof cfg, "%s/cg.config", dir);
    pbt_write(cfg, config);
    snprintf(cmd, sizeof cmd, "sh -c 'echo $$ > %s/cgroup.procs && exec %s --config %s --out %s "
             "--quiet --no-render' > %s/log 2>&1", cg, PB_BENCH_PATH, cfg, dir, dir);
    int rc = system(cmd);
    for (int i = 0; i < 200 && rmdir(cg) != 0; i++)
        usleep(10000);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
    char path[1100];
    snprintf(path, sizeof path, "%s/cg.csv", dir);
    char *csv = pbt_slurp(path);
    assert_non_null(strstr(csv, "skipped: needs"));
    free(csv);
}

/* Inside a 300 MiB memory cgroup (made under bench's own, skipped where that is not allowed)
 * the guard sees the cgroup's room, not the machine's: a matrix run needing ~0.5 GiB is
 * skipped before anything is allocated, and NAME.json's available memory is the cgroup's. */
static void test_guard_sees_own_cgroup(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("sweep-cgroup");
    bench_in_cgroup(dir, "{\"name\": \"cg\", \"output\": {\"kind\": \"matrix\"}, "
                    "\"sizes\": [6000],\n \"repeats\": 1, \"warmup\": 0, \"overhead\": false, "
                    "\"strategies\": [\"blocked\"]}\n", "314572800");
    char path[1100];
    snprintf(path, sizeof path, "%s/cg.json", dir);
    json_error_t jerr;
    json_t *meta = json_load_file(path, 0, &jerr);
    json_int_t kib = json_integer_value(json_object_get(json_object_get(meta, "memory"),
                                                        "available_kib"));
    assert_true(kib > 0 && kib <= 300 * 1024);
    json_decref(meta);
}

/* In a 700 MiB cgroup, 10^7 bins at n = 100 on 4 threads (about 1.5 GiB of histogram blocks
 * and thresholds) is skipped by the guard, not killed by the kernel's OOM killer. */
static void test_guard_counts_histogram_blocks(void **state)
{
    (void)state;
    bench_in_cgroup(pbt_tmpdir("sweep-cgroup-bins"),
                    "{\"name\": \"cg\", \"output\": {\"kind\": \"histogram\", \"bins\": "
                    "{\"min\": 0.1, \"max\": 1750, \"count\": 10000000}}, \"sizes\": [100],\n "
                    "\"threads\": [4], \"repeats\": 1, \"warmup\": 0, \"overhead\": false, "
                    "\"strategies\": [\"pthread-map\"]}\n", "734003200");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_interval),
        cmocka_unit_test(test_sampler_sums_the_tree),
        cmocka_unit_test(test_peak_floor),
        cmocka_unit_test(test_memory_known_allocations),
        cmocka_unit_test(test_memory_matrix_6000),
        cmocka_unit_test(test_memory_histogram_20000),
        cmocka_unit_test(test_memory_python_pool_workers),
        cmocka_unit_test(test_memory_available_cgroups),
        cmocka_unit_test(test_estimate_bytes),
        cmocka_unit_test(test_estimate_covers_bins_threads),
        cmocka_unit_test(test_guard),
        cmocka_unit_test(test_guard_sees_own_cgroup),
        cmocka_unit_test(test_guard_counts_histogram_blocks),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
