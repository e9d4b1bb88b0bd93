/* test_jsonpos.c — the position scanner finds values and keys along a path, past nested
 * containers, escaped quotes and multi-byte characters. */
#include "support.h"

#include "jsonpos.h"

#include <errno.h>
#include <string.h>

static const char text[] =
    "{\n"
    "  \"a\\\"b\": \"x]}\\\"\",\n"
    "  \"list\": [[1, {\"k\": [2]}], \"é\", -5],\n"
    "  \"obj\": {\"inner\": {\"deep\": true}},\n"
    "  \"é\": 1, \"last\": null\n"
    "}\n";

/* Asserts that path (a key when want_key) sits at line:col. */
static void at(const char *path, int want_key, int line, int col)
{
    int l = 0, c = 0;
    if (pb_jsonpos_find(text, strlen(text), path, want_key, &l, &c) != 0)
        fail_msg("%s: not found", path);
    if (l != line || c != col)
        fail_msg("%s: at %d:%d, expected %d:%d", path, l, c, line, col);
}

static void test_values(void **state)
{
    (void)state;
    at("", 0, 1, 1);
    at("list", 0, 3, 11);
    at("list[0][1].k[0]", 0, 3, 23);
    at("list[1]", 0, 3, 29);
    at("list[2]", 0, 3, 34);                 /* after "é": columns count characters */
    at("obj.inner.deep", 0, 4, 29);
    at("last", 0, 5, 19);
    at("last", 1, 5, 11);
    at("obj.inner", 1, 4, 11);
}

static void test_missing(void **state)
{
    (void)state;
    int l = 0, c = 0;
    assert_int_equal(pb_jsonpos_find(text, strlen(text), "nope", 0, &l, &c), -ENOENT);
    assert_int_equal(pb_jsonpos_find(text, strlen(text), "list[3]", 0, &l, &c), -ENOENT);
    assert_int_equal(pb_jsonpos_find(text, strlen(text), "obj[0]", 0, &l, &c), -ENOENT);
    assert_int_equal(pb_jsonpos_find(text, strlen(text), "list.x", 0, &l, &c), -ENOENT);
    assert_int_equal(l, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
