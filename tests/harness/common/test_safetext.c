/* test_safetext.c — harness/common/safetext.c: text from outside keeps what is printable UTF-8
 * and has every control character and every byte that is no UTF-8 escaped as "\xHH"; pb_fail
 * and pb_fit apply it to what they format. */
#include "support.h"

#include "error.h"
#include "safetext.h"

#include <stdio.h>
#include <string.h>

/* Escapes and UTF-8: what goes in, what comes out (buffers large enough). */
static void test_escapes(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"plain ascii ~", "plain ascii ~"},
        {"caf\xC3\xA9 \xE2\x80\xA6 \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x80\xA6 \xF0\x9F\x98\x80"},
        {"a\033]0;title\007b", "a\\x1b]0;title\\x07b"},           /* OSC: set the title */
        {"\033[2J", "\\x1b[2J"},                                   /* clear the screen */
        {"tab\there\nnl\r\x7f", "tab\\x09here\\x0anl\\x0d\\x7f"},
        {"\xC2\x9B" "31m", "\\xc2\\x9b31m"},                       /* C1 CSI, U+009B */
        {"\xFF\xFE", "\\xff\\xfe"},
        {"\xC0\xAF \xE0\x80\xAF", "\\xc0\\xaf \\xe0\\x80\\xaf"},     /* overlong '/' */
        {"\xED\xA0\x80", "\\xed\\xa0\\x80"},                         /* a UTF-16 surrogate */
        {"\xF4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},                /* beyond U+10FFFF */
        {"cut \xE2\x80", "cut \\xe2\\x80"},                          /* a character cut short */
        {"\xC2\xA0nbsp", "\xC2\xA0nbsp"},                            /* U+00A0 is printable */
    };
    char buf[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "%s", cases[i][0]);
        pb_safe_text(buf, sizeof buf);
        if (strcmp(buf, cases[i][1]) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, buf, cases[i][1]);
        assert_true(pb_safe_text_ok(buf));
        assert_int_equal(pb_safe_text_ok(cases[i][0]), strcmp(cases[i][0], cases[i][1]) == 0);
        pb_safe_text(buf, sizeof buf);                              /* a second pass: no change */
        assert_string_equal(buf, cases[i][1]);
    }
}

/* An escaped text that no longer fits is cut with "…" and stays valid. */
static void test_cut_when_longer(void **state)
{
    (void)state;
    char buf[12] = "ab\033\033\033\033";
    pb_safe_text(buf, sizeof buf);                                 /* "ab\x1b\x1b..." */
    assert_string_equal(buf, "ab\\x1b\\x\xE2\x80\xA6");
    assert_true(pb_safe_text_ok(buf));
}

/* Messages and statuses are made safe by the formatter itself. */
static void test_fail_and_fit_are_safe(void **state)
{
    (void)state;
    struct pb_err e;
    char status[64];
    assert_int_equal(pb_fail(&e, -5, "%s: %s", "bad\033[2Jname", "\xFF"), -5);
    assert_string_equal(e.msg, "bad\\x1b[2Jname: \\xff");
    pb_fit(status, sizeof status, "error: %s", "x\007y");
    assert_string_equal(status, "error: x\\x07y");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_cut_when_longer),
        cmocka_unit_test(test_fail_and_fit_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
