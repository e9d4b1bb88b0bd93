/* test_edges.c — explicit edges from a list or a file (edges.h): both file shapes, exact
 * values, and each refusal with the place it names. */
#include "support.h"

#include "edges.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses text as a list (max edges); asserts success and the n values of want. */
static void list_ok(const char *text, size_t max, const double *want, size_t n)
{
    struct pb_err err = { "" };
    double *e = NULL;
    size_t got = 0;
    if (pb_edges_parse_list(text, "--edges", max, &e, &got, &err) != 0)
        fail_msg("'%s': %s", text, err.msg);
    assert_int_equal(got, n);
    assert_memory_equal(e, want, n * sizeof *want);
    free(e);
}

/* Parses text as a list; asserts -EINVAL and message equal to msg. */
static void list_bad(const char *text, size_t max, const char *msg)
{
    struct pb_err err = { "" };
    double *e = NULL;
    size_t n = 0;
    assert_int_equal(pb_edges_parse_list(text, "--edges", max, &e, &n, &err), -EINVAL);
    assert_string_equal(err.msg, msg);
    assert_null(e);
}

/* A list: exact doubles (decimal, hex, exponent), and every refusal naming edges[K]. */
static void test_list(void **state)
{
    (void)state;
    static const double a[] = { 0, 0.1, 0.30000000000000004, 0x1.8p+1, 1e3 };
    list_ok("0,0.1,0.30000000000000004,0x1.8p+1,1e3", 5, a, 5);
    list_bad("0,0.1,0.30000000000000004,0x1.8p+1,1e3", 4,
             "--edges: edges[4]: more than 4 edges (3 bins)");
    list_bad("0,1,1", 10, "--edges: edges[2]: edges must strictly increase: got 1 after 1");
    list_bad("0,2,1", 10, "--edges: edges[2]: edges must strictly increase: got 1 after 2");
    list_bad("-1,1", 10, "--edges: edges[0]: expected a finite number >= 0, got '-1'");
    list_bad("0,nan", 10, "--edges: edges[1]: expected a finite number >= 0, got 'nan'");
    list_bad("0,1e999", 10, "--edges: edges[1]: expected a finite number >= 0, got '1e999'");
    list_bad("0,,1", 10, "--edges: edges[1]: expected a finite number >= 0, got ''");
    list_ok(" 0, 0.1 ,0.30000000000000004 , 0x1.8p+1,1e3 ", 5, a, 5);   /* spaces around */
    list_bad("0,1 2", 10, "--edges: edges[1]: expected a finite number >= 0, got '1 2'");
    list_bad("0, ,1", 10, "--edges: edges[1]: expected a finite number >= 0, got ' '");
    list_bad("5,", 10, "--edges: edges[1]: expected a finite number >= 0, got ''");
}

/* Writes text to a file of the test's folder and reads it as edges (max 10). Returns the
 * code; on success *e (the caller frees it) and *n, on failure err. */
static int read_text(const char *text, double **e, size_t *n, struct pb_err *err, char *path,
                     size_t cap)
{
    snprintf(path, cap, "%s/edges.txt", pbt_tmpdir("edges"));
    pbt_write(path, text);
    *e = NULL;
    return pb_edges_read_file(path, 10, e, n, err);
}

/* A file: an edge per line or touching "lo hi" bins, separators, comments, blank lines. */
static void test_file_shapes(void **state)
{
    (void)state;
    static const double want[] = { 0.5, 1, 2.5, 7 };
    static const char *const ok[] = {
        "0.5\n1\n2.5\n7\n",
        "# r edges\n\n  0.5\r\n1\n\t2.5\n7",
        "0.5 1\n1 2.5\n2.5 7\n",
        "# rmin rmax\n0.5\t1\n1,2.5\n\n2.5   7\n",
    };
    char path[1200];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct pb_err err = { "" };
        double *e;
        size_t n = 0;
        if (read_text(ok[i], &e, &n, &err, path, sizeof path) != 0)
            fail_msg("case %zu: %s", i, err.msg);
        assert_int_equal(n, 4);
        assert_memory_equal(e, want, sizeof want);
        free(e);
    }
}

/* Bad files: each refusal names FILE:LINE (or the file) and says what is wrong. */
static void test_file_refused(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        { "0 1\n1 2\n2.5 3\n", ":3: this bin starts at 2.5 but the bin before ends at 2: "
                                "bins must touch" },
        { "0\n1 2\n", ":2: expected one edge per line, got 2 numbers" },
        { "0 1\n2\n", ":2: expected one \"lo hi\" bin per line, got 1 number" },
        { "0 1 2\n", ":1: expected one edge or one \"lo hi\" bin per line, got 3 numbers" },
        { "0\n1\nx\n", ":3: expected a finite number >= 0, got 'x'" },
        { "0\n2\n1\n", ":3: edges must strictly increase: got 1 after 2" },
        { "0 2\n2 1\n", ":2: edges must strictly increase: got 1 after 2" },
        { "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", ":11: more than 10 edges (9 bins)" },
        { "# only a comment\n", ": expected at least 2 edges (one bin), got 0" },
    };
    char path[1200];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pb_err err = { "" };
        double *e;
        size_t n = 0;
        assert_int_equal(read_text(bad[i][0], &e, &n, &err, path, sizeof path), -EINVAL);
        assert_null(e);
        const char *tail = err.msg + strlen(path);
        if (strncmp(err.msg, path, strlen(path)) != 0 || strcmp(tail, bad[i][1]) != 0)
            fail_msg("case %zu: \"%s\", expected \"%s%s\"", i, err.msg, path, bad[i][1]);
    }
    struct pb_err err = { "" };
    double *e = NULL;
    size_t n = 0;
    assert_int_equal(pb_edges_read_file("/nonexistent/e.txt", 10, &e, &n, &err), -ENOENT);
    assert_non_null(strstr(err.msg, "/nonexistent/e.txt: cannot read the edges"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_file_shapes),
        cmocka_unit_test(test_file_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
