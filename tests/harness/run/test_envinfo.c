/* test_envinfo.c — NAME.json: the documented keys are present with sane values, the config is
 * embedded as an object, caller extras land under "extra", and the file parses back. */
#include "support.h"

#include "envinfo.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_collect_sane(void **state)
{
    (void)state;
    struct pb_env env;
    assert_int_equal(pb_env_collect(&env), 0);
    assert_true(env.cpus_online > 0);
    assert_true(env.cpus_allowed > 0);
    assert_true(env.cpus_allowed <= env.cpus_online);
    assert_int_equal(pb_env_allowed_cpus(), env.cpus_allowed);
    assert_true(env.affinity[0] >= '0' && env.affinity[0] <= '9');
    assert_true(env.mem_total_kib > 0);
    assert_true(env.timer_resolution_s > 0 && env.timer_resolution_s < 1e-3);
    assert_true(env.timer_overhead_s >= 0 && env.timer_overhead_s < 1e-3);
    assert_true(strlen(env.cpu_model) > 0);
#ifdef __x86_64__
    assert_true(env.cpu_family > 0);               /* x86 /proc/cpuinfo always has them */
    assert_true(env.cpu_model_number >= 0);
    assert_true(env.cpu_stepping >= 0);
#endif
    assert_true(strcmp(env.kernel_level, "x86-64") == 0 || strstr(env.kernel_level, "x86-64-v")
                || strncmp(env.kernel_level, "build", 5) == 0);
    assert_true(env.openmp_version >= 200805);     /* built with OpenMP 3.0 or later */
    assert_true(env.omp_max_threads >= 1);
    assert_true(strlen(env.git_commit) == 40 || strcmp(env.git_commit, "unknown") == 0);
}

static void test_omp_variables_recorded(void **state)
{
    (void)state;
    struct pb_env env;
    setenv("OMP_PROC_BIND", "close", 1);
    setenv("GOMP_SPINCOUNT", "1000", 1);
    pb_env_collect(&env);
    unsetenv("OMP_PROC_BIND");
    unsetenv("GOMP_SPINCOUNT");
    int seen = 0;
    for (size_t i = 0; i < env.nomp_env; i++) {
        seen += strcmp(env.omp_env[i].name, "OMP_PROC_BIND") == 0 &&
                strcmp(env.omp_env[i].value, "close") == 0;
        seen += strcmp(env.omp_env[i].name, "GOMP_SPINCOUNT") == 0;
    }
    assert_int_equal(seen, 2);
}

static void test_extras(void **state)
{
    (void)state;
    struct pb_env env = { .nextra = 0 };
    assert_int_equal(pb_env_add_num(&env, "memory_limit_kib", 1024), 0);
    assert_int_equal(pb_env_add_num(&env, "memory_limit_kib", 2048), 0);   /* replaces */
    assert_int_equal(env.nextra, 1);
    assert_true(env.extra[0].num == 2048);
    assert_int_equal(pb_env_add_str(&env, "", "x"), -EINVAL);
    char key[16];
    for (int i = 1; i < PB_ENV_MAX_EXTRA; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(pb_env_add_str(&env, key, "v"), 0);
    }
    assert_int_equal(pb_env_add_str(&env, "one-too-many", "v"), -ENOSPC);
}

/* The object at key of o, failing the test when absent or of another type. */
static json_t *member(json_t *o, const char *key, json_type type)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_typeof(v) != type)
        fail_msg("key '%s' missing or of the wrong type", key);
    return v;
}

static void test_json_has_documented_keys(void **state)
{
    (void)state;
    char path[1100], started[32];
    struct pb_env env;
    struct pb_err err = { .msg = "" };
    snprintf(path, sizeof path, "%s/smoke.json", pbt_tmpdir("envinfo"));
    pb_env_collect(&env);
    pb_env_add_num(&env, "memory_limit_kib", 123456);
    pb_env_add_str(&env, "note", "measured \"cold\"");
    assert_int_equal(pb_env_now_utc(started, sizeof started), 0);
    assert_int_equal(strlen(started), 20);
    const char *config = "{\"name\": \"smoke\", \"sizes\": [10, 20], \"repeats\": 3}";
    if (pb_env_write_json(path, &env, config, "0123456789abcdef", started, &err) != 0)
        fail_msg("%s", err.msg);

    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
    assert_string_equal(json_string_value(member(root, "started", JSON_STRING)), started);
    assert_string_equal(json_string_value(member(root, "config_hash", JSON_STRING)),
                        "0123456789abcdef");
    member(root, "bench_version", JSON_STRING);
    json_t *cfg = member(root, "config", JSON_OBJECT);
    assert_int_equal(json_integer_value(member(cfg, "repeats", JSON_INTEGER)), 3);
    json_t *cpu = member(root, "cpu", JSON_OBJECT);
    assert_true(json_integer_value(member(cpu, "online", JSON_INTEGER)) > 0);
    assert_true(json_integer_value(member(cpu, "allowed", JSON_INTEGER)) > 0);
    member(cpu, "model", JSON_STRING);
    assert_int_equal(json_integer_value(member(cpu, "family", JSON_INTEGER)), env.cpu_family);
    assert_int_equal(json_integer_value(member(cpu, "model_number", JSON_INTEGER)),
                     env.cpu_model_number);
    member(cpu, "stepping", JSON_INTEGER);
    assert_string_equal(json_string_value(member(root, "kernel_level", JSON_STRING)),
                        env.kernel_level);
    member(cpu, "flags", JSON_ARRAY);
    member(cpu, "affinity", JSON_STRING);
    assert_true(json_integer_value(member(member(root, "memory", JSON_OBJECT), "total_kib",
                                          JSON_INTEGER)) > 0);
    json_t *thp = member(root, "transparent_hugepage", JSON_OBJECT);
    member(thp, "enabled", JSON_STRING);
    member(thp, "defrag", JSON_STRING);
    assert_non_null(json_object_get(root, "governor"));          /* string or null */
    member(member(root, "kernel", JSON_OBJECT), "release", JSON_STRING);
    json_t *comp = member(root, "compiler", JSON_OBJECT);
    member(comp, "id", JSON_STRING);
    member(comp, "flags", JSON_STRING);
    json_t *omp = member(root, "openmp", JSON_OBJECT);
    assert_true(json_integer_value(member(omp, "version", JSON_INTEGER)) > 0);
    member(omp, "env", JSON_OBJECT);
    member(omp, "max_threads", JSON_INTEGER);
    json_t *git = member(root, "git", JSON_OBJECT);
    member(git, "commit", JSON_STRING);
    assert_non_null(json_object_get(git, "dirty"));              /* bool or null */
    json_t *timer = member(root, "timer", JSON_OBJECT);
    assert_true(json_real_value(member(timer, "resolution_s", JSON_REAL)) > 0);
    member(timer, "call_overhead_s", JSON_REAL);
    json_t *extra = member(root, "extra", JSON_OBJECT);
    assert_true(json_real_value(member(extra, "memory_limit_kib", JSON_REAL)) == 123456);
    assert_string_equal(json_string_value(member(extra, "note", JSON_STRING)),
                        "measured \"cold\"");
    json_decref(root);
}

static void test_bad_config_text_kept_raw(void **state)
{
    (void)state;
    char path[1100];
    struct pb_env env;
    struct pb_err err = { .msg = "" };
    snprintf(path, sizeof path, "%s/raw.json", pbt_tmpdir("envinfo-raw"));
    pb_env_collect(&env);
    assert_int_equal(pb_env_write_json(path, &env, "{not json", "h", "t", &err), 0);
    json_t *root = json_load_file(path, 0, NULL);
    assert_non_null(root);
    assert_null(json_object_get(root, "config"));
    assert_string_equal(json_string_value(json_object_get(root, "config_text")), "{not json");
    json_decref(root);
    assert_true(pb_env_write_json("/nonexistent/dir/x.json", &env, "{}", "h", "t", &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.json"));
}


/* The embedded config keeps every number as the same double: explicit bin edges with 17
 * significant digits read back exactly from NAME.json (they were cut to 9 digits). */
static void test_config_numbers_exact(void **state)
{
    (void)state;
    static const double edges[] = { 0, 0.1234567890123456, 1.0 / 3, 6.02214076e23 / 7 };
    char path[1100], config[512];
    struct pb_env env;
    struct pb_err err = { .msg = "" };
    snprintf(path, sizeof path, "%s/exact.json", pbt_tmpdir("envinfo-exact"));
    snprintf(config, sizeof config, "{\"output\": {\"kind\": \"histogram\", \"bins\": "
             "{\"edges\": [%.17g, %.17g, %.17g, %.17g]}}}", edges[0], edges[1], edges[2],
             edges[3]);
    pb_env_collect(&env);
    assert_int_equal(pb_env_write_json(path, &env, config, "h", "t", &err), 0);
    json_t *root = json_load_file(path, 0, NULL);
    assert_non_null(root);
    json_t *got = json_object_get(json_object_get(json_object_get(json_object_get(root,
                                  "config"), "output"), "bins"), "edges");
    assert_int_equal(json_array_size(got), 4);
    for (size_t i = 0; i < 4; i++)
        assert_true(json_number_value(json_array_get(got, i)) == edges[i]);
    json_decref(root);
}

/* A resumed session keeps the first one's record and is appended to "sessions"; the input's
 * identity is recorded and read back, and changes with the file's bytes. */
static void test_sessions_and_input(void **state)
{
    (void)state;
    char path[1100], pts[1100];
    const char *dir = pbt_tmpdir("envinfo-sessions");
    snprintf(path, sizeof path, "%s/s.json", dir);
    snprintf(pts, sizeof pts, "%s/p.txt", dir);
    pbt_write(pts, "1 2 3\n");
    struct pb_env env;
    struct pb_err err;
    struct pb_file_id id, back;
    pb_env_collect(&env);
    assert_int_equal(pb_file_identify(pts, &id), 0);
    assert_int_equal(id.size, 6);
    struct pb_env_meta m = { .config_text = "{}", .config_hash = "0123456789abcdef",
                             .started = "2001-01-01T00:00:00Z", .input_path = pts,
                             .input = &id };
    assert_int_equal(pb_env_write_session(path, &env, &m, 0, &err), 0);
    m.started = "2002-02-02T00:00:00Z";
    assert_int_equal(pb_env_write_session(path, &env, &m, 1, &err), 0);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_string_equal(json_string_value(json_object_get(root, "started")),
                        "2001-01-01T00:00:00Z");
    json_t *sessions = json_object_get(root, "sessions");
    assert_int_equal(json_array_size(sessions), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sessions, 1),
                                                          "started")), "2002-02-02T00:00:00Z");
    json_decref(root);
    assert_int_equal(pb_env_read_input(path, &back), 1);
    assert_string_equal(back.hash, id.hash);
    pbt_write(pts, "1 2 4\n");
    assert_int_equal(pb_file_identify(pts, &back), 0);
    assert_true(strcmp(back.hash, id.hash) != 0);
}

/* The recorded compiler flags are the ones the build passed: the optimisation level, the
 * options every file gets, the standard and OpenMP's; never a CMake variable spelled as a flag
 * ("-march=native=1"). */
static void test_cflags_are_real_flags(void **state)
{
    (void)state;
    struct pb_env env;
    assert_int_equal(pb_env_collect(&env), 0);
    assert_null(strstr(env.cflags, "=native="));
    assert_null(strstr(env.cflags, "unknown"));
    assert_non_null(strstr(env.cflags, "-Wall -Wextra"));
    assert_non_null(strstr(env.cflags, "-ffp-contract=off"));
    assert_non_null(strstr(env.cflags, "-std=c11"));
    assert_non_null(strstr(env.cflags, "openmp"));
#ifdef __OPTIMIZE__
    assert_non_null(strstr(env.cflags, "-O"));      /* this file is built with the same flags */
#endif
    const char *m = strstr(env.cflags, "-march=native");
    assert_true(m == NULL || m[13] == ' ' || m[13] == '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect_sane),
        cmocka_unit_test(test_cflags_are_real_flags),
        cmocka_unit_test(test_omp_variables_recorded),
        cmocka_unit_test(test_extras),
        cmocka_unit_test(test_json_has_documented_keys),
        cmocka_unit_test(test_bad_config_text_kept_raw),
        cmocka_unit_test(test_config_numbers_exact),
        cmocka_unit_test(test_sessions_and_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
