/* test_points.c — generated points are reproducible and prefix-stable; the points-file reader
 * accepts mixed separators and comments and names the line of every error. */
#include "support.h"

#include "points.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void test_same_seed_same_points(void **state)
{
    (void)state;
    struct pb_input in = uniform(42);
    struct pb_points a, b, c;
    struct pb_err err;
    assert_int_equal(pb_points_make(&in, 1000, &a, &err), 0);
    assert_int_equal(pb_points_make(&in, 1000, &b, &err), 0);
    in.seed = 43;
    assert_int_equal(pb_points_make(&in, 1000, &c, &err), 0);
    assert_int_equal(a.n, 1000);
    assert_same(&a, &b, 1000);
    assert_true(memcmp(a.x, c.x, 1000 * sizeof(double)) != 0);
    for (size_t i = 0; i < a.n; i++) {
        assert_true(a.x[i] >= 0 && a.x[i] < 100.0);
        assert_true(a.y[i] >= 0 && a.y[i] < 100.0);
        assert_true(a.z[i] >= 0 && a.z[i] < 100.0);
    }
    pb_points_free(&a);
    pb_points_free(&b);
    pb_points_free(&c);
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
    struct pb_input kinds[2] = { uniform(5), uniform(5) };
    kinds[1].kind = PB_INPUT_CLUSTERED;
    for (int k = 0; k < 2; k++) {
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
                                   "  4.5,\t5e1 , -6   extra 99\n"
                                   "\t# indented comment\n"
                                   "7,,8\t\t9\r\n"
                                   "1e-3 2E+2 .5");
    struct pb_points p;
    struct pb_err err;
    assert_int_equal(pb_points_read(path, 0, &p, &err), 0);
    assert_int_equal(p.n, 4);
    assert_true(p.x[1] == 4.5 && p.y[1] == 50.0 && p.z[1] == -6.0);
    assert_true(p.x[2] == 7.0 && p.y[2] == 8.0 && p.z[2] == 9.0);
    assert_true(p.x[3] == 1e-3 && p.y[3] == 200.0 && p.z[3] == 0.5);
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
    read_fails("1 2 3\n\n1 2\n", -EINVAL, "p.txt:3: expected 3 numbers \"x y z\", got \"1 2\"");
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
    assert_non_null(strstr(err.msg, "cannot read: Is a directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_points),
        cmocka_unit_test(test_uniform_is_specified),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_clustered_in_box_and_clustered),
        cmocka_unit_test(test_empty_work),
        cmocka_unit_test(test_read_mixed),
        cmocka_unit_test(test_make_from_file),
        cmocka_unit_test(test_read_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
