/* test_csv.c — the one CSV reader: RFC 4180 records (quoted commas, quotes and line breaks,
 * CRLF), blank lines skipped, malformed text and ragged rows refused as "PATH:LINE: why", and
 * the string table built on it. */
#include "support.h"

#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURES "tests/data/plots"

/* Writes text to a fresh file named name in a temporary folder; returns its path (static). */
static const char *csv_file(const char *name, const char *text)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/%s", pbt_tmpdir("csv"), name);
    pbt_write(path, text);
    return path;
}

/* Reads path as a table expecting failure rc; returns the message (static). */
static const char *table_fails(const char *path, int rc)
{
    static struct pb_err err;
    struct pb_table t;
    err.msg[0] = '\0';
    assert_int_equal(pb_table_read(path, &t, &err), rc);
    assert_null(t.buf);
    return err.msg;
}

static void test_table_reads_quoted_fields(void **state)
{
    (void)state;
    struct pb_table t;
    struct pb_err err = {{0}};
    assert_int_equal(pb_table_read(FIXTURES "/sweep.csv", &t, &err), 0);
    assert_int_equal(t.ncols, 21);
    assert_int_equal(t.nrows, 99);
    int status = pb_table_col(&t, "status");
    assert_int_equal(status, 12);
    assert_int_equal(pb_table_col(&t, "no-such-column"), -1);
    assert_string_equal(pb_table_get(&t, 0, pb_table_col(&t, "strategy")), "naive");
    assert_string_equal(pb_table_get(&t, 98, status), "killed by signal 9, out of memory");
    assert_string_equal(pb_table_get(&t, 98, pb_table_col(&t, "kind")), "run");
    assert_string_equal(pb_table_get(&t, 0, -1), "");
    pb_table_free(&t);
}

static void test_table_missing_file(void **state)
{
    (void)state;
    const char *msg = table_fails(FIXTURES "/absent.csv", -ENOENT);
    assert_non_null(strstr(msg, "absent.csv: cannot read"));
}

/* CRLF line ends, a quoted comma, a doubled quote and a quoted line break all read back; a blank
 * line holds no row; line numbers count the lines inside quoted fields. */
static void test_records_and_lines(void **state)
{
    (void)state;
    const char *path = csv_file("awkward.csv", "a,b,c\r\n"
                                               "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
                                               "\r\n"
                                               "1,,3\n");
    struct pb_csv c;
    struct pb_err err = {{0}};
    assert_int_equal(pb_csv_open(&c, path, &err), 0);
    assert_int_equal(pb_csv_header(&c, &err), 0);
    assert_int_equal(c.width, 3);
    assert_string_equal(c.fields[2], "c");
    assert_int_equal(pb_csv_next(&c, &err), 1);
    assert_int_equal(c.line, 2);
    assert_string_equal(c.fields[0], "x,y");
    assert_string_equal(c.fields[1], "say \"hi\"");
    assert_string_equal(c.fields[2], "two\nlines");
    assert_int_equal(pb_csv_next(&c, &err), 1);
    assert_int_equal(c.line, 5);
    assert_string_equal(c.fields[0], "1");
    assert_string_equal(c.fields[1], "");
    assert_string_equal(c.fields[2], "3");
    assert_int_equal(pb_csv_next(&c, &err), 0);
    pb_csv_close(&c);
}

/* The last record may lack its newline; a table keeps every cell after later records. */
static void test_table_without_final_newline(void **state)
{
    (void)state;
    struct pb_table t;
    struct pb_err err = {{0}};
    const char *path = csv_file("last.csv", "k,v\none,1\n\"t,wo\",2");
    assert_int_equal(pb_table_read(path, &t, &err), 0);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(pb_table_get(&t, 0, 0), "one");
    assert_string_equal(pb_table_get(&t, 1, 0), "t,wo");
    assert_string_equal(pb_table_get(&t, 1, pb_table_col(&t, "v")), "2");
    assert_string_equal(pb_table_get(&t, 2, 0), "");       /* past the last row */
    pb_table_free(&t);
}

/* A ragged row, malformed quoting and an empty file are refused, naming the file and line. */
static void test_bad_text_is_named(void **state)
{
    (void)state;
    static const char *const cases[][3] = {     /* file, text, message */
        {"short.csv", "a,b\n1,2\n\"x\ny\"\n", "short.csv:3: 1 fields, but the header has 2"},
        {"long.csv", "a,b\n1,2,3\n", "long.csv:2: 3 fields, but the header has 2"},
        {"q1.csv", "a,b\n1,x\"y\n", "q1.csv:2: quote inside an unquoted field"},
        {"q2.csv", "a,b\n1,\"x\"y\n", "q2.csv:2: text after a closing quote"},
        {"q3.csv", "a,b\n1,\"x\n", "q3.csv:2: quoted field not closed before the end of the file"},
        {"empty.csv", "\n", "empty.csv:1: empty file, expected the header line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *msg = table_fails(csv_file(cases[i][0], cases[i][1]), -EINVAL);
        if (!strstr(msg, cases[i][2]))
            fail_msg("%s: got \"%s\", expected \"%s\"", cases[i][0], msg, cases[i][2]);
    }
}

/* A field quoted by pb_csv_put_field reads back as written. */
static void test_put_field_round_trips(void **state)
{
    (void)state;
    static const char *const texts[] = {"plain", "a,b", "say \"hi\"", "two\r\nlines", ""};
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    fputs("t\n", m);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(pb_csv_put_field(m, texts[i]), 0);
        fputc('\n', m);
    }
    fclose(m);
    struct pb_table t;
    struct pb_err err = {{0}};
    assert_int_equal(pb_table_read(csv_file("put.csv", buf), &t, &err), 0);
    free(buf);
    assert_int_equal(t.nrows, 4);                          /* "" alone is a blank line */
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(pb_table_get(&t, i, 0), texts[i]);
    pb_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_reads_quoted_fields),
        cmocka_unit_test(test_table_missing_file),
        cmocka_unit_test(test_records_and_lines),
        cmocka_unit_test(test_table_without_final_newline),
        cmocka_unit_test(test_bad_text_is_named),
        cmocka_unit_test(test_put_field_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
