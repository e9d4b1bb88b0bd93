/* test_config_schema.c — the table of config keys: well formed (every key inside a declared
 * object, defaults within range, rows that make one Markdown table row each), the loader
 * following it (known keys, defaults), and the config reference in docs/config.md equal to its
 * rendering, so that the documentation cannot drift from the code. */
#include "support.h"

#include "config.h"
#include "experiment.h"
#include "config_schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC "docs/config.md"
#define BEGIN "<!-- config-keys:begin -->\n"
#define END "<!-- config-keys:end -->"

/* docs/config.md's text between the config-keys markers (malloc'd). */
static char *doc_section(void)
{
    char *text = pbt_slurp(DOC);
    if (!text)
        fail_msg("cannot read %s", DOC);
    char *a = strstr(text, BEGIN), *b = a ? strstr(a, END) : NULL;
    if (!a || !b)
        fail_msg("%s lacks the markers %s and %s around the config reference", DOC, BEGIN,
                 END);
    a += strlen(BEGIN);
    char *section = strndup(a, (size_t)(b - a));
    free(text);
    return section;
}

/* docs/config.md's config reference is exactly `bench --list-keys --markdown`. */
static void test_doc_matches_table(void **state)
{
    (void)state;
    char *want = pb_config_reference(1), *have = doc_section();
    assert_non_null(want);
    if (strcmp(want, have) != 0) {
        fputs(want, stderr);             /* whole: cmocka cuts long messages */
        fail_msg("docs/config.md's config reference differs from the schema table "
                 "(harness/input/config_schema.c): replace the lines between the config-keys "
                 "markers with the output of `bench --list-keys --markdown`, printed above");
    }
    free(want);
    free(have);
}

/* Number of '|' in line[0..len), the ones inside `code` spans included. */
static int pipes(const char *line, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += line[i] == '|';
    return n;
}

/* Every line of the Markdown is a table row of four cells: no '|' inside a cell. */
static void test_markdown_rows(void **state)
{
    (void)state;
    char *md = pb_config_reference(1);
    size_t rows = 0;
    assert_non_null(md);
    for (const char *line = md; *line; rows++) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        if (pipes(line, (size_t)(end - line)) != 5)
            fail_msg("not a four-cell row: %.*s", (int)(end - line), line);
        line = end + 1;
    }
    assert_int_equal(rows, pb_config_key_count() + 2);
    free(md);
}

/* The path of the object k's key sits in ("" at the top level) into parent[size]. */
static void parent_of(const struct pb_config_key *k, char *parent, size_t size)
{
    const char *dot = strrchr(k->path, '.');
    snprintf(parent, size, "%.*s", dot ? (int)(dot - k->path) : 0, k->path);
}

/* Checks one row: inside a declared object (or array of objects), unique, a default within
 * its range and choices, and help. */
static void check_row(const struct pb_config_key *k)
{
    char parent[128], list[128];
    parent_of(k, parent, sizeof parent);
    size_t l = strlen(parent);
    snprintf(list, sizeof list, "%.*s", l > 2 ? (int)(l - 2) : 0, parent);
    const struct pb_config_key *p = pb_config_key_find(parent), *a = pb_config_key_find(list);
    if (*parent && !(p && p->type == PB_KEY_OBJECT) && !(p && p->type == PB_KEY_LIST) &&
        !(l > 2 && !strcmp(parent + l - 2, "[]") && a && a->type == PB_KEY_LIST))
        fail_msg("%s: no object %s above it", k->path, parent);
    assert_ptr_equal(pb_config_key_find(k->path), k);
    assert_true(k->help && *k->help);
    if (k->type == PB_KEY_INT && !(k->flags & PB_KEY_REQUIRED) && !k->def_doc)
        assert_true(k->def >= (double)k->imin && k->def <= (double)k->imax);
    if (k->type == PB_KEY_NUMBER && !k->def_doc)
        assert_true(k->def > k->lo || ((k->flags & PB_KEY_LO_INCLUSIVE) && k->def == k->lo));
    if (k->type == PB_KEY_CHOICE) {
        int n = 1;
        for (const char *s = k->choices; *s; s++)
            n += *s == '|';
        assert_true(k->def >= 0 && (int)k->def < n);
    }
    if (k->type == PB_KEY_INT)
        assert_true(k->imin <= k->imax);
}

static void test_rows_well_formed(void **state)
{
    (void)state;
    assert_true(pb_config_key_count() >= 40);
    for (size_t i = 0; i < pb_config_key_count(); i++)
        check_row(pb_config_key_at(i));
    assert_null(pb_config_key_at(pb_config_key_count()));
    assert_null(pb_config_key_find("nothing"));
}

/* The children of an object come in table order, one name each, NULL-terminated. */
static void test_children(void **state)
{
    (void)state;
    const char *names[64];
    size_t n = pb_config_key_children("output.bins", names, 64);
    assert_int_equal(n, 5);
    assert_string_equal(names[0], "min");
    assert_string_equal(names[3], "scale");
    assert_string_equal(names[4], "edges");
    assert_null(names[5]);
    n = pb_config_key_children("", names, 64);
    assert_string_equal(names[0], "name");
    for (size_t i = 0; i < n; i++)
        assert_null(strchr(names[i], '.'));
    assert_int_equal(pb_config_key_children("strategies[]", names, 64), 2);
    assert_int_equal(pb_config_key_children("input", names, 3), 2);   /* capped */
    assert_null(names[2]);
}

/* Loads a config of text (written to a temporary file); returns the status, message in err. */
static int load_text(const char *text, struct pb_experiment *e, struct pb_err *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/c.json", pbt_tmpdir("config_schema"));
    pbt_write(path, text);
    return pb_experiment_load(path, e, err);
}

/* A minimal config takes every scalar default from the table. */
static void test_defaults_from_table(void **state)
{
    (void)state;
    struct pb_experiment e;
    struct pb_err err = { "" };
    int rc = load_text("{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [5], "
                       "\"strategies\": [\"naive\"]}", &e, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(e.repeats, (int)pb_config_key_find("repeats")->def);
    assert_int_equal(e.warmup, (int)pb_config_key_find("warmup")->def);
    assert_int_equal(e.input.seed, (uint64_t)pb_config_key_find("input.seed")->def);
    assert_true(e.input.box == pb_config_key_find("input.box")->def);
    assert_int_equal(e.order_seed, (uint64_t)pb_config_key_find("order_seed")->def);
    assert_int_equal(e.overhead, pb_config_key_find("overhead")->def != 0);
    assert_int_equal(e.limits, pb_config_key_find("limits")->def != 0);
    assert_int_equal(e.timeout_set, 0);
    pb_experiment_free(&e);
}

/* An unknown key is checked against the table's keys of its object: a typo is named with
 * the nearest key, and a key of another object is refused. */
static void test_unknown_keys_from_table(void **state)
{
    (void)state;
    struct pb_experiment e;
    struct pb_err err = { "" };
    assert_int_equal(load_text("{\"output\": {\"kind\": \"histogram\", \"bins\": {\"min\": 0, "
                               "\"max\": 1, \"count\": 2, \"scael\": \"log\"}}, \"sizes\": [5], "
                               "\"strategies\": [\"naive\"]}", &e, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "output.bins: unknown key \"scael\" (did you mean "
                                     "\"scale\"?)"));
    assert_int_equal(load_text("{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [5], "
                               "\"strategies\": [{\"name\": \"naive\", \"labl\": \"x\"}]}", &e,
                               &err), -EINVAL);
    assert_non_null(strstr(err.msg, "unknown parameter \"labl\""));
    assert_int_equal(load_text("{\"output\": {\"kind\": \"matrix\"}, \"sizes\": [5], "
                               "\"strategies\": [\"naive\"], \"verify\": {\"naive_max_n\": 1, "
                               "\"from\": 2}}", &e, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "verify: unknown key \"from\" (known: naive_max_n, "
                                    "reference)"));
}

/* `bench --list-keys` prints every key with its default; --markdown the table in docs/config.md. */
static void test_list_keys_command(void **state)
{
    (void)state;
    char *out = NULL, *md = pb_config_reference(1);
    assert_int_equal(pbt_bench(&out, "--list-keys"), 0);
    for (size_t i = 0; i < pb_config_key_count(); i++)
        assert_non_null(strstr(out, pb_config_key_at(i)->path));
    assert_non_null(strstr(out, "timeout_s"));
    assert_non_null(strstr(out, "0 means no timeout at all"));
    assert_null(strchr(out, '`'));
    free(out);
    assert_int_equal(pbt_bench(&out, "--list-keys --markdown"), 0);
    assert_string_equal(out, md);
    free(out);
    assert_int_equal(pbt_bench(&out, "--markdown"), 2);
    assert_non_null(strstr(out, "--markdown goes with --list-keys"));
    free(out);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_matches_table),
        cmocka_unit_test(test_markdown_rows),
        cmocka_unit_test(test_rows_well_formed),
        cmocka_unit_test(test_children),
        cmocka_unit_test(test_defaults_from_table),
        cmocka_unit_test(test_unknown_keys_from_table),
        cmocka_unit_test(test_list_keys_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
