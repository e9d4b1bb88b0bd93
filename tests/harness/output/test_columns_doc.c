/* test_columns_doc.c — docs/output.md's description of the two CSVs is the column lists the code
 * writes: the NAME.csv table names every column of PB_RUN_COLUMNS once, in file order, and the
 * NAME_summary.csv header shown there is PB_SUMMARY_COLUMNS' header. A column added, renamed or
 * moved in the code without docs/output.md fails here, naming the first difference. */
#include "support.h"

#include "results.h"
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* docs/output.md's text from the line starting with `from` to the next line starting with "#", as
 * a malloc'd string (NULL when absent). */
static char *doc_section(const char *from)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/output.md", PB_SOURCE_DIR);
    char *text = pbt_slurp(path);
    assert_non_null(text);
    char *start = strstr(text, from);
    char *section = NULL;
    if (start) {
        char *end = strstr(start + strlen(from), "\n#");
        size_t len = end ? (size_t)(end - start) : strlen(start);
        section = strndup(start, len);
    }
    free(text);
    return section;
}

/* Appends to names (comma-separated) every `name` in the first cell of each table row of
 * section, in order: "| `n`, `threads`, `repeat` | ..." gives n,threads,repeat. */
static void table_columns(const char *section, char *names, size_t cap)
{
    names[0] = '\0';
    for (const char *line = section; line; line = strchr(line, '\n')) {
        line += *line == '\n';
        if (line[0] != '|' || strncmp(line, "| column", 8) == 0 || strncmp(line, "|---", 4) == 0)
            continue;
        const char *cell_end = strchr(line + 1, '|');
        for (const char *q = line + 1; cell_end && (q = memchr(q, '`', (size_t)(cell_end - q)));) {
            const char *close = memchr(q + 1, '`', (size_t)(cell_end - q - 1));
            if (!close)
                break;
            size_t used = strlen(names);
            snprintf(names + used, cap - used, "%s%.*s", used ? "," : "", (int)(close - q - 1),
                     q + 1);
            q = close + 1;
        }
    }
}

/* The NAME.csv table lists exactly the columns the writer writes, in the same order. */
static void test_run_columns_documented(void **state)
{
    (void)state;
    char *section = doc_section("### `NAME.csv`");
    assert_non_null(section);
    char names[4096];
    table_columns(section, names, sizeof names);
    if (strcmp(names, PB_CSV_HEADER) != 0)
        fprintf(stderr, "docs/output.md NAME.csv table: %s\nwritten header:                 %s\n", names,
                PB_CSV_HEADER);
    assert_string_equal(names, PB_CSV_HEADER);
    free(section);
}

/* The summary's header, shown in docs/output.md as backticked lines, is the one written. */
static void test_summary_columns_documented(void **state)
{
    (void)state;
    char *section = doc_section("### `NAME_summary.csv`");
    assert_non_null(section);
    char names[4096] = "";
    for (const char *q = strchr(section, '\n'); q && (q = strchr(q, '`'));) {
        const char *close = strchr(q + 1, '`');
        if (!close)
            break;
        if (close - q > 40 && memchr(q, ',', (size_t)(close - q))) {   /* a header line */
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%.*s", used ? "," : "",
                     (int)(close - q - 1), q + 1);
        }
        q = close + 1;
    }
    if (strcmp(names, PB_SUMMARY_HEADER) != 0)
        fprintf(stderr, "docs/output.md summary header: %s\nwritten header:                %s\n", names,
                PB_SUMMARY_HEADER);
    assert_string_equal(names, PB_SUMMARY_HEADER);
    free(section);
}

/* The table reader itself: names in the first cell only, several per cell, header rows skipped. */
static void test_table_columns(void **state)
{
    (void)state;
    char names[256];
    table_columns("| column | meaning |\n|---|---|\n| `a` | x `not` |\n| `b`, `c` | y |\n",
                  names, sizeof names);
    assert_string_equal(names, "a,b,c");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_columns_documented),
        cmocka_unit_test(test_summary_columns_documented),
        cmocka_unit_test(test_table_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
