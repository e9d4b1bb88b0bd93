/* fuzz_config.c — libFuzzer target for the config loader, pb_experiment_load
 * (harness/cli/experiment.c). Each input is a config file, written into a private folder so
 * that relative paths in it (points files, plugins) resolve there and find nothing but the
 * config itself. Besides crashes, leaks and sanitizer reports, a broken contract fails the
 * input: a loaded experiment satisfies every rule of the config reference that the struct can
 * show, and a rejected one leaves a message that starts with the file's path.
 * pb_experiment_free runs in both cases, since it must be safe on a half-filled struct. */
#include "config.h"
#include "experiment.h"
#include "scratch.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Called once by libFuzzer before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    scratch_init("config.json");
    return 0;
}

/* Every value of an int list positive, and at least one. */
static void check_positive_ints(const int *v, size_t n)
{
    FUZZ_CHECK(n >= 1 && v);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(v[i] > 0);
}

/* Sizes: at least one, positive, strictly ascending (sorted, no duplicates). */
static void check_sizes(const struct pb_experiment *e)
{
    FUZZ_CHECK(e->nsizes >= 1 && e->sizes);
    for (size_t i = 0; i < e->nsizes; i++)
        FUZZ_CHECK(e->sizes[i] > 0 && (i == 0 || e->sizes[i] > e->sizes[i - 1]));
}

/* Input and output sections: sane numbers where they apply. */
static void check_io(const struct pb_experiment *e)
{
    if (e->input.kind == PB_INPUT_FILE)
        FUZZ_CHECK(e->input.path != NULL);
    else
        FUZZ_CHECK(isfinite(e->input.box) && e->input.box > 0);
    if (e->output != PB_OUTPUT_HISTOGRAM)
        return;
    const struct pb_bin_spec *b = &e->bins;
    FUZZ_CHECK(b->count >= 1 && isfinite(b->min) && isfinite(b->max));
    FUZZ_CHECK(b->min >= 0 && b->min < b->max);
    FUZZ_CHECK(b->scale != PB_BINS_LOG || b->min > 0);
}

/* A loaded experiment: the rules of the config reference, as far as the struct shows them. */
static void check_experiment(const struct pb_experiment *e)
{
    FUZZ_CHECK(e->name && e->name[0] && e->text && strlen(e->hash) == 16);
    check_sizes(e);
    check_positive_ints(e->threads, e->nthreads);
    check_positive_ints(e->ranks, e->nranks);
    FUZZ_CHECK(e->repeats >= 1 && e->warmup >= 0);
    FUZZ_CHECK(isfinite(e->timeout_s) && e->timeout_s >= 0);
    FUZZ_CHECK(isfinite(e->periodic) && e->periodic >= 0);
    check_io(e);
    FUZZ_CHECK(e->nstrategies >= 1 && e->strategies);
    for (size_t i = 0; i < e->nstrategies; i++)
        FUZZ_CHECK(e->strategies[i].strategy && e->strategies[i].label &&
                   e->strategies[i].params);
}

/* One input: the whole of it is the config file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = scratch_write(data, size);
    struct pb_experiment e;
    struct pb_err err = { .msg = "" };
    int rc = pb_experiment_load(path, &e, &err);
    if (rc == 0)
        check_experiment(&e);
    else
        FUZZ_CHECK(rc < 0 && strncmp(err.msg, path, strlen(path)) == 0);
    pb_experiment_free(&e);
    return 0;
}
