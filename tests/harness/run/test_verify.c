/* test_verify.c — the naive reference and the comparison of outputs against it: exact
 * histograms, the matrix tolerances (double and float), the float histogram's allowance for
 * pairs on an edge, the mismatch messages, and the reference matrix never mapped here. */
#include "support.h"

#include "fdio.h"
#include "pairkern.h"
#include "registry.h"
#include "verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NB 16

/* A problem with its own storage. */
struct prob {
    struct pb_problem p;
    double *x, *y, *z, edges[NB + 1];
    float *xf, *yf, *zf;
};

/* Deterministic uniform numbers in [0, 1): a 64-bit LCG, top 53 bits. */
static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* n uniform points in a 1000-side cube, NB linear bins over [0, 1750). */
static void make(struct prob *q, size_t n, enum pb_output_kind out, enum pb_precision prec)
{
    uint64_t s = 42;
    q->x = calloc(n + 1, sizeof(double));
    q->y = calloc(n + 1, sizeof(double));
    q->z = calloc(n + 1, sizeof(double));
    q->xf = calloc(n + 1, sizeof(float));
    q->yf = calloc(n + 1, sizeof(float));
    q->zf = calloc(n + 1, sizeof(float));
    for (size_t i = 0; i < n; i++) {
        q->x[i] = 1000 * rnd(&s), q->y[i] = 1000 * rnd(&s), q->z[i] = 1000 * rnd(&s);
        q->xf[i] = (float)q->x[i], q->yf[i] = (float)q->y[i], q->zf[i] = (float)q->z[i];
    }
    for (int k = 0; k <= NB; k++)
        q->edges[k] = 1750.0 * k / NB;
    q->p = (struct pb_problem){ .n = n, .x = q->x, .y = q->y, .z = q->z, .precision = prec,
                                .output = out, .nbins = NB, .edges = q->edges };
    if (prec == PB_PRECISION_FLOAT)
        q->p.xf = q->xf, q->p.yf = q->yf, q->p.zf = q->zf;
}

static void unmake(struct prob *q)
{
    free(q->x), free(q->y), free(q->z), free(q->xf), free(q->yf), free(q->zf);
}

/* Runs naive in this process into out (counts allocated here for histograms). */
static void naive_run(const struct pb_problem *p, struct pb_output *out)
{
    struct pb_params k = { .threads = 1, .ranks = 1 };
    *out = (struct pb_output){ 0 };
    if (p->output == PB_OUTPUT_HISTOGRAM)
        out->counts = calloc(p->nbins, sizeof *out->counts);
    assert_int_equal(pb_registry_find("naive")->run(p, &k, out), 0);
}

static void test_histogram_exact(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_output out;
    char why[192];
    make(&q, 300, PB_OUTPUT_HISTOGRAM, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    naive_run(&q.p, &out);
    uint64_t total = 0;
    for (int k = 0; k < NB; k++)
        total += ref.counts[k];
    assert_int_equal(total, 300 * 299 / 2);      /* every pair lies within the last edge */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    assert_string_equal(why, "");
    out.counts[3]++;
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    char expect[64];
    snprintf(expect, sizeof expect, "bin 3: %llu != %llu",
             (unsigned long long)out.counts[3], (unsigned long long)ref.counts[3]);
    assert_string_equal(why, expect);
    free(out.counts);
    pb_reference_free(&ref);
    unmake(&q);
}

static void test_matrix_double_tolerance(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_output out;
    char why[192];
    make(&q, 60, PB_OUTPUT_MATRIX, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    naive_run(&q.p, &out);
    double *m = out.matrix, orig = m[2 * 60 + 7];
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    m[2 * 60 + 7] = orig * (1 + 5e-13);          /* inside 1e-12 relative */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    m[2 * 60 + 7] = orig * (1 + 5e-12);          /* outside */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    assert_true(strncmp(why, "m[2,7] = ", 9) == 0);
    m[2 * 60 + 7] = orig;
    m[5 * 60 + 5] = 1e-300;                      /* the diagonal must be exactly 0 */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    assert_true(strncmp(why, "m[5,5] = ", 9) == 0);
    m[5 * 60 + 5] = NAN;
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    munmap(out.matrix, out.matrix_bytes);
    pb_reference_free(&ref);
    unmake(&q);
}

static void test_matrix_wrong_size(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    char why[192];
    make(&q, 10, PB_OUTPUT_MATRIX, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    float small[100] = { 0 };
    struct pb_output out = { .matrix = small, .matrix_bytes = sizeof small };
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    assert_string_equal(why, "matrix is 400 bytes, expected 10 x 10 x 8");
    out = (struct pb_output){ 0 };
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    pb_reference_free(&ref);
    unmake(&q);
}

static void test_matrix_float_tolerance(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    char why[192];
    size_t n = 80;
    make(&q, n, PB_OUTPUT_MATRIX, PB_PRECISION_FLOAT);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    struct pb_output out = { 0 };
    assert_int_equal(pb_matrix_alloc(&out, n, sizeof(float), 0), 0);
    float *m = out.matrix;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            m[i * n + j] = pb_distance_f(&q.p, i, j);
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    m[3 * n + 4] += 1.0f;                        /* far beyond float rounding at scale 1000 */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    assert_true(strncmp(why, "m[3,4] = ", 9) == 0);
    munmap(out.matrix, out.matrix_bytes);
    pb_reference_free(&ref);
    unmake(&q);
}

/* Float histogram: bins computed in float verify; a pair lying exactly on an edge may land in
 * either bin next to it; a count moved where no pair is near an edge does not verify. */
static void test_histogram_float_edges(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    char why[192];
    size_t n = 200;
    make(&q, n, PB_OUTPUT_HISTOGRAM, PB_PRECISION_FLOAT);
    q.x[1] = q.x[0] + q.edges[5], q.y[1] = q.y[0], q.z[1] = q.z[0];   /* pair 0-1 on edge 5 */
    q.xf[1] = (float)q.x[1], q.yf[1] = (float)q.y[1], q.zf[1] = (float)q.z[1];
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    struct pb_output out = { .counts = calloc(NB, sizeof(uint64_t)) };
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            long b = pb_bin_search(q.edges, NB, pb_distance_f(&q.p, i, j));
            if (b >= 0)
                out.counts[b]++;
        }
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    memcpy(out.counts, ref.counts, NB * sizeof(uint64_t));
    out.counts[5]--, out.counts[4]++;            /* the edge pair rounded down: allowed */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    out.counts[5]--, out.counts[4]++;            /* a second one: there is none */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    memcpy(out.counts, ref.counts, NB * sizeof(uint64_t));
    out.counts[10]--, out.counts[9]++;
    out.counts[9]--, out.counts[8]++;            /* moved two bins: no edge pair explains it */
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 0);
    assert_true(strstr(why, "bin 8: ") == why);
    assert_non_null(strstr(why, "beyond float rounding"));
    free(out.counts);
    pb_reference_free(&ref);
    unmake(&q);
}

static void test_empty_problem(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    char why[192];
    make(&q, 0, PB_OUTPUT_MATRIX, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    struct pb_output out = { 0 };
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    pb_reference_free(&ref);
    unmake(&q);
}

static void test_reference_other_problem(void **state)
{
    (void)state;
    struct prob q, r;
    struct pb_reference ref;
    struct pb_err err;
    char why[192];
    make(&q, 20, PB_OUTPUT_HISTOGRAM, PB_PRECISION_DOUBLE);
    make(&r, 21, PB_OUTPUT_HISTOGRAM, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    struct pb_output out = { .counts = calloc(NB, sizeof(uint64_t)) };
    assert_true(pb_verify(&r.p, &out, &ref, why, sizeof why) < 0);
    assert_string_equal(why, "reference is for another problem");
    free(out.counts);
    pb_reference_free(&ref);
    unmake(&q);
    unmake(&r);
}

/* 1 when /proc/self/maps shows a mapping whose name contains what. */
static int mapped(const char *what)
{
    char *maps = pbt_slurp("/proc/self/maps");
    int found = maps && strstr(maps, what) != NULL;
    free(maps);
    return found;
}

static void test_reference_memfd_not_mapped(void **state)
{
    (void)state;
    struct prob q;
    struct pb_reference ref;
    struct pb_err err;
    struct pb_output out;
    char why[192];
    struct stat st;
    make(&q, 500, PB_OUTPUT_MATRIX, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    assert_true(ref.matrix_fd >= 0);
    assert_int_equal(fstat(ref.matrix_fd, &st), 0);
    assert_int_equal(st.st_size, 500 * 500 * 8);
    assert_false(mapped("pb-reference"));
    naive_run(&q.p, &out);
    assert_int_equal(pb_verify(&q.p, &out, &ref, why, sizeof why), 1);
    assert_false(mapped("pb-reference"));        /* verification reads it, never maps it */
    munmap(out.matrix, out.matrix_bytes);
    pb_reference_free(&ref);
    assert_int_equal(ref.matrix_fd, -1);
    unmake(&q);
}

/* Sends out (cut: only its first half, announced as such) through a pipe from a child and returns
 * pb_verify_stream's answer for it. */
static int stream_verify(const struct pb_problem *p, const struct pb_output *out,
                         const struct pb_reference *ref, int cut, char *why, size_t whysize)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct pb_output half = *out;
        half.matrix_bytes /= 2;              /* the header announces what the cut one holds */
        close(fds[0]);
        _exit(pb_output_send(fds[1], p, cut ? &half : out) ? 1 : 0);
    }
    close(fds[1]);
    int rc = pb_verify_stream(p, fds[0], ref, why, whysize);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return rc;
}

/* The streamed check gives pb_verify's verdicts and messages, for counts and a matrix read in
 * chunks; a matrix shorter than expected fails, and a stream that ends early is -EPIPE. */
static void test_stream(void **state)
{
    (void)state;
    struct prob q, r;
    struct pb_reference ref, mref;
    struct pb_err err;
    struct pb_output out, mout;
    char why[192];
    make(&q, 300, PB_OUTPUT_HISTOGRAM, PB_PRECISION_DOUBLE);
    make(&r, 400, PB_OUTPUT_MATRIX, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&q.p, &ref, &err), 0);
    assert_int_equal(pb_reference_make(&r.p, &mref, &err), 0);
    naive_run(&q.p, &out);
    naive_run(&r.p, &mout);
    assert_int_equal(stream_verify(&q.p, &out, &ref, 0, why, sizeof why), 1);
    out.counts[3]++;
    assert_int_equal(stream_verify(&q.p, &out, &ref, 0, why, sizeof why), 0);
    assert_true(strncmp(why, "bin 3: ", 7) == 0);
    assert_int_equal(stream_verify(&r.p, &mout, &mref, 0, why, sizeof why), 1);
    ((double *)mout.matrix)[400 * 399 + 5] += 1e-6;
    assert_int_equal(stream_verify(&r.p, &mout, &mref, 0, why, sizeof why), 0);
    assert_true(strncmp(why, "m[399,5] = ", 11) == 0);
    assert_int_equal(stream_verify(&r.p, &mout, &mref, 1, why, sizeof why), 0);
    assert_string_equal(why, "matrix is 640000 bytes, expected 400 x 400 x 8");
    free(out.counts);
    out.counts = NULL;                       /* no counts at all */
    assert_int_equal(stream_verify(&q.p, &out, &ref, 0, why, sizeof why), 0);
    assert_string_equal(why, "no histogram counts");
    munmap(mout.matrix, mout.matrix_bytes);
    pb_reference_free(&ref);
    pb_reference_free(&mref);
    unmake(&q);
    unmake(&r);
}

/* A stream that stops before the bytes its header announced is -EPIPE, not a verdict. */
static void test_stream_cut(void **state)
{
    (void)state;
    struct prob r;
    struct pb_reference mref;
    struct pb_err err;
    char why[192];
    make(&r, 300, PB_OUTPUT_MATRIX, PB_PRECISION_DOUBLE);
    assert_int_equal(pb_reference_make(&r.p, &mref, &err), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t head[2] = { 1, 300 * 300 * 8 };
        double zero[100] = { 0 };
        close(fds[0]);
        _exit(pb_write_all(fds[1], head, sizeof head) || pb_write_all(fds[1], zero,
                                                                       sizeof zero));
    }
    close(fds[1]);
    assert_int_equal(pb_verify_stream(&r.p, fds[0], &mref, why, sizeof why), -EPIPE);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    pb_reference_free(&mref);
    unmake(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_exact),
        cmocka_unit_test(test_matrix_double_tolerance),
        cmocka_unit_test(test_matrix_wrong_size),
        cmocka_unit_test(test_matrix_float_tolerance),
        cmocka_unit_test(test_histogram_float_edges),
        cmocka_unit_test(test_empty_problem),
        cmocka_unit_test(test_reference_other_problem),
        cmocka_unit_test(test_reference_memfd_not_mapped),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_stream_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
