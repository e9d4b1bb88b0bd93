/* fuzz_points.c — libFuzzer target for the points-file reader, pb_points_read (harness/input/points.c).
 * Each input is a points file. Besides crashes and sanitizer reports, a broken contract fails
 * the input: a success holds at least one point, every coordinate finite, and reading again
 * with max_n = half of them gives exactly that prefix; a failure frees everything and leaves
 * a message that names the file. */
#include "points.h"
#include "scratch.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Called once by libFuzzer before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    scratch_init("points.txt");
    return 0;
}

/* A failed read: negative code, nothing left allocated, a message naming the file. */
static void check_failure(int rc, const struct pb_points *pts, const struct pb_err *err,
                          const char *path)
{
    FUZZ_CHECK(rc < 0);
    FUZZ_CHECK(pts->n == 0 && !pts->x && !pts->y && !pts->z);
    FUZZ_CHECK(strncmp(err->msg, path, strlen(path)) == 0);
}

/* A successful read: points present and finite. */
static void check_points(const struct pb_points *pts)
{
    FUZZ_CHECK(pts->n > 0 && pts->x && pts->y && pts->z);
    for (size_t i = 0; i < pts->n; i++)
        FUZZ_CHECK(isfinite(pts->x[i]) && isfinite(pts->y[i]) && isfinite(pts->z[i]));
}

/* Reading at most half the points of all must succeed and give their prefix. */
static void check_prefix(const char *path, const struct pb_points *all)
{
    struct pb_points half;
    struct pb_err err = { .msg = "" };
    size_t max_n = all->n / 2;
    FUZZ_CHECK(pb_points_read(path, max_n, &half, &err) == 0);
    FUZZ_CHECK(half.n == max_n);
    size_t bytes = max_n * sizeof(double);
    FUZZ_CHECK(memcmp(half.x, all->x, bytes) == 0 && memcmp(half.y, all->y, bytes) == 0 &&
               memcmp(half.z, all->z, bytes) == 0);
    pb_points_free(&half);
}

/* One input: the whole of it is the points file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = scratch_write(data, size);
    struct pb_points pts;
    struct pb_err err = { .msg = "" };
    int rc = pb_points_read(path, 0, &pts, &err);
    if (rc != 0) {
        check_failure(rc, &pts, &err, path);
        return 0;
    }
    check_points(&pts);
    if (pts.n >= 2)
        check_prefix(path, &pts);
    pb_points_free(&pts);
    return 0;
}
