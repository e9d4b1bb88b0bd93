/* test_points.c — generated points are reproducible and prefix-stable, the power-law input has
 * xi(r) ~ r^-1.8; the points-file reader accepts mixed separators and comments, NumPy .npy
 * tables, and names the line (or row) of every error; FIFOs are refused without blocking;
 * periodic experiments wrap points into the box. */
#include "support.h"

#include "npy.h"
#include "points.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct pb_input uniform(uint64_t seed)
{
    return (struct pb_input){ .kind = PB_INPUT_UNIFORM, .seed = seed, .box = 100.0 };
}

/* Asserts the first n points of a and b are bit-identical. */
static void assert_same(const struct pb_points *a, const struct pb_points *b, size_t n)
{
    assert_memory_equal(a->x, b->x, n * sizeof(double));
    assert_memory_equal(a->y, b->y, n * sizeof(double));
    assert_memory_equal(a->z, b->z, n * sizeof(double));
}

/* Asserts every point of p lies in [0, box)^3. */
static void assert_in_box(const struct pb_points *p, double box)
{
    for (size_t i = 0; i < p->n; i++) {
        assert_true(p->x[i] >= 0 && p->x[i] < box);
        assert_true(p->y[i] >= 0 && p->y[i] < box);
        assert_true(p->z[i] >= 0 && p->z[i] < box);
    }
}

/* Uniform and power law: the same seed gives the same points, another seed others, all in
 * the box. */
static void test_same_seed_same_points(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        struct pb_input in = uniform(42);
        struct pb_points a, b, c;
        struct pb_err err;
        in.kind = k ? PB_INPUT_POWERLAW : PB_INPUT_UNIFORM;
        assert_int_equal(pb_points_make(&in, 1000, &a, &err), 0);
        assert_int_equal(pb_points_make(&in, 1000, &b, &err), 0);
        in.seed = 43;
        assert_int_equal(pb_points_make(&in, 1000, &c, &err), 0);
        assert_int_equal(a.n, 1000);
        assert_same(&a, &b, 1000);
        assert_true(memcmp(a.x, c.x, 1000 * sizeof(double)) != 0);
        assert_in_box(&a, 100.0);
        pb_points_free(&a);
        pb_points_free(&b);
        pb_points_free(&c);
    }
}

/* The generator is specified: splitmix64(42) seeds xoshiro256**, x = (next >> 11) * 2^-53 * box.
 * The first x below was computed independently from that definition. */
static void test_uniform_is_specified(void **state)
{
    (void)state;
    struct pb_input in = uniform(42);
    struct pb_points a;
    struct pb_err err;
    uint64_t s[4], z = 42;
    for (int i = 0; i < 4; i++) {
        uint64_t t = (z += 0x9E3779B97F4A7C15ull);
        t = (t ^ (t >> 30)) * 0xBF58476D1CE4E5B9ull;
        t = (t ^ (t >> 27)) * 0x94D049BB133111EBull;
        s[i] = t ^ (t >> 31);
    }
    uint64_t m = s[1] * 5, r = ((m << 7) | (m >> 57)) * 9;
    assert_int_equal(pb_points_make(&in, 1, &a, &err), 0);
    assert_true(a.x[0] == (double)(r >> 11) * 0x1.0p-53 * 100.0);
    pb_points_free(&a);
}

static void test_prefix(void **state)
{
    (void)state;
    struct pb_input kinds[4] = { uniform(5), uniform(5), uniform(5), uniform(5) };
    kinds[1].kind = PB_INPUT_CLUSTERED;
    kinds[2].kind = PB_INPUT_POWERLAW;
    kinds[3].kind = PB_INPUT_POWERLAW;   /* 60 spheres: 7 points walk them, 5000 tabulate */
    kinds[3].pl = (struct pb_powerlaw){ .clusters = 4, .levels = 3, .eta = 2, .lambda = 2.0 };
    for (int k = 0; k < 4; k++) {
        struct pb_points small, big;
        struct pb_err err;
        assert_int_equal(pb_points_make(&kinds[k], 7, &small, &err), 0);
        assert_int_equal(pb_points_make(&kinds[k], 5000, &big, &err), 0);
        assert_same(&small, &big, 7);
        pb_points_free(&small);
        pb_points_free(&big);
    }
}

static void test_clustered_in_box_and_clustered(void **state)
{
    (void)state;
    struct pb_input in = { .kind = PB_INPUT_CLUSTERED, .seed = 3, .box = 1000.0 };
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_make(&in, 4000, &p, &err), 0);
    size_t close = 0;
    for (size_t i = 0; i < p.n; i++) {
        assert_true(p.x[i] >= 0 && p.x[i] < 1000.0 && isfinite(p.x[i]));
        assert_true(p.y[i] >= 0 && p.y[i] < 1000.0);
        assert_true(p.z[i] >= 0 && p.z[i] < 1000.0);
        double dx = p.x[i] - p.x[0], dy = p.y[i] - p.y[0], dz = p.z[i] - p.z[0];
        close += sqrt(dx * dx + dy * dy + dz * dz) < 100.0;
    }
    /* Uniform points would put ~0.4% within 100 of point 0; a group holds ~1/32 of them. */
    assert_true(close > 60);
    pb_points_free(&p);
}


#define XI_BINS 8                    /* log bins from 2 to 20: one decade */

/* Pair counts of p in XI_BINS log bins from 2 to 20, minimum image in a box of side box. */
static void pair_counts(const struct pb_points *p, double box, double counts[XI_BINS])
{
    const double lo = log(2.0), step = log(10.0) / XI_BINS;
    memset(counts, 0, XI_BINS * sizeof *counts);
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = i + 1; j < p->n; j++) {
            double d[3] = { fabs(p->x[i] - p->x[j]), fabs(p->y[i] - p->y[j]),
                            fabs(p->z[i] - p->z[j]) }, r2 = 0;
            for (int k = 0; k < 3; k++) {
                d[k] = d[k] > box / 2 ? box - d[k] : d[k];
                r2 += d[k] * d[k];
            }
            if (r2 < 4.0 || r2 >= 400.0)
                continue;
            int b = (int)((0.5 * log(r2) - lo) / step);
            counts[b < XI_BINS ? b : XI_BINS - 1] += 1;
        }
    }
}

/* Slope of log xi against log r over the decade 2..20, xi = DD / RR - 1 with RR the pairs a
 * uniform distribution puts in each shell; least squares. */
static double xi_slope(const struct pb_points *p, double box)
{
    double dd[XI_BINS], sx = 0, sy = 0, sxx = 0, sxy = 0;
    pair_counts(p, box, dd);
    double pairs = (double)p->n * (double)(p->n - 1) / 2;
    for (int b = 0; b < XI_BINS; b++) {
        double r0 = 2.0 * pow(10.0, (double)b / XI_BINS);
        double r1 = 2.0 * pow(10.0, (double)(b + 1) / XI_BINS);
        double rr = pairs * 4.0 / 3.0 * M_PI * (r1 * r1 * r1 - r0 * r0 * r0) / (box * box * box);
        double x = log(sqrt(r0 * r1)), y = log(dd[b] / rr - 1);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    return (XI_BINS * sxy - sx * sy) / (XI_BINS * sxx - sx * sx);
}

/* The default power-law input has xi(r) ~ r^-1.8 over a decade (2 to 20 in a 1000 box), as
 * its correlation dimension log 2 / log 2^(1/1.2) = 1.2 says; uniform points have xi ~ 0. */
static void test_powerlaw_slope(void **state)
{
    (void)state;
    struct pb_input in = { .kind = PB_INPUT_POWERLAW, .seed = 42, .box = 1000.0 };
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_make(&in, 10000, &p, &err), 0);
    double slope = xi_slope(&p, 1000.0);
    if (!(fabs(slope + 1.8) <= 0.25))
        fail_msg("xi(r) slope %.3f over 2..20, expected -1.8 +- 0.25", slope);
    pb_points_free(&p);
}

static void test_empty_work(void **state)
{
    (void)state;
    struct pb_input in = { .kind = PB_INPUT_FILE, .path = "/nonexistent/none.txt" };
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_make(&in, 0, &p, &err), 0);
    assert_int_equal(p.n, 0);
}

/* Writes text to a fresh file and returns its path (static). */
static const char *points_file(const char *tag, const char *text)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/p.txt", pbt_tmpdir(tag));
    pbt_write(path, text);
    return path;
}

static void test_read_mixed(void **state)
{
    (void)state;
    const char *path = points_file("points-mixed",
                                   "# x y z mass\n"
                                   "\n"
                                   "1 2 3\n"
                                   "  4.5,\t5e1 , -6   \n"
                                   "\t# indented comment\n"
                                   "7,8\t,\t9\r\n"
                                   "10, 11\t 12\n"
                                   "1e-3 2E+2 .5");
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_read(path, 0, &p, &err), 0);
    assert_int_equal(p.n, 5);
    assert_true(p.x[1] == 4.5 && p.y[1] == 50.0 && p.z[1] == -6.0);
    assert_true(p.x[2] == 7.0 && p.y[2] == 8.0 && p.z[2] == 9.0);
    assert_true(p.x[3] == 10.0 && p.y[3] == 11.0 && p.z[3] == 12.0);   /* ", " then blanks */
    assert_true(p.x[4] == 1e-3 && p.y[4] == 200.0 && p.z[4] == 0.5);
    pb_points_free(&p);
    assert_int_equal(pb_points_read(path, 2, &p, &err), 0);   /* at most max_n */
    assert_int_equal(p.n, 2);
    assert_int_equal(pb_points_make_float(&p), 0);
    assert_true(p.xf[1] == 4.5f && p.yf[1] == 50.0f && p.zf[1] == -6.0f);
    pb_points_free(&p);
}

static void test_make_from_file(void **state)
{
    (void)state;
    struct pb_input in = { .kind = PB_INPUT_FILE,
                           .path = (char *)points_file("points-make", "1 2 3\n4 5 6\n") };
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_make(&in, 1, &p, &err), 0);
    assert_int_equal(p.n, 1);
    pb_points_free(&p);
    assert_int_equal(pb_points_make(&in, 3, &p, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "3 points requested but the file holds 2"));
}

/* Reading text must fail with rc and a message holding fragment. */
static void read_fails(const char *text, int rc, const char *fragment)
{
    const char *path = points_file("points-bad", text);
    struct pb_points p;
    struct pb_err err = { "" };
    assert_int_equal(pb_points_read(path, 0, &p, &err), rc);
    if (!strstr(err.msg, fragment) || !strstr(err.msg, path))
        fail_msg("message \"%s\" lacks \"%s\" or the path", err.msg, fragment);
    assert_null(p.x);
}

static void test_read_errors(void **state)
{
    (void)state;
    read_fails("1 2 3\n4 5 x\n", -EINVAL, "p.txt:2: not a number: \"x\" in \"4 5 x\"");
    read_fails("1 2 3\n\n1 2\n", -EINVAL,
               "p.txt:3: expected 3 numbers (x y z), found 2 in \"1 2\"");
    read_fails("# c\n1 NaN 3\n", -EINVAL, "p.txt:2: not a finite number: \"NaN\"");
    read_fails("1 2 inf\n", -EINVAL, "p.txt:1: not a finite number: \"inf\"");
    read_fails("1 2 1e999\n", -EINVAL, "p.txt:1: not a finite number: \"1e999\"");
    read_fails("1 2 3x\n", -EINVAL, "p.txt:1: not a number: \"3x\"");
    read_fails("", -EINVAL, "no points in the file");
    read_fails("# only\n\n  \n", -EINVAL, "no points in the file");
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_read("/nonexistent/h.txt", 0, &p, &err), -ENOENT);
    assert_string_equal(err.msg,
                        "/nonexistent/h.txt: cannot open points file: No such file or directory");
    assert_int_equal(pb_points_read(pbt_tmpdir("points-dir"), 0, &p, &err), -EISDIR);
    assert_non_null(strstr(err.msg, "not a regular file but a folder"));
}

/* A line is never truncated or re-split into other columns: a fourth column (x y z mass),
 * decimal commas (which a comma separator would read as more numbers), an empty field, and
 * bare commas mixed with blanks between three numbers are refused, naming file and line. */
static void test_read_refuses_misreadings(void **state)
{
    (void)state;
    read_fails("1 2 3\n4 5 6 7\n", -EINVAL,
               "p.txt:2: expected 3 numbers (x y z), found 4 in \"4 5 6 7\"");
    read_fails("# x y z mass\n1 2 3 0.5\n", -EINVAL,
               "p.txt:2: expected 3 numbers (x y z), found 4");
    read_fails("1,5 2,5 3,5\n", -EINVAL, "p.txt:1: expected 3 numbers (x y z), found 6 "
               "(decimal commas? bare commas and blanks both separate them) in \"1,5 2,5 3,5\"");
    read_fails("1,5 2\n", -EINVAL, "p.txt:1: expected 3 numbers (x y z), found 3 (decimal commas?");
    read_fails("1,2,3\n1,,2,3\n", -EINVAL, "p.txt:2: an empty field between two commas");
    read_fails("1 2 3\n1.5\t2.5 3.5 4.5 5.5\n", -EINVAL,
               "p.txt:2: expected 3 numbers (x y z), found 5");
}


/* A FIFO (no writer: an ordinary open would block forever), a folder and a device are
 * refused at once, naming what they are. The alarm turns a hang into a failure. */
static void test_refuses_non_regular(void **state)
{
    (void)state;
    char fifo[1200];
    struct pb_points p;
    struct pb_err err;
    snprintf(fifo, sizeof fifo, "%s/points.fifo", pbt_tmpdir("points-fifo"));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(20);
    assert_int_equal(pb_points_read(fifo, 0, &p, &err), -EINVAL);
    alarm(0);
    assert_non_null(strstr(err.msg, "points.fifo: not a regular file but a FIFO"));
    assert_int_equal(pb_points_read("/dev/null", 0, &p, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "/dev/null: not a regular file but a device"));
    assert_null(p.x);
}

/* A periodic experiment wraps points into [0, L): far outside, negative, exactly at L; points
 * inside stay bit for bit. (0,0,0) and (350,0,0) in a box of 100 are then 50 apart. */
static void test_periodic_wrap(void **state)
{
    (void)state;
    struct pb_input in = { .kind = PB_INPUT_FILE, .periodic = 100.0,
                           .path = (char *)points_file("points-wrap",
                                                       "0 0 0\n350 0 0\n-30 100 1e6\n"
                                                       "0.1 99.99999999999999 -1e-300\n") };
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_make(&in, 4, &p, &err), 0);
    assert_true(p.x[1] == 50.0 && p.y[1] == 0.0);
    assert_true(p.x[2] == 70.0 && p.y[2] == 0.0 && p.z[2] == 0.0);
    assert_true(p.x[3] == 0.1 && p.y[3] == 99.99999999999999);
    assert_true(p.z[3] >= 0 && p.z[3] < 100.0);   /* -1e-300 + 100 rounds to 100: pulled in */
    pb_points_free(&p);
    struct pb_input gen = { .kind = PB_INPUT_POWERLAW, .seed = 1, .box = 1000.0,
                            .periodic = 300.0 };      /* generated in 1000, periodic in 300 */
    assert_int_equal(pb_points_make(&gen, 5000, &p, &err), 0);
    assert_in_box(&p, 300.0);
    pb_points_free(&p);
}

/* Coordinates whose squared differences could overflow are refused, naming the line. */
static void test_refuses_huge_coordinates(void **state)
{
    (void)state;
    read_fails("1 2 3\n1e151 0 0\n", -EINVAL, "p.txt:2: coordinate 1e151 beyond +-1e+150");
    read_fails("0 -1.7e308 0\n", -EINVAL, "p.txt:1: coordinate -1.7e308 beyond");
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_read(points_file("points-big", "1e150 -1e150 0\n"), 0, &p, &err),
                     0);
    pb_points_free(&p);
}

/* Writes an n x 3 float64 .npy of v into a fresh folder; returns its path (static). */
static const char *npy_file(const char *tag, const char *name, const double *v, size_t n)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s", pbt_tmpdir(tag), name);
    assert_int_equal(pb_npy_write(path, v, "<f8", 2, n, 3, NULL), 0);
    return path;
}

/* A .npy points file is recognised by its magic, whatever its name; at most max_n rows are
 * read; a non-finite or huge value is refused with its 0-based row; a file named .npy that is
 * not one says so. */
static void test_read_npy(void **state)
{
    (void)state;
    double v[12] = { 1, 2, 3, 4.5, -5, 6, 7, 8, 9, 0.1, 0.2, 0.3 };
    struct pb_points p;
    struct pb_err err = { "" };
    assert_int_equal(pb_points_read(npy_file("points-npy", "cat.bin", v, 4), 0, &p, &err), 0);
    assert_int_equal(p.n, 4);
    assert_true(p.x[1] == 4.5 && p.y[1] == -5 && p.z[1] == 6 && p.z[3] == 0.3);
    pb_points_free(&p);
    assert_int_equal(pb_points_read(npy_file("points-npy", "c.npy", v, 4), 3, &p, &err), 0);
    assert_int_equal(p.n, 3);
    pb_points_free(&p);
    v[7] = NAN;
    assert_int_equal(pb_points_read(npy_file("points-npy", "c.npy", v, 4), 0, &p, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "c.npy: row 2 (0-based), y: not a finite number: nan"));
    v[7] = 8;
    v[9] = -3e200;
    assert_int_equal(pb_points_read(npy_file("points-npy", "c.npy", v, 4), 0, &p, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "c.npy: row 3 (0-based), x: coordinate -3e+200 beyond"));
    assert_int_equal(pb_points_read(npy_file("points-npy", "c.npy", v, 0), 0, &p, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "no points in the file"));
    char path[1200];
    snprintf(path, sizeof path, "%s/t.npy", pbt_tmpdir("points-npy-text"));
    pbt_write(path, "1 2 3\n");
    assert_int_equal(pb_points_read(path, 0, &p, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "t.npy: not a .npy file"));
    assert_null(p.x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_points),
        cmocka_unit_test(test_uniform_is_specified),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_clustered_in_box_and_clustered),
        cmocka_unit_test(test_powerlaw_slope),
        cmocka_unit_test(test_empty_work),
        cmocka_unit_test(test_read_mixed),
        cmocka_unit_test(test_make_from_file),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_read_refuses_misreadings),
        cmocka_unit_test(test_refuses_non_regular),
        cmocka_unit_test(test_periodic_wrap),
        cmocka_unit_test(test_refuses_huge_coordinates),
        cmocka_unit_test(test_read_npy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
