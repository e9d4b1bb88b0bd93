/* test_refset.c — which reference checks which run: naive up to verify.naive_max_n (and at
 * every n without a limit), above it the first listed strategy that is not the run's own, none
 * when every listed one is; the references of one n made once and cross-checked; a reference
 * that does not finish killed at the run's timeout_s.
 * (End-to-end rows are in test_sweep.) */
#include "support.h"

#include "refset.h"
#include "registry.h"
#include "strategies/strategies.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An experiment with the given strategies and references (no config file needed). */
struct fixture {
    struct pb_experiment e;
    struct pb_strategy_cfg sc[4];
    int threads[1];
};

static void fixture_make(struct fixture *f, size_t naive_max, const char *const *strategies,
                         const char *const *refs)
{
    memset(f, 0, sizeof *f);
    f->threads[0] = 1;
    f->e = (struct pb_experiment){ .output = PB_OUTPUT_HISTOGRAM, .threads = f->threads,
                                   .nthreads = 1, .strategies = f->sc };
    for (; strategies[f->e.nstrategies]; f->e.nstrategies++)
        f->sc[f->e.nstrategies].strategy = pb_registry_find(strategies[f->e.nstrategies]);
    f->e.verify.naive_max_n = naive_max;
    for (; refs[f->e.verify.nreference]; f->e.verify.nreference++)
        f->e.verify.reference[f->e.verify.nreference] =
            pb_registry_find(refs[f->e.verify.nreference]);
}

static void test_pick(void **state)
{
    (void)state;
    struct fixture f;
    const struct pb_strategy *blocked = pb_registry_find("blocked"),
                             *openmp = pb_registry_find("openmp");
    fixture_make(&f, 0, (const char *[]){ "blocked", NULL },
                 (const char *[]){ "blocked", "openmp", NULL });
    assert_int_equal(pb_refset_pick(&f.e, 1000000, blocked), 0);   /* no limit: naive */
    f.e.verify.naive_max_n = 100;
    assert_int_equal(pb_refset_pick(&f.e, 100, blocked), 0);
    assert_int_equal(pb_refset_pick(&f.e, 101, blocked), 2);       /* not itself */
    assert_int_equal(pb_refset_pick(&f.e, 101, openmp), 1);
    f.e.verify.nreference = 1;                                      /* only "blocked" */
    assert_int_equal(pb_refset_pick(&f.e, 101, blocked), -1);
    f.e.verify.nreference = 0;
    assert_int_equal(pb_refset_pick(&f.e, 101, openmp), -1);
}

/* A uniform problem of n points with 8 log bins up to 1200 (storage in q, freed by caller). */
static struct pb_problem problem(size_t n, double *q, double *edges)
{
    uint64_t s = 7;
    for (size_t i = 0; i < 3 * n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        q[i] = 1000.0 * (double)(s >> 11) / 9007199254740992.0;
    }
    for (int k = 0; k <= 8; k++)
        edges[k] = 1200.0 * k / 8;
    return (struct pb_problem){ .n = n, .x = q, .y = q + n, .z = q + 2 * n, .nbins = 8,
                                .output = PB_OUTPUT_HISTOGRAM, .edges = edges };
}

/* Both references of one n are made at the first request, agree, and serve the other
 * strategy's runs; disagreeing ones serve nobody. */
static void test_get_cross_checked(void **state)
{
    (void)state;
    struct fixture f;
    struct pb_refset s;
    const struct pb_reference *ref;
    char why[256];
    double *q = malloc(3 * 200 * sizeof *q), edges[9];
    struct pb_problem p = problem(200, q, edges);
    fixture_make(&f, 50, (const char *[]){ "blocked", "openmp", NULL },
                 (const char *[]){ "blocked", "openmp", NULL });
    pb_refset_init(&s);
    assert_int_equal(pb_refset_get(&s, &f.e, &p, pb_registry_find("blocked"), &ref, why,
                                   sizeof why), 0);
    assert_string_equal(ref->method, "openmp");
    assert_int_equal(s.state[1], 1);                               /* blocked made too */
    assert_int_equal(pb_refset_get(&s, &f.e, &p, pb_registry_find("openmp"), &ref, why,
                                   sizeof why), 0);
    assert_string_equal(ref->method, "blocked");
    pb_refset_free(&s);
    fixture_make(&f, 50, (const char *[]){ "blocked", "test-wrong", NULL },
                 (const char *[]){ "test-wrong", "blocked", NULL });
    assert_int_equal(pb_refset_get(&s, &f.e, &p, pb_registry_find("blocked"), &ref, why,
                                   sizeof why), -EBADMSG);
    assert_null(ref);
    assert_non_null(strstr(why, "references disagree: test-wrong and blocked disagree: bin 0"));
    pb_refset_free(&s);
    free(q);
}

/* A reference that never finishes obeys the run's timeout_s: killed and reaped at it, and
 * -ETIMEDOUT with "reference timed out" for every run it would check at that n, without
 * waiting again. An alarm fails the test where the reference is waited on forever. */
static void test_reference_times_out(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 50, (const char *[]){ "blocked", NULL }, (const char *[]){ "test-hang", NULL });
    double q[3 * 200], edges[9];
    struct pb_problem p = problem(200, q, edges);
    struct pb_refset s;
    const struct pb_reference *ref;
    char why[256];
    f.e.timeout_set = 1;
    f.e.timeout_s = 0.5;
    pb_refset_init(&s);
    alarm(60);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pb_refset_get(&s, &f.e, &p, pb_registry_find("blocked"), &ref, why,
                                       sizeof why), -ETIMEDOUT);
        assert_null(ref);
        assert_string_equal(why, "reference timed out (test-hang, after 0.5 s)");
    }
    alarm(0);
    pbt_assert_no_children();
    pb_refset_free(&s);
}

static int setup(void **state)
{
    struct pb_err err;
    (void)state;
    if (pb_registry_add(&pb_test_strategy_hang, &err) != 0)
        return -1;
    return pb_registry_add(&pb_test_strategy_wrong, &err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick),
        cmocka_unit_test(test_get_cross_checked),
        cmocka_unit_test(test_reference_times_out),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
