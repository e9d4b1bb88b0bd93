/* test_kdtree.c — the dual-tree pair counter (kernels/kdtree.c) against the exact references,
 * bit for bit: naive for double runs, the float tile kernel of `blocked` for float runs (what a
 * float loop counts). Leaf sizes from 1 to 64, 1 to 4 threads; clumps with many duplicate
 * points (distance 0); integer points on integer edges (node pairs bounded exactly by an
 * edge); periodic boxes with points outside [0, L) and nodes wider than L/2; rmax beyond the
 * box diagonal; wide bins where whole node pairs are counted without distances (fewer distance
 * evaluations than counted pairs); n = 0, 1, 2; the matrix skipped with a reason; a bad leaf
 * parameter refused; the build time reported. */
#include "support.h"

#include "pairkern.h"
#include "registry.h"
#include "rng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define BOX 1000.0

/* Points, in both precisions. */
struct pts {
    size_t n;                        /* points */
    double *x, *y, *z;               /* double coordinates */
    float *xf, *yf, *zf;             /* the same rounded to float */
};

static struct pb_rng rng;                /* seeded per case */

/* The next double in [0, 1) of the test's seeded stream. */
static double uniform(void)
{
    return pb_rng_unit(&rng);
}

/* Room for n points (at least one, so n = 0 still has valid arrays). */
static void pts_alloc(struct pts *p, size_t n)
{
    size_t m = n ? n : 1;
    p->n = n;
    p->x = malloc(m * sizeof(double)), p->y = malloc(m * sizeof(double));
    p->z = malloc(m * sizeof(double));
    p->xf = malloc(m * sizeof(float)), p->yf = malloc(m * sizeof(float));
    p->zf = malloc(m * sizeof(float));
    assert_true(p->x && p->y && p->z && p->xf && p->yf && p->zf);
}

/* Sets point i to (x, y, z) in both precisions. */
static void pts_set(struct pts *p, size_t i, double x, double y, double z)
{
    p->x[i] = x, p->y[i] = y, p->z[i] = z;
    p->xf[i] = (float)x, p->yf[i] = (float)y, p->zf[i] = (float)z;
}

static void pts_free(struct pts *p)
{
    free(p->x), free(p->y), free(p->z), free(p->xf), free(p->yf), free(p->zf);
}

/* n points uniform in [lo, hi) per axis. */
static void make_uniform(struct pts *p, size_t n, double lo, double hi, uint64_t seed)
{
    pb_rng_seed(&rng, seed);
    pts_alloc(p, n);
    for (size_t i = 0; i < n; i++)
        pts_set(p, i, lo + (hi - lo) * uniform(), lo + (hi - lo) * uniform(),
                lo + (hi - lo) * uniform());
}

/* n points in `clumps` tight clumps (radius `size`) at uniform centres; every third point is
 * an exact copy of the one before it, so many pairs are at distance 0. */
static void make_clumps(struct pts *p, size_t n, size_t clumps, double size, uint64_t seed)
{
    pb_rng_seed(&rng, seed);
    pts_alloc(p, n);
    double cx[64], cy[64], cz[64];
    for (size_t c = 0; c < clumps && c < 64; c++)
        cx[c] = BOX * uniform(), cy[c] = BOX * uniform(), cz[c] = BOX * uniform();
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)(uniform() * (double)clumps) % clumps;
        if (i % 3 == 2)
            pts_set(p, i, p->x[i - 1], p->y[i - 1], p->z[i - 1]);
        else
            pts_set(p, i, cx[c] + size * (uniform() - 0.5), cy[c] + size * (uniform() - 0.5),
                    cz[c] + size * (uniform() - 0.5));
    }
}

/* A histogram problem over p. */
static struct pb_problem problem(const struct pts *p, const double *edges, size_t nbins,
                                 double box, enum pb_precision prec)
{
    return (struct pb_problem){ .n = p->n, .x = p->x, .y = p->y, .z = p->z, .xf = p->xf,
                                .yf = p->yf, .zf = p->zf, .precision = prec, .box = box,
                                .output = PB_OUTPUT_HISTOGRAM, .nbins = nbins, .edges = edges };
}

/* nbins+1 edges from lo to hi, linear or logarithmic. */
static void make_edges(double *e, size_t nbins, double lo, double hi, int logarithmic)
{
    for (size_t k = 0; k <= nbins; k++)
        e[k] = logarithmic ? lo * pow(hi / lo, (double)k / (double)nbins)
                           : lo + (hi - lo) * (double)k / (double)nbins;
    e[0] = lo, e[nbins] = hi;
}

/* Runs strategy name on q with T threads and leaf (NULL: no parameter) into out (counts
 * allocated here, caller frees); returns the strategy's return code. */
static int run_named(const char *name, const struct pb_problem *q, int threads, const char *leaf,
                     struct pb_output *out)
{
    const struct pb_strategy *s = pb_registry_find(name);
    assert_non_null(s);
    struct pb_kv kv = { .key = "leaf", .value = leaf };
    struct pb_params prm = { .threads = threads, .ranks = 1, .kv = &kv, .nkv = leaf ? 1 : 0 };
    memset(out, 0, sizeof *out);
    out->counts = calloc(q->nbins ? q->nbins : 1, sizeof(uint64_t));
    return s->run(q, &prm, out);
}

/* The exact reference counts of q (naive in double; the float tile kernel in float). */
static uint64_t *reference(const struct pb_problem *q)
{
    struct pb_output ref;
    int fl = q->precision == PB_PRECISION_FLOAT;
    assert_int_equal(run_named(fl ? "blocked" : "naive", q, 1, NULL, &ref), 0);
    return ref.counts;
}

/* kdtree on q with each leaf size (NULL: the default) and 1..4 threads equals the reference
 * bit for bit, with the build timed and at most one evaluation per pair. Returns the
 * evaluations of the last run. */
static uint64_t check(const struct pb_problem *q, const char *const *leaves, size_t nleaves)
{
    uint64_t *ref = reference(q), evals = 0;
    for (size_t l = 0; l < nleaves; l++)
        for (int t = 1; t <= 4; t++) {
            const char *leaf = leaves[l] ? leaves[l] : "default";
            struct pb_output o;
            int rc = run_named("kdtree", q, t, leaves[l], &o);
            if (rc != 0)
                fail_msg("leaf %s threads %d: returned %d (%s)", leaf, t, rc, o.note);
            for (size_t k = 0; k < q->nbins; k++)
                if (o.counts[k] != ref[k])
                    fail_msg("n=%zu box=%g prec=%d leaf %s threads %d: bin %zu has %llu, "
                             "reference %llu", q->n, q->box, (int)q->precision, leaf, t, k,
                             (unsigned long long)o.counts[k], (unsigned long long)ref[k]);
            assert_true(q->n == 0 || o.build_s > 0);
            assert_true(o.dist_evals <= (uint64_t)q->n * (q->n ? q->n - 1 : 0) / 2);
            evals = o.dist_evals;
            free(o.counts);
        }
    free(ref);
    return evals;
}

static const char *const all_leaves[] = { "1", "2", "7", "64" };
#define NLEAVES (sizeof all_leaves / sizeof all_leaves[0])

/* Uniform points, short range (edges far below the box), linear and log bins, every leaf. */
static void test_leaf_sizes(void **state)
{
    (void)state;
    struct pts p;
    double e[21];
    make_uniform(&p, 2000, 0, BOX, 11);
    make_edges(e, 20, 0, 150, 0);
    struct pb_problem q = problem(&p, e, 20, 0, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    make_edges(e, 20, 0.5, 150, 1);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
    make_uniform(&p, 12000, 0, BOX, 12);               /* large enough for a parallel build */
    q = problem(&p, e, 20, 0, PB_PRECISION_DOUBLE);
    static const char *const leaf_default[] = { NULL };
    check(&q, leaf_default, 1);
    pts_free(&p);
}

/* Tight clumps with duplicates: distance-0 pairs counted from an edge at 0, dropped from an
 * edge above 0; whole clumps resolve to one bin. */
static void test_clumps_and_duplicates(void **state)
{
    (void)state;
    struct pts p;
    double e[17];
    make_clumps(&p, 3000, 7, 3.0, 12);
    make_edges(e, 16, 0, 80, 0);
    struct pb_problem q = problem(&p, e, 16, 0, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    make_edges(e, 16, 0.01, 2000, 1);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
    make_clumps(&p, 600, 1, 0.0, 13);                  /* one point, 600 times */
    make_edges(e, 4, 0, 1, 0);
    q = problem(&p, e, 4, 0, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
}

/* Integer points and integer edges: distances exactly on edges, node bounds exactly on
 * edges (the one-bin rule at bin boundaries), also in a periodic box of integer side. */
static void test_lattice_edges(void **state)
{
    (void)state;
    struct pts p;
    double e[25];
    pb_rng_seed(&rng, 14);
    pts_alloc(&p, 2500);
    for (size_t i = 0; i < p.n; i++)
        pts_set(&p, i, (double)(int)(16 * uniform()), (double)(int)(16 * uniform()),
                (double)(int)(16 * uniform()));
    make_edges(e, 24, 0, 24, 0);
    struct pb_problem q = problem(&p, e, 24, 0, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    make_edges(e, 6, 1, 7, 0);
    q = problem(&p, e, 6, 16, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
}

/* Periodic boxes: points outside [0, L) (naive's single wrap applies to their differences),
 * edges reaching past L/2 so nodes wider than L/2 meet, and a short range across the walls. */
static void test_periodic(void **state)
{
    (void)state;
    struct pts p;
    double e[17];
    make_uniform(&p, 2000, -0.3 * BOX, 1.3 * BOX, 15);
    make_edges(e, 16, 0, 0.9 * BOX, 0);
    struct pb_problem q = problem(&p, e, 16, BOX, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    make_edges(e, 16, 1, 120, 1);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
    make_uniform(&p, 2000, 0, BOX, 16);
    q = problem(&p, e, 16, BOX, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
}

/* rmax beyond the box diagonal: every pair in range, open and periodic. */
static void test_rmax_beyond_diagonal(void **state)
{
    (void)state;
    struct pts p;
    double e[33];
    make_uniform(&p, 2500, 0, BOX, 17);
    make_edges(e, 32, 0, 2000, 0);
    struct pb_problem q = problem(&p, e, 32, 0, PB_PRECISION_DOUBLE);
    check(&q, all_leaves, NLEAVES);
    q.box = BOX;
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
}

/* Few wide log bins on clumps far apart: clump pairs resolve to one bin, so the tree counts
 * far more pairs than it evaluates distances, and still exactly. */
static void test_wide_bins_skip_distances(void **state)
{
    (void)state;
    struct pts p;
    double e[5];
    make_clumps(&p, 4000, 40, 2.0, 18);
    make_edges(e, 4, 0.01, 2000, 1);
    struct pb_problem q = problem(&p, e, 4, 0, PB_PRECISION_DOUBLE);
    static const char *const leaf8[] = { "8" };
    uint64_t evals = check(&q, leaf8, 1);
    uint64_t *ref = reference(&q), total = 0;
    for (size_t k = 0; k < 4; k++)
        total += ref[k];
    free(ref);
    assert_true(evals > 0);
    assert_true(evals < total / 4);
    pts_free(&p);
}

/* Float runs equal the float tile kernel (what a float loop counts) bit for bit: open and
 * periodic, short range and beyond the diagonal. */
static void test_float_precision(void **state)
{
    (void)state;
    struct pts p;
    double e[21];
    make_uniform(&p, 2000, 0, BOX, 19);
    make_edges(e, 20, 0.5, 120, 1);
    struct pb_problem q = problem(&p, e, 20, 0, PB_PRECISION_FLOAT);
    check(&q, all_leaves, NLEAVES);
    q.box = BOX;
    check(&q, all_leaves, NLEAVES);
    make_edges(e, 20, 0, 1800, 0);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
    make_clumps(&p, 2000, 5, 1.0, 20);
    make_edges(e, 20, 0, 5, 0);
    q = problem(&p, e, 20, 0, PB_PRECISION_FLOAT);
    check(&q, all_leaves, NLEAVES);
    pts_free(&p);
}

/* n = 0, 1, 2 (and 3): no pairs, one pair, three. */
static void test_tiny(void **state)
{
    (void)state;
    double e[5];
    make_edges(e, 4, 0, 2000, 0);
    for (size_t n = 0; n <= 3; n++) {
        struct pts p;
        make_uniform(&p, n, 0, BOX, 21 + n);
        struct pb_problem q = problem(&p, e, 4, 0, PB_PRECISION_DOUBLE);
        check(&q, all_leaves, NLEAVES);
        pts_free(&p);
    }
}

/* A matrix run is skipped with a reason; a bad leaf parameter is refused with a note. */
static void test_refusals(void **state)
{
    (void)state;
    struct pts p;
    double e[3] = { 0, 1, 2 };
    make_uniform(&p, 10, 0, BOX, 25);
    struct pb_problem q = problem(&p, e, 2, 0, PB_PRECISION_DOUBLE);
    q.output = PB_OUTPUT_MATRIX;
    struct pb_output o;
    assert_int_equal(run_named("kdtree", &q, 2, "32", &o), -ENOTSUP);
    assert_non_null(strstr(o.note, "pair counts only"));
    free(o.counts);
    q.output = PB_OUTPUT_HISTOGRAM;
    const char *bad[] = { "0", "-3", "abc", "12x", "", "65537" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(run_named("kdtree", &q, 1, bad[i], &o), -EINVAL);
        assert_non_null(strstr(o.note, "leaf"));
        free(o.counts);
    }
    pts_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf_sizes),
        cmocka_unit_test(test_clumps_and_duplicates),
        cmocka_unit_test(test_lattice_edges),
        cmocka_unit_test(test_periodic),
        cmocka_unit_test(test_rmax_beyond_diagonal),
        cmocka_unit_test(test_wide_bins_skip_distances),
        cmocka_unit_test(test_float_precision),
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
