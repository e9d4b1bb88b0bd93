/* test_cpuload.c — harness/run/cpuload.c: /proc/stat and cgroup cpu.max parsed from fixture
 * text and fixture trees (never from how busy this machine happens to be), the busy threshold
 * and the flag on known numbers, and one run made certain to share its CPU: the test pins
 * itself to one CPU and keeps two threads spinning there for the whole run, so the run's CPU
 * is never idle and others take a share of it whatever else the machine does. */
#include "support.h"

#include "cpuload.h"
#include "registry.h"
#include "results.h"
#include "runner.h"
#include "stop.h"
#include "strategies/strategies.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a == b within eps (cmocka 1.1 has no assert_double_equal). */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* Two CPUs, an aggregate line (not counted) and an interrupt line. Fields: user nice system
 * idle iowait irq softirq steal guest guest_nice. */
static const char stat_text[] =
    "cpu  300 30 150 9000 20 6 4 12 0 0\n"
    "cpu0 100 10 50 4000 10 2 1 5 0 0\n"
    "cpu1 200 20 100 5000 10 4 3 7 0 0\n"
    "intr 329302 0 0 0\n"
    "ctxt 12345\n";

/* want(): only CPU 1. */
static int only_cpu1(int cpu, void *ctx)
{
    (void)ctx;
    return cpu == 1;
}

/* Busy is user + nice + system + irq + softirq of the per-CPU lines; steal apart. */
static void test_parse(void **state)
{
    (void)state;
    struct pb_cpustat s;
    assert_int_equal(pb_cpustat_parse(stat_text, NULL, NULL, &s), 0);
    assert_int_equal(s.ncpu, 2);
    assert_true(s.busy == (100 + 10 + 50 + 2 + 1) + (200 + 20 + 100 + 4 + 3));
    assert_true(s.steal == 12);
    assert_int_equal(pb_cpustat_parse(stat_text, only_cpu1, NULL, &s), 0);
    assert_int_equal(s.ncpu, 1);
    assert_true(s.busy == 327 && s.steal == 7);
    assert_int_equal(pb_cpustat_parse("cpu  1 2 3 4\nintr 5\n", NULL, NULL, &s), -EINVAL);
    assert_int_equal(pb_cpustat_parse("cpu0 1 2 3 4\n", NULL, NULL, &s), 0);  /* no steal */
    assert_true(s.busy == 6 && s.steal == 0);
}

/* Writes text to DIR/rel, making the folders on the way. */
static void put(const char *dir, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* pb_cpustat_read reads ROOT/proc/stat, counting this process's CPUs; the machine's own file
 * reads too. */
static void test_read_root(void **state)
{
    (void)state;
    const char *root = pbt_tmpdir("cpuload-stat");
    struct pb_cpustat s;
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    put(root, "proc/stat", stat_text);
    assert_int_equal(pb_cpustat_read(root, &s), 0);
    assert_int_equal(s.ncpu, CPU_ISSET(0, &set) + CPU_ISSET(1, &set));
    assert_int_equal(pb_cpustat_read(NULL, &s), 0);
    assert_int_equal(s.ncpu, CPU_COUNT(&set));
    put(root, "proc/stat", "intr 1\n");
    assert_int_equal(pb_cpustat_read(root, &s), -EINVAL);
}

/* The window's load: ticks over the clock tick rate, the run's own CPU taken out; NAN when a
 * reading is missing or the two count different CPUs. */
static void test_between(void **state)
{
    (void)state;
    double tick = 1.0 / (double)sysconf(_SC_CLK_TCK);
    struct pb_cpustat a = { .busy = 1000, .steal = 10, .ncpu = 2 };
    struct pb_cpustat b = { .busy = 1300, .steal = 40, .ncpu = 2 };
    struct pb_cpuload l;
    pb_cpuload_between(&a, &b, 100 * tick, &l);
    assert_int_equal(l.ncpu, 2);
    assert_near(l.other_cpu_s, 200 * tick, 1e-12);
    assert_near(l.steal_s, 30 * tick, 1e-12);
    b.ncpu = 1;
    pb_cpuload_between(&a, &b, 0, &l);
    assert_true(isnan(l.other_cpu_s) && isnan(l.steal_s) && l.ncpu == 0);
    struct pb_cpustat none = { 0 };
    pb_cpuload_between(&none, &none, 0, &l);
    assert_true(isnan(l.other_cpu_s) && l.ncpu == 0);
}

/* The threshold: others beyond the CPUs the run left idle, by more than a tenth of one CPU
 * over the run plus PB_BUSY_TICKS ticks per CPU. */
static void test_threshold(void **state)
{
    (void)state;
    double slack = PB_BUSY_SHARE * 10 + PB_BUSY_TICKS * 2 / (double)sysconf(_SC_CLK_TCK);
    struct pb_cpuload l = { .other_cpu_s = 10, .steal_s = 0, .ncpu = 2 };
    assert_false(pb_cpuload_busy(&l, 10, 1));     /* one CPU of two left idle, others used it */
    l.other_cpu_s = 10 + slack + 0.01;
    assert_true(pb_cpuload_busy(&l, 10, 1));
    l.other_cpu_s = slack - 0.01;
    assert_false(pb_cpuload_busy(&l, 10, 2));     /* the run used both: only the slack */
    l.steal_s = 0.02;
    assert_true(pb_cpuload_busy(&l, 10, 2));      /* steal counts as others */
    l = (struct pb_cpuload){ .other_cpu_s = 1.5, .steal_s = 0, .ncpu = 2 };
    assert_true(pb_cpuload_busy(&l, 10, 4));      /* wider than the CPUs: none left idle */
    l.other_cpu_s = NAN;
    assert_false(pb_cpuload_busy(&l, 10, 2));     /* unknown is not busy */
    l = (struct pb_cpuload){ .other_cpu_s = 5, .steal_s = 0, .ncpu = 2 };
    assert_false(pb_cpuload_busy(&l, 0, 2));      /* no wall time: nothing to judge */
}

/* The flag words: busy, capped (width above the CPUs available), both, neither. */
static void test_flag(void **state)
{
    (void)state;
    char buf[32];
    struct pb_cpuload idle = { .other_cpu_s = 0, .steal_s = 0, .ncpu = 2 };
    struct pb_cpuload busy = { .other_cpu_s = 2, .steal_s = 0, .ncpu = 2 };
    struct pb_cpuload unknown = { .other_cpu_s = NAN, .steal_s = NAN };
    assert_string_equal(pb_cpuload_flag(&idle, 1, 2, 2, buf, sizeof buf), "");
    assert_string_equal(pb_cpuload_flag(&busy, 1, 2, 2, buf, sizeof buf), PB_FLAG_BUSY);
    assert_string_equal(pb_cpuload_flag(&idle, 1, 4, 2, buf, sizeof buf), PB_FLAG_CAPPED);
    assert_string_equal(pb_cpuload_flag(&idle, 1, 2, 1.5, buf, sizeof buf), PB_FLAG_CAPPED);
    assert_string_equal(pb_cpuload_flag(&busy, 1, 4, 2, buf, sizeof buf), "busy;capped");
    assert_string_equal(pb_cpuload_flag(&unknown, 0, 4, 0, buf, sizeof buf), "");
    struct pb_row r = { .flag = "busy;capped" };
    assert_true(pb_row_flagged(&r, PB_FLAG_BUSY) && pb_row_flagged(&r, PB_FLAG_CAPPED));
    snprintf(r.flag, sizeof r.flag, "capped");
    assert_false(pb_row_flagged(&r, PB_FLAG_BUSY));
    assert_false(pb_row_flagged(&r, "cap"));
}

/* cpu.max: "max PERIOD" is no quota, "QUOTA PERIOD" is QUOTA/PERIOD CPUs, anything else is
 * refused. */
static void test_quota_parse(void **state)
{
    (void)state;
    double c;
    assert_int_equal(pb_cpu_quota_parse("max 100000\n", &c), 0);
    assert_true(c == 0);
    assert_int_equal(pb_cpu_quota_parse("150000 100000\n", &c), 0);
    assert_near(c, 1.5, 1e-12);
    assert_int_equal(pb_cpu_quota_parse("", &c), -EINVAL);
    assert_int_equal(pb_cpu_quota_parse("maximal 1", &c), -EINVAL);
    assert_int_equal(pb_cpu_quota_parse("100000", &c), -EINVAL);
    assert_int_equal(pb_cpu_quota_parse("0 100000", &c), -EINVAL);
}

/* The quota is the smallest along the process's cgroup v2 path and its ancestors; a machine
 * without a "0::" line has none. */
static void test_quota_tree(void **state)
{
    (void)state;
    const char *root = pbt_tmpdir("cpuload-cgroup");
    put(root, "proc/self/cgroup", "4:memory:/x\n0::/a/b\n");
    put(root, "sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
    put(root, "sys/fs/cgroup/a/cpu.max", "250000 100000\n");
    put(root, "sys/fs/cgroup/cpu.max", "300000 100000\n");
    assert_near(pb_cpu_quota(root), 2.5, 1e-12);
    put(root, "sys/fs/cgroup/a/b/cpu.max", "50000 100000\n");
    assert_near(pb_cpu_quota(root), 0.5, 1e-12);
    put(root, "proc/self/cgroup", "4:memory:/x\n");
    assert_true(pb_cpu_quota(root) == 0);
    put(root, "proc/self/cgroup", "0::/\n");
    assert_near(pb_cpu_quota(root), 3, 1e-12);
}

/* The CPUs available are the fewest of affinity, quota and OMP_THREAD_LIMIT. */
static void test_available(void **state)
{
    (void)state;
    const char *root = pbt_tmpdir("cpuload-avail");
    struct pb_cpu_avail a;
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    put(root, "proc/self/cgroup", "0::/\n");
    put(root, "sys/fs/cgroup/cpu.max", "max 100000\n");
    unsetenv("OMP_THREAD_LIMIT");
    assert_int_equal(pb_cpus_available(root, &a), 0);
    assert_int_equal(a.affinity, CPU_COUNT(&set));
    assert_true(a.quota == 0 && a.thread_limit == 0 && a.cpus == a.affinity);
    put(root, "sys/fs/cgroup/cpu.max", "50000 100000\n");
    assert_int_equal(pb_cpus_available(root, &a), 0);
    assert_near(a.cpus, 0.5, 1e-12);
    put(root, "sys/fs/cgroup/cpu.max", "max 100000\n");
    setenv("OMP_THREAD_LIMIT", "1", 1);
    assert_int_equal(pb_cpus_available(root, &a), 0);
    assert_true(a.thread_limit == 1 && a.cpus == 1);
    unsetenv("OMP_THREAD_LIMIT");
}

/* The sample before a sweep counts this process's CPUs over a window it measured; whatever the
 * machine does, the figures are known. */
static void test_sample(void **state)
{
    (void)state;
    struct pb_cpuload l;
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    assert_int_equal(pb_cpuload_sample(0.02, &l), 0);
    assert_int_equal(l.ncpu, CPU_COUNT(&set));
    assert_true(l.window_s > 0);
    assert_true(isfinite(l.other_cpu_s) && isfinite(l.steal_s) && l.steal_s >= 0);
}

static atomic_int spin_stop, spin_started;

/* A thread that keeps its CPU busy until spin_stop. */
static void *spinner(void *arg)
{
    (void)arg;
    atomic_fetch_add(&spin_started, 1);
    while (!atomic_load(&spin_stop))
        ;
    return NULL;
}

/* A run sharing its only CPU with two threads that spin for the whole run is flagged busy: the
 * CPU is never idle, so others get all of it the run does not (a half or more under fair
 * scheduling, far above the threshold's tenth whatever the machine's speed: the run burns a
 * fixed 200 ms of CPU). Nothing here depends on the machine being idle: more load only adds. */
static void test_shared_run_flagged(void **state)
{
    (void)state;
    cpu_set_t old, one;
    pthread_t t[2];
    struct pbt_prob q;
    struct pb_measure m;
    char flag[32];
    assert_int_equal(sched_getaffinity(0, sizeof old, &old), 0);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &old)) {
            CPU_SET(c, &one);
            break;
        }
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);   /* the threads inherit it */
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, spinner, NULL), 0);
    while (atomic_load(&spin_started) < 2)
        sched_yield();
    pbt_prob_make(&q, 10, PB_OUTPUT_HISTOGRAM);
    int rc = pbt_run("test-spin", &q, 1, NULL, NULL, 0, &m);
    atomic_store(&spin_stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    sched_setaffinity(0, sizeof old, &old);
    assert_int_equal(rc, 0);
    assert_string_equal(m.status, "ok");
    assert_int_equal(m.load_cpus, 1);
    assert_true(m.other_cpu_s > 0);
    struct pb_cpuload l = { .other_cpu_s = m.other_cpu_s, .steal_s = m.steal_s,
                            .ncpu = m.load_cpus };
    assert_string_equal(pb_cpuload_flag(&l, m.wall_s, 1, m.cpus_avail, flag, sizeof flag),
                        PB_FLAG_BUSY);
    pbt_prob_free(&q);
}

static int setup(void **state)
{
    (void)state;
    struct pb_err err;
    pb_stop_install_signals();
    return pb_registry_add(&pb_test_strategy_spin, &err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),        cmocka_unit_test(test_read_root),
        cmocka_unit_test(test_between),      cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_flag),         cmocka_unit_test(test_quota_parse),
        cmocka_unit_test(test_quota_tree),   cmocka_unit_test(test_available),
        cmocka_unit_test(test_sample),       cmocka_unit_test(test_shared_run_flagged),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
