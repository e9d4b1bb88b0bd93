/* test_compute_core.c — the compute core shared by bench compute and libpairbench
 * (harness/run/compute.c): counts in this process equal naive's, the box wraps, auto chooses
 * and says why, parameters and edges are checked with messages naming what is wrong, and
 * strategies that run outside the process are refused. */
#include "support.h"

#include "compute.h"
#include "registry.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 400
#define NB 6

static double X[N], Y[N], Z[N];
static const double EDGES[NB + 1] = {0, 2, 5, 10, 20, 35, 60};

/* Fills X, Y, Z with a fixed LCG, uniform in [lo, lo + 100)^3. */
static void fill(double lo)
{
    uint64_t s = 77;
    double *c[3] = {X, Y, Z};
    for (size_t i = 0; i < N; i++)
        for (int d = 0; d < 3; d++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            c[d][i] = lo + (double)(s >> 11) / 9007199254740992.0 * 100;
        }
}

/* Counts of naive, called directly, for the points in X, Y, Z wrapped into box (0: open). */
static void naive_counts(double box, uint64_t *counts)
{
    struct pb_points pts = {.n = N, .x = X, .y = Y, .z = Z};
    if (box > 0)
        pb_points_wrap(&pts, box);
    struct pb_problem p = {.n = N, .x = X, .y = Y, .z = Z, .box = box,
                           .output = PB_OUTPUT_HISTOGRAM, .nbins = NB, .edges = EDGES};
    struct pb_params k = {.threads = 1, .ranks = 1};
    struct pb_output out = {.counts = calloc(NB + 1, sizeof *counts)};
    assert_int_equal(pb_registry_find("naive")->run(&p, &k, &out), 0);
    memcpy(counts, out.counts, NB * sizeof *counts);
    free(out.counts);
}

/* Runs pb_compute_histogram on copies of X, Y, Z with o. Returns its result. */
static int histogram(const struct pb_compute_opts *o, uint64_t *counts,
                     struct pb_compute_info *info, struct pb_err *err)
{
    double *xyz = malloc(3 * N * sizeof *xyz);
    memcpy(xyz, X, sizeof X), memcpy(xyz + N, Y, sizeof Y), memcpy(xyz + 2 * N, Z, sizeof Z);
    struct pb_points pts = {.n = N, .x = xyz, .y = xyz + N, .z = xyz + 2 * N};
    int rc = pb_compute_histogram(o, &pts, EDGES, NB, counts, info, err);
    free(xyz);
    return rc;
}

/* grid, kdtree, openmp and auto count what naive counts, open and in a periodic box whose
 * points must be wrapped first. */
static void test_counts_equal_naive(void **state)
{
    (void)state;
    const char *names[] = {"grid", "kdtree", "openmp", "auto"};
    for (int periodic = 0; periodic < 2; periodic++) {
        uint64_t want[NB], got[NB];
        fill(periodic ? -20 : 0);
        double box = periodic ? 100 : 0;
        for (size_t s = 0; s < 4; s++) {
            struct pb_compute_opts o = {.strategy = names[s], .threads = 2, .box = box};
            struct pb_compute_info info;
            struct pb_err err = {0};
            assert_int_equal(histogram(&o, got, &info, &err), 0);
            fill(periodic ? -20 : 0);
            naive_counts(box, want);
            fill(periodic ? -20 : 0);
            assert_memory_equal(got, want, sizeof want);
            assert_int_equal(info.threads, 2);
        }
    }
}

/* auto: grid below half the extent, else blocked on one thread, pthread-async on more; why
 * names the share. A serial strategy runs on 1 thread. */
static void test_auto_choice(void **state)
{
    (void)state;
    fill(0);
    struct pb_points pts = {.n = N, .x = X, .y = Y, .z = Z};
    struct pb_compute_opts o = {.threads = 2, .output = PB_OUTPUT_HISTOGRAM};
    char why[256];
    double near[2] = {0, 30}, far[2] = {0, 80};
    assert_string_equal(pb_compute_choose(&o, &pts, near, 1, why, sizeof why), "grid");
    assert_non_null(strstr(why, "(below 50%: a spatial strategy pays)"));
    assert_string_equal(pb_compute_choose(&o, &pts, far, 1, why, sizeof why), "pthread-async");
    o.threads = 1;
    assert_string_equal(pb_compute_choose(&o, &pts, far, 1, why, sizeof why), "blocked");
    o.box = 1000;
    assert_string_equal(pb_compute_choose(&o, &pts, far, 1, why, sizeof why), "grid");
    assert_non_null(strstr(why, "of the box side 1000"));
    uint64_t counts[NB];
    struct pb_compute_info info;
    struct pb_err err = {0};
    struct pb_compute_opts serial = {.strategy = "naive", .threads = 4};
    assert_int_equal(histogram(&serial, counts, &info, &err), 0);
    assert_int_equal(info.threads, 1);
    assert_string_equal(info.why, "");
}

/* Parameters: an unknown key, a bad value, a key given twice, and any parameter under auto are
 * refused naming it; a good one replaces the default. */
static void test_params(void **state)
{
    (void)state;
    const struct pb_strategy *grid = pb_registry_find("grid");
    struct pb_kv kv[PB_COMPUTE_MAX_PARAMS];
    size_t nkv;
    struct pb_err err = {0};
    char *unknown[] = {"bogus=1"}, *bad[] = {"refine=99"}, *twice[] = {"refine=2", "refine=3"};
    char *good[] = {"refine=3"};
    struct pb_compute_opts o = {.kv_text = unknown, .nkv_text = 1, .param_label = "--param"};
    assert_int_equal(pb_compute_params(grid, &o, kv, &nkv, &err), -EINVAL);
    assert_string_equal(err.msg, "--param: grid has no parameter 'bogus'");
    o.kv_text = bad;
    assert_int_equal(pb_compute_params(grid, &o, kv, &nkv, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "--param: refine: '99' is not "));
    o.kv_text = twice, o.nkv_text = 2;
    assert_int_equal(pb_compute_params(grid, &o, kv, &nkv, &err), -EINVAL);
    assert_string_equal(err.msg, "--param: refine given twice ('2', then '3')");
    o.kv_text = good, o.nkv_text = 1;
    assert_int_equal(pb_compute_params(grid, &o, kv, &nkv, &err), 0);
    assert_string_equal(pb_param(&(struct pb_params){.kv = kv, .nkv = nkv}, "refine"), "3");
    uint64_t counts[NB];
    struct pb_compute_info info;
    struct pb_compute_opts autop = {.strategy = "auto", .kv_text = good, .nkv_text = 1};
    fill(0);
    assert_int_equal(histogram(&autop, counts, &info, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "strategy auto chooses the strategy"));
}

/* Edges: made as NumPy makes them, refused with the place named when they cannot be used. */
static void test_edges(void **state)
{
    (void)state;
    struct pb_err err = {0};
    double *e = NULL, bad[3] = {0, 2, 2}, neg[2] = {-1, 1};
    assert_int_equal(pb_compute_edges(0, 10, 4, PB_BINS_LINEAR, "edges", &e, &err), 0);
    assert_true(e[0] == 0 && e[1] == 2.5 && e[4] == 10);
    free(e);
    assert_int_equal(pb_compute_edges(0, 10, 4, PB_BINS_LOG, "edges", &e, &err), -EINVAL);
    assert_string_equal(err.msg, "edges: need finite 0 <= MIN < MAX and MIN > 0 for log bins, "
                        "got 0, 10");
    assert_int_equal(pb_compute_edges(0, 10, 0, PB_BINS_LINEAR, "edges", &e, &err), -EINVAL);
    assert_int_equal(pb_compute_check_edges(EDGES, NB + 1, "edges", &err), 0);
    assert_int_equal(pb_compute_check_edges(bad, 3, "edges", &err), -EINVAL);
    assert_string_equal(err.msg, "edges[2]: 2 is not above the edge before it (2): edges must "
                        "increase strictly");
    assert_int_equal(pb_compute_check_edges(neg, 2, "edges", &err), -EINVAL);
    assert_string_equal(err.msg, "edges[0]: -1 is not a finite number >= 0");
    assert_int_equal(pb_compute_check_edges(EDGES, 1, "edges", &err), -EINVAL);
}

/* exec and mpi run outside the process: refused by name, with bench compute named instead;
 * an unknown name lists the known ones. */
static void test_refused(void **state)
{
    (void)state;
    uint64_t counts[NB];
    struct pb_compute_info info;
    struct pb_err err = {0};
    struct pb_compute_opts o = {.strategy = "exec", .threads = 1};
    fill(0);
    assert_int_equal(histogram(&o, counts, &info, &err), -ENOTSUP);
    assert_string_equal(err.msg, "exec runs an external program: it cannot run inside this "
                        "process (use bench compute --strategy exec)");
    o.strategy = "mpi";
    assert_int_equal(histogram(&o, counts, &info, &err), -ENOTSUP);
    assert_non_null(strstr(err.msg, "mpi runs as a distributed program"));
    o.strategy = "nope";
    assert_int_equal(histogram(&o, counts, &info, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "unknown strategy 'nope' (known: blocked, "));
    assert_int_equal(pb_compute_in_process(pb_registry_find("grid"), &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_equal_naive),
        cmocka_unit_test(test_auto_choice),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
