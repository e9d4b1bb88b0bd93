/* test_plan.c — the run list: counts per kind, serial strategies once at one thread, ranks only
 * for distributed ones, warm-ups before their measured runs, deterministic shuffles. */
#include "support.h"

#include "plan.h"

#include <stdlib.h>
#include <string.h>

static int noop(const struct pb_problem *p, const struct pb_params *k, struct pb_output *o)
{
    (void)p;
    (void)k;
    (void)o;
    return 0;
}

static const struct pb_strategy serial = {
    .abi_version = PB_STRATEGY_ABI, .name = "s", .flags = PB_SERIAL, .run = noop };
static const struct pb_strategy par = { .abi_version = PB_STRATEGY_ABI, .name = "p", .run = noop };
static const struct pb_strategy dist = {
    .abi_version = PB_STRATEGY_ABI, .name = "d", .flags = PB_DISTRIBUTED, .run = noop };

static size_t sizes[] = { 10, 20, 30 };
static int threads[] = { 1, 2, 4 };
static int ranks[] = { 1, 2 };

/* An experiment of serial, parallel and distributed strategies, 3 sizes, 3 thread counts. */
static struct pb_experiment experiment(struct pb_strategy_cfg cfg[3])
{
    cfg[0] = (struct pb_strategy_cfg){ .strategy = &serial };
    cfg[1] = (struct pb_strategy_cfg){ .strategy = &par };
    cfg[2] = (struct pb_strategy_cfg){ .strategy = &dist };
    return (struct pb_experiment){
        .sizes = sizes, .nsizes = 3, .threads = threads, .nthreads = 3, .ranks = ranks,
        .nranks = 2, .repeats = 3, .warmup = 2, .order = PB_ORDER_RANDOM, .order_seed = 1,
        .overhead = 1, .strategies = cfg, .nstrategies = 3,
    };
}

/* Points: serial 1, parallel 3 threads, distributed 3 threads x 2 ranks = 10. */
enum { POINTS = 10 };

static void test_counts(void **state)
{
    (void)state;
    struct pb_strategy_cfg cfg[3];
    struct pb_experiment e = experiment(cfg);
    struct pb_run *runs;
    size_t n, kinds[3] = { 0 };
    assert_int_equal(pb_plan_build(&e, &runs, &n), 0);
    assert_int_equal(n, POINTS * 3 + 3 * POINTS * (2 + 3));
    for (size_t i = 0; i < n; i++) {
        kinds[runs[i].kind]++;
        if (runs[i].strategy == 0)
            assert_int_equal(runs[i].threads, 1);
        if (runs[i].strategy != 2)
            assert_int_equal(runs[i].ranks, 1);
        assert_true(runs[i].kind == PB_RUN_OVERHEAD ? runs[i].n == 0 : runs[i].n > 0);
    }
    assert_int_equal(kinds[PB_RUN_OVERHEAD], POINTS * 3);
    assert_int_equal(kinds[PB_RUN_WARMUP], 3 * POINTS * 2);
    assert_int_equal(kinds[PB_RUN_MEASURED], 3 * POINTS * 3);
    for (size_t i = 0; i < POINTS * 3; i++)            /* overhead block first */
        assert_int_equal(runs[i].kind, PB_RUN_OVERHEAD);
    free(runs);
    e.overhead = 0;
    assert_int_equal(pb_plan_build(&e, &runs, &n), 0);
    assert_int_equal(n, 3 * POINTS * 5);
    free(runs);
}

/* Per point and n: warm-ups 0..w-1 all before measured 0..r-1, each once, in order. */
static void check_order(const struct pb_run *runs, size_t n, int warm, int reps)
{
    for (size_t i = 0; i < n; i++) {
        if (runs[i].kind == PB_RUN_OVERHEAD)
            continue;
        int next_warm = 0, next_rep = 0;
        for (size_t j = 0; j < n; j++) {
            const struct pb_run *q = &runs[j];
            if (q->n != runs[i].n || q->strategy != runs[i].strategy ||
                q->threads != runs[i].threads || q->ranks != runs[i].ranks)
                continue;
            if (q->kind == PB_RUN_WARMUP)
                assert_int_equal(q->repeat, next_warm++);
            else
                assert_true(next_warm == warm && q->repeat == next_rep++);
        }
        assert_int_equal(next_rep, reps);
    }
}

static void test_warmups_first_and_blocks_by_n(void **state)
{
    (void)state;
    struct pb_strategy_cfg cfg[3];
    struct pb_experiment e = experiment(cfg);
    struct pb_run *runs;
    size_t n;
    assert_int_equal(pb_plan_build(&e, &runs, &n), 0);
    check_order(runs, n, 2, 3);
    for (size_t i = POINTS * 3 + 1; i < n; i++)         /* n blocks in the config's order */
        assert_true(runs[i].n >= runs[i - 1].n);
    free(runs);
}

static void test_shuffle_deterministic(void **state)
{
    (void)state;
    struct pb_strategy_cfg cfg[3];
    struct pb_experiment e = experiment(cfg);
    struct pb_run *a, *b, *c;
    size_t na, nb, nc;
    assert_int_equal(pb_plan_build(&e, &a, &na), 0);
    assert_int_equal(pb_plan_build(&e, &b, &nb), 0);
    e.order_seed = 2;
    assert_int_equal(pb_plan_build(&e, &c, &nc), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
    assert_true(memcmp(a, c, na * sizeof *a) != 0);
    check_order(c, nc, 2, 3);
    free(a);
    free(b);
    free(c);
}

static void test_config_order(void **state)
{
    (void)state;
    struct pb_strategy_cfg cfg[3];
    struct pb_experiment e = experiment(cfg);
    struct pb_run *runs;
    size_t n;
    e.order = PB_ORDER_CONFIG;
    e.overhead = 0;
    assert_int_equal(pb_plan_build(&e, &runs, &n), 0);
    /* n = 10: serial's 2 warm-ups and 3 repeats, then p at 1 thread, ... */
    assert_int_equal(runs[0].strategy, 0);
    assert_int_equal(runs[0].kind, PB_RUN_WARMUP);
    assert_int_equal(runs[1].repeat, 1);
    assert_int_equal(runs[2].kind, PB_RUN_MEASURED);
    assert_int_equal(runs[4].repeat, 2);
    assert_int_equal(runs[5].strategy, 1);
    assert_int_equal(runs[5].threads, 1);
    assert_int_equal(runs[10].threads, 2);
    assert_int_equal(runs[20].strategy, 2);
    assert_int_equal(runs[20].ranks, 1);
    assert_int_equal(runs[25].ranks, 2);
    assert_int_equal(runs[POINTS * 5].n, 20);
    check_order(runs, n, 2, 3);
    free(runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_warmups_first_and_blocks_by_n),
        cmocka_unit_test(test_shuffle_deterministic),
        cmocka_unit_test(test_config_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
