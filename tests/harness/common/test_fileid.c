/* test_fileid.c — a file's identity (harness/common/fileid.h): size, modification time and the
 * FNV-1a 64 of its bytes, also for a file larger than one read; what is not a regular file. */
#include "support.h"

#include "fileid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void test_identity_of_a_file(void **state)
{
    (void)state;
    char path[1200];
    struct pb_file_id id;
    struct stat st;
    snprintf(path, sizeof path, "%s/foobar.txt", pbt_tmpdir("fileid"));
    pbt_write(path, "foobar");
    assert_int_equal(pb_file_identify(path, &id), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(id.size, 6);
    assert_true(id.mtime_ns == (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
    assert_string_equal(id.hash, "85944171f73967e8");    /* the published FNV-1a 64 vector */
    pbt_write(path, "");
    assert_int_equal(pb_file_identify(path, &id), 0);
    assert_int_equal(id.size, 0);
    assert_string_equal(id.hash, "cbf29ce484222325");    /* the hash of no bytes */
}

/* A file of several read chunks hashes as its bytes do: 200000 'a's against a second file
 * whose last byte differs. */
static void test_large_file(void **state)
{
    (void)state;
    enum { N = 200000 };
    char path[1200];
    char *text = malloc(N + 1);
    struct pb_file_id a, b;
    assert_non_null(text);
    memset(text, 'a', N);
    text[N] = '\0';
    snprintf(path, sizeof path, "%s/large.txt", pbt_tmpdir("fileid-large"));
    pbt_write(path, text);
    assert_int_equal(pb_file_identify(path, &a), 0);
    text[N - 1] = 'b';
    pbt_write(path, text);
    assert_int_equal(pb_file_identify(path, &b), 0);
    free(text);
    assert_int_equal(a.size, N);
    assert_int_equal(b.size, N);
    assert_string_not_equal(a.hash, b.hash);
}

static void test_not_a_regular_file(void **state)
{
    (void)state;
    struct pb_file_id id;
    const char *dir = pbt_tmpdir("fileid-dir");
    char path[1200];
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(pb_file_identify(path, &id), -ENOENT);
    assert_int_equal(pb_file_identify(dir, &id), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_of_a_file),
        cmocka_unit_test(test_large_file),
        cmocka_unit_test(test_not_a_regular_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
