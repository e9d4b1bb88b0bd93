/* test_strategies.c — every registered in-process strategy (not external, not distributed)
 * against naive computed in this process: sizes 1, 2, 3, a prime, sizes not divisible by
 * tiles or threads; 1 to 4 threads; matrix and histogram; every value of every enumerated
 * parameter (chunked-fork's transports); linear and log bins; points exactly on bin edges; a
 * periodic box; float precision within a stated tolerance, and computed in float (naive's
 * float counts exactly); the empty problem; pinning. Also
 * that no worker process is left behind, and that a dead fork worker fails the run. */
/* ctest-labels: slow */
#include "support.h"

#include "pairkern.h"
#include "registry.h"
#include "rng.h"

#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* Float tolerance. Coordinates up to SCALE rounded to float are off by up to SCALE*2^-24, and
 * the float arithmetic adds a few roundings of the same size, so a float distance is within
 * FLOAT_ABS = 8 * FLT_EPSILON * SCALE (about 1e-3 here) of the double one: matrix entries are
 * checked against that, and a float histogram may move only pairs whose double distance lies
 * within FLOAT_ABS of an edge (sum over bins of |difference| <= 2 * such pairs). */
#define SCALE 1000.0
#define FLOAT_ABS (8 * FLT_EPSILON * SCALE)

/* Points, edges and the naive answer for one case. */
struct fixture {
    size_t n;                        /* points */
    double *x, *y, *z;               /* double coordinates */
    float *xf, *yf, *zf;             /* the same rounded to float */
    double edges[33];                /* nbins + 1 edges */
    size_t nbins;                    /* bins */
};

static struct pb_rng rng;                /* seeded per case */

enum { SHORT_RANGE = 2 };            /* make(): uniform points, edges up to 100 in a 1000 box */

/* The next double in [0, 1) of the test's seeded stream. */
static double uniform(void)
{
    return pb_rng_unit(&rng);
}

/* n points: uniform in a SCALE box, or (lattice) integers in [0, 12) so that many distances
 * fall exactly on integer edges (3-4-5 and friends). Edges: 32 linear in [50, 1200) or log in
 * [1, 1500), or 0..24 by 1 for the lattice; some pairs fall below and beyond. */
static void make(struct fixture *f, size_t n, int lattice, enum pb_bin_scale scale)
{
    pb_rng_seed(&rng, 0x2545F4914F6CDD1Dull + n);
    f->n = n;
    size_t m = n ? n : 1;
    f->x = malloc(m * sizeof(double)), f->y = malloc(m * sizeof(double));
    f->z = malloc(m * sizeof(double));
    f->xf = malloc(m * sizeof(float)), f->yf = malloc(m * sizeof(float));
    f->zf = malloc(m * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        int grid = lattice == 1;
        f->x[i] = grid ? (double)(int)(12 * uniform()) : SCALE * uniform();
        f->y[i] = grid ? (double)(int)(12 * uniform()) : SCALE * uniform();
        f->z[i] = grid ? (double)(int)(12 * uniform()) : SCALE * uniform();
        f->xf[i] = (float)f->x[i], f->yf[i] = (float)f->y[i], f->zf[i] = (float)f->z[i];
    }
    f->nbins = lattice ? 24 : 32;
    for (size_t k = 0; k <= f->nbins; k++) {
        if (lattice == SHORT_RANGE)
            f->edges[k] = scale == PB_BINS_LOG ? 0.5 * pow(200.0, (double)k / 32)
                                               : (double)k * 100.0 / 32;
        else if (lattice)
            f->edges[k] = (double)k;
        else if (scale == PB_BINS_LOG)
            f->edges[k] = 1.0 * pow(1500.0 / 1.0, (double)k / 32);
        else
            f->edges[k] = 50 + (double)k * (1200 - 50) / 32;
    }
}

static void unmake(struct fixture *f)
{
    free(f->x), free(f->y), free(f->z), free(f->xf), free(f->yf), free(f->zf);
}

static struct pb_problem problem_of(const struct fixture *f, enum pb_output_kind out,
                                    enum pb_precision prec, double box, enum pb_bin_scale scale)
{
    return (struct pb_problem){ .n = f->n, .x = f->x, .y = f->y, .z = f->z, .xf = f->xf,
                                .yf = f->yf, .zf = f->zf, .precision = prec, .box = box,
                                .output = out, .nbins = f->nbins, .edges = f->edges,
                                .scale = scale };
}

/* Runs s on p with T threads and the parameters kv; fails the test on an error return. */
static void run_one(const struct pb_strategy *s, const struct pb_problem *p, int threads,
                    int pin, const struct pb_kv *kv, size_t nkv, struct pb_output *out)
{
    struct pb_params prm = { .threads = threads, .ranks = 1, .pin = pin, .kv = kv, .nkv = nkv };
    int rc = s->run(p, &prm, out);
    if (rc != 0)
        fail_msg("%s n=%zu threads=%d output=%d: returned %d (%s)", s->name, p->n, threads,
                 (int)p->output, rc, out->note);
}

/* The naive answer in double precision: counts, or the matrix (caller munmaps). */
static void reference(const struct pb_problem *p, struct pb_output *ref)
{
    struct pb_problem d = *p;
    d.precision = PB_PRECISION_DOUBLE;
    run_one(pb_registry_find("naive"), &d, 1, 0, NULL, 0, ref);
}

/* Pairs whose double distance lies within FLOAT_ABS of an edge: those a float run may move. */
static uint64_t near_edge_pairs(const struct pb_problem *p)
{
    uint64_t c = 0;
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = i + 1; j < p->n; j++) {
            double r = pb_distance(p, i, j);
            for (size_t k = 0; k <= p->nbins; k++)
                c += fabs(r - p->edges[k]) <= FLOAT_ABS;
        }
    return c;
}

/* Compares got with the naive reference: counts exactly (double) or within the float bound;
 * matrix within 1e-12 relative (double) or FLOAT_ABS (float). */
static void compare(const char *what, const struct pb_problem *p, const struct pb_output *got,
                    const struct pb_output *ref)
{
    int fl = p->precision == PB_PRECISION_FLOAT;
    if (p->output == PB_OUTPUT_HISTOGRAM) {
        uint64_t diff = 0, allowed = fl ? 2 * near_edge_pairs(p) : 0;
        for (size_t k = 0; k < p->nbins; k++)
            diff += got->counts[k] > ref->counts[k] ? got->counts[k] - ref->counts[k]
                                                    : ref->counts[k] - got->counts[k];
        if (diff > allowed)
            fail_msg("%s: histogram off by %llu pairs (allowed %llu)", what,
                     (unsigned long long)diff, (unsigned long long)allowed);
        return;
    }
    assert_non_null(got->matrix);
    assert_true(got->matrix_bytes >= p->n * p->n * pb_elem_bytes(p));
    const double *r = ref->matrix;
    for (size_t e = 0; e < p->n * p->n; e++) {
        double g = fl ? ((const float *)got->matrix)[e] : ((const double *)got->matrix)[e];
        double tol = fl ? FLOAT_ABS : 1e-12 * fabs(r[e]);
        if (fabs(g - r[e]) > tol)
            fail_msg("%s: matrix[%zu][%zu] = %.17g, naive %.17g", what, e / p->n, e % p->n, g,
                     r[e]);
    }
}

/* Releases an output's matrix, as the harness does. */
static void release(struct pb_output *o)
{
    if (o->matrix)
        munmap(o->matrix, o->matrix_bytes);
    o->matrix = NULL;
}

/* Strategies this test covers for p: everything that runs in-process (naive too: it computes
 * float problems in float, against its own double run as the reference). */
static int covered(const struct pb_strategy *s, const struct pb_problem *p)
{
    (void)p;
    return !(s->flags & (PB_EXTERNAL | PB_DISTRIBUTED));
}

/* Parameter sets to try for s: the defaults, then each other choice of each enumerated
 * parameter. Fills kv (nkv entries) for set number `set`; returns 0 when there is no such set. */
static int param_set(const struct pb_strategy *s, int set, struct pb_kv *kv, size_t *nkv,
                     char bufs[][64])
{
    *nkv = 0;
    for (const struct pb_param_spec *ps = s->params; ps && ps->name && *nkv < 8; ps++, (*nkv)++)
        kv[*nkv] = (struct pb_kv){ .key = ps->name, .value = ps->def };
    if (set == 0)
        return 1;
    int seen = 0;
    for (size_t i = 0; i < *nkv; i++) {
        const struct pb_param_spec *ps = &s->params[i];
        for (const char *c = ps->choices; c && *c;) {
            size_t len = strcspn(c, "|");
            if (len < 64 && (strncmp(c, ps->def, len) != 0 || ps->def[len]) && ++seen == set) {
                memcpy(bufs[i], c, len), bufs[i][len] = '\0';
                kv[i].value = bufs[i];
                return 1;
            }
            c += len + (c[len] == '|');
        }
    }
    return 0;
}

/* Every covered strategy and parameter set on p with 1..4 threads, against the reference. */
static void check_all(const struct pb_problem *p, int pin)
{
    struct pb_output ref = { .counts = calloc(p->nbins, sizeof(uint64_t)) };
    reference(p, &ref);
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        struct pb_kv kv[8];
        char bufs[8][64];
        size_t nkv;
        for (int set = 0; covered(s, p) && param_set(s, set, kv, &nkv, bufs); set++)
            for (int t = 1; t <= 4; t++) {
                char what[256];
                struct pb_output got = { .counts = calloc(p->nbins, sizeof(uint64_t)) };
                snprintf(what, sizeof what, "%s (set %d) n=%zu threads=%d output=%d prec=%d box=%g",
                         s->name, set, p->n, t, (int)p->output, (int)p->precision, p->box);
                if (p->output == PB_OUTPUT_MATRIX && (s->flags & PB_HISTOGRAM_ONLY)) {
                    struct pb_params prm = { .threads = t, .ranks = 1, .kv = kv, .nkv = nkv };
                    assert_int_equal(s->run(p, &prm, &got), -ENOTSUP);   /* skipped, saying why */
                    assert_true(got.note[0] != '\0');
                } else {
                    run_one(s, p, t, pin, kv, nkv, &got);
                    compare(what, p, &got, &ref);
                }
                release(&got);
                free(got.counts);
            }
    }
    release(&ref);
    free(ref.counts);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);   /* no child left, zombie or running */
}

/* One fixture, both outputs (or the one given), checked by check_all. */
static void sweep(size_t n, int lattice, enum pb_precision prec, double box,
                  enum pb_bin_scale scale, int pin)
{
    struct fixture f;
    make(&f, n, lattice, scale);
    for (int out = 0; out <= 1; out++) {
        struct pb_problem p = problem_of(&f, (enum pb_output_kind)out, prec, box, scale);
        check_all(&p, pin);
    }
    unmake(&f);
}

/* Sizes 1, 2, 3, a prime, and sizes crossing tiles and not divisible by 2, 3 or 4 threads. */
static void test_sizes_linear(void **state)
{
    (void)state;
    const size_t sizes[] = { 1, 2, 3, 97, 1009, PB_TILE_J * 2 + 7 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        sweep(sizes[s], 0, PB_PRECISION_DOUBLE, 0, PB_BINS_LINEAR, 0);
}

static void test_log_bins(void **state)
{
    (void)state;
    sweep(97, 0, PB_PRECISION_DOUBLE, 0, PB_BINS_LOG, 0);
    sweep(1009, 0, PB_PRECISION_DOUBLE, 0, PB_BINS_LOG, 0);
}

/* Integer points and integer edges: many distances exactly on an edge. */
static void test_exact_edges(void **state)
{
    (void)state;
    sweep(1009, 1, PB_PRECISION_DOUBLE, 0, PB_BINS_LINEAR, 0);
}

static void test_periodic_box(void **state)
{
    (void)state;
    sweep(97, 0, PB_PRECISION_DOUBLE, SCALE, PB_BINS_LINEAR, 0);
    sweep(1009, 0, PB_PRECISION_DOUBLE, SCALE, PB_BINS_LOG, 0);
}

static void test_float_precision(void **state)
{
    (void)state;
    sweep(97, 0, PB_PRECISION_FLOAT, 0, PB_BINS_LINEAR, 0);
    sweep(1009, 0, PB_PRECISION_FLOAT, 0, PB_BINS_LOG, 0);
    sweep(1009, 0, PB_PRECISION_FLOAT, SCALE, PB_BINS_LINEAR, 0);
}

/* Sorts the nbins + 1 edges of f (insertion sort: a few dozen). */
static void sort_edges(struct fixture *f)
{
    for (size_t k = 1; k <= f->nbins; k++)
        for (size_t j = k; j > 0 && f->edges[j - 1] > f->edges[j]; j--) {
            double t = f->edges[j];
            f->edges[j] = f->edges[j - 1], f->edges[j - 1] = t;
        }
}

/* Runs s on p (2 threads, parameter set `set` of param_set) into a fresh output; the caller
 * releases it. Returns 0 when s has no such set. */
static int run_set(const struct pb_strategy *s, const struct pb_problem *p, int set,
                   struct pb_output *out)
{
    struct pb_kv kv[8];
    char bufs[8][64];
    size_t nkv;
    *out = (struct pb_output){ .counts = calloc(p->nbins, sizeof(uint64_t)) };
    if (!param_set(s, set, kv, &nkv, bufs))
        return free(out->counts), 0;
    run_one(s, p, 2, 0, kv, nkv, out);
    return 1;
}

/* s's float histogram of p with parameter set `set` equals want exactly, and its float matrix
 * holds each pair's float distance bit for bit. Returns 0 when s has no such set. */
static int assert_float_answer(const struct pb_strategy *s, struct pb_problem *p, int set,
                               const uint64_t *want)
{
    struct pb_output got;
    p->output = PB_OUTPUT_HISTOGRAM;
    if (!run_set(s, p, set, &got))
        return 0;
    for (size_t k = 0; k < p->nbins; k++)
        if (got.counts[k] != want[k])
            fail_msg("%s: float bin %zu: %llu, float naive %llu", s->name, k,
                     (unsigned long long)got.counts[k], (unsigned long long)want[k]);
    free(got.counts);
    p->output = PB_OUTPUT_MATRIX;
    if (s->flags & PB_HISTOGRAM_ONLY)
        return 1;
    run_set(s, p, set, &got);
    assert_int_equal(got.matrix_bytes, p->n * p->n * sizeof(float));
    for (size_t e = 0; e < p->n * p->n; e++)
        if (((const float *)got.matrix)[e] != pb_distance_f(p, e / p->n, e % p->n))
            fail_msg("%s: float matrix[%zu][%zu] is not the float distance", s->name,
                     e / p->n, e % p->n);
    release(&got);
    free(got.counts);
    return 1;
}

/* A float run computes in float, every strategy and parameter set alike (naive included): with
 * edges placed on the double distances of 33 pairs, a double computation counts those pairs
 * differently from a float one, and every strategy's float counts are float naive's exactly. */
static void test_float_is_float(void **state)
{
    (void)state;
    struct fixture f;
    struct pb_output fl, db;
    make(&f, 301, 0, PB_BINS_LINEAR);
    struct pb_problem p = problem_of(&f, PB_OUTPUT_HISTOGRAM, PB_PRECISION_FLOAT, 0,
                                     PB_BINS_LINEAR);
    for (size_t k = 0; k <= f.nbins; k++)
        f.edges[k] = pb_distance(&p, 2 * k, 2 * k + 1);
    sort_edges(&f);
    run_set(pb_registry_find("naive"), &p, 0, &fl);
    db = (struct pb_output){ .counts = calloc(f.nbins, sizeof(uint64_t)) };
    reference(&p, &db);
    assert_memory_not_equal(fl.counts, db.counts, f.nbins * sizeof(uint64_t));
    for (size_t i = 0; i < pb_registry_count(); i++)
        for (int set = 0; covered(pb_registry_get(i), &p) &&
                          assert_float_answer(pb_registry_get(i), &p, set, fl.counts); set++)
            ;                                  /* every parameter set (chunked-fork's pipe) */
    free(fl.counts);
    free(db.counts);
    unmake(&f);
}

/* Edges far below the box (the pair counts astronomers compute, where the spatial strategies
 * prune): linear from 0 and log from 0.5 to 100 in a 1000 box, open and periodic (pairs across
 * the walls), double and float. */
static void test_short_range(void **state)
{
    (void)state;
    sweep(3001, SHORT_RANGE, PB_PRECISION_DOUBLE, 0, PB_BINS_LINEAR, 0);
    sweep(3001, SHORT_RANGE, PB_PRECISION_DOUBLE, 0, PB_BINS_LOG, 0);
    sweep(3001, SHORT_RANGE, PB_PRECISION_DOUBLE, SCALE, PB_BINS_LOG, 0);
    sweep(3001, SHORT_RANGE, PB_PRECISION_FLOAT, SCALE, PB_BINS_LINEAR, 0);
}

/* Pinned workers give the same answers, and the caller's own CPU set is left as it was. */
static void test_pinned(void **state)
{
    (void)state;
    cpu_set_t before, after;
    assert_int_equal(pb_cpus(&before), 0);
    sweep(1009, 0, PB_PRECISION_DOUBLE, 0, PB_BINS_LINEAR, 1);
    assert_int_equal(pb_cpus(&after), 0);
    assert_true(CPU_EQUAL(&before, &after));
}

/* n = 0 succeeds for every strategy, thread count and output; a matrix mapping is still made. */
static void test_empty_problem(void **state)
{
    (void)state;
    struct fixture f;
    make(&f, 0, 0, PB_BINS_LINEAR);
    for (int out = 0; out <= 1; out++) {
        struct pb_problem p = problem_of(&f, (enum pb_output_kind)out, PB_PRECISION_DOUBLE, 0,
                                         PB_BINS_LINEAR);
        check_all(&p, 0);
    }
    unmake(&f);
}

/* A chunked-fork worker that dies (here: NULL coordinates, which only the children read) makes
 * the run fail with -ECHILD and a note naming the signal, under both transports, and every
 * child is reaped. */
static void test_fork_child_death_reported(void **state)
{
    (void)state;
    const struct pb_strategy *s = pb_registry_find("chunked-fork");
    assert_non_null(s);
    double edges[] = { 0, 1, 2 };
    const char *transports[] = { "shm", "pipe" };
    double *trap = mmap(NULL, 1 << 16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(trap != MAP_FAILED);
    for (int tr = 0; tr < 2; tr++)
        for (int out = 0; out <= 1; out++) {
            struct pb_problem p = { .n = 1000, .output = (enum pb_output_kind)out, .nbins = 2,
                                    .edges = edges, .x = trap, .y = trap, .z = trap };
            struct pb_kv kv = { .key = "transport", .value = transports[tr] };
            struct pb_params prm = { .threads = 3, .ranks = 1, .kv = &kv, .nkv = 1 };
            uint64_t counts[2] = { 0 };
            struct pb_output o = { .counts = counts };
            assert_int_equal(s->run(&p, &prm, &o), -ECHILD);
            assert_non_null(strstr(o.note, "signal 11"));
            release(&o);
            assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_linear),
        cmocka_unit_test(test_log_bins),
        cmocka_unit_test(test_exact_edges),
        cmocka_unit_test(test_short_range),
        cmocka_unit_test(test_periodic_box),
        cmocka_unit_test(test_float_precision),
        cmocka_unit_test(test_float_is_float),
        cmocka_unit_test(test_pinned),
        cmocka_unit_test(test_empty_problem),
        cmocka_unit_test(test_fork_child_death_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
