/* test_abi.c — the strategy ABI cannot change by accident.
 *
 * kernels/strategy.h is compiled into plugins built elsewhere, and the harness trusts a plugin
 * whose abi_version equals PB_STRATEGY_ABI. So every struct of that header has its size and each
 * member's offset and size recorded here, with the enum and flag values, for the ABI number they
 * belong to. A change of layout without a bump fails; so does a bump without re-recording. The
 * header's own text is read too, to count each struct's members: a member slipped into padding
 * changes no size, but it changes the count.
 *
 * When the layout changes on purpose: bump PB_STRATEGY_ABI, run this test, and paste the table it
 * prints (the layout as compiled) over `recorded` below, with the new ABI number. */
#include "support.h"

#include "strategy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PB_RECORDED_ABI 4            /* the ABI the table below describes */

/* One member of one struct (member NULL: the struct's own size), or one constant. */
struct layout {
    const char *type;                /* struct name, or "const" for an enum or flag value */
    const char *member;              /* member or constant name; NULL for the struct's size */
    size_t offset;                   /* offsetof, or the constant's value */
    size_t size;                     /* sizeof the member or struct; 0 for a constant */
};

#define PB_SIZE(s) { #s, NULL, 0, sizeof(struct s) }
#define PB_MEMBER(s, m) { #s, #m, offsetof(struct s, m), sizeof(((struct s *)0)->m) }
#define PB_CONST(c) { "const", #c, (size_t)(c), 0 }

/* The layout as this build compiles it; same order as `recorded`. */
static const struct layout compiled[] = {
    PB_SIZE(pb_problem),
    PB_MEMBER(pb_problem, n), PB_MEMBER(pb_problem, x), PB_MEMBER(pb_problem, y),
    PB_MEMBER(pb_problem, z), PB_MEMBER(pb_problem, xf), PB_MEMBER(pb_problem, yf),
    PB_MEMBER(pb_problem, zf), PB_MEMBER(pb_problem, precision), PB_MEMBER(pb_problem, box),
    PB_MEMBER(pb_problem, output), PB_MEMBER(pb_problem, nbins), PB_MEMBER(pb_problem, edges),
    PB_MEMBER(pb_problem, scale),
    PB_SIZE(pb_kv),
    PB_MEMBER(pb_kv, key), PB_MEMBER(pb_kv, value),
    PB_SIZE(pb_params),
    PB_MEMBER(pb_params, threads), PB_MEMBER(pb_params, ranks), PB_MEMBER(pb_params, pin),
    PB_MEMBER(pb_params, kv), PB_MEMBER(pb_params, nkv), PB_MEMBER(pb_params, tmpdir),
    PB_SIZE(pb_output),
    PB_MEMBER(pb_output, matrix), PB_MEMBER(pb_output, matrix_bytes),
    PB_MEMBER(pb_output, counts), PB_MEMBER(pb_output, self_wall_s),
    PB_MEMBER(pb_output, rank_max_kib), PB_MEMBER(pb_output, rank_sum_kib),
    PB_MEMBER(pb_output, note), PB_MEMBER(pb_output, build_s), PB_MEMBER(pb_output, dist_evals),
    PB_SIZE(pb_param_spec),
    PB_MEMBER(pb_param_spec, name), PB_MEMBER(pb_param_spec, def),
    PB_MEMBER(pb_param_spec, choices), PB_MEMBER(pb_param_spec, help),
    PB_MEMBER(pb_param_spec, type), PB_MEMBER(pb_param_spec, min), PB_MEMBER(pb_param_spec, max),
    PB_SIZE(pb_strategy),
    PB_MEMBER(pb_strategy, abi_version), PB_MEMBER(pb_strategy, name),
    PB_MEMBER(pb_strategy, summary), PB_MEMBER(pb_strategy, flags),
    PB_MEMBER(pb_strategy, params), PB_MEMBER(pb_strategy, run),
    PB_MEMBER(pb_strategy, extra_bytes), PB_MEMBER(pb_strategy, cost),
    PB_SIZE(pb_cost),
    PB_MEMBER(pb_cost, model), PB_MEMBER(pb_cost, pair_cost), PB_MEMBER(pb_cost, pair_cost_of),
    PB_SIZE(pb_build_info),
    PB_MEMBER(pb_build_info, abi_version), PB_MEMBER(pb_build_info, optimized),
    PB_MEMBER(pb_build_info, isa), PB_MEMBER(pb_build_info, fast_math),
    PB_MEMBER(pb_build_info, compiler),
    PB_CONST(PB_OUTPUT_MATRIX), PB_CONST(PB_OUTPUT_HISTOGRAM),
    PB_CONST(PB_PRECISION_DOUBLE), PB_CONST(PB_PRECISION_FLOAT),
    PB_CONST(PB_BINS_LINEAR), PB_CONST(PB_BINS_LOG),
    PB_CONST(PB_SERIAL), PB_CONST(PB_EXTERNAL), PB_CONST(PB_DISTRIBUTED),
    PB_CONST(PB_HISTOGRAM_ONLY),
    PB_CONST(PB_ISA_OTHER), PB_CONST(PB_ISA_SSE2), PB_CONST(PB_ISA_AVX), PB_CONST(PB_ISA_AVX2),
    PB_CONST(PB_ISA_AVX512),
    PB_CONST(PB_PARAM_TEXT), PB_CONST(PB_PARAM_INT), PB_CONST(PB_PARAM_NUMBER),
    PB_CONST(PB_COST_ALL_PAIRS), PB_CONST(PB_COST_NEAR_PAIRS),
};

/* The layout of ABI PB_RECORDED_ABI on x86-64 Linux (LP64), as printed by this test. */
static const struct layout recorded[] = {
    { "pb_problem", NULL, 0, 104 },
    { "pb_problem", "n", 0, 8 }, { "pb_problem", "x", 8, 8 }, { "pb_problem", "y", 16, 8 },
    { "pb_problem", "z", 24, 8 }, { "pb_problem", "xf", 32, 8 }, { "pb_problem", "yf", 40, 8 },
    { "pb_problem", "zf", 48, 8 }, { "pb_problem", "precision", 56, 4 },
    { "pb_problem", "box", 64, 8 }, { "pb_problem", "output", 72, 4 },
    { "pb_problem", "nbins", 80, 8 }, { "pb_problem", "edges", 88, 8 },
    { "pb_problem", "scale", 96, 4 },
    { "pb_kv", NULL, 0, 16 },
    { "pb_kv", "key", 0, 8 }, { "pb_kv", "value", 8, 8 },
    { "pb_params", NULL, 0, 40 },
    { "pb_params", "threads", 0, 4 }, { "pb_params", "ranks", 4, 4 }, { "pb_params", "pin", 8, 4 },
    { "pb_params", "kv", 16, 8 }, { "pb_params", "nkv", 24, 8 }, { "pb_params", "tmpdir", 32, 8 },
    { "pb_output", NULL, 0, 320 },
    { "pb_output", "matrix", 0, 8 }, { "pb_output", "matrix_bytes", 8, 8 },
    { "pb_output", "counts", 16, 8 }, { "pb_output", "self_wall_s", 24, 8 },
    { "pb_output", "rank_max_kib", 32, 8 }, { "pb_output", "rank_sum_kib", 40, 8 },
    { "pb_output", "note", 48, 256 }, { "pb_output", "build_s", 304, 8 },
    { "pb_output", "dist_evals", 312, 8 },
    { "pb_param_spec", NULL, 0, 56 },
    { "pb_param_spec", "name", 0, 8 }, { "pb_param_spec", "def", 8, 8 },
    { "pb_param_spec", "choices", 16, 8 }, { "pb_param_spec", "help", 24, 8 },
    { "pb_param_spec", "type", 32, 4 }, { "pb_param_spec", "min", 40, 8 },
    { "pb_param_spec", "max", 48, 8 },
    { "pb_strategy", NULL, 0, 80 },
    { "pb_strategy", "abi_version", 0, 4 }, { "pb_strategy", "name", 8, 8 },
    { "pb_strategy", "summary", 16, 8 }, { "pb_strategy", "flags", 24, 4 },
    { "pb_strategy", "params", 32, 8 }, { "pb_strategy", "run", 40, 8 },
    { "pb_strategy", "extra_bytes", 48, 8 }, { "pb_strategy", "cost", 56, 24 },
    { "pb_cost", NULL, 0, 24 },
    { "pb_cost", "model", 0, 4 }, { "pb_cost", "pair_cost", 8, 8 },
    { "pb_cost", "pair_cost_of", 16, 8 },
    { "pb_build_info", NULL, 0, 24 },
    { "pb_build_info", "abi_version", 0, 4 }, { "pb_build_info", "optimized", 4, 4 },
    { "pb_build_info", "isa", 8, 4 }, { "pb_build_info", "fast_math", 12, 4 },
    { "pb_build_info", "compiler", 16, 8 },
    { "const", "PB_OUTPUT_MATRIX", 0, 0 }, { "const", "PB_OUTPUT_HISTOGRAM", 1, 0 },
    { "const", "PB_PRECISION_DOUBLE", 0, 0 }, { "const", "PB_PRECISION_FLOAT", 1, 0 },
    { "const", "PB_BINS_LINEAR", 0, 0 }, { "const", "PB_BINS_LOG", 1, 0 },
    { "const", "PB_SERIAL", 1, 0 }, { "const", "PB_EXTERNAL", 2, 0 },
    { "const", "PB_DISTRIBUTED", 4, 0 }, { "const", "PB_HISTOGRAM_ONLY", 8, 0 },
    { "const", "PB_ISA_OTHER", 0, 0 }, { "const", "PB_ISA_SSE2", 1, 0 },
    { "const", "PB_ISA_AVX", 2, 0 }, { "const", "PB_ISA_AVX2", 3, 0 },
    { "const", "PB_ISA_AVX512", 4, 0 },
    { "const", "PB_PARAM_TEXT", 0, 0 }, { "const", "PB_PARAM_INT", 1, 0 },
    { "const", "PB_PARAM_NUMBER", 2, 0 },
    { "const", "PB_COST_ALL_PAIRS", 0, 0 }, { "const", "PB_COST_NEAR_PAIRS", 1, 0 },
};

#define PB_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Prints the compiled layout in the form of `recorded`, for pasting after a deliberate change. */
static void print_compiled(void)
{
    fprintf(stderr, "layout as compiled (ABI %d):\n", PB_STRATEGY_ABI);
    for (size_t i = 0; i < PB_COUNT(compiled); i++) {
        const struct layout *l = &compiled[i];
        if (!l->member)
            fprintf(stderr, "    { \"%s\", NULL, 0, %zu },\n", l->type, l->size);
        else
            fprintf(stderr, "    { \"%s\", \"%s\", %zu, %zu },\n", l->type, l->member, l->offset,
                    l->size);
    }
}

/* 1 when a and b describe the same thing with the same numbers. */
static int same(const struct layout *a, const struct layout *b)
{
    int names = strcmp(a->type, b->type) == 0 &&
                (a->member == b->member || (a->member && b->member &&
                                            strcmp(a->member, b->member) == 0));
    return names && a->offset == b->offset && a->size == b->size;
}

/* Every struct, member and constant of strategy.h is where ABI PB_RECORDED_ABI put it. */
static void test_layout_matches_recorded(void **state)
{
    (void)state;
    int bad = PB_STRATEGY_ABI != PB_RECORDED_ABI || PB_COUNT(compiled) != PB_COUNT(recorded);
    for (size_t i = 0; !bad && i < PB_COUNT(compiled); i++)
        if (!same(&compiled[i], &recorded[i])) {
            fprintf(stderr, "%s.%s: compiled at offset %zu size %zu, recorded %zu size %zu\n",
                    compiled[i].type, compiled[i].member ? compiled[i].member : "(struct)",
                    compiled[i].offset, compiled[i].size, recorded[i].offset, recorded[i].size);
            bad = 1;
        }
    if (bad) {
        fprintf(stderr, "strategy.h's layout and PB_STRATEGY_ABI (%d) disagree with the table "
                "recorded for ABI %d: bump PB_STRATEGY_ABI for a layout change, then record the "
                "new layout in tests/kernels/test_abi.c\n", PB_STRATEGY_ABI, PB_RECORDED_ABI);
        print_compiled();
    }
    assert_false(bad);
}

/* Copies the body of "struct NAME {" ... "};" of text into a malloc'd string with its comments
 * removed. NULL when the struct is not found. */
static char *struct_body(const char *text, const char *name)
{
    char open[64];
    snprintf(open, sizeof open, "struct %s {", name);
    const char *p = strstr(text, open);
    const char *end = p ? strstr(p, "\n};") : NULL;
    if (!end)
        return NULL;
    p += strlen(open);
    char *body = calloc((size_t)(end - p) + 1, 1), *o = body;
    while (body && p < end) {
        const char *close = strncmp(p, "/*", 2) == 0 ? strstr(p + 2, "*/") : NULL;
        if (close)
            p = close + 2;
        else
            *o++ = *p++;
    }
    return body;
}

/* Number of members declared in "struct NAME {" ... "};" of text: one per declarator of each
 * declaration, a function pointer counting once. -1 when the struct is not found. */
static int members_in_header(const char *text, const char *name)
{
    char *body = struct_body(text, name);
    if (!body)
        return -1;
    int count = 0;
    for (char *decl = body, *semi; (semi = strchr(decl, ';')) != NULL; decl = semi + 1) {
        *semi = '\0';
        count++;
        if (!strstr(decl, "(*"))
            for (const char *c = decl; *c; c++)
                count += *c == ',';
    }
    free(body);
    return count;
}

/* Members of struct name in the compiled table. */
static int members_compiled(const char *name)
{
    int count = 0;
    for (size_t i = 0; i < PB_COUNT(compiled); i++)
        count += strcmp(compiled[i].type, name) == 0 && compiled[i].member != NULL;
    return count;
}

/* The header declares exactly the members the table lists: none added unrecorded (for instance
 * into padding, where no size would change). */
static void test_header_members_are_all_recorded(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/kernels/strategy.h", PB_SOURCE_DIR);
    char *text = pbt_slurp(path);
    assert_non_null(text);
    static const char *const structs[] = { "pb_problem", "pb_kv", "pb_params", "pb_output",
                                           "pb_param_spec", "pb_strategy", "pb_cost",
                                           "pb_build_info" };
    for (size_t i = 0; i < PB_COUNT(structs); i++) {
        int in_header = members_in_header(text, structs[i]);
        if (in_header != members_compiled(structs[i]))
            fprintf(stderr, "struct %s: %d members in strategy.h, %d in test_abi.c's table\n",
                    structs[i], in_header, members_compiled(structs[i]));
        assert_int_equal(in_header, members_compiled(structs[i]));
    }
    free(text);
}

/* The line counter itself: declarators, function pointers, comment lines and the closing brace. */
static void test_member_counter(void **state)
{
    (void)state;
    const char *text = "struct pb_t {\n"
                       "    int a;                 /* one */\n"
                       "    const double *x, *y;   /* two, on one line */\n"
                       "                           /* a continued comment; with a semicolon */\n"
                       "    int (*f)(int a, int b);\n"
                       "};\n";
    assert_int_equal(members_in_header(text, "pb_t"), 4);
    assert_int_equal(members_in_header(text, "pb_none"), -1);
}

/* The build record strategy.h defines in every file that includes it is this file's own: the
 * ABI, __OPTIMIZE__, the widest ISA macro and __VERSION__ as this file was compiled. */
static void test_build_info_is_this_files(void **state)
{
    (void)state;
    static const struct pb_build_info mine = PB_BUILD_INFO_INIT;
    assert_int_equal(mine.abi_version, PB_STRATEGY_ABI);
#ifdef __OPTIMIZE__
    assert_int_equal(mine.optimized, 1);
#else
    assert_int_equal(mine.optimized, 0);
#endif
#if defined(__AVX512F__)
    assert_int_equal(mine.isa, PB_ISA_AVX512);
#elif defined(__AVX2__)
    assert_int_equal(mine.isa, PB_ISA_AVX2);
#elif defined(__x86_64__) && !defined(__AVX__)
    assert_int_equal(mine.isa, PB_ISA_SSE2);
#endif
    assert_string_equal(mine.compiler, __VERSION__);
    assert_int_equal(pb_plugin_build_info.abi_version, PB_STRATEGY_ABI);
    assert_non_null(pb_plugin_build_info.compiler);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_info_is_this_files),
        cmocka_unit_test(test_layout_matches_recorded),
        cmocka_unit_test(test_header_members_are_all_recorded),
        cmocka_unit_test(test_member_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
