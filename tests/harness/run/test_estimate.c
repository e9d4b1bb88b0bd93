/* test_estimate.c — the time model: a spatial strategy is estimated from the pairs within
 * rmax, the default timeout follows the estimate (and the dry run says so), and a brute-force
 * run is skipped by its estimate only against an explicit timeout_s. */
#include "support.h"

#include "config.h"
#include "experiment.h"
#include "estimate.h"
#include "plan.h"
#include "registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes DIR/NAME.config: naive at n = 50 over a small histogram, with extra keys (", k: v")
 * appended; returns its path (static). */
static const char *naive_config(const char *dir, const char *name, const char *extra)
{
    static char path[2048];
    char text[1024];
    snprintf(path, sizeof path, "%s/%s.config", dir, name);
    snprintf(text, sizeof text, "{\"name\": \"%s\", \"sizes\": [50], \"repeats\": 1, "
             "\"warmup\": 0, \"overhead\": false, \"output\": {\"kind\": \"histogram\", "
             "\"bins\": {\"min\": 0, \"max\": 2000, \"count\": 8}}, \"strategies\": "
             "[\"naive\"]%s}\n", name, extra);
    pbt_write(path, text);
    return path;
}

/* A strategy that declares PB_COST_NEAR_PAIRS is estimated from the pairs within rmax, not
 * n^2: at n = 10^6, rmax 50 in a 1000 box, 2 threads, a few seconds against 1250 s of brute
 * force. */
static void test_estimate_spatial(void **state)
{
    (void)state;
    static const struct pb_strategy spatial = {
        .abi_version = PB_STRATEGY_ABI, .name = "t-spatial",
        .cost = { .model = PB_COST_NEAR_PAIRS, .pair_cost = PB_PAIR_COST_TILE } };
    struct pb_strategy_cfg sc[2] = { { .strategy = &spatial },
                                     { .strategy = pb_registry_find("blocked") } };
    struct pb_experiment e = { .output = PB_OUTPUT_HISTOGRAM, .input = { .box = 1000 },
                               .bins = { .min = 0.5, .max = 50, .count = 20 },
                               .strategies = sc, .nstrategies = 2 };
    struct pb_run run = { .strategy = 0, .n = 1000000, .threads = 2, .ranks = 1 };
    double t = pb_estimate_seconds(&e, &run);
    assert_true(t > 1 && t < 10);
    run.strategy = 1;
    assert_true(pb_estimate_seconds(&e, &run) > 1000);
    e.bins.max = 2000;                                   /* beyond the diagonal: every pair */
    run.strategy = 0;
    assert_true(pb_estimate_seconds(&e, &run) > 1000);
}

/* The time model has a term per bin and per byte of the strategy's histogram blocks: 10^7 bins
 * at n = 100 (a run that took 4-12 s of wall time) is estimated in seconds, not at the 2 ms of
 * a run without pairs, and grows with the threads that each zero and reduce a block. */
static void test_estimate_bins(void **state)
{
    (void)state;
    struct pb_strategy_cfg sc[2] = { { .strategy = pb_registry_find("pthread-map") },
                                     { .strategy = pb_registry_find("kdtree") } };
    struct pb_experiment e = { .output = PB_OUTPUT_HISTOGRAM, .input = { .box = 1000 },
                               .bins = { .min = 0.1, .max = 1750, .count = 10000000 },
                               .strategies = sc, .nstrategies = 2 };
    struct pb_run run = { .strategy = 0, .n = 100, .threads = 4, .ranks = 1 };
    for (run.strategy = 0; run.strategy < 2; run.strategy++) {
        run.threads = 4;
        double four = pb_estimate_seconds(&e, &run);
        run.threads = 1;
        double one = pb_estimate_seconds(&e, &run);
        assert_true(four > 2 && four < 60);
        assert_true(one > 1 && one < four);
    }
    e.bins.count = 32;                                   /* few bins: the pairs decide */
    run.strategy = 0;
    assert_true(pb_estimate_seconds(&e, &run) < 0.01);
}

/* Writes n points uniform in [0, side)^3 to path as text. */
static void write_points(const char *path, size_t n, double side)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g %.17g %.17g\n", side * ((double)((i * 7919) % n) + 0.5) / (double)n,
                side * ((double)((i * 104729) % n) + 0.5) / (double)n,
                side * ((double)((i * 1299709) % n) + 0.5) / (double)n);
    assert_int_equal(fclose(f), 0);
}

/* A points file is estimated over its own bounding box, not input.box (1000 by default): a
 * file filling a 100 box, grid at rmax 20, comes out as a generated input of box 100 does (1000
 * times the pairs in range of box 1000), at each n of the config. */
static void test_estimate_file_extent(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("estimate-file");
    char pts[2048], cfg[2048], text[1024];
    struct pb_experiment e, g;
    struct pb_err err;
    snprintf(pts, sizeof pts, "%s/pts.txt", dir);
    write_points(pts, 40000, 100);
    for (int file = 0; file < 2; file++) {
        snprintf(cfg, sizeof cfg, "%s/%s.config", dir, file ? "file" : "gen");
        snprintf(text, sizeof text, "{\"name\": \"x\", \"input\": %s, \"sizes\": [20000, "
                 "40000], \"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 0.5, "
                 "\"max\": 20, \"count\": 10}}, \"strategies\": [\"grid\"]}\n",
                 file ? "{\"kind\": \"file\", \"path\": \"pts.txt\"}"
                      : "{\"kind\": \"uniform\", \"box\": 100}");
        pbt_write(cfg, text);
        assert_int_equal(pb_experiment_load(cfg, file ? &e : &g, &err), 0);
    }
    for (size_t n = 20000; n <= 40000; n += 20000) {
        struct pb_run run = { .strategy = 0, .n = n, .threads = 1, .ranks = 1 };
        double tf = pb_estimate_seconds(&e, &run), tg = pb_estimate_seconds(&g, &run);
        print_message("n %zu: file %.4f s, generated box 100 %.4f s\n", n, tf, tg);
        assert_true(tf > 0.9 * tg && tf < 1.1 * tg);
        g.input.box = 1000;
        assert_true(tf > 20 * pb_estimate_seconds(&g, &run));
        g.input.box = 100;
    }
    pb_experiment_free(&e);
    pb_experiment_free(&g);
}

/* The default timeout: 10 x the estimate + 60 s unless the config sets timeout_s (0 = none);
 * the dry run states it. */
static void test_default_timeout(void **state)
{
    (void)state;
    const char *dir = pbt_tmpdir("estimate-timeout");
    char cfg[2048], *out;
    struct pb_experiment e;
    struct pb_err err;
    struct pb_run *runs;
    size_t n;
    snprintf(cfg, sizeof cfg, "%s", naive_config(dir, "t", ""));
    assert_int_equal(pb_experiment_load(cfg, &e, &err), 0);
    assert_int_equal(pb_plan_build(&e, &runs, &n), 0);
    double est = pb_estimate_seconds(&e, &runs[0]);
    assert_true(pb_estimate_timeout_s(&e, &runs[0]) == 10 * est + 60);
    free(runs);
    pb_experiment_free(&e);
    assert_int_equal(pbt_bench(&out, "--config '%s' --dry-run", cfg), 0);
    assert_non_null(strstr(out, "timeout: 10 x the estimate + 60 s"));
    assert_non_null(strstr(out, "60 s"));
    free(out);
    snprintf(cfg, sizeof cfg, "%s", naive_config(dir, "t0", ", \"timeout_s\": 0"));
    assert_int_equal(pb_experiment_load(cfg, &e, &err), 0);
    assert_int_equal(pb_plan_build(&e, &runs, &n), 0);
    assert_true(pb_estimate_timeout_s(&e, &runs[0]) == 0);  /* explicit 0: none */
    free(runs);
    pb_experiment_free(&e);
    assert_int_equal(pbt_bench(&out, "--config '%s' --dry-run", cfg), 0);
    assert_non_null(strstr(out, "none"));
    free(out);
}


/* A pair_cost_of hook: the row's "cost_factor" parameter, 0 when absent. */
static double factor_param(const struct pb_params *prm)
{
    const char *v = pb_param(prm, "cost_factor");
    return v ? strtod(v, NULL) : 0;
}

/* The model reads what a strategy declares, never its name or flags: one named "naive" that
 * declares the tile kernels' cost is estimated as they are, not at naive's tenth of their rate;
 * one flagged histogram-only that declares every pair is estimated over every pair; the
 * registry's naive declares its own cost (2e7 pairs/s) and grid the near pairs. */
static void test_estimate_reads_declared_cost(void **state)
{
    (void)state;
    static const struct pb_strategy named = {
        .abi_version = PB_STRATEGY_ABI, .name = "naive",
        .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE } };
    static const struct pb_strategy flagged = {
        .abi_version = PB_STRATEGY_ABI, .name = "t-flagged", .flags = PB_HISTOGRAM_ONLY,
        .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost = PB_PAIR_COST_TILE } };
    struct pb_strategy_cfg sc[5] = { { .strategy = &named }, { .strategy = &flagged },
                                     { .strategy = pb_registry_find("blocked") },
                                     { .strategy = pb_registry_find("naive") },
                                     { .strategy = pb_registry_find("grid") } };
    struct pb_experiment e = { .output = PB_OUTPUT_HISTOGRAM, .input = { .box = 1000 },
                               .bins = { .min = 0.5, .max = 50, .count = 20 },
                               .strategies = sc, .nstrategies = 5 };
    struct pb_run run = { .strategy = 2, .n = 100000, .threads = 1, .ranks = 1 };
    double blocked = pb_estimate_seconds(&e, &run);      /* 5e9 pairs at 2e8/s: 25 s */
    assert_true(blocked > 24 && blocked < 26);
    for (run.strategy = 0; run.strategy < 2; run.strategy++) {
        double t = pb_estimate_seconds(&e, &run);      /* no extra bytes: a hair below */
        assert_true(t > 24 && t <= blocked);
    }
    run.strategy = 3;
    assert_true(fabs(pb_estimate_seconds(&e, &run) - 250) < 1);
    run.strategy = 4;
    assert_true(pb_estimate_seconds(&e, &run) < 1);
}

/* Skip by estimate: brute force past an explicit timeout_s is skipped with both figures; no
 * timeout_s, a spatial strategy, or an external one without a cost_factor is never skipped. */
static void test_beyond_timeout(void **state)
{
    (void)state;
    static const struct pb_strategy spatial = {
        .abi_version = PB_STRATEGY_ABI, .name = "t-spatial",
        .cost = { .model = PB_COST_NEAR_PAIRS, .pair_cost = PB_PAIR_COST_TILE } };
    static const struct pb_strategy external = {
        .abi_version = PB_STRATEGY_ABI, .name = "t-external", .flags = PB_EXTERNAL,
        .cost = { .model = PB_COST_ALL_PAIRS, .pair_cost_of = factor_param } };
    struct pb_kv slow = { .key = "cost_factor", .value = "100000" };
    struct pb_strategy_cfg sc[4] = { { .strategy = pb_registry_find("blocked") },
                                     { .strategy = &spatial }, { .strategy = &external },
                                     { .strategy = &external, .kv = &slow, .nkv = 1 } };
    struct pb_experiment e = { .output = PB_OUTPUT_HISTOGRAM, .input = { .box = 1000 },
                               .bins = { .min = 1, .max = 2000, .count = 4 },
                               .strategies = sc, .nstrategies = 4 };
    struct pb_run run = { .strategy = 0, .n = 100000, .threads = 1, .ranks = 1 };
    char why[128] = "";
    assert_int_equal(pb_estimate_beyond_timeout(&e, &run, why, sizeof why), 0);  /* none set */
    e.timeout_set = 1;
    e.timeout_s = 5;
    assert_int_equal(pb_estimate_beyond_timeout(&e, &run, why, sizeof why), 1);
    assert_string_equal(why, "estimated 25 s > timeout_s 5 s");
    assert_int_equal(pb_estimate_beyond_timeout(&e, &run, NULL, 0), 1);
    e.timeout_s = 25;                    /* 25.00175 s: enough digits to read above 25 */
    assert_int_equal(pb_estimate_beyond_timeout(&e, &run, why, sizeof why), 1);
    assert_string_equal(why, "estimated 25.002 s > timeout_s 25 s");
    e.timeout_s = 5;
    run.n = 40;
    assert_int_equal(pb_estimate_beyond_timeout(&e, &run, NULL, 0), 0);
    run.n = 100000;
    for (run.strategy = 1; run.strategy <= 2; run.strategy++)
        assert_int_equal(pb_estimate_beyond_timeout(&e, &run, NULL, 0), 0);
    run.n = 1000;                        /* 10^5 times naive's cost per pair */
    assert_int_equal(pb_estimate_beyond_timeout(&e, &run, NULL, 0), 1);
    e.timeout_s = 0;                     /* explicit 0: no timeout, nothing skipped */
    assert_int_equal(pb_estimate_beyond_timeout(&e, &run, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_estimate_spatial),
        cmocka_unit_test(test_estimate_reads_declared_cost),
        cmocka_unit_test(test_estimate_bins),
        cmocka_unit_test(test_estimate_file_extent),
        cmocka_unit_test(test_default_timeout),
        cmocka_unit_test(test_beyond_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
