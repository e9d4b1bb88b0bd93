/* test_hash.c — FNV-1a 64 of harness/common/hash.h against the published test vectors, piece
 * by piece as summary.c hashes a group key, and as the hex that keys --resume. */
#include "support.h"

#include "hash.h"

#include <string.h>

/* pb_fnv1a64 of the whole string s. */
static uint64_t fnv(const char *s)
{
    return pb_fnv1a64(PB_FNV1A64_INIT, s, strlen(s));
}

static void test_published_vectors(void **state)
{
    (void)state;
    assert_true(fnv("") == 0xcbf29ce484222325ull);
    assert_true(fnv("a") == 0xaf63dc4c8601ec8cull);
    assert_true(fnv("foobar") == 0x85944171f73967e8ull);
}

static void test_pieces_hash_as_their_concatenation(void **state)
{
    (void)state;
    uint64_t h = pb_fnv1a64(PB_FNV1A64_INIT, "naive|", 6);
    h = pb_fnv1a64(h, "", 0);
    h = pb_fnv1a64(h, "histogram|1000", 14);
    assert_true(h == fnv("naive|histogram|1000"));
}

static void test_hex(void **state)
{
    (void)state;
    char hex[17];
    assert_string_equal(pb_fnv1a64_hex(fnv("a"), hex), "af63dc4c8601ec8c");
    assert_string_equal(pb_fnv1a64_hex(PB_FNV1A64_INIT ^ PB_FNV1A64_INIT, hex),
                        "0000000000000000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_pieces_hash_as_their_concatenation),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
