/* test_sealed.c — the read-only copy of a run's inputs: it holds the same problem and
 * parameters, no process can make it writable, and a write into it is named by part. */
#include "support.h"

#include "sealed.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A float histogram problem of q's points with float copies in f, and two parameters. */
static void make_inputs(struct pbt_prob *q, float **f, struct pb_kv *kv, struct pb_params *k)
{
    const double *src[3];
    pbt_prob_make(q, 1000, PB_OUTPUT_HISTOGRAM);
    src[0] = q->x, src[1] = q->y, src[2] = q->z;
    for (int c = 0; c < 3; c++) {
        f[c] = malloc(q->p.n * sizeof(float));
        assert_non_null(f[c]);
        for (size_t i = 0; i < q->p.n; i++)
            f[c][i] = (float)src[c][i];
    }
    q->p.xf = f[0], q->p.yf = f[1], q->p.zf = f[2];
    q->p.precision = PB_PRECISION_FLOAT;
    q->p.box = 1000;
    kv[0] = (struct pb_kv){ .key = "transport", .value = "shm" };
    kv[1] = (struct pb_kv){ .key = "empty", .value = NULL };
    *k = (struct pb_params){ .threads = 3, .ranks = 1, .kv = kv, .nkv = 2, .tmpdir = "/tmp/x" };
}

/* Frees what make_inputs allocated. */
static void free_inputs(struct pbt_prob *q, float **f)
{
    for (int c = 0; c < 3; c++)
        free(f[c]);
    pbt_prob_free(q);
}

/* The copy equals the original, field by field and element by element, and lies elsewhere. */
static void test_copy_equal(void **state)
{
    (void)state;
    struct pbt_prob q;
    float *f[3];
    struct pb_kv kv[2];
    struct pb_params k;
    struct pb_sealed s;
    make_inputs(&q, f, kv, &k);
    assert_int_equal(pb_sealed_make(&s, &q.p, &k), 0);
    const struct pb_problem *p = s.p;
    assert_true((uintptr_t)s.base % (uintptr_t)sysconf(_SC_PAGESIZE) == 0);
    assert_true((const char *)p->x >= s.base && (const char *)p->x < s.base + s.bytes);
    assert_int_equal(p->n, 1000);
    assert_int_equal(p->precision, PB_PRECISION_FLOAT);
    assert_true(p->box == 1000 && p->nbins == PBT_NB);
    assert_memory_equal(p->x, q.x, 1000 * sizeof(double));
    assert_memory_equal(p->z, q.z, 1000 * sizeof(double));
    assert_memory_equal(p->yf, f[1], 1000 * sizeof(float));
    assert_memory_equal(p->edges, q.edges, (PBT_NB + 1) * sizeof(double));
    assert_true(p->edges != q.edges && p->x != q.x);
    assert_int_equal(s.k->threads, 3);
    assert_int_equal(s.k->nkv, 2);
    assert_string_equal(s.k->kv[0].key, "transport");
    assert_string_equal(s.k->kv[0].value, "shm");
    assert_null(s.k->kv[1].value);
    assert_string_equal(s.k->tmpdir, "/tmp/x");
    assert_null(pb_sealed_written(&s));
    pb_sealed_free(&s);
    free_inputs(&q, f);
}

/* In a child: tries to make the page of addr writable, then writes into it. Returns the wait
 * status. */
static int write_in_child(const struct pb_sealed *s, const void *addr, int *mprotect_rc)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        uintptr_t page = (uintptr_t)addr & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
        int rc = mprotect((void *)page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE);
        if (write(fds[1], &rc, sizeof rc) != sizeof rc)
            _exit(3);
        pb_sealed_arm(s);
        *(volatile char *)addr = 1;
        _exit(0);
    }
    int st = 0;
    close(fds[1]);
    assert_int_equal(read(fds[0], mprotect_rc, sizeof *mprotect_rc), sizeof *mprotect_rc);
    close(fds[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

/* mprotect cannot make the copy writable; a write dies of SIGSEGV and names its part. */
static void test_write_caught(void **state)
{
    (void)state;
    struct pbt_prob q;
    float *f[3];
    struct pb_kv kv[2];
    struct pb_params k;
    struct pb_sealed s;
    make_inputs(&q, f, kv, &k);
    const struct {
        size_t which;                    /* index into at[] below */
        const char *name;
    } *c, cases[] = { { 0, "points" }, { 1, "edges" }, { 2, "parameters" }, { 3, "problem" },
                      { 4, "points" } };
    for (c = cases; c < cases + sizeof cases / sizeof cases[0]; c++) {
        assert_int_equal(pb_sealed_make(&s, &q.p, &k), 0);
        const void *at[] = { s.p->x + 17, s.p->edges + PBT_NB, s.k->kv[0].value, &s.p->n,
                             s.p->zf + 999 };
        int mrc;
        int st = write_in_child(&s, at[c->which], &mrc);
        assert_int_equal(mrc, -1);
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
        assert_string_equal(pb_sealed_written(&s), c->name);
        assert_memory_equal(s.p->x, q.x, 1000 * sizeof(double));
        pb_sealed_free(&s);
    }
    free_inputs(&q, f);
}

/* The empty-work problem (no points, no edges) and no parameters still make a copy. */
static void test_empty(void **state)
{
    (void)state;
    struct pb_problem p = { .n = 0, .output = PB_OUTPUT_MATRIX };
    struct pb_params k = { .threads = 1, .ranks = 1 };
    struct pb_sealed s;
    assert_int_equal(pb_sealed_make(&s, &p, &k), 0);
    assert_null(s.p->x);
    assert_null(s.p->edges);
    assert_null(s.k->kv);
    assert_null(s.k->tmpdir);
    pb_sealed_free(&s);
    assert_null(s.base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_equal),
        cmocka_unit_test(test_write_caught),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
