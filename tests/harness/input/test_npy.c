/* test_npy.c — harness/input/npy.c: round trips through our reader, numpy.load of what we write, and
 * (n, 3) tables as numpy saves them (float64/float32, C/Fortran order) read into columns, with
 * every malformed table refused by name. */
#include "support.h"

#include "npy.h"
#include "npyfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Opens path as a table of 3 columns; returns pb_npy_table_open's code, info and err filled. */
static int table_open(const char *path, struct pb_npy_info *info, struct pb_err *err)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    int rc = pb_npy_table_open(f, path, 3, info, err);
    fclose(f);
    return rc;
}

/* numpy.save of expr (a Python expression over numpy as np) into dir/name; returns the path. */
static const char *numpy_save(const char *dir, const char *name, const char *expr)
{
    static char path[1100];
    char cmd[2000];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, PY " -c \"import numpy as np; np.save('%s', %s)\"", path, expr);
    assert_int_equal(system(cmd), 0);
    return path;
}

/* Reads rows rows of the table at path into x, y, z; asserts success. */
static void table_read(const char *path, size_t rows, double *x, double *y, double *z)
{
    struct pb_npy_info info;
    struct pb_err err = {0};
    double *const cols[3] = {x, y, z};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    if (pb_npy_table_open(f, path, 3, &info, &err) != 0 ||
        pb_npy_table_read(f, path, &info, rows, cols, &err) != 0)
        fail_msg("%s", err.msg);
    fclose(f);
}

/* Tables of 3 columns as numpy writes them, in every dtype and order accepted, read into
 * columns: values exact (float32 widened), a prefix of rows when fewer are asked for. */
static void tables_read_into_columns(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("npy-table");
    static const char *const exprs[] = {
        "np.arange(900000, dtype=np.float64).reshape(300000, 3) / 8",
        "(np.arange(900000, dtype=np.float64).reshape(300000, 3) / 8).astype(np.float32)",
        "np.asfortranarray(np.arange(900000, dtype=np.float64).reshape(300000, 3) / 8)",
        "np.asfortranarray(np.arange(900000).reshape(300000, 3) / 8, dtype=np.float32)",
    };
    size_t n = 300000;              /* several 2 MiB read blocks */
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *z = malloc(n * sizeof *z);
    for (size_t k = 0; k < sizeof exprs / sizeof exprs[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, "t%zu.npy", k);
        const char *path = numpy_save(dir, name, exprs[k]);
        size_t rows = k % 2 ? n : 777;           /* all rows, and a prefix */
        memset(x, 0, n * sizeof *x);
        table_read(path, rows, x, y, z);
        for (size_t i = 0; i < rows; i++) {
            double want = (double)(3 * i) / 8;
            if (k % 2 == 1)
                want = (float)want;
            if (x[i] != want || y[i] != (k % 2 ? (float)((3.0 * i + 1) / 8) : (3.0 * i + 1) / 8)
                || z[i] != (k % 2 ? (float)((3.0 * i + 2) / 8) : (3.0 * i + 2) / 8))
                fail_msg("%s row %zu: %g %g %g", exprs[k], i, x[i], y[i], z[i]);
        }
        assert_true(rows == n || x[rows] == 0);   /* no more than asked for */
    }
    free(x);
    free(y);
    free(z);
}

/* Tables that are not (n, 3) little-endian floats, or whose data is cut short: refused, and the
 * message names the file and what is wrong. */
static void tables_refused(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("npy-table-bad");
    static const char *const cases[][2] = {   /* numpy expression, what the message says */
        {"np.zeros((4, 3), dtype=np.int64)", "dtype '<i8' is not little-endian float64"},
        {"np.zeros((4, 3), dtype='>f8')", "dtype '>f8'"},
        {"np.zeros((4, 3), dtype=np.float16)", "dtype '<f2'"},
        {"np.zeros((4, 2))", "shape (4, 2) is not (n, 3)"},
        {"np.zeros(12)", "shape (12,) is not (n, 3)"},
        {"np.float64(1)", "shape () is not (n, 3)"},
        {"np.zeros((2, 2, 3))", "not a .npy header this reader understands"},
    };
    struct pb_npy_info info;
    struct pb_err err = {0};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *path = numpy_save(dir, "bad.npy", cases[k][0]);
        assert_int_equal(table_open(path, &info, &err), -EINVAL);
        if (!strstr(err.msg, cases[k][1]) || !strstr(err.msg, "bad.npy"))
            fail_msg("%s: \"%s\" lacks \"%s\"", cases[k][0], err.msg, cases[k][1]);
    }
    const char *path = numpy_save(dir, "cut.npy", "np.zeros((100, 3))");
    assert_int_equal(truncate(path, 128 + 2399), 0);          /* header, one byte short */
    assert_int_equal(table_open(path, &info, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "cut.npy: truncated: shape (100, 3) of <f8 needs 2400 bytes "
                           "of data, the file holds 2399"));
    assert_int_equal(truncate(path, 20), 0);
    assert_int_equal(table_open(path, &info, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "cut.npy: truncated .npy header"));
}

/* One MANIFEST line of tests/data/npy (see make_corpus.py there). */
struct corpus_file {
    char name[64], verdict[8], descr[16], dim0[24], dim1[24];
    int fortran, ndim;
    size_t offset;
};

/* The header of corpus file c as this reader sees it: pb_npy_read_header's code, info. With
 * whole, a header it accepts must also have all of its data (pb_npy_read). */
static int corpus_header(const struct corpus_file *c, struct pb_npy_info *info, int whole)
{
    char path[256];
    struct pb_npy_array a;
    snprintf(path, sizeof path, "tests/data/npy/%s", c->name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *info = (struct pb_npy_info){0};
    int rc = pb_npy_read_header(f, info);
    fclose(f);
    if (rc == 0 && whole && (rc = pb_npy_read(path, &a, NULL)) == 0)
        pb_npy_free(&a);
    return rc;
}

/* 1 when info says what numpy read of c: descr, order, shape and where the data start. */
static int same_as_numpy(const struct corpus_file *c, const struct pb_npy_info *info)
{
    char d0[24], d1[24];
    snprintf(d0, sizeof d0, "%zu", info->shape[0]);
    snprintf(d1, sizeof d1, "%zu", info->shape[1]);
    return strcmp(info->descr, c->descr) == 0 && info->fortran == c->fortran &&
           info->ndim == c->ndim && (c->ndim < 1 || strcmp(d0, c->dim0) == 0) &&
           (c->ndim < 2 || strcmp(d1, c->dim1) == 0) && info->data_offset == c->offset;
}

/* The corpus numpy wrote, and edits of it: what numpy wrote is read as numpy reads it; what
 * numpy refuses is refused; what numpy reads otherwise than the text suggests (a key twice, a
 * length field running into the data) is refused, never read another way. */
static void numpy_corpus(void **state)
{
    (void)state;
    FILE *m = fopen("tests/data/npy/MANIFEST", "r");
    assert_non_null(m);
    struct corpus_file c;
    struct pb_npy_info info;
    int files = 0;
    while (fscanf(m, "%63s %7s %15s %d %d %23s %23s %zu", c.name, c.verdict, c.descr,
                  &c.fortran, &c.ndim, c.dim0, c.dim1, &c.offset) == 8 ||
           (strcmp(c.verdict, "refuse") == 0 && fscanf(m, "%*[^\n]") == 0)) {
        int must = strcmp(c.verdict, "must") == 0;
        int refuse = strcmp(c.verdict, "refuse") == 0 || strncmp(c.name, "bad_", 4) == 0;
        int rc = corpus_header(&c, &info, refuse);
        if (must && (rc != 0 || !same_as_numpy(&c, &info)))
            fail_msg("%s: rc %d, read '%s' %d (%zu, %zu) at %zu; numpy reads it", c.name, rc,
                     info.descr, info.ndim, info.shape[0], info.shape[1], info.data_offset);
        if (refuse && rc == 0)
            fail_msg("%s: accepted as '%s' (%zu, %zu) at %zu", c.name, info.descr,
                     info.shape[0], info.shape[1], info.data_offset);
        if (!must && !refuse && rc == 0 && !same_as_numpy(&c, &info))
            fail_msg("%s: read otherwise than numpy reads it", c.name);
        files++;
        c.verdict[0] = '\0';
    }
    fclose(m);
    assert_int_equal(files, 37);
}

/* A corpus file numpy wrote reads back value for value through pb_npy_read. */
static void corpus_values(void **state)
{
    (void)state;
    struct pb_npy_array a;
    assert_int_equal(pb_npy_read("tests/data/npy/v2_f8_50x3.npy", &a, NULL), 0);
    assert_int_equal(a.rows, 50);
    assert_int_equal(a.cols, 3);
    for (size_t i = 0; i < 150; i++)
        assert_true(((double *)a.data)[i] == (double)i + 0.5);
    pb_npy_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_double),
        cmocka_unit_test(header_is_aligned),
        cmocka_unit_test(numpy_loads_ours),
        cmocka_unit_test(reads_numpy_file),
        cmocka_unit_test(refuses_bad_files),
        cmocka_unit_test(tables_read_into_columns),
        cmocka_unit_test(tables_refused),
        cmocka_unit_test(numpy_corpus),
        cmocka_unit_test(corpus_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
