/* test_error.c — harness/common/error.c: pb_fail keeps its code and a message that fits, and
 * pb_fail and pb_fit mark a text they had to cut with "…", never splitting a UTF-8 character. */
#include "support.h"

#include "error.h"

#include <string.h>

/* A message that fits is kept whole; the code comes back unchanged. */
static void test_fail_keeps_short_message(void **state)
{
    (void)state;
    struct pb_err e;
    assert_int_equal(pb_fail(&e, -22, "%s:%d: %s", "a.json", 3, "bad"), -22);
    assert_string_equal(e.msg, "a.json:3: bad");
    assert_int_equal(pb_fail(NULL, -5, "nowhere"), -5);
}

/* A message longer than the buffer ends in "…" and fills it. */
static void test_fail_marks_a_cut(void **state)
{
    (void)state;
    struct pb_err e;
    char long_text[3000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    pb_fail(&e, -1, "%s", long_text);
    size_t len = strlen(e.msg);
    assert_int_equal(len, sizeof e.msg - 1);
    assert_string_equal(e.msg + len - 3, "\xE2\x80\xA6");
}

/* The cut falls before a multi-byte character, never inside it; an exact fit is not cut. */
static void test_fit_respects_utf8(void **state)
{
    (void)state;
    char buf[10];
    pb_fit(buf, sizeof buf, "abcde%s", "\xC3\xA9\xC3\xA9\xC3\xA9");   /* "abcdeééé" */
    assert_string_equal(buf, "abcde\xE2\x80\xA6");                   /* "é" at 5-6 dropped whole */
    pb_fit(buf, sizeof buf, "%s", "123456789");
    assert_string_equal(buf, "123456789");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fail_keeps_short_message),
        cmocka_unit_test(test_fail_marks_a_cut),
        cmocka_unit_test(test_fit_respects_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
