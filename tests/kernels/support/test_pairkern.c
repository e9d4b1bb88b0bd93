/* test_pairkern.c — the shared inner loops of kernels/support/pairkern.h: the one d2 expression
 * (rounded step by step, never fused; the row loop and the reference use it), thresholds that
 * replace the square root, binning of squared distances against the plain binary search, edge cases of
 * the histogram (exactly on an edge, on and beyond the last edge), and the triangle split. */
#include "support.h"

#include "pairkern.h"

#include <float.h>
#include <stdlib.h>

/* Deterministic xorshift64 so failures reproduce. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

/* A problem over the given points (double precision, open box). */
static struct pb_problem problem(size_t n, const double *x, const double *y, const double *z,
                                 size_t nbins, const double *edges)
{
    return (struct pb_problem){ .n = n, .x = x, .y = y, .z = z, .output = PB_OUTPUT_HISTOGRAM,
                                .nbins = nbins, .edges = edges, .scale = PB_BINS_LINEAR };
}

/* Histogram of p through the tile kernel, into counts[nbins]. */
static void kernel_counts(const struct pb_problem *p, uint64_t *counts)
{
    struct pb_bins b;
    assert_int_equal(pb_bins_init(&b, p), 0);
    uint64_t *h = pb_hist_alloc(p->nbins, 1);
    assert_non_null(h);
    memset(counts, 0, p->nbins * sizeof *counts);
    pb_hist_rows(p, &b, 0, p->n, h);
    pb_hist_reduce(h, p->nbins, counts);
    free(h);
    pb_bins_free(&b);
}

/* dx*dx + dy*dy + dz*dz with every product and sum rounded on its own (volatile forces each
 * rounding): what naive's d2 must be, in double and float. */
static double d2_stepwise(double dx, double dy, double dz)
{
    volatile double xx = dx * dx, yy = dy * dy, zz = dz * dz;
    volatile double s = xx + yy;
    return s + zz;
}

static float d2_stepwise_f(float dx, float dy, float dz)
{
    volatile float xx = dx * dx, yy = dy * dy, zz = dz * dz;
    volatile float s = xx + yy;
    return s + zz;
}

/* pb_d2 and pb_d2_f round each step (no multiply-add: on many of these triples a fused
 * evaluation differs, which the test confirms so it can tell the two apart), and the row loop
 * (pb_row_d2, open and periodic) and the reference distance compute exactly pb_d2. */
static void test_d2_is_one_uncontracted_expression(void **state)
{
    (void)state;
    enum { M = 1000 };
    static double x[M + 1], y[M + 1], z[M + 1], row[M];
    int fused_differs = 0;
    for (size_t k = 0; k <= M; k++)
        x[k] = 1000 * uniform(), y[k] = 1000 * uniform(), z[k] = 1000 * uniform();
    for (size_t k = 1; k <= M; k++) {
        double dx = x[0] - x[k], dy = y[0] - y[k], dz = z[0] - z[k];
        assert_true(pb_d2(dx, dy, dz) == d2_stepwise(dx, dy, dz));
        assert_true(pb_d2_f((float)dx, (float)dy, (float)dz) ==
                    d2_stepwise_f((float)dx, (float)dy, (float)dz));
        fused_differs += fma(dz, dz, fma(dy, dy, dx * dx)) != d2_stepwise(dx, dy, dz);
    }
    assert_true(fused_differs > 0);
    for (int periodic = 0; periodic < 2; periodic++) {
        struct pb_problem p = problem(M + 1, x, y, z, 0, NULL);
        p.box = periodic ? 1000 : 0;
        pb_row_d2(&p, 0, 1, M, row);
        for (size_t k = 1; k <= M; k++) {
            double dx = x[0] - x[k], dy = y[0] - y[k], dz = z[0] - z[k];
            if (periodic)
                dx = pb_min_image(dx, 1000), dy = pb_min_image(dy, 1000),
                dz = pb_min_image(dz, 1000);
            assert_true(row[k - 1] == d2_stepwise(dx, dy, dz));
            assert_true(pb_distance(&p, 0, k) == sqrt(d2_stepwise(dx, dy, dz)));
        }
    }
}

/* (0,0,0)-(3,4,0) is exactly 5: with an edge at 5 it belongs to the bin above the edge. */
static void test_distance_on_edge_goes_up(void **state)
{
    (void)state;
    const double x[] = { 0, 3 }, y[] = { 0, 4 }, z[] = { 0, 0 }, edges[] = { 0, 5, 10 };
    struct pb_problem p = problem(2, x, y, z, 2, edges);
    uint64_t c[2];
    kernel_counts(&p, c);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 1);
}

/* A distance equal to the last edge, beyond it, or below the first edge is not counted. */
static void test_outside_edges_not_counted(void **state)
{
    (void)state;
    const double x[] = { 0, 3, 30 }, y[] = { 0, 4, 40 }, z[] = { 0, 0, 0 };
    const double last[] = { 0, 2.5, 5 }, first[] = { 6, 7, 8 };
    uint64_t c[2];
    struct pb_problem p = problem(2, x, y, z, 2, last);      /* d = 5 = last edge */
    kernel_counts(&p, c);
    assert_int_equal(c[0] + c[1], 0);
    p = problem(3, x, y, z, 2, last);                        /* 5, 50, 45: all at or beyond */
    kernel_counts(&p, c);
    assert_int_equal(c[0] + c[1], 0);
    p = problem(2, x, y, z, 2, first);                       /* d = 5 < 6 */
    kernel_counts(&p, c);
    assert_int_equal(c[0] + c[1], 0);
}

/* Periodic box: points 2 apart through the wall are 2 apart, as pb_min_image says. */
static void test_periodic_min_image(void **state)
{
    (void)state;
    const double x[] = { 1, 999 }, y[] = { 0, 0 }, z[] = { 500, 500 }, edges[] = { 0, 2, 4 };
    struct pb_problem p = problem(2, x, y, z, 2, edges);
    uint64_t c[2];
    p.box = 1000;
    kernel_counts(&p, c);
    assert_int_equal(c[1], 1);
    p.box = 0;
    kernel_counts(&p, c);
    assert_int_equal(c[0] + c[1], 0);
}

/* t = pb_threshold(e) is the boundary: sqrt(t) >= e and the double below t falls short. */
static void test_threshold_property(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        double e = pow(10.0, -6 + 14 * uniform()) * (1 + uniform());
        double t = pb_threshold(e);
        assert_true(sqrt(t) >= e);
        assert_true(t == 0 || sqrt(nextafter(t, 0)) < e);
        float ef = (float)e, tf = pb_threshold_f(ef);
        assert_true(sqrtf(tf) >= ef);
        assert_true(tf == 0 || sqrtf(nextafterf(tf, 0)) < ef);
    }
    assert_true(pb_threshold(0.0) == 0.0);
    assert_true(pb_threshold(-1.0) == 0.0);
}

/* The extended bin of d2 from the table agrees with binary search on sqrt(d2) for squared
 * distances at, just below and between the thresholds, and at random. */
static int check_bins_agree(size_t nbins, const double *edges)
{
    struct pb_problem p = problem(0, NULL, NULL, NULL, nbins, edges);
    struct pb_bins b;
    assert_int_equal(pb_bins_init(&b, &p), 0);
    for (size_t k = 0; k <= nbins; k++) {
        double probes[] = { b.t[k], nextafter(b.t[k], 0), nextafter(b.t[k], INFINITY),
                            b.t[k] * (1 + uniform()), b.t[k] * uniform() };
        for (size_t q = 0; q < sizeof probes / sizeof probes[0]; q++) {
            double d2 = probes[q];
            long want = pb_bin_search(edges, nbins, sqrt(d2));
            uint32_t e = pb_bins_ext(&b, pb_bins_index(&b, pb_bits(d2)), d2);
            long got = (e == 0 || e == nbins + 1) ? -1 : (long)e - 1;
            assert_int_equal(got, want);
        }
    }
    int steps = b.steps;
    pb_bins_free(&b);
    return steps;
}

/* Linear, logarithmic, random and crowded edges (several thresholds in one table cell). */
static void test_bins_match_binary_search(void **state)
{
    (void)state;
    double e[65];
    for (int k = 0; k <= 32; k++)
        e[k] = 0.1 + k * (1750 - 0.1) / 32;
    check_bins_agree(32, e);
    for (int k = 0; k <= 32; k++)
        e[k] = 0.1 * pow(1750 / 0.1, k / 32.0);
    check_bins_agree(32, e);
    for (int rep = 0; rep < 50; rep++) {
        e[0] = uniform() * 10;
        for (int k = 1; k <= 64; k++)
            e[k] = e[k - 1] + uniform() * pow(10, -8 + 12 * uniform()) + 1e-300;
        check_bins_agree(64, e);
    }
    for (int k = 0; k <= 64; k++)
        e[k] = 1 + k * 1e-13;                               /* narrow range: fine cells */
    assert_true(check_bins_agree(64, e) <= 1);
    e[0] = 1e-6;
    for (int k = 1; k <= 64; k++)
        e[k] = 1000 + k * 1e-9;                             /* wide range, crowded top */
    assert_true(check_bins_agree(64, e) > 1);
}

/* The triangle split covers every row once and gives parts within one row's pairs of equal. */
static void test_triangle_split_balanced(void **state)
{
    (void)state;
    const size_t sizes[] = { 0, 1, 2, 3, 97, 1009, 20000 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        for (size_t parts = 1; parts <= 7; parts++) {
            uint64_t total = pb_tri_pairs_before(n, n), ideal = total / parts;
            assert_int_equal(pb_tri_split(n, parts, 0), 0);
            assert_int_equal(pb_tri_split(n, parts, parts), n);
            for (size_t w = 0; w < parts; w++) {
                size_t a = pb_tri_split(n, parts, w), c = pb_tri_split(n, parts, w + 1);
                assert_true(a <= c);
                uint64_t got = pb_tri_pairs_before(n, c) - pb_tri_pairs_before(n, a);
                assert_true(got + n >= ideal && got <= ideal + n);
            }
        }
    }
    assert_int_equal(pb_tri_pairs_before(5, 5), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_d2_is_one_uncontracted_expression),
        cmocka_unit_test(test_distance_on_edge_goes_up),
        cmocka_unit_test(test_outside_edges_not_counted),
        cmocka_unit_test(test_periodic_min_image),
        cmocka_unit_test(test_threshold_property),
        cmocka_unit_test(test_bins_match_binary_search),
        cmocka_unit_test(test_triangle_split_balanced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
