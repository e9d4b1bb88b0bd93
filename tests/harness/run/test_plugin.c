/* test_plugin.c — pb_plugin_load: the refusals (wrong ABI, missing file, missing symbol) and the
 * whole out-of-tree path: install this build into a scratch prefix, build
 * kernels/plugin-example against it with find_package(pairbench), load the result and check
 * its strategy against naive. */
#include "support.h"

#include "plugin.h"
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define N 300
#define NBINS 32

/* A wrong ABI version is refused with the plugin's path and both versions in the message, and
 * nothing it lists is registered. */
static void test_bad_abi_refused(void **state)
{
    (void)state;
    struct pb_err err = {{0}};
    char expects[64];
    assert_int_equal(pb_plugin_load(PB_BAD_ABI_PLUGIN, &err), -EINVAL);
    snprintf(expects, sizeof expects, "this bench expects version %d", PB_STRATEGY_ABI);
    assert_non_null(strstr(err.msg, PB_BAD_ABI_PLUGIN));
    assert_non_null(strstr(err.msg, "ABI version 999"));
    assert_non_null(strstr(err.msg, expects));
    assert_null(pb_registry_find("from-the-future"));
}

/* A path that does not exist gives dlopen's own words. */
static void test_missing_file(void **state)
{
    (void)state;
    struct pb_err err = {{0}};
    assert_int_equal(pb_plugin_load("/nonexistent/libnothing.so", &err), -EINVAL);
    assert_non_null(strstr(err.msg, "/nonexistent/libnothing.so"));
    assert_non_null(strstr(err.msg, "cannot open shared object file: No such file"));
}

/* A library without pb_plugin_strategies is named as such, with dlsym's words. */
/* bench refuses the wrong-ABI plugin on the command line: exit 2, versions named. */
static void test_bad_abi_cli(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(pbt_bench(&out, "--list --plugin '%s'", PB_BAD_ABI_PLUGIN), 2);
    assert_non_null(strstr(out, "ABI version 999"));
    free(out);
}

static void test_missing_symbol(void **state)
{
    (void)state;
    struct pb_err err = {{0}};
    assert_int_equal(pb_plugin_load(PB_NO_SYMBOL_PLUGIN, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "does not export pb_plugin_strategies"));
    assert_non_null(strstr(err.msg, "undefined symbol"));
}

/* Loads a hostile plugin: refused with -EINVAL, the plugin and want named in the message, and
 * nothing of it registered. */
static void check_refused(const char *path, const char *want)
{
    struct pb_err err = {{0}};
    assert_int_equal(pb_plugin_load(path, &err), -EINVAL);
    print_message("%s\n", err.msg);
    assert_non_null(strstr(err.msg, path));
    if (!strstr(err.msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

/* What a plugin hands over is checked before it is read or registered: a name that is no
 * label, a symbol that is a function, an entry or a name that points nowhere, a list without
 * its NULL terminator. */
static void test_hostile_plugins_refused(void **state)
{
    (void)state;
    check_refused(PB_BAD_NAME_PLUGIN, "strategy name \"fast*\" is not a valid label");
    assert_null(pb_registry_find("fast*"));
    check_refused(PB_WRONG_TYPE_PLUGIN, "pb_plugin_strategies is not an array (a function");
    check_refused(PB_BAD_ENTRY_PLUGIN, "strategy #0 is not a pointer to a struct pb_strategy");
    check_refused(PB_BAD_NAME_POINTER_PLUGIN, "its name or summary is not a readable string");
    check_refused(PB_BAD_SUMMARY_PLUGIN, "its name or summary is not a readable string of "
                  "printable UTF-8");
    assert_null(pb_registry_find("fast"));
    check_refused(PB_NO_END_PLUGIN, "not a NULL-terminated array");
    assert_null(pb_registry_find("wild"));
}

/* A FIFO given as a plugin is refused at once (dlopen's open blocked for a writer). */
static void test_fifo_plugin_refused(void **state)
{
    (void)state;
    char path[1024];
    struct pb_err err = {{0}};
    snprintf(path, sizeof path, "%s/plugin.so", pbt_tmpdir("plugin-fifo"));
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(20);                                   /* a hang fails the test instead */
    assert_int_equal(pb_plugin_load(path, &err), -EINVAL);
    alarm(0);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

/* A config naming the bad-name plugin's strategy: exit 2 with a message (it was SIGSEGV). */
static void test_bad_name_config_cli(void **state)
{
    (void)state;
    char cfg[1024], *out;
    snprintf(cfg, sizeof cfg, "%s/badname.json", pbt_tmpdir("plugin-badname"));
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "{\"plugins\": [\"%s\"], \"output\": {\"kind\": \"matrix\"}, \"sizes\": [10],"
            " \"strategies\": [\"naive\", \"fast*\"]}\n", PB_BAD_NAME_PLUGIN);
    fclose(f);
    assert_int_equal(pbt_bench(&out, "--config '%s' --dry-run", cfg), 2);
    assert_non_null(strstr(out, "not a valid label"));
    free(out);
    assert_int_equal(pbt_bench(&out, "--list --plugin '%s'", PB_WRONG_TYPE_PLUGIN), 2);
    assert_non_null(strstr(out, "not an array"));
    free(out);
}

/* Runs cmd through the shell with its output in log; fails the test with the log on error. */
static void shell(const char *cmd, const char *log)
{
    char full[12288];
    snprintf(full, sizeof full, "(%s) >>'%s' 2>&1", cmd, log);
    if (system(full) != 0) {
        char *text = pbt_slurp(log);
        fail_msg("failed: %s\n%s", cmd, text ? text : "(no output)");
    }
}

/* Installs this build into tmp/prefix and builds the example plugin against it in tmp/build.
 * Returns the plugin's path (static). */
static const char *build_example(const char *tmp)
{
    static char so[2048];
    char cmd[8192], log[2048];
    snprintf(log, sizeof log, "%s/build.log", tmp);
    snprintf(cmd, sizeof cmd, "'%s' --install '%s' --prefix '%s/prefix'", PB_CMAKE,
             PB_BINARY_DIR, tmp);
    shell(cmd, log);
    snprintf(cmd, sizeof cmd, "'%s' -S '%s/kernels/plugin-example' -B '%s/build' "
             "-DCMAKE_PREFIX_PATH='%s/prefix' -DCMAKE_C_COMPILER='%s'", PB_CMAKE, PB_SOURCE_DIR,
             tmp, tmp, PB_C_COMPILER);
    shell(cmd, log);
    snprintf(cmd, sizeof cmd, "'%s' --build '%s/build'", PB_CMAKE, tmp);
    shell(cmd, log);
    snprintf(so, sizeof so, "%s/build/libexample-rows.so", tmp);
    return so;
}

/* The installed tree holds bench and the headers under include/pairbench. */
static void check_installed(const char *tmp)
{
    static const char *const files[] = {"bin/bench", "include/pairbench/strategy.h",
                                        "include/pairbench/pairkern.h"};
    char path[2048];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/prefix/%s", tmp, files[i]);
        if (access(path, R_OK) != 0)
            fail_msg("not installed: %s", path);
    }
}

static double xs[N], ys[N], zs[N], edges[NBINS + 1];

/* N seeded uniform points in [0,100)^3, 32 linear bins on [0.1, 175). */
static struct pb_problem problem(enum pb_output_kind kind, double box)
{
    srand(777);
    for (size_t i = 0; i < N; i++) {
        xs[i] = 100.0 * rand() / ((double)RAND_MAX + 1);
        ys[i] = 100.0 * rand() / ((double)RAND_MAX + 1);
        zs[i] = 100.0 * rand() / ((double)RAND_MAX + 1);
    }
    for (size_t b = 0; b <= NBINS; b++)
        edges[b] = 0.1 + b * (175.0 - 0.1) / NBINS;
    return (struct pb_problem){.n = N, .x = xs, .y = ys, .z = zs, .box = box, .output = kind,
                               .nbins = NBINS, .edges = edges};
}

/* Runs the named strategy on p with 2 threads. */
static int run(const char *name, const struct pb_problem *p, struct pb_output *out)
{
    const struct pb_strategy *s = pb_registry_find(name);
    assert_non_null(s);
    struct pb_params k = {.threads = 2, .ranks = 1, .tmpdir = "."};
    return s->run(p, &k, out);
}

/* The plugin's strategy gives naive's answer exactly. */
static void check_against_naive(const struct pb_problem *p)
{
    uint64_t want[NBINS] = {0}, got[NBINS] = {0};
    struct pb_output ref = {.counts = want}, out = {.counts = got};
    assert_int_equal(run("naive", p, &ref), 0);
    assert_int_equal(run("example-rows", p, &out), 0);
    if (p->output == PB_OUTPUT_HISTOGRAM)
        assert_memory_equal(got, want, sizeof want);
    else
        assert_memory_equal(out.matrix, ref.matrix, N * N * sizeof(double));
    if (ref.matrix)
        munmap(ref.matrix, ref.matrix_bytes);
    if (out.matrix)
        munmap(out.matrix, out.matrix_bytes);
}

/* Install, build out of tree, load, run: histogram (open and periodic) and matrix. Loading the
 * same plugin a second time is refused by name. */
/* The same plugin through bench: listed with --plugin, and run verified from a config's
 * "plugins" list (a path relative to the config's folder). */
static void check_bench_cli(const char *tmp, const char *so)
{
    char *out, cfg[2048], csv[2048];
    assert_int_equal(pbt_bench(&out, "--list --plugin '%s'", so), 0);
    assert_non_null(strstr(out, "example-rows "));
    free(out);
    snprintf(cfg, sizeof cfg, "%s/plug.json", tmp);
    pbt_write(cfg, "{\"name\": \"plug\", \"plugins\": [\"build/libexample-rows.so\"],\n"
                   " \"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 0, \"max\": 1800,"
                   " \"count\": 16}},\n \"sizes\": [300, 1001], \"threads\": [1, 2], \"repeats\": 2,"
                   " \"strategies\": [\"naive\", \"example-rows\"]}\n");
    assert_int_equal(pbt_bench(&out, "--config '%s' --out '%s/res' --quiet", cfg, tmp), 0);
    free(out);
    snprintf(csv, sizeof csv, "%s/res/plug.csv", tmp);
    char *text = pbt_slurp(csv);
    assert_non_null(text);
    int verified = 0;
    for (const char *p = text; (p = strstr(p, "\nexample-rows,")); p++)
        verified += strstr(p, ",yes,ok,run,") && strstr(p, ",yes,ok,run,") < strchr(p + 1, '\n');
    assert_int_equal(verified, 8);           /* 2 sizes x 2 thread counts x 2 repeats */
    free(text);
}

static void test_example_plugin_end_to_end(void **state)
{
    (void)state;
    const char *tmp = pbt_tmpdir("plugin");
    char tmpdir[1024];
    snprintf(tmpdir, sizeof tmpdir, "%s", tmp);
    const char *so = build_example(tmpdir);
    check_installed(tmpdir);

    struct pb_err err = {{0}};
    if (pb_plugin_load(so, &err) != 0)
        fail_msg("%s", err.msg);
    const struct pb_strategy *s = pb_registry_find("example-rows");
    assert_non_null(s);
    assert_int_equal(s->abi_version, PB_STRATEGY_ABI);

    struct pb_problem hist = problem(PB_OUTPUT_HISTOGRAM, 0);
    check_against_naive(&hist);
    struct pb_problem periodic = problem(PB_OUTPUT_HISTOGRAM, 100.0);
    check_against_naive(&periodic);
    struct pb_problem matrix = problem(PB_OUTPUT_MATRIX, 0);
    check_against_naive(&matrix);

    assert_int_equal(pb_plugin_load(so, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "'example-rows' is already registered"));
    check_bench_cli(tmpdir, so);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_abi_refused),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_bad_abi_cli),
        cmocka_unit_test(test_missing_symbol),
        cmocka_unit_test(test_hostile_plugins_refused),
        cmocka_unit_test(test_bad_name_config_cli),
        cmocka_unit_test(test_fifo_plugin_refused),
        cmocka_unit_test(test_example_plugin_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
