/* test_problem.c — the bin edges pb_edges_make makes: bit for bit numpy.linspace and
 * numpy.geomspace over many (lo, hi, count), read from tests/data/edges_numpy.txt (written once
 * by tests/data/edges_numpy.py with NumPy, see there); explicit edges kept as listed; and every
 * in-process strategy putting pairs at exactly an edge into the bin that edge opens (integer
 * lattice, bins 0..25; log decades 1..1e5; explicit edges sqrt(k) as doubles). */
#include "support.h"

#include "problem.h"
#include "registry.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUMPY_EDGES "tests/data/edges_numpy.txt"

/* The edges of bins (lo, hi, count, scale) from pb_edges_make; the caller frees them. */
static double *make(double lo, double hi, size_t count, enum pb_bin_scale scale)
{
    struct pb_bin_spec b = { .min = lo, .max = hi, .count = count, .scale = scale };
    double *e = NULL;
    assert_int_equal(pb_edges_make(&b, &e), 0);
    return e;
}

/* Next whitespace-separated token of *s as a double (hex floats included). */
static double next_double(char **s)
{
    char *end;
    double v = strtod(*s, &end);
    assert_true(end != *s);
    *s = end;
    return v;
}

/* One line of the NumPy file: same edges, compared as bit patterns. Returns 1 when equal. */
static int check_numpy_line(char *line, int lineno)
{
    char scale[8], *s = line;
    int used = 0;
    assert_int_equal(sscanf(line, "%7s%n", scale, &used), 1);
    s += used;
    double lo = next_double(&s), hi = next_double(&s);
    size_t count = (size_t)strtoul(s, &s, 10);
    double *e = make(lo, hi, count, strcmp(scale, "log") == 0 ? PB_BINS_LOG : PB_BINS_LINEAR);
    int same = 1;
    for (size_t k = 0; k <= count && same; k++) {
        double want = next_double(&s);
        if (memcmp(&want, &e[k], sizeof want) != 0) {
            print_message("%s:%d: %s %a %a %zu: edge %zu is %a (%.17g), numpy has %a (%.17g)\n",
                          NUMPY_EDGES, lineno, scale, lo, hi, count, k, e[k], e[k], want, want);
            same = 0;
        }
    }
    free(e);
    return same;
}

/* Every case of the NumPy file, linear and log, bit for bit. */
static void test_numpy_edges(void **state)
{
    (void)state;
    FILE *f = fopen(NUMPY_EDGES, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, cases = 0, bad = 0, logs = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        if (line[0] == '#')
            continue;
        cases++;
        logs += strncmp(line, "log", 3) == 0;
        bad += !check_numpy_line(line, lineno);
    }
    free(line);
    fclose(f);
    assert_int_equal(bad, 0);
    assert_true(cases >= 300 && logs >= 100);
}

/* The cases the docs name: linspace(0, 25, 26)[7] is 7, geomspace(1, 1e5, 6) gives exact
 * decades, geomspace(0.5, 50, 21)[10] is 4.999999999999999, as NumPy gives them. */
static void test_named_cases(void **state)
{
    (void)state;
    double *e = make(0, 25, 25, PB_BINS_LINEAR);
    for (int k = 0; k <= 25; k++)
        assert_true(e[k] == (double)k);
    free(e);
    e = make(1, 1e5, 5, PB_BINS_LOG);
    for (int k = 0; k <= 5; k++)
        assert_true(e[k] == pow(10, k));
    free(e);
    e = make(0.5, 50, 20, PB_BINS_LOG);
    assert_true(e[10] == 0x1.3ffffffffffffp+2);      /* 4.999999999999999 */
    free(e);
}

/* Explicit edges are copied as listed; a new max (an rmax sweep) scales them, the last exact;
 * edges that collapse under the scaling are refused. */
static void test_explicit_edges(void **state)
{
    (void)state;
    double listed[] = { 0.1, 0.3, 1.0 / 3, 7, 10 };
    struct pb_bin_spec b = { .min = 0.1, .max = 10, .count = 4, .scale = PB_BINS_EXPLICIT,
                             .edges = listed };
    double *e = NULL;
    assert_int_equal(pb_edges_make(&b, &e), 0);
    assert_memory_equal(e, listed, sizeof listed);
    free(e);
    b.max = 5;
    assert_int_equal(pb_edges_make(&b, &e), 0);
    assert_true(e[3] == 3.5 && e[4] == 5 && e[0] == 0.1 * 0.5);
    free(e);
    b.edges = NULL;
    assert_int_equal(pb_edges_make(&b, &e), -EINVAL);
    double tiny[] = { 1, 1 + 0x1p-52, 2 };
    b = (struct pb_bin_spec){ .min = 1, .max = 1e-300, .count = 2, .scale = PB_BINS_EXPLICIT,
                              .edges = tiny };
    assert_int_equal(pb_edges_make(&b, &e), -EINVAL);   /* max below min */
    assert_int_equal(pb_edges_unordered(tiny, 3), 3);
    tiny[2] = 1;
    assert_int_equal(pb_edges_unordered(tiny, 3), 2);
}

/* Points with integer coordinates and their counts per bin: squared distances are exact
 * integers, a distance is their correctly rounded sqrt (what numpy.sqrt gives), and it lies in
 * bin k when edges[k] <= d < edges[k+1]. */
struct lattice {
    size_t n;
    double *x, *y, *z;
    uint64_t *want;                  /* nbins counts */
};

/* want[] for edges e[0..nbins]. */
static void lattice_expect(struct lattice *l, const double *e, size_t nbins)
{
    l->want = calloc(nbins, sizeof *l->want);
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = i + 1; j < l->n; j++) {
            long long dx = (long long)(l->x[i] - l->x[j]), dy = (long long)(l->y[i] - l->y[j]);
            long long dz = (long long)(l->z[i] - l->z[j]);
            double d = sqrt((double)(dx * dx + dy * dy + dz * dz));
            for (size_t k = 0; k < nbins; k++)
                l->want[k] += e[k] <= d && d < e[k + 1];
        }
}

/* Runs every in-process strategy (defaults, 1 and 2 threads) on the points of l with edges e
 * made by pb_edges_make and asserts its counts equal l->want. */
static void every_strategy(const struct lattice *l, const double *e, size_t nbins,
                           enum pb_bin_scale scale)
{
    struct pb_problem p = { .n = l->n, .x = l->x, .y = l->y, .z = l->z, .output =
                            PB_OUTPUT_HISTOGRAM, .nbins = nbins, .edges = e, .scale = scale };
    int ran = 0;
    for (size_t i = 0; i < pb_registry_count(); i++) {
        const struct pb_strategy *s = pb_registry_get(i);
        struct pb_kv kv[8];
        size_t nkv = 0;
        if (s->flags & (PB_EXTERNAL | PB_DISTRIBUTED))
            continue;
        for (const struct pb_param_spec *ps = s->params; ps && ps->name && nkv < 8; ps++)
            kv[nkv++] = (struct pb_kv){ .key = ps->name, .value = ps->def };
        for (int t = 1; t <= 2; t++) {
            struct pb_params prm = { .threads = t, .ranks = 1, .kv = kv, .nkv = nkv };
            struct pb_output out = { .counts = calloc(nbins, sizeof(uint64_t)) };
            assert_int_equal(s->run(&p, &prm, &out), 0);
            for (size_t k = 0; k < nbins; k++)
                if (out.counts[k] != l->want[k])
                    fail_msg("%s, %d threads: bin %zu [%.17g, %.17g) has %llu pairs, expected "
                             "%llu", s->name, t, k, e[k], e[k + 1],
                             (unsigned long long)out.counts[k],
                             (unsigned long long)l->want[k]);
            free(out.counts);
            ran++;
        }
    }
    assert_true(ran >= 10);
}

/* Allocates n points of l. */
static void lattice_alloc(struct lattice *l, size_t n)
{
    *l = (struct lattice){ .n = n, .x = calloc(n, sizeof(double)), .y = calloc(n, sizeof(double)),
                           .z = calloc(n, sizeof(double)) };
    assert_true(l->x && l->y && l->z);
}

static void lattice_free(struct lattice *l)
{
    free(l->x), free(l->y), free(l->z), free(l->want);
}

/* A 9 x 9 x 9 unit grid plus a row of points out to x = 24: many pairs at exactly integer
 * distances (3-4-5 and friends), each counted in the bin that its distance opens. Before the
 * edges followed numpy.linspace, edge 7 was 7.0000000000000009 and these pairs fell a bin
 * low. */
static void test_lattice_linear(void **state)
{
    (void)state;
    struct lattice l;
    lattice_alloc(&l, 9 * 9 * 9 + 16);
    for (size_t i = 0; i < l.n; i++) {
        int grid = i < 9 * 9 * 9;
        l.x[i] = grid ? (double)(i % 9) : (double)(i - 9 * 9 * 9 + 9);
        l.y[i] = grid ? (double)(i / 9 % 9) : 0;
        l.z[i] = grid ? (double)(i / 81) : 0;
    }
    double *e = make(0, 25, 25, PB_BINS_LINEAR);
    for (int k = 0; k <= 25; k++)
        assert_true(e[k] == (double)k);
    lattice_expect(&l, e, 25);
    assert_true(l.want[7] > 0 && l.want[24] > 0);
    every_strategy(&l, e, 25, PB_BINS_LINEAR);
    free(e);
    lattice_free(&l);
}

/* Explicit edges sqrt(0), sqrt(1), ..., sqrt(40) as doubles (most not exact, and many lattice
 * distances equal to one of them once rounded): every strategy bins as the rounded distance
 * compares with the listed doubles. */
static void test_lattice_explicit(void **state)
{
    (void)state;
    struct lattice l;
    double listed[41], *e = NULL;
    lattice_alloc(&l, 5 * 5 * 5);
    for (size_t i = 0; i < l.n; i++)
        l.x[i] = (double)(i % 5), l.y[i] = (double)(i / 5 % 5), l.z[i] = (double)(i / 25);
    for (int k = 0; k <= 40; k++)
        listed[k] = sqrt((double)k);
    struct pb_bin_spec b = { .min = 0, .max = listed[40], .count = 40,
                             .scale = PB_BINS_EXPLICIT, .edges = listed };
    assert_int_equal(pb_edges_make(&b, &e), 0);
    assert_memory_equal(e, listed, sizeof listed);
    lattice_expect(&l, e, 40);
    assert_true(l.want[2] > 0 && l.want[3] > 0);      /* distances sqrt(2), sqrt(3) */
    every_strategy(&l, e, 40, PB_BINS_EXPLICIT);
    free(e);
    lattice_free(&l);
}

/* geomspace(1, 1e5, 6): the pair at exactly 10 is in bin 1, those at exactly 100, 1000 and
 * 10^4 in bins 2, 3 and 4 (edges from pb_edges_make, counts checked against the integer
 * decades). */
static void test_log_decades(void **state)
{
    (void)state;
    struct lattice l;
    lattice_alloc(&l, 6);
    double xs[] = { 0, 10, 110, 1110, 11110, 11111 };   /* gaps 10, 100, 1000, 10^4, 1 */
    memcpy(l.x, xs, sizeof xs);
    double *e = make(1, 1e5, 5, PB_BINS_LOG);
    lattice_expect(&l, e, 5);
    assert_int_equal(l.want[1], 1);                     /* 10 */
    assert_int_equal(l.want[2], 2);                     /* 100 and 110 */
    every_strategy(&l, e, 5, PB_BINS_LOG);
    free(e);
    lattice_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numpy_edges),
        cmocka_unit_test(test_named_cases),
        cmocka_unit_test(test_explicit_edges),
        cmocka_unit_test(test_lattice_linear),
        cmocka_unit_test(test_log_decades),
        cmocka_unit_test(test_lattice_explicit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
