/* test_plugin.c — pb_plugin_load: the refusals (wrong ABI, missing file, missing symbol) and the
 * whole out-of-tree path: install this build into a scratch prefix, build
 * kernels/plugin-example against it with find_package(pairbench), load the result and check
 * its strategy against naive. */
#include "support.h"

#include "plugin.h"
#include "registry.h"

#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
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

/* The loaded library that registered strategy, or a failed test. */
static const struct pb_plugin_id *plugin_of(const char *strategy)
{
    for (size_t i = 0; i < pb_plugin_count(); i++)
        if (strcmp(pb_plugin_get(i)->strategies, strategy) == 0)
            return pb_plugin_get(i);
    fail_msg("no loaded plugin registered %s", strategy);
    return NULL;
}

/* Whether bench must warn about a plugin built at -O0 for the x86-64 baseline: when bench's own
 * kernels are optimised, and when they are compiled for more than the baseline. */
static void expected_warnings(int *unoptimised, int *lower_isa)
{
    int opt, isa;
    pb_plugin_builtin_build(&opt, &isa);
    *unoptimised = opt;
    *lower_isa = isa > PB_ISA_SSE2;
}

/* A plugin built at -O0 for x86-64 loads, with its file and build recorded (real path, size,
 * hash, unoptimised, sse2) and a warning saying why its times are not comparable. The same
 * file named again, through a symbolic link, is loaded once and registers nothing twice. */
static void test_unoptimised_plugin_recorded(void **state)
{
    (void)state;
    struct pb_err err = {{0}};
    char real[PATH_MAX], link[1024];
    struct stat st;
    int unopt, lower;
    expected_warnings(&unopt, &lower);
    assert_int_equal(pb_plugin_load(PB_UNOPTIMISED_PLUGIN, &err), 0);
    const struct pb_plugin_id *id = plugin_of("unoptimised");
    assert_non_null(realpath(PB_UNOPTIMISED_PLUGIN, real));
    assert_int_equal(stat(real, &st), 0);
    assert_string_equal(id->real, real);
    assert_string_equal(id->path, PB_UNOPTIMISED_PLUGIN);
    assert_int_equal(id->file.size, st.st_size);
    assert_int_equal(strspn(id->file.hash, "0123456789abcdef"), 16);
    assert_int_equal(id->has_build, 1);
    assert_int_equal(id->optimized, 0);
    assert_int_equal(id->isa, PB_ISA_SSE2);
    print_message("warning: %s\n", id->warning);
    assert_int_equal(strstr(id->warning, "built without optimisation (-O0)") != NULL, unopt);
    assert_int_equal(strstr(id->warning, "compiled for sse2") != NULL, lower);

    size_t count = pb_plugin_count(), strategies = pb_registry_count();
    snprintf(link, sizeof link, "%s/again.so", pbt_tmpdir("plugin-again"));
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(pb_plugin_load(link, &err), 0);
    assert_int_equal(pb_plugin_load(PB_UNOPTIMISED_PLUGIN, &err), 0);
    assert_int_equal(pb_plugin_count(), count);
    assert_int_equal(pb_registry_count(), strategies);
}

/* The -O0 plugin's JSON record in NAME.json (root): its identity, its build and the warning. */
static void check_plugin_record(const json_t *root, int unopt)
{
    const json_t *plugins = json_object_get(root, "plugins"), *p = json_array_get(plugins, 0);
    assert_int_equal(json_array_size(plugins), 1);
    assert_string_equal(json_string_value(json_object_get(p, "path")), PB_UNOPTIMISED_PLUGIN);
    assert_true(json_integer_value(json_object_get(p, "size")) > 0);
    assert_true(json_integer_value(json_object_get(p, "mtime_ns")) > 0);
    assert_int_equal(strlen(json_string_value(json_object_get(p, "hash"))), 16);
    const json_t *b = json_object_get(p, "build");
    assert_true(json_is_false(json_object_get(b, "optimized")));
    assert_string_equal(json_string_value(json_object_get(b, "isa")), "sse2");
    assert_non_null(json_string_value(json_object_get(b, "compiler")));
    const char *w = json_string_value(json_object_get(p, "warning"));
    assert_int_equal(w && strstr(w, "built without optimisation"), unopt);
}

/* Through bench: --list names the file each plugin strategy came from and warns about the -O0
 * build, and about a library without a build record; a sweep given the library by --plugin and by its config loads it once (it was refused
 * as "already registered"), records it in NAME.json and notes the warning in the report. */
static void test_unoptimised_plugin_cli(void **state)
{
    (void)state;
    char *out, cfg[1024], path[1100], want[1200];
    int unopt, lower;
    expected_warnings(&unopt, &lower);
    assert_int_equal(pbt_bench(&out, "--list --plugin '%s'", PB_UNOPTIMISED_PLUGIN), 0);
    snprintf(want, sizeof want, "[plugin %s]", PB_UNOPTIMISED_PLUGIN);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, "warning: plugin %s (unoptimised): ", PB_UNOPTIMISED_PLUGIN);
    assert_int_equal(strstr(out, want) != NULL, unopt || lower);
    free(out);
    /* without a build record (not bench's own, which the program exports): unknown, warned */
    assert_int_equal(pbt_bench(&out, "--list --plugin '%s'", PB_NO_BUILD_INFO_PLUGIN), 0);
    assert_non_null(strstr(out, "records no build information"));
    free(out);
    const char *tmp = pbt_tmpdir("plugin-twice");
    snprintf(cfg, sizeof cfg, "%s/twice.json", tmp);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "{\"plugins\": [\"%s\"], \"output\": {\"kind\": \"histogram\", \"bins\": "
            "{\"min\": 0, \"max\": 1800, \"count\": 8}}, \"sizes\": [200], \"threads\": [1], "
            "\"repeats\": 1, \"strategies\": [\"naive\", \"unoptimised\"]}\n",
            PB_UNOPTIMISED_PLUGIN);
    fclose(f);
    int rc = pbt_bench(&out, "--plugin '%s' --config '%s' --out '%s/res' --quiet --no-render",
                       PB_UNOPTIMISED_PLUGIN, cfg, tmp);
    if (rc != 0)
        fail_msg("exit %d: %s", rc, out);
    free(out);
    snprintf(path, sizeof path, "%s/res/twice.json", tmp);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    check_plugin_record(root, unopt);
    json_decref(root);
    snprintf(path, sizeof path, "%s/res/twice.html", tmp);
    char *html = pbt_slurp(path);
    assert_non_null(html);
    assert_int_equal(strstr(html, "class=\"plugin-note") != NULL, unopt || lower);
    free(html);
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

/* The "## 2. Build the strategy" CMake block of docs/plugins.md, as written (malloc'd). */
static char *docs_cmake_block(void)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/docs/plugins.md", PB_SOURCE_DIR);
    char *text = pbt_slurp(path);
    assert_non_null(text);
    char *sec = strstr(text, "## 2. Build the strategy");
    char *open = sec ? strstr(sec, "```cmake\n") : NULL;
    char *close = open ? strstr(open + 9, "```") : NULL;
    assert_non_null(close);
    *close = '\0';
    memmove(text, open + 9, strlen(open + 9) + 1);
    return text;
}

/* Builds the example's source as mine.c exactly as docs/plugins.md says (its CMake block, its
 * two commands) against the tree installed in tmp/prefix; checks that the library's recorded
 * build is optimised and not below the built-in kernels' ISA, and that bench loads it without
 * a warning. */
static void check_docs_build(const char *tmp)
{
    char dir[1100], file[1200], cmd[8192], log[1100], *out;
    snprintf(dir, sizeof dir, "%s/docs-build", tmp);
    snprintf(log, sizeof log, "%s/docs-build.log", tmp);
    assert_int_equal(mkdir(dir, 0700), 0);
    char *block = docs_cmake_block();
    snprintf(file, sizeof file, "%s/CMakeLists.txt", dir);
    pbt_write(file, block);
    free(block);
    snprintf(file, sizeof file, "%s/kernels/plugin-example/example.c", PB_SOURCE_DIR);
    char *src = pbt_slurp(file);
    assert_non_null(src);
    snprintf(file, sizeof file, "%s/mine.c", dir);
    pbt_write(file, src);
    free(src);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' -S . -B build -DCMAKE_PREFIX_PATH='%s/prefix' "
             "-DCMAKE_C_COMPILER='%s' && '%s' --build build", dir, PB_CMAKE, tmp, PB_C_COMPILER,
             PB_CMAKE);
    shell(cmd, log);
    snprintf(file, sizeof file, "%s/build/libmine.so", dir);
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(h);
    const struct pb_build_info *b = dlsym(h, "pb_plugin_build_info");
    assert_non_null(b);
    int opt, isa;
    pb_plugin_builtin_build(&opt, &isa);
    assert_int_equal(b->optimized, 1);
    assert_true(b->isa >= isa);
    dlclose(h);
    assert_int_equal(pbt_bench(&out, "--list --plugin '%s'", file), 0);
    assert_null(strstr(out, "warning:"));
    free(out);
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
 * same plugin a second time loads nothing. The docs' own build is optimised. */
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

    size_t count = pb_plugin_count();
    assert_int_equal(pb_plugin_load(so, &err), 0);          /* the same file: loaded once */
    assert_int_equal(pb_plugin_count(), count);
    check_bench_cli(tmpdir, so);
    check_docs_build(tmpdir);
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
        cmocka_unit_test(test_unoptimised_plugin_recorded),
        cmocka_unit_test(test_unoptimised_plugin_cli),
        cmocka_unit_test(test_example_plugin_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
