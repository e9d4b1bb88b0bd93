/* test_dispatch.c — the kernel levels of kernels/support/pk_dispatch.h: every level this file
 * carries and this CPU runs (x86-64, x86-64-v3, x86-64-v4) gives counts bit-identical to a plain
 * sqrt-and-search reference, through every hot entry point (rows, block pairs, bare tiles), in
 * double and float, open and periodic, with edge sets that take both index paths (cells 2^32
 * keys wide and narrower), and matrix rows bit-identical to pb_distance. The file is built for the plain x86-64 baseline even in a -march=native build
 * (tests/CMakeLists.txt), so it always carries the three levels. Also: the level choice, the
 * PB_KERNEL_LEVEL cap and the refusal of a level the CPU cannot run. */
#include "support.h"

#include "pairkern.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define N 700                        /* points: more than one tile (PB_TILE_J) */

static const int levels[] = {PB_KERN_V1, PB_KERN_V3, PB_KERN_V4};

/* Deterministic xorshift64 so failures reproduce. */
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

/* Points uniform in a box of side 100, with float copies, and a few exact coincidences so some
 * distances are 0 and some sit on an edge. */
struct cloud {
    double x[N], y[N], z[N];         /* coordinates */
    float xf[N], yf[N], zf[N];       /* the same rounded to float */
};

static void cloud_fill(struct cloud *c)
{
    for (size_t i = 0; i < N; i++) {
        c->x[i] = 100 * uniform();
        c->y[i] = 100 * uniform();
        c->z[i] = 100 * uniform();
    }
    c->x[1] = c->x[0], c->y[1] = c->y[0], c->z[1] = c->z[0];             /* distance 0 */
    c->x[3] = c->x[2] + 3, c->y[3] = c->y[2] + 4, c->z[3] = c->z[2];     /* about 5 */
    for (size_t i = 0; i < N; i++)
        c->xf[i] = (float)c->x[i], c->yf[i] = (float)c->y[i], c->zf[i] = (float)c->z[i];
}

/* The reference: sqrt of naive's d2, binary search on the edges; float runs in float, against
 * the edges rounded to float (what the float kernels promise). */
static void reference(const struct pb_problem *p, uint64_t *counts)
{
    double ef[65];
    for (size_t k = 0; k <= p->nbins; k++)
        ef[k] = (float)p->edges[k];
    memset(counts, 0, p->nbins * sizeof *counts);
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = i + 1; j < p->n; j++) {
            double r = p->precision == PB_PRECISION_FLOAT ? pb_distance_f(p, i, j)
                                                          : pb_distance(p, i, j);
            long k = pb_bin_search(p->precision == PB_PRECISION_FLOAT ? ef : p->edges,
                                   p->nbins, r);
            if (k >= 0)
                counts[k]++;
        }
    }
}

/* The entry points a strategy may use, each over the whole triangle into counts. */
enum path { ROWS, BLOCKS, TILES, NPATHS };

/* Counts p's triangle through entry point `path` at the current level. */
static void kernel(const struct pb_problem *p, enum path path, uint64_t *counts)
{
    struct pb_bins b;
    assert_int_equal(pb_bins_init(&b, p), 0);
    uint64_t *h = pb_hist_alloc(p->nbins, 1);
    assert_non_null(h);
    size_t half = p->n / 3;
    if (path == ROWS) {
        pb_hist_rows(p, &b, 0, p->n, h);
    } else if (path == BLOCKS) {     /* two blocks: each block's own pairs, then across */
        pb_hist_self(p, &b, 0, half, h);
        pb_hist_self(p, &b, half, p->n, h);
        pb_hist_cross(p, &b, half, p->n, 0, half, h);
    } else {
        _Alignas(64) double d2[PB_TILE_J];
        _Alignas(64) float d2f[PB_TILE_J];
        _Alignas(64) int32_t idx[PB_TILE_J];
        for (size_t i = 0; i + 1 < p->n; i++) {
            for (size_t j0 = i + 1; j0 < p->n; j0 += PB_TILE_J) {
                size_t m = p->n - j0 < PB_TILE_J ? p->n - j0 : PB_TILE_J;
                if (p->precision == PB_PRECISION_FLOAT) {
                    pb_tile_d2_f(p, &b, i, j0, m, d2f, idx);
                    pb_tile_count_f(&b, m, d2f, idx, h);
                } else {
                    pb_tile_d2(p, &b, i, j0, m, d2, idx);
                    pb_tile_count(&b, m, d2, idx, h);
                }
            }
        }
    }
    memset(counts, 0, p->nbins * sizeof *counts);
    pb_hist_reduce(h, p->nbins, counts);
    free(h);
    pb_bins_free(&b);
}

/* Every supported level and every entry point against the reference for one problem. */
static void check_levels(const struct pb_problem *p, const char *what)
{
    uint64_t want[64], got[64];
    assert_true(p->nbins <= 64);
    reference(p, want);
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        if (!pb_kern_supported(levels[l]))
            continue;
        assert_int_equal(pb_kern_set_level(levels[l]), 0);
        assert_int_equal(pb_kern_level(), levels[l]);
        for (int path = 0; path < NPATHS; path++) {
            kernel(p, (enum path)path, got);
            for (size_t k = 0; k < p->nbins; k++) {
                if (got[k] != want[k])
                    fail_msg("%s, level %s, path %d: bin %zu has %llu, reference %llu", what,
                             pb_kern_level_name(levels[l]), path, k,
                             (unsigned long long)got[k], (unsigned long long)want[k]);
            }
        }
    }
    pb_kern_set_level(-1);
}

/* Linear, logarithmic, first-edge-0 and narrow (cells < 2^32 keys: the general index path)
 * edges, each open and periodic, double and float. */
static void test_levels_match_reference(void **state)
{
    (void)state;
    static struct cloud c;
    cloud_fill(&c);
    double lin[33], logb[21], zero[] = {0, 5, 10, 20, 40, 80, 120, 174}, narrow[] = {5, 5.001};
    for (int k = 0; k <= 32; k++)
        lin[k] = 0.1 + (175 - 0.1) * k / 32;
    for (int k = 0; k <= 20; k++)
        logb[k] = 0.5 * pow(300.0, k / 20.0);
    const struct { const double *e; size_t nbins; const char *name; } sets[] = {
        {lin, 32, "linear"}, {logb, 20, "log"}, {zero, 7, "first edge 0"},
        {narrow, 1, "narrow"}};
    for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
        for (int v = 0; v < 4; v++) {   /* open/periodic x double/float */
            struct pb_problem p = {.n = N, .x = c.x, .y = c.y, .z = c.z, .box = v & 1 ? 100 : 0,
                                   .precision = v & 2 ? PB_PRECISION_FLOAT : PB_PRECISION_DOUBLE,
                                   .output = PB_OUTPUT_HISTOGRAM, .nbins = sets[s].nbins,
                                   .edges = sets[s].e};
            if (p.precision == PB_PRECISION_FLOAT)
                p.xf = c.xf, p.yf = c.yf, p.zf = c.zf;
            char what[96];
            snprintf(what, sizeof what, "%s edges, %s, %s", sets[s].name,
                     v & 1 ? "periodic" : "open", v & 2 ? "float" : "double");
            check_levels(&p, what);
        }
    }
}

/* Points far apart, at infinity and not a number: d2 of 1e300, inf and NaN (x86's default NaN
 * has its sign bit set) take the index paths through their clamps; every level must still agree
 * with the reference (none of them counted), in double and float, and with a first edge at 0. */
static void test_levels_special_values(void **state)
{
    (void)state;
    static struct cloud c;
    cloud_fill(&c);
    c.x[5] = 1e150, c.x[6] = -1e150, c.x[7] = INFINITY, c.x[8] = INFINITY, c.x[9] = NAN;
    c.y[10] = -INFINITY, c.z[11] = 3e38;
    for (size_t i = 5; i <= 11; i++)
        c.xf[i] = (float)c.x[i], c.yf[i] = (float)c.y[i], c.zf[i] = (float)c.z[i];
    double lin[] = {1, 20, 40, 80, 160}, zero[] = {0, 20, 40, 80, 160};
    for (int v = 0; v < 4; v++) {
        struct pb_problem p = {.n = N, .x = c.x, .y = c.y, .z = c.z, .output = PB_OUTPUT_HISTOGRAM,
                               .nbins = 4, .edges = v & 1 ? zero : lin,
                               .precision = v & 2 ? PB_PRECISION_FLOAT : PB_PRECISION_DOUBLE};
        if (p.precision == PB_PRECISION_FLOAT)
            p.xf = c.xf, p.yf = c.yf, p.zf = c.zf;
        check_levels(&p, v & 1 ? "special values, first edge 0" : "special values");
    }
}

/* Matrix rows [i0, i1) of p through pb_matrix_rows at every supported level, into a private
 * buffer of those rows and into a whole matrix, equal bit for bit to pb_distance (pb_distance_f
 * in float); the row length is no multiple of any vector width, so the tails are checked too. */
static void check_matrix_levels(const struct pb_problem *p, const char *what)
{
    size_t elem = p->precision == PB_PRECISION_FLOAT ? sizeof(float) : sizeof(double);
    size_t i0 = 3, i1 = 40;
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        if (!pb_kern_supported(levels[l]))
            continue;
        assert_int_equal(pb_kern_set_level(levels[l]), 0);
        struct pb_output out = {0};
        assert_int_equal(pb_matrix_alloc(&out, p->n, elem, 0), 0);
        char *part = calloc((i1 - i0) * p->n, elem);
        assert_non_null(part);
        pb_matrix_rows(p, i0, i1, out.matrix, 0);
        pb_matrix_rows(p, i0, i1, part, i0);
        for (size_t i = i0; i < i1; i++) {
            for (size_t j = 0; j < p->n; j++) {
                size_t k = i * p->n + j, kp = (i - i0) * p->n + j;
                int same = p->precision == PB_PRECISION_FLOAT
                    ? ((float *)out.matrix)[k] == pb_distance_f(p, i, j) &&
                      ((float *)part)[kp] == pb_distance_f(p, i, j)
                    : ((double *)out.matrix)[k] == pb_distance(p, i, j) &&
                      ((double *)part)[kp] == pb_distance(p, i, j);
                if (!same)
                    fail_msg("%s, level %s: matrix entry (%zu, %zu) differs from the reference",
                             what, pb_kern_level_name(levels[l]), i, j);
            }
        }
        free(part);
        munmap(out.matrix, out.matrix_bytes);
    }
    pb_kern_set_level(-1);
}

/* The matrix path at every level: open and periodic, double and float. */
static void test_matrix_levels_match_reference(void **state)
{
    (void)state;
    static struct cloud c;
    cloud_fill(&c);
    for (int v = 0; v < 4; v++) {
        struct pb_problem p = {.n = N, .x = c.x, .y = c.y, .z = c.z, .box = v & 1 ? 100 : 0,
                               .precision = v & 2 ? PB_PRECISION_FLOAT : PB_PRECISION_DOUBLE,
                               .output = PB_OUTPUT_MATRIX};
        if (p.precision == PB_PRECISION_FLOAT)
            p.xf = c.xf, p.yf = c.yf, p.zf = c.zf;
        char what[64];
        snprintf(what, sizeof what, "matrix, %s, %s", v & 1 ? "periodic" : "open",
                 v & 2 ? "float" : "double");
        check_matrix_levels(&p, what);
    }
}

/* The choice: the baseline always runs; the automatic level is the highest supported; the
 * PB_KERNEL_LEVEL cap lowers it; a level the file does not carry is refused. */
static void test_level_choice(void **state)
{
    (void)state;
    int best = PB_KERN_V1;
    assert_int_equal(PB_KERN_MULTI, 1);
    assert_true(pb_kern_supported(PB_KERN_V1));
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++)
        best = pb_kern_supported(levels[l]) ? levels[l] : best;
    unsetenv("PB_KERNEL_LEVEL");
    pb_kern_set_level(-1);
    assert_int_equal(pb_kern_level(), best);
    setenv("PB_KERNEL_LEVEL", "x86-64", 1);
    pb_kern_set_level(-1);
    assert_int_equal(pb_kern_level(), PB_KERN_V1);
    assert_string_equal(pb_kern_level_name(pb_kern_level()), "x86-64");
    setenv("PB_KERNEL_LEVEL", "no-such-level", 1);
    pb_kern_set_level(-1);
    assert_int_equal(pb_kern_level(), best);
    unsetenv("PB_KERNEL_LEVEL");
    assert_int_equal(pb_kern_set_level(PB_KERN_BUILD), -ENOTSUP);
    assert_int_equal(pb_kern_set_level(2), -ENOTSUP);
    pb_kern_set_level(-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_match_reference),
        cmocka_unit_test(test_levels_special_values),
        cmocka_unit_test(test_matrix_levels_match_reference),
        cmocka_unit_test(test_level_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
