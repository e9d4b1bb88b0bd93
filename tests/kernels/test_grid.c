/* test_grid.c — the cell-list strategy (kernels/grid.c) against naive, bit for bit: every
 * refine from 1 to 3 (and the largest), 1 to 4 threads, strongly clustered points (one cell
 * holding most of them, most cells empty), periodic boxes with points outside [0, L) and rmax
 * near L/2 and L/3 (where the neighbour reach wraps onto itself and must not count a cell
 * pair twice), rmax beyond the diagonal (one cell), identical points, distances exactly on
 * the last edge, a coordinate that is not finite, float runs (against blocked's float kernel,
 * which they must match exactly), n = 0, 1, 2. Also the matrix skip, a bad refine, and the
 * reported work: counted pairs <= dist_evals <= n(n-1)/2, build_s > 0. */
#include "support.h"

#include "pairkern.h"
#include "registry.h"
#include "rng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Points and bins of one case. */
struct fixture {
    size_t n;                        /* points */
    double *x, *y, *z;               /* double coordinates */
    float *xf, *yf, *zf;             /* the same rounded to float */
    double edges[21];                /* nbins + 1 edges */
    size_t nbins;                    /* bins */
};

static struct pb_rng rng;                /* seeded per case */

/* The next double in [0, 1) of the test's seeded stream. */
static double uniform(void)
{
    return pb_rng_unit(&rng);
}

/* Room for n points, seeded by seed; coordinates are filled by the caller. */
static void alloc_points(struct fixture *f, size_t n, uint64_t seed)
{
    size_t m = n ? n : 1;
    pb_rng_seed(&rng, 0x9E3779B97F4A7C15ull ^ seed);
    f->n = n;
    f->x = calloc(m, sizeof(double)), f->y = calloc(m, sizeof(double));
    f->z = calloc(m, sizeof(double));
    f->xf = calloc(m, sizeof(float)), f->yf = calloc(m, sizeof(float));
    f->zf = calloc(m, sizeof(float));
    assert_true(f->x && f->y && f->z && f->xf && f->yf && f->zf);
}

/* Point i uniform in [lo, lo + side)^3. */
static void put_uniform(struct fixture *f, size_t i, double lo, double side)
{
    f->x[i] = lo + side * uniform(), f->y[i] = lo + side * uniform();
    f->z[i] = lo + side * uniform();
}

/* The float copies of the coordinates, once they are all set. */
static void round_to_float(struct fixture *f)
{
    for (size_t i = 0; i < f->n; i++)
        f->xf[i] = (float)f->x[i], f->yf[i] = (float)f->y[i], f->zf[i] = (float)f->z[i];
}

/* nbins log edges from lo to rmax (lo > 0), or linear from 0 when lo == 0. */
static void set_edges(struct fixture *f, size_t nbins, double lo, double rmax)
{
    f->nbins = nbins;
    for (size_t k = 0; k <= nbins; k++)
        f->edges[k] = lo > 0 ? lo * pow(rmax / lo, (double)k / (double)nbins)
                             : rmax * (double)k / (double)nbins;
    f->edges[nbins] = rmax;
}

static void unmake(struct fixture *f)
{
    free(f->x), free(f->y), free(f->z), free(f->xf), free(f->yf), free(f->zf);
}

/* The histogram problem over f. */
static struct pb_problem problem_of(const struct fixture *f, enum pb_precision prec, double box)
{
    return (struct pb_problem){ .n = f->n, .x = f->x, .y = f->y, .z = f->z, .xf = f->xf,
                                .yf = f->yf, .zf = f->zf, .precision = prec, .box = box,
                                .output = PB_OUTPUT_HISTOGRAM, .nbins = f->nbins,
                                .edges = f->edges, .scale = PB_BINS_LOG };
}

/* Runs strategy name on p with T threads and refine (NULL: no parameter given). Returns the
 * strategy's status; counts go to out->counts (nbins, zeroed here). */
static int run_named(const char *name, const struct pb_problem *p, int threads,
                     const char *refine, struct pb_output *out)
{
    const struct pb_strategy *s = pb_registry_find(name);
    assert_non_null(s);
    struct pb_kv kv = { .key = "refine", .value = refine };
    struct pb_params prm = { .threads = threads, .ranks = 1, .kv = &kv, .nkv = refine ? 1 : 0 };
    memset(out->counts, 0, p->nbins * sizeof *out->counts);
    return s->run(p, &prm, out);
}

/* The reference counts: naive in double; for float runs blocked's float kernel, which is
 * what a float naive loop counts (naive itself always computes in double). */
static void reference(const struct pb_problem *p, uint64_t *counts)
{
    struct pb_output o = { .counts = counts };
    int rc = run_named(p->precision == PB_PRECISION_FLOAT ? "blocked" : "naive", p, 1, NULL, &o);
    assert_int_equal(rc, 0);
}

/* grid on p with T threads and refine equals the reference exactly; its dist_evals lies
 * between the pairs it counted and all n(n-1)/2 pairs, and build_s > 0 when there are
 * points. */
static void check(const struct pb_problem *p, const uint64_t *ref, int threads,
                  const char *refine)
{
    uint64_t counts[32], counted = 0;
    struct pb_output o = { .counts = counts };
    int rc = run_named("grid", p, threads, refine, &o);
    if (rc != 0)
        fail_msg("grid n=%zu threads=%d refine=%s: returned %d (%s)", p->n, threads,
                 refine ? refine : "-", rc, o.note);
    for (size_t k = 0; k < p->nbins; k++) {
        if (counts[k] != ref[k])
            fail_msg("grid n=%zu threads=%d refine=%s box=%g prec=%d: bin %zu holds %llu, "
                     "reference %llu", p->n, threads, refine ? refine : "-", p->box,
                     (int)p->precision, k, (unsigned long long)counts[k],
                     (unsigned long long)ref[k]);
        counted += counts[k];
    }
    uint64_t all = (uint64_t)p->n * (p->n ? p->n - 1 : 0) / 2;
    assert_true(o.dist_evals >= counted);
    assert_true(o.dist_evals <= all);
    if (p->n > 0)
        assert_true(o.build_s > 0);
}

/* check() for refine 1..3 and 1..4 threads. */
static void check_sweep(const struct pb_problem *p)
{
    uint64_t ref[32];
    reference(p, ref);
    const char *refines[] = { "1", "2", "3" };
    for (int r = 0; r < 3; r++)
        for (int t = 1; t <= 4; t++)
            check(p, ref, t, refines[r]);
}

/* Uniform points far below rmax's scale, open box: every refine, the largest too, and no
 * parameter given at all (the default). */
static void test_refine_values(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 3001, 1);
    for (size_t i = 0; i < f.n; i++)
        put_uniform(&f, i, 0, 1000);
    round_to_float(&f);
    set_edges(&f, 20, 0.5, 100);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    check_sweep(&p);
    uint64_t ref[32];
    reference(&p, ref);
    check(&p, ref, 2, "8");
    check(&p, ref, 2, NULL);
    unmake(&f);
}

/* Strongly clustered: 3000 of 4000 points in a clump of side 2 (one cell, split across
 * threads), a second clump at a cell corner, the rest spread thinly: most cells empty. */
static void test_clustered(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 4000, 2);
    for (size_t i = 0; i < f.n; i++) {
        if (i < 3000)
            put_uniform(&f, i, 500, 2);
        else if (i < 3600)
            put_uniform(&f, i, 99.5, 1);
        else
            put_uniform(&f, i, 0, 1000);
    }
    round_to_float(&f);
    set_edges(&f, 20, 0.01, 30);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    check_sweep(&p);
    unmake(&f);
}

/* Periodic boxes with points up to a box away on either side of [0, L) (coordinates are not
 * wrapped), rmax near L/2 and L/3 and at them, where a neighbour reach that wraps would visit
 * a cell pair twice; and rmax beyond L/2. Double and float. */
static void test_periodic_dedupe(void **state)
{
    (void)state;
    const double L = 100, rmaxes[] = { 0.499 * L, 0.5 * L, 0.501 * L, L / 3, 0.34 * L,
                                       0.26 * L, 0.7 * L };
    struct fixture f;
    alloc_points(&f, 1500, 3);
    for (size_t i = 0; i < f.n; i++)
        put_uniform(&f, i, -L, 3 * L);
    round_to_float(&f);
    for (size_t r = 0; r < sizeof rmaxes / sizeof rmaxes[0]; r++) {
        set_edges(&f, 16, 0.5, rmaxes[r]);
        struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, L);
        check_sweep(&p);
        p.precision = PB_PRECISION_FLOAT;
        check_sweep(&p);
    }
    unmake(&f);
}

/* rmax at and beyond the box diagonal: one cell, every pair evaluated exactly once. */
static void test_rmax_beyond_diagonal(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 1200, 4);
    for (size_t i = 0; i < f.n; i++)
        put_uniform(&f, i, 0, 1000);
    round_to_float(&f);
    set_edges(&f, 20, 1, 2000);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    check_sweep(&p);
    uint64_t counts[32];
    struct pb_output o = { .counts = counts };
    assert_int_equal(run_named("grid", &p, 3, "2", &o), 0);
    assert_int_equal(o.dist_evals, (uint64_t)f.n * (f.n - 1) / 2);
    p.box = 1000;                    /* periodic: beyond half the box every axis is one cell */
    check_sweep(&p);
    unmake(&f);
}

/* Identical points (all pairs at distance 0, in the first bin of edges from 0) and a box a
 * billionth wide. */
static void test_identical_points(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 300, 5);
    for (size_t i = 0; i < f.n; i++) {
        f.x[i] = 3, f.y[i] = 3, f.z[i] = 3;
        if (i >= 150)
            put_uniform(&f, i, 7, 1e-9);
    }
    round_to_float(&f);
    set_edges(&f, 4, 0, 1e-3);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    uint64_t ref[32];
    reference(&p, ref);
    assert_int_equal(ref[0], 150 * 149 / 2 + 150 * 149 / 2);
    check_sweep(&p);
    unmake(&f);
}

/* Integer points and an integer last edge: many pairs lie exactly at rmax (not counted) or
 * an ulp inside it, the cases the pruning's slack must keep. Open and periodic. */
static void test_distances_on_last_edge(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 2000, 6);
    for (size_t i = 0; i < f.n; i++) {
        f.x[i] = (double)(int)(40 * uniform()), f.y[i] = (double)(int)(40 * uniform());
        f.z[i] = (double)(int)(40 * uniform());
    }
    round_to_float(&f);
    set_edges(&f, 5, 0, 5);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    check_sweep(&p);
    p.box = 40;
    check_sweep(&p);
    p.precision = PB_PRECISION_FLOAT;
    check_sweep(&p);
    unmake(&f);
}

/* A coordinate that is not finite: no cell for it, so one cell for all; counts as naive's. */
static void test_not_finite(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 500, 7);
    for (size_t i = 0; i < f.n; i++)
        put_uniform(&f, i, 0, 100);
    f.x[17] = NAN, f.y[99] = INFINITY;
    round_to_float(&f);
    set_edges(&f, 10, 0.5, 10);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    check_sweep(&p);
    unmake(&f);
}

/* Float runs in an open box match blocked's float kernel exactly. */
static void test_float_precision(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 3001, 8);
    for (size_t i = 0; i < f.n; i++)
        put_uniform(&f, i, -500, 1000);
    round_to_float(&f);
    set_edges(&f, 20, 0.5, 80);
    struct pb_problem p = problem_of(&f, PB_PRECISION_FLOAT, 0);
    check_sweep(&p);
    unmake(&f);
}

/* Enough points that several threads share the counting sort: 2 to 4 threads count exactly
 * what one thread (which sorts alone, and is checked against naive above) counts, with the
 * same distances evaluated; open and periodic, double and float. */
static void test_parallel_sort(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 150001, 14);
    for (size_t i = 0; i < f.n; i++)
        put_uniform(&f, i, 0, 1000);
    round_to_float(&f);
    set_edges(&f, 20, 0.5, 15);
    for (int v = 0; v < 4; v++) {
        struct pb_problem p = problem_of(&f, v & 1 ? PB_PRECISION_FLOAT : PB_PRECISION_DOUBLE,
                                         v & 2 ? 1000 : 0);
        uint64_t one[32], counts[32];
        struct pb_output o1 = { .counts = one }, o = { .counts = counts };
        assert_int_equal(run_named("grid", &p, 1, "2", &o1), 0);
        for (int t = 2; t <= 4; t++) {
            assert_int_equal(run_named("grid", &p, t, "2", &o), 0);
            assert_memory_equal(counts, one, p.nbins * sizeof *counts);
            assert_int_equal(o.dist_evals, o1.dist_evals);
        }
    }
    unmake(&f);
}

/* n = 0, 1, 2 with 1 to 4 threads: nothing or one pair, and workers still start and stop. */
static void test_tiny_sizes(void **state)
{
    (void)state;
    for (size_t n = 0; n <= 2; n++) {
        struct fixture f;
        alloc_points(&f, n, 9 + n);
        for (size_t i = 0; i < n; i++)
            put_uniform(&f, i, 0, 10);
        round_to_float(&f);
        set_edges(&f, 8, 0.1, 20);
        struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
        check_sweep(&p);
        p.box = 10;
        check_sweep(&p);
        unmake(&f);
    }
}

/* A matrix run is skipped: -ENOTSUP, saying that grid computes pair counts only. */
static void test_matrix_skipped(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 10, 12);
    set_edges(&f, 4, 0.1, 1);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    p.output = PB_OUTPUT_MATRIX;
    uint64_t counts[32];
    struct pb_output o = { .counts = counts };
    assert_int_equal(run_named("grid", &p, 2, "2", &o), -ENOTSUP);
    assert_non_null(strstr(o.note, "pair counts only"));
    assert_null(o.matrix);
    assert_true(pb_registry_find("grid")->flags & PB_HISTOGRAM_ONLY);
    unmake(&f);
}

/* refine outside 1..8 or not an integer: -EINVAL and a note naming the parameter and value. */
static void test_bad_refine(void **state)
{
    (void)state;
    struct fixture f;
    alloc_points(&f, 10, 13);
    set_edges(&f, 4, 0.1, 1);
    struct pb_problem p = problem_of(&f, PB_PRECISION_DOUBLE, 0);
    const char *bad[] = { "0", "9", "-1", "two", "2x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t counts[32];
        struct pb_output o = { .counts = counts };
        assert_int_equal(run_named("grid", &p, 1, bad[i], &o), -EINVAL);
        assert_non_null(strstr(o.note, "refine"));
        char quoted[16];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        assert_non_null(strstr(o.note, quoted));
    }
    unmake(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refine_values),
        cmocka_unit_test(test_clustered),
        cmocka_unit_test(test_periodic_dedupe),
        cmocka_unit_test(test_rmax_beyond_diagonal),
        cmocka_unit_test(test_identical_points),
        cmocka_unit_test(test_distances_on_last_edge),
        cmocka_unit_test(test_not_finite),
        cmocka_unit_test(test_float_precision),
        cmocka_unit_test(test_parallel_sort),
        cmocka_unit_test(test_tiny_sizes),
        cmocka_unit_test(test_matrix_skipped),
        cmocka_unit_test(test_bad_refine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
