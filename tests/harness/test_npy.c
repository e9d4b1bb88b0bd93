/* test_npy.c — harness/npy.c: round trips through our reader, and numpy.load of what we write. */
#include "support.h"

#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PY "/usr/bin/python3"

/* A 5 x 7 matrix of awkward doubles (negative, tiny, huge, non-terminating fractions). */
static void fill(double *m, size_t rows, size_t cols)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            m[i * cols + j] = (i + 1) * 1e-300 + (double)j / 3.0 - (double)i * 1e17 + 0.1;
}

static void round_trip_double(void **state)
{
    (void)state;
    double m[35];
    fill(m, 5, 7);
    char path[1100];
    snprintf(path, sizeof path, "%s/m.npy", pbt_tmpdir("npy-rt"));
    struct pb_err err = {0};
    assert_int_equal(pb_npy_write(path, m, "<f8", 2, 5, 7, &err), 0);
    struct pb_npy_array a;
    assert_int_equal(pb_npy_read(path, &a, &err), 0);
    assert_string_equal(a.descr, "<f8");
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.rows, 5);
    assert_int_equal(a.cols, 7);
    assert_memory_equal(a.data, m, sizeof m);
    pb_npy_free(&a);
}

/* The header pads the data to a 64-byte boundary, as numpy >= 1.14 does. */
static void header_is_aligned(void **state)
{
    (void)state;
    float v[3] = {1.5f, -2.25f, 3.0f};
    char path[1100];
    snprintf(path, sizeof path, "%s/v.npy", pbt_tmpdir("npy-align"));
    assert_int_equal(pb_npy_write(path, v, "<f4", 1, 3, 1, NULL), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    assert_int_equal((size - (long)sizeof v) % 64, 0);
    struct pb_npy_array a;
    assert_int_equal(pb_npy_read(path, &a, NULL), 0);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.rows, 3);
    assert_memory_equal(a.data, v, sizeof v);
    pb_npy_free(&a);
}

/* numpy.load reads our file and sees exactly our values (repr of each, compared as text). */
static void numpy_loads_ours(void **state)
{
    (void)state;
    double m[35];
    fill(m, 5, 7);
    const char *dir = pbt_tmpdir("npy-numpy");
    char path[1100], out[1100], cmd[3000];
    snprintf(path, sizeof path, "%s/m.npy", dir);
    snprintf(out, sizeof out, "%s/m.txt", dir);
    assert_int_equal(pb_npy_write(path, m, "<f8", 2, 5, 7, NULL), 0);
    snprintf(cmd, sizeof cmd, PY " -c \"import numpy; a = numpy.load('%s'); "
             "assert a.shape == (5, 7) and a.dtype == numpy.float64 and a.flags.c_contiguous; "
             "open('%s', 'w').write(' '.join(float(v).hex() for v in a.ravel()))\"", path, out);
    assert_int_equal(system(cmd), 0);
    char *text = pbt_slurp(out), *p = text;
    assert_non_null(text);
    for (size_t i = 0; i < 35; i++) {
        char *end;
        double v = strtod(p, &end);
        assert_true(end != p);
        assert_memory_equal(&v, &m[i], sizeof v);   /* hex floats: bit-exact */
        p = end;
    }
    free(text);
}

/* A file numpy saved (header version 1.0, its own padding) reads back through our reader. */
static void reads_numpy_file(void **state)
{
    (void)state;
    char path[1100], cmd[1400];
    snprintf(path, sizeof path, "%s/r.npy", pbt_tmpdir("npy-read"));
    snprintf(cmd, sizeof cmd, PY " -c \"import numpy; "
             "numpy.save('%s', numpy.arange(12, dtype=numpy.float64).reshape(3, 4) / 8)\"", path);
    assert_int_equal(system(cmd), 0);
    struct pb_npy_array a;
    assert_int_equal(pb_npy_read(path, &a, NULL), 0);
    assert_int_equal(a.rows, 3);
    assert_int_equal(a.cols, 4);
    for (size_t i = 0; i < 12; i++)
        assert_true(((double *)a.data)[i] == (double)i / 8);
    pb_npy_free(&a);
}

/* Not-npy and Fortran-order files are refused with a message naming the file. */
static void refuses_bad_files(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("npy-bad");
    char path[1100], cmd[1400];
    struct pb_err err = {0};
    struct pb_npy_array a;
    snprintf(path, sizeof path, "%s/text.npy", dir);
    pbt_write(path, "lo,hi,count\n0,1,2\n");
    assert_int_equal(pb_npy_read(path, &a, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "text.npy"));
    snprintf(path, sizeof path, "%s/f.npy", dir);
    snprintf(cmd, sizeof cmd, PY " -c \"import numpy; "
             "numpy.save('%s', numpy.asfortranarray(numpy.ones((3, 4))))\"", path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(pb_npy_read(path, &a, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "fortran_order 1"));
    snprintf(path, sizeof path, "%s/missing.npy", dir);
    assert_int_equal(pb_npy_read(path, &a, &err), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_double),
        cmocka_unit_test(header_is_aligned),
        cmocka_unit_test(numpy_loads_ours),
        cmocka_unit_test(reads_numpy_file),
        cmocka_unit_test(refuses_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
