/* test_mpi.c — the mpi strategy run in process against the naive reference, with the worker
 * from this build: 1 and 2 ranks, histogram and matrix (gathered and MPI-IO; a float matrix
 * against openmp's, which shares its row kernel), and the skips when the worker or the
 * launcher is missing. The worker must exist: a build without MPI fails here rather than
 * passing quietly. */
#include "support.h"

#include "registry.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXN 400
#define NBINS 32

static double xs[MAXN], ys[MAXN], zs[MAXN], edges[NBINS + 1];
static float xfs[MAXN], yfs[MAXN], zfs[MAXN];

/* The worker built beside bench; fails the test loudly when MPI was not found at build time. */
static const char *worker_path(void)
{
    static char path[1024];
    char bench[1024];
    snprintf(bench, sizeof bench, "%s", PB_BENCH_PATH);
    snprintf(path, sizeof path, "%s/pairbench-mpi-worker", dirname(bench));
    if (access(path, X_OK) != 0)
        fail_msg("%s is missing: MPI was not found when this tree was configured; install "
                 "libopenmpi-dev and openmpi-bin and re-run cmake", path);
    return path;
}

/* A problem of n seeded uniform points in [0,100)^3: histogram of 32 linear bins on
 * [0.1, 175) or the full matrix; box > 0 makes distances periodic. */
static struct pb_problem problem(size_t n, enum pb_output_kind kind, double box)
{
    srand(12345);
    for (size_t i = 0; i < MAXN; i++) {
        xs[i] = 100.0 * rand() / ((double)RAND_MAX + 1);
        ys[i] = 100.0 * rand() / ((double)RAND_MAX + 1);
        zs[i] = 100.0 * rand() / ((double)RAND_MAX + 1);
    }
    for (size_t b = 0; b <= NBINS; b++)
        edges[b] = 0.1 + b * (175.0 - 0.1) / NBINS;
    return (struct pb_problem){.n = n, .x = xs, .y = ys, .z = zs, .box = box, .output = kind,
                               .nbins = NBINS, .edges = edges, .scale = PB_BINS_LINEAR};
}

/* Runs strategy name on p; kv pairs override the declared defaults (NULL-terminated list of
 * key, value). Returns run's result; out is filled. */
static int run_strategy(const char *name, const struct pb_problem *p, int ranks, int threads,
                        struct pb_output *out, const char *const *over)
{
    const struct pb_strategy *s = pb_registry_find(name);
    assert_non_null(s);
    struct pb_kv kv[8];
    size_t nkv = 0;
    for (const struct pb_param_spec *ps = s->params; ps && ps->name; ps++) {
        kv[nkv] = (struct pb_kv){.key = ps->name, .value = ps->def};
        for (const char *const *o = over; o && o[0]; o += 2)
            if (strcmp(o[0], ps->name) == 0)
                kv[nkv].value = o[1];
        nkv++;
    }
    struct pb_params prm = {.threads = threads, .ranks = ranks, .kv = kv, .nkv = nkv,
                            .tmpdir = pbt_tmpdir("mpi")};
    return s->run(p, &prm, out);
}

/* Releases what a run left in out. */
static void release(struct pb_output *out)
{
    if (out->matrix)
        munmap(out->matrix, out->matrix_bytes);
    out->matrix = NULL;
}

/* Runs mpi with ranks x threads and checks its output equals naive's exactly, and that the
 * time and the ranks' memory were reported. */
static void check_against_naive(const struct pb_problem *p, int ranks, int threads,
                                const char *matrix_io)
{
    uint64_t want[NBINS] = {0}, got[NBINS] = {0};
    struct pb_output ref = {.counts = want}, out = {.counts = got};
    assert_int_equal(run_strategy("naive", p, 1, 1, &ref, NULL), 0);
    const char *over[] = {"worker", worker_path(), "matrix_io", matrix_io, NULL};
    int rc = run_strategy("mpi", p, ranks, threads, &out, over);
    if (rc != 0)
        fail_msg("mpi run failed (%d): %s", rc, out.note);
    if (p->output == PB_OUTPUT_HISTOGRAM) {
        assert_memory_equal(got, want, sizeof want);
    } else {
        assert_non_null(out.matrix);
        assert_memory_equal(out.matrix, ref.matrix, p->n * p->n * sizeof(double));
    }
    assert_true(out.self_wall_s > 0);
    assert_true(out.rank_max_kib > 0);
    assert_true(out.rank_sum_kib >= out.rank_max_kib);
    if (ranks > 1)
        assert_true(out.rank_sum_kib > out.rank_max_kib);
    release(&ref);
    release(&out);
}

static void test_histogram_one_rank(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN, PB_OUTPUT_HISTOGRAM, 0);
    check_against_naive(&p, 1, 1, "gather");
}

/* 2 ranks x 3 threads on an odd n: the pair split has remainders at both levels. */
static void test_histogram_two_ranks(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN - 1, PB_OUTPUT_HISTOGRAM, 0);
    check_against_naive(&p, 2, 3, "gather");
}

static void test_histogram_periodic_two_ranks(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN, PB_OUTPUT_HISTOGRAM, 100.0);
    check_against_naive(&p, 2, 1, "gather");
}

static void test_matrix_gather_one_rank(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN, PB_OUTPUT_MATRIX, 0);
    check_against_naive(&p, 1, 2, "gather");
}

static void test_matrix_gather_two_ranks(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN - 3, PB_OUTPUT_MATRIX, 0);
    check_against_naive(&p, 2, 1, "gather");
}

static void test_matrix_mpiio_one_rank(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN, PB_OUTPUT_MATRIX, 0);
    check_against_naive(&p, 1, 1, "mpiio");
}

static void test_matrix_mpiio_two_ranks(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN - 3, PB_OUTPUT_MATRIX, 100.0);
    check_against_naive(&p, 2, 2, "mpiio");
}

/* A float matrix, 2 ranks x 2 threads, periodic: the worker computes its rows with the same
 * row kernel as the in-process strategies, so its matrix equals openmp's bit for bit. */
static void test_matrix_float_matches_openmp(void **state)
{
    (void)state;
    struct pb_problem p = problem(MAXN - 3, PB_OUTPUT_MATRIX, 100.0);
    for (size_t i = 0; i < p.n; i++)
        xfs[i] = (float)xs[i], yfs[i] = (float)ys[i], zfs[i] = (float)zs[i];
    p.precision = PB_PRECISION_FLOAT;
    p.xf = xfs, p.yf = yfs, p.zf = zfs;
    struct pb_output ref = {0}, out = {0};
    assert_int_equal(run_strategy("openmp", &p, 1, 3, &ref, NULL), 0);
    const char *over[] = {"worker", worker_path(), "matrix_io", "gather", NULL};
    int rc = run_strategy("mpi", &p, 2, 2, &out, over);
    if (rc != 0)
        fail_msg("mpi run failed (%d): %s", rc, out.note);
    assert_non_null(out.matrix);
    assert_memory_equal(out.matrix, ref.matrix, p.n * p.n * sizeof(float));
    release(&ref);
    release(&out);
}

/* n = 0 is the harness's empty-work run: the job still starts, times itself and reports. */
static void test_empty_problem(void **state)
{
    (void)state;
    struct pb_problem p = problem(0, PB_OUTPUT_HISTOGRAM, 0);
    check_against_naive(&p, 2, 1, "gather");
}

/* A worker path that does not exist is a skip with a note naming it, not a failure: "needs
 * pairbench-mpi-worker (...)", as every missing dependency reads. */
static void test_missing_worker_skips(void **state)
{
    (void)state;
    struct pb_problem p = problem(10, PB_OUTPUT_HISTOGRAM, 0);
    uint64_t counts[NBINS] = {0};
    struct pb_output out = {.counts = counts};
    const char *over[] = {"worker", "/nonexistent/pairbench-mpi-worker", NULL};
    assert_int_equal(run_strategy("mpi", &p, 1, 1, &out, over), -ENOTSUP);
    assert_int_equal(strncmp(out.note, "needs pairbench-mpi-worker (", 28), 0);
    assert_non_null(strstr(out.note, "/nonexistent/pairbench-mpi-worker"));
    assert_non_null(strstr(out.note, "not found"));
}

/* A launcher that cannot be started is a skip whose note says so, with the shell's words:
 * "needs PROGRAM (launcher could not start ...)". */
static void test_missing_launcher_skips(void **state)
{
    (void)state;
    struct pb_problem p = problem(10, PB_OUTPUT_HISTOGRAM, 0);
    uint64_t counts[NBINS] = {0};
    struct pb_output out = {.counts = counts};
    const char *over[] = {"worker", worker_path(), "launcher", "no-such-launcher -n {ranks}",
                          NULL};
    assert_int_equal(run_strategy("mpi", &p, 2, 1, &out, over), -ENOTSUP);
    assert_int_equal(strncmp(out.note, "needs no-such-launcher (launcher could not start", 48), 0);
    assert_non_null(strstr(out.note, "no-such-launcher"));
}

/* A launcher that starts but exits nonzero is a failed run, not a skip. */
static void test_failing_launcher_errors(void **state)
{
    (void)state;
    struct pb_problem p = problem(10, PB_OUTPUT_HISTOGRAM, 0);
    uint64_t counts[NBINS] = {0};
    struct pb_output out = {.counts = counts};
    const char *over[] = {"worker", worker_path(), "launcher", "false", NULL};
    assert_int_equal(run_strategy("mpi", &p, 2, 1, &out, over), -EIO);
    assert_non_null(strstr(out.note, "MPI job failed (status 1)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_one_rank),
        cmocka_unit_test(test_histogram_two_ranks),
        cmocka_unit_test(test_histogram_periodic_two_ranks),
        cmocka_unit_test(test_matrix_gather_one_rank),
        cmocka_unit_test(test_matrix_gather_two_ranks),
        cmocka_unit_test(test_matrix_mpiio_one_rank),
        cmocka_unit_test(test_matrix_mpiio_two_ranks),
        cmocka_unit_test(test_matrix_float_matches_openmp),
        cmocka_unit_test(test_empty_problem),
        cmocka_unit_test(test_missing_worker_skips),
        cmocka_unit_test(test_missing_launcher_skips),
        cmocka_unit_test(test_failing_launcher_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
